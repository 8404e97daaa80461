"""Great Expectations validation results kept next to the warehouse.

Each staging build's validation is written in GX's own ``ExpectationSuiteValidationResult``
JSON to ``<warehouse dir>/gx/validations/<schema.table>/<UTC time>.json``, beside the suite it
ran (``<warehouse dir>/gx/expectations/<schema.table>.json``): the warehouse's folder is read
from the DuckDB connection itself, so it follows ``P3DN_WAREHOUSE`` without being passed
around. Unexpected rows in a kept result are the check's samples only (file, row and the
rule's columns), never a table's contents.
"""

import datetime as dt
import json
from pathlib import Path

import duckdb

from p3dn_pipeline.lib.quality import Validation

# Validation results kept per table, newest first; older ones are deleted as new ones are
# written (a daily refresh of 25 tables would otherwise add 9,000 files a year). A check's
# history stays in Dagster's event log; Data Docs render the newest 10.
KEPT_PER_TABLE = 100


def warehouse_dir(con: duckdb.DuckDBPyConnection) -> Path:
    """The folder of the database file ``con`` is connected to."""
    path = con.execute("SELECT path FROM duckdb_databases() "
                       "WHERE database_name = current_database()").fetchall()[0][0]
    if not path:
        raise ValueError("validation results are kept next to a warehouse file, "
                         "not an in-memory database")
    return Path(path).resolve().parent


def gx_dir(con: duckdb.DuckDBPyConnection) -> Path:
    return warehouse_dir(con) / "gx"


def keep_validation(con: duckdb.DuckDBPyConnection, table_name: str,
                    validation: Validation) -> Path:
    """Write the suite and its validation result; returns the result's path."""
    now = dt.datetime.now(dt.UTC)
    root = gx_dir(con)
    suites = root / "expectations"
    results = root / "validations" / table_name
    suites.mkdir(parents=True, exist_ok=True)
    results.mkdir(parents=True, exist_ok=True)
    _write_json(suites / f"{table_name}.json", validation.suite)
    path = results / f"{now:%Y%m%dT%H%M%S_%fZ}.json"
    _write_json(path, validation.validation_result)
    # All but the newest KEPT_PER_TABLE of the table's results go (names sort by time).
    for old in sorted(results.glob("*.json"))[:-KEPT_PER_TABLE]:
        old.unlink(missing_ok=True)
    return path


def _write_json(path: Path, value: dict) -> None:
    # Written aside and renamed: a reader never sees half a file.
    part = path.with_name(path.name + ".part")
    part.write_text(json.dumps(value, indent=2, ensure_ascii=False, default=str) + "\n",
                    encoding="utf-8")
    part.replace(path)
