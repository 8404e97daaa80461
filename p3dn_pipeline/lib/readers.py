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
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from p3dn_pipeline.lib.sources import Dataset
from p3dn_pipeline.lib.landing import LandingError, Recognition, open_workbook
from p3dn_pipeline.lib.limits import Limits, load_limits, megabytes

# What DuckDB's file readers expand in a path (they take glob patterns, not file names).
GLOB_CHARACTERS = frozenset("*?[")

RAW_LINEAGE_DDL = (
    '"_source_file" VARCHAR NOT NULL, "_source_sheet" VARCHAR, "_source_row" BIGINT NOT NULL, '
    '"_file_sha256" VARCHAR NOT NULL, "_loaded_at" TIMESTAMP NOT NULL'
)


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def ensure_raw_table(con: duckdb.DuckDBPyConnection, dataset: Dataset) -> None:
    columns = ", ".join(f"{quote_identifier(c)} VARCHAR" for c in dataset.raw_columns())
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {dataset.raw_table} ({columns}, {RAW_LINEAGE_DDL})"
    ).fetchall()


def _select_list(dataset: Dataset, source_ref: dict[str, str]) -> list[str]:
    """One SQL expression per raw column, from the file's columns (``source_ref``)."""
    expressions = []
    for f in dataset.all_fields():
        expressions.append(source_ref.get(f.name, "NULL"))
    for name, treatment in dataset.personal.items():
        if treatment != "hash":
            continue  # 'drop' fields are never selected, so never read into a table
        ref = source_ref.get(name)
        if ref is None:
            expressions += ["NULL", "NULL"]
        else:
            # Hash the identifier in the form people mean: digits only, so "'3174 01..." and
            # "317401..." are the same person.
            normalised = f"coalesce(p3dn_digits({ref}), p3dn_teks({ref}))"
            expressions += [f"p3dn_hmac({normalised})", f"p3dn_shape({normalised})"]
    return expressions


def load_file(con: duckdb.DuckDBPyConnection, recognition: Recognition, *, absolute_path: str,
              relative_path: str, sha256: str, loaded_at: dt.datetime) -> int:
    """Replace this file's rows in its raw table; returns the number of rows loaded.

    The caller holds the transaction: on any error nothing of this file is left behind.
    """
    with _plain_alias(absolute_path) as alias:
        try:
            return _load(con, recognition, alias, relative_path, sha256, loaded_at)
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
          relative_path: str, sha256: str, loaded_at: dt.datetime) -> int:
    dataset = recognition.dataset
    header = recognition.header
    limits = load_limits()
    if header.file_format == "json":
        source_sql, source_ref, row_expr = _json_source(recognition, path, limits)
    elif header.file_format == "csv":
        source_sql, source_ref, row_expr = _csv_source(recognition, path, limits)
    else:
        source_sql, source_ref, row_expr = _xlsx_source(con, recognition, path)

    target_columns = [*dataset.raw_columns(), "_source_file", "_source_sheet", "_source_row",
                      "_file_sha256", "_loaded_at"]
    sheet_expr = "sheet_name" if header.file_format == "xlsx" else "NULL"
    select = [*_select_list(dataset, source_ref), "$file", sheet_expr, row_expr, "$sha",
              "$loaded_at"]
    con.execute(f"DELETE FROM {dataset.raw_table} WHERE _source_file = $file",
                {"file": relative_path}).fetchall()
    try:
        con.execute(
            f"INSERT INTO {dataset.raw_table} ({', '.join(map(quote_identifier, target_columns))}) "
            f"SELECT {', '.join(select)} FROM {source_sql}",
            {"file": relative_path, "sha": sha256, "loaded_at": loaded_at},
        ).fetchall()
    except duckdb.Error as err:
        raise LandingError(_read_error(str(err), header.file_format, limits)) from None
    finally:
        if header.file_format == "xlsx":
            con.unregister("p3dn_xlsx_rows")
    return con.execute(
        f"SELECT count(*) FROM {dataset.raw_table} WHERE _source_file = $file",
        {"file": relative_path},
    ).fetchall()[0][0]


