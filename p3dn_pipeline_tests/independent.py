"""An independent plain-Python reading of a landing folder, for end-to-end tests.

It reads the export files the way a person with a spreadsheet would: each file is recognised
by its headers (LKPP field names; the APBD and KPKP column titles), spreadsheets by the header
row below their title rows, every sheet of a workbook. Figures are then worked out from the
README's definitions with Decimal arithmetic. It shares no code with the pipeline except
``p3dn_pipeline.lib.indoformat`` (Indonesian numbers, dates, months, digits), which has its own
tests; it uses no DuckDB and no pipeline SQL.

Where the same business key occurs more than once (the same order in two exports, the same
owner twice on one roster) one copy counts: the copy in the later file path, then the later
row, and for SiRUP the copy with the later ``_event_date`` first. ``conflicts`` lists where the
copies of a key that disagree on a figure are, so a test can assert the copies are identical.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from p3dn_pipeline.lib import indoformat

KD_KLPD_LOCAL = "DKI"  # P3DN_KD_KLPD for APBD and KPKP rows, which carry no government code
V6_TRANSACTED = {"ON_PROCESS", "ON_ADDENDUM", "COMPLETED", "PAYMENT_OUTSIDE_SYSTEM"}
V5_TRANSACTED = {"Paket Proses", "Paket Selesai"}
SEKTOR = {
    "pertanianperkotaan": "Pertanian Perkotaan",
    "urbanfarming": "Pertanian Perkotaan",
    "peternakan": "Peternakan",
    "perikanan": "Perikanan",
    "olahanpangan": "Olahan Pangan",
    "kerajinan": "Kerajinan",
}
# The six kota / kabupaten administrasi of DKI Jakarta (Kemendagri codes).
KOTA_DKI = {
    "JAKARTAPUSAT": "31.71",
    "JAKARTAUTARA": "31.72",
    "JAKARTABARAT": "31.73",
    "JAKARTASELATAN": "31.74",
    "JAKARTATIMUR": "31.75",
    "KEPULAUANSERIBU": "31.01",
}
_KOTA_PREFIX_WORDS = {"KOTA", "KABUPATEN", "KAB", "ADMINISTRASI", "ADM"}
XLSX_HEADER_SEARCH_ROWS = 15
CENT = Decimal("0.01")
GRAM = Decimal("0.001")


# --------------------------------------------------------------------------------------------
# Reading files
# --------------------------------------------------------------------------------------------

@dataclass
class Table:
    """One block of records: a JSON array, a CSV file, or one sheet below its header row."""

    path: str              # relative to the landing folder, posix
    sheet: str | None
    headers: list[str]
    rows: list[tuple[int, dict[str, Any]]]  # (row number in the file, normalised header -> value)
    dataset: str | None = None


def norm_header(header: Any) -> str:
    return re.sub(r"\s+", " ", str(header or "").replace("\ufeff", "")).strip().lower()


def classify(headers: set[str]) -> str | None:
    """Which export a header row belongs to, by the fields a person recognises it by."""
    if {"kd_paket", "kd_penyedia_v6", "product_ids", "status_pkt"} <= headers:
        return "ekatalog_paket_v6"
    if {"kd_paket", "kd_produk", "kuantitas", "harga_satuan", "paket_status_str"} <= headers:
        return "ekatalog_paket_v5"
    if {"kd_produk", "tkdn_produk", "nomor_tkdn"} <= headers:
        return "ekatalog_produk"
    if {"kd_penyedia", "penyedia_ukm"} <= headers:
        return "ekatalog_penyedia"
    if {"kd_rup", "pagu", "status_pdn", "status_ukm"} <= headers:
        return "sirup_paket_penyedia"
    if {"belanja_pengadaan", "belanja_operasi", "belanja_modal"} <= headers:
        return "sirup_struktur_anggaran"
    if {"kode rekening", "realisasi"} <= headers and (
            {"kode skpd", "kode unit", "kode opd"} & headers):
        return "apbd_realisasi"
    if "nik" in headers and ({"kota", "kota/kabupaten", "kota administrasi"} & headers):
        return "kpkp_roster"
    # SPSE, Bela and RUP-MasterSatker (README "Adding a source"; the issue-12 contract).
    if {"kd_tender", "no_kontrak", "status_kontrak"} <= headers:
        return "spse_tender_kontrak"
    if {"kd_nontender", "no_kontrak", "status_kontrak"} <= headers:
        return "spse_nontender_kontrak"
    if {"kd_tender", "kd_rup_paket", "nilai_kontrak", "nilai_pdn_kontrak"} <= headers:
        return "spse_tender_selesai"
    if {"kd_nontender", "status_nontender", "nilai_kontrak", "nilai_pdn_kontrak"} <= headers:
        return "spse_nontender_selesai"
    if {"kd_nontender_pct", "total_realisasi", "status_nontender_pct_ket"} <= headers:
        return "spse_pencatatan_nontender"
    if {"kd_nontender_pct", "jenis_realisasi", "no_realisasi", "nilai_realisasi"} <= headers:
        return "spse_pencatatan_nontender_realisasi"
    if {"kd_swakelola_pct", "total_realisasi", "status_swakelola_pct_ket"} <= headers:
        return "spse_pencatatan_swakelola"
    if {"kd_swakelola_pct", "jenis_realisasi", "no_realisasi", "nilai_realisasi"} <= headers:
        return "spse_pencatatan_swakelola_realisasi"
    if {"order_id", "valuasi", "marketplace", "status_konfirmasi_ppmse"} <= headers:
        return "bela_tokodaring"
    if {"kd_satker", "kd_satker_str", "nama_satker", "jenis_satker", "status_satker"} <= headers:
        return "sirup_master_satker"
    # Issue 13's spreadsheets (DOMAIN.md 2.4).
    if {"no order", "tanggal order", "nilai order (rp)", "status"} <= headers:
        return "eorder_pesanan"
    if {"batch", "nilai ketertarikan (rp)", "tindak lanjut"} <= headers:
        return "business_matching_batch"
    if {"bulan", "platform", "nilai penjualan (rp)"} <= headers:
        return "ecommerce_penjualan"
    return None


def landing_files(landing: Path) -> list[Path]:
    files = []
    for path in sorted(landing.rglob("*")):
        rel = path.relative_to(landing)
        if not path.is_file() or any(part.startswith((".", "~$")) for part in rel.parts):
            continue
        if path.name == "MANIFEST.json":
            continue
        files.append(path)
    return files


def read_tables(landing: Path) -> tuple[list[Table], dict[str, str]]:
    """Every table in the landing folder, and the files that cannot be read (path -> why)."""
    tables: list[Table] = []
    unreadable: dict[str, str] = {}
    for path in landing_files(landing):
        rel = path.relative_to(landing).as_posix()
        suffix = path.suffix.lower()
        try:
            if suffix == ".json":
                found = [_read_json(path, rel)]
            elif suffix == ".csv":
                found = [_read_csv(path, rel)]
            elif suffix == ".xlsx":
                found = _read_xlsx(path, rel)
            else:
                found = []
        except Exception as err:  # a broken download is the pipeline's to reject, not ours
            unreadable[rel] = f"{type(err).__name__}: {err}"
            continue
        for table in found:
            table.dataset = classify(set(table.headers))
        tables.extend(found)
    return tables, unreadable


def _read_json(path: Path, rel: str) -> Table:
    # Numbers as Decimal: a rupiah amount must not pass through a float.
    records = json.loads(path.read_text(encoding="utf-8-sig"), parse_float=Decimal)
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise ValueError("not a JSON array of objects")
    headers: list[str] = []
    rows = []
    for index, record in enumerate(records, start=1):
        normalised = {norm_header(k): v for k, v in record.items()}
        for key in normalised:
            if key not in headers:
                headers.append(key)
        rows.append((index, normalised))
    return Table(rel, None, headers, rows)


def _read_csv(path: Path, rel: str) -> Table:
    text = path.read_text(encoding="utf-8-sig")
    first_line = text.split("\n", 1)[0]
    delimiter = max([",", ";", "\t", "|"], key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [norm_header(h) for h in next(reader)]
    rows = []
    for index, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            raise ValueError(f"record {index} has {len(values)} fields, the header {len(header)}")
        rows.append((index, dict(zip(header, values))))
    return Table(rel, None, header, rows)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _read_xlsx(path: Path, rel: str) -> list[Table]:
    workbook = CalamineWorkbook.from_path(str(path))
    tables = []
    for sheet_name in workbook.sheet_names:
        cells = workbook.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
        header_at = None
        for index, row in enumerate(cells[:XLSX_HEADER_SEARCH_ROWS]):
            if classify({norm_header(c) for c in row if not _blank(c)}):
                header_at = index
                break
        if header_at is None:
            continue
        header = [norm_header(c) for c in cells[header_at]]
        rows = []
        for index, row in enumerate(cells[header_at + 1:], start=header_at + 2):
            if all(_blank(c) for c in row):
                continue  # spacer rows
            rows.append((index, {h: (row[i] if i < len(row) else None)
                                 for i, h in enumerate(header) if h}))
        tables.append(Table(rel, sheet_name, [h for h in header if h], rows))
    return tables


# --------------------------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------------------------

def text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return indoformat.teks(value)


def plain_number(value: Any) -> Decimal | None:
    """An LKPP number: a JSON number or the same digits as text (never Indonesian format)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, Decimal)):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    t = text(value)
    if t is None:
        return None
    try:
        number = Decimal(t)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def plain_int(value: Any) -> int | None:
    number = plain_number(value)
    if number is None or number != number.to_integral_value():
        return None
    return int(number)


