"""Business matching, e-Order, e-commerce and one view of where cohort UMKM sell, on hand-made
exports (CSV and XLSX) whose every figure is worked out here.

Cohort businesses (NIK N1/N2 are owners; NPWP-16 of a sole proprietor is the NIK):
- U1: KPKP roster (N1, NIB 1111111111111, 31.73 Perikanan), business matching (NIB + NIK),
  e-Order JP-1 (NIB). Sells on e-katalog as vendor 7001 (NIB and NPWP-16 = N1: matched on
  two keys) and as vendor 7004 (NIB only: a second vendor record of the same business).
- U2: KPKP roster (N2, no NIB, 31.74 Olahan Pangan), business matching (NIK only); e-katalog
  vendor 7002 with NPWP-16 = N2 (matched on NPWP).
- U3: business matching only (NIB 3333333333333).
- U4: e-Order JP-2 (NPWP 01.234.567.8-901.000 only); U5: e-Order JP-3 (NIB 4444444444444).

e-katalog 2025 (v6, SiRUP mini_p3dn): O1 7001 R1 10 jt (Feb), O2 7002 R2 8 jt (May),
O3 7003 (NIB 9999999999999, no cohort) R1 20 jt (Mar), O4 7004 R2 3 jt (Mar).
Business matching batch 4 (20 Jan 2025), SKPD A = 2.09.3.25.0.00.10.0000, B = 1.02...:
  r1 U1, A, Perikanan, 30 jt, Transaksi, Kode Paket = O1      -> realised O1 10 jt
  r2 U2, A, Olahan Pangan, 20 jt, Transaksi, Kode RUP 22222222 -> O2 (same seller) 8 jt
  r3 U3, A, Perikanan, 5 jt, Transaksi, Kode RUP 11111111     -> R1 was sold by others: none
  r4 U3, B, Perikanan, 15 jt, Ketertarikan
  r5 a 15-digit NIK Pemilik: quarantined
  r6 U1, A, Perikanan, another product, 10 jt, Transaksi, Kode Paket = O1 again: the same
     package, counted once in the group
e-Order: EO1 U1 R1 5 jt Selesai (Apr); EO2 U4 R5 (SKPD B in SiRUP) 7 jt Selesai (May);
  EO3 U1 4 jt Dibatalkan (not counted); EO4 U5, Kode RUP not in SiRUP, 60 jt Selesai (Jun,
  over the Rp50 juta limit: WARN); EO5 U5 again, no NIB or NPWP, only its ID Jakpreneur JP-3,
  2 jt Selesai (Jun): matched by the Jakpreneur ID.
e-commerce: Jan Tokopedia U1 10 trx 3 jt; Feb Shopee U3 5 trx 2 jt; Feb Shopee without NIB
  1 trx 1 jt; Mar Shopee NIB 5555555555555 (no cohort) 2 trx 4 jt.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
import xlsxwriter

from p3dn_pipeline_tests.integration.test_umkm_marts import roster_row, write_roster

pytestmark = pytest.mark.slow

FIXTURES = Path(__file__).parent.parent / "fixtures" / "mini_p3dn"
N1, N2 = "3173014501900001", "3174015502880002"
NIK_15 = "317301450190000"
NPWP_U4 = "01.234.567.8-901.000"
SKPD_A, SKPD_B = "2.09.3.25.0.00.10.0000", "1.02.0.00.0.00.01.0000"
OWNERS = ["Rahmat Hidayat", "Sri Wahyuni", "Bambang Irawan", "Ani Suryani"]
PHONES = ["0812-7777-1111", "0813-7777-2222"]
O = {n: f"01ORDER00000000000000000B{n}" for n in (1, 2, 3, 4)}

BM_HEADER = ["No", "Batch", "Tanggal", "Nama Usaha", "NIB", "NPWP", "NIK Pemilik",
             "Nama Pemilik", "No HP", "Sektor", "Produk", "TKDN (%)", "Kode SKPD", "SKPD Pembeli",
             "Nilai Ketertarikan (Rp)", "Tindak Lanjut", "Kode RUP", "Kode Paket"]


def _bm_rows():
    return [
        [1, "Batch 4", "20 Januari 2025", "CV Ikan Segar", "1111111111111", "", N1, OWNERS[0],
         PHONES[0], "Perikanan", "Ikan lele", "45,5", SKPD_A, "DINAS KPKP", "Rp 30.000.000",
         "Transaksi", "", O[1][0:]],
        [2, "Batch 4", "20 Januari 2025", "Keripik Bu Sri", "", "", N2, OWNERS[1], PHONES[1],
         "Olahan Pangan", "Keripik", "60", SKPD_A, "DINAS KPKP", "20.000.000", "transaksi",
         "22222222", ""],
        [3, "Batch 4", "20 Januari 2025", "UD Laut Biru", "3333333333333", "", "", OWNERS[2],
         "", "Perikanan", "Ikan asin", "", SKPD_A, "DINAS KPKP", "5000000", "Transaksi",
         "11111111", ""],
        [4, "Batch 4", "20 Januari 2025", "UD Laut Biru", "3333333333333", "", "", OWNERS[2],
         "", "Perikanan", "Ikan asin", "", SKPD_B, "DINAS KESEHATAN", "15.000.000",
         "Ketertarikan", "", ""],
        [5, "Batch 4", "20 Januari 2025", "Usaha Lima", "", "", NIK_15, OWNERS[3], "",
         "Kerajinan", "Tas", "", SKPD_B, "DINAS KESEHATAN", "1.000.000", "Negosiasi", "", ""],
        [6, "Batch 4", "20 Januari 2025", "CV Ikan Segar", "1111111111111", "", N1, OWNERS[0],
         PHONES[0], "Perikanan", "Ikan nila", "", SKPD_A, "DINAS KPKP", "10.000.000",
         "Transaksi", "", O[1]],
    ]


@pytest.fixture(scope="module")
def penjualan_env(tmp_path_factory, module_monkeypatch):
    from p3dn_pipeline_tests.conftest import point_pipeline_at

    root = tmp_path_factory.mktemp("penjualan")
    env = point_pipeline_at(module_monkeypatch, root)
    landing = env.landing
    for name in ("sirup_paket.json", "struktur_anggaran.json"):
        shutil.copy(FIXTURES / name, landing / name)
    write_roster(landing / "binaan_2025_tw1.xlsx", "TW I 2025", [
        roster_row(1, N1, "1111111111111", ("Jakarta Barat", "Cengkareng", "Cengkareng Barat"),
                   "Perikanan", dt.date(2025, 1, 5), 100, 10000000),
        roster_row(2, N2, None, ("Jakarta Selatan", "Tebet", "Tebet Timur"), "Olahan Pangan",
                   dt.date(2025, 1, 6), 50, 5000000, "Olahan"),
    ])
    json.dump([
        {"kd_penyedia": 5001, "nama_penyedia": "CV IKAN SEGAR", "kode_penyedia_sikap": 7001,
         "penyedia_ukm": "UKM", "nib": "1111111111111", "npwp_16": N1},
        {"kd_penyedia": 5002, "nama_penyedia": "KERIPIK SRI", "kode_penyedia_sikap": 7002,
         "penyedia_ukm": "UKM", "nib": None, "npwp_16": N2},
        {"kd_penyedia": 5003, "nama_penyedia": "PT BESAR", "kode_penyedia_sikap": 7003,
         "penyedia_ukm": "NON UKM", "nib": "9999999999999", "npwp_16": "0099999999999000"},
        {"kd_penyedia": 5004, "nama_penyedia": "CV. IKAN SEGAR", "kode_penyedia_sikap": 7004,
         "penyedia_ukm": "UKM", "nib": "1111111111111", "npwp_16": None},
    ], (landing / "penyedia.json").open("w"))
    orders = [(O[1], 7001, "11111111", 10000000, "2025-02-03"),
              (O[2], 7002, "22222222", 8000000, "2025-05-06"),
              (O[3], 7003, "11111111", 20000000, "2025-03-01"),
              (O[4], 7004, "22222222", 3000000, "2025-03-10")]
    json.dump([{
        "tahun_anggaran": 2025, "kd_klpd": "DKI", "kd_satker_str": SKPD_A, "kd_paket": kd_paket,
        "kd_rup": kd_rup, "product_ids": "uuid-z", "kd_penyedia_v6": "01JHKT4BFAVEMPVFWSNK1BQ4F6",
        "kd_penyedia_sikap": sikap, "total_harga": total, "tgl_order": tgl,
        "status_pkt": "COMPLETED",
    } for kd_paket, sikap, kd_rup, total, tgl in orders], (landing / "orders.json").open("w"))

    workbook = xlsxwriter.Workbook(str(landing / "business_matching_batch_4.xlsx"))
    sheet = workbook.add_worksheet("Batch 4")
    sheet.write(0, 0, "REKAP BUSINESS MATCHING BATCH 4")
    sheet.write_row(2, 0, BM_HEADER)
    for offset, row in enumerate(_bm_rows()):
        sheet.write_row(3 + offset, 0, row)
    workbook.close()

    with (landing / "eorder_2025.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, delimiter=";")
        writer.writerow(["No Order", "Tanggal Order", "Kode RUP", "Kode SKPD", "Nama SKPD",
                         "Nama Usaha", "NIB", "NPWP", "ID Jakpreneur", "Nama Pemilik",
                         "Nilai Order (Rp)", "Status"])
        writer.writerow(["EO-1", "10 April 2025", "11111111", SKPD_A, "DINAS KPKP",
                         "CV Ikan Segar", "1111111111111", "", "JP-1", OWNERS[0],
                         "5.000.000", "Selesai"])
        writer.writerow(["EO-2", "01/05/2025", "55555555", "", "", "Toko Empat", "",
                         NPWP_U4, "JP-2", OWNERS[3], "Rp 7.000.000", "Selesai"])
        writer.writerow(["EO-3", "2025-05-02", "11111111", SKPD_A, "DINAS KPKP",
                         "CV Ikan Segar", "1111111111111", "", "JP-1", OWNERS[0],
                         "4.000.000", "Dibatalkan"])
        writer.writerow(["EO-4", "2025-06-15", "99999999", "X.KODE", "SKPD X", "Toko Lima",
                         "4444444444444", "", "JP-3", "", "60.000.000", "selesai"])
        writer.writerow(["EO-5", "2025-06-20", "99999999", "X.KODE", "SKPD X", "Toko Lima",
                         "", "", "JP-3", "", "2.000.000", "Selesai"])

    with (landing / "ecommerce_2025.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, delimiter=";")
        writer.writerow(["Bulan", "Platform", "Nama Usaha", "NIB", "Jumlah Transaksi",
                         "Nilai Penjualan (Rp)", "Kategori"])
        writer.writerow(["Januari 2025", "Tokopedia", "CV Ikan Segar", "1111111111111", "10",
                         "3.000.000", "Makanan"])
        writer.writerow(["2025-02", "Shopee", "UD Laut Biru", "3333333333333", "5",
                         "2.000.000", "Makanan"])
        writer.writerow(["2025-02", "Shopee", "Toko X", "", "1", "1.000.000", "Kerajinan"])
        writer.writerow(["Maret 2025", "Shopee", "Toko Y", "5555555555555", "2",
                         "4.000.000", "Kerajinan"])
    env.materialize()
    return env


def test_business_matching_conversion_with_its_basis(penjualan_env):
    rows = penjualan_env.query(
        "SELECT batch, tahun, kode_skpd_pembeli, sektor, jumlah_umkm, jumlah_pernyataan_minat, "
        "nilai_ketertarikan_rp, jumlah_transaksi_dilaporkan, jumlah_minat_terealisasi, "
        "jumlah_transaksi_tanpa_realisasi, jumlah_paket_realisasi, nilai_realisasi_rp, "
        "kanal_realisasi, pct_realisasi_terhadap_minat FROM marts.business_matching ORDER BY ALL")
    assert rows == [
        (4, 2025, SKPD_B, "Perikanan", 1, 1, Decimal("15000000.00"), 0, 0, 0, 0, Decimal("0"),
         None, Decimal("0.00")),
        (4, 2025, SKPD_A, "Olahan Pangan", 1, 1, Decimal("20000000.00"), 1, 1, 0, 1,
         Decimal("8000000.00"), "ekatalog", Decimal("40.00")),
        # O1 is named by r1 and r6: 10 jt once, over 30 + 5 + 10 jt of interest.
        (4, 2025, SKPD_A, "Perikanan", 2, 3, Decimal("45000000.00"), 3, 2, 1, 1,
         Decimal("10000000.00"), "ekatalog", Decimal("22.22")),
    ]
    basis = penjualan_env.query("SELECT DISTINCT dasar FROM marts.business_matching")
    assert all("business_matching_batch_4.xlsx" in b and "penyebut" in b for (b,) in basis)
    quarantined = penjualan_env.query(
        "SELECT _source_row, column_name, rule, offending_value "
        "FROM quarantine.business_matching_batch ORDER BY column_name")
    # The malformed NIK leaves the row with no identifier at all: both are said.
    assert quarantined == [(8, "NIB", "no_business_identifier", None),
                           (8, "NIK Pemilik", "nik_not_16_digits", "shape " + "9" * 15)]


def test_eorder_joins_sirup_and_is_a_realisation_channel(penjualan_env):
    rows = penjualan_env.query(
        "SELECT kd_paket, kd_rup, kd_satker_str, nilai_rp, nilai_pdn_rp, nilai_umk_rp "
        "FROM marts.p3dn_realisasi_paket WHERE kanal = 'eorder' ORDER BY kd_paket")
    assert rows == [
        ("EO-1", 11111111, SKPD_A, Decimal("5000000.00"), None, None),
        ("EO-2", 55555555, SKPD_B, Decimal("7000000.00"), None, None),   # SKPD from SiRUP
        ("EO-4", 99999999, "X.KODE", Decimal("60000000.00"), None, None),  # not in SiRUP
        ("EO-5", 99999999, "X.KODE", Decimal("2000000.00"), None, None),
    ]
    kanal = penjualan_env.query(
        "SELECT jumlah_paket, realisasi_rp, realisasi_pdn_rp, realisasi_pdn_tidak_diketahui_rp "
        "FROM marts.p3dn_realisasi_kanal WHERE kanal = 'eorder'")
    assert kanal == [(4, Decimal("74000000.00"), Decimal("0"), Decimal("74000000.00"))]
    check = penjualan_env.query(
        "SELECT lulus, jumlah_baris_gagal FROM marts.data_quality "
        "WHERE dataset = 'eorder_pesanan' AND aturan = 'nilai_order_at_most_50_juta'")
    assert check == [(False, 1)]


def test_cohort_businesses_are_matched_across_sources_by_nib_or_npwp(penjualan_env):
    rows = penjualan_env.query(
        "SELECT is_binaan_kpkp, is_peserta_business_matching, is_jakpreneur, kode_kab_kota, "
        "sektor, jumlah_rekaman FROM marts.umkm_pelaku ORDER BY ALL")
    assert rows == [
        (False, False, True, "(tidak diketahui)", "(tidak diketahui)", 1),   # U4
        (False, False, True, "(tidak diketahui)", "(tidak diketahui)", 1),   # U5
        (False, True, False, "(tidak diketahui)", "Perikanan", 1),           # U3
        (True, True, False, "31.74", "Olahan Pangan", 2),                    # U2
        (True, True, True, "31.73", "Perikanan", 3),                         # U1
    ]


def test_match_shares_per_source(penjualan_env):
    rows = penjualan_env.query(
        "SELECT kanal, jumlah_penjualan, jumlah_cocok_nib, jumlah_cocok_npwp, "
        "jumlah_cocok_id_jakpreneur, jumlah_tidak_cocok, jumlah_tanpa_kunci, pct_penjualan_cocok, "
        "jumlah_umkm_cocok, nilai_cocok_rp, nilai_rp FROM marts.umkm_pencocokan ORDER BY kanal")
    assert rows == [
        ("business_matching", 1, 1, 0, 0, 0, 0, Decimal("100.00"), 1, Decimal("5000000.00"),
         Decimal("5000000.00")),
        ("ecommerce", 4, 2, 0, 0, 1, 1, Decimal("50.00"), 2, Decimal("5000000.00"),
         Decimal("10000000.00")),
        ("ekatalog", 4, 2, 1, 0, 1, 0, Decimal("75.00"), 2, Decimal("21000000.00"),
         Decimal("41000000.00")),
        ("eorder", 4, 2, 1, 1, 0, 0, Decimal("100.00"), 3, Decimal("74000000.00"),
         Decimal("74000000.00")),
    ]


def test_where_cohort_umkm_sell_counts_each_sale_once(penjualan_env):
    rows = penjualan_env.query(
        "SELECT tahun, triwulan, kanal, sektor, kode_kab_kota, is_binaan_kpkp, "
        "is_peserta_business_matching, is_jakpreneur, jumlah_umkm, jumlah_transaksi, nilai_rp, "
        "nilai_dinyatakan_rp FROM marts.umkm_penjualan_pdn ORDER BY ALL")
    unknown = "(tidak diketahui)"
    assert rows == sorted([
        (2025, 1, "business_matching", "Perikanan", unknown, False, True, False, 1, 1,
         Decimal("5000000.00"), Decimal("5000000.00")),
        (2025, 1, "ecommerce", "Perikanan", "31.73", True, True, True, 1, 10,
         Decimal("3000000.00"), Decimal("0")),
        (2025, 1, "ecommerce", "Perikanan", unknown, False, True, False, 1, 5,
         Decimal("2000000.00"), Decimal("0")),
        # O1 (vendor 7001, matched on NIB and NPWP) and O4 (vendor 7004): one business, two
        # sales, each once.
        (2025, 1, "ekatalog", "Perikanan", "31.73", True, True, True, 1, 2,
         Decimal("13000000.00"), Decimal("0")),
        (2025, 2, "ekatalog", "Olahan Pangan", "31.74", True, True, False, 1, 1,
         Decimal("8000000.00"), Decimal("0")),
        (2025, 2, "eorder", "Perikanan", "31.73", True, True, True, 1, 1,
         Decimal("5000000.00"), Decimal("0")),
        # U4 (7 jt) and U5 (60 jt by NIB, 2 jt by its Jakpreneur ID): two businesses.
        (2025, 2, "eorder", unknown, unknown, False, False, True, 2, 3,
         Decimal("69000000.00"), Decimal("0")),
    ])


def test_no_nik_npwp_name_or_phone_from_the_new_sources_is_stored(penjualan_env):
    secrets = [N1, N2, NIK_15, NPWP_U4, "012345678901000", *OWNERS, *PHONES]
    con = penjualan_env.connect()
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
    databases = sorted(penjualan_env.warehouse.parent.glob("*.duckdb"))
    assert penjualan_env.warehouse in databases
    for path in databases:
        data = path.read_bytes()
        for secret in secrets:
            assert secret.encode() not in data, (secret, path.name)
