"""Asset builders: the one skip-if-unchanged wrapper, and the shapes every source repeats.

:func:`incremental_asset` is the only place the build protocol is written: fingerprint the
asset's code, parameters and upstream builds; skip when every slice asked for was built from
the same fingerprint; else build in a transaction, check, and record the build. Every asset
that writes a table or a published file goes through it, so an asset body says only what it
builds.

:func:`source_assets` turns a source folder's declaration (``defs/<source>/source.py``) into
its raw, staging and derived staging assets; :func:`build_sql_asset` makes a table from one
SQL file (marts, reference data, derived staging tables), its upstream assets read from the
SQL itself.
"""


import re
from collections.abc import Callable, Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
from dagster import (
    AssetCheckResult,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    DataVersion,
    MaterializeResult,
    MetadataValue,
    TableColumn,
    TableSchema,
    asset,
)

from p3dn_pipeline.lib import (
    builds,
    contract,
    data_docs,
    fiscal_years,
    gx_results,
    ledger,
    quality_gate,
    step_threads,
)
from p3dn_pipeline.lib.partitions import (
    FISCAL_YEARS,
    SINGLE_RUN,
    plausible_fiscal_years,
    registered_fiscal_years,
)
from p3dn_pipeline.lib.quality import (
    GX_MODULES,
    importing_gx_meanwhile,
    load_suite,
    to_asset_check_results,
    validate_suite,
)
from p3dn_pipeline.lib.resources import P3dnWarehouse, PipelineSettings
from p3dn_pipeline.lib.sources import (
    Dataset,
    Source,
    Staged,
    leading_comment,
    rule_tables,
    tables_read,
)
from p3dn_pipeline.lib.warehouse import (
    execute_all,
    fetch_dicts,
    split_statements,
    table_exists,
    transaction,
)

FILE_LEDGER_KEY = AssetKey(["raw", "file_ledger"])
_SPLIT_STAGING_SQL = Path(__file__).parent / "sql" / "split_staging.sql"
_REPLACE_OLDER_EXPORTS_SQL = Path(__file__).parent / "sql" / "replace_older_exports.sql"
_SPLIT_STAGING_BY_YEAR_SQL = _SPLIT_STAGING_SQL.with_name("split_staging_by_year.sql")
PREVIEW_ROWS = 10
# Metadata naming the staging table an asset's checks judge: the quality gate of every
# table computed from it is found from the asset graph by this key.
CHECKED_TABLE_METADATA = "p3dn/checked_table"
FISCAL_YEAR_COLUMN = "tahun_anggaran"
# Dagster labels these checks "non-blocking" (its own per-run blocking is off, see
# build_staging_asset); the description says what does stop.
ERROR_STOPS_MARTS = ("(When it fails, every mart computed from this table refuses to build: "
                     "see the mart's upstream_quality_gate check.)")


# Asset -> whether it would find its inputs unchanged, asked before a run (lib/run_plan.py);
# filled by incremental_asset, for the assets whose skip can be decided before their step.
_UNCHANGED_BEFORE_RUN: dict[AssetKey, Callable[..., bool]] = {}


def unchanged_before_run(key: AssetKey) -> Callable[..., bool] | None:
    """``probe(con, pipeline, slices, graph) -> bool``: True when the asset's step would
    write nothing (its quality gate passes and its skip rule holds, evaluated on the
    warehouse as it is now; ``graph``: the job's asset graph); None for an asset whose step
    must run to know (the file ledger and raw tables, plain assets)."""
    return _UNCHANGED_BEFORE_RUN.get(key)


# The file ledger and the raw tables -> whether their step, in a load run, would find the
# warehouse as its last run left it (lib/run_plan.py, load_plan); filled by incremental_asset
# and build_raw_asset.
_AS_LAST_LOADED: dict[AssetKey, Callable[..., bool]] = {}


def as_last_loaded(key: AssetKey) -> Callable[..., bool] | None:
    """``probe(con, pipeline, instance) -> bool``, for a table kept incrementally (the file
    ledger, a raw table): True when its content is still the one its last step recorded
    (a raw table: the ledger's loaded versions of its dataset, its rows pruned to them) and,
    for a raw table with fiscal years, those years are counted on that content and
    registered in ``instance``. With nothing new in the landing folder, its step would then
    change nothing. None for any other asset."""
    return _AS_LAST_LOADED.get(key)


