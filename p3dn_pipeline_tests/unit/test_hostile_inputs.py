"""Files written to hurt: names and headers that are SQL, links out of the landing folder,
and resource bombs. Each is refused with a reason in the ledger, or read within the limits
of ``p3dn_pipeline.lib.limits``, and none takes the machine down: every bomb is loaded in a
child process whose peak memory is measured."""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import re
import string
import subprocess
import sys
import threading
import zipfile
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from p3dn_pipeline.lib.sources import registry

DATASETS = registry().datasets
from p3dn_pipeline.lib import landing, ledger
from p3dn_pipeline.lib.warehouse import run_sql_file
from p3dn_pipeline_tests.conftest import REPO, TEST_PII_KEY

NOW = dt.datetime(2025, 10, 1, 6, 0)
MB = 1 << 20
ROSTER_HEADER = ["NIK", "Nama", "Sektor", "Kota", "Kecamatan", "Kelurahan", "Tanggal Pembinaan",
                 "Produksi (kg)", "Omzet (Rp)"]
ROSTER_ROW = ["3173014501900001", "Siti Aminah", "Perikanan", "Jakarta Barat", "Cengkareng",
              "Cengkareng Barat", "13/01/2025", 10, "Rp 1.000.000"]
STRUKTUR_HEADER = ["tahun_anggaran", "kd_klpd", "kd_satker", "kd_satker_str", "belanja_operasi",
                   "belanja_modal", "belanja_pengadaan", "total_belanja"]
SQL_HEADER = 'x"; DROP TABLE marts.p3dn_per_skpd; --'


def order(kd_paket: str, total: int, **extra) -> dict:
    row = {"tahun_anggaran": 2025, "kd_klpd": "DKI", "kd_satker_str": "1.01.0.00.0.00.01.0000",
           "kd_paket": kd_paket, "kd_rup": "12345678", "product_ids": "u1",
           "kd_penyedia_v6": "01JHKT4BFAVEMPVFWSNK1BQ4F6", "total_harga": total,
           "tgl_order": "2025-05-01", "status_pkt": "COMPLETED"}
    row.update(extra)
    return row


def run_all(con, landing_dir: Path) -> None:
    ledger.take_inventory(con, landing_dir, NOW)
    for dataset in DATASETS:
        ledger.load_pending(con, dataset, landing_dir, NOW)


def ledger_by_path(con) -> dict[str, tuple]:
    return {path: (status, reason, rows) for path, status, reason, rows in con.execute(
        "SELECT path, status, reason, rows_loaded FROM raw.file_ledger").fetchall()}


