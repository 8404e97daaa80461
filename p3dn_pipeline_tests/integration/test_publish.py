"""Publishing: the serving DuckDB file, the Parquet exports and the headline history, on the
mini P3DN fixtures (see test_p3dn_marts.py for its figures: DKI TA 2025 realisasi komitmen
97,5 jt / 150 jt = 65,00 %)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from p3dn_pipeline_tests.integration.publish_fixtures import publish_env

pytestmark = pytest.mark.slow

# Reads, in one statement (one transaction), the newest snapshot and the tables it must agree
# with: the headline in p3dn_provinsi and the sum of its numerator over p3dn_per_skpd.
READER = r'''
import json, os, sys, time
import duckdb

path, mode, stop_file, seconds = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
QUERY = """
SELECT (SELECT snapshot_id FROM p3dn_snapshot ORDER BY diambil_pada DESC LIMIT 1),
       (SELECT count(DISTINCT snapshot_id) FROM p3dn_snapshot),
       (SELECT CAST(pct_realisasi_komitmen AS VARCHAR) FROM p3dn_snapshot
        WHERE kd_klpd = 'DKI' AND tahun_anggaran = 2025 ORDER BY diambil_pada DESC LIMIT 1),
       (SELECT CAST(pct_realisasi_komitmen AS VARCHAR) FROM p3dn_provinsi
        WHERE kd_klpd = 'DKI' AND tahun_anggaran = 2025),
       (SELECT CAST(pembilang_realisasi_pdn_rp AS VARCHAR) FROM p3dn_provinsi
        WHERE kd_klpd = 'DKI' AND tahun_anggaran = 2025),
       (SELECT CAST(sum(realisasi_pdn_rp) AS VARCHAR) FROM p3dn_per_skpd
        WHERE kd_klpd = 'DKI' AND tahun_anggaran = 2025)
