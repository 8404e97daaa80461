"""The daily schedule, the landing-folder sensor, run retries and mart freshness, evaluated by
Dagster itself on real files and a real instance built from the repository's dagster.yaml."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from dagster import (
    AssetKey,
    DagsterInstance,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    SensorResult,
    build_schedule_context,
    build_sensor_context,
)

from p3dn_pipeline.defs.automation import (
    MAX_RUN_RETRIES,
    daily_refresh_schedule,
    landing_folder_sensor,
)
from p3dn_pipeline.lib.partitions import fiscal_year_range_tags, register_fiscal_years
from p3dn_pipeline_tests.conftest import REPO, TEST_PII_KEY

SETTLE_SECONDS = 30


@pytest.fixture
def instance(tmp_path):
    """A persistent instance (sensor contexts refuse ephemeral ones) with the repo's config."""
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPO / "dagster.yaml", home / "dagster.yaml")
    with DagsterInstance.from_config(str(home)) as instance:
        yield instance


@pytest.fixture
def landing(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "landing"
    folder.mkdir()
    monkeypatch.setenv("P3DN_LANDING_DIR", str(folder))
    monkeypatch.setenv("P3DN_LANDING_SETTLE_SECONDS", str(SETTLE_SECONDS))
    # No warehouse unless a test makes one: the sensor's first tick reads its file ledger.
    monkeypatch.setenv("P3DN_WAREHOUSE", str(tmp_path / "warehouse" / "p3dn.duckdb"))
    return folder


def drop(folder: Path, name: str, content: str, *, age_seconds: float = 120) -> Path:
    """Write a file as a finished copy: last modified ``age_seconds`` ago."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    age(path, age_seconds)
    return path


def age(path: Path, seconds: float) -> None:
    when = time.time() - seconds
    os.utime(path, (when, when))


def tick(instance, cursor: str | None) -> SensorResult:
    return landing_folder_sensor(build_sensor_context(instance=instance, cursor=cursor))


def state_of(instance, cursor: str) -> dict:
    """The sensor state a cursor names, as stored in the instance's folder."""
    data = json.loads(cursor)
    stored = Path(instance.root_directory) / "p3dn_landing_sensor" / f"{data['state']}.json"
    return json.loads(stored.read_text())


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_schedule_loads_the_landing_folder_every_day_at_0600_jakarta_time():
    assert daily_refresh_schedule.cron_schedule == "0 6 * * *"
    assert daily_refresh_schedule.execution_timezone == "Asia/Jakarta"
    # load_landing first: the fiscal years to build are known once the files are loaded;
    # refresh_after_load then starts refresh_all over them.
    assert daily_refresh_schedule.job_name == "load_landing"
    assert daily_refresh_schedule.default_status == DefaultScheduleStatus.RUNNING
    wib = dt.timezone(dt.timedelta(hours=7))
    context = build_schedule_context(
        scheduled_execution_time=dt.datetime(2025, 7, 1, 6, 0, tzinfo=wib))
    result = daily_refresh_schedule.evaluate_tick(context)
    [request] = result.run_requests
    assert request.job_name is None  # None: the schedule's own job


def test_schedule_and_sensors_are_registered_and_on_by_default():
    from p3dn_pipeline.definitions import defs

    assert [s.name for s in defs.schedules] == ["daily_refresh_0600_wib",
                                                "inaproc_pull_0500_wib"]
    sensors = {s.name: s for s in defs.sensors}
    assert set(sensors) == {"landing_folder_sensor", "refresh_after_load", "run_failure_alert",
                            "check_failure_alert"}
    assert {s.default_status for s in sensors.values()} == {DefaultSensorStatus.RUNNING}
    assert defs.resolve_job_def("refresh_all").run_tags["dagster/max_retries"] == "2"


def test_only_the_pull_job_calls_the_inaproc_api():
    """refresh_all and load_landing read the landing folder; the pull has its own job."""
    from p3dn_pipeline.definitions import defs

    graph = defs.resolve_asset_graph()
    pulls = {key for key in graph.get_all_asset_keys() if key.path[0] == "pull"}
    assert len(pulls) == 14
    for name in ("refresh_all", "load_landing"):
        assert not set(defs.resolve_job_def(name).asset_layer.selected_asset_keys) & pulls
    assert set(defs.resolve_job_def("inaproc_pull").asset_layer.selected_asset_keys) == pulls


def test_files_arriving_together_start_one_run_and_the_cursor_holds_their_hashes(
        instance, landing):
    drop(landing, "sirup.json", '[{"kd_rup": 1}]')
    drop(landing, "apbd/realisasi.csv", "Kode SKPD;Realisasi\n1.01;5\n")
    drop(landing, ".hidden.csv", "ignored")

    result = tick(instance, None)

    assert len(result.run_requests) == 1
    request = result.run_requests[0]
    assert request.tags["p3dn/changed_files"] == "2"
    assert request.job_name is None  # the sensor's own job: load_landing
    assert request.run_key.startswith("landing-1-")
    state = state_of(instance, result.cursor)
    assert state["requests"] == 1
    assert state["settling"] == {}
    assert sorted(state["files"]) == ["apbd/realisasi.csv", "sirup.json"]
    on_disk = (landing / "sirup.json").stat()
    assert state["files"]["sirup.json"] == {
        "size": on_disk.st_size, "mtime_ns": on_disk.st_mtime_ns,
        "ctime_ns": on_disk.st_ctime_ns, "inode": on_disk.st_ino,
        "sha256": sha('[{"kd_rup": 1}]')}
    assert state["files"]["apbd/realisasi.csv"]["sha256"] == sha(
        "Kode SKPD;Realisasi\n1.01;5\n")


def test_the_cursor_is_one_short_line_whatever_the_folder_holds(instance, landing):
    for number in range(60):
        drop(landing, f"lkpp/ekspor_{number:02}.json", f'[{{"kd_rup": {number}}}]')

    result = tick(instance, None)

    cursor = json.loads(result.cursor)
    assert set(cursor) == {"v", "state", "files", "settling", "requests"}
    assert (cursor["v"], cursor["files"], cursor["settling"], cursor["requests"]) == (2, 60, 0, 1)
    assert len(result.cursor) < 120
    assert len(state_of(instance, result.cursor)["files"]) == 60


def test_the_first_tick_takes_files_the_ledger_has_as_known(instance, landing, tmp_path):
    """A new daemon (or a lost cursor) beside a warehouse that has loaded the folder: only
    the file the ledger does not have is new, and the file it has that is gone is removed."""
    import duckdb

    from p3dn_pipeline.lib.ledger import ensure_ledger

    known = drop(landing, "sirup.json", '[{"kd_rup": 1}]')
    drop(landing, "apbd.csv", "Kode SKPD;Realisasi\n1.01;5\n")
    warehouse = tmp_path / "warehouse" / "p3dn.duckdb"
    warehouse.parent.mkdir()
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("CREATE SCHEMA raw")
        ensure_ledger(con)
        # Times and inode as the ledger stored them at load (ctime differs: hashed again).
        for path, digest, status in (("sirup.json", sha('[{"kd_rup": 1}]'), "loaded"),
                                     ("gone.json", sha("old"), "loaded")):
            con.execute(
                "INSERT INTO raw.file_ledger (path, sha256, size_bytes, modified_ns, "
                "file_format, dataset, status, first_seen_at, status_at, inode) VALUES "
                "($p, $s, $size, $m, 'json', 'sirup_paket_penyedia', $st, now(), now(), $i)",
                {"p": path, "s": digest, "size": known.stat().st_size,
                 "m": known.stat().st_mtime_ns, "st": status, "i": known.stat().st_ino})
    finally:
        con.close()

    from p3dn_pipeline.defs.automation import LandingState, ledger_state, scan_landing

    scan = scan_landing(landing, LandingState(files=ledger_state(warehouse)), now_ns=2**62,
                        settle_ns=0)
    assert scan.changed == {"apbd.csv": sha("Kode SKPD;Realisasi\n1.01;5\n"),
                            "gone.json": None}

    first = tick(instance, None)
    [request] = first.run_requests
    assert request.tags["p3dn/changed_files"] == "2"  # apbd.csv new, gone.json removed
    # The run key is a digest of exactly those changes (not sirup.json as new as well).
    assert request.run_key == scan.run_key
    assert sorted(state_of(instance, first.cursor)["files"]) == ["apbd.csv", "sirup.json"]
    # Its state file lost: the ledger is asked again (it has not loaded apbd.csv yet, and
    # still lists gone.json), rather than the tick failing or taking every file as new.
    for saved in (Path(instance.root_directory) / "p3dn_landing_sensor").glob("*.json"):
        saved.unlink()
    again = tick(instance, first.cursor)
    assert again.run_requests[0].run_key == scan.run_key
    assert sorted(state_of(instance, again.cursor)["files"]) == ["apbd.csv", "sirup.json"]


def test_unchanged_files_start_no_run_even_after_a_restart(instance, landing):
    drop(landing, "sirup.json", '[{"kd_rup": 1}]')
    first = tick(instance, None)
    assert len(first.run_requests) == 1

    # A restart: a fresh evaluation that only has the cursor the daemon stored.
    again = tick(instance, first.cursor)
    assert not again.run_requests
    assert again.skip_reason.skip_message.startswith("No new, changed or removed file")
    assert state_of(instance, again.cursor)["files"] == state_of(instance, first.cursor)["files"]


def test_a_touched_file_with_the_same_content_starts_no_run(instance, landing):
    path = drop(landing, "sirup.json", '[{"kd_rup": 1}]')
    first = tick(instance, None)
    age(path, 90)  # new mtime, same bytes

    touched = tick(instance, first.cursor)

    assert not touched.run_requests
    assert state_of(instance, touched.cursor)["files"]["sirup.json"]["mtime_ns"] == path.stat().st_mtime_ns


def test_a_changed_file_starts_a_run_for_that_file_only(instance, landing):
    drop(landing, "sirup.json", '[{"kd_rup": 1}]')
    drop(landing, "apbd.csv", "Kode SKPD;Realisasi\n1.01;5\n")
    first = tick(instance, None)

    drop(landing, "sirup.json", '[{"kd_rup": 2}]', age_seconds=60)
    second = tick(instance, first.cursor)

    assert len(second.run_requests) == 1
    assert second.run_requests[0].tags["p3dn/changed_files"] == "1"
    assert second.run_requests[0].run_key != first.run_requests[0].run_key
    assert state_of(instance, second.cursor)["files"]["sirup.json"]["sha256"] == sha('[{"kd_rup": 2}]')


def test_a_correction_of_the_same_size_with_its_old_mtime_restored_starts_a_run(instance,
                                                                               landing):
    path = drop(landing, "sirup.json", '[{"kd_rup": 1}]')
    first = tick(instance, None)
    before = path.stat()
    path.write_text('[{"kd_rup": 7}]', encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))

    corrected = tick(instance, first.cursor)

    assert len(corrected.run_requests) == 1
    assert state_of(instance, corrected.cursor)["files"]["sirup.json"]["sha256"] == sha(
        '[{"kd_rup": 7}]')


