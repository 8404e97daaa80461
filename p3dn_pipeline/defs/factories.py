"""Builders for the three shapes of asset every source repeats: raw load, staging, SQL table.

A new source is one folder under ``defs/`` that calls these with its datasets and SQL files.
"""


from collections.abc import Sequence
from pathlib import Path

import duckdb
from dagster import (
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    MaterializeResult,
    MetadataValue,
    TableColumn,
    TableSchema,
    asset,
)

from p3dn_pipeline.datasets import Dataset
from p3dn_pipeline.defs import incremental, quality_gate
from p3dn_pipeline.defs.resources import P3dnWarehouse, PipelineSettings
from p3dn_pipeline.lib import ledger
from p3dn_pipeline.lib.quality import Rule, to_asset_check_results, validate_table
from p3dn_pipeline.defs.partitions import FISCAL_YEARS, SINGLE_RUN, all_fiscal_years
from p3dn_pipeline.lib.warehouse import (
    execute_all,
    fetch_dicts,
    run_sql_file,
    split_statements,
    table_exists,
    transaction,
)

FILE_LEDGER_KEY = AssetKey(["raw", "file_ledger"])
_SPLIT_STAGING_SQL = Path(__file__).parent.parent / "lib" / "sql" / "split_staging.sql"
_SPLIT_STAGING_BY_YEAR_SQL = _SPLIT_STAGING_SQL.with_name("split_staging_by_year.sql")
PREVIEW_ROWS = 10


def table_metadata(con: duckdb.DuckDBPyConnection, qualified_name: str, *,
                   preview: bool = False) -> dict:
    schema, table = qualified_name.split(".")
    columns = fetch_dicts(
        con,
        "SELECT column_name, data_type, comment FROM duckdb_columns() "
        "WHERE schema_name = $s AND table_name = $t ORDER BY column_index",
        {"s": schema, "t": table},
    )
    row_count = con.execute(f"SELECT count(*) FROM {qualified_name}").fetchall()[0][0]
    metadata = {
        "dagster/row_count": MetadataValue.int(row_count),
        "dagster/column_schema": MetadataValue.table_schema(TableSchema(columns=[
            TableColumn(c["column_name"], c["data_type"], description=c["comment"])
            for c in columns
        ])),
        "dagster/table_name": MetadataValue.text(f"p3dn.{qualified_name}"),
    }
    if preview:
        metadata["preview"] = MetadataValue.md(markdown_preview(con, qualified_name))
    return metadata


