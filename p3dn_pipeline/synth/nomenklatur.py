"""Budget nomenclature shared by the APBD export, SiRUP packages and e-katalog orders.

Kode rekening follow Permendagri 90/2019: six dotted levels, ``5.1.01`` belanja pegawai,
``5.1.02`` barang dan jasa, ``5.1.05`` hibah, ``5.1.06`` bantuan sosial, ``5.2.02`` /
``5.2.03`` / ``5.2.04`` belanja modal, ``5.3`` belanja tidak terduga. Procurement-eligible
spending (the P3DN base) is ``5.1.02.*`` + ``5.2.*``, so every package template is budgeted
on one of those.

A package's template and location are a pure function of its ``kd_rup`` (see
``paket_untuk``), so an e-katalog order can name the SiRUP package it belongs to without the
generator keeping the SiRUP rows in memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from p3dn_pipeline.synth.geography import load_kota
from p3dn_pipeline.synth.organisations import Skpd

PEGAWAI, BARANG_JASA, HIBAH, BANSOS, MODAL, BTT = (
    "pegawai", "barang_jasa", "hibah", "bansos", "modal", "btt")


@dataclass(frozen=True)
class KelompokRekening:
    """Accounts sharing their first five levels, e.g. 5.1.02.01.01 barang pakai habis."""

    kode: str
    jenis_belanja: str
    rincian: tuple[tuple[int, str], ...]  # (sixth-level number, uraian)


def _k(kode: str, jenis: str, *rincian: tuple[int, str]) -> KelompokRekening:
    return KelompokRekening(kode, jenis, rincian)


REKENING_PEGAWAI = (
    _k("5.1.01.01.01", PEGAWAI, (1, "Belanja Gaji Pokok PNS")),
    _k("5.1.01.01.02", PEGAWAI, (1, "Belanja Tunjangan Keluarga PNS")),
    _k("5.1.01.01.03", PEGAWAI, (1, "Belanja Tunjangan Jabatan PNS")),
    _k("5.1.01.01.05", PEGAWAI, (1, "Belanja Tunjangan Fungsional Umum PNS")),
    _k("5.1.01.02.01", PEGAWAI,
       (1, "Belanja Tambahan Penghasilan berdasarkan Beban Kerja PNS")),
    _k("5.1.01.02.06", PEGAWAI,
       (1, "Belanja Tambahan Penghasilan berdasarkan Pertimbangan Objektif Lainnya PNS")),
)
REKENING_BARANG_JASA_UMUM = (
    _k("5.1.02.01.01", BARANG_JASA,
       (24, "Belanja Alat/Bahan untuk Kegiatan Kantor-Alat Tulis Kantor"),
       (25, "Belanja Alat/Bahan untuk Kegiatan Kantor-Kertas dan Cover"),
       (26, "Belanja Alat/Bahan untuk Kegiatan Kantor-Bahan Cetak"),
       (29, "Belanja Alat/Bahan untuk Kegiatan Kantor-Bahan Komputer"),
       (36, "Belanja Alat/Bahan untuk Kegiatan Kantor-Suvenir/Cendera Mata"),
       (52, "Belanja Makanan dan Minuman Rapat"),
       (53, "Belanja Makanan dan Minuman Jamuan Tamu"),
       (4, "Belanja Bahan-Bahan Bakar dan Pelumas")),
    _k("5.1.02.02.01", BARANG_JASA,
       (3, "Honorarium Narasumber atau Pembahas"),
       (13, "Belanja Jasa Tenaga Kebersihan"),
       (14, "Belanja Jasa Tenaga Keamanan"),
       (29, "Belanja Jasa Tenaga Ahli"),
       (55, "Belanja Jasa Penyelenggaraan Acara"),
       (61, "Belanja Tagihan Listrik"),
       (63, "Belanja Kawat/Faksimili/Internet/TV Berlangganan")),
    _k("5.1.02.02.04", BARANG_JASA,
       (36, "Belanja Sewa Kendaraan Bermotor Penumpang"),
       (124, "Belanja Sewa Gedung Kantor")),
    _k("5.1.02.02.12", BARANG_JASA, (1, "Belanja Kursus Singkat/Pelatihan")),
    _k("5.1.02.03.02", BARANG_JASA,
       (35, "Belanja Pemeliharaan Kendaraan Dinas Bermotor Penumpang"),
       (117, "Belanja Pemeliharaan Bangunan Gedung Kantor")),
    _k("5.1.02.04.01", BARANG_JASA,
       (1, "Belanja Perjalanan Dinas Biasa"),
       (3, "Belanja Perjalanan Dinas Dalam Kota")),
)
REKENING_MODAL_UMUM = (
    _k("5.2.02.05.01", MODAL, (5, "Belanja Modal Alat Kantor Lainnya")),
    _k("5.2.02.05.02", MODAL, (1, "Belanja Modal Mebel")),
    _k("5.2.02.10.01", MODAL, (2, "Belanja Modal Personal Computer")),
    _k("5.2.02.10.02", MODAL, (3, "Belanja Modal Peralatan Jaringan")),
)
REKENING_HIBAH = (
    _k("5.1.05.05.01", HIBAH,
       (1, "Belanja Hibah Uang kepada Badan, Lembaga, Organisasi Kemasyarakatan")),
)
REKENING_BANSOS = (
    _k("5.1.06.01.01", BANSOS, (1, "Belanja Bantuan Sosial Uang kepada Individu")),
    _k("5.1.06.02.01", BANSOS, (1, "Belanja Bantuan Sosial Barang kepada Keluarga")),
)
REKENING_BTT = (_k("5.3.01.01.01", BTT, (1, "Belanja Tidak Terduga")),)

# Accounts only some kinds of SKPD use, by bidang.
REKENING_BIDANG: dict[str, tuple[KelompokRekening, ...]] = {
    "pendidikan": (
        _k("5.1.02.05.01", BARANG_JASA,
           (1, "Belanja Barang yang Akan Diserahkan kepada Masyarakat-Buku Pelajaran")),
        _k("5.2.03.01.03", MODAL, (1, "Belanja Modal Bangunan Gedung Tempat Pendidikan")),
    ),
    "kesehatan": (
        _k("5.1.02.01.01", BARANG_JASA, (61, "Belanja Obat-Obatan"),
           (62, "Belanja Bahan Medis Habis Pakai")),
        _k("5.2.02.07.01", MODAL, (1, "Belanja Modal Alat Kedokteran Umum")),
    ),
    "jalan": (
        _k("5.1.02.03.02", BARANG_JASA, (405, "Belanja Pemeliharaan Jalan Kota")),
        _k("5.2.04.01.01", MODAL, (3, "Belanja Modal Jalan Kota")),
        _k("5.2.04.01.03", MODAL, (1, "Belanja Modal Jembatan pada Jalan Kota")),
    ),
    "sumber_daya_air": (
        _k("5.1.02.03.02", BARANG_JASA, (411, "Belanja Pemeliharaan Saluran Drainase")),
        _k("5.2.04.02.04", MODAL,
           (1, "Belanja Modal Bangunan Pengaman Sungai/Pantai dan Penanggulangan Bencana Alam")),
        _k("5.2.02.01.03", MODAL, (4, "Belanja Modal Alat Besar Darat-Pompa")),
    ),
    "permukiman": (
        _k("5.2.03.01.01", MODAL, (1, "Belanja Modal Bangunan Gedung Kantor")),
        _k("5.2.03.01.02", MODAL, (1, "Belanja Modal Bangunan Gedung Tempat Tinggal")),
        _k("5.2.04.03.02", MODAL, (1, "Belanja Modal Instalasi Air Bersih/Air Baku")),
    ),
    "ketertiban": (
        _k("5.1.02.01.01", BARANG_JASA, (38, "Belanja Pakaian Dinas Lapangan")),
        _k("5.2.02.03.01", MODAL, (3, "Belanja Modal Kendaraan Bermotor Khusus")),
    ),
    "sosial": (
        _k("5.1.02.05.01", BARANG_JASA,
           (2, "Belanja Barang yang Akan Diserahkan kepada Masyarakat-Paket Sembako")),
    ),
    "pangan": (
        _k("5.1.02.05.01", BARANG_JASA,
           (3, "Belanja Barang yang Akan Diserahkan kepada Masyarakat-Bibit dan Benih"),
           (4, "Belanja Barang yang Akan Diserahkan kepada Masyarakat-Sarana Urban Farming")),
        _k("5.1.02.01.01", BARANG_JASA, (66, "Belanja Pakan Ternak dan Ikan"),
           (67, "Belanja Obat dan Vaksin Hewan")),
    ),
    "umkm": (
        _k("5.1.02.05.01", BARANG_JASA,
           (5, "Belanja Barang yang Akan Diserahkan kepada Masyarakat-Sarana Usaha UMKM")),
        _k("5.2.03.01.04", MODAL, (1, "Belanja Modal Bangunan Gedung Tempat Usaha")),
    ),
    "lingkungan": (
        _k("5.1.02.03.02", BARANG_JASA, (420, "Belanja Pemeliharaan Taman Kota")),
        _k("5.2.02.03.01", MODAL, (5, "Belanja Modal Kendaraan Angkutan Sampah")),
    ),
    "perhubungan": (
        _k("5.2.02.18.01", MODAL, (1, "Belanja Modal Rambu-Rambu Lalu Lintas")),
        _k("5.1.02.03.02", BARANG_JASA, (430, "Belanja Pemeliharaan Alat Pengatur Lalu Lintas")),
    ),
    "kominfo": (
        _k("5.1.02.02.01", BARANG_JASA, (64, "Belanja Sewa Jaringan Komunikasi Data")),
        _k("5.2.05.03.01", MODAL, (1, "Belanja Modal Software")),
    ),
    "budaya": (
        _k("5.2.02.06.01", MODAL, (1, "Belanja Modal Alat Studio dan Olahraga")),
    ),
    "keuangan": (),
    "umum": (),
}


def kelompok_rekening_untuk(skpd: Skpd) -> tuple[KelompokRekening, ...]:
    """The account groups an SKPD's budget is spread over."""
    kelompok = [*REKENING_PEGAWAI, *REKENING_BARANG_JASA_UMUM, *REKENING_MODAL_UMUM,
                *REKENING_BIDANG[skpd.bidang]]
    if skpd.hibah:
        kelompok += REKENING_HIBAH
    if skpd.bansos:
        kelompok += REKENING_BANSOS
    if skpd.btt:
        kelompok += REKENING_BTT
    return tuple(kelompok)


