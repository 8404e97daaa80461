"""A bad new version never replaces a good one. An export that holds no rows (a CSV or
workbook with only its header, an empty JSON array) is rejected in every format, with the
dataset it would have been; a new version that loses more than P3DN_SUSPECT_SHRINK of the
rows of the version loaded before is held back, the old rows staying, until a person accepts
it (`p3dn accept`, or the run tag p3dn/accept)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from p3dn_pipeline.lib.sources import registry

DATASETS = registry().datasets
from p3dn_pipeline.lib import ledger

DAY1 = dt.datetime(2025, 10, 1, 6, 0)
DAY2 = dt.datetime(2025, 10, 2, 6, 0)
DAY3 = dt.datetime(2025, 10, 3, 6, 0)
ROSTER_HEADER = ["NIK", "Nama", "Sektor", "Kota", "Kecamatan", "Kelurahan",
                 "Tanggal Pembinaan", "Produksi (kg)", "Omzet (Rp)", "Triwulan"]
APBD_HEADER = "Kode SKPD;Nama SKPD;Kode Rekening;Uraian;Anggaran;Realisasi;Bulan;Tahun\n"


def roster_row(i: int) -> list:
    return [f"31730145019{i:05d}", f"Pelaku {i}", "Perikanan", "Jakarta Barat", "Cengkareng",
            "Cengkareng Barat", "13/01/2025", 10 + i, "Rp 1.000.000", "TW I 2025"]


def write_roster(path, rows: int, title_rows: int = 0) -> None:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("TW I 2025")
    if title_rows:
        sheet.write(0, 0, "DAFTAR UMKM BINAAN DINAS KPKP")
    sheet.write_row(title_rows, 0, ROSTER_HEADER)
    for i in range(rows):
        sheet.write_row(title_rows + 1 + i, 0, roster_row(i))
    workbook.close()


def apbd_line(i: int) -> str:
    return (f"1.01.0.00.0.00.01.0000;DINAS PENDIDIKAN;5.1.02.01.01.{i:04d};Belanja {i};"
            f"1.000.000;250.000;Januari;2025\n")


def order(kd_paket: str) -> dict:
    return {"tahun_anggaran": 2025, "kd_klpd": "DKI", "kd_satker_str": "1.01.0.00.0.00.01.0000",
            "kd_paket": kd_paket, "kd_rup": "12345678", "product_ids": "u1",
            "kd_penyedia_v6": "01JHKT4BFAVEMPVFWSNK1BQ4F6", "total_harga": 5,
            "tgl_order": "2025-05-01", "status_pkt": "COMPLETED"}


def run(con, folder, now, **options):
    inventory = ledger.take_inventory(con, folder, now, **options)
    loads = [ledger.load_pending(con, dataset, folder, now) for dataset in DATASETS]
    return inventory, loads


def versions(con, path):
    return con.execute("SELECT status, rows_loaded, reason FROM raw.file_ledger WHERE path = $p "
                       "ORDER BY first_seen_at", {"p": path}).fetchall()


def raw_rows(con, table, path):
    return con.execute(f"SELECT count(*) FROM raw.{table} WHERE _source_file = $p",
                       {"p": path}).fetchall()[0][0]


# --- an export with no rows is rejected in every format ---------------------------------------


def test_a_roster_workbook_holding_only_its_header_is_rejected_and_the_quarter_stays(
        warehouse_con, tmp_path):
    path = tmp_path / "binaan_kpkp_tw1_2025.xlsx"
    write_roster(path, rows=3, title_rows=1)
    run(warehouse_con, tmp_path, DAY1)
    write_roster(path, rows=0, title_rows=1)  # the next export: the template, nothing in it

    run(warehouse_con, tmp_path, DAY2)

    assert versions(warehouse_con, path.name) == [
        ("loaded", 3, None),
        ("rejected", None, "binaan_kpkp_tw1_2025.xlsx holds only its header and no data rows "
                           "(sheet 'TW I 2025' (header on row 2)): an empty workbook is not "
                           "taken as an empty roster; export it again with its rows")]
    assert raw_rows(warehouse_con, "kpkp_roster", path.name) == 3


@pytest.mark.parametrize("name, content, reason", [
    ("lra_apbd.csv", APBD_HEADER,
     "lra_apbd.csv holds only its header (line 1) and no data rows: an empty export is not "
     "taken as 'no rows'; download or export it again"),
    ("lra_apbd_crlf_ctrl_z.csv", APBD_HEADER.replace("\n", "\r\n") + "\r\n\x1a",
     "lra_apbd_crlf_ctrl_z.csv holds only its header (line 1) and no data rows: an empty "
     "export is not taken as 'no rows'; download or export it again"),
])
def test_a_csv_holding_only_its_header_is_rejected_naming_its_dataset(warehouse_con, tmp_path,
                                                                      name, content, reason):
    (tmp_path / name).write_text(content, encoding="utf-8", newline="")
    _, loads = run(warehouse_con, tmp_path, DAY1)
    assert warehouse_con.execute("SELECT status, dataset, reason FROM raw.file_ledger"
                                 ).fetchall() == [("rejected", "apbd_realisasi", reason)]
    assert [r["reason"] for load in loads for r in load.rejected] == [reason]


def test_an_empty_json_array_is_rejected_as_before(warehouse_con, tmp_path):
    (tmp_path / "v6.json").write_text("[ ]")
    inventory, _ = run(warehouse_con, tmp_path, DAY1)
    assert [r["reason"] for r in inventory.rejected] == [
        "v6.json is an empty JSON array (no rows); download the export again"]


# --- a new version that loses most of its rows is held back -----------------------------------


def test_a_new_version_that_loses_more_than_half_its_rows_is_held_and_the_old_rows_stay(
        warehouse_con, tmp_path):
    path = tmp_path / "lra_apbd_2025.csv"
    path.write_text(APBD_HEADER + "".join(apbd_line(i) for i in range(10)))
    run(warehouse_con, tmp_path, DAY1)
    path.write_text(APBD_HEADER + "".join(apbd_line(i) for i in range(4)))  # 60 % fewer

    _, loads = run(warehouse_con, tmp_path, DAY2)

    reason = (
        "lra_apbd_2025.csv holds 4 rows where the version loaded before held 10 (60% fewer; "
        "more than 50% is suspect, P3DN_SUSPECT_SHRINK): held back, the previous version's "
        "rows stay. If the new file is right, confirm it with `p3dn accept lra_apbd_2025.csv` "
        "(or a run tagged p3dn/accept=lra_apbd_2025.csv); the next run loads it")
    assert versions(warehouse_con, path.name) == [("loaded", 10, None), ("held", 4, reason)]
    assert raw_rows(warehouse_con, "apbd_realisasi", path.name) == 10
    assert [h for load in loads for h in load.held] == [{"path": path.name, "reason": reason}]
    # Held stays held: the next run neither loads it nor reports it again.
    _, loads = run(warehouse_con, tmp_path, DAY3)
    assert [h for load in loads for h in load.held] == []
    assert ledger.landing_matches_ledger(warehouse_con, tmp_path)


def test_losing_exactly_half_is_not_suspect_and_the_share_is_configurable(warehouse_con,
                                                                          tmp_path,
                                                                          monkeypatch):
    path = tmp_path / "lra_apbd_2025.csv"
    path.write_text(APBD_HEADER + "".join(apbd_line(i) for i in range(10)))
    run(warehouse_con, tmp_path, DAY1)
    path.write_text(APBD_HEADER + "".join(apbd_line(i) for i in range(5)))
    run(warehouse_con, tmp_path, DAY2)
    assert [v[:2] for v in versions(warehouse_con, path.name)] == [("superseded", 10),
                                                                   ("loaded", 5)]

    monkeypatch.setenv("P3DN_SUSPECT_SHRINK", "0.1")
    path.write_text(APBD_HEADER + "".join(apbd_line(i) for i in range(4)))  # 20 % fewer
    run(warehouse_con, tmp_path, DAY3)
    assert [v[:2] for v in versions(warehouse_con, path.name)][-1] == ("held", 4)
    assert raw_rows(warehouse_con, "apbd_realisasi", path.name) == 5


@pytest.mark.parametrize("value", ["-0.1", "1.5", "half", "nan"])
def test_the_suspect_share_must_be_between_0_and_1(monkeypatch, value):
    from p3dn_pipeline.lib.limits import suspect_shrink

    monkeypatch.setenv("P3DN_SUSPECT_SHRINK", value)
    with pytest.raises(ValueError, match="P3DN_SUSPECT_SHRINK must be a share between 0 and 1"):
        suspect_shrink()


def test_an_accepted_held_version_is_loaded_by_the_next_run(warehouse_con, tmp_path):
    path = tmp_path / "v6.json"
    path.write_text(json.dumps([order(f"P{i}") for i in range(6)]))
    run(warehouse_con, tmp_path, DAY1)
    path.write_text(json.dumps([order("P0")]))
    run(warehouse_con, tmp_path, DAY2)
    assert raw_rows(warehouse_con, "ekatalog_paket_v6", "v6.json") == 6

    accepted = ledger.accept_held(warehouse_con, "v6.json", "ani (p3dn accept)", DAY2)
    assert [(a["path"], a["rows_loaded"]) for a in accepted] == [("v6.json", 1)]
    assert not ledger.landing_matches_ledger(warehouse_con, tmp_path)  # a run has work to do
    inventory, _ = run(warehouse_con, tmp_path, DAY3)

    assert inventory.accepted == ["v6.json"]
    assert raw_rows(warehouse_con, "ekatalog_paket_v6", "v6.json") == 1
    statuses = versions(warehouse_con, "v6.json")
    assert [s[:2] for s in statuses] == [("superseded", 6), ("loaded", 1)]
    assert ledger.accept_held(warehouse_con, "v6.json", "ani (p3dn accept)", DAY3) == []


def test_the_run_tag_accepts_the_version_in_the_landing_folder(warehouse_con, tmp_path):
    path = tmp_path / "v6.json"
    path.write_text(json.dumps([order(f"P{i}") for i in range(6)]))
    run(warehouse_con, tmp_path, DAY1)
    path.write_text(json.dumps([order("P0")]))
    options = ledger.inventory_options({"p3dn/accept": "v6.json\nnot/there.csv"})
    assert options == {"rehash_all": False, "accept": ["v6.json", "not/there.csv"]}

    # Accepted before it was ever held: an operator who knows the export shrank.
    inventory, _ = run(warehouse_con, tmp_path, DAY2, **options)

    assert raw_rows(warehouse_con, "ekatalog_paket_v6", "v6.json") == 1
    assert inventory.warnings == [
        "The run tag p3dn/accept names 'not/there.csv', which is not a readable file in the "
        "landing folder: nothing accepted for it (paths are as in raw.file_ledger, e.g. "
        "'apbd/realisasi_apbd_2025.csv')"]
    assert warehouse_con.execute(
        "SELECT path, status, accepted_by, accepted_at FROM raw.file_ledger WHERE accepted_by "
        "IS NOT NULL").fetchall() == [("v6.json", "loaded", "run tag p3dn/accept", DAY2)]
    # The same tag on the next run: that version is loaded already, so it says so.
    inventory, _ = run(warehouse_con, tmp_path, DAY3, **ledger.inventory_options(
        {"p3dn/accept": "v6.json"}))
    assert inventory.warnings == [
        "The run tag p3dn/accept names 'v6.json', whose version in the landing folder is not "
        "waiting to be loaded (it is loaded already, or was rejected): nothing accepted for it"]


def test_an_older_ledger_makes_the_run_cover_everything_rather_than_fail(warehouse_con,
                                                                        tmp_path):
    warehouse_con.execute(ledger.LEDGER_DDL)  # as the version before ctime and acceptance
    assert not ledger.landing_matches_ledger(warehouse_con, tmp_path)


def test_p3dn_accept_records_the_confirmation_and_says_what_is_held(tmp_path, monkeypatch,
                                                                    capsys):
    from p3dn_pipeline import cli
    from p3dn_pipeline.lib.warehouse import open_warehouse

    landing_dir = tmp_path / "landing"
    landing_dir.mkdir()
    warehouse = tmp_path / "p3dn.duckdb"
    monkeypatch.setenv("P3DN_LANDING_DIR", str(landing_dir))
    monkeypatch.setenv("P3DN_WAREHOUSE", str(warehouse))
    path = landing_dir / "v6.json"
    path.write_text(json.dumps([order(f"P{i}") for i in range(6)]))
    with open_warehouse(warehouse, b"k" * 20) as con:
        run(con, landing_dir, DAY1)
        path.write_text(json.dumps([order("P0")]))
        run(con, landing_dir, DAY2)

    assert cli.main(["accept", "other.json"]) == 1
    assert capsys.readouterr().err == "Nothing of 'other.json' is held back; held: v6.json.\n"
    assert cli.main(["accept", str(path)]) == 0  # a path to the file works too
    out = capsys.readouterr().out
    assert out.startswith("Accepted v6.json (sha256 ")
    assert out.endswith(", 1 rows). The next run loads it (p3dn run, or the daily run at "
                        "06:00 WIB).\n")
    with open_warehouse(warehouse, b"k" * 20) as con:
        inventory, _ = run(con, landing_dir, DAY3)
        assert inventory.accepted == ["v6.json"]
        assert raw_rows(con, "ekatalog_paket_v6", "v6.json") == 1
        assert con.execute("SELECT reason FROM raw.file_ledger WHERE status = 'loaded'"
                           ).fetchall()[0][0].startswith(
            "accepted by " + __import__("getpass").getuser() + " (p3dn accept) after being "
            "held: v6.json holds 1 rows where the version loaded before held 6")
