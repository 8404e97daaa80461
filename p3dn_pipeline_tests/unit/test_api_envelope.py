"""INAPROC API responses ({"data": [...], "meta": {...}}): said for what they are, and loaded
as their dataset when the records under "data" carry the export's field names."""

from __future__ import annotations

import datetime as dt
import json

from p3dn_pipeline.lib.sources import registry

DATASETS = registry().datasets
from p3dn_pipeline.lib import ledger

NOW = dt.datetime(2025, 10, 1, 6, 0)
ENVELOPE = ('is an INAPROC API response envelope ({"data": [...], "meta": {...}}) with '
            '{rows} under data')


def order(kd_paket, total):
    return {"tahun_anggaran": 2025, "kd_klpd": "DKI", "kd_satker_str": "1.01.0.00.0.00.01.0000",
            "kd_paket": kd_paket, "kd_rup": "12345678", "product_ids": ["u1", "u2"],
            "kd_penyedia_v6": "01JHKT4BFAVEMPVFWSNK1BQ4F6", "total_harga": total,
            "tgl_order": "2025-05-01", "status_pkt": "COMPLETED"}


def run(con, folder):
    inventory = ledger.take_inventory(con, folder, NOW)
    for dataset in DATASETS:
        ledger.load_pending(con, dataset, folder, NOW)
    return inventory


def ledger_of(con):
    return con.execute("SELECT path, status, dataset, rows_loaded, reason FROM raw.file_ledger "
                       "ORDER BY path").fetchall()


def test_records_under_data_with_the_exports_field_names_load_as_that_dataset(warehouse_con,
                                                                              tmp_path):
    meta = {"page": 1, "per_page": 2, "total": 3}
    (tmp_path / "api_page1.json").write_text(json.dumps(
        {"data": [order("A", 100), order("B", 2.5)], "meta": meta}, indent=2))
    (tmp_path / "api_page2.json").write_text(json.dumps(
        {"meta": {**meta, "page": 2}, "data": [order("C", 7)]}))
    (tmp_path / "export.json").write_text(json.dumps([order("D", 1)]))

    run(warehouse_con, tmp_path)

    assert ledger_of(warehouse_con) == [
        ("api_page1.json", "loaded", "ekatalog_paket_v6", 2,
         "read from " + ENVELOPE[3:].replace("{rows}", "2 rows")),
        ("api_page2.json", "loaded", "ekatalog_paket_v6", 1,
         "read from " + ENVELOPE[3:].replace("{rows}", "1 row")),
        ("export.json", "loaded", "ekatalog_paket_v6", 1, None)]
    # The same text as the export's reader makes of the same values.
    assert warehouse_con.execute(
        "SELECT _source_file, _source_row, kd_paket, total_harga, product_ids "
        "FROM raw.ekatalog_paket_v6 ORDER BY ALL").fetchall() == [
        ("api_page1.json", 1, "A", "100", '["u1","u2"]'),
        ("api_page1.json", 2, "B", "2.5", '["u1","u2"]'),
        ("api_page2.json", 1, "C", "7", '["u1","u2"]'),
        ("export.json", 1, "D", "1", '["u1","u2"]')]


def test_an_envelope_of_unknown_fields_is_said_to_be_one(warehouse_con, tmp_path):
    (tmp_path / "inaproc.json").write_text(json.dumps(
        {"data": [{"kodePaket": "A", "totalHarga": 1}, {"kodePaket": "B", "totalHarga": 2}],
         "meta": {"page": 1}}))
    partial = order("A", 1)
    del partial["status_pkt"]
    (tmp_path / "inaproc_partial.json").write_text(json.dumps({"data": [partial], "meta": {}}))
    (tmp_path / "inaproc_empty.json").write_text(json.dumps({"data": [], "meta": {"page": 9}}))

    inventory = run(warehouse_con, tmp_path)

    assert sorted(r["reason"] for r in inventory.rejected) == [
        "inaproc.json " + ENVELOPE.replace("{rows}", "2 rows") + ", whose records match no known "
        "dataset: none of the required fields of any dataset is among the 2 fields of its first "
        "record, under an ISB export's names or the INAPROC API's: it may come from an endpoint "
        "this pipeline does not read; download the same data as an ISB export instead",
        'inaproc_empty.json is an INAPROC API response envelope ({"data": [...], "meta": '
        '{...}}) with no rows under data: the API answered with nothing; fetch it again',
        "inaproc_partial.json " + ENVELOPE.replace("{rows}", "1 row") + ", whose records match no "
        "known dataset; the closest is ekatalog_paket_v6 (LKPP Ecat-PaketEPurchasingV6 "
        "(e-katalog v6)), which also needs the field(s): status_pkt. Known columns found: "
        "tahun_anggaran, kd_klpd, kd_satker_str, kd_paket, kd_rup, product_ids, "
        "kd_penyedia_v6, total_harga, tgl_order"]


def test_newline_delimited_records_are_not_taken_for_an_envelope(warehouse_con, tmp_path):
    (tmp_path / "v6.ndjson.json").write_text(
        "\n".join(json.dumps({**order(k, 1), "data": [1]}) for k in "AB"))
    run(warehouse_con, tmp_path)
    assert ledger_of(warehouse_con) == [
        ("v6.ndjson.json", "loaded", "ekatalog_paket_v6", 2, None)]
