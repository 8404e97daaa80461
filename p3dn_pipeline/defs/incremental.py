"""Skip a build whose inputs have not changed since the table was last built.

The daily schedule materializes everything, but most days only one or two exports change.
Each asset that writes a table (or a published file) records, per fiscal-year slice, a
fingerprint of everything its result depends on:

- its own code: the SQL it runs, the shared macros and templates, its quality rules and
  parameters, and BUILD_LOGIC_VERSION for Python-side logic the SQL text does not show;
- its inputs: the ``build_id`` of every upstream asset's latest build (raw tables get a new
  build id only when the set of loaded file versions changes, see ``record_content``).

When the fingerprint of every slice a run asks for equals the recorded one and the table is
still there, the asset writes nothing: it re-reads its metadata (and, for staging tables,
re-emits the stored check results of the build they judged) and reports ``rebuilt: false``.
Its build ids stay the same, so everything downstream skips too. One changed export thus
rebuilds only its own chain; an unchanged run rewrites nothing.

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

import duckdb
from dagster import AssetExecutionContext, AssetKey

from p3dn_pipeline.lib.warehouse import fetch_dicts

FINGERPRINT_TABLE = "quality.build_fingerprints"
FULL_REFRESH_TAG = "p3dn/full_refresh"
FULL_REFRESH_ENV = "P3DN_FULL_REFRESH"
# Bump when code outside the files below changes what a build writes: every table is
# rebuilt once.
BUILD_LOGIC_VERSION = "2026-11-28.1"
_PACKAGE = Path(__file__).parent.parent
# Code every table build runs through: a change to any of it rebuilds everything once.
_SHARED_CODE = [
    *sorted((_PACKAGE / "lib" / "sql").glob("*.sql")),
    _PACKAGE / "lib" / "quality.py",
    _PACKAGE / "lib" / "warehouse.py",
    _PACKAGE / "defs" / "factories.py",
    _PACKAGE / "defs" / "quality_gate.py",
    Path(__file__),
]

DDL = f"""
CREATE TABLE IF NOT EXISTS {FINGERPRINT_TABLE} (
    asset_key VARCHAR NOT NULL,
    partisi INTEGER,
    fingerprint VARCHAR NOT NULL,
    build_id VARCHAR NOT NULL,
    built_at TIMESTAMP NOT NULL
)
"""


def utc_now() -> dt.datetime:
    """Naive UTC, as every time in the warehouse."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def ensure_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(DDL).fetchall()


@functools.cache
def _shared_code_digest() -> str:
    """Macros, split templates and build code, plus BUILD_LOGIC_VERSION."""
    text = BUILD_LOGIC_VERSION + "\0" + code_digest(*_SHARED_CODE)
    return hashlib.sha256(text.encode()).hexdigest()


def code_digest(*paths: Path) -> str:
    """Digest of code files (folders: every file in them)."""
    digest = hashlib.sha256()
    for path in paths:
        files = sorted(p for p in Path(path).rglob("*") if p.is_file()
                       and "__pycache__" not in p.parts) if Path(path).is_dir() else [Path(path)]
        for file in files:
            digest.update(file.name.encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()


def file_digest(path: Path) -> str:
    """Content hash of a small code or reference file (SQL, CSV shipped with the package)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def fingerprint(*parts) -> str:
    """One hash of the shared code and ``parts`` (JSON-able; other values by their repr)."""
    text = json.dumps([_shared_code_digest(), *parts], sort_keys=True, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()


def upstream_builds(con: duckdb.DuckDBPyConnection, keys: Iterable[AssetKey]) -> list[list]:
    """The latest build id of every slice of the given upstream assets (a stable order)."""
    ensure_table(con)
    wanted = sorted({key.to_user_string() for key in keys})
    if not wanted:
        return []
    return [[r["asset_key"], r["partisi"], r["build_id"]] for r in fetch_dicts(
        con, f"SELECT asset_key, partisi, build_id FROM {FINGERPRINT_TABLE} "
             "WHERE list_contains($keys, asset_key) ORDER BY asset_key, partisi NULLS FIRST",
        {"keys": wanted})]


def dependency_keys(context: AssetExecutionContext) -> list[AssetKey]:
    return sorted(context.assets_def.dependency_keys, key=AssetKey.to_user_string)


def full_refresh_requested(context: AssetExecutionContext | None) -> bool:
    if os.environ.get(FULL_REFRESH_ENV, "").strip().lower() in ("1", "true", "yes"):
        return True
    if context is None:
        return False
    return context.run.tags.get(FULL_REFRESH_TAG, "").strip().lower() in ("1", "true", "yes")


def is_unchanged(con: duckdb.DuckDBPyConnection, context: AssetExecutionContext | None,
                 key: AssetKey, print_: str, partitions: Sequence[int] | None) -> bool:
    """True when every requested slice (or the whole table, ``partitions=None``) was last
    built from exactly this fingerprint, and no full refresh was asked for."""
    if full_refresh_requested(context):
        return False
    ensure_table(con)
    rows = fetch_dicts(
        con, f"SELECT partisi, fingerprint FROM {FINGERPRINT_TABLE} WHERE asset_key = $k",
        {"k": key.to_user_string()})
    recorded = {r["partisi"]: r["fingerprint"] for r in rows}
    wanted = [None] if partitions is None else list(partitions)
    return bool(wanted) and all(recorded.get(slice_) == print_ for slice_ in wanted)


def record_build(con: duckdb.DuckDBPyConnection, key: AssetKey, print_: str,
                 partitions: Sequence[int] | None, now: dt.datetime,
                 build_id: str | None = None) -> str:
    """Within the build's transaction: these slices now hold a build of this fingerprint
    (``build_id``: the build's own id, e.g. a publish id; a new one by default)."""
    ensure_table(con)
    build_id = build_id or uuid.uuid4().hex
    slices = [None] if partitions is None else list(partitions)
    con.execute(
        f"DELETE FROM {FINGERPRINT_TABLE} WHERE asset_key = $k "
        "AND (partisi IS NULL AND $whole OR list_contains($slices, partisi))",
        {"k": key.to_user_string(), "whole": partitions is None,
         # -1 keeps the list typed (INTEGER[]) when the table is not partitioned.
         "slices": [s for s in slices if s is not None] or [-1]}).fetchall()
    con.executemany(f"INSERT INTO {FINGERPRINT_TABLE} VALUES (?, ?, ?, ?, ?)",
                    [(key.to_user_string(), s, print_, build_id, now) for s in slices])
    return build_id


def record_content(con: duckdb.DuckDBPyConnection, key: AssetKey, state: str,
                   now: dt.datetime) -> bool:
    """For tables kept incrementally (the ledger, raw tables): a new build id only when
    ``state``, a description of their content, differs from the recorded one. Returns
    whether it did."""
    if is_unchanged(con, None, key, state, None):
        return False
    record_build(con, key, state, None, now)
    return True


def build_id_of(con: duckdb.DuckDBPyConnection, key: AssetKey) -> str | None:
    ensure_table(con)
    rows = con.execute(
        f"SELECT string_agg(DISTINCT build_id, ',' ORDER BY build_id) FROM {FINGERPRINT_TABLE} "
        "WHERE asset_key = $k", {"k": key.to_user_string()}).fetchall()
    return rows[0][0]
