"""A source is one folder: a new folder under defs/ is all a new source needs, a broken
staging SQL file fails when definitions load, and an edited SQL file rebuilds exactly what
depends on it.

Every test works on a temporary copy of the package (no monkeypatching): files are added or
edited there, and the pipeline runs from the copy in a child process, as a contributor would
run it after the same edit.
"""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from p3dn_pipeline_tests.conftest import REPO, TEST_PII_KEY

pytestmark = pytest.mark.slow

MINI = REPO / "p3dn_pipeline_tests" / "fixtures" / "mini_p3dn"

# A made-up source: a market operator's monthly transaction export, two fields.
NEW_SOURCE = {
    "source.py": '''"""Pasar Jaya market transactions (made up for the tests)."""

from p3dn_pipeline.lib.quality import Between, Rule
from p3dn_pipeline.lib.sources import Dataset, Source, Staged, fields

TRANSAKSI_PASAR = Dataset(
    name="transaksi_pasar",
    title="Pasar Jaya transactions per market",
    grain="one row per market",
    required=fields("kode_pasar", "nilai_transaksi"),
    formats=("csv",),
)

SOURCE = Source(
    title="Perumda Pasar Jaya",
    staged=(
        Staged(TRANSAKSI_PASAR, key=("kode_pasar",), rules=(
            Rule("nilai_transaksi_not_negative", Between("nilai_transaksi_rp", min_value=0),
                 "WARN", "A transaction value is not negative."),
        )),
    ),
)
''',
    "sql/staging_transaksi_pasar.sql": """-- Pasar Jaya transactions, typed (grain: one row per market).
CREATE OR REPLACE TEMP TABLE typed_transaksi_pasar AS
SELECT
    p3dn_teks(kode_pasar) AS kode_pasar,
    CAST(p3dn_angka(nilai_transaksi) AS DECIMAL(18, 2)) AS nilai_transaksi_rp,
    _source_file, _source_sheet, _source_row, _file_sha256, _loaded_at,
    list_filter([
        CASE WHEN p3dn_angka(nilai_transaksi) IS NULL
            THEN {'column_name': 'nilai_transaksi', 'rule': 'not_a_number', 'offending_value': nilai_transaksi} END
    ], lambda problem: problem IS NOT NULL) AS problems
FROM raw.transaksi_pasar;
""",
}
NEW_EXPORT = "kode_pasar,nilai_transaksi\nPSR01,150000\nPSR02,-2000\nPSR03,abc\nPSR04,75000\n"


def copy_project(root: Path) -> Path:
    """The repository's package and project files, as a contributor's working copy."""
    root.mkdir(parents=True)
    shutil.copytree(REPO / "p3dn_pipeline", root / "p3dn_pipeline",
                    ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "workspace.yaml", "dagster.yaml"):
        shutil.copy(REPO / name, root / name)
    return root


def add_new_source(project: Path) -> Path:
    folder = project / "p3dn_pipeline" / "defs" / "pasar_jaya"
    for relative, text in NEW_SOURCE.items():
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_text(text, encoding="utf-8")
    return folder


def environment(project: Path, tmp_path: Path) -> dict:
    return {**os.environ, "PYTHONPATH": str(project),
            "P3DN_LANDING_DIR": str(tmp_path / "landing"),
            "P3DN_WAREHOUSE": str(tmp_path / "warehouse" / "p3dn.duckdb"),
            "P3DN_PII_KEY": TEST_PII_KEY, "P3DN_DEMO_MODE": "0", "P3DN_KD_KLPD": "DKI",
            "DAGSTER_HOME": str(tmp_path / "dagster_home")}


def run_p3dn(project: Path, env: dict, *args: str) -> subprocess.CompletedProcess:
    Path(env["DAGSTER_HOME"]).mkdir(exist_ok=True)
    return subprocess.run(
        [sys.executable, "-c", "import sys; from p3dn_pipeline.cli import main; "
                               "sys.exit(main(sys.argv[1:]))", *args],
        cwd=project, env=env, capture_output=True, text=True, timeout=600)


def python_in(project: Path, env: dict, code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=project, env=env,
                          capture_output=True, text=True, timeout=300)


