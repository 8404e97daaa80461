"""Indonesian formats: every case is checked against the Python parser and the DuckDB macro."""

import datetime as dt
from decimal import Decimal

import pytest

from p3dn_pipeline.lib import indoformat

PARSERS = ["teks", "angka", "persen", "tanggal", "bulan", "tahun", "triwulan", "kode_rekening", "digits", "nib"]



def assert_both(con, parser, raw, expected):
    python = getattr(indoformat, parser)(raw)
    ((sql,),) = con.execute(f"SELECT p3dn_{parser}(?)", [raw]).fetchall()
    assert python == expected, f"Python {parser}({raw!r}) gave {python!r}"
    assert sql == expected, f"SQL p3dn_{parser}({raw!r}) gave {sql!r}"
    if expected is not None:
        assert type(python) is type(expected)
        assert type(sql) is type(expected)


def cases(*pairs):
    return pytest.mark.parametrize(("raw", "expected"), pairs, ids=[repr(raw) for raw, _ in pairs])


# --- every parser ---------------------------------------------------------------------------


@pytest.mark.parametrize("parser", PARSERS)
@pytest.mark.parametrize("raw", [None, "", "   ", "\u00a0\t\n"], ids=["none", "empty", "spaces", "nbsp_tab_newline"])
def test_blank_input_is_null_for_every_parser(con, parser, raw):
    assert_both(con, parser, raw, None)


def test_macros_work_on_columns_and_aliases_named_like_their_parameters(con):
    con.execute(
        "CREATE TEMP TABLE bernama AS SELECT '1,5 jt' AS x, '13/01/2023' AS s, '''3174 0123' AS t,"
        " '1234567890123' AS d, 'TW II 2025' AS r, 'Jan 2024' AS digit_run, '2 rb' AS bulat"
    ).fetchall()
    rows = con.execute(
        "SELECT p3dn_angka(x), p3dn_tanggal(s), p3dn_bulan(s), p3dn_digits(t), p3dn_nib(d),"
        " p3dn_triwulan(r), p3dn_tahun(r), p3dn_tahun(digit_run), p3dn_angka(r.bulat) FROM bernama AS r"
    ).fetchall()
    assert rows == [
        (Decimal("1500000"), dt.date(2023, 1, 13), 1, "31740123", "1234567890123", 2, 2025, 2024, Decimal("2000"))
    ]


# --- teks -----------------------------------------------------------------------------------


@cases(
    ("  PT.INET   GLOBAL\tINDO ", "PT.INET GLOBAL INDO"),
    ("PT.\u00a0INET\u00a0\u00a0GLOBAL", "PT. INET GLOBAL"),
    ("DINAS\r\nPENDIDIKAN", "DINAS PENDIDIKAN"),
    ("\u202fKab.\u2009Bekasi\u3000", "Kab. Bekasi"),
    ("Biro Umum", "Biro Umum"),
)
def test_teks_trims_and_collapses_whitespace_including_no_break_spaces(con, raw, expected):
    assert_both(con, "teks", raw, expected)


# --- angka ----------------------------------------------------------------------------------


@cases(
    ("1.234", Decimal("1234")),
    ("1.234.567", Decimal("1234567")),
    ("12.345.678,9", Decimal("12345678.9")),
    # A dot that cannot be a thousands dot (not followed by three digits) is a decimal
    # point, as in LKPP API strings ("12500000.00"); three digits after a dot that cannot
    # start a group of thousands are ambiguous (lib/indoformat.py _TITIK_DESIMAL).
    ("12.5", Decimal("12.5")),
    ("1.23", Decimal("1.23")),
    ("1.2345", Decimal("1.2345")),
    ("12500000.00", Decimal("12500000")),
    ("1234.567", None),
    ("0.123", None),
    (".123", None),
    ("1..234", None),
    ("1.234.", None),
    ("1.234.56", None),
)
def test_dots_only_group_thousands(con, raw, expected):
    assert_both(con, "angka", raw, expected)


