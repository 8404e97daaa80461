"""Load one recognised file into its raw table, inside DuckDB.

JSON and CSV are read by DuckDB's own readers; XLSX (no DuckDB excel extension is reachable
offline) is read by calamine into an Arrow table that DuckDB then scans. Every field lands as
text exactly as delivered, except personal identifiers, which are hashed in the same SQL
statement that reads them, so their clear value is never written anywhere.

Headers, sheet names and file names come from files, i.e. from strangers: they are only ever
used as quoted literals, bound parameters or mapped to our own column positions, never pasted
into SQL as code. A file's own path never reaches SQL at all (see ``_plain_alias``). Sizes
are bounded by ``p3dn_pipeline.lib.limits``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from p3dn_pipeline.lib import spreadsheet, textfile
from p3dn_pipeline.lib.sources import Dataset
from p3dn_pipeline.lib.landing import (ENVELOPE_PAGES, LandingError, Recognition, forget_workbook,
                                       file_identity, open_workbook, read_header, recognise,
                                       workbook_sheet)
from p3dn_pipeline.lib.limits import Limits, load_limits, megabytes

if TYPE_CHECKING:
    import pyarrow as pa

# What DuckDB's file readers expand in a path (they take glob patterns, not file names).
GLOB_CHARACTERS = frozenset("*?[")

# A row the reader could not split into the header's fields carries what is wrong with it,
# in the shape of a staging problem, and no values; so does a row with a cell showing an
# Excel error (`#REF!`) or a formula without a saved result, beside its values. Staging
# quarantines such a row with that rule.
READ_PROBLEM_TYPE = "STRUCT(column_name VARCHAR, rule VARCHAR, offending_value VARCHAR)"
RAW_LINEAGE_DDL = (
    '"_source_file" VARCHAR NOT NULL, "_source_sheet" VARCHAR, "_source_row" BIGINT NOT NULL, '
    '"_file_sha256" VARCHAR NOT NULL, "_loaded_at" TIMESTAMP NOT NULL, '
    f'"_read_problem" {READ_PROBLEM_TYPE}'
)
# Text DuckDB's readers read as is: any other encoding is converted to UTF-8 first.
DUCKDB_ENCODINGS = ("utf-8", "utf-8-sig")


class ReadCarefully(Exception):
    """DuckDB's fast, strict reading of a text file failed: roll back and read it again line
    by line (``load_file(careful=True)``), which says which line is wrong and why."""


@dataclass
class Source:
    sql: str                            # a FROM item
    refs: dict[str, str]                # canonical field -> SQL expression
    row: str                            # SQL expression: the row's line or sheet row
    problem: str = "NULL"               # SQL expression: the row's read problem, if any
    path: str | None = None             # the file DuckDB reads (a UTF-8 copy, maybe)
    notes: tuple[str, ...] = ()         # what the ledger says of how the file was read
    one_document: bool = True           # JSON: an array or envelope, not a record per line


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def ensure_raw_table(con: duckdb.DuckDBPyConnection, dataset: Dataset) -> None:
    columns = ", ".join(f"{quote_identifier(c)} VARCHAR" for c in dataset.raw_columns())
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {dataset.raw_table} ({columns}, {RAW_LINEAGE_DDL})"
    ).fetchall()
    # Raw tables made before rows could carry a read problem.
    con.execute(f"ALTER TABLE {dataset.raw_table} ADD COLUMN IF NOT EXISTS _read_problem "
                f"{READ_PROBLEM_TYPE}").fetchall()


def _select_sql(dataset: Dataset, source: Source, sheet_expr: str) -> str:
    """The SELECT that turns the file's rows (``source``) into raw rows, in the order of
    ``dataset.raw_columns()`` then the lineage columns ($file, $sha and $loaded_at are
    parameters).

    One projection after another, so that each value the rules need is computed once per
    field (a macro pastes its argument wherever it is named). Every field but prose
    (sources.PROSE_FIELD), and every personal field, is read in its NFKC form (p3dn_nfkc):
    codes, numbers, dates and quarters are joined, counted as unique and matched against
    patterns (NIB, kd_rup, kd_satker, NPWP, kode SKPD, "TW Ｉ"), and a NIK or phone number
    typed in full-width digits must hash and mask as the ASCII one. In a dataset whose rows
    name people, a field shaped like a NIK or phone number (prose too, read in NFKC form for
    the test), or a coded field shaped like a name, is stored as its shape only:
    p3dn_tanpa_identitas and p3dn_tanpa_nama in pii_macros.sql, computed here without their
    list bindings.
    """
    # The projections: the file's values as text (r); in NFKC form (v); then the texts the
    # rules test (n: p3dn_teks, then i: its NFKC form); then what the raw table stores.
    #
    # Each macro is applied once per projection, to a list of the fields, never once per
    # field: DuckDB binds a macro's tables (p3dn_nfkc holds ~1,000 characters and a MAP of
    # ~300) anew at every place it is pasted, and pasted per field that cost 0.2-0.3 s of
    # planning per file (16 fields), more than reading a 16,000-row workbook. A lambda over a
    # list is bound once, and runs over the list's values as one vector.
    lineage = ["_p3dn_sheet", "_p3dn_row", "_p3dn_problem"]
    texts: list[str] = []
    prose: list[str] = []         # read as they are
    to_nfkc: list[str] = []       # the list _p3dn_v: every field but prose, every hashed field
    v_of: dict[int, str] = {}     # field number -> its value in NFKC form, in the read stage
    all_fields = dataset.all_fields()
    for number, f in enumerate(all_fields):
        ref = source.refs.get(f.name)
        if ref is None:
            continue
        texts.append(f"CAST({ref} AS VARCHAR) AS r{number}")
        if f.prose:
            prose.append(f"r{number}")
            v_of[number] = f"r{number}"
        else:
            to_nfkc.append(f"r{number}")
            v_of[number] = f"_p3dn_v[{len(to_nfkc)}]"
    hashed: dict[int, str] = {}   # personal field number -> its value in NFKC form
    for number, (name, treatment) in enumerate(dataset.personal.items()):
        ref = source.refs.get(name) if treatment == "hash" else None
        if ref is None:
            continue  # 'drop' fields are never selected, so never read into a table
        texts.append(f"CAST({ref} AS VARCHAR) AS p{number}r")
        to_nfkc.append(f"p{number}r")
        hashed[number] = f"_p3dn_v[{len(to_nfkc)}]"
    texts += [f"{sheet_expr} AS _p3dn_sheet", f"{source.row} AS _p3dn_row",
              f"{source.problem} AS _p3dn_problem"]
    read = [*prose, *lineage]
    if to_nfkc:
        read.append(_each(_sql_list(to_nfkc), "p3dn_nfkc_kolom(x)", "_p3dn_v"))
    # Hash an identifier in the form people mean, digits only, so "'3174 01..." and
    # "317401..." are the same person.
    folded = [*(f"{v} AS v{number}" for number, v in v_of.items()), *lineage,
              *(f"coalesce(p3dn_digits({p}), p3dn_teks({p})) AS h{number}"
                for number, p in hashed.items())]
    stages = [read, folded]
    stored_of = {number: f"v{number}" for number in v_of}
    if dataset.rows_name_people and v_of:
        # As p3dn_tanpa_identitas(v), then p3dn_tanpa_nama of that for a coded field: a value
        # hidden as an identifier holds a comma and digits, so it is never taken for a name.
        # Lists over the fields present: _p3dn_vp (v), _p3dn_n (n), _p3dn_i (i); element k
        # of each is the same field.
        fields = list(v_of)
        carried = [*(f"h{number}" for number in hashed), *lineage]
        compared = [*carried, f"{_sql_list(f'v{number}' for number in fields)} AS _p3dn_vp",
                    _each(_sql_list(f"v{number}" for number in fields),
                          "coalesce(p3dn_teks_kolom(x), '')", "_p3dn_n")]
        checked = [*carried, "_p3dn_vp", "_p3dn_n",
                   _each("_p3dn_n", "p3dn_nfkc_kolom(x)", "_p3dn_i")]
        coded = [number for number in fields if all_fields[number].name in dataset.coded_fields]
        other = [number for number in fields if number not in coded]
        hidden = list(carried)
        identity = "WHEN p3dn_seperti_identitas(_p3dn_i[k]) THEN p3dn_disembunyikan(_p3dn_i[k]) "
        name = "WHEN p3dn_seperti_nama(_p3dn_n[k]) THEN p3dn_disembunyikan(_p3dn_n[k]) "
        for numbers, list_name, rules in ((coded, "_p3dn_kode", identity + name),
                                          (other, "_p3dn_lain", identity)):
            if not numbers:
                continue
            hidden.append(_each(_sql_list(str(fields.index(n) + 1) for n in numbers),
                                f"CASE {rules}ELSE _p3dn_vp[k] END", list_name, parameter="k"))
            stored_of.update({n: f"{list_name}[{position}]"
                              for position, n in enumerate(numbers, start=1)})
        stages += [compared, checked, hidden]
    stored = [stored_of.get(number, "NULL") for number in range(len(all_fields))]
    for number, (_, treatment) in enumerate(dataset.personal.items()):
        if treatment == "hash":
            stored += ([f"p3dn_hmac(h{number})", f"p3dn_shape(h{number})"] if number in hashed
                       else ["NULL", "NULL"])
    stored += ["$file", "_p3dn_sheet", "_p3dn_row", "$sha", "$loaded_at", "_p3dn_problem"]
    sql = f"SELECT {', '.join(texts)} FROM {source.sql}"
    for projection in (*stages, stored):
        sql = f"SELECT {', '.join(projection)} FROM ({sql})"
    return sql


def _sql_list(items: Iterable[str]) -> str:
    return f"[{', '.join(items)}]"


def _each(listed: str, body: str, name: str, *, parameter: str = "x") -> str:
    """``body`` (of ``parameter``) for each element of the SQL list ``listed``, as the list
    column ``name``: the macros in ``body`` are bound once, whatever the list's length."""
    return f"list_transform({listed}, lambda {parameter}: {body}) AS {name}"


