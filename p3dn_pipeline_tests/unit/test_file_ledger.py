"""The landing folder and its ledger: recognition by fields, idempotent loads, replacement of
changed files, and bad files rejected with a reason while the rest still loads."""

from __future__ import annotations

import datetime as dt
import json
import os

import pytest

from p3dn_pipeline.defs.lkpp.source import EKATALOG_PAKET_V6, SIRUP_STRUKTUR_ANGGARAN
from p3dn_pipeline.lib import ledger

NOW = dt.datetime(2025, 10, 1, 6, 0)
LATER = dt.datetime(2025, 10, 2, 6, 0)


def order(kd_paket, total, **extra):
    row = {"tahun_anggaran": 2025, "kd_klpd": "DKI", "kd_satker_str": "1.01.0.00.0.00.01.0000",
           "kd_paket": kd_paket, "kd_rup": "12345678", "product_ids": "u1",
           "kd_penyedia_v6": "01JHKT4BFAVEMPVFWSNK1BQ4F6", "total_harga": total,
           "tgl_order": "2025-05-01", "status_pkt": "COMPLETED"}
    row.update(extra)
    return row


def write_json(path, rows):
    path.write_text(json.dumps(rows))


def run(con, landing, now=NOW, dataset=EKATALOG_PAKET_V6):
    inventory = ledger.take_inventory(con, landing, now)
    loaded = ledger.load_pending(con, dataset, landing, now)
    return inventory, loaded


def ledger_rows(con):
    return con.execute("SELECT path, dataset, status, rows_loaded FROM raw.file_ledger "
                       "ORDER BY path, status_at").fetchall()


def raw_totals(con):
    return con.execute("SELECT _source_file, count(*), sum(CAST(total_harga AS BIGINT)) "
                       "FROM raw.ekatalog_paket_v6 GROUP BY ALL ORDER BY ALL").fetchall()


def test_file_is_recognised_by_its_fields_whatever_its_name(warehouse_con, tmp_path):
    write_json(tmp_path / "download (3).json", [order("A", 100), order("B", 200)])
    run(warehouse_con, tmp_path)
    assert ledger_rows(warehouse_con) == [("download (3).json", "ekatalog_paket_v6", "loaded", 2)]
    assert raw_totals(warehouse_con) == [("download (3).json", 2, 300)]


def test_unchanged_file_is_not_loaded_again(warehouse_con, tmp_path):
    write_json(tmp_path / "v6.json", [order("A", 100)])
    run(warehouse_con, tmp_path)
    inventory, loaded = run(warehouse_con, tmp_path, LATER)
    assert (inventory.new_versions, loaded.loaded) == (0, [])
    assert warehouse_con.execute(
        "SELECT DISTINCT _loaded_at FROM raw.ekatalog_paket_v6").fetchall() == [(NOW,)]


def test_changed_file_replaces_its_rows(warehouse_con, tmp_path):
    path = tmp_path / "v6.json"
    write_json(path, [order("A", 100), order("B", 200)])
    run(warehouse_con, tmp_path)
    write_json(path, [order("A", 150)])
    run(warehouse_con, tmp_path, LATER)
    assert raw_totals(warehouse_con) == [("v6.json", 1, 150)]
    assert [r[2] for r in ledger_rows(warehouse_con)] == ["superseded", "loaded"]


def test_removed_file_takes_its_rows_with_it(warehouse_con, tmp_path):
    write_json(tmp_path / "keep.json", [order("A", 100)])
    write_json(tmp_path / "gone.json", [order("B", 200)])
    run(warehouse_con, tmp_path)
    os.remove(tmp_path / "gone.json")
    run(warehouse_con, tmp_path, LATER)
    assert raw_totals(warehouse_con) == [("keep.json", 1, 100)]
    assert ("gone.json", "ekatalog_paket_v6", "removed", 1) in ledger_rows(warehouse_con)


def test_broken_new_version_keeps_the_last_good_rows(warehouse_con, tmp_path):
    path = tmp_path / "v6.json"
    write_json(path, [order("A", 100)])
    run(warehouse_con, tmp_path)
    path.write_text(json.dumps([order("A", 100), order("B", 200)])[:-30])  # truncated download
    run(warehouse_con, tmp_path, LATER)
    assert raw_totals(warehouse_con) == [("v6.json", 1, 100)]
    statuses = warehouse_con.execute(
        "SELECT status, reason FROM raw.file_ledger ORDER BY status_at").fetchall()
    assert statuses[0] == ("loaded", None)
    assert statuses[1][0] == "rejected"
    assert statuses[1][1] == (
        "v6.json is not valid JSON on line 1, column 498: Unterminated string starting there; "
        "the file ends in the middle of a record: it was cut short, download it again")


def test_unknown_fields_are_rejected_naming_closest_dataset_and_missing_fields(
        warehouse_con, tmp_path):
    row = order("A", 100)
    del row["status_pkt"], row["tgl_order"]
    write_json(tmp_path / "odd.json", [row])
    write_json(tmp_path / "good.json", [order("B", 5)])
    inventory, _ = run(warehouse_con, tmp_path)
    assert inventory.rejected == [{
        "path": "odd.json",
        "reason": "odd.json matches no known dataset; the closest is ekatalog_paket_v6 "
                  "(LKPP Ecat-PaketEPurchasingV6 (e-katalog v6)), which also needs the "
                  "field(s): tgl_order, status_pkt. Known columns found: tahun_anggaran, kd_klpd, "
                  "kd_satker_str, kd_paket, kd_rup, product_ids, kd_penyedia_v6, total_harga",
    }]
    assert raw_totals(warehouse_con) == [("good.json", 1, 5)]


