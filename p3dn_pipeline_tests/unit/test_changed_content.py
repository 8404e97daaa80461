"""A change is always read: size and modification time are a shortcut, never the proof that a
file is unchanged. A correction of the same size with its old mtime restored, a file changed
back to an earlier version, and a file whose times say nothing (scheduled runs hash every
file) all load what the landing folder holds now."""

from __future__ import annotations

import datetime as dt
import json
import os

from p3dn_pipeline.defs.lkpp.source import EKATALOG_PAKET_V6
from p3dn_pipeline.lib import landing, ledger

NOW = dt.datetime(2025, 10, 1, 6, 0)
LATER = dt.datetime(2025, 10, 2, 6, 0)
LATEST = dt.datetime(2025, 10, 3, 6, 0)


def order(kd_paket, total):
    return {"tahun_anggaran": 2025, "kd_klpd": "DKI", "kd_satker_str": "1.01.0.00.0.00.01.0000",
            "kd_paket": kd_paket, "kd_rup": "12345678", "product_ids": "u1",
            "kd_penyedia_v6": "01JHKT4BFAVEMPVFWSNK1BQ4F6", "total_harga": total,
            "tgl_order": "2025-05-01", "status_pkt": "COMPLETED"}


def run(con, folder, now, **options):
    inventory = ledger.take_inventory(con, folder, now, **options)
    ledger.load_pending(con, EKATALOG_PAKET_V6, folder, now)
    return inventory


def totals(con):
    return con.execute("SELECT kd_paket, total_harga FROM raw.ekatalog_paket_v6 "
                       "ORDER BY kd_paket").fetchall()


def statuses(con):
    return con.execute("SELECT status, rows_loaded FROM raw.file_ledger "
                       "ORDER BY first_seen_at, status").fetchall()


def test_a_correction_of_the_same_size_with_its_old_mtime_restored_is_loaded(warehouse_con,
                                                                             tmp_path):
    path = tmp_path / "v6.json"
    path.write_text(json.dumps([order("A", 100), order("B", 200)]))
    os.utime(path, ns=(1_700_000_000_000_000_000, 1_700_000_000_000_000_000))
    run(warehouse_con, tmp_path, NOW)
    before = path.stat()

    # The corrected export: same length, and the tool that wrote it kept the old times.
    path.write_text(json.dumps([order("A", 900), order("B", 200)]))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (before.st_size,
                                                              before.st_mtime_ns)
    inventory = run(warehouse_con, tmp_path, LATER)

    assert inventory.new_versions == 1
    assert totals(warehouse_con) == [("A", "900"), ("B", "200")]
    assert statuses(warehouse_con) == [("superseded", 2), ("loaded", 2)]


def test_a_file_changed_back_to_an_earlier_version_loads_that_version_again(warehouse_con,
                                                                           tmp_path):
    path = tmp_path / "v6.json"
    version_a = json.dumps([order("A", 100)])
    path.write_text(version_a)
    run(warehouse_con, tmp_path, NOW)
    path.write_text(json.dumps([order("A", 150), order("B", 5)]))
    run(warehouse_con, tmp_path, LATER)
    path.write_text(version_a)  # B withdrawn: the export is A again

    run(warehouse_con, tmp_path, LATEST)

    assert totals(warehouse_con) == [("A", "100")]
    assert warehouse_con.execute(
        "SELECT status, rows_loaded, first_seen_at FROM raw.file_ledger ORDER BY first_seen_at"
    ).fetchall() == [("superseded", 2, LATER), ("loaded", 1, LATEST)]


def test_a_scheduled_run_hashes_every_file_even_when_its_times_are_unchanged(warehouse_con,
                                                                            tmp_path):
    path = tmp_path / "v6.json"
    path.write_text(json.dumps([order("A", 100)]))
    run(warehouse_con, tmp_path, NOW)
    path.write_text(json.dumps([order("A", 700)]))
    # A file system whose times cannot be trusted (a network share that caches them): the
    # ledger's record of the file matches the file as it is now.
    info = path.stat()
    warehouse_con.execute(
        "UPDATE raw.file_ledger SET size_bytes = $s, modified_ns = $m, changed_ns = $c, "
        "inode = $i", {"s": info.st_size, "m": info.st_mtime_ns, "c": info.st_ctime_ns,
                       "i": info.st_ino})

    unscheduled = run(warehouse_con, tmp_path, LATER)
    assert (unscheduled.new_versions, totals(warehouse_con)) == (0, [("A", "100")])

    scheduled = run(warehouse_con, tmp_path, LATEST,
                    **ledger.inventory_options({"dagster/schedule_name": "daily"}))
    assert (scheduled.new_versions, totals(warehouse_con)) == (1, [("A", "700")])
    assert ledger.inventory_options({"dagster/sensor_name": "landing"}) == {
        "rehash_all": False, "accept": []}


def test_unchanged_files_are_hashed_again_only_when_their_times_or_inode_moved(
        warehouse_con, tmp_path, monkeypatch):
    path = tmp_path / "v6.json"
    path.write_text(json.dumps([order("A", 100)]))
    run(warehouse_con, tmp_path, NOW)
    hashed = []
    real_sha256_of = landing.sha256_of
    monkeypatch.setattr(landing, "sha256_of",
                        lambda p: hashed.append(p.name) or real_sha256_of(p))

    run(warehouse_con, tmp_path, LATER)
    assert hashed == []
    os.chmod(path, 0o600)  # changes the ctime, not the bytes
    run(warehouse_con, tmp_path, LATER)
    assert hashed == ["v6.json"]
    run(warehouse_con, tmp_path, LATEST)  # the new ctime was recorded: the shortcut again
    assert hashed == ["v6.json"]
    assert statuses(warehouse_con) == [("loaded", 1)]


def test_a_ledger_written_before_ctime_and_inode_were_recorded_gains_them(warehouse_con,
                                                                         tmp_path):
    warehouse_con.execute(ledger.LEDGER_DDL)
    warehouse_con.execute(
        "INSERT INTO raw.file_ledger VALUES ('old.json', 'abc', 1, 1, 'json', "
        "'ekatalog_paket_v6', NULL, 'removed', NULL, 1, $t, $t)", {"t": NOW})
    (tmp_path / "v6.json").write_text(json.dumps([order("A", 100)]))

    run(warehouse_con, tmp_path, LATER)

    info = (tmp_path / "v6.json").stat()
    assert warehouse_con.execute(
        "SELECT path, changed_ns, inode FROM raw.file_ledger ORDER BY path").fetchall() == [
        ("old.json", None, None), ("v6.json", info.st_ctime_ns, info.st_ino)]
