"""The Dagster UI for real: dagster-webserver and dagster-daemon as separate processes on the
repository's workspace.yaml and dagster.yaml, driven through the webserver's GraphQL API the
way the UI drives it.

The daemon is needed: dagster.yaml queues runs (one at a time, for DuckDB) and the daemon
starts them. It also ticks the sensors: the landing sensor is shown files that look as if
they are still being copied, so it must wait rather than start a second run.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from p3dn_pipeline_tests.conftest import REPO, TEST_PII_KEY
from p3dn_pipeline_tests.pg_server import free_loopback_port

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
MINI = REPO / "p3dn_pipeline_tests" / "fixtures" / "mini_p3dn"
FINISHED = {"SUCCESS", "FAILURE", "CANCELED"}
MARTS = {"marts/p3dn_apbd_bulanan", "marts/p3dn_per_skpd", "marts/p3dn_provinsi",
         "marts/umkm_binaan_triwulan", "marts/umkm_ekatalog"}

LAUNCH = """
mutation Launch($params: ExecutionParams!) {
  launchRun(executionParams: $params) {
    __typename
    ... on LaunchRunSuccess { run { runId } }
    ... on PythonError { message }
    ... on InvalidSubsetError { message }
    ... on RunConfigValidationInvalid { errors { message } }
  }
}"""

RUN = """
query Run($runId: ID!) {
  runOrError(runId: $runId) {
    __typename
    ... on Run { status startTime endTime }
  }
}"""

EVENTS = """
query Events($runId: ID!) {
  logsForRun(runId: $runId) {
    __typename
    ... on EventConnection {
      events {
        __typename
        ... on MaterializationEvent { assetKey { path } }
        ... on AssetCheckEvaluationEvent {
          evaluation { checkName success assetKey { path } }
        }
      }
    }
  }
}"""

AUTOMATION = """
query Automation($repo: RepositorySelector!) {
  schedulesOrError(repositorySelector: $repo) {
    ... on Schedules {
      results {
        name cronSchedule executionTimezone scheduleState { status }
        futureTicks(limit: 1) { results { timestamp } }
      }
    }
  }
  sensorsOrError(repositorySelector: $repo) {
    ... on Sensors { results { name sensorState { status } } }
  }
}"""

SENSOR_TICKS = """
query Ticks($sensor: SensorSelector!) {
  sensorOrError(sensorSelector: $sensor) {
    ... on Sensor { sensorState { ticks(limit: 5) { status skipReason } } }
  }
}"""

RUNS = "{ runsOrError { ... on Runs { results { runId jobName status tags { key value } } } } }"


class Server:
    def __init__(self, port: int):
        self.url = f"http://127.0.0.1:{port}"

    def get(self, path: str):
        with urllib.request.urlopen(self.url + path, timeout=5) as response:
            return json.load(response)

    def graphql(self, query: str, variables: dict | None = None) -> dict:
        request = urllib.request.Request(
            self.url + "/graphql", method="POST",
            data=json.dumps({"query": query, "variables": variables or {}}).encode(),
            headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            answer = json.load(response)
        assert "errors" not in answer, answer["errors"]
        return answer["data"]


def start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    handle = log.open("w")
    # Own process group, so teardown stops it with everything it started (code server, runs).
    return subprocess.Popen(command, cwd=REPO, env=env, stdout=handle, stderr=subprocess.STDOUT,
                            start_new_session=True)


def stop(*processes: subprocess.Popen) -> None:
    running = [p for p in processes if p.poll() is None]
    for process in running:
        os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    for process in running:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
    for process in processes:
        try:
            os.killpg(process.pid, signal.SIGKILL)  # whatever of the group is still there
        except ProcessLookupError:
            pass
        process.wait(timeout=5)


def listening_addresses(port: int) -> set[str]:
    """Local addresses with a socket in LISTEN state on ``port``, from the kernel's tables."""
    found = set()
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        if not Path(table).exists():
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].split(":")
            if int(hex_port, 16) != port or fields[3] != "0A":  # 0A = LISTEN
                continue
            if width == 8:
                found.add(".".join(str(b) for b in reversed(bytes.fromhex(address))))
            else:
                found.add("::" if int(address, 16) == 0 else f"ipv6:{address}")
    return found


def wait_for(condition, timeout: float, what: str, logs: list[Path]):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.5)
    tails = "\n".join(f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}" for log in logs)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}\n{tails}")


