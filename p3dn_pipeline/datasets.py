"""Dataset signatures: how a landed file is recognised, and what its raw table holds.

A file's dataset is recognised from its field set, never from its name: LKPP exports are
saved under whatever name the person downloading them chose. Each dataset lists

- ``required``: fields every export of that dataset carries; a file must have all of them;
- ``optional``: fields that are kept when present;
- ``personal``: fields holding personal data (UU 27/2022), which are never written in clear:
  ``hash`` fields are replaced by a keyed HMAC (column ``<name>_hash``) plus a digits-only
  shape (column ``<name>_shape``, e.g. ``9999999999999999``) so staging can still tell a
  malformed identifier from a good one; ``drop`` fields are not read at all.

Headers of the APBD and KPKP spreadsheets are written by people ("Kode SKPD", "Produksi (kg)"),
so each canonical field also accepts aliases, compared case-insensitively after trimming.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

PersonalTreatment = Literal["hash", "drop"]


@dataclass(frozen=True)
class Field:
    name: str
    aliases: tuple[str, ...] = ()

    def accepted_headers(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class Dataset:
    name: str
    source: Literal["lkpp", "apbd", "kpkp"]
    title: str
    grain: str
    required: tuple[Field, ...]
    optional: tuple[Field, ...] = ()
    personal: dict[str, PersonalTreatment] = field(default_factory=dict)
    personal_aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Personal fields without which a file is not this dataset (the roster's NIK).
    required_personal: tuple[str, ...] = ()
    formats: tuple[str, ...] = ("json", "csv")

    @property
    def raw_table(self) -> str:
        return f"raw.{self.name}"

    def all_fields(self) -> tuple[Field, ...]:
        return self.required + self.optional

    def raw_columns(self) -> list[str]:
        """Data columns of the raw table, in order (lineage columns come after)."""
        columns = [f.name for f in self.all_fields()]
        for name, treatment in self.personal.items():
            if treatment == "hash":
                columns += [f"{name}_hash", f"{name}_shape"]
        return columns


def _fields(*names: str) -> tuple[Field, ...]:
    return tuple(Field(n) for n in names)


def normalise_header(header: str) -> str:
    """Compare headers the way a person reads them: case, spacing and BOM do not matter."""
    return re.sub(r"\s+", " ", header.replace("\ufeff", "")).strip().lower()


LINEAGE_COLUMNS = ("_source_file", "_source_row", "_file_sha256", "_loaded_at")

EKATALOG_PAKET_V6 = Dataset(
    name="ekatalog_paket_v6",
    source="lkpp",
    title="LKPP Ecat-PaketEPurchasingV6 (e-katalog v6)",
    grain="one row per order (kd_paket)",
    required=_fields(
        "tahun_anggaran", "kd_klpd", "kd_satker_str", "kd_paket", "kd_rup", "product_ids",
        "kd_penyedia_v6", "total_harga", "tgl_order", "status_pkt",
    ),
    optional=_fields(
        "jenis_instansi", "nama_instansi", "nama_satker", "rup_nama_pkt", "sumber_dana", "mak",
        "kd_penyedia_sikap", "jml_jenis_produk", "jml_produk", "ongkir", "status_pengiriman",
    ),
)

EKATALOG_PAKET_V5 = Dataset(
    name="ekatalog_paket_v5",
    source="lkpp",
    title="LKPP Ecat-PaketEPurchasing (e-katalog v5)",
    grain="one row per product line; kd_paket repeats",
    required=_fields(
        "tahun_anggaran", "kd_klpd", "satker_id", "kd_paket", "kd_rup", "kd_produk",
        "kuantitas", "harga_satuan", "total_harga", "tanggal_buat_paket", "paket_status_str",
    ),
    optional=_fields(
        "nama_satker", "no_paket", "nama_paket", "nama_sumber_dana", "kode_anggaran",
        "kd_komoditas", "kd_penyedia", "kd_penyedia_distributor", "jml_jenis_produk",
        "ongkos_kirim", "tanggal_edit_paket", "status_paket",
    ),
    personal={"ppk_nip": "hash", "nama_ppk": "drop", "no_telp_user_pokja": "drop",
              "email_user_pokja": "drop"},
)

EKATALOG_PRODUK = Dataset(
    name="ekatalog_produk",
    source="lkpp",
    title="LKPP Ecat-ProdukDetail (product catalogue, TKDN as text)",
    grain="one row per product (kd_produk)",
    required=_fields("kd_produk", "nama_produk", "jenis_produk", "nomor_tkdn", "tkdn_produk",
                     "nilai_bmp"),
    optional=_fields(
        "no_produk", "nama_penyedia", "nama_manufaktur", "nama_kategori_terkecil",
        "nama_komoditas", "kbki_id", "harga", "status", "active",
    ),
)

EKATALOG_PENYEDIA = Dataset(
    name="ekatalog_penyedia",
    source="lkpp",
    title="LKPP Ecat-PenyediaDetail (vendors)",
    grain="one row per vendor (kd_penyedia)",
    required=_fields("kd_penyedia", "nama_penyedia", "kode_penyedia_sikap", "penyedia_ukm"),
    optional=_fields("kbli2020_penyedia", "nib"),
    # NPWP of a sole proprietor is the owner's NIK since 2022: personal data.
    personal={"npwp_16": "hash", "npwp": "hash", "alamat_penyedia": "drop", "email": "drop",
              "no_telp": "drop", "telepon": "drop"},
)

SIRUP_PAKET_PENYEDIA = Dataset(
    name="sirup_paket_penyedia",
    source="lkpp",
    title="LKPP RUP-PaketPenyedia-Terumumkan (SiRUP plan: the commitment)",
    grain="one row per planned package (kd_rup)",
    required=_fields(
        "tahun_anggaran", "kd_klpd", "kd_satker", "kd_satker_str", "kd_rup", "pagu",
        "status_pdn", "status_ukm", "status_aktif_rup", "status_delete_rup",
        "status_umumkan_rup",
    ),
    optional=_fields(
        "nama_klpd", "jenis_klpd", "nama_satker", "nama_paket", "kd_metode_pengadaan",
        "metode_pengadaan", "kd_jenis_pengadaan", "jenis_pengadaan", "status_dikecualikan",
        "alasan_non_ukm", "tipe_paket", "urarian_pekerjaan", "tgl_buat_paket",
        "tgl_pengumuman_paket", "_event_date",
    ),
    personal={"nip_ppk": "hash", "nama_ppk": "drop", "username_ppk": "drop"},
)

SIRUP_STRUKTUR_ANGGARAN = Dataset(
    name="sirup_struktur_anggaran",
    source="lkpp",
    title="LKPP RUP-StrukturAnggaranPD (budget structure per satker)",
    grain="one row per satker per fiscal year",
    required=_fields(
        "tahun_anggaran", "kd_klpd", "kd_satker", "kd_satker_str", "belanja_operasi",
        "belanja_modal", "belanja_pengadaan", "total_belanja",
    ),
    optional=_fields("nama_klpd", "nama_satker", "belanja_btt", "belanja_non_pengadaan"),
)

APBD_REALISASI = Dataset(
    name="apbd_realisasi",
    source="apbd",
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

KPKP_ROSTER = Dataset(
    name="kpkp_roster",
    source="kpkp",
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

DATASETS: tuple[Dataset, ...] = (
    EKATALOG_PAKET_V6,
    EKATALOG_PAKET_V5,
    EKATALOG_PRODUK,
    EKATALOG_PENYEDIA,
    SIRUP_PAKET_PENYEDIA,
    SIRUP_STRUKTUR_ANGGARAN,
    APBD_REALISASI,
    KPKP_ROSTER,
)
DATASETS_BY_NAME = {d.name: d for d in DATASETS}
