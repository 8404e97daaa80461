"""E-katalog vendors (penyedia) and products (produk), and their detail exports.

Both pools are built once per run and are small (at most DKI size); orders pick from them.
Each product belongs to one vendor, so an order's products come from its vendor. v5 products
have int ``kd_produk``; v6 products are UUID strings. TKDN is text as LKPP gives it
("43.56", or '' when the product has no certificate).

About 300 of KPKP's mentored businesses (at DKI size) are e-katalog vendors too: a sole
proprietor "UD ..."/"TOKO ..." whose ``npwp_16`` is the owner's NIK (so since 2022) and whose
``nib`` is the business's NIB, which is how the pipeline can tell mentored businesses that
won government orders.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path

from p3dn_pipeline.synth import identifiers, people
from p3dn_pipeline.synth.config import SynthConfig
from p3dn_pipeline.synth.geography import load_kota
from p3dn_pipeline.synth.kpkp import PelakuUsaha
from p3dn_pipeline.synth.writers import JsonArrayWriter

# LKPP e-katalog's own region ids: DKI is provinsi 13, its kab/kota 214..219.
KD_PROVINSI_EKATALOG_DKI = 13
KD_KABUPATEN_EKATALOG = {"31.01": 214, "31.74": 215, "31.71": 216, "31.73": 217,
                         "31.75": 218, "31.72": 219}


@dataclass(frozen=True)
class JenisProduk:
    komoditas: str
    kd_komoditas: int
    kategori: str
    nama: tuple[str, ...]
    merek: tuple[str, ...]
    satuan: str
    harga_min: int
    harga_max: int
    kbki: str
    peluang_impor: float
    tkdn_min: float      # typical TKDN range of certified local products
    tkdn_max: float
    umkm: bool = False   # sold by mentored businesses


def _j(komoditas, kd, kategori, nama, merek, satuan, hmin, hmax, kbki, impor, tmin, tmax,
       umkm=False) -> JenisProduk:
    return JenisProduk(komoditas, kd, kategori, nama, merek, satuan, hmin, hmax, kbki, impor,
                       tmin, tmax, umkm)


JENIS_PRODUK = (
    _j("Alat Tulis Kantor", 88101, "Kertas", ("Kertas HVS A4 70 gsm", "Kertas HVS F4 80 gsm"),
       ("SIDU", "PAPERONE", "BOLA DUNIA"), "Rim", 45_000, 75_000, "3212102001", 0.05, 40, 70),
    _j("Alat Tulis Kantor", 88101, "Alat Tulis", ("Pulpen Gel 0.5 mm", "Map Plastik Folio",
       "Ordner Besar"), ("STANDARD", "SNOWMAN", "JOYKO", "BANTEX"), "Lusin", 15_000, 90_000,
       "3891102001", 0.2, 25, 60),
    _j("Komputer", 88210, "Laptop", ("Laptop Core i5 RAM 8GB SSD 512GB",
       "Laptop Core i7 RAM 16GB SSD 1TB"), ("AXIOO", "ADVAN", "ACER", "ASUS", "LENOVO",
       "ZYREX"), "Unit", 8_000_000, 25_000_000, "4521101001", 0.35, 25, 45),
    _j("Komputer", 88210, "PC Desktop", ("PC All in One Core i5", "PC Desktop Core i7"),
       ("AXIOO", "ADVAN", "ZYREX", "HP"), "Unit", 9_000_000, 22_000_000, "4521201001", 0.3,
       25, 45),
    _j("Sewa Kendaraan", 88325, "Sewa Mobil", ("Sewa Kendaraan Operasional MPV",
       "Sewa Kendaraan Operasional Pejabat"), ("TOYOTA", "MITSUBISHI", "HONDA"), "Bulan",
       5_000_000, 15_000_000, "7311101001", 0.0, 40, 65),
    _j("Makanan dan Minuman", 88401, "Nasi Kotak", ("Nasi Kotak Rapat", "Snack Box Rapat"),
       ("CATERING",), "Kotak", 25_000, 65_000, "2399101001", 0.0, 60, 95),
    _j("Bahan Bangunan", 88520, "Aspal", ("Aspal Hotmix AC-WC", "Aspal Hotmix AC-BC"),
       ("AMP",), "Ton", 1_200_000, 1_600_000, "1533101001", 0.0, 60, 95),
    _j("Bahan Bangunan", 88520, "Semen", ("Semen Portland 50 kg",), ("SEMEN GRESIK",
       "TIGA RODA", "SEMEN PADANG"), "Sak", 60_000, 80_000, "3744101001", 0.0, 80, 95),
    _j("Alat Kesehatan", 88610, "Alat Diagnostik", ("Tensimeter Digital", "Termometer Infrared",
       "Oksimeter"), ("ONEMED", "GEA", "OMRON"), "Unit", 300_000, 1_500_000, "4811101001",
       0.45, 25, 50),
    _j("Obat", 88620, "Obat Generik", ("Paracetamol 500 mg", "Amoxicillin 500 mg",
       "Vitamin C 50 mg"), ("KIMIA FARMA", "INDOFARMA", "PHAPROS"), "Box", 10_000, 80_000,
       "3526101001", 0.1, 40, 80),
    _j("Furnitur", 88710, "Meja dan Kursi", ("Meja Siswa", "Kursi Siswa", "Kursi Kerja",
       "Lemari Arsip"), ("CHITOSE", "OLYMPIC", "INDACO", "DATASCRIP"), "Unit", 500_000,
       3_500_000, "3811101001", 0.05, 40, 80),
    _j("Pertanian", 88801, "Bibit", ("Bibit Selada Hidroponik", "Bibit Cabai Rawit",
       "Bibit Tanaman Pelindung"), ("TANI",), "Polybag", 2_000, 50_000, "0121101001", 0.0, 70,
       100),
    _j("Perikanan", 88802, "Pakan Ikan", ("Pakan Ikan Apung 781", "Pakan Lele Terapung"),
       ("COMFEED", "HI-PRO-VITE", "PRIMA FEED"), "Karung", 300_000, 500_000, "2334101001",
       0.0, 50, 85),
    _j("Kendaraan", 88910, "Truk", ("Truk Sampah Compactor 6 m3", "Mobil Pemadam Kebakaran",
       "Kendaraan Derek"), ("HINO", "ISUZU", "MITSUBISHI FUSO"), "Unit", 900_000_000,
       4_000_000_000, "4911201001", 0.25, 30, 45),
    _j("Internet", 89010, "Layanan Internet", ("Internet Dedicated 100 Mbps",
       "Sewa Fiber Optik Point to Point"), ("TELKOM", "ICON+", "BIZNET"), "Bulan",
       3_000_000, 25_000_000, "8422101001", 0.0, 30, 60),
    _j("Pakaian Dinas", 89110, "Pakaian", ("Pakaian Dinas Lapangan", "Sepatu PDL"),
       ("KONVEKSI",), "Stel", 250_000, 800_000, "2822101001", 0.05, 40, 75),
    _j("Rambu dan Marka", 89210, "Rambu", ("Rambu Lalu Lintas Tiang Tunggal",
       "Cat Marka Jalan Thermoplastic"), ("RAMBU",), "Unit", 800_000, 3_500_000,
       "4299101001", 0.05, 40, 70),
    _j("Pompa", 89310, "Pompa Air", ("Pompa Submersible 50 liter/detik",
       "Pompa Air Stasioner 500 liter/detik"), ("TORISHIMA", "GRUNDFOS", "EBARA"), "Unit",
       50_000_000, 2_500_000_000, "4321101001", 0.6, 25, 40),
    # What mentored UMKM sell through the catalogue.
    _j("Pangan Lokal", 89401, "Sayur", ("Sayur Hidroponik Selada 250 gr",
       "Kangkung Hidroponik 250 gr", "Pakcoy Hidroponik 250 gr"), ("",), "Pack", 8_000,
       20_000, "0121301001", 0.0, 70, 100, umkm=True),
    _j("Pangan Lokal", 89401, "Ikan", ("Ikan Lele Segar", "Ikan Nila Segar"), ("",), "Kg",
       25_000, 45_000, "0412101001", 0.0, 70, 100, umkm=True),
    _j("Pangan Lokal", 89401, "Olahan Pangan", ("Keripik Singkong Balado 200 gr",
       "Kerupuk Ikan 250 gr", "Dodol Betawi 500 gr", "Nasi Kotak UMKM"), ("",), "Pcs", 15_000,
       60_000, "2399301001", 0.0, 60, 95, umkm=True),
    _j("Kerajinan", 89501, "Souvenir", ("Tas Anyaman Eceng Gondok", "Miniatur Ondel-Ondel",
       "Kain Batik Betawi"), ("",), "Pcs", 50_000, 450_000, "3899101001", 0.0, 60, 95,
       umkm=True),
)
_JENIS_UMUM = tuple(j for j in JENIS_PRODUK if not j.umkm)
_JENIS_UMKM_PER_SEKTOR = {
    "Pertanian Perkotaan": ("Sayur",), "Peternakan": ("Olahan Pangan",),
    "Perikanan": ("Ikan",), "Olahan Pangan": ("Olahan Pangan",), "Kerajinan": ("Souvenir",),
}
_KBLI_PER_SEKTOR = {"Pertanian Perkotaan": "01135", "Peternakan": "01462",
                    "Perikanan": "03222", "Olahan Pangan": "10794", "Kerajinan": "32909"}


@dataclass
class Penyedia:
    kd_penyedia: int            # v5's vendor id
    kode_penyedia_sikap: int    # v6's kd_penyedia_sikap
    kd_penyedia_v6: str         # v6's ULID
    nama_penyedia: str
    penyedia_ukm: str
    npwp_16: str | None
    nib: str | None
    kbli2020_penyedia: str | None
    alamat_penyedia: str
    binaan: PelakuUsaha | None = None
    produk_v6: list[int] = field(default_factory=list)  # indices into Katalog.produk
    produk_v5: list[int] = field(default_factory=list)


@dataclass
class Produk:
    kd_produk: int | str        # int in v5, UUID string in v6
    jenis: JenisProduk
    nama_produk: str
    merek: str
    harga: int                  # rupiah per unit in DKI
    jenis_produk: str           # "lokal" / "impor"
    tkdn_produk: str
    nilai_bmp: str
    nomor_tkdn: str
    penyedia: int               # index into Katalog.penyedia
    dibuat: dt.datetime


@dataclass
class Katalog:
    penyedia: list[Penyedia]
    produk: list[Produk]
    # Vendors that can be picked for an order, with a popularity weight (a few vendors win
    # most orders, as in the real catalogue).
    penyedia_v6: list[int]
    bobot_v6: list[float]
    penyedia_v5: list[int]
    bobot_v5: list[float]
    penyedia_binaan_v6: list[int]


def _alamat(rng: random.Random) -> str:
    kota = rng.choice(load_kota()[1:])  # Kepulauan Seribu hosts almost no vendors
    kecamatan = rng.choice(kota.kecamatan)
    jalan = rng.choice(("Jl. Raya", "Jl.", "Jl. Kebon", "Jl. H.", "Komplek Ruko"))
    nama_jalan = rng.choice(("Mangga Besar", "Pemuda", "Fatmawati", "Kramat", "Pramuka",
                             "Sudirman", "Pasar Minggu", "Daan Mogot", "Pluit", "Bekasi Timur"))
    return (f"{jalan} {nama_jalan} No. {rng.randint(1, 250)}, Kel. "
            f"{rng.choice(kecamatan.kelurahan).nama}, Kec. {kecamatan.nama}, "
            f"{kota.nama_pendek}")


def _penyedia_umum(rng: random.Random, kd: int, sikap: int, waktu: dt.datetime) -> Penyedia:
    ukm = rng.choices(("UKM", "Non UKM", "Belum Terdefinisi"), (0.55, 0.3, 0.15))[0]
    return Penyedia(
        kd_penyedia=kd, kode_penyedia_sikap=sikap,
        kd_penyedia_v6=identifiers.ulid(rng, waktu), nama_penyedia=people.nama_perusahaan(rng),
        penyedia_ukm=ukm,
        npwp_16=identifiers.npwp_badan_16(rng) if rng.random() < 0.8 else None,
        nib=identifiers.nib(rng) if rng.random() < 0.85 else None,
        kbli2020_penyedia=rng.choice(("46900", "47111", "46599", "62019", "43211", None)),
        alamat_penyedia=_alamat(rng),
    )


def _penyedia_binaan(rng: random.Random, kd: int, sikap: int, waktu: dt.datetime,
                     usaha: PelakuUsaha) -> Penyedia:
    """A mentored business registered as a vendor under its owner's name and NIK."""
    awalan = rng.choice(("UD ", "UD. ", "TOKO "))
    # Registering in the catalogue needs a NIB: one not yet on the roster is a new one.
    nib = usaha.nib if usaha.nib is not None else identifiers.nib(rng)
    return Penyedia(
        kd_penyedia=kd, kode_penyedia_sikap=sikap, kd_penyedia_v6=identifiers.ulid(rng, waktu),
        nama_penyedia=awalan + usaha.nama_usaha.upper(),
        penyedia_ukm=rng.choices(("UKM", "Belum Terdefinisi"), (0.85, 0.15))[0],
        # A sole proprietor's NPWP is the owner's NIK since 2022; some never updated it.
        npwp_16=usaha.nik if rng.random() < 0.85 else None, nib=nib,
        kbli2020_penyedia=_KBLI_PER_SEKTOR[usaha.sektor],
        alamat_penyedia=(f"Kel. {usaha.lokasi_awal.kelurahan.nama}, Kec. "
                         f"{usaha.lokasi_awal.kecamatan.nama}, "
                         f"{usaha.lokasi_awal.kota.nama_pendek}"),
        binaan=usaha,
    )