def test_a_cursor_written_before_ctime_and_inode_were_kept_starts_no_run(instance, landing):
    path = drop(landing, "sirup.json", '[{"kd_rup": 1}]')
    info = path.stat()
    old_cursor = json.dumps({"files": {"sirup.json": {
        "size": info.st_size, "mtime_ns": info.st_mtime_ns, "sha256": sha('[{"kd_rup": 1}]')}},
        "settling": {}, "requests": 1})

    result = tick(instance, old_cursor)

    assert not result.run_requests  # hashed again once: same bytes
    assert state_of(instance, result.cursor)["files"]["sirup.json"]["ctime_ns"] == info.st_ctime_ns


def test_a_file_changed_back_to_an_earlier_version_gets_a_new_run_key(instance, landing):
    drop(landing, "sirup.json", "A")
    cursor = tick(instance, None).cursor
    keys = []
    for content, age_seconds in (("B", 100), ("A", 80)):
        drop(landing, "sirup.json", content, age_seconds=age_seconds)
        result = tick(instance, cursor)
        keys.append(result.run_requests[0].run_key)
        cursor = result.cursor
    assert keys[0] != keys[1]
    assert state_of(instance, cursor)["requests"] == 3


def test_a_file_still_being_copied_is_left_for_the_next_tick(instance, landing):
    drop(landing, "sirup.json", '[{"kd_rup": 1}]')
    first = tick(instance, None)
    partial = drop(landing, "big_export.json", '[{"kd_rup": ', age_seconds=0)

    copying = tick(instance, first.cursor)
    assert not copying.run_requests
    assert "1 still being copied" in copying.skip_reason.skip_message
    assert state_of(instance, copying.cursor)["settling"] == {"big_export.json": {
        "size": partial.stat().st_size, "mtime_ns": partial.stat().st_mtime_ns,
        "ctime_ns": partial.stat().st_ctime_ns, "inode": partial.stat().st_ino}}
    assert "big_export.json" not in state_of(instance, copying.cursor)["files"]

    # The copy finishes and nothing touches the file for longer than the settle time.
    drop(landing, "big_export.json", '[{"kd_rup": 3}]', age_seconds=SETTLE_SECONDS + 5)
    # Its size changed since the last tick saw it: it may still be growing, so wait once more.
    grown = tick(instance, copying.cursor)
    assert not grown.run_requests
    done = tick(instance, grown.cursor)
    assert len(done.run_requests) == 1
    assert done.run_requests[0].tags["p3dn/changed_files"] == "1"
    state = state_of(instance, done.cursor)
    assert state["settling"] == {}
    assert state["files"]["big_export.json"]["sha256"] == sha('[{"kd_rup": 3}]')


