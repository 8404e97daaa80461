"""format_rupiah_ringkas, the dashboard's one way to write a large amount: every expected
string below is worked out by hand from the exact amount (unit, one decimal, half up)."""

from decimal import Decimal

import pytest

from p3dn_pipeline.lib.indoformat import format_rupiah_ringkas


@pytest.mark.parametrize(("value", "expected"), [
    # 290.412.345.678 / 10^9 = 290,412... -> one decimal: 290,4
    (290_412_345_678, "Rp290,4 miliar"),
    (1_500_000, "Rp1,5 juta"),
    (999, "Rp999"),
    (0, "Rp0"),
    # 1,25 triliun: half up gives 1,3 (banker's rounding would give 1,2)
    (1_250_000_000_000, "Rp1,3 triliun"),
    # 1,05 juta: half up gives 1,1 (banker's would give 1,0)
    (1_050_000, "Rp1,1 juta"),
    # 1,04999 juta rounds down
    (1_049_990, "Rp1,0 juta"),
    # exactly one juta / miliar / triliun start their unit
    (1_000_000, "Rp1,0 juta"),
    (1_000_000_000, "Rp1,0 miliar"),
    (10**12, "Rp1,0 triliun"),
    # below one juta: whole rupiah, thousands dots, sen rounded half up
    (999_999, "Rp999.999"),
    (Decimal("12.50"), "Rp13"),
    (Decimal("12.49"), "Rp12"),
    (Decimal("999999.60"), "Rp1.000.000"),
    # 999,95 juta rounds to 1.000,0 juta: said as the next unit instead
    (999_950_000, "Rp1,0 miliar"),
    (999_949_999, "Rp999,9 juta"),
    # above 1.000 triliun there is no larger unit: thousands dots in the number
    (1_234_500_000_000_000, "Rp1.234,5 triliun"),
    # the sample's realisation, sen included: 455.183.598,27 -> 455,18... juta
    (Decimal("455183598.27"), "Rp455,2 juta"),
    # negative amounts: the sign in front, rounded away from zero like the positive one
    (-1_500_000, "-Rp1,5 juta"),
    (-1_250_000_000_000, "-Rp1,3 triliun"),
    (-999, "-Rp999"),
    (Decimal("-0.4"), "Rp0"),
    (None, "-"),
    # a float is read through its repr, so 0.1-style binary noise does not move a digit
    (1_050_000.0, "Rp1,1 juta"),
])
def test_rupiah_ringkas_worked_by_hand(value, expected):
    assert format_rupiah_ringkas(value) == expected