def table_metadata(con: duckdb.DuckDBPyConnection, qualified_name: str, *,
                   preview: bool = False, year_column: str | None = None,
                   years: Sequence[int] | None = None) -> dict:
    """Row count, schema and table name; for a partitioned table, the row count of the slices
    this run asked for (the partition's metadata describes its own years)."""
    schema, table = qualified_name.split(".")
    columns = fetch_dicts(
        con,
        "SELECT column_name, data_type, comment FROM duckdb_columns() "
        "WHERE schema_name = $s AND table_name = $t ORDER BY column_index",
        {"s": schema, "t": table},
    )
    total = con.execute(f"SELECT count(*) FROM {qualified_name}").fetchall()[0][0]
    metadata = {
        "dagster/column_schema": MetadataValue.table_schema(TableSchema(columns=[
            TableColumn(c["column_name"], c["data_type"], description=c["comment"])
            for c in columns
        ])),
        "dagster/table_name": MetadataValue.text(f"p3dn.{qualified_name}"),
    }
    if year_column and years is not None:
        in_slices = con.execute(
            f"SELECT count(*) FROM {qualified_name} WHERE list_contains($y, {year_column})",
            {"y": list(years)}).fetchall()[0][0]
        metadata["dagster/row_count"] = MetadataValue.int(in_slices)
        metadata["rows_all_years"] = MetadataValue.int(total)
    else:
        metadata["dagster/row_count"] = MetadataValue.int(total)
    if preview:
        metadata["preview"] = MetadataValue.md(markdown_preview(con, qualified_name))
    return metadata


QUARANTINE_SAMPLE_ROWS = 10
# Runs of 10 or more digits (phone numbers, NIK, NIP, NPWP) are masked in the sample: the
# quarantine table holds the value for whoever fixes the file, Dagster's run history need not.
_LONG_DIGIT_RUN = re.compile(r"\d{10,}")


def quarantine_metadata(con: duckdb.DuckDBPyConnection, dataset_name: str) -> dict:
    """What quarantine.<dataset> holds, for the staging asset's page in the UI: rows per rule
    and the first rows with file, sheet, row, column and value."""
    table = f"quarantine.{dataset_name}"
    if not table_exists(con, table):
        return {}
    per_rule = fetch_dicts(con, f"""
        SELECT rule, count(DISTINCT (_source_file, _source_sheet, _source_row)) AS rows,
               count(*) AS findings
        FROM {table} GROUP BY rule ORDER BY rows DESC, rule""")
    sample = fetch_dicts(con, f"""
        SELECT _source_file, _source_sheet, _source_row, column_name, rule, offending_value
        FROM {table} ORDER BY _source_file, _source_sheet, _source_row, column_name, rule
        LIMIT {QUARANTINE_SAMPLE_ROWS}""")

    def cell(value) -> str:
        text = "" if value is None else str(value)
        text = _LONG_DIGIT_RUN.sub("[digits]", text)
        text = text if len(text) <= 60 else text[:59] + "…"
        return text.replace("|", "\\|").replace("\n", " ")

    by_rule = ["| rule | rows | findings |", "|---|---|---|"] + [
        f"| {r['rule']} | {r['rows']} | {r['findings']} |" for r in per_rule]
    rows = ["| file | sheet | row | column | rule | value |", "|---|---|---|---|---|---|"] + [
        f"| {cell(r['_source_file'])} | {cell(r['_source_sheet'])} | {r['_source_row']} | "
        f"{cell(r['column_name'])} | {r['rule']} | {cell(r['offending_value'])} |"
        for r in sample]
    return {
        "quarantine_table": MetadataValue.text(f"p3dn.{table}"),
        "quarantined_rows_all_years": MetadataValue.int(sum(r["rows"] for r in per_rule)),
        "quarantine_by_rule": MetadataValue.md("\n".join(by_rule) if per_rule else "none"),
        "quarantine_sample": MetadataValue.md("\n".join(rows) if sample else "none"),
    }


def rows_per_year(con: duckdb.DuckDBPyConnection, qualified_name: str, year_column: str,
                  years: Sequence[int]) -> dict[int, int]:
    """Rows of each asked-for year's slice (0 for a year without rows)."""
    counted = dict(con.execute(
        f"SELECT {year_column}, count(*) FROM {qualified_name} "
        f"WHERE list_contains($y, {year_column}) GROUP BY ALL", {"y": list(years)}).fetchall())
    return {year: counted.get(year, 0) for year in years}


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