def test_an_old_file_moved_in_whole_is_taken_at_once(instance, landing):
    # `mv` of a finished download keeps its old mtime: no reason to wait a tick.
    drop(landing, "sirup.json", '[{"kd_rup": 1}]', age_seconds=3600)
    assert len(tick(instance, None).run_requests) == 1


def test_a_removed_file_starts_a_run_so_its_rows_leave_the_warehouse(instance, landing):
    drop(landing, "sirup.json", '[{"kd_rup": 1}]')
    drop(landing, "apbd.csv", "x")
    first = tick(instance, None)
    (landing / "apbd.csv").unlink()

    removed = tick(instance, first.cursor)

    assert len(removed.run_requests) == 1
    assert sorted(state_of(instance, removed.cursor)["files"]) == ["sirup.json"]


def test_a_missing_landing_folder_is_not_taken_as_every_file_removed(instance, landing):
    drop(landing, "sirup.json", '[{"kd_rup": 1}]')
    first = tick(instance, None)
    shutil.rmtree(landing)

    result = tick(instance, first.cursor)

    assert not result.run_requests
    assert result.cursor is None  # the stored cursor stays as it was
    assert "does not exist" in result.skip_reason.skip_message


def test_the_local_instance_config_enables_run_retries_and_one_run_at_a_time(instance):
    assert instance.run_retries_enabled
    assert instance.run_retries_max_retries == MAX_RUN_RETRIES
    assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
    assert instance.get_concurrency_config().run_queue_config.max_concurrent_runs == 1
    assert instance.run_monitoring_enabled
    assert not instance.telemetry_enabled


