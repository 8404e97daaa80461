"""Dinas KPKP quarterly rosters of mentored UMKM (NIK hashed on read). See README.md here.

ERROR rules block every mart built from the table; WARN rules are shown, not blocking.
"""

from p3dn_pipeline.lib.sources import Dataset, Field, Source, Staged, expectations

KPKP_ROSTER = Dataset(
    name="kpkp_roster",
    title="Dinas KPKP roster of mentored UMKM (one workbook per quarter)",
    grain="one row per mentored business per quarterly roster",
    required=(
        Field("sektor", ("Sektor", "Sektor Usaha")),
        Field("kota", ("Kota", "Kota/Kabupaten", "Kota Administrasi")),
        Field("kecamatan", ("Kecamatan",)),
        Field("kelurahan", ("Kelurahan",)),
        Field("tanggal_pembinaan", ("Tanggal Pembinaan",)),
        Field("produksi_kg", ("Produksi (kg)", "Produksi (Kg)", "Produksi")),
        Field("omzet_rp", ("Omzet (Rp)", "Omzet")),
    ),
    optional=(
        Field("nib", ("NIB",)),
        Field("nama_usaha", ("Nama Usaha",)),
        Field("jenis_kelamin", ("Jenis Kelamin", "L/P")),
        Field("jenis_pembinaan", ("Jenis Pembinaan",)),
        Field("triwulan", ("Triwulan", "Periode Laporan")),
        # Segar / Olahan: the published olahan tonnage counts Olahan only.
        Field("jenis_produk", ("Jenis Produk", "Jenis Produksi", "Segar/Olahan")),
        # A group (KWT, Pokdakan, Poklahsar) mentored under one member's NIK.
        Field("kelompok", ("Kelompok", "Nama Kelompok", "Kelompok Usaha")),
        Field("jumlah_anggota", ("Jumlah Anggota", "Anggota Kelompok", "Jml Anggota")),
    ),
    rows_name_people=True,
    coded_fields=(
        "nib", "tanggal_pembinaan", "produksi_kg", "omzet_rp", "triwulan", "jumlah_anggota",
    ),
    personal={"nik": "hash", "nama": "drop", "no_hp": "drop"},
    required_personal=("nik",),
    personal_aliases={
        "nik": ("NIK",),
        "nama": ("Nama", "Nama Pelaku Usaha", "Nama Pemilik"),
        "no_hp": ("No HP", "No. HP", "Nomor HP", "Telepon", "No. Telepon"),
    },
    formats=("xlsx", "csv"),
)

KOTA_DKI = ("31.01", "31.71", "31.72", "31.73", "31.74", "31.75")

SOURCE = Source(
    title="Dinas KPKP: rosters of mentored UMKM",
    staged=(
        # Rosters follow calendar quarters, not fiscal years: rebuilt whole.
        Staged(KPKP_ROSTER, key=("tahun", "triwulan", "pelaku_usaha_id"),
               rules=expectations(__file__, KPKP_ROSTER)),
    ),
)