def markdown_preview(con: duckdb.DuckDBPyConnection, qualified_name: str,
                     limit: int = PREVIEW_ROWS) -> str:
    result = con.execute(f"SELECT * FROM {qualified_name} LIMIT {int(limit)}")
    names = [d[0] for d in result.description]
    rows = result.fetchall()

    def cell(value) -> str:
        return "" if value is None else str(value).replace("|", "\\|")

    lines = ["| " + " | ".join(names) + " |", "|" + "---|" * len(names)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def build_file_ledger_asset():
    @asset(key=FILE_LEDGER_KEY, group_name="raw", kinds={"duckdb"}, backfill_policy=SINGLE_RUN)
    def file_ledger(context: AssetExecutionContext, warehouse: P3dnWarehouse,
                    pipeline: PipelineSettings) -> MaterializeResult:
        """Every file version seen in the landing folder: sha256, size, recognised dataset,
        and status (pending, loaded, rejected with a reason, superseded, removed).
        For data engineers on call: the first place to look when a figure seems stale.
        Grain: one row per path x sha256."""
        now = incremental.utc_now()
        with warehouse.session() as con:
            summary = ledger.take_inventory(con, pipeline.landing_path, now,
                                            **ledger.inventory_options(context.run.tags))
            for rejected in summary.rejected:
                context.log.error(f"Rejected: {rejected['reason']}")
            for warning in summary.warnings:
                context.log.warning(warning)
            with transaction(con):
                changed = incremental.record_content(
                    con, FILE_LEDGER_KEY, ledger.versions_state(con), now)
            metadata = table_metadata(con, ledger.LEDGER_TABLE)
        metadata.update({
            "rebuilt": changed,
            "files_in_landing": summary.files_on_disk,
            "new_file_versions": summary.new_versions,
            "rejected_files": MetadataValue.md(
                "\n".join(f"- {r['reason']}" for r in summary.rejected) or "none"),
            "removed_files": len(summary.removed),
        })
        return MaterializeResult(metadata=metadata)

    return file_ledger


def build_raw_asset(dataset: Dataset):
    @asset(
        key=AssetKey(["raw", dataset.name]),
        group_name="raw",
        kinds={"duckdb"},
        deps=[FILE_LEDGER_KEY],
        backfill_policy=SINGLE_RUN,
        description=(
            f"{dataset.title}, every field as delivered (text), plus source file, sheet, row, "
            f"file sha256 and load time; personal identifiers only as keyed hashes. "
            f"Grain: {dataset.grain}. Files already loaded with the same sha256 are skipped."
        ),
    )
    def raw_asset(context: AssetExecutionContext, warehouse: P3dnWarehouse,
                  pipeline: PipelineSettings) -> MaterializeResult:
        now = incremental.utc_now()
        with warehouse.session() as con:
            summary = ledger.load_pending(con, dataset, pipeline.landing_path, now)
            for rejected in summary.rejected:
                context.log.error(f"Rejected: {rejected['reason']}")
            for held in summary.held:
                context.log.error(f"Held back: {held['reason']}")
            for loaded in summary.loaded:
                context.log.info(f"Loaded {loaded['rows']} rows from {loaded['path']}")
            # Downstream builds key on this: a new build id only when the loaded file
            # versions (hence the raw rows) changed.
            with transaction(con):
                changed = incremental.record_content(
                    con, context.asset_key, ledger.loaded_versions_state(con, dataset.name), now)
            metadata = table_metadata(con, dataset.raw_table)
        metadata.update({
            "rebuilt": changed,
            "files_loaded_this_run": len(summary.loaded),
            "rows_loaded_this_run": sum(item["rows"] for item in summary.loaded),
            "files_rejected_this_run": len(summary.rejected),
            "rows_removed_this_run": summary.rows_deleted,
        })
        return MaterializeResult(metadata=metadata)

    return raw_asset


def build_staging_asset(dataset: Dataset, sql_file: Path, *, key_columns: Sequence[str],
                        rules: Sequence[Rule], recency: str = "",
                        extra_deps: Sequence[Sequence[str]] = (),
                        year_column: str | None = None):
    """Typed table plus quarantine, then its quality rules as asset checks.

    ``recency`` orders duplicate keys newest first. With ``year_column`` the asset is
    partitioned by fiscal year and a run replaces only the slices of its years. A failed
    ERROR rule, or unaccounted rows, stop every mart computed from this table until the data
    is fixed (quality_gate).
    """
    template_file = _SPLIT_STAGING_BY_YEAR_SQL if year_column else _SPLIT_STAGING_SQL
    template = template_file.read_text(encoding="utf-8").format(
        name=dataset.name, typed=f"typed_{dataset.name}", key=", ".join(key_columns),
        key_label=" + ".join(key_columns), recency=f"{recency}," if recency else "",
        year=year_column,
    )
    asset_key = AssetKey(["staging", dataset.name])
    table_name = f"staging.{dataset.name}"
    # ERROR checks block through the quality gate of every mart (quality_gate), which holds
    # within a run and across runs. Dagster's own per-run blocking is left off: it would also
    # skip marts.data_quality, the table that explains the failure to BI users.
    specs = [
        *(AssetCheckSpec(rule.name, asset=asset_key, description=f"[{rule.severity}] "
                         f"{rule.description}") for rule in rules),
        AssetCheckSpec(quality_gate.ROWS_ACCOUNTED_FOR, asset=asset_key,
                       description="[ERROR] Per file: raw rows = staged rows + quarantined rows."),
    ]

    @asset(
        key=asset_key,
        group_name="staging",
        kinds={"duckdb"},
        deps=[AssetKey(["raw", dataset.name]), *(AssetKey(list(d)) for d in extra_deps)],
        check_specs=specs,
        partitions_def=FISCAL_YEARS if year_column else None,
        backfill_policy=SINGLE_RUN,
        description=(
            f"{dataset.title}: trimmed, typed, codes normalised, Indonesian numbers and dates "
            f"parsed. Rows breaking a hard rule, and older copies of a duplicated "
            f"{' + '.join(key_columns)}, are in quarantine.{dataset.name} with file, row, "
            f"column, rule and value. Grain: {dataset.grain}."
            + (f" Partitioned by fiscal year ({year_column})." if year_column else "")
        ),
    )
    def staging_asset(context: AssetExecutionContext, warehouse: P3dnWarehouse,
                      pipeline: PipelineSettings) -> MaterializeResult:
        now = incremental.utc_now()
        years = _years_of(context) if year_column else []
        slices = years if year_column else None
        with warehouse.session() as con:
            build_print = incremental.fingerprint(
                "staging", incremental.file_digest(sql_file), template, pipeline.kd_klpd,
                repr(list(rules)), incremental.upstream_builds(
                    con, incremental.dependency_keys(context)))
            if (table_exists(con, table_name)
                    and incremental.is_unchanged(con, context, asset_key, build_print, slices)):
                stored = quality_gate.stored_results(con, table_name, asset_key)
                if {spec.name for spec in specs} <= set(stored):
                    context.log.info(f"{table_name}: inputs unchanged since its last build; "
                                     "nothing rewritten, stored check results reported.")
                    metadata = table_metadata(con, table_name)
                    metadata["rebuilt"] = False
                    return MaterializeResult(
                        metadata=metadata, check_results=[stored[spec.name] for spec in specs])
            with transaction(con):
                run_sql_file(con, sql_file, {"kd_klpd": pipeline.kd_klpd})
                if year_column:
                    years = _rebuild_all_years_if_columns_changed(
                        context, con, dataset.name, years)
                    slices = years
                execute_all(con, template, {"tahun": years, "semua_tahun": all_fiscal_years()})
                build_id = quality_gate.record_build(con, table_name, now)
            metadata = table_metadata(con, table_name)
            quarantined = con.execute(
                f"SELECT count(*), count(DISTINCT (_source_file, _source_sheet, _source_row)) "
                f"FROM quarantine.{dataset.name}").fetchall()[0]
            # Validation reads the committed table through cursors of this connection.
            rule_results = validate_table(con, table_name, rules)
            accounting = quality_gate.rows_accounted_for(
                con, dataset.name, asset_key, year_column=year_column, years=years)
            check_results = [*to_asset_check_results(rule_results, asset_key=asset_key),
                             accounting]
            with transaction(con):
                quality_gate.record_results(con, table_name, asset_key, build_id, rule_results,
                                            accounting, now, emitted=check_results)
                # Recorded only once checked: a crash before this leaves the slices stale,
                # so the next run builds and checks them again.
                incremental.record_build(con, asset_key, build_print, slices, now)
        metadata.update({
            "rebuilt": True,
            "quarantined_rows": quarantined[1],
            "quarantine_findings": quarantined[0],
        })
        return MaterializeResult(metadata=metadata, check_results=check_results)

    return staging_asset


def _years_of(context: AssetExecutionContext) -> list[int]:
    return [int(key) for key in context.partition_keys]


def _rebuild_all_years_if_columns_changed(context: AssetExecutionContext,
                                          con: duckdb.DuckDBPyConnection, name: str,
                                          years: list[int]) -> list[int]:
    """A changed SQL file may change a table's columns; its old slices cannot be kept beside
    new ones, so the table is rebuilt for every year in this run."""
    if not table_exists(con, f"staging.{name}"):
        return years
    existing = [r[0] for r in con.execute(f"DESCRIBE staging.{name}").fetchall()]
    new = [r[0] for r in con.execute(f"DESCRIBE typed_{name}").fetchall()
           if r[0] != "problems"]
    if existing == new and _has_current_quarantine_columns(con, f"quarantine.{name}"):
        return years
    context.log.warning(f"staging.{name} changed shape: rebuilding every fiscal year")
    con.execute(f"DROP TABLE staging.{name}").fetchall()
    con.execute(f"DROP TABLE IF EXISTS quarantine.{name}").fetchall()
    return all_fiscal_years()


def _has_current_quarantine_columns(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return table_exists(con, table) and {"partisi", "_source_sheet"} <= {
        r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()}


def build_sql_asset(*, key: Sequence[str], sql_file: Path, deps: Sequence[Sequence[str]],
                    description: str, params: dict | None = None, preview: bool = False,
                    gate_on: Sequence[str] = (), year_column: str | None = None):
    """A table built by one SQL file from other tables (reference data, marts).

    ``gate_on`` lists checked staging tables this one is computed from: it is not built
    while any of them failed an ERROR check (see quality_gate). With ``year_column`` the
    asset is partitioned by fiscal year: the SQL file builds ``hasil_<table>`` and a run
    replaces only its years' slices of the table; COMMENT statements run after that.
    """
    schema, table = key
    statements = split_statements(sql_file.read_text(encoding="utf-8"))
    body = [st for st in statements if not _is_comment_statement(st)]
    comments = [st for st in statements if _is_comment_statement(st)]

    @asset(key=AssetKey(list(key)), group_name=schema, kinds={"duckdb"},
           deps=[AssetKey(list(d)) for d in deps], description=description,
           partitions_def=FISCAL_YEARS if year_column else None,
           backfill_policy=SINGLE_RUN)
    def sql_asset(context: AssetExecutionContext, warehouse: P3dnWarehouse) -> MaterializeResult:
        asset_key = AssetKey(list(key))
        with warehouse.session() as con:
            quality_gate.assert_upstream_passed(con, gate_on)
            slices = _years_of(context) if year_column else None
            build_print = incremental.fingerprint(
                "sql", statements, _param_digests(params),
                incremental.upstream_builds(con, incremental.dependency_keys(context)))
            if (table_exists(con, f"{schema}.{table}")
                    and incremental.is_unchanged(con, context, asset_key, build_print, slices)):
                context.log.info(f"{schema}.{table}: inputs unchanged since its last build; "
                                 "nothing rewritten.")
                metadata = table_metadata(con, f"{schema}.{table}", preview=preview)
                metadata["rebuilt"] = False
                return MaterializeResult(metadata=metadata)
            with transaction(con):
                execute_all(con, ";\n".join(body), params)
                if year_column:
                    slices = _replace_year_slices(context, con, f"{schema}.{table}",
                                                  f"hasil_{table}", year_column, slices)
                execute_all(con, ";\n".join(comments))
                incremental.record_build(con, asset_key, build_print, slices, incremental.utc_now())
                metadata = table_metadata(con, f"{schema}.{table}", preview=preview)
        metadata["rebuilt"] = True
        return MaterializeResult(metadata=metadata)

    return sql_asset


def _param_digests(params: dict | None) -> dict:
    """Parameters as they shape the result: a file parameter by its content."""
    digests = {}
    for name, value in (params or {}).items():
        path = Path(value) if isinstance(value, str) else None
        digests[name] = (incremental.file_digest(path) if path is not None and path.is_file()
                         else value)
    return digests


def _is_comment_statement(statement: str) -> bool:
    code = "\n".join(line for line in statement.splitlines()
                     if not line.strip().startswith("--"))
    return code.lstrip().upper().startswith("COMMENT ON")


def _replace_year_slices(context: AssetExecutionContext, con: duckdb.DuckDBPyConnection,
                         target: str, result: str, year_column: str,
                         years: list[int]) -> list[int]:
    """Delete the run's years from ``target`` and insert them from ``result``; when the
    columns changed, the table is rebuilt with every year of ``result``. Returns the years
    written."""
    if table_exists(con, target):
        existing = [r[0] for r in con.execute(f"DESCRIBE {target}").fetchall()]
        new = [r[0] for r in con.execute(f"DESCRIBE {result}").fetchall()]
        if existing != new:
            context.log.warning(f"{target} changed shape: rebuilding every fiscal year")
            con.execute(f"DROP TABLE {target}").fetchall()
            years = all_fiscal_years()
    con.execute(f"CREATE TABLE IF NOT EXISTS {target} AS SELECT * FROM {result} LIMIT 0"
                ).fetchall()
    con.execute(f"DELETE FROM {target} WHERE list_contains($years, {year_column})",
                {"years": years}).fetchall()
    con.execute(f"INSERT INTO {target} SELECT * FROM {result} "
                f"WHERE list_contains($years, {year_column}) ORDER BY ALL",
                {"years": years}).fetchall()
    return years
