"""Crash safety: real ``p3dn run`` processes killed with SIGKILL in the middle of a file load,
a mart build and a publish leave the warehouse and the serving file consistent, and the next
run finishes the work with exactly the tables an uninterrupted run makes.

Two chains of real runs, side by side, each on its own copy of the committed sample:

A. killed while ``raw__ekatalog_paket_v6`` reads its second file (the 2024 file committed,
   the 2025 file inside its load transaction); killed while ``marts__p3dn_per_skpd``
   builds (its first build, before it commits); then run to the end ("resumed");
B. a clean, uninterrupted run (the reference for every comparison); then, on a copy of what
   it published, killed while ``publish__serving_file`` copies the marts into its temporary
   file; then run to the end ("republished").

A step's start is read from the run's Dagster event log (a SQLite instance in DAGSTER_HOME).
The moment inside a step comes from what only that moment has: the link the loader makes to
the file it reads (in the run's TMPDIR); the publish's first write into the serving file's
folder; for the mart, a file written by a fault-injection hook (``pause_before_commit/``,
loaded only into that run) once the mart's table is written and its build recorded, inside
its transaction, where the hook holds the build until the kill (so nothing of the mart can
have committed; checked after the kill: the mart's table is not there). Steps run two at a
time (``P3DN_STEP_THREADS``): the kills land while another step may be running beside the
killed one, committing or not. After every kill the warehouse is opened read-only (DuckDB
replays the write-ahead log the killed writer left, in memory).

Columns that legitimately differ between two runs of the same input, left out of every
comparison (``cli_runs.VOLATILE_COLUMNS``): ``_loaded_at`` (raw, staging, quarantine),
``raw.file_ledger.first_seen_at/status_at/changed_ns/inode``,
``quality.builds.build_id/built_at``,
``quality.check_results.build_id/checked_at``, ``marts.p3dn_provinsi.dimuat_pada``,
``marts.p3dn_snapshot.snapshot_id/diambil_pada``.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from p3dn_pipeline_tests.integration.cli_runs import (
    Deployment,
    Finished,
    Kill,
    StepWatch,
    copy_sample_landing,
    differences,
    fast_folder,
    file_sha256,
    kill_during_step,
    read_only,
    schema_contents,
    table_rows,
    tables_of,
)

pytestmark = pytest.mark.slow

WAREHOUSE_SCHEMAS = ("raw", "staging", "quarantine", "marts", "reference", "quality")
SNAPSHOT = "marts.p3dn_snapshot"
FINGERPRINTS = "quality.builds"
YEARS = "quality.fiscal_years"
RAW_STEP, RAW_FILE = "raw__ekatalog_paket_v6", "lkpp/ecat_paket_v6_2025.json"
FIRST_RAW_FILE = "lkpp/ecat_paket_v6_2024.json"
# The mart every channel feeds (its build reads all of them), held before its commit by the hook.
MART_STEP, MART = "marts__p3dn_realisasi_paket", "marts.p3dn_realisasi_paket"
CHECK_RESULTS = "quality.check_results"
PUBLISH_STEP = "publish__serving_file"
PAUSE_HOOK = Path(__file__).with_name("pause_before_commit")


@dataclass
class State:
    """What a reader finds in a deployment's files at one moment."""
    wal_after_kill: bool
    warehouse_error: str | None = None
    tables: dict[str, list[tuple]] = field(default_factory=dict)
    ledger: dict[str, str] = field(default_factory=dict)
    ledger_problems: list[str] = field(default_factory=list)
    warehouse_snapshots: list[str] = field(default_factory=list)
    serving_sha: str | None = None
    serving_error: str | None = None
    serving_tables: dict[str, list[tuple]] = field(default_factory=dict)
    serving_snapshots: list[str] = field(default_factory=list)
    parquet: dict[str, str] = field(default_factory=dict)
    parquet_tables: dict[str, list[tuple]] = field(default_factory=dict)
    dashboard_sha: str | None = None
    dashboard_figures: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    leftovers: list[str] = field(default_factory=list)

    def tables_without_snapshot(self) -> dict[str, list[tuple]]:
        return {k: v for k, v in self.tables.items() if k != SNAPSHOT}


