"""DKI Jakarta's kota, kecamatan and kelurahan, from the Kemendagri list shipped with the package.

Synthetic businesses live in real kelurahan and carry NIKs whose first six digits are real
kecamatan codes, so the pipeline's geography joins and NIK checks meet true values.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "reference_data"
WILAYAH_CSV = "dki_wilayah_kemendagri_2025.csv"
PENDUDUK_CSV = "dki_penduduk_luas_kab_kota.csv"


@dataclass(frozen=True)
class Kelurahan:
    kode: str   # 31.73.05.1002
    nama: str


@dataclass(frozen=True)
class Kecamatan:
    kode: str   # 31.73.05
    nama: str
    kelurahan: tuple[Kelurahan, ...]

    @property
    def digit_nik(self) -> str:
        """The six digits a NIK issued in this kecamatan starts with (317305)."""
        return self.kode.replace(".", "")


@dataclass(frozen=True)
class Kota:
    kode: str         # 31.73
    nama_resmi: str   # as Kemendagri writes it, stripped: Kota Administrasi Jakarta Barat
    penduduk: int
    kecamatan: tuple[Kecamatan, ...]

    @property
    def nama_pendek(self) -> str:
        """'Jakarta Barat', 'Kepulauan Seribu': how most people write it."""
        for awalan in ("Kota Administrasi ", "Kabupaten Administrasi "):
            if self.nama_resmi.startswith(awalan):
                return self.nama_resmi[len(awalan):]
        return self.nama_resmi

    @property
    def is_kabupaten(self) -> bool:
        return self.nama_resmi.startswith("Kabupaten")


@cache
def load_kota(reference_dir: Path = REFERENCE_DIR) -> tuple[Kota, ...]:
    """The six kabupaten/kota of DKI with their kecamatan and kelurahan, in code order."""
    with (reference_dir / WILAYAH_CSV).open(encoding="utf-8", newline="") as handle:
        wilayah = list(csv.DictReader(handle))
    with (reference_dir / PENDUDUK_CSV).open(encoding="utf-8", newline="") as handle:
        penduduk = {row["kode"]: int(row["penduduk_total"]) for row in csv.DictReader(handle)}

    kelurahan_of: dict[str, list[Kelurahan]] = {}
    for row in wilayah:
        if row["level"] == "kelurahan":
            kelurahan_of.setdefault(row["kode_kecamatan"], []).append(
                Kelurahan(row["kode"], row["nama"].strip()))
    kecamatan_of: dict[str, list[Kecamatan]] = {}
    for row in wilayah:
        if row["level"] == "kecamatan":
            kecamatan_of.setdefault(row["kode_kab_kota"], []).append(Kecamatan(
                row["kode"], row["nama"].strip(), tuple(kelurahan_of[row["kode"]])))
    return tuple(
        Kota(row["kode"], row["nama"].strip(), penduduk[row["kode"]],
             tuple(kecamatan_of[row["kode"]]))
        for row in wilayah if row["level"] == "kab_kota"
    )
