"""The landing folder: find files, fingerprint them, and recognise each one's dataset.

Recognition reads only a file's header (CSV first line, first JSON object, the header row of
a sheet), so a 2 GB export is classified in milliseconds. The decision is recorded in the
file ledger by the ``raw/file_ledger`` asset; the raw assets then load what it accepted.
"""

from __future__ import annotations

import codecs
import csv
import errno
import hashlib
import io
import json
import os
import re
import stat
import struct
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from p3dn_pipeline.lib import textfile
from p3dn_pipeline.lib.sources import Dataset, normalise_header, registry
from p3dn_pipeline.lib.limits import (
    HEADER_PROBE_BYTES,
    MAX_COLUMNS,
    MAX_XLSX_ENTRIES,
    load_limits,
    megabytes,
)

if TYPE_CHECKING:
    from python_calamine import CalamineWorkbook

SUPPORTED_FORMATS = {".json": "json", ".csv": "csv", ".xlsx": "xlsx"}
CSV_DELIMITERS = (",", ";", "\t", "|")
XLSX_HEADER_SEARCH_ROWS = 15
# End of a zip's central directory: signature, four counts of disks and entries, the
# directory's size and offset, comment length.
_ZIP_END_RECORD = struct.Struct("<4s4H2LH")
_ZIP64_LOCATOR_SIGNATURE = b"PK\x06\x07"


class LandingError(Exception):
    """A file that cannot be used, with a reason its owner can act on."""


@dataclass(frozen=True)
class LandedFile:
    path: Path          # absolute
    relative_path: str  # as shown to people and stored in the ledger: always UTF-8 text
    size_bytes: int
    modified_ns: int
    # A name that is not UTF-8 (an archive made on Windows, unzipped on Linux) has its bytes
    # escaped in ``relative_path``; this says which, and ``check_inside`` refuses the file.
    undecodable_name: str | None = None
    # st_ctime_ns changes on every write and cannot be set back (os.utime sets only the
    # access and modification times); a new inode means the file was replaced.
    changed_ns: int = 0
    inode: int = 0

    def signature(self) -> dict[str, int]:
        """What says, without reading the file, that it may have changed: any difference
        in these means its content must be hashed again. Equal values are a shortcut, not
        proof: the scheduled runs hash every file regardless."""
        return {"size": self.size_bytes, "mtime_ns": self.modified_ns,
                "ctime_ns": self.changed_ns, "inode": self.inode}


@dataclass
class Header:
    """Where the data starts and what each column holds."""

    file_format: str
    columns: list[str]                 # headers as written, in file order
    delimiter: str | None = None       # CSV
    encoding: str = "utf-8"            # CSV, JSON: Python codec of the text (textfile)
    # JSON: an API response envelope ({"data": [...], "meta": {...}}) whose records are the
    # rows, and what it is, in words, for messages
    envelope: str | None = None
    sheet: str | None = None           # XLSX
    header_row: int | None = None      # XLSX: 1-based sheet row of the header
    other_sheets: list["Header"] = field(default_factory=list)  # XLSX: further sheets
    all_sheet_names: list[str] = field(default_factory=list)     # XLSX
    # XLSX: sheets not searched for a header at all, with why (hidden, very hidden)
    unread_sheets: dict[str, str] = field(default_factory=dict)