def _read_error(message: str, file_format: str, limits: Limits) -> str:
    """DuckDB's message in the terms of the person who has to act on it."""
    if "maximum_object_size" in message:
        return (f"has a JSON record larger than {megabytes(limits.max_json_record_bytes)} "
                "(P3DN_MAX_JSON_RECORD_MB); no export record is that large: check the file, "
                "or raise the limit if it is genuine")
    if "Maximum line size" in message:
        return (f"has a line longer than {megabytes(limits.max_csv_line_bytes)} "
                "(P3DN_MAX_CSV_LINE_MB); no export line is that long: check the delimiter "
                "and quotes, or raise the limit if the file is genuine")
    return f"cannot be read as {file_format}: {message.split(chr(10))[0]}"


def _columns_to_read(recognition: Recognition) -> dict[str, int]:
    """Canonical name -> file column, leaving out personal fields that are dropped unread."""
    personal = recognition.dataset.personal
    return {name: index for name, index in recognition.column_of.items()
            if personal.get(name) != "drop"}


def _first_json_character(path: str) -> str:
    with open(path, "rb") as handle:
        start = handle.read(4096).decode("utf-8-sig", errors="replace").lstrip()
    return start[:1]


def _json_source(recognition: Recognition, path: str,
                 limits: Limits) -> tuple[str, dict[str, str], str]:
    header = recognition.header
    keys = {name: header.columns[index] for name, index in _columns_to_read(recognition).items()}
    columns = ", ".join(f"{quote_literal(key)}: 'VARCHAR'" for key in keys.values())
    # Said explicitly: with format='auto' DuckDB misreads an array behind a UTF-8 BOM (an
    # error, or one row instead of all of them).
    layout = "array" if _first_json_character(path) == "[" else "newline_delimited"
    source = (f"read_json({quote_literal(path)}, format='{layout}', records=true, "
              f"columns={{{columns}}}, "
              f"maximum_object_size={int(limits.max_json_record_bytes)})")
    return source, {name: quote_identifier(key) for name, key in keys.items()}, \
        "row_number() OVER ()"


def _csv_source(recognition: Recognition, path: str,
                limits: Limits) -> tuple[str, dict[str, str], str]:
    header = recognition.header
    width = len(header.columns)
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width))
    source = (
        f"read_csv({quote_literal(path)}, header=false, skip=1, "
        f"delim={quote_literal(header.delimiter or ',')}, quote='\"', escape='\"', "
        f"columns={{{columns}}}, strict_mode=true, null_padding=false, "
        f"max_line_size={int(limits.max_csv_line_bytes)})"
    )
    refs = {name: f"c{index}" for name, index in _columns_to_read(recognition).items()}
    # Line number as a person sees it in a text editor: the header is line 1.
    return source, refs, "row_number() OVER () + 1"


def _xlsx_source(con: duckdb.DuckDBPyConnection, recognition: Recognition,
                 path: str) -> tuple[str, dict[str, str], str]:
    """Every sheet holding the dataset, stacked into one Arrow table of canonical columns
    (sheets may order their columns differently)."""
    workbook = open_workbook(Path(path))
    wanted = [name for name in _columns_to_read(recognition)]
    columns: dict[str, list[str | None]] = {name: [] for name in wanted}
    sheet_names: list[str] = []
    sheet_rows: list[int] = []
    for header, column_of in recognition.sheet_parts:
        rows = workbook.get_sheet_by_name(header.sheet).to_python(skip_empty_area=False)
        positions = {name: column_of.get(name) for name in wanted}
        for offset, row in enumerate(rows[header.header_row:], start=header.header_row + 1):
            texts = {name: cell_text(row[i]) if i is not None and i < len(row) else None
                     for name, i in positions.items()}
            if all(text is None for text in texts.values()):
                continue  # blank spacer rows are layout, not data
            sheet_names.append(header.sheet)
            sheet_rows.append(offset)
            for name in wanted:
                columns[name].append(texts.get(name))
    table = pa.table({**{f"f_{name}": pa.array(values, pa.string())
                         for name, values in columns.items()},
                      "sheet_name": pa.array(sheet_names, pa.string()),
                      "sheet_row": pa.array(sheet_rows, pa.int64())})
    con.register("p3dn_xlsx_rows", table)
    refs = {name: quote_identifier(f"f_{name}") for name in wanted}
    return "p3dn_xlsx_rows", refs, "sheet_row"


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