def load_file(con: duckdb.DuckDBPyConnection, recognition: Recognition, *, absolute_path: str,
              relative_path: str, sha256: str, loaded_at: dt.datetime,
              careful: bool = False, workbook: WorkbookRows | None = None) -> int:
    """Replace this file's rows in its raw table; returns the number of rows loaded.

    The caller holds the transaction: on any error nothing of this file is left behind. A
    text file DuckDB cannot read as it is raises ReadCarefully: the caller rolls back and
    calls again with ``careful``, which reads it line by line (textfile). ``workbook``: the
    rows of this workbook, read ahead by :func:`read_workbook` (``recognition`` is its).
    """
    with _plain_alias(absolute_path) as alias:
        try:
            return _load(con, recognition, alias, relative_path, sha256, loaded_at, careful,
                         workbook)
        except LandingError as err:
            raise LandingError(str(err).replace(alias, relative_path)) from None


@contextmanager
def _plain_alias(path: str) -> Iterator[str]:
    """A link with a plain name, in a private temporary folder, to the file at ``path``.

    DuckDB's readers take a glob pattern, not a file name: given ``laporan [final].json`` they
    read ``laporan f.json``, given ``*.json`` every JSON file beside it. Reading through the
    link keeps the file name, which a stranger chose, out of SQL altogether.
    """
    with tempfile.TemporaryDirectory(prefix="p3dn-read-") as folder:
        if GLOB_CHARACTERS & set(folder):
            raise RuntimeError(f"the temporary folder {folder!r} has a glob character in its "
                               "path; point TMPDIR at a plain folder")
        alias = os.path.join(folder, "input" + Path(path).suffix.lower())
        os.symlink(path, alias)
        yield alias