@dataclass
class Recognition:
    dataset: Dataset
    header: Header
    # canonical field name -> index of the column holding it
    column_of: dict[str, int] = field(default_factory=dict)
    # XLSX: every sheet holding this dataset, with its own header and column positions
    sheet_parts: list[tuple[Header, dict[str, int]]] = field(default_factory=list)
    note: str | None = None  # said in the ledger: e.g. which sheets were not data
    # XLSX: every sheet not loaded, as "name (why)", in workbook order
    sheets_skipped: list[str] = field(default_factory=list)

    @property
    def sheet_names(self) -> str | None:
        return ", ".join(h.sheet for h, _ in self.sheet_parts) if self.sheet_parts else None

    def field_names(self) -> list[str]:
        """The file's fields under their canonical names where known (an alias such as
        INAPROC v1's order_id counts as kd_paket), else as written: what schema drift compares."""
        accepted = _accepted_headers(self.dataset)
        names = {accepted.get(normalise_header(str(c)), normalise_header(str(c)))
                 for c in self.header.columns if c is not None and str(c).strip()}
        return sorted(names)

    def schema_drift(self, previous_fields: list[str] | None) -> str | None:
        """How a machine export's fields differ from the previous export of its dataset, in
        one line (None when they match): fields added, fields missing, and fields found under
        another name (an alias, e.g. order_id for kd_paket). The file still loads when its
        required fields are there. The first export of a dataset is the baseline; spreadsheets
        typed by people (datasets read from XLSX) are not judged: their headers vary by design."""
        if "xlsx" in self.dataset.formats:
            return None
        columns = self.header.columns
        current = set(self.field_names())
        before = set(previous_fields) if previous_fields is not None else current
        renamed = sorted(f"{columns[i]} -> {name}" for name, i in self.column_of.items()
                         if normalise_header(str(columns[i])) != normalise_header(name))
        parts = [f"{label}: {', '.join(names)}" for label, names in (
            ("added", sorted(current - before)), ("missing", sorted(before - current)),
            ("renamed", renamed)) if names]
        return "; ".join(parts) or None


def discover(landing_dir: Path) -> Iterator[LandedFile]:
    """Every file below the landing folder, in a stable order; hidden files skipped.

    A link to a folder is listed as a file rather than entered, so that ``check_inside``
    refuses it with a reason in the ledger instead of it being silently ignored.
    """
    root = landing_dir.resolve()
    for dirpath, dirnames, filenames in os.walk(root):
        visible = sorted(d for d in dirnames if not d.startswith("."))
        linked = [d for d in visible if os.path.islink(os.path.join(dirpath, d))]
        dirnames[:] = [d for d in visible if d not in linked]
        for name in sorted(filenames + linked):
            if name.startswith(".") or name.startswith("~$") or name == "MANIFEST.json":
                continue  # hidden files, Excel lock files and the generator's manifest
            path = Path(dirpath) / name
            info = path.lstat()
            if stat.S_ISLNK(info.st_mode):
                try:
                    info = path.stat()  # a link inside the folder changes with its target
                except OSError:
                    pass  # broken or looping: check_inside says so
            shown, undecodable = printable_path(path.relative_to(root).as_posix())
            yield LandedFile(path, shown, info.st_size, info.st_mtime_ns, undecodable,
                             info.st_ctime_ns, info.st_ino)


def printable_path(text: str) -> tuple[str, str | None]:
    """A path as text that can be stored, logged and printed, and the bytes that were not
    UTF-8 (None when it is plain UTF-8).

    Python hands over each byte of a name that is not UTF-8 as a lone surrogate, which no
    database, log or terminal accepts; such bytes are shown as escapes (``\\xe9``) instead.
    """
    undecodable = sorted({ord(c) - 0xDC00 for c in text if "\udc80" <= c <= "\udcff"})
    if not undecodable:
        return text, None
    shown = os.fsencode(text).decode("utf-8", "backslashreplace")
    return shown, ("byte " if len(undecodable) == 1 else "bytes ") + ", ".join(
        f"0x{b:02x}" for b in undecodable)


