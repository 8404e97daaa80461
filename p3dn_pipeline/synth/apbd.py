"""APBD realisation export (BPKD / SIPD "Laporan Realisasi Anggaran"), one line per
SKPD x kode rekening x month.

Budgets agree with SiRUP's budget structure of the same year: per SKPD, accounts 5.1.02.*
add up to belanja_operasi, 5.2.* to belanja_modal, 5.3 to belanja_btt, and 5.1.01 + 5.1.05
+ 5.1.06 to belanja_non_pengadaan, exactly. ``Anggaran`` is the account's yearly budget
(repeated on each month's line); ``Realisasi`` is what was spent in that month.

The main file is a semicolon CSV typed the way Indonesian spreadsheets export: numbers as
``1.234.567``, ``Rp 1.234.567,-`` or ``1.234.567,89``; months as names, sometimes short or
in old spelling (``Pebruari``); codes now and then with a trailing dot or space. For the
latest year, two Suku Dinas send their own XLSX instead (numeric cells, ``Periode`` as a
date cell or as a bare Excel serial number); they are left out of that year's CSV.

Dirt real LRA exports carry, which the pipeline must quarantine rather than sum, a few
lines per CSV and the same lines for the same seed:

- subtotal lines (``SUBTOTAL_PER_FILE``): the LRA report is a tree, and exporting it keeps
  the group rows above their details, e.g. ``5.1.02`` Belanja Barang dan Jasa or
  ``5.1.02.01`` Belanja Barang, carrying the sum of the SKPD's detail lines below them for
  that month (budget and spending). A code with fewer than six levels is such a line;
  summed with the details it would count spending twice (``subtotal_line_not_six_levels``).
- ``#REF!`` in Realisasi (``REF_PER_FILE``): a spreadsheet formula whose source cells were
  deleted before the sheet was saved as CSV leaves Excel's error text in place of the
  number (``spreadsheet_error``).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

from p3dn_pipeline.synth import formats
from p3dn_pipeline.synth.config import SynthConfig
from p3dn_pipeline.synth.nomenklatur import (
    BANSOS, BARANG_JASA, BTT, HIBAH, MODAL, PEGAWAI, KelompokRekening,
    kelompok_rekening_untuk)
from p3dn_pipeline.synth.organisations import SKPD_DKI, Skpd
from p3dn_pipeline.synth.sirup import StrukturAnggaran
from p3dn_pipeline.synth.writers import CsvWriter, new_workbook

KOLOM_CSV = ("Kode SKPD", "Nama SKPD", "Kode Rekening", "Uraian", "Anggaran", "Realisasi",
             "Bulan", "Tahun")
KOLOM_XLSX = ("Kode SKPD", "Nama SKPD", "Kode Rekening", "Uraian", "Anggaran", "Realisasi",
              "Periode")
# Suku Dinas KPKP Jakarta Utara and Suku Dinas PPKUKM Jakarta Selatan report by XLSX.
SKPD_LAPORAN_XLSX = ("2.09.3.25.0.00.10.0002", "2.17.3.30.3.31.11.0004")

# How spending spreads over the year, by kind: salaries flat with the 13th-month pay in
# June, goods and services rising to December, capital works paid mostly at the end,
# social aid in quarterly tranches.
_POLA_BULANAN = {
    PEGAWAI: (1, 1, 1, 1, 1, 2, 1, 1, 1, 1, 1, 1),
    BARANG_JASA: (2, 4, 6, 7, 8, 8, 8, 9, 9, 10, 11, 18),
    MODAL: (0, 1, 2, 3, 5, 6, 7, 8, 10, 12, 16, 30),
    HIBAH: (0, 5, 10, 10, 10, 10, 10, 10, 10, 10, 10, 5),
    BANSOS: (0, 0, 25, 0, 0, 25, 0, 0, 25, 0, 0, 25),
}
# Share of the yearly budget actually spent, by kind (low, high).
_PENYERAPAN = {PEGAWAI: (0.90, 0.99), BARANG_JASA: (0.65, 0.95), MODAL: (0.45, 0.92),
               HIBAH: (0.85, 1.0), BANSOS: (0.85, 1.0), BTT: (0.05, 0.5)}
# How many of an SKPD's accounts fall in each kind (when it has that kind at all).
_PORSI_JUMLAH_AKUN = {PEGAWAI: 0.12, BARANG_JASA: 0.55, MODAL: 0.25, HIBAH: 0.04,
                      BANSOS: 0.04, BTT: 0.0}
# Group rows of the LRA tree that leak into exports as subtotal lines, with their names.
URAIAN_SUBTOTAL = {
    "5.1.01": "Belanja Pegawai",
    "5.1.02": "Belanja Barang dan Jasa",
    "5.1.02.01": "Belanja Barang",
    "5.1.02.02": "Belanja Jasa",
    "5.1.02.03": "Belanja Pemeliharaan",
    "5.2.02": "Belanja Modal Peralatan dan Mesin",
    "5.2.03": "Belanja Modal Gedung dan Bangunan",
}
SUBTOTAL_PER_FILE = 3
REF_PER_FILE = 1
NILAI_REF = "#REF!"
_KATA_KECIL = {"dan", "serta", "atau"}
_SINGKATAN = {"KPKP", "PPKUKM", "DPRD"}


@dataclass(frozen=True)
class Akun:
    kode: str
    uraian: str
    jenis_belanja: str
    anggaran: int


def nama_skpd_sipd(nama: str) -> str:
    """'DINAS KETAHANAN PANGAN, KELAUTAN DAN PERTANIAN' as SIPD writes it:
    'Dinas Ketahanan Pangan, Kelautan dan Pertanian'."""
    kata = []
    for k in nama.split(" "):
        polos = k.rstrip(",")
        if polos in _SINGKATAN:
            kata.append(k)
        elif polos.lower() in _KATA_KECIL:
            kata.append(k.lower())
        else:
            kata.append(k.capitalize())
    return " ".join(kata)


def _total_per_jenis(skpd: Skpd, struktur: StrukturAnggaran) -> dict[str, int]:
    """The SKPD's budget per kind of spending, summing exactly to its structure."""
    non = struktur.belanja_non_pengadaan
    if skpd.hibah and skpd.bansos:
        porsi = {PEGAWAI: 0.4, HIBAH: 0.3, BANSOS: 0.3}
    elif skpd.hibah:
        porsi = {PEGAWAI: 0.65, HIBAH: 0.35}
    elif skpd.bansos:
        porsi = {PEGAWAI: 0.5, BANSOS: 0.5}
    else:
        porsi = {PEGAWAI: 1.0}
    total = {jenis: round(non * p) for jenis, p in porsi.items()}
    total[PEGAWAI] += non - sum(total.values())
    total[BARANG_JASA] = struktur.belanja_operasi
    total[MODAL] = struktur.belanja_modal
    if struktur.belanja_btt:
        total[BTT] = struktur.belanja_btt
    return {jenis: nilai for jenis, nilai in total.items() if nilai > 0}


