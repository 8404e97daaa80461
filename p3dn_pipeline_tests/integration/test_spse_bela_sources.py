"""The SPSE, Bela and RUP-MasterSatker exports (issue 12) through the real pipeline: hand-made
files shaped like the real Kab. Bandung exports (fixtures/spse_bela), staged and quarantined
values worked out by hand from those files."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from p3dn_pipeline_tests.conftest import TEST_PII_KEY, point_pipeline_at

pytestmark = pytest.mark.slow

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "spse_bela"
D = Decimal


@pytest.fixture(scope="module")
def loaded(tmp_path_factory, module_monkeypatch):
    env = point_pipeline_at(module_monkeypatch, tmp_path_factory.mktemp("spse_bela"))
    for path in FIXTURES.iterdir():
        shutil.copy(path, env.landing / path.name)
    result = env.materialize()
    assert result.success
    env.checks = {(tuple(e.asset_key.path), e.check_name): e.passed
                  for e in result.get_asset_check_evaluations()}
    return env


def test_every_file_is_recognised_as_its_own_dataset(loaded):
    assert loaded.query("SELECT path, status, dataset FROM raw.file_ledger ORDER BY path") == [
        ("bela_tokodaring_realisasi_2025.json", "loaded", "bela_tokodaring"),
        ("rup_master_satker_2025.json", "loaded", "sirup_master_satker"),
        ("spse_nontender_ekontrak_kontrak_2025.json", "loaded", "spse_nontender_kontrak"),
        ("spse_nontender_selesai_2025.json", "loaded", "spse_nontender_selesai"),
        ("spse_pencatatan_nontender_2025.json", "loaded", "spse_pencatatan_nontender"),
        ("spse_pencatatan_nontender_realisasi_2025.json", "loaded",
         "spse_pencatatan_nontender_realisasi"),
        ("spse_pencatatan_swakelola_2025.csv", "loaded", "spse_pencatatan_swakelola"),
        ("spse_pencatatan_swakelola_realisasi_2025.json", "loaded",
         "spse_pencatatan_swakelola_realisasi"),
        ("spse_tender_ekontrak_kontrak_2025.csv", "loaded", "spse_tender_kontrak"),
        ("spse_tender_selesai_nilai_2025.json", "loaded", "spse_tender_selesai")]


def test_tender_values_as_strings_and_numbers_type_alike_and_null_stays_null(loaded):
    assert loaded.query(
        "SELECT kd_tender, kd_klpd, kd_satker_str, kd_rup, pagu_rp, hps_rp, nilai_kontrak_rp, "
        "nilai_pdn_kontrak_rp, nilai_umk_kontrak_rp, kd_penyedia, tgl_penetapan_pemenang, "
        "tanggal_data FROM staging.spse_tender_selesai ORDER BY kd_tender") == [
        (90000001000, "D107", "1.03.2.15.1.04.03.0000", 60000001, D("1500000000.00"),
         D("1499321187.61"), D("1269963504.15"), D("1269963504.15"), None, 5997014,
         _date("2025-04-11"), _date("2025-10-03")),
        (90000002000, "D107", "1.03.2.15.1.04.03.0000", 60000002, D("1500000000.00"),
         D("1499321187.61"), D("571980579.09"), None, None, 5997014, _date("2025-04-11"),
         _date("2025-10-03")),
        # not contracted yet: every value NULL, never 0
        (90000003000, "D107", "1.03.2.15.1.04.03.0000", 60000003, D("1500000000.00"),
         D("1499321187.61"), None, None, None, None, _date("2025-09-30"), _date("2025-10-03")),
        # another government's row keeps its own kd_klpd; its dotted kd_satker is kd_satker_str
        (90000004000, "B154", "1.02.0.00.0.00.02.0066", 60000004, D("1500000000.00"),
         D("1499321187.61"), D("879354700.00"), D("879354700.00"), D("879354700.00"), 5997014,
         _date("2025-04-11"), _date("2025-10-03")),
        # "60000005,60000005" is one code
        (90000005000, "D107", "1.03.2.15.1.04.03.0000", 60000005, D("1500000000.00"),
         D("1499321187.61"), D("100000000.00"), D("90000000.00"), D("100000000.00"), 5997014,
         _date("2025-04-11"), _date("2025-10-03"))]
    assert loaded.query(
        "SELECT _source_row, column_name, rule, offending_value FROM quarantine.spse_tender_selesai "
        "ORDER BY _source_row") == [(6, "nilai_kontrak", "negative_amount", "-5000000"),
                                    (7, "kd_rup_paket", "not_a_number", "6000000X")]


def test_nontender_selesai_flags_selesai_rows_and_keeps_missing_values_null(loaded):
    assert loaded.query(
        "SELECT kd_nontender, kd_rup, status_nontender, is_selesai, nilai_kontrak_rp, "
        "nilai_pdn_kontrak_rp, nilai_umk_kontrak_rp, tgl_selesai, tanggal_data "
        "FROM staging.spse_nontender_selesai ORDER BY kd_nontender") == [
        (91000001000, 55940376, "Selesai", True, D("99816750.00"), D("99816750.00"),
         D("99816750.00"), _date("2025-03-05"), _date("2025-10-03")),
        # a PDN value of 0 is a known 0, not unknown
        (91000002000, 59706419, "Selesai", True, D("68986500.00"), D("0.00"), D("68986500.00"),
         _date("2025-03-05"), _date("2025-10-03")),
        (91000003000, 60479341, "Berlangsung", False, None, None, None, _date("2025-10-10"),
         _date("2025-10-03")),
        # " Selesai " is Selesai; LKPP gives no value yet
        (91000004000, 60354946, "Selesai", True, None, None, None, _date("2025-03-05"),
         _date("2025-10-03"))]


def test_several_contracts_per_selection_and_the_latest_addendum(loaded):
    assert loaded.query(
        "SELECT kd_tender, no_kontrak, status_kontrak, nilai_kontrak_rp, kd_penyedia, "
        "versi_addendum, tgl_kontrak FROM staging.spse_tender_kontrak "
        "ORDER BY kd_tender, no_kontrak") == [
        (90000001000, "602.1/01/KTR/DPUTR/2025", "Kontrak Sedang Berjalan", D("1000000000.00"),
         5997014, 0, _date("2025-04-21")),
        (90000001000, "602.1/02/KTR/DPUTR/2025", "Kontrak Selesai", D("269963504.15"), 5997014,
         0, _date("2025-04-21")),
        (90000002000, "602.1/03/KTR/DPUTR/2025", "Kontrak Sedang Berjalan", D("560000000.00"),
         287763009, 1, _date("2025-04-21"))]
    assert loaded.query("SELECT _source_row, rule FROM quarantine.spse_tender_kontrak") == [
        (4, "duplicate_key")]
    # Non-tender contracts: no kd_penyedia in the export.
    assert loaded.query(
        "SELECT kd_nontender, nilai_kontrak_rp, kd_penyedia FROM staging.spse_nontender_kontrak "
        "ORDER BY no_kontrak") == [(91000001000, D("99816750.00"), None),
                                   (91000002000, D("30000000.00"), None),
                                   (91000002000, D("38986500.00"), None)]


def test_a_contract_value_that_differs_from_the_selections_is_listed_in_a_check(loaded):
    # Tender 90000001000: 1.000.000.000 + 269.963.504,15 = its nilai_kontrak. Tender
    # 90000002000: the addendum lowered the contract to 560.000.000, the selection says
    # 571.980.579,09. Non-tender 91000002000: 30.000.000 + 38.986.500 = 68.986.500.
    assert loaded.checks[(("staging", "spse_tender_kontrak"), "nilai_kontrak_as_selection")] \
        is False
    assert loaded.checks[(("staging", "spse_nontender_kontrak"), "nilai_kontrak_as_selection")] \
        is True
    con = loaded.connect()
    try:
        from p3dn_pipeline.defs.spse.source import SOURCE
        from p3dn_pipeline.lib.quality import validate_table

        staged = next(s for s in SOURCE.staged if s.name == "spse_tender_kontrak")
        rule = next(r for r in staged.rules if r.name == "nilai_kontrak_as_selection")
        (result,) = validate_table(con, "staging.spse_tender_kontrak", [rule])
    finally:
        con.close()
    assert result.unexpected_count == 1
    assert [(s["kd_tender"], s["sum_nilai_kontrak_rp"],
             s["staging.spse_tender_selesai.nilai_kontrak_rp"]) for s in result.samples] == [
        (90000002000, D("560000000.00"), D("571980579.09"))]


def test_pencatatan_splits_kd_rup_and_flags_cancellations(loaded):
    assert loaded.query(
        "SELECT kd_nontender_pct, kd_rup_list, kd_rup, mtd_pemilihan, total_realisasi_rp, "
        "nilai_pdn_rp, nilai_umk_rp, status_ket, is_dibatalkan "
        "FROM staging.spse_pencatatan_nontender ORDER BY kd_nontender_pct") == [
        (92000001000, [45828523, 60832782], None, "Pengadaan Langsung", D("849400.00"),
         D("849400.00"), D("849400.00"), "Paket Selesai", False),
        (92000002000, [54114220], 54114220, "Pengadaan Langsung", D("158989300.00"), D("0.00"),
         D("0.00"), "Paket Dibatalkan", True),
        (92000003000, [54752045], 54752045, "Pengadaan Langsung", D("29500000.50"), None,
         D("29500000.50"), "Paket Sedang Berjalan", False),
        # "54607139 ; 54607139;" is one code
        (92000004000, [54607139], 54607139, "Pengadaan Langsung", D("3654500.00"),
         D("3654500.00"), D("0.00"), "Paket Selesai", False)]
    assert loaded.query(
        "SELECT kd_swakelola_pct, kd_rup_list, kd_rup, total_realisasi_rp, is_dibatalkan "
        "FROM staging.spse_pencatatan_swakelola ORDER BY kd_swakelola_pct") == [
        (93000001000, [40488811], 40488811, D("3440000.00"), False),
        (93000002000, [39589521], 39589521, D("3600000.00"), True),
        (93000003000, None, None, D("2000000.00"), False)]


def test_a_payment_listed_once_per_kd_rup_is_staged_once(loaded):
    assert loaded.query(
        "SELECT kd_nontender_pct, kd_rup, jenis_realisasi, no_realisasi, tgl_realisasi, "
        "nilai_realisasi_rp FROM staging.spse_pencatatan_nontender_realisasi "
        "ORDER BY tgl_realisasi") == [
        (92000001000, 60832782, "Kwitansi", "BKU_204", _date("2025-01-19"), D("849400.00")),
        (92000003000, 54752045, "Surat Perjanjian", "602.1/04/SPK/2025", _date("2025-03-01"),
         D("20000000.00")),
        (92000003000, 54752045, "Kwitansi", None, _date("2025-04-01"), D("9500000.50"))]
    assert loaded.query(
        "SELECT _source_row, rule FROM quarantine.spse_pencatatan_nontender_realisasi") == [
        (1, "duplicate_key")]
    assert loaded.query(
        "SELECT kd_swakelola_pct, kd_rup, nilai_realisasi_rp "
        "FROM staging.spse_pencatatan_swakelola_realisasi ORDER BY kd_swakelola_pct") == [
        (93000001000, None, D("3440000.00")), (93000003000, None, D("1000000.00"))]
    assert loaded.query(
        "SELECT _source_row, rule FROM quarantine.spse_pencatatan_swakelola_realisasi "
        "ORDER BY _source_row") == [(1, "duplicate_key"), (2, "duplicate_key")]
    # 92000003000: 20.000.000 + 9.500.000,50 = its total_realisasi; 93000003000: 1.000.000
    # of 2.000.000 paid.
    checks = loaded.checks
    assert checks[(("staging", "spse_pencatatan_nontender_realisasi"),
                   "payments_add_up_to_total_realisasi")] is True
    assert checks[(("staging", "spse_pencatatan_swakelola_realisasi"),
                   "payments_add_up_to_total_realisasi")] is False


def test_toko_daring_counts_only_verified_and_selesai_orders(loaded):
    assert loaded.query(
        "SELECT marketplace, order_id, kd_satker, tahun_anggaran, valuasi_rp, tanggal_transaksi, "
        "status_verif, status_konfirmasi_ppmse, is_selesai, merchant_name, tanggal_data "
        "FROM staging.bela_tokodaring ORDER BY marketplace, order_id") == [
        ("Blibli", "4397296", 60442, 2025, D("2500000.50"), _date("2025-07-01"), "verified",
         "selesai", True, None, None),
        ("mbiz market", "4397276", 60442, 2025, D("74999999.00"), _date("2025-06-14"),
         "verified", "gagal", False, None, None),
        ("mbiz market", "4397277", 60442, 2025, D("1000000.00"), _date("2025-06-14"),
         "unverified", "selesai", False, None, None),
        ("mbiz market", "4397296", 60442, 2025, D("75000000.00"), _date("2025-06-14"),
         "verified", "selesai", True, "Toko Contoh", None)]
    assert loaded.query("SELECT _source_row, rule FROM quarantine.bela_tokodaring") == [
        (1, "duplicate_key")]


def test_sub_units_roll_up_to_their_skpd(loaded):
    assert loaded.query(
        "SELECT kd_satker, kd_satker_str, kd_satker_str_induk, is_sub_unit "
        "FROM staging.sirup_master_satker ORDER BY kd_satker_str") == [
        (60414, "1.02.0.00.0.00.02.0000", "1.02.0.00.0.00.02.0000", False),
        (152501, "1.02.0.00.0.00.02.0066", "1.02.0.00.0.00.02.0000", True),
        (152502, "1.02.0.00.0.00.02.0101", "1.02.0.00.0.00.02.0000", True),
        (60442, "4.01.0.00.0.00.24.0000", "4.01.0.00.0.00.24.0000", False)]


def test_personal_fields_are_hashed_or_never_read(loaded):
    import hashlib
    import hmac

    def hashed(digits: str) -> str:
        return hmac.new(TEST_PII_KEY.encode(), digits.encode(), hashlib.sha256).hexdigest()

    assert loaded.query(
        "SELECT npwp_penyedia_hash, npwp_16_penyedia_hash FROM staging.spse_tender_selesai "
        "WHERE kd_tender = 90000002000") == [(hashed("023456789012000"),
                                              hashed("3204015506880002"))]
    assert loaded.query("SELECT DISTINCT nip_ppk_hash FROM raw.spse_tender_kontrak") == [
        (hashed("198001012005011001"),)]
    assert loaded.query("SELECT DISTINCT npwp_pelaksana_hash "
                        "FROM raw.spse_pencatatan_swakelola_realisasi") == [
        (hashed("3204018808920005"),)]
    dropped = {"nama_ppk", "jabatan_ppk", "no_sk_ppk", "wakil_sah_penyedia",
               "jabatan_wakil_penyedia", "no_rek_bank", "nama_pemilik_rek_bank", "nama_pemesan",
               "nama_pelaksana", "nama_penyedia", "alamat", "telepon", "nip_ppk",
               "npwp_penyedia", "npwp_16_penyedia", "npwp16_penyedia", "npwp_pelaksana"}
    columns = {c for (c,) in loaded.query(
        "SELECT column_name FROM duckdb_columns() WHERE schema_name IN ('raw', 'staging') "
        "AND (table_name LIKE 'spse%' OR table_name LIKE 'bela%' OR table_name LIKE "
        "'sirup_master%')")}
    assert columns & dropped == set()


def _date(text: str):
    from datetime import date

    return date.fromisoformat(text)
