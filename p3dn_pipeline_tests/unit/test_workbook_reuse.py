"""A workbook's sheets are parsed once per load (calamine parses a whole sheet even for the
header), and never taken from an earlier read of a file that has changed since."""

from __future__ import annotations

import datetime as dt
import os

import python_calamine
import xlsxwriter

from p3dn_pipeline.lib import landing, ledger
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


def test_each_sheet_is_parsed_once_by_a_load(warehouse_con, tmp_path, monkeypatch):
    write_workbook(tmp_path / "binaan_kpkp_2025.xlsx", ["1111111111111", "2222222222222"], sheets=2)
    monkeypatch.setattr(python_calamine, "CalamineWorkbook", CountingWorkbook)
    CountingWorkbook.parsed = []
    ledger.take_inventory(warehouse_con, tmp_path, NOW)
    inventory = list(CountingWorkbook.parsed)
    CountingWorkbook.parsed = []
    for dataset in registry().datasets:
        ledger.load_pending(warehouse_con, dataset, tmp_path, NOW)
    assert sorted(inventory) == ["TW II 2025 bagian 1", "TW II 2025 bagian 2"]
    # The load reads the header again (the file may have changed since the inventory) and
    # then the rows, from the same parse.
    assert sorted(CountingWorkbook.parsed) == ["TW II 2025 bagian 1", "TW II 2025 bagian 2"]
    assert warehouse_con.execute("SELECT count(*) FROM raw.kpkp_roster").fetchall() == [(4,)]


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