def _bagi_bulat(total: int, bobot: list[float]) -> list[int]:
    """Split ``total`` by ``bobot`` into integers that add up to it exactly."""
    jumlah_bobot = sum(bobot)
    mentah = [total * b / jumlah_bobot for b in bobot]
    bagian = [int(x) for x in mentah]
    sisa = total - sum(bagian)
    for i in sorted(range(len(bobot)), key=lambda i: bagian[i] - mentah[i])[:sisa]:
        bagian[i] += 1
    return bagian


def _kode_akun(kelompok: tuple[KelompokRekening, ...], jumlah: int,
               terpakai: set[str]) -> list[tuple[str, str]]:
    """``jumlah`` distinct (kode, uraian): round-robin over the groups, each group's named
    accounts first, then further sixth-level numbers carrying the same descriptions."""
    hasil: list[tuple[str, str]] = []
    nomor_berikut = {k.kode: 1 for k in kelompok}
    putaran = 0
    while len(hasil) < jumlah:
        for k in kelompok:
            if len(hasil) == jumlah:
                break
            nomor, uraian = k.rincian[putaran % len(k.rincian)]
            kode = f"{k.kode}.{nomor:04d}" if putaran < len(k.rincian) else None
            # Two groups can share five levels (5.1.02.01.01), so check every code.
            while kode is None or kode in terpakai:
                kode = f"{k.kode}.{nomor_berikut[k.kode]:04d}"
                nomor_berikut[k.kode] += 1
            terpakai.add(kode)
            hasil.append((kode, uraian))
        putaran += 1
    return hasil