@dataclass
class Build:
    """What an asset body gets: the run's context, the warehouse connection, settings and the
    fiscal years (``slices``; None for an unpartitioned table) it builds. A body may widen
    ``slices`` (a changed table shape rebuilds every year) or name its ``build_id``."""

    context: AssetExecutionContext | None  # None: the run plan asks (unchanged_before_run)
    con: duckdb.DuckDBPyConnection
    pipeline: PipelineSettings
    slices: list[int] | None
    build_id: str | None = None
    previous_build_id: str | None = None


@dataclass
class Checked:
    """What a body's checks found: the results for Dagster and how to record them with the
    build (inside the transaction that finishes it)."""

    results: list[AssetCheckResult]
    record: Callable[[duckdb.DuckDBPyConnection, str], None]
    metadata: dict = field(default_factory=dict)


def incremental_asset(
    *,
    key: AssetKey,
    group: str,
    description: str,
    deps: Sequence[AssetKey],
    own_code: Sequence[Path],
    exists: Callable[[Build], bool],
    describe: Callable[[Build], dict],
    params: Callable[[Build], object] | None = None,
    check: Callable[[Build], Checked] | None = None,
    stored_checks: Callable[[Build], dict[str, AssetCheckResult]] | None = None,
    check_specs: Sequence[AssetCheckSpec] = (),
    partitioned: bool = False,
    gated: bool = False,
    transactional: bool = True,
    content_state: Callable[[Build], str] | None = None,
    sliced_table: tuple[str, str] | None = None,
    kinds: frozenset[str] = frozenset({"duckdb"}),
    metadata: dict | None = None,
    imports: Sequence[str] = (),
):
    """The asset that runs ``build`` only when something it depends on changed.

    ``own_code``: the asset's own files (SQL, its folder's modules, reference files); with
    everything under lib/ they are its Dagster ``code_version`` and part of its fingerprint.
    ``params``: settings that shape the result. ``exists``: whether its output is there.
    ``check``: run after the build commits; its results are recorded with the build.
    ``gated``: refuse to build over a checked staging table upstream that failed (quality_gate).
    ``transactional=False``: the body manages its own transactions (published files).
    ``content_state``: for tables kept incrementally (ledger, raw): the body always runs, and
    the build id changes only when this description of the content does.
    ``sliced_table``: (table, year column) of a partitioned asset, so each partition's
    materialization carries its own year's row count rather than the whole run's.
    ``imports``: modules the body imports late (Great Expectations), imported before a run's
    steps start side by side (lib/step_threads.py).
    """
    code = builds.code_version(*own_code)
    check_names = {spec.name for spec in check_specs}
    # A table read from reference files alone has no staging table to be gated on.
    gated = gated and any(dep.path[0] in ("staging", "marts") for dep in deps)
    if gated:
        # The gate is shown as the asset's own check: what it was built over, and that it
        # passed (when it does not, the asset fails with the gate's reasons).
        check_specs = [*check_specs, AssetCheckSpec(
            quality_gate.UPSTREAM_GATE, asset=key,
            description=quality_gate.UPSTREAM_GATE_DESCRIPTION)]

    def fingerprint_of(step: Build, dependency_keys: Iterable[AssetKey]) -> str:
        return builds.fingerprint(code, params(step) if params else None,
                                  builds.upstream_builds(step.con, dependency_keys))

    def stored_when_unchanged(step: Build, print_: str) -> dict[str, AssetCheckResult] | None:
        """The rule for skipping, for the step and for the run plan alike: the output is
        there, every slice asked for was last built (and finished) from ``print_``, and
        every check has a result recorded for that build. Returns those results, or None
        when the asset must be built."""
        if not (exists(step) and builds.is_unchanged(step.con, step.context, key, print_,
                                                     step.slices)):
            return None
        stored = stored_checks(step) if stored_checks else {}
        return stored if check_names <= set(stored) else None

    if content_state is None:
        # Tables kept incrementally (ledger, raw) run to find what is new: they cannot be
        # known unchanged before their step runs.
        def unchanged_before_run(con: duckdb.DuckDBPyConnection, pipeline: PipelineSettings,
                                 slices: list[int] | None, graph) -> bool:
            if gated and quality_gate.gate_problems(
                    quality_gate.upstream_verdicts(con, gate_tables_in(graph, key))):
                return False  # the step must run, to fail with the gate's reasons
            step = Build(None, con, pipeline, slices if partitioned else None)
            print_ = fingerprint_of(step, graph.assets_def_for_key(key).dependency_keys)
            return stored_when_unchanged(step, print_) is not None

        _UNCHANGED_BEFORE_RUN[key] = unchanged_before_run
    else:
        def as_recorded(con: duckdb.DuckDBPyConnection, pipeline: PipelineSettings,
                        instance) -> bool:
            # The step records its content last, after loading and pruning: a step that
            # stopped before that left a content that differs from the one recorded.
            step = Build(None, con, pipeline, None)
            return exists(step) and builds.is_unchanged(con, None, key, content_state(step),
                                                        None)

        _AS_LAST_LOADED[key] = as_recorded

    def decorate(body: Callable[[Build], dict | None]):
        @asset(key=key, group_name=group, kinds=set(kinds), deps=list(deps),
               description=description, check_specs=list(check_specs) or None,
               partitions_def=FISCAL_YEARS if partitioned else None,
               backfill_policy=SINGLE_RUN, code_version=code, metadata=metadata,
               op_tags={step_threads.IMPORTS_TAG: ",".join(imports)} if imports else None)
        def incremental(context: AssetExecutionContext, warehouse: P3dnWarehouse,
                        pipeline: PipelineSettings) -> MaterializeResult:
            with warehouse.session() as con:
                gate = []
                if gated:
                    # First of all: a mart over failed data is refused whatever it was
                    # asked for.
                    gate = [quality_gate.assert_upstream_passed(con, gate_tables(context),
                                                                key)]
                step = Build(context, con, pipeline,
                             [int(k) for k in context.partition_keys] if partitioned else None)
                if content_state is not None:
                    extra = body(step) or {}
                    with transaction(con):
                        # Keyed on content alone: a raw table is never rewritten by a code
                        # change (its rows are the files as delivered), so nor is its build.
                        changed = builds.record_content(con, key, content_state(step))
                    return _result(step, {**describe(step), **extra, "rebuilt": changed}, [])
                print_ = fingerprint_of(step, builds.dependency_keys(context))
                stored = stored_when_unchanged(step, print_)
                if stored is not None:
                    context.log.info(f"{key.to_user_string()}: inputs unchanged since its "
                                     "last build; nothing rewritten.")
                    step.previous_build_id = builds.build_id_of(con, key)
                    return _result(step, {**describe(step), "rebuilt": False},
                                   [stored[spec.name] for spec in check_specs
                                    if spec.name in check_names] + gate, sliced_table)
                if transactional:
                    with transaction(con):
                        extra = body(step) or {}
                        build_id = builds.begin_build(con, key, step.slices, step.build_id)
                else:
                    extra = body(step) or {}
                    with transaction(con):
                        build_id = builds.begin_build(con, key, step.slices, step.build_id)
                checked = check(step) if check else None
                with transaction(con):
                    if checked:
                        checked.record(con, build_id)
                    # Finished only once checked: a crash before this leaves the build
                    # unfinished, so the gate holds and the next run builds it again.
                    builds.finish_build(con, key, build_id, print_)
                described = {**describe(step), **extra, **(checked.metadata if checked else {}),
                             "rebuilt": True}
                return _result(step, described,
                               (checked.results if checked else []) + gate, sliced_table)

        return incremental

    return decorate