def sha256_of(path: Path) -> str:
    """The file's sha256. Only a regular file within P3DN_MAX_FILE_MB is read (OSError
    otherwise): a link to /dev/zero or a named pipe would keep any caller, the landing
    sensor included, reading or waiting forever."""
    # Non-blocking, so that opening a named pipe does not wait for a writer.
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(descriptor, "rb") as handle:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        if info.st_size > load_limits().max_file_bytes:
            raise OSError(errno.EFBIG, "larger than P3DN_MAX_FILE_MB", str(path))
        digest = hashlib.sha256()
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_inside(landing_dir: Path, landed: LandedFile) -> None:
    """Refuse, before anything reads it, a file that is not a regular file inside the
    landing folder (a link out of it, a link to a folder, a pipe or device) or that is
    larger than P3DN_MAX_FILE_MB."""
    if landed.undecodable_name:
        raise LandingError(
            f"has a name (or folder name) that is not UTF-8 text ({landed.undecodable_name}, "
            "shown escaped), "
            "as names from an archive made on Windows often are: rename it, or unpack the "
            "archive again with a tool that converts names (7-Zip, `unzip -O CP1252`); it is "
            "read on the next run")
    root = landing_dir.resolve()
    is_link = landed.path.is_symlink()
    try:
        target = landed.path.resolve()
        target_stat = target.stat()
    except FileNotFoundError:
        if not is_link:
            raise LandingError("disappeared while the landing folder was being read; it is "
                               "looked at again on the next run") from None
        raise LandingError(
            f"is a symbolic link to {printable_path(str(target))[0]}, which does not exist; "
            "remove the link and copy the file into the landing folder instead") from None
    except (OSError, RuntimeError) as err:  # RuntimeError: a loop of links, Python < 3.13
        if isinstance(err, OSError) and err.errno != errno.ELOOP:
            raise LandingError(f"cannot be examined: {err.strerror}") from None
        raise LandingError(
            "is a symbolic link that cannot be followed (it leads back to itself); remove "
            "it and copy the file into the landing folder instead") from None
    outside = not target.is_relative_to(root)
    target = printable_path(str(target))[0]  # only ever shown from here on
    where = ", outside the landing folder" if outside else ""
    if is_link and stat.S_ISDIR(target_stat.st_mode):
        raise LandingError(
            f"is a symbolic link to the folder {target}{where}; linked folders are not "
            "read: move or copy their files into the landing folder instead")
    if outside:
        raise LandingError(
            f"is a symbolic link to {target}, outside the landing folder; copy the file "
            "into the landing folder instead" if is_link else
            f"resolves to {target}, outside the landing folder; copy the file into the "
            "landing folder instead")
    if not stat.S_ISREG(target_stat.st_mode):
        raise LandingError(
            "is not a regular file (a folder, named pipe, socket or device); only files "
            "are read: remove it from the landing folder")
    limit = load_limits().max_file_bytes
    if target_stat.st_size > limit:
        raise LandingError(
            f"is {megabytes(target_stat.st_size)}, more than the {megabytes(limit)} limit "
            "(P3DN_MAX_FILE_MB); no export is that large: check the file, or raise the limit "
            "if it is genuine")


def read_header(path: Path) -> Header:
    suffix = path.suffix.lower()
    file_format = SUPPORTED_FORMATS.get(suffix)
    if file_format is None:
        raise LandingError(
            f"has extension '{suffix or '(none)'}', which is not a supported export format; "
            "save it as .json, .csv or .xlsx"
        )
    if path.stat().st_size == 0:
        raise LandingError("is empty (0 bytes); download the export again")
    if file_format == "json":
        return _json_header(path)
    if file_format == "csv":
        return _csv_header(path)
    return _xlsx_header(path)


def _decode_probe(path: Path) -> tuple[str, bool, str]:
    """The file's first HEADER_PROBE_BYTES as text, whether the file goes on after them, and
    the text's encoding (a Python codec; see textfile.detect_encoding)."""
    with path.open("rb") as handle:
        raw = handle.read(HEADER_PROBE_BYTES + 1)
    cut = len(raw) > HEADER_PROBE_BYTES
    raw = raw[:HEADER_PROBE_BYTES]
    try:
        codec = textfile.detect_encoding(raw, complete=not cut)
    except textfile.TextError as err:
        raise LandingError(str(err)) from None
    decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    try:
        # Not final when cut: a character the probe cut in half is left out.
        text = decoder.decode(raw[textfile.bom_length(codec):], final=not cut)
    except UnicodeDecodeError as err:
        raise LandingError(
            f"is not {textfile.encoding_name(codec)} text throughout, as its byte-order mark "
            f"says (byte {err.start + textfile.bom_length(codec)}: {err.reason}); save it "
            "again as 'CSV UTF-8' (or UTF-8 JSON)") from None
    return text, cut, codec