@pytest.mark.slow
def test_a_failed_refresh_all_run_is_marked_for_automatic_retry(instance, tmp_path, monkeypatch):
    from p3dn_pipeline.definitions import defs
    from p3dn_pipeline.lib.resources import default_resources

    # The warehouse's folder cannot be created (a file is in the way): the first step fails.
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("")
    monkeypatch.setenv("P3DN_WAREHOUSE", str(blocker / "p3dn.duckdb"))
    monkeypatch.setenv("P3DN_LANDING_DIR", str(tmp_path / "landing"))
    monkeypatch.setenv("P3DN_PII_KEY", TEST_PII_KEY)

    register_fiscal_years(instance, [2025])
    result = defs.resolve_job_def("refresh_all").execute_in_process(
        instance=instance, resources=default_resources(), raise_on_error=False,
        tags=fiscal_year_range_tags(instance))

    assert not result.success
    run = instance.get_run_by_id(result.run_id)
    assert run.tags["dagster/max_retries"] == "2"
    # Set by Dagster when the run failed; the daemon launches the retry for runs marked so.
    assert run.tags["dagster/will_retry"] == "true"


def test_every_mart_and_nothing_else_is_due_by_0800_wib():
    from dagster._core.definitions.freshness import CronFreshnessPolicy

    from p3dn_pipeline.definitions import defs

    graph = defs.resolve_asset_graph()
    policies = {key.to_user_string(): graph.get(key).freshness_policy
                for key in graph.get_all_asset_keys()}
    marts = {key: policy for key, policy in policies.items() if key.startswith("marts/")}
    assert {"marts/p3dn_apbd_bulanan", "marts/p3dn_per_skpd", "marts/p3dn_provinsi",
            "marts/umkm_binaan_triwulan", "marts/umkm_ekatalog"} <= set(marts)
    for key, policy in marts.items():
        assert isinstance(policy, CronFreshnessPolicy), key
        # Built by the 06:00 WIB run, flagged at 08:00 WIB when it was not.
        assert (policy.deadline_cron, policy.timezone, policy.lower_bound_delta) == (
            "0 8 * * *", "Asia/Jakarta", dt.timedelta(hours=2)), key
    assert all(policy is None for key, policy in policies.items() if key not in marts)


