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


# --- impossible dates (reliability issue 17, class 8) ----------------------------------------
# Fiscal year 2025, loaded 2026-04-10 10:00 UTC (17:00 WIB): the window is 1 October 2024 to
# 31 March 2026.
@pytest.mark.parametrize("tanggal, rule", [
    ("2024-09-30", "date_outside_fiscal_year"),   # the day before the window opens
    ("2024-10-01", None),
    ("2026-03-31", None),
    ("2026-04-01", "date_outside_fiscal_year"),   # after the window, though before the load
    ("2099-01-01", "date_outside_fiscal_year"),
    ("31/02/2025", None),                         # not a date: not_a_date's business
    (None, None),
])
def test_a_date_outside_its_fiscal_years_window_is_quarantined(warehouse_con, tanggal, rule):
    assert warehouse_con.execute(
        "SELECT p3dn_masalah_tanggal_tahun('tgl_order', $t, 2025, "
        "TIMESTAMP '2026-04-10 10:00:00').rule", {"t": tanggal}).fetchall() == [(rule,)]


def test_a_date_after_the_day_its_file_was_loaded_is_quarantined(warehouse_con):
    # Loaded 2025-06-30 18:00 UTC, already 1 July in Jakarta: 1 July is the load day, 2 July
    # is in the future although inside the window.
    got = warehouse_con.execute(
        "SELECT t, p3dn_masalah_tanggal_tahun('tgl_order', t, 2025, "
        "TIMESTAMP '2025-06-30 18:00:00').rule "
        "FROM (VALUES ('2025-07-01'), ('2025-07-02')) AS v(t) ORDER BY t").fetchall()
    assert got == [("2025-07-01", None), ("2025-07-02", "date_after_load")]


def test_the_date_window_follows_its_environment_variables(tmp_path, monkeypatch):
    from p3dn_pipeline.lib.warehouse import open_warehouse
    from p3dn_pipeline_tests.conftest import TEST_PII_KEY

    monkeypatch.setenv("P3DN_DATE_MONTHS_BEFORE_FISCAL_YEAR", "0")
    monkeypatch.setenv("P3DN_DATE_MONTHS_AFTER_FISCAL_YEAR", "6")
    with open_warehouse(tmp_path / "w.duckdb", TEST_PII_KEY.encode()) as con:
        assert con.execute(
            "SELECT t, p3dn_masalah_tanggal_tahun('tgl_order', t, 2025, "
            "TIMESTAMP '2027-01-01 00:00:00').rule FROM (VALUES ('2024-12-31'), ('2025-01-01'), "
            "('2026-06-30'), ('2026-07-01')) AS v(t) ORDER BY t").fetchall() == [
            ("2024-12-31", "date_outside_fiscal_year"), ("2025-01-01", None),
            ("2026-06-30", None), ("2026-07-01", "date_outside_fiscal_year")]
    monkeypatch.setenv("P3DN_DATE_MONTHS_AFTER_FISCAL_YEAR", "three")
    with (pytest.raises(ValueError, match="P3DN_DATE_MONTHS_AFTER_FISCAL_YEAR='three'"),
          open_warehouse(tmp_path / "x.duckdb", TEST_PII_KEY.encode())):
        pass


# Issue 17, class 9: a NIK typed in full-width or Arabic-Indic digits is the same identifier,
# and its shape (kept to quarantine malformed ones) never holds its digits.
@pytest.mark.parametrize(("typed", "digits", "shape"), [
    ("３１７１０１２３４５６７８９０１", "3171012345678901", "9999999999999999"),
    ("٣١٧١٠١٢٣٤٥٦٧٨٩٠١", "3171012345678901", "9999999999999999"),
    ("'３１７１ ０１２３ ４５６７ ８９０１", "3171012345678901", "9999999999999999"),
    ("3171012345678901", "3171012345678901", "9999999999999999"),
])
def test_an_identifier_in_other_digits_hashes_as_ascii_and_its_shape_hides_it(
        warehouse_con, typed, digits, shape):
    normalised, same_hash, masked = warehouse_con.execute(
        "SELECT p3dn_digits($t), p3dn_hmac(p3dn_digits($t)) = p3dn_hmac($d), "
        "p3dn_shape(coalesce(p3dn_digits($t), p3dn_teks($t))) ",
        {"t": typed, "d": digits}).fetchall()[0]
    assert (normalised, same_hash, masked) == (digits, True, shape)


def test_a_shape_hides_every_script_of_digits_and_letters(warehouse_con):
    assert warehouse_con.execute(
        "SELECT p3dn_shape('ＮＩＫ３１７１-Ä٣ab')").fetchall() == [("AAA9999-A9AA",)]


def test_the_shape_of_any_ascii_value_is_what_the_unicode_rule_makes_of_it(warehouse_con):
    """p3dn_shape takes a shortcut for identifiers of digits only (their length in 9s): every
    ASCII character, alone and inside identifiers as exports write them, and digit strings of
    every length get the shape the Unicode-class rule gives them (digits 9, letters A, the
    rest kept)."""
    import random

    generator = random.Random(20251)
    ascii_characters = [chr(c) for c in range(1, 128)]
    values = ascii_characters + ["", "3171012345678901", "NPWP 01.234.567.8-901.000",
                                 "'3171-0123 4567/8901", "KWT Mawar #3 (RT 05)"]
    values += ["".join(generator.choice(ascii_characters) for _ in range(generator.randint(1, 40)))
               for _ in range(2000)]
    values += ["".join(generator.choice("0123456789") for _ in range(length))
               for length in range(1, 41)]
    rows = warehouse_con.execute(
        "SELECT v, p3dn_shape(v), regexp_replace(regexp_replace(v, '\\p{N}', '9', 'g'), "
        "'\\p{L}', 'A', 'g') FROM unnest($values) AS t(v)", {"values": values}).fetchall()
    assert len(rows) == len(values)
    assert [(value, shaped) for value, shaped, by_rule in rows if shaped != by_rule] == []
    assert warehouse_con.execute("SELECT p3dn_shape(NULL), p3dn_shape('Ab-12')").fetchall() == [
        (None, "AA-99")]


# Issue 17, class 9: a name shifted into a coded field is kept as its shape only; words those
# fields may hold, and codes written wrong (one token with a dot between letters), are not
# names and stay as written for the field's own rules.
@pytest.mark.parametrize(("written", "kept"), [
    ("Siti Aminah", "disembunyikan, bentuk AAAA AAAAAA"),
    ("BUDI SANTOSO", "disembunyikan, bentuk AAAA AAAAAAA"),
    ("M. Yusuf", "disembunyikan, bentuk A. AAAAA"),
    ("Sukarno", "disembunyikan, bentuk AAAAAAA"),
    ("X.KODE", "X.KODE"),
    ("SKPD.A.1", "SKPD.A.1"),
    ("TW IV", "TW IV"),
    ("Januari", "Januari"),
    ("nihil", "nihil"),
    ("1.234", "1.234"),
])
def test_a_name_in_a_coded_field_is_kept_as_its_shape_only(warehouse_con, written, kept):
    assert warehouse_con.execute("SELECT p3dn_tanpa_nama($t)", {"t": written}).fetchall() == [
        (kept,)]
