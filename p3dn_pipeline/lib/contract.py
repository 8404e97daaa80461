"""The staging contract: what ``defs/<source>/sql/staging_<dataset>.sql`` must produce, checked
when definitions load (``dg check defs``, the webserver, ``p3dn run``), not at 06:00.

A staging SQL file builds one temporary table, ``typed_<dataset>``, from ``raw.<dataset>``:

1. one typed column per field the staging table publishes, including every column of the
   business key, the fiscal-year column (when the dataset has one), the recency columns and
   every column the dataset's quality rules read;
2. the lineage columns ``_source_file, _source_sheet, _source_row, _file_sha256,
   _loaded_at``, copied from the raw row, so every staged and quarantined row names its file
   and row;
3. ``problems``: a list of ``{'column_name', 'rule', 'offending_value'}`` structs, empty when
   the row is good. A row with any problem goes to ``quarantine.<dataset>`` (one row per
   problem), never to staging. Personal identifiers appear only as their ``_hash`` and
   ``_shape`` columns.

The shared split (``lib/sql/split_staging*.sql``) then writes ``staging.<dataset>`` (every
column but ``problems``) and ``quarantine.<dataset>``, and ranks duplicated keys.

The check runs the SQL file against an empty raw table of the dataset's declared columns in
an in-memory DuckDB with the pipeline's macros, and reads the columns of the table it made;
a file that reads other tables as well (a reference list) is checked by its text only. A
broken file raises :class:`StagingContractError` naming the file and what is missing.

Running twenty files through DuckDB costs 1 to 3 seconds, on every start of every process
that loads the definitions. The columns a file makes depend only on its text, the dataset's
raw columns, the session macros and DuckDB's version, so they are kept in a cache keyed by
the sha256 of all of these (``P3DN_CACHE_DIR``, default ``$XDG_CACHE_HOME/p3dn_pipeline`` or
``~/.cache/p3dn_pipeline``), as Python keeps its bytecode: a changed file, macro or DuckDB
misses the cache and is run again; the checks on the columns run every time; a failure is
never cached; a cache that cannot be read or written is only not used.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import threading
from pathlib import Path

import duckdb

from p3dn_pipeline.lib.readers import RAW_LINEAGE_DDL, READ_PROBLEM_TYPE, ensure_raw_table
from p3dn_pipeline.lib.sources import LINEAGE_COLUMNS, Source, Staged, tables_read
from p3dn_pipeline.lib.warehouse import execute_all, prepare_session

PROBLEM_FIELDS = ("column_name", "rule", "offending_value")
_CHECK_KEY = b"staging-contract-check: no data is hashed with this key"
_LOCK = threading.Lock()


class StagingContractError(Exception):
    """A staging SQL file does not produce what the staging contract asks for."""


@functools.cache
def _scratch() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    prepare_session(con, _CHECK_KEY)
    return con


def typed_table_statement(name: str) -> re.Pattern:
    """The statement head a staging SQL file builds its table with."""
    return re.compile(rf"\bCREATE\s+(OR\s+REPLACE\s+)?TEMP(ORARY)?\s+TABLE\s+typed_{name}\b",
                      re.IGNORECASE)


def required_columns(staged: Staged) -> list[str]:
    """Columns typed_<dataset> must have besides lineage and problems."""
    wanted = list(staged.key)
    if staged.year_column:
        wanted.append(staged.year_column)
    wanted += _identifiers(staged.recency)
    for rule in staged.rules:
        wanted += list(getattr(rule.expectation, "columns", ()))
    return list(dict.fromkeys(c for c in wanted if c))


def _identifiers(order_by: str) -> list[str]:
    keywords = {"asc", "desc", "nulls", "first", "last"}
    return [w for w in re.findall(r"[a-z_][a-z0-9_]*", order_by.lower()) if w not in keywords]


def check_staging_sql(source: Source, staged: Staged) -> None:
    sql_file = source.staging_sql(staged)
    where = f"defs/{source.name}/sql/{sql_file.name}"
    name = staged.name
    if not sql_file.is_file():
        raise StagingContractError(
            f"{where} is missing: defs/{source.name}/source.py declares dataset {name!r}, whose "
            "staging SQL must build typed_" + name + " (see README, 'The staging contract')")
    sql = sql_file.read_text(encoding="utf-8")
    problems = []
    if not typed_table_statement(name).search(sql):
        problems.append(f"it must build the temporary table typed_{name} "
                        f"(CREATE OR REPLACE TEMP TABLE typed_{name} AS ...)")
    inputs = tables_read(sql)
    if ("raw", name) not in inputs:
        problems.append(f"it must read raw.{name}")
    if problems:
        raise StagingContractError(f"{where} breaks the staging contract: "
                                   + "; ".join(problems) + ".")
    others = [f"{s}.{t}" for s, t in inputs if (s, t) != ("raw", name)]
    columns = _typed_columns(staged, sql, where) if not others else None
    _check_columns(staged, where, columns, sql)


def cache_dir() -> Path:
    """Where derived, code-only results are cached (``P3DN_CACHE_DIR``)."""
    configured = os.environ.get("P3DN_CACHE_DIR", "").strip()
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME", "").strip() or Path.home() / ".cache"
    return Path(base) / "p3dn_pipeline"


@functools.cache
def _session_fingerprint() -> str:
    """What, besides a file and its dataset, decides the columns it makes: DuckDB's version,
    the session macros and the code that installs them."""
    digest = hashlib.sha256(duckdb.__version__.encode())
    lib = Path(__file__).parent
    for path in [lib / "warehouse.py", lib / "readers.py", *sorted((lib / "sql").glob("*.sql"))]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _cache_file(staged: Staged, sql: str) -> Path:
    digest = hashlib.sha256(_session_fingerprint().encode())
    for part in (staged.name, sql, repr(staged.dataset.raw_columns()), RAW_LINEAGE_DDL,
                 READ_PROBLEM_TYPE):
        digest.update(part.encode() + b"\0")
    return cache_dir() / "staging-contract" / f"{staged.name}-{digest.hexdigest()[:32]}.json"


def _typed_columns(staged: Staged, sql: str, where: str) -> dict[str, str]:
    """The columns (name -> type) the file makes on an empty raw table: from the cache when
    this very file was run before on the same macros and DuckDB, else by running it."""
    cached = _cache_file(staged, sql)
    try:
        return json.loads(cached.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    columns = _run_on_empty_raw(staged, sql, where)
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_name(f"{cached.name}.{os.getpid()}.tmp")
        partial.write_text(json.dumps(columns), encoding="utf-8")
        partial.replace(cached)  # atomic: a reader never sees half a file
    except OSError:
        pass
    return columns


def _run_on_empty_raw(staged: Staged, sql: str, where: str) -> dict[str, str]:
    """Run the file on an empty raw table; the columns (name -> type) it made."""
    name = staged.name
    with _LOCK:
        con = _scratch()
        con.execute(f"DROP TABLE IF EXISTS raw.{name}").fetchall()
        ensure_raw_table(con, staged.dataset)
        try:
            execute_all(con, sql, {"kd_klpd": "CONTRACT"})
            described = con.execute(f"DESCRIBE typed_{name}").fetchall()
        except duckdb.Error as error:
            first_line = str(error).strip().splitlines()[0]
            raise StagingContractError(
                f"{where} breaks the staging contract: it fails on an empty raw.{name} with "
                f"the dataset's declared columns ({first_line}).") from None
        finally:
            con.execute(f"DROP TABLE IF EXISTS typed_{name}").fetchall()
            con.execute(f"DROP TABLE IF EXISTS raw.{name}").fetchall()
    return {row[0]: row[1] for row in described}


def _check_columns(staged: Staged, where: str, columns: dict[str, str] | None,
                   sql: str) -> None:
    wanted = [*LINEAGE_COLUMNS, "problems", *required_columns(staged)]
    if columns is None:
        # Checked by text: each column must at least be named in the file.
        missing = [c for c in wanted if not re.search(rf"\b{re.escape(c)}\b", sql)]
    else:
        missing = [c for c in wanted if c not in columns]
    if missing:
        raise StagingContractError(
            f"{where} breaks the staging contract: typed_{staged.name} lacks the column(s) "
            f"{', '.join(missing)} (lineage columns, problems, the key "
            f"{' + '.join(staged.key)}, the year column and the columns its rules read must "
            "all be there; see README, 'The staging contract').")
    if columns is not None:
        kind = columns["problems"].replace(" ", "").replace("\"", "").upper()
        if not (kind.startswith("STRUCT(") and kind.endswith("[]")
                and all(f"{f.upper()}VARCHAR" in kind for f in PROBLEM_FIELDS)):
            raise StagingContractError(
                f"{where} breaks the staging contract: problems is {columns['problems']}, "
                "not a list of {'column_name': VARCHAR, 'rule': VARCHAR, "
                "'offending_value': VARCHAR} structs.")
