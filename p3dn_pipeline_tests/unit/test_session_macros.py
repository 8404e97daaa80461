"""Session macros shared by the marts: exact percentages and place-name keys."""

from decimal import Decimal

import pytest


@pytest.mark.parametrize("pembilang, penyebut, expected", [
    ("201", "20000", Decimal("1.01")),         # exact tie 1,005 % rounds away from zero
    ("-201", "20000", Decimal("-1.01")),
    ("97500000.00", "150000000.00", Decimal("65.00")),
    ("2", "3", Decimal("66.67")),
    ("1", "3", Decimal("33.33")),
    ("60000000", "4000000.50", Decimal("1500.00")),
    ("0", "5", Decimal("0.00")),
])
def test_pct_is_exact_decimal_rounded_half_away_from_zero(warehouse_con, pembilang, penyebut,
                                                         expected):
    result = warehouse_con.execute(
        "SELECT p3dn_pct(CAST($a AS DECIMAL(18, 2)), CAST($b AS DECIMAL(18, 2)))",
        {"a": pembilang, "b": penyebut}).fetchall()[0][0]
    assert result == expected


@pytest.mark.parametrize("pembilang, penyebut", [("5", "0"), (None, "5"), ("5", None)])
def test_pct_of_zero_or_missing_base_is_null(warehouse_con, pembilang, penyebut):
    assert warehouse_con.execute(
        "SELECT p3dn_pct(CAST($a AS DECIMAL(18, 2)), CAST($b AS DECIMAL(18, 2)))",
        {"a": pembilang, "b": penyebut}).fetchall() == [(None,)]


def test_pct_of_large_rupiah_amounts_does_not_overflow(warehouse_con):
    # Rp38,29 triliun of commitment, as in the Nov 2025 press figure, 70,98 % realised.
    assert warehouse_con.execute(
        "SELECT p3dn_pct(27178242000000.00::DECIMAL(38, 2), 38290000000000.00::DECIMAL(38, 2))"
    ).fetchall() == [(Decimal("70.98"),)]


@pytest.mark.parametrize("written", [
    "Jakarta Barat", "JAKARTA BARAT", "Kota Adm. Jakarta Barat", "Kota Administrasi Jakarta Barat",
    "kota adm jakarta barat", " Jakarta  Barat ",
])
def test_kota_spellings_share_one_key(warehouse_con, written):
    assert warehouse_con.execute("SELECT p3dn_kunci_wilayah($n)", {"n": written}).fetchall() \
        == [("JAKARTABARAT",)]


def test_kepulauan_seribu_abbreviation_matches(warehouse_con):
    assert warehouse_con.execute(
        "SELECT p3dn_kunci_wilayah('Kab. Adm. Kep. Seribu'), "
        "p3dn_kunci_wilayah('Kabupaten Administrasi Kepulauan Seribu')").fetchall() == [
        ("KEPULAUANSERIBU", "KEPULAUANSERIBU")]
