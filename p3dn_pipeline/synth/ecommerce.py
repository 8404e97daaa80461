"""Monthly partner reports of e-commerce platforms' domestic-product sections.

One workbook per platform per year, ``ecommerce/<platform>_<tahun>.xlsx``, one row per
seller per month it sold. Platforms write the month their own way (``Januari 2025`` or
``2025-01``). Sellers are mostly Jakpreneur UMKM (``jakpreneur``: some KPKP-mentored, some
business-matching participants) and partly businesses no other source knows; a few rows
have no NIB, which the platform did not require.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from p3dn_pipeline.synth import formats, identifiers
from p3dn_pipeline.synth.config import SynthConfig
from p3dn_pipeline.synth.jakpreneur import UsahaJakpreneur
from p3dn_pipeline.synth.writers import new_workbook

KOLOM = ("Bulan", "Platform", "Nama Usaha", "NIB", "Jumlah Transaksi", "Nilai Penjualan (Rp)",
         "Kategori")
# (platform, how it writes the month: "nama" for "Januari 2025", "iso" for "2025-01")
PLATFORM = (("Tokopedia", "nama"), ("Shopee", "iso"), ("Blibli", "nama"))
PORSI_JAKPRENEUR = 0.7
PELUANG_TANPA_NIB = 0.15  # of the sellers no other source knows
KATEGORI = {
    "Kuliner": "Makanan & Minuman", "Olahan Pangan": "Makanan & Minuman",
    "Peternakan": "Makanan & Minuman", "Perikanan": "Makanan & Minuman",
    "Pertanian Perkotaan": "Pertanian & Tanaman", "Pertanian": "Pertanian & Tanaman",
    "Fesyen": "Fashion", "Kriya": "Kerajinan Tangan", "Kerajinan": "Kerajinan Tangan",
    "Kesehatan": "Kesehatan & Kecantikan", "Jasa": "Rumah Tangga",
}
_KATEGORI_LAIN = ("Makanan & Minuman", "Fashion", "Kerajinan Tangan", "Rumah Tangga",
                  "Kesehatan & Kecantikan")
_NAMA_TOKO = (("Toko", "Official", "Griya", "Kedai", "Lapak", "Omah"),
              ("Jakarta", "Betawi", "Kemang", "Cililitan", "Tebet", "Kelapa Gading",
               "Rawamangun", "Cempaka"))


def _penjual(rng: random.Random, pool: tuple[UsahaJakpreneur, ...],
             jumlah: int) -> list[tuple[str, str | None, str]]:
    """(nama usaha, NIB, kategori) of the platform's domestic-product sellers that year."""
    dari_pool = rng.sample(pool, min(len(pool), round(jumlah * PORSI_JAKPRENEUR)))
    penjual = [(u.nama_usaha, u.nib, KATEGORI.get(u.sektor, "Makanan & Minuman"))
               for u in dari_pool if u.nib is not None]
    while len(penjual) < jumlah:
        nama = f"{rng.choice(_NAMA_TOKO[0])} {rng.choice(_NAMA_TOKO[1])} {rng.randint(1, 99)}"
        nib = None if rng.random() < PELUANG_TANPA_NIB else identifiers.nib(rng)
        penjual.append((nama, nib, rng.choice(_KATEGORI_LAIN)))
    return penjual


def tulis_ecommerce(config: SynthConfig, tahun: int, pool: tuple[UsahaJakpreneur, ...],
                    out_dir: Path) -> list[tuple[str, int]]:
    keluaran = []
    for platform, gaya_bulan in PLATFORM:
        rng = config.rng("ecommerce", platform, tahun)
        relatif = f"ecommerce/{platform.lower()}_{tahun}.xlsx"
        workbook = new_workbook(out_dir / relatif, dt.datetime(tahun + 1, 1, 15, 9, 0))
        sheet = workbook.add_worksheet("Laporan PDN")
        tebal = workbook.add_format({"bold": True})
        for kolom, judul in enumerate(KOLOM):
            sheet.write_string(0, kolom, judul, tebal)
        penjual = _penjual(rng, pool, config.penjual_ecommerce)
        # Each seller joins in some month and sells most months after; its size is its own.
        aktif = [(rng.randint(1, 12), rng.uniform(0.6, 0.95), rng.lognormvariate(2.5, 1.0),
                  rng.lognormvariate(11.5, 0.6)) for _ in penjual]
        r = 0
        for bulan in range(1, 13):
            teks_bulan = (f"{formats.NAMA_BULAN[bulan - 1]} {tahun}" if gaya_bulan == "nama"
                          else f"{tahun}-{bulan:02d}")
            for (nama, nib, kategori), (mulai, peluang, transaksi, harga) in zip(penjual, aktif):
                if bulan < mulai or rng.random() > peluang:
                    continue
                jumlah = max(1, round(transaksi * rng.uniform(0.5, 1.5)))
                r += 1
                sheet.write_string(r, 0, teks_bulan)
                sheet.write_string(r, 1, platform)
                sheet.write_string(r, 2, nama)
                if nib is not None:
                    sheet.write_string(r, 3, nib)
                sheet.write_number(r, 4, jumlah)
                sheet.write_number(r, 5, round(jumlah * harga * rng.uniform(0.8, 1.2), -2))
                sheet.write_string(r, 6, kategori)
        workbook.close()
        keluaran.append((relatif, r))
    return keluaran
