"""The run plan (lib/run_plan.py) leaves out nothing when it cannot read the warehouse: the
steps then decide for themselves, as before there was a plan. And it says why. A mart is left
out only when materialized since the window for its next freshness deadline opened."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from zoneinfo import ZoneInfo

import duckdb
import pytest

from p3dn_pipeline.lib import run_plan
from p3dn_pipeline.lib.resources import PipelineSettings


@pytest.fixture
def refresh_graph():
    from p3dn_pipeline.definitions import defs
    from p3dn_pipeline.defs.automation import after_load_selection

    job = defs.resolve_job_def("refresh_all")
    return job.asset_layer.asset_graph, after_load_selection(job)


def plan(graph, candidates, warehouse):
    return run_plan.unchanged_assets(graph, candidates, [2025], warehouse,
                                     PipelineSettings(landing_dir="/nowhere", kd_klpd="DKI"))


def test_no_warehouse_yet_leaves_out_nothing(refresh_graph, tmp_path):
    left_out = plan(*refresh_graph, tmp_path / "p3dn.duckdb")
    assert left_out.keys == frozenset()
    assert left_out.summary() == "Every step runs: no warehouse yet."
    assert not (tmp_path / "p3dn.duckdb").exists()  # reading it created nothing


def test_a_warehouse_another_process_writes_leaves_out_nothing(refresh_graph, tmp_path):
    warehouse = tmp_path / "p3dn.duckdb"
    duckdb.connect(str(warehouse)).close()
    # Another process holds the file for writing (a run, a notebook): DuckDB's file lock
    # refuses even a read-only connection here.
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys; con = duckdb.connect(sys.argv[1]); "
                               "print('holding', flush=True); sys.stdin.read()", str(warehouse)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        left_out = plan(*refresh_graph, warehouse)
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    assert left_out.keys == frozenset()
    assert left_out.summary().startswith(
        "Every step runs: the warehouse could not be read before the run (")


def test_a_warehouse_without_bookkeeping_leaves_out_nothing(refresh_graph, tmp_path):
    # An empty warehouse (no quality.builds): every probe fails on the missing table, and
    # each step will create it and build.
    warehouse = tmp_path / "p3dn.duckdb"
    duckdb.connect(str(warehouse)).close()
    left_out = plan(*refresh_graph, warehouse)
    assert left_out.keys == frozenset()
    assert left_out.summary() == (
        "Every step runs: no asset the plan may leave out is unchanged since its last build "
        "and materialized for its next freshness deadline.")


WIB = ZoneInfo("Asia/Jakarta")


@pytest.mark.parametrize(("now", "window_opened"), [
    # Before 06:00 WIB the window that meets today's 08:00 deadline has not opened: a mart
    # materialized since yesterday's 06:00 may be left out.
    ("2025-07-01 05:59", "2025-06-30 06:00"),
    ("2025-07-01 06:00", "2025-07-01 06:00"),
    ("2025-07-01 07:30", "2025-07-01 06:00"),
    ("2025-07-01 23:59", "2025-07-01 06:00"),
])
def test_the_marts_window_opens_at_the_latest_0600_wib(now, window_opened):
    from p3dn_pipeline.defs.automation import mart_window_start

    at = dt.datetime.fromisoformat(now).replace(tzinfo=WIB)
    assert mart_window_start(at) == dt.datetime.fromisoformat(window_opened).replace(
        tzinfo=WIB)
    # The same instant given in UTC (the plan's clock) opens the same window.
    assert mart_window_start(at.astimezone(dt.UTC)) == mart_window_start(at)


def test_a_materialization_since_the_window_opened_is_fresh_at_the_next_deadline():
    """The plan's window agrees with the freshness rule Dagster and p3dn status apply."""
    from p3dn_pipeline.defs.automation import mart_freshness, mart_window_start

    now = dt.datetime(2025, 7, 1, 7, 30, tzinfo=WIB)
    opened = mart_window_start(now)
    next_deadline = dt.datetime(2025, 7, 1, 8, 0, tzinfo=WIB)
    assert mart_freshness(opened, next_deadline).fresh
    assert not mart_freshness(opened - dt.timedelta(seconds=1), next_deadline).fresh


def test_materialized_since_asks_for_every_fiscal_year_of_a_partitioned_asset():
    from dagster import AssetKey, AssetMaterialization, DagsterInstance

    key = AssetKey(["marts", "contoh"])
    with DagsterInstance.ephemeral() as instance:
        before = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
        instance.report_runless_asset_event(AssetMaterialization(key, partition="2025"))
        after = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)

        assert run_plan.materialized_since(instance, key, True, [2025], before)
        assert not run_plan.materialized_since(instance, key, True, [2024, 2025], before)
        assert not run_plan.materialized_since(instance, key, True, [2025], after)
        # Unpartitioned: the asset's own materializations (none without a partition here).
        assert not run_plan.materialized_since(instance, key, False, [2025], before)
        instance.report_runless_asset_event(AssetMaterialization(AssetKey("lain")))
        assert run_plan.materialized_since(instance, AssetKey("lain"), False, [2025], before)


def test_a_frozen_catalog_answers_from_one_listing_for_its_connection_only():
    """The run plan's table lookups (warehouse.frozen_catalog): on the frozen connection,
    the catalog as it was listed (a table created since is not seen: the plan's connection
    is read-only, so nothing can be); on any other connection, and after the block, the
    live catalog."""
    from p3dn_pipeline.lib.warehouse import column_names, frozen_catalog, table_exists

    con = duckdb.connect()
    other = duckdb.connect()
    con.execute("CREATE SCHEMA quality; CREATE TABLE quality.builds (asset_key VARCHAR, "
                "partisi INTEGER, fingerprint VARCHAR)")
    other.execute("CREATE SCHEMA quality")
    with frozen_catalog(con):
        assert table_exists(con, "quality.builds")
        assert not table_exists(con, "quality.check_results")
        assert column_names(con, "quality.builds") == ["asset_key", "partisi", "fingerprint"]
        assert column_names(con, "quality.check_results") == []
        con.execute("CREATE TABLE quality.check_results (table_name VARCHAR)")
        assert not table_exists(con, "quality.check_results")  # as listed
        other.execute("CREATE TABLE quality.check_results (samples VARCHAR)")
        assert table_exists(other, "quality.check_results")
        assert column_names(other, "quality.check_results") == ["samples"]
    assert table_exists(con, "quality.check_results")
    assert column_names(con, "quality.check_results") == ["table_name"]
    assert column_names(con, "quality.builds") == ["asset_key", "partisi", "fingerprint"]