# How a kind of package is usually procured: (metode, weight). The SiRUP generator then
# enforces the value thresholds (Pengadaan Langsung only up to Rp200 juta). DKI buys through
# the catalogue wherever it can, construction works included (its local e-katalog lists
# works such as road resurfacing and drainage): E-Purchasing packages carry about nine
# tenths of the planned pagu, which is what the P3DN realisation is measured on.
CARA_KATALOG = (("E-Purchasing", 0.85), ("Pengadaan Langsung", 0.15))
CARA_KECIL = (("Pengadaan Langsung", 0.75), ("E-Purchasing", 0.25))
CARA_KONSTRUKSI = (("E-Purchasing", 0.92), ("Tender", 0.05), ("Pengadaan Langsung", 0.03))
CARA_KONSULTANSI = (("Pengadaan Langsung", 0.45), ("E-Purchasing", 0.35), ("Seleksi", 0.2))
CARA_JASA = (("E-Purchasing", 0.72), ("Pengadaan Langsung", 0.25), ("Tender", 0.03))


@dataclass(frozen=True)
class TemplatePaket:
    nama: str               # may hold "{lokasi}"
    jenis_pengadaan: str    # Barang, Pekerjaan Konstruksi, Jasa Konsultansi, Jasa Lainnya
    rekening: str           # the six-level account it is budgeted on (5.1.02.* or 5.2.*)
    pagu_median: int        # rupiah, a whole year's package of one unit (see ekatalog)
    cara: tuple[tuple[str, float], ...]
    volume: str = "1 Paket"
    # Relative frequency: every office plans dozens of meals and stationery packages for
    # each building it renovates.
    frekuensi: int = 1


