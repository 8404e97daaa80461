"""Dinas PPKUKM business-matching batches: UMKM meet buying SKPD, state interest, and some
interest turns into a purchase. See README.md in this folder (format assumed).

ERROR rules block every mart built from the table; WARN rules are shown, not blocking.
"""

from p3dn_pipeline.lib.sources import Dataset, Field, Source, Staged, expectations

TINDAK_LANJUT = ("Ketertarikan", "Negosiasi", "Transaksi", "Batal")

BUSINESS_MATCHING_BATCH = Dataset(
    name="business_matching_batch",
    title="Dinas PPKUKM business matching (one row per UMKM x buying SKPD per batch)",
    grain="one row per batch x UMKM x buying SKPD",
    required=(
        Field("batch", ("Batch", "Batch BM", "Angkatan")),
        Field("nilai_ketertarikan", ("Nilai Ketertarikan (Rp)", "Nilai Ketertarikan",
                                     "Nilai Minat (Rp)")),
        Field("tindak_lanjut", ("Tindak Lanjut", "Status Tindak Lanjut", "Status")),
    ),
    optional=(
        Field("tanggal", ("Tanggal", "Tanggal Kegiatan")),
        Field("nama_usaha", ("Nama Usaha", "Nama UMKM")),
        Field("nib", ("NIB",)),
        Field("sektor", ("Sektor", "KBLI/Sektor", "KBLI")),
        Field("produk", ("Produk", "Nama Produk")),
        Field("tkdn", ("TKDN (%)", "TKDN", "Nilai TKDN")),
        Field("kode_skpd", ("Kode SKPD", "Kode SKPD Pembeli")),
        Field("skpd_pembeli", ("SKPD Pembeli", "Nama SKPD", "SKPD")),
        Field("kode_rup", ("Kode RUP", "Kd RUP")),
        Field("kode_paket", ("Kode Paket", "Kd Paket", "ID Paket")),
    ),
    rows_name_people=True,
    coded_fields=(
        "batch", "nilai_ketertarikan", "tanggal", "nib", "tkdn", "kode_skpd", "kode_rup",
        "kode_paket",
    ),
    personal={"nik_pemilik": "hash", "npwp": "hash", "nama_pemilik": "drop", "no_hp": "drop"},
    personal_aliases={
        "nik_pemilik": ("NIK Pemilik", "NIK"),
        "npwp": ("NPWP", "NPWP Usaha"),
        "nama_pemilik": ("Nama Pemilik", "Pemilik"),
        "no_hp": ("No HP", "No. HP", "Telepon", "No. Telepon"),
    },
    formats=("xlsx", "csv"),
)

SOURCE = Source(
    title="Dinas PPKUKM: business matching",
    staged=(
        # Batches are small and span years: rebuilt whole. The key keeps one row per batch x
        # business x buying SKPD x product (a repeated row goes to quarantine).
        Staged(BUSINESS_MATCHING_BATCH,
               key=("batch", "usaha_id", "kode_skpd_pembeli", "produk"),
               rules=expectations(__file__, BUSINESS_MATCHING_BATCH)),
    ),
)
