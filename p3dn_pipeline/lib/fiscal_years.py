"""Which fiscal years a dataset's loaded rows belong to, found by its own staging SQL.

The year of a row is whatever the dataset's staging SQL makes of it (``tahun_anggaran`` as
delivered, or an APBD ``Periode`` such as "Maret 2025"), so the years are read through that
same SQL: run as a view instead of a table, DuckDB computes only the year column. The years
are kept in ``quality.fiscal_years`` (recounted only when the loaded file versions changed)
and
registered as partitions in the Dagster instance on every load, so a new or replaced instance
(PostgreSQL storage) gets them back without reading any export again.
"""

import re

import duckdb
from dagster import DagsterInstance

from p3dn_pipeline.lib import ledger
from p3dn_pipeline.lib.contract import typed_table_statement
from p3dn_pipeline.lib.partitions import register_fiscal_years
from p3dn_pipeline.lib.sources import Source, Staged
from p3dn_pipeline.lib.warehouse import execute_all, fetch_dicts, table_exists, transaction

YEARS_TABLE = "quality.fiscal_years"


def seen(con: duckdb.DuckDBPyConnection, dataset_name: str) -> list[int]:
    if not table_exists(con, YEARS_TABLE):
        return []
    return [r["tahun"] for r in fetch_dicts(
        con, f"SELECT tahun FROM {YEARS_TABLE} WHERE dataset = $d ORDER BY tahun",
        {"d": dataset_name})]


def count(con: duckdb.DuckDBPyConnection, source: Source, staged: Staged) -> list[int]:
    """The distinct years of the dataset's raw rows, as its staging SQL reads them. A view
    cannot hold bound parameters: they are NULL here (a year never depends on them)."""
    name = staged.name
    sql = source.staging_sql(staged).read_text(encoding="utf-8")
    as_view = typed_table_statement(name).sub(f"CREATE OR REPLACE TEMP VIEW typed_{name}", sql)
    as_view = re.sub(r"\$[a-z_][a-z0-9_]*\b", "NULL", as_view)
    try:
        execute_all(con, as_view)
        return [r[0] for r in con.execute(
            f"SELECT DISTINCT {staged.year_column} FROM typed_{name} "
            f"WHERE {staged.year_column} IS NOT NULL ORDER BY 1").fetchall()]
    finally:
        con.execute(f"DROP VIEW IF EXISTS typed_{name}").fetchall()


def register(instance: DagsterInstance, con: duckdb.DuckDBPyConnection, source: Source,
             staged: Staged) -> list[int]:
    """Recount the dataset's years when its loaded file versions differ from those they were
    counted on (a crash between a load and its count is caught on the next run), then
    register every year seen as a partition. Returns the partitions added."""
    loaded = ledger.loaded_versions_state(con, staged.name)
    if table_exists(con, YEARS_TABLE) and "counted_on" not in {
            r[0] for r in con.execute(f"DESCRIBE {YEARS_TABLE}").fetchall()}:
        con.execute(f"DROP TABLE {YEARS_TABLE}").fetchall()  # an earlier shape: recounted
    con.execute(f"CREATE TABLE IF NOT EXISTS {YEARS_TABLE} (dataset VARCHAR NOT NULL, "
                "tahun INTEGER, counted_on VARCHAR NOT NULL)").fetchall()
    counted_on = {r[0] for r in con.execute(
        f"SELECT DISTINCT counted_on FROM {YEARS_TABLE} WHERE dataset = $d",
        {"d": staged.name}).fetchall()}
    if counted_on != {loaded}:
        years = count(con, source, staged)
        with transaction(con):
            con.execute(f"DELETE FROM {YEARS_TABLE} WHERE dataset = $d",
                        {"d": staged.name}).fetchall()
            # A dataset without any year still records what it was counted on (tahun NULL).
            con.executemany(f"INSERT INTO {YEARS_TABLE} VALUES (?, ?, ?)",
                            [(staged.name, year, loaded) for year in years or [None]])
    return register_fiscal_years(instance, seen(con, staged.name))
