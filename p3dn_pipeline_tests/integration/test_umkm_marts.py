"""UMKM marts on hand-made quarterly rosters, written as real XLSX files with title rows.

Five businesses over five quarters (2024 TW IV is the first ever loaded: the baseline);
kg / omzet are year-to-date as Dinas KPKP reports them:

| business | kota, sektor, jenis | 2024 IV | 2025 I | 2025 II | 2025 III | 2025 IV |
|---|---|---|---|---|---|---|
| A = N1 (NIB) | 31.73 Perikanan, Segar | 1000 / 40 jt | 100 / 10 jt | 300 / 30 jt | - | - |
| B | 31.73 Olahan Pangan, Olahan | 500 / 50 jt | - | 200 / 40 jt | 350 / 70 jt | - |
| C = N3 (KWT, 12 members) | 31.74 Pertanian Perkotaan, Olahan | - | 50 / 5 jt | 120 / 12 jt | 200 / 20 jt | 250 / 25 jt |
| D (Poklahsar, no count) | 31.74 "Olahan Mangrove" -> Lainnya, Olahan | - | - | 80 / 8 jt | - | - |
| E | 31.73 Perikanan, Segar | - | - | - | 317 / Rp2,52 M | - |

E's Rp7,95 juta per kg is over 50 times its sector's 2025 median (Rp100.000 per kg, A's two
rows): the implausible row. Two more rows of 2025 TW II are quarantined (an 8-digit NIK, a
kota outside DKI). C sells on e-katalog as a sole proprietor whose NPWP-16 is his NIK; A by
NIB.
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

N1, N3 = "3173014501900001", "3174011507800003"
NIK_B, NIK_D, NIK_E = "3173011203850002", "3174016602910004", "3173020708770005"
HEADER = ["No", "NIK", "Nama", "NIB", "Jenis Kelamin", "Nama Usaha", "Sektor", "Kota",
          "Kecamatan", "Kelurahan", "Tanggal Pembinaan", "Jenis Pembinaan", "Jenis Produk",
          "Kelompok", "Jumlah Anggota", "Produksi (kg)", "Omzet (Rp)", "No HP"]
PERSON_NAMES = ["Siti Aminah", "Budi Santoso", "Joko Prasetyo", "Dewi Lestari", "Agus Salim"]
PHONES = ["0812-3456-7890", "0813-1111-2222", "0857-0000-1234", "0811-9999-8888", "0812-0000-0001"]
BARAT = ("Jakarta Barat", "Cengkareng", "Cengkareng Barat")
SELATAN = ("JAKARTA SELATAN", "Tebet", "Tebet Timur")


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


def roster_row(no, nik, nib, lokasi, sektor, tanggal, produksi, omzet, jenis_produk="Segar",
               kelompok=None, anggota=None):
    return [no, nik, PERSON_NAMES[no % 5], nib, "P" if int(nik[6:8]) > 40 else "L",
            kelompok or f"Usaha {no}", sektor, *lokasi, tanggal, "Pelatihan", jenis_produk,
            kelompok, anggota, produksi, omzet, PHONES[no % 5]]


def a(no, produksi, omzet, tanggal, nib="1234567890123"):
    return roster_row(no, N1, nib, BARAT, "Perikanan", tanggal, produksi, omzet)


def b(no, produksi, omzet, tanggal):
    return roster_row(no, NIK_B, None, BARAT, "Olahan Pangan", tanggal, produksi, omzet, "Olahan")


def c(no, produksi, omzet, tanggal):
    return roster_row(no, N3, None, SELATAN, "Pertanian Perkotaan", tanggal, produksi, omzet,
                      "olahan", "KWT Melati", 12)


@pytest.fixture(scope="module")
def umkm_env(tmp_path_factory, module_monkeypatch):
    from p3dn_pipeline_tests.conftest import point_pipeline_at

    root = tmp_path_factory.mktemp("umkm")
    env = point_pipeline_at(module_monkeypatch, root)
    landing = env.landing
    write_roster(landing / "binaan_2024_tw4.xlsx", "TW IV 2024", [
        a(1, 1000, "Rp 40.000.000", dt.date(2024, 11, 1)),
        b(2, 500, 50000000, dt.date(2024, 11, 2)),
    ])
    write_roster(landing / "binaan_2025_tw1.xlsx", "TW I 2025", [
        a(1, 100, 10000000, "13 Januari 2025", nib="1234 5678 90123"),
        c(2, 50, "5.000.000", "Jumat, 17 Januari 2025"),
    ])
    write_roster(landing / "binaan_2025_tw2.xlsx", "TW II 2025", [
        a(1, 300, "Rp 30.000.000,-", "05/04/2025"),
        b(2, 200, 40000000, dt.date(2025, 4, 7)),
        c(3, 120, 12000000, "45755"),
        roster_row(4, NIK_D, None, SELATAN, "Olahan Mangrove", dt.date(2025, 4, 8), 80,
                   8000000, "Olahan", "Poklahsar Bakau", None),
        roster_row(5, "31730112", None, BARAT, "Perikanan", dt.date(2025, 4, 8), 1, 1),
        roster_row(6, "3173011203850099", None, ("Kab. Bandung", "Soreang", "Soreang"),
                   "Perikanan", dt.date(2025, 4, 9), 1, 1),
    ])
    write_roster(landing / "binaan_2025_tw3.xlsx", "TW III 2025", [
        b(1, 350, 70000000, dt.date(2025, 7, 1)),
        c(2, 200, 20000000, dt.date(2025, 7, 2)),
        roster_row(3, NIK_E, None, BARAT, "Perikanan", dt.date(2025, 7, 3), 317,
                   "Rp 2.520.000.000"),
    ])
    write_roster(landing / "binaan_2025_tw4.xlsx", "TW IV 2025", [
        c(1, 250, 25000000, dt.date(2025, 10, 1)),
    ])
    json.dump([
        {"kd_penyedia": 5001, "nama_penyedia": "CV.IKAN SEGAR", "kode_penyedia_sikap": 7001,
         "penyedia_ukm": "UKM", "nib": "1234567890123", "npwp_16": "0012345678901000"},
        {"kd_penyedia": 5002, "nama_penyedia": "UD TANI JAYA", "kode_penyedia_sikap": 7002,
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


PROVINSI = ("SELECT tahun, triwulan, {} FROM marts.umkm_binaan_triwulan "
            "WHERE tingkat = 'provinsi' ORDER BY tahun, triwulan")


def test_baseline_then_new_continuing_returning_and_departed(umkm_env):
    rows = umkm_env.query(PROVINSI.format(
        "is_baseline, jumlah_aktif, jumlah_baru, jumlah_lanjut, jumlah_kembali, jumlah_keluar, "
        "jumlah_kumulatif"))
    assert rows == [
        # The first quarter ever loaded: nobody is new, nothing to compare with.
        (2024, 4, True, 2, None, None, None, None, 2),
        (2025, 1, False, 2, 1, 1, 0, 1, 3),   # C new, A continues, B left
        (2025, 2, False, 4, 1, 2, 1, 0, 4),   # D new, A and C continue, B returns
        (2025, 3, False, 3, 1, 2, 0, 2, 5),   # E new, B and C continue, A and D left
        (2025, 4, False, 1, 0, 1, 0, 2, 5),   # C continues, B and E left
    ]


def test_year_to_date_carries_departed_businesses_and_splits_olahan(umkm_env):
    rows = umkm_env.query(PROVINSI.format(
        "jumlah_dibawa, produksi_ton_ytd, produksi_olahan_ton_ytd, produksi_segar_ton_ytd, "
        "omzet_rp_ytd"))
    assert rows == [
        (2024, 4, 0, Decimal("1.500"), Decimal("0.500"), Decimal("1.000"), Decimal("90000000.00")),
        (2025, 1, 0, Decimal("0.150"), Decimal("0.050"), Decimal("0.100"), Decimal("15000000.00")),
        (2025, 2, 0, Decimal("0.700"), Decimal("0.400"), Decimal("0.300"), Decimal("90000000.00")),
        # A (300 kg, Rp30 jt) and D (80 kg, Rp8 jt) are not on the TW III roster: carried.
        (2025, 3, 2, Decimal("1.247"), Decimal("0.630"), Decimal("0.617"),
         Decimal("2648000000.00")),
        (2025, 4, 4, Decimal("1.297"), Decimal("0.680"), Decimal("0.617"),
         Decimal("2653000000.00")),
    ]


def test_quarterly_flow_is_the_year_to_date_difference(umkm_env):
    rows = umkm_env.query(PROVINSI.format(
        "produksi_ton_triwulan, produksi_olahan_ton_triwulan, omzet_rp_triwulan"))
    assert rows == [
        (2024, 4, None, None, None),  # 2024 TW III has no roster: no flow to compute
        (2025, 1, Decimal("0.150"), Decimal("0.050"), Decimal("15000000.00")),
        (2025, 2, Decimal("0.550"), Decimal("0.350"), Decimal("75000000.00")),
        (2025, 3, Decimal("0.547"), Decimal("0.230"), Decimal("2558000000.00")),
        (2025, 4, Decimal("0.050"), Decimal("0.050"), Decimal("5000000.00")),
    ]


def test_growth_q1_against_previous_q4_and_year_on_year(umkm_env):
    rows = umkm_env.query(PROVINSI.format(
        "jumlah_aktif_triwulan_sebelumnya, pct_pertumbuhan_qoq, jumlah_aktif_tahun_lalu, "
        "pct_pertumbuhan_yoy, pct_pertumbuhan_omzet_yoy"))
    assert rows == [
        (2024, 4, None, None, None, None, None),
        (2025, 1, 2, Decimal("0.00"), None, None, None),  # against 2024 TW IV
        (2025, 2, 2, Decimal("100.00"), None, None, None),
        (2025, 3, 4, Decimal("-25.00"), None, None, None),
        # 1 against 2024 TW IV's 2; omzet Rp2.653 jt against Rp90 jt.
        (2025, 4, 3, Decimal("-66.67"), 2, Decimal("-50.00"), Decimal("2847.78")),
    ]


def test_every_level_has_its_own_totals(umkm_env):
    rows = umkm_env.query(
        "SELECT tingkat, kode_kab_kota, sektor, jumlah_aktif, jumlah_keluar, produksi_ton_ytd, "
        "pct_pertumbuhan_qoq FROM marts.umkm_binaan_triwulan WHERE tahun = 2025 AND triwulan = 3 "
        "ORDER BY tingkat, kode_kab_kota NULLS FIRST, sektor NULLS FIRST")
    assert rows == [
        ("kota", "31.73", None, 2, 1, Decimal("0.967"), Decimal("0.00")),   # B, E; A left
        ("kota", "31.74", None, 1, 1, Decimal("0.280"), Decimal("-50.00")),   # C; D left
        ("kota_sektor", "31.73", "Olahan Pangan", 1, 0, Decimal("0.350"), Decimal("0.00")),
        ("kota_sektor", "31.73", "Perikanan", 1, 1, Decimal("0.617"), Decimal("0.00")),
        ("kota_sektor", "31.74", "Lainnya", 0, 1, Decimal("0.080"), Decimal("-100.00")),
        ("kota_sektor", "31.74", "Pertanian Perkotaan", 1, 0, Decimal("0.200"), Decimal("0.00")),
        ("provinsi", None, None, 3, 2, Decimal("1.247"), Decimal("-25.00")),
        ("sektor", None, "Lainnya", 0, 1, Decimal("0.080"), Decimal("-100.00")),
        ("sektor", None, "Olahan Pangan", 1, 0, Decimal("0.350"), Decimal("0.00")),
        ("sektor", None, "Perikanan", 1, 1, Decimal("0.617"), Decimal("0.00")),
        ("sektor", None, "Pertanian Perkotaan", 1, 0, Decimal("0.200"), Decimal("0.00")),
    ]


def test_groups_unknown_sectors_and_size_classes(umkm_env):
    rows = umkm_env.query(PROVINSI.format(
        "jumlah_kelompok, jumlah_anggota_kelompok, jumlah_kelompok_tanpa_jumlah_anggota, "
        "sektor_lainnya, jumlah_mikro, jumlah_kecil"))
    assert rows == [
        (2024, 4, 0, 0, 0, None, 2, 0),
        (2025, 1, 1, 12, 0, None, 2, 0),
        (2025, 2, 2, 12, 1, "Olahan Mangrove", 4, 0),
        # E: Rp2,52 M by TW III annualises to Rp3,36 M: kecil.
        (2025, 3, 1, 12, 0, None, 2, 1),
        (2025, 4, 1, 12, 0, None, 1, 0),
    ]
    staged = umkm_env.query(
        "SELECT sektor, sektor_asli, is_kelompok, nama_kelompok, jumlah_anggota "
        "FROM staging.kpkp_roster WHERE tahun = 2025 AND triwulan = 2 ORDER BY _source_row")
    assert staged == [("Perikanan", None, False, None, None),
                      ("Olahan Pangan", None, False, None, None),
                      ("Pertanian Perkotaan", None, True, "KWT Melati", 12),
                      ("Lainnya", "Olahan Mangrove", True, "Poklahsar Bakau", None)]


def test_warn_checks_list_the_other_sector_and_the_implausible_row(umkm_env):
    rows = umkm_env.query(
        "SELECT aturan, severity, lulus, jumlah_baris_gagal, keterangan FROM marts.data_quality "
        "WHERE dataset = 'kpkp_roster' AND jenis = 'pemeriksaan_tabel' "
        "AND aturan IN ('sektor_known', 'omzet_per_kg_plausible') ORDER BY aturan")
    assert [r[:4] for r in rows] == [("omzet_per_kg_plausible", "WARN", False, 1),
                                     ("sektor_known", "WARN", False, 1)]
    # Title row 1, header row 3: E is the 3rd data row of TW III (row 6), D the 4th of TW II.
    assert "binaan_2025_tw3.xlsx 6 (" in rows[0][4]
    assert "omzet_rp_ytd=2520000000" in rows[0][4]
    assert "binaan_2025_tw2.xlsx 7 (" in rows[1][4] and "Olahan Mangrove" in rows[1][4]


def hashed(nik: str) -> str:
    return hmac.new(TEST_PII_KEY.encode(), nik.encode(), hashlib.sha256).hexdigest()


def test_mentored_business_on_ekatalog_matched_by_nib_or_npwp(umkm_env):
    rows = umkm_env.query(
        "SELECT tahun, triwulan, pelaku_usaha_id, kode_kab_kota, sektor, dasar_pencocokan, "
        "jumlah_paket, nilai_rp FROM marts.umkm_ekatalog ORDER BY ALL")
    assert rows == [
        (2025, 1, hashed(N1), "31.73", "Perikanan", "NIB", 2, Decimal("15000000.00")),
        (2025, 2, hashed(N3), "31.74", "Pertanian Perkotaan", "NPWP", 1, Decimal("8000000.00")),
    ]


def test_bad_roster_rows_are_quarantined_without_revealing_the_nik(umkm_env):
    # Title on sheet row 1, header on row 3, so the 5th and 6th data rows are rows 8 and 9.
    rows = umkm_env.query(
        "SELECT _source_file, _source_row, column_name, rule, offending_value "
        "FROM quarantine.kpkp_roster ORDER BY _source_row, column_name")
    assert rows == [
        ("binaan_2025_tw2.xlsx", 8, "NIK", "nik_not_16_digits", "shape 99999999"),
        ("binaan_2025_tw2.xlsx", 9, "Kota", "not_a_dki_kota", "Kab. Bandung"),
    ]


def test_no_nik_name_or_phone_is_stored_anywhere_in_the_warehouse(umkm_env):
    secrets = [N1, N3, NIK_B, NIK_D, NIK_E, "31730112", "3173011203850099", *PERSON_NAMES, *PHONES,
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


def test_olahan_series_shape_beside_the_published_one(umkm_env):
    rows = umkm_env.query(
        "SELECT sumber, tahun, triwulan, nilai, pct_dari_tw3 FROM marts.umkm_seri_publikasi "
        "WHERE kolom = 'produksi_olahan_ton_ytd' ORDER BY sumber DESC, tahun, triwulan")
    assert rows == [
        # 97,08 t by TW II 2023 is 68,32 % of 142,09 t by TW III (reference_data).
        ("publikasi", 2023, 2, Decimal("97.080"), Decimal("68.32")),
        ("publikasi", 2023, 3, Decimal("142.090"), Decimal("100.00")),
        ("pipeline", 2024, 4, Decimal("0.500"), None),  # 2024 has no TW III roster
        ("pipeline", 2025, 1, Decimal("0.050"), Decimal("7.94")),
        ("pipeline", 2025, 2, Decimal("0.400"), Decimal("63.49")),
        ("pipeline", 2025, 3, Decimal("0.630"), Decimal("100.00")),
        ("pipeline", 2025, 4, Decimal("0.680"), Decimal("107.94")),
    ]
