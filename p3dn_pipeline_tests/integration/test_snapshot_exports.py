"""An LKPP ISB export is the whole dataset for one pemda x year at pull time: a newer pull of
the same slice replaces the older one, so a package withdrawn from SiRUP, or an order no
longer in the export, leaves the figures, and every row of the older pull is accounted for.

Fixture: fixtures/mini_p3dn (SiRUP 2025 for DKI, exported 2025-06-30: R1 100 jt PDN, R2 50 jt
PDN, R3 30 jt Impor, R4 deleted, R5 draft; komitmen PDN = 150 jt, headline 97,5 / 150 =
65,00 %). A later pull (_event_date 2025-09-30) no longer has R2 (withdrawn) and R1 is now
120 jt: komitmen PDN = 120 jt. Realised PDN: O1 60 jt on R1 (the orders on R2, O2 25 jt and v5
777 12,5 jt, lose their committed package: PDN unknown) = 60 jt -> 60 / 120 = 50,00 %.
"""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent.parent / "fixtures" / "mini_p3dn"

pytestmark = pytest.mark.slow


def newer_sirup_pull() -> list[dict]:
    plans = json.loads((FIXTURES / "sirup_paket.json").read_text(encoding="utf-8"))
    newer = []
    for plan in plans:
        if plan["kd_rup"] == 22222222:
            continue  # withdrawn since the first pull
        plan = {**plan, "_event_date": "2025-09-30"}
        if plan["kd_rup"] == 11111111:
            plan["pagu"] = 120000000
        newer.append(plan)
    return newer


def headline(env) -> tuple:
    [row] = env.query("SELECT pct_realisasi_komitmen, penyebut_komitmen_pdn_rp, "
                      "pembilang_realisasi_pdn_rp FROM marts.p3dn_provinsi")
    return row


def test_a_newer_pull_replaces_the_older_one_and_its_rows_are_accounted_for(pipeline_env):
    shutil.copytree(FIXTURES, pipeline_env.landing, dirs_exist_ok=True)
    assert pipeline_env.materialize().success
    assert headline(pipeline_env) == (Decimal("65.00"), Decimal("150000000.00"),
                                      Decimal("97500000.00"))

    # The newer pull lands beside the older one, under another name.
    (pipeline_env.landing / "sirup_paket_2025-09-30.json").write_text(
        json.dumps(newer_sirup_pull()), encoding="utf-8")
    assert pipeline_env.materialize().success
    assert headline(pipeline_env) == (Decimal("50.00"), Decimal("120000000.00"),
                                      Decimal("60000000.00"))
    assert pipeline_env.query(
        "SELECT kd_rup, pagu_rp, _source_file FROM staging.sirup_paket_penyedia ORDER BY 1"
    ) == [(11111111, Decimal("120000000.00"), "sirup_paket_2025-09-30.json"),
          (33333333, Decimal("30000000.00"), "sirup_paket_2025-09-30.json"),
          (44444444, Decimal("20000000.00"), "sirup_paket_2025-09-30.json"),
          (55555555, Decimal("10000000.00"), "sirup_paket_2025-09-30.json")]
    # All five rows of the older pull are quarantined, naming the export that replaced them.
    assert pipeline_env.query(
        "SELECT _source_file, rule, offending_value, count(*) FROM quarantine.sirup_paket_penyedia "
        "GROUP BY ALL") == [("sirup_paket.json", "replaced_by_newer_export",
                             "replaced by sirup_paket_2025-09-30.json", 5)]
    # The quality report shows it.
    assert pipeline_env.query(
        "SELECT file, aturan, jumlah_baris_gagal FROM marts.data_quality "
        "WHERE aturan = 'replaced_by_newer_export'") == [
        ("sirup_paket.json", "replaced_by_newer_export", 5)]


def test_the_newest_export_wins_by_its_data_date_not_by_load_order(pipeline_env):
    # The newer pull is loaded first, the older one a run later: the newer still counts.
    shutil.copytree(FIXTURES, pipeline_env.landing, dirs_exist_ok=True)
    older = pipeline_env.landing / "sirup_paket.json"
    kept_aside = pipeline_env.landing.parent / "sirup_paket_older.json"
    shutil.move(older, kept_aside)
    (pipeline_env.landing / "sirup_paket_2025-09-30.json").write_text(
        json.dumps(newer_sirup_pull()), encoding="utf-8")
    assert pipeline_env.materialize().success
    shutil.move(kept_aside, older)
    assert pipeline_env.materialize().success
    assert headline(pipeline_env) == (Decimal("50.00"), Decimal("120000000.00"),
                                      Decimal("60000000.00"))
    assert pipeline_env.query(
        "SELECT DISTINCT _source_file FROM quarantine.sirup_paket_penyedia") == [
        ("sirup_paket.json",)]


def test_exports_of_different_years_or_governments_do_not_replace_each_other(pipeline_env):
    shutil.copytree(FIXTURES, pipeline_env.landing, dirs_exist_ok=True)
    plans = json.loads((FIXTURES / "sirup_paket.json").read_text(encoding="utf-8"))
    # Another government's plan of the same year (kd_rup are unique across governments).
    other_pemda = [{**plan, "kd_klpd": "D107", "kd_rup": plan["kd_rup"] + 1,
                    "_event_date": "2025-09-30"} for plan in plans]
    (pipeline_env.landing / "sirup_paket_d107.json").write_text(
        json.dumps(other_pemda), encoding="utf-8")
    assert pipeline_env.materialize().success
    assert pipeline_env.query(
        "SELECT count(*) FROM quarantine.sirup_paket_penyedia "
        "WHERE rule = 'replaced_by_newer_export'") == [(0,)]
    assert headline_of(pipeline_env, "DKI") == Decimal("65.00")


