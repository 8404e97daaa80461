"""Dinas PPKUKM's business-matching batches: UMKM meet the SKPD that could buy from them.

One workbook per numbered batch (Batch 4 in the first year generated, a few a year, dated
through the year), ``bisnis_matching/business_matching_batch_<n>.xlsx``; the second batch of
each year was saved as CSV (``;``, Indonesian numbers and dates), as happens when a sheet is
passed around. One row per UMKM x buying SKPD, below one or two title rows.

Participants come from the Jakpreneur pool (``jakpreneur``): about half KPKP-mentored
businesses, the rest other UMKM. A row ends as Ketertarikan, Negosiasi, Transaksi or Batal.
A Transaksi row of a business that won e-katalog orders that year points at one of them
(``Kode RUP`` and/or ``Kode Paket`` of a real v6 order whose vendor has the business's NIB
or NPWP), its SKPD being the order's: most such vendors get rows for one to three of their
orders, each at the last batch a week or more before the order, and a vendor's other
Transaksi rows take its remaining orders. Other Transaksi rows name a small SiRUP package
of the buying SKPD (Kode RUP only) that no order of the business realises: the gap the
pipeline has to show.

Dirt, every year: one ``NIK Pemilik`` with a digit dropped (15 digits), one ``#REF!`` and
one negative ``Nilai Ketertarikan (Rp)``.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from pathlib import Path

from p3dn_pipeline.synth import formats
from p3dn_pipeline.synth.config import SynthConfig
from p3dn_pipeline.synth.ekatalog import STATUS_BERTRANSAKSI
from p3dn_pipeline.synth.jakpreneur import UsahaJakpreneur, tulis_npwp
from p3dn_pipeline.synth.organisations import SKPD_DKI, Skpd
from p3dn_pipeline.synth.sirup import KD_METODE, HasilSirup
from p3dn_pipeline.synth.writers import CsvWriter, new_workbook

KOLOM = (
    "No", "Batch", "Tanggal", "Nama Usaha", "NIB", "NPWP", "NIK Pemilik", "Nama Pemilik",
    "No HP", "Sektor", "Produk", "TKDN (%)", "Kode SKPD", "SKPD Pembeli",
    "Nilai Ketertarikan (Rp)", "Tindak Lanjut", "Kode RUP", "Kode Paket",
)
JUDUL = "REKAPITULASI BUSINESS MATCHING PRODUK UMKM JAKPRENEUR DENGAN PERANGKAT DAERAH"
BATCH_PERTAMA = 4
BATCH_TAHUN_PERTAMA, BATCH_PER_TAHUN = 6, 5
TINDAK_LANJUT = (("Ketertarikan", 50), ("Negosiasi", 22), ("Transaksi", 18), ("Batal", 10))
# Buyers that mentor UMKM (KPKP, PPKUKM) sit at more tables than their budget suggests.
_BOBOT_SKPD = [s.bobot * (8 if s.bidang in ("pangan", "umkm") else 1) for s in SKPD_DKI]
# A package small enough for a UMKM: what a gap Transaksi row names when it can.
_PAGU_KECIL = 500_000_000
NILAI_REF = "#REF!"


def jadwal_batch(config: SynthConfig) -> dict[int, list[tuple[int, dt.date]]]:
    """Fiscal year -> its batches (number, date): numbered on from Batch 4, six in the first
    year and five in each after, spread over February to November."""
    rng = config.rng("bisnis_matching_jadwal")
    nomor = BATCH_PERTAMA
    jadwal = {}
    for urutan, tahun in enumerate(config.years):
        jumlah = BATCH_TAHUN_PERTAMA if urutan == 0 else BATCH_PER_TAHUN
        bulan = sorted(rng.sample(range(2, 12), jumlah))
        jadwal[tahun] = [(nomor + i, dt.date(tahun, b, rng.randint(5, 25)))
                         for i, b in enumerate(bulan)]
        nomor += jumlah
    return jadwal


def _paket_kecil(rng: random.Random, sirup: HasilSirup, skpd: Skpd) -> int | None:
    """A SiRUP package of the SKPD a UMKM could supply: small E-Purchasing or Pengadaan
    Langsung if it has one, else any of its packages."""
    ep, lain = sirup.e_purchasing[skpd.kode], sirup.pemilihan[skpd.kode]
    kecil = [kd for kd, pagu in zip(ep.kd_rup, ep.pagu) if pagu <= _PAGU_KECIL]
    kecil += [kd for kd, pagu, metode in zip(lain.kd_rup, lain.pagu, lain.kd_metode)
              if pagu <= _PAGU_KECIL and metode == KD_METODE["Pengadaan Langsung"]]
    semua = kecil or [*ep.kd_rup, *lain.kd_rup]
    return rng.choice(semua) if semua else None


def _batch_sebelum(batch: list[tuple[int, dt.date]], order: dict) -> int:
    """Index of the last batch a week or more before the order (else the first)."""
    tanggal = dt.date.fromisoformat(order["tgl_order"]) - dt.timedelta(days=7)
    sebelum = [i for i, (_, t) in enumerate(batch) if t <= tanggal]
    return sebelum[-1] if sebelum else 0


def _skpd(kode: str) -> Skpd:
    return next(s for s in SKPD_DKI if s.kode == kode)


def tulis_bisnis_matching(config: SynthConfig, tahun: int, sirup: HasilSirup,
                          pool: tuple[UsahaJakpreneur, ...], order_binaan: list[dict],
                          out_dir: Path) -> list[tuple[str, int]]:
    """Write the year's batches; ``order_binaan`` are the year's v6 orders won by mentored
    vendors (``ekatalog.tulis_ekatalog``). Returns the (file, rows) written."""
    rng = config.rng("bisnis_matching", tahun)
    batch = jadwal_batch(config)[tahun]
    binaan = [u for u in pool if u.binaan is not None]
    lain = [u for u in pool if u.binaan is None]
    per_vendor: dict[str, list[dict]] = defaultdict(list)
    for order in order_binaan:
        # Only orders whose vendor can be found in PenyediaDetail (by kd_penyedia_sikap,
        # which some orders leave 0) and that went through.
        if order["status_pkt"] in STATUS_BERTRANSAKSI and order["kd_penyedia_sikap"]:
            per_vendor[order["kd_penyedia_v6"]].append(order)
    usaha_vendor = {u.penyedia.kd_penyedia_v6: u for u in pool if u.penyedia is not None}

    # (batch index, business, SKPD, tindak lanjut, linked order or None)
    baris: list[tuple[int, UsahaJakpreneur, Skpd, str, dict | None]] = []
    # Orders of mentored vendors that came out of a matching: at the last batch before.
    belum_ditautkan: dict[str, list[dict]] = {}
    for kd_vendor in sorted(per_vendor):
        if kd_vendor not in usaha_vendor:
            continue
        orders = sorted(per_vendor[kd_vendor], key=lambda o: o["tgl_order"])
        ditautkan = [] if rng.random() < 0.15 else rng.sample(
            orders, min(len(orders), rng.choice((1, 1, 2, 3))))
        belum_ditautkan[kd_vendor] = [o for o in orders if o not in ditautkan]
        for order in ditautkan:
            baris.append((_batch_sebelum(batch, order), usaha_vendor[kd_vendor],
                          _skpd(order["kd_satker_str"]), "Transaksi", order))
    pemilih_tindak = ([t for t, _ in TINDAK_LANJUT], [w for _, w in TINDAK_LANJUT])
    for indeks in range(len(batch)):
        setengah = config.peserta_batch // 2
        peserta = (rng.sample(binaan, min(len(binaan), setengah))
                   + rng.sample(lain, min(len(lain), config.peserta_batch - setengah)))
        for usaha in peserta:
            for skpd in _pilih_skpd(rng, rng.choice((1, 1, 1, 2, 2, 3))):
                tindak = rng.choices(*pemilih_tindak)[0]
                sisa = (belum_ditautkan.get(usaha.penyedia.kd_penyedia_v6)
                        if usaha.penyedia is not None else None)
                if tindak == "Transaksi" and sisa:
                    # A vendor's purchase is one of its orders, with that order's buyer.
                    order = sisa.pop(rng.randrange(len(sisa)))
                    baris.append((indeks, usaha, _skpd(order["kd_satker_str"]), tindak, order))
                else:
                    baris.append((indeks, usaha, skpd, tindak, None))
    baris.sort(key=lambda b: b[0])  # stable: a batch keeps its order of arrival

    # The year's dirt, at rows not tied to an order.
    bebas = [i for i, b in enumerate(baris) if b[4] is None]
    nik_pendek, nilai_ref, nilai_negatif = rng.sample(bebas, 3)
    keluaran = []
    for indeks, (nomor, tanggal) in enumerate(batch):
        isi = []
        for i, (b, usaha, skpd, tindak, order) in enumerate(baris):
            if b != indeks:
                continue
            sel = _isi_baris(rng, sirup, nomor, tanggal, usaha, skpd, tindak, order)
            if i == nik_pendek:
                posisi = rng.randrange(6, 16)
                sel["NIK Pemilik"] = usaha.nik_pemilik[:posisi] + usaha.nik_pemilik[posisi + 1:]
            elif i == nilai_ref:
                sel["Nilai Ketertarikan (Rp)"] = NILAI_REF
            elif i == nilai_negatif:
                sel["Nilai Ketertarikan (Rp)"] = -abs(int(sel["_nilai"]))
            isi.append(sel)
        if indeks == 1:
            keluaran.append(_tulis_csv(rng, out_dir, nomor, isi))
        else:
            keluaran.append(_tulis_xlsx(rng, out_dir, nomor, tanggal, isi))
    return keluaran


def _pilih_skpd(rng: random.Random, jumlah: int) -> list[Skpd]:
    pilihan: list[Skpd] = []
    while len(pilihan) < jumlah:
        skpd = rng.choices(SKPD_DKI, _BOBOT_SKPD)[0]
        if skpd not in pilihan:
            pilihan.append(skpd)
    return pilihan


def _isi_baris(rng: random.Random, sirup: HasilSirup, nomor: int, tanggal: dt.date,
               usaha: UsahaJakpreneur, skpd: Skpd, tindak: str, order: dict | None) -> dict:
    """One row's values, before they are written (numbers as numbers, dates as dates)."""
    kd_rup = kd_paket = None
    if order is not None:
        nilai = round(order["total_harga"] * rng.uniform(1.0, 1.4), -5)
        gaya = rng.random()
        kd_rup = None if gaya < 0.15 else int(order["kd_rup"])
        kd_paket = None if 0.15 <= gaya < 0.3 else order["kd_paket"]
    else:
        nilai = round(min(2e9, max(1e6, rng.lognormvariate(17.0, 1.0))), -5)  # ~Rp25 juta
        if tindak == "Transaksi":
            kd_rup = _paket_kecil(rng, sirup, skpd)
    # Left out now and then, but never where the row names an order: that is how its
    # vendor is found.
    nib = usaha.nib if usaha.nib is not None and (order or rng.random() < 0.92) else None
    tkdn = round(rng.uniform(25, 95), 2) if rng.random() < 0.6 else None
    return {
        "Batch": nomor, "Tanggal": tanggal, "Nama Usaha": usaha.nama_usaha, "NIB": nib,
        "NPWP": tulis_npwp(usaha.npwp) if usaha.npwp is not None else None,
        "NIK Pemilik": usaha.nik_pemilik, "Nama Pemilik": usaha.nama_pemilik,
        "No HP": usaha.no_hp, "Sektor": usaha.sektor, "Produk": rng.choice(usaha.produk),
        "TKDN (%)": tkdn, "Kode SKPD": skpd.kode,
        "SKPD Pembeli": skpd.nama if rng.random() < 0.7 else skpd.nama.title(),
        "Nilai Ketertarikan (Rp)": int(nilai), "_nilai": int(nilai), "Tindak Lanjut": tindak,
        "Kode RUP": kd_rup, "Kode Paket": kd_paket,
    }