def ledger_problems(con) -> list[str]:
    """Every file version is all in (status loaded, its rows_loaded rows in raw) or all out
    (no raw row); at most one loaded version per path."""
    raw_tables = [t for t in tables_of(con, "db", "raw") if t != "file_ledger"]
    counts = " UNION ALL ".join(
        f"SELECT _source_file AS path, _file_sha256 AS sha256, count(*) AS n "
        f"FROM db.raw.{t} GROUP BY ALL" for t in raw_tables) or \
        "SELECT NULL AS path, NULL AS sha256, 0 AS n WHERE false"
    problems = [f"{path} ({status}): {n} raw rows, ledger says {rows_loaded}"
                for path, status, n, rows_loaded in con.execute(f"""
        SELECT l.path, l.status, coalesce(c.n, 0), l.rows_loaded
        FROM db.raw.file_ledger AS l LEFT JOIN ({counts}) AS c USING (path, sha256)
        WHERE (l.status = 'loaded' AND coalesce(c.n, 0) <> l.rows_loaded)
           OR (l.status <> 'loaded' AND coalesce(c.n, 0) <> 0)
        ORDER BY ALL""").fetchall()]
    problems += [f"{path}: {n} loaded versions" for path, n in con.execute(
        "SELECT path, count(*) FROM db.raw.file_ledger WHERE status = 'loaded' "
        "GROUP BY path HAVING count(*) > 1").fetchall()]
    orphans = con.execute(f"""
        SELECT c.path FROM ({counts}) AS c
        ANTI JOIN db.raw.file_ledger AS l USING (path, sha256)""").fetchall()
    problems += [f"{path}: raw rows without a ledger row" for (path,) in orphans]
    return problems


def observe(deployment: Deployment) -> State:
    warehouse = deployment.warehouse
    state = State(wal_after_kill=warehouse.with_name(warehouse.name + ".wal").exists())
    try:
        state.tables = schema_contents(warehouse, WAREHOUSE_SCHEMAS)
        with read_only(warehouse) as con:
            state.ledger = dict(con.execute(
                "SELECT path, status FROM db.raw.file_ledger").fetchall())
            state.ledger_problems = ledger_problems(con)
            if "p3dn_snapshot" in tables_of(con, "db", "marts"):
                state.warehouse_snapshots = sorted(r[0] for r in con.execute(
                    "SELECT DISTINCT snapshot_id FROM db.marts.p3dn_snapshot").fetchall())
    except Exception as error:  # reported by the tests, which expect none
        state.warehouse_error = f"{type(error).__name__}: {error}"
    if deployment.serving.exists():
        state.serving_sha = file_sha256(deployment.serving)
        try:
            state.serving_tables = schema_contents(deployment.serving, ("main",))
            with read_only(deployment.serving) as con:
                state.serving_snapshots = sorted(r[0] for r in con.execute(
                    "SELECT DISTINCT snapshot_id FROM db.main.p3dn_snapshot").fetchall())
        except Exception as error:
            state.serving_error = f"{type(error).__name__}: {error}"
    if deployment.parquet_dir.exists():
        import duckdb

        con = duckdb.connect()
        try:
            for path in sorted(deployment.parquet_dir.glob("*.parquet")):
                state.parquet[path.name] = file_sha256(path)
                con.execute(f"CREATE TABLE {path.stem} AS SELECT * FROM read_parquet($p)",
                            {"p": str(path)}).fetchall()
                state.parquet_tables[f"main.{path.stem}"] = table_rows(
                    con, "memory", "main", path.stem)
        finally:
            con.close()
    if deployment.dashboard.exists():
        state.dashboard_sha = file_sha256(deployment.dashboard)
        state.dashboard_figures = dashboard_figures(
            deployment.dashboard.read_text(encoding="utf-8"))
    state.leftovers = sorted(
        str(p.relative_to(warehouse.parent)) for p in warehouse.parent.rglob(".*publishing-*"))
    return state


FIGURE = re.compile(r'<[a-z]+ [^>]*?data-kpi="([^"]*)" data-key="([^"]*)" '
                    r'data-value="([^"]*)" data-format="([^"]*)"[^>]*>([^<]*)<')


def dashboard_figures(page: str) -> dict[tuple[str, str], tuple[str, str]]:
    """(data-kpi, data-key) -> (stored value, text shown) of every figure on the dashboard,
    but those that differ between two runs by design: publish times ("waktu"), the history
    of snapshots and the export changes since the previous publish."""
    return {(kpi, key): (value, text)
            for kpi, key, value, fmt, text in FIGURE.findall(page)
            if fmt != "waktu" and not kpi.startswith(("p3dn_snapshot.", "p3dn_perubahan_ekspor."))}


