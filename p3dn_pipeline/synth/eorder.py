"""BPPBJ DKI's e-Order: purchases of at most Rp50 juta from Jakpreneur UMKM (since 2020).

One file per fiscal year, ``eorder/eorder_<tahun>.xlsx``; the first year of a run of
several was exported as CSV (``;``, Indonesian numbers, dates as text). One row per order.
Every order starts from a SiRUP package of that year (``Kode RUP``), preferably a small
E-Purchasing or Pengadaan Langsung one, bought by the package's SKPD and worth at most
Rp50 juta and at most what is left of the package's pagu; about 3 % of orders carry a Kode
RUP SiRUP does not hold (typed wrong, or of another year). Sellers are drawn from the
Jakpreneur pool (``jakpreneur``), so they overlap with KPKP-mentored businesses (by NIB)
and with business-matching participants. Mostly Selesai, some Proses or Dibatalkan.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from pathlib import Path

from p3dn_pipeline.synth import formats
from p3dn_pipeline.synth.config import SynthConfig
from p3dn_pipeline.synth.ekatalog import KD_RUP_LUAR_SIRUP
from p3dn_pipeline.synth.jakpreneur import UsahaJakpreneur, tulis_npwp
from p3dn_pipeline.synth.organisations import SKPD_DKI
from p3dn_pipeline.synth.sirup import KD_METODE, HasilSirup
from p3dn_pipeline.synth.writers import CsvWriter, new_workbook

KOLOM = (
    "No Order", "Tanggal Order", "Kode RUP", "Kode SKPD", "Nama SKPD", "Nama Usaha", "NIB",
    "NPWP", "ID Jakpreneur", "Nama Pemilik", "Nilai Order (Rp)", "Status",
)
NILAI_MAKS = 50_000_000
NILAI_MIN = 250_000
STATUS = (("Selesai", 86), ("Proses", 9), ("Dibatalkan", 5))
PORSI_TANPA_SIRUP = 0.03
# Packages a UMKM order fits: small ones first, as e-Order exists for them.
_PAGU_KECIL = 200_000_000
_BOBOT_BULAN = (3, 6, 8, 8, 9, 9, 9, 10, 10, 11, 11, 8)


def _paket_sumber(sirup: HasilSirup) -> tuple[list[tuple[str, int, int]], list[float]]:
    """(kode SKPD, kd_rup, pagu) of the packages orders can start from, with weights that
    favour small E-Purchasing and Pengadaan Langsung packages."""
    paket, bobot = [], []
    for skpd in SKPD_DKI:
        ep, lain = sirup.e_purchasing[skpd.kode], sirup.pemilihan[skpd.kode]
        calon = [(kd, pagu, True) for kd, pagu in zip(ep.kd_rup, ep.pagu)]
        calon += [(kd, pagu, metode == KD_METODE["Pengadaan Langsung"])
                  for kd, pagu, metode in zip(lain.kd_rup, lain.pagu, lain.kd_metode)]
        for kd, pagu, cocok in calon:
            if pagu < NILAI_MIN:
                continue
            paket.append((skpd.kode, kd, pagu))
            bobot.append((10.0 if pagu <= _PAGU_KECIL else 1.0) * (1.0 if cocok else 0.1))
    return paket, bobot


def tulis_eorder(config: SynthConfig, tahun: int, sirup: HasilSirup,
                 pool: tuple[UsahaJakpreneur, ...], out_dir: Path) -> tuple[str, int]:
    rng = config.rng("eorder", tahun)
    paket, bobot = _paket_sumber(sirup)
    kumulatif = list(itertools.accumulate(bobot))  # one pick stays cheap at any scale
    nama_skpd = {s.kode: s.nama for s in SKPD_DKI}
    sisa: dict[int, int] = {}  # what is left of a package's pagu
    pemilih_status = ([s for s, _ in STATUS], [w for _, w in STATUS])
    isi = []
    while len(isi) < config.order_eorder:
        kode_skpd, kd_rup, pagu = rng.choices(paket, cum_weights=kumulatif)[0]
        tersisa = sisa.setdefault(kd_rup, pagu)
        batas = min(NILAI_MAKS, tersisa)
        if batas < NILAI_MIN:
            continue
        nilai = int(round(min(batas, max(NILAI_MIN, rng.lognormvariate(16.1, 0.8))), -3))
        sisa[kd_rup] = tersisa - nilai
        if rng.random() < PORSI_TANPA_SIRUP:
            kd_rup = rng.randrange(*KD_RUP_LUAR_SIRUP)
        bulan = rng.choices(range(1, 13), _BOBOT_BULAN)[0]
        tanggal = dt.date(tahun, bulan, rng.randint(1, 28))
        isi.append({"tanggal": tanggal, "kd_rup": kd_rup, "kode_skpd": kode_skpd,
                    "usaha": rng.choice(pool), "nilai": nilai,
                    "status": rng.choices(*pemilih_status)[0]})
    isi.sort(key=lambda o: o["tanggal"])  # numbered in the order they were placed
    for nomor, order in enumerate(isi, start=1):
        order["no_order"] = f"EO/{tahun}/{order['tanggal']:%m}/{nomor:05d}"
    if len(config.years) > 1 and tahun == config.years[0]:
        return _tulis_csv(rng, out_dir, tahun, isi, nama_skpd)
    return _tulis_xlsx(rng, out_dir, tahun, isi, nama_skpd)


def _npwp(usaha: UsahaJakpreneur) -> str:
    return tulis_npwp(usaha.npwp) if usaha.npwp is not None else ""


def _tulis_xlsx(rng: random.Random, out_dir: Path, tahun: int, isi: list[dict],
                nama_skpd: dict[str, str]) -> tuple[str, int]:
    relatif = f"eorder/eorder_{tahun}.xlsx"
    workbook = new_workbook(out_dir / relatif, dt.datetime(tahun + 1, 1, 8, 9, 0))
    tebal = workbook.add_format({"bold": True})
    format_tanggal = workbook.add_format({"num_format": "dd/mm/yyyy"})
    # A sheet holds 1,048,576 rows; xlsxwriter drops rows past that without a word (scale
    # 100 lost 451,425 of 1.5 million). Past it the orders go on in a next sheet, as an
    # export this large would have to, and the pipeline stacks every sheet of the dataset.
    for bagian, awal in enumerate(range(0, max(len(isi), 1), BARIS_PER_SHEET), start=1):
        _tulis_sheet(rng, workbook, f"e-Order {tahun}" + (f" ({bagian})" if bagian > 1 else ""),
                     isi[awal:awal + BARIS_PER_SHEET], nama_skpd, tebal, format_tanggal)
    workbook.close()
    return relatif, len(isi)


# Excel's 1,048,576 rows, less the header row.
BARIS_PER_SHEET = 1_048_575


def _tulis_sheet(rng: random.Random, workbook, nama_sheet: str, isi: list[dict],
                 nama_skpd: dict[str, str], tebal, format_tanggal) -> None:
    sheet = workbook.add_worksheet(nama_sheet)
    for kolom, judul in enumerate(KOLOM):
        sheet.write_string(0, kolom, judul, tebal)
    for r, order in enumerate(isi, start=1):
        usaha = order["usaha"]
        sheet.write_string(r, 0, order["no_order"])
        if rng.random() < 0.6:
            sheet.write_datetime(r, 1, dt.datetime.combine(order["tanggal"], dt.time()),
                                 format_tanggal)
        else:
            sheet.write_string(r, 1, formats.format_tanggal(
                order["tanggal"], rng.choice(("long", "long_day", "slash"))))
        sheet.write_number(r, 2, order["kd_rup"])
        sheet.write_string(r, 3, order["kode_skpd"])
        sheet.write_string(r, 4, nama_skpd[order["kode_skpd"]])
        sheet.write_string(r, 5, usaha.nama_usaha)
        if usaha.nib is not None:
            sheet.write_string(r, 6, usaha.nib)
        if usaha.npwp is not None:
            sheet.write_string(r, 7, _npwp(usaha))
        sheet.write_string(r, 8, usaha.id_jakpreneur)
        sheet.write_string(r, 9, usaha.nama_pemilik)
        if rng.random() < 0.2:
            sheet.write_string(r, 10, formats.format_rupiah(order["nilai"], "rp_space"))
        else:
            sheet.write_number(r, 10, order["nilai"])
        sheet.write_string(r, 11, order["status"])


def _tulis_csv(rng: random.Random, out_dir: Path, tahun: int, isi: list[dict],
               nama_skpd: dict[str, str]) -> tuple[str, int]:
    relatif = f"eorder/eorder_{tahun}.csv"
    with CsvWriter(out_dir / relatif, list(KOLOM), delimiter=";") as out:
        for order in isi:
            usaha = order["usaha"]
            out.write([
                order["no_order"],
                formats.format_tanggal(order["tanggal"], rng.choice(("long", "slash"))),
                order["kd_rup"], order["kode_skpd"], nama_skpd[order["kode_skpd"]],
                usaha.nama_usaha, usaha.nib or "", _npwp(usaha), usaha.id_jakpreneur,
                usaha.nama_pemilik,
                formats.format_rupiah(order["nilai"], rng.choice(("plain_id", "rp_space"))),
                order["status"],
            ])
        return relatif, out.rows
