"""What one generator run is asked for, and how many rows of each source that means.

Scale 1 is about one fiscal year of DKI in total: ~100k e-katalog v6 orders, 150k SiRUP
packages, 300k APBD lines and 30k e-Order purchases, shared evenly by the fiscal years generated (so scale 100
is ten million orders, and the committed sample at scale 0.02 stays a few megabytes).
The vendor and product pools, the KPKP rosters (19k mentored businesses, ~16k on each
quarter's roster) and the Jakpreneur UMKM of business matching, e-Order and e-commerce
(20k) are the size of DKI at most, whatever the scale: a bigger scale means
more transactions, not more businesses in Jakarta.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass


def _antara(nilai: float, bawah: int, atas: int) -> int:
    return max(bawah, min(atas, round(nilai)))


@dataclass(frozen=True)
class SynthConfig:
    seed: int
    scale: float
    years: tuple[int, ...]  # ascending

    def __post_init__(self) -> None:
        if self.scale <= 0:
            raise ValueError(f"scale must be positive, got {self.scale}")
        if not self.years or list(self.years) != sorted(set(self.years)):
            raise ValueError(f"years must be distinct and ascending, got {self.years}")

    def rng(self, *bagian: object) -> random.Random:
        """An independent random stream per (source, year, ...): files do not depend on
        the order they are written in, so jobs can run in parallel and stay identical."""
        return random.Random("/".join(map(str, (self.seed, *bagian))))

    @property
    def tahun_terakhir(self) -> int:
        return self.years[-1]

    def tanggal_tarik(self, tahun: int) -> dt.date:
        """The day the export of fiscal year ``tahun`` was pulled (LKPP's _event_date)."""
        return dt.date(tahun + 1, 1, 5)

    # Per fiscal year -------------------------------------------------------------------
    def _per_tahun(self, total_skala_1: int) -> int:
        return max(1, round(total_skala_1 * self.scale / len(self.years)))

    @property
    def paket_sirup(self) -> int:
        return self._per_tahun(150_000)

    @property
    def paket_v6(self) -> int:
        """About how many v6 orders a year has. Orders are made against SiRUP's
        E-Purchasing packages (``ekatalog``), so this is what those come to, not a quota."""
        return self._per_tahun(100_000)

    @property
    def paket_v5(self) -> int:
        """v5 is the old catalogue: about a tenth of e-katalog packages (sizes the year's
        block of v5 kd_paket numbers)."""
        return max(1, round(self.paket_v6 * 0.11))

    @property
    def akun_apbd(self) -> int:
        """SKPD x kode rekening pairs; each gives twelve monthly lines."""
        return max(1, round(self._per_tahun(300_000) / 12))

    # Pools, capped at DKI size ---------------------------------------------------------
    @property
    def pelaku_usaha(self) -> int:
        """Distinct KPKP-mentored businesses over all years (never fewer than ~300)."""
        return _antara(19_000 * self.scale, 300, 19_000)

    @property
    def penyedia_binaan(self) -> int:
        """Mentored businesses that are also e-katalog vendors (~300 at DKI size)."""
        return _antara(300 * self.scale, 25, 300)

    @property
    def penyedia_umum(self) -> int:
        return _antara(6_000 * self.scale, 80, 6_000)

    @property
    def umkm_jakpreneur(self) -> int:
        """UMKM in the Jakpreneur pool that business matching, e-Order and e-commerce
        draw from (DKI registers a few hundred thousand; the pool is capped far lower)."""
        return _antara(20_000 * self.scale, 400, 20_000)

    @property
    def order_eorder(self) -> int:
        """e-Order purchases a year (DKI: Rp178 miliar in 2023, at most Rp50 juta each)."""
        return max(150, self._per_tahun(30_000))

    @property
    def peserta_batch(self) -> int:
        """UMKM at one business-matching batch (a few hundred at most)."""
        return _antara(1_500 * self.scale, 20, 300)

    @property
    def penjual_ecommerce(self) -> int:
        """Sellers in one platform's yearly domestic-product report."""
        return _antara(3_000 * self.scale, 40, 3_000)

    @property
    def produk_v6(self) -> int:
        return _antara(14_000 * self.scale, 150, 14_000)

    @property
    def produk_v5(self) -> int:
        return _antara(4_000 * self.scale, 60, 4_000)
