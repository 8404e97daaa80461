"""Issue 17 through whole Dagster runs: what the run log, the ledger, staging and `p3dn status`
say when a file name is not UTF-8, and when a new version that lost most of its rows is held
back until it is accepted with the run tag p3dn/accept."""

from __future__ import annotations

import json
import os

import pytest

pytestmark = pytest.mark.slow

STRUKTUR = [{"tahun_anggaran": 2025, "kd_klpd": "DKI", "kd_satker": 1000 + i,
             "kd_satker_str": f"1.0{i}.0.00.0.00.01.0000", "nama_satker": f"DINAS {i}",
             "belanja_operasi": 10, "belanja_modal": 5, "belanja_pengadaan": 15,
             "total_belanja": 15} for i in (1, 2)]
APBD_HEADER = "Kode SKPD;Nama SKPD;Kode Rekening;Uraian;Anggaran;Realisasi;Bulan;Tahun\n"


def apbd(lines: int) -> str:
    return APBD_HEADER + "".join(
        f"1.01.0.00.0.00.01.0000;Dinas 1;5.1.02.01.01.{i:04d};Belanja {i};1.000.000;"
        f"{i + 1}.000;Januari;2025\n" for i in range(lines))


def materialize(env, tags=None):
    """As a scheduled refresh: load_landing (with the run's tags), then everything else."""
    from dagster import AssetSelection, DagsterInstance, materialize as run_assets

    from p3dn_pipeline.definitions import all_assets
    from p3dn_pipeline.lib.partitions import fiscal_year_range_tags
    from p3dn_pipeline.lib.resources import default_resources
    from p3dn_pipeline_tests.conftest import Runs

    instance = DagsterInstance.ephemeral()
    raw = AssetSelection.groups("raw")
    rest = AssetSelection.all() - raw - AssetSelection.groups("pull")
    runs = [run_assets(all_assets, selection=raw, resources=default_resources(),
                       instance=instance, tags=dict(tags or {}))]
    runs.append(run_assets(all_assets, selection=rest,
                           resources=default_resources(), instance=instance,
                           tags={**fiscal_year_range_tags(instance), **(tags or {})}))
    logs = [(entry.level, entry.user_message) for run in runs
            for entry in instance.all_logs(run.run_id)
            if entry.user_message.startswith(("Rejected:", "Held back:", "Loaded "))]
    return Runs(runs), logs


def test_a_windows_file_name_and_a_shrunken_export_in_three_runs(pipeline_env):
    import logging

    from p3dn_pipeline.status import source_lines

    landing = pipeline_env.landing
    (landing / "struktur_anggaran_2025.json").write_text(json.dumps(STRUKTUR))
    (landing / "lra_apbd_2025.csv").write_text(apbd(10))
    with open(os.path.join(os.fsencode(landing), b"realisasi_\xe9.csv"), "wb") as handle:
        handle.write(apbd(2).encode())
    name_reason = (
        "realisasi_\\xe9.csv has a name (or folder name) that is not UTF-8 text (byte 0xe9, "
        "shown escaped), as names from an archive made on Windows often are: rename it, or "
        "unpack the archive again with a tool that converts names (7-Zip, `unzip -O CP1252`); "
        "it is read on the next run")

    # 1. The undecodable name is rejected alone; the run goes through.
    result, logs = materialize(pipeline_env)
    assert result.success
    assert (logging.ERROR, f"Rejected: {name_reason}") in logs
    assert (logging.INFO, "Loaded 10 rows from lra_apbd_2025.csv") in logs
    assert pipeline_env.query("SELECT count(*) FROM staging.apbd_realisasi") == [(10,)]

    # 2. A new version with 3 of the 10 rows is held back; the 10 rows stay.
    (landing / "lra_apbd_2025.csv").write_text(apbd(3))
    result, logs = materialize(pipeline_env)
    held_reason = (
        "lra_apbd_2025.csv holds 3 rows where the version loaded before held 10 (70% fewer; "
        "more than 50% is suspect, P3DN_SUSPECT_SHRINK): held back, the previous version's rows "
        "stay. If the new file is right, confirm it with `p3dn accept lra_apbd_2025.csv` (or a "
        "run tagged p3dn/accept=lra_apbd_2025.csv); the next run loads it")
    assert result.success
    assert (logging.ERROR, f"Held back: {held_reason}") in logs
    assert pipeline_env.query("SELECT count(*) FROM staging.apbd_realisasi") == [(10,)]
    con = pipeline_env.connect()
    try:
        lines = source_lines(con)
    finally:
        con.close()
    assert f"  held: {held_reason}" in lines
    assert f"  rejected: {name_reason}" in lines
    # The quality report BI users read says so too.
    assert pipeline_env.query(
        "SELECT jenis, aturan, severity, keterangan FROM marts.data_quality "
        "WHERE file = 'lra_apbd_2025.csv'") == [
        ("file_ditahan", "versi_baru_tidak_menyusut", "ERROR", held_reason)]

    # 3. A run tagged p3dn/accept loads it.
    result, logs = materialize(pipeline_env, tags={"p3dn/accept": "lra_apbd_2025.csv"})
    assert result.success
    assert (logging.INFO, "Loaded 3 rows from lra_apbd_2025.csv") in logs
    assert pipeline_env.query("SELECT count(*) FROM staging.apbd_realisasi") == [(3,)]
    assert pipeline_env.query(
        "SELECT status, rows_loaded FROM raw.file_ledger WHERE path = 'lra_apbd_2025.csv' "
        "ORDER BY first_seen_at") == [("superseded", 10), ("loaded", 3)]
    assert pipeline_env.query(
        "SELECT count(*) FROM marts.data_quality WHERE jenis = 'file_ditahan'") == [(0,)]
