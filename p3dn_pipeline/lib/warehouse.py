"""The warehouse connection: schemas, session macros, SQL files with bound parameters.

Every connection gets the Indonesian-format macros and the PII hashing key as TEMP objects,
so neither is ever persisted in the warehouse file (BI tools and copies never see the key).
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

LAYER_SCHEMAS = ("raw", "staging", "quarantine", "marts", "reference", "quality")
_LIB_SQL = Path(__file__).parent / "sql"
_HMAC_BLOCK_SIZE = 64  # SHA-256 block size, RFC 2104
# The macros every pipeline connection has (prepare_session, session_cursor), in order.
_SESSION_SQL_FILES = ("indoformat_macros.sql", "nfkc_macros.sql", "pii_macros.sql",
                      "session_macros.sql")


def split_statements(sql: str) -> list[str]:
    """Split a .sql file on semicolons that end a line; comments-only chunks are dropped."""
    statements = []
    for chunk in re.split(r";\s*(?:\n|$)", sql):
        code = "\n".join(
            line for line in chunk.splitlines() if not line.strip().startswith("--")
        ).strip()
        if code:
            statements.append(chunk.strip())
    return statements


def execute_all(con: duckdb.DuckDBPyConnection, sql: str,
                params: Mapping[str, Any] | None = None) -> None:
    """Run each statement of ``sql``, binding only the named parameters it uses."""
    for statement in split_statements(sql):
        used = {
            name: value for name, value in (params or {}).items()
            if re.search(rf"\${name}\b", statement)
        }
        con.execute(statement, used or None).fetchall()


def run_sql_file(con: duckdb.DuckDBPyConnection, path: Path,
                 params: Mapping[str, Any] | None = None) -> None:
    execute_all(con, path.read_text(encoding="utf-8"), params)


def _hmac_pads(key: bytes) -> tuple[bytes, bytes]:
    if len(key) > _HMAC_BLOCK_SIZE:
        key = hashlib.sha256(key).digest()
    key = key.ljust(_HMAC_BLOCK_SIZE, b"\0")
    return bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)


class DuckDBSettingError(ValueError):
    """P3DN_DUCKDB_MEMORY_LIMIT or P3DN_DUCKDB_TEMP_DIR holds a value DuckDB refuses."""


def apply_resource_limits(con: duckdb.DuckDBPyConnection, *, memory_limit: str | None = None,
                          temp_directory: str | Path | None = None) -> None:
    """DuckDB's memory limit and spill folder (P3DN_DUCKDB_MEMORY_LIMIT, P3DN_DUCKDB_TEMP_DIR).

    Both are settings of the database instance, so they are set before the connection does
    anything; None keeps DuckDB's default. Work larger than the limit spills to the folder
    rather than failing, as far as DuckDB can spill it.
    """
    for variable, setting, value in (("P3DN_DUCKDB_MEMORY_LIMIT", "memory_limit", memory_limit),
                                     ("P3DN_DUCKDB_TEMP_DIR", "temp_directory", temp_directory)):
        if value is None:
            continue
        try:
            con.execute(f"SET {setting} = $value", {"value": str(value)}).fetchall()
        except duckdb.Error as err:
            raise DuckDBSettingError(
                f"{variable}={str(value)!r} is refused by DuckDB: {str(err).splitlines()[0]} "
                "(a memory limit is a size such as '4GB' or '512MB'; a temporary folder a path "
                "the pipeline can write to)") from None


# How DuckDB shows a size ('2.7 GiB', '488.2 MiB', '100 bytes').
_SHOWN_SIZE_UNITS = {"bytes": 1, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40,
                     "PiB": 2**50}


def memory_limit_bytes(con: duckdb.DuckDBPyConnection) -> int:
    """The instance's memory limit in bytes (to a tenth of its unit: DuckDB shows it so)."""
    number, unit = con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0].split()
    return int(float(number) * _SHOWN_SIZE_UNITS[unit])


# How a full disk shows: OSError numbers, and the text DuckDB puts in its own errors.
_DISK_FULL_ERRNOS = (errno.ENOSPC, errno.EDQUOT)
_DISK_FULL_TEXTS = ("No space left on device", "Disk quota exceeded", "File too large")