def test_ui_shows_the_asset_graph_and_a_load_starts_refresh_all(tmp_path):
    from dagster import DagsterInstance

    from p3dn_pipeline.definitions import defs

    landing = tmp_path / "landing"
    shutil.copytree(MINI, landing, copy_function=shutil.copyfile)  # modified just now
    dagster_home = tmp_path / "dagster_home"
    dagster_home.mkdir()
    shutil.copy(REPO / "dagster.yaml", dagster_home / "dagster.yaml")
    env = {**os.environ, "DAGSTER_HOME": str(dagster_home), "P3DN_LANDING_DIR": str(landing),
           "P3DN_WAREHOUSE": str(tmp_path / "warehouse" / "p3dn.duckdb"),
           "P3DN_PII_KEY": TEST_PII_KEY, "P3DN_LANDING_SETTLE_SECONDS": "3600"}
    # Create the instance's storage first, as `dagster instance migrate` does in a deployment:
    # two processes creating fresh SQLite storage at the same moment race each other.
    with DagsterInstance.from_config(str(dagster_home)):
        pass
    port = free_loopback_port()
    logs = [tmp_path / "webserver.log", tmp_path / "daemon.log"]
    webserver = start([str(BIN / "dagster-webserver"), "-w", "workspace.yaml",
                       "-h", "127.0.0.1", "-p", str(port)], env, logs[0])
    daemon = start([str(BIN / "dagster-daemon"), "run", "-w", "workspace.yaml"], env, logs[1])
    server = Server(port)
    try:
        def answers():
            try:
                return server.get("/server_info")
            except OSError:
                return None

        info = wait_for(answers, 60, "/server_info", logs)
        assert "dagster_webserver_version" in info
        assert listening_addresses(port) == {"127.0.0.1"}

        repository = wait_for(lambda: server.graphql(
            "{ repositoriesOrError { ... on RepositoryConnection "
            "{ nodes { name location { name } } } } }")["repositoriesOrError"]["nodes"],
            60, "the code location to load", logs)[0]
        # Named by workspace.yaml, as the UI, the daemon and the deploy units show it.
        assert repository["location"]["name"] == "p3dn_pipeline"
        keys = {"/".join(node["assetKey"]["path"]) for node in
                server.graphql("{ assetNodes { assetKey { path } } }")["assetNodes"]}
        assert "marts/p3dn_provinsi" in keys
        assert MARTS <= keys
        assert keys == {key.to_user_string()
                        for key in defs.resolve_asset_graph().get_all_asset_keys()}

        selector = {"repositoryLocationName": repository["location"]["name"],
                    "repositoryName": repository["name"]}
        automation = server.graphql(AUTOMATION, {"repo": selector})
        pull, schedule = sorted(automation["schedulesOrError"]["results"],
                                key=lambda s: s["name"] != "inaproc_pull_0500_wib")
        assert (pull["name"], pull["cronSchedule"], pull["scheduleState"]["status"]) == (
            "inaproc_pull_0500_wib", "0 5 * * *", "RUNNING")
        assert (schedule["name"], schedule["cronSchedule"], schedule["executionTimezone"],
                schedule["scheduleState"]["status"]) == (
            "daily_refresh_0600_wib", "0 6 * * *", "Asia/Jakarta", "RUNNING")
        next_tick = dt.datetime.fromtimestamp(
            schedule["futureTicks"]["results"][0]["timestamp"], dt.UTC)
        assert (next_tick.hour, next_tick.minute) == (23, 0)  # 06:00 WIB is 23:00 UTC
        assert {s["name"]: s["sensorState"]["status"]
                for s in automation["sensorsOrError"]["results"]} == {
            "landing_folder_sensor": "RUNNING", "run_failure_alert": "RUNNING",
            "check_failure_alert": "RUNNING", "refresh_after_load": "RUNNING"}

        # As the schedule does: load the landing folder. A run-status sensor sees only runs
        # that finish after its first tick, so that tick comes first.
        def sensor_ticked(name):
            return lambda: server.graphql(SENSOR_TICKS, {"sensor": {
                **selector, "sensorName": name}})["sensorOrError"]["sensorState"]["ticks"]

        wait_for(sensor_ticked("refresh_after_load"), 90, "refresh_after_load's first tick",
                 logs)
        launched = server.graphql(LAUNCH, {"params": {
            "selector": {**selector, "jobName": "load_landing"}}})["launchRun"]
        assert launched["__typename"] == "LaunchRunSuccess", launched
        load_id = launched["run"]["runId"]
        load = wait_for(lambda: (lambda r: r if r["status"] in FINISHED else None)(
            server.graphql(RUN, {"runId": load_id})["runOrError"]), 120, "the load to finish",
            logs)
        assert load["status"] == "SUCCESS", load

        # The daemon then starts refresh_all over every fiscal year with data (2025 in the
        # mini exports), in one run.
        def refresh_run():
            runs = server.graphql(RUNS)["runsOrError"]["results"]
            return next((r for r in runs if r["jobName"] == "refresh_all"
                         and r["status"] in FINISHED), None)

        run = wait_for(refresh_run, 180, "refresh_all to be started and finish", logs)
        assert run["status"] == "SUCCESS", run
        run_id = run["runId"]
        run_tags = {t["key"]: t["value"] for t in run["tags"]}
        assert (run_tags["dagster/asset_partition_range_start"],
                run_tags["dagster/asset_partition_range_end"],
                run_tags["p3dn/loaded_by"]) == ("2025", "2025", load_id)

        events = server.graphql(EVENTS, {"runId": run_id})["logsForRun"]["events"]
        materialized = {"/".join(e["assetKey"]["path"]) for e in events
                        if e["__typename"] == "MaterializationEvent"}
        # Everything but the INAPROC pull, which only its own job runs (it calls the API),
        # and the ledger and raw tables, which the load has just run.
        assert materialized == {key for key in keys if not key.startswith(("pull/", "raw/"))}
        assert "raw/file_ledger" in keys
        checks = {("/".join(e["evaluation"]["assetKey"]["path"]), e["evaluation"]["checkName"])
                  for e in events if e["__typename"] == "AssetCheckEvaluationEvent"}
        defined = {(key.asset_key.to_user_string(), key.name)
                   for key in defs.resolve_asset_graph().asset_check_keys}
        assert checks == defined

        # The daemon ticked the landing sensor, which saw the files as still being copied.
        def landing_ticks():
            state = server.graphql(SENSOR_TICKS, {"sensor": {
                **selector, "sensorName": "landing_folder_sensor"}})["sensorOrError"]
            return state["sensorState"]["ticks"]

        ticks = wait_for(landing_ticks, 60, "the landing sensor's first tick", logs)
        assert {(t["status"], t["skipReason"].rsplit(" (", 1)[-1]) for t in ticks} == {
            ("SKIPPED", "6 still being copied).")}
        assert [r["runId"] for r in server.graphql(RUNS)["runsOrError"]["results"]] == [
            run_id, load_id]
    finally:
        stop(webserver, daemon)
