"""UMKM marts on hand-made quarterly rosters, written as real XLSX files with title rows.

Businesses (owner NIK -> business):
- N1 3173014501900001, Perikanan, Jakarta Barat, NIB 1234567890123 (written two ways):
  2024 TW I 500 kg / Rp100 jt; 2025 TW I 200 kg / Rp50 jt; 2025 TW II 450 kg / Rp120 jt.
- N2 3173011203850002, Perikanan, Jakarta Barat, no NIB:
  2025 TW I 100 kg / Rp600 jt (annualised x4 = Rp2,4 M: kecil); TW II 150 kg / Rp700 jt
  (annualised x4/2 = Rp1,4 M: mikro).
- N3 3174011507800003, Peternakan, Jakarta Selatan: 2025 TW II only, 1.250 kg / Rp10 jt;
  sells on e-katalog as a sole proprietor whose NPWP-16 is his NIK.
- Two bad rows in 2025 TW II: an 8-digit NIK and a kota outside DKI (quarantined).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from decimal import Decimal

import pytest
import xlsxwriter

from p3dn_pipeline_tests.conftest import TEST_PII_KEY

pytestmark = pytest.mark.slow

N1, N2, N3 = "3173014501900001", "3173011203850002", "3174011507800003"
HEADER = ["No", "NIK", "Nama", "NIB", "Jenis Kelamin", "Nama Usaha", "Sektor", "Kota",
          "Kecamatan", "Kelurahan", "Tanggal Pembinaan", "Jenis Pembinaan", "Produksi (kg)",
          "Omzet (Rp)", "No HP"]
PERSON_NAMES = ["Siti Aminah", "Budi Santoso", "Joko Prasetyo", "Dewi Lestari", "Agus Salim"]
PHONES = ["0812-3456-7890", "0813-1111-2222", "0857-0000-1234", "0811-9999-8888", "0812-0000-0001"]


def write_roster(path, sheet_name, rows):
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet(sheet_name)
    date_format = workbook.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write(0, 0, "DAFTAR PELAKU UMKM BINAAN DINAS KPKP PROVINSI DKI JAKARTA")
    sheet.write_row(2, 0, HEADER)
    for offset, row in enumerate(rows):
        for col, value in enumerate(row):
            if isinstance(value, dt.date):
                sheet.write_datetime(3 + offset, col, dt.datetime.combine(value, dt.time()),
                                     date_format)
            elif isinstance(value, str):
                sheet.write_string(3 + offset, col, value)
            elif value is not None:
                sheet.write_number(3 + offset, col, value)
    workbook.close()


def roster_row(no, nik, nib, kota, kecamatan, kelurahan, sektor, tanggal, produksi, omzet):
    return [no, nik, PERSON_NAMES[no % 5], nib, "P" if int(nik[6:8]) > 40 else "L",
            f"Usaha {no}", sektor, kota, kecamatan, kelurahan, tanggal, "Pelatihan", produksi,
            omzet, PHONES[no % 5]]


@pytest.fixture(scope="module")
def umkm_env(tmp_path_factory, module_monkeypatch):
    from p3dn_pipeline_tests.conftest import point_pipeline_at

    root = tmp_path_factory.mktemp("umkm")
    env = point_pipeline_at(module_monkeypatch, root)
    landing = env.landing
    barat = ("Jakarta Barat", "Cengkareng", "Cengkareng Barat")
    write_roster(landing / "binaan_2024_tw1.xlsx", "TW I 2024", [
        roster_row(1, N1, "1234567890123", *barat, "Perikanan", dt.date(2024, 2, 1), 500,
                   "Rp 100.000.000"),
    ])
    write_roster(landing / "binaan_2025_tw1.xlsx", "TW I 2025", [
        roster_row(1, N1, "1234 5678 90123", "Kota Adm. Jakarta Barat", "Cengkareng",
                   "Cengkareng Barat", "PERIKANAN", "13 Januari 2025", 200, 50000000),
        roster_row(2, N2, None, *barat, "perikanan", "Jumat, 17 Januari 2025", 100,
                   "600.000.000"),
    ])
    write_roster(landing / "binaan_2025_tw2.xlsx", "TW II 2025", [
        roster_row(1, N1, "1234567890123", *barat, "Perikanan", "05/04/2025", 450,
                   "Rp 120.000.000,-"),
        roster_row(2, N2, "", *barat, "Perikanan", dt.date(2025, 4, 7), 150, 700000000),
        roster_row(3, N3, None, "JAKARTA SELATAN", "Tebet", "Tebet Timur", "Peternakan",
                   "45755", "1.250", "Rp10.000.000"),
        roster_row(4, "31730112", None, *barat, "Perikanan", dt.date(2025, 4, 8), 1, 1),
        roster_row(5, "3173011203850099", None, "Kab. Bandung", "Soreang", "Soreang",
                   "Perikanan", dt.date(2025, 4, 9), 1, 1),
    ])
    json.dump([
        {"kd_penyedia": 5001, "nama_penyedia": "CV.IKAN SEGAR", "kode_penyedia_sikap": 7001,
         "penyedia_ukm": "UKM", "nib": "1234567890123", "npwp_16": "0012345678901000"},
        {"kd_penyedia": 5002, "nama_penyedia": "UD TERNAK JAYA", "kode_penyedia_sikap": 7002,
         "penyedia_ukm": "UKM", "nib": None, "npwp_16": N3},
    ], (landing / "penyedia.json").open("w"))
    orders = [("01ORDER00000000000000000A1", 7001, 10000000, "COMPLETED", "2025-02-03"),
              ("01ORDER00000000000000000A2", 7001, 5000000, "ON_PROCESS", "2025-03-04"),
              ("01ORDER00000000000000000A3", 7001, 9000000, "CANCELLED", "2025-03-05"),
              ("01ORDER00000000000000000A4", 7002, 8000000, "COMPLETED", "2025-05-06")]
    json.dump([{
        "tahun_anggaran": 2025, "kd_klpd": "DKI", "kd_satker_str": "2.09.3.25.0.00.10.0000",
        "kd_paket": kd_paket, "kd_rup": "12345678", "product_ids": "uuid-z",
        "kd_penyedia_v6": "01JHKT4BFAVEMPVFWSNK1BQ4F6", "kd_penyedia_sikap": sikap,
        "total_harga": total, "tgl_order": tgl, "status_pkt": status,
    } for kd_paket, sikap, total, status, tgl in orders], (landing / "orders.json").open("w"))
    env.materialize()
    return env


def hashed(nik: str) -> str:
    return hmac.new(TEST_PII_KEY.encode(), nik.encode(), hashlib.sha256).hexdigest()


def test_quarterly_counts_new_cumulative_and_growth(umkm_env):
    rows = umkm_env.query(
        "SELECT tahun, triwulan, kode_kab_kota, sektor, jumlah_aktif, jumlah_baru, "
        "jumlah_kumulatif, pct_pertumbuhan_qoq, pct_pertumbuhan_yoy "
        "FROM marts.umkm_binaan_triwulan ORDER BY ALL")
    assert rows == [
        (2024, 1, "31.73", "Perikanan", 1, 1, 1, None, None),
        (2025, 1, "31.73", "Perikanan", 2, 1, 2, None, Decimal("100.00")),
        (2025, 2, "31.73", "Perikanan", 2, 0, 2, Decimal("0.00"), None),
        (2025, 2, "31.74", "Peternakan", 1, 1, 1, None, None),
    ]


def test_production_turnover_and_size_classes_year_to_date(umkm_env):
    rows = umkm_env.query(
        "SELECT tahun, triwulan, kode_kab_kota, produksi_ton_ytd, omzet_rp_ytd, jumlah_mikro, "
        "jumlah_kecil, jumlah_menengah FROM marts.umkm_binaan_triwulan ORDER BY ALL")
    assert rows == [
        (2024, 1, "31.73", Decimal("0.500"), Decimal("100000000.00"), 1, 0, 0),
        (2025, 1, "31.73", Decimal("0.300"), Decimal("650000000.00"), 1, 1, 0),
        (2025, 2, "31.73", Decimal("0.600"), Decimal("820000000.00"), 2, 0, 0),
        (2025, 2, "31.74", Decimal("1.250"), Decimal("10000000.00"), 1, 0, 0),
    ]


def test_mentored_business_on_ekatalog_matched_by_nib_or_npwp(umkm_env):
    rows = umkm_env.query(
        "SELECT tahun, triwulan, pelaku_usaha_id, kode_kab_kota, sektor, dasar_pencocokan, "
        "jumlah_paket, nilai_rp FROM marts.umkm_ekatalog ORDER BY ALL")
    assert rows == [
        (2025, 1, hashed(N1), "31.73", "Perikanan", "NIB", 2, Decimal("15000000.00")),
        (2025, 2, hashed(N3), "31.74", "Peternakan", "NPWP", 1, Decimal("8000000.00")),
    ]


def test_bad_roster_rows_are_quarantined_without_revealing_the_nik(umkm_env):
    # Title on sheet row 1, header on row 3, so the 4th and 5th data rows are rows 7 and 8.
    rows = umkm_env.query(
        "SELECT _source_file, _source_row, column_name, rule, offending_value "
        "FROM quarantine.kpkp_roster ORDER BY _source_row, column_name")
    assert rows == [
        ("binaan_2025_tw2.xlsx", 7, "NIK", "nik_not_16_digits", "shape 99999999"),
        ("binaan_2025_tw2.xlsx", 8, "Kota", "not_a_dki_kota", "Kab. Bandung"),
    ]


def test_no_nik_name_or_phone_is_stored_anywhere_in_the_warehouse(umkm_env):
    secrets = [N1, N2, N3, "31730112", "3173011203850099", *PERSON_NAMES, *PHONES,
               N1[:8], "3174 0115"]
    con = umkm_env.connect()
    try:
        text_columns = con.execute(
            "SELECT schema_name, table_name, column_name FROM duckdb_columns() "
            "WHERE data_type = 'VARCHAR' AND NOT internal").fetchall()
        assert len(text_columns) > 50
        for schema, table, column in text_columns:
            for secret in secrets:
                found = con.execute(
                    f'SELECT count(*) FROM "{schema}"."{table}" WHERE "{column}" LIKE $s',
                    {"s": f"%{secret}%"}).fetchall()[0][0]
                assert found == 0, f"{secret!r} found in {schema}.{table}.{column}"
    finally:
        con.close()
    data = umkm_env.warehouse.read_bytes()
    for secret in secrets:
        assert secret.encode() not in data