def _relatif(nomor: int, akhiran: str) -> str:
    return f"bisnis_matching/business_matching_batch_{nomor}.{akhiran}"


def _tulis_xlsx(rng: random.Random, out_dir: Path, nomor: int, tanggal: dt.date,
                isi: list[dict]) -> tuple[str, int]:
    relatif = _relatif(nomor, "xlsx")
    workbook = new_workbook(out_dir / relatif, dt.datetime.combine(
        tanggal + dt.timedelta(days=14), dt.time(10, 0)))
    sheet = workbook.add_worksheet(f"Batch {nomor}")
    tebal = workbook.add_format({"bold": True})
    format_tanggal = workbook.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write_string(0, 0, f"{JUDUL} BATCH {nomor}", tebal)
    baris_header = 2
    if nomor % 2 == 0:  # some keep the event's date on a second title row
        sheet.write_string(1, 0, f"Tanggal pelaksanaan: {formats.format_tanggal(tanggal, 'long')}")
        baris_header = 3
    for kolom, judul in enumerate(KOLOM):
        sheet.write_string(baris_header, kolom, judul, tebal)
    for n, sel in enumerate(isi, start=1):
        r = baris_header + n
        sheet.write_number(r, 0, n)
        for kolom, judul in enumerate(KOLOM[1:], start=1):
            nilai = sel[judul]
            if nilai is None:
                continue
            if judul == "Tanggal":
                if rng.random() < 0.8:
                    sheet.write_datetime(r, kolom, dt.datetime.combine(nilai, dt.time()),
                                         format_tanggal)
                else:
                    sheet.write_string(r, kolom, formats.format_tanggal(nilai, "long"))
            elif judul == "Nilai Ketertarikan (Rp)" and isinstance(nilai, int) and nilai > 0 \
                    and rng.random() < 0.25:
                sheet.write_string(r, kolom, formats.format_rupiah(nilai, "rp_space"))
            elif isinstance(nilai, (int, float)):
                sheet.write_number(r, kolom, nilai)
            else:
                sheet.write_string(r, kolom, str(nilai))
    workbook.close()
    return relatif, len(isi)


