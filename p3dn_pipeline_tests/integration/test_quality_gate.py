"""The quality gate: marts are never built over data that failed an ERROR check, in the same
run or in any later run, while marts.data_quality always explains why; a broken file is
rejected without stopping the good ones, and its rows are all accounted for."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from p3dn_pipeline_tests import independent
from p3dn_pipeline_tests.conftest import REPO

pytestmark = pytest.mark.slow

MINI = Path(__file__).parent.parent / "fixtures" / "mini_p3dn"


def failed_steps(result) -> dict[str, str]:
    return {event.step_key: event.event_specific_data.error.message
            for event in result.get_step_failure_events()}


def break_belanja_pengadaan(landing: Path) -> None:
    path = landing / "struktur_anggaran.json"
    rows = json.loads(path.read_text())
    rows[0]["belanja_pengadaan"] += 1_000_000  # no longer operasi + modal
    path.write_text(json.dumps(rows))


def test_failed_error_check_blocks_marts_in_this_run_and_later_runs(pipeline_env):
    from dagster import AssetKey, DagsterInstance, materialize

    from p3dn_pipeline.definitions import all_assets
    from p3dn_pipeline.lib.resources import default_resources

    shutil.copytree(MINI, pipeline_env.landing, dirs_exist_ok=True)
    break_belanja_pengadaan(pipeline_env.landing)

    first = pipeline_env.materialize(raise_on_error=False)
    # The first gated table (the joined e-katalog packages) refuses; no LKPP mart below it
    # is even started.
    failures = failed_steps(first)
    assert set(failures) == {"staging__ekatalog_paket"}
    assert ("staging.sirup_struktur_anggaran failed ERROR check(s): "
            "belanja_pengadaan_is_operasi_plus_modal") in failures["staging__ekatalog_paket"]
    started = {e.step_key for e in first.all_events if e.event_type_value == "STEP_START"}
    assert {s for s in started if s.startswith("marts__")} == {
        "marts__umkm_binaan_triwulan", "marts__data_quality", "marts__p3dn_target",
        # Cohort identities come from the rosters, business matching and e-Order only.
        "marts__umkm_pelaku", "marts__umkm_seri_publikasi"}
    tables = {t for (t,) in pipeline_env.query(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts'")}
    assert tables == {"data_quality", "umkm_binaan_triwulan", "p3dn_target", "umkm_pelaku",
                      "umkm_seri_publikasi"}
    assert pipeline_env.query(
        "SELECT dataset, aturan, severity, jumlah_baris_gagal FROM marts.data_quality "
        "WHERE NOT lulus AND severity = 'ERROR'") == [
        ("sirup_struktur_anggaran", "belanja_pengadaan_is_operasi_plus_modal", "ERROR", 1)]
    checks = {(e.check_name, e.passed) for e in first.get_asset_check_evaluations()}
    assert ("belanja_pengadaan_is_operasi_plus_modal", False) in checks
    # The check links GX's own validation result of that build, kept beside the warehouse,
    # which says the same (1 unexpected row: the first row of struktur_anggaran.json), and
    # the Data Docs page that renders it.
    (failed,) = [e for e in first.get_asset_check_evaluations()
                 if e.check_name == "belanja_pengadaan_is_operasi_plus_modal"]
    kept = Path(failed.metadata["gx_validation_result"].value)
    gx_dir = pipeline_env.warehouse.parent / "gx" / "validations" / "staging.sirup_struktur_anggaran"
    assert kept.parent == gx_dir
    result = json.loads(kept.read_text())
    (evr,) = [r for r in result["results"]
              if r["expectation_config"]["meta"]["dagster_check"] == "belanja_pengadaan_is_operasi_plus_modal"]
    assert (evr["success"], evr["result"]["observed_value"]) == (False, 1)
    assert evr["expectation_config"]["meta"]["severity"] == "ERROR"
    page = Path(failed.metadata["data_docs_page"].value)
    assert page.parts[-6:-3] == ("validations", "staging", "sirup_struktur_anggaran")
    assert page.parents[5] == pipeline_env.warehouse.parent / "data_docs"

    # A later run that asks for one mart alone (as a schedule or a click in the UI may)
    # meets the same gate: the failed check still stands for the current staging build.
    alone = materialize(all_assets, selection=[AssetKey(["marts", "p3dn_provinsi"])],
                        resources=default_resources(), instance=DagsterInstance.ephemeral(),
                        raise_on_error=False)
    assert set(failed_steps(alone)) == {"marts__p3dn_provinsi"}
    # Refused, so the gate's check is not reported as passed.
    assert not [e for e in alone.get_asset_check_evaluations()
                if e.check_name == "upstream_quality_gate" and e.passed]
    assert "belanja_pengadaan_is_operasi_plus_modal" in \
        failed_steps(alone)["marts__p3dn_provinsi"]

    # Fixing the export lets everything through.
    shutil.copy(MINI / "struktur_anggaran.json", pipeline_env.landing / "struktur_anggaran.json")
    fixed = pipeline_env.materialize(raise_on_error=False)
    assert failed_steps(fixed) == {}
    # Each mart shows the gate it passed as its own check: the staging tables it is computed
    # from, each with its build and verdict.
    [gate] = [e for e in fixed.get_asset_check_evaluations()
              if e.asset_key == AssetKey(["marts", "p3dn_provinsi"])
              and e.check_name == "upstream_quality_gate"]
    assert gate.passed
    listed = {line.split(" | ")[0].removeprefix("| ")
              for line in gate.metadata["verdicts"].value.splitlines()[2:]}
    assert {"staging.sirup_struktur_anggaran", "staging.sirup_paket_penyedia",
            "staging.ekatalog_paket_v6", "staging.ekatalog_paket_v5"} <= listed
    assert all(line.split(" | ")[3] == "none"
               for line in gate.metadata["verdicts"].value.splitlines()[2:])
    assert gate.metadata["staging_tables"].value == len(listed)
    # The fixed landing is the mini set: realisasi PDN 97,5 jt / komitmen PDN 150 jt
    # (test_p3dn_marts), the same as the independent reading of the folder.
    headline = independent.p3dn_headline(independent.read_landing(pipeline_env.landing))
    assert headline[("DKI", 2025)]["pct_realisasi_komitmen"] == Decimal("65.00")
    assert pipeline_env.query("SELECT kd_klpd, tahun_anggaran, pct_realisasi_komitmen "
                              "FROM marts.p3dn_provinsi") == [("DKI", 2025, Decimal("65.00"))]


def test_mart_refuses_to_build_over_a_staging_table_rebuilt_but_never_checked(pipeline_env):
    from dagster import AssetKey, Failure

    from p3dn_pipeline.lib.builds import begin_build
    from p3dn_pipeline.lib.quality_gate import assert_upstream_passed
    from p3dn_pipeline.lib.warehouse import open_warehouse

    shutil.copytree(MINI, pipeline_env.landing, dirs_exist_ok=True)
    pipeline_env.materialize()
    # A crash between the staging build and its checks leaves exactly this state.
    with open_warehouse(pipeline_env.warehouse, b"k") as con:
        begin_build(con, AssetKey(["staging", "ekatalog_paket_v6"]), [2025])
        with pytest.raises(Failure, match="staging.ekatalog_paket_v6 was rebuilt but not "
                                          "checked since"):
            assert_upstream_passed(con, ["staging.ekatalog_paket_v6"])


def test_broken_file_in_the_shipped_sample_is_rejected_and_good_files_still_publish(
        pipeline_env):
    shutil.copytree(REPO / "data" / "landing", pipeline_env.landing, dirs_exist_ok=True)
    (pipeline_env.landing / "MANIFEST.json").unlink()
    good = (pipeline_env.landing / "lkpp" / "ecat_paket_v6_2025.json").read_text()
    # The download of a further export broke off half-way.
    (pipeline_env.landing / "lkpp" / "ecat_paket_v6_2025_susulan.json").write_text(
        good[: len(good) // 2])
    result = pipeline_env.materialize(raise_on_error=False)
    assert failed_steps(result) == {}
    assert pipeline_env.query(
        "SELECT status, starts_with(reason, 'lkpp/ecat_paket_v6_2025_susulan.json is not valid "
        "JSON on line ') FROM raw.file_ledger "
        "WHERE path = 'lkpp/ecat_paket_v6_2025_susulan.json'"
    ) == [("rejected", True)]
    # No row of the broken file reached any table; the good files' rows all did.
    assert pipeline_env.query(
        "SELECT count(*) FROM raw.ekatalog_paket_v6 "
        "WHERE _source_file = 'lkpp/ecat_paket_v6_2025_susulan.json'") == [(0,)]
    assert pipeline_env.query(
        "SELECT count(*) FROM marts.data_quality WHERE jenis = 'file_ditolak'") == [(1,)]
    # DKI 2024 and 2025, and the other government (B1131) whose one tender is in the export.
    assert pipeline_env.query("SELECT count(*) FROM marts.p3dn_provinsi") == [(3,)]
    assert pipeline_env.query(
        "SELECT bool_and(passed) FROM quality.check_results "
        "WHERE check_name = 'rows_accounted_for'") == [(True,)]
