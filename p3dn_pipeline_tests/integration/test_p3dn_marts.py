"""P3DN marts on a hand-made mini export set (fixtures/mini_p3dn), every figure worked out
by hand in the comments below.

SKPD A (2.09.3.25.0.00.10.0000): belanja pengadaan 150 jt + 50 jt = 200 jt.
  SiRUP: R1 100 jt PDN UKM; R2 50 jt PDN; R3 30 jt Impor UKM; R4 20 jt deleted (not a
  commitment). komitmen PDN = R1 + R2 = 150 jt; komitmen UMK = R1 + R3 = 130 jt.
  e-katalog: O1 60 jt on R1; O2 25 jt on R2; O3 30 jt on R3; O4 5 jt CANCELLED; O5 7 jt on
  deleted R4; v5 package 777 = 2 x 5 jt + 1 x 2,5 jt = 12,5 jt on R2.
  realisasi PDN = 60 + 25 + 12,5 = 97,5 jt; UMK = 60 + 30 = 90 jt; all transacted =
  60 + 25 + 30 + 7 + 12,5 = 134,5 jt, of which 7 jt has no committed package.
  pct_realisasi_komitmen = 97,5 / 150 = 65,00 %; pct_pdn_belanja = 150 / 200 = 75,00 %;
  pct_umk_belanja = 130 / 200 = 65,00 %.
SKPD B (1.02.0.00.0.00.01.0000, written with a trailing space): belanja 40 jt, its only
  package is a draft, so no commitment; O6 3 jt has an unknown kd_rup.
Province: 97,5 / 150 = 65,00 %; PDN share 150 / 240 = 62,50 %; UMK share 130 / 240 = 54,17 %.
"""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent.parent / "fixtures" / "mini_p3dn"
SKPD_A = "2.09.3.25.0.00.10.0000"
SKPD_B = "1.02.0.00.0.00.01.0000"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def mini_warehouse(tmp_path_factory, module_monkeypatch):
    from p3dn_pipeline_tests.conftest import point_pipeline_at

    root = tmp_path_factory.mktemp("mini")
    shutil.copytree(FIXTURES, root / "landing")
    env = point_pipeline_at(module_monkeypatch, root)
    env.runs = env.materialize()
    return env


def skpd_row(env, kd_satker_str: str) -> dict:
    con = env.connect()
    try:
        result = con.execute("SELECT * FROM marts.p3dn_per_skpd WHERE kd_satker_str = $k",
                             {"k": kd_satker_str})
        names = [d[0] for d in result.description]
        rows = result.fetchall()
    finally:
        con.close()
    assert len(rows) == 1
    return dict(zip(names, rows[0]))


def test_skpd_commitment_counts_only_announced_active_undeleted_packages(mini_warehouse):
    row = skpd_row(mini_warehouse, SKPD_A)
    assert row["belanja_pengadaan_rp"] == Decimal("200000000.00")
    assert row["pagu_komitmen_rp"] == Decimal("180000000.00")
    assert row["komitmen_pdn_rp"] == Decimal("150000000.00")
    assert row["komitmen_umk_rp"] == Decimal("130000000.00")
    assert row["jumlah_paket_rup"] == 3


def test_skpd_realisation_sums_transacted_v5_lines_and_v6_orders_on_committed_packages(
        mini_warehouse):
    row = skpd_row(mini_warehouse, SKPD_A)
    assert row["realisasi_pdn_rp"] == Decimal("97500000.00")
    # UMK is the vendor's (Ecat-PenyediaDetail), not the plan's flag: no vendor detail here,
    # so no realised value is known to be UMK (test_p3dn_channels covers known vendors).
    assert row["realisasi_umk_rp"] == 0
    assert row["realisasi_umk_tidak_diketahui_rp"] == Decimal("134500000.00")
    assert row["realisasi_ekatalog_rp"] == Decimal("134500000.00")
    assert row["realisasi_tanpa_rup_rp"] == Decimal("7000000.00")
    assert row["jumlah_paket_ekatalog"] == 5


def test_skpd_shares_and_target_flags(mini_warehouse):
    row = skpd_row(mini_warehouse, SKPD_A)
    assert row["pct_realisasi_komitmen"] == Decimal("65.00")
    assert row["pct_pdn_belanja"] == Decimal("75.00")
    assert row["pct_umk_belanja"] == Decimal("65.00")
    assert (row["target_pct_realisasi_komitmen"], row["target_pct_pdn_belanja"],
            row["target_pct_umk_belanja"]) == (Decimal("80.00"), Decimal("95.00"),
                                               Decimal("40.00"))
    assert row["memenuhi_target_realisasi_komitmen"] is False
    assert row["memenuhi_target_pdn_belanja"] is False
    assert row["memenuhi_target_umk_belanja"] is True