def _result(step: Build, metadata: dict, check_results: list,
            sliced_table: tuple[str, str] | None = None) -> MaterializeResult:
    if sliced_table is not None:
        asked = [int(k) for k in step.context.partition_keys]
        for year, rows in rows_per_year(step.con, *sliced_table, asked).items():
            step.context.add_asset_metadata({"dagster/row_count": MetadataValue.int(rows)},
                                            partition_key=str(year))
    build_id = builds.build_id_of(step.con, step.context.asset_key)
    return MaterializeResult(metadata=metadata, check_results=check_results or None,
                             data_version=DataVersion(build_id) if build_id else None)


def gate_tables(context: AssetExecutionContext) -> list[str]:
    """Checked staging tables upstream of this asset, found in the asset graph: the tables
    whose failed ERROR checks stop it."""
    # The job's asset graph holds every asset of the code location (or of a materialize()
    # call), selected or not.
    return gate_tables_in(context.job_def.asset_layer.asset_graph, context.asset_key)


def gate_tables_in(graph, key: AssetKey) -> list[str]:
    """gate_tables, from an asset graph (the run plan has no step context)."""
    tables = []
    for ancestor in graph.get_ancestor_asset_keys(key):
        checked = graph.get(ancestor).metadata.get(CHECKED_TABLE_METADATA)
        if checked is not None:
            tables.append(checked.value if hasattr(checked, "value") else str(checked))
    return sorted(tables)


