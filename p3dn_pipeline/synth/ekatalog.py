"""E-katalog orders: Ecat-PaketEPurchasingV6 (one row per order) and the older v5 export
(one row per product line, ``kd_paket`` repeating), written together in one pass.

Orders are made against SiRUP's announced E-Purchasing packages and no others (either
casing of ``metode_pengadaan``), as a PPK can only order in the catalogue against an
E-Purchasing line of the plan. Going satker by satker through those packages
(``sirup.PaketEPurchasing``), an ordered package gets one to three orders, now and then one
of them an old-catalogue v5 package, that together come to 52-100 % of its pagu (nine in
ten 80-100 %) and never more: a PPK cannot commit more than the budget line holds. Every
order is worth Rp700 ribu to Rp15 miliar; the packages' pagu (``sirup``, ``nomenklatur``) is
what gives the order values their real spread (median around Rp90 juta).

The headline "realisasi komitmen P3DN" (transacted e-katalog value on committed PDN
packages / pagu of all committed PDN packages, README "Definitions") is E-Purchasing's
share of the PDN pagu (about 0.9) x the share of those packages ordered x the share of
their pagu ordered x the share of orders not cancelled or stuck in review. Which committed
PDN packages get orders is random, but held to the year's realisation rate
(``tingkat_realisasi``, 60-76 %, like the 71,8 % and 62,61 % Pemprov DKI published): a
package is ordered when a random part of what it would add still fits under rate x
komitmen PDN x the share of the commitment's E-Purchasing pagu gone through so far. A
cancelled order or a big package is so made up by the next ones, and the small committed
sample lands on the rate like a large one. The rate steps through the seed's golden-ratio
sequence, so two consecutive years always differ by 6-10 points. Other E-Purchasing
packages (not committed, or Impor) are ordered nine times in ten.

About 15 % of orders carry a ``kd_rup`` SiRUP's export does not hold (packages of other
years, deleted ones, typing slips), as real data does; their value has its own spread
(log-normal, median Rp90 juta), and mentored businesses win a few small ones. Field sets
and JSON types are those of the real exports.

Dirt the pipeline must handle: when two consecutive fiscal years are generated, one order
placed in late December on the next year's budget appears in both years' v6 files with
the same ``kd_paket`` (the export pulled by order date and the one pulled by fiscal year
overlap; the later copy has moved on from ON_PROCESS to COMPLETED). The pipeline keeps the
newer copy and quarantines the other as ``duplicate_key``.
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
from p3dn_pipeline.synth.katalog import (
    KD_KABUPATEN_EKATALOG, KD_PROVINSI_EKATALOG_DKI, Katalog, Penyedia)
from p3dn_pipeline.synth.nomenklatur import paket_untuk
from p3dn_pipeline.synth.organisations import (
    JENIS_INSTANSI, KD_KLPD_DKI, NAMA_INSTANSI, SKPD_DKI, Skpd)
from p3dn_pipeline.synth.sirup import HasilSirup
from p3dn_pipeline.synth.writers import CsvWriter, JsonArrayWriter

# kd_rup outside DKI's SiRUP block (sirup.KD_RUP_AWAL and up): never in the export.
KD_RUP_LUAR_SIRUP = (30_000_000, 50_000_000)
PORSI_TANPA_RUP = 0.15
# After each order on a package, an order without a SiRUP package follows with this chance,
# so that 15 % of all orders have none.
_PELUANG_TANPA_RUP = PORSI_TANPA_RUP / (1 - PORSI_TANPA_RUP)
PELUANG_V5 = 0.1  # the old catalogue: about a tenth of e-katalog packages
JUMLAH_ORDER_PER_PAKET = ((1, 0.66), (2, 0.26), (3, 0.08))
# The year's realisation of the PDN commitment, and how often other packages are ordered.
REALISASI_MIN, REALISASI_MAKS = 0.60, 0.76
PELUANG_DIPESAN_LAIN = 0.9
_RASIO_EMAS = (math.sqrt(5) - 1) / 2

# By the time a year's export is pulled (early January) most orders are through; about 6 %
# are cancelled or still stuck in negotiation or review, and do not count as transacted.
STATUS_PKT = (
    ("COMPLETED", 44), ("ON_PROCESS", 30), ("PAYMENT_OUTSIDE_SYSTEM", 18),
    ("ON_ADDENDUM", 2), ("ON_NEGOTIATION", 1.0), ("WAITING_PPK_REVIEW", 0.8),
    ("WAITING_SELLER_CONFIRMATION", 0.6), ("ESIGN_IN_PROGRESS", 0.5),
    ("CANCELLED", 1.6), ("CANCELLED_ON_NEGOTIATION", 0.8), ("CANCELLED_ON_REVIEW", 0.5),
    ("REQUEST_CANCEL_BY_ADMIN", 0.2),
)
# Orders pile up towards December, when budgets must be spent.
BOBOT_BULAN = (4, 6, 7, 8, 8, 8, 9, 9, 10, 10, 11, 10)
TOTAL_HARGA_MIN, TOTAL_HARGA_MAX = 700_000, 15_000_000_000
# Mentored businesses win small orders, mostly from the Dinas that mentor them.
_BATAS_ORDER_BINAAN = 100_000_000
_BIDANG_PEMBINA = ("pangan", "umkm")


class _Pemilih:
    """Weighted choice by bisecting cumulative weights: one random() per pick."""

    def __init__(self, pilihan, bobot) -> None:
        self.pilihan = list(pilihan)
        self._kumulatif = list(itertools.accumulate(bobot))

    def pilih(self, rng: random.Random):
        titik = rng.random() * self._kumulatif[-1]
        return self.pilihan[bisect.bisect_right(self._kumulatif, titik)]


# What LKPP's dashboards (and the pipeline) count as transacted.
STATUS_BERTRANSAKSI = frozenset(("ON_PROCESS", "ON_ADDENDUM", "COMPLETED",
                                 "PAYMENT_OUTSIDE_SYSTEM"))
_PEMILIH_STATUS = _Pemilih([s for s, _ in STATUS_PKT], [w for _, w in STATUS_PKT])
# Month of an order, given the month the package's selection starts (index 1-12).
_PEMILIH_BULAN_DARI = [None] + [_Pemilih(range(awal, 13), BOBOT_BULAN[awal - 1:])
                                for awal in range(1, 13)]
_PEMILIH_SKPD = _Pemilih(SKPD_DKI, [s.bobot for s in SKPD_DKI])
_PEMILIH_SKPD_PEMBINA = _Pemilih([s for s in SKPD_DKI if s.bidang in _BIDANG_PEMBINA],
                                 [s.bobot for s in SKPD_DKI if s.bidang in _BIDANG_PEMBINA])
_PEMILIH_JUMLAH_ORDER = _Pemilih([n for n, _ in JUMLAH_ORDER_PER_PAKET],
                                 [w for _, w in JUMLAH_ORDER_PER_PAKET])


def tingkat_realisasi(config: SynthConfig, tahun: int) -> float:
    """The year's realisation of the PDN commitment the orders are held to: a point of the
    seed's golden-ratio sequence in 60-76 %, so neighbouring years differ by 6-10 points."""
    fase = (config.rng("tingkat_realisasi").random() + tahun * _RASIO_EMAS) % 1.0
    return REALISASI_MIN + (REALISASI_MAKS - REALISASI_MIN) * fase