def _t(nama, jenis, rekening, juta, cara, volume="1 Paket", frekuensi=1) -> TemplatePaket:
    return TemplatePaket(nama, jenis, rekening, int(juta * 1_000_000), cara, volume, frekuensi)


BARANG, KONSTRUKSI, KONSULTANSI, JASA_LAINNYA = (
    "Barang", "Pekerjaan Konstruksi", "Jasa Konsultansi", "Jasa Lainnya")

TEMPLATE_UMUM = (
    _t("Belanja Alat/Bahan untuk Kegiatan Kantor-Alat Tulis Kantor", BARANG,
       "5.1.02.01.01.0024", 30, CARA_KATALOG, frekuensi=8),
    _t("Belanja Alat/Bahan untuk Kegiatan Kantor-Kertas dan Cover", BARANG,
       "5.1.02.01.01.0025", 20, CARA_KATALOG, "2000 Lembar", 6),
    _t("Belanja Alat/Bahan untuk Kegiatan Kantor-Bahan Komputer", BARANG,
       "5.1.02.01.01.0029", 40, CARA_KATALOG, frekuensi=5),
    _t("Belanja Makanan dan Minuman Rapat", BARANG, "5.1.02.01.01.0052", 15, CARA_KECIL,
       "50 Orang / Kali", 12),
    _t("Belanja Makanan dan Minuman Jamuan Tamu", BARANG, "5.1.02.01.01.0053", 10, CARA_KECIL,
       "30 Orang / Kali", 6),
    _t("Belanja Jasa Tenaga Kebersihan", JASA_LAINNYA, "5.1.02.02.01.0013", 800, CARA_JASA,
       "12 Bulan"),
    _t("Belanja Jasa Tenaga Keamanan", JASA_LAINNYA, "5.1.02.02.01.0014", 700, CARA_JASA,
       "12 Bulan"),
    _t("Belanja Sewa Kendaraan Bermotor Penumpang (Kendaraan Dinas Operasional)",
       JASA_LAINNYA, "5.1.02.02.04.0036", 250, CARA_KATALOG, "12 Bulan", 2),
    _t("Belanja Pemeliharaan Kendaraan Dinas Operasional", JASA_LAINNYA, "5.1.02.03.02.0035",
       60, CARA_KECIL, frekuensi=5),
    _t("Belanja Jasa Penyelenggaraan Acara", JASA_LAINNYA, "5.1.02.02.01.0055", 120, CARA_JASA,
       "1 Kegiatan", 4),
    _t("Belanja Kawat/Faksimili/Internet/TV Berlangganan", JASA_LAINNYA, "5.1.02.02.01.0063",
       120, CARA_KATALOG, "12 Bulan"),
    _t("Belanja Jasa Tenaga Ahli", KONSULTANSI, "5.1.02.02.01.0029", 120, CARA_KONSULTANSI,
       "1 Kegiatan"),
    _t("Belanja Modal Peralatan Personal Computer (Laptop)", BARANG, "5.2.02.10.01.0002", 300,
       CARA_KATALOG, "10 Unit", 2),
    _t("Belanja Modal Alat Kantor Lainnya", BARANG, "5.2.02.05.01.0005", 120, CARA_KATALOG,
       frekuensi=2),
    _t("Belanja Modal Mebel Kantor", BARANG, "5.2.02.05.02.0001", 150, CARA_KATALOG),
    _t("Rehabilitasi Gedung Kantor {lokasi}", KONSTRUKSI, "5.2.03.01.01.0001", 600,
       CARA_KONSTRUKSI),
    _t("Perencanaan Rehabilitasi Gedung Kantor {lokasi}", KONSULTANSI, "5.2.03.01.01.0001",
       150, CARA_KONSULTANSI),
)

