"""APBD realisation exports (BPKD / SIPD Laporan Realisasi Anggaran). See README.md here.

ERROR rules block every mart built from the table; WARN rules are shown, not blocking.
"""

from p3dn_pipeline.lib.sources import Dataset, Field, Source, Staged, expectations

APBD_REALISASI = Dataset(
    name="apbd_realisasi",
    title="APBD Laporan Realisasi Anggaran (BPKD / SIPD export)",
    grain="one row per SKPD x kode rekening x month",
    required=(
        Field("kode_skpd", ("Kode SKPD", "Kode Unit", "Kode OPD")),
        Field("nama_skpd", ("Nama SKPD", "Nama Unit", "Nama OPD")),
        Field("kode_rekening", ("Kode Rekening", "Kode Akun")),
        Field("anggaran", ("Anggaran", "Pagu Anggaran")),
        Field("realisasi", ("Realisasi",)),
        Field("periode", ("Periode", "Bulan")),
    ),
    optional=(
        Field("uraian", ("Uraian", "Nama Rekening", "Uraian Rekening")),
        Field("tahun", ("Tahun", "Tahun Anggaran")),
    ),
    formats=("csv", "xlsx"),
)

SOURCE = Source(
    title="BPKD / SIPD: APBD realisation",
    staged=(
        Staged(APBD_REALISASI,
               key=("kd_klpd", "tahun_anggaran", "kode_skpd", "kode_rekening", "bulan"),
               rules=expectations(__file__, APBD_REALISASI), year_column="tahun_anggaran"),
    ),
)
