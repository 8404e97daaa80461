"""Text exports as Windows tools and broken downloads make them. A short or long CSV line is
that row's problem (loaded without values, quarantined by staging), never the whole file's; a
trailing Ctrl-Z is ignored; the encoding (UTF-8 with or without byte-order mark, UTF-16 LE/BE
with one, Windows-1252) is recognised, named in every message, and the text loads correctly;
what does break a file is said with its line and cause, never as DuckDB's "Error when
sniffing file"."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from p3dn_pipeline.lib.sources import registry

DATASETS = registry().datasets
from p3dn_pipeline.lib import ledger, textfile

NOW = dt.datetime(2025, 10, 1, 6, 0)
SAMPLE_APBD = Path(__file__).resolve().parents[2] / "data" / "landing" / "apbd" / \
    "realisasi_apbd_2025.csv"
HEADER = "Kode SKPD;Nama SKPD;Kode Rekening;Uraian;Anggaran;Realisasi;Bulan;Tahun"
GOOD = ("1.01.0.00.0.00.01.0000;DINAS PENDIDIKAN;5.1.02.01.01.0024;{uraian};1.000.000;"
        "250.000;Januari;2025")
# Characters where Windows-1252 and latin-1 differ (0x80-0x9f), and where they agree.
URAIAN = "Sewa Café “Rapat” – 120 m²"


def run(con, folder):
    inventory = ledger.take_inventory(con, folder, NOW)
    loads = {d.name: ledger.load_pending(con, d, folder, NOW) for d in DATASETS}
    return inventory, loads


def ledger_of(con):
    return con.execute("SELECT path, status, dataset, rows_loaded, reason FROM raw.file_ledger "
                       "ORDER BY path").fetchall()


def apbd_rows(con):
    return con.execute("SELECT _source_file, _source_row, uraian, _read_problem "
                       "FROM raw.apbd_realisasi ORDER BY ALL").fetchall()


def csv_text(*lines: str) -> str:
    return "\r\n".join(lines) + "\r\n"


# --- a broken line is that row's problem ---------------------------------------------------


def test_one_short_line_no_longer_rejects_the_3771_rows_of_an_apbd_export(warehouse_con,
                                                                         tmp_path):
    lines = SAMPLE_APBD.read_text(encoding="utf-8").split("\n")
    fields = lines[99].split(";")  # line 100 of the file
    lines[99] = ";".join(fields[:-1])  # the Tahun field lost
    (tmp_path / "realisasi_apbd_2025.csv").write_text("\n".join(lines), encoding="utf-8")

    run(warehouse_con, tmp_path)

    assert ledger_of(warehouse_con) == [(
        "realisasi_apbd_2025.csv", "loaded", "apbd_realisasi", 3771,
        "1 line(s) could not be read into the header's 8 fields (line 100): loaded without "
        "values, quarantined")]
    assert warehouse_con.execute(
        "SELECT _source_row, kode_skpd, uraian, realisasi, _read_problem FROM raw.apbd_realisasi "
        "WHERE _read_problem IS NOT NULL ORDER BY 1").fetchall() == [
        (100, None, None, None, {"column_name": "(row)", "rule": "wrong_field_count",
                                 "offending_value": "line 100: 7 fields where the header has 8"}),
        # The sample's #REF! line: an Excel error value, read with its values.
        (797, "1.02.0.00.0.00.02.0003", "Belanja Modal Mebel", "#REF!",
         {"column_name": "Realisasi", "rule": "spreadsheet_error", "offending_value": "#REF!"})]
    # Every other row is as the file has it, on its own line number.
    assert warehouse_con.execute(
        "SELECT _source_row, uraian FROM raw.apbd_realisasi WHERE _source_row IN (99, 101, 3772) "
        "ORDER BY 1").fetchall() == [
        (99, lines[98].split(";")[3]), (101, lines[100].split(";")[3]),
        (3772, lines[3771].split(";")[3])]


def test_short_long_and_stray_quote_lines_are_quarantined_one_by_one(warehouse_con, tmp_path):
    good = GOOD.format(uraian="Belanja ATK")
    (tmp_path / "lra.csv").write_text(csv_text(
        HEADER, good,
        "1.01.0.00.0.00.01.0000;DINAS PENDIDIKAN;5.1.02.01.01.0024;1.000.000;Januari;2025",
        good + ";Siti Aminah",  # a name where no column is
        '1.01.0.00.0.00.01.0000;"DINAS" PENDIDIKAN;5.1.02.01.01.0024;ATK;1;2;Januari;2025',
        good), encoding="utf-8", newline="")

    run(warehouse_con, tmp_path)

    def problem(rule, text):
        return {"column_name": "(row)", "rule": rule, "offending_value": text}
    assert apbd_rows(warehouse_con) == [
        ("lra.csv", 2, "Belanja ATK", None),
        ("lra.csv", 3, None, problem("wrong_field_count",
                                     "line 3: 6 fields where the header has 8")),
        ("lra.csv", 4, None, problem("wrong_field_count",
                                     "line 4: 9 fields where the header has 8")),
        ("lra.csv", 5, None, problem("bad_quotes", "line 5: a quoted value is followed by more "
                                                   "text before the next ';' (a stray quote)")),
        ("lra.csv", 6, "Belanja ATK", None)]
    assert "Siti" not in str(warehouse_con.execute("SELECT * FROM raw.apbd_realisasi").fetchall())
    assert ledger_of(warehouse_con)[0][4] == (
        "3 line(s) could not be read into the header's 8 fields (line 3, 4, 5): loaded without "
        "values, quarantined")


def test_a_trailing_ctrl_z_is_ignored(warehouse_con, tmp_path):
    good = GOOD.format(uraian="Belanja ATK")
    (tmp_path / "lra.csv").write_bytes(csv_text(HEADER, good, good).encode() + b"\x1a")
    (tmp_path / "lra_no_newline.csv").write_bytes(f"{HEADER}\n{good}\n{good}\x1a".encode())

    run(warehouse_con, tmp_path)

    note = "the MS-DOS end-of-file mark (Ctrl-Z) after the last line was ignored"
    assert ledger_of(warehouse_con) == [
        ("lra.csv", "loaded", "apbd_realisasi", 2, note),
        ("lra_no_newline.csv", "loaded", "apbd_realisasi", 2, note)]
    assert [r[:3] for r in apbd_rows(warehouse_con)] == [
        ("lra.csv", 2, "Belanja ATK"), ("lra.csv", 3, "Belanja ATK"),
        ("lra_no_newline.csv", 2, "Belanja ATK"), ("lra_no_newline.csv", 3, "Belanja ATK")]
    assert warehouse_con.execute("SELECT max(realisasi) FROM raw.apbd_realisasi").fetchall() == [
        ("250.000",)]
    assert "\x1a" not in str(warehouse_con.execute("SELECT * FROM raw.apbd_realisasi").fetchall())


def test_lines_ending_in_a_lone_cr_load_and_a_bad_header_line_is_the_files_problem(
        warehouse_con, tmp_path):
    # Old Mac programs end lines in CR alone: the header reader took the whole file for its
    # first line and csv raised "new-line character seen in unquoted field", out of the
    # inventory, so no file of the run loaded (found by test_hostile_file_properties).
    good = GOOD.format(uraian="Belanja ATK")
    (tmp_path / "lra_cr.csv").write_bytes(f"{HEADER}\r{good}\r{good}\r".encode())
    (tmp_path / "lra_bad_header.csv").write_bytes(b'Kode SKPD;"Nama\rSKPD;x\n1;2;3\n')

    run(warehouse_con, tmp_path)

    assert ledger_of(warehouse_con)[1] == ("lra_cr.csv", "loaded", "apbd_realisasi", 2, None)
    assert [r[:3] for r in apbd_rows(warehouse_con)] == [
        ("lra_cr.csv", 2, "Belanja ATK"), ("lra_cr.csv", 3, "Belanja ATK")]
    # A header with a quote left open before a CR is cut at the CR, and named for what it is.
    path, status, _, _, reason = ledger_of(warehouse_con)[0]
    assert (path, status) == ("lra_bad_header.csv", "rejected")
    assert reason.startswith("lra_bad_header.csv matches no known dataset"), reason


def test_a_quote_that_is_never_closed_rejects_the_file_naming_its_line(warehouse_con, tmp_path):
    good = GOOD.format(uraian="Belanja ATK")
    (tmp_path / "lra.csv").write_text(csv_text(
        HEADER, good, '1.01;"DINAS PENDIDIKAN;5.1.02.01.01.0024;ATK;1;2;Januari;2025', good))
    run(warehouse_con, tmp_path)
    assert ledger_of(warehouse_con) == [(
        "lra.csv", "rejected", "apbd_realisasi", None,
        "lra.csv has a quote opened on line 3 that is never closed: the rest of the file would "
        "be one value. The file was cut short, or a value holds a stray '\"'; download or "
        "export it again")]
    assert apbd_rows(warehouse_con) == []


# --- encodings ---------------------------------------------------------------------------------


@pytest.mark.parametrize("codec, bom, name", [
    ("utf-8", b"", None),
    ("utf-8", b"\xef\xbb\xbf", None),
    ("utf-16-le", b"\xff\xfe", "UTF-16 LE"),
    ("utf-16-be", b"\xfe\xff", "UTF-16 BE"),
    ("cp1252", b"", "Windows-1252"),
])
def test_every_encoding_an_export_comes_in_loads_the_same_text(warehouse_con, tmp_path, codec,
                                                               bom, name):
    text = csv_text(HEADER, GOOD.format(uraian=URAIAN), GOOD.format(uraian="Belanja ATK"))
    (tmp_path / "lra.csv").write_bytes(bom + text.encode(codec))

    run(warehouse_con, tmp_path)

    note = None if name is None else f"text in {name}, not UTF-8: converted to UTF-8 to be read"
    assert ledger_of(warehouse_con) == [("lra.csv", "loaded", "apbd_realisasi", 2, note)]
    assert apbd_rows(warehouse_con) == [("lra.csv", 2, URAIAN, None),
                                        ("lra.csv", 3, "Belanja ATK", None)]
    assert warehouse_con.execute("SELECT kode_skpd FROM raw.apbd_realisasi LIMIT 1").fetchall() \
        == [("1.01.0.00.0.00.01.0000",)]


def test_a_windows_1252_byte_far_into_a_file_is_read_as_windows_1252(warehouse_con, tmp_path):
    # The first megabyte, all the header probe sees, is plain ASCII.
    ascii_lines = [GOOD.format(uraian=f"Belanja {i}") for i in range(11000)]
    (tmp_path / "lra.csv").write_bytes(
        csv_text(HEADER, *ascii_lines, GOOD.format(uraian=URAIAN)).encode("cp1252"))
    assert (tmp_path / "lra.csv").stat().st_size > (1 << 20)

    run(warehouse_con, tmp_path)

    assert ledger_of(warehouse_con) == [(
        "lra.csv", "loaded", "apbd_realisasi", 11001,
        "text in Windows-1252, not UTF-8: converted to UTF-8 to be read")]
    assert warehouse_con.execute(
        "SELECT _source_row, uraian FROM raw.apbd_realisasi WHERE _source_row = 11002"
    ).fetchall() == [(11002, URAIAN)]


@pytest.mark.parametrize("content, reason", [
    (csv_text(HEADER, GOOD.format(uraian="Café")).encode()
     + csv_text(GOOD.format(uraian="Café")).encode("cp1252"),
     "lra.csv mixes two text encodings: UTF-8 (e.g. on line 2) and another one (byte 0xe9 on "
     "line 3 is not UTF-8); was it pasted together from several files? Save it again as "
     "'CSV UTF-8' (or UTF-8 JSON)"),
    (csv_text(HEADER, GOOD.format(uraian="ATK")).encode() + b"\x81\r\n",
     "lra.csv is neither UTF-8 nor Windows-1252 text (byte 0x81 on line 3 is neither); save it "
     "as 'CSV UTF-8' (or UTF-8 JSON)"),
])
def test_text_in_no_known_encoding_is_rejected_naming_the_line(warehouse_con, tmp_path, content,
                                                               reason):
    (tmp_path / "lra.csv").write_bytes(content)
    inventory, _ = run(warehouse_con, tmp_path)
    assert [r["reason"] for r in inventory.rejected] == [reason]


def test_a_utf16_file_of_no_known_dataset_is_named_by_its_fields_not_called_latin1(
        warehouse_con, tmp_path):
    (tmp_path / "catatan.csv").write_bytes(b"\xff\xfe" + "Nomor;Catatan\r\n1;x\r\n".encode(
        "utf-16-le"))
    inventory, _ = run(warehouse_con, tmp_path)
    assert [r["reason"] for r in inventory.rejected] == [
        "catatan.csv matches no known dataset: none of the required fields of any dataset is "
        "among its 2 column names. Is the first row the header? Export again with the header "
        "row LKPP, SIPD or the roster template gives."]


def test_json_in_utf16_and_json_with_a_windows_1252_byte_load(warehouse_con, tmp_path):
    rows = [{"tahun_anggaran": 2025, "kd_klpd": "DKI", "kd_satker": "60442",
             "kd_satker_str": "1.01", "nama_satker": "DINAS “PENDIDIKAN”",
             "belanja_operasi": 10, "belanja_modal": 5, "belanja_pengadaan": 15,
             "total_belanja": 15}]
    (tmp_path / "utf16.json").write_bytes(b"\xff\xfe" + json.dumps(rows, ensure_ascii=False)
                                          .encode("utf-16-le"))
    padding = [{**rows[0], "kd_satker": str(i), "nama_satker": "DINAS"} for i in range(6000)]
    (tmp_path / "late_cp1252.json").write_bytes(
        json.dumps(padding + rows, ensure_ascii=False).encode("cp1252"))

    run(warehouse_con, tmp_path)

    assert ledger_of(warehouse_con) == [
        ("late_cp1252.json", "loaded", "sirup_struktur_anggaran", 6001,
         "text in Windows-1252, not UTF-8: converted to UTF-8 to be read"),
        ("utf16.json", "loaded", "sirup_struktur_anggaran", 1,
         "text in UTF-16 LE, not UTF-8: converted to UTF-8 to be read")]
    assert warehouse_con.execute(
        "SELECT _source_file, nama_satker FROM raw.sirup_struktur_anggaran "
        "WHERE nama_satker <> 'DINAS' ORDER BY 1").fetchall() == [
        ("late_cp1252.json", "DINAS “PENDIDIKAN”"), ("utf16.json", "DINAS “PENDIDIKAN”")]


def test_encoding_detection_names():
    assert textfile.detect_encoding(b"\xff\xfe\x00\x00", complete=True) == "utf-32-le"
    assert textfile.detect_encoding(b"\xff\xfek\x00", complete=True) == "utf-16-le"
    assert textfile.detect_encoding("Café".encode()[:-1], complete=False) == "utf-8"
    assert textfile.detect_encoding("Café".encode("cp1252"), complete=True) == "cp1252"
    assert [textfile.encoding_name(c) for c in ("utf-8-sig", "utf-16-be", "cp1252")] == [
        "UTF-8 with byte-order mark", "UTF-16 BE", "Windows-1252"]


def test_broken_json_is_rejected_naming_its_line_column_and_cause(warehouse_con, tmp_path):
    rows = [{"tahun_anggaran": 2025, "kd_klpd": "DKI", "kd_satker": str(i),
             "kd_satker_str": "1.01", "belanja_operasi": 10, "belanja_modal": 5,
             "belanja_pengadaan": 15, "total_belanja": 15} for i in range(3)]
    text = json.dumps(rows, indent=1)  # one field per line: line 22 is record 2's kd_satker
    (tmp_path / "cut_short.json").write_text(text[:-40])
    (tmp_path / "typo.json").write_text(text.replace('"kd_satker": "1"', '"kd_satker": 1x'))
    (tmp_path / "one_per_line.json").write_text(
        "\n".join(json.dumps(r) for r in rows).replace('"kd_satker": "1"', '"kd_satker": 1"'))

    _, loads = run(warehouse_con, tmp_path)

    assert sorted(r["reason"] for r in loads["sirup_struktur_anggaran"].rejected) == [
        "cut_short.json is not valid JSON on line 29, column 3: Unterminated string starting "
        "there; the file ends in the middle of a record: it was cut short, download it again",
        "one_per_line.json is not valid JSON on line 2, column 58: Expecting ',' delimiter",
        "typo.json is not valid JSON on line 15, column 17: Expecting ',' delimiter"]


def test_the_careful_reading_of_the_3771_row_sample_stays_fast(tmp_path):
    """Measured: DuckDB's strict reader is the fast path; reading line by line is for files it
    refuses. On the shipped 580 kB APBD sample it must stay well under a second."""
    import time

    copy = tmp_path / "lra.csv"
    shutil.copy(SAMPLE_APBD, copy)
    started = time.perf_counter()
    repair = textfile.repair_csv(copy, tmp_path / "out.csv", codec="utf-8", delimiter=";",
                                 width=8, max_value_chars=8 << 20)
    elapsed = time.perf_counter() - started
    assert (repair.rows, repair.broken_lines, repair.ctrl_z_dropped) == (3771, [], False)
    assert elapsed < 1.0


def test_excel_error_values_in_a_csv_are_each_rows_problem_and_a_plain_hash_is_not(
        warehouse_con, tmp_path):
    """A CSV saved from a workbook carries its cells' error values: the first one in a row
    (padded or not) is that row's read problem, by the file's column name; a '#' that is part
    of a text ("Belanja Kertas #3") is data."""
    rows = ["1.01.0.00.0.00.01.0000;DINAS PENDIDIKAN;5.1.02.01.01.0024;Belanja ATK;1.000.000;"
            "#REF!;Januari;2025",
            "1.01.0.00.0.00.01.0000;DINAS PENDIDIKAN;5.1.02.01.01.0025;Belanja Kertas #3;"
            " #N/A ;#DIV/0!;Januari;2025",
            GOOD.format(uraian="Belanja #Tinta"),
            GOOD.format(uraian="#VALUE!")]
    (tmp_path / "realisasi_apbd_2025.csv").write_text(csv_text(HEADER, *rows), encoding="utf-8")
    run(warehouse_con, tmp_path)
    assert apbd_rows(warehouse_con) == [
        ("realisasi_apbd_2025.csv", 2, "Belanja ATK",
         {"column_name": "Realisasi", "rule": "spreadsheet_error", "offending_value": "#REF!"}),
        ("realisasi_apbd_2025.csv", 3, "Belanja Kertas #3",
         {"column_name": "Anggaran", "rule": "spreadsheet_error", "offending_value": "#N/A"}),
        ("realisasi_apbd_2025.csv", 4, "Belanja #Tinta", None),
        ("realisasi_apbd_2025.csv", 5, "#VALUE!",
         {"column_name": "Uraian", "rule": "spreadsheet_error", "offending_value": "#VALUE!"}),
    ]


def test_every_excel_error_value_starts_with_a_hash():
    """The CSV load looks for an error value only in rows with a '#' in some field
    (readers._spreadsheet_error_sql): a value added to the list without one would never be
    found."""
    from p3dn_pipeline.lib import spreadsheet

    assert spreadsheet.ERROR_VALUES
    assert [v for v in spreadsheet.ERROR_VALUES if not v.startswith("#")] == []