def code_number(value: Any) -> int | None:
    """kd_rup: an int in SiRUP, an 8-digit string in e-katalog."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    digits = indoformat.digits(text(value))
    return int(digits) if digits else None


def kode_rup_list(value: Any) -> list[int] | None:
    """Every distinct kd_rup of a field ('60832782;45828523', '60505290,60505290': the same
    code repeated is that code), in order of appearance; None when the field is empty or any
    part is not a code."""
    t = text(value)
    if t is None:
        return None
    codes: list[int] = []
    for part in re.split(r"[;,]", t):
        code = code_number(part) if re.fullmatch(r"\s*[0-9]+\s*", part) else None
        if code is None:
            return None
        if code not in codes:
            codes.append(code)
    return codes or None


def flag(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    t = (text(value) or "").lower()
    if t in {"true", "t", "1", "yes", "y"}:
        return True
    if t in {"false", "f", "0", "no", "n"}:
        return False
    return None


def amount(value: Any) -> Decimal | None:
    """An Indonesian amount from a spreadsheet: typed numbers as they are, text parsed."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    return indoformat.angka(value)


def excel_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if (isinstance(value, (int, float)) and not isinstance(value, bool)
            and float(value).is_integer()):
        serial = int(value)
        if 20000 <= serial <= 80000:
            return dt.date(1899, 12, 30) + dt.timedelta(days=serial)
        return None
    return indoformat.tanggal(value)


def month_of(value: Any) -> int | None:
    if isinstance(value, (dt.date, int, float)) and not isinstance(value, bool):
        if isinstance(value, (int, float)) and 1 <= value <= 12 and float(value).is_integer():
            return int(value)
        date = excel_date(value)
        return date.month if date else None
    return indoformat.bulan(value)


def year_of(value: Any) -> int | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value).is_integer() and 1900 <= value <= 2199:
            return int(value)
    if isinstance(value, (dt.date, int, float)) and not isinstance(value, bool):
        date = excel_date(value)
        return date.year if date else None
    return indoformat.tahun(value)


def nik16(value: Any) -> str | None:
    if isinstance(value, float):
        value = str(int(value)) if value.is_integer() and value < 2**53 else repr(value)
    digits = indoformat.digits(text(value))
    return digits if digits is not None and len(digits) == 16 else None


def digits_of(value: Any) -> str | None:
    if isinstance(value, float):
        value = str(int(value)) if value.is_integer() and value < 2**53 else repr(value)
    return indoformat.digits(text(value))


def nib13(value: Any) -> str | None:
    digits = digits_of(value)
    return digits if digits is not None and len(digits) == 13 else None


def npwp_digits(value: Any) -> str | None:
    digits = digits_of(value)
    return digits if digits is not None and len(digits) in (15, 16) else None


def kota_code(value: Any) -> str | None:
    words = re.sub(r"[^A-Z0-9]+", " ", (text(value) or "").upper()).split()
    while words and words[0] in _KOTA_PREFIX_WORDS:
        words.pop(0)
    key = "".join(words)
    if key == "KEPSERIBU":
        key = "KEPULAUANSERIBU"
    return KOTA_DKI.get(key)


def half_up(value: Decimal, unit: Decimal) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 60
        return value.quantize(unit, rounding=ROUND_HALF_UP)


def pct(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    """100 x numerator / denominator, two decimals, half away from zero; NULL for a zero base."""
    if not denominator:
        return None
    with localcontext() as ctx:
        ctx.prec = 60
        return half_up(100 * Decimal(numerator) / Decimal(denominator), CENT)


# --------------------------------------------------------------------------------------------
# Rows of each dataset, parsed; then one copy per business key
# --------------------------------------------------------------------------------------------

@dataclass
class Row:
    path: str
    sheet: str | None
    row: int
    key: tuple | None        # business key; None when the row is unusable
    values: dict[str, Any]   # parsed fields the figures use
    rank: tuple = ()         # orders copies of one key, the winning copy last


@dataclass
class Reading:
    tables: list[Table]
    unreadable: dict[str, str]
    rows: dict[str, list[Row]] = field(default_factory=dict)      # every data row
    kept: dict[str, dict[tuple, Row]] = field(default_factory=dict)  # one copy per key
    # Per dataset, the copies (file, sheet, row) of each key whose figures disagree.
    conflicts: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)

    def raw_count(self, dataset: str) -> int:
        return len(self.rows.get(dataset, []))


def _v6(table: Table, n: int, r: dict) -> Row:
    kd_paket = text(r.get("kd_paket"))
    kd_rup_text = text(r.get("kd_rup"))
    values = {
        "kd_paket": kd_paket,
        "kd_klpd": text(r.get("kd_klpd")),
        "tahun": plain_int(r.get("tahun_anggaran")),
        "kd_satker_str": text(r.get("kd_satker_str")),
        "kd_rup": code_number(r.get("kd_rup")),
        "nilai": plain_number(r.get("total_harga")),
        "tgl_order": indoformat.tanggal(text(r.get("tgl_order"))),
        "status": (text(r.get("status_pkt")) or "").upper() or None,
        "kd_penyedia_sikap": plain_int(r.get("kd_penyedia_sikap")) or None,  # 0 = unknown
    }
    usable = (kd_paket and values["kd_klpd"] and values["tahun"] and values["kd_satker_str"]
              and values["nilai"] is not None and values["nilai"] >= 0
              and values["tgl_order"] is not None and values["status"]
              and (kd_rup_text is None or values["kd_rup"] is not None))
    values["transacted"] = values["status"] in V6_TRANSACTED
    return Row(table.path, table.sheet, n, (kd_paket,) if usable else None, values)


def _v5(table: Table, n: int, r: dict) -> Row:
    kd_paket = plain_int(r.get("kd_paket"))
    kd_produk = text(r.get("kd_produk"))
    kd_rup_text = text(r.get("kd_rup"))
    status_str = text(r.get("paket_status_str"))
    step = (text(r.get("status_paket")) or "").lower()
    values = {
        "kd_klpd": text(r.get("kd_klpd")),
        "tahun": plain_int(r.get("tahun_anggaran")),
        "satker_id": plain_int(r.get("satker_id")),
        "kd_rup": code_number(r.get("kd_rup")),
        "nilai": plain_number(r.get("total_harga")),
        "tanggal": indoformat.tanggal(text(r.get("tanggal_buat_paket"))),
        # In process or finished, and its workflow step is not a cancellation (batal).
        "transacted": status_str in V5_TRANSACTED and "batal" not in step,
        "kd_penyedia": plain_int(r.get("kd_penyedia")),
    }
    usable = (kd_paket is not None and kd_produk and values["kd_klpd"] and values["tahun"]
              and values["satker_id"] is not None
              and values["nilai"] is not None and values["nilai"] >= 0
              and values["tanggal"] is not None
              and (kd_rup_text is None or values["kd_rup"] is not None))
    return Row(table.path, table.sheet, n, (kd_paket, kd_produk) if usable else None, values)