def write_roster_workbook(path: Path, sheet_name: str, header=ROSTER_HEADER) -> None:
    """A one-row roster workbook whose sheet is called ``sheet_name``, a name Excel itself
    would refuse (too long, starting with an apostrophe): it is written into the XML."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("PLACEHOLDER")
    sheet.write_row(0, 0, header)
    sheet.write_row(1, 0, ROSTER_ROW)
    workbook.close()
    rewrite_zip_entry(path, "xl/workbook.xml", lambda xml: xml.replace(
        b'name="PLACEHOLDER"', b'name="' + html.escape(sheet_name).encode() + b'"'))


def rewrite_zip_entry(path: Path, name: str, change) -> None:
    with zipfile.ZipFile(path) as source:
        entries = [(info, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in entries:
            target.writestr(info, change(data) if info.filename == name else data)


# --- 1. names and headers are data, never SQL ------------------------------------------------


def test_sql_in_file_names_headers_and_sheet_names_is_only_data(warehouse_con, tmp_path):
    warehouse_con.execute("CREATE TABLE marts.p3dn_per_skpd (kd_skpd VARCHAR)")
    # A file a naive read_json('<path>') would read after its name closed the literal.
    (tmp_path / "x").write_text(json.dumps([order("X", 1)]))
    hostile_json = {
        "x'); DROP TABLE marts.p3dn_per_skpd; --.json": order("A", 100),
        "a'; DROP TABLE raw.file_ledger; --.json": order("B", 200),
        "b\\'\n); DROP TABLE raw.file_ledger; --.json": order("C", 300),
    }
    for name, row in hostile_json.items():
        (tmp_path / name).write_text(json.dumps([{**row, SQL_HEADER: "1"}]))
    csv_name = "c'); DROP TABLE marts.p3dn_per_skpd; --.csv"
    (tmp_path / csv_name).write_text(
        ",".join([*STRUKTUR_HEADER, f'"{SQL_HEADER.replace(chr(34), 2 * chr(34))}"'])
        + "\n2025,DKI,60442,1.01.0.00.0.00.01.0000,10,5,15,15,1\n")
    sheet_name = "'); DROP TABLE raw.file_ledger; --"
    write_roster_workbook(tmp_path / "roster.xlsx", sheet_name, [*ROSTER_HEADER, SQL_HEADER])

    run_all(warehouse_con, tmp_path)

    tables = {row[0] for row in warehouse_con.execute(
        "SELECT schema_name || '.' || table_name FROM duckdb_tables()").fetchall()}
    assert {"marts.p3dn_per_skpd", "raw.file_ledger"} <= tables
    recorded = ledger_by_path(warehouse_con)
    for name in [*hostile_json, csv_name, "roster.xlsx"]:
        assert recorded[name] == ("loaded", None, 1), name
    assert warehouse_con.execute(
        "SELECT _source_file, kd_paket FROM raw.ekatalog_paket_v6 ORDER BY kd_paket"
    ).fetchall() == [(name, row["kd_paket"]) for name, row in hostile_json.items()]
    assert warehouse_con.execute(
        "SELECT _source_sheet FROM raw.kpkp_roster").fetchall() == [(sheet_name,)]
    assert warehouse_con.execute(
        "SELECT sheet FROM raw.file_ledger WHERE path = 'roster.xlsx'").fetchall() == [
        (sheet_name,)]


def test_glob_characters_in_a_file_name_read_only_that_file(warehouse_con, tmp_path):
    # DuckDB's readers take glob patterns: "[final]" matches "f", "*" matches everything.
    files = {"laporan [final].json": 100, "laporan f.json": 200, "*.json": 300, "?.json": 400}
    for name, total in files.items():
        (tmp_path / name).write_text(json.dumps([order(name, total)]))
    run_all(warehouse_con, tmp_path)
    assert warehouse_con.execute(
        "SELECT _source_file, count(*), sum(CAST(total_harga AS INTEGER)) "
        "FROM raw.ekatalog_paket_v6 GROUP BY ALL ORDER BY ALL").fetchall() == sorted(
        (name, 1, total) for name, total in files.items())


# --- 2. the landing folder cannot be used to read outside itself -----------------------------


def test_symbolic_links_to_folders_are_reported_not_skipped(warehouse_con, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.json").write_text(json.dumps([order("S", 1)]))
    landing_dir = tmp_path / "landing"
    (landing_dir / "2025").mkdir(parents=True)
    (landing_dir / "2025" / "v6.json").write_text(json.dumps([order("A", 5)]))
    (landing_dir / "elsewhere").symlink_to(outside)
    (landing_dir / "again").symlink_to(landing_dir / "2025")
    run_all(warehouse_con, landing_dir)
    recorded = ledger_by_path(warehouse_con)
    assert recorded["elsewhere"] == (
        "rejected", f"elsewhere is a symbolic link to the folder {outside.resolve()}, outside "
        "the landing folder; linked folders are not read: move or copy their files into the "
        "landing folder instead", None)
    assert recorded["again"][:2] == (
        "rejected", f"again is a symbolic link to the folder {(landing_dir / '2025').resolve()}"
        "; linked folders are not read: move or copy their files into the landing folder "
        "instead")
    assert warehouse_con.execute(
        "SELECT _source_file, kd_paket FROM raw.ekatalog_paket_v6").fetchall() == [
        ("2025/v6.json", "A")]


def test_a_path_that_resolves_outside_the_landing_folder_is_refused(tmp_path):
    landing_dir = tmp_path / "landing"
    (landing_dir / "sub").mkdir(parents=True)
    secret = tmp_path / "secret.json"
    secret.write_text("[]")
    escaping = landing.LandedFile(landing_dir / "sub" / ".." / ".." / "secret.json",
                                  "sub/../../secret.json", 2, 0)
    with pytest.raises(landing.LandingError, match=re.escape(
            f"resolves to {secret.resolve()}, outside the landing folder")):
        landing.check_inside(landing_dir, escaping)


def test_broken_and_looping_links_are_refused_and_the_rest_still_loads(warehouse_con,
                                                                         tmp_path):
    (tmp_path / "v6.json").write_text(json.dumps([order("A", 5)]))
    (tmp_path / "broken.json").symlink_to(tmp_path / "gone.json")
    (tmp_path / "loop.json").symlink_to(tmp_path / "loop.json")
    run_all(warehouse_con, tmp_path)
    recorded = ledger_by_path(warehouse_con)
    assert recorded["broken.json"][1].startswith(
        f"broken.json is a symbolic link to {tmp_path.resolve() / 'gone.json'}, which does "
        "not exist")
    assert recorded["loop.json"][1].startswith(
        "loop.json is a symbolic link that cannot be followed")
    assert recorded["v6.json"] == ("loaded", None, 1)


def test_hashing_never_blocks_on_a_pipe_or_endless_device(tmp_path):
    # The landing sensor hashes whatever discover() lists, without check_inside.
    pipe = tmp_path / "export.csv"
    os.mkfifo(pipe)
    endless = tmp_path / "zero.json"
    endless.symlink_to("/dev/zero")
    outcomes = {}

    def hash_each():
        for path in (pipe, endless):
            try:
                outcomes[path.name] = landing.sha256_of(path)
            except OSError as err:
                outcomes[path.name] = err.strerror

    worker = threading.Thread(target=hash_each, daemon=True)
    worker.start()
    worker.join(timeout=5)
    assert outcomes == {"export.csv": "not a regular file", "zero.json": "not a regular file"}


# --- 3. resource bombs: refused or bounded, measured in a child process ----------------------

# Loads a landing folder the way the raw assets do and reports the ledger and peak memory.
LOAD_IN_CHILD = """
import datetime as dt, json, re, resource, sys
from pathlib import Path
from p3dn_pipeline.lib.sources import registry

