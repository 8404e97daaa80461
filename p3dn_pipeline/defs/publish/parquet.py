"""Every published mart as a Parquet file, for tools that read files rather than DuckDB
(Power BI, Excel Power Query, pandas, Spark).

Read from the serving file, so the Parquet files hold exactly the published snapshot. Each
file is written under a temporary name in the same folder and renamed over the old one, so
a reader never opens a half-written file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from p3dn_pipeline.defs.publish.serving import (
    READ_ALIAS,
    SERVING_SCHEMA,
    mart_tables,
    quote_identifier,
    read_serving,
)


@dataclass(frozen=True)
class ExportedFile:
    table: str
    path: Path
    rows: int


def export_parquet(serving_path: Path, folder: Path, publish_id: str) -> list[ExportedFile]:
    folder.mkdir(parents=True, exist_ok=True)
    exported = []
    with read_serving(serving_path) as con:
        for table in mart_tables(con, READ_ALIAS, SERVING_SCHEMA):
            target = folder / f"{table}.parquet"
            temp = folder / f".{table}.parquet.publishing-{publish_id}"
            try:
                con.execute(
                    f"COPY (SELECT * FROM {READ_ALIAS}.{quote_identifier(table)}) TO $path "
                    # Snappy, DuckDB's default: every Parquet reader, Power Query's included,
                    # can decompress it.
                    "(FORMAT parquet, COMPRESSION snappy)", {"path": str(temp)}).fetchall()
                rows = con.execute("SELECT count(*) FROM read_parquet($path)",
                                   {"path": str(temp)}).fetchall()[0][0]
                fd = os.open(temp, os.O_RDONLY)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
                os.replace(temp, target)
            except BaseException:
                temp.unlink(missing_ok=True)
                raise
            exported.append(ExportedFile(table, target, rows))
    return exported
