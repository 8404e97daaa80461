"""What BI tools and people read: the serving DuckDB file (with the headline history), the
Parquet exports and the offline dashboard. Nothing here ever writes into a file a reader may
have open: every output is built under a temporary name and renamed into place."""

import datetime as dt
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import duckdb
from dagster import (
    AssetExecutionContext,
    AssetKey,
    Definitions,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
)

from p3dn_pipeline.defs.marts.assets import assets as mart_assets
from p3dn_pipeline.defs.publish.dashboard import render_dashboard, write_atomically
from p3dn_pipeline.defs.publish.parquet import MANIFEST_NAME, export_parquet
from p3dn_pipeline.defs.publish.serving import (
    ServingFileError,
    build_serving_file,
    new_publish_id,
    read_serving,
    remove_abandoned,
)
from p3dn_pipeline.lib import data_docs
from p3dn_pipeline.lib.factories import Build, incremental_asset
from p3dn_pipeline.lib.quality import GX_MODULES
from p3dn_pipeline.lib.resources import LOADED_BY_TAG, P3dnWarehouse
from p3dn_pipeline.lib.warehouse import run_sql_file, transaction
from p3dn_pipeline.run_summary import as_markdown, as_text, summary_sections
from p3dn_pipeline.settings import load_settings

SQL = Path(__file__).parent / "sql"
# What a publish is made by: this package's code, SQL and page template.
PUBLISH_CODE = Path(__file__).parent
SERVING_FILE_KEY = AssetKey(["publish", "serving_file"])
SNAPSHOT_TABLE = "marts.p3dn_snapshot"
# Every mart, data_quality included: a new mart is published without touching this file.
MART_KEYS = [key for mart in mart_assets for key in mart.keys]