DATASETS = registry().datasets
from p3dn_pipeline.lib import ledger
from p3dn_pipeline.lib.warehouse import open_warehouse

landing_dir, warehouse = Path(sys.argv[1]), Path(sys.argv[2])
now = dt.datetime(2025, 10, 1, 6, 0)
with open_warehouse(warehouse, sys.argv[3].encode()) as con:
    ledger.take_inventory(con, landing_dir, now)
    for dataset in DATASETS:
        ledger.load_pending(con, dataset, landing_dir, now)
    rows = con.execute("SELECT path, status, reason, rows_loaded FROM raw.file_ledger "
                       "ORDER BY path").fetchall()
# Linux keeps in ru_maxrss the parent's memory at fork: VmHWM is this program's own peak.
status = Path("/proc/self/status")
if status.exists():
    peak_mb = int(re.search(r"VmHWM:\\s+(\\d+) kB", status.read_text()).group(1)) / 1024
else:  # macOS: bytes
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1 << 20)
print(json.dumps({"ledger": rows, "peak_rss_mb": peak_mb}))
"""
PEAK_RSS_LIMIT_MB = 1024


def load_in_child(landing_dir: Path, warehouse: Path, name: str) -> dict[str, tuple]:
    """path -> (status, reason, rows), after loading in a child process bounded in time."""
    done = subprocess.run(
        [sys.executable, "-c", LOAD_IN_CHILD, str(landing_dir), str(warehouse), TEST_PII_KEY],
        cwd=REPO, capture_output=True, text=True, timeout=60, check=True)
    report = json.loads(done.stdout)
    print(f"peak RSS loading {name}: {report['peak_rss_mb']:.0f} MB")
    assert report["peak_rss_mb"] < PEAK_RSS_LIMIT_MB, name
    return {path: (status, reason, rows) for path, status, reason, rows in report["ledger"]}


def roster_workbook_unpacking_to(path: Path, megabytes: int) -> None:
    """A real roster workbook whose sheet XML is padded with ``megabytes`` of one-cell rows:
    a few MB on disk, and calamine would hold the whole sheet in memory (several GB)."""
    write_roster_workbook(path, "TW I 2025")
    with zipfile.ZipFile(path) as source:
        entries = [(info.filename, source.read(info)) for info in source.infolist()]
    block = b'<row><c t="inlineStr"><is><t>1</t></is></c></row>' * 20_000
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target:
        for name, data in entries:
            if name != "xl/worksheets/sheet1.xml":
                target.writestr(name, data)
                continue
            head, tail = data.split(b"</sheetData>")
            with target.open(name, "w", force_zip64=True) as sheet:
                sheet.write(head)
                for _ in range(megabytes * MB // len(block) + 1):
                    sheet.write(block)
                sheet.write(b"</sheetData>" + tail)


@pytest.fixture
def bomb_site(tmp_path, monkeypatch):
    """An empty landing folder and a warehouse path, with the limits at their defaults."""
    for variable in ("P3DN_MAX_FILE_MB", "P3DN_MAX_XLSX_UNCOMPRESSED_MB",
                     "P3DN_MAX_CSV_LINE_MB", "P3DN_MAX_JSON_RECORD_MB"):
        monkeypatch.delenv(variable, raising=False)
    landing_dir = tmp_path / "landing"
    landing_dir.mkdir()
    return landing_dir, tmp_path / "warehouse" / "bomb.duckdb"


def test_workbook_that_unpacks_beyond_the_limit_is_refused_before_it_is_opened(bomb_site):
    landing_dir, warehouse = bomb_site
    roster_workbook_unpacking_to(landing_dir / "binaan.xlsx", 600)
    assert (landing_dir / "binaan.xlsx").stat().st_size < 10 * MB
    status, reason, _ = load_in_child(landing_dir, warehouse, "xlsx 600 MB sheet")["binaan.xlsx"]
    assert status == "rejected"
    assert re.fullmatch(
        r"binaan\.xlsx unpacks to 60\d(\.\d)? MB, more than the 500 MB limit "
        r"\(P3DN_MAX_XLSX_UNCOMPRESSED_MB\); .*", reason)


def test_workbook_of_too_many_parts_is_refused(bomb_site):
    landing_dir, warehouse = bomb_site
    path = landing_dir / "binaan.xlsx"
    write_roster_workbook(path, "TW I 2025")
    with zipfile.ZipFile(path, "a") as archive:
        for number in range(12_000):
            archive.writestr(f"xl/media/{number}.bin", b"")
    status, reason, _ = load_in_child(landing_dir, warehouse, "xlsx 12 000 parts")["binaan.xlsx"]
    assert (status, reason) == ("rejected", (
        "binaan.xlsx holds more than 10000 parts; a workbook holds a few dozen, so it is not "
        "an Excel export"))


def test_json_nested_absurdly_deep_in_its_first_record_is_refused(bomb_site):
    landing_dir, warehouse = bomb_site
    depth = 100_000
    (landing_dir / "v6.json").write_text(
        json.dumps([order("A", 1)])[:-2] + ', "extra": ' + "[" * depth + "]" * depth + "}]")
    assert load_in_child(landing_dir, warehouse, "json nested 100 000 deep")["v6.json"] == (
        "rejected", "v6.json nests values thousands of levels deep in its first record; no "
        "export does: it is not an LKPP export, or it is damaged", None)


def test_json_record_nested_deep_further_on_is_read_as_text(bomb_site):
    landing_dir, warehouse = bomb_site
    depth = 1_000_000
    deep = json.dumps(order("B", 2, product_ids="DEEP")).replace(
        '"DEEP"', "[" * depth + "]" * depth)
    (landing_dir / "v6.json").write_text(f"[{json.dumps(order('A', 1))},\n{deep}]")
    assert load_in_child(landing_dir, warehouse, "json record nested 1 000 000 deep")[
        "v6.json"] == ("loaded", None, 2)


def test_json_with_a_gigantic_string_is_refused(bomb_site):
    landing_dir, warehouse = bomb_site
    gigantic = "x" * (64 * MB)
    (landing_dir / "later.json").write_text(json.dumps([order("A", 1), order(gigantic, 2)]))
    (landing_dir / "first.json").write_text(json.dumps([order(gigantic, 1), order("B", 2)]))
    recorded = load_in_child(landing_dir, warehouse, "json 64 MB string")
    assert recorded["later.json"] == (
        "rejected", "later.json has a JSON record larger than 16 MB (P3DN_MAX_JSON_RECORD_MB); "
        "no export record is that large: check the file, or raise the limit if it is genuine",
        None)
    status, reason, _ = recorded["first.json"]
    assert status == "rejected"
    assert reason.startswith(
        "first.json has no complete first record in its first 1 MB: either that record is "
        "larger than any export's, or the JSON is broken near character")


def test_json_record_limit_is_configurable(bomb_site, monkeypatch):
    landing_dir, warehouse = bomb_site
    monkeypatch.setenv("P3DN_MAX_JSON_RECORD_MB", "64")
    # DuckDB's default (16 MB, with room for twice that) refuses a 40 MB record.
    (landing_dir / "v6.json").write_text(json.dumps([order("A", 1), order("x" * 40 * MB, 2)]))
    assert load_in_child(landing_dir, warehouse, "json 40 MB record, limit 64 MB")[
        "v6.json"] == ("loaded", None, 2)


def test_csv_whose_first_line_is_enormous_is_refused(bomb_site):
    landing_dir, warehouse = bomb_site
    (landing_dir / "struktur.csv").write_text(
        ",".join(STRUKTUR_HEADER) + "," + "x" * (50 * MB) + "\n2025,DKI\n")
    assert load_in_child(landing_dir, warehouse, "csv 50 MB header")["struktur.csv"] == (
        "rejected", "struktur.csv has a first line longer than 1 MB; the first line must be "
        "the header (the column names), which is never that long: check that the file is a "
        "CSV export", None)


def test_csv_header_of_too_many_columns_is_refused(bomb_site):
    landing_dir, warehouse = bomb_site
    (landing_dir / "struktur.csv").write_text(
        ",".join(STRUKTUR_HEADER + ["x"] * 300_000) + "\n2025\n")
    assert load_in_child(landing_dir, warehouse, "csv 300 000 columns")["struktur.csv"] == (
        "rejected", "struktur.csv has 300008 columns in its header; no export has more than "
        "2000: check that the file is an export and, for a CSV, that its first line is the "
        "header", None)


def test_csv_line_longer_than_the_limit_is_refused(bomb_site):
    landing_dir, warehouse = bomb_site
    row = "2025,DKI,60442,1.01.0.00.0.00.01.0000,10,5,15,15\n"
    (landing_dir / "struktur.csv").write_text(
        ",".join(STRUKTUR_HEADER) + "\n" + row + "2025,DKI,1," + "x" * (50 * MB) + ",1,2,3,3\n"
        + row)
    assert load_in_child(landing_dir, warehouse, "csv 50 MB line")["struktur.csv"] == (
        "rejected", "struktur.csv has a line longer than 8 MB (P3DN_MAX_CSV_LINE_MB); no export "
        "line is that long: check the delimiter and quotes, or raise the limit if the file is "
        "genuine", None)


def test_csv_line_limit_is_configurable(bomb_site, monkeypatch):
    landing_dir, warehouse = bomb_site
    monkeypatch.setenv("P3DN_MAX_CSV_LINE_MB", "0.5")  # DuckDB's own default is 2 MB
    (landing_dir / "struktur.csv").write_text(
        ",".join(STRUKTUR_HEADER) + "\n2025,DKI,1," + "x" * MB + ",1,2,3,3\n")
    status, reason, _ = load_in_child(landing_dir, warehouse, "csv 1 MB line")["struktur.csv"]
    assert (status, reason[:60]) == (
        "rejected", "struktur.csv has a line longer than 0.5 MB (P3DN_MAX_CSV_LINE_MB)"[:60])


def test_file_larger_than_the_limit_is_refused_without_being_read(bomb_site):
    landing_dir, warehouse = bomb_site
    huge = landing_dir / "v6.json"
    with huge.open("wb") as handle:  # sparse: 21 GB on paper, nothing on disk
        handle.truncate(21_000 * MB)
    assert load_in_child(landing_dir, warehouse, "21 GB file")["v6.json"] == (
        "rejected", "v6.json is 21000 MB, more than the 20000 MB limit (P3DN_MAX_FILE_MB); no "
        "export is that large: check the file, or raise the limit if it is genuine", None)


def test_named_pipe_in_the_landing_folder_is_refused_without_waiting(bomb_site):
    landing_dir, warehouse = bomb_site
    os.mkfifo(landing_dir / "export.csv")
    (landing_dir / "v6.json").write_text(json.dumps([order("A", 5)]))
    recorded = load_in_child(landing_dir, warehouse, "named pipe")
    assert recorded["export.csv"] == (
        "rejected", "export.csv is not a regular file (a folder, named pipe, socket or "
        "device); only files are read: remove it from the landing folder", None)
    assert recorded["v6.json"] == ("loaded", None, 1)


def test_limits_must_be_positive_numbers(monkeypatch):
    from p3dn_pipeline.lib.limits import load_limits

    monkeypatch.setenv("P3DN_MAX_FILE_MB", "lots")
    with pytest.raises(ValueError, match=r"P3DN_MAX_FILE_MB must be a positive number of "
                                         r"megabytes \(the largest size of a landed file to "
                                         r"read\), not 'lots'"):
        load_limits()


# --- 4. the SQL parsers on hostile text --------------------------------------------------------

PARSER_TYPES = {"teks": str, "angka": Decimal, "persen": Decimal, "tanggal": dt.date,
                "bulan": int, "tahun": int, "triwulan": int, "kode_rekening": str,
                "digits": str, "nib": str}
# Removing these leaves a letter only where angka has no business reading a number.
ACCEPTED_WORDS = re.compile(r"(?i:rp|ribu|rb|juta|jt|miliar|milyar|triliun)|M|T", re.ASCII)

hostile_text = st.one_of(
    st.text(),
    st.text(alphabet=st.sampled_from("\x00\x01\x7f\ufeff\u200b\u202e\uffff\U0001f4a9 "),
            max_size=20),
    st.builds(lambda piece, times: piece * times, st.text(min_size=1, max_size=4),
              st.integers(10_000, 100_000)),
    # Numbers, dates and codes far longer than any column holds.
    st.builds(lambda prefix, piece, times: prefix + piece * times,
              st.sampled_from(["", "Rp ", "-", "(", "13/01/"]),
              st.sampled_from(["9", "1.000", "0", "2025", "1.", " "]),
              st.integers(20, 100_000)),
    st.builds("{}\x00{}".format, st.text(string.digits + ".,", max_size=12),
              st.text(string.digits + ".,", max_size=12)),
    st.text("\u0661\u0662\uff11\uff12\u00b2\u2155\u0e51", min_size=1, max_size=10),
)


@pytest.fixture(scope="module")
def macros():
    connection = duckdb.connect()
    run_sql_file(connection, Path(landing.__file__).parent / "sql" / "indoformat_macros.sql")
    yield connection
    connection.close()


def parse_all(con, values: list[str]) -> list[tuple]:
    return con.execute(
        "SELECT " + ", ".join(f"p3dn_{parser}(v)" for parser in PARSER_TYPES)
        + " FROM unnest(?::VARCHAR[]) AS masukan(v)", [values]).fetchall()


@settings(max_examples=60, deadline=None)
@given(st.lists(hostile_text, min_size=1, max_size=6))
def test_sql_parsers_never_raise_on_hostile_text(macros, texts):
    for row in parse_all(macros, texts):
        for (parser, expected), value in zip(PARSER_TYPES.items(), row, strict=True):
            assert value is None or type(value) is expected, parser


@settings(max_examples=150, deadline=None)
@given(st.lists(st.builds("{},{},{}".format, *[st.text(string.digits + ".,-() %Rp")] * 3),
                min_size=1, max_size=20))
def test_sql_number_parsers_never_read_text_with_two_commas(macros, texts):
    numbers = macros.execute(
        "SELECT p3dn_angka(v), p3dn_persen(v), p3dn_digits(v), p3dn_nib(v), "
        "p3dn_kode_rekening(v) FROM unnest(?::VARCHAR[]) AS masukan(v)", [texts]).fetchall()
    assert numbers == [(None,) * 5] * len(texts)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=string.ascii_letters + string.digits + ".,-() %", min_size=1))
def test_sql_angka_never_reads_text_with_a_stray_letter(macros, text):
    assume(any(char.isalpha() for char in ACCEPTED_WORDS.sub("", text)))
    assert macros.execute("SELECT p3dn_angka(?), p3dn_persen(?)", [text, text]).fetchall() == [
        (None, None)]
