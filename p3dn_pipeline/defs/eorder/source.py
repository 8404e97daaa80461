"""BPPBJ DKI e-Order: purchases of at most Rp50 juta from Jakpreneur UMKM, each from a SiRUP
package. See README.md in this folder (format assumed).

ERROR rules block every mart built from the table; WARN rules are shown, not blocking.
"""

from p3dn_pipeline.lib.sources import Dataset, Field, Source, Staged, expectations

STATUS = ("Selesai", "Proses", "Dibatalkan")

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

SOURCE = Source(
    title="BPPBJ DKI: e-Order Jakpreneur",
    staged=(
        Staged(EORDER_PESANAN, key=("no_order",), year_column="tahun_anggaran",
               rules=expectations(__file__, EORDER_PESANAN)),
    ),
)
