"""Fixtures for the unit tests of the Indonesian-format macros."""

from pathlib import Path

import duckdb
import pytest

from p3dn_pipeline.lib import indoformat
from p3dn_pipeline.lib.warehouse import run_sql_file

MACROS_SQL = Path(indoformat.__file__).parent / "sql" / "indoformat_macros.sql"


@pytest.fixture(scope="module")
def con():
    """An in-memory DuckDB with the macros loaded the way the pipeline loads them."""
    connection = duckdb.connect()
    run_sql_file(connection, MACROS_SQL)
    yield connection
    connection.close()