"""
held = duckdb.connect(path, read_only=True) if mode == "hold" else None
print(json.dumps({"ready": os.getpid()}), flush=True)
deadline = time.time() + seconds
while time.time() < deadline and not os.path.exists(stop_file):
    try:
        if held is not None:
            row = held.execute(QUERY).fetchone()
        else:
            # A new connection each time, as a BI tool's new session or a page refresh.
            con = duckdb.connect(path, read_only=True)
            try:
                row = con.execute(QUERY).fetchone()
            finally:
                con.close()
        print(json.dumps({"t": time.time(), "row": list(row)}), flush=True)
    except Exception as error:
        print(json.dumps({"t": time.time(), "error": str(error)}), flush=True)
    time.sleep(0.02)
'''

# A BI client that (wrongly) opens the serving file read-write and writes into it.
WRITER = r'''
import sys, time
import duckdb

con = duckdb.connect(sys.argv[1])
con.execute("CREATE TABLE bi_notes AS SELECT 'edited in a BI tool' AS note")
print("ready", flush=True)
time.sleep(float(sys.argv[2]))
'''


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    with publish_env(tmp_path_factory.mktemp("publish")) as env:
        yield env


class Reader:
    """A reader process on the serving file; its report lines are collected as they come."""

    def __init__(self, env, mode: str, stop_file: Path):
        self.process = subprocess.Popen(
            [sys.executable, "-c", READER, str(env.serving), mode, str(stop_file), "60"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=env.subprocess_environ())
        self.lines: list[dict] = []
        self._thread = threading.Thread(target=self._collect, daemon=True)
        self._thread.start()

    def _collect(self) -> None:
        for line in self.process.stdout:
            self.lines.append(json.loads(line))

    @property
    def rows(self) -> list[dict]:
        return [line for line in list(self.lines) if "row" in line]

    @property
    def errors(self) -> list[str]:
        return [line["error"] for line in list(self.lines) if "error" in line]

    def finish(self) -> None:
        self.process.wait(timeout=30)
        self._thread.join(timeout=10)
        assert self.process.returncode == 0, self.process.stderr.read()


def wait_for(condition, what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def table_rows(con, qualified: str) -> list[tuple]:
    return con.execute(f"SELECT * FROM {qualified} ORDER BY ALL").fetchall()


def test_serving_file_holds_every_mart_with_identical_contents_and_comments(published):
    with published.read_both() as con:
        warehouse_tables = {t for (t,) in con.execute(
            "SELECT table_name FROM duckdb_tables() "
            "WHERE database_name = 'wh' AND schema_name = 'marts'").fetchall()}
        serving_tables = {t for (t,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = 'sv'").fetchall()}
        assert warehouse_tables == serving_tables == {
            "data_quality", "p3dn_apbd_bulanan", "p3dn_per_skpd", "p3dn_provinsi",
            "p3dn_perubahan_ekspor", "p3dn_realisasi_kanal", "p3dn_realisasi_paket",
            "p3dn_rekonsiliasi", "p3dn_snapshot", "p3dn_target", "umkm_binaan_triwulan",
            "umkm_ekatalog", "business_matching", "umkm_pelaku", "umkm_pencocokan",
            "umkm_penjualan_pdn", "umkm_seri_publikasi", "umkm_transaksi"}
        for table in sorted(warehouse_tables):
            assert table_rows(con, f"sv.main.{table}") == table_rows(con, f"wh.marts.{table}"), \
                table
        catalog = """
            SELECT t.table_name, t.comment, c.column_name, c.data_type, c.comment
            FROM duckdb_tables() AS t
            JOIN duckdb_columns() AS c USING (database_name, schema_name, table_name)
            WHERE t.database_name = $db AND t.schema_name = $schema
            ORDER BY t.table_name, c.column_index"""
        in_warehouse = con.execute(catalog, {"db": "wh", "schema": "marts"}).fetchall()
        in_serving = con.execute(catalog, {"db": "sv", "schema": "main"}).fetchall()
        assert in_serving == in_warehouse
        assert len(in_serving) > 100
        for table, table_comment, column, _type, column_comment in in_serving:
            assert table_comment and " / " in table_comment, table
            assert column_comment, f"{table}.{column}"
        storage = con.execute(
            "SELECT tags['storage_version'] FROM duckdb_databases() "
            "WHERE database_name = 'sv'").fetchall()[0][0]
        assert storage.startswith("v1.0.0")
    leftovers = sorted(p.name for p in published.serving.parent.iterdir()
                       if p.name.startswith("."))
    assert leftovers == []
    assert not Path(f"{published.serving}.wal").exists()


def test_snapshot_holds_the_headline_with_its_basis(published):
    with published.read_both() as con:
        rows = con.execute(
            "SELECT kd_klpd, tahun_anggaran, pct_realisasi_komitmen, pembilang_realisasi_pdn_rp, "
            "penyebut_komitmen_pdn_rp, pct_pdn_belanja, pct_umk_belanja, "
            "CAST(tanggal_data AS VARCHAR) FROM sv.p3dn_snapshot "
            "ORDER BY diambil_pada LIMIT 1").fetchall()
        comments = dict(con.execute(
            "SELECT column_name, comment FROM duckdb_columns() "
            "WHERE database_name = 'wh' AND table_name = 'p3dn_snapshot'").fetchall())
    assert rows == [("DKI", 2025, Decimal("65.00"), Decimal("97500000.00"),
                     Decimal("150000000.00"), Decimal("62.50"), Decimal("54.17"), "2025-03-31")]
    assert "UTC" in comments["diambil_pada"]
    assert "Rp" in comments["pembilang_realisasi_pdn_rp"]
    assert "SiRUP" in comments["penyebut_komitmen_pdn_rp"]


def test_parquet_files_hold_the_same_rows_as_the_published_marts(published):
    names = sorted(p.name for p in published.parquet_dir.iterdir() if p.suffix == ".parquet")
    assert names == ["business_matching.parquet", "data_quality.parquet",
                     "p3dn_apbd_bulanan.parquet",
                     "p3dn_per_skpd.parquet", "p3dn_perubahan_ekspor.parquet",
                     "p3dn_provinsi.parquet", "p3dn_realisasi_kanal.parquet", "p3dn_realisasi_paket.parquet",
                     "p3dn_rekonsiliasi.parquet", "p3dn_snapshot.parquet", "p3dn_target.parquet",
                     "umkm_binaan_triwulan.parquet", "umkm_ekatalog.parquet",
                     "umkm_pelaku.parquet", "umkm_pencocokan.parquet",
                     "umkm_penjualan_pdn.parquet", "umkm_seri_publikasi.parquet",
                     "umkm_transaksi.parquet"]
    with published.read_both() as con:
        for name in names:
            table = name.removesuffix(".parquet")
            from_parquet = con.execute(
                "SELECT * FROM read_parquet($p) ORDER BY ALL",
                {"p": str(published.parquet_dir / name)}).fetchall()
            assert from_parquet == table_rows(con, f"sv.main.{table}"), table
        assert con.execute("SELECT count(*) FROM read_parquet($p)", {
            "p": str(published.parquet_dir / "p3dn_per_skpd.parquet")}).fetchall() == [(2,)]


def test_every_parquet_file_names_its_publish_and_the_manifest_lists_them(published):
    """A BI refresh reading during a publish can tell it mixed two: each file's Parquet
    metadata carries the serving file's publish id (its newest snapshot), as does the
    manifest, which lists every file with its rows and sha256."""
    import hashlib

    def publish_ids():
        with published.read_both() as con:
            served = con.execute("SELECT snapshot_id FROM sv.main.p3dn_snapshot "
                                 "ORDER BY diambil_pada DESC LIMIT 1").fetchall()[0][0]
            in_files = {}
            for path in sorted(published.parquet_dir.glob("*.parquet")):
                metadata = dict(con.execute(
                    "SELECT decode(key), decode(value) FROM parquet_kv_metadata($p)",
                    {"p": str(path)}).fetchall())
                in_files[path.name] = (metadata["p3dn_publish_id"], metadata["p3dn_table"])
                rows = con.execute("SELECT count(*) FROM read_parquet($p)",
                                   {"p": str(path)}).fetchall()[0][0]
                in_files[path.name] += (rows,)
        return served, in_files

    served, in_files = publish_ids()
    manifest = json.loads((published.parquet_dir / "manifest.json").read_text())
    assert manifest["publish_id"] == served
    assert {name: meta[:2] for name, meta in in_files.items()} == {
        name: (served, name.removesuffix(".parquet")) for name in in_files}
    assert [(f["file"], f["table"], f["rows"], f["sha256"]) for f in manifest["files"]] == [
        (name, name.removesuffix(".parquet"), in_files[name][2],
         hashlib.sha256((published.parquet_dir / name).read_bytes()).hexdigest())
        for name in sorted(in_files)]

    # The next publish names itself everywhere.
    published.publish()
    again, in_files_again = publish_ids()
    assert again != served
    assert {meta[0] for meta in in_files_again.values()} == {again}
    assert json.loads((published.parquet_dir / "manifest.json").read_text())[
        "publish_id"] == again


def test_each_publish_appends_one_snapshot_and_keeps_the_history(published):
    def history(con, table):
        return con.execute(f"SELECT * FROM {table} ORDER BY diambil_pada, kd_klpd").fetchall()

    with published.read_both() as con:
        before = history(con, "wh.marts.p3dn_snapshot")
    published.publish()
    published.publish()
    with published.read_both() as con:
        after = history(con, "wh.marts.p3dn_snapshot")
        assert history(con, "sv.main.p3dn_snapshot") == after
    assert after[:len(before)] == before
    assert len({row[0] for row in after}) == len({row[0] for row in before}) + 2
    assert len(after) == len(before) + 2


def test_publish_refuses_to_replace_a_file_held_read_write_and_clears_a_crashed_ones_log(
        published, tmp_path):
    """Renaming over a file another process holds read-write would let that process's WAL
    (named after the path) be replayed onto the new file: the publish stops, naming it."""
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(published.serving), "60"],
                              stdout=subprocess.PIPE, text=True,
                              env=published.subprocess_environ())
    try:
        assert writer.stdout.readline().strip() == "ready"
        inode = published.serving.stat().st_ino
        # While a process holds the file read-write, nobody else can even read it.
        with published.read_both(serving=False) as con:
            snapshots = con.execute("SELECT count(*) FROM wh.marts.p3dn_snapshot").fetchall()
        refused = published.publish(raise_on_error=False)
        assert not refused.success
        messages = " ".join(
            event.step_failure_data.error.message for event in refused.all_events
            if event.event_type_value == "STEP_FAILURE" and event.step_failure_data.error)
        assert f"open read-write in process {writer.pid}" in messages
        assert "read-only" in messages
        assert published.serving.stat().st_ino == inode
        with published.read_both(serving=False) as con:
            assert con.execute("SELECT count(*) FROM wh.marts.p3dn_snapshot").fetchall() == \
                snapshots
        assert [p.name for p in published.serving.parent.iterdir()
                if ".publishing-" in p.name] == []
        # The BI client dies without closing: its WAL stays beside the file, nobody holds it.
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=10)
    finally:
        if writer.poll() is None:
            writer.kill()
            writer.wait(timeout=10)
    assert Path(f"{published.serving}.wal").exists()
    published.publish()
    assert not Path(f"{published.serving}.wal").exists()
    with published.read_both() as con:
        assert "bi_notes" not in {t for (t,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = 'sv'").fetchall()}
        assert table_rows(con, "sv.main.p3dn_provinsi") == table_rows(con, "wh.marts.p3dn_provinsi")


def test_publish_never_waits_for_readers_and_no_reader_sees_half_a_publish(published, tmp_path):
    """One reader holds a connection open across the publish, another opens a new connection
    for every read, both in their own processes. The publish (with changed data) neither
    fails nor waits; the holder keeps reading the old snapshot whole; every read agrees with
    itself (snapshot = headline = sum over SKPD); a new connection afterwards sees the new data.
    """
    stop_file = tmp_path / "stop"
    holder = Reader(published, "hold", stop_file)
    fresh = Reader(published, "fresh", stop_file)
    try:
        wait_for(lambda: len(holder.rows) >= 3 and len(fresh.rows) >= 3, "both readers")
        old_id = holder.rows[0]["row"][0]
        assert holder.rows[0]["row"][2:] == ["65.00", "65.00", "97500000.00", "97500000.00"]

        # New data: order O1 is worth 15 jt more, so realisasi PDN = 112,5 jt = 75,00 %.
        con = duckdb.connect(str(published.warehouse))
        try:
            con.execute("UPDATE staging.ekatalog_paket SET nilai_rp = nilai_rp + 15000000 "
                        "WHERE kd_paket = '01ORDER0000000000000000001'")
        finally:
            con.close()
        started = time.monotonic()
        result = published.rebuild_headline_marts_and_publish()
        took = time.monotonic() - started
        assert result.success
        assert took < 45, f"the publish took {took:.1f} s beside two readers"
        published_at = time.time()

        wait_for(lambda: any(r["row"][0] != old_id and r["t"] > published_at
                             for r in fresh.rows), "the fresh reader to see the new file")
        wait_for(lambda: sum(r["t"] > published_at for r in holder.rows) >= 3,
                 "the holder to read after the publish")
        # The holder still reads the replaced file: its inode lives on, unlinked.
        held_files = [os.readlink(f"/proc/{holder.process.pid}/fd/{fd}")
                      for fd in os.listdir(f"/proc/{holder.process.pid}/fd")]
        assert f"{published.serving} (deleted)" in held_files
    finally:
        stop_file.touch()
        holder.finish()
        fresh.finish()

    assert holder.errors == [] and fresh.errors == []
    assert {tuple(r["row"]) for r in holder.rows} == {tuple(holder.rows[0]["row"])}
    for reader in (holder, fresh):
        for r in reader.rows:
            _id, _count, snapshot_pct, headline_pct, numerator, sum_over_skpd = r["row"]
            assert snapshot_pct == headline_pct and numerator == sum_over_skpd, r
    ids = [r["row"][0] for r in fresh.rows]
    switched = ids.index(next(i for i in ids if i != old_id))
    assert set(ids[:switched]) == {old_id} and old_id not in ids[switched:]
    assert fresh.rows[-1]["row"][2:] == ["75.00", "75.00", "112500000.00", "112500000.00"]
    assert fresh.rows[-1]["row"][1] == holder.rows[0]["row"][1] + 1

    with published.read_both() as con:
        assert con.execute(
            "SELECT pct_realisasi_komitmen FROM sv.p3dn_provinsi").fetchall() == [
            (Decimal("75.00"),)]