WIB_TZ = ZoneInfo("Asia/Jakarta")


@pytest.mark.parametrize(("built", "now", "fresh", "deadline"), [
    # Built by the 06:00 run, looked at before and after the next morning's deadline.
    ("2025-07-01 06:05", "2025-07-01 07:59", True, "2025-06-30 08:00"),
    ("2025-07-01 06:05", "2025-07-02 07:59", True, "2025-07-01 08:00"),
    ("2025-07-01 06:05", "2025-07-02 08:00", False, "2025-07-02 08:00"),
    # Late (the 06:00 run failed, a retry at 09:30): stale from 08:00, fresh again after.
    ("2025-07-01 09:30", "2025-07-01 09:31", True, "2025-07-01 08:00"),
    # Early: a build before 06:00 does not count for that day.
    ("2025-07-01 05:59", "2025-07-01 08:00", False, "2025-07-01 08:00"),
    # 23:00 UTC the day before is 06:00 WIB: the window is in Jakarta's time.
    ("2025-07-01 06:00", "2025-07-01 08:00", True, "2025-07-01 08:00"),
])
def test_mart_freshness_is_dagsters_cron_rule_in_jakarta_time(built, now, fresh, deadline):
    from dagster._utils.schedules import get_latest_completed_cron_tick

    from p3dn_pipeline.defs.automation import mart_freshness

    def wib(text):
        return dt.datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=WIB_TZ)

    state = mart_freshness(wib(built).astimezone(dt.UTC), wib(now).astimezone(dt.UTC))
    assert (state.fresh, state.deadline) == (fresh, wib(deadline))
    # The same tick as Dagster's own evaluator finds for the policy.
    assert get_latest_completed_cron_tick("0 8 * * *", wib(now), "Asia/Jakarta") == wib(deadline)