def build_file_ledger_asset():
    def inventory(step: Build) -> dict:
        summary = ledger.take_inventory(step.con, step.pipeline.landing_path, builds.utc_now(),
                                        **ledger.inventory_options(step.context.run.tags))
        for rejected in summary.rejected:
            step.context.log.error(f"Rejected: {rejected['reason']}")
        for warning in summary.warnings:
            step.context.log.warning(warning)
        return {
            "files_in_landing": summary.files_on_disk,
            "new_file_versions": summary.new_versions,
            "rejected_files": MetadataValue.md(
                "\n".join(f"- {r['reason']}" for r in summary.rejected) or "none"),
            "removed_files": len(summary.removed),
        }

    return incremental_asset(
        key=FILE_LEDGER_KEY, group="raw", deps=[], own_code=[],
        description=(
            "Every file version seen in the landing folder: sha256, size, recognised dataset, "
            "and status (pending, loaded, rejected with a reason, superseded, removed). For "
            "data engineers on call: the first place to look when a figure seems stale. "
            "Grain: one row per path x sha256."),
        exists=lambda step: table_exists(step.con, ledger.LEDGER_TABLE),
        describe=lambda step: table_metadata(step.con, ledger.LEDGER_TABLE),
        content_state=lambda step: ledger.versions_state(step.con),
    )(inventory)


def build_raw_asset(source: Source, dataset: Dataset):
    staged = next(s for s in source.staged if s.dataset == dataset)

    def load(step: Build) -> dict:
        summary = ledger.load_pending(step.con, dataset, step.pipeline.landing_path,
                                      builds.utc_now())
        for rejected in summary.rejected:
            step.context.log.error(f"Rejected: {rejected['reason']}")
        for held in summary.held:
            step.context.log.error(f"Held back: {held['reason']}")
        for loaded in summary.loaded:
            sheets = ""
            if loaded["sheets_read"]:
                sheets = f" (sheets read: {', '.join(loaded['sheets_read'])}"
                sheets += (f"; not read: {', '.join(loaded['sheets_skipped'])})"
                           if loaded["sheets_skipped"] else ")")
            step.context.log.info(f"Loaded {loaded['rows']} rows from {loaded['path']}{sheets}")
        # Files of this dataset whose fields changed (added, missing, renamed): they load when
        # their required fields are there, and the run says so.
        drifted = step.con.execute(
            f"SELECT path, schema_drift FROM {ledger.LEDGER_TABLE} WHERE dataset = $d "
            "AND status = 'loaded' AND schema_drift IS NOT NULL ORDER BY path",
            {"d": dataset.name}).fetchall()
        for path, drift in drifted:
            step.context.log.warning(f"Fields changed in {path}: {drift}")
        years = {}
        if staged.year_column:
            added = fiscal_years.register(step.context.instance, step.con, source, staged)
            if added:
                step.context.log.info(f"New fiscal year(s) with data: "
                                      f"{', '.join(map(str, added))}")
            years = {"fiscal_years": ", ".join(map(str, fiscal_years.seen(step.con,
                                                                         dataset.name)))}
        return {**years,
            "files_loaded_this_run": len(summary.loaded),
            "rows_loaded_this_run": sum(item["rows"] for item in summary.loaded),
            "files_rejected_this_run": len(summary.rejected),
            "rows_removed_this_run": summary.rows_deleted,
            "schema_drift": MetadataValue.md("\n".join(
                f"- {path}: {drift}" for path, drift in drifted) or "none"),
            **({"sheets_this_run": MetadataValue.md("\n".join(
                f"- {item['path']}: read {', '.join(item['sheets_read'])}; not read: "
                f"{', '.join(item['sheets_skipped']) or 'none'}"
                for item in summary.loaded if item["sheets_read"]))}
               if any(item["sheets_read"] for item in summary.loaded) else {}),
        }

    key = AssetKey(["raw", dataset.name])
    raw_asset = incremental_asset(
        key=key, group="raw", deps=[FILE_LEDGER_KEY],
        own_code=builds.folder_modules(source.folder),
        description=(
            f"{dataset.title}, every field as delivered (text), plus source file, sheet, row, "
            f"file sha256 and load time; personal identifiers only as keyed hashes. "
            f"Grain: {dataset.grain}. Files already loaded with the same sha256 are skipped."),
        exists=lambda step: table_exists(step.con, dataset.raw_table),
        describe=lambda step: table_metadata(step.con, dataset.raw_table),
        # Downstream builds key on this: a new build id only when the loaded file versions
        # (hence the raw rows) changed.
        content_state=lambda step: ledger.loaded_versions_state(step.con, dataset.name),
    )(load)
    if staged.year_column:
        content_as_recorded = _AS_LAST_LOADED[key]

        def as_recorded_with_years(con: duckdb.DuckDBPyConnection, pipeline: PipelineSettings,
                                   instance) -> bool:
            return (content_as_recorded(con, pipeline, instance)
                    and fiscal_years.registered_as_counted(instance, con, dataset.name))

        _AS_LAST_LOADED[key] = as_recorded_with_years
    return raw_asset


