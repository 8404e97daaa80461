"""Indonesian numbers, dates and identifiers as people type them into SIPD, LKPP and Excel.

``sql/indoformat_macros.sql`` holds the same rules as DuckDB macros. The unit tests check
that both sides agree, so change them together. Every parser returns None for what it
cannot read unambiguously rather than guess.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Context, Decimal

from p3dn_pipeline.lib import nfkc_table

BULAN = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]
_BULAN_SINGKAT = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"]
# Ordered like DuckDB's dayofweek(): Sunday is 0.
_HARI = ["Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu"]

_NOMOR_BULAN = {
    "jan": 1, "feb": 2, "peb": 2, "mar": 3, "apr": 4, "mei": 5, "jun": 6,
    "jul": 7, "agu": 8, "agt": 8, "ags": 8, "sep": 9, "okt": 10, "nov": 11, "des": 12,
}  # fmt: skip
_PANGKAT_SATUAN = {
    "rb": 3, "ribu": 3, "jt": 6, "juta": 6,
    "m": 9, "miliar": 9, "milyar": 9, "t": 12, "triliun": 12,
}  # fmt: skip
_ROMAWI = {"i": 1, "ii": 2, "iii": 3, "iv": 4}

# Unicode White_Space: Excel exports and text copied from the web bring no-break and thin spaces.
_SPASI = re.compile("[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")

# A dot separates thousands only in groups of three: `12.5` is an English decimal, not 125.
_BULAT = r"[0-9]+|[1-9][0-9]{0,2}(?:\.[0-9]{3})+"
_ANGKA = re.compile(
    r"(?:(\() ?)?(-)? ?(?:(?i:rp)\.? ?)?(-)? ?(" + _BULAT + r")"
    r"(?:,-|(?:,([0-9]+))?(?: ?((?i:rb|ribu|jt|juta|miliar|milyar|triliun)|M|T))?)(?: ?(\)))?"
)
# The one number rule (DOMAIN.md 5), for every source: dots only in groups of three are
# thousands (`150.000` is 150000), a comma is the decimal separator (`150,5`). A single dot
# that cannot be a thousands dot, because one, two, four or more digits follow it
# (`12500000.00` and `1.23`, as LKPP API strings write amounts), is a decimal point. A dot
# followed by exactly three digits is thousands when the digits before it are a group of one
# to three (`150.000`), and ambiguous otherwise (`1234.567`, `0.500`).
_TITIK_DESIMAL = re.compile(r"(-)?([0-9]+)\.([0-9]{1,2}|[0-9]{4,})")
# Only digits and separators, yet unreadable by the rule (`1,234.56`, `1,234,567`): ambiguous.
_ANGKA_AMBIGU = re.compile(r"-? ?(?:[Rr][Pp]\.? ?)?[0-9]+(?:[.,][0-9]+)+")
_PERSEN = re.compile(
    r"(?:(\() ?)?(-)? ?(" + _BULAT + r")(?:,([0-9]+))?(?: ?(?:%|(?i:persen)))?(?: ?(\)))?"
)

_NAMA_HARI = r"senin|selasa|rabu|kamis|jum'?at|sabtu|minggu"
_NAMA_BULAN = (
    r"januari|februari|pebruari|maret|april|mei|juni|juli|agustus|september|oktober|november"
    r"|desember|jan|feb|peb|mar|apr|jun|jul|agu|agt|ags|sep|okt|nov|des"
)
_TANGGAL_NAMA = re.compile(
    rf"(?:({_NAMA_HARI})(?:, ?| ))?([0-9]{{1,2}})[ -]({_NAMA_BULAN})\.?[ -]([0-9]{{4}})"
)
_TANGGAL_ANGKA = re.compile(r"([0-9]{1,2})([/.-])([0-9]{1,2})([/.-])([0-9]{4})")
_TANGGAL_ISO = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})"
    r"(?:[t ](?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]{1,9})?)?"
    r"(?:z|[+-][0-9]{2}(?::?[0-9]{2})?)?)?"
)
_TANGGAL_EXCEL = re.compile(r"([1-9][0-9]{4})(?:\.0+)?")
_BULAN_NAMA = re.compile(rf"({_NAMA_BULAN})\.?(?:[ -]([0-9]{{4}}))?")
_BULAN_ANGKA = re.compile(
    r"(?:(0?[1-9]|1[0-2])(?:[/-]([0-9]{4}))?|([0-9]{4})[/-](0?[1-9]|1[0-2]))"
)
_TRIWULAN = re.compile(r"(?:(?:tw|triwulan|q)\.? ?)?(iv|iii|ii|i|[1-4])(?:(?: ?[/-] ?| )([0-9]{4}))?")
_KODE_REKENING = re.compile(r"[0-9]+(?:\.[0-9]+)*")
_EKOR_KODE = re.compile(r"[. ]+\Z")
_ANGKA_FLOAT = re.compile(r"[0-9]+\.0")
_BULAT_KANONIK = re.compile(r"0|[1-9][0-9]{0,15}")
_DIGIT_BERPEMISAH = re.compile(r"[0-9 .-]*[0-9][0-9 .-]*")
_PEMISAH_DIGIT = re.compile(r"[ .-]")

_EMPAT_DESIMAL = Decimal("0.0001")
_KONTEKS = Context(prec=80)
_EXCEL_HARI_NOL = dt.date(1899, 12, 30)
# Doubles hold every integer up to 2**53 exactly, so an Excel float below it lost no digits.
_FLOAT_EKSAK = 2**53


def teks(x: object) -> str | None:
    """Trimmed text with runs of whitespace (also no-break spaces) collapsed to one space."""
    if x is None:
        return None
    return _SPASI.sub(" ", str(x)).strip(" ") or None


def _ascii(x: object) -> str | None:
    # RE2 folds case beyond ASCII (U+212A KELVIN SIGN matches k, U+017F LONG S matches s) and
    # Python folds differently, so the parsers accept ASCII only and both sides agree.
    t = teks(x)
    return t if t is not None and t.isascii() else None


def _teks_tanggal(x: object) -> str | None:
    # Word turns the apostrophe of Jum'at into U+2019.
    t = teks(x)
    t = _ascii(t.replace("\u2019", "'")) if t is not None else None
    return t.lower() if t is not None else None


def _bulatkan(nilai: Decimal, digit_bulat: int) -> Decimal | None:
    if not nilai.is_finite() or (nilai and nilai.adjusted() >= digit_bulat):
        return None
    nilai = nilai.quantize(_EMPAT_DESIMAL, rounding=ROUND_HALF_UP, context=_KONTEKS)
    # copy_abs, unlike abs(), does not round to the thread's 28-digit context.
    if nilai.copy_abs() >= 10**digit_bulat:
        return None
    return nilai if nilai else nilai.copy_abs()


def _desimal(bulat: str, pecahan: str, pangkat: int, negatif: bool, digit_bulat: int) -> Decimal | None:
    # The decimal comma is shifted as text so that `0,000001 jt` stays exact. Five decimals
    # are enough: rounding half away from zero to four looks at the fifth decimal only.
    angka_teks = (
        ("-" if negatif else "")
        + bulat.replace(".", "")
        + pecahan[:pangkat].ljust(pangkat, "0")
        + "."
        + pecahan[pangkat : pangkat + 5]
        + "0"
    )
    return _bulatkan(Decimal(angka_teks), digit_bulat)


def _angka_bertipe(x: object, digit_bulat: int) -> Decimal | None:
    # Typed floats and decimals (numbers read from XLSX) print with a decimal point, which
    # the Indonesian rules rightly reject as text, so they are taken as they are.
    return _bulatkan(Decimal(repr(x)) if isinstance(x, float) else x, digit_bulat)


def _titik_desimal(t: str | None, digit_bulat: int) -> Decimal | None:
    cocok = _TITIK_DESIMAL.fullmatch(t) if t is not None else None
    if cocok is None:
        return None
    minus, bulat, pecahan = cocok.groups(default="")
    return _desimal(bulat, pecahan, 0, bool(minus), digit_bulat)


def angka(x: object) -> Decimal | None:
    """An amount such as `Rp 1.234.567,89`, `(1.234)`, `1,5 jt` or `12500000.00`, to four
    decimals, by the one number rule (see ``_TITIK_DESIMAL``)."""
    if isinstance(x, (float, Decimal)):
        return _angka_bertipe(x, 34)
    t = _ascii(x)
    cocok = _ANGKA.fullmatch(t) if t is not None else None
    if cocok is None:
        return _titik_desimal(t, 34)
    buka, minus1, minus2, bulat, pecahan, satuan, tutup = cocok.groups(default="")
    if bool(buka) != bool(tutup) or bool(buka) + bool(minus1) + bool(minus2) > 1:
        return None
    pangkat = _PANGKAT_SATUAN[satuan.lower()] if satuan else 0
    return _desimal(bulat, pecahan, pangkat, bool(buka or minus1 or minus2), 34)


def angka_ambigu(x: object) -> bool:
    """Whether `x` is only digits and separators yet has no reading under the number rule
    (`1,234.56`, `1,234,567`, `1234.567`): quarantined as `ambiguous_number`, never guessed."""
    if isinstance(x, (float, Decimal)) or angka(x) is not None:
        return False
    t = _ascii(x)
    return t is not None and _ANGKA_AMBIGU.fullmatch(t) is not None


def masalah_angka(x: object) -> str | None:
    """The quarantine rule an amount field raises for `x`, if any: `ambiguous_number`,
    `not_a_number` or `negative_amount` (an empty value raises none)."""
    if teks(x) is None:
        return None
    nilai = angka(x)
    if nilai is None:
        return "ambiguous_number" if angka_ambigu(x) else "not_a_number"
    return "negative_amount" if nilai < 0 else None


def persen(x: object) -> Decimal | None:
    """A percentage such as `91,82 persen` or `71,8%`, as the number before the sign."""
    if isinstance(x, (float, Decimal)):
        return _angka_bertipe(x, 5)
    t = _ascii(x)
    cocok = _PERSEN.fullmatch(t) if t is not None else None
    if cocok is None:
        return _titik_desimal(t, 5)
    buka, minus, bulat, pecahan, tutup = cocok.groups(default="")
    if bool(buka) != bool(tutup) or (buka and minus):
        return None
    return _desimal(bulat, pecahan, 0, bool(buka or minus), 5)


def _tahun_wajar(tahun_teks: str | None) -> bool:
    # A year beside a day, month or quarter outside 1900..2199 is a typo, not a date to keep.
    return not tahun_teks or 1900 <= int(tahun_teks) <= 2199


def _ymd(tahun_: int, bulan_: int, hari: int) -> dt.date | None:
    if not 1900 <= tahun_ <= 2199:
        return None
    try:
        return dt.date(tahun_, bulan_, hari)
    except ValueError:
        return None


def _tanggal_teks(s: str) -> dt.date | None:
    if cocok := _TANGGAL_NAMA.fullmatch(s):
        hari, tgl, bln, thn = cocok.groups(default="")
        hasil = _ymd(int(thn), _NOMOR_BULAN[bln[:3]], int(tgl))
        # A day name that contradicts the date leaves it unclear which of the two is wrong.
        if hasil is not None and hari and _HARI.index(hari.replace("'", "").title()) != hasil.isoweekday() % 7:
            return None
        return hasil
    if cocok := _TANGGAL_ANGKA.fullmatch(s):
        tgl, pisah1, bln, pisah2, thn = cocok.groups()
        return _ymd(int(thn), int(bln), int(tgl)) if pisah1 == pisah2 else None
    if cocok := _TANGGAL_ISO.fullmatch(s):
        thn, bln, tgl = cocok.groups()
        return _ymd(int(thn), int(bln), int(tgl))
    if cocok := _TANGGAL_EXCEL.fullmatch(s):
        serial = int(cocok[1])
        return _EXCEL_HARI_NOL + dt.timedelta(days=serial) if 20000 <= serial <= 80000 else None
    return None


def tanggal(x: object) -> dt.date | None:
    """A date written the Indonesian way (day first), as ISO text, or as an Excel serial."""
    s = _teks_tanggal(x)
    return _tanggal_teks(s) if s is not None else None


def bulan(x: object) -> int | None:
    """The month 1..12 of a month name, month number, month and year, or date."""
    s = _teks_tanggal(x)
    if s is None:
        return None
    if cocok := _BULAN_NAMA.fullmatch(s):
        return _NOMOR_BULAN[cocok[1][:3]] if _tahun_wajar(cocok[2]) else None
    if cocok := _BULAN_ANGKA.fullmatch(s):
        bln1, thn1, thn2, bln2 = cocok.groups(default="")
        return int(bln1 or bln2) if _tahun_wajar(thn1 or thn2) else None
    hasil = _tanggal_teks(s)
    return hasil.month if hasil is not None else None


def tahun(x: object) -> int | None:
    """The year of a date, else the one year 2000..2100 written in the text."""
    hasil = tanggal(x)
    if hasil is not None:
        return hasil.year
    t = teks(x)
    if t is None:
        return None
    # Two different years (`2024 s.d. 2025`) leave the year open.
    ditemukan = {run for run in re.findall("[0-9]+", t) if len(run) == 4 and "2000" <= run <= "2100"}
    return int(ditemukan.pop()) if len(ditemukan) == 1 else None


def triwulan(x: object) -> int | None:
    """The quarter 1..4 of `TW II`, `Triwulan 2`, `Q2` or `II`, optionally with a year."""
    s = _teks_tanggal(x)
    cocok = _TRIWULAN.fullmatch(s) if s is not None else None
    if cocok is None or not _tahun_wajar(cocok[2]):
        return None
    return _ROMAWI.get(cocok[1]) or int(cocok[1])


def kode_rekening(x: object) -> str | None:
    """An account code such as `5.1.02.01.01.0024`, without the trailing dot SIPD exports add."""
    t = teks(x)
    if t is None:
        return None
    kode = _EKOR_KODE.sub("", t)
    return kode if _KODE_REKENING.fullmatch(kode) else None


def nfkc_ascii(text: str) -> str:
    """``text`` with every character whose NFKC form is printable ASCII read as that form
    (full-width ＮＩＢ０１, ², Ⅱ, ①, ligatures, odd spaces) and Arabic-Indic digits as ASCII
    digits; everything else as it is. The SQL twin is p3dn_nfkc (lib/sql/nfkc_macros.sql):
    an identifier is the same code or person whatever keyboard typed it."""
    text = text.translate(_NFKC_SINGLE)
    if _NFKC_MULTI_CHARS.isdisjoint(text):
        return text
    return "".join(nfkc_table.MULTI.get(c, c) for c in text)


_NFKC_SINGLE = str.maketrans(nfkc_table.SINGLE_FROM, nfkc_table.SINGLE_TO)
_NFKC_MULTI_CHARS = frozenset(nfkc_table.MULTI)


def digits(x: object) -> str | None:
    """The digits of an identifier written with spaces, dots or dashes (NIK, NIB, NPWP), in
    ASCII whatever digits it was typed in."""
    t = teks(x)
    if t is None:
        return None
    t = nfkc_ascii(t)
    # Excel marks a number stored as text with a leading apostrophe.
    t = t.removeprefix("'")
    if _ANGKA_FLOAT.fullmatch(t):
        bulat = t[:-2]
        if _BULAT_KANONIK.fullmatch(bulat) and int(bulat) <= _FLOAT_EKSAK:
            return bulat
        return None
    if _DIGIT_BERPEMISAH.fullmatch(t):
        return _PEMISAH_DIGIT.sub("", t)
    return None


def nib(x: object) -> str | None:
    """A NIB (Nomor Induk Berusaha): exactly 13 digits."""
    hasil = digits(x)
    return hasil if hasil is not None and len(hasil) == 13 else None


_GAYA_RUPIAH = ("rp_space", "rp_nospace", "rp_dash", "plain_id", "plain")
_GAYA_TANGGAL = ("long", "long_day", "short", "old_spelling", "slash", "iso")


def format_rupiah(value: int | Decimal | float, style: str) -> str:
    """An amount written as Indonesians do, e.g. style `rp_space` gives `Rp 1.234.567`."""
    if style not in _GAYA_RUPIAH:
        raise ValueError(f"unknown rupiah style {style!r}: use one of {', '.join(_GAYA_RUPIAH)}")
    nilai = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    tanda = "-" if nilai < 0 else ""
    nilai = nilai.copy_abs()
    if nilai == nilai.to_integral_value():
        bulat, sen = f"{nilai:.0f}", ""
    else:
        bulat, sen = f"{nilai.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP, context=_KONTEKS):.2f}".split(".")
        sen = "," + sen
    if style == "plain":
        return f"{tanda}{bulat}{sen}"
    bertitik = f"{int(bulat):,}".replace(",", ".")
    if style == "plain_id":
        return f"{tanda}{bertitik}{sen}"
    if style == "rp_nospace":
        return f"{tanda}Rp{bertitik}{sen}"
    if style == "rp_dash":
        return f"{tanda}Rp {bertitik}{sen or ',-'}"
    return f"{tanda}Rp {bertitik}{sen}"


_SATUAN_RINGKAS = ((Decimal(10) ** 12, "triliun"), (Decimal(10) ** 9, "miliar"),
                   (Decimal(10) ** 6, "juta"))
_SATU_DESIMAL = Decimal("0.1")


def format_rupiah_ringkas(value: int | Decimal | float | None) -> str:
    """An amount as an official reads it aloud: `Rp290,4 miliar`, `Rp1,5 juta`, `Rp999`.

    From one juta (10^6) up: the largest unit (juta, miliar, triliun) the amount reaches, with
    one decimal after the comma. Below one juta: whole rupiah with thousands dots. Rounding is
    half away from zero on the exact decimal value (Decimal ROUND_HALF_UP, as people round by
    hand and as DuckDB's round() does), never banker's: 1,25 triliun gives `Rp1,3 triliun`,
    1.050.000 gives `Rp1,1 juta`. When rounding reaches 1.000 of a unit the next unit is used
    (999.950.000 gives `Rp1,0 miliar`, not `Rp1.000,0 juta`). A negative amount keeps its sign
    in front (`-Rp1,5 juta`); None gives `-`. The exact amount is format_rupiah's.
    """
    if value is None:
        return "-"
    nilai = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    tanda = "-" if nilai < 0 else ""
    besar = nilai.copy_abs()
    for indeks, (satuan, nama) in enumerate(_SATUAN_RINGKAS):
        if besar < satuan:
            continue
        dibulatkan = (besar / satuan).quantize(_SATU_DESIMAL, rounding=ROUND_HALF_UP,
                                               context=_KONTEKS)
        if dibulatkan >= 1000 and indeks > 0:
            satuan, nama = _SATUAN_RINGKAS[indeks - 1]
            dibulatkan = (besar / satuan).quantize(_SATU_DESIMAL, rounding=ROUND_HALF_UP,
                                                   context=_KONTEKS)
        bulat, desimal = f"{dibulatkan:.1f}".split(".")
        return f"{tanda}Rp{int(bulat):,}".replace(",", ".") + f",{desimal} {nama}"
    bulat = besar.quantize(Decimal(1), rounding=ROUND_HALF_UP, context=_KONTEKS)
    if bulat == 0:
        tanda = ""
    return f"{tanda}Rp{int(bulat):,}".replace(",", ".")


def format_tanggal(date: dt.date, style: str) -> str:
    """A date written as Indonesians do, e.g. style `long` gives `13 Januari 2023`."""
    if style not in _GAYA_TANGGAL:
        raise ValueError(f"unknown date style {style!r}: use one of {', '.join(_GAYA_TANGGAL)}")
    if style == "slash":
        return f"{date.day:02d}/{date.month:02d}/{date.year}"
    if style == "iso":
        return f"{date.year:04d}-{date.month:02d}-{date.day:02d}"
    if style == "short":
        return f"{date.day} {_BULAN_SINGKAT[date.month - 1]} {date.year}"
    nama_bulan = "Pebruari" if style == "old_spelling" and date.month == 2 else BULAN[date.month - 1]
    panjang = f"{date.day} {nama_bulan} {date.year}"
    if style == "long_day":
        return f"{_HARI[date.isoweekday() % 7]}, {panjang}"
    return panjang


def excel_serial(date: dt.date) -> int:
    """The Excel serial day number of a date (1900 date system, as Excel on Windows)."""
    return (dt.date(date.year, date.month, date.day) - _EXCEL_HARI_NOL).days
