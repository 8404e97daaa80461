"""scripts/compare_warehouses.py: the check that a refactor changed no figure."""

from __future__ import annotations

import duckdb
import pytest

from p3dn_pipeline_tests.conftest import REPO, script_module


@pytest.fixture(scope="module")
def compare():
    with script_module(REPO / "scripts" / "compare_warehouses.py", "compare_warehouses") as module:
        yield module


def warehouse(path, rows, loaded_at="2025-01-01", extra_table=False):
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA marts; CREATE SCHEMA raw")
    con.execute("CREATE TABLE marts.p3dn_provinsi (tahun INTEGER, pct DECIMAL(5, 2), "
                "dimuat_pada TIMESTAMP)")
    # Inserted in another order each time: only the contents count, sorted.
    con.executemany("INSERT INTO marts.p3dn_provinsi VALUES (?, ?, ?)",
                    [(t, p, loaded_at) for t, p in rows])
    con.execute("CREATE TABLE raw.ignored AS SELECT 1 AS x")
    if extra_table:
        con.execute("CREATE TABLE marts.extra AS SELECT 1 AS x")
    con.close()
    return path


def test_same_figures_loaded_at_other_times_are_identical(compare, tmp_path, capsys):
    old = warehouse(tmp_path / "old.duckdb", [(2024, 71.8), (2025, 91.82)])
    new = warehouse(tmp_path / "new.duckdb", [(2025, 91.82), (2024, 71.8)], "2026-12-04")
    assert compare.main([str(old), str(new)]) == 0
    assert capsys.readouterr().out.strip() == \
        "identical: 1 tables (marts, staging, quarantine, reference)"


def test_a_changed_figure_or_a_missing_table_is_named(compare, tmp_path, capsys):
    old = warehouse(tmp_path / "old.duckdb", [(2024, 71.8), (2025, 91.82)], extra_table=True)
    new = warehouse(tmp_path / "new.duckdb", [(2024, 71.8), (2025, 91.83)])
    assert compare.main([str(old), str(new)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "differs: marts.p3dn_provinsi", f"only in {old}: marts.extra"]
