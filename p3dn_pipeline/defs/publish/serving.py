"""The serving file BI tools read: a new DuckDB file for every publish, swapped in atomically.

Why a new file rather than writing the marts into the file BI tools have open:

- DuckDB lets one process write a file, or any number read it, never both. A BI tool that
  keeps the serving file open (Metabase, Superset and DBeaver all pool connections) would
  make every in-place write fail on the file lock, and so block the pipeline.
- So each publish builds a complete file under a temporary name in the same folder, checks
  it (every table, row and comment), closes it cleanly (CHECKPOINT, no WAL left), fsyncs it
  and renames it over the old one with ``os.replace``, which is atomic on POSIX. A reader
  that opened the old file keeps reading the old inode, a consistent old snapshot, until it
  reconnects; a new connection sees the whole new file. Nobody ever sees half a publish.
- The pipeline never opens the serving file read-write, only the temporary file it has just
  created. A DuckDB file must never be renamed over while a process holds it read-write:
  that process keeps a write-ahead log named after the path (``marts.duckdb.wal``), and a
  later opener replays it onto the new file, losing or corrupting writes. So before the
  swap the current file's lock is probed, and a read-write holder stops the publish with
  its process id; a WAL left without a holder (a crashed read-write session) belongs to the
  file being replaced and is removed before the swap.

In the serving file the marts are in its ``main`` schema. DuckDB names a file's catalog
after the file, so with the default name ``marts.duckdb`` a BI tool reads
``marts.p3dn_provinsi`` (catalog ``marts``) or simply ``p3dn_provinsi``, the same names as in
the warehouse. A ``marts`` schema inside ``marts.duckdb`` would make ``marts.p3dn_provinsi``
ambiguous, an error in every client.

Linux only, the deployment target: the lock probe uses Linux's ``struct flock`` layout, and
on Windows a file that is open cannot be replaced at all.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import struct
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from p3dn_pipeline.lib.files import fsync_path
from p3dn_pipeline.lib.warehouse import (
    apply_resource_limits,
    fetch_dicts,
    memory_limit_bytes,
    transaction,
)
from p3dn_pipeline.settings import load_settings

WAREHOUSE_SCHEMA = "marts"
SERVING_SCHEMA = "main"
_BUILD_ALIAS = "p3dn_serving_build"
_CHECK_ALIAS = "p3dn_serving_check"
# Readers attach the serving file under the name BI tools see for marts.duckdb.
READ_ALIAS = "marts"
# DuckDB's log files beside a database: the WAL, and the checkpoint / recovery logs of 1.5+.
_LOG_SUFFIXES = (".wal", ".wal.checkpoint", ".wal.recovery")
# A temporary file older than this is left over from a publish that crashed: one publish
# takes seconds, and dagster.yaml lets one run in at a time.
_ABANDONED_AFTER = dt.timedelta(hours=1)


class ServingFileError(RuntimeError):
    """The serving file cannot be replaced safely; the message says why and what to do."""


@dataclass(frozen=True)
class PublishedTable:
    name: str
    rows: int
    columns: int


def quote_literal(text: str) -> str:
    """COMMENT ON takes a string literal only, not a bound parameter."""
    return "'" + text.replace("'", "''") + "'"


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def log_files(database: Path) -> list[Path]:
    return [database.with_name(database.name + suffix) for suffix in _LOG_SUFFIXES]


def remove_database(database: Path) -> None:
    for path in (database, *log_files(database)):
        path.unlink(missing_ok=True)


def temporary_path(serving_path: Path, publish_id: str) -> Path:
    """In the same folder, so the rename never crosses file systems."""
    return serving_path.with_name(f".{serving_path.name}.publishing-{publish_id}")


def mart_tables(con: duckdb.DuckDBPyConnection, database: str, schema: str) -> list[str]:
    return [row["table_name"] for row in fetch_dicts(
        con, "SELECT table_name FROM duckdb_tables() "
             "WHERE database_name = $db AND schema_name = $s ORDER BY table_name",
        {"db": database, "s": schema})]


def _catalog(con: duckdb.DuckDBPyConnection, database: str, schema: str) -> dict[str, dict]:
    """Per table: its comment and its columns (name, type, comment), in order."""
    tables = {row["table_name"]: {"comment": row["comment"], "columns": []} for row in fetch_dicts(
        con, "SELECT table_name, comment FROM duckdb_tables() "
             "WHERE database_name = $db AND schema_name = $s", {"db": database, "s": schema})}
    for row in fetch_dicts(
            con, "SELECT table_name, column_name, data_type, comment FROM duckdb_columns() "
                 "WHERE database_name = $db AND schema_name = $s "
                 "ORDER BY table_name, column_index", {"db": database, "s": schema}):
        tables[row["table_name"]]["columns"].append(
            (row["column_name"], row["data_type"], row["comment"]))
    return tables


def _fingerprint(con: duckdb.DuckDBPyConnection, qualified: str) -> tuple[int, int]:
    """Row count and an order-independent sum of row hashes: equal contents, equal result."""
    return tuple(con.execute(
        f"SELECT count(*), coalesce(sum(hash(t)::HUGEINT), 0) FROM {qualified} AS t"
    ).fetchall()[0])


def _warehouse_name(con: duckdb.DuckDBPyConnection) -> str:
    return con.execute("SELECT current_database()").fetchall()[0][0]


def _copy_marts(con: duckdb.DuckDBPyConnection, temp: Path, storage_version: str) -> None:
    warehouse = _warehouse_name(con)
    con.execute(f"ATTACH $path AS {_BUILD_ALIAS} (STORAGE_VERSION $version)",
                {"path": str(temp), "version": storage_version}).fetchall()
    try:
        with transaction(con):
            for name, table in sorted(_catalog(con, warehouse, WAREHOUSE_SCHEMA).items()):
                target = f"{_BUILD_ALIAS}.{SERVING_SCHEMA}.{quote_identifier(name)}"
                con.execute(f"CREATE TABLE {target} AS SELECT * FROM "
                            f"{WAREHOUSE_SCHEMA}.{quote_identifier(name)}").fetchall()
                # CREATE TABLE AS copies data and types, not comments: they are what BI
                # tools show as table and column descriptions, so copy them one by one.
                if table["comment"] is not None:
                    con.execute(f"COMMENT ON TABLE {target} IS "
                                f"{quote_literal(table['comment'])}").fetchall()
                for column, _type, comment in table["columns"]:
                    if comment is not None:
                        con.execute(f"COMMENT ON COLUMN {target}.{quote_identifier(column)} IS "
                                    f"{quote_literal(comment)}").fetchall()
        # Everything into the database file itself, so closing leaves no WAL to replay.
        con.execute(f"CHECKPOINT {_BUILD_ALIAS}").fetchall()
    finally:
        con.execute(f"DETACH {_BUILD_ALIAS}").fetchall()


def _verify(con: duckdb.DuckDBPyConnection, temp: Path) -> list[PublishedTable]:
    """Re-open the closed file read-only and compare it with the warehouse marts: tables,
    column names and types, table and column comments, row counts and contents."""
    problems = []
    leftovers = [path.name for path in log_files(temp) if path.exists()]
    if leftovers:
        problems.append(f"closing it left {', '.join(leftovers)} behind")
    warehouse = _warehouse_name(con)
    con.execute(f"ATTACH $path AS {_CHECK_ALIAS} (READ_ONLY)", {"path": str(temp)}).fetchall()
    try:
        expected = _catalog(con, warehouse, WAREHOUSE_SCHEMA)
        actual = _catalog(con, _CHECK_ALIAS, SERVING_SCHEMA)
        if sorted(expected) != sorted(actual):
            problems.append(f"tables {sorted(actual)} instead of {sorted(expected)}")
        published = []
        for name in sorted(expected.keys() & actual.keys()):
            if expected[name] != actual[name]:
                problems.append(f"{name}: columns, types or comments differ")
            source = _fingerprint(con, f"{WAREHOUSE_SCHEMA}.{quote_identifier(name)}")
            copy = _fingerprint(
                con, f"{_CHECK_ALIAS}.{SERVING_SCHEMA}.{quote_identifier(name)}")
            if source != copy:
                problems.append(f"{name}: {copy[0]} rows or their contents differ from "
                                f"marts.{name} in the warehouse ({source[0]} rows)")
            published.append(PublishedTable(name, copy[0], len(actual[name]["columns"])))
    finally:
        con.execute(f"DETACH {_CHECK_ALIAS}").fetchall()
    if problems:
        raise ServingFileError(
            f"The new serving file {temp} does not match the warehouse: {'; '.join(problems)}. "
            "It was not published; the previous serving file is unchanged.")
    return published


def write_lock_holder(path: Path) -> int | None:
    """The id of a process holding ``path`` open read-write in DuckDB, else None.

    DuckDB takes an fcntl lock on the whole file: shared for read-only, exclusive for
    read-write. F_GETLK asks who would stop an exclusive lock without taking one. Locks of
    this process never conflict with itself, and the pipeline process never opens the
    serving file, so they are not missed.
    """
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        # struct flock on Linux: l_type, l_whence, l_start, l_len, l_pid.
        answer = fcntl.fcntl(fd, fcntl.F_GETLK,
                             struct.pack("hhqqi", fcntl.F_WRLCK, os.SEEK_SET, 0, 0, 0))
    finally:
        os.close(fd)
    lock_type, _whence, _start, _length, pid = struct.unpack("hhqqi", answer)
    return pid if lock_type == fcntl.F_WRLCK else None


def _process_name(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return "unknown program"


def replace_serving_file(temp: Path, serving_path: Path) -> list[str]:
    """Rename the finished file over the serving file; returns the stale logs removed."""
    holder = write_lock_holder(serving_path)
    if holder is not None:
        raise ServingFileError(
            f"{serving_path} is open read-write in process {holder} ({_process_name(holder)}). "
            "Replacing it now would let that process's write-ahead log be replayed onto the "
            "new file. BI tools must open the serving file read-only (see README, 'Serving "
            "and BI tools'): close that connection or reopen it read-only, then publish again.")
    stale = [path for path in log_files(serving_path) if path.exists()]
    for path in stale:
        path.unlink()
    os.replace(temp, serving_path)
    fsync_path(serving_path.parent)
    return [path.name for path in stale]


def remove_abandoned(serving_path: Path, now: dt.datetime) -> list[str]:
    """Temporary files of publishes that crashed before their rename."""
    removed = []
    for path in serving_path.parent.glob(f".{serving_path.name}.publishing-*"):
        if path.suffix in {".wal", ".checkpoint", ".recovery"}:
            continue
        modified = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).replace(tzinfo=None)
        if now - modified > _ABANDONED_AFTER:
            remove_database(path)
            removed.append(path.name)
    return removed


def new_publish_id() -> str:
    return uuid.uuid4().hex


def build_serving_file(
        con: duckdb.DuckDBPyConnection, serving_path: Path, *, publish_id: str,
        storage_version: str) -> tuple[list[PublishedTable], list[str]]:
    """Copy every ``marts`` table of the warehouse connection ``con`` (with its comments)
    into the ``main`` schema of a new serving file and swap it in. Returns the tables
    published and any stale log removed. On failure the previous serving file is left
    exactly as it was."""
    serving_path.parent.mkdir(parents=True, exist_ok=True)
    temp = temporary_path(serving_path, publish_id)
    remove_database(temp)
    try:
        _copy_marts(con, temp, storage_version)
        published = _verify(con, temp)
        fsync_path(temp)
        stale = replace_serving_file(temp, serving_path)
    except BaseException:
        remove_database(temp)
        raise
    return published, stale


# The reader copies marts out (Parquet) or sums them (dashboard, run summary): streaming work
# that fits its limit. A 22-million-row mart copied to Parquet peaked at 1,260 MB under 3GB
# and at 796 MB under 1GB, 17 % slower (benchmarks/RESULTS.md 2026-12-07 11:40).
SERVING_READER_SHARE_OF_MEMORY_LIMIT = 1 / 3


@contextmanager
def read_serving(serving_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """The published file, read-only, under the catalog name ``marts``: its tables read as
    ``marts.p3dn_provinsi`` (or ``p3dn_provinsi``), as in the warehouse.

    Attached into a fresh in-memory database rather than ``duckdb.connect(path)``: the Python
    client caches one database instance per path and process, so a second connect while an
    older connection is open would hand back the file as it was before the last swap.

    That database is an instance of its own, beside the warehouse's in the same process, so
    it gets a share of the pipeline's memory limit (P3DN_DUCKDB_MEMORY_LIMIT, or DuckDB's
    default when unset): SERVING_READER_SHARE_OF_MEMORY_LIMIT. Without a limit DuckDB may
    use 80 % of the machine's memory: at scale 100 exporting the marts to Parquet held 4.7
    GB; with the whole 3GB limit the export step still peaked at 4,251 MB, the run's peak
    (benchmarks/RESULTS.md 2026-12-07 11:04).
    """
    if not serving_path.exists():
        raise ServingFileError(
            f"No serving file at {serving_path}: materialize publish/serving_file first.")
    con = duckdb.connect()
    try:
        # The limit only: the warehouse's instance, open in the same process, owns
        # P3DN_DUCKDB_TEMP_DIR. Reading the file and copying it out did not spill at scale
        # 100 under 3GB; if it ever must, DuckDB's default for an in-memory database applies
        # (.tmp in the working directory).
        apply_resource_limits(con, memory_limit=load_settings().duckdb_memory_limit)
        share = int(memory_limit_bytes(con) * SERVING_READER_SHARE_OF_MEMORY_LIMIT)
        con.execute("SET memory_limit = $limit", {"limit": f"{share} bytes"}).fetchall()
        con.execute(f"ATTACH $path AS {READ_ALIAS} (READ_ONLY)",
                    {"path": str(serving_path)}).fetchall()
        con.execute(f"USE {READ_ALIAS}").fetchall()
        yield con
    finally:
        con.close()