def _load(con: duckdb.DuckDBPyConnection, recognition: Recognition, path: str,
          relative_path: str, sha256: str, loaded_at: dt.datetime, careful: bool,
          workbook: WorkbookRows | None) -> int:
    dataset = recognition.dataset
    header = recognition.header
    limits = load_limits()
    if header.file_format == "json":
        source = _json_source(recognition, path, limits, careful)
    elif header.file_format == "csv":
        source = _csv_source(recognition, path, limits, careful)
    else:
        table = workbook.table if workbook is not None else _xlsx_table(recognition, path)
        source = _xlsx_source(con, recognition, table)

    target_columns = [*dataset.raw_columns(), "_source_file", "_source_sheet", "_source_row",
                      "_file_sha256", "_loaded_at", "_read_problem"]
    sheet_expr = "sheet_name" if header.file_format == "xlsx" else "NULL"
    con.execute(f"DELETE FROM {dataset.raw_table} WHERE _source_file = $file",
                {"file": relative_path}).fetchall()
    try:
        con.execute(
            f"INSERT INTO {dataset.raw_table} ({', '.join(map(quote_identifier, target_columns))}) "
            + _select_sql(dataset, source, sheet_expr),
            {"file": relative_path, "sha": sha256, "loaded_at": loaded_at},
        ).fetchall()
    except duckdb.Error as err:
        message = str(err)
        if not careful and _worth_reading_carefully(message, header.file_format):
            raise ReadCarefully(message) from err
        raise LandingError(_read_error(message, header.file_format, limits,
                                       source.path or path, source.one_document)) from None
    finally:
        if header.file_format == "xlsx":
            con.unregister("p3dn_xlsx_rows")
    rows = con.execute(
        f"SELECT count(*) FROM {dataset.raw_table} WHERE _source_file = $file",
        {"file": relative_path},
    ).fetchall()[0][0]
    if rows == 0:
        raise LandingError(_no_rows(recognition))
    if source.notes:
        recognition.note = "; ".join(filter(None, (*source.notes, recognition.note)))
    return rows