def _sirup(table: Table, n: int, r: dict) -> Row:
    status_pdn = (text(r.get("status_pdn")) or "").upper()
    status_ukm = (text(r.get("status_ukm")) or "").upper()
    aktif, hapus = flag(r.get("status_aktif_rup")), flag(r.get("status_delete_rup"))
    values = {
        "kd_klpd": text(r.get("kd_klpd")),
        "tahun": plain_int(r.get("tahun_anggaran")),
        "kd_satker_str": text(r.get("kd_satker_str")),
        "kd_rup": code_number(r.get("kd_rup")),
        "pagu": plain_number(r.get("pagu")),
        "pdn": status_pdn == "PDN",
        "ukm": status_ukm == "UKM",
        # Announced, active and not deleted.
        "komitmen": bool(aktif) and not hapus
        and (text(r.get("status_umumkan_rup")) or "").lower() == "terumumkan",
        "event_date": indoformat.tanggal(text(r.get("_event_date"))),
    }
    usable = (values["kd_rup"] is not None and values["kd_klpd"] and values["tahun"]
              and values["kd_satker_str"] and values["pagu"] is not None and values["pagu"] >= 0
              and status_pdn in {"PDN", "IMPOR"} and status_ukm in {"UKM", "NON UKM", "NON-UKM"})
    event = values["event_date"]
    # The latest event date is the current plan; a copy without one loses.
    rank = (event is not None, event or dt.date.min)
    # A kd_rup is a package of one fiscal year.
    return Row(table.path, table.sheet, n, (values["kd_rup"], values["tahun"]) if usable else None,
               values, rank)


def _struktur(table: Table, n: int, r: dict) -> Row:
    figures = [r.get(k) for k in ("tahun_anggaran", "belanja_operasi", "belanja_modal",
                                  "belanja_pengadaan", "total_belanja")]
    values = {
        "kd_klpd": text(r.get("kd_klpd")),
        "tahun": plain_int(r.get("tahun_anggaran")),
        "kd_satker_str": (text(r.get("kd_satker_str")) or "").rstrip(".") or None,
        "belanja_pengadaan": plain_number(r.get("belanja_pengadaan")),
    }
    has_figures = any(text(f) is not None for f in figures)
    usable = (has_figures and values["kd_klpd"] and values["tahun"] and values["kd_satker_str"]
              and values["belanja_pengadaan"] is not None and values["belanja_pengadaan"] >= 0
              and all(plain_number(r.get(k)) is not None
                      for k in ("belanja_operasi", "belanja_modal", "total_belanja")))
    key = (values["kd_klpd"], values["tahun"], values["kd_satker_str"])
    return Row(table.path, table.sheet, n, key if usable else None, values)


def _pick(r: dict, *names: str) -> Any:
    for name in names:
        if name in r:
            return r[name]
    return None


def _apbd(table: Table, n: int, r: dict) -> Row:
    kode_skpd = (text(_pick(r, "kode skpd", "kode unit", "kode opd")) or "").rstrip(". ") or None
    kode = indoformat.kode_rekening(text(_pick(r, "kode rekening", "kode akun")))
    anggaran_cell = _pick(r, "anggaran", "pagu anggaran")
    realisasi = amount(r.get("realisasi"))
    periode = _pick(r, "bulan", "periode")
    tahun = year_of(_pick(r, "tahun", "tahun anggaran")) or year_of(periode)
    values = {
        "tahun": tahun,
        "bulan": month_of(periode),
        "kode_rekening": kode,
        "realisasi": half_up(realisasi, CENT) if realisasi is not None else None,
    }
    six_levels = kode is not None and re.fullmatch(r"[0-9]+(\.[0-9]+){5}", kode) is not None
    usable = (kode_skpd and six_levels and realisasi is not None
              and (text(anggaran_cell) is None or amount(anggaran_cell) is not None)
              and values["bulan"] is not None and 1 <= values["bulan"] <= 12 and tahun)
    key = (KD_KLPD_LOCAL, tahun, kode_skpd, kode, values["bulan"])
    return Row(table.path, table.sheet, n, key if usable else None, values)


def _roster(table: Table, n: int, r: dict) -> Row:
    quarter_cell = _pick(r, "triwulan", "periode laporan")
    quarter = indoformat.triwulan(text(quarter_cell)) or indoformat.triwulan(table.sheet)
    year = indoformat.tahun(text(quarter_cell)) or indoformat.tahun(table.sheet)
    produksi = amount(_pick(r, "produksi (kg)", "produksi"))
    omzet = amount(_pick(r, "omzet (rp)", "omzet"))
    sektor_text = re.sub(r"[^a-z]", "", (text(_pick(r, "sektor", "sektor usaha")) or "").lower())
    values = {
        "nik": nik16(r.get("nik")),
        "nib": nib13(r.get("nib")),
        "kota": kota_code(_pick(r, "kota", "kota/kabupaten", "kota administrasi")),
        # Any other sector written is data, counted under Lainnya; an empty one is missing.
        "sektor": SEKTOR.get(sektor_text, "Lainnya" if sektor_text else None),
        "jenis_produk": {"segar": "Segar", "olahan": "Olahan"}.get(
            re.sub(r"[^a-z]", "", (text(_pick(r, "jenis produk", "jenis produksi",
                                              "segar/olahan")) or "").lower())),
        "produksi_kg": half_up(produksi, GRAM) if produksi is not None else None,
        "omzet_rp": half_up(omzet, CENT) if omzet is not None else None,
    }
    produksi_ok = text(_pick(r, "produksi (kg)", "produksi")) is None or (
        produksi is not None and produksi >= 0)
    omzet_ok = text(_pick(r, "omzet (rp)", "omzet")) is None or (omzet is not None and omzet >= 0)
    usable = (values["nik"] and values["kota"] and values["sektor"] and quarter and year
              and produksi_ok and omzet_ok)
    key = (year, quarter, values["nik"])
    return Row(table.path, table.sheet, n, key if usable else None, values)


def _penyedia(table: Table, n: int, r: dict) -> Row:
    values = {
        "kd_penyedia": plain_int(r.get("kd_penyedia")),
        "kd_penyedia_sikap": plain_int(r.get("kode_penyedia_sikap")) or None,
        "penyedia_ukm": text(r.get("penyedia_ukm")),
        "nib": nib13(r.get("nib")),
        # NPWP digits (NPWP-16 of a sole proprietor is the owner's NIK).
        "npwp": [d for d in (digits_of(r.get("npwp_16")), digits_of(r.get("npwp"))) if d],
    }
    key = (values["kd_penyedia"],) if values["kd_penyedia"] is not None else None
    return Row(table.path, table.sheet, n, key, values)


def _data_date(value: Any) -> tuple[dt.date | None, tuple]:
    """The export's own data date, and the rank it gives a copy: the newest date wins, a
    copy without one loses (then the later file, then the later row)."""
    date = indoformat.tanggal(text(value))
    return date, (date is not None, date or dt.date.min)


def _money(r: dict, name: str) -> tuple[Decimal | None, bool]:
    """An LKPP amount (a JSON number, or the same digits as a string with decimals); and
    whether the field is usable: empty, or a number that is not negative."""
    value = plain_number(r.get(name))
    ok = text(r.get(name)) is None or (value is not None and value >= 0)
    return value, ok