def _now() -> dt.datetime:
    """Naive UTC, as every other time in the warehouse."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _table(headers: list[str], rows: list[list]) -> MetadataValue:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return MetadataValue.md("\n".join(lines))


def _published_snapshot_ids(serving_path: Path) -> list[str] | None:
    """Snapshot ids in the current serving file; None when there is none to go by."""
    if not serving_path.exists():
        return None
    try:
        with read_serving(serving_path) as reader:
            return [row[0] for row in reader.execute(
                "SELECT DISTINCT snapshot_id FROM p3dn_snapshot").fetchall()]
    except duckdb.Error:
        return None


def publish_asset(*, key: AssetKey, kinds: set[str], deps, output: Callable[[], Path],
                  settings_parts: Callable[[], list] = list, description: str,
                  imports: Sequence[str] = ()):
    """A published file: rewritten only when a mart it is made from, its code or its place
    changed (rewriting it would only add a snapshot and a file time that say nothing new)."""
    return incremental_asset(
        key=key, group="publish", kinds=frozenset(kinds), deps=deps, own_code=[PUBLISH_CODE],
        description=description,
        params=lambda step: [str(part) for part in (output(), *settings_parts())],
        exists=lambda step: output().exists(),
        describe=lambda step: {"path": MetadataValue.path(str(output())),
                               **({"publish_id": step.previous_build_id}
                                  if step.previous_build_id else {})},
        # Files are renamed into place; the warehouse writes have their own transactions.
        transactional=False, imports=imports,
    )


def _serving_file(step: Build) -> dict:
    settings = load_settings()
    con, context = step.con, step.context
    publish_id, now = new_publish_id(), _now()
    published_ids = _published_snapshot_ids(settings.serving_path)
    with transaction(con):
        run_sql_file(con, SQL / "p3dn_snapshot.sql",
                     {"snapshot_id": publish_id, "diambil_pada": now})
        if published_ids is not None:
            # A publish killed after recording its snapshot never shipped it: the
            # history keeps only snapshots the serving file actually carries.
            con.execute(
                f"DELETE FROM {SNAPSHOT_TABLE} WHERE snapshot_id <> $new "
                "AND NOT list_contains($published, snapshot_id)",
                {"new": publish_id, "published": published_ids}).fetchall()
    try:
        abandoned = remove_abandoned(settings.serving_path, now)
        published, stale_logs = build_serving_file(
            con, settings.serving_path, publish_id=publish_id,
            storage_version=settings.serving_storage_version)
    except BaseException as error:
        # The history holds published snapshots only.
        with transaction(con):
            con.execute(f"DELETE FROM {SNAPSHOT_TABLE} WHERE snapshot_id = $id",
                        {"id": publish_id}).fetchall()
        if isinstance(error, ServingFileError):
            raise Failure(description=str(error)) from error
        raise
    snapshots = con.execute(
        f"SELECT count(DISTINCT snapshot_id) FROM {SNAPSHOT_TABLE}").fetchall()[0][0]
    # The build id is the publish id, so the serving file names the build.
    step.build_id = publish_id
    for name in abandoned:
        context.log.warning(f"Removed {name}, left by a publish that did not finish.")
    for name in stale_logs:
        context.log.warning(
            f"Removed {name}: a read-write session on the old serving file ended without "
            "closing it. BI tools must open the serving file read-only.")
    from p3dn_pipeline.status import change_lines

    return {
        "publish_id": publish_id,
        # Why a headline moved: exports removed or replaced since the previous publish.
        "changed_since_previous_publish": MetadataValue.md(
            "\n".join(f"- {line}" for line in change_lines(con))),
        "storage_version": settings.serving_storage_version,
        "snapshots_in_history": snapshots,
        "tables": _table(["table", "rows", "columns"],
                         [[f"marts.{t.name}", t.rows, t.columns] for t in published]),
        "dagster/row_count": MetadataValue.int(sum(t.rows for t in published)),
        "size_bytes": settings.serving_path.stat().st_size,
    }


serving_file = publish_asset(
    key=SERVING_FILE_KEY, kinds={"duckdb"}, deps=MART_KEYS, output=lambda: load_settings().serving_path,
    settings_parts=lambda: [load_settings().serving_storage_version],
    description=(
        "The DuckDB file BI tools open read-only (P3DN_SERVING, default "
        "data/warehouse/marts.duckdb): every marts table with its table and column comments, "
        "plus marts.p3dn_snapshot, the headline at every publish. Built as a new file beside "
        "the old one and swapped in atomically, so a BI tool holding the old file never blocks "
        "the pipeline and never sees half a publish. Grain: one file per publish."),
)(_serving_file)


def _serving_publish(con: duckdb.DuckDBPyConnection) -> dict:
    """The publish the serving file holds, as the build ledger recorded it (its build id is
    the publish id, see _serving_file)."""
    publish_id, built_at = con.execute(
        "SELECT build_id, CAST(built_at AS VARCHAR) FROM quality.builds WHERE asset_key = $k "
        "ORDER BY built_at DESC LIMIT 1", {"k": SERVING_FILE_KEY.to_user_string()}).fetchall()[0]
    return {"publish_id": publish_id, "published_at": built_at[:19]}


def _parquet(step: Build) -> dict:
    settings = load_settings()
    try:
        exported = export_parquet(settings.serving_path, settings.parquet_dir, new_publish_id(),
                                  **_serving_publish(step.con))
    except ServingFileError as error:
        raise Failure(description=str(error)) from error
    manifest_path = settings.parquet_dir / MANIFEST_NAME
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    return {
        # The serving file's publish: in every file's Parquet metadata and in the manifest.
        "serving_publish_id": manifest["publish_id"],
        "manifest": MetadataValue.path(str(manifest_path)),
        "files": _table(["file", "rows"], [[f.path.name, f.rows] for f in exported]),
        "dagster/row_count": MetadataValue.int(sum(f.rows for f in exported)),
    }


parquet = publish_asset(
    key=AssetKey(["publish", "parquet"]), kinds={"parquet"}, deps=[SERVING_FILE_KEY],
    output=lambda: load_settings().parquet_dir,
    description=(
        "Every table of the serving file as <table>.parquet in P3DN_PARQUET_DIR (default "
        "data/warehouse/parquet), for Power BI, Excel Power Query and other file readers; each "
        "file written under a temporary name and renamed, and carrying the serving file's "
        "publish id in its Parquet metadata (p3dn_publish_id); manifest.json, written last, "
        "lists the publish's files with rows and sha256, so a refresh during a publish can "
        "tell it mixed two. Grain: one file per mart."),
)(_parquet)


def _dashboard(step: Build) -> dict:
    settings = load_settings()
    # The staging tables' Data Docs, rebuilt from the kept suites and validation results
    # beside the warehouse, linked from the page's data-quality section.
    docs_index = data_docs.build_data_docs(settings.warehouse_path.parent)
    docs_href = Path(os.path.relpath(docs_index, settings.dashboard_path.parent)).as_posix()
    try:
        with read_serving(settings.serving_path) as con:
            page = render_dashboard(con, _now(), docs_href)
    except ServingFileError as error:
        raise Failure(description=str(error)) from error
    write_atomically(settings.dashboard_path, page, new_publish_id())
    return {
        "charts": page.count('<svg class="grafik"'),
        "figures_shown": page.count(" data-kpi="),
        "size_bytes": settings.dashboard_path.stat().st_size,
        "data_docs": MetadataValue.path(str(docs_index)),
    }


dashboard = publish_asset(
    key=AssetKey(["publish", "dashboard"]), kinds={"html"}, deps=[SERVING_FILE_KEY],
    output=lambda: load_settings().dashboard_path, imports=GX_MODULES,  # its Data Docs
    description=(
        "One static, offline HTML page (P3DN_DASHBOARD, default data/warehouse/dashboard.html) "
        "for Dinas PPKUKM, Dinas KPKP and the leadership: the P3DN headline with its basis, "
        "realisasi vs komitmen per SKPD against the targets, the headline's trend over "
        "snapshots, mentored UMKM per quarter by kota and sector with production and turnover, "
        "and mentored UMKM on e-katalog. Read from the serving file. Grain: one page per "
        "publish."),
)(_dashboard)

RUN_SUMMARY_KEY = AssetKey(["publish", "run_summary"])


def run_started_at(instance, run_id: str) -> dt.datetime:
    """When a run started, naive UTC."""
    record = instance.get_run_record_by_id(run_id)
    started = (record.start_time or record.create_timestamp.timestamp()) if record else None
    return (dt.datetime.fromtimestamp(started, dt.UTC).replace(tzinfo=None) if started
            else _now())


@asset(key=RUN_SUMMARY_KEY, group_name="publish", kinds={"duckdb"},
       deps=[SERVING_FILE_KEY, AssetKey(["publish", "parquet"]),
             AssetKey(["publish", "dashboard"])],
       description=(
           "What this run did, for whoever reads the run in the UI: files loaded / unchanged "
           "/ rejected (with the reason) / held back / removed, rows quarantined per dataset "
           "with the top rules, realisation without a SiRUP package, failing checks, how the "
           "headline moved since the previous publish and which export caused it, and where "
           "the serving file, Parquet and dashboard are. p3dn run prints the same text. "
           "Writes nothing; a refresh_all started by a load counts from the load run's start."))
def run_summary(context: AssetExecutionContext, warehouse: P3dnWarehouse) -> MaterializeResult:
    settings = load_settings()
    loaded_by = context.run.tags.get(LOADED_BY_TAG)
    since = run_started_at(context.instance, loaded_by or context.run_id)
    with warehouse.session() as con:
        sections = summary_sections(con, since, serving=settings.serving_path,
                                    parquet_dir=settings.parquet_dir,
                                    dashboard=settings.dashboard_path)
    return MaterializeResult(metadata={
        "summary": MetadataValue.md(as_markdown(sections)),
        "summary_text": MetadataValue.text(as_text(sections)),
        # It reads the warehouse and writes nothing: no table or file is ever rewritten here.
        "rebuilt": False,
        "counted_from": MetadataValue.text(f"{since:%Y-%m-%d %H:%M:%S} UTC"
                                           + (f" (start of load run {loaded_by})"
                                              if loaded_by else " (start of this run)")),
    })


assets = [serving_file, parquet, dashboard, run_summary]
defs = Definitions(assets=assets)