def akun_skpd(rng: random.Random, skpd: Skpd, struktur: StrukturAnggaran,
              jumlah_akun: int) -> list[Akun]:
    """The SKPD's accounts with their yearly budgets, in code order."""
    total = _total_per_jenis(skpd, struktur)
    kelompok_per_jenis: dict[str, list[KelompokRekening]] = {}
    for k in kelompok_rekening_untuk(skpd):
        kelompok_per_jenis.setdefault(k.jenis_belanja, []).append(k)
    # Every kind the SKPD spends on gets at least one account; the rest by usual shares.
    jumlah = {jenis: 1 for jenis in total}
    tambahan = max(0, jumlah_akun - len(total))
    porsi = {j: _PORSI_JUMLAH_AKUN[j] for j in total}
    if sum(porsi.values()) > 0:
        for jenis, n in zip(porsi, _bagi_bulat(tambahan, list(porsi.values()))):
            jumlah[jenis] += n
    akun: list[Akun] = []
    terpakai: set[str] = set()
    for jenis, nilai in total.items():
        kode_uraian = _kode_akun(tuple(kelompok_per_jenis[jenis]), jumlah[jenis], terpakai)
        anggaran = _bagi_bulat(nilai, [rng.lognormvariate(0, 1.0) for _ in kode_uraian])
        akun += [Akun(kode, uraian, jenis, a)
                 for (kode, uraian), a in zip(kode_uraian, anggaran)]
    return sorted(akun, key=lambda a: a.kode)


def realisasi_bulanan(rng: random.Random, akun: Akun) -> list[int]:
    """Spending per month in sen (1/100 rupiah); most months are whole rupiah."""
    rendah, tinggi = _PENYERAPAN[akun.jenis_belanja]
    terserap = akun.anggaran * rng.uniform(rendah, tinggi)
    if akun.jenis_belanja == BTT:  # unforeseen spending: a few emergencies a year
        pola = [0.0] * 12
        for bulan in rng.sample(range(12), 3):
            pola[bulan] = rng.uniform(0.5, 1.5)
    else:
        pola = [b * rng.uniform(0.7, 1.3) for b in _POLA_BULANAN[akun.jenis_belanja]]
    jumlah_pola = sum(pola)
    hasil = []
    for bobot in pola:
        sen = round(terserap * bobot / jumlah_pola * 100)
        hasil.append(sen if rng.random() < 0.15 else round(sen, -2))
    return hasil


# Short forms with their variants: August is "Agu" or "Agt", February in old spelling "Peb".
_BULAN_PENDEK_LAIN = {2: ("Feb", "Peb"), 8: ("Agu", "Agt")}


def _tulis_bulan(rng: random.Random, bulan: int) -> str:
    gaya = rng.random()
    if gaya < 0.1:
        return rng.choice(_BULAN_PENDEK_LAIN.get(bulan, (formats.BULAN_PENDEK[bulan - 1],)))
    if gaya < 0.3:
        return formats.BULAN_EJAAN_LAMA[bulan - 1]
    return formats.NAMA_BULAN[bulan - 1]


