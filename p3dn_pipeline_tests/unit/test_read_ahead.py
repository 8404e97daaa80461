"""A dataset's workbooks are read one ahead of their load (ledger.load_pending): the next
workbook is recognised and read into its Arrow table in another thread while DuckDB loads the
current one. The rows are those of a load that reads each workbook itself; a workbook read
ahead is taken only if its file is still the one read, else the load reads it again."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import threading

import xlsxwriter

from p3dn_pipeline.lib import landing, ledger, readers
from p3dn_pipeline.lib.sources import registry

NOW = dt.datetime(2025, 10, 1, 6, 0)
HEADER = ["NIK", "Nama", "NIB", "Sektor", "Kota", "Kecamatan", "Kelurahan",
          "Tanggal Pembinaan", "Produksi (kg)", "Omzet (Rp)", "Triwulan"]
QUARTERS = ["TW I 2025", "TW II 2025", "TW III 2025"]


def write_roster(path, quarter: str, businesses: int) -> None:
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet(quarter)
    sheet.write_row(0, 0, HEADER)
    for number in range(1, businesses + 1):
        sheet.write_row(number, 0, [
            f"317301450190{number:04d}", "Pelaku", f"{number:013d}", "Perikanan",
            "Jakarta Barat", "Cengkareng", "Cengkareng Barat", "13/01/2025", 10 * number,
            f"Rp {number}.000.000", quarter])
    workbook.close()


def landing_folder(tmp_path):
    folder = tmp_path / "landing"
    folder.mkdir()
    for number, quarter in enumerate(QUARTERS, start=1):
        write_roster(folder / f"roster_{number}.xlsx", quarter, businesses=number + 2)
    return folder


def kpkp_roster():
    return next(d for d in registry().datasets if d.name == "kpkp_roster")


def raw_rows(con) -> list[tuple]:
    return con.execute("SELECT _source_file, _source_sheet, _source_row, nib, omzet_rp, "
                       "nik_hash FROM raw.kpkp_roster ORDER BY ALL").fetchall()


class HeaderReads:
    """Which thread read which workbook's header."""

    def __init__(self, monkeypatch):
        self.by_thread: list[tuple[str, str]] = []
        original = landing.read_header

        def counting(path):
            self.by_thread.append((threading.current_thread().name, os.path.basename(path)))
            return original(path)
        monkeypatch.setattr(landing, "read_header", counting)
        monkeypatch.setattr(readers, "read_header", counting)

    def in_thread(self, prefix: str) -> list[str]:
        return [name for thread, name in self.by_thread if thread.startswith(prefix)]


def test_workbooks_read_ahead_load_the_rows_a_load_reading_each_itself_loads(
        tmp_path, warehouse_con, monkeypatch):
    folder = landing_folder(tmp_path)
    ledger.take_inventory(warehouse_con, folder, NOW)
    reads = HeaderReads(monkeypatch)
    summary = ledger.load_pending(warehouse_con, kpkp_roster(), folder, NOW)
    assert [loaded["rows"] for loaded in summary.loaded] == [3, 4, 5]
    # Every workbook was read ahead, none again by the load.
    assert reads.in_thread("p3dn-read-ahead") == ["roster_1.xlsx", "roster_2.xlsx",
                                                  "roster_3.xlsx"]
    assert reads.in_thread("MainThread") == []
    read_ahead = raw_rows(warehouse_con)

    # The same folder loaded with no reading ahead at all.
    monkeypatch.setattr(ledger, "_read_ahead", lambda reader, paths, number: None)
    warehouse_con.execute("DELETE FROM raw.kpkp_roster")
    warehouse_con.execute("UPDATE raw.file_ledger SET status = 'pending'")
    ledger.load_pending(warehouse_con, kpkp_roster(), folder, NOW)
    assert reads.in_thread("MainThread") == ["roster_1.xlsx", "roster_2.xlsx",
                                             "roster_3.xlsx"]
    assert read_ahead == raw_rows(warehouse_con)
    assert len(read_ahead) == 12


def test_a_workbook_replaced_after_it_was_read_ahead_is_read_again_by_its_load(
        tmp_path, warehouse_con, monkeypatch):
    folder = landing_folder(tmp_path)
    ledger.take_inventory(warehouse_con, folder, NOW)
    reads = HeaderReads(monkeypatch)
    original = readers.read_workbook

    def read_then_replace(path):
        read = original(path)
        if path.name == "roster_2.xlsx":
            # The same bytes in a new file (a copy put in its place): the inventory's check
            # still passes, but the file read ahead is not the one there now.
            shutil.copy(path, path.with_suffix(".tmp"))
            os.replace(path.with_suffix(".tmp"), path)
        return read
    monkeypatch.setattr(readers, "read_workbook", read_then_replace)
    summary = ledger.load_pending(warehouse_con, kpkp_roster(), folder, NOW)
    assert [loaded["rows"] for loaded in summary.loaded] == [3, 4, 5]
    assert reads.in_thread("MainThread") == ["roster_2.xlsx"]


def test_a_workbook_whose_read_ahead_failed_is_read_again_and_its_own_error_recorded(
        tmp_path, warehouse_con, monkeypatch):
    folder = landing_folder(tmp_path)
    ledger.take_inventory(warehouse_con, folder, NOW)
    reads = HeaderReads(monkeypatch)

    def failing(path):
        raise MemoryError("the read ahead ran out of memory")
    monkeypatch.setattr(readers, "read_workbook", failing)
    summary = ledger.load_pending(warehouse_con, kpkp_roster(), folder, NOW)
    # The load read each workbook itself and loaded it: a failed read ahead is no verdict.
    assert [loaded["rows"] for loaded in summary.loaded] == [3, 4, 5]
    assert summary.rejected == []
    assert reads.in_thread("MainThread") == ["roster_1.xlsx", "roster_2.xlsx",
                                             "roster_3.xlsx"]


def test_the_inventory_reads_new_workbook_headers_in_its_pool_and_no_header_of_a_known_file(
        warehouse_con, tmp_path, monkeypatch):
    """New workbooks' headers are read in the inventory's thread pool (calamine leaves the GIL
    while it parses a whole sheet); a scheduled rehash of unchanged files reads none, and a
    file only touched (new times, same bytes) costs one header read, not a new version."""
    folder = landing_folder(tmp_path)
    headers = []
    read_header = landing.read_header
    monkeypatch.setattr(landing, "read_header", lambda path: headers.append(
        (path.name, threading.current_thread().name)) or read_header(path))

    first = ledger.take_inventory(warehouse_con, folder, NOW)
    assert first.new_versions == 3
    assert sorted(name for name, _ in headers) == ["roster_1.xlsx", "roster_2.xlsx", "roster_3.xlsx"]
    assert all(thread != "MainThread" for _, thread in headers)
    assert warehouse_con.execute(
        "SELECT path, dataset, status FROM raw.file_ledger ORDER BY path").fetchall() == [
        (f"roster_{n}.xlsx", "kpkp_roster", "pending") for n in (1, 2, 3)]

    headers.clear()
    assert ledger.take_inventory(warehouse_con, folder, NOW, rehash_all=True).new_versions == 0
    assert headers == []
    os.utime(folder / "roster_2.xlsx", ns=(1, 1))
    assert ledger.take_inventory(warehouse_con, folder, NOW).new_versions == 0
    assert [name for name, _ in headers] == ["roster_2.xlsx"]