def test_share_without_commitment_is_not_measurable_rather_than_zero(mini_warehouse):
    row = skpd_row(mini_warehouse, SKPD_B)
    assert row["belanja_pengadaan_rp"] == Decimal("40000000.00")
    assert row["komitmen_pdn_rp"] == 0
    assert row["pct_realisasi_komitmen"] is None
    assert row["memenuhi_target_realisasi_komitmen"] is None
    assert row["pct_pdn_belanja"] == Decimal("0.00")
    assert row["realisasi_tanpa_rup_rp"] == Decimal("3000000.00")


def test_tkdn_value_counts_an_order_only_when_every_product_has_tkdn(mini_warehouse):
    # v5 777: line 9001 (TKDN 43,56) 10 jt known and >= 25; line 9002 ('' TKDN) unknown.
    # O1: uuid-a 30 %, uuid-b 20 %: known, minimum 20 % < 25. O2: uuid-c 80 %.
    # O3 and O5 list uuid-x, which has no product detail.
    # TKDN + BMP >= 40: 9001 43,56 + 5 = 48,56 (10 jt); O1 uuid-a 30 + 15 = 45 and uuid-b
    # 20 + 20 = 40, so all of O1 (60 jt) although uuid-b's TKDN is under 25; O2 80 (25 jt).
    row = skpd_row(mini_warehouse, SKPD_A)
    assert row["realisasi_tkdn_diketahui_rp"] == Decimal("95000000.00")
    assert row["realisasi_tkdn_min_25_rp"] == Decimal("35000000.00")
    assert row["realisasi_tkdn_bmp_min_40_rp"] == Decimal("95000000.00")


def test_headline_carries_numerator_denominator_sources_and_date(mini_warehouse):
    con = mini_warehouse.connect()
    try:
        result = con.execute("SELECT * FROM marts.p3dn_provinsi")
        names = [d[0] for d in result.description]
        rows = [dict(zip(names, r)) for r in result.fetchall()]
    finally:
        con.close()
    assert len(rows) == 1
    row = rows[0]
    assert (row["kd_klpd"], row["tahun_anggaran"]) == ("DKI", 2025)
    assert row["pct_realisasi_komitmen"] == Decimal("65.00")
    assert row["pembilang_realisasi_pdn_rp"] == Decimal("97500000.00")
    assert row["penyebut_komitmen_pdn_rp"] == Decimal("150000000.00")
    assert row["pct_pdn_belanja"] == Decimal("62.50")
    assert row["pct_umk_belanja"] == Decimal("54.17")
    assert row["jumlah_file_sumber"] == 4
    assert str(row["tanggal_data"]) == "2025-03-31"
    assert "SiRUP" in row["sumber"] and "e-Katalog" in row["sumber"]
    assert row["keterangan"] == (
        "Realisasi komitmen P3DN 65,00 % = realisasi PDN semua kanal (ekatalog; swakelola "
        "tidak dihitung) Rp97.500.000 / komitmen PDN SiRUP Rp150.000.000 (DKI TA 2025, data "
        "s.d. 31-03-2025); e-katalog saja: 65,00 %")


def test_apbd_monthly_uses_only_six_level_5_1_02_and_5_2_lines(mini_warehouse):
    rows = mini_warehouse.query(
        "SELECT bulan, realisasi_belanja_pengadaan_rp, realisasi_belanja_total_rp, "
        "ekatalog_pdn_rp, realisasi_belanja_pengadaan_ytd_rp, ekatalog_pdn_ytd_rp, "
        "pct_ekatalog_pdn_ytd FROM marts.p3dn_apbd_bulanan WHERE kode_skpd = $k ORDER BY bulan",
        {"k": SKPD_A})
    # January: ATK Rp 1.000.000,- + modal 3.000.000,50 (trailing dot in its code); the pegawai
    # line counts in the total only; the 3-level subtotal and the 'abc' line are quarantined.
    # February: ATK 2.000.000 ("Pebruari"). e-katalog PDN: O1 60 jt in January, O2 25 jt and
    # v5 777 12,5 jt in February; O5 (March) is not PDN, so March has only e-katalog rows.
    # Shares: 60 jt / 4.000.000,50 = 1499,9998 % -> 1500,00; 97,5 jt / 6.000.000,50 -> 1625,00.
    assert rows[0] == (1, Decimal("4000000.50"), Decimal("14000000.50"), Decimal("60000000.00"),
                       Decimal("4000000.50"), Decimal("60000000.00"), Decimal("1500.00"))
    assert rows[1] == (2, Decimal("2000000.00"), Decimal("2000000.00"), Decimal("37500000.00"),
                       Decimal("6000000.50"), Decimal("97500000.00"), Decimal("1625.00"))
    assert rows[2][:4] == (3, 0, 0, 0)
    assert len(rows) == 3