def _tulis_rupiah(rng: random.Random, sen: int) -> str:
    if sen % 100:
        return formats.format_rupiah(sen / 100, "plain_id")  # '1.234.567,89'
    gaya = rng.choices(("plain_id", "rp_space", "rp_dash", "rp_nospace"), (60, 20, 15, 5))[0]
    return formats.format_rupiah(sen // 100, gaya)


def _tulis_kode_rekening(rng: random.Random, kode: str) -> str:
    gaya = rng.random()
    if gaya < 0.04:
        return kode + "."
    if gaya < 0.07:
        return kode + " "
    return kode


def jumlah_akun_per_skpd(config: SynthConfig) -> dict[str, int]:
    total_bobot = sum(s.bobot for s in SKPD_DKI)
    return {s.kode: max(3, round(config.akun_apbd * s.bobot / total_bobot)) for s in SKPD_DKI}


def _di_bawah(kode: str, induk: str) -> bool:
    return kode.startswith(induk + ".")


def tulis_apbd(config: SynthConfig, tahun: int, struktur: dict[str, StrukturAnggaran],
               out_dir: Path) -> list[tuple[str, int]]:
    """Write the year's realisation CSV (and, for the latest year, the Suku Dinas XLSX)."""
    rng = config.rng("apbd", tahun)
    jumlah_akun = jumlah_akun_per_skpd(config)
    laporan_xlsx = tahun == config.tahun_terakhir
    relatif_csv = f"apbd/realisasi_apbd_{tahun}.csv"
    relatif_xlsx = f"apbd/realisasi_apbd_{tahun}_suku_dinas.xlsx"
    keluaran = []
    workbook = sheet = None
    if laporan_xlsx:
        workbook = new_workbook(out_dir / relatif_xlsx, dt.datetime(tahun + 1, 1, 20, 9, 0))
        sheet = workbook.add_worksheet("Realisasi")
        tebal = workbook.add_format({"bold": True})
        format_tanggal = workbook.add_format({"num_format": "dd/mm/yyyy"})
        for kolom, judul in enumerate(KOLOM_XLSX):
            sheet.write_string(0, kolom, judul, tebal)
    baris_xlsx = 0
    # Which SKPD of the CSV get a subtotal line and which a #REF! cell: a stream of its own,
    # so the dirt does not shift the clean lines' numbers.
    rng_kotor = config.rng("apbd_kotor", tahun)
    skpd_csv = [s.kode for s in SKPD_DKI if not (laporan_xlsx and s.kode in SKPD_LAPORAN_XLSX)]
    dapat_subtotal = set(rng_kotor.sample(skpd_csv, min(SUBTOTAL_PER_FILE, len(skpd_csv))))
    dapat_ref = set(rng_kotor.sample(skpd_csv, min(REF_PER_FILE, len(skpd_csv))))
    # Windows line ends: the file comes from a spreadsheet on a BPKD desktop.
    with CsvWriter(out_dir / relatif_csv, list(KOLOM_CSV), delimiter=";",
                   lineterminator="\r\n") as out:
        for skpd in SKPD_DKI:
            ke_xlsx = laporan_xlsx and skpd.kode in SKPD_LAPORAN_XLSX
            nama = nama_skpd_sipd(skpd.nama)
            akun = akun_skpd(rng, skpd, struktur[skpd.kode], jumlah_akun[skpd.kode])
            bulanan = [realisasi_bulanan(rng, a) for a in akun]
            if ke_xlsx:
                for a, sen_bulanan in zip(akun, bulanan):
                    for bulan, sen in enumerate(sen_bulanan, start=1):
                        baris_xlsx += 1
                        _tulis_baris_xlsx(rng, sheet, baris_xlsx, skpd, nama, a, tahun,
                                          bulan, sen, format_tanggal)
                continue
            subtotal = None  # (induk, bulan): written above the first detail line under it
            if skpd.kode in dapat_subtotal:
                induk = rng_kotor.choice([k for k in URAIAN_SUBTOTAL
                                          if any(_di_bawah(a.kode, k) for a in akun)])
                subtotal = (induk, rng_kotor.randint(1, 12))
            ref = None  # (account index, bulan) whose Realisasi is an Excel error
            if skpd.kode in dapat_ref:
                ref = (rng_kotor.randrange(len(akun)), rng_kotor.randint(1, 12))

            def baris(kode: str, uraian: str, anggaran_sen: int, realisasi: str,
                      bulan: int) -> None:
                out.write([
                    skpd.kode + (" " if rng.random() < 0.05 else ""), nama,
                    _tulis_kode_rekening(rng, kode), uraian,
                    _tulis_rupiah(rng, anggaran_sen), realisasi,
                    _tulis_bulan(rng, bulan), tahun,
                ])

            for indeks, (a, sen_bulanan) in enumerate(zip(akun, bulanan)):
                if subtotal is not None and _di_bawah(a.kode, subtotal[0]):
                    induk, bulan = subtotal
                    di_bawah = [i for i, b in enumerate(akun) if _di_bawah(b.kode, induk)]
                    baris(induk, URAIAN_SUBTOTAL[induk],
                          sum(akun[i].anggaran for i in di_bawah) * 100,
                          _tulis_rupiah(rng, sum(bulanan[i][bulan - 1] for i in di_bawah)),
                          bulan)
                    subtotal = None
                for bulan, sen in enumerate(sen_bulanan, start=1):
                    realisasi = NILAI_REF if ref == (indeks, bulan) else _tulis_rupiah(rng, sen)
                    baris(a.kode, a.uraian, a.anggaran * 100, realisasi, bulan)
        keluaran.append((relatif_csv, out.rows))
    if workbook is not None:
        workbook.close()
        keluaran.append((relatif_xlsx, baris_xlsx))
    return keluaran


def _akhir_bulan(tahun: int, bulan: int) -> dt.date:
    return dt.date(tahun + bulan // 12, bulan % 12 + 1, 1) - dt.timedelta(days=1)


def _tulis_baris_xlsx(rng: random.Random, sheet, baris: int, skpd: Skpd, nama: str,
                      akun: Akun, tahun: int, bulan: int, sen: int, format_tanggal) -> None:
    sheet.write_string(baris, 0, skpd.kode)
    sheet.write_string(baris, 1, nama)
    sheet.write_string(baris, 2, akun.kode)
    sheet.write_string(baris, 3, akun.uraian)
    sheet.write_number(baris, 4, akun.anggaran)
    sheet.write_number(baris, 5, sen / 100)
    periode = _akhir_bulan(tahun, bulan)
    if rng.random() < 0.6:
        sheet.write_datetime(baris, 6, dt.datetime.combine(periode, dt.time()), format_tanggal)
    else:
        sheet.write_number(baris, 6, formats.excel_serial(periode))  # a 'General' cell