def _tulis_csv(rng: random.Random, out_dir: Path, nomor: int,
               isi: list[dict]) -> tuple[str, int]:
    """The batch someone saved as CSV: ``;``, comma decimals, dots for thousands."""
    relatif = _relatif(nomor, "csv")
    with CsvWriter(out_dir / relatif, list(KOLOM), delimiter=";") as out:
        for n, sel in enumerate(isi, start=1):
            nilai = sel["Nilai Ketertarikan (Rp)"]
            if isinstance(nilai, int):
                nilai = formats.format_rupiah(nilai, rng.choice(("plain_id", "rp_space")))
            tkdn = sel["TKDN (%)"]
            out.write([
                n, sel["Batch"],
                formats.format_tanggal(sel["Tanggal"], rng.choice(("slash", "long"))),
                sel["Nama Usaha"], sel["NIB"] or "", sel["NPWP"] or "", sel["NIK Pemilik"],
                sel["Nama Pemilik"], sel["No HP"], sel["Sektor"], sel["Produk"],
                "" if tkdn is None else f"{tkdn:.2f}".replace(".", ","),
                sel["Kode SKPD"], sel["SKPD Pembeli"], nilai, sel["Tindak Lanjut"],
                sel["Kode RUP"] or "", sel["Kode Paket"] or "",
            ])
        return relatif, out.rows
