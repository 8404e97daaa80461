"""BPPBJ DKI e-Order: purchases of at most Rp50 juta from Jakpreneur UMKM, each from a SiRUP
package. See README.md in this folder (format assumed).

ERROR rules block every mart built from the table; WARN rules are shown, not blocking.
"""

from p3dn_pipeline.lib.quality import Between, InSet, RowCondition, Rule
from p3dn_pipeline.lib.sources import Dataset, Field, Source, Staged

STATUS = ("Selesai", "Proses", "Dibatalkan")
BATAS_NILAI_RP = 50_000_000

EORDER_PESANAN = Dataset(
    name="eorder_pesanan",
    title="BPPBJ DKI e-Order (one row per order to a Jakpreneur UMKM)",
    grain="one row per order",
    required=(
        Field("no_order", ("No Order", "Nomor Order", "No. Order")),
        Field("tanggal_order", ("Tanggal Order", "Tgl Order")),
        Field("nilai_order", ("Nilai Order (Rp)", "Nilai Order", "Total (Rp)")),
        Field("status", ("Status", "Status Order")),
    ),
    optional=(
        Field("kode_rup", ("Kode RUP", "Kd RUP")),
        Field("kode_skpd", ("Kode SKPD",)),
        Field("nama_skpd", ("Nama SKPD", "SKPD")),
        Field("nama_usaha", ("Nama Usaha", "Nama UMKM", "Nama Toko")),
        Field("nib", ("NIB",)),
        Field("id_jakpreneur", ("ID Jakpreneur", "No Jakpreneur", "Jakpreneur ID")),
    ),
    rows_name_people=True,
    coded_fields=(
        "no_order", "tanggal_order", "nilai_order", "kode_rup", "kode_skpd", "nib",
        "id_jakpreneur",
    ),
    personal={"npwp": "hash", "nama_pemilik": "drop", "no_hp": "drop"},
    personal_aliases={
        "npwp": ("NPWP", "NPWP Usaha"),
        "nama_pemilik": ("Nama Pemilik", "Pemilik"),
        "no_hp": ("No HP", "No. HP", "Telepon"),
    },
    formats=("xlsx", "csv"),
)

NILAI_NOT_NEGATIVE = "nilai_order_not_negative"
NILAI_WITHIN_LIMIT = "nilai_order_at_most_50_juta"
STATUS_KNOWN = "status_known"
KODE_RUP_GIVEN = "kode_rup_given"

SOURCE = Source(
    title="BPPBJ DKI: e-Order Jakpreneur",
    staged=(
        Staged(EORDER_PESANAN, key=("no_order",), year_column="tahun_anggaran",
               rules=(
                   Rule(NILAI_NOT_NEGATIVE, Between("nilai_order_rp", min_value=0), "ERROR",
                        "Order values are not negative."),
                   Rule(NILAI_WITHIN_LIMIT, Between("nilai_order_rp", max_value=BATAS_NILAI_RP),
                        "WARN", "e-Order is for purchases of at most Rp50 juta."),
                   Rule(STATUS_KNOWN, InSet("status", STATUS), "WARN",
                        "Status is Selesai, Proses or Dibatalkan (only Selesai is counted)."),
                   # Whether the package is in SiRUP is the marts' business (SiRUP may be
                   # loaded later): p3dn_realisasi_paket joins it, p3dn_rekonsiliasi counts
                   # realisation without a SiRUP package.
                   Rule(KODE_RUP_GIVEN, RowCondition("kode_rup IS NOT NULL", ("kode_rup",)),
                        "WARN", "Each order starts from one SiRUP package and names its Kode "
                                "RUP."),
               )),
    ),
)