def _check_width(columns: list[str], what: str) -> None:
    if len(columns) > MAX_COLUMNS:
        raise LandingError(
            f"has {len(columns)} {what}; no export has more than {MAX_COLUMNS}: check that "
            "the file is an export and, for a CSV, that its first line is the header")


def _json_header(path: Path) -> Header:
    text, cut, codec = _decode_probe(path)
    text = text.lstrip()
    if not text:
        raise LandingError("holds only white space; download the export again")
    start = 0
    envelope = None
    if text[0] == "{":
        start, envelope = _envelope_records(text, cut)
    elif text[0] == "[":
        start = _skip_space(text, 1)
        if text[start:start + 1] == "]":
            raise LandingError("is an empty JSON array (no rows); download the export again")
    if text[start:start + 1] != "{":
        raise LandingError(
            "is not a JSON array of objects (the shape LKPP's ISB API returns); "
            f"it starts with {text[:20]!r}"
        )
    try:
        first, _ = json.JSONDecoder().raw_decode(text, start)
    except RecursionError:
        raise LandingError(
            "nests values thousands of levels deep in its first record; no export does: "
            "it is not an LKPP export, or it is damaged") from None
    except json.JSONDecodeError as err:
        if cut:
            raise LandingError(
                f"has no complete first record in its first {megabytes(HEADER_PROBE_BYTES)}: "
                "either that record is larger than any export's, or the JSON is broken near "
                f"character {err.pos}: {err.msg}") from None
        raise LandingError(f"is not valid JSON near character {err.pos}: {err.msg}") from None
    _check_width(list(first), "fields in its first record")
    return Header("json", list(first.keys()), encoding=codec, envelope=envelope)


def _skip_space(text: str, at: int) -> int:
    while at < len(text) and text[at] in " \t\r\n":
        at += 1
    return at


def _envelope_records(text: str, cut: bool) -> tuple[int, str | None]:
    """Where the first record of an API response envelope starts, and what the envelope is,
    in words; (0, None) when the object is not an envelope but a record (newline-delimited
    JSON). INAPROC's API answers {"data": [records...], "meta": {paging}}; the keys before
    "data" are skipped, so "meta" may come first."""
    decoder = json.JSONDecoder()
    at = _skip_space(text, 1)
    keys = []
    try:
        while text[at:at + 1] == '"':
            key, at = decoder.raw_decode(text, at)
            at = _skip_space(text, at)
            if text[at:at + 1] != ":":
                return 0, None
            at = _skip_space(text, at + 1)
            if key == "data" and text[at:at + 1] == "[":
                break
            keys.append(key)
            _, at = decoder.raw_decode(text, at)
            at = _skip_space(text, at)
            if text[at:at + 1] == ",":
                at = _skip_space(text, at + 1)
        else:
            return 0, None
    except (json.JSONDecodeError, RecursionError):
        return 0, None
    records = _skip_space(text, at + 1)
    # A probe cut short can still show a first page followed by the next.
    pages = _envelope_pages(text, cut) if cut else None
    try:
        whole = None if cut else json.loads(text)
    except json.JSONDecodeError as err:
        whole = None
        if err.msg == "Extra data":
            pages = _envelope_pages(text, cut)
            if pages is None:
                return 0, None  # more objects follow: one record per line, one of them "data"
    if text[records:records + 1] not in ("{", "]"):
        return 0, None  # "data" holds no records
    complete = isinstance(whole, dict) and isinstance(whole.get("data"), list)
    with_meta = pages is not None or "meta" in keys or (complete and "meta" in whole)
    kind = ("an INAPROC API response envelope ({\"data\": [...], \"meta\": {...}})"
            if with_meta else "an API response envelope ({\"data\": [...]})")
    if pages is not None:
        # The pull's snapshot (lib/inaproc.py): the API's pages one after the other, so
        # each value read is one page, whatever the size of the whole.
        kind = ENVELOPE_PAGES
    if text[records:records + 1] == "]":
        raise LandingError(f"is {kind} with no rows under data: the API answered with "
                           "nothing; fetch it again")
    count = len(whole["data"]) if complete else pages or None
    rows = "rows" if count is None else f"{count} row" + ("" if count == 1 else "s")
    return records, f"{kind} with {rows} under data"