@cases(
    ("1.234.567,89", Decimal("1234567.89")),
    ("1234567,89", Decimal("1234567.89")),
    ("1234567", Decimal("1234567")),
    ("50.000,00", Decimal("50000")),
    ("0,5", Decimal("0.5")),
    ("1,234", Decimal("1.234")),
    ("007", Decimal("7")),
    ("1,", None),
    (",5", None),
    ("1,234,567", None),
    ("1,2,3", None),
)
def test_comma_is_the_decimal_separator(con, raw, expected):
    assert_both(con, "angka", raw, expected)


@cases(
    ("Rp 1.234.567", Decimal("1234567")),
    ("Rp1.234.567", Decimal("1234567")),
    ("Rp. 1.234.567", Decimal("1234567")),
    ("Rp.1.234.567", Decimal("1234567")),
    ("RP 1.234", Decimal("1234")),
    ("rp 1.234", Decimal("1234")),
    ("Rp 1.234.567,89", Decimal("1234567.89")),
    ("Rp 50.000,-", Decimal("50000")),
    ("50.000,-", Decimal("50000")),
    (" Rp\u00a01.234 ", Decimal("1234")),
)
def test_rupiah_prefix_and_dash_suffix_are_ignored(con, raw, expected):
    assert_both(con, "angka", raw, expected)


@cases(
    ("Rp", None),
    ("Rp 50.000,00,-", None),
    ("50.000 ,-", None),
    ("Rp 2 jt,-", None),
    ("1.234 Rp", None),
    ("IDR 1.234", None),
)
def test_misplaced_rupiah_marks_are_null(con, raw, expected):
    assert_both(con, "angka", raw, expected)


@cases(
    ("-1.234", Decimal("-1234")),
    ("(1.234)", Decimal("-1234")),
    ("( 1.234 )", Decimal("-1234")),
    ("-Rp 1.234", Decimal("-1234")),
    ("Rp -1.234", Decimal("-1234")),
    ("(Rp 50.000,-)", Decimal("-50000")),
    ("-1,5 jt", Decimal("-1500000")),
    ("-0", Decimal("0")),
)
def test_minus_or_parentheses_make_an_amount_negative(con, raw, expected):
    assert_both(con, "angka", raw, expected)


@cases(
    ("--1.234", None),
    ("-(1.234)", None),
    ("(-1.234)", None),
    ("-Rp -1.234", None),
    ("(1.234", None),
    ("1.234)", None),
    ("+1.234", None),
    ("1.234-", None),
    ("Rp -", None),
)
def test_doubled_or_unbalanced_signs_are_null(con, raw, expected):
    assert_both(con, "angka", raw, expected)


@cases(
    ("1,5 jt", Decimal("1500000")),
    ("1,5jt", Decimal("1500000")),
    ("1,5 JT", Decimal("1500000")),
    ("3 juta", Decimal("3000000")),
    ("2 rb", Decimal("2000")),
    ("2RB", Decimal("2000")),
    ("2 ribu", Decimal("2000")),
    ("1,25 M", Decimal("1250000000")),
    ("2 miliar", Decimal("2000000000")),
    ("2 Milyar", Decimal("2000000000")),
    ("15,8 triliun", Decimal("15800000000000")),
    ("3 T", Decimal("3000000000000")),
    ("Rp 1,5 Jt", Decimal("1500000")),
    ("1.500 jt", Decimal("1500000000")),
    ("0,000001 jt", Decimal("1")),
)
def test_unit_words_scale_the_amount(con, raw, expected):
    assert_both(con, "angka", raw, expected)


@cases(
    ("2 M", Decimal("2000000000")),
    ("2M", Decimal("2000000000")),
    ("Rp 2 M", Decimal("2000000000")),
    ("2 m", None),
    ("2m", None),
    ("5 mil", None),
    ("5 t", None),
)
def test_capital_m_is_miliar_not_million(con, raw, expected):
    assert_both(con, "angka", raw, expected)


@cases(
    ("abc", None),
    ("12a", None),
    ("1 234", None),
    ("5 kg", None),
    ("1,5 jtx", None),
    ("1,5 jt rupiah", None),
    ("5 rb jt", None),
    ("1e6", None),
    ("USD 5", None),
    ("2 r\u0131bu", None),
    ("\u0661\u0662\u0663", None),
)
def test_other_letters_and_non_ascii_look_alikes_are_null(con, raw, expected):
    assert_both(con, "angka", raw, expected)