def build_staging_asset(source: Source, staged: Staged):
    """Typed table plus quarantine, then its quality rules as asset checks.

    With a year column the asset is partitioned by fiscal year and a run replaces only the
    slices of its years. A failed ERROR rule, or unaccounted rows, stop every table computed
    from this one until the data is fixed (quality_gate).
    """
    dataset, year_column, rules = staged.dataset, staged.year_column, staged.rules
    sql_file = source.staging_sql(staged)
    contract.check_staging_sql(source, staged)
    template = staging_split_sql(staged)
    asset_key = AssetKey(["staging", dataset.name])
    table_name = staged.table
    # ERROR checks block through the quality gate of every mart (quality_gate), which holds
    # within a run and across runs. Dagster's own per-run blocking is left off: it would also
    # skip marts.data_quality, the table that explains the failure to BI users.
    specs = [
        *(AssetCheckSpec(rule.name, asset=asset_key, description=f"[{rule.severity}] "
                         f"{rule.description}"
                         + (f" {ERROR_STOPS_MARTS}" if rule.severity == "ERROR" else
                            " (Reported, never stops a figure.)"))
          for rule in rules),
        AssetCheckSpec(quality_gate.ROWS_ACCOUNTED_FOR, asset=asset_key,
                       description="[ERROR] Per file: raw rows = staged rows + quarantined "
                                   f"rows. {ERROR_STOPS_MARTS}"),
    ]
    sql_text = sql_file.read_text(encoding="utf-8")
    upstream = [AssetKey(["raw", dataset.name])] + [
        AssetKey([schema, table]) for schema, table in tables_read(sql_text)
        if (schema, table) != ("raw", dataset.name)
    ] + [AssetKey(table.split(".")) for table in rule_tables(rules)]

    def split(step: Build) -> None:
        execute_all(step.con, template, {"tahun": step.slices or [],
                                         "semua_tahun": plausible_fiscal_years()})

    def build(step: Build) -> dict:
        # Validated next: GX is imported while DuckDB runs the SQL. Nothing but DuckDB may
        # run meanwhile (importing_gx_meanwhile), so a change of shape is acted on after it.
        with importing_gx_meanwhile():
            execute_all(step.con, sql_text, {"kd_klpd": step.pipeline.kd_klpd})
            reshaped = bool(year_column) and _shape_changed(step.con, dataset.name)
            if not reshaped:
                split(step)
        if reshaped:
            step.slices = _rebuild_every_year(step.context, step.con, dataset.name,
                                              step.slices)
            split(step)
        quarantined = step.con.execute(
            f"SELECT count(*), count(DISTINCT (_source_file, _source_sheet, _source_row)) "
            f"FROM quarantine.{dataset.name}").fetchall()[0]
        return {"quarantined_rows": quarantined[1], "quarantine_findings": quarantined[0]}

    def checks(step: Build) -> Checked:
        # Validation reads the committed table through cursors of this connection.
        return _suite_checks(step, table_name, asset_key, rules,
                             accounting=quality_gate.rows_accounted_for(
                                 step.con, dataset.name, asset_key, year_column=year_column,
                                 years=step.slices or []))

    return incremental_asset(
        key=asset_key, group="staging", deps=_unique(upstream),
        own_code=[sql_file, *builds.folder_modules(source.folder)], imports=GX_MODULES,
        description=(
            f"{dataset.title}: trimmed, typed, codes normalised, Indonesian numbers and dates "
            f"parsed. Rows breaking a hard rule, and older copies of a duplicated "
            f"{' + '.join(staged.key)}, are in quarantine.{dataset.name} with file, row, "
            f"column, rule and value. Grain: {dataset.grain}."
            + (f" Partitioned by fiscal year ({year_column})." if year_column else "")),
        params=lambda step: [template, step.pipeline.kd_klpd, repr(list(rules))],
        exists=lambda step: table_exists(step.con, table_name),
        describe=lambda step: {
            **table_metadata(step.con, table_name, year_column=year_column, years=step.slices),
            **quarantine_metadata(step.con, dataset.name)},
        check=checks,
        stored_checks=lambda step: quality_gate.stored_results(step.con, table_name,
                                                               asset_key),
        check_specs=specs,
        partitioned=bool(year_column),
        sliced_table=(table_name, year_column) if year_column else None,
        metadata={CHECKED_TABLE_METADATA: table_name},
    )(build)