def _tkdn(rng: random.Random, jenis: JenisProduk, impor: bool) -> tuple[str, str, str]:
    """(tkdn_produk, nilai_bmp, nomor_tkdn): text, '' when the product has no certificate."""
    if impor or rng.random() < 0.22:
        return "", "", ""
    tkdn = rng.uniform(jenis.tkdn_min, jenis.tkdn_max)
    if rng.random() < 0.1:
        tkdn = rng.uniform(5, 25)  # certified, but below the 25 % that counts as domestic
    bmp = f"{rng.uniform(0, 15):.2f}" if rng.random() < 0.8 else ""
    nomor = (f"{rng.randint(100, 9999)}/SJ-IND.8/TKDN/{rng.randint(1, 12)}/"
             f"{rng.randint(2019, 2024)}")
    return f"{tkdn:.2f}", bmp, nomor


def _produk(rng: random.Random, kd_produk: int | str, jenis: JenisProduk, penyedia: int,
            merek_sendiri: str) -> Produk:
    """A product; goods without a brand list are sold under the maker's own name."""
    impor = rng.random() < jenis.peluang_impor
    tkdn, bmp, nomor = _tkdn(rng, jenis, impor)
    merek = rng.choice(jenis.merek) or merek_sendiri
    harga = round(rng.uniform(jenis.harga_min, jenis.harga_max), -2)
    dibuat = dt.datetime(2021, 1, 1) + dt.timedelta(seconds=rng.randrange(3 * 365 * 86400))
    return Produk(kd_produk, jenis, rng.choice(jenis.nama), merek, int(harga),
                  "impor" if impor else "lokal", tkdn, bmp, nomor, penyedia, dibuat)