def publishing(deployment: Deployment):
    """True from the publish's first write into the serving file's folder (today: creating
    its temporary file, i.e. while it copies the marts into it, before the swap), whatever
    file that write goes to: the folder as it was before the run is the baseline. The
    warehouse's own files, which sit there too, are left out."""
    folder, warehouse = deployment.serving.parent, deployment.warehouse.name

    def listing() -> dict[str, tuple[int, int, int]]:
        found = {}
        for entry in os.scandir(folder):
            if entry.is_file(follow_symlinks=False) and not entry.name.startswith(warehouse):
                info = entry.stat(follow_symlinks=False)
                found[entry.name] = (info.st_ino, info.st_size, info.st_mtime_ns)
        return found

    baseline = listing()

    def check() -> bool:
        try:
            return listing() != baseline
        except OSError:  # an entry vanished while it was looked at: something moved
            return True
    return check


@dataclass
class Chain:
    clean: State
    kills: dict[str, Kill]
    states: dict[str, State]
    runs: dict[str, Finished]
    seconds: dict[str, float]


def held_before_commit(deployment: Deployment, held: Callable[[], bool], step: str):
    """True while ``step`` is held inside its transaction by the hook (its marker written,
    and the hook never returns) and has not succeeded: nothing of it can have committed.
    Whether the warehouse has a write-ahead log says nothing here: a step running beside
    the held one may have committed, and DuckDB writes no checkpoint while the held
    transaction is open."""
    watch = StepWatch(deployment.dagster_home)
    return lambda: held() and "STEP_SUCCESS" not in watch.poll().get(step, set())


def paused_in_load(deployment: Deployment, relative_path: str, after_loaded: str):
    """The environment that makes a run hold the load of ``relative_path`` inside its
    transaction, rows inserted, once ``after_loaded`` has committed
    (pause_before_commit/sitecustomize.py), and the signal that it is held there. Watching
    the loader's temporary folder did not do: a dataset's JSON files load two at a time, and
    the file loading beside the watched one had not committed yet."""
    marker = deployment.tmpdir / "paused-in-load"
    marker.unlink(missing_ok=True)
    paths = [str(PAUSE_HOOK), *filter(None, [os.environ.get("PYTHONPATH")])]
    env = {"PYTHONPATH": os.pathsep.join(paths), "P3DN_TEST_PAUSE_FILE": relative_path,
           "P3DN_TEST_PAUSE_AFTER_LOADED": after_loaded, "P3DN_TEST_PAUSE_MARKER": str(marker)}
    return env, marker.exists


def paused_before_commit(deployment: Deployment, asset: str):
    """The environment that makes a run hold ``asset``'s build inside its transaction, after
    its table is written and before the commit (pause_before_commit/sitecustomize.py), and
    the signal that it is held there."""
    marker = deployment.tmpdir / f"paused-before-commit-{asset}"
    marker.unlink(missing_ok=True)
    paths = [str(PAUSE_HOOK), *filter(None, [os.environ.get("PYTHONPATH")])]
    env = {"PYTHONPATH": os.pathsep.join(paths), "P3DN_TEST_PAUSE_ASSET": asset,
           "P3DN_TEST_PAUSE_MARKER": str(marker)}
    return env, marker.exists


