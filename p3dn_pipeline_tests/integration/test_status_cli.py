"""``p3dn status``: the real command on a warehouse the real pipeline built, and its rules on a
ledger written by hand."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from p3dn_pipeline_tests.conftest import REPO, TEST_PII_KEY

BIN = Path(sys.executable).parent
MINI = REPO / "p3dn_pipeline_tests" / "fixtures" / "mini_p3dn"

PUBLISH_TABLES = {"p3dn_snapshot", "p3dn_perubahan_ekspor"}
MINI_MART_ROWS = {"p3dn_apbd_bulanan": 4, "p3dn_per_skpd": 2, "p3dn_provinsi": 1,
                  "umkm_binaan_triwulan": 0, "umkm_ekatalog": 0, "business_matching": 0,
                  "umkm_pelaku": 0, "umkm_pencocokan": 1, "umkm_penjualan_pdn": 0,
                  "umkm_transaksi": 6, "umkm_seri_publikasi": 4}
LKPP_FILES = {"ekatalog_v5.csv": ("ekatalog_paket_v5", 2),
              "ekatalog_v6.json": ("ekatalog_paket_v6", 6),
              "produk_detail.json": ("ekatalog_produk", 5),
              "sirup_paket.json": ("sirup_paket_penyedia", 5),
              "struktur_anggaran.json": ("sirup_struktur_anggaran", 2)}


def p3dn(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "p3dn"), *args], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=300)


@pytest.mark.slow
def test_status_after_a_run_on_the_mini_fixtures(tmp_path):
    landing = tmp_path / "landing"
    shutil.copytree(MINI, landing)
    (landing / "catatan.txt").write_text("not an export\n")
    warehouse = tmp_path / "warehouse" / "p3dn.duckdb"
    dagster_home = tmp_path / "dagster_home"
    dagster_home.mkdir()
    shutil.copy(REPO / "dagster.yaml", dagster_home / "dagster.yaml")
    env = {**os.environ, "P3DN_LANDING_DIR": str(landing), "P3DN_WAREHOUSE": str(warehouse),
           "P3DN_PII_KEY": TEST_PII_KEY, "DAGSTER_HOME": str(dagster_home)}
    run = p3dn("run", env=env)
    assert run.returncode == 0, run.stderr[-3000:]

    con = duckdb.connect(str(warehouse))
    try:
        con.execute("CREATE SCHEMA IF NOT EXISTS quality")
        con.execute("DROP TABLE IF EXISTS quality.check_results")
        con.execute("CREATE TABLE quality.check_results (asset_key VARCHAR, check_name VARCHAR, "
                    "severity VARCHAR, passed BOOLEAN, unexpected_count BIGINT, "
                    "checked_at TIMESTAMP)")
        con.execute("INSERT INTO quality.check_results VALUES "
                    "('staging/apbd_realisasi', 'periode_is_a_month', 'WARN', false, 2, "
                    " '2025-07-01 01:00:00'), "
                    "('staging/sirup_paket_penyedia', 'pagu_not_negative', 'ERROR', false, 1, "
                    " '2025-07-01 01:05:00'), "
                    "('staging/apbd_realisasi', 'kode_skpd_present', 'ERROR', true, 0, "
                    " '2025-07-01 01:00:00')")
        loaded_at = {path: status_at for path, status_at in con.execute(
            "SELECT path, status_at FROM raw.file_ledger WHERE status = 'loaded'").fetchall()}
        # The reason is the file ledger's wording; the status command only has to show it.
        [(rejection,)] = con.execute(
            "SELECT reason FROM raw.file_ledger WHERE status = 'rejected'").fetchall()
        # Marts beyond the five below (added by other work) are listed the same way.
        mart_rows = {name: con.execute(f'SELECT count(*) FROM marts."{name}"').fetchall()[0][0]
                     for (name,) in con.execute("SELECT table_name FROM duckdb_tables() "
                                                "WHERE schema_name = 'marts'").fetchall()}
    finally:
        con.close()

    status = p3dn("status", env=env)

    # An ERROR check fails: the exit status says so, for a monitor.
    assert status.returncode == 1, status.stderr[-3000:]
    assert rejection.startswith("catatan.txt ")

    def wib(path):
        return (loaded_at[path] + dt.timedelta(hours=7)).strftime("%Y-%m-%d %H:%M WIB")

    from p3dn_pipeline.definitions import defs

    assets = {tuple(key.path) for key in defs.resolve_asset_graph().get_all_asset_keys()}
    # Built a moment ago, said in minutes (never "0.0 h").
    lines = [re.sub(r"built \S+ \S+ WIB \((under a minute|[1-9] min) ago\)", "built <now>",
                    line)
             for line in status.stdout.splitlines()]
    newest_lkpp = _newest_lkpp(loaded_at)
    dataset, lkpp_rows = LKPP_FILES[newest_lkpp]
    assert lines == [
        f"Warehouse: {warehouse} (opened read-only)",
        "",
        "== Sources ==",
        f"apbd: 1 file loaded, 6 rows; last loaded apbd_realisasi.csv (apbd_realisasi, 6 rows) "
        f"at {wib('apbd_realisasi.csv')}",
        "bela: no file loaded",
        "business_matching: no file loaded",
        "ecommerce: no file loaded",
        "eorder: no file loaded",
        "kpkp: no file loaded",
        f"lkpp: 5 files loaded, 20 rows; last loaded {newest_lkpp} ({dataset}, {lkpp_rows} rows) "
        f"at {wib(newest_lkpp)}",
        "spse: no file loaded",
        "not recognised as any dataset: 1 file",
        f"  rejected: {rejection}",
        "",
        "== Marts (due daily by 08:00 WIB, confirmed by a run after 06:00 WIB) ==",
        *[f"marts.{name}: {rows} {'row' if rows == 1 else 'rows'}, "
          # The snapshot history is written by the publish step: built with the serving file.
          + ("built <now>, fresh" if ("marts", name) in assets or name in PUBLISH_TABLES else
             f"never built by a run: the Dagster instance at {dagster_home} has no "
             f"materialization of marts/{name}")
          for name, rows in sorted({**mart_rows, **MINI_MART_ROWS}.items())],
        "",
        "== Failing checks ==",
        "ERROR staging/sirup_paket_penyedia pagu_not_negative: 1 unexpected, "
        "checked 2025-07-01 08:05 WIB",
        "WARN staging/apbd_realisasi periode_is_a_month: 2 unexpected, "
        "checked 2025-07-01 08:00 WIB",
        "",
        "== Changed at the latest publish ==",
        "no export removed or replaced, no headline moved since the previous publish",
        "",
        "== Verdict ==",
        "NOT OK (exit status 1): staging/sirup_paket_penyedia pagu_not_negative fails",
    ]

    # The ERROR check passes again; a failing WARN check does not make the status fail.
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("UPDATE quality.check_results SET passed = true "
                    "WHERE check_name = 'pagu_not_negative'")
    finally:
        con.close()
    healthy = p3dn("status", env=env)
    assert healthy.returncode == 0, healthy.stdout[-3000:]
    assert healthy.stdout.splitlines()[-1] == (
        "OK: every mart is fresh and no ERROR check fails (exit status 0)")


def _newest_lkpp(loaded_at: dict) -> str:
    """The LKPP file loaded last; files loaded in the same second: the first path."""
    return min(LKPP_FILES, key=lambda path: (-loaded_at[path].timestamp(), path))


def _ledger_row(con, path, sha, dataset, status, reason, rows, seen, at):
    con.execute("INSERT INTO raw.file_ledger (path, sha256, size_bytes, modified_ns, "
                "file_format, dataset, sheet, status, reason, rows_loaded, first_seen_at, "
                "status_at) VALUES ($p, $s, 1, 1, 'csv', $d, NULL, $st, $r, $n, $seen, $at)",
                {"p": path, "s": sha, "d": dataset, "st": status, "r": reason, "n": rows,
                 "seen": seen, "at": at})


def test_status_rules_on_a_hand_written_ledger(tmp_path, monkeypatch):
    from dagster import AssetKey, AssetMaterialization, DagsterInstance

    from p3dn_pipeline.lib.ledger import ensure_ledger
    from p3dn_pipeline.status import status_report

    warehouse = tmp_path / "p3dn.duckdb"
    day = dt.datetime(2025, 7, 1)
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("CREATE SCHEMA raw")
        ensure_ledger(con)
        # A roster replaced by a newer version: only the loaded one counts.
        _ledger_row(con, "kpkp/tw1.xlsx", "a", "kpkp_roster", "superseded", None, 10, day,
                    day + dt.timedelta(hours=1))
        _ledger_row(con, "kpkp/tw1.xlsx", "b", "kpkp_roster", "loaded", None, 12,
                    day + dt.timedelta(hours=1), day + dt.timedelta(hours=1))
        _ledger_row(con, "kpkp/tw2.xlsx", "c", "kpkp_roster", "loaded", None, 7, day,
                    day + dt.timedelta(minutes=30))
        # Rejected, then fixed by a good version: history, not shown.
        _ledger_row(con, "apbd.csv", "d", "apbd_realisasi", "rejected", "apbd.csv was bad",
                    None, day, day)
        _ledger_row(con, "apbd.csv", "e", "apbd_realisasi", "loaded", None, 3,
                    day + dt.timedelta(hours=2), day + dt.timedelta(hours=2))
        # Loaded once, then a broken new version was rejected: shown under its source.
        _ledger_row(con, "sirup.json", "f", "sirup_paket_penyedia", "loaded", None, 4, day, day)
        _ledger_row(con, "sirup.json", "g", "sirup_paket_penyedia", "rejected",
                    "sirup.json changed while it was being loaded", None,
                    day + dt.timedelta(hours=3), day + dt.timedelta(hours=3))
        # Gone from the landing folder: neither loaded nor rejected any more.
        _ledger_row(con, "old.json", "h", "ekatalog_produk", "removed", None, 9, day, day)
        con.execute("CREATE SCHEMA marts")
        con.execute("CREATE TABLE marts.p3dn_provinsi AS SELECT 1 AS x")
        con.execute("CREATE TABLE marts.p3dn_per_skpd AS SELECT 1 AS x UNION ALL SELECT 2")
        con.execute("CREATE TABLE marts.umkm_ekatalog AS SELECT 1 AS x WHERE false")
    finally:
        con.close()
    home = tmp_path / "dagster_home"
    home.mkdir()
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    with DagsterInstance.from_config(str(home)) as instance:
        instance.report_runless_asset_event(AssetMaterialization(["marts", "p3dn_provinsi"]))
        instance.report_runless_asset_event(AssetMaterialization(["marts", "p3dn_per_skpd"]))
        built = instance.get_latest_materialization_event(
            AssetKey(["marts", "p3dn_provinsi"])).timestamp
    built_at = dt.datetime.fromtimestamp(built, dt.UTC)
    # p3dn_per_skpd's table was written three days before the run that found it unchanged;
    # p3dn_provinsi was written by that run.
    con = duckdb.connect(str(warehouse))
    try:
        from p3dn_pipeline.lib.builds import ensure_table

        con.execute("CREATE SCHEMA quality")
        ensure_table(con)
        written = built_at.replace(tzinfo=None, microsecond=0)
        con.execute("INSERT INTO quality.builds VALUES "
                    "('marts/p3dn_per_skpd', NULL, 'f', 'b1', $old), "
                    "('marts/p3dn_provinsi', NULL, 'f', 'b2', $now)",
                    {"old": written - dt.timedelta(days=3), "now": written})
    finally:
        con.close()

    # 37 hours later: whatever the time of day of the build, at least one 08:00 WIB deadline
    # has passed since the 06:00 WIB that followed it.
    now = built_at + dt.timedelta(hours=37)
    report = status_report(warehouse, now=now)

    def wib(moment):
        return (moment + dt.timedelta(hours=7)).strftime("%Y-%m-%d %H:%M WIB")

    now_wib = now + dt.timedelta(hours=7)
    deadline = now_wib.replace(hour=8, minute=0, second=0, microsecond=0)
    if deadline > now_wib:
        deadline -= dt.timedelta(days=1)
    deadline_text = deadline.strftime("%Y-%m-%d %H:%M WIB")
    due_text = (deadline - dt.timedelta(hours=2)).strftime("%Y-%m-%d %H:%M WIB")
    written_at = built_at.replace(microsecond=0)
    assert report.splitlines() == [
        f"Warehouse: {warehouse} (opened read-only)",
        "",
        "== Sources ==",
        # Sources in the order of their folders under defs/.
        "apbd: 1 file loaded, 3 rows; last loaded apbd.csv (apbd_realisasi, 3 rows) "
        "at 2025-07-01 09:00 WIB",
        "bela: no file loaded",
        "business_matching: no file loaded",
        "ecommerce: no file loaded",
        "eorder: no file loaded",
        "kpkp: 2 files loaded, 19 rows; last loaded kpkp/tw1.xlsx (kpkp_roster, 12 rows) "
        "at 2025-07-01 08:00 WIB",
        "lkpp: 1 file loaded, 4 rows; last loaded sirup.json (sirup_paket_penyedia, 4 rows) "
        "at 2025-07-01 07:00 WIB",
        "  rejected: sirup.json changed while it was being loaded",
        "spse: no file loaded",
        "",
        "== Marts (due daily by 08:00 WIB, confirmed by a run after 06:00 WIB) ==",
        f"marts.p3dn_per_skpd: 2 rows, built {wib(written_at - dt.timedelta(days=3))} "
        f"(4 days 13 h ago), unchanged since; confirmed current {wib(built_at)}, STALE: not "
        f"confirmed since {due_text}, due by {deadline_text}",
        f"marts.p3dn_provinsi: 1 row, built {wib(written_at)} (37 h 0 min ago), STALE: not "
        f"confirmed since {due_text}, due by {deadline_text}",
        f"marts.umkm_ekatalog: 0 rows, never built by a run: the Dagster instance at {home} "
        "has no materialization of marts/umkm_ekatalog",
        "",
        "== Failing checks ==",
        "no check results recorded yet (quality.check_results does not exist)",
        "",
        "== Changed at the latest publish ==",
        "nothing published yet",
        "",
        "== Verdict ==",
        "NOT OK (exit status 1): marts.p3dn_per_skpd is stale; marts.p3dn_provinsi is stale; "
        "marts.umkm_ekatalog has never been built",
    ]

    # An hour after the build, before any deadline has passed since: fresh, and the age in
    # minutes.
    fresh = status_report(warehouse, now=built_at + dt.timedelta(hours=1))
    assert [line for line in fresh.splitlines() if line.startswith("marts.p3dn_provinsi")] == [
        f"marts.p3dn_provinsi: 1 row, built {wib(written_at)} (1 h 0 min ago), fresh"]
    assert fresh.splitlines()[-1] == (
        "NOT OK (exit status 1): marts.umkm_ekatalog has never been built")
    assert [line for line in fresh.splitlines() if line.startswith("marts.p3dn_per_skpd")] == [
        f"marts.p3dn_per_skpd: 2 rows, built {wib(written_at - dt.timedelta(days=3))} "
        f"(3 days 1 h ago), unchanged since; confirmed current {wib(built_at)}, fresh"]

    # Run where the Dagster instance is not: freshness cannot be judged, and says so.
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "not_here"))
    blind = status_report(warehouse, now=built_at + dt.timedelta(hours=1)).splitlines()
    assert [line for line in blind if line.startswith("marts.p3dn_provinsi")] == [
        "marts.p3dn_provinsi: 1 row, freshness unknown: no Dagster instance found (set "
        "DAGSTER_HOME to the one the runs use)"]
    assert blind[-1].startswith("NOT OK (exit status 1): marts.p3dn_per_skpd: freshness "
                                "unknown; marts.p3dn_provinsi: freshness unknown")


def test_status_without_a_warehouse_says_what_to_do(tmp_path):
    env = {**os.environ, "P3DN_WAREHOUSE": str(tmp_path / "none.duckdb"),
           "DAGSTER_HOME": str(tmp_path)}
    result = p3dn("status", env=env)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"No warehouse at {tmp_path / 'none.duckdb'} yet: run `make run` (or `p3dn run`) "
        "first, or set P3DN_WAREHOUSE to where it is.")
