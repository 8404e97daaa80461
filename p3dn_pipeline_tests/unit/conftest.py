"""Fixtures for the unit tests of the Indonesian-format macros."""

from pathlib import Path

import duckdb
import pytest

from p3dn_pipeline.lib import indoformat
from p3dn_pipeline.lib.warehouse import run_sql_file

# In the pipeline's order (warehouse._SESSION_SQL_FILES): p3dn_digits reads through p3dn_nfkc.
MACROS_SQL = [Path(indoformat.__file__).parent / "sql" / name
              for name in ("nfkc_macros.sql", "indoformat_macros.sql")]


@pytest.fixture(scope="module")
def con():
    """An in-memory DuckDB with the macros loaded the way the pipeline loads them."""
    connection = duckdb.connect()
    for path in MACROS_SQL:
        run_sql_file(connection, path)
    yield connection
    connection.close()