# How a file of API pages (lib/inaproc.py's snapshots) is described; readers.py reads it
# page by page.
ENVELOPE_PAGES = ('INAPROC API response pages, one envelope ({"data": [...], "meta": {...}}) '
                  "per line,")


def _envelope_pages(text: str, cut: bool) -> int | None:
    """The rows of a file of API pages, one envelope {"data": [...], "meta": {...}} after
    another (0 when the probe holds only part of it); None when the objects are not all
    such envelopes (one record per line)."""
    decoder = json.JSONDecoder()
    at, rows, seen = 0, 0, 0
    while at < len(text):
        try:
            value, at = decoder.raw_decode(text, at)
        except (json.JSONDecodeError, RecursionError):
            if cut and seen:
                return 0  # the probe ends inside a later page
            return None
        seen += 1
        if not (isinstance(value, dict) and set(value) == {"data", "meta"}
                and isinstance(value["data"], list) and isinstance(value["meta"], dict)):
            return None
        rows += len(value["data"])
        at = _skip_space(text, at)
    if seen < 2:
        return None  # one envelope: not a file of pages
    return 0 if cut else rows


def _csv_header(path: Path) -> Header:
    text, cut, codec = _decode_probe(path)
    # Lines end in LF, CRLF or, from old Mac programs, a lone CR.
    first_line, *rest = re.split(r"\r\n|\n|\r", text, maxsplit=1)
    if cut and not rest:
        raise LandingError(
            f"has a first line longer than {megabytes(HEADER_PROBE_BYTES)}; the first line must "
            "be the header (the column names), which is never that long: check that the file "
            "is a CSV export")
    first_line = first_line.rstrip("\r")
    if not first_line.strip():
        raise LandingError("has an empty first line; the first line must be the header")
    delimiter = max(CSV_DELIMITERS, key=first_line.count)
    try:
        columns = next(csv.reader(io.StringIO(first_line), delimiter=delimiter))
    except csv.Error as err:
        raise LandingError(f"has a header line that cannot be read as CSV ({err}); the first "
                           "line must be the column names") from None
    _check_width(columns, "columns in its header")
    return Header("csv", [c.strip() for c in columns], delimiter=delimiter, encoding=codec)


# The last workbook opened and the sheets parsed of it: a load reads a workbook's header,
# then its rows, and calamine parses a whole sheet either way (it has no way to read only the
# first rows), so the second read takes the first one's sheets. Keyed by the file's identity
# (file_identity): the loader reads through a link of another name.
# One per thread: the loader reads the next workbook in another thread while DuckDB loads the
# current one (ledger.load_pending), and neither may take or drop the other's.
_LAST_WORKBOOK = threading.local()


def _last_workbook() -> tuple[tuple[int, ...], CalamineWorkbook, dict[str, Any]] | None:
    return getattr(_LAST_WORKBOOK, "opened", None)


def file_identity(path: Path) -> tuple[int, ...]:
    """What changes when a file is replaced or written: device, inode, size, modification
    and change times (a restored mtime does not hide a write: the ctime cannot be set back)."""
    info = os.stat(path)
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


def workbook_sheet(workbook: CalamineWorkbook, name: str) -> Any:
    """``workbook.get_sheet_by_name(name)``, parsed once for the last workbook opened."""
    last = _last_workbook()
    if last is None or last[1] is not workbook:
        return workbook.get_sheet_by_name(name)
    sheets = last[2]
    if name not in sheets:
        sheets[name] = workbook.get_sheet_by_name(name)
    return sheets[name]


def forget_workbook() -> None:
    """Let this thread's last workbook and its parsed sheets go (they hold the whole sheet in
    memory)."""
    _LAST_WORKBOOK.opened = None