@cases(
    ("0,12345", Decimal("0.1235")),
    ("-0,12345", Decimal("-0.1235")),
    ("0,12344999", Decimal("0.1234")),
    ("1,00005 rb", Decimal("1000.05")),
    ("0,0000049999 jt", Decimal("4.9999")),
    ("0,00000000005 jt", Decimal("0.0001")),
)
def test_amount_rounds_half_away_from_zero_to_four_decimals(con, raw, expected):
    assert_both(con, "angka", raw, expected)


@cases(
    ("9" * 34, Decimal("9" * 34)),
    ("9.999.999.999.999.999.999.999,9999 T", Decimal("9999999999999999999999999900000000")),
    ("1" + "0" * 34, None),
    ("10.000.000.000.000.000.000.000 T", None),
)
def test_amount_beyond_decimal_38_4_is_null(con, raw, expected):
    assert_both(con, "angka", raw, expected)


@cases(
    (1234.5, Decimal("1234.5")),
    (-0.5, Decimal("-0.5")),
    (Decimal("12.34567"), Decimal("12.3457")),
    (42, Decimal("42")),
    (float("nan"), None),
    (float("inf"), None),
)
def test_typed_numbers_are_taken_as_they_are(con, raw, expected):
    assert_both(con, "angka", raw, expected)


# --- persen ---------------------------------------------------------------------------------


@cases(
    ("91,82 persen", Decimal("91.82")),
    ("71,8%", Decimal("71.8")),
    ("71,8 %", Decimal("71.8")),
    ("95", Decimal("95")),
    ("95 Persen", Decimal("95")),
    ("-2,5%", Decimal("-2.5")),
    ("(2,5%)", Decimal("-2.5")),
    ("1.234,5%", Decimal("1234.5")),
    ("12,34567%", Decimal("12.3457")),
    (71.8, Decimal("71.8")),
)
def test_percentage_is_the_number_before_the_percent_sign(con, raw, expected):
    assert_both(con, "persen", raw, expected)


@cases(
    ("71.8%", None),
    ("12,5,1%", None),
    ("%", None),
    ("persen", None),
    ("5 %%", None),
    ("5% persen", None),
    ("71,8 pct", None),
    ("Rp 5%", None),
    ("5 jt%", None),
    ("100.000%", None),
    ("99.999,99995%", None),
)
def test_percentage_that_is_not_a_plain_number_or_too_large_is_null(con, raw, expected):
    assert_both(con, "persen", raw, expected)


# --- tanggal --------------------------------------------------------------------------------


@cases(
    ("13 Januari 2023", dt.date(2023, 1, 13)),
    ("3 januari 2023", dt.date(2023, 1, 3)),
    ("Jumat, 13 Januari 2023", dt.date(2023, 1, 13)),
    ("Jum'at, 13 Januari 2023", dt.date(2023, 1, 13)),
    ("jum\u2019at, 13 januari 2023", dt.date(2023, 1, 13)),
    ("JUMAT 13 JANUARI 2023", dt.date(2023, 1, 13)),
    ("Senin, 17 Agustus 2020", dt.date(2020, 8, 17)),
    ("Selasa, 18 Agustus 2020", dt.date(2020, 8, 18)),
    ("Rabu, 19 Agustus 2020", dt.date(2020, 8, 19)),
    ("Kamis, 20 Agustus 2020", dt.date(2020, 8, 20)),
    ("Sabtu, 1 April 2023", dt.date(2023, 4, 1)),
    ("Minggu, 31 Desember 2023", dt.date(2023, 12, 31)),
    ("13 Feb. 2023", dt.date(2023, 2, 13)),
    ("13-Jan-2023", dt.date(2023, 1, 13)),
    ("29 Februari 2024", dt.date(2024, 2, 29)),
)
def test_indonesian_written_dates(con, raw, expected):
    assert_both(con, "tanggal", raw, expected)


