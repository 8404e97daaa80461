"""A dataset's fiscal years are counted through its own staging SQL (lib/fiscal_years.count):
the typed table's query as a subquery, so DuckDB binds it once and computes only the year."""

from __future__ import annotations

import dataclasses
import datetime as dt

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
