"""Incremental runs: a run whose inputs have not changed rewrites nothing; one changed
export rebuilds only its own chain, and the result equals a rebuild from scratch."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
import shutil
from pathlib import Path

import pytest

from p3dn_pipeline_tests.conftest import point_pipeline_at

pytestmark = pytest.mark.slow

MINI = Path(__file__).parent.parent / "fixtures" / "mini_p3dn"
ROSTER_SAMPLE = Path(__file__).parent.parent.parent / "data" / "landing" / "kpkp"
# What a changed APBD export must rebuild: its raw and staging tables, the mart computed from
# it, the data-quality mart (the ledger changed), the ledger itself and the publish.
APBD_CHAIN = {"raw/file_ledger", "raw/apbd_realisasi", "staging/apbd_realisasi",
              "marts/p3dn_apbd_bulanan", "marts/data_quality", "publish/serving_file",
              "publish/parquet", "publish/dashboard"}


def rebuilt_by_asset(result) -> dict[str, bool]:
    """Asset -> whether any of its materializations in the run rebuilt it (every asset that
    writes a table or a file; publish/run_summary writes nothing)."""
    rebuilt: dict[str, bool] = {}
    for event in result.get_asset_materialization_events():
        materialization = event.event_specific_data.materialization
        key = materialization.asset_key.to_user_string()
        if key == "publish/run_summary":
            continue
        value = materialization.metadata["rebuilt"].value
        rebuilt[key] = rebuilt.get(key, False) or value
    return rebuilt


def check_outcomes(result) -> dict[tuple[str, str], bool]:
    return {(e.asset_key.to_user_string(), e.check_name): e.passed
            for e in result.get_asset_check_evaluations()}


def output_files(env) -> dict[str, tuple[int, int]]:
    """Size and mtime of the warehouse and everything published beside it."""
    folder = env.warehouse.parent
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def table_contents(env, schemas=("staging", "quarantine", "marts", "reference")) -> dict:
    """Every table of these schemas, without columns holding load or build times (which
    differ between two builds of the same data by design)."""
    con = env.connect()
    try:
        tables = con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() "
            # The publish history (headline snapshots, export changes recorded with each
            # publish) differs between an incremental warehouse and one built from scratch.
            "WHERE list_contains($s, schema_name) "
            "AND table_name NOT IN ('p3dn_snapshot', 'p3dn_perubahan_ekspor') "
            "ORDER BY ALL", {"s": list(schemas)}).fetchall()
        contents = {}
        for schema, table in tables:
            columns = [name for name, kind in con.execute(
                "SELECT column_name, data_type FROM duckdb_columns() "
                "WHERE schema_name = $s AND table_name = $t ORDER BY column_index",
                {"s": schema, "t": table}).fetchall()
                if not kind.startswith("TIMESTAMP") and name not in ("_loaded_at",)]
            select = ", ".join(f'"{c}"' for c in columns)
            contents[f"{schema}.{table}"] = con.execute(
                f"SELECT {select} FROM {schema}.{table} ORDER BY ALL").fetchall()
        return contents
    finally:
        con.close()


def land_mini_with_roster(landing: Path) -> None:
    shutil.copytree(MINI, landing, dirs_exist_ok=True)
    roster = sorted(ROSTER_SAMPLE.glob("*.xlsx"))[0]
    shutil.copy(roster, landing / roster.name)


def change_one_apbd_amount(landing: Path) -> None:
    path = landing / "apbd_realisasi.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    header = lines[0].rstrip("\r\n").split(";" if ";" in lines[0] else ",")
    separator = ";" if ";" in lines[0] else ","
    column = next(i for i, name in enumerate(header) if name.strip().lower() == "realisasi")
    for index, line in enumerate(lines[1:], start=1):
        cells = line.rstrip("\r\n").split(separator)
        digits = "".join(ch for ch in cells[column] if ch.isdigit())
        if digits:
            cells[column] = str(int(digits) + 1000)
            lines[index] = separator.join(cells) + "\n"
            break
    else:
        raise AssertionError("no APBD line with an amount to change")
    path.write_text("".join(lines), encoding="utf-8")


def test_unchanged_run_rewrites_nothing_and_reports_the_stored_checks(pipeline_env):
    land_mini_with_roster(pipeline_env.landing)
    first = pipeline_env.materialize()
    assert set(rebuilt_by_asset(first).values()) == {True}
    fingerprints = pipeline_env.query("SELECT * FROM quality.builds ORDER BY ALL")
    checks = pipeline_env.query("SELECT * FROM quality.check_results ORDER BY ALL")
    files, contents = output_files(pipeline_env), table_contents(pipeline_env)

    second = pipeline_env.materialize()

    assert {key for key, rebuilt in rebuilt_by_asset(second).items() if rebuilt} == set()
    assert len(rebuilt_by_asset(second)) == len(rebuilt_by_asset(first)) == 67
    # The same verdict on every check, reported from the build it judged.
    assert check_outcomes(second) == check_outcomes(first)
    # 120 staging rules (the three WARN date checks became a staging quarantine rule, issue
    # 17), the quality gate of the 15 tables computed from them and the 4 plausibility checks
    # on the marts (issue 15).
    assert len(check_outcomes(second)) == 120 + 15 + 4
    # The staging checks are reported from the build they judged, not run again; each
    # table computed from them reports the gate it passed (read from those stored results).
    gates = [e for e in second.get_asset_check_evaluations()
             if e.check_name == "upstream_quality_gate"]
    assert len(gates) == 15 and all(e.passed for e in gates)
    for evaluation in second.get_asset_check_evaluations():
        if evaluation.check_name != "upstream_quality_gate":
            assert evaluation.metadata["rechecked"].value is False
    # Not a byte written: the warehouse file, the serving file, Parquet and dashboard keep
    # their size and time; the recorded builds and checks are the same rows.
    assert output_files(pipeline_env) == files
    assert pipeline_env.query(
        "SELECT * FROM quality.builds ORDER BY ALL") == fingerprints
    assert pipeline_env.query("SELECT * FROM quality.check_results ORDER BY ALL") == checks
    assert table_contents(pipeline_env) == contents


def test_one_changed_export_rebuilds_its_chain_only_and_equals_a_rebuild_from_scratch(
        pipeline_env, tmp_path, monkeypatch):
    land_mini_with_roster(pipeline_env.landing)
    pipeline_env.materialize()
    change_one_apbd_amount(pipeline_env.landing)

    changed = pipeline_env.materialize()

    rebuilt = rebuilt_by_asset(changed)
    assert {key for key, value in rebuilt.items() if value} == APBD_CHAIN
    incremental = table_contents(pipeline_env)
    # The same landing folder into an empty warehouse: the same tables, row for row.
    (tmp_path / "from_scratch").mkdir()
    scratch = point_pipeline_at(monkeypatch, tmp_path / "from_scratch")
    shutil.copytree(pipeline_env.landing, scratch.landing, dirs_exist_ok=True)
    scratch.materialize()
    assert table_contents(scratch) == incremental
    assert incremental["staging.apbd_realisasi"]  # the comparison compared something


def test_full_refresh_tag_rebuilds_everything(pipeline_env):
    shutil.copytree(MINI, pipeline_env.landing, dirs_exist_ok=True)
    pipeline_env.materialize()
    forced = pipeline_env.materialize(full_refresh=True)
    rebuilt = rebuilt_by_asset(forced)
    # Raw tables are kept per file version and never re-read; everything else is rebuilt.
    from p3dn_pipeline.lib.sources import registry

    assert {key for key, value in rebuilt.items() if not value} == {
        "raw/file_ledger", *(f"raw/{dataset.name}" for dataset in registry().datasets)}


def test_a_dropped_table_is_rebuilt(pipeline_env):
    import duckdb

    shutil.copytree(MINI, pipeline_env.landing, dirs_exist_ok=True)
    pipeline_env.materialize()
    con = duckdb.connect(str(pipeline_env.warehouse))
    con.execute("DROP TABLE marts.p3dn_provinsi")
    con.close()

    after_drop = rebuilt_by_asset(pipeline_env.materialize())
    # Only the dropped table and what is made from it.
    assert {key for key, value in after_drop.items() if value} == {
        "marts/p3dn_provinsi", "marts/p3dn_rekonsiliasi", "publish/serving_file",
        "publish/parquet", "publish/dashboard"}
    assert pipeline_env.query("SELECT count(*) FROM marts.p3dn_provinsi")[0][0] > 0


def test_a_failed_check_is_reported_again_and_still_blocks_the_marts(pipeline_env):
    shutil.copytree(MINI, pipeline_env.landing, dirs_exist_ok=True)
    path = pipeline_env.landing / "struktur_anggaran.json"
    rows = json.loads(path.read_text())
    rows[0]["belanja_pengadaan"] += 1_000_000  # no longer operasi + modal
    path.write_text(json.dumps(rows))
    first = pipeline_env.materialize(raise_on_error=False)
    key = ("staging/sirup_struktur_anggaran", "belanja_pengadaan_is_operasi_plus_modal")
    assert check_outcomes(first)[key] is False

    second = pipeline_env.materialize(raise_on_error=False)

    assert rebuilt_by_asset(second)["staging/sirup_struktur_anggaran"] is False
    assert check_outcomes(second)[key] is False
    failed = {e.step_key for e in second.get_step_failure_events()}
    assert failed == {"staging__ekatalog_paket"}
    # (p3dn_target reads only the reference targets: no LKPP table, nothing to block.)
    assert not pipeline_env.query(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts' "
        "AND table_name LIKE 'p3dn%' AND table_name <> 'p3dn_target'")


def test_the_fiscal_year_partitions_are_the_years_with_data(pipeline_env):
    """Every year a loaded export has rows of is a partition, and no other: a run covers
    exactly those, an older year's export adds its year, a typo'd year adds nothing."""
    shutil.copytree(MINI, pipeline_env.landing, dirs_exist_ok=True)
    first = pipeline_env.materialize()
    assert partitions_materialized(first, "marts/p3dn_provinsi") == {"2025"}

    rows = json.loads((MINI / "sirup_paket.json").read_text())
    for row in rows:
        row["tahun_anggaran"] = 2023
        row["kd_rup"] = type(row["kd_rup"])(int(row["kd_rup"]) - 2000000)
    rows[0]["tahun_anggaran"] = 2099  # no plausible fiscal year
    (pipeline_env.landing / "sirup_2023.json").write_text(json.dumps(rows))
    second = pipeline_env.materialize()

    assert partitions_materialized(second, "staging/sirup_paket_penyedia") == {"2023", "2025"}
    assert partitions_materialized(second, "marts/p3dn_provinsi") == {"2023", "2025"}
    assert pipeline_env.query(
        "SELECT dataset, tahun FROM quality.fiscal_years WHERE tahun IS NOT NULL "
        "ORDER BY ALL") == [
        ("apbd_realisasi", 2025), ("ekatalog_paket_v5", 2025), ("ekatalog_paket_v6", 2025),
        ("sirup_paket_penyedia", 2023), ("sirup_paket_penyedia", 2025),
        ("sirup_paket_penyedia", 2099), ("sirup_struktur_anggaran", 2025)]
    assert pipeline_env.query(
        "SELECT rule, offending_value FROM quarantine.sirup_paket_penyedia "
        "WHERE _source_file = 'sirup_2023.json'") == [
        ("fiscal_year_outside_partitions", "2099")]
    assert pipeline_env.query("SELECT tahun_anggaran FROM marts.p3dn_provinsi ORDER BY 1") == [
        (2023,), (2025,)]


def partitions_materialized(result, key: str) -> set[str]:
    return {e.partition for e in result.get_asset_materialization_events()
            if e.asset_key.to_user_string() == key}


RUN_IN_A_FRESH_PROCESS = """
import sys
from pathlib import Path
from p3dn_pipeline_tests.conftest import PipelineEnv
import p3dn_pipeline
assert Path(p3dn_pipeline.__file__).is_relative_to(Path(sys.argv[1])), p3dn_pipeline.__file__
assert PipelineEnv(Path(sys.argv[2]), Path(sys.argv[3])).materialize().success
"""


def test_an_edited_mart_sql_is_rebuilt_on_the_next_run(pipeline_env, tmp_path):
    """A mart's SQL text is part of what its build depends on: after editing the SQL of
    marts.p3dn_apbd_bulanan (the total doubled), the next run shows the new figure, not the
    stale one (issue 15: with the SQL text left out of the fingerprint it stayed stale).
    Each run is a fresh process importing a copy of the package, as after a deployment."""
    import os
    import subprocess
    import sys

    from p3dn_pipeline_tests.conftest import REPO
    from p3dn_pipeline_tests.integration.test_p3dn_marts import SKPD_A

    code = tmp_path / "code"
    shutil.copytree(REPO / "p3dn_pipeline", code / "p3dn_pipeline",
                    ignore=shutil.ignore_patterns("__pycache__"))
    # Dagster finds the project's defs folder from its pyproject.toml.
    shutil.copy(REPO / "pyproject.toml", code / "pyproject.toml")
    shutil.copytree(MINI, pipeline_env.landing, dirs_exist_ok=True)
    environ = {**os.environ, "PYTHONPATH": os.pathsep.join([str(code), str(REPO)]),
               "PYTHONDONTWRITEBYTECODE": "1"}

    def run() -> None:
        subprocess.run([sys.executable, "-c", RUN_IN_A_FRESH_PROCESS, str(code),
                        str(pipeline_env.landing), str(pipeline_env.warehouse)],
                       env=environ, check=True, cwd=tmp_path)

    def january_total():
        return pipeline_env.query(
            "SELECT realisasi_belanja_total_rp FROM marts.p3dn_apbd_bulanan "
            "WHERE kode_skpd = $k AND bulan = 1", {"k": SKPD_A})

    run()
    # ATK 1.000.000 + modal 3.000.000,50 + pegawai 10.000.000 (test_p3dn_marts).
    assert january_total() == [(Decimal("14000000.50"),)]
    sql = code / "p3dn_pipeline" / "defs" / "marts" / "sql" / "p3dn_apbd_bulanan.sql"
    text = sql.read_text(encoding="utf-8")
    assert text.count("sum(realisasi_rp) AS realisasi_belanja_total_rp") == 1
    sql.write_text(text.replace("sum(realisasi_rp) AS realisasi_belanja_total_rp",
                                "sum(realisasi_rp) * 2 AS realisasi_belanja_total_rp"),
                   encoding="utf-8")
    run()
    assert january_total() == [(Decimal("28000001.00"),)]


def asset_keys_of(*groups: str) -> set[str]:
    from p3dn_pipeline.definitions import defs

    graph = defs.resolve_job_def("refresh_all").asset_layer.asset_graph
    return {key.to_user_string() for key in graph.toposorted_asset_keys
            if graph.get(key).group_name in groups}


def descendants_of(key: str) -> set[str]:
    from dagster import AssetKey

    from p3dn_pipeline.definitions import defs

    graph = defs.resolve_job_def("refresh_all").asset_layer.asset_graph
    found, frontier = set(), [AssetKey.from_user_string(key)]
    while frontier:
        for child in graph.get(frontier.pop()).child_keys:
            if child not in found:
                found.add(child)
                frontier.append(child)
    return {child.to_user_string() for child in found}


# What a refresh after a load may leave out when nothing changed: every reference, staging,
# mart and publish asset but the run summary, whose step always runs.
def plannable() -> set[str]:
    return asset_keys_of("reference", "staging", "marts", "publish") - {"publish/run_summary"}


def left_out_keys(runs) -> set[str]:
    return {key.to_user_string() for key in runs.left_out.keys}


def materialized_in(runs) -> set[str]:
    return {event.event_specific_data.materialization.asset_key.to_user_string()
            for event in runs.get_asset_materialization_events()}


def refresh_started_at(runs, instance) -> dt.datetime:
    """When the refresh (the second run) started: before any mart was materialized."""
    record = instance.get_run_record_by_id(runs.results[1].run_id)
    return dt.datetime.fromtimestamp(record.start_time, dt.UTC)


def test_a_planned_refresh_leaves_out_what_is_unchanged_and_confirms_the_marts_once_a_day(
        pipeline_env):
    from dagster import DagsterInstance

    from p3dn_pipeline.defs.automation import mart_window_start

    land_mini_with_roster(pipeline_env.landing)
    instance = DagsterInstance.ephemeral()
    first = pipeline_env.materialize(instance=instance)
    files, contents = output_files(pipeline_env), table_contents(pipeline_env)
    # Judged as of the moment the first refresh started: every mart was materialized since
    # the latest 06:00 WIB before it, whatever the clock says when the test runs.
    built_at = refresh_started_at(first, instance)
    assert mart_window_start(built_at) <= built_at

    same_day = pipeline_env.materialize(planned=True, instance=instance, plan_now=built_at)

    assert left_out_keys(same_day) == plannable()
    assert len(left_out_keys(same_day)) == 4 + 22 + 16 + 3
    assert same_day.left_out.summary() == (
        "Left out of the refresh, inputs unchanged since their last build: 45 assets "
        "(marts 16, publish 3, reference 4, staging 22).")
    # Only the run summary ran: no step of a left-out asset, nothing rewritten.
    assert materialized_in(same_day.results[-1]) == {"publish/run_summary"}
    assert output_files(pipeline_env) == files

    # The next day, once 06:00 WIB has passed, every mart is due for the 08:00 deadline: each
    # runs to confirm its figures (its freshness policy), rewriting nothing, and what is
    # built from the marts is still left out.
    next_day = pipeline_env.materialize(planned=True, instance=instance,
                                        plan_now=built_at + dt.timedelta(days=1))

    assert left_out_keys(next_day) == plannable() - asset_keys_of("marts")
    assert {key.to_user_string() for key in next_day.left_out.to_stay_fresh} == (
        asset_keys_of("marts"))
    assert next_day.left_out.summary() == (
        "Left out of the refresh, inputs unchanged since their last build: 29 assets "
        "(publish 3, reference 4, staging 22). Unchanged but run to be fresh for the next "
        "deadline: 16 (marts 16).")
    materialized = rebuilt_by_asset(next_day.results[-1])
    assert set(materialized) == asset_keys_of("marts")
    assert {key for key, rebuilt in materialized.items() if rebuilt} == set()
    assert output_files(pipeline_env) == files
    assert table_contents(pipeline_env) == contents


def test_a_load_that_would_change_nothing_is_left_out_and_every_reason_to_load_is_seen(
        pipeline_env, monkeypatch):
    """``p3dn run`` leaves out its load run when the ledger and every raw step would find
    nothing to do (lib/run_plan.py, load_plan), and runs it for each thing that one of those
    steps would act on."""
    import os

    from dagster import AssetKey, AssetMaterialization, DagsterInstance

    from p3dn_pipeline.definitions import defs
    from p3dn_pipeline.lib.resources import PipelineSettings
    from p3dn_pipeline.lib.run_plan import NOTHING_TO_LOAD, load_plan

    land_mini_with_roster(pipeline_env.landing)
    instance = DagsterInstance.ephemeral()
    pipeline_env.materialize(instance=instance)
    graph = defs.resolve_job_def("load_landing").asset_layer.asset_graph
    pipeline = PipelineSettings(landing_dir=str(pipeline_env.landing), kd_klpd="DKI")

    def reason(tags=None, on=None) -> str | None:
        plan = load_plan(graph, pipeline_env.warehouse, pipeline_env.landing, pipeline,
                         on or instance, tags or {})
        return plan.reason if plan.needed else None

    assert reason() is None
    assert load_plan(graph, pipeline_env.warehouse, pipeline_env.landing, pipeline, instance,
                     {}).summary() == f"No load run: {NOTHING_TO_LOAD}."
    files = output_files(pipeline_env)
    unchanged = pipeline_env.materialize(planned=True, instance=instance)
    assert unchanged.load.needed is False and len(unchanged.results) == 1
    assert not {key for key in materialized_in(unchanged) if key.startswith("raw/")}
    assert output_files(pipeline_env) == files

    # What a run is asked to do: hash every file (the schedule), accept a held version,
    # rebuild everything.
    assert reason({"dagster/schedule_name": "daily_refresh_0600_wib"}) == (
        "a scheduled run hashes every file")
    assert reason({"p3dn/accept": "apbd_realisasi.csv"}) == (
        "the run tag p3dn/accept accepts a held version")
    assert reason({"p3dn/full_refresh": "true"}) == "a full refresh was asked for"
    monkeypatch.setenv("P3DN_FULL_REFRESH", "1")
    assert reason() == "a full refresh was asked for"
    monkeypatch.delenv("P3DN_FULL_REFRESH")

    # Another Dagster instance (a new DAGSTER_HOME): the raw steps register the fiscal years
    # there; and a step whose last run had other code.
    assert reason(on=DagsterInstance.ephemeral()) == (
        "raw/file_ledger has not run in this Dagster instance")
    instance.report_runless_asset_event(AssetMaterialization(
        asset_key=AssetKey(["raw", "apbd_realisasi"]), tags={"dagster/code_version": "old"}))
    assert reason() == "raw/apbd_realisasi last ran with other code"
    pipeline_env.materialize(instance=instance)
    assert reason() is None

    # A file touched (same bytes, new times): the ledger hashes it again; then nothing.
    apbd = pipeline_env.landing / "apbd_realisasi.csv"
    os.utime(apbd, ns=(apbd.stat().st_atime_ns, apbd.stat().st_mtime_ns + 10**9))
    touched = "the landing folder has new, changed or removed files, or a held version was accepted"
    assert reason() == touched
    again = pipeline_env.materialize(planned=True, instance=instance)
    assert again.load.reason == touched and len(again.results) == 2
    assert {key for key, value in rebuilt_by_asset(again).items() if value} == set()
    assert reason() is None
    # A file removed, and put back.
    kept = apbd.read_bytes()
    apbd.unlink()
    assert reason() == touched
    apbd.write_bytes(kept)
    assert reason() == touched

    pipeline_env.materialize(instance=instance)
    assert reason() is None

    def in_warehouse(sql: str) -> None:
        con = duckdb_connection(pipeline_env)
        try:
            con.execute(sql)
        finally:
            con.close()

    # A load stopped half-way: a version recorded but not loaded yet, or a raw table whose
    # content is not the one its step recorded last.
    in_warehouse("UPDATE raw.file_ledger SET status = 'pending' "
                 "WHERE path = 'apbd_realisasi.csv' AND status = 'loaded'")
    assert reason() == "1 file version(s) wait to be loaded"
    in_warehouse("UPDATE raw.file_ledger SET status = 'loaded' "
                 "WHERE path = 'apbd_realisasi.csv' AND status = 'pending'")
    assert reason() is None
    in_warehouse("UPDATE quality.builds SET fingerprint = 'before the last load' "
                 "WHERE asset_key = 'raw/sirup_paket_penyedia'")
    assert reason() == "raw/sirup_paket_penyedia is not as its last load left it"
    pipeline_env.materialize(instance=instance)
    assert reason() is None
    # The fiscal years: a year with data that is not a partition of this instance.
    assert instance.get_dynamic_partitions("tahun_anggaran") == ["2025"]
    instance.delete_dynamic_partition("tahun_anggaran", "2025")
    assert reason() == "raw/apbd_realisasi is not as its last load left it"
    pipeline_env.materialize(instance=instance)
    assert reason() is None


def test_a_planned_refresh_runs_a_mart_whose_quality_gate_now_fails(pipeline_env):
    """A mart is never left out over a staging table whose recorded verdict fails an ERROR
    check: its step runs and refuses, naming the table; marts not built from it are left
    out as usual."""
    from dagster import DagsterInstance

    land_mini_with_roster(pipeline_env.landing)
    instance = DagsterInstance.ephemeral()
    built_at = refresh_started_at(pipeline_env.materialize(instance=instance), instance)
    con = duckdb_connection(pipeline_env)
    con.execute("UPDATE quality.check_results SET passed = false "
                "WHERE table_name = 'staging.apbd_realisasi' AND severity = 'ERROR'")
    con.close()

    planned = pipeline_env.materialize(planned=True, instance=instance, plan_now=built_at,
                                       raise_on_error=False)

    gated_on_apbd = {key for key in descendants_of("staging/apbd_realisasi")
                     if key.startswith("marts/") and key != "marts/data_quality"}
    assert gated_on_apbd == {"marts/p3dn_apbd_bulanan"}
    # Every step the plan lets run is one that must: the failing mart, and what follows it.
    assert left_out_keys(planned) == plannable() - gated_on_apbd - asset_keys_of("publish")
    failed = {event.step_key for event in planned.get_step_failure_events()}
    assert failed == {"marts__p3dn_apbd_bulanan"}
    failure = planned.get_step_failure_events()[0].event_specific_data.error.message
    assert "staging.apbd_realisasi failed ERROR check(s)" in failure


def test_a_planned_refresh_runs_a_changed_export_and_everything_built_from_a_rebuilt_table(
        pipeline_env, tmp_path, monkeypatch):
    land_mini_with_roster(pipeline_env.landing)
    pipeline_env.materialize()
    change_one_apbd_amount(pipeline_env.landing)
    # A reference table that must be built again: the staging table made from it must run
    # too, although its own export did not change.
    con = duckdb_connection(pipeline_env)
    con.execute("DROP TABLE reference.wilayah_dki")
    # A staging table whose check results are not all recorded is checked again (its step
    # rebuilds it), and so is the staging table made from it.
    con.execute("DELETE FROM quality.check_results WHERE table_name = "
                "'staging.spse_tender_selesai' AND check_name <> 'rows_accounted_for'")
    con.close()

    planned = pipeline_env.materialize(planned=True)

    # A new ephemeral instance has no earlier materialization of a mart: every unchanged
    # mart runs to be fresh, and the published files follow the rebuilt marts.
    assert left_out_keys(planned) == plannable() - asset_keys_of("marts", "publish") - {
        "staging/apbd_realisasi", "reference/wilayah_dki", "staging/kpkp_roster",
        "staging/spse_tender_selesai", "staging/spse_tender_kontrak"}
    rebuilt = {key for key, value in rebuilt_by_asset(planned).items() if value}
    # A rebuilt table has a new build id: every table made from it, down to the marts,
    # is rebuilt too.
    assert rebuilt == APBD_CHAIN | {"reference/wilayah_dki", "staging/spse_tender_selesai"} | (
        (descendants_of("reference/wilayah_dki") | descendants_of("staging/spse_tender_selesai"))
        - asset_keys_of("publish"))
    # Nothing left out was due: every step run now finds its inputs unchanged.
    everything = pipeline_env.materialize()
    assert {key for key, value in rebuilt_by_asset(everything).items() if value} == set()
    # And the warehouse equals one built from scratch, row for row.
    (tmp_path / "from_scratch").mkdir()
    scratch = point_pipeline_at(monkeypatch, tmp_path / "from_scratch")
    shutil.copytree(pipeline_env.landing, scratch.landing, dirs_exist_ok=True)
    scratch.materialize()
    incremental = point_pipeline_at(monkeypatch, pipeline_env.warehouse.parent.parent)
    assert table_contents(scratch) == table_contents(incremental)


def duckdb_connection(env):
    import duckdb

    return duckdb.connect(str(env.warehouse))