def test_a_successful_load_starts_refresh_all_over_every_year_with_data(instance):
    from dagster import DagsterRunStatus, build_run_status_sensor_context

    from p3dn_pipeline.definitions import defs
    from p3dn_pipeline.defs.automation import refresh_after_load

    def finished_load(run_id: str, tags: dict):
        run = instance.create_run_for_job(
            job_def=_load_job(), run_id=run_id, tags=tags, status=DagsterRunStatus.SUCCESS)
        return build_run_status_sensor_context(
            sensor_name="refresh_after_load", dagster_instance=instance,
            dagster_run=run, dagster_event=_success_event(run),
            repository_def=defs.get_repository_def())

    # No year has data yet (only rosters loaded): the current fiscal year, so that every
    # table exists.
    this_year = str(dt.datetime.now(ZoneInfo("Asia/Jakarta")).year)
    request = refresh_after_load(finished_load("a" * 32, {"p3dn/changed_files": "1"}))
    assert request.job_name == "refresh_all"
    assert request.run_key == "refresh-after-" + "a" * 32
    # Every asset of refresh_all but the ledger and the raw tables, which the load has just
    # run: the staging tables (with their checks), marts, reference tables and published
    # files.
    refresh_assets = set(defs.resolve_job_def("refresh_all").asset_layer.selected_asset_keys)
    loaded_assets = set(_load_job().asset_layer.selected_asset_keys)
    assert AssetKey(["raw", "file_ledger"]) in loaded_assets <= refresh_assets
    assert set(request.asset_selection) == refresh_assets - loaded_assets
    assert {key.path[0] for key in request.asset_selection} == {
        "reference", "staging", "marts", "publish"}
    assert request.tags == {"dagster/asset_partition_range_start": this_year,
                            "dagster/asset_partition_range_end": this_year,
                            "p3dn/changed_files": "1", "p3dn/loaded_by": "a" * 32}

    # Loads registered 2024 then 2022 (an older year's export arrived later): one run over
    # every year, in calendar order.
    register_fiscal_years(instance, [2024])
    register_fiscal_years(instance, [2022, 2099])  # 2099 is no plausible fiscal year
    request = refresh_after_load(finished_load("b" * 32, {}))
    assert request.job_name == "refresh_all"
    assert request.tags == {"dagster/asset_partition_range_start": "2022",
                            "dagster/asset_partition_range_end": this_year,
                            "p3dn/loaded_by": "b" * 32}
    assert instance.get_dynamic_partitions("tahun_anggaran") == ["2022", "2024", this_year]


def _load_job():
    from p3dn_pipeline.definitions import defs

    return defs.resolve_job_def("load_landing")


def _success_event(run):
    from dagster import DagsterEvent, DagsterEventType

    return DagsterEvent(event_type_value=DagsterEventType.RUN_SUCCESS.value,
                        job_name=run.job_name)


