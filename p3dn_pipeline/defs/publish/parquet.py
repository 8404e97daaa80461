"""Every published mart as a Parquet file, for tools that read files rather than DuckDB
(Power BI, Excel Power Query, pandas, Spark).

Read from the serving file, so the Parquet files hold exactly the published snapshot. Each
file is written under a temporary name in the same folder and renamed over the old one, so
a reader never opens a half-written file.

A refresh that reads several files while a publish replaces them one by one could mix two
publishes. So every file carries, in its Parquet key-value metadata, the publish id of the
serving file it was read from (``p3dn_publish_id``: the serving file's build id, which
is also the ``snapshot_id`` its headline rows carry in p3dn_snapshot), and ``manifest.json``, written last, lists the files of the publish with
their rows and sha256. A reader that finds a file whose id differs from the manifest's (or
two ids among the files) read during a publish and should read again.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from p3dn_pipeline.defs.publish.serving import (
    READ_ALIAS,
    SERVING_SCHEMA,
    mart_tables,
    quote_identifier,
    quote_literal,
    read_serving,
)
from p3dn_pipeline.lib.files import fsync_path, sha256_file

MANIFEST_NAME = "manifest.json"
PUBLISH_ID_KEY = "p3dn_publish_id"


@dataclass(frozen=True)
class ExportedFile:
    table: str
    path: Path
    rows: int


def export_parquet(serving_path: Path, folder: Path, temp_id: str, *, publish_id: str,
                   published_at: str) -> list[ExportedFile]:
    """Every table of the serving file as Parquet, then the manifest. ``publish_id`` is the
    serving file's (its build id, also the snapshot id of its headline rows when it has
    any); ``temp_id`` only names the temporary files."""
    folder.mkdir(parents=True, exist_ok=True)
    exported = []
    with read_serving(serving_path) as con:
        key_values = (f"{{{PUBLISH_ID_KEY}: {quote_literal(publish_id)}, "
                      f"p3dn_published_at: {quote_literal(published_at + ' UTC')}")
        for table in mart_tables(con, READ_ALIAS, SERVING_SCHEMA):
            target = folder / f"{table}.parquet"
            temp = folder / f".{table}.parquet.publishing-{temp_id}"
            try:
                con.execute(
                    f"COPY (SELECT * FROM {READ_ALIAS}.{quote_identifier(table)}) TO $path "
                    # Snappy, DuckDB's default: every Parquet reader, Power Query's included,
                    # can decompress it.
                    "(FORMAT parquet, COMPRESSION snappy, KV_METADATA "
                    f"{key_values}, p3dn_table: {quote_literal(table)}}})",
                    {"path": str(temp)}).fetchall()
                rows = con.execute("SELECT count(*) FROM read_parquet($path)",
                                   {"path": str(temp)}).fetchall()[0][0]
                fsync_path(temp)
                os.replace(temp, target)
            except BaseException:
                temp.unlink(missing_ok=True)
                raise
            exported.append(ExportedFile(table, target, rows))
    write_manifest(folder, publish_id, published_at, exported, temp_id)
    return exported


def write_manifest(folder: Path, publish_id: str, published_at: str,
                   exported: list[ExportedFile], temp_id: str) -> Path:
    """The publish's list of files, written after every file is in place."""
    manifest = {
        "publish_id": publish_id,
        "published_at": published_at + " UTC",
        "files": [{"file": f.path.name, "table": f.table, "rows": f.rows,
                   "sha256": sha256_file(f.path)} for f in exported],
    }
    target = folder / MANIFEST_NAME
    temp = folder / f".{MANIFEST_NAME}.publishing-{temp_id}"
    temp.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    fsync_path(temp)
    os.replace(temp, target)
    return target