def _worth_reading_carefully(message: str, file_format: str) -> bool:
    """Whether reading line by line can do better than DuckDB's own error: for a CSV, it
    tells the broken lines from the good ones; for JSON, it finds the file's real encoding.
    Limits and resources are not the file's lines: those errors stand."""
    if "Maximum line size" in message or "maximum_object_size" in message:
        return False
    if file_format == "csv":
        return True
    return file_format == "json" and "invalid UTF-8" in message


def _no_rows(recognition: Recognition) -> str:
    """Why a file that was read holds nothing to load: an empty export is never taken as
    "no rows any more" (it would empty a dataset); the previous version's rows stay."""
    header = recognition.header
    if header.file_format == "xlsx":
        where = ", ".join(f"'{h.sheet}' (header on row {h.header_row})"
                          for h, _ in recognition.sheet_parts)
        return (f"holds only its header and no data rows (sheet {where}): an empty workbook "
                "is not taken as an empty roster; export it again with its rows")
    if header.file_format == "csv":
        return ("holds only its header (line 1) and no data rows: an empty export is not "
                "taken as 'no rows'; download or export it again")
    return "holds no records: an empty export is not taken as 'no rows'; download it again"


def _read_error(message: str, file_format: str, limits: Limits, path: str,
                one_document: bool = True) -> str:
    """DuckDB's message in the terms of the person who has to act on it."""
    if "maximum_object_size" in message and "unstructured" in message:
        return (f"has an API response envelope (one page of records) larger than "
                f"{megabytes(limits.max_json_record_bytes)} (P3DN_MAX_JSON_RECORD_MB), which "
                "is read as one value: fetch smaller pages (the pull's pages hold at most "
                "1000 records), or raise the limit if a record is genuinely that large")
    if "maximum_object_size" in message:
        return (f"has a JSON record larger than {megabytes(limits.max_json_record_bytes)} "
                "(P3DN_MAX_JSON_RECORD_MB); no export record is that large: check the file, "
                "or raise the limit if it is genuine")
    if "Maximum line size" in message:
        return (f"has a line longer than {megabytes(limits.max_csv_line_bytes)} "
                "(P3DN_MAX_CSV_LINE_MB); no export line is that long: check the delimiter "
                "and quotes, or raise the limit if the file is genuine")
    malformed = _MALFORMED_JSON.search(message)
    if file_format == "json" and malformed:
        where = textfile.json_error(Path(path), one_document=one_document)
        if where is not None:
            return f"is not valid JSON on {where}"
        # Too large to parse again: DuckDB's own account (it counts records from 2).
        record = int(malformed["record"]) - 1
        cause = malformed["cause"].strip().rstrip(".")
        return (f"is not valid JSON in record {record} (at byte {malformed['byte']} of that "
                f"record): {cause}")
    return f"cannot be read as {file_format}: {message.split(chr(10))[0]}"


