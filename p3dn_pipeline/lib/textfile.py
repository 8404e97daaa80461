"""Text files as exports really come: in several encodings, with the odd broken line.

Exports are written by many tools: SIPD and LKPP give UTF-8 (with or without a byte-order
mark), Excel's "Unicode text" gives UTF-16 with a byte-order mark, and Excel's plain "CSV"
on an Indonesian Windows gives Windows-1252. The encoding is recognised from the file's
first bytes and named in every message; DuckDB reads UTF-8 only, so a file in another
encoding is converted into a private temporary copy first.

A CSV that DuckDB's strict reader refuses (a line with too few or too many fields, a stray
quote, a trailing Ctrl-Z) is read here instead, line by line, into a clean copy in which each
broken line is a row with no values and a note of what is wrong with it: the row then goes
to quarantine, and every other row loads. Only what breaks the whole file (a quote that is
never closed, bytes that are text in no known encoding) rejects it, naming the line.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

CHUNK = 1 << 20
CTRL_Z = "\x1a"  # MS-DOS end-of-file mark, still appended by some Windows tools

# Python codec -> the name people know it by.
ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 with byte-order mark",
    "utf-16-le": "UTF-16 LE",
    "utf-16-be": "UTF-16 BE",
    "utf-32-le": "UTF-32 LE",
    "utf-32-be": "UTF-32 BE",
    "cp1252": "Windows-1252",
}
_BOMS = (  # longest first: the UTF-32 LE mark starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# A valid UTF-8 sequence of more than one byte: text that is UTF-8 in part.
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")

# Rules given to rows that cannot be split into the header's fields (see quarantine).
WRONG_FIELD_COUNT = "wrong_field_count"
BAD_QUOTES = "bad_quotes"
ROW_COLUMN = "(row)"


class TextError(Exception):
    """The file is not text this pipeline can read; the message says where and why."""


def encoding_name(codec: str) -> str:
    return ENCODING_NAMES.get(codec, codec)


def bom_length(codec: str) -> int:
    return {"utf-8-sig": 3, "utf-16-le": 2, "utf-16-be": 2, "utf-32-le": 4,
            "utf-32-be": 4}.get(codec, 0)


def detect_encoding(head: bytes, *, complete: bool) -> str:
    """The Python codec of a file that starts with ``head`` (``complete``: the whole file).

    A byte-order mark decides. Without one, text that is valid UTF-8 is UTF-8 (plain ASCII
    included); else text that is valid Windows-1252 and has no UTF-8 in it is Windows-1252.
    Anything else is refused, naming the line of the first offending byte.
    """
    for bom, codec in _BOMS:
        if head.startswith(bom):
            return codec
    if not complete:
        # Do not judge a multi-byte character the probe cut in half.
        for back in range(1, 4):
            if len(head) > back and head[-back] >= 0xC0:
                head = head[:-back]
                break
    _refuse_nul(head.find(b"\x00"), lambda offset: line_of(head, offset))
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as err:
        first_bad = err.start
    where = f"byte 0x{head[first_bad]:02x} on line {line_of(head, first_bad)}"
    utf8_part = _UTF8_MULTIBYTE.search(head)
    if utf8_part is not None:
        _refuse_mixed(line_of(head, utf8_part.start()), where)
    try:
        head.decode("cp1252")
    except UnicodeDecodeError as err:
        _refuse_unknown(f"byte 0x{head[err.start]:02x} on line {line_of(head, err.start)}")
    return "cp1252"


def detect_encoding_of_file(path: Path) -> str:
    """As ``detect_encoding``, judging every byte of the file, block by block: for a file
    whose start is UTF-8 (or plain ASCII) but which turns out not to be further on."""
    with path.open("rb") as handle:
        start = handle.read(4)
    for bom, codec in _BOMS:
        if start.startswith(bom):
            return codec
    decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
    first_bad = None
    utf8_line = None
    for offset, block, lines_before in _blocks(path):
        nul = block.find(b"\x00")
        _refuse_nul(nul, lambda at: lines_before + line_of(block, at))
        if utf8_line is None and (found := _UTF8_MULTIBYTE.search(block)) is not None:
            utf8_line = lines_before + line_of(block, found.start())
        if first_bad is None:
            try:
                decoder.decode(block)
            except UnicodeDecodeError as err:
                first_bad = (block[err.start], lines_before + line_of(block, err.start))
    if first_bad is None:
        return "utf-8"
    where = f"byte 0x{first_bad[0]:02x} on line {first_bad[1]}"
    if utf8_line is not None:
        _refuse_mixed(utf8_line, where)
    decoder = codecs.getincrementaldecoder("cp1252")(errors="strict")
    for _, block, lines_before in _blocks(path):
        try:
            decoder.decode(block)
        except UnicodeDecodeError as err:
            _refuse_unknown(f"byte 0x{block[err.start]:02x} on line "
                            f"{lines_before + line_of(block, err.start)}")
    return "cp1252"


def _blocks(path: Path) -> Iterator[tuple[int, bytes, int]]:
    """(offset, block, newlines before it) of the whole file."""
    offset, lines = 0, 0
    with path.open("rb") as handle:
        while block := handle.read(CHUNK):
            yield offset, block, lines
            offset += len(block)
            lines += block.count(b"\n")


def _refuse_nul(offset: int, line) -> None:
    if offset >= 0:
        raise TextError(
            f"holds NUL bytes (the first on line {line(offset)}): it is UTF-16 or UTF-32 text "
            "without a byte-order mark, or not text at all; save it as 'CSV UTF-8' (or "
            "UTF-8 JSON)")


def _refuse_mixed(utf8_line: int, where: str) -> None:
    raise TextError(
        f"mixes two text encodings: UTF-8 (e.g. on line {utf8_line}) and another one "
        f"({where} is not UTF-8); was it pasted together from several files? Save it "
        "again as 'CSV UTF-8' (or UTF-8 JSON)")


def _refuse_unknown(where: str) -> None:
    raise TextError(
        f"is neither UTF-8 nor Windows-1252 text ({where} is neither); save it as "
        "'CSV UTF-8' (or UTF-8 JSON)")


def line_of(data: bytes, offset: int) -> int:
    """1-based line of the byte at ``offset``."""
    return data.count(b"\n", 0, offset) + 1


def line_of_byte_in_file(path: Path, offset: int) -> int:
    """1-based line of the byte at ``offset`` of a file, read in blocks."""
    for start, block, lines_before in _blocks(path):
        if offset < start + len(block):
            return lines_before + line_of(block, offset - start)
    return sum(block.count(b"\n") for _, block, _ in _blocks(path)) + 1


def ends_with_ctrl_z(path: Path) -> bool:
    with path.open("rb") as handle:
        size = handle.seek(0, 2)
        handle.seek(max(0, size - 8))
        return CTRL_Z.encode() in handle.read()


def to_utf8(source: Path, target: Path, codec: str) -> None:
    """Copy ``source`` to ``target`` as UTF-8 without a byte-order mark, block by block."""
    decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    with source.open("rb") as reader, target.open("wb") as writer:
        reader.seek(bom_length(codec))
        offset = bom_length(codec)
        while block := reader.read(CHUNK):
            try:
                writer.write(decoder.decode(block).encode("utf-8"))
            except UnicodeDecodeError as err:
                at = offset + err.start
                raise TextError(
                    f"is not {encoding_name(codec)} text throughout: byte 0x{block[err.start]:02x} "
                    f"on line {line_of_byte_in_file(source, at)} is not; save it again as "
                    "'CSV UTF-8' (or UTF-8 JSON)") from None
            offset += len(block)
        writer.write(decoder.decode(b"", final=True).encode("utf-8"))


@dataclass
class CsvRepair:
    """What reading a CSV line by line found."""

    codec: str
    rows: int = 0     # data rows written, broken ones included
    # first lines of the rows written without values, with a rule and what is wrong
    broken_lines: list[int] = field(default_factory=list)
    ctrl_z_dropped: bool = False


def repair_csv(source: Path, target: Path, *, codec: str, delimiter: str, width: int,
               max_value_chars: int) -> CsvRepair:
    """Write ``source`` (its header skipped) to ``target`` as a clean UTF-8 CSV of ``width``
    value columns (``c0``...), the row's first line (``_line``) and, for a broken row, its
    rule and what is wrong with it (``_rule``, ``_detail``). A broken row's values are left
    empty, so that nothing misplaced (a name shifted into a column that is kept) is loaded.

    A file found not to be in ``codec`` after all is read again in the encoding its bytes
    show. Raises TextError for what breaks the whole file."""
    try:
        return _repair_csv(source, target, codec, delimiter, width, max_value_chars)
    except UnicodeDecodeError:
        found = detect_encoding_of_file(source)  # raises when no encoding fits
        if found == codec:
            raise TextError(f"is not {encoding_name(codec)} text throughout") from None
        return _repair_csv(source, target, found, delimiter, width, max_value_chars)


def _repair_csv(source: Path, target: Path, codec: str, delimiter: str, width: int,
                max_value_chars: int) -> CsvRepair:
    repair = CsvRepair(codec)
    csv.field_size_limit(max(max_value_chars, 1))
    with source.open("r", encoding=codec, newline="", errors="strict") as text, \
            target.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([f"c{i}" for i in range(width)] + ["_line", "_rule", "_detail"])
        empty = [None] * width
        records = _records(text, delimiter)
        next(records, None)  # the header (a byte-order mark, if any, is in it)
        for line, last_line, values, quote_error in _without_ctrl_z(records, repair):
            if quote_error:
                repair.broken_lines.append(line)
                writer.writerow([*empty, line, BAD_QUOTES, (
                    f"line {line}: a quoted value is followed by more text before the next "
                    f"'{delimiter}' (a stray quote)")])
            elif len(values) != width:
                repair.broken_lines.append(line)
                span = f"lines {line}-{last_line}" if last_line > line else f"line {line}"
                writer.writerow([*empty, line, WRONG_FIELD_COUNT, (
                    f"{span}: {len(values)} fields where the header has {width}")])
            else:
                writer.writerow([*values, line, None, None])
            repair.rows += 1
    return repair


def _records(text: io.TextIOBase,
             delimiter: str) -> Iterator[tuple[int, int, list[str], str | None]]:
    """(first line, last line, values, quoting error) of each record; blank lines skipped."""
    reader = csv.reader(text, delimiter=delimiter, quotechar='"', doublequote=True,
                        strict=True)
    previous_end = 0
    while True:
        start = previous_end + 1
        try:
            values = next(reader)
            error = None
        except StopIteration:
            return
        except csv.Error as err:
            message = str(err)
            if "unexpected end of data" in message:
                raise TextError(
                    f"has a quote opened on line {start} that is never closed: the rest of "
                    "the file would be one value. The file was cut short, or a value holds a "
                    "stray '\"'; download or export it again") from None
            if "field larger than field limit" in message:
                raise TextError(
                    f"has a value longer than the line limit starting on line {start} "
                    "(P3DN_MAX_CSV_LINE_MB): check the quotes, or raise the limit if the "
                    "file is genuine") from None
            values, error = [], message
        previous_end = reader.line_num
        if values or error:
            yield start, reader.line_num, values, error


def _without_ctrl_z(records, repair: CsvRepair):
    """The records, with an MS-DOS end-of-file mark at the very end of the file dropped."""
    pending = None
    for record in records:
        if pending is not None:
            yield pending
        pending = record
    if pending is None:
        return
    start, end, values, error = pending
    if values and values[-1].endswith(CTRL_Z) and not error:
        repair.ctrl_z_dropped = True
        values = [*values[:-1], values[-1].rstrip(CTRL_Z)]
        if values == [""]:
            return  # the mark alone on the last line
    yield start, end, values, error


# Up to this size, a JSON file DuckDB finds broken is parsed again by Python to say where.
JSON_DIAGNOSIS_MAX_BYTES = 64 << 20


def json_error(path: Path, *, one_document: bool) -> str | None:
    """Where and why a UTF-8 JSON file is not valid JSON, as a person reads it ("line 9,
    column 3: Expecting ',' delimiter"); None when it is valid, or too large to look at
    again. ``one_document``: an array or an envelope, else one record per line."""
    if path.stat().st_size > JSON_DIAGNOSIS_MAX_BYTES:
        return None
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    lines_before, rest = 0, ""
    try:
        if one_document:
            json.loads(text)
        else:
            lines = text.splitlines(keepends=True)
            for lines_before, line in enumerate(lines):
                if line.strip():
                    rest = "".join(lines[lines_before + 1:])
                    json.loads(line.rstrip("\r\n"))
    except json.JSONDecodeError as err:
        # The document stops before it is complete: a string runs to its end, or nothing
        # follows the place where more was expected.
        cut = (err.msg.startswith("Unterminated string") or not err.doc[err.pos:].strip()) \
            and not rest.strip()
        cause = err.msg.removesuffix(" at") + (" there" if err.msg.endswith(" at") else "")
        return (f"line {lines_before + err.lineno}, column {err.colno}: {cause}"
                + ("; the file ends in the middle of a record: it was cut short, download it "
                   "again" if cut else ""))
    except RecursionError:
        return None
    return None