def open_workbook(path: Path) -> CalamineWorkbook:
    """The workbook, once its zip directory shows that it unpacks within the limits.

    calamine holds a whole sheet in memory (several times its XML size), so a 5 MB file
    unpacking to 10 GB would take the machine down. The declared sizes can be trusted:
    calamine refuses an entry that unpacks to more than it declares.
    """
    from python_calamine import CalamineWorkbook

    identity = file_identity(path)
    last = _last_workbook()
    if last is not None and last[0] == identity:
        return last[1]
    _check_zip_directory(path)
    limit = load_limits().max_xlsx_uncompressed_bytes
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except zipfile.BadZipFile as err:
        raise LandingError(f"cannot be opened as an Excel workbook: {err}") from None
    if len(entries) > MAX_XLSX_ENTRIES:
        raise LandingError(
            f"holds {len(entries)} parts; a workbook holds a few dozen, so it is not an "
            "Excel export")
    unpacked = sum(entry.file_size for entry in entries)
    if unpacked > limit:
        raise LandingError(
            f"unpacks to {megabytes(unpacked)}, more than the {megabytes(limit)} limit "
            "(P3DN_MAX_XLSX_UNCOMPRESSED_MB); reading it would need several times that in "
            "memory: split the workbook, or raise the limit if the export is genuine")
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as err:  # calamine raises its own zip/xml errors
        raise LandingError(f"cannot be opened as an Excel workbook: {err}") from None
    _LAST_WORKBOOK.opened = (identity, workbook, {})
    return workbook


def _check_zip_directory(path: Path) -> None:
    """Read the zip's end record before zipfile does: zipfile loads the whole central
    directory, and a crafted one of millions of entries would take gigabytes to list."""
    with path.open("rb") as handle:
        size = handle.seek(0, os.SEEK_END)
        tail_size = min(size, _ZIP_END_RECORD.size + 0xFFFF)  # the record + longest comment
        handle.seek(size - tail_size)
        tail = handle.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < _ZIP_END_RECORD.size:
        raise LandingError(
            "is not an Excel workbook (an .xlsx file is a zip archive, and this is not one); "
            "open it in Excel and save it again as .xlsx")
    entries, directory_size = _ZIP_END_RECORD.unpack_from(tail, at)[4:6]
    # Zip64 is for archives of more than 65 535 parts or 4 GB: never a workbook within limits.
    zip64 = at >= 20 and tail[at - 20:at - 16] == _ZIP64_LOCATOR_SIGNATURE
    if zip64 or entries > MAX_XLSX_ENTRIES or directory_size > MAX_XLSX_ENTRIES * 1024:
        raise LandingError(
            f"holds more than {MAX_XLSX_ENTRIES} parts; a workbook holds a few dozen, so it is "
            "not an Excel export")


def _xlsx_header(path: Path) -> Header:
    """The best header row of the workbook; every sheet's own best row rides along in
    ``other_sheets`` so a workbook holding one quarter per sheet loads every quarter."""
    workbook = open_workbook(path)
    unread = _hidden_sheets(workbook)
    per_sheet: list[tuple[tuple[int, int], Header]] = []
    for sheet_name in workbook.sheet_names:
        if sheet_name in unread:
            continue
        rows = workbook_sheet(workbook, sheet_name).to_python(
            skip_empty_area=False, nrows=XLSX_HEADER_SEARCH_ROWS)
        best: tuple[tuple[int, int], Header] | None = None
        for index, row in enumerate(rows):
            columns = [str(c).strip() if c not in (None, "") else "" for c in row]
            score = _header_score(columns)
            if score > (0, 0) and (best is None or score > best[0]):
                best = (score, Header("xlsx", columns, sheet=sheet_name, header_row=index + 1))
        if best is not None:
            per_sheet.append(best)
    if not per_sheet:
        hidden = "".join(f"; not read: '{name}' ({why})" for name, why in unread.items())
        raise LandingError(
            f"has no sheet with a single known column name in its first "
            f"{XLSX_HEADER_SEARCH_ROWS} rows (sheets: {', '.join(workbook.sheet_names)}"
            f"{hidden})"
        )
    header = max(per_sheet, key=lambda item: item[0])[1]
    header.other_sheets = [h for _, h in per_sheet if h is not header]
    header.all_sheet_names = list(workbook.sheet_names)
    header.unread_sheets = unread
    return header