@cases(
    ("Kamis, 13 Januari 2023", None),
    ("Jumat, 14 Januari 2023", None),
    ("Jumat,13 Januari 2023", dt.date(2023, 1, 13)),
    ("Ahad, 15 Januari 2023", None),
)
def test_day_name_must_agree_with_the_date(con, raw, expected):
    assert_both(con, "tanggal", raw, expected)


MONTH_SPELLINGS = [
    ("Januari", 1), ("Jan", 1), ("Februari", 2), ("Feb", 2), ("Pebruari", 2), ("Peb", 2),
    ("Maret", 3), ("Mar", 3), ("April", 4), ("Apr", 4), ("Mei", 5), ("Juni", 6), ("Jun", 6),
    ("Juli", 7), ("Jul", 7), ("Agustus", 8), ("Agu", 8), ("Agt", 8), ("Ags", 8),
    ("September", 9), ("Sep", 9), ("Oktober", 10), ("Okt", 10), ("November", 11), ("Nov", 11),
    ("Desember", 12), ("Des", 12), ("DES.", 12), ("okt.", 10),
]  # fmt: skip


@pytest.mark.parametrize(("nama", "nomor"), MONTH_SPELLINGS, ids=[nama for nama, _ in MONTH_SPELLINGS])
def test_every_month_name_and_short_form_is_read(con, nama, nomor):
    assert_both(con, "tanggal", f"5 {nama} 2024", dt.date(2024, nomor, 5))
    assert_both(con, "bulan", nama, nomor)


@cases(
    ("13/01/2023", dt.date(2023, 1, 13)),
    ("13-01-2023", dt.date(2023, 1, 13)),
    ("13.01.2023", dt.date(2023, 1, 13)),
    ("3/1/2023", dt.date(2023, 1, 3)),
    ("12/01/2023", dt.date(2023, 1, 12)),
    ("13/01-2023", None),
    ("2023/01/13", None),
)
def test_numeric_dates_are_always_day_first(con, raw, expected):
    assert_both(con, "tanggal", raw, expected)


@cases(
    ("2023-01-13", dt.date(2023, 1, 13)),
    ("2023-01-13 08:15:00", dt.date(2023, 1, 13)),
    ("2023-01-13 08:15", dt.date(2023, 1, 13)),
    ("2023-01-13T00:00:00.000000Z", dt.date(2023, 1, 13)),
    ("2023-01-13T23:59:59+07:00", dt.date(2023, 1, 13)),
    ("2023-1-13", None),
    ("2023-01-13 24:00:00", None),
    ("2023-01-13T08:15:00ZZ", None),
)
def test_lkpp_iso_dates_keep_the_calendar_date_as_written(con, raw, expected):
    assert_both(con, "tanggal", raw, expected)


@cases(
    ("44939", dt.date(2023, 1, 13)),
    ("44939.0", dt.date(2023, 1, 13)),
    ("20000", dt.date(1954, 10, 3)),
    ("80000", dt.date(2119, 1, 11)),
    ("19999", None),
    ("80001", None),
    ("20230113", None),
    ("44939.5", None),
    ("44939,0", None),
    ("044939", None),
    (44939, dt.date(2023, 1, 13)),
    (44939.0, dt.date(2023, 1, 13)),
)
def test_excel_serial_days_only_in_1954_to_2119(con, raw, expected):
    assert_both(con, "tanggal", raw, expected)


@cases(
    ("31/02/2023", None),
    ("29/02/2023", None),
    ("13/13/2023", None),
    ("00/01/2023", None),
    ("2023-13-01", None),
    ("2023-02-30", None),
    ("13 Januari 23", None),
    ("13 Jan 2023 x", None),
    ("13 Mrt 2023", None),
    ("13 Januarii 2023", None),
    ("Januari 2023", None),
    ("13 Januari 1899", None),
    ("1899-12-31", None),
    ("2200-01-01", None),
)
def test_impossible_or_incomplete_dates_are_null(con, raw, expected):
    assert_both(con, "tanggal", raw, expected)


