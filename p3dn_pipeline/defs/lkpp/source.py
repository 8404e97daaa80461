"""LKPP open-data exports (ISB): e-katalog v5 and v6 packages, product and vendor detail,
SiRUP plans, budget structure and list of units. See README.md in this folder for what the exports look like.

ERROR rules block every mart built from the table; WARN rules are shown in the UI and in
marts.data_quality. A rule is ERROR when a failure would make a published figure wrong.
"""

from p3dn_pipeline.lib.sources import Dataset, Field, Source, Staged, fields, expectations

STATUS_PKT = (
    "ON_PROCESS", "COMPLETED", "PAYMENT_OUTSIDE_SYSTEM", "ON_ADDENDUM", "ON_NEGOTIATION",
    "WAITING_PPK_REVIEW", "WAITING_SELLER_CONFIRMATION", "ESIGN_IN_PROGRESS", "CANCELLED",
    "CANCELLED_ON_NEGOTIATION", "CANCELLED_ON_REVIEW", "REQUEST_CANCEL_BY_ADMIN",
)
# Eight dotted groups, e.g. 5.03.5.04.0.00.29.0000 (urusan.bidang ... unit.subunit).
KD_SATKER_STR_PATTERN = r"^[0-9]+(\.[0-9]+){7}$"
# Order dates outside their fiscal year's window (1 October before to 31 March after, see
# p3dn_dalam_tahun_anggaran) are quarantined in staging (date_outside_fiscal_year), not
# checked here: a WARN let a 2099 order become the headline's "data s.d." date.

# The INAPROC data API v1 (v1/ekatalog/paket-e-purchasing, 2025-) serves the same orders under
# English names (DOMAIN.md 2.1: kd_paket -> order_id, total_harga -> total, status_pkt ->
# status, kd_klpd -> kode_klpd). The other names are those independent public clients of the
# API read from its records (a Supabase schema mirroring the endpoint's fields, and merge
# scripts over pulled files; defs/lkpp/README.md): fiscal_year, rup_code, order_date, ... .
# Never tried against the live service: kode_satker in particular may carry SiRUP's numeric
# kd_satker rather than the dotted kd_satker_str (then the WARN rule on its pattern says so).
V6_INAPROC_V1_NAMES = {
    "tahun_anggaran": ("fiscal_year",), "kd_klpd": ("kode_klpd",),
    "kd_satker_str": ("kode_satker",), "kd_paket": ("order_id",), "kd_rup": ("rup_code",),
    "product_ids": ("product_id",), "kd_penyedia_v6": ("kode_penyedia",),
    "total_harga": ("total",), "tgl_order": ("order_date",), "status_pkt": ("status",),
    "sumber_dana": ("funding_source",), "rup_nama_pkt": ("rup_name",),
    "jml_jenis_produk": ("count_product",), "jml_produk": ("total_qty",),
    "ongkir": ("shipping_fee",), "status_pengiriman": ("shipment_status",),
}


def _v6_fields(*names: str) -> tuple[Field, ...]:
    return tuple(Field(name, V6_INAPROC_V1_NAMES.get(name, ())) for name in names)


EKATALOG_PAKET_V6 = Dataset(
    name="ekatalog_paket_v6",
    inaproc_endpoint="v1/ekatalog/paket-e-purchasing",
    title="LKPP Ecat-PaketEPurchasingV6 (e-katalog v6)",
    grain="one row per order (kd_paket)",
    required=_v6_fields(
        "tahun_anggaran", "kd_klpd", "kd_satker_str", "kd_paket", "kd_rup", "product_ids",
        "kd_penyedia_v6", "total_harga", "tgl_order", "status_pkt",
    ),
    optional=_v6_fields(
        "jenis_instansi", "nama_instansi", "nama_satker", "rup_nama_pkt", "sumber_dana", "mak",
        "kd_penyedia_sikap", "jml_jenis_produk", "jml_produk", "ongkir", "status_pengiriman",
    ),
)

EKATALOG_PAKET_V5 = Dataset(
    name="ekatalog_paket_v5",
    inaproc_endpoint="v1/ekatalog-archive/paket-e-purchasing",
    title="LKPP Ecat-PaketEPurchasing (e-katalog v5)",
    grain="one row per product line; kd_paket repeats",
    required=fields(
        "tahun_anggaran", "kd_klpd", "satker_id", "kd_paket", "kd_rup", "kd_produk",
        "kuantitas", "harga_satuan", "total_harga", "tanggal_buat_paket", "paket_status_str",
    ),
    optional=fields(
        "nama_satker", "no_paket", "nama_paket", "nama_sumber_dana", "kode_anggaran",
        "kd_komoditas", "kd_penyedia", "kd_penyedia_distributor", "jml_jenis_produk",
        "ongkos_kirim", "tanggal_edit_paket", "status_paket",
    ),
    personal={"ppk_nip": "hash", "nama_ppk": "drop", "no_telp_user_pokja": "drop",
              "email_user_pokja": "drop"},
)

EKATALOG_PRODUK = Dataset(
    name="ekatalog_produk",
    title="LKPP Ecat-ProdukDetail (product catalogue, TKDN as text)",
    grain="one row per product (kd_produk)",
    required=fields("kd_produk", "nama_produk", "jenis_produk", "nomor_tkdn", "tkdn_produk",
                     "nilai_bmp"),
    optional=fields(
        "no_produk", "nama_penyedia", "nama_manufaktur", "nama_kategori_terkecil",
        "nama_komoditas", "kbki_id", "harga", "status", "active",
    ),
)