def query(env: dict, sql: str) -> list[tuple]:
    con = duckdb.connect(env["P3DN_WAREHOUSE"], read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def last_run_events(env: dict, event_type, runs: int = 1):
    """The events of the last ``runs`` runs, oldest first (``p3dn run`` makes two: load_landing,
    which materializes the raw tables, then refresh_all, which materializes the rest)."""
    from dagster import DagsterInstance

    with DagsterInstance.from_config(env["DAGSTER_HOME"]) as instance:
        return [record for run in reversed(instance.get_runs(limit=runs))
                for record in instance.all_logs(run.run_id, of_type=event_type)]


def rebuilt_in_last_run(env: dict) -> set[str]:
    from dagster import DagsterEventType

    rebuilt = set()
    for record in last_run_events(env, DagsterEventType.ASSET_MATERIALIZATION):
        materialization = record.asset_materialization
        if materialization.metadata["rebuilt"].value:
            rebuilt.add(materialization.asset_key.to_user_string())
    return rebuilt


def test_a_new_source_is_one_new_folder(tmp_path):
    from dagster import DagsterEventType

    project = copy_project(tmp_path / "project")
    add_new_source(project)
    env = environment(project, tmp_path)
    (tmp_path / "landing" / "pasar").mkdir(parents=True)
    (tmp_path / "landing" / "pasar" / "transaksi_2025.csv").write_text(NEW_EXPORT)

    # The copy, not the installed package, is what runs; and it differs from the repository
    # by the new folder alone.
    where = python_in(project, env, "import p3dn_pipeline; print(p3dn_pipeline.__file__)")
    assert where.stdout.strip() == str(project / "p3dn_pipeline" / "__init__.py")
    comparison = filecmp.dircmp(REPO / "p3dn_pipeline", project / "p3dn_pipeline",
                                ignore=["__pycache__"])
    assert comparison.right_only == [] and comparison.left_only == []
    assert comparison.subdirs["defs"].right_only == ["pasar_jaya"]

    ran = run_p3dn(project, env, "run")
    assert ran.returncode == 0, ran.stderr[-3000:]

    # Recognised by its fields and loaded.
    assert query(env, "SELECT path, dataset, status, rows_loaded FROM raw.file_ledger") == [
        ("pasar/transaksi_2025.csv", "transaksi_pasar", "loaded", 4)]
    # Staged, with the bad row quarantined with its file, line, column, rule and value.
    assert query(env, "SELECT kode_pasar, nilai_transaksi_rp FROM staging.transaksi_pasar "
                      "ORDER BY ALL") == [("PSR01", 150000), ("PSR02", -2000), ("PSR04", 75000)]
    assert query(env, "SELECT _source_file, _source_row, column_name, rule, offending_value "
                      "FROM quarantine.transaksi_pasar") == [
        ("pasar/transaksi_2025.csv", 4, "nilai_transaksi", "not_a_number", "abc")]
    # Its rule is a Dagster asset check, evaluated in the run: PSR02 is negative.
    evaluations = {
        (e.check_name, e.passed)
        for e in (r.get_dagster_event().event_specific_data for r in last_run_events(
            env, DagsterEventType.ASSET_CHECK_EVALUATION))
        if e.asset_key.path == ["staging", "transaksi_pasar"]}
    assert evaluations == {("nilai_transaksi_not_negative", False),
                           ("rows_accounted_for", True)}
    # The quality report counts both, under the new source.
    assert query(env, "SELECT sumber, jenis, aturan, kolom, severity, jumlah_baris_gagal, lulus "
                      "FROM marts.data_quality WHERE dataset = 'transaksi_pasar' "
                      "ORDER BY jenis, aturan") == [
        ("pasar_jaya", "baris_dikarantina", "not_a_number", "nilai_transaksi", "QUARANTINE", 1,
         False),
        ("pasar_jaya", "pemeriksaan_tabel", "nilai_transaksi_not_negative", None, "WARN", 1,
         False),
        ("pasar_jaya", "pemeriksaan_tabel", "rows_accounted_for", None, "ERROR", 0, True),
    ]
    status = run_p3dn(project, env, "status")
    assert "pasar_jaya: 1 file loaded, 4 rows; last loaded pasar/transaksi_2025.csv " \
           "(transaksi_pasar, 4 rows)" in status.stdout
    assert "WARN staging/transaksi_pasar nilai_transaksi_not_negative: 1 unexpected" \
        in status.stdout


def test_a_staging_file_that_breaks_the_contract_fails_when_definitions_load(tmp_path):
    project = copy_project(tmp_path / "project")
    folder = add_new_source(project)
    sql = folder / "sql" / "staging_transaksi_pasar.sql"
    sql.write_text(sql.read_text().replace("_source_sheet, _source_row, ", "_source_sheet, "))
    env = environment(project, tmp_path)

    loaded = python_in(project, env, "import p3dn_pipeline.definitions")
    assert loaded.returncode != 0
    assert ("StagingContractError: defs/pasar_jaya/sql/staging_transaksi_pasar.sql breaks the "
            "staging contract: typed_transaksi_pasar lacks the column(s) _source_row"
            in loaded.stderr), loaded.stderr[-2000:]

    checked = subprocess.run([str(Path(sys.executable).parent / "dg"), "check", "defs"],
                             cwd=project, env=env, capture_output=True, text=True, timeout=300)
    assert checked.returncode != 0
    assert "staging_transaksi_pasar.sql breaks the staging contract" in \
        checked.stdout + checked.stderr


def test_an_edited_sql_file_rebuilds_exactly_what_depends_on_it(tmp_path):
    project = copy_project(tmp_path / "project")
    env = environment(project, tmp_path)
    shutil.copytree(MINI, tmp_path / "landing")
    first = run_p3dn(project, env, "run")
    assert first.returncode == 0, first.stderr[-3000:]
    headline = query(env, "SELECT * EXCLUDE (dimuat_pada) FROM marts.p3dn_provinsi")

    unchanged = run_p3dn(project, env, "run")
    assert unchanged.returncode == 0, unchanged.stderr[-3000:]
    assert rebuilt_in_last_run(env) == set()

    publish = {"publish/serving_file", "publish/parquet", "publish/dashboard"}
    package = project / "p3dn_pipeline"

    # A staging SQL file: its table and everything computed from it.
    staging_sql = package / "defs" / "apbd" / "sql" / "staging_apbd_realisasi.sql"
    staging_sql.write_text(staging_sql.read_text() + "\n-- edited\n")
    assert run_p3dn(project, env, "run").returncode == 0
    assert rebuilt_in_last_run(env) == {
        "staging/apbd_realisasi", "marts/p3dn_apbd_bulanan", "marts/data_quality", *publish}

    # A mart SQL file: that mart and the publish.
    mart_sql = package / "defs" / "marts" / "sql" / "umkm_ekatalog.sql"
    mart_sql.write_text(mart_sql.read_text() + "\n-- edited\n")
    assert run_p3dn(project, env, "run").returncode == 0
    assert rebuilt_in_last_run(env) == {"marts/umkm_ekatalog", *publish}

    # A shared macro file: every table built by SQL, never the raw tables (they hold the
    # files as delivered) nor the ledger.
    macros = package / "lib" / "sql" / "indoformat_macros.sql"
    macros.write_text(macros.read_text() + "\n-- edited\n")
    assert run_p3dn(project, env, "run").returncode == 0
    rebuilt = rebuilt_in_last_run(env)
    assert rebuilt == {
        "staging/ekatalog_paket_v6", "staging/ekatalog_paket_v5", "staging/ekatalog_produk",
        "staging/ekatalog_penyedia", "staging/sirup_paket_penyedia",
        "staging/sirup_struktur_anggaran", "staging/ekatalog_paket", "staging/apbd_realisasi",
        "staging/kpkp_roster", "staging/sirup_master_satker", "staging/spse_tender_selesai",
        "staging/spse_nontender_selesai", "staging/spse_tender_kontrak",
        "staging/spse_nontender_kontrak", "staging/spse_pencatatan_nontender",
        "staging/spse_pencatatan_nontender_realisasi", "staging/spse_pencatatan_swakelola",
        "staging/spse_pencatatan_swakelola_realisasi", "staging/bela_tokodaring",
        "staging/business_matching_batch", "staging/eorder_pesanan",
        "staging/ecommerce_penjualan",
        "reference/wilayah_dki", "reference/target_kpi", "reference/datasets",
        "reference/seri_publikasi_umkm",
        "marts/p3dn_realisasi_paket", "marts/p3dn_realisasi_kanal", "marts/p3dn_per_skpd",
        "marts/p3dn_provinsi", "marts/p3dn_rekonsiliasi", "marts/p3dn_target",
        "marts/p3dn_apbd_bulanan", "marts/umkm_binaan_triwulan", "marts/umkm_ekatalog",
        "marts/umkm_seri_publikasi", "marts/business_matching", "marts/umkm_pelaku", "marts/umkm_transaksi",
        "marts/umkm_penjualan_pdn", "marts/umkm_pencocokan",
        "marts/data_quality", *publish}
    # The edits changed no figure.
    assert query(env, "SELECT * EXCLUDE (dimuat_pada) FROM marts.p3dn_provinsi") == headline


def test_dagster_is_told_the_code_version_and_the_build(tmp_path):
    """The UI's badges agree with the pipeline: each asset's code version is the digest the
    pipeline fingerprints, it changes with the asset's SQL, and each materialization carries
    the build id recorded in quality.builds as its data version."""
    from dagster import DagsterEventType

    project = copy_project(tmp_path / "project")
    env = environment(project, tmp_path)
    shutil.copytree(MINI, tmp_path / "landing")
    assert run_p3dn(project, env, "run").returncode == 0
    versions = {}
    for record in last_run_events(env, DagsterEventType.ASSET_MATERIALIZATION, runs=2):
        materialization = record.asset_materialization
        key = materialization.asset_key.to_user_string()
        if key == "publish/run_summary":
            continue  # writes nothing, so it has no build (and no DataVersion of ours)
        versions[key] = materialization.tags["dagster/data_version"]
    recorded = dict(query(env, "SELECT asset_key, string_agg(DISTINCT build_id, ',' "
                               "ORDER BY build_id) FROM quality.builds GROUP BY ALL"))
    assert versions == recorded

    show = ("from p3dn_pipeline.definitions import defs; g = defs.resolve_asset_graph(); "
            "print(g.get(__import__('dagster').AssetKey(['marts', 'umkm_ekatalog']))"
            ".code_version)")
    before = python_in(project, env, show).stdout
    mart_sql = project / "p3dn_pipeline" / "defs" / "marts" / "sql" / "umkm_ekatalog.sql"
    mart_sql.write_text(mart_sql.read_text() + "\n-- edited\n")
    after = python_in(project, env, show).stdout
    assert before.strip() and after.strip() and before != after