TEMPLATE_BIDANG: dict[str, tuple[TemplatePaket, ...]] = {
    "pendidikan": (
        _t("Pengadaan Meja dan Kursi Siswa SD Negeri {lokasi}", BARANG, "5.2.02.05.02.0001",
           350, CARA_KATALOG, "200 Set"),
        _t("Pengadaan Buku Teks Pelajaran Sekolah Dasar", BARANG, "5.1.02.05.01.0001", 800,
           CARA_KATALOG),
        _t("Pengadaan Laptop untuk Sekolah Menengah Atas Negeri", BARANG, "5.2.02.10.01.0002",
           1_000, CARA_KATALOG, "300 Unit"),
        _t("Rehabilitasi Total Gedung Sekolah {lokasi}", KONSTRUKSI, "5.2.03.01.03.0001",
           2_500, CARA_KONSTRUKSI),
        _t("Pengawasan Rehabilitasi Gedung Sekolah {lokasi}", KONSULTANSI,
           "5.2.03.01.03.0001", 350, CARA_KONSULTANSI),
    ),
    "kesehatan": (
        _t("Belanja Obat-Obatan Puskesmas", BARANG, "5.1.02.01.01.0061", 900, CARA_KATALOG),
        _t("Belanja Bahan Medis Habis Pakai", BARANG, "5.1.02.01.01.0062", 400, CARA_KATALOG),
        _t("Pengadaan Alat Kesehatan Puskesmas {lokasi}", BARANG, "5.2.02.07.01.0001", 600,
           CARA_KATALOG),
        _t("Belanja Makanan dan Minuman Pasien Rawat Inap", BARANG, "5.1.02.01.01.0052", 300,
           CARA_JASA, "12 Bulan"),
        _t("Pemeliharaan Alat Kedokteran", JASA_LAINNYA, "5.1.02.03.02.0117", 120, CARA_KECIL),
    ),
    "jalan": (
        _t("Peningkatan Jalan {lokasi}", KONSTRUKSI, "5.2.04.01.01.0003", 2_500,
           CARA_KONSTRUKSI),
        _t("Pemeliharaan Jalan dan Trotoar {lokasi}", KONSTRUKSI, "5.1.02.03.02.0405", 180,
           CARA_KONSTRUKSI),
        _t("Pengadaan Aspal Hotmix", BARANG, "5.1.02.03.02.0405", 900, CARA_KATALOG, "500 Ton"),
        _t("Rehabilitasi Jembatan {lokasi}", KONSTRUKSI, "5.2.04.01.03.0001", 1_500,
           CARA_KONSTRUKSI),
    ),
    "sumber_daya_air": (
        _t("Pengerukan Kali dan Saluran Penghubung {lokasi}", KONSTRUKSI, "5.2.04.02.04.0001",
           2_000, CARA_KONSTRUKSI),
        _t("Pemeliharaan Saluran Drainase {lokasi}", KONSTRUKSI, "5.1.02.03.02.0411", 150,
           CARA_KONSTRUKSI),
        _t("Pengadaan Pompa Air Stasioner", BARANG, "5.2.02.01.03.0004", 1_200, CARA_KATALOG,
           "2 Unit"),
        _t("Pembangunan Tanggul Pantai {lokasi}", KONSTRUKSI, "5.2.04.02.04.0001", 3_000,
           CARA_KONSTRUKSI),
    ),
    "permukiman": (
        _t("Penataan Kampung {lokasi}", KONSTRUKSI, "5.2.03.01.02.0001", 2_000,
           CARA_KONSTRUKSI),
        _t("Pembangunan Rumah Susun {lokasi}", KONSTRUKSI, "5.2.03.01.02.0001", 4_000,
           CARA_KONSTRUKSI),
        _t("Perencanaan Pembangunan Rumah Susun {lokasi}", KONSULTANSI, "5.2.03.01.02.0001",
           900, CARA_KONSULTANSI),
        _t("Pembangunan Instalasi Air Bersih {lokasi}", KONSTRUKSI, "5.2.04.03.02.0001", 1_200,
           CARA_KONSTRUKSI),
    ),
    "ketertiban": (
        _t("Pengadaan Pakaian Dinas Lapangan", BARANG, "5.1.02.01.01.0038", 400, CARA_KATALOG,
           "500 Stel"),
        _t("Pengadaan Kendaraan Operasional Khusus", BARANG, "5.2.02.03.01.0003", 3_000,
           CARA_KATALOG, "3 Unit"),
        _t("Pengadaan Alat Pelindung Diri Petugas", BARANG, "5.1.02.01.01.0038", 250,
           CARA_KATALOG),
    ),
    "sosial": (
        _t("Pengadaan Paket Sembako Bantuan Sosial", BARANG, "5.1.02.05.01.0002", 1_200,
           CARA_KATALOG, "5000 Paket"),
        _t("Belanja Makanan dan Minuman Warga Binaan Panti Sosial {lokasi}", BARANG,
           "5.1.02.01.01.0052", 500, CARA_JASA, "12 Bulan"),
    ),
    "pangan": (
        _t("Pengadaan Bibit Sayuran Hidroponik", BARANG, "5.1.02.05.01.0003", 120,
           CARA_KATALOG),
        _t("Pengadaan Benih Ikan Lele dan Nila", BARANG, "5.1.02.05.01.0003", 90, CARA_KATALOG,
           "20000 Ekor"),
        _t("Pengadaan Pakan Ternak dan Pakan Ikan", BARANG, "5.1.02.01.01.0066", 150,
           CARA_KATALOG),
        _t("Pengadaan Sarana Urban Farming {lokasi}", BARANG, "5.1.02.05.01.0004", 200,
           CARA_KATALOG),
        _t("Pengadaan Vaksin dan Obat Hewan", BARANG, "5.1.02.01.01.0067", 250, CARA_KATALOG),
    ),
    "umkm": (
        _t("Penyelenggaraan Pelatihan Kewirausahaan UMKM Jakpreneur", JASA_LAINNYA,
           "5.1.02.02.12.0001", 250, CARA_JASA, "1 Kegiatan"),
        _t("Penyelenggaraan Bazar dan Pameran Produk UMKM", JASA_LAINNYA, "5.1.02.02.01.0055",
           300, CARA_JASA, "1 Kegiatan"),
        _t("Pengadaan Sarana Usaha bagi Pelaku UMKM", BARANG, "5.1.02.05.01.0005", 400,
           CARA_KATALOG),
        _t("Revitalisasi Lokasi Binaan UMKM {lokasi}", KONSTRUKSI, "5.2.03.01.04.0001", 2_500,
           CARA_KONSTRUKSI),
    ),
    "lingkungan": (
        _t("Pengadaan Truk Sampah Compactor", BARANG, "5.2.02.03.01.0005", 2_000, CARA_KATALOG,
           "3 Unit"),
        _t("Pengadaan Bahan Bakar Armada Angkutan Sampah", BARANG, "5.1.02.01.01.0004", 1_000,
           CARA_KATALOG, "12 Bulan"),
        _t("Pemeliharaan Taman {lokasi}", JASA_LAINNYA, "5.1.02.03.02.0420", 120, CARA_KECIL),
        _t("Pengadaan Tanaman Hias dan Pohon Pelindung", BARANG, "5.1.02.03.02.0420", 180,
           CARA_KATALOG),
    ),
    "perhubungan": (
        _t("Pengadaan Rambu Lalu Lintas", BARANG, "5.2.02.18.01.0001", 600, CARA_KATALOG),
        _t("Pemeliharaan Alat Pemberi Isyarat Lalu Lintas {lokasi}", JASA_LAINNYA,
           "5.1.02.03.02.0430", 150, CARA_KECIL),
        _t("Pengadaan Kendaraan Derek", BARANG, "5.2.02.03.01.0003", 2_500, CARA_KATALOG),
    ),
    "kominfo": (
        _t("Sewa Jaringan Fiber Optik Jakarta Smart City", JASA_LAINNYA, "5.1.02.02.01.0064",
           3_000, CARA_KATALOG, "12 Bulan"),
        _t("Pengadaan Lisensi Perangkat Lunak", BARANG, "5.2.05.03.01.0001", 900,
           CARA_KATALOG),
        _t("Pengadaan Server dan Perangkat Jaringan", BARANG, "5.2.02.10.02.0003", 1_500,
           CARA_KATALOG),
        _t("Jasa Pengembangan Aplikasi Layanan Publik", KONSULTANSI, "5.1.02.02.01.0029", 500,
           CARA_KONSULTANSI),
    ),
    "budaya": (
        _t("Penyelenggaraan Festival Budaya Betawi", JASA_LAINNYA, "5.1.02.02.01.0055", 700,
           CARA_JASA, "1 Kegiatan"),
        _t("Pengadaan Peralatan Olahraga", BARANG, "5.2.02.06.01.0001", 350, CARA_KATALOG),
    ),
    "keuangan": (
        _t("Pencetakan Surat Pemberitahuan Pajak Daerah", BARANG, "5.1.02.01.01.0026", 300,
           CARA_KATALOG),
        _t("Jasa Konsultansi Penilaian Aset Daerah", KONSULTANSI, "5.1.02.02.01.0029", 600,
           CARA_KONSULTANSI),
    ),
    "umum": (),
}