_MALFORMED_JSON = re.compile(
    r"Malformed JSON in file .*?, at byte (?P<byte>\d+) in (?:record/value|line) "
    r"(?P<record>\d+): "
    r"(?P<cause>[^\n]*)")


def _columns_to_read(recognition: Recognition) -> dict[str, int]:
    """Canonical name -> file column, leaving out personal fields that are dropped unread."""
    personal = recognition.dataset.personal
    return {name: index for name, index in recognition.column_of.items()
            if personal.get(name) != "drop"}


def _first_json_character(path: str) -> str:
    with open(path, "rb") as handle:
        start = handle.read(4096).decode("utf-8-sig", errors="replace").lstrip()
    return start[:1]


def _as_utf8(path: str, codec: str) -> str:
    """The file as DuckDB can read it: itself when UTF-8, else a UTF-8 copy beside its
    alias, in the private temporary folder."""
    if codec in DUCKDB_ENCODINGS:
        return path
    copy = os.path.join(os.path.dirname(path), "utf8" + Path(path).suffix.lower())
    try:
        textfile.to_utf8(Path(path), Path(copy), codec)
    except textfile.TextError as err:
        raise LandingError(str(err)) from None
    return copy


def _json_source(recognition: Recognition, path: str, limits: Limits,
                 careful: bool) -> Source:
    header = recognition.header
    codec = header.encoding
    if careful:
        # The start was UTF-8, DuckDB found a byte further on that is not: judge every byte.
        try:
            codec = textfile.detect_encoding_of_file(Path(path))
        except textfile.TextError as err:
            raise LandingError(str(err)) from None
    notes = () if codec in DUCKDB_ENCODINGS else (_encoding_note(codec),)
    path = _as_utf8(path, codec)
    keys = {name: header.columns[index] for name, index in _columns_to_read(recognition).items()}
    if header.envelope:
        return _envelope_source(keys, path, limits, (*notes, f"read from {header.envelope}"))
    # Read as JSON, not VARCHAR, so that a JSON number and a JSON string that look alike
    # ("150.000" vs 150.000) are told apart: see p3dn_json_teks.
    columns = ", ".join(f"{quote_literal(key)}: 'JSON'" for key in keys.values())
    # Said explicitly: with format='auto' DuckDB misreads an array behind a UTF-8 BOM (an
    # error, or one row instead of all of them).
    layout = "array" if _first_json_character(path) == "[" else "newline_delimited"
    source = (f"read_json({quote_literal(path)}, format='{layout}', records=true, "
              f"columns={{{columns}}}, "
              f"maximum_object_size={int(limits.max_json_record_bytes)})")
    return Source(source, {name: f"p3dn_json_teks({quote_identifier(key)})"
                           for name, key in keys.items()},
                  "row_number() OVER ()", path=path, notes=notes,
                  one_document=layout == "array")


