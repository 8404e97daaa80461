"""The stored Expectation Suites (defs/<source>/expectations/<table>.json) are GX 1.x suite JSON
that GX itself reads, are what the staging checks run, and validating them leaves no GX
deprecation warning."""

from __future__ import annotations

import json
from decimal import Decimal
import warnings
from pathlib import Path

import duckdb
import pytest

from p3dn_pipeline.lib import quality
from p3dn_pipeline.lib.quality import load_suite, validate_suite
from p3dn_pipeline.lib.sources import registry

DEFS = Path(quality.__file__).parents[1] / "defs"
STAGING_SUITE_FILES = sorted(p for p in DEFS.glob("*/expectations/*.json") if p.parts[-3] != "marts")
SUITE_FILES = sorted(DEFS.glob("*/expectations/*.json"))


def test_one_suite_per_checked_staging_table_next_to_its_source():
    staged = {s.name: s for source in registry().sources for s in source.staged}
    by_table = {path.stem: path for path in STAGING_SUITE_FILES}
    # 21 staging tables, 99 rules (+ 21 rows_accounted_for = the 120 staging checks).
    assert set(by_table) == {name for name, s in staged.items() if s.rules}
    assert len(by_table) == 21
    assert sum(len(s.rules) for s in staged.values()) == 99
    for name, path in by_table.items():
        assert path.parent.parent.name == staged[name].dataset.source, name
        assert [r.name for r in staged[name].rules] == [
            e["meta"]["dagster_check"] for e in json.loads(path.read_text())["expectations"]]


@pytest.mark.parametrize("path", SUITE_FILES, ids=lambda p: p.stem)
def test_gx_reads_each_suite_file_as_written(path):
    import great_expectations as gx

    written = json.loads(path.read_text(encoding="utf-8"))
    suite = gx.ExpectationSuite(**written)
    assert suite.name == f"{'marts' if path.parts[-3] == 'marts' else 'staging'}.{path.stem}"
    again = suite.to_json_dict()
    assert [(e["type"], e["kwargs"], e["meta"], e["severity"]) for e in again["expectations"]] == [
        (e["type"], e["kwargs"], e["meta"], e["severity"]) for e in written["expectations"]]
    for expectation in written["expectations"]:
        meta = expectation["meta"]
        assert meta["severity"] in ("ERROR", "WARN") and meta["description"] and meta["dagster_check"]
        assert expectation["severity"] == {"ERROR": "critical", "WARN": "warning"}[meta["severity"]]


def test_the_kpkp_suite_holds_its_rules_with_their_severity():
    # Worked out from the list of KPKP rules, not read back from the file's loader.
    rules = {r.name: (r.severity, r.expectation.gx_type)
             for r in load_suite(DEFS / "kpkp" / "expectations" / "kpkp_roster.json")}
    assert rules["business_per_quarter_unique"] == ("ERROR", "unexpected_rows_expectation")
    assert rules["kota_in_dki"] == ("ERROR", "expect_column_values_to_be_in_set")
    assert rules["kelurahan_in_dki_list"] == ("ERROR", "unexpected_rows_expectation")
    assert rules["kelurahan_matched"] == ("WARN", "expect_column_values_to_not_be_null")
    assert rules["omzet_ytd_not_decreasing"] == ("WARN", "unexpected_rows_expectation")


ROSTER = [  # tahun, triwulan, pelaku_usaha_id, kode_kab_kota, file, row
    (2025, 1, "a", "31.71", "r1.csv", 2),
    (2025, 1, "a", "31.72", "r1.csv", 3),
    (2025, 1, "b", "32.01", "r1.csv", 4),
]