def staging_split_sql(staged: Staged) -> str:
    """The second half of a staging build: the typed rows split into staging.<dataset> and
    quarantine.<dataset> (by fiscal year when the table has one)."""
    dataset, year_column = staged.dataset, staged.year_column
    template_file = _SPLIT_STAGING_BY_YEAR_SQL if year_column else _SPLIT_STAGING_SQL
    template = template_file.read_text(encoding="utf-8").format(
        name=dataset.name, typed=f"typed_{dataset.name}", key=", ".join(staged.key),
        key_label=" + ".join(staged.key),
        recency=f"{staged.recency}," if staged.recency else "", year=year_column,
    )
    if staged.snapshot_date:
        if not year_column:
            raise ValueError(f"{dataset.name}: snapshot_date needs a year_column")
        template = _REPLACE_OLDER_EXPORTS_SQL.read_text(encoding="utf-8").format(
            typed=f"typed_{dataset.name}", year=year_column,
            export_date=staged.snapshot_date) + "\n" + template
    return template


def stage_every_year(con: duckdb.DuckDBPyConnection, source: Source, staged: Staged,
                     kd_klpd: str) -> None:
    """The SQL of a staging build for every plausible fiscal year, outside Dagster: what
    tests run to stage freshly loaded raw rows quickly (the asset runs the same two parts)."""
    execute_all(con, source.staging_sql(staged).read_text(encoding="utf-8"),
                {"kd_klpd": kd_klpd})
    years = plausible_fiscal_years()
    execute_all(con, staging_split_sql(staged), {"tahun": years, "semua_tahun": years})


def _unique(keys: Sequence[AssetKey]) -> list[AssetKey]:
    return list(dict.fromkeys(keys))