def _envelope_source(keys: dict[str, str], path: str, limits: Limits,
                     notes: tuple[str, ...]) -> Source:
    """The records under "data" of an API response envelope, or of each of a file of them
    (the pull writes the API's pages one after the other), every field as text. DuckDB reads
    each envelope as one value, so each must fit P3DN_MAX_JSON_RECORD_MB; the file as a
    whole may be any size (an API page holds at most 1000 records)."""
    fields = ", ".join(f"{quote_identifier(key)} JSON" for key in keys.values())
    data_type = quote_literal(f"STRUCT({fields})[]")
    pages = (f"SELECT row_number() OVER () AS page, data "
             f"FROM read_json({quote_literal(path)}, format='unstructured', "
             f"columns={{'data': {data_type}}}, "
             f"maximum_object_size={int(limits.max_json_record_bytes)})")
    # Numbered across pages, in the file's order: the row number a person counts.
    source = (f"(SELECT record, row_number() OVER (ORDER BY page, position) AS position "
              f"FROM (SELECT page, unnest(data) AS record, "
              f"generate_subscripts(data, 1) AS position FROM ({pages})))")
    refs = {name: f"p3dn_json_teks(struct_extract(record, {quote_literal(key)}))"
            for name, key in keys.items()}
    # A broken file of pages is diagnosed line by line, one page a line.
    return Source(source, refs, "position", path=path, notes=notes,
                  one_document=not any(note.startswith(f"read from {ENVELOPE_PAGES}")
                                       for note in notes))


def _csv_source(recognition: Recognition, path: str, limits: Limits,
                careful: bool) -> Source:
    header = recognition.header
    width = len(header.columns)
    refs = {name: f"c{index}" for name, index in _columns_to_read(recognition).items()}
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width))
    if not careful and header.encoding in DUCKDB_ENCODINGS and not textfile.ends_with_ctrl_z(
            Path(path)):
        source = (
            f"read_csv({quote_literal(path)}, header=false, skip=1, "
            f"delim={quote_literal(header.delimiter or ',')}, quote='\"', escape='\"', "
            f"columns={{{columns}}}, strict_mode=true, null_padding=false, "
            f"max_line_size={int(limits.max_csv_line_bytes)})"
        )
        # Line number as a person sees it in a text editor: the header is line 1.
        return Source(source, refs, "row_number() OVER () + 1",
                      _spreadsheet_error_sql(recognition))
    repaired = os.path.join(os.path.dirname(path), "repaired.csv")
    try:
        repair = textfile.repair_csv(Path(path), Path(repaired), codec=header.encoding,
                                     delimiter=header.delimiter or ",", width=width,
                                     max_value_chars=int(limits.max_csv_line_bytes))
    except textfile.TextError as err:
        raise LandingError(str(err)) from None
    notes = []
    if repair.codec not in DUCKDB_ENCODINGS:
        notes.append(_encoding_note(repair.codec))
    if repair.broken_lines:
        shown = ", ".join(map(str, repair.broken_lines[:10]))
        more = f" and {len(repair.broken_lines) - 10} more" if len(repair.broken_lines) > 10 else ""
        notes.append(f"{len(repair.broken_lines)} line(s) could not be read into the header's "
                     f"{width} fields (line {shown}{more}): loaded without values, "
                     "quarantined")
    if repair.ctrl_z_dropped:
        notes.append("the MS-DOS end-of-file mark (Ctrl-Z) after the last line was ignored")
    source = (
        f"read_csv({quote_literal(repaired)}, header=true, delim=',', quote='\"', "
        f"escape='\"', columns={{{columns}, '_line': 'BIGINT', '_rule': 'VARCHAR', "
        f"'_detail': 'VARCHAR'}}, strict_mode=true, null_padding=false, "
        f"max_line_size={int(limits.max_csv_line_bytes) * 2 + 1024})"
    )
    problem = (f"coalesce(CASE WHEN _rule IS NOT NULL THEN {{'column_name': "
               f"{quote_literal(textfile.ROW_COLUMN)}, 'rule': _rule, "
               f"'offending_value': _detail}} END, {_spreadsheet_error_sql(recognition)})")
    return Source(source, refs, "_line", problem, notes=tuple(notes))