def _spse_selection(table: Table, n: int, r: dict, code_field: str) -> Row:
    """SPSE-TenderSelesaiNilai (code_field kd_tender) or SPSE-NonTenderSelesai."""
    nilai, ok_nilai = _money(r, "nilai_kontrak")
    pdn, ok_pdn = _money(r, "nilai_pdn_kontrak")
    umk, ok_umk = _money(r, "nilai_umk_kontrak")
    kd_rup_field = "kd_rup_paket" if code_field == "kd_tender" else "kd_rup"
    kd_rup_text = text(r.get(kd_rup_field))
    codes = kode_rup_list(r.get(kd_rup_field))
    date, rank = _data_date(r.get("_event_date") if code_field == "kd_tender"
                            else r.get("tgl_penarikan"))
    status = re.sub(r"\s+", "", text(r.get("status_nontender")) or "").lower()
    values = {
        "kd_klpd": text(r.get("kd_klpd")),
        "tahun": plain_int(r.get("tahun_anggaran")),
        "kode": plain_int(r.get(code_field)),
        "kd_rup": codes[0] if codes and len(codes) == 1 else None,
        "nilai": nilai, "pdn": pdn, "umk": umk,
        # Tenders in SPSE-TenderSelesaiNilai are finished selections; a non-tender counts
        # when its status is Selesai (case and spaces ignored).
        "selesai": code_field == "kd_tender" or status == "selesai",
        "tanggal_data": date,
        # The winner's NPWPs (15 and 16 digits), to match cohort UMKM.
        "npwp": [d for d in (npwp_digits(r.get("npwp_penyedia")),
                             npwp_digits(r.get("npwp_16_penyedia") or r.get("npwp16_penyedia")))
                 if d],
    }
    usable = (values["kode"] is not None and values["kd_klpd"] and values["tahun"]
              and ok_nilai and ok_pdn and ok_umk and (kd_rup_text is None or codes is not None))
    return Row(table.path, table.sheet, n, (values["kode"],) if usable else None, values, rank)


def _tender(table: Table, n: int, r: dict) -> Row:
    return _spse_selection(table, n, r, "kd_tender")


def _nontender(table: Table, n: int, r: dict) -> Row:
    return _spse_selection(table, n, r, "kd_nontender")


def _spse_contract(table: Table, n: int, r: dict, code_field: str) -> Row:
    nilai, ok_nilai = _money(r, "nilai_kontrak")
    pdn, ok_pdn = _money(r, "nilai_pdn_kontrak")
    umk, ok_umk = _money(r, "nilai_umk_kontrak")
    versi = plain_int(r.get("versi_addendum"))
    values = {
        "kd_klpd": text(r.get("kd_klpd")),
        "tahun": plain_int(r.get("tahun_anggaran")),
        "kode": plain_int(r.get(code_field)),
        "no_kontrak": text(r.get("no_kontrak")),
        "status_kontrak": text(r.get("status_kontrak")),
        "nilai": nilai, "pdn": pdn, "umk": umk, "versi_addendum": versi,
    }
    usable = (values["kode"] is not None and values["no_kontrak"] and values["kd_klpd"]
              and values["tahun"] and ok_nilai and ok_pdn and ok_umk)
    # The latest addendum of a contract is the contract.
    rank = (versi is not None, versi if versi is not None else -1)
    return Row(table.path, table.sheet, n,
               (values["kode"], values["no_kontrak"]) if usable else None, values, rank)


def _tender_kontrak(table: Table, n: int, r: dict) -> Row:
    return _spse_contract(table, n, r, "kd_tender")


def _nontender_kontrak(table: Table, n: int, r: dict) -> Row:
    return _spse_contract(table, n, r, "kd_nontender")


def _pencatatan(table: Table, n: int, r: dict, code_field: str, status_field: str) -> Row:
    total, ok_total = _money(r, "total_realisasi")
    pdn, ok_pdn = _money(r, "nilai_pdn_pct")
    umk, ok_umk = _money(r, "nilai_umk_pct")
    codes = kode_rup_list(r.get("kd_rup"))
    date, rank = _data_date(r.get("_event_date"))
    values = {
        "kd_klpd": text(r.get("kd_klpd")),
        "tahun": plain_int(r.get("tahun_anggaran")),
        "kode": plain_int(r.get(code_field)),
        "kd_rup_list": codes,
        "nilai": total, "pdn": pdn, "umk": umk,
        "dibatalkan": (text(r.get(status_field)) or "") == "Paket Dibatalkan",
        "tanggal_data": date,
    }
    usable = (values["kode"] is not None and values["kd_klpd"] and values["tahun"]
              and ok_total and ok_pdn and ok_umk
              and (text(r.get("kd_rup")) is None or codes is not None))
    return Row(table.path, table.sheet, n, (values["kode"],) if usable else None, values, rank)


def _pencatatan_nontender(table: Table, n: int, r: dict) -> Row:
    return _pencatatan(table, n, r, "kd_nontender_pct", "status_nontender_pct_ket")


def _pencatatan_swakelola(table: Table, n: int, r: dict) -> Row:
    return _pencatatan(table, n, r, "kd_swakelola_pct", "status_swakelola_pct_ket")


def _payment(table: Table, n: int, r: dict, code_field: str) -> Row:
    nilai, ok_nilai = _money(r, "nilai_realisasi")
    values = {
        "kd_klpd": text(r.get("kd_klpd")),
        "tahun": plain_int(r.get("tahun_anggaran")),
        "kode": plain_int(r.get(code_field)),
        "kd_rup": code_number(r.get("kd_rup_paket")),
        "nilai": nilai,
    }
    key = (values["kode"], text(r.get("jenis_realisasi")), text(r.get("no_realisasi")),
           indoformat.tanggal(text(r.get("tgl_realisasi"))))
    usable = values["kode"] is not None and values["kd_klpd"] and values["tahun"] and ok_nilai
    return Row(table.path, table.sheet, n, key if usable else None, values)


def _pencatatan_nontender_realisasi(table: Table, n: int, r: dict) -> Row:
    return _payment(table, n, r, "kd_nontender_pct")


def _pencatatan_swakelola_realisasi(table: Table, n: int, r: dict) -> Row:
    return _payment(table, n, r, "kd_swakelola_pct")


def _tokodaring(table: Table, n: int, r: dict) -> Row:
    valuasi, ok = _money(r, "valuasi")
    values = {
        "kd_klpd": text(r.get("kd_klpd")),
        "tahun": plain_int(r.get("tahun")),
        "kd_satker": plain_int(r.get("kd_satker")),
        "nilai": valuasi,
        # Verified and confirmed finished by the marketplace ('gagal': the payment failed).
        "selesai": (text(r.get("status_verif")) or "").lower() == "verified"
        and (text(r.get("status_konfirmasi_ppmse")) or "").lower() == "selesai",
    }
    key = (text(r.get("marketplace")), text(r.get("order_id")))
    usable = all(key) and values["kd_klpd"] and values["tahun"] and ok
    # No data date in the export: the copy loaded last wins.
    return Row(table.path, table.sheet, n, key if usable else None, values)


def _master_satker(table: Table, n: int, r: dict) -> Row:
    kode = text(r.get("kd_satker_str"))
    values = {"kd_klpd": text(r.get("kd_klpd")), "kd_satker": plain_int(r.get("kd_satker")),
              "kd_satker_str": kode}
    usable = kode and values["kd_klpd"]
    return Row(table.path, table.sheet, n, (values["kd_klpd"], kode) if usable else None,
               values)


def _eorder(table: Table, n: int, r: dict) -> Row:
    nilai = amount(r.get("nilai order (rp)"))
    tanggal = excel_date(r.get("tanggal order"))
    values = {
        "kd_klpd": KD_KLPD_LOCAL,  # DKI's own system: the pipeline's pemda
        "tahun": tanggal.year if tanggal else None,
        "nilai": nilai,
        "selesai": re.sub(r"[^a-z]", "", (text(r.get("status")) or "").lower()) == "selesai",
        "kd_rup": code_number(r.get("kode rup")),
        "nib": nib13(r.get("nib")),
        "npwp": npwp_digits(r.get("npwp")),
        "id_jakpreneur": (text(r.get("id jakpreneur")) or "").upper() or None,
    }
    key = (text(r.get("no order")),)
    usable = key[0] and tanggal and nilai is not None and nilai >= 0
    return Row(table.path, table.sheet, n, key if usable else None, values)


