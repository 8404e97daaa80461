"""A dataset's JSON files load two at a time (ledger.load_pending): DuckDB reads a JSON array
with one thread, so the second file uses the second core. Each file still loads, is held or
rejected on its own, in its own transaction, and the rows, the ledger and the summary are
those of loading the files one after the other."""

from __future__ import annotations

import datetime as dt
import json
import threading

import pytest

from p3dn_pipeline.defs.lkpp.source import EKATALOG_PAKET_V6
from p3dn_pipeline.lib import ledger, readers, warehouse
from p3dn_pipeline_tests.unit.test_file_ledger import order

NOW = dt.datetime(2025, 10, 1, 6, 0)


def landing_folder(tmp_path):
    folder = tmp_path / "landing"
    folder.mkdir()
    for number in range(1, 5):
        rows = [order(f"P{number}-{n}", 1000 * number + n) for n in range(number * 3)]
        (folder / f"v6_{number}.json").write_text(json.dumps(rows), encoding="utf-8")
    # A record whose value is missing: DuckDB cannot read the file, so it is rejected with
    # the reason, and the others load.
    (folder / "v6_5.json").write_text(json.dumps([order("X", 1)])[:-1] + ', {"kd_paket": }]',
                                      encoding="utf-8")
    return folder


def load(con, folder):
    ledger.take_inventory(con, folder, NOW)
    summary = ledger.load_pending(con, EKATALOG_PAKET_V6, folder, NOW)
    rows = con.execute("SELECT _source_file, _source_row, kd_paket, total_harga "
                       "FROM raw.ekatalog_paket_v6 ORDER BY ALL").fetchall()
    files = con.execute("SELECT path, status, rows_loaded, reason FROM raw.file_ledger "
                        "ORDER BY path").fetchall()
    return summary, rows, files


def test_json_files_load_two_at_a_time_with_the_rows_ledger_and_summary_of_one_by_one(
        tmp_path, monkeypatch):
    folder = landing_folder(tmp_path)
    threads = []
    load_file = readers.load_file
    monkeypatch.setattr(readers, "load_file", lambda con, recognition, **kw: threads.append(
        (kw["relative_path"], threading.current_thread().name)) or load_file(
        con, recognition, **kw))

    with warehouse.open_warehouse(tmp_path / "together.duckdb", b"k" * 32) as con:
        together = load(con, folder)
    loaders = {thread for _, thread in threads}
    assert len(loaders) == 2 and all(t.startswith("p3dn-json-load") for t in loaders)

    threads.clear()
    monkeypatch.setattr(ledger, "PARALLEL_JSON_LOADS", 1)
    with warehouse.open_warehouse(tmp_path / "in_turn.duckdb", b"k" * 32) as con:
        in_turn = load(con, folder)
    assert {thread for _, thread in threads} == {"p3dn-json-load_0"}

    summary, rows, files = together
    assert (summary.loaded, summary.rejected, rows, files) == (
        in_turn[0].loaded, in_turn[0].rejected, in_turn[1], in_turn[2])
    assert [item["path"] for item in summary.loaded] == [f"v6_{n}.json" for n in range(1, 5)]
    assert [(item["path"], item["rows"]) for item in summary.loaded] == [
        ("v6_1.json", 3), ("v6_2.json", 6), ("v6_3.json", 9), ("v6_4.json", 12)]
    assert [item["path"] for item in summary.rejected] == ["v6_5.json"]
    assert [(path, status) for path, status, _, _ in files] == [
        ("v6_1.json", "loaded"), ("v6_2.json", "loaded"), ("v6_3.json", "loaded"),
        ("v6_4.json", "loaded"), ("v6_5.json", "rejected")]
    assert len(rows) == 30 and sum(int(total) for *_, total in rows) == (
        sum(1000 * k * (3 * k) + sum(range(3 * k)) for k in range(1, 5)))


def test_an_error_that_is_no_files_fault_fails_the_load_and_leaves_the_file_pending(
        warehouse_con, tmp_path, monkeypatch):
    """Out of memory in one of two loads at once: raised (the step fails), and that file
    stays pending for the next run, never recorded as rejected; the other file loads."""
    import duckdb

    folder = landing_folder(tmp_path)
    for extra in ("v6_3.json", "v6_4.json", "v6_5.json"):
        (folder / extra).unlink()
    load_file = readers.load_file

    def out_of_memory_for_the_second(con, recognition, **kw):
        if kw["relative_path"] == "v6_2.json":
            raise duckdb.OutOfMemoryException("Out of Memory Error: could not allocate block")
        return load_file(con, recognition, **kw)

    monkeypatch.setattr(readers, "load_file", out_of_memory_for_the_second)
    ledger.take_inventory(warehouse_con, folder, NOW)
    with pytest.raises(duckdb.OutOfMemoryException):
        ledger.load_pending(warehouse_con, EKATALOG_PAKET_V6, folder, NOW)
    assert warehouse_con.execute(
        "SELECT path, status FROM raw.file_ledger ORDER BY path").fetchall() == [
        ("v6_1.json", "loaded"), ("v6_2.json", "pending")]


def test_a_session_cursor_hashes_and_parses_as_its_connection(warehouse_con):
    warehouse_con.execute("SET VARIABLE p3dn_tahun_contoh = [2024, 2025]")
    cursor = warehouse.session_cursor(warehouse_con)
    query = ("SELECT p3dn_hmac('3171012345678901'), p3dn_angka('Rp 1.234.567,50'), "
             "getvariable('p3dn_tahun_contoh'), getvariable('p3dn_bulan_sebelum_tahun_anggaran')")
    try:
        assert cursor.execute(query).fetchall() == warehouse_con.execute(query).fetchall()
    finally:
        cursor.close()
    assert warehouse_con.execute("SELECT p3dn_teks(' a ')").fetchall() == [("a",)]