def headline_of(env, kd_klpd: str):
    return env.query("SELECT pct_realisasi_komitmen FROM marts.p3dn_provinsi "
                     "WHERE kd_klpd = $k", {"k": kd_klpd})[0][0]


def _p3dn_env(root: Path, landing: Path) -> dict:
    import os

    from p3dn_pipeline_tests.conftest import REPO, TEST_PII_KEY

    dagster_home = root / "dagster_home"
    dagster_home.mkdir(parents=True)
    shutil.copy(REPO / "dagster.yaml", dagster_home / "dagster.yaml")
    return {**os.environ, "P3DN_LANDING_DIR": str(landing),
            "P3DN_WAREHOUSE": str(root / "warehouse" / "p3dn.duckdb"),
            "P3DN_PII_KEY": TEST_PII_KEY, "DAGSTER_HOME": str(dagster_home)}


def _p3dn(*args: str, env: dict):
    import subprocess
    import sys

    from p3dn_pipeline_tests.conftest import REPO

    return subprocess.run([str(Path(sys.executable).parent / "p3dn"), *args], cwd=REPO,
                          env=env, capture_output=True, text=True, timeout=600)


def test_a_removed_and_a_replaced_export_are_said_everywhere_and_figures_equal_a_fresh_build(
        tmp_path):
    """Acceptance (issue 12): one export removed (the v5 e-katalog file: package 777, 12,5 jt
    PDN on R2, 2 rows), one replaced by a newer pull (SiRUP: R2 withdrawn, R1 now 120 jt).
    Headline 97,5 / 150 = 65,00 % -> O1 60 jt / 120 jt = 50,00 % (O2 lost its package)."""
    import subprocess
    import sys

    from p3dn_pipeline_tests.conftest import REPO

    landing = tmp_path / "landing"
    shutil.copytree(FIXTURES, landing)
    env = _p3dn_env(tmp_path / "daily", landing)
    first = _p3dn("run", env=env)
    assert first.returncode == 0, first.stderr[-3000:]
    assert "DKI TA 2025: 65,00 %" in first.stdout

    (landing / "ekatalog_v5.csv").unlink()
    (landing / "sirup_paket_2025-09-30.json").write_text(json.dumps(newer_sirup_pull()),
                                                          encoding="utf-8")
    second = _p3dn("run", env=env)
    assert second.returncode == 0, second.stderr[-3000:]
    said = [
        "sirup_paket.json (sirup_paket_penyedia): replaced by a newer pull "
        "sirup_paket_2025-09-30.json; 5 rows left the figures",
        "ekatalog_v5.csv (ekatalog_paket_v5): removed from the landing folder; 2 rows left the "
        "figures",
        "headline DKI TA 2025: 65,00 % -> 50,00 %",
    ]
    # The run summary: the file that left, the file that came, and the headline's move.
    summary = second.stdout[second.stdout.index("\n== Run summary =="):].rstrip("\n")
    lines = summary.splitlines()
    assert lines[2:6] == [
        "Files:",
        f"  loaded: 1 (rows {len(newer_sirup_pull())}); unchanged: 5; rejected: 0; "
        "held back: 0; removed: 1",
        f"    loaded sirup_paket_2025-09-30.json (sirup_paket_penyedia, "
        f"{len(newer_sirup_pull())} rows)",
        "    removed ekatalog_v5.csv (ekatalog_paket_v5)"]
    changes = lines[lines.index("Changed since the previous publish (exports and headline):")
                    + 1:lines.index("Written:")]
    assert changes == [f"  {line}" for line in said]
    # ... and the same text is the run's Dagster metadata (publish/run_summary).
    from dagster import AssetKey, DagsterInstance

    with DagsterInstance.from_config(env["DAGSTER_HOME"]) as instance:
        recorded = instance.get_latest_materialization_event(
            AssetKey(["publish", "run_summary"])).asset_materialization.metadata
    assert recorded["summary_text"].value == summary
    assert "- removed ekatalog_v5.csv (ekatalog_paket_v5)" in recorded["summary"].value
    assert "- headline DKI TA 2025: 65,00 % -> 50,00 %" in recorded["summary"].value
    status = _p3dn("status", env=env)
    changed = status.stdout.split("== Changed at the latest publish ==\n")[1].split("\n\n")[0]
    assert changed.splitlines() == said

    page = (tmp_path / "daily" / "warehouse" / "dashboard.html").read_text(encoding="utf-8")
    footnote = page[page.index('data-perubahan="ada"'):]
    footnote = footnote[:footnote.index("</div>")]
    assert "ekatalog_v5.csv (ekatalog_paket_v5): dihapus dari folder landing" in footnote
    assert ("sirup_paket.json (sirup_paket_penyedia): diganti tarikan yang lebih baru oleh "
            "sirup_paket_2025-09-30.json") in footnote
    assert "Angka utama DKI TA 2025: 65,0 % &rarr; 50,0 %" in footnote

    # The figures equal a fresh build on the files that remain.
    fresh_landing = tmp_path / "fresh_landing"
    shutil.copytree(landing, fresh_landing)
    fresh_env = _p3dn_env(tmp_path / "fresh", fresh_landing)
    fresh = _p3dn("run", env=fresh_env)
    assert fresh.returncode == 0, fresh.stderr[-3000:]
    compared = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "compare_warehouses.py"),
         env["P3DN_WAREHOUSE"], fresh_env["P3DN_WAREHOUSE"]],
        capture_output=True, text=True, timeout=300)
    # Only the publish history differs: two publishes on one side, one on the other.
    assert compared.stdout.splitlines() == ["differs: marts.p3dn_perubahan_ekspor",
                                            "differs: marts.p3dn_snapshot"], compared.stdout