def test_apbd_subtotal_and_unparseable_lines_are_quarantined_with_reason(mini_warehouse):
    rows = mini_warehouse.query(
        "SELECT _source_row, column_name, rule, offending_value FROM quarantine.apbd_realisasi "
        "ORDER BY _source_row")
    assert rows == [
        (6, "Kode Rekening", "subtotal_line_not_six_levels", "5.1.02"),
        (7, "Realisasi", "not_a_number", "abc"),
    ]


def test_the_staging_asset_shows_its_quarantine_per_rule_with_file_and_row(mini_warehouse):
    """The UI's page of staging/apbd_realisasi: the two rows above, counted per rule, and
    each with its file, row, column and value."""
    [materialized] = [
        event.event_specific_data.materialization
        for event in mini_warehouse.runs.get_asset_materialization_events()
        if event.event_specific_data.materialization.asset_key.path == ["staging",
                                                                         "apbd_realisasi"]]
    metadata = materialized.metadata
    assert metadata["quarantined_rows_all_years"].value == 2
    assert metadata["quarantine_by_rule"].value.splitlines()[2:] == [
        "| not_a_number | 1 | 1 |", "| subtotal_line_not_six_levels | 1 | 1 |"]
    assert metadata["quarantine_sample"].value.splitlines()[2:] == [
        "| apbd_realisasi.csv |  | 6 | Kode Rekening | subtotal_line_not_six_levels | 5.1.02 |",
        "| apbd_realisasi.csv |  | 7 | Realisasi | not_a_number | abc |"]


def test_an_impossible_or_future_date_never_becomes_the_data_date(pipeline_env):
    """An order mistyped as 2099-01-01 (outside the fiscal year's window, so quarantined) and
    a SiRUP event dated after the file was loaded are left out of the quoted "data s.d.":
    2025 stays at its newest plausible date, and a year whose only date is in the future has
    none."""
    import datetime as dt

    shutil.copytree(FIXTURES, pipeline_env.landing, dirs_exist_ok=True)
    orders = json.loads((FIXTURES / "ekatalog_v6.json").read_text())
    orders[0]["tgl_order"] = "2099-01-01"
    (pipeline_env.landing / "ekatalog_v6.json").write_text(json.dumps(orders))
    future = dt.date.today() + dt.timedelta(days=30)
    plans = json.loads((FIXTURES / "sirup_paket.json").read_text())
    ahead = {**plans[0], "tahun_anggaran": future.year, "_event_date": future.isoformat(),
             "kd_rup": type(plans[0]["kd_rup"])(int(plans[0]["kd_rup"]) + 5000000)}
    (pipeline_env.landing / "sirup_ahead.json").write_text(json.dumps([ahead]))
    assert pipeline_env.materialize().success
    rows = pipeline_env.query(
        "SELECT tahun_anggaran, tanggal_data, keterangan FROM marts.p3dn_provinsi ORDER BY 1")
    assert [(year, None if date is None else str(date)) for year, date, _ in rows] == [
        (2025, "2025-03-31"), (future.year, None)]
    assert "(DKI TA 2025, data s.d. 31-03-2025)" in rows[0][2]
    assert f"(DKI TA {future.year}, data s.d. ?)" in rows[1][2]
    # Since issue 17 the order is quarantined (it used to be staged and only fail a WARN
    # check): its year is surely wrong, so neither its date nor its amount is published.
    assert pipeline_env.query(
        "SELECT count(*) FROM staging.ekatalog_paket_v6 WHERE tgl_order = DATE '2099-01-01'"
    ) == [(0,)]
    assert pipeline_env.query(
        "SELECT _source_row, column_name, rule, offending_value "
        "FROM quarantine.ekatalog_paket_v6") == [
        (1, "tgl_order", "date_outside_fiscal_year", "2099-01-01")]