@cases(
    (dt.date(2023, 1, 13), dt.date(2023, 1, 13)),
    (dt.datetime(2023, 1, 13, 8, 15), dt.date(2023, 1, 13)),
    (dt.datetime(2023, 1, 13, 8, 15, 0, 123456), dt.date(2023, 1, 13)),
)
def test_typed_dates_and_timestamps_give_their_date(con, raw, expected):
    assert_both(con, "tanggal", raw, expected)


# --- bulan, tahun, triwulan -----------------------------------------------------------------


@cases(
    ("Januari", 1),
    ("jan", 1),
    ("JAN.", 1),
    ("Pebruari", 2),
    ("1", 1),
    ("01", 1),
    ("12", 12),
    ("Januari 2025", 1),
    ("Jan-2025", 1),
    ("01/2025", 1),
    ("1/2025", 1),
    ("2025-01", 1),
    ("2025/12", 12),
    ("13/03/2023", 3),
    ("2023-03-13", 3),
    ("44939", 1),
    ("Senin, 17 Agustus 2020", 8),
)
def test_month_from_name_number_month_and_year_or_date(con, raw, expected):
    assert_both(con, "bulan", raw, expected)


@cases(
    ("0", None),
    ("00", None),
    ("13", None),
    ("2025", None),
    ("Janu", None),
    ("13/2025", None),
    ("2025-13", None),
    ("Januari 25", None),
    ("Januari 1800", None),
    ("31/02/2023", None),
    ("bulan 1", None),
    ("1,5", None),
)
def test_month_that_is_not_1_to_12_or_unclear_is_null(con, raw, expected):
    assert_both(con, "bulan", raw, expected)


@cases(
    ("Januari 2025", 2025),
    ("2025", 2025),
    ("TW II 2025", 2025),
    ("Tahun Anggaran 2025", 2025),
    ("2025/2025", 2025),
    ("2000", 2000),
    ("2100", 2100),
    ("13/01/2023", 2023),
    ("2023-01-13T00:00:00.000000Z", 2023),
    ("44939", 2023),
    ("13 Januari 1995", 1995),
    ("31/02/2023", 2023),
)
def test_year_from_a_date_or_the_one_year_in_the_text(con, raw, expected):
    assert_both(con, "tahun", raw, expected)


@cases(
    ("2024 s.d. 2025", None),
    ("1999", None),
    ("2101", None),
    ("202501", None),
    ("Rp 2.025", None),
    ("25", None),
    ("tahun", None),
)
def test_year_that_is_missing_out_of_range_or_ambiguous_is_null(con, raw, expected):
    assert_both(con, "tahun", raw, expected)


@cases(
    ("TW II", 2),
    ("TW 2", 2),
    ("tw ii", 2),
    ("TW.III", 3),
    ("Triwulan II", 2),
    ("Triwulan 2", 2),
    ("TRIWULAN IV", 4),
    ("Q2", 2),
    ("q 3", 3),
    ("II", 2),
    ("iv", 4),
    ("I", 1),
    ("3", 3),
    ("TW II 2025", 2),
    ("Q4-2025", 4),
    ("TW I/2025", 1),
)
def test_quarter_from_roman_or_digit_with_optional_prefix_and_year(con, raw, expected):
    assert_both(con, "triwulan", raw, expected)


@cases(
    ("TW V", None),
    ("TW 5", None),
    ("TW 0", None),
    ("Q", None),
    ("TW", None),
    ("IIII", None),
    ("TW II 25", None),
    ("TW II 1800", None),
    ("TW 2025", None),
    ("2025 TW II", None),
    ("Semester 1", None),
)
def test_quarter_outside_1_to_4_or_unclear_is_null(con, raw, expected):
    assert_both(con, "triwulan", raw, expected)


# --- identifiers ----------------------------------------------------------------------------


@cases(
    ("5.1.02.01.01.0024.", "5.1.02.01.01.0024"),
    ("5.1.02.01.01.0024 ", "5.1.02.01.01.0024"),
    ("5.1.02.01.01.0024 . ", "5.1.02.01.01.0024"),
    ("5.1.02.01.01.0024..", "5.1.02.01.01.0024"),
    (" 5.1 ", "5.1"),
    ("5", "5"),
)
def test_trailing_dot_in_kode_rekening_is_ignored(con, raw, expected):
    assert_both(con, "kode_rekening", raw, expected)


