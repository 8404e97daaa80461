"""Indonesian number and date spellings, as people and government systems write them.

The generator's own small copy of what ``p3dn_pipeline.lib.indoformat`` provides to the
pipeline (same function names and style names), so the synthetic exports can be written
without waiting for that module; the two may later be merged.
"""

from __future__ import annotations

import datetime as dt

NAMA_BULAN = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)
BULAN_PENDEK = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov",
                "Des")
# The old spelling still found in templates: "Pebruari" (short "Peb").
BULAN_EJAAN_LAMA = tuple("Pebruari" if b == "Februari" else b for b in NAMA_BULAN)
NAMA_HARI = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")

# Excel counts days from 1899-12-30 (it believes 1900 was a leap year).
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def _kelompok_ribuan(angka: int) -> str:
    """1234567 -> '1.234.567': the dot groups thousands in Indonesian."""
    return f"{angka:,}".replace(",", ".")


def format_rupiah(value: int | float, style: str) -> str:
    """A rupiah amount in one of the spellings found in exports; cents only when there are any.

    Styles: ``rp_space`` 'Rp 1.234.567', ``rp_nospace`` 'Rp1.234.567', ``rp_dash``
    'Rp 1.234.567,-', ``plain_id`` '1.234.567,89', ``plain`` '1234567'.
    """
    sen_total = round(value * 100)
    tanda = "-" if sen_total < 0 else ""
    rupiah, sen = divmod(abs(sen_total), 100)
    koma_sen = f",{sen:02d}" if sen else ""
    if style == "plain":
        return f"{tanda}{rupiah}{koma_sen}"
    ribuan = _kelompok_ribuan(rupiah)
    if style == "plain_id":
        return f"{tanda}{ribuan}{koma_sen}"
    if style == "rp_space":
        return f"{tanda}Rp {ribuan}{koma_sen}"
    if style == "rp_nospace":
        return f"{tanda}Rp{ribuan}{koma_sen}"
    if style == "rp_dash":
        return f"{tanda}Rp {ribuan}{koma_sen or ',-'}"
    raise ValueError(f"unknown rupiah style {style!r}")


def format_tanggal(tanggal: dt.date, style: str) -> str:
    """A date in one of the spellings found in Indonesian spreadsheets.

    Styles: ``long`` '13 Januari 2023', ``long_day`` 'Jumat, 13 Januari 2023', ``short``
    '13 Jan 2023', ``old_spelling`` '13 Pebruari 2023' (only February changes), ``slash``
    '13/01/2023', ``iso``.
    """
    if style == "long":
        return f"{tanggal.day} {NAMA_BULAN[tanggal.month - 1]} {tanggal.year}"
    if style == "long_day":
        hari = NAMA_HARI[tanggal.weekday()]
        return f"{hari}, {tanggal.day} {NAMA_BULAN[tanggal.month - 1]} {tanggal.year}"
    if style == "short":
        return f"{tanggal.day} {BULAN_PENDEK[tanggal.month - 1]} {tanggal.year}"
    if style == "old_spelling":
        return f"{tanggal.day} {BULAN_EJAAN_LAMA[tanggal.month - 1]} {tanggal.year}"
    if style == "slash":
        return f"{tanggal.day:02d}/{tanggal.month:02d}/{tanggal.year}"
    if style == "iso":
        return tanggal.isoformat()
    raise ValueError(f"unknown tanggal style {style!r}")


def excel_serial(tanggal: dt.date) -> int:
    """The number Excel stores for a date cell (what shows up when the cell is 'General')."""
    return (tanggal - _EXCEL_EPOCH).days