@pytest.fixture(scope="module")
def chain(tmp_path_factory) -> Chain:
    """Two chains at once (each run is mostly one busy Python thread; the machine has two
    cores):

    A. on a copy of the sample: killed in a raw load, killed in a mart build, run to the end;
    B. the clean, uninterrupted run; then on a copy of what it published: killed while
       publishing, run to the end.
    """
    root = tmp_path_factory.mktemp("crash")
    started = time.monotonic()
    seconds: dict[str, float] = {}
    kills: dict[str, Kill] = {}
    states: dict[str, State] = {}
    runs: dict[str, Finished] = {}

    def killed_run(deployment: Deployment, name: str, step: str,
                   env: dict[str, str] | None = None, **when) -> None:
        watch = StepWatch(deployment.dagster_home)
        process = deployment.start(name, env=env)
        kills[name] = kill_during_step(process, watch, step, **when)
        states[name] = observe(deployment)
        runs[name] = deployment.finished(name, process)
        seconds[name] = time.monotonic() - started

    def full_run(deployment: Deployment, name: str) -> None:
        runs[name] = deployment.run(name)
        assert runs[name].returncode == 0, runs[name].output[-3000:]
        states[name] = observe(deployment)
        seconds[name] = time.monotonic() - started

    with fast_folder("p3dn-crash-") as homes:
        def chain_a() -> None:
            crashed = Deployment(root / "a", copy_sample_landing(root / "a" / "landing"),
                                 homes / "a")
            hold, held = paused_in_load(crashed, RAW_FILE, after_loaded=FIRST_RAW_FILE)
            killed_run(crashed, "killed in raw", RAW_STEP, env=hold, inside=held)
            pause, paused = paused_before_commit(crashed, MART_STEP)
            killed_run(crashed, "killed in mart", MART_STEP, env=pause, inside=paused,
                       unfinished=held_before_commit(crashed, paused, MART_STEP))
            full_run(crashed, "resumed")

        def chain_b() -> None:
            clean = Deployment(root / "clean",
                               copy_sample_landing(root / "clean" / "landing"),
                               homes / "clean")
            full_run(clean, "clean")
            # The same installation after its publish: warehouse, serving file, Parquet,
            # dashboard and landing folder as the clean run left them.
            shutil.copytree(clean.root / "warehouse", root / "b" / "warehouse")
            shutil.copytree(clean.landing, root / "b" / "landing")
            republished = Deployment(root / "b", root / "b" / "landing", homes / "b")
            states["before publish"] = observe(republished)
            killed_run(republished, "killed in publish", PUBLISH_STEP,
                       inside=publishing(republished))
            full_run(republished, "republished")

        with ThreadPoolExecutor(2) as pool:
            for future in [pool.submit(chain_a), pool.submit(chain_b)]:
                future.result()
    print("\ncrash chain, seconds since start:",
          ", ".join(f"{name} {value:.0f}" for name, value in sorted(
              seconds.items(), key=lambda item: item[1])))
    return Chain(states["clean"], kills, states, runs, seconds)


def assert_killed_inside(kill: Kill) -> None:
    assert kill.step_was_running, (
        f"the kill was meant to land while {kill.step_key} ran, but the event log of the "
        f"killed run shows {kill.events.get(kill.step_key)} for it")


def assert_readable_and_consistent(state: State, clean: State) -> None:
    assert state.warehouse_error is None, state.warehouse_error
    assert not state.ledger_problems, state.ledger_problems
    # Raw tables fill file by file (ledger_problems: never half a file), and so does the
    # record of their rows' fiscal years. Every other table a killed run leaves is one that
    # run, or an earlier one, finished whole: it equals the clean run's.
    built = {name: rows for name, rows in state.tables_without_snapshot().items()
             if not name.startswith("raw.") and name not in (FINGERPRINTS, YEARS)}
    expected = {name: clean.tables[name] for name in built}
    # The check results of a table are recorded with its build: those of tables the killed
    # run never built are not expected (the table that holds them is made, empty, when a
    # run's first warehouse connection opens).
    if CHECK_RESULTS in expected:
        expected[CHECK_RESULTS] = [row for row in expected[CHECK_RESULTS]
                                   if row[0] in state.tables]
    assert not differences(built, expected)
    # The record of builds lists only what was built whole, each row as the clean run's.
    recorded = set(state.tables.get(FINGERPRINTS, []))
    assert recorded <= set(clean.tables[FINGERPRINTS])
    for asset_key, _partisi in recorded:
        if not asset_key.startswith(("raw/", "publish/")):
            assert asset_key.replace("/", ".") in state.tables, asset_key
    if state.serving_sha is not None:
        assert state.serving_error is None, state.serving_error
        assert sorted(state.serving_tables) == sorted(clean.serving_tables)


def test_kill_during_a_file_load_leaves_no_half_loaded_file(chain):
    assert_killed_inside(chain.kills["killed in raw"])
    state = chain.states["killed in raw"]
    # The killed writer left its write-ahead log; opening the warehouse replays it (the
    # 2024 file, committed before the kill, is only in that log).
    assert state.wal_after_kill
    assert_readable_and_consistent(state, chain.clean)
    # The file committed before the kill is in; the one being read is not, not even partly
    # (ledger_problems), and waits for the next run.
    assert state.ledger[FIRST_RAW_FILE] == "loaded"
    assert state.ledger[RAW_FILE] == "pending"
    assert not [name for name in state.tables if name.startswith("marts.")]
    assert state.serving_sha is None