def _roster_table(path: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA staging")
    con.execute("CREATE TABLE staging.roster (tahun INTEGER, triwulan INTEGER, pelaku_usaha_id VARCHAR, "
                "kode_kab_kota VARCHAR, _source_file VARCHAR, _source_row BIGINT)")
    con.executemany("INSERT INTO staging.roster VALUES (?, ?, ?, ?, ?, ?)", ROSTER)
    return con


def _edited_suite(tmp_path: Path, edit) -> Path:
    source = DEFS / "kpkp" / "expectations" / "kpkp_roster.json"
    suite = json.loads(source.read_text(encoding="utf-8"))
    suite["expectations"] = [e for e in suite["expectations"]
                             if e["meta"]["dagster_check"] in ("business_per_quarter_unique", "kota_in_dki")]
    edit(suite)
    path = tmp_path / "kpkp_roster.json"
    path.write_text(json.dumps(suite), encoding="utf-8")
    return path


def test_editing_the_suite_file_is_what_runs(tmp_path):
    con = _roster_table(tmp_path / "w.duckdb")
    as_shipped = validate_suite(con, "staging.roster", load_suite(_edited_suite(tmp_path, lambda s: None))).results
    # Rows 2 and 3 share (2025, 1, a); row 4 is in kota 32.01, outside DKI.
    assert [(r.rule_name, r.severity, r.unexpected_count, [s["_source_row"] for s in r.samples])
            for r in as_shipped] == [("business_per_quarter_unique", "ERROR", 2, [2, 3]),
                                     ("kota_in_dki", "ERROR", 1, [4])]

    def widen_and_soften(suite):
        kota = next(e for e in suite["expectations"] if e["meta"]["dagster_check"] == "kota_in_dki")
        kota["kwargs"]["value_set"].append("32.01")
        kota["meta"]["severity"], kota["severity"] = "WARN", "warning"

    edited = validate_suite(con, "staging.roster", load_suite(_edited_suite(tmp_path, widen_and_soften))).results
    assert [(r.rule_name, r.severity, r.unexpected_count) for r in edited] == [
        ("business_per_quarter_unique", "ERROR", 2), ("kota_in_dki", "WARN", 0)]


@pytest.mark.parametrize("edit, message", [
    (lambda e: e.update(severity="critical") or e["meta"].update(severity="WARN"), "contradicts"),
    (lambda e: e["meta"].pop("dagster_check"), "no meta.dagster_check"),
    (lambda e: e["meta"].update(severity="FATAL"), "ERROR or WARN"),
    (lambda e: e["kwargs"].update(unexpected_rows_query="SELECT * FROM staging.roster"), "must read {batch}"),
])
def test_a_suite_file_dagster_cannot_use_is_refused_naming_it(tmp_path, edit, message):
    path = _edited_suite(tmp_path, lambda s: edit(s["expectations"][0]))
    with pytest.raises(ValueError, match=message):
        load_suite(path)


def _gx_warnings(caught) -> list[str]:
    return [f"{w.category.__name__}: {w.message} ({w.filename})" for w in caught
            if issubclass(w.category, (DeprecationWarning, PendingDeprecationWarning, FutureWarning))
            and ("great_expectations" in w.filename or "schema_name" in str(w.message))]


def test_validation_leaves_no_gx_deprecation_warning(tmp_path):
    import great_expectations as gx  # imported first: GX's own imports of old stdlib modules are not ours
    import sqlalchemy as sa

    con = _roster_table(tmp_path / "w.duckdb")
    rules = load_suite(_edited_suite(tmp_path, lambda s: None))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        validate_suite(con, "staging.roster", rules)
    assert _gx_warnings(caught) == []

    # The check can see one: the deprecated schema_name is reported.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        context = gx.get_context(mode="ephemeral")
        datasource = context.data_sources.add_sql(
            name="d", connection_string="duckdb:///:memory:",
            kwargs={"creator": quality._gx_connection_factory(con, "staging"), "poolclass": sa.pool.NullPool})
        datasource.add_table_asset(name="roster", table_name="roster", schema_name="staging")
    assert any("schema_name" in w for w in _gx_warnings(caught))


def test_kept_results_are_gx_validation_results_with_samples_only(tmp_path):
    from great_expectations.core.expectation_validation_result import ExpectationSuiteValidationResultSchema

    from p3dn_pipeline.lib import gx_results

    con = _roster_table(tmp_path / "w.duckdb")
    validation = validate_suite(con, "staging.roster", load_suite(_edited_suite(tmp_path, lambda s: None)),
                                suite_name="staging.roster")
    kept = gx_results.keep_validation(con, "staging.roster", validation)
    assert kept.parent == tmp_path / "gx" / "validations" / "staging.roster"
    result = ExpectationSuiteValidationResultSchema().load(json.loads(kept.read_text()))
    assert (result.success, result.suite_name) == (False, "staging.roster")
    assert result.statistics["evaluated_expectations"] == 2
    unique = result.results[0]
    assert unique.result["observed_value"] == 2
    assert unique.result["details"]["unexpected_rows"] == [
        {"_source_file": "r1.csv", "_source_row": 2, "tahun": 2025, "triwulan": 1, "pelaku_usaha_id": "a"},
        {"_source_file": "r1.csv", "_source_row": 3, "tahun": 2025, "triwulan": 1, "pelaku_usaha_id": "a"}]
    assert (tmp_path / "gx" / "expectations" / "staging.roster.json").exists()


def test_only_the_newest_kept_results_of_a_table_stay(tmp_path, monkeypatch):
    from p3dn_pipeline.lib import gx_results

    con = _roster_table(tmp_path / "w.duckdb")
    validation = validate_suite(con, "staging.roster", load_suite(_edited_suite(tmp_path, lambda s: None)),
                                suite_name="staging.roster")
    folder = tmp_path / "gx" / "validations" / "staging.roster"
    folder.mkdir(parents=True)
    older = [folder / f"2026010{d}T000000_000000Z.json" for d in range(1, 6)]  # five older runs
    for path in older:
        path.write_text("{}")
    other_table = tmp_path / "gx" / "validations" / "staging.other"
    other_table.mkdir()
    (other_table / "20260101T000000_000000Z.json").write_text("{}")
    monkeypatch.setattr(gx_results, "KEPT_PER_TABLE", 3)
    kept = gx_results.keep_validation(con, "staging.roster", validation)
    # The new result and the two newest older ones stay; another table's are not touched.
    assert sorted(folder.iterdir()) == [older[3], older[4], kept]
    assert len(list(other_table.iterdir())) == 1


def test_gx_is_pinned_to_the_version_tested_and_the_suites_name_it():
    import re as _re

    from importlib.metadata import version

    repo = Path(quality.__file__).parents[2]
    pins = {name: _re.findall(r"^great-expectations==([0-9.]+)", (repo / name).read_text(), _re.MULTILINE)
            for name in ("requirements.lock", "requirements-dev.lock")}
    assert pins == {"requirements.lock": ["1.24.1"], "requirements-dev.lock": ["1.24.1"]}
    assert '"great-expectations==1.24.1"' in (repo / "pyproject.toml").read_text()
    assert version("great-expectations") == "1.24.1"
    for path in SUITE_FILES:
        assert json.loads(path.read_text())["meta"]["great_expectations_version"] == "1.24.1", path


def test_the_staging_contract_sees_the_columns_an_unexpected_rows_query_selects():
    rules = {r.name: r for r in load_suite(DEFS / "kpkp" / "expectations" / "kpkp_roster.json")}
    assert rules["sektor_known"].expectation.columns == ("_source_file", "_source_row", "sektor", "sektor_asli")
    # Table prefixes dropped, computed columns (AS) left out.
    assert quality._selected_columns(
        "SELECT t._source_file, t.kd, d.total AS sum_nilai, d.ref_total AS \"x.y\" FROM {batch} AS t") == (
        "_source_file", "kd")


def test_decimals_in_kept_results_are_what_gx_makes_of_them_without_its_stack_walk(tmp_path, monkeypatch):
    """A DECIMAL column's samples and bounds reach the kept result as GX's own serialization
    writes them (float), but not through GX's convert_decimal_to_float, which inspects the
    whole call stack for each Decimal (1.8 s of a scale-1 run)."""
    import great_expectations.util as gx_util

    from p3dn_pipeline.lib.quality import Between, RowCondition, Rule

    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("CREATE SCHEMA staging")
    con.execute("CREATE TABLE staging.harga (harga DECIMAL(18,2), _source_file VARCHAR, _source_row BIGINT)")
    con.execute("INSERT INTO staging.harga VALUES (12.25, 'h.csv', 2), (-3.50, 'h.csv', 3), (7.10, 'h.csv', 4)")
    rules = [Rule("harga_not_negative", Between("harga", min_value=Decimal("0.00")), "WARN", "d"),
             Rule("harga_small", RowCondition("harga < 10", ("harga",)), "WARN", "d")]
    decimals_gx_converted = []
    gx_convert = gx_util.convert_decimal_to_float
    monkeypatch.setattr(gx_util, "convert_decimal_to_float",
                        lambda d: decimals_gx_converted.append(d) or gx_convert(d))

    ours = validate_suite(con, "staging.harga", rules).validation_result
    assert decimals_gx_converted == []
    monkeypatch.setattr(quality, "_decimals_as_floats", lambda value: value)
    gx_own = validate_suite(con, "staging.harga", rules).validation_result
    assert len(decimals_gx_converted) >= 3  # GX met the Decimals itself: -3.50, 12.25, 7.10 at least
    assert ours["results"] == gx_own["results"]
    rows = {r["expectation_config"]["meta"]["dagster_check"]: r["result"] for r in ours["results"]}
    assert rows["harga_not_negative"]["partial_unexpected_list"] == [-3.5]
    assert rows["harga_small"]["details"]["unexpected_rows"] == [
        {"_source_file": "h.csv", "_source_row": 2, "harga": 12.25}]
