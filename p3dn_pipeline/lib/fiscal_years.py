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
from p3dn_pipeline.lib.partitions import (
    plausible_fiscal_years,
    register_fiscal_years,
    registered_fiscal_years,
)
from p3dn_pipeline.lib.sources import Source, Staged
from p3dn_pipeline.lib.warehouse import fetch_dicts, split_statements, table_exists, transaction

YEARS_TABLE = "quality.fiscal_years"


def seen(con: duckdb.DuckDBPyConnection, dataset_name: str) -> list[int]:
    if not table_exists(con, YEARS_TABLE):
        return []
    return [r["tahun"] for r in fetch_dicts(
        con, f"SELECT tahun FROM {YEARS_TABLE} WHERE dataset = $d ORDER BY tahun",
        {"d": dataset_name})]


def count(con: duckdb.DuckDBPyConnection, source: Source, staged: Staged) -> list[int]:
    """The distinct years of the dataset's raw rows, as its staging SQL reads them: its typed
    table's query, as a subquery of which DuckDB computes only the year column. Bound
    parameters are NULL here (a year never depends on them). The file's other statements
    run as they are.

    A subquery, not a view over the query: DuckDB binds a view's query when it is created
    and again when it is read, and binding a staging query (its macros expanded) is nearly
    all of the cost (40 to 170 ms each, 1 s of a run's 2.1 s of counting)."""
    name = staged.name
    sql = re.sub(r"\$[a-z_][a-z0-9_]*\b", "NULL",
                 source.staging_sql(staged).read_text(encoding="utf-8"))
    head = typed_table_statement(name)
    query = None
    for statement in split_statements(sql):
        found = head.search(statement)
        if found is None:
            con.execute(statement).fetchall()
            continue
        query = re.sub(r"\A\s*AS\b", "", statement[found.end():], flags=re.IGNORECASE)
    if query is None:
        raise ValueError(f"{source.staging_sql(staged)} builds no typed_{name}")
    year = staged.year_column
    # The query on its own lines: a comment on its last line must not swallow the bracket.
    return [r[0] for r in con.execute(
        f"SELECT DISTINCT {year} FROM (\n{query}\n) AS typed_{name} "
        f"WHERE {year} IS NOT NULL ORDER BY 1").fetchall()]


def _counted_on(con: duckdb.DuckDBPyConnection, dataset_name: str) -> set[str]:
    """The loaded-versions digests the dataset's recorded years were counted on (one, or
    none yet)."""
    return {r[0] for r in con.execute(
        f"SELECT DISTINCT counted_on FROM {YEARS_TABLE} WHERE dataset = $d",
        {"d": dataset_name}).fetchall()}


def registered_as_counted(instance: DagsterInstance, con: duckdb.DuckDBPyConnection,
                          dataset_name: str) -> bool:
    """Whether :func:`register` would change nothing: the dataset's years were counted on
    its loaded file versions as they are now, and every plausible one is a partition of
    ``instance`` (a new or replaced instance has none until a load registers them)."""
    if not table_exists(con, YEARS_TABLE):
        return False
    if _counted_on(con, dataset_name) != {ledger.loaded_versions_state(con, dataset_name)}:
        return False
    plausible = set(plausible_fiscal_years())
    wanted = {year for year in seen(con, dataset_name) if year in plausible}
    return wanted <= set(registered_fiscal_years(instance))


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
    if _counted_on(con, staged.name) != {loaded}:
        years = count(con, source, staged)
        with transaction(con):
            con.execute(f"DELETE FROM {YEARS_TABLE} WHERE dataset = $d",
                        {"d": staged.name}).fetchall()
            # A dataset without any year still records what it was counted on (tahun NULL).
            con.executemany(f"INSERT INTO {YEARS_TABLE} VALUES (?, ?, ?)",
                            [(staged.name, year, loaded) for year in years or [None]])
    return register_fiscal_years(instance, seen(con, staged.name))