def _business_matching(table: Table, n: int, r: dict) -> Row:
    batch_text = text(r.get("batch")) or ""
    batch = int(re.search(r"[0-9]+", batch_text).group()) if re.search(r"[0-9]+", batch_text) else None
    nilai = amount(r.get("nilai ketertarikan (rp)"))
    nib_text, npwp_text, nik_text = (text(r.get(c)) for c in ("nib", "npwp", "nik pemilik"))
    nib, npwp, nik = nib13(r.get("nib")), npwp_digits(r.get("npwp")), nik16(r.get("nik pemilik"))
    tanggal_text = text(r.get("tanggal"))
    tanggal = excel_date(r.get("tanggal"))
    kode_rup_text = text(r.get("kode rup"))
    kode_rup = kode_rup_list(r.get("kode rup"))
    tindak = re.sub(r"[^a-z]", "", (text(r.get("tindak lanjut")) or "").lower())
    values = {
        "batch": batch, "tanggal": tanggal, "nib": nib, "npwp": npwp, "nik": nik,
        "sektor": text(r.get("sektor")) or "(tidak diketahui)",
        "skpd": text(r.get("kode skpd")) or (text(r.get("skpd pembeli")) or "").upper()
        or "(tidak diketahui)",
        "nilai": nilai,
        "transaksi": tindak in ("transaksi", "deal"),
        "kd_rup": kode_rup or [],
        "kd_paket": text(r.get("kode paket")),
    }
    usable = (batch is not None and (nilai is not None or text(r.get("nilai ketertarikan (rp)")) is None)
              and (nilai is None or nilai >= 0)
              and (nib or npwp or nik)
              and (nib_text in (None, "-") or nib) and (npwp_text is None or npwp)
              and (nik_text is None or nik)
              and (tanggal_text is None or tanggal) and (kode_rup_text is None or kode_rup)
              and tindak
              and (text(r.get("tkdn (%)")) is None or isinstance(r.get("tkdn (%)"), (int, float))
                   or indoformat.persen(text(r.get("tkdn (%)"))) is not None))
    usaha = f"nib:{nib}" if nib else f"npwp:{npwp}" if npwp else f"nik:{nik}"
    key = (batch, usaha, values["skpd"], text(r.get("produk")) or "")
    return Row(table.path, table.sheet, n, key if usable else None, values)


def _ecommerce(table: Table, n: int, r: dict) -> Row:
    bulan_cell = r.get("bulan")
    bulan = indoformat.bulan(text(bulan_cell)) if not isinstance(bulan_cell, dt.date) else bulan_cell.month
    tahun = indoformat.tahun(text(bulan_cell)) if not isinstance(bulan_cell, dt.date) else bulan_cell.year
    nilai = amount(r.get("nilai penjualan (rp)"))
    nib_text = text(r.get("nib"))
    nib = nib13(r.get("nib"))
    transaksi = plain_number(r.get("jumlah transaksi")) if text(r.get("jumlah transaksi")) else None
    values = {"tahun": tahun, "bulan": bulan, "nib": nib, "nilai": nilai,
              "transaksi": int(transaksi) if transaksi is not None else 0}
    penjual = (f"nib:{nib}" if nib else
               f"nama:{(text(r.get('nama usaha')) or '').upper()}" if text(r.get("nama usaha"))
               else f"baris:{table.path}:{n}")
    usable = (bulan and tahun and text(r.get("platform")) and nilai is not None and nilai >= 0
              and (nib_text in (None, "-") or nib)
              and (text(r.get("jumlah transaksi")) is None
                   or (transaksi is not None and transaksi >= 0 and transaksi == int(transaksi))))
    key = (text(r.get("platform")), tahun, bulan, penjual)
    return Row(table.path, table.sheet, n, key if usable else None, values)


PARSERS = {
    "business_matching_batch": _business_matching,
    "ecommerce_penjualan": _ecommerce,
    "eorder_pesanan": _eorder,
    "ekatalog_paket_v6": _v6,
    "ekatalog_paket_v5": _v5,
    "sirup_paket_penyedia": _sirup,
    "sirup_struktur_anggaran": _struktur,
    "apbd_realisasi": _apbd,
    "kpkp_roster": _roster,
    "ekatalog_penyedia": _penyedia,
    "spse_tender_selesai": _tender,
    "spse_nontender_selesai": _nontender,
    "spse_tender_kontrak": _tender_kontrak,
    "spse_nontender_kontrak": _nontender_kontrak,
    "spse_pencatatan_nontender": _pencatatan_nontender,
    "spse_pencatatan_nontender_realisasi": _pencatatan_nontender_realisasi,
    "spse_pencatatan_swakelola": _pencatatan_swakelola,
    "spse_pencatatan_swakelola_realisasi": _pencatatan_swakelola_realisasi,
    "bela_tokodaring": _tokodaring,
    "sirup_master_satker": _master_satker,
}
# Fields whose disagreement between two copies of one key would change a figure.
FIGURE_FIELDS = {
    "ekatalog_paket_v6": ("kd_klpd", "tahun", "kd_rup", "nilai", "transacted"),
    "ekatalog_paket_v5": ("kd_klpd", "tahun", "kd_rup", "nilai", "transacted"),
    "sirup_paket_penyedia": ("kd_klpd", "tahun", "pagu", "pdn", "ukm", "komitmen"),
    "sirup_struktur_anggaran": ("belanja_pengadaan",),
    "apbd_realisasi": ("kode_rekening", "realisasi"),
    "kpkp_roster": ("kota", "sektor", "produksi_kg", "omzet_rp"),
    "ekatalog_penyedia": ("kd_penyedia_sikap", "penyedia_ukm"),
    "spse_tender_selesai": ("kd_klpd", "tahun", "nilai", "pdn", "umk", "selesai"),
    "spse_nontender_selesai": ("kd_klpd", "tahun", "nilai", "pdn", "umk", "selesai"),
    # A contract's addenda are meant to differ: the latest version is the contract, and
    # e-kontrak is never summed.
    "spse_tender_kontrak": (),
    "spse_nontender_kontrak": (),
    "spse_pencatatan_nontender": ("kd_klpd", "tahun", "nilai", "pdn", "umk", "dibatalkan"),
    "spse_pencatatan_nontender_realisasi": ("nilai",),
    "spse_pencatatan_swakelola": ("kd_klpd", "tahun", "nilai", "pdn", "umk", "dibatalkan"),
    "spse_pencatatan_swakelola_realisasi": ("nilai",),
    "bela_tokodaring": ("kd_klpd", "tahun", "nilai", "selesai"),
    "sirup_master_satker": ("kd_satker",),
    "eorder_pesanan": ("tahun", "nilai", "selesai"),
    "business_matching_batch": ("nilai", "transaksi"),
    "ecommerce_penjualan": ("nilai", "transaksi"),
}


def read_landing(landing: Path) -> Reading:
    reading = Reading(*read_tables(landing))
    for table in reading.tables:
        if table.dataset is None:
            continue
        parse = PARSERS.get(table.dataset)
        bucket = reading.rows.setdefault(table.dataset, [])
        for n, record in table.rows:
            bucket.append(parse(table, n, record) if parse
                          else Row(table.path, table.sheet, n, None, {}))
    for dataset, rows in reading.rows.items():
        if dataset not in PARSERS:
            continue
        copies: dict[tuple, list[Row]] = defaultdict(list)
        for row in rows:
            if row.key is not None:
                copies[row.key].append(row)
        kept, conflicts = {}, []
        for key, group in copies.items():
            group.sort(key=lambda c: (c.rank, c.path, c.row))
            kept[key] = group[-1]
            fields = FIGURE_FIELDS[dataset]
            if len({tuple(c.values[f] for f in fields) for c in group}) > 1:
                # Named by where the copies are, not by the key: a roster key holds a NIK.
                conflicts.append(tuple(f"{c.path}{'!' + c.sheet if c.sheet else ''} row {c.row}"
                                       for c in group))
        reading.kept[dataset] = kept
        reading.conflicts[dataset] = conflicts
    return reading


