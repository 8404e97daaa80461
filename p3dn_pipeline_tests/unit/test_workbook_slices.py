"""A workbook is turned into its Arrow table a slice of rows at a time (readers._xlsx_table),
so a sheet of a million rows never sits in Python whole. The rows, their sheet row numbers,
the blank rows left out and the read problems are the same whatever the slice size, and
cells are found by the file's own columns when the sheet does not start in column A."""

from __future__ import annotations

import xlsxwriter

from p3dn_pipeline.lib import readers

HEADER = ["NIK", "Nama", "NIB", "Sektor", "Kota", "Kecamatan", "Kelurahan",
          "Tanggal Pembinaan", "Produksi (kg)", "Omzet (Rp)", "Triwulan"]


def write_roster_from_column_b(path) -> None:
    """Title in B1, header in B2, businesses 1 to 3 on rows 3 to 5, a blank row 6, businesses
    4 to 7 on rows 7 to 10; business 6's NIB cell shows #REF!. Column A is empty."""
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("TW I 2025")
    sheet.write(0, 1, "Daftar UMKM binaan KPKP")
    sheet.write_row(1, 1, HEADER)
    row = 2
    for number in range(1, 8):
        if number == 4:
            row += 1  # the blank spacer row 6
        nib = "#REF!" if number == 6 else f"{number:013d}"
        sheet.write_row(row, 1, [
            f"317301450190{number:04d}", "Pelaku", nib, "Perikanan", "Jakarta Barat",
            "Cengkareng", "Cengkareng Barat", "13/01/2025", 10 * number,
            f"Rp {number}.000.000", "TW I 2025"])
        row += 1
    workbook.close()


def test_slices_give_the_rows_the_whole_sheet_gives_with_their_own_row_numbers(
        tmp_path, monkeypatch):
    path = tmp_path / "roster.xlsx"
    write_roster_from_column_b(path)
    expected_rows = [3, 4, 5, 7, 8, 9, 10]
    expected_nib = [f"{n:013d}" for n in (1, 2, 3, 4, 5)] + ["#REF!", f"{7:013d}"]
    expected_problems = [None] * 5 + [{"column_name": "NIB", "rule": "spreadsheet_error",
                                       "offending_value": "#REF!"}, None]
    for slice_rows in (2, 3, 1_000):
        monkeypatch.setattr(readers, "WORKBOOK_SLICE_ROWS", slice_rows)
        table = readers.read_workbook(path).table
        assert table.column("sheet_row").to_pylist() == expected_rows, slice_rows
        assert table.column("f_nib").to_pylist() == expected_nib, slice_rows
        assert table.column("f_omzet_rp").to_pylist() == [
            f"Rp {n}.000.000" for n in range(1, 8)], slice_rows
        assert table.column("read_problem").to_pylist() == expected_problems, slice_rows
        assert set(table.column("sheet_name").to_pylist()) == {"TW I 2025"}


def test_the_generator_goes_on_in_a_next_sheet_past_a_sheets_rows_and_every_row_is_read(
        tmp_path, monkeypatch):
    """p3dn-synth wrote the scale-100 e-Order workbook's 1.5 million orders into one sheet,
    and xlsxwriter dropped the 451,425 past row 1,048,576 without a word. Here a sheet holds
    3 orders: 7 orders make three sheets, and the pipeline's reader finds all 7."""
    import datetime as dt
    import random

    from python_calamine import CalamineWorkbook

    from p3dn_pipeline.synth import eorder
    from p3dn_pipeline.synth.jakpreneur import UsahaJakpreneur

    monkeypatch.setattr(eorder, "BARIS_PER_SHEET", 3)
    usaha = UsahaJakpreneur("JP-2021-000001", "Usaha Satu", "1234567890123", None,
                            "3173014501900001", "Pemilik", "0812", "Perikanan", ("ikan",))
    isi = [{"no_order": f"EO/2025/01/{n:05d}", "tanggal": dt.date(2025, 1, n), "kd_rup": 100 + n,
            "kode_skpd": "1.01", "usaha": usaha, "nilai": 1_000_000 * n, "status": "Selesai"}
           for n in range(1, 8)]
    (tmp_path / "eorder").mkdir()
    relatif, rows = eorder._tulis_xlsx(random.Random(1), tmp_path, 2025, isi,
                                       {"1.01": "Dinas Satu"})
    assert rows == 7
    workbook = CalamineWorkbook.from_path(str(tmp_path / relatif))
    assert workbook.sheet_names == ["e-Order 2025", "e-Order 2025 (2)", "e-Order 2025 (3)"]
    assert [len(workbook.get_sheet_by_name(name).to_python()) - 1
            for name in workbook.sheet_names] == [3, 3, 1]
    table = readers.read_workbook(tmp_path / relatif).table
    assert sorted(table.column("f_no_order").to_pylist()) == [
        f"EO/2025/01/{n:05d}" for n in range(1, 8)]
    # The benchmark's pandas peer reads the same file and must count the same orders.
    import pandas as pd

    from p3dn_pipeline_tests.conftest import REPO, script_module

    with script_module(REPO / "benchmarks" / "pandas_peer.py", "peer_for_sheets") as peer:
        packages = pd.Series([], dtype="string", index=pd.MultiIndex.from_arrays([[], [], []]))
        orders = peer.eorder(tmp_path, packages, "D1")
    assert sorted(orders["nilai"]) == [1_000_000 * n for n in range(1, 8)]
