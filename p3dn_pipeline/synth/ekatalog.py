"""E-katalog orders: Ecat-PaketEPurchasingV6 (one row per order) and the older v5 export
(one row per product line, ``kd_paket`` repeating).

About 85 % of orders carry the ``kd_rup`` of an E-Purchasing package of the same satker in
SiRUP; the rest carry a ``kd_rup`` SiRUP's export does not hold (packages of other years,
deleted ones), as real data does. Field sets and JSON types are those of the real exports.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import math
import random
from pathlib import Path

from p3dn_pipeline.synth import identifiers
from p3dn_pipeline.synth.config import SynthConfig
from p3dn_pipeline.synth.geography import load_kota
from p3dn_pipeline.synth.katalog import KD_KABUPATEN_EKATALOG, KD_PROVINSI_EKATALOG_DKI, Katalog
from p3dn_pipeline.synth.nomenklatur import paket_untuk
from p3dn_pipeline.synth.organisations import (
    JENIS_INSTANSI, KD_KLPD_DKI, NAMA_INSTANSI, SKPD_DKI, Skpd)
from p3dn_pipeline.synth.sirup import HasilSirup
from p3dn_pipeline.synth.writers import CsvWriter, JsonArrayWriter

PORSI_TERTAUT_SIRUP = 0.85
# kd_rup outside DKI's SiRUP block (sirup.KD_RUP_AWAL and up): never in the export.
KD_RUP_LUAR_SIRUP = (30_000_000, 50_000_000)

STATUS_PKT = (
    ("COMPLETED", 40), ("ON_PROCESS", 30), ("PAYMENT_OUTSIDE_SYSTEM", 18),
    ("ON_ADDENDUM", 2), ("ON_NEGOTIATION", 1.5), ("WAITING_PPK_REVIEW", 1.2),
    ("WAITING_SELLER_CONFIRMATION", 1), ("ESIGN_IN_PROGRESS", 0.8),
    ("CANCELLED", 2.5), ("CANCELLED_ON_NEGOTIATION", 1.2), ("CANCELLED_ON_REVIEW", 0.8),
    ("REQUEST_CANCEL_BY_ADMIN", 0.5),
)
# Orders pile up towards December, when budgets must be spent.
BOBOT_BULAN = (4, 6, 7, 8, 8, 8, 9, 9, 10, 10, 11, 10)
TOTAL_HARGA_MIN, TOTAL_HARGA_MAX = 700_000, 15_000_000_000


class _Pemilih:
    """Weighted choice by bisecting cumulative weights: one random() per pick."""

    def __init__(self, pilihan, bobot) -> None:
        self.pilihan = list(pilihan)
        self._kumulatif = list(itertools.accumulate(bobot))

    def pilih(self, rng: random.Random):
        titik = rng.random() * self._kumulatif[-1]
        return self.pilihan[bisect.bisect_right(self._kumulatif, titik)]


_PEMILIH_STATUS = _Pemilih([s for s, _ in STATUS_PKT], [w for _, w in STATUS_PKT])
_PEMILIH_BULAN = _Pemilih(range(1, 13), BOBOT_BULAN)
_PEMILIH_SKPD = _Pemilih(SKPD_DKI, [s.bobot for s in SKPD_DKI])
# The Dinas that mentor UMKM are the ones that buy most from them.
_PEMILIH_SKPD_PEMBINA = _Pemilih([s for s in SKPD_DKI if s.bidang in ("pangan", "umkm")],
                                 [s.bobot for s in SKPD_DKI if s.bidang in ("pangan", "umkm")])


def _tanggal_order(rng: random.Random, tahun: int) -> dt.date:
    if rng.random() < 0.003:  # ordered in late December on next year's budget
        return dt.date(tahun - 1, 12, rng.randint(15, 31))
    bulan = _PEMILIH_BULAN.pilih(rng)
    hari_dalam_bulan = (dt.date(tahun + bulan // 12, bulan % 12 + 1, 1)
                        - dt.date(tahun, bulan, 1)).days
    return dt.date(tahun, bulan, rng.randint(1, hari_dalam_bulan))


def _kd_rup_order(rng: random.Random, skpd: Skpd, sirup: HasilSirup) -> int:
    paket = sirup.e_purchasing[skpd.kode]
    if paket and rng.random() < PORSI_TERTAUT_SIRUP:
        return paket[rng.randrange(len(paket))]
    return rng.randrange(*KD_RUP_LUAR_SIRUP)


def _sumber_dana(rng: random.Random, skpd: Skpd) -> str:
    if skpd.blud:
        return rng.choices(("BLUD", "APBD", "APBDP", "APBD,APBDP"), (45, 40, 10, 5))[0]
    return rng.choices(("APBD", "APBDP", "APBD,APBDP"), (80, 16, 4))[0]


def _kode_kegiatan(rng: random.Random, skpd: Skpd, rekening: str) -> str:
    """'2.09.02.2.01.0003.5.1.02.01.01.0024': urusan/bidang, program, kegiatan,
    sub-kegiatan, then the six-level kode rekening."""
    program = 1 if rekening.startswith("5.1.02.01") else rng.randint(2, 5)
    return (f"{skpd.kode_bidang}.{program:02d}.2.{rng.randint(1, 10):02d}."
            f"{rng.randint(1, 20):04d}.{rekening}")


def _mak(rng: random.Random, skpd: Skpd, rekening: str) -> str:
    """v6 ``mak``: kegiatan + rekening + standard-price (SSH) code; one or two of them."""
    jumlah = 1 if rng.random() < 0.8 else 2
    kode = []
    for _ in range(jumlah):
        ssh = (f"1.{rng.randint(1, 3)}.{rng.randint(0, 1)}.{rng.choice((20, 21))}."
               f"{rng.choice((10, 20, 30, 50, 60))}.{rng.choice((10, 20, 30))}."
               f"{rng.randint(1, 60):03d}.{rng.randint(1, 300):05d}")
        kode.append(f"{_kode_kegiatan(rng, skpd, rekening)}.{ssh}")
    return ", ".join(kode)


def _status_pengiriman(rng: random.Random, status_pkt: str) -> str:
    if status_pkt.startswith(("CANCELLED", "REQUEST_CANCEL")):
        return "DRAFT"
    if status_pkt in ("COMPLETED", "PAYMENT_OUTSIDE_SYSTEM"):
        return "COMPLETED" if rng.random() < 0.85 else "SHIPPING"
    return rng.choice(("DRAFT", "PROCESSING", "SHIPPING", "COMPLETED"))


def tulis_v6(config: SynthConfig, tahun: int, sirup: HasilSirup, katalog: Katalog,
             out_dir: Path, produk_dipakai: set[int]) -> tuple[str, int]:
    """Write the year's v6 orders; adds the products they use to ``produk_dipakai``."""
    rng = config.rng("ekatalog_v6", tahun)
    pemilih_penyedia = _Pemilih(katalog.penyedia_v6, katalog.bobot_v6)
    relatif = f"lkpp/ecat_paket_v6_{tahun}.json"
    with JsonArrayWriter(out_dir / relatif) as out:
        for _ in range(config.paket_v6):
            # Mentored businesses win a few small orders (food, seedlings, souvenirs).
            if rng.random() < 0.02:
                pembina = rng.random() < 0.7
                skpd = (_PEMILIH_SKPD_PEMBINA if pembina else _PEMILIH_SKPD).pilih(rng)
                vendor = katalog.penyedia[rng.choice(katalog.penyedia_binaan_v6)]
                total_harga = rng.lognormvariate(math.log(12_000_000), 0.8)
            else:
                skpd = _PEMILIH_SKPD.pilih(rng)
                vendor = katalog.penyedia[pemilih_penyedia.pilih(rng)]
                total_harga = rng.lognormvariate(math.log(90_000_000), 1.3)
            kd_rup = _kd_rup_order(rng, skpd, sirup)
            template, nama_paket = paket_untuk(skpd, kd_rup)
            total_harga = int(min(TOTAL_HARGA_MAX, max(TOTAL_HARGA_MIN, total_harga)))
            jenis = min(len(vendor.produk_v6), rng.choice((1, 1, 1, 2, 2, 3, 4, 6, 9)))
            produk = rng.sample(vendor.produk_v6, jenis)
            produk_dipakai.update(produk)
            tanggal = _tanggal_order(rng, tahun)
            waktu = dt.datetime.combine(tanggal, dt.time(rng.randint(1, 12), rng.randrange(60),
                                                         rng.randrange(60)))
            status = _PEMILIH_STATUS.pilih(rng)
            out.write({
                "tahun_anggaran": tahun,
                "jenis_instansi": JENIS_INSTANSI,
                "nama_instansi": NAMA_INSTANSI,
                "nama_satker": skpd.nama + (" " if rng.random() < 0.03 else ""),
                "kd_klpd": KD_KLPD_DKI,
                "kd_satker_str": skpd.kode,
                "kd_paket": identifiers.ulid(rng, waktu),
                "kd_rup": str(kd_rup),
                "rup_nama_pkt": (" " if rng.random() < 0.01 else "") + nama_paket,
                "product_ids": ",".join(sorted(katalog.produk[i].kd_produk for i in produk)),
                "sumber_dana": _sumber_dana(rng, skpd),
                "mak": _mak(rng, skpd, template.rekening),
                "kd_penyedia_v6": vendor.kd_penyedia_v6,
                "kd_penyedia_sikap": 0 if rng.random() < 0.1 else vendor.kode_penyedia_sikap,
                "jml_jenis_produk": jenis,
                "jml_produk": jenis * max(1, int(rng.lognormvariate(2.0, 1.2))),
                "ongkir": 0 if rng.random() < 0.9 else rng.randrange(50, 2_000) * 1_000,
                "total_harga": total_harga,
                "tgl_order": tanggal.isoformat(),
                "status_pkt": status,
                "status_pengiriman": _status_pengiriman(rng, status),
            })
    return relatif, out.rows


