"""APBD realisation exports (BPKD / SIPD Laporan Realisasi Anggaran). See README.md here.

ERROR rules block every mart built from the table; WARN rules are shown, not blocking.
"""

from p3dn_pipeline.lib.quality import Between, ExistsIn, MatchesRegex, Rule, Unique
from p3dn_pipeline.lib.sources import Dataset, Field, Source, Staged

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

LINE_UNIQUE = "skpd_rekening_month_unique"
KODE_REKENING_SIX_LEVELS = "kode_rekening_six_levels"
BULAN_IS_A_MONTH = "bulan_between_1_and_12"
REALISASI_NOT_NEGATIVE = "realisasi_not_negative"
SKPD_KNOWN_IN_STRUKTUR_ANGGARAN = "skpd_known_in_struktur_anggaran"

APBD_REALISASI_RULES = (
    Rule(LINE_UNIQUE, Unique(("kd_klpd", "tahun_anggaran", "kode_skpd", "kode_rekening",
                              "bulan")),
         "ERROR", "One line per SKPD, account and month."),
    Rule(KODE_REKENING_SIX_LEVELS,
         MatchesRegex("kode_rekening", r"^[0-9]+(\.[0-9]+){5}$"), "ERROR",
         "Only six-level detail accounts are summed (Permendagri 90/2019)."),
    Rule(BULAN_IS_A_MONTH, Between("bulan", min_value=1, max_value=12), "ERROR",
         "Month 1 to 12."),
    # Negative realisation exists (refunds, corrections), so it is shown, not blocked.
    Rule(REALISASI_NOT_NEGATIVE, Between("realisasi_rp", min_value=0), "WARN",
         "Negative realisation is a refund or correction: worth a look."),
    Rule(SKPD_KNOWN_IN_STRUKTUR_ANGGARAN,
         ExistsIn("kode_skpd", "staging.sirup_struktur_anggaran", "kd_satker_str"), "WARN",
         "Every SKPD in the APBD export has a SiRUP budget structure."),
)

SOURCE = Source(
    title="BPKD / SIPD: APBD realisation",
    staged=(
        Staged(APBD_REALISASI,
               key=("kd_klpd", "tahun_anggaran", "kode_skpd", "kode_rekening", "bulan"),
               rules=APBD_REALISASI_RULES, year_column="tahun_anggaran"),
    ),
)