def test_kill_during_a_mart_build_leaves_the_mart_unbuilt_and_the_rest_whole(chain):
    kill = chain.kills["killed in mart"]
    assert_killed_inside(kill)
    assert kill.unfinished, "the kill came after the mart's transaction had committed"
    state = chain.states["killed in mart"]
    assert_readable_and_consistent(state, chain.clean)
    assert set(state.ledger.values()) <= {"loaded", "rejected"}
    # Its first build was rolled back; marts built before it in that run are whole.
    assert MART not in state.tables
    assert "marts.p3dn_apbd_bulanan" in state.tables
    assert state.serving_sha is None


def assert_same_as_clean(state: State, clean: State) -> None:
    assert state.warehouse_error is None and state.serving_error is None
    assert not state.ledger_problems
    assert not differences(state.tables_without_snapshot(), clean.tables_without_snapshot())
    serving = {k: v for k, v in state.serving_tables.items() if k != "main.p3dn_snapshot"}
    clean_serving = {k: v for k, v in clean.serving_tables.items()
                     if k != "main.p3dn_snapshot"}
    assert not differences(serving, clean_serving)
    assert sorted(state.parquet) == sorted(clean.parquet)
    parquet = {k: v for k, v in state.parquet_tables.items() if k != "main.p3dn_snapshot"}
    assert not differences(parquet, {k: v for k, v in clean.parquet_tables.items()
                                     if k != "main.p3dn_snapshot"})
    # The dashboard shows the clean run's figures (not merely: a file exists).
    assert len(clean.dashboard_figures) > 50
    assert state.dashboard_figures == clean.dashboard_figures
    # Every snapshot in the history has the clean run's headline.
    clean_headline = clean.tables[SNAPSHOT]
    assert len(clean_headline) > 0
    assert sorted(set(state.tables[SNAPSHOT])) == sorted(set(clean_headline))


def test_the_next_run_finishes_the_work_with_the_tables_of_an_uninterrupted_run(chain):
    state = chain.states["resumed"]
    assert_same_as_clean(state, chain.clean)
    assert len(state.serving_snapshots) == 1
    assert state.tables[SNAPSHOT] == chain.clean.tables[SNAPSHOT]


def test_kill_during_publish_keeps_the_previous_serving_file_whole(chain):
    assert_killed_inside(chain.kills["killed in publish"])
    before, state = chain.states["before publish"], chain.states["killed in publish"]
    assert before.serving_sha is not None and before.serving_error is None
    assert_readable_and_consistent(state, chain.clean)
    # What BI tools read is, byte for byte, the previous publish, and opens read-only.
    assert state.serving_sha == before.serving_sha
    assert state.serving_tables == before.serving_tables
    assert state.parquet == before.parquet
    assert state.dashboard_sha == before.dashboard_sha


def test_the_run_after_a_killed_publish_publishes_the_tables_of_an_uninterrupted_run(chain):
    state = chain.states["republished"]
    assert_same_as_clean(state, chain.clean)
    assert state.serving_sha != chain.states["before publish"].serving_sha
    # The killed publish's temporary file is its only trace: hidden beside the serving file,
    # removed by the first publish an hour later (serving.remove_abandoned).
    assert all(name.startswith(".marts.duckdb.publishing-") for name in state.leftovers)


def test_the_snapshot_history_holds_published_snapshots_only(chain):
    """README: 'If anything fails, the old serving file stays as it was and the snapshot of
    that publish is taken out of the history again.' A SIGKILL leaves no chance to take it
    out there and then, so the next publish has to."""
    published = chain.states["before publish"].serving_snapshots
    assert len(published) == 1
    killed = chain.states["killed in publish"]
    # The killed publish had recorded its snapshot in the working warehouse; it never reached
    # the serving file, and the next publish drops it (only what the serving file carries, plus
    # the new one, is kept).
    assert killed.serving_snapshots == published
    assert set(published) <= set(killed.warehouse_snapshots)
    final = chain.states["republished"]
    assert final.warehouse_snapshots == final.serving_snapshots
    assert len(final.serving_snapshots) == 2
    assert set(published) < set(final.serving_snapshots)
    assert not (set(killed.warehouse_snapshots) - set(published)) & set(final.serving_snapshots)