def bangun_katalog(config: SynthConfig, pelaku: tuple[PelakuUsaha, ...]) -> Katalog:
    rng = config.rng("katalog")
    terdaftar = dt.datetime(2021, 6, 1)
    kd_penyedia = rng.sample(range(300_000, 999_999), config.penyedia_umum
                             + config.penyedia_binaan)
    sikap = rng.sample(range(1_000_000, 400_000_000), len(kd_penyedia))
    penyedia = [
        _penyedia_umum(rng, kd, sk, terdaftar + dt.timedelta(days=rng.randrange(1200)))
        for kd, sk in zip(kd_penyedia[:config.penyedia_umum], sikap[:config.penyedia_umum])
    ]
    # Businesses with a NIB are the ones that made it into the catalogue, mostly.
    dengan_nib = [p for p in pelaku if p.nib is not None]
    tanpa_nib = [p for p in pelaku if p.nib is None]
    jumlah_tanpa_nib = min(len(tanpa_nib), config.penyedia_binaan // 10)
    terpilih = (rng.sample(dengan_nib, min(len(dengan_nib),
                                           config.penyedia_binaan - jumlah_tanpa_nib))
                + rng.sample(tanpa_nib, jumlah_tanpa_nib))
    for usaha, kd, sk in zip(terpilih, kd_penyedia[config.penyedia_umum:],
                             sikap[config.penyedia_umum:]):
        penyedia.append(_penyedia_binaan(
            rng, kd, sk, terdaftar + dt.timedelta(days=rng.randrange(1200)), usaha))

    produk: list[Produk] = []
    umum = list(range(config.penyedia_umum))
    # Each general vendor sells one or two kinds of goods.
    jenis_penyedia = {i: rng.sample(_JENIS_UMUM, rng.choice((1, 1, 2))) for i in umum}
    # The old v5 catalogue lives on with the longest-standing vendors, a few products each.
    umum_v5 = umum[:max(10, len(umum) // 5)]
    kd_produk_v5 = sorted(rng.sample(range(1_000_000, 90_000_000), config.produk_v5))
    for kd in kd_produk_v5:
        i = rng.choice(umum_v5)
        produk.append(_produk(rng, kd, rng.choice(jenis_penyedia[i]), i,
                              penyedia[i].nama_penyedia))
        penyedia[i].produk_v5.append(len(produk) - 1)
    for _ in range(config.produk_v6):
        i = rng.choice(umum)
        produk.append(_produk(rng, identifiers.uuid4(rng), rng.choice(jenis_penyedia[i]), i,
                              penyedia[i].nama_penyedia))
        penyedia[i].produk_v6.append(len(produk) - 1)
    jenis_umkm = {j.kategori: j for j in JENIS_PRODUK if j.umkm}
    for i in range(config.penyedia_umum, len(penyedia)):
        usaha = penyedia[i].binaan
        for _ in range(rng.randint(1, 3)):
            kategori = rng.choice(_JENIS_UMKM_PER_SEKTOR[usaha.sektor])
            produk.append(_produk(rng, identifiers.uuid4(rng), jenis_umkm[kategori], i,
                                  usaha.nama_usaha.upper()))
            penyedia[i].produk_v6.append(len(produk) - 1)

    penyedia_v6 = [i for i in umum if penyedia[i].produk_v6]
    penyedia_v5 = [i for i in umum if penyedia[i].produk_v5]
    return Katalog(
        penyedia=penyedia, produk=produk,
        penyedia_v6=penyedia_v6, bobot_v6=[1 / (r + 5) for r in range(len(penyedia_v6))],
        penyedia_v5=penyedia_v5, bobot_v5=[1 / (r + 5) for r in range(len(penyedia_v5))],
        penyedia_binaan_v6=list(range(config.penyedia_umum, len(penyedia))),
    )


# Detail exports -----------------------------------------------------------------------

def _harga_wilayah(harga: int) -> str:
    """Ecat-ProdukDetail's ``harga``: a JSON *string* with one price per region."""
    bagian = [
        f'{{"harga_utama":0.0,"ongkos_kirim":0.0,"harga":{harga},'
        f'"provinsiId":{KD_PROVINSI_EKATALOG_DKI},"kabupatenId":{kab}}}'
        for kab in sorted(KD_KABUPATEN_EKATALOG.values())
    ]
    return "[" + ",".join(bagian) + "]"


_FIELD_NIE = (
    "nie_id", "nie_nib", "nie_nama_usaha", "nie_npwp", "nie_klasifikasi_izin",
    "nie_tgl_terbit", "nie_tgl_expire", "nie_nama_produk", "nie_kategori",
    "nie_sub_kategori", "nie_jenis_produk", "nie_hscode", "nie_kelas", "nie_kelas_resiko",
    "nie_ukuran", "nie_kemasan", "nie_nama_pabrik", "nie_negara_pabrik", "nie_alamat_pabrik",
    "nie_last_update", "no_suket_alkes",
)


def tulis_produk_detail(config: SynthConfig, katalog: Katalog, dipakai: set[int],
                        out_dir: Path) -> tuple[str, int]:
    """One row per product that an order used, with the real export's field set."""
    relatif = "lkpp/ecat_produk_detail.json"
    rng = config.rng("produk_detail")
    with JsonArrayWriter(out_dir / relatif) as out:
        for indeks in sorted(dipakai):
            p = katalog.produk[indeks]
            vendor = katalog.penyedia[p.penyedia]
            diubah = p.dibuat + dt.timedelta(days=rng.randint(1, 30), seconds=rng.randrange(86400))
            row = {
                "kd_produk": p.kd_produk,
                "no_kontrak": str(rng.randint(1, 400)),
                "nama_penyedia": vendor.nama_penyedia,
                "no_produk": f"{p.jenis.kbki}-{p.merek[:3].upper() or 'UMK'}-{indeks:09d}",
                "no_produk_penyedia": f"{p.jenis.kategori[:4].upper()}-{rng.randint(1, 9999)}",
                "nama_manufaktur": p.merek,
                "nama_produk": f"{p.merek} {p.nama_produk}".strip(),
                "nama_kategori_terkecil": p.jenis.kategori,
                "nama_sub_kategori_1": p.jenis.komoditas,
                "nama_sub_kategori_2": None, "nama_sub_kategori_3": None,
                "nama_sub_kategori_4": None,
                "harga": _harga_wilayah(p.harga),
                "nama_komoditas": p.jenis.komoditas,
                "jumlah_stok": float(rng.randint(0, 500)),
                "setuju_tolak_tanggal": f"{diubah:%Y-%m-%d %H:%M:%S}",
                "berlaku_sampai": f"{p.dibuat.year + 4}-06-30",
                "unit_pengukuran": p.jenis.satuan,
                "jenis_produk": p.jenis_produk,
                "kbki_id": p.jenis.kbki,
                "nomor_tkdn": p.nomor_tkdn,
                "nama_pemilik_sertifikat_tkdn": vendor.nama_penyedia if p.nomor_tkdn else "",
                "tkdn_produk": p.tkdn_produk,
                "nilai_bmp": p.nilai_bmp,
                "masa_berlaku_kontrak": "Tidak Berbatas Waktu",
                "tglkontrak_mulai": f"{p.dibuat:%Y-%m-%d}",
                "tglkontrak_selesai": None,
                **{nama: None for nama in _FIELD_NIE},
                "kd_produk_kategori": p.jenis.kd_komoditas % 10_000,
                "active": 1,
                "created_date": f"{p.dibuat:%Y-%m-%d %H:%M:%S}",
                "modified_date": f"{diubah:%Y-%m-%d %H:%M:%S}",
                "status": "tayang",
                "status_tayang": "tayang" if rng.random() < 0.9 else "tidak_tayang",
                "apakah_dapat_dibeli": "ya",
                "nie": None,
            }
            out.write(row)
    return relatif, out.rows


def tulis_penyedia_detail(katalog: Katalog, out_dir: Path) -> tuple[str, int]:
    """One row per vendor. ``npwp_16`` of a sole proprietor is a NIK: personal data."""
    relatif = "lkpp/ecat_penyedia_detail.json"
    with JsonArrayWriter(out_dir / relatif) as out:
        for p in sorted(katalog.penyedia, key=lambda p: p.kd_penyedia):
            out.write({
                "kd_penyedia": p.kd_penyedia,
                "nama_penyedia": p.nama_penyedia,
                "kode_penyedia_sikap": p.kode_penyedia_sikap,
                "penyedia_ukm": p.penyedia_ukm,
                "alamat_penyedia": p.alamat_penyedia,
                "npwp_16": p.npwp_16,
                "nib": p.nib,
                "kbli2020_penyedia": p.kbli2020_penyedia,
            })
    return relatif, out.rows