def _spreadsheet_error_sql(recognition: Recognition) -> str:
    """SQL for the read problem of a CSV row holding an Excel error value (`#REF!`, saved
    from a workbook): the first such field, by the file's own column name."""
    errors = ", ".join(quote_literal(e) for e in sorted(spreadsheet.ERROR_VALUES))
    header = recognition.header
    indexes = sorted(_columns_to_read(recognition).values())
    branches = [
        f"WHEN trim(c{index}) IN ({errors}) THEN {{'column_name': "
        f"{quote_literal(header.columns[index])}, 'rule': "
        f"{quote_literal(spreadsheet.SPREADSHEET_ERROR)}, 'offending_value': trim(c{index})}}"
        for index in indexes]
    if not branches:
        return "NULL"
    # Every error value starts with '#': a row without one in any field (nearly all rows)
    # is answered by a byte search per field instead of trimming and comparing each field
    # with the fourteen values (0.9 s of a 1.5-million-row APBD file's 3.5 s load).
    guard = " OR ".join(f"contains(c{index}, '#')" for index in indexes)
    return f"CASE WHEN {guard} THEN CASE {' '.join(branches)} END END"


def _encoding_note(codec: str) -> str:
    return f"text in {textfile.encoding_name(codec)}, not UTF-8: converted to UTF-8 to be read"


@dataclass
class WorkbookRows:
    """A workbook recognised and read into its Arrow table ahead of its load: the loader
    reads the next workbook of a dataset while DuckDB loads the current one
    (ledger.load_pending). Taken only if the file is still the one read (``identity``)."""
    recognition: Recognition
    table: pa.Table
    identity: tuple[int, ...]


def read_workbook(path: Path) -> WorkbookRows | None:
    """The workbook at ``path`` recognised and read, as :func:`load_file` would read it; None
    if the file changed while it was read. Nothing in the warehouse is touched (it runs in
    another thread than the load)."""
    identity = file_identity(path)
    recognition = recognise(read_header(path))
    table = _xlsx_table(recognition, str(path))
    return WorkbookRows(recognition, table, identity) if file_identity(path) == identity else None


def _xlsx_source(con: duckdb.DuckDBPyConnection, recognition: Recognition,
                 table: pa.Table) -> Source:
    """The workbook's rows (:func:`_xlsx_table`) as the load's source."""
    con.register("p3dn_xlsx_rows", table)
    refs = {name: quote_identifier(f"f_{name}") for name in _columns_to_read(recognition)}
    return Source("p3dn_xlsx_rows", refs, "sheet_row", "read_problem")


def _xlsx_table(recognition: Recognition, path: str) -> pa.Table:
    """Every sheet holding the dataset, stacked into one Arrow table of canonical columns
    (sheets may order their columns differently).

    A cell showing an Excel error (``#REF!``) or a formula whose result was never saved is
    not a blank: its row carries a read problem (rule ``spreadsheet_error`` or
    ``formula_without_result``, the file's column name, what the cell shows) and is
    quarantined, as the same ``#REF!`` in a CSV is. calamine reads both as '' (see
    lib/spreadsheet.py)."""
    # Imported here, not with the module: 0.15 to 0.26 s (pyarrow and numpy) that a process
    # which reads no workbook (an unchanged run, the webserver, p3dn status) need not pay.
    import pyarrow as pa

    workbook = open_workbook(Path(path))
    wanted = [name for name in _columns_to_read(recognition)]
    unreadable = spreadsheet.unreadable_cells(
        Path(path), [header.sheet for header, _ in recognition.sheet_parts])
    problem_type = pa.struct([("column_name", pa.string()), ("rule", pa.string()),
                              ("offending_value", pa.string())])
    # The table is built a slice of rows at a time: a whole sheet as Python lists costs
    # several hundred bytes a cell (a 1.5-million-row e-Order workbook held 4.7 GB), outside
    # DuckDB's memory limit; a slice's lists are let go once its Arrow arrays are built.
    batches: list[pa.RecordBatch] = []
    for header, column_of in recognition.sheet_parts:
        sheet = workbook_sheet(workbook, header.sheet)
        # iter_rows starts at the first row but at the first used column: shift positions.
        first_column = sheet.start[1] if sheet.start else 0
        rows = sheet.iter_rows()
        for _ in range(header.header_row):
            next(rows, None)
        first_row = header.header_row + 1
        positions = {name: column_of.get(name) for name in wanted}
        in_sheet = unreadable.get(header.sheet, {})
        offset = 0
        while body := list(itertools.islice(rows, WORKBOOK_SLICE_ROWS)):
            batches.append(_workbook_slice(body, offset + first_row, positions, first_column,
                                           header, in_sheet, wanted, problem_type))
            offset += len(body)
    schema = pa.schema([*((f"f_{name}", pa.string()) for name in wanted),
                        ("sheet_name", pa.string()), ("sheet_row", pa.int64()),
                        ("read_problem", problem_type)])
    table = pa.Table.from_batches(batches, schema=schema)
    forget_workbook()  # the rows are in the Arrow table now
    return table


