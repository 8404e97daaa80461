"""The run plan (lib/run_plan.py) leaves out nothing when it cannot read the warehouse: the
steps then decide for themselves, as before there was a plan. And it says why."""

from __future__ import annotations

import subprocess
import sys

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
    assert left_out.summary() == ("Every step runs: no table the plan may leave out is "
                                  "unchanged since its last build.")
