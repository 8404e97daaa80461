"""Steps side by side (lib/step_threads.py): ready steps run at once, in the order the asset
graph allows; a failure skips only what depends on it; late imports happen before any step
starts; and the whole sample gives the same warehouse with one step at a time and with two.

The small jobs are real Dagster runs (``materialize``, the in-process execution every run
of the project uses) of assets that record when they start and end; whether two steps ran
at once is told by a barrier both must reach, which times out when they run one after the
other.
"""

from __future__ import annotations

import shutil
import sys
import threading
import time
from pathlib import Path

import pytest
from dagster import AssetKey, DagsterInstance, Failure, asset, materialize

import p3dn_pipeline.definitions  # noqa: F401 - installs the side-by-side execution
from p3dn_pipeline.lib import step_threads
from p3dn_pipeline.lib.factories import CHECKED_TABLE_METADATA
from p3dn_pipeline.lib.warehouse import LAYER_SCHEMAS
from p3dn_pipeline_tests.conftest import point_pipeline_at
from p3dn_pipeline_tests.integration.cli_runs import (
    copy_sample_landing,
    differences,
    schema_contents,
)

BARRIER_TIMEOUT_S = 20


@pytest.fixture(autouse=True)
def no_watched_warehouse(monkeypatch):
    """Warehouses an earlier test of this process opened (a small memory limit, a spill left
    behind) must not hold these runs' steps back from running side by side."""
    monkeypatch.setattr(step_threads, "_WATCHED", {})


