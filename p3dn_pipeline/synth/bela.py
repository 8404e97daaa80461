"""Bela-TokoDaringRealisasi (purchases from online shops) and RUP-MasterSatker.

Toko daring: small orders (a few hundred thousand to Rp200 juta) of the satkers of SiRUP and
of Puskesmas sub-units that have no budget lines of their own (``UNIT_TAMBAHAN``: they roll
up to the Dinas Kesehatan through RUP-MasterSatker). ``kd_satker`` is SiRUP's number, as a
string; the year field is ``tahun``. Counted only when ``status_verif='verified'`` and
``status_konfirmasi_ppmse='selesai'``: some payments failed (``gagal``), some are not
verified yet, and the export repeats an order now and then (the real sample is two orders
repeated 25 times). The orderer (``nama_pemesan``) is an invented person.

RUP-MasterSatker: every satker of the sample, Suku Dinas and hospitals (sub-units, last group
not ``0000``) included, and the Puskesmas sub-units; one file, no year field.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from p3dn_pipeline.synth import people
from p3dn_pipeline.synth.config import SynthConfig
from p3dn_pipeline.synth.geography import load_kota
from p3dn_pipeline.synth.organisations import (
    JENIS_INSTANSI, KD_KLPD_DKI, NAMA_INSTANSI, SKPD_DKI, UNIT_TAMBAHAN)
from p3dn_pipeline.synth.sirup import jumlah_paket
from p3dn_pipeline.synth.spse import Paksa, Penulis, sebagai_csv
from p3dn_pipeline.synth.writers import JsonArrayWriter

ORDER_PER_PAKET_SIRUP = 0.10
VALUASI_MIN, VALUASI_MAKS = 25_000, 200_000_000
MARKETPLACE = (("mbiz market", 30), ("padiumkm", 25), ("blibli", 15), ("tokopedia", 12),
               ("shopee", 8), ("bhinneka", 6), ("siplah telkom", 4))
BOBOT_PUSKESMAS = 0.4
FIELDS_TOKODARING = [
    "tahun", "kd_klpd", "nama_klpd", "kd_satker", "nama_satker", "nama_pemesan", "order_id",
    "order_desc", "valuasi", "kategori", "metode_bayar", "tanggal_transaksi", "marketplace",
    "merchant_name", "jenis_transaksi", "kota_kab", "provinsi", "status_verif", "sumber_data",
    "status_konfirmasi_ppmse", "keterangan_ppmse",
]
BARANG = ("Alat tulis kantor", "Kertas HVS A4 70 gram", "Tinta printer", "Snack rapat",
          "Air mineral galon", "Obat-obatan P3K", "Masker medis", "Hand sanitizer",
          "Perlengkapan kebersihan", "Toner printer", "Flashdisk 64GB", "Kabel HDMI",
          "Baterai AA", "Map plastik", "Konsumsi kegiatan")


def _kota_kab(kode_kota: str | None) -> str:
    for kota in load_kota():
        if kota.kode == kode_kota:
            return f"{kota.nama_pendek} ({'Kab.' if kota.is_kabupaten else 'Kota'})"
    return "Jakarta Pusat (Kota)"  # the central offices


def _merchant(rng) -> str | None:
    if rng.random() < 0.6:
        return None  # most rows of the real export carry none
    if rng.random() < 0.3:
        return people.nama_usaha(rng, "Olahan Pangan")
    akhiran = rng.choice(("Jaya", "Makmur", "Official", "Store", "Abadi"))
    return f"Toko {rng.choice(BARANG).split()[0]} {akhiran}"


def tulis_tokodaring(config: SynthConfig, tahun: int, out_dir: Path) -> list[tuple[str, int]]:
    rng = config.rng("bela", tahun)
    data_date = config.tanggal_tarik(tahun)
    pembeli = [(str(s.kd_satker), s.nama, s.kode_kota, s.bobot) for s in SKPD_DKI]
    pembeli += [(str(u.kd_satker), u.nama, u.kode_kota, BOBOT_PUSKESMAS) for u in UNIT_TAMBAHAN]
    jumlah = max(10, round(sum(jumlah_paket(config).values()) * ORDER_PER_PAKET_SIRUP))
    gagal, belum_verif, ganda = Paksa(0.07, 3), Paksa(0.06, 5), Paksa(0.0, 7)
    akhiran = "csv" if sebagai_csv(config, tahun) else "json"
    out = Penulis(out_dir, f"bela/bela_tokodaring_realisasi_{tahun}.{akhiran}",
                  FIELDS_TOKODARING, akhiran == "csv")
    order_id = 4_000_000 + config.years.index(tahun) * 4 * jumlah
    akhir = min(dt.date(tahun, 12, 31), data_date - dt.timedelta(days=1))
    tanggal = sorted(dt.date(tahun, 1, 2) + dt.timedelta(
        days=rng.randrange((akhir - dt.date(tahun, 1, 2)).days + 1)) for _ in range(jumlah))
    for hari in tanggal:
        kd_satker, nama_satker, kode_kota, _ = rng.choices(
            pembeli, [p[3] for p in pembeli])[0]
        order_id += rng.randint(1, 4)
        valuasi = int(min(VALUASI_MAKS, max(VALUASI_MIN, rng.lognormvariate(15, 1.2))))
        valuasi -= valuasi % rng.choice((1, 100, 500, 1000))
        verified = not belum_verif(rng)
        if not verified:
            konfirmasi, keterangan = (None, None) if rng.random() < 0.5 else ("selesai", None)
        elif gagal(rng):
            konfirmasi = "gagal"
            keterangan = rng.choice(("Payment Kadaluarsa", "RFQ Dibatalkan Pembeli"))
        else:
            konfirmasi, keterangan = "selesai", None
        waktu = dt.datetime.combine(hari, dt.time(rng.randint(7, 21), rng.randrange(60),
                                                  rng.randrange(60)))
        row = {
            "tahun": tahun, "kd_klpd": KD_KLPD_DKI, "nama_klpd": NAMA_INSTANSI,
            "kd_satker": kd_satker, "nama_satker": nama_satker,
            "nama_pemesan": people.nama_orang(rng, rng.random() < 0.5),
            "order_id": str(order_id),
            "order_desc": rng.choice(BARANG) if rng.random() < 0.3 else None,
            "valuasi": valuasi, "kategori": None,
            "metode_bayar": rng.choice(("transfer", "transfer", "virtual account",
                                        "kartu kredit pemerintah")),
            "tanggal_transaksi": f"{waktu:%Y-%m-%d %H:%M:%S}",
            "marketplace": rng.choices([m for m, _ in MARKETPLACE],
                                       [w for _, w in MARKETPLACE])[0],
            "merchant_name": _merchant(rng),
            "jenis_transaksi": "bela", "kota_kab": _kota_kab(kode_kota),
            "provinsi": "DKI Jakarta", "status_verif": "verified" if verified else "unverified",
            "sumber_data": "api_v3", "status_konfirmasi_ppmse": konfirmasi,
            "keterangan_ppmse": keterangan,
        }
        out.write(row)
        if ganda(rng):
            out.write(row)  # the export repeats the order, as real pulls do
    return [out.close()]


FIELDS_MASTER_SATKER = [
    "kd_satker", "kd_satker_str", "nama_satker", "alamat", "telepon", "fax", "kodepos",
    "status_satker", "ket_satker", "jenis_satker", "kd_klpd", "nama_klpd", "jenis_klpd",
    "kode_eselon",
]


def tulis_master_satker(out_dir: Path) -> tuple[str, int]:
    """RUP-MasterSatker: registry facts, the same whatever the seed."""
    relatif = "lkpp/rup_master_satker.json"
    unit = [(s.kd_satker, s.kode, s.nama, s.blud) for s in SKPD_DKI]
    unit += [(u.kd_satker, u.kode, u.nama, False) for u in UNIT_TAMBAHAN]
    with JsonArrayWriter(out_dir / relatif) as out:
        for kd_satker, kode, nama, blud in sorted(unit, key=lambda u: u[0]):
            out.write({
                "kd_satker": kd_satker, "kd_satker_str": kode, "nama_satker": nama,
                "alamat": None, "telepon": None, "fax": None, "kodepos": None,
                "status_satker": "Aktif",
                "ket_satker": "Satker/OPD BLU/BLUD" if blud else "Satker/OPD Non-BLU/BLUD",
                "jenis_satker": "SKPD", "kd_klpd": KD_KLPD_DKI, "nama_klpd": NAMA_INSTANSI,
                "jenis_klpd": JENIS_INSTANSI, "kode_eselon": None,
            })
        return relatif, out.rows
