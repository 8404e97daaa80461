"""Hidden sheets (issue 17, class 6): skipped by default with the reason in the ledger, read
like visible ones when P3DN_READ_HIDDEN_SHEETS=1, and the ledger always says which sheets
were read."""

from __future__ import annotations

import datetime as dt

import pytest
import xlsxwriter

from p3dn_pipeline.lib import ledger
from p3dn_pipeline.lib.sources import registry

NOW = dt.datetime(2025, 10, 1, 6, 0)
HEADER = ["NIK", "Nama", "NIB", "Sektor", "Kota", "Kecamatan", "Kelurahan",
          "Tanggal Pembinaan", "Produksi (kg)", "Omzet (Rp)", "Triwulan"]
PATH = "binaan_kpkp_2025.xlsx"


def business(nik_tail: int, nib: str, triwulan: str) -> list:
    return [f"317301450190{nik_tail:04d}", "Pelaku", nib, "Perikanan", "Jakarta Barat",
            "Cengkareng", "Cengkareng Barat", "13/01/2025", 10, "Rp 1.000.000", triwulan]


def write_workbook(path) -> None:
    workbook = xlsxwriter.Workbook(str(path))
    current = workbook.add_worksheet("TW II 2025")
    current.write_row(0, 0, HEADER)
    current.write_row(1, 0, business(1, "1111111111111", "TW II 2025"))
    current.write_row(2, 0, business(2, "2222222222222", "TW II 2025"))
    old = workbook.add_worksheet("TW II 2025 (lama)")
    old.write_row(0, 0, HEADER)
    old.write_row(1, 0, business(3, "3333333333333", "TW II 2025"))
    old.hide()
    archive = workbook.add_worksheet("Arsip")
    archive.write_row(0, 0, HEADER)
    archive.write_row(1, 0, business(4, "4444444444444", "TW I 2025"))
    archive.very_hidden()
    current.activate()
    workbook.close()


def load(con, folder) -> None:
    ledger.take_inventory(con, folder, NOW)
    for dataset in registry().datasets:
        ledger.load_pending(con, dataset, folder, NOW)


def ledger_row(con):
    return con.execute("SELECT status, rows_loaded, sheets_read, sheets_skipped "
                       "FROM raw.file_ledger WHERE path = $p", {"p": PATH}).fetchall()


def raw_rows(con):
    return con.execute("SELECT _source_sheet, _source_row, nib FROM raw.kpkp_roster "
                       "ORDER BY nib").fetchall()


def test_hidden_sheets_are_skipped_by_default_and_the_ledger_says_why(
        warehouse_con, tmp_path, monkeypatch):
    monkeypatch.delenv("P3DN_READ_HIDDEN_SHEETS", raising=False)
    write_workbook(tmp_path / PATH)
    load(warehouse_con, tmp_path)
    assert ledger_row(warehouse_con) == [("loaded", 2, ["TW II 2025"], [
        "TW II 2025 (lama) (hidden sheet; P3DN_READ_HIDDEN_SHEETS=1 reads it)",
        "Arsip (very hidden sheet; P3DN_READ_HIDDEN_SHEETS=1 reads it)"])]
    assert raw_rows(warehouse_con) == [("TW II 2025", 2, "1111111111111"),
                                       ("TW II 2025", 3, "2222222222222")]


@pytest.mark.parametrize("setting", ["1", "true"])
def test_with_p3dn_read_hidden_sheets_every_sheet_is_read_and_recorded(
        warehouse_con, tmp_path, monkeypatch, setting):
    monkeypatch.setenv("P3DN_READ_HIDDEN_SHEETS", setting)
    write_workbook(tmp_path / PATH)
    load(warehouse_con, tmp_path)
    assert ledger_row(warehouse_con) == [
        ("loaded", 4, ["TW II 2025", "TW II 2025 (lama)", "Arsip"], None)]
    assert raw_rows(warehouse_con) == [("TW II 2025", 2, "1111111111111"),
                                       ("TW II 2025", 3, "2222222222222"),
                                       ("TW II 2025 (lama)", 2, "3333333333333"),
                                       ("Arsip", 2, "4444444444444")]


def test_a_setting_that_is_neither_yes_nor_no_is_refused(monkeypatch):
    from p3dn_pipeline.lib.landing import read_hidden_sheets

    monkeypatch.setenv("P3DN_READ_HIDDEN_SHEETS", "kadang")
    with pytest.raises(ValueError, match="P3DN_READ_HIDDEN_SHEETS='kadang': use 1 or 0"):
        read_hidden_sheets()