KOLOM_V5 = (
    "tahun_anggaran", "kd_klpd", "satker_id", "nama_satker", "alamat_satker", "npwp_satker",
    "kd_paket", "no_paket", "nama_paket", "kd_rup", "nama_sumber_dana", "kode_anggaran",
    "kd_komoditas", "kd_produk", "kd_penyedia", "kd_penyedia_distributor", "jml_jenis_produk",
    "kuantitas", "harga_satuan", "ongkos_kirim", "total_harga", "kd_user_pokja",
    "kd_user_ppk", "ppk_nip", "jabatan_ppk", "tanggal_buat_paket", "tanggal_edit_paket",
    "deskripsi", "status_paket", "paket_status_str", "catatan_produk",
    "kd_provinsi_wilayah_harga", "kd_kabupaten_wilayah_harga",
)
STATUS_PAKET_PROSES = ("persiapan", "proses_negosiasi", "menunggu_persetujuan_ppk",
                       "proses_kontrak_ppk", "melakukan_pengiriman_dan_penerimaan")
CATATAN_PRODUK = (
    None, None, "Barang dikirim ke alamat satker",
    "Harga sudah termasuk ongkos kirim dan pemasangan",
    "Garansi resmi 1 tahun, penggantian unit rusak maksimal 7 hari kerja",
)


