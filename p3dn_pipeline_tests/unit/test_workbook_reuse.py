"""A workbook's sheets are parsed once from inventory to load (calamine parses a whole sheet
even for the header), and never taken from an earlier read of a file that has changed since."""

from __future__ import annotations

import datetime as dt
import os

import python_calamine
import xlsxwriter

from p3dn_pipeline.lib import landing, ledger, readers
from p3dn_pipeline.lib.sources import registry

NOW = dt.datetime(2025, 10, 1, 6, 0)
HEADER = ["NIK", "Nama", "NIB", "Sektor", "Kota", "Kecamatan", "Kelurahan",
          "Tanggal Pembinaan", "Produksi (kg)", "Omzet (Rp)", "Triwulan"]


def business(nik_tail: int, nib: str) -> list:
    return [f"317301450190{nik_tail:04d}", "Pelaku", nib, "Perikanan", "Jakarta Barat",
            "Cengkareng", "Cengkareng Barat", "13/01/2025", 10, "Rp 1.000.000", "TW II 2025"]


def write_workbook(path, nibs: list[str], sheets: int = 1) -> None:
    workbook = xlsxwriter.Workbook(str(path))
    for s in range(sheets):
        sheet = workbook.add_worksheet(f"TW II 2025 bagian {s + 1}")
        sheet.write_row(0, 0, HEADER)
        for n, nib in enumerate(nibs, start=1):
            sheet.write_row(n, 0, business(100 * s + n, nib))
    workbook.close()


REAL_WORKBOOK = python_calamine.CalamineWorkbook


class CountingWorkbook:
    """python_calamine's workbook, counting the sheets it parses."""
    parsed: list[str] = []

    def __init__(self, inner) -> None:
        self._inner = inner

    @classmethod
    def from_path(cls, path):
        return cls(REAL_WORKBOOK.from_path(path))

    def get_sheet_by_name(self, name):
        CountingWorkbook.parsed.append(name)
        return self._inner.get_sheet_by_name(name)

    def __getattr__(self, name):
        return getattr(self._inner, name)


def test_each_sheet_is_parsed_once_by_an_inventory_and_its_load(warehouse_con, tmp_path,
                                                                 monkeypatch):
    """The inventory parses each sheet for the header and writes the rows meanwhile; the load
    maps them and parses nothing, and nothing prepared is left behind."""
    write_workbook(tmp_path / "binaan_kpkp_2025.xlsx", ["1111111111111", "2222222222222"], sheets=2)
    monkeypatch.setattr(python_calamine, "CalamineWorkbook", CountingWorkbook)
    CountingWorkbook.parsed = []
    ledger.take_inventory(warehouse_con, tmp_path, NOW)
    inventory = list(CountingWorkbook.parsed)
    folder = ledger.prepared_rows_folder(warehouse_con)
    # Written in the background after the inventory: waited for here.
    [prepared] = readers._PREPARED.values()
    assert prepared.written.result() is True
    assert list(folder.glob(f"*{readers.PREPARED_SUFFIX}")) == [prepared.arrow_path]
    CountingWorkbook.parsed = []
    for dataset in registry().datasets:
        ledger.load_pending(warehouse_con, dataset, tmp_path, NOW)
    assert sorted(inventory) == ["TW II 2025 bagian 1", "TW II 2025 bagian 2"]
    assert CountingWorkbook.parsed == []
    assert warehouse_con.execute("SELECT count(*) FROM raw.kpkp_roster").fetchall() == [(4,)]
    assert not folder.exists()  # the empty folder is not left beside the warehouse


def test_the_prepared_rows_are_the_rows_a_load_reads_itself(tmp_path):
    """Row numbers, a blank spacer row, a formula showing #DIV/0! (a read problem) and cells
    of every type: the rows written by the inventory equal those read from the workbook."""
    path = tmp_path / "binaan_kpkp_2025.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("TW II 2025")
    sheet.write_row(0, 0, HEADER)
    sheet.write_row(1, 0, business(1, "1111111111111"))
    sheet.write_row(3, 0, business(2, "2222222222222"))  # row 3 left blank
    sheet.write_formula(3, 9, "=1/0", None, "#DIV/0!")
    workbook.close()
    header = readers.read_header_and_prepare(path, tmp_path / "prepared")
    recognition = landing.recognise(header)
    prepared = readers.take_prepared(path)
    assert prepared is not None and prepared.recognition == recognition
    read_itself = readers._xlsx_table(recognition, str(path))
    assert prepared.table.to_pylist() == read_itself.to_pylist()
    assert [r["sheet_row"] for r in read_itself.to_pylist()] == [2, 4]
    assert read_itself.to_pylist()[1]["read_problem"]["offending_value"] == "#DIV/0!"
    assert not (tmp_path / "prepared").exists()


def test_prepared_rows_of_a_file_changed_since_are_not_taken(tmp_path):
    path = tmp_path / "binaan_kpkp_2025.xlsx"
    write_workbook(path, ["1111111111111"])
    readers.read_header_and_prepare(path, tmp_path / "prepared")
    # Written while the file was unchanged; touched afterwards.
    assert readers._PREPARED[str(path.resolve())].written.result() is True
    stat = os.stat(path)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert readers.take_prepared(path) is None
    assert not (tmp_path / "prepared").exists()
    # read_workbook then parses the file as it is now.
    assert readers.read_workbook(path).table.num_rows == 1


def test_rows_of_a_workbook_whose_bytes_are_known_are_let_go(warehouse_con, tmp_path):
    """Copied over itself (new times, same bytes): its header is read and its rows prepared,
    then the inventory finds the content known, and lets them go."""
    path = tmp_path / "binaan_kpkp_2025.xlsx"
    write_workbook(path, ["1111111111111"])
    ledger.take_inventory(warehouse_con, tmp_path, NOW)
    for dataset in registry().datasets:
        ledger.load_pending(warehouse_con, dataset, tmp_path, NOW)
    copy = tmp_path / "copy.tmp"
    copy.write_bytes(path.read_bytes())
    os.replace(copy, path)
    ledger.take_inventory(warehouse_con, tmp_path, NOW)
    assert readers._PREPARED == {}
    readers._writer().submit(lambda: None).result()  # the writer is done with its files
    assert not ledger.prepared_rows_folder(warehouse_con).exists()


def test_a_workbook_replaced_under_the_same_name_is_read_anew(tmp_path):
    path = tmp_path / "binaan.xlsx"
    write_workbook(path, ["1111111111111"])
    first = landing.open_workbook(path)
    rows = landing.workbook_sheet(first, "TW II 2025 bagian 1").to_python()
    assert [r[2] for r in rows[1:]] == ["1111111111111"]
    # Same name, same modification time, same size: only the content differs.
    stat = os.stat(path)
    replacement = tmp_path / "replacement.xlsx"
    write_workbook(replacement, ["9999999999999"])
    os.replace(replacement, path)  # a new file (inode) under the old name
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    second = landing.open_workbook(path)
    assert second is not first
    rows = landing.workbook_sheet(second, "TW II 2025 bagian 1").to_python()
    assert [r[2] for r in rows[1:]] == ["9999999999999"]
    landing.forget_workbook()
    assert landing.open_workbook(path) is not second