READ_HIDDEN_SHEETS_VARIABLE = "P3DN_READ_HIDDEN_SHEETS"


def read_hidden_sheets() -> bool:
    """Whether hidden and very hidden sheets are read like visible ones (default: no).

    A sheet someone hid is usually an old copy kept for reference ("TW I (lama)"); loading
    it would publish it as current. Set P3DN_READ_HIDDEN_SHEETS=1 where a template hides
    sheets that are data."""
    value = os.environ.get(READ_HIDDEN_SHEETS_VARIABLE, "0").strip().lower()
    if value not in ("0", "1", "", "true", "false", "yes", "no"):
        raise ValueError(f"{READ_HIDDEN_SHEETS_VARIABLE}={value!r}: use 1 or 0")
    return value in ("1", "true", "yes")


def _hidden_sheets(workbook: CalamineWorkbook) -> dict[str, str]:
    """Sheet name -> why it is not read: the hidden and very hidden sheets, unless
    P3DN_READ_HIDDEN_SHEETS=1."""
    from python_calamine import SheetVisibleEnum

    if read_hidden_sheets():
        return {}
    unread = {}
    for meta in workbook.sheets_metadata:
        # calamine's enum is not hashable: compared, not looked up.
        if meta.visible == SheetVisibleEnum.Hidden:
            unread[meta.name] = f"hidden sheet; {READ_HIDDEN_SHEETS_VARIABLE}=1 reads it"
        elif meta.visible == SheetVisibleEnum.VeryHidden:
            unread[meta.name] = f"very hidden sheet; {READ_HIDDEN_SHEETS_VARIABLE}=1 reads it"
    return unread


# Dataset id -> (the dataset, its accepted headers): a Dataset holds dicts, so it cannot be
# a cache key itself; the dataset kept beside its id makes sure the id is still its own.
_ACCEPTED_HEADERS: dict[int, tuple[Dataset, dict[str, str]]] = {}


def _accepted_headers(dataset: Dataset) -> dict[str, str]:
    """normalised header -> canonical field name (computed once per dataset: every row a
    file's header may be on is scored against every dataset)."""
    cached = _ACCEPTED_HEADERS.get(id(dataset))
    if cached is not None and cached[0] is dataset:
        return cached[1]
    accepted = _accepted_headers_of(dataset)
    _ACCEPTED_HEADERS[id(dataset)] = (dataset, accepted)
    return accepted


def _accepted_headers_of(dataset: Dataset) -> dict[str, str]:
    accepted = {}
    for f in dataset.all_fields():
        for header in f.accepted_headers():
            accepted[normalise_header(header)] = f.name
    for name in dataset.personal:
        for header in (name, *dataset.personal_aliases.get(name, ())):
            accepted[normalise_header(header)] = name
    return accepted


def _resolve(dataset: Dataset, columns: list[str]) -> dict[str, int]:
    accepted = _accepted_headers(dataset)
    column_of: dict[str, int] = {}
    for index, header in enumerate(columns):
        canonical = accepted.get(normalise_header(header))
        if canonical is not None and canonical not in column_of:
            column_of[canonical] = index
    return column_of


def _required(dataset: Dataset) -> list[str]:
    return [f.name for f in dataset.required] + list(dataset.required_personal)


def _header_score(columns: list[str]) -> tuple[int, int]:
    """(is a complete signature, fields recognised): how much a row looks like a header."""
    best = (0, 0)
    for dataset in registry().datasets:
        column_of = _resolve(dataset, columns)
        complete = int(all(name in column_of for name in _required(dataset)))
        best = max(best, (complete, len(column_of)))
    return best