def _porsi_dipesan(rng: random.Random) -> float:
    """Share of a package's pagu its orders come to: mostly 80-100 %, at least 52 %."""
    if rng.random() < 0.9:
        return rng.uniform(0.8, 1.0)
    return rng.uniform(0.52, 0.8)


def bagi_nilai(rng: random.Random, total: int, jumlah: int) -> list[int]:
    """``total`` split unevenly into ``jumlah`` orders (fewer or more when an order would
    fall outside Rp700 ribu-Rp15 miliar); the parts add up to at most ``total``."""
    jumlah = max(-(-total // TOTAL_HARGA_MAX), min(jumlah, total // TOTAL_HARGA_MIN))
    bobot = [rng.randint(30, 100) for _ in range(jumlah)]
    bagian = [total * b // sum(bobot) for b in bobot]
    if all(TOTAL_HARGA_MIN <= x <= TOTAL_HARGA_MAX for x in bagian):
        return bagian
    return [total // jumlah] * jumlah


def _tanggal_order(rng: random.Random, tahun: int, bulan_awal: int = 1) -> dt.date:
    """An order date from the month the package's selection starts to December."""
    if bulan_awal == 1 and rng.random() < 0.003:  # late December, on next year's budget
        return dt.date(tahun - 1, 12, rng.randint(15, 31))
    bulan = _PEMILIH_BULAN_DARI[bulan_awal].pilih(rng)
    hari_dalam_bulan = (dt.date(tahun + bulan // 12, bulan % 12 + 1, 1)
                        - dt.date(tahun, bulan, 1)).days
    return dt.date(tahun, bulan, rng.randint(1, hari_dalam_bulan))


def _nilai_tanpa_rup(rng: random.Random, binaan: bool) -> int:
    median = 12_000_000 if binaan else 90_000_000
    nilai = rng.lognormvariate(math.log(median), 0.8 if binaan else 1.3)
    return int(min(TOTAL_HARGA_MAX, max(TOTAL_HARGA_MIN, nilai)))


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


def _order_v6(rng: random.Random, tahun: int, skpd: Skpd, kd_rup: int, vendor: Penyedia,
              total_harga: int, tanggal: dt.date, katalog: Katalog,
              produk_dipakai: set[int], status: str | None = None) -> dict:
    """One v6 order row; adds its products to ``produk_dipakai``."""
    template, nama_paket = paket_untuk(skpd, kd_rup)
    jenis = min(len(vendor.produk_v6), rng.choice((1, 1, 1, 2, 2, 3, 4, 6, 9)))
    produk = rng.sample(vendor.produk_v6, jenis)
    produk_dipakai.update(produk)
    waktu = dt.datetime.combine(tanggal, dt.time(rng.randint(1, 12), rng.randrange(60),
                                                 rng.randrange(60)))
    status = status or _PEMILIH_STATUS.pilih(rng)
    return {
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
    }


def order_tumpang(config: SynthConfig, tahun_anggaran: int, katalog: Katalog,
                  produk_dipakai: set[int], salinan_baru: bool) -> dict:
    """The order of fiscal year ``tahun_anggaran`` placed in late December of the year
    before, which both years' v6 exports hold. Built from its own random stream, so the
    two jobs writing it agree on every field; the newer copy (``salinan_baru``, in the
    file of ``tahun_anggaran``) shows it completed, the older one still in process."""
    rng = config.rng("ekatalog_tumpang", tahun_anggaran)
    skpd = _PEMILIH_SKPD.pilih(rng)
    vendor = katalog.penyedia[_Pemilih(katalog.penyedia_v6, katalog.bobot_v6).pilih(rng)]
    kd_rup = rng.randrange(*KD_RUP_LUAR_SIRUP)
    tanggal = dt.date(tahun_anggaran - 1, 12, rng.randint(20, 30))
    row = _order_v6(rng, tahun_anggaran, skpd, kd_rup, vendor,
                    _nilai_tanpa_rup(rng, False), tanggal, katalog, produk_dipakai,
                    status="ON_PROCESS")
    if salinan_baru:
        row["status_pkt"] = row["status_pengiriman"] = "COMPLETED"
    else:
        row["status_pengiriman"] = "PROCESSING"
    return row


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
# A v5 package's lines are whole (now and then half) units at the catalogue price, filled
# up to the order's value: only products at most 1/50 of it qualify, so the lines come to
# at least 98 % of the value and never more.
_PECAHAN_HARGA_V5 = 50
_NILAI_MIN_V5 = 1_000_000


def _alamat_satker(skpd: Skpd) -> str:
    if skpd.kode_kota is None:
        return "Jl. Medan Merdeka Selatan No. 8-9, Gambir, Jakarta Pusat"
    kota = next(k for k in load_kota() if k.kode == skpd.kode_kota)
    kantor = "Kantor Bupati" if kota.is_kabupaten else "Kantor Walikota"
    return f"{kantor} {kota.nama_resmi}"


def _npwp_satker(skpd: Skpd) -> str:
    """An agency's (not a person's) 15-digit NPWP, fixed per satker."""
    return f"00{(skpd.kd_satker * 7919) % 10**7:07d}073000"


def _isi_kuantitas(rng: random.Random, harga: list[int], nilai: int) -> list[float]:
    """Quantities of products priced ``harga`` (each at most nilai / 50) whose lines add up
    to between 98 % and 100 % of ``nilai``."""
    bobot = [rng.randint(20, 100) for _ in harga]
    kuantitas = [nilai * b // sum(bobot) // h for b, h in zip(bobot, harga)]
    termurah = min(range(len(harga)), key=harga.__getitem__)
    sisa = nilai - sum(q * h for q, h in zip(kuantitas, harga))
    kuantitas[termurah] += sisa // harga[termurah]
    hasil = [float(q) for q in kuantitas]
    sisa = nilai - sum(q * h for q, h in zip(kuantitas, harga))
    baris = rng.randrange(len(harga))
    if rng.random() < 0.1 and 2 * sisa >= harga[baris]:
        hasil[baris] += 0.5  # kg, litres: halves are common
    return hasil


class _PenulisV5:
    """The year's v5 CSV: one package at a time, ascending kd_paket."""

    def __init__(self, config: SynthConfig, tahun: int, katalog: Katalog, out_dir: Path,
                 produk_dipakai: set[int]) -> None:
        self.rng = config.rng("ekatalog_v5", tahun)
        self.tahun = tahun
        self.katalog = katalog
        self.produk_dipakai = produk_dipakai
        self.selesai_peluang = 0.8 if tahun < config.tahun_terakhir else 0.6
        self.pemilih_penyedia = _Pemilih(katalog.penyedia_v5, katalog.bobot_v5)
        # Like kd_rup, v5's kd_paket is a national sequence: a block per year, ascending,
        # with room for many more packages than a year has.
        self.langkah = 3
        blok = max(10_000, 12 * config.paket_v5 * self.langkah)
        self.kd_paket = 11_000_000 + config.years.index(tahun) * blok
        self.kd_paket_batas = self.kd_paket + blok
        self.ppk_per_satker = {s.kode: [(self.rng.randrange(400_000, 480_000_000),
                                         identifiers.nip(self.rng, tahun)) for _ in range(3)]
                               for s in SKPD_DKI}
        self.relatif = f"lkpp/ecat_paket_v5_{tahun}.csv"
        self.out = CsvWriter(out_dir / self.relatif, list(KOLOM_V5))

    def tulis(self, skpd: Skpd, kd_rup: int, nilai: int, bulan_awal: int) -> int:
        """Write a package worth at most ``nilai`` (and at least 98 % of it) and return its
        value; 0, with nothing written, when no v5 vendor sells something cheap enough."""
        rng = self.rng
        if nilai < _NILAI_MIN_V5:
            return 0
        for _ in range(3):
            vendor = self.katalog.penyedia[self.pemilih_penyedia.pilih(rng)]
            cocok = [i for i in vendor.produk_v5
                     if self.katalog.produk[i].harga * _PECAHAN_HARGA_V5 <= nilai]
            if cocok:
                break
        else:
            return 0
        self.kd_paket += rng.randint(1, self.langkah)
        if self.kd_paket >= self.kd_paket_batas:
            raise RuntimeError("v5 kd_paket block of the year is full")
        kd_paket = self.kd_paket
        template, nama_paket = paket_untuk(skpd, kd_rup)
        distributor = self.katalog.penyedia[self.pemilih_penyedia.pilih(rng)] \
            if rng.random() < 0.3 else vendor
        jenis = min(len(cocok), rng.randint(1, 6))
        produk = rng.sample(cocok, jenis)
        self.produk_dipakai.update(produk)
        harga = [self.katalog.produk[i].harga for i in produk]
        kuantitas = _isi_kuantitas(rng, harga, nilai)
        dibuat = _tanggal_order(rng, self.tahun, bulan_awal)
        diubah = dibuat + dt.timedelta(days=rng.randint(0, 10))
        selesai = rng.random() < self.selesai_peluang
        kd_user_ppk, nip_ppk = rng.choice(self.ppk_per_satker[skpd.kode])
        kabupaten = KD_KABUPATEN_EKATALOG[skpd.kode_kota or "31.71"]
        awal_baris = [
            self.tahun, KD_KLPD_DKI, skpd.kd_satker,
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
        for indeks, q, h in zip(produk, kuantitas, harga):
            p = self.katalog.produk[indeks]
            harga_satuan = float(h)
            # Both factors are whole or half numbers far below 2**53: the float
            # product is exact, so total_harga == kuantitas * harga_satuan holds.
            self.out.write([
                *awal_baris, p.jenis.kd_komoditas, p.kd_produk, vendor.kd_penyedia,
                distributor.kd_penyedia, jenis, q, harga_satuan, 0.0, q * harga_satuan,
                *pengguna,
            ])
        return int(sum(q * h for q, h in zip(kuantitas, harga)))

    def close(self) -> None:
        self.out.close()


def tulis_ekatalog(config: SynthConfig, tahun: int, sirup: HasilSirup, katalog: Katalog,
                   out_dir: Path, produk_dipakai: set[int],
                   order_binaan: list[dict] | None = None) -> list[tuple[str, int]]:
    """Write the year's v6 orders and v5 packages; adds the products they use to
    ``produk_dipakai`` and the v6 orders won by mentored businesses to ``order_binaan``
    (what business matching's Transaksi rows point at); returns the (file, rows) written."""
    rng = config.rng("ekatalog", tahun)       # which packages, how much, which catalogue
    rng_v6 = config.rng("ekatalog_v6", tahun)  # the fields of each v6 order
    pemilih_penyedia = _Pemilih(katalog.penyedia_v6, katalog.bobot_v6)
    relatif_v6 = f"lkpp/ecat_paket_v6_{tahun}.json"
    v5 = _PenulisV5(config, tahun, katalog, out_dir, produk_dipakai)

    def tulis_order(skpd: Skpd, kd_rup: int, nilai: int, bulan_awal: int,
                    vendor: Penyedia | None = None) -> int:
        """Write a v5 package or v6 order; returns the value it realises (transacted)."""
        if vendor is None and rng.random() < PELUANG_V5:
            nilai_v5 = v5.tulis(skpd, kd_rup, nilai, bulan_awal)
            if nilai_v5:
                return nilai_v5  # every v5 package exported is in process or done
        if vendor is None:
            vendor = katalog.penyedia[pemilih_penyedia.pilih(rng_v6)]
        row = _order_v6(rng_v6, tahun, skpd, kd_rup, vendor, nilai,
                        _tanggal_order(rng_v6, tahun, bulan_awal), katalog, produk_dipakai)
        out.write(row)
        if vendor.binaan is not None and order_binaan is not None:
            order_binaan.append({**row, "penyedia": vendor})
        return nilai if row["status_pkt"] in STATUS_BERTRANSAKSI else 0

    def tulis_order_tanpa_rup() -> None:
        kd_rup = rng.randrange(*KD_RUP_LUAR_SIRUP)
        if rng.random() < 0.02:  # a mentored business's small sale (food, seedlings)
            pembina = rng.random() < 0.7
            skpd = (_PEMILIH_SKPD_PEMBINA if pembina else _PEMILIH_SKPD).pilih(rng)
            vendor = katalog.penyedia[rng.choice(katalog.penyedia_binaan_v6)]
            tulis_order(skpd, kd_rup, _nilai_tanpa_rup(rng, True), 1, vendor)
        else:
            tulis_order(_PEMILIH_SKPD.pilih(rng), kd_rup, _nilai_tanpa_rup(rng, False), 1)

    # Committed PDN packages: ordered while the transacted value so far stays under the
    # year's rate x komitmen PDN x the share of its E-Purchasing pagu gone through (see the
    # module docstring). Other E-Purchasing packages: nine times in ten.
    sasaran_per_pagu = (tingkat_realisasi(config, tahun) * sirup.komitmen_pdn
                        / sirup.komitmen_pdn_e_purchasing
                        if sirup.komitmen_pdn_e_purchasing else 0.0)
    pagu_dilihat = terealisasi = 0
    with JsonArrayWriter(out_dir / relatif_v6) as out:
        if tahun - 1 in config.years:  # the newer copy of last year's overlapping order
            out.write(order_tumpang(config, tahun, katalog, produk_dipakai, True))
        for skpd in SKPD_DKI:
            paket = sirup.e_purchasing[skpd.kode]
            peluang_binaan = 0.3 if skpd.bidang in _BIDANG_PEMBINA else 0.02
            for kd_rup, pagu, bulan_awal, komitmen_pdn in zip(
                    paket.kd_rup, paket.pagu, paket.bulan_pilih, paket.komitmen_pdn):
                total = int(pagu * _porsi_dipesan(rng))
                if komitmen_pdn:
                    pagu_dilihat += pagu
                    if terealisasi + total * rng.random() > sasaran_per_pagu * pagu_dilihat:
                        continue
                elif rng.random() >= PELUANG_DIPESAN_LAIN:
                    continue
                for nilai in bagi_nilai(rng, total, _PEMILIH_JUMLAH_ORDER.pilih(rng)):
                    vendor = None
                    if nilai <= _BATAS_ORDER_BINAAN and rng.random() < peluang_binaan:
                        vendor = katalog.penyedia[rng.choice(katalog.penyedia_binaan_v6)]
                    nilai_transaksi = tulis_order(skpd, kd_rup, nilai, bulan_awal, vendor)
                    if komitmen_pdn:
                        terealisasi += nilai_transaksi
                    if rng.random() < _PELUANG_TANPA_RUP:
                        tulis_order_tanpa_rup()
        if tahun + 1 in config.years:  # the older copy of next year's overlapping order
            out.write(order_tumpang(config, tahun + 1, katalog, produk_dipakai, False))
    v5.close()
    return [(relatif_v6, out.rows), (v5.relatif, v5.out.rows)]
