"""Dinas KPKP quarterly rosters of mentored UMKM (NIK hashed on read). See README.md here.

ERROR rules block every mart built from the table; WARN rules are shown, not blocking.
"""

from p3dn_pipeline.lib.quality import Between, ExistsIn, InSet, NotNull, RowCondition, Rule, Unique
from p3dn_pipeline.lib.sources import Dataset, Field, Source, Staged

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

BUSINESS_QUARTER_UNIQUE = "business_per_quarter_unique"
SEKTOR_KNOWN = "sektor_known"
OMZET_PER_KG_PLAUSIBLE = "omzet_per_kg_plausible"
KOTA_IN_DKI = "kota_in_dki"
KELURAHAN_MATCHED = "kelurahan_matched"
KELURAHAN_IN_DKI_LIST = "kelurahan_in_dki_list"
NIB_13_DIGITS = "nib_13_digits"
PRODUKSI_NOT_NEGATIVE = "produksi_not_negative"
OMZET_NOT_NEGATIVE = "omzet_not_negative"
PRODUKSI_YTD_NOT_DECREASING = "produksi_ytd_not_decreasing"
OMZET_YTD_NOT_DECREASING = "omzet_ytd_not_decreasing"

KPKP_ROSTER_RULES = (
    Rule(BUSINESS_QUARTER_UNIQUE, Unique(("tahun", "triwulan", "pelaku_usaha_id")), "ERROR",
         "A business appears once per quarter."),
    # A sector outside the list is data, counted under Lainnya: the check lists the values
    # (sektor_asli in its samples; umkm_binaan_triwulan.sektor_lainnya lists them all).
    Rule(SEKTOR_KNOWN, RowCondition("sektor <> 'Lainnya'", ("sektor", "sektor_asli")), "WARN",
         "One of Dinas KPKP's five sectors; any other is counted under Lainnya."),
    Rule(KOTA_IN_DKI, InSet("kode_kab_kota", KOTA_DKI), "ERROR",
         "Kota is one of DKI's six kota/kabupaten (Kemendagri code)."),
    Rule(KELURAHAN_MATCHED, NotNull("kode_kelurahan"), "WARN",
         "The kelurahan name matched the Kemendagri list within its kecamatan."),
    Rule(KELURAHAN_IN_DKI_LIST, ExistsIn("kode_kelurahan", "reference.wilayah_dki", "kode"),
         "ERROR", "Kelurahan codes come from the DKI list."),
    Rule(NIB_13_DIGITS, RowCondition("NOT is_nib_malformed", ("is_nib_malformed",)), "WARN",
         "A NIB that is given has 13 digits (malformed ones are kept as empty)."),
    Rule(PRODUKSI_NOT_NEGATIVE, Between("produksi_kg_ytd", min_value=0), "ERROR",
         "Production is not negative."),
    Rule(OMZET_NOT_NEGATIVE, Between("omzet_rp_ytd", min_value=0), "ERROR",
         "Turnover is not negative."),
    Rule(PRODUKSI_YTD_NOT_DECREASING,
         RowCondition("NOT is_produksi_ytd_turun", ("is_produksi_ytd_turun",)), "WARN",
         "Year-to-date production never drops from one quarter to the next."),
    Rule(OMZET_YTD_NOT_DECREASING,
         RowCondition("NOT is_omzet_ytd_turun", ("is_omzet_ytd_turun",)), "WARN",
         "Year-to-date turnover never drops from one quarter to the next."),
    Rule(OMZET_PER_KG_PLAUSIBLE,
         RowCondition("NOT is_omzet_per_kg_janggal",
                      ("is_omzet_per_kg_janggal", "sektor", "produksi_kg_ytd", "omzet_rp_ytd",
                       "omzet_per_kg")),
         "WARN", "Turnover per kg within 50 times (above or below) the median of its sector "
                 "that year; further out, one of the two figures is probably wrong."),
)

SOURCE = Source(
    title="Dinas KPKP: rosters of mentored UMKM",
    staged=(
        # Rosters follow calendar quarters, not fiscal years: rebuilt whole.
        Staged(KPKP_ROSTER, key=("tahun", "triwulan", "pelaku_usaha_id"),
               rules=KPKP_ROSTER_RULES),
    ),
)