EKATALOG_PENYEDIA = Dataset(
    name="ekatalog_penyedia",
    title="LKPP Ecat-PenyediaDetail (vendors)",
    grain="one row per vendor (kd_penyedia)",
    required=fields("kd_penyedia", "nama_penyedia", "kode_penyedia_sikap", "penyedia_ukm"),
    optional=fields("kbli2020_penyedia", "nib"),
    # NPWP of a sole proprietor is the owner's NIK since 2022: personal data.
    personal={"npwp_16": "hash", "npwp": "hash", "alamat_penyedia": "drop", "email": "drop",
              "no_telp": "drop", "telepon": "drop"},
)

SIRUP_PAKET_PENYEDIA = Dataset(
    name="sirup_paket_penyedia",
    inaproc_endpoint="v1/rup/paket-penyedia-terumumkan",
    title="LKPP RUP-PaketPenyedia-Terumumkan (SiRUP plan: the commitment)",
    grain="one row per planned package (kd_rup)",
    required=fields(
        "tahun_anggaran", "kd_klpd", "kd_satker", "kd_satker_str", "kd_rup", "pagu",
        "status_pdn", "status_ukm", "status_aktif_rup", "status_delete_rup",
        "status_umumkan_rup",
    ),
    optional=fields(
        "nama_klpd", "jenis_klpd", "nama_satker", "nama_paket", "kd_metode_pengadaan",
        "metode_pengadaan", "kd_jenis_pengadaan", "jenis_pengadaan", "status_dikecualikan",
        "alasan_non_ukm", "tipe_paket", "urarian_pekerjaan", "tgl_buat_paket",
        "tgl_pengumuman_paket", "_event_date",
    ),
    personal={"nip_ppk": "hash", "nama_ppk": "drop", "username_ppk": "drop"},
)

SIRUP_STRUKTUR_ANGGARAN = Dataset(
    name="sirup_struktur_anggaran",
    inaproc_endpoint="legacy/rup/struktur-anggaran-pd",
    title="LKPP RUP-StrukturAnggaranPD (budget structure per satker)",
    grain="one row per satker per fiscal year",
    required=fields(
        "tahun_anggaran", "kd_klpd", "kd_satker", "kd_satker_str", "belanja_operasi",
        "belanja_modal", "belanja_pengadaan", "total_belanja",
    ),
    optional=fields("nama_klpd", "nama_satker", "belanja_btt", "belanja_non_pengadaan"),
)

SIRUP_MASTER_SATKER = Dataset(
    name="sirup_master_satker",
    inaproc_endpoint="v1/rup/master-satker",
    title="LKPP RUP-MasterSatker (SiRUP's list of units, sub-units included)",
    grain="one row per unit (kd_klpd x kd_satker_str)",
    required=fields("kd_klpd", "kd_satker", "kd_satker_str", "nama_satker", "jenis_satker",
                    "status_satker"),
    # alamat, telepon, fax: an office's, but not needed; not declared, so never read.
    optional=fields("nama_klpd", "jenis_klpd", "ket_satker", "kode_eselon"),
)

YEAR = "tahun_anggaran"

SOURCE = Source(
    title="LKPP open data (ISB): e-katalog, SiRUP",
    staged=(
        # Every ISB export with a fiscal year is the whole dataset for one kd_klpd x year at
        # pull time: the newest export of a slice replaces the older ones (snapshot_date: how
        # new an export is, by its own dates, never by when it was loaded).
        Staged(EKATALOG_PAKET_V6, key=("kd_paket",), rules=expectations(__file__, EKATALOG_PAKET_V6),
               year_column=YEAR, snapshot_date="tgl_order"),
        Staged(EKATALOG_PAKET_V5, key=("kd_paket", "kd_produk"), rules=expectations(__file__, EKATALOG_PAKET_V5),
               year_column=YEAR, snapshot_date="tanggal_buat_paket"),
        # Products and vendors have no year: they are not partitioned.
        Staged(EKATALOG_PRODUK, key=("kd_produk",), rules=expectations(__file__, EKATALOG_PRODUK)),
        Staged(EKATALOG_PENYEDIA, key=("kd_penyedia",), rules=expectations(__file__, EKATALOG_PENYEDIA)),
        # SiRUP re-publishes packages; the copy with the latest event date is the current plan.
        # A kd_rup is a package of one fiscal year: the same code in another year's export
        # is another year's plan, never a duplicate of this one.
        Staged(SIRUP_PAKET_PENYEDIA, key=("tahun_anggaran", "kd_rup"),
               rules=expectations(__file__, SIRUP_PAKET_PENYEDIA),
               year_column=YEAR, recency="tanggal_data DESC NULLS LAST",
               snapshot_date="tanggal_data"),
        # The budget structure carries no date: the export loaded last is the newest.
        Staged(SIRUP_STRUKTUR_ANGGARAN, key=("kd_klpd", "tahun_anggaran", "kd_satker_str"),
               rules=expectations(__file__, SIRUP_STRUKTUR_ANGGARAN), year_column=YEAR,
               snapshot_date="NULL::DATE"),
        # The list of units has no year: not partitioned.
        Staged(SIRUP_MASTER_SATKER, key=("kd_klpd", "kd_satker_str"),
               rules=expectations(__file__, SIRUP_MASTER_SATKER)),
    ),
)
