"""The GX-over-DuckDB quality layer (p3dn_pipeline.lib.quality): exact counts and samples for every
check kind on hand-made rows, the Dagster mapping, and the GX/DuckDB behaviours the layer relies on
(each pinned by a ``test_compat_layer_detects_...`` test, so a GX or DuckDB upgrade that changes one
fails here first)."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import ClassVar

import duckdb
import pytest

from p3dn_pipeline.lib import quality
from p3dn_pipeline.lib.quality import (
    Between,
    ExistsIn,
    GXCompatibilityError,
    InSet,
    MatchesRegex,
    NotNull,
    RowCondition,
    RowCountBetween,
    Rule,
    RuleResult,
    SuiteExpectation,
    SumsMatch,
    Unique,
    check_specs,
    to_asset_check_result,
    to_asset_check_results,
    validate_table,
)

# Same config as dagster-duckdb's DuckDBResource opens with: the layer must work on such a
# connection without opening a second, differently-configured one.
DAGSTER_CONFIG = {"custom_user_agent": "dagster"}

A, B = "v5_a.json", "v5_b.json"

EKATALOG_ROWS = [
    # kd_paket, kd_produk, kd_rup, kd_satker_str, status_pkt, kuantitas, harga_satuan, total_harga, tgl_order, file, row
    ("P1", "X1", 101, "100001", "selesai", 10, "100.00", "1000.00", date(2023, 1, 5), A, 1),
    ("P2", "X1", None, "100002", "proses", 2, "1000.00", "2000.50", date(2022, 1, 1), A, 2),
    ("P3", "X1", 103, "10000A", "selesai", 1, "500.00", "500.00", date(2021, 12, 26), A, 3),
    ("P3", "X2", 104, "100001", "batal", 3, "10.00", "35.00", date(2025, 1, 7), B, 1),
    ("P4", "X1", 105, "100002", "BATAL", 1, "10.00", "10.00", date(2021, 12, 24), B, 2),
    ("P4", "X1", None, None, "dikirim", None, "10.00", "-10.00", date(2025, 1, 8), B, 3),
    ("P5", "X1", 107, "12345", "selesai", 2, "5.00", "10.00", None, B, 4),
    ("P6", None, 108, "999999", "proses", 1, "1.00", "1.00", date(2024, 6, 30), B, 5),
    ("P7", "X9", 109, "100001", "selesai", 4, "2.50", "10.00", date(2024, 12, 31), "v5_c.json", 1),
]

RULES = [
    Rule("kd_rup_not_null", NotNull("kd_rup"), "ERROR", "Every order names its RUP package"),
    Rule("kd_paket_unique", Unique(("kd_paket",)), "ERROR", "kd_paket is unique"),
    Rule("paket_produk_unique", Unique(("kd_paket", "kd_produk")), "ERROR", "One row per product of an order"),
    Rule("total_harga_non_negative", Between("total_harga", min_value=0), "WARN", "No negative totals"),
    Rule(
        "tgl_order_in_range",
        Between("tgl_order", date(2022, 1, 1), date(2024, 12, 31), tolerance=timedelta(days=7)),
        "WARN",
        "Orders fall in the 2022-2024 export window, give or take a week",
    ),
    Rule("status_pkt_valid", InSet("status_pkt", ("selesai", "proses", "batal", "dikirim")), "ERROR", "Known status"),
    Rule("kd_satker_format", MatchesRegex("kd_satker_str", r"^\d{6}$"), "ERROR", "Six-digit satker code"),
    Rule(
        "total_harga_matches_lines",
        RowCondition("abs(total_harga - kuantitas * harga_satuan) <= 1", ("total_harga", "kuantitas", "harga_satuan")),
        "WARN",
        "v5 total_harga = kuantitas x harga_satuan within 1 rupiah",
    ),
    Rule("kd_satker_known", ExistsIn("kd_satker_str", "ref.satker", "kd_satker_str"), "WARN", "Satker exists"),
    Rule("row_count", RowCountBetween(min_value=1, max_value=100), "ERROR", "Table is not empty"),
]

# rule -> (unexpected_count, rows considered for the percentage, [(file, row), ...] samples)
EXPECTED = {
    "kd_rup_not_null": (2, 9, [(A, 2), (B, 3)]),
    "kd_paket_unique": (4, 9, [(A, 3), (B, 1), (B, 2), (B, 3)]),
    "paket_produk_unique": (2, 9, [(B, 2), (B, 3)]),  # rows with a NULL key are counted, not compared
    "total_harga_non_negative": (1, 9, [(B, 3)]),
    "tgl_order_in_range": (2, 8, [(B, 2), (B, 3)]),
    "status_pkt_valid": (1, 9, [(B, 2)]),
    # UnexpectedRowsExpectations: GX counts the rows the query returns; the percentage is of
    # all 9 rows (GX gives such an expectation no denominator of its own).
    "kd_satker_format": (2, 9, [(A, 3), (B, 4)]),
    "total_harga_matches_lines": (1, 9, [(B, 1)]),
    "kd_satker_known": (3, 9, [(A, 3), (B, 4), (B, 5)]),
}


def _create_ekatalog(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SCHEMA stg")
    con.execute("CREATE SCHEMA ref")
    con.execute(
        """CREATE TABLE stg.ekatalog_v5 (
            kd_paket VARCHAR, kd_produk VARCHAR, kd_rup BIGINT, kd_satker_str VARCHAR, status_pkt VARCHAR,
            kuantitas DECIMAL(18, 2), harga_satuan DECIMAL(18, 2), total_harga DECIMAL(18, 2), tgl_order DATE,
            _source_file VARCHAR, _source_row BIGINT)"""
    )
    con.executemany("INSERT INTO stg.ekatalog_v5 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", EKATALOG_ROWS)
    con.execute("CREATE TABLE ref.satker (kd_satker_str VARCHAR)")
    con.execute("INSERT INTO ref.satker VALUES ('100001'), ('100002'), (NULL)")


@pytest.fixture(scope="module")
def ekatalog_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("quality") / "staging.duckdb"
    con = duckdb.connect(str(path), config=DAGSTER_CONFIG)
    _create_ekatalog(con)
    yield path, con
    con.close()


@pytest.fixture(scope="module")
def ekatalog_results(ekatalog_db) -> dict[str, RuleResult]:
    _, con = ekatalog_db
    results = validate_table(con, "stg.ekatalog_v5", RULES)
    assert [r.rule_name for r in results] == [r.name for r in RULES]
    return {r.rule_name: r for r in results}


def _pairs(result: RuleResult) -> list[tuple[str, int]]:
    return [(s["_source_file"], s["_source_row"]) for s in result.samples]


# ---- import cost ---------------------------------------------------------------------------


def test_importing_quality_does_not_import_great_expectations():
    code = "import p3dn_pipeline.lib.quality, sys; assert 'great_expectations' not in sys.modules, 'GX imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_importing_quality_does_not_import_dagster_or_sqlalchemy():
    code = (
        "import p3dn_pipeline.lib.quality, sys; "
        "bad = [m for m in ('dagster', 'sqlalchemy', 'duckdb_engine') if m in sys.modules]; assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_gx_is_imported_while_duckdb_runs_and_whole_when_the_block_ends():
    # The staging SQL runs inside importing_gx_meanwhile; the block must not end with GX half
    # imported (what follows may log to Dagster, which imports modules GX is importing).
    code = (
        "import sys, duckdb, threading; from p3dn_pipeline.lib import quality\n"
        "con = duckdb.connect()\n"
        "with quality.importing_gx_meanwhile():\n"
        "    assert any(t.name == 'p3dn-quality-gx-import' for t in threading.enumerate())\n"
        "    con.execute('SELECT count(*) FROM range(1000000)').fetchall()\n"
        "assert not any(t.name == 'p3dn-quality-gx-import' for t in threading.enumerate())\n"
        "gx = sys.modules['great_expectations']\n"
        "assert gx.ExpectationSuite and gx.get_context\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# ---- counts and samples, one per check kind --------------------------------------------------


@pytest.mark.parametrize("rule_name", sorted(EXPECTED))
def test_exact_unexpected_counts_and_samples(ekatalog_results, rule_name):
    result = ekatalog_results[rule_name]
    unexpected, considered, samples = EXPECTED[rule_name]
    assert result.element_count == 9
    assert result.unexpected_count == unexpected
    assert result.unexpected_percent == pytest.approx(100.0 * unexpected / considered)
    assert result.success is False
    assert _pairs(result) == samples


def test_samples_carry_the_rule_columns(ekatalog_results):
    assert ekatalog_results["status_pkt_valid"].samples == ({"_source_file": B, "_source_row": 2, "status_pkt": "BATAL"},)
    assert ekatalog_results["paket_produk_unique"].samples[0] == {
        "_source_file": B,
        "_source_row": 2,
        "kd_paket": "P4",
        "kd_produk": "X1",
    }
    assert ekatalog_results["total_harga_matches_lines"].samples == (
        {
            "_source_file": B,
            "_source_row": 1,
            "total_harga": Decimal("35.00"),
            "kuantitas": Decimal("3.00"),
            "harga_satuan": Decimal("10.00"),
        },
    )


def test_passing_uniqueness(ekatalog_db):
    _, con = ekatalog_db
    single, compound = validate_table(
        con,
        "stg.ekatalog_v5",
        [
            Rule("rup_unique", Unique(("kd_rup",)), "ERROR", ""),
            Rule("source_unique", Unique(("_source_file", "_source_row")), "ERROR", ""),
        ],
    )
    assert (single.success, single.unexpected_count, single.unexpected_percent, single.samples) == (True, 0, 0.0, ())
    assert (compound.success, compound.unexpected_count, compound.unexpected_percent) == (True, 0, 0.0)


def test_row_count_reports_observed_value(ekatalog_results):
    result = ekatalog_results["row_count"]
    assert result.success is True
    assert result.observed_value == 9
    assert result.unexpected_count is None
    assert result.samples == ()


def test_every_kind_is_executed_by_gx(ekatalog_results):
    for name, result in ekatalog_results.items():
        assert result.executed_by == "great_expectations==1.24.1", name


def test_expectation_type_and_kwargs(ekatalog_results):
    assert ekatalog_results["paket_produk_unique"].expectation_type == "unexpected_rows_expectation"
    assert ekatalog_results["paket_produk_unique"].expectation_kwargs == {"unexpected_rows_query": (
        "SELECT _source_file, _source_row, kd_paket, kd_produk FROM {batch} JOIN (SELECT kd_paket, kd_produk "
        "FROM {batch} WHERE kd_paket IS NOT NULL "
        "AND kd_produk IS NOT NULL GROUP BY ALL HAVING count(*) > 1) AS duplicated_keys "
        "USING (kd_paket, kd_produk)")}
    # A regex quantifier's braces are doubled: GX fills {batch} with str.format.
    assert ekatalog_results["kd_satker_format"].expectation_kwargs == {
        "unexpected_rows_query": "SELECT _source_file, _source_row, kd_satker_str FROM {batch} WHERE NOT regexp_matches(kd_satker_str, '^\\d{{6}}$')"}
    assert ekatalog_results["tgl_order_in_range"].expectation_kwargs == {
        "column": "tgl_order",
        "min_value": date(2021, 12, 25),
        "max_value": date(2025, 1, 7),
    }
    assert ekatalog_results["kd_satker_format"].expectation_type == "unexpected_rows_expectation"
    known = ekatalog_results["kd_satker_known"]
    assert known.expectation_type == "unexpected_rows_expectation"
    assert "NOT IN (SELECT kd_satker_str FROM ref.satker" in known.expectation_kwargs["unexpected_rows_query"]


def test_more_violations_than_sample_size_are_counted_but_samples_capped(ekatalog_db):
    _, con = ekatalog_db
    rules = [
        Rule("has_produk_x9", InSet("kd_produk", ("X9",)), "WARN", "gx path"),
        Rule("satker_is_100003", MatchesRegex("kd_satker_str", "^100003$"), "WARN", "sql path"),
    ]
    gx_result, sql_result = validate_table(con, "stg.ekatalog_v5", rules, sample_size=3)
    assert gx_result.unexpected_count == 7
    assert _pairs(gx_result) == [(A, 1), (A, 2), (A, 3)]
    assert sql_result.unexpected_count == 8
    assert _pairs(sql_result) == [(A, 1), (A, 2), (A, 3)]


def test_mostly_tolerates_a_share_of_violations(ekatalog_db):
    _, con = ekatalog_db
    rules = [
        Rule("status_mostly", InSet("status_pkt", ("selesai", "proses", "batal", "dikirim"), mostly=0.8), "WARN", ""),
        Rule("status_mostly_strict", InSet("status_pkt", ("selesai", "proses", "batal", "dikirim"), mostly=0.9),
             "WARN", ""),
    ]
    status, strict = validate_table(con, "stg.ekatalog_v5", rules)
    assert (status.success, status.unexpected_count) == (True, 1)  # 8/9 >= 0.8
    assert (strict.success, strict.unexpected_count) == (False, 1)  # 8/9 < 0.9
    # GX's UnexpectedRowsExpectation has no mostly: asking for one fails at definition time.
    with pytest.raises(ValueError, match="no mostly"):
        MatchesRegex("kd_satker_str", r"^\d{6}$", mostly=0.75)


def test_validate_table_opens_a_database_path_read_only(tmp_path):
    path = tmp_path / "staging.duckdb"
    con = duckdb.connect(str(path))
    _create_ekatalog(con)
    con.close()
    results = validate_table(path, "stg.ekatalog_v5", [RULES[0], RULES[6]])
    assert [r.unexpected_count for r in results] == [2, 2]
    # Closed again: a writer can open the file afterwards.
    duckdb.connect(str(path)).close()


def test_a_path_already_open_with_another_config_asks_for_the_connection(ekatalog_db):
    path, _ = ekatalog_db  # open with dagster's config by the fixture
    with pytest.raises(ValueError, match="pass that open connection"):
        validate_table(path, "stg.ekatalog_v5", [RULES[0]])


def test_table_without_lineage_columns_still_gives_value_samples(tmp_path):
    con = duckdb.connect(str(tmp_path / "x.duckdb"))
    con.execute("CREATE TABLE kota (kd_kota VARCHAR)")
    con.execute("INSERT INTO kota VALUES ('3171'), ('3172'), ('9999'), (NULL)")
    gx_result, sql_result = validate_table(
        con,
        "kota",
        [
            Rule("kota_dki", InSet("kd_kota", ("3171", "3172", "3173", "3174", "3175", "3101")), "ERROR", ""),
            Rule("kota_format", MatchesRegex("kd_kota", r"^31\d{2}$", lineage=False), "ERROR", ""),
        ],
    )
    assert gx_result.samples == ({"kd_kota": "9999"},)
    assert sql_result.samples == ({"kd_kota": "9999"},)


def test_empty_table_passes_every_rule_with_zero_counts(tmp_path):
    # A pemda that sends no roster this quarter: GX reports None counts on an empty table.
    con = duckdb.connect(str(tmp_path / "empty.duckdb"))
    con.execute("CREATE TABLE roster (sektor VARCHAR, omzet DECIMAL(18, 2), "
                "_source_file VARCHAR, _source_row BIGINT)")
    results = validate_table(con, "roster", [
        Rule("sektor_known", InSet("sektor", ("Perikanan",)), "ERROR", ""),
        Rule("omzet_not_negative", Between("omzet", min_value=0), "ERROR", ""),
        Rule("sektor_not_null", NotNull("sektor"), "ERROR", ""),
        Rule("sektor_unique", Unique(("sektor",)), "ERROR", ""),
    ])
    assert [(r.rule_name, r.success, r.element_count, r.unexpected_count) for r in results] == [
        ("sektor_known", True, 0, 0), ("omzet_not_negative", True, 0, 0),
        ("sektor_not_null", True, 0, 0), ("sektor_unique", True, 0, 0)]


# ---- the remaining kinds: APBD arithmetic, kode rekening, NIB, sektor ----------------------------


def test_apbd_sum_rule_kode_rekening_and_sets(tmp_path):
    con = duckdb.connect(str(tmp_path / "apbd.duckdb"), config=DAGSTER_CONFIG)
    con.execute("CREATE SCHEMA stg")
    con.execute(
        """CREATE TABLE stg.apbd_belanja (kode_rekening VARCHAR, kd_kota VARCHAR, belanja_pengadaan DECIMAL(18, 2),
            belanja_operasi DECIMAL(18, 2), belanja_modal DECIMAL(18, 2), _source_file VARCHAR, _source_row BIGINT)"""
    )
    con.executemany(
        "INSERT INTO stg.apbd_belanja VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            ("5.1.02.01.01.0024", "3171", "300.00", "100.00", "200.00", "apbd.xlsx", 2),
            ("5.1.02.01.01", "3172", "300.00", "100.00", "200.00", "apbd.xlsx", 3),  # five levels
            ("5.2.02.10.01.0003", "3173", "301.00", "100.00", "200.00", "apbd.xlsx", 4),  # sum off by 1
            ("5.2.02.10.01.0003.1", "3275", "0.00", "0.00", "0.00", "apbd.xlsx", 5),  # seven levels; Bekasi
            ("52.02.10.01.0003.1", "3101", None, "1.00", "1.00", "apbd.xlsx", 6),  # first level two digits
        ],
    )
    rules = [
        Rule(
            "belanja_pengadaan_is_sum",
            RowCondition(
                "belanja_pengadaan = belanja_operasi + belanja_modal",
                ("belanja_pengadaan", "belanja_operasi", "belanja_modal"),
            ),
            "ERROR",
            "belanja_pengadaan = belanja_operasi + belanja_modal",
        ),
        Rule("kode_rekening_six_levels", MatchesRegex("kode_rekening", r"^\d(\.\d+){5}$"), "ERROR", ""),
        Rule("kota_dki", InSet("kd_kota", ("3171", "3172", "3173", "3174", "3175", "3101")), "WARN", ""),
    ]
    sums, kode, kota = validate_table(con, "stg.apbd_belanja", rules)
    assert (sums.unexpected_count, _pairs(sums)) == (1, [("apbd.xlsx", 4)])
    assert sums.unexpected_percent == pytest.approx(20.0)  # 1 of the table's 5 rows
    assert (kode.unexpected_count, _pairs(kode)) == (3, [("apbd.xlsx", 3), ("apbd.xlsx", 5), ("apbd.xlsx", 6)])
    assert (kota.unexpected_count, _pairs(kota)) == (1, [("apbd.xlsx", 5)])


@pytest.mark.parametrize(
    ("pattern", "values", "bad"),
    [
        (r"^\d{13}$", ["1234567890123", "123456789012", "12345678901234", "12345678901a3", "0000000000000"], [2, 3, 4]),
        (r"^\d(\.\d+){5}$", ["5.1.02.01.01.0024", "5.1.02.01.01", "5.1.02.01.01.0024.", "x.1.2.3.4.5"], [2, 3, 4]),
        (r"^\d{6}$", ["100001", " 100001", "10000", "1000011", "abcdef"], [2, 3, 4, 5]),
        (r"\d", ["a1", "bb", "2"], [2]),  # unanchored: a search, like GX's regex expectation
    ],
)
def test_regex_patterns(tmp_path, pattern, values, bad):
    con = duckdb.connect(str(tmp_path / "r.duckdb"))
    con.execute("CREATE TABLE t (v VARCHAR, _source_file VARCHAR, _source_row BIGINT)")
    con.executemany("INSERT INTO t VALUES (?, 'f.csv', ?)", [(v, i) for i, v in enumerate(values, start=1)] + [(None, 99)])
    (result,) = validate_table(con, "t", [Rule("v_format", MatchesRegex("v", pattern), "ERROR", "")])
    assert result.unexpected_count == len(bad)
    assert [s["_source_row"] for s in result.samples] == bad


def test_unknown_columns_and_tables_fail_before_running(ekatalog_db):
    _, con = ekatalog_db
    with pytest.raises(ValueError, match="no column"):
        validate_table(con, "stg.ekatalog_v5", [Rule("x", NotNull("nope"), "ERROR", "")])
    with pytest.raises(ValueError, match="does not exist"):
        validate_table(con, "stg.nope", [RULES[0]])
    with pytest.raises(ValueError, match="has no column"):
        validate_table(con, "stg.ekatalog_v5", [Rule("x", ExistsIn("kd_rup", "ref.satker", "nope"), "ERROR", "")])
    with pytest.raises(ValueError, match="duplicate"):
        validate_table(con, "stg.ekatalog_v5", [RULES[0], RULES[0]])


def test_rule_definitions_are_checked():
    with pytest.raises(ValueError):
        Rule("bad name", NotNull("a"), "ERROR", "")
    with pytest.raises(ValueError):
        Rule("x", NotNull("a"), "FATAL", "")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Between("a")
    with pytest.raises(ValueError):
        NotNull("a", mostly=0)
    with pytest.raises(TypeError):
        Between("tgl_order", date(2022, 1, 1), tolerance=7)
    with pytest.raises(ValueError):
        ExistsIn("a", "x.y.z", "b")


def test_callers_connection_is_left_usable(ekatalog_db):
    _, con = ekatalog_db
    con.execute("SELECT 1")  # an unfinished result on the caller's connection
    validate_table(con, "stg.ekatalog_v5", [RULES[0], RULES[1]])
    assert con.fetchall() == [(1,)]
    assert con.execute("SELECT current_setting('search_path')").fetchall() == [("",)]


def test_a_validation_serializes_no_project_config(ekatalog_db, monkeypatch):
    # Each datasource, asset and batch definition added to GX's ephemeral context "saves"
    # the whole project config as YAML into memory, which nothing reads back: about a sixth
    # of a validation's time, skipped by lib/quality.py. The same counts must come out.
    from great_expectations.data_context.data_context_variables import DataContextVariables

    saves = []
    original = DataContextVariables.save
    monkeypatch.setattr(DataContextVariables, "save",
                        lambda self: saves.append(1) or original(self))
    _, con = ekatalog_db
    results = validate_table(con, "stg.ekatalog_v5", [RULES[0], RULES[1]])
    assert saves == []
    assert [r.unexpected_count for r in results] == [2, 4]


# ---- Dagster ---------------------------------------------------------------------------------


def test_severities_map_to_dagster(ekatalog_results):
    import dagster as dg

    error = to_asset_check_result(ekatalog_results["kd_rup_not_null"], asset_key="stg_ekatalog_v5")
    warn = to_asset_check_result(ekatalog_results["total_harga_non_negative"], asset_key="stg_ekatalog_v5")
    assert error.severity == dg.AssetCheckSeverity.ERROR
    assert warn.severity == dg.AssetCheckSeverity.WARN
    assert (error.passed, warn.passed) == (False, False)
    assert error.check_name == "kd_rup_not_null"
    assert error.asset_key == dg.AssetKey("stg_ekatalog_v5")
    assert error.description == "Every order names its RUP package"


def test_metadata_keys_and_values(ekatalog_results):
    check = to_asset_check_result(ekatalog_results["kd_paket_unique"])
    assert set(check.metadata) == {
        "element_count",
        "unexpected_count",
        "unexpected_percent",
        "observed_value",
        "samples",
        "expectation_type",
        "expectation_kwargs",
        "executed_by",
    }
    assert check.metadata["unexpected_count"].value == 4
    assert check.metadata["unexpected_percent"].value == pytest.approx(400 / 9)
    assert check.metadata["expectation_type"].value == "unexpected_rows_expectation"
    assert "GROUP BY ALL HAVING count(*) > 1" in check.metadata["expectation_kwargs"].value["unexpected_rows_query"]
    assert check.metadata["samples"].value.splitlines() == [
        "| _source_file | _source_row | kd_paket |",
        "| --- | --- | --- |",
        "| v5_a.json | 3 | P3 |",
        "| v5_b.json | 1 | P3 |",
        "| v5_b.json | 2 | P4 |",
        "| v5_b.json | 3 | P4 |",
    ]
    row_count = to_asset_check_result(ekatalog_results["row_count"])
    assert row_count.passed is True
    assert row_count.metadata["observed_value"].value == 9
    assert row_count.metadata["unexpected_count"].value is None
    dates = to_asset_check_result(ekatalog_results["tgl_order_in_range"])
    assert dates.metadata["expectation_kwargs"].value == {
        "column": "tgl_order",
        "min_value": "2021-12-25",
        "max_value": "2025-01-07",
    }


def test_check_specs_block_on_error_rules_only():
    specs = {s.name: s for s in check_specs("stg_ekatalog_v5", RULES)}
    assert list(specs) == [r.name for r in RULES]
    assert specs["kd_rup_not_null"].blocking is True
    assert specs["total_harga_non_negative"].blocking is False
    assert specs["kd_paket_unique"].description == "kd_paket is unique"


def _materialize_with_checks(path, rules):
    import dagster as dg

    @dg.asset(name="stg_ekatalog_v5")
    def stg_ekatalog_v5() -> None:
        return None

    @dg.multi_asset_check(specs=check_specs(stg_ekatalog_v5.key, rules))
    def stg_ekatalog_v5_quality():
        # As DuckDBResource.get_connection() would: same file, dagster's config, shared instance
        # with the fixture's open connection.
        con = duckdb.connect(str(path), config=DAGSTER_CONFIG)
        try:
            results = validate_table(con, "stg.ekatalog_v5", rules)
        finally:
            con.close()
        yield from to_asset_check_results(results)

    return dg.materialize(
        [stg_ekatalog_v5, stg_ekatalog_v5_quality], instance=dg.DagsterInstance.ephemeral(), raise_on_error=False
    )


def test_multi_asset_check_yields_one_result_per_rule(ekatalog_db):
    path, _ = ekatalog_db
    run = _materialize_with_checks(path, RULES)
    evaluations = {e.check_name: e for e in run.get_asset_check_evaluations()}
    assert set(evaluations) == {r.name for r in RULES}
    assert evaluations["row_count"].passed is True
    assert evaluations["kd_rup_not_null"].passed is False
    assert evaluations["kd_rup_not_null"].severity.value == "ERROR"
    assert evaluations["tgl_order_in_range"].severity.value == "WARN"
    assert evaluations["kd_satker_known"].metadata["unexpected_count"].value == 3
    # Failed ERROR rules are blocking: the step fails, so downstream assets would not run.
    assert run.success is False


def test_failed_warn_rules_do_not_block(ekatalog_db):
    path, _ = ekatalog_db
    warn_rules = [r for r in RULES if r.severity == "WARN"]
    run = _materialize_with_checks(path, warn_rules)
    evaluations = run.get_asset_check_evaluations()
    assert len(evaluations) == len(warn_rules)
    assert not any(e.passed for e in evaluations)
    assert run.success is True


# ---- pinned GX / DuckDB behaviour ------------------------------------------------------------


def _gx_unique(columns: tuple[str, ...]) -> SuiteExpectation:
    """Test only: GX's own uniqueness expectation, to compare its counts with our query's."""
    if len(columns) == 1:
        return SuiteExpectation("expect_column_values_to_be_unique", {"column": columns[0]}, columns)
    return SuiteExpectation("expect_compound_columns_to_be_unique", {"column_list": list(columns)}, columns)


def _gx_regex(column: str, regex: str) -> SuiteExpectation:
    return SuiteExpectation("expect_column_values_to_match_regex", {"column": column, "regex": regex}, (column,))


def _gx_like(column: str, pattern: str) -> SuiteExpectation:
    return SuiteExpectation("expect_column_values_to_match_like_pattern", {"column": column, "like_pattern": pattern},
                            (column,))


def test_our_uniqueness_query_counts_what_gx_counts(tmp_path):
    con = duckdb.connect(str(tmp_path / "u.duckdb"))
    con.execute("CREATE TABLE t (a VARCHAR, b INTEGER, _source_file VARCHAR, _source_row BIGINT)")
    con.executemany(
        "INSERT INTO t VALUES (?, ?, 'f', ?)",
        [
            (a, b, i)
            for i, (a, b) in enumerate(
                [("x", 1), ("x", 1), ("x", 2), ("y", None), ("y", None), (None, 3), (None, 3), (None, None), (None, None), ("z", 1)],
                start=1,
            )
        ],
    )
    for columns in (("a",), ("b",), ("a", "b"), ("_source_row",), ("a", "_source_row")):  # failing, then passing
        ours, theirs = validate_table(
            con,
            "t",
            [Rule("ours", Unique(columns), "ERROR", ""), Rule("gx", _gx_unique(columns), "ERROR", "")],
            sample_columns=(),
        )
        assert theirs.executed_by.startswith("great_expectations==")
        assert theirs.expectation_type != ours.expectation_type == "unexpected_rows_expectation"
        assert (ours.unexpected_count, ours.success) == (theirs.unexpected_count, theirs.success), columns


def test_gx_returns_unexpected_count_and_lineage_samples_for_not_null_on_duckdb(ekatalog_db):
    # The assumption the GX path rests on (the layer raises GXCompatibilityError otherwise).
    _, con = ekatalog_db
    (result,) = validate_table(con, "stg.ekatalog_v5", [RULES[0]])
    assert result.executed_by.startswith("great_expectations==1.")
    assert (result.unexpected_count, _pairs(result)) == (2, [(A, 2), (B, 3)])


def test_compat_layer_detects_gx_reading_results_after_the_connection_closed(ekatalog_db, monkeypatch):
    # GX #10738 / #11579: execute_query() returns a result after closing its connection; DuckDB
    # drops it on the rollback, and GX fails with IndexError. Without our buffering cursor the
    # layer must say so loudly. (If this stops failing, GX fixed it and the buffering may go.)
    import duckdb_engine

    _, con = ekatalog_db
    monkeypatch.setattr(quality, "_buffered_connection_class",
                        lambda: lambda inner, rule_queries=None: duckdb_engine.ConnectionWrapper(inner))
    with pytest.raises(GXCompatibilityError, match=r"great_expectations 1\.\d+\.\d+ .*raised on the duckdb dialect"):
        validate_table(con, "stg.ekatalog_v5", [RULES[0]])


def test_compat_layer_detects_gx_pulling_rows_into_python(ekatalog_db):
    _, con = ekatalog_db
    connection = quality._buffered_connection_class()(con.cursor())
    cursor = connection.cursor()
    cursor.execute("SELECT * FROM range(5000)")
    assert len(cursor.fetchmany(200)) == 200  # what GX's UnexpectedRowsExpectation reads
    with pytest.raises(GXCompatibilityError, match="more than 1000 rows"):
        cursor.fetchall()
    cursor.execute("SELECT 42")
    assert cursor.fetchall() == [(42,)]
    connection.close()


def test_compat_layer_detects_missing_search_path_workaround(ekatalog_db, monkeypatch):
    # duckdb_engine 0.17 reflection queries pg_catalog.pg_collation (absent in DuckDB), so GX
    # falls back to `SELECT * FROM <table> LIMIT 1` without the schema. We set search_path.
    _, con = ekatalog_db

    def factory_without_search_path(con, schema, rule_queries=None):
        cls = quality._buffered_connection_class()
        return lambda: cls(con.cursor())

    monkeypatch.setattr(quality, "_gx_connection_factory", factory_without_search_path)
    with pytest.raises(GXCompatibilityError, match="ekatalog_v5 does not exist"):
        validate_table(con, "stg.ekatalog_v5", [RULES[0]])


def test_compat_layer_detects_gx_regex_and_like_support_on_duckdb(ekatalog_db):
    # Why MatchesRegex is an UnexpectedRowsExpectation with regexp_matches: GX has no duckdb
    # branch for regex or LIKE. If GX gains one, this fails: consider its own expectation.
    _, con = ekatalog_db
    with pytest.raises(GXCompatibilityError, match="Regex is not supported for dialect duckdb"):
        validate_table(con, "stg.ekatalog_v5", [Rule("r", _gx_regex("kd_satker_str", r"^\d{6}$"), "ERROR", "")])
    with pytest.raises(GXCompatibilityError, match="Like patterns are not supported for dialect duckdb"):
        validate_table(con, "stg.ekatalog_v5", [Rule("l", _gx_like("kd_satker_str", "1%"), "ERROR", "")])


def test_compat_layer_detects_missing_unexpected_count():
    class FakeConfig:
        type = "expect_column_values_to_not_be_null"
        meta = {"p3dn_rule": "kd_rup_not_null"}

    class FakeResult:
        expectation_config = FakeConfig()
        exception_info = {"raised_exception": False, "exception_message": None}
        success = False
        result = {"element_count": 9, "unexpected_percent": 22.2}  # no unexpected_count

    with pytest.raises(GXCompatibilityError, match=r"great_expectations 9\.9\.9 .*no \['unexpected_count'\]"):
        quality._parse_gx_result("9.9.9", RULES[0], FakeResult(), ("_source_file", "_source_row"), 5)

    FakeResult.result = {"element_count": 9, "unexpected_count": 2, "unexpected_percent": 22.2}
    with pytest.raises(GXCompatibilityError, match="no partial_unexpected_index_list"):
        quality._parse_gx_result("9.9.9", RULES[0], FakeResult(), ("_source_file", "_source_row"), 5)

    FakeConfig.type = "expect_column_values_to_be_null"
    with pytest.raises(GXCompatibilityError, match="came back as"):
        quality._parse_gx_result("9.9.9", RULES[0], FakeResult(), ("_source_file", "_source_row"), 5)


def test_compat_layer_detects_unsupported_gx_major_version(monkeypatch):
    import great_expectations as gx

    monkeypatch.setattr(gx, "__version__", "2.0.0")
    with pytest.raises(GXCompatibilityError, match="great_expectations 2.0.0 is installed"):
        quality._import_gx()


def test_compat_layer_detects_duckdb_refusing_a_second_config_for_one_file(ekatalog_db):
    # Why GX gets cursors of the caller's connection instead of connection_string="duckdb:///path":
    # a second connection to the same file with another config (duckdb_engine sets its own
    # user agent) is refused while dagster's connection is open.
    path, _ = ekatalog_db
    with pytest.raises(duckdb.ConnectionException, match="different configuration"):
        duckdb.connect(str(path))


def test_sums_match_lists_every_row_of_a_key_whose_sum_differs_from_the_other_table(tmp_path):
    # Contracts of a selection against the selection's own contract value.
    con = duckdb.connect(str(tmp_path / "k.duckdb"))
    con.execute("CREATE SCHEMA stg")
    con.execute("CREATE TABLE stg.selesai (kd DECIMAL(18, 0), nilai DECIMAL(18, 2))")
    con.executemany("INSERT INTO stg.selesai VALUES (?, ?)", [
        (1, "300.00"),   # two contracts of 100 + 200: equal
        (2, "500.00"),   # two contracts of 250 + 250.01: off by 0.01
        (3, "90.00"),    # one contract of 80: lower, differs
        (4, None),       # no value yet: not compared
        (6, "10.00")])   # no contract: not compared
    con.execute("CREATE TABLE stg.kontrak (kd DECIMAL(18, 0), nilai DECIMAL(18, 2), "
                "_source_file VARCHAR, _source_row BIGINT)")
    con.executemany("INSERT INTO stg.kontrak VALUES (?, ?, 'k.json', ?)", [
        (1, "100.00", 1), (1, "200.00", 2), (2, "250.00", 3), (2, "250.01", 4), (3, "80.00", 5),
        (4, "40.00", 6), (5, "99.00", 7),  # 5: no selection row, not compared
        (None, "1.00", 8)])
    exact, within_a_sen = validate_table(con, "stg.kontrak", [
        Rule("nilai_as_selesai", SumsMatch("nilai", ("kd",), "stg.selesai", "nilai"), "WARN", ""),
        Rule("nilai_as_selesai_1", SumsMatch("nilai", ("kd",), "stg.selesai", "nilai",
                                             tolerance=Decimal("0.01")), "WARN", ""),
    ])
    assert (exact.success, exact.element_count, exact.unexpected_count) == (False, 8, 3)
    # 3 of the table's 8 rows belong to a key whose sums differ.
    assert exact.unexpected_percent == pytest.approx(37.5)
    assert exact.samples == (
        {"_source_file": "k.json", "_source_row": 3, "kd": 2, "nilai": Decimal("250.00"),
         "sum_nilai": Decimal("500.01"), "stg.selesai.nilai": Decimal("500.00")},
        {"_source_file": "k.json", "_source_row": 4, "kd": 2, "nilai": Decimal("250.01"),
         "sum_nilai": Decimal("500.01"), "stg.selesai.nilai": Decimal("500.00")},
        {"_source_file": "k.json", "_source_row": 5, "kd": 3, "nilai": Decimal("80.00"),
         "sum_nilai": Decimal("80.00"), "stg.selesai.nilai": Decimal("90.00")})
    assert exact.executed_by == "great_expectations==1.24.1"
    assert exact.expectation_type == "unexpected_rows_expectation"
    assert (within_a_sen.unexpected_count, _pairs(within_a_sen)) == (1, [("k.json", 5)])
    with pytest.raises(ValueError, match="has no column 'nope'"):
        validate_table(con, "stg.kontrak", [
            Rule("x", SumsMatch("nilai", ("kd",), "stg.selesai", "nilai", ref_key=("nope",)),
                 "WARN", "")])
    with pytest.raises(ValueError, match="as many ref_key columns"):
        SumsMatch("nilai", ("kd",), "stg.selesai", "nilai", ref_key=("a", "b"))


# ---- one DuckDB run per UnexpectedRowsExpectation ---------------------------------------------


@pytest.fixture()
def recorded_rule_queries(monkeypatch):
    """The _RuleQueries of each validation, kept for the test to read."""
    seen: list[quality._RuleQueries] = []

    class Recording(quality._RuleQueries):
        def __init__(self, queries):
            super().__init__(queries)
            seen.append(self)

    monkeypatch.setattr(quality, "_RuleQueries", Recording)
    return seen


def test_each_unexpected_rows_query_runs_once_in_duckdb(ekatalog_db, recorded_rule_queries):
    # GX asks for COUNT(*) over each rule's query and for its first 200 rows; both are
    # answered from one run of the query, and the counts are the hand-worked ones.
    _, con = ekatalog_db
    results = {r.rule_name: r for r in validate_table(con, "stg.ekatalog_v5", RULES)}
    row_rules = [r for r in RULES if quality.is_unexpected_rows(r.expectation)]
    assert len(row_rules) == 5
    (queries,) = recorded_rule_queries
    assert len(queries.executed) == len(set(queries.executed)) == len(row_rules)
    for rule in row_rules:
        if rule.name in EXPECTED:
            assert results[rule.name].unexpected_count == EXPECTED[rule.name][0], rule.name


@pytest.mark.parametrize("bad_rows", [0, 1, 1000, 1001, 2500])
def test_counts_around_the_rows_kept_are_exact(tmp_path, recorded_rule_queries, bad_rows):
    # Up to 1000 unexpected rows the COUNT is the number of rows the query returned; from 1001
    # on, GX's own COUNT runs. Either way the count is exact, and the same as GX's alone.
    con = duckdb.connect(str(tmp_path / "k.duckdb"))
    con.execute(
        f"""CREATE TABLE t AS SELECT CASE WHEN i < {bad_rows} THEN 'X' || i ELSE lpad(i::VARCHAR, 6, '0') END AS kode,
            CASE WHEN i < {bad_rows} THEN 'dup' ELSE 'k' || i END AS kunci,
            'f.csv' AS _source_file, i + 1 AS _source_row FROM range(3000) r(i)""")
    rules = [Rule("kode_format", MatchesRegex("kode", r"^\d{6}$"), "ERROR", ""),
             Rule("kunci_unique", Unique(("kunci",)), "ERROR", "")]
    fmt, unique = validate_table(con, "t", rules, sample_size=3)
    expected_duplicates = bad_rows if bad_rows > 1 else 0
    assert (fmt.unexpected_count, fmt.success) == (bad_rows, bad_rows == 0)
    assert (unique.unexpected_count, unique.success) == (expected_duplicates, expected_duplicates == 0)
    assert _pairs(fmt) == [("f.csv", n) for n in range(1, min(bad_rows, 3) + 1)]

    # The same validation with the queries left as GX sent them.
    class NothingKnown(quality._RuleQueries):
        def is_rule_query(self, statement):
            return False

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(quality, "_RuleQueries", NothingKnown)
        plain = validate_table(con, "t", rules, sample_size=3)
    assert [(r.unexpected_count, r.success, r.samples) for r in plain] == [
        (r.unexpected_count, r.success, r.samples) for r in (fmt, unique)]
    con.close()


def test_compat_layer_detects_gx_changing_how_it_counts_unexpected_rows(ekatalog_db, recorded_rule_queries):
    # GX 1.x counts an UnexpectedRowsExpectation with `SELECT COUNT(*) as unexpected_row_count
    # FROM (<query>) AS substituted_batch_subquery` and reads the query itself for the rows. If
    # an upgrade changes either form, results stay right (the statements run as sent) but each
    # query runs twice again: this fails so that the form is followed.
    _, con = ekatalog_db
    validate_table(con, "stg.ekatalog_v5", [RULES[1], RULES[6]])
    (queries,) = recorded_rule_queries
    assert len(queries.results) == 2
    assert len(queries.executed) == 2
    assert queries.counts_answered == 2
