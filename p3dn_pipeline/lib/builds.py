"""The build ledger: one table, one build id per build, one rule for skipping a build.

The daily schedule materializes everything, but most days only one or two exports change.
Every asset that writes a table (or a published file) records in ``quality.builds``, per
fiscal-year slice, the build that made it: a ``build_id`` and the ``fingerprint`` of
everything the result depends on:

- its code: :func:`code_version`, a digest of every file under ``p3dn_pipeline/lib/`` (the
  macros, the split templates, the build and quality code) plus the asset's own files (its SQL
  file, the Python modules of its folder, reference files it reads), found from the folder
  structure rather than listed by hand. The same digest is the asset's Dagster
  ``code_version``, so the UI's "code version changed" badges agree with what is rebuilt;
- its parameters (settings that shape the result);
- its inputs: the ``build_id`` of every upstream asset's latest build. Raw tables get a new
  build id only when the set of loaded file versions changes (:func:`record_content`).

When every slice a run asks for was last built from the same fingerprint and the output is
still there, the asset writes nothing and reports ``rebuilt: false`` (see
``p3dn_pipeline.lib.factories.incremental_asset``, the one wrapper every such asset goes
through). Its build id stays the same, and it is reported to Dagster as the asset's
``DataVersion``, so everything downstream skips too. One changed export thus rebuilds only its
own chain; an unchanged run rewrites nothing.

A build is recorded in two steps: :func:`begin_build` in the transaction that writes the
table (fingerprint still NULL: built, not yet checked), :func:`finish_build` once its checks
are recorded. A crash in between leaves the build unfinished: the quality gate says "rebuilt
but not checked" and the next run builds it again.

A full rebuild is one run tag away: ``p3dn/full_refresh=true`` (Dagster UI: "Materialize"
with that tag), ``p3dn run --full-refresh``, or ``P3DN_FULL_REFRESH=1``.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from p3dn_pipeline.lib.warehouse import fetch_dicts, table_exists

if TYPE_CHECKING:
    from dagster import AssetExecutionContext, AssetKey

BUILDS_TABLE = "quality.builds"
FULL_REFRESH_TAG = "p3dn/full_refresh"
FULL_REFRESH_ENV = "P3DN_FULL_REFRESH"
# Everything under lib/ is build code every table goes through.
LIB_FOLDER = Path(__file__).resolve().parent
# Tables of earlier versions that kept two build ids per table; dropped on first use.
_OLD_TABLES = ("quality.build_fingerprints", "quality.table_builds")

DDL = f"""
CREATE TABLE IF NOT EXISTS {BUILDS_TABLE} (
    asset_key VARCHAR NOT NULL,
    partisi INTEGER,
    fingerprint VARCHAR,
    build_id VARCHAR NOT NULL,
    built_at TIMESTAMP NOT NULL
)
"""


def utc_now() -> dt.datetime:
    """Naive UTC to the second, as every time people read in the warehouse."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def _build_time() -> dt.datetime:
    """Naive UTC to the microsecond: orders two builds of one asset in the same second."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def ensure_table(con: duckdb.DuckDBPyConnection) -> None:
    # Every step asks, several times: a lookup when the table is there (a DDL statement costs
    # six times as much, even when it does nothing).
    if table_exists(con, BUILDS_TABLE):
        return
    con.execute(DDL).fetchall()
    for old in _OLD_TABLES:
        if table_exists(con, old):
            # Their builds cannot be matched to the new fingerprints: every table is
            # rebuilt once, which is what a change of build code means anyway.
            con.execute(f"DROP TABLE {old}").fetchall()


def _files(path: Path) -> list[Path]:
    path = Path(path)
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                      and p.suffix != ".pyc")
    return [path]


def code_digest(*paths: Path) -> str:
    """Digest of code files (folders: every file in them), by name and content."""
    digest = hashlib.sha256()
    for path in paths:
        for file in _files(path):
            digest.update(file.name.encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()


@functools.cache
def shared_code_digest() -> str:
    """Everything under lib/: the SQL macros and split templates, the readers, the build,
    quality and gate code."""
    return code_digest(LIB_FOLDER)


def folder_modules(folder: Path) -> list[Path]:
    """The Python modules of a folder (not its subfolders): the code an asset of that folder
    runs besides its own SQL file."""
    return sorted(Path(folder).glob("*.py"))


def code_version(*own: Path) -> str:
    """The asset's code version: shared build code plus its own files (SQL, modules, reference
    files). Reported to Dagster as ``code_version`` and part of every fingerprint."""
    return hashlib.sha256((shared_code_digest() + code_digest(*own)).encode()).hexdigest()[:16]


def fingerprint(code: str, *parts) -> str:
    """One hash of the code version and ``parts`` (JSON-able; other values by their repr)."""
    text = json.dumps([code, *parts], sort_keys=True, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()


def upstream_builds(con: duckdb.DuckDBPyConnection, keys: Iterable[AssetKey]) -> list[list]:
    """The latest build id of every slice of the given upstream assets (a stable order)."""
    ensure_table(con)
    wanted = sorted({key.to_user_string() for key in keys})
    if not wanted:
        return []
    return [[r["asset_key"], r["partisi"], r["build_id"]] for r in fetch_dicts(
        con, f"SELECT asset_key, partisi, build_id FROM {BUILDS_TABLE} "
             "WHERE list_contains($keys, asset_key) ORDER BY asset_key, partisi NULLS FIRST",
        {"keys": wanted})]


def dependency_keys(context: AssetExecutionContext) -> list[AssetKey]:
    from dagster import AssetKey

    return sorted(context.assets_def.dependency_keys, key=AssetKey.to_user_string)


def full_refresh_tagged(tags: dict[str, str]) -> bool:
    return tags.get(FULL_REFRESH_TAG, "").strip().lower() in ("1", "true", "yes")


def full_refresh_requested(context: AssetExecutionContext | None) -> bool:
    if os.environ.get(FULL_REFRESH_ENV, "").strip().lower() in ("1", "true", "yes"):
        return True
    return context is not None and full_refresh_tagged(context.run.tags)


def is_unchanged(con: duckdb.DuckDBPyConnection, context: AssetExecutionContext | None,
                 key: AssetKey, print_: str, partitions: Sequence[int] | None) -> bool:
    """True when every requested slice (or the whole table, ``partitions=None``) was last
    built, and finished, from exactly this fingerprint, and no full refresh was asked for."""
    if full_refresh_requested(context):
        return False
    ensure_table(con)
    rows = fetch_dicts(
        con, f"SELECT partisi, fingerprint FROM {BUILDS_TABLE} WHERE asset_key = $k",
        {"k": key.to_user_string()})
    recorded = {r["partisi"]: r["fingerprint"] for r in rows}
    wanted = [None] if partitions is None else list(partitions)
    return bool(wanted) and all(recorded.get(slice_) == print_ for slice_ in wanted)


def begin_build(con: duckdb.DuckDBPyConnection, key: AssetKey,
                partitions: Sequence[int] | None, build_id: str | None = None) -> str:
    """Within the build's transaction: these slices now hold build ``build_id`` (a new id by
    default), not finished until :func:`finish_build`."""
    ensure_table(con)
    build_id = build_id or uuid.uuid4().hex
    slices = [None] if partitions is None else list(partitions)
    con.execute(
        f"DELETE FROM {BUILDS_TABLE} WHERE asset_key = $k "
        "AND (partisi IS NULL AND $whole OR list_contains($slices, partisi))",
        {"k": key.to_user_string(), "whole": partitions is None,
         # -1 keeps the list typed (INTEGER[]) when the table is not partitioned.
         "slices": [s for s in slices if s is not None] or [-1]}).fetchall()
    now = _build_time()
    con.executemany(f"INSERT INTO {BUILDS_TABLE} VALUES (?, ?, NULL, ?, ?)",
                    [(key.to_user_string(), s, build_id, now) for s in slices])
    return build_id


def finish_build(con: duckdb.DuckDBPyConnection, key: AssetKey, build_id: str,
                 print_: str) -> None:
    """The build is complete (and checked): its slices now match ``print_``."""
    con.execute(f"UPDATE {BUILDS_TABLE} SET fingerprint = $f WHERE asset_key = $k "
                "AND build_id = $b", {"f": print_, "k": key.to_user_string(),
                                      "b": build_id}).fetchall()


def record_build(con: duckdb.DuckDBPyConnection, key: AssetKey, print_: str,
                 partitions: Sequence[int] | None, build_id: str | None = None) -> str:
    """Begin and finish a build at once, for outputs nothing checks."""
    build_id = begin_build(con, key, partitions, build_id)
    finish_build(con, key, build_id, print_)
    return build_id


def record_content(con: duckdb.DuckDBPyConnection, key: AssetKey, state: str) -> bool:
    """For tables kept incrementally (the ledger, raw tables): a new build id only when
    ``state``, a description of their content, differs from the recorded one. Returns
    whether it did."""
    if is_unchanged(con, None, key, state, None):
        return False
    record_build(con, key, state, None)
    return True


def build_id_of(con: duckdb.DuckDBPyConnection, key: AssetKey) -> str | None:
    """The asset's build ids (one per build its slices hold), as one stable string: its
    Dagster DataVersion."""
    ensure_table(con)
    rows = con.execute(
        f"SELECT string_agg(DISTINCT build_id, ',' ORDER BY build_id) FROM {BUILDS_TABLE} "
        "WHERE asset_key = $k", {"k": key.to_user_string()}).fetchall()
    return rows[0][0]


def latest_builds_sql() -> str:
    """SQL of each asset's latest build (whichever slices it covered) and whether it was
    finished: what the quality gate judges."""
    return (f"SELECT asset_key, arg_max(build_id, built_at) AS build_id, "
            f"bool_and(fingerprint IS NOT NULL) FILTER (WHERE built_at = max_built) AS finished "
            f"FROM (SELECT *, max(built_at) OVER (PARTITION BY asset_key) AS max_built "
            f"FROM {BUILDS_TABLE}) GROUP BY asset_key")