@cases(
    ("5.1..02", None),
    (".5.1", None),
    ("5.1.a", None),
    ("5,1,02", None),
    ("5. 1", None),
    ("...", None),
    ("5.1.02 Belanja Pegawai", None),
    ("\u0665.\u0661", None),
)
def test_kode_rekening_with_anything_but_dotted_digits_is_null(con, raw, expected):
    assert_both(con, "kode_rekening", raw, expected)


@cases(
    ("'3174 0123 4567 8901", "3174012345678901"),
    ("99.999.999.9-999.999", "999999999999999"),
    ("0812-3456-7890", "081234567890"),
    ("  12 34  ", "1234"),
    ("3174012345678901.0", "3174012345678901"),
    ("9007199254740992.0", "9007199254740992"),
    ("1.0", "1"),
    ("0.0", "0"),
)
def test_digits_drop_spaces_dots_dashes_and_excel_text_marker(con, raw, expected):
    assert_both(con, "digits", raw, expected)


@cases(
    ("12a", None),
    ("9.12E+12", None),
    ("9007199254740993.0", None),
    ("12345678901234567.0", None),
    ("0123.0", None),
    ("- . ", None),
    ("''123", None),
    ("'", None),
    ("+62 812", None),
    ("3174/0123", None),
)
def test_digits_that_may_have_lost_digits_or_carry_other_text_are_null(con, raw, expected):
    assert_both(con, "digits", raw, expected)


@cases(
    ("\uff11\uff12\uff13", "123"),
    ("\u0663\u0661\u0667\u0661 \u0660\u0661", "317101"),
    ("'\uff13\uff11\uff17\uff11-\uff10\uff11", "317101"),
)
def test_digits_typed_in_full_width_or_arabic_indic_are_the_same_ascii_digits(con, raw,
                                                                              expected):
    assert_both(con, "digits", raw, expected)


@cases(
    ("1234567890123", "1234567890123"),
    ("12.3456.7890.123", "1234567890123"),
    ("'1234567890123", "1234567890123"),
    ("123456789012", None),
    ("12345678901234", None),
    ("NIB 1234567890123", None),
)
def test_nib_has_exactly_13_digits(con, raw, expected):
    assert_both(con, "nib", raw, expected)


# --- formatters -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "style", "expected"),
    [
        (1234567, "rp_space", "Rp 1.234.567"),
        (1234567, "rp_nospace", "Rp1.234.567"),
        (1234567, "rp_dash", "Rp 1.234.567,-"),
        (1234567, "plain_id", "1.234.567"),
        (1234567, "plain", "1234567"),
        (Decimal("1234567.89"), "plain_id", "1.234.567,89"),
        (Decimal("1234567.5"), "rp_dash", "Rp 1.234.567,50"),
        (Decimal("1234567.89"), "plain", "1234567,89"),
        (-1234, "rp_space", "-Rp 1.234"),
        (0, "rp_dash", "Rp 0,-"),
    ],
)
def test_format_rupiah_styles(value, style, expected):
    assert indoformat.format_rupiah(value, style) == expected


@pytest.mark.parametrize(
    ("date", "style", "expected"),
    [
        (dt.date(2023, 1, 13), "long", "13 Januari 2023"),
        (dt.date(2023, 1, 13), "long_day", "Jumat, 13 Januari 2023"),
        (dt.date(2023, 1, 13), "short", "13 Jan 2023"),
        (dt.date(2023, 1, 13), "old_spelling", "13 Januari 2023"),
        (dt.date(2023, 2, 3), "old_spelling", "3 Pebruari 2023"),
        (dt.date(2023, 1, 13), "slash", "13/01/2023"),
        (dt.date(2023, 1, 13), "iso", "2023-01-13"),
        (dt.date(2023, 8, 17), "short", "17 Agu 2023"),
    ],
)
def test_format_tanggal_styles(date, style, expected):
    assert indoformat.format_tanggal(date, style) == expected