def _alamat_satker(skpd: Skpd) -> str:
    if skpd.kode_kota is None:
        return "Jl. Medan Merdeka Selatan No. 8-9, Gambir, Jakarta Pusat"
    kota = next(k for k in load_kota() if k.kode == skpd.kode_kota)
    kantor = "Kantor Bupati" if kota.is_kabupaten else "Kantor Walikota"
    return f"{kantor} {kota.nama_resmi}"


def _npwp_satker(skpd: Skpd) -> str:
    """An agency's (not a person's) 15-digit NPWP, fixed per satker."""
    return f"00{(skpd.kd_satker * 7919) % 10**7:07d}073000"


def _kuantitas(rng: random.Random) -> float:
    if rng.random() < 0.1:
        return rng.randint(1, 40) + 0.5  # kg, litres: halves are common
    return float(max(1, int(rng.lognormvariate(2.3, 1.1))))


def tulis_v5(config: SynthConfig, tahun: int, sirup: HasilSirup, katalog: Katalog,
             out_dir: Path, produk_dipakai: set[int]) -> tuple[str, int]:
    """Write the year's v5 packages, one CSV row per product line."""
    rng = config.rng("ekatalog_v5", tahun)
    pemilih_penyedia = _Pemilih(katalog.penyedia_v5, katalog.bobot_v5)
    # Like kd_rup, v5's kd_paket is a national sequence: a block per year, ascending.
    langkah = 3
    kd_paket = 11_000_000 + config.years.index(tahun) * config.paket_v5 * langkah
    ppk_per_satker = {s.kode: [(rng.randrange(400_000, 480_000_000),
                                identifiers.nip(rng, tahun)) for _ in range(3)]
                      for s in SKPD_DKI}
    relatif = f"lkpp/ecat_paket_v5_{tahun}.csv"
    with CsvWriter(out_dir / relatif, list(KOLOM_V5)) as out:
        for _ in range(config.paket_v5):
            kd_paket += rng.randint(1, langkah)
            skpd = _PEMILIH_SKPD.pilih(rng)
            kd_rup = _kd_rup_order(rng, skpd, sirup)
            template, nama_paket = paket_untuk(skpd, kd_rup)
            vendor = katalog.penyedia[pemilih_penyedia.pilih(rng)]
            distributor = katalog.penyedia[pemilih_penyedia.pilih(rng)] if rng.random() < 0.3 \
                else vendor
            jenis = min(len(vendor.produk_v5), rng.randint(1, 6))
            produk = rng.sample(vendor.produk_v5, jenis)
            produk_dipakai.update(produk)
            dibuat = _tanggal_order(rng, tahun)
            diubah = dibuat + dt.timedelta(days=rng.randint(0, 10))
            selesai = rng.random() < (0.8 if tahun < config.tahun_terakhir else 0.6)
            kd_user_ppk, nip_ppk = rng.choice(ppk_per_satker[skpd.kode])
            kabupaten = KD_KABUPATEN_EKATALOG[skpd.kode_kota or "31.71"]
            awal_baris = [
                tahun, KD_KLPD_DKI, skpd.kd_satker,
                skpd.nama if rng.random() < 0.3 else None,
                _alamat_satker(skpd), _npwp_satker(skpd), kd_paket,
                f"SRM-P{dibuat:%y%m}-{kd_paket}", nama_paket, kd_rup,
                rng.choices(("APBD", "APBDP", "BLUD"), (80, 15, 5 if skpd.blud else 0))[0],
                _kode_kegiatan(rng, skpd, template.rekening) + ".",
            ]
            pengguna = [rng.randrange(400_000, 480_000_000), kd_user_ppk, nip_ppk,
                        rng.choice(("-", "PPK", "Pejabat Pembuat Komitmen")),
                        dibuat.isoformat(), diubah.isoformat(), None,
                        "selesai" if selesai else rng.choice(STATUS_PAKET_PROSES),
                        "Paket Selesai" if selesai else "Paket Proses",
                        rng.choice(CATATAN_PRODUK), KD_PROVINSI_EKATALOG_DKI, kabupaten]
            for indeks in produk:
                p = katalog.produk[indeks]
                kuantitas = _kuantitas(rng)
                harga_satuan = float(p.harga)
                # Both factors are whole or half numbers far below 2**53: the float
                # product is exact, so total_harga == kuantitas * harga_satuan holds.
                out.write([
                    *awal_baris, p.jenis.kd_komoditas, p.kd_produk, vendor.kd_penyedia,
                    distributor.kd_penyedia, jenis, kuantitas, harga_satuan, 0.0,
                    kuantitas * harga_satuan, *pengguna,
                ])
    return relatif, out.rows