@pytest.mark.parametrize("name, content, reason_start", [
    ("empty.json", b"", "empty.json is empty (0 bytes)"),
    ("empty_array.json", b"[]", "empty_array.json is an empty JSON array"),
    ("unknown_encoding.csv", b"kd_satker_str;nama_satker\n1;DINAS \x81\n",
     "unknown_encoding.csv is neither UTF-8 nor Windows-1252 text (byte 0x81 on line 2 is "
     "neither)"),
    ("utf16_without_bom.csv", "kd_satker_str;nama_satker\n".encode("utf-16-le"),
     "utf16_without_bom.csv holds NUL bytes (the first on line 1): it is UTF-16 or UTF-32 "
     "text without a byte-order mark, or not text at all"),
    ("notes.pdf", b"%PDF-1.4", "notes.pdf has extension '.pdf'"),
    ("object.json", b'"just a string"', "object.json is not a JSON array of objects"),
])
def test_unreadable_files_are_rejected_with_a_reason(warehouse_con, tmp_path, name, content,
                                                      reason_start):
    (tmp_path / name).write_bytes(content)
    inventory, _ = run(warehouse_con, tmp_path)
    assert len(inventory.rejected) == 1
    assert inventory.rejected[0]["reason"].startswith(reason_start)


def test_csv_with_bom_and_semicolons_loads(warehouse_con, tmp_path):
    header = "tahun_anggaran;kd_klpd;kd_satker;kd_satker_str;belanja_operasi;belanja_modal;" \
             "belanja_pengadaan;total_belanja"
    (tmp_path / "struktur.csv").write_text(
        "\ufeff" + header + "\n2025;DKI;60442;1.01.0.00.0.00.01.0000;10;5;15;15\n",
        encoding="utf-8")
    run(warehouse_con, tmp_path, dataset=SIRUP_STRUKTUR_ANGGARAN)
    assert warehouse_con.execute(
        "SELECT tahun_anggaran, kd_satker, belanja_pengadaan, _source_row "
        "FROM raw.sirup_struktur_anggaran").fetchall() == [("2025", "60442", "15", 2)]


def test_duplicate_header_is_rejected(warehouse_con, tmp_path):
    header = "tahun_anggaran,kd_klpd,kd_satker,kd_satker_str,belanja_operasi,belanja_modal," \
             "belanja_pengadaan,total_belanja,belanja_modal"
    (tmp_path / "dup.csv").write_text(header + "\n2025,DKI,1,x,1,2,3,3,9\n")
    inventory, _ = run(warehouse_con, tmp_path, dataset=SIRUP_STRUKTUR_ANGGARAN)
    assert inventory.rejected[0]["reason"] == (
        "dup.csv has the column 'belanja_modal' more than once in its header; "
        "remove the duplicate column and export again")


def test_symlink_out_of_the_landing_folder_is_refused(warehouse_con, tmp_path):
    landing = tmp_path / "landing"
    landing.mkdir()
    outside = tmp_path / "secret.json"
    write_json(outside, [order("A", 1)])
    (landing / "link.json").symlink_to(outside)
    inventory, _ = run(warehouse_con, landing)
    assert "is a symbolic link to" in inventory.rejected[0]["reason"]
    assert "outside the landing folder" in inventory.rejected[0]["reason"]
    assert raw_totals(warehouse_con) == []


def test_workbook_with_one_quarter_per_sheet_loads_every_quarter(warehouse_con, tmp_path):
    import xlsxwriter

    from p3dn_pipeline.defs.kpkp.source import KPKP_ROSTER

    workbook = xlsxwriter.Workbook(str(tmp_path / "binaan_2025.xlsx"))
    summary = workbook.add_worksheet("Rekap")
    summary.write_row(0, 0, ["Jumlah pelaku usaha", 2])
    header = ["NIK", "Nama", "Sektor", "Kota", "Kecamatan", "Kelurahan", "Tanggal Pembinaan",
              "Produksi (kg)", "Omzet (Rp)"]
    for sheet_name, title_rows, kg in (("TW I 2025", 0, 10), ("TW II 2025", 2, 25)):
        sheet = workbook.add_worksheet(sheet_name)
        if title_rows:
            sheet.write(0, 0, "DAFTAR UMKM BINAAN")
        # The second sheet orders its columns differently: matched by header, not position.
        row_header = header if not title_rows else list(reversed(header))
        row = ["3173014501900001", "Siti Aminah", "Perikanan", "Jakarta Barat", "Cengkareng",
               "Cengkareng Barat", "13/01/2025", kg, "Rp 1.000.000"]
        sheet.write_row(title_rows, 0, row_header)
        sheet.write_row(title_rows + 1, 0, row if not title_rows else list(reversed(row)))
    workbook.close()
    run(warehouse_con, tmp_path, dataset=KPKP_ROSTER)
    assert warehouse_con.execute(
        "SELECT _source_sheet, _source_row, produksi_kg, sektor FROM raw.kpkp_roster "
        "ORDER BY _source_sheet").fetchall() == [
        ("TW I 2025", 2, "10", "Perikanan"), ("TW II 2025", 4, "25", "Perikanan")]
    assert warehouse_con.execute("SELECT status, sheet, reason FROM raw.file_ledger").fetchall() \
        == [("loaded", "TW I 2025, TW II 2025",
             "sheets loaded: TW I 2025, TW II 2025; sheets not loaded: 'Rekap' "
             "(no kpkp_roster header in its first 15 rows)")]
    assert "Siti" not in str(warehouse_con.execute("SELECT * FROM raw.kpkp_roster").fetchall())