ERROR_TEXTS = spreadsheet.ERROR_VALUES


# Rows of a workbook turned into Arrow at a time (_xlsx_table): small enough that a slice's
# Python lists stay in the tens of megabytes, large enough that the per-slice work is noise.
WORKBOOK_SLICE_ROWS = 50_000


def _workbook_slice(body: list[list[Any]], first_row: int, positions: dict[str, int | None],
                    first_column: int, header, in_sheet: dict, wanted: list[str],
                    problem_type) -> pa.RecordBatch:
    """One slice of a sheet's rows (``body``, the first of them on sheet row ``first_row``,
    1-based; cells from column ``first_column`` on) as an Arrow batch of canonical columns,
    with each row's read problem; blank spacer rows left out."""
    import pyarrow as pa

    # Column by column (most cells are plain text: no call per cell); only the rows holding
    # an unreadable cell or an error text go through the row-by-row rule below.
    texts = {name: _column_texts(body, None if i is None or i < first_column
                                 else i - first_column)
             for name, i in positions.items()}
    suspect = {row - first_row for row, _ in in_sheet if 0 <= row - first_row < len(body)}
    for values in texts.values():
        suspect.update(n for n, text in enumerate(values)
                       if text is not None and text[0] == "#" and text in ERROR_TEXTS)
    row_problems: dict[int, dict[str, str]] = {}
    for n in sorted(suspect):
        for name, i in positions.items():
            text = texts[name][n]
            rule, shown = in_sheet.get((n + first_row, i), (None, None))
            if rule is None and spreadsheet.error_value(text):
                rule, shown = spreadsheet.SPREADSHEET_ERROR, spreadsheet.error_value(text)
            if rule == spreadsheet.SPREADSHEET_ERROR:
                texts[name][n] = shown  # raw keeps what the cell shows, as a CSV would
            if rule is not None and n not in row_problems:
                row_problems[n] = {"column_name": header.columns[i], "rule": rule,
                                   "offending_value": shown}
    # Blank spacer rows are layout, not data.
    kept = [n for n, filled in enumerate(zip(*texts.values()))
            if n in row_problems or any(text is not None for text in filled)] \
        if texts else []
    return pa.record_batch(
        [*(pa.array([texts[name][n] for n in kept], pa.string()) for name in wanted),
         pa.array([header.sheet] * len(kept), pa.string()),
         pa.array([n + first_row for n in kept], pa.int64()),
         pa.array([row_problems.get(n) for n in kept], problem_type)],
        names=[*(f"f_{name}" for name in wanted), "sheet_name", "sheet_row", "read_problem"])


def _column_texts(body: list[list[Any]], index: int | None) -> list[str | None]:
    """One column of a sheet's rows as cell texts (:func:`cell_text`)."""
    if index is None:
        return [None] * len(body)
    texts: list[str | None] = []
    append = texts.append
    for row in body:
        value = row[index] if index < len(row) else None
        if value.__class__ is str:
            append(value.strip() or None)  # cell_text of a string, without the call
        else:
            append(cell_text(value))
    return texts


def cell_text(value: Any) -> str | None:
    """An Excel cell as the text a person would type, so one parser serves CSV and XLSX.

    Numbers are written the Indonesian way (decimal comma, no grouping), dates as ISO.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return format(Decimal(repr(value)), "f").replace(".", ",")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    return text or None