# --------------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------------

def p3dn_provinsi(reading: Reading) -> dict[tuple[str, int], dict[str, Decimal | None]]:
    """Headline per (kd_klpd, tahun_anggaran), from the README's definitions."""
    zero = Decimal(0)
    figures: dict[tuple[str, int], dict[str, Decimal]] = defaultdict(lambda: {
        "pembilang_realisasi_pdn_rp": zero, "penyebut_komitmen_pdn_rp": zero,
        "belanja_pengadaan_rp": zero, "komitmen_umk_rp": zero, "realisasi_ekatalog_rp": zero})

    sirup = {key: row.values
             for key, row in reading.kept.get("sirup_paket_penyedia", {}).items()}
    for plan in sirup.values():
        group = figures[(plan["kd_klpd"], plan["tahun"])]
        if plan["komitmen"] and plan["pdn"]:
            group["penyebut_komitmen_pdn_rp"] += plan["pagu"]
        if plan["komitmen"] and plan["ukm"]:
            group["komitmen_umk_rp"] += plan["pagu"]

    for row in reading.kept.get("sirup_struktur_anggaran", {}).values():
        figures[(row.values["kd_klpd"], row.values["tahun"])]["belanja_pengadaan_rp"] += \
            row.values["belanja_pengadaan"]

    packages = []  # (kd_klpd, tahun, kd_rup, value, transacted)
    for row in reading.kept.get("ekatalog_paket_v6", {}).values():
        v = row.values
        packages.append((v["kd_klpd"], v["tahun"], v["kd_rup"], v["nilai"], v["transacted"]))
    v5_lines: dict[tuple, list[dict]] = defaultdict(list)
    for (kd_paket, _), row in reading.kept.get("ekatalog_paket_v5", {}).items():
        v5_lines[(row.values["kd_klpd"], row.values["tahun"], kd_paket)].append(row.values)
    for (kd_klpd, tahun, kd_paket), lines in v5_lines.items():
        kd_rups = {line["kd_rup"] for line in lines}
        assert len(kd_rups) == 1, f"v5 package {kd_paket} names several kd_rup: {kd_rups}"
        # A package's value is the sum of its product lines; it is transacted as a whole.
        packages.append((kd_klpd, tahun, kd_rups.pop(), sum(line["nilai"] for line in lines),
                         all(line["transacted"] for line in lines)))

    for kd_klpd, tahun, kd_rup, value, transacted in packages:
        if not transacted:
            continue
        group = figures[(kd_klpd, tahun)]
        group["realisasi_ekatalog_rp"] += value
        plan = sirup.get((kd_rup, tahun))
        if plan is not None and plan["komitmen"] and plan["pdn"]:
            group["pembilang_realisasi_pdn_rp"] += value

    result = {}
    for key, group in figures.items():
        result[key] = {
            **group,
            "pct_realisasi_komitmen": pct(group["pembilang_realisasi_pdn_rp"],
                                          group["penyebut_komitmen_pdn_rp"]),
            "pct_pdn_belanja": pct(group["penyebut_komitmen_pdn_rp"],
                                   group["belanja_pengadaan_rp"]),
            "pct_umk_belanja": pct(group["komitmen_umk_rp"], group["belanja_pengadaan_rp"]),
        }
    return result


def umkm_per_triwulan(reading: Reading) -> dict[tuple[int, int], dict[str, Any]]:
    """Mentored businesses per (tahun, triwulan) for the whole province, from the kept roster
    rows: the first quarter loaded is the baseline (no new / continuing / departed counts);
    year-to-date figures carry a business's latest row of the year forward when it is absent
    from a later roster."""
    kept = reading.kept.get("kpkp_roster", {})
    quarters = sorted({(year, quarter) for (year, quarter, _) in kept})
    order = {q: q[0] * 4 + q[1] - 1 for q in quarters}
    on_roster: dict[tuple[int, int], set[str]] = defaultdict(set)
    for (year, quarter, nik) in kept:
        on_roster[(year, quarter)].add(nik)
    seen_before: set[str] = set()
    result = {}
    for position, key in enumerate(quarters):
        year, quarter = key
        now = on_roster[key]
        previous_key = next((q for q in quarters if order[q] == order[key] - 1), None)
        previous = on_roster[previous_key] if previous_key else None
        baseline = position == 0
        # The latest row of this year up to this quarter, for every business seen this year.
        latest: dict[str, dict] = {}
        for (y, t, nik), row in sorted(kept.items(), key=lambda item: item[0][:2]):
            if y == year and t <= quarter:
                latest[nik] = row.values
        kg = sum((v["produksi_kg"] for v in latest.values() if v["produksi_kg"] is not None),
                 Decimal(0))
        kg_olahan = sum((v["produksi_kg"] for v in latest.values()
                         if v["produksi_kg"] is not None and v["jenis_produk"] == "Olahan"),
                        Decimal(0))
        omzet = sum((v["omzet_rp"] for v in latest.values() if v["omzet_rp"] is not None),
                    Decimal(0))
        result[key] = {
            "is_baseline": baseline,
            "jumlah_aktif": len(now),
            "jumlah_baru": None if baseline else len(now - seen_before),
            "jumlah_lanjut": None if previous is None else len(now & previous),
            "jumlah_keluar": None if previous is None else len(previous - now),
            # Growth against the previous calendar quarter: TW I against the previous
            # year's TW IV.
            "jumlah_aktif_triwulan_sebelumnya": None if previous is None else len(previous),
            "pct_pertumbuhan_qoq": (None if previous is None
                                    else pct(Decimal(len(now) - len(previous)),
                                             Decimal(len(previous)))),
            "jumlah_dibawa": len(set(latest) - now),
            "produksi_ton_ytd": half_up(kg / 1000, GRAM),
            "produksi_olahan_ton_ytd": half_up(kg_olahan / 1000, GRAM),
            "omzet_rp_ytd": omzet,
        }
        seen_before |= now
    return result


def apbd_pengadaan_bulanan(reading: Reading) -> dict[tuple[int, int], Decimal]:
    """Realised procurement-eligible APBD spending per (tahun, bulan): six-level codes under
    5.1.02 (barang dan jasa) and 5.2 (modal)."""
    result: dict[tuple[int, int], Decimal] = {}
    for (_, tahun, _, kode, bulan), row in reading.kept.get("apbd_realisasi", {}).items():
        result.setdefault((tahun, bulan), Decimal(0))
        if kode.startswith(("5.1.02.", "5.2.")):
            result[(tahun, bulan)] += row.values["realisasi"]
    return result


# --------------------------------------------------------------------------------------------
# Realisation by channel, and the all-channel headline (issue 12)
# --------------------------------------------------------------------------------------------

KANAL = ("ekatalog", "tender", "nontender", "pencatatan_nontender", "pencatatan_swakelola",
         "tokodaring", "eorder")
# The channels of the P3DN ratio: swakelola is self-managed work, reported but kept out.
KANAL_P3DN = ("ekatalog", "tender", "nontender", "pencatatan_nontender", "tokodaring", "eorder")
KANAL_SUMS = ("realisasi_rp", "realisasi_pdn_rp", "realisasi_umk_rp",
              "realisasi_pdn_tidak_diketahui_rp", "realisasi_umk_tidak_diketahui_rp")


def _kanal_kosong() -> dict[str, Any]:
    return {"jumlah_paket": 0, **{name: Decimal(0) for name in KANAL_SUMS},
            "jumlah_paket_tanpa_nilai": 0}


def _tambah(group: dict[str, Any], nilai: Decimal | None, pdn: Decimal | None,
            umk: Decimal | None, pdn_unknown: bool = False, umk_unknown: bool = False) -> None:
    """One package into its channel: no value -> counted apart and in no sum; a value
    without its PDN (UMK) part -> the whole value is 'PDN (UMK) unknown', never 0 % nor
    100 %."""
    if nilai is None:
        group["jumlah_paket_tanpa_nilai"] += 1
        return
    group["jumlah_paket"] += 1
    group["realisasi_rp"] += nilai
    if pdn is None or pdn_unknown:
        group["realisasi_pdn_tidak_diketahui_rp"] += nilai
    else:
        group["realisasi_pdn_rp"] += pdn
    if umk is None or umk_unknown:
        group["realisasi_umk_tidak_diketahui_rp"] += nilai
    else:
        group["realisasi_umk_rp"] += umk


