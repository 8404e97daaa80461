"""Which fiscal years a dataset's loaded rows belong to, found by its own staging SQL.

The year of a row is whatever the dataset's staging SQL makes of it (``tahun_anggaran`` as
delivered, or an APBD ``Periode`` such as "Maret 2025"), so the years are read through that
same SQL: its typed table's query, cut down to the year column (:func:`count`). The years
are kept in ``quality.fiscal_years`` (recounted only when the loaded file versions changed)
and registered as partitions in the Dagster instance on every load, so a new or replaced instance
(PostgreSQL storage) gets them back without reading any export again.
"""

import json
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
from p3dn_pipeline.lib.warehouse import (
    column_names,
    fetch_dicts,
    split_statements,
    table_exists,
    transaction,
)

YEARS_TABLE = "quality.fiscal_years"


def seen(con: duckdb.DuckDBPyConnection, dataset_name: str) -> list[int]:
    if not table_exists(con, YEARS_TABLE):
        return []
    return [r["tahun"] for r in fetch_dicts(
        con, f"SELECT tahun FROM {YEARS_TABLE} WHERE dataset = $d ORDER BY tahun",
        {"d": dataset_name})]


def count(con: duckdb.DuckDBPyConnection, source: Source, staged: Staged) -> list[int]:
    """The distinct years of the dataset's raw rows, as its staging SQL reads them: its typed
    table's query with only its year column kept (:func:`year_only_query`), as a subquery.
    Bound parameters are NULL here (a year never depends on them). The file's other
    statements run as they are. Run outside a transaction: a failing statement would abort it.

    Binding a staging query (its macros expanded) is nearly all of the cost of counting: 40
    to 260 ms a dataset with every column, 7 to 130 ms with the year alone (the 15 datasets
    on a benchmark scale-1 warehouse: median 1.8 s to 0.26 s). A subquery, not a view: DuckDB
    binds a view's query when it is created and again when it is read."""
    name, year = staged.name, staged.year_column
    query = typed_query(con, source, staged)
    reduced = year_only_query(con, query, year)
    if reduced is not None:
        try:
            return _distinct_years(con, reduced, name, year)
        except duckdb.Error:
            pass  # e.g. the year's expression names a column alias it dropped: the whole query
    return _distinct_years(con, query, name, year)


def typed_query(con: duckdb.DuckDBPyConnection, source: Source, staged: Staged) -> str:
    """The query of the dataset's typed table (``typed_<name>``) in its staging SQL, bound
    parameters NULL; the file's other statements (helper tables it reads) are run first."""
    sql = re.sub(r"\$[a-z_][a-z0-9_]*\b", "NULL",
                 source.staging_sql(staged).read_text(encoding="utf-8"))
    head = typed_table_statement(staged.name)
    query = None
    for statement in split_statements(sql):
        found = head.search(statement)
        if found is None:
            con.execute(statement).fetchall()
            continue
        query = re.sub(r"\A\s*AS\b", "", statement[found.end():], flags=re.IGNORECASE)
    if query is None:
        raise ValueError(f"{source.staging_sql(staged)} builds no typed_{staged.name}")
    return query


def _distinct_years(con: duckdb.DuckDBPyConnection, query: str, name: str,
                    year: str) -> list[int]:
    # The query on its own lines: a comment on its last line must not swallow the bracket.
    return [r[0] for r in con.execute(
        f"SELECT DISTINCT {year} FROM (\n{query}\n) AS typed_{name} "
        f"WHERE {year} IS NOT NULL ORDER BY 1").fetchall()]


def year_only_query(con: duckdb.DuckDBPyConnection, query: str, year: str) -> str | None:
    """``query`` with the year column alone in its select list, as DuckDB's own parser reads
    it (``json_serialize_sql``, then ``json_deserialize_sql``): its FROM, joins, CTEs and WHERE
    untouched, so the same rows with the same year. None, and the caller keeps the whole query,
    when cutting could change which rows there are or the query is of another shape: a set
    operation, GROUP BY, HAVING, QUALIFY, DISTINCT, ORDER BY, LIMIT or SAMPLE (these may name
    the select list's aliases), or no single column named ``year``."""
    try:
        tree = json.loads(con.execute("SELECT json_serialize_sql($q)", {"q": query}).fetchone()[0])
    except duckdb.Error:
        return None
    statements = tree.get("statements") or []
    if tree.get("error") or len(statements) != 1:
        return None
    node = statements[0].get("node", {})
    if (node.get("type") != "SELECT_NODE" or node.get("modifiers") or node.get("having")
            or node.get("qualify") or node.get("sample") or node.get("group_expressions")
            or node.get("group_sets") or node.get("aggregate_handling") != "STANDARD_HANDLING"):
        return None
    kept = [item for item in node.get("select_list", [])
            if _output_name(item) == year.lower()]
    if len(kept) != 1:
        return None
    node["select_list"] = kept
    try:
        return con.execute("SELECT json_deserialize_sql($t)",
                           {"t": json.dumps(tree)}).fetchone()[0]
    except duckdb.Error:
        return None


def _output_name(item: dict) -> str | None:
    """The name a select-list item gives its column: its alias, else a column's own name."""
    if item.get("alias"):
        return item["alias"].lower()
    if item.get("class") == "COLUMN_REF" and item.get("column_names"):
        return item["column_names"][-1].lower()
    return None


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


def ensure_table(con: duckdb.DuckDBPyConnection) -> None:
    """The years table, in its current shape (an earlier shape is dropped: recounted)."""
    if table_exists(con, YEARS_TABLE) and "counted_on" not in column_names(con, YEARS_TABLE):
        con.execute(f"DROP TABLE {YEARS_TABLE}").fetchall()
    if not table_exists(con, YEARS_TABLE):
        con.execute(f"CREATE TABLE IF NOT EXISTS {YEARS_TABLE} (dataset VARCHAR NOT NULL, "
                    "tahun INTEGER, counted_on VARCHAR NOT NULL)").fetchall()


def register(instance: DagsterInstance, con: duckdb.DuckDBPyConnection, source: Source,
             staged: Staged) -> list[int]:
    """Recount the dataset's years when its loaded file versions differ from those they were
    counted on (a crash between a load and its count is caught on the next run), then
    register every year seen as a partition. Returns the partitions added."""
    loaded = ledger.loaded_versions_state(con, staged.name)
    ensure_table(con)
    if _counted_on(con, staged.name) != {loaded}:
        years = count(con, source, staged)
        with transaction(con):
            con.execute(f"DELETE FROM {YEARS_TABLE} WHERE dataset = $d",
                        {"d": staged.name}).fetchall()
            # A dataset without any year still records what it was counted on (tahun NULL).
            con.executemany(f"INSERT INTO {YEARS_TABLE} VALUES (?, ?, ?)",
                            [(staged.name, year, loaded) for year in years or [None]])
    return register_fiscal_years(instance, seen(con, staged.name))