def _add_sheet_parts(recognition: Recognition) -> None:
    """Every sheet whose header completes the same dataset is loaded; the rest are named."""
    dataset = recognition.dataset
    recognition.sheet_parts = [(recognition.header, recognition.column_of)]
    for other in recognition.header.other_sheets:
        column_of = _resolve(dataset, other.columns)
        if all(name in column_of for name in _required(dataset)):
            recognition.sheet_parts.append((other, column_of))
    recognition.sheet_parts.sort(key=lambda part: recognition.header.all_sheet_names.index(
        part[0].sheet))
    loaded = {h.sheet for h, _ in recognition.sheet_parts}
    unread = recognition.header.unread_sheets
    no_header = f"no {dataset.name} header in its first {XLSX_HEADER_SEARCH_ROWS} rows"
    skipped = [(name, unread.get(name, no_header))
               for name in recognition.header.all_sheet_names if name not in loaded]
    recognition.sheets_skipped = [f"{name} ({why})" for name, why in skipped]
    if skipped:
        recognition.note = (f"sheets loaded: {recognition.sheet_names}; sheets not loaded: "
                            + ", ".join(f"'{name}' ({why})" for name, why in skipped))


def recognise(header: Header) -> Recognition:
    """The dataset whose signature the header carries, or a LandingError saying what's missing."""
    seen: dict[str, int] = {}
    for header_text in header.columns:
        key = normalise_header(header_text)
        if key:
            seen[key] = seen.get(key, 0) + 1
    duplicated = sorted(k for k, n in seen.items() if n > 1)
    candidates = []
    for dataset in registry().datasets:
        if header.file_format not in dataset.formats and not (
            header.file_format == "csv" and "json" in dataset.formats
        ):
            continue
        column_of = _resolve(dataset, header.columns)
        required = _required(dataset)
        present = [name for name in required if name in column_of]
        candidates.append((len(present) / len(required), len(present), dataset, column_of))
    complete = [c for c in candidates if c[0] == 1.0]
    if complete:
        _, _, dataset, column_of = max(complete, key=lambda c: c[1])
        clashing = [d for d in duplicated if d in _accepted_headers(dataset)]
        if clashing:
            raise LandingError(
                f"has the column {', '.join(repr(c) for c in clashing)} more than once in its "
                "header; remove the duplicate column and export again"
            )
        recognition = Recognition(dataset, header, column_of)
        if header.file_format == "xlsx":
            _add_sheet_parts(recognition)
        return recognition
    if not candidates:
        raise LandingError(f"is a {header.file_format} file, which no dataset is delivered as")
    ratio, _, closest, column_of = max(candidates, key=lambda c: (c[0], c[1]))
    where = f" (sheet '{header.sheet}', row {header.header_row})" if header.sheet else ""
    # Only column names that are known field names are quoted: the "header" of a file without
    # one is its first data row, which may hold a NIK or a name.
    known = [h for h in header.columns if normalise_header(h) in _all_known_headers()]
    others = len([h for h in header.columns if h.strip()]) - len(known)
    if header.envelope:
        # Its records' fields are read as an export's would be, under the export's names or
        # the INAPROC API's names each dataset declares (Field aliases).
        if ratio == 0:
            raise LandingError(
                f"is {header.envelope}, whose records match no known dataset: none of the "
                "required fields of any dataset is among the "
                f"{len(header.columns)} fields of its first record, under an ISB export's "
                "names or the INAPROC API's: it may come from an endpoint this pipeline does "
                "not read; download the same data as an ISB export instead")
        what = f"is {header.envelope}, whose records match no known dataset"
    else:
        what = f"matches no known dataset{where}"
    if ratio == 0:
        raise LandingError(
            f"{what}: none of the required fields of any dataset is "
            f"among its {len(header.columns)} column names. Is the first row the header? "
            "Export again with the header row LKPP, SIPD or the roster template gives.")
    missing = [name for name in _required(closest) if name not in column_of]
    raise LandingError(
        f"{what}; the closest is {closest.name} ({closest.title}), "
        f"which also needs the field(s): {', '.join(missing)}. Known columns found: "
        f"{', '.join(known[:12])}{' ...' if len(known) > 12 else ''}"
        + (f" (and {others} other column(s), not shown)" if others else "")
    )


@lru_cache(maxsize=1)
def _all_known_headers() -> frozenset[str]:
    return frozenset(h for dataset in registry().datasets for h in _accepted_headers(dataset))