@cache
def _template_skpd(skpd: Skpd) -> tuple[TemplatePaket, ...]:
    """Each template repeated by its frequency, so picking by index weights them; an
    SKPD's own line of work counts three times."""
    pilihan = [t for t in TEMPLATE_UMUM for _ in range(t.frekuensi)]
    pilihan += [t for t in TEMPLATE_BIDANG[skpd.bidang] for _ in range(3 * t.frekuensi)]
    return tuple(pilihan)


@cache
def _lokasi_skpd(skpd: Skpd) -> tuple[str, ...]:
    """Places an SKPD builds or buys for: a Suku Dinas only inside its own kota."""
    lokasi = []
    for kota in load_kota():
        if skpd.kode_kota is not None and kota.kode != skpd.kode_kota:
            continue
        for kecamatan in kota.kecamatan:
            lokasi.append(f"Kecamatan {kecamatan.nama}")
            lokasi += [f"Kelurahan {k.nama}" for k in kecamatan.kelurahan]
    return tuple(lokasi)


def _campur(kd_rup: int) -> int:
    """A well-spread 32-bit number from kd_rup (multiplicative hashing, then xor-shift)."""
    h = (kd_rup * 0x9E3779B1) & 0xFFFFFFFF
    return h ^ (h >> 15)


def paket_untuk(skpd: Skpd, kd_rup: int) -> tuple[TemplatePaket, str]:
    """The template and nama_paket of SiRUP package ``kd_rup`` of ``skpd``."""
    h = _campur(kd_rup)
    templates = _template_skpd(skpd)
    template = templates[h % len(templates)]
    nama = template.nama
    if "{lokasi}" in nama:
        lokasi = _lokasi_skpd(skpd)
        nama = nama.format(lokasi=lokasi[(h >> 8) % len(lokasi)])
    return template, nama
