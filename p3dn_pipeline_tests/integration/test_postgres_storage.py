"""deploy/dagster-postgres.yaml, as shipped, on a real PostgreSQL server: the whole pipeline runs
and its run, materializations and check results land in PostgreSQL, not in SQLite files.

PostgreSQL must be installed (.ci/run installs it): if it cannot be started this test fails,
it never skips, so CI cannot go green without having exercised the production storage.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from p3dn_pipeline_tests.conftest import REPO, point_pipeline_at
from p3dn_pipeline_tests.pg_server import PostgresUnavailable, throwaway_postgres

pytestmark = pytest.mark.slow

MARTS = ["p3dn_apbd_bulanan", "p3dn_per_skpd", "p3dn_provinsi", "umkm_binaan_triwulan",
         "umkm_ekatalog"]


@pytest.fixture(scope="module")
def postgres():
    try:
        with throwaway_postgres() as server:
            yield server
    except PostgresUnavailable as err:
        pytest.fail(f"PostgreSQL could not be started, so production instance storage was not "
                    f"tested: {err}", pytrace=False)


def test_refresh_all_on_the_production_instance_config_is_stored_in_postgres(
        postgres, tmp_path, monkeypatch):
    from dagster import AssetKey, DagsterInstance, DagsterRunStatus

    from p3dn_pipeline.definitions import defs
    from p3dn_pipeline.lib.partitions import fiscal_year_range_tags
    from p3dn_pipeline.lib.resources import default_resources

    dagster_home = tmp_path / "dagster_home"
    dagster_home.mkdir()
    shutil.copy(REPO / "deploy" / "dagster-postgres.yaml", dagster_home / "dagster.yaml")
    for name, value in postgres.dagster_env.items():
        monkeypatch.setenv(name, value)
    pipeline = point_pipeline_at(monkeypatch, tmp_path)
    shutil.copytree(REPO / "p3dn_pipeline_tests" / "fixtures" / "mini_p3dn", pipeline.landing,
                    dirs_exist_ok=True)

    # The README's deployment step: Dagster's CLI creates the tables in PostgreSQL.
    migrate = subprocess.run([str(Path(sys.executable).parent / "dagster"), "instance", "migrate"],
                             env={**os.environ, "DAGSTER_HOME": str(dagster_home)},
                             capture_output=True, text=True, timeout=300)
    assert migrate.returncode == 0, migrate.stderr[-2000:]

    with DagsterInstance.from_config(str(dagster_home)) as instance:
        assert [type(instance.run_storage).__name__, type(instance.event_log_storage).__name__,
                type(instance.schedule_storage).__name__] == [
            "PostgresRunStorage", "PostgresEventLogStorage", "PostgresScheduleStorage"]
        assert instance.run_retries_enabled
        assert instance.get_concurrency_config().run_queue_config.max_concurrent_runs == 1

        # Resources are built from the environment now: defs may have been imported before.
        # Loading registers the fiscal years with data as partitions, stored in PostgreSQL.
        loaded = defs.resolve_job_def("load_landing").execute_in_process(
            instance=instance, resources=default_resources())
        assert loaded.success
        assert instance.get_dynamic_partitions("tahun_anggaran") == ["2025"]
        connections_before = postgres.connections_made()
        result = defs.resolve_job_def("refresh_all").execute_in_process(
            instance=instance, resources=default_resources(),
            tags=fiscal_year_range_tags(instance))
        assert result.success
        run_id = result.run_id
        # The run's events went through the connections the load run's executor opened
        # (lib/dagster_storage.py, pool_postgres_storages), not one new connection each:
        # Dagster's own NullPool engines made more connections than the run has events.
        events = len(instance.all_logs(run_id))
        connections = postgres.connections_made() - connections_before
        assert events > 300
        assert connections <= 8, f"{connections} new connections for a run of {events} events"
        assert instance.get_run_by_id(run_id).status == DagsterRunStatus.SUCCESS
        latest = instance.get_latest_materialization_event(AssetKey(["marts", "p3dn_provinsi"]))
        assert latest.run_id == run_id

    # Read back with PostgreSQL's own client library, not through Dagster.
    connection = postgres.connect()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pipeline_name, status FROM runs WHERE run_id = %s", (run_id,))
            assert cursor.fetchall() == [("refresh_all", "SUCCESS")]
            cursor.execute(
                "SELECT DISTINCT asset_key FROM event_logs WHERE run_id = %s "
                "AND dagster_event_type = 'ASSET_MATERIALIZATION' ORDER BY asset_key", (run_id,))
            materialized = [row[0] for row in cursor.fetchall()]
            cursor.execute("SELECT table_name FROM information_schema.tables "
                           "WHERE table_schema = 'public'")
            tables = {row[0] for row in cursor.fetchall()}
    finally:
        connection.close()
    assert {f'["marts", "{name}"]' for name in MARTS} <= set(materialized)
    # Every asset but the INAPROC pull, which only its own job and schedule run.
    assert {tuple(json.loads(key)) for key in materialized} == {
        tuple(key.path) for key in defs.resolve_asset_graph().get_all_asset_keys()
        if key.path[0] != "pull"}
    # Schedule and sensor state (and the sensors' cursors) live here too.
    assert {"runs", "event_logs", "asset_keys", "instigators", "job_ticks"} <= tables
    assert not list(dagster_home.glob("**/*.db")), "nothing may fall back to SQLite"
