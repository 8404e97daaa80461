"""A client that is not our code reads the serving file, read-only, while publishes replace it.

The client is the official DuckDB command-line client: the PyPI package ``duckdb-cli`` (a
DuckDB 1.5 binary in a wheel, a dev dependency, so ``make test`` installs it). It is older
than the DuckDB 2.0 that writes the file, as the DuckDB inside a BI tool's driver (Metabase,
DBeaver, Evidence) usually is, so it also proves the file's storage format is one they read.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import threading
import time
from pathlib import Path

import duckdb
import pytest

from p3dn_pipeline_tests.integration.publish_fixtures import publish_env

pytestmark = pytest.mark.slow

# The newest snapshot and the headline it must agree with, read in one statement.
QUERY = ("SELECT (SELECT snapshot_id FROM p3dn_snapshot ORDER BY diambil_pada DESC LIMIT 1), "
         "(SELECT CAST(pct_realisasi_komitmen AS VARCHAR) FROM p3dn_snapshot "
         " WHERE kd_klpd = 'DKI' AND tahun_anggaran = 2025 ORDER BY diambil_pada DESC LIMIT 1), "
         "(SELECT CAST(pct_realisasi_komitmen AS VARCHAR) FROM marts.p3dn_provinsi "
         " WHERE kd_klpd = 'DKI' AND tahun_anggaran = 2025);")


def duckdb_cli() -> Path:
    try:
        import duckdb_cli as package
    except ImportError:
        pytest.fail("The DuckDB command-line client is not installed: run "
                    "`.venv/bin/pip install -e '.[dev]'` (make test does), which brings the "
                    "duckdb-cli package.")
    return Path(package.__file__).parent / "duckdb"


def cli(env, *arguments: str, sql: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(duckdb_cli()), "-readonly", *arguments, str(env.serving),
                           "-c", sql], capture_output=True, text=True, timeout=60)


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    with publish_env(tmp_path_factory.mktemp("bi")) as env:
        yield env


def test_duckdb_cli_reads_the_marts_and_their_comments_read_only(published):
    result = cli(published, "-json", sql=(
        "SELECT version() AS version, CAST(pct_realisasi_komitmen AS VARCHAR) AS pct, "
        "CAST(pembilang_realisasi_pdn_rp AS VARCHAR) AS pembilang, "
        "CAST(penyebut_komitmen_pdn_rp AS VARCHAR) AS penyebut FROM marts.p3dn_provinsi"))
    assert result.returncode == 0, result.stderr
    [row] = json.loads(result.stdout)
    assert row["version"].startswith("v1.5")
    assert (row["pct"], row["pembilang"], row["penyebut"]) == (
        "65.00", "97500000.00", "150000000.00")

    comments = cli(published, "-json", sql=(
        "SELECT table_name, comment, "
        "(SELECT count(*) FROM duckdb_columns() AS c WHERE c.table_name = t.table_name "
        " AND c.database_name = t.database_name AND c.comment IS NOT NULL) AS commented, "
        "(SELECT count(*) FROM duckdb_columns() AS c WHERE c.table_name = t.table_name "
        " AND c.database_name = t.database_name) AS columns "
        "FROM duckdb_tables() AS t ORDER BY table_name"))
    assert comments.returncode == 0, comments.stderr
    tables = json.loads(comments.stdout)
    assert [t["table_name"] for t in tables] == [
        "business_matching", "data_quality", "p3dn_apbd_bulanan", "p3dn_per_skpd", "p3dn_perubahan_ekspor",
        "p3dn_provinsi", "p3dn_realisasi_kanal", "p3dn_realisasi_paket", "p3dn_rekonsiliasi",
        "p3dn_snapshot", "p3dn_target", "umkm_binaan_triwulan", "umkm_ekatalog", "umkm_pelaku",
        "umkm_pencocokan", "umkm_penjualan_pdn", "umkm_seri_publikasi", "umkm_transaksi"]
    for table in tables:
        assert table["comment"], table["table_name"]
        assert table["commented"] == table["columns"] > 0, table["table_name"]

    write = cli(published, sql="CREATE TABLE catatan AS SELECT 1 AS x")
    assert write.returncode != 0 and "read-only" in write.stderr


def test_duckdb_cli_session_keeps_its_snapshot_while_publishes_replace_the_file(published):
    """An open CLI session (like a BI tool's pooled connection) goes on reading the file it
    opened; CLI runs started during the publishes never fail and never see a mix; a run
    started afterwards sees the new figures."""
    session = subprocess.Popen([str(duckdb_cli()), "-readonly", "-csv", "-noheader",
                                str(published.serving)], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    polls: list[subprocess.CompletedProcess] = []
    stop = threading.Event()

    def poll() -> None:
        while not stop.is_set():
            polls.append(cli(published, "-csv", "-noheader", sql=QUERY))

    poller = threading.Thread(target=poll, daemon=True)
    try:
        opened = f"/proc/{session.pid}/fd"
        deadline = time.monotonic() + 30
        while str(published.serving) not in {os.readlink(f"{opened}/{fd}")
                                             for fd in os.listdir(opened)}:
            assert time.monotonic() < deadline, "the CLI never opened the serving file"
            time.sleep(0.05)
        [[old_id, old_snapshot, old_headline]] = csv_rows(
            cli(published, "-csv", "-noheader", sql=QUERY).stdout)
        assert old_snapshot == old_headline == "65.00"

        poller.start()
        # New data: order O1 is worth 30 jt more, so realisasi PDN = 127,5 jt = 85,00 %.
        con = duckdb.connect(str(published.warehouse))
        try:
            con.execute("UPDATE staging.ekatalog_paket SET nilai_rp = nilai_rp + 30000000 "
                        "WHERE kd_paket = '01ORDER0000000000000000001'")
        finally:
            con.close()
        assert published.rebuild_headline_marts_and_publish().success
        assert published.publish().success
        stop.set()
        poller.join(timeout=60)
        out, err = session.communicate(QUERY + "\n", timeout=60)
    finally:
        stop.set()
        if session.poll() is None:
            session.kill()
            session.wait(timeout=10)
    assert session.returncode == 0, err
    assert csv_rows(out) == [[old_id, "65.00", "65.00"]]

    assert polls, "no CLI run happened during the publishes"
    for run in polls:
        assert run.returncode == 0, run.stderr
        [[_id, snapshot_pct, headline_pct]] = csv_rows(run.stdout)
        assert snapshot_pct == headline_pct and snapshot_pct in {"65.00", "85.00"}

    [[new_id, new_snapshot, new_headline]] = csv_rows(
        cli(published, "-csv", "-noheader", sql=QUERY).stdout)
    assert new_id != old_id and new_snapshot == new_headline == "85.00"