def test_excel_serial_counts_days_from_1899_12_30():
    assert indoformat.excel_serial(dt.date(2023, 1, 13)) == 44939
    assert indoformat.excel_serial(dt.date(1900, 3, 1)) == 61


def test_bulan_lists_the_twelve_month_names_in_order():
    assert indoformat.BULAN == [
        "Januari", "Februari", "Maret", "April", "Mei", "Juni",
        "Juli", "Agustus", "September", "Oktober", "November", "Desember",
    ]  # fmt: skip


def test_unknown_format_style_says_which_styles_exist():
    with pytest.raises(ValueError, match="rp_space"):
        indoformat.format_rupiah(1, "rupiah")
    with pytest.raises(ValueError, match="long_day"):
        indoformat.format_tanggal(dt.date(2023, 1, 13), "panjang")


@pytest.mark.parametrize(("raw", "codes", "one"), [
    ("60505290", [60505290], 60505290),
    (60505290, [60505290], 60505290),                    # an int, as SiRUP writes it
    ("60505290,60505290", [60505290], 60505290),         # a later v6 CSV pull repeats it
    ("60832782;45828523", [45828523, 60832782], None),   # pencatatan: two packages
    (" 60832782 ; 45828523 ;60832782;", [45828523, 60832782], None),  # spaces, repeat, trailing ;
    ("'60505290", [60505290], 60505290),                 # Excel's text marker
    ("6050x290", None, None),                            # not a code: the caller quarantines
    ("60505290;abc", None, None),                        # one bad part: never half-read
    ("", None, None),
    (None, None, None),
])
def test_kd_rup_is_one_code_per_distinct_package(con, raw, codes, one):
    got = con.execute("SELECT p3dn_kode_rup_list(CAST($x AS VARCHAR)), "
                      "p3dn_kode_rup(CAST($x AS VARCHAR))", {"x": raw}).fetchone()
    assert got == (codes, one)


# --- the one number rule (reliability issue 17, class 7) -------------------------------------


@pytest.mark.parametrize(("raw", "expected", "rule"), [
    ("150.000", Decimal("150000"), None),
    ("1.234.567,89", Decimal("1234567.89"), None),
    ("150,5", Decimal("150.5"), None),
    ("12500000.00", Decimal("12500000"), None),
    ("1.23", Decimal("1.23"), None),
    ("1,234.56", None, "ambiguous_number"),
    ("1,234,567", None, "ambiguous_number"),
    ("1234.567", None, "ambiguous_number"),
    ("0.500", None, "ambiguous_number"),
    ("1.234.56", None, "ambiguous_number"),
    ("N/A", None, "not_a_number"),
    ("#REF!", None, "not_a_number"),
    ("-2.500", Decimal("-2500"), "negative_amount"),
])
def test_one_number_rule_reads_thousands_dots_and_refuses_ambiguity(con, raw, expected, rule):
    assert_both(con, "angka", None if raw is None else raw, None if expected is None else
                expected.quantize(Decimal("0.0001")))
    assert indoformat.masalah_angka(raw) == rule
    ((rupiah, problem),) = con.execute(
        "SELECT p3dn_rupiah(?), p3dn_masalah_rupiah('total_harga', ?).rule", [raw, raw]).fetchall()
    assert rupiah == (None if expected is None else expected.quantize(Decimal("0.01")))
    assert problem == rule


@cases(
    ("150.000", "150000.00"),          # a JSON string: text, by the number rule
    ("12500000.00", "12500000.00"),
    (150.000, "150.00"),               # JSON numbers are exact
    (1000.125, "1000.13"),
    (1234.567, "1234.57"),
    (150000.0, "150000.00"),
    (-2.5, "-2.50"),
)
def test_json_numbers_are_exact_and_json_strings_follow_the_rule(con, tmp_path, raw, expected):
    import json

    path = tmp_path / "x.json"
    path.write_text(json.dumps([{"v": raw}]))
    ((got,),) = con.execute(
        "SELECT CAST(p3dn_rupiah(p3dn_json_teks(v)) AS VARCHAR) FROM read_json(?, "
        "format='array', records=true, columns={'v': 'JSON'})", [str(path)]).fetchall()
    assert got == expected