def test_p3dn_run_loads_in_the_load_run_and_refreshes_without_loading_again(tmp_path,
                                                                          monkeypatch):
    """``p3dn run`` as the schedule and sensor run it: the ledger and the raw steps run once,
    in load_landing; refresh_all runs every other asset of its selection, not those again."""
    from dagster import DagsterEventType

    from p3dn_pipeline.definitions import defs
    from p3dn_pipeline.defs.automation import mart_window_start
    from p3dn_pipeline.defs.publish.assets import RUN_SUMMARY_KEY
    from p3dn_pipeline_tests.integration.cli_runs import Deployment, instance_of

    landing = tmp_path / "landing"
    landing.mkdir()
    for path in (Path(__file__).parent.parent / "fixtures" / "mini_p3dn").iterdir():
        shutil.copy(path, landing / path.name)
    deployment = Deployment(tmp_path, landing, tmp_path / "dagster_home")
    finished = deployment.run("run")
    assert finished.returncode == 0, finished.output[-3000:]

    instance = instance_of(deployment.dagster_home)
    steps = {}
    for run in instance.get_runs():
        steps[run.job_name] = {entry.step_key for entry in instance.all_logs(
            run.run_id, of_type=DagsterEventType.STEP_SUCCESS)}
    refresh_assets = defs.resolve_job_def("refresh_all").asset_layer.selected_asset_keys
    loaded_assets = _load_job().asset_layer.selected_asset_keys
    as_steps = lambda keys: {"__".join(key.path) for key in keys}  # noqa: E731
    assert steps["load_landing"] == as_steps(loaded_assets)
    assert steps["refresh_all"] == as_steps(set(refresh_assets) - set(loaded_assets))
    assert "raw__file_ledger" in steps["load_landing"]
    assert "marts__p3dn_provinsi" in steps["refresh_all"]
    assert ("Every step runs: no asset the plan may leave out is unchanged since its last "
            "build and materialized for its next freshness deadline.") in finished.output
    assert "Load run: no warehouse yet." in finished.output
    first_refresh = instance.get_runs(limit=1)[0]
    assert first_refresh.job_name == "refresh_all"
    marts_built_after = dt.datetime.fromtimestamp(
        instance.get_run_record_by_id(first_refresh.run_id).start_time, dt.UTC)

    def expected_left_out(now: dt.datetime) -> set:
        """Everything after the load but the run summary; not the marts once a 06:00 WIB
        has passed since they were built (they run then, for the 08:00 deadline)."""
        plannable = set(refresh_assets) - set(loaded_assets) - {RUN_SUMMARY_KEY}
        if mart_window_start(now) > marts_built_after:
            return {key for key in plannable if key.path[0] != "marts"}
        return plannable

    # Again, nothing changed: the refresh leaves out every asset that finds its inputs
    # unchanged (lib/run_plan.py) and, for a mart, was built since today's 06:00 WIB; it
    # says so and tags its run with how many.
    left_out = expected_left_out(dt.datetime.now(dt.UTC))
    runs_before = len(instance_of(deployment.dagster_home).get_runs())
    again = deployment.run("run")
    assert again.returncode == 0, again.output[-3000:]
    # Nor is there a load run: the landing folder holds the files the ledger loaded.
    from p3dn_pipeline.lib.run_plan import NOTHING_TO_LOAD

    assert f"No load run: {NOTHING_TO_LOAD}." in again.output
    assert len(instance_of(deployment.dagster_home).get_runs()) == runs_before + 1
    if len(left_out) == 45:
        assert ("Left out of the refresh, inputs unchanged since their last build: 45 assets "
                "(marts 16, publish 3, reference 4, staging 22).") in again.output
    else:
        assert ("Left out of the refresh, inputs unchanged since their last build: 29 assets "
                "(publish 3, reference 4, staging 22). Unchanged but run to be fresh for the "
                "next deadline: 16 (marts 16).") in again.output
    refresh = instance_of(deployment.dagster_home).get_runs(limit=1)[0]
    assert refresh.job_name == "refresh_all"
    assert refresh.tags["p3dn/left_out_unchanged"] == str(len(left_out))
    ran = {entry.step_key for entry in instance_of(deployment.dagster_home).all_logs(
        refresh.run_id, of_type=DagsterEventType.STEP_SUCCESS)}
    assert ran == as_steps(set(refresh_assets) - set(loaded_assets) - left_out)

    # The refresh_after_load sensor plans the same way on this deployment: its request
    # leaves out the same tables and carries the same tag.
    from dagster import DagsterRunStatus, build_run_status_sensor_context

    from p3dn_pipeline.defs.automation import refresh_after_load

    for name, value in deployment.environ().items():
        if name.startswith(("P3DN_", "DAGSTER_")):
            monkeypatch.setenv(name, value)
    instance = instance_of(deployment.dagster_home)
    left_out = expected_left_out(dt.datetime.now(dt.UTC))
    load = instance.create_run_for_job(job_def=_load_job(), run_id="c" * 32,
                                       status=DagsterRunStatus.SUCCESS)
    request = refresh_after_load(build_run_status_sensor_context(
        sensor_name="refresh_after_load", dagster_instance=instance, dagster_run=load,
        dagster_event=_success_event(load), repository_def=defs.get_repository_def()))
    assert set(request.asset_selection) == set(refresh_assets) - set(loaded_assets) - left_out
    assert request.tags["p3dn/left_out_unchanged"] == str(len(left_out))
