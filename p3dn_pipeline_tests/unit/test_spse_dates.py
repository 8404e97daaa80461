"""SPSE contract, award and payment dates are held to the same window as e-katalog orders
and toko-daring purchases (issue 17, class 8): outside the fiscal year's tolerance
(date_outside_fiscal_year) or after the day their file was loaded (date_after_load) the row
is quarantined, never a data date. Loaded at a chosen time, so "after the load day" is a
fixed date."""

from __future__ import annotations

import datetime as dt
import json

from p3dn_pipeline_tests.staging_direct import load_and_stage

# Loaded 1 October 2025, 06:00 UTC = 13:00 WIB: no date in the file can be after 2025-10-01.
NOW = dt.datetime(2025, 10, 1, 6, 0)
KONTRAK_HEADER = ("tahun_anggaran,kd_klpd,kd_satker_str,kd_tender,no_kontrak,tgl_kontrak,"
                  "nilai_kontrak,nilai_pdn_kontrak,nilai_umk_kontrak,status_kontrak\n")


def tender(kd_tender: int, tgl_penetapan_pemenang: str) -> dict:
    return {"tahun_anggaran": 2025, "kd_klpd": "DKI", "kd_satker": "1.01.0.00.0.00.01.0000",
            "kd_tender": kd_tender, "kd_paket": kd_tender - 1000, "kd_rup_paket": "60000001",
            "pagu": 1000, "hps": 1000, "nilai_kontrak": 900, "nilai_pdn_kontrak": 900,
            "nilai_umk_kontrak": None, "tgl_penetapan_pemenang": tgl_penetapan_pemenang,
            "_event_date": "2025-09-30"}


def kontrak(i: int, tgl_kontrak: str) -> str:
    return (f"2025,DKI,1.01.0.00.0.00.01.0000,9000000{i}000,KTR/{i},{tgl_kontrak},"
            f"1000,1000,0,Kontrak Selesai\n")


def test_spse_dates_outside_the_fiscal_year_or_after_the_load_day_are_quarantined(
        warehouse_con, tmp_path):
    # window of fiscal year 2025: 2024-10-01 .. 2026-03-31 (3 months each side)
    (tmp_path / "spse_tender_selesai_nilai_2025.json").write_text(json.dumps([
        tender(90000001000, "2025-04-11"),   # row 1: good
        tender(90000002000, "2099-01-01"),   # row 2: outside the window
        tender(90000003000, "2024-09-30"),   # row 3: the day before the window opens
        tender(90000004000, "2025-10-02"),   # row 4: inside, but after the load day
        tender(90000005000, "2024-10-01"),   # row 5: the window's first day (tender dini)
        tender(90000006000, "2025-10-01"),   # row 6: the load day itself
    ]), encoding="utf-8")
    (tmp_path / "spse_tender_ekontrak_kontrak_2025.csv").write_text(
        KONTRAK_HEADER + kontrak(1, "2025-04-21T00:00:00.000000Z")
        + kontrak(2, "2026-04-01T00:00:00.000000Z") + kontrak(3, "2025-12-31T00:00:00Z"),
        encoding="utf-8")
    load_and_stage(warehouse_con, tmp_path, NOW)

    assert warehouse_con.execute(
        "SELECT _source_row, column_name, rule, offending_value "
        "FROM quarantine.spse_tender_selesai ORDER BY _source_row").fetchall() == [
        (2, "tgl_penetapan_pemenang", "date_outside_fiscal_year", "2099-01-01"),
        (3, "tgl_penetapan_pemenang", "date_outside_fiscal_year", "2024-09-30"),
        (4, "tgl_penetapan_pemenang", "date_after_load", "2025-10-02")]
    assert warehouse_con.execute(
        "SELECT kd_tender FROM staging.spse_tender_selesai ORDER BY 1").fetchall() == [
        (90000001000,), (90000005000,), (90000006000,)]
    assert warehouse_con.execute(
        "SELECT _source_row, column_name, rule, offending_value "
        "FROM quarantine.spse_tender_kontrak ORDER BY _source_row").fetchall() == [
        (3, "tgl_kontrak", "date_outside_fiscal_year", "2026-04-01T00:00:00.000000Z"),
        (4, "tgl_kontrak", "date_after_load", "2025-12-31T00:00:00Z")]