def _shape_changed(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether a changed SQL file changed the table's columns (or its quarantine's): its old
    slices cannot be kept beside new ones."""
    if not table_exists(con, f"staging.{name}"):
        return False
    existing = [r[0] for r in con.execute(f"DESCRIBE staging.{name}").fetchall()]
    new = [r[0] for r in con.execute(f"DESCRIBE typed_{name}").fetchall()
           if r[0] != "problems"]
    return existing != new or not _has_current_quarantine_columns(con, f"quarantine.{name}")


def _rebuild_every_year(context: AssetExecutionContext, con: duckdb.DuckDBPyConnection,
                        name: str, years: list[int]) -> list[int]:
    """The table of a changed shape dropped, to be rebuilt for every year in this run."""
    context.log.warning(f"staging.{name} changed shape: rebuilding every fiscal year")
    con.execute(f"DROP TABLE staging.{name}").fetchall()
    con.execute(f"DROP TABLE IF EXISTS quarantine.{name}").fetchall()
    return sorted({*years, *registered_fiscal_years(context.instance)})


def _has_current_quarantine_columns(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return table_exists(con, table) and {"partisi", "_source_sheet"} <= {
        r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()}


def source_assets(source: Source) -> list:
    """Everything a source folder declares, as assets: raw and staging per dataset, and a
    derived staging table per other ``sql/staging_<table>.sql``."""
    assets = []
    for staged in source.staged:
        assets += [build_raw_asset(source, staged.dataset), build_staging_asset(source, staged)]
    for sql_file in source.derived_sql():
        table = sql_file.stem.removeprefix("staging_")
        assets.append(build_sql_asset(key=["staging", table], sql_file=sql_file,
                                      own_code=builds.folder_modules(source.folder)))
    return assets


def build_sql_asset(*, key: Sequence[str], sql_file: Path, description: str | None = None,
                    params: dict | None = None, preview: bool = False,
                    own_code: Sequence[Path] = ()):
    """A table built by one SQL file from other tables (derived staging, reference, marts).

    Its upstream assets are the tables its SQL reads. It is not built while a checked
    staging table upstream failed an ERROR check (see quality_gate). When the SQL builds
    ``hasil_<table>``, the asset is partitioned by fiscal year and a run replaces only its
    years' slices of the table; COMMENT statements run after that. Its description is the
    comment the SQL file starts with, unless given.
    """
    schema, table = key
    asset_key = AssetKey(list(key))
    sql_text = sql_file.read_text(encoding="utf-8")
    statements = split_statements(sql_text)
    body_sql = [st for st in statements if not _is_comment_statement(st)]
    comments = [st for st in statements if _is_comment_statement(st)]
    year_sliced = re.search(rf"\bhasil_{table}\b", sql_text) is not None
    deps = [AssetKey([s, t]) for s, t in tables_read(sql_text) if (s, t) != (schema, table)]
    file_params = {name: Path(value) for name, value in (params or {}).items()
                   if isinstance(value, str) and Path(value).is_file()}

    # Plausibility rules across rows, in the mart's stored suite next to its SQL
    # (<folder>/expectations/<table>.json): WARN checks on the mart, never blocking.
    suite_file = sql_file.parent.parent / "expectations" / f"{table}.json"
    rules = load_suite(suite_file) if suite_file.is_file() else ()
    blocking = [rule.name for rule in rules if rule.severity != "WARN"]
    if blocking:
        raise ValueError(f"{suite_file}: a mart's plausibility rules are WARN, not {blocking}")
    specs = [AssetCheckSpec(rule.name, asset=asset_key,
                            description=f"[WARN] {rule.description} (Reported, never stops a "
                                        "figure.)") for rule in rules]

    def build(step: Build) -> None:
        # Validated next when it has a suite: GX is imported while DuckDB runs the SQL.
        with importing_gx_meanwhile() if rules else nullcontext():
            execute_all(step.con, ";\n".join(body_sql), params)
        if year_sliced:
            step.slices = _replace_year_slices(step.context, step.con, f"{schema}.{table}",
                                               f"hasil_{table}", FISCAL_YEAR_COLUMN,
                                               step.slices)
        execute_all(step.con, ";\n".join(comments))

    return incremental_asset(
        key=asset_key, group=schema, deps=deps,
        own_code=[sql_file, *own_code, *file_params.values()],
        imports=GX_MODULES if rules else (),
        description=description or leading_comment(sql_text),
        params=lambda step: {k: v for k, v in (params or {}).items() if k not in file_params},
        exists=lambda step: table_exists(step.con, f"{schema}.{table}"),
        describe=lambda step: table_metadata(
            step.con, f"{schema}.{table}", preview=preview,
            year_column=FISCAL_YEAR_COLUMN if year_sliced else None, years=step.slices),
        partitioned=year_sliced,
        sliced_table=(f"{schema}.{table}", FISCAL_YEAR_COLUMN) if year_sliced else None,
        gated=True,
        check=(lambda step: _suite_checks(step, f"{schema}.{table}", asset_key, rules))
        if rules else None,
        stored_checks=(lambda step: quality_gate.stored_results(step.con, f"{schema}.{table}",
                                                                asset_key)) if rules else None,
        check_specs=specs,
    )(build)


def _suite_checks(step: Build, table_name: str, asset_key: AssetKey, rules: Sequence,
                  accounting: AssetCheckResult | None = None) -> Checked:
    """Validate a table against its suite with GX. Each check links GX's validation result,
    kept beside the warehouse, and its Data Docs page (rendered by the next publish of the
    dashboard, lib/data_docs.py); results are recorded with the build (quality_gate)."""
    validation = validate_suite(step.con, table_name, list(rules), suite_name=table_name)
    kept = gx_results.keep_validation(step.con, table_name, validation)
    page = data_docs.validation_page(kept.parents[3], table_name, kept)
    results = to_asset_check_results(
        validation.results, asset_key=asset_key,
        metadata={"gx_validation_result": MetadataValue.path(str(kept)),
                  "data_docs_page": MetadataValue.path(str(page))})
    if accounting is not None:
        results.append(accounting)

    def record(con: duckdb.DuckDBPyConnection, build_id: str) -> None:
        quality_gate.record_results(con, table_name, asset_key, build_id, validation.results,
                                    accounting, builds.utc_now(), emitted=results)

    return Checked(results, record)


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
            years = sorted({*years, *registered_fiscal_years(context.instance)})
    con.execute(f"CREATE TABLE IF NOT EXISTS {target} AS SELECT * FROM {result} LIMIT 0"
                ).fetchall()
    con.execute(f"DELETE FROM {target} WHERE list_contains($years, {year_column})",
                {"years": years}).fetchall()
    # In the order the SQL gave them (DuckDB keeps insertion order). A sort here on every
    # column re-sorted what the SQL had sorted: 45 s of 11 million package rows spilled under
    # a 1.5 GB limit, twice what the insert itself costs.
    con.execute(f"INSERT INTO {target} SELECT * FROM {result} "
                f"WHERE list_contains($years, {year_column})",
                {"years": years}).fetchall()
    return years