def _error_chain(error: BaseException) -> Iterator[BaseException]:
    """The error and every error it was raised from or while handling (``raise X from None``
    hides its context from tracebacks, not from ``__context__``)."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        error = error.__cause__ or error.__context__


def disk_full_text(text: str) -> bool:
    """Whether an error's text says a disk is full (or a file hit its size limit)."""
    return any(known in text for known in _DISK_FULL_TEXTS)


def exhaustion_cause(error: BaseException) -> tuple[str, BaseException] | None:
    """('memory' or 'disk', the error that says so) when ``error``, or what it was raised
    from, is the machine running out of memory or disk space rather than a fault of the
    data; else None."""
    chain = list(_error_chain(error))
    for e in chain:
        if isinstance(e, (duckdb.OutOfMemoryException, MemoryError)):
            return "memory", e
    for e in chain:
        if isinstance(e, OSError) and e.errno in _DISK_FULL_ERRNOS:
            return "disk", e
        # EFBIG: a write past the process's file-size limit (RLIMIT_FSIZE). The pipeline's own
        # EFBIG for a landed file above P3DN_MAX_FILE_MB is a fault of the file, not the disk.
        if (isinstance(e, OSError) and e.errno == errno.EFBIG
                and "P3DN_MAX_FILE_MB" not in str(e)):
            return "disk", e
        if isinstance(e, duckdb.Error) and disk_full_text(str(e)):
            return "disk", e
    return None


def resource_exhaustion(error: BaseException) -> str | None:
    """'memory', 'disk' or None, as ``exhaustion_cause``. Such a failure says nothing about
    the file being loaded: it must fail the step, never be recorded as a rejected file (the
    same bytes would then never be loaded again)."""
    cause = exhaustion_cause(error)
    return cause[0] if cause else None


def prepare_session(con: duckdb.DuckDBPyConnection, pii_key: bytes, *,
                    memory_limit: str | None = None,
                    temp_directory: str | Path | None = None) -> None:
    """Install what every pipeline connection needs: resource limits, schemas, macros, the
    hashing key."""
    apply_resource_limits(con, memory_limit=memory_limit, temp_directory=temp_directory)
    # DuckDB draws a progress bar on the terminal for a query over 2 s run outside the main
    # thread; the run log says what a step did.
    con.execute("SET enable_progress_bar = false").fetchall()
    for schema in LAYER_SCHEMAS:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}").fetchall()
    inner_pad, outer_pad = _hmac_pads(pii_key)
    # Session variables, not table rows: they die with the connection. The macros read them
    # when they run, not when they are created.
    con.execute("SET VARIABLE p3dn_hmac_ipad = unhex($p)", {"p": inner_pad.hex()}).fetchall()
    con.execute("SET VARIABLE p3dn_hmac_opad = unhex($p)", {"p": outer_pad.hex()}).fetchall()
    before, after = fiscal_year_date_margins()
    con.execute("SET VARIABLE p3dn_bulan_sebelum_tahun_anggaran = $m", {"m": before}).fetchall()
    con.execute("SET VARIABLE p3dn_bulan_sesudah_tahun_anggaran = $m", {"m": after}).fetchall()
    for file_name in _SESSION_SQL_FILES:
        run_sql_file(con, _LIB_SQL / file_name)