def _ekatalog_packages(reading: Reading) -> list[dict[str, Any]]:
    """Every e-katalog package once: a v6 order, or a v5 package with its lines summed."""
    packages = []
    for row in reading.kept.get("ekatalog_paket_v6", {}).values():
        v = row.values
        packages.append({"kd_klpd": v["kd_klpd"], "tahun": v["tahun"], "kd_rup": v["kd_rup"],
                         "nilai": v["nilai"], "transacted": v["transacted"], "versi": "v6",
                         "vendor": v["kd_penyedia_sikap"], "kd_paket": "v6:" + v["kd_paket"]})
    v5_lines: dict[tuple, list[dict]] = defaultdict(list)
    for (kd_paket, _), row in reading.kept.get("ekatalog_paket_v5", {}).items():
        v5_lines[(row.values["kd_klpd"], row.values["tahun"], kd_paket)].append(row.values)
    for (kd_klpd, tahun, kd_paket), lines in v5_lines.items():
        kd_rups = {line["kd_rup"] for line in lines}
        assert len(kd_rups) == 1, f"v5 package {kd_paket} names several kd_rup: {kd_rups}"
        vendors = {line["kd_penyedia"] for line in lines}
        packages.append({"kd_klpd": kd_klpd, "tahun": tahun, "kd_rup": kd_rups.pop(),
                         "nilai": sum(line["nilai"] for line in lines),
                         "transacted": all(line["transacted"] for line in lines),
                         "versi": "v5", "vendor": vendors.pop() if len(vendors) == 1 else None,
                         "kd_paket": f"v5:{kd_paket}"})
    return packages


def p3dn_realisasi_kanal(reading: Reading) -> dict[tuple[str, int, str], dict[str, Any]]:
    """marts.p3dn_realisasi_kanal per (kd_klpd, tahun_anggaran, kanal), by the issue-12
    contract's definitions: one copy per key (newest data date, then the copy loaded last);
    tender = SPSE-TenderSelesaiNilai, nontender = SPSE-NonTenderSelesai where Selesai
    (nilai_kontrak / nilai_pdn_kontrak / nilai_umk_kontrak); pencatatan without 'Paket
    Dibatalkan' (total_realisasi / nilai_pdn_pct / nilai_umk_pct); toko daring verified and
    'selesai' (valuasi, PDN and UMK unknown); e-katalog transacted (PDN from the SiRUP package
    of the same kd_rup and year when it is committed, else unknown; UMK from the vendor's
    penyedia_ukm, unknown when the vendor is not found). Every row under its own kd_klpd.
    E-kontrak is never summed. A channel appears for a group when at least one of its rows
    passes the channel's filter (counted in jumlah_paket or jumlah_paket_tanpa_nilai)."""
    result: dict[tuple[str, int, str], dict[str, Any]] = defaultdict(_kanal_kosong)

    for dataset, kanal in (("spse_tender_selesai", "tender"),
                           ("spse_nontender_selesai", "nontender")):
        for row in reading.kept.get(dataset, {}).values():
            v = row.values
            if v["selesai"]:
                _tambah(result[(v["kd_klpd"], v["tahun"], kanal)], v["nilai"], v["pdn"],
                        v["umk"])

    for dataset, kanal in (("spse_pencatatan_nontender", "pencatatan_nontender"),
                           ("spse_pencatatan_swakelola", "pencatatan_swakelola")):
        for row in reading.kept.get(dataset, {}).values():
            v = row.values
            if not v["dibatalkan"]:
                _tambah(result[(v["kd_klpd"], v["tahun"], kanal)], v["nilai"], v["pdn"],
                        v["umk"])

    for row in reading.kept.get("bela_tokodaring", {}).values():
        v = row.values
        if v["selesai"]:
            _tambah(result[(v["kd_klpd"], v["tahun"], "tokodaring")], v["nilai"], None, None)

    # e-Order: a finished order, PDN and UMK unknown (the export reports neither).
    for row in reading.kept.get("eorder_pesanan", {}).values():
        v = row.values
        if v["selesai"]:
            _tambah(result[(v["kd_klpd"], v["tahun"], "eorder")], v["nilai"], None, None)

    plans = {(key[0], row.values["tahun"]): row.values
             for key, row in reading.kept.get("sirup_paket_penyedia", {}).items()}
    vendors = reading.kept.get("ekatalog_penyedia", {})
    ukm_v5 = {kd: row.values["penyedia_ukm"] for (kd,), row in vendors.items()}
    ukm_v6 = {row.values["kd_penyedia_sikap"]: row.values["penyedia_ukm"]
              for row in vendors.values() if row.values["kd_penyedia_sikap"] is not None}
    for package in _ekatalog_packages(reading):
        if not package["transacted"]:
            continue
        nilai = package["nilai"]
        plan = plans.get((package["kd_rup"], package["tahun"]))
        committed = plan is not None and plan["komitmen"]
        ukm = (ukm_v6 if package["versi"] == "v6" else ukm_v5).get(package["vendor"]) \
            if package["vendor"] is not None else None
        # The vendor says UKM or Non UKM; anything else ('Belum Terdefinisi', no vendor
        # found) leaves the order's UMK value unknown.
        ukm = (ukm or "").strip().upper()
        _tambah(result[(package["kd_klpd"], package["tahun"], "ekatalog")], nilai,
                nilai if committed and plan["pdn"] else Decimal(0),
                nilai if ukm == "UKM" else Decimal(0),
                pdn_unknown=not committed, umk_unknown=ukm not in ("UKM", "NON UKM"))
    return dict(result)


def p3dn_headline(reading: Reading) -> dict[tuple[str, int], dict[str, Any]]:
    """The all-channel headline per (kd_klpd, tahun_anggaran) (marts.p3dn_provinsi after
    issue 12): realisasi PDN over e-katalog, tender, non-tender, pencatatan non-tender and
    toko daring / komitmen PDN (SiRUP: pagu of announced, active, not-deleted PDN packages);
    the e-katalog-only ratio beside it; the PDN and UMK shares of realised spending whose
    share is known. Percentages to two decimals, half away from zero; None for a zero base."""
    zero = Decimal(0)
    groups: dict[tuple[str, int], dict[str, Any]] = defaultdict(lambda: {
        "komitmen_pdn_rp": zero, **{f"{name}": zero for name in KANAL_SUMS},
        **{f"realisasi_pdn_{kanal}_rp": zero for kanal in KANAL}})
    for row in reading.kept.get("sirup_paket_penyedia", {}).values():
        plan = row.values
        group = groups[(plan["kd_klpd"], plan["tahun"])]
        if plan["komitmen"] and plan["pdn"]:
            group["komitmen_pdn_rp"] += plan["pagu"]
    for (kd_klpd, tahun, kanal), figures in p3dn_realisasi_kanal(reading).items():
        group = groups[(kd_klpd, tahun)]
        group[f"realisasi_pdn_{kanal}_rp"] += figures["realisasi_pdn_rp"]
        if kanal in KANAL_P3DN:
            for name in KANAL_SUMS:
                group[name] += figures[name]
    result = {}
    for key, group in groups.items():
        result[key] = {
            **group,
            "pct_realisasi_komitmen": pct(group["realisasi_pdn_rp"], group["komitmen_pdn_rp"]),
            "pct_realisasi_komitmen_ekatalog": pct(group["realisasi_pdn_ekatalog_rp"],
                                                   group["komitmen_pdn_rp"]),
            "pct_pdn_realisasi": pct(group["realisasi_pdn_rp"], group["realisasi_rp"]
                                     - group["realisasi_pdn_tidak_diketahui_rp"]),
            "pct_umk_realisasi": pct(group["realisasi_umk_rp"], group["realisasi_rp"]
                                     - group["realisasi_umk_tidak_diketahui_rp"]),
        }
    return result


