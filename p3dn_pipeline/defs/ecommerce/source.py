"""Monthly partner reports of e-commerce platforms' domestic-product sections: sales of
Jakarta UMKM per platform and month. See README.md in this folder (format assumed).

ERROR rules block every mart built from the table; WARN rules are shown, not blocking.
"""

from p3dn_pipeline.lib.sources import Dataset, Field, Source, Staged, expectations

ECOMMERCE_PENJUALAN = Dataset(
    name="ecommerce_penjualan",
    title="E-commerce domestic-product sections: monthly sales per platform x UMKM",
    grain="one row per platform x month x business",
    required=(
        Field("bulan", ("Bulan", "Periode", "Bulan Laporan")),
        Field("platform", ("Platform", "Marketplace", "Nama Platform")),
        Field("nilai_penjualan", ("Nilai Penjualan (Rp)", "Nilai Penjualan", "GMV (Rp)")),
    ),
    optional=(
        Field("nama_usaha", ("Nama Usaha", "Nama Toko", "Nama UMKM")),
        Field("nib", ("NIB",)),
        Field("jumlah_transaksi", ("Jumlah Transaksi", "Transaksi", "Jumlah Pesanan")),
        Field("kategori", ("Kategori", "Kategori Produk")),
    ),
    rows_name_people=True,
    coded_fields=(
        "bulan", "nilai_penjualan", "nib", "jumlah_transaksi",
    ),
    personal={"npwp": "hash", "nama_pemilik": "drop", "no_hp": "drop"},
    personal_aliases={"npwp": ("NPWP",), "nama_pemilik": ("Nama Pemilik", "Pemilik"),
                      "no_hp": ("No HP", "No. HP", "Telepon")},
    formats=("xlsx", "csv"),
)

SOURCE = Source(
    title="E-commerce platforms: domestic-product sections",
    staged=(
        Staged(ECOMMERCE_PENJUALAN, key=("platform", "tahun", "bulan", "penjual_id"),
               rules=expectations(__file__, ECOMMERCE_PENJUALAN)),
    ),
)