def session_cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Another connection to ``con``'s database with ``con``'s session: its variables (the
    hashing key's pads among them, copied without the key entering SQL text) and the
    session's macros. For work in another thread, which must not share ``con``: DuckDB's
    temporary macros and variables belong to one connection. The caller closes it."""
    cursor = con.cursor()
    try:
        for name, type_name in con.execute(
                "SELECT name, type FROM duckdb_variables() ORDER BY name").fetchall():
            value = con.execute("SELECT getvariable($n)", {"n": name}).fetchall()[0][0]
            quoted = '"' + name.replace('"', '""') + '"'
            cursor.execute(f"SET VARIABLE {quoted} = CAST($v AS {type_name})",
                           {"v": value}).fetchall()
        for file_name in _SESSION_SQL_FILES:
            run_sql_file(cursor, _LIB_SQL / file_name)
    except BaseException:
        cursor.close()
        raise
    return cursor


DATE_MARGIN_VARIABLES = ("P3DN_DATE_MONTHS_BEFORE_FISCAL_YEAR",
                         "P3DN_DATE_MONTHS_AFTER_FISCAL_YEAR")


def fiscal_year_date_margins() -> tuple[int, int]:
    """Months before 1 January and after 31 December of its fiscal year that a transaction
    date may lie (default 3 and 3: 1 October before to 31 March after); a date outside is
    quarantined (p3dn_masalah_tanggal_tahun)."""
    margins = []
    for name in DATE_MARGIN_VARIABLES:
        text = os.environ.get(name, "3").strip()
        if not text.isdigit() or int(text) > 24:
            raise ValueError(f"{name}={text!r}: a number of months from 0 to 24")
        margins.append(int(text))
    return margins[0], margins[1]


@contextmanager
def open_warehouse(database: str | Path, pii_key: bytes,
                   config: Mapping[str, Any] | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write pipeline connection outside Dagster (CLI, tests, benchmarks)."""
    Path(database).parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(database), config=dict(config or {}))
    try:
        prepare_session(con, pii_key)
        yield con
    finally:
        con.close()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All or nothing: a failed step leaves the warehouse as it was."""
    con.execute("BEGIN TRANSACTION").fetchall()
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK").fetchall()
        raise
    con.execute("COMMIT").fetchall()


def fetch_dicts(con: duckdb.DuckDBPyConnection, sql: str,
                params: Mapping[str, Any] | list[Any] | None = None) -> list[dict[str, Any]]:
    result = con.execute(sql, params) if params is not None else con.execute(sql)
    names = [d[0] for d in result.description]
    return [dict(zip(names, row)) for row in result.fetchall()]


@dataclass
class _Catalog:
    con: duckdb.DuckDBPyConnection
    columns: dict[str, list[str]]  # "schema.table" -> its column names, in order


_FROZEN_CATALOG: ContextVar[_Catalog | None] = ContextVar("p3dn_frozen_catalog", default=None)


@contextmanager
def frozen_catalog(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Within this block, :func:`table_exists` and :func:`column_names` on ``con`` answer
    from one listing of the catalog instead of a query each. Only for a read-only connection
    that nothing writes through meanwhile (the run plan's: DuckDB's file lock keeps every
    writer out while it is open), where no table can appear or change: the plan asks about
    200 times, at about 1 ms a query."""
    columns: dict[str, list[str]] = {}
    for schema, table, column in con.execute(
            "SELECT schema_name, table_name, column_name FROM duckdb_columns() "
            "WHERE NOT internal ORDER BY schema_name, table_name, column_index").fetchall():
        columns.setdefault(f"{schema}.{table}", []).append(column)
    token = _FROZEN_CATALOG.set(_Catalog(con, columns))
    try:
        yield
    finally:
        _FROZEN_CATALOG.reset(token)


def _frozen(con: duckdb.DuckDBPyConnection) -> _Catalog | None:
    catalog = _FROZEN_CATALOG.get()
    return catalog if catalog is not None and catalog.con is con else None


def table_exists(con: duckdb.DuckDBPyConnection, qualified_name: str) -> bool:
    catalog = _frozen(con)
    if catalog is not None:
        return qualified_name in catalog.columns
    # duckdb_tables() rather than information_schema.tables (a view over it and more): half
    # the time, and a run asks a few hundred times. The warehouse has no views.
    schema, table = qualified_name.split(".")
    return bool(con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = $s AND table_name = $t",
        {"s": schema, "t": table},
    ).fetchall()[0][0])


def column_names(con: duckdb.DuckDBPyConnection, qualified_name: str) -> list[str]:
    """The table's column names in order (none when there is no such table)."""
    catalog = _frozen(con)
    if catalog is not None:
        return list(catalog.columns.get(qualified_name, []))
    schema, table = qualified_name.split(".")
    return [name for (name,) in con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE schema_name = $s AND table_name = $t "
        "ORDER BY column_index", {"s": schema, "t": table}).fetchall()]