def kontrak_berbeda(reading: Reading) -> list[tuple[str, int, Decimal, Decimal]]:
    """Selections whose signed contracts (latest addendum of each) add up to another value
    than the selection's nilai_kontrak: (kanal, kode, selection value, contracts' sum). The
    check that stands in for summing e-kontrak, which would count a contract twice."""
    found = []
    for selection_set, contract_set, kanal in (
            ("spse_tender_selesai", "spse_tender_kontrak", "tender"),
            ("spse_nontender_selesai", "spse_nontender_kontrak", "nontender")):
        sums: dict[int, Decimal] = defaultdict(Decimal)
        for (kode, _), row in reading.kept.get(contract_set, {}).items():
            if row.values["nilai"] is not None:
                sums[kode] += row.values["nilai"]
        for (kode,), row in reading.kept.get(selection_set, {}).items():
            nilai = row.values["nilai"]
            if kode in sums and nilai is not None and sums[kode] != nilai:
                found.append((kanal, kode, nilai, sums[kode]))
    return sorted(found)


# --------------------------------------------------------------------------------------------
# Where UMKM sell (issue 13): business matching and the match of sellers to cohorts
# --------------------------------------------------------------------------------------------

def _seller_keys(nib: str | None, npwps: list[str]) -> set[str]:
    """A business's keys: NIB, NPWP digits (a NIK is the NPWP-16 of a sole proprietor)."""
    return ({f"nib:{nib}"} if nib else set()) | {f"npwp:{n}" for n in npwps if n}


def _jakpreneur_keys(v: dict) -> set[str]:
    """An e-Order seller's keys: NIB, NPWP, and its Jakpreneur ID (known within e-Order)."""
    keys = _seller_keys(v["nib"], [v["npwp"]] if v["npwp"] else [])
    return keys | ({f"jakpreneur:{v['id_jakpreneur']}"} if v["id_jakpreneur"] else set())


def _realised_with_sellers(reading: Reading) -> list[dict[str, Any]]:
    """Realised e-katalog packages, finished tenders and non-tenders and finished e-Order
    orders, with their sellers' keys."""
    vendors = reading.kept.get("ekatalog_penyedia", {})
    by_sikap = {row.values["kd_penyedia_sikap"]: row.values for row in vendors.values()
                if row.values["kd_penyedia_sikap"] is not None}
    by_kd = {kd: row.values for (kd,), row in vendors.items()}
    result = []
    for package in _ekatalog_packages(reading):
        if not package["transacted"] or package["nilai"] is None:
            continue
        vendor = (by_sikap if package["versi"] == "v6" else by_kd).get(package["vendor"])
        keys = _seller_keys(vendor["nib"], vendor["npwp"]) if vendor else set()
        result.append({"kanal": "ekatalog", "kd_paket": package["kd_paket"],
                       "kd_rup": package["kd_rup"], "nilai": package["nilai"], "keys": keys})
    for dataset, kanal in (("spse_tender_selesai", "tender"),
                           ("spse_nontender_selesai", "nontender")):
        for (kode,), row in reading.kept.get(dataset, {}).items():
            v = row.values
            if v["selesai"] and v["nilai"] is not None:
                result.append({"kanal": kanal, "kd_paket": str(kode), "kd_rup": v["kd_rup"],
                               "nilai": v["nilai"], "keys": _seller_keys(None, v["npwp"])})
    for (no_order,), row in reading.kept.get("eorder_pesanan", {}).items():
        v = row.values
        if v["selesai"]:
            result.append({"kanal": "eorder", "kd_paket": no_order, "kd_rup": v["kd_rup"],
                           "nilai": v["nilai"], "keys": _jakpreneur_keys(v)})
    return result


def business_matching(reading: Reading) -> dict[tuple[int, str, str], dict[str, Any]]:
    """marts.business_matching per (batch, kode_skpd_pembeli, sektor): businesses, interest,
    reported transactions and the realised value of the packages each row names (by Kode
    Paket, or by Kode RUP when the seller is the same business), each package once."""
    realised = _realised_with_sellers(reading)
    groups: dict[tuple, dict[str, Any]] = {}
    for key, row in reading.kept.get("business_matching_batch", {}).items():
        v = row.values
        g = groups.setdefault((v["batch"], v["skpd"], v["sektor"]), {
            "usaha": set(), "jumlah_pernyataan_minat": 0, "nilai_ketertarikan_rp": Decimal(0),
            "jumlah_transaksi_dilaporkan": 0, "paket": {}})
        g["usaha"].add(key[1])
        g["jumlah_pernyataan_minat"] += 1
        g["nilai_ketertarikan_rp"] += v["nilai"] or 0
        g["jumlah_transaksi_dilaporkan"] += v["transaksi"]
        keys = _seller_keys(v["nib"], [n for n in (v["npwp"], v["nik"]) if n])
        codes = {v["kd_paket"], f"v6:{v['kd_paket']}", f"v5:{v['kd_paket']}"} if v["kd_paket"] else set()
        for p in realised:
            if p["kd_paket"] in codes or (p["kd_rup"] in v["kd_rup"] and p["keys"] & keys):
                g["paket"][(p["kanal"], p["kd_paket"])] = p["nilai"]
    return {key: {"jumlah_umkm": len(g["usaha"]),
                  "jumlah_pernyataan_minat": g["jumlah_pernyataan_minat"],
                  "nilai_ketertarikan_rp": g["nilai_ketertarikan_rp"],
                  "jumlah_transaksi_dilaporkan": g["jumlah_transaksi_dilaporkan"],
                  "jumlah_paket_realisasi": len(g["paket"]),
                  "nilai_realisasi_rp": sum(g["paket"].values(), Decimal(0))}
            for key, g in groups.items()}


def umkm_pencocokan(reading: Reading) -> dict[str, dict[str, Any]]:
    """marts.umkm_pencocokan for e-katalog, tender, non-tender, e-Order and e-commerce: sales
    whose seller has a
    cohort business's NIB, else one of its NPWPs (KPKP rosters, business matching, e-Order
    Jakpreneur); a name never matches."""
    cohort: set[str] = set()
    for (_, _, nik), row in reading.kept.get("kpkp_roster", {}).items():
        cohort |= _seller_keys(row.values["nib"], [nik])
    for row in reading.kept.get("business_matching_batch", {}).values():
        v = row.values
        cohort |= _seller_keys(v["nib"], [n for n in (v["npwp"], v["nik"]) if n])
    for row in reading.kept.get("eorder_pesanan", {}).values():
        v = row.values
        cohort |= _jakpreneur_keys(v)
    sales = [(p["kanal"], p["keys"], p["nilai"]) for p in _realised_with_sellers(reading)]
    sales += [("ecommerce", _seller_keys(row.values["nib"], []), row.values["nilai"])
              for row in reading.kept.get("ecommerce_penjualan", {}).values()]
    result: dict[str, dict[str, Any]] = {}
    for kanal, keys, nilai in sales:
        r = result.setdefault(kanal, {"jumlah_penjualan": 0, "jumlah_cocok_nib": 0,
                                      "jumlah_cocok_npwp": 0,
                                      "jumlah_cocok_id_jakpreneur": 0, "jumlah_tidak_cocok": 0,
                                      "jumlah_tanpa_kunci": 0, "nilai_cocok_rp": Decimal(0)})
        r["jumlah_penjualan"] += 1
        if {k for k in keys if k.startswith("nib:")} & cohort:
            r["jumlah_cocok_nib"] += 1
        elif {k for k in keys if k.startswith("npwp:")} & cohort:
            r["jumlah_cocok_npwp"] += 1
        elif {k for k in keys if k.startswith("jakpreneur:")} & cohort:
            r["jumlah_cocok_id_jakpreneur"] += 1
        else:
            r["jumlah_tidak_cocok" if keys else "jumlah_tanpa_kunci"] += 1
            continue
        r["nilai_cocok_rp"] += nilai
    return result
