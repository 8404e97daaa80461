"""A dataset's fiscal years are counted through its own staging SQL (lib/fiscal_years.count):
the typed table's query cut to its year column, as a subquery, so DuckDB binds only the year's
expression and computes only the year."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from p3dn_pipeline.lib import fiscal_years, ledger
from p3dn_pipeline.lib.sources import registry

NOW = dt.datetime(2025, 10, 1, 6, 0)
HEADER = "Kode SKPD;Nama SKPD;Kode Rekening;Uraian;Anggaran;Realisasi;Bulan;Tahun"


def _apbd():
    source = next(s for s in registry().sources if s.name == "apbd")
    return source, next(s for s in source.staged if s.name == "apbd_realisasi")


def _load(con, folder, years):
    lines = [HEADER] + [f"1.01.0.00.0.00.01.0000;DINAS PENDIDIKAN;5.1.02.01.01.0024;ATK;1.000;"
                        f"500;Januari;{year}" for year in years]
    (folder / "realisasi_apbd.csv").write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    source, staged = _apbd()
    ledger.take_inventory(con, folder, NOW)
    ledger.load_pending(con, staged.dataset, folder, NOW)
    return source, staged


def test_the_years_are_those_the_staging_sql_reads(warehouse_con, tmp_path):
    # "2.025" is no year the staging SQL reads: its row counts for no year (staging
    # quarantines it).
    source, staged = _load(warehouse_con, tmp_path, [2025, 2024, 2025, "2.025"])
    assert fiscal_years.count(warehouse_con, source, staged) == [2024, 2025]
    # Nothing is left behind on the connection: no view, no typed table.
    assert warehouse_con.execute(
        "SELECT count(*) FROM duckdb_views() WHERE NOT internal AND view_name LIKE 'typed_%'"
    ).fetchall() == [(0,)]


def test_a_staging_file_with_other_statements_and_a_closing_comment_is_counted(
        warehouse_con, tmp_path):
    source, staged = _load(warehouse_con, tmp_path, [2023])
    sql_folder = tmp_path / "sql"
    sql_folder.mkdir()
    (sql_folder / "staging_apbd_realisasi.sql").write_text(
        "-- a helper the typed query reads\n"
        "CREATE OR REPLACE TEMP TABLE bulan_tambahan AS SELECT 2022 AS tahun;\n"
        "-- the typed table\n"
        "CREATE OR REPLACE TEMP TABLE typed_apbd_realisasi AS\n"
        "SELECT CAST(tahun AS INTEGER) AS tahun_anggaran, $kd_klpd AS kd_klpd FROM raw.apbd_realisasi\n"
        "UNION ALL SELECT tahun, NULL FROM bulan_tambahan\n"
        "-- a comment on the query's last line\n",
        encoding="utf-8")
    moved = dataclasses.replace(source, folder=tmp_path)
    assert fiscal_years.count(warehouse_con, moved, staged) == [2022, 2023]


def test_every_staging_query_is_counted_on_its_year_column_alone(warehouse_con):
    """On the shipped sample, each dataset's typed query cut to its year column gives the
    years the whole query gives, and only that column: counting binds the year's expression
    and the query's FROM, not every column's macros."""
    landing = Path(__file__).resolve().parents[2] / "data" / "landing"
    ledger.take_inventory(warehouse_con, landing, NOW)
    counted = 0
    for source in registry().sources:
        for staged in source.staged:
            if not staged.year_column:
                continue
            ledger.load_pending(warehouse_con, staged.dataset, landing, NOW)
            query = fiscal_years.typed_query(warehouse_con, source, staged)
            reduced = fiscal_years.year_only_query(warehouse_con, query, staged.year_column)
            assert reduced is not None, staged.name
            assert [r[0] for r in warehouse_con.execute(
                f"DESCRIBE SELECT * FROM ({reduced})").fetchall()] == [staged.year_column]
            whole = _years(warehouse_con, query, staged.year_column)
            assert whole, staged.name  # the sample has rows of every dataset
            assert _years(warehouse_con, reduced, staged.year_column) == whole, staged.name
            assert fiscal_years.count(warehouse_con, source, staged) == whole, staged.name
            counted += 1
    assert counted == 15


def _years(con, query, year):
    return [r[0] for r in con.execute(
        f"SELECT DISTINCT {year} FROM (\n{query}\n) AS q WHERE {year} IS NOT NULL ORDER BY 1"
    ).fetchall()]


@pytest.mark.parametrize("query", [
    # Clauses that may name the select list's aliases, or change which rows there are.
    "SELECT DISTINCT tahun AS tahun_anggaran, uraian FROM raw.apbd_realisasi",
    "SELECT tahun AS tahun_anggaran, uraian AS u FROM raw.apbd_realisasi ORDER BY u",
    "SELECT tahun AS tahun_anggaran, uraian FROM raw.apbd_realisasi LIMIT 1",
    "SELECT tahun AS tahun_anggaran, uraian AS u FROM raw.apbd_realisasi "
    "QUALIFY row_number() OVER (PARTITION BY u) = 1",
    "SELECT tahun AS tahun_anggaran, count(*) AS n FROM raw.apbd_realisasi GROUP BY ALL",
    "SELECT tahun AS tahun_anggaran FROM raw.apbd_realisasi GROUP BY tahun HAVING count(*) > 1",
    "SELECT tahun AS tahun_anggaran FROM raw.apbd_realisasi USING SAMPLE 1",
    "SELECT tahun AS tahun_anggaran FROM raw.apbd_realisasi UNION SELECT 2020",
    # No single column of that name.
    "SELECT * FROM raw.apbd_realisasi",
    "SELECT tahun AS tahun, uraian FROM raw.apbd_realisasi",
    "SELECT tahun AS tahun_anggaran, uraian AS TAHUN_ANGGARAN FROM raw.apbd_realisasi",
    "not SQL at all",
])
def test_a_query_that_cutting_could_change_is_kept_whole(warehouse_con, query):
    assert fiscal_years.year_only_query(warehouse_con, query, "tahun_anggaran") is None


def test_a_year_that_names_a_dropped_alias_is_counted_on_the_whole_query(
        warehouse_con, tmp_path):
    source, staged = _load(warehouse_con, tmp_path, [2021, 2024])
    sql_folder = tmp_path / "sql"
    sql_folder.mkdir()
    # DuckDB lets a select item name an alias before it: cut to tahun_anggaran alone, t0 is
    # gone and the query no longer binds.
    (sql_folder / "staging_apbd_realisasi.sql").write_text(
        "CREATE OR REPLACE TEMP TABLE typed_apbd_realisasi AS\n"
        "SELECT CAST(tahun AS INTEGER) AS t0, t0 AS tahun_anggaran FROM raw.apbd_realisasi\n",
        encoding="utf-8")
    moved = dataclasses.replace(source, folder=tmp_path)
    assert fiscal_years.year_only_query(
        warehouse_con, fiscal_years.typed_query(warehouse_con, moved, staged),
        "tahun_anggaran") is not None
    assert fiscal_years.count(warehouse_con, moved, staged) == [2021, 2024]