class Journal:
    """When each asset's step started and ended, and in which thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.spans: dict[str, tuple[float, float]] = {}
        self.threads: dict[str, str] = {}

    def record(self, name: str, body) -> None:
        start = time.monotonic()
        try:
            body()
        finally:
            with self.lock:
                self.spans[name] = (start, time.monotonic())
                self.threads[name] = threading.current_thread().name


def diamond(journal: Journal, barrier: threading.Barrier | None, fail: str | None = None):
    """a and b (independent) meet at ``barrier``; c after a; d after a and b."""

    def meet(name: str):
        def body():
            if barrier is not None:
                barrier.wait(BARRIER_TIMEOUT_S)
            if name == fail:
                raise Failure(description=f"{name} fails on purpose")
        return body

    @asset(key="a")
    def a() -> None:
        journal.record("a", meet("a"))

    @asset(key="b")
    def b() -> None:
        journal.record("b", meet("b"))

    @asset(key="c", deps=[a])
    def c() -> None:
        journal.record("c", lambda: None)

    @asset(key="d", deps=[a, b])
    def d() -> None:
        journal.record("d", lambda: None)

    return [a, b, c, d]


def overlap(spans, first: str, second: str) -> bool:
    (s1, e1), (s2, e2) = spans[first], spans[second]
    return s1 < e2 and s2 < e1


def test_independent_steps_run_at_once_and_dependents_after(monkeypatch):
    monkeypatch.setenv(step_threads.STEP_THREADS_ENV, "2")
    journal = Journal()
    # Passes only when a and b are both inside their steps at the same moment.
    barrier = threading.Barrier(2)
    result = materialize(diamond(journal, barrier), instance=DagsterInstance.ephemeral())
    assert result.success
    assert not barrier.broken
    assert overlap(journal.spans, "a", "b")
    assert journal.threads["a"] != journal.threads["b"]
    assert all(name.startswith("p3dn-step-") for name in journal.threads.values())
    # Each dependent started only after every step it depends on had ended.
    assert journal.spans["c"][0] >= journal.spans["a"][1]
    assert journal.spans["d"][0] >= max(journal.spans["a"][1], journal.spans["b"][1])


def test_one_step_thread_runs_steps_one_at_a_time(monkeypatch):
    monkeypatch.setenv(step_threads.STEP_THREADS_ENV, "1")
    journal = Journal()
    result = materialize(diamond(journal, None), instance=DagsterInstance.ephemeral())
    assert result.success
    names = sorted(journal.spans)
    assert names == ["a", "b", "c", "d"]
    assert not any(overlap(journal.spans, x, y) for x in names for y in names if x < y)
    # Dagster's own in-process execution: every step in the run's thread.
    assert set(journal.threads.values()) == {threading.current_thread().name}


def test_a_failed_step_skips_only_what_depends_on_it(monkeypatch):
    monkeypatch.setenv(step_threads.STEP_THREADS_ENV, "2")
    journal = Journal()
    barrier = threading.Barrier(2)
    result = materialize(diamond(journal, barrier, fail="b"), instance=DagsterInstance.ephemeral(),
                         raise_on_error=False)
    assert not result.success
    assert [e.step_key for e in result.get_step_failure_events()] == ["b"]
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    assert materialized == {AssetKey("a"), AssetKey("c")}
    # As Dagster's in-process execution does: d never starts (no event of it at all).
    assert not [e for e in result.all_events if e.step_key == "d"]
    assert sorted(journal.spans) == ["a", "b", "c"]


def test_modules_a_step_imports_late_are_imported_before_any_step_starts(monkeypatch, tmp_path):
    monkeypatch.setenv(step_threads.STEP_THREADS_ENV, "2")
    name = "p3dn_late_import_probe"
    (tmp_path / f"{name}.py").write_text(
        "import threading\nIMPORTED_IN = threading.current_thread().name\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, name, raising=False)
    seen_at_start: dict[str, bool] = {}

    @asset(key="untagged")
    def untagged() -> None:
        seen_at_start["untagged"] = name in sys.modules

    @asset(key="tagged", op_tags={step_threads.IMPORTS_TAG: f" {name} ,"})
    def tagged() -> None:
        seen_at_start["tagged"] = name in sys.modules

    result = materialize([untagged, tagged], instance=DagsterInstance.ephemeral())
    assert result.success
    assert seen_at_start == {"untagged": True, "tagged": True}
    assert sys.modules[name].IMPORTED_IN == threading.current_thread().name


@pytest.mark.parametrize("text", ["0", "17", "two", "-1"])
def test_a_step_count_that_is_not_one_is_refused_with_the_variable(monkeypatch, text):
    monkeypatch.setenv(step_threads.STEP_THREADS_ENV, text)
    with pytest.raises(step_threads.StepThreadsError, match="P3DN_STEP_THREADS"):
        step_threads.step_threads()


def test_the_pipeline_assets_that_validate_name_the_gx_modules():
    from p3dn_pipeline.definitions import defs
    from p3dn_pipeline.lib.quality import GX_MODULES

    graph = defs.resolve_asset_graph()
    tagged = {key.to_user_string() for key in graph.get_all_asset_keys()
              if graph.get(key).assets_def.op.tags.get(step_threads.IMPORTS_TAG)
              == ",".join(GX_MODULES)}
    # The checked staging tables: validated by GX at every build.
    checked = {key.to_user_string() for key in graph.get_all_asset_keys()
               if CHECKED_TABLE_METADATA in graph.get(key).metadata}
    assert len(checked) >= 20 and checked <= tagged
    assert "publish/dashboard" in tagged
    assert not any(key.startswith("raw/") for key in tagged)


# ---- the whole sample, one step at a time and two at once ---------------------------------

def _run_sample(monkeypatch, root: Path, threads: str) -> Path:
    root.mkdir()
    env = point_pipeline_at(monkeypatch, root)
    shutil.rmtree(env.landing)
    copy_sample_landing(env.landing)
    monkeypatch.setenv(step_threads.STEP_THREADS_ENV, threads)
    result = env.materialize()
    assert result.success
    return env.warehouse


def test_the_sample_gives_the_same_warehouse_one_step_at_a_time_and_two_at_once(
        monkeypatch, tmp_path):
    one = _run_sample(monkeypatch, tmp_path / "one", "1")
    two = _run_sample(monkeypatch, tmp_path / "two", "2")
    # Every table of every layer, row for row, without the columns that differ between any
    # two runs of the same input (cli_runs.VOLATILE_COLUMNS: load, build, check and publish
    # times, build and publish ids and what is keyed on them, a landed file's inode).
    tables_one = schema_contents(one, LAYER_SCHEMAS)
    tables_two = schema_contents(two, LAYER_SCHEMAS)
    assert sorted(tables_one) == sorted(tables_two)
    assert len(tables_one) > 50
    assert not differences(tables_two, tables_one)
    assert sum(len(rows) for rows in tables_one.values()) > 1000


def test_a_run_connection_makes_the_shared_bookkeeping_tables_before_any_step(
        monkeypatch, tmp_path):
    """Two steps side by side that each created one of these inside their transaction would
    meet DuckDB's catalog write-write conflict: the run's connection makes them first."""
    from p3dn_pipeline.lib.resources import P3dnWarehouse

    env = point_pipeline_at(monkeypatch, tmp_path)
    warehouse = P3dnWarehouse(database=str(env.warehouse))
    with warehouse.session():
        pass
    assert {f"{schema}.{table}" for schema, table in env.query(
        "SELECT schema_name, table_name FROM duckdb_tables() WHERE schema_name IN "
        "('quality', 'raw')")} == {"quality.builds", "quality.check_results",
                                   "quality.fiscal_years", "raw.file_ledger"}


def test_steps_side_by_side_each_get_a_connection_of_their_own(monkeypatch, tmp_path):
    """Two sessions open at once (two steps' threads) never share a DuckDB connection: each
    holds its own transaction; a finished session's connection serves the next one."""
    from dagster import build_init_resource_context

    from p3dn_pipeline.lib.resources import P3dnWarehouse

    point_pipeline_at(monkeypatch, tmp_path)
    warehouse = P3dnWarehouse(database=str(tmp_path / "w.duckdb"))
    warehouse.setup_for_execution(build_init_resource_context())
    with warehouse.session() as con:  # a finished step's connection, waiting for the next
        first = id(con)
    barrier = threading.Barrier(2)
    held: dict[str, int] = {}

    def step(name: str) -> None:
        with warehouse.session() as con:
            con.execute("BEGIN TRANSACTION")
            con.execute(f"CREATE TABLE staging.{name} AS SELECT 1 AS i")
            barrier.wait(BARRIER_TIMEOUT_S)  # both transactions open here
            con.execute("COMMIT")
            held[name] = id(con)

    threads = [threading.Thread(target=step, args=(name,)) for name in ("t1", "t2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert sorted(held) == ["t1", "t2"]
        assert held["t1"] != held["t2"]
        assert first in held.values()  # one of them was the waiting connection
        with warehouse.session() as con:
            assert id(con) in held.values()  # handed back, and reused
            assert con.execute("SELECT (SELECT i FROM staging.t1) + (SELECT i FROM staging.t2)"
                               ).fetchall() == [(2,)]
    finally:
        warehouse.teardown_after_execution(build_init_resource_context())



def held_back_run(hinder, release):
    """``a`` calls ``hinder()`` as it starts; ``b`` becomes ready while ``a`` still runs (after
    ``z``) and must wait until ``a`` calls ``release()``, then run beside ``a``. Returns what
    was seen: whether ``b`` started during 2 s of hindrance, when it started and when the
    hindrance ended."""
    z_done, b_started = threading.Event(), threading.Event()
    seen: dict[str, float | bool] = {}

    @asset(key="a")
    def a() -> None:
        hinder()
        assert z_done.wait(BARRIER_TIMEOUT_S)
        # Time enough for the run's thread to start b, were it allowed to (it looks every
        # 0.2 s at most).
        seen["b_started_while_hindered"] = b_started.wait(2.0)
        seen["released_at"] = time.monotonic()
        release()
        # b may start now, beside a, which runs on a little.
        seen["b_started_beside_a"] = b_started.wait(BARRIER_TIMEOUT_S)

    @asset(key="z")
    def z() -> None:
        z_done.set()

    @asset(key="b", deps=[z])
    def b() -> None:
        seen["b_start"] = time.monotonic()
        b_started.set()

    result = materialize([a, z, b], instance=DagsterInstance.ephemeral())
    assert result.success
    return seen


def assert_held_back_then_side_by_side(seen) -> None:
    assert seen["b_started_while_hindered"] is False
    assert seen["b_start"] >= seen["released_at"]
    assert seen["b_started_beside_a"] is True


def test_no_step_starts_beside_a_running_one_while_duckdb_has_spilled(monkeypatch, tmp_path):
    """Two steps sharing DuckDB's memory limit would each spill more."""
    monkeypatch.setenv(step_threads.STEP_THREADS_ENV, "2")
    spill = tmp_path / "spill"
    spill.mkdir()
    block = spill / "duckdb_temp_block-1.block"
    monkeypatch.setattr(step_threads, "_WATCHED", {
        tmp_path / "w.duckdb": step_threads._Watched(10**9, spill)})
    seen = held_back_run(lambda: block.write_bytes(b"\0" * 4096), block.unlink)
    assert_held_back_then_side_by_side(seen)


def test_no_step_starts_beside_a_running_one_while_the_warehouse_outgrows_half_the_memory(
        monkeypatch, tmp_path):
    """A warehouse larger than half the memory limit holds tables whose sorts and joins
    spill; two such steps at once filled the disk at scale 100. Its write-ahead log counts."""
    monkeypatch.setenv(step_threads.STEP_THREADS_ENV, "2")
    database = tmp_path / "w.duckdb"
    database.write_bytes(b"\0" * 400)
    wal = tmp_path / "w.duckdb.wal"
    monkeypatch.setattr(step_threads, "_WATCHED", {
        database: step_threads._Watched(1000, tmp_path / "spill")})
    assert step_threads.side_by_side_hindrance() is None  # 400 bytes: not above 500
    seen = held_back_run(lambda: wal.write_bytes(b"\0" * 101), wal.unlink)
    assert_held_back_then_side_by_side(seen)


def test_ready_steps_start_one_at_a_time_while_hindered_even_with_nothing_running(
        monkeypatch, tmp_path):
    """With nothing running, two ready steps would fill both slots at once: while the
    warehouse is too large for that, only one of them starts."""
    monkeypatch.setenv(step_threads.STEP_THREADS_ENV, "2")
    database = tmp_path / "w.duckdb"
    database.write_bytes(b"\0" * 501)
    monkeypatch.setattr(step_threads, "_WATCHED", {
        database: step_threads._Watched(1000, tmp_path / "spill")})
    journal = Journal()

    def slow(name: str):
        @asset(key=name)
        def step() -> None:
            journal.record(name, lambda: time.sleep(0.5))  # two started together overlap
        return step

    result = materialize([slow("a"), slow("b")], instance=DagsterInstance.ephemeral())
    assert result.success
    assert sorted(journal.spans) == ["a", "b"]
    assert not overlap(journal.spans, "a", "b")

def test_the_hindrance_names_spill_and_size_with_their_figures(monkeypatch, tmp_path):
    spill, other = tmp_path / "spill", tmp_path / "other"
    spill.mkdir()
    other.mkdir()
    database = tmp_path / "w.duckdb"
    monkeypatch.setattr(step_threads, "_WATCHED", {})
    step_threads.watch_warehouse(database, 4 * 2**20, spill)
    (other / "elsewhere.tmp").write_bytes(b"z" * 5000)  # not a watched folder
    assert step_threads.side_by_side_hindrance() is None  # no warehouse file yet, no spill
    database.write_bytes(b"\0" * (2 * 2**20 + 1))
    assert step_threads.side_by_side_hindrance() == (
        "the warehouse (2 MB) is larger than half DuckDB's memory limit (4 MB), which steps "
        "side by side share")
    (spill / "duckdb_temp_storage_S32K-0.tmp").write_bytes(b"x" * 2**20)
    (spill / "duckdb_temp_block-7.block").write_bytes(b"y" * 2**20)
    assert step_threads.side_by_side_hindrance() == (
        f"DuckDB has spilled 2 MB to disk ({spill})")


@pytest.mark.parametrize("text, expected", [
    ("2.7 GiB", int(2.7 * 2**30)), ("512.0 MiB", 512 * 2**20), ("3GB", 3 * 10**9),
    ("0 bytes", 0), ("100KB", 100_000), ("1.5 TiB", int(1.5 * 2**40))])
def test_duckdb_memory_amounts_are_read_in_bytes(text, expected):
    assert step_threads.parse_bytes(text) == expected


def test_the_warehouse_registers_its_memory_limit_and_the_folder_duckdb_spills_into(
        monkeypatch, tmp_path):
    """A real spill: a sort larger than a 64 MB memory limit writes into the folder the
    warehouse resource registered (DuckDB's own '<file>.tmp' when P3DN_DUCKDB_TEMP_DIR is
    not set), and the limit registered is the one DuckDB applies."""
    from p3dn_pipeline.lib.resources import P3dnWarehouse

    monkeypatch.setattr(step_threads, "_WATCHED", {})
    point_pipeline_at(monkeypatch, tmp_path)
    monkeypatch.setenv("P3DN_DUCKDB_MEMORY_LIMIT", "64MB")
    monkeypatch.delenv("P3DN_DUCKDB_TEMP_DIR", raising=False)
    database = tmp_path / "w.duckdb"
    warehouse = P3dnWarehouse(database=str(database))
    spilled_during: list[int] = []

    def watch(stop: threading.Event) -> None:
        while not stop.is_set():
            spilled_during.append(step_threads._folder_bytes(Path(f"{database}.tmp")))
            time.sleep(0.01)

    with warehouse.session() as con:
        # 64 MB is 61.0 MiB in DuckDB's words.
        assert step_threads._WATCHED == {
            database: step_threads._Watched(int(61.0 * 2**20), Path(f"{database}.tmp"))}
        stop = threading.Event()
        watcher = threading.Thread(target=watch, args=(stop,))
        watcher.start()
        try:
            con.execute("SET threads = 1").fetchall()
            con.execute("SELECT count(*) FROM (SELECT md5(CAST(i AS VARCHAR)) AS h FROM "
                        "range(3000000) t(i) ORDER BY h)").fetchall()
        finally:
            stop.set()
            watcher.join()
    assert max(spilled_during) > 0
