"""Fiscal-year partitions: a backfill of two years is one run; one past year can be re-run
alone without touching the others; re-running a year is idempotent; rows whose year is
missing or outside the partitions are quarantined, never lost."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

MINI = Path(__file__).parent.parent / "fixtures" / "mini_p3dn"
LKPP_2025 = ["sirup_paket.json", "struktur_anggaran.json", "ekatalog_v6.json"]


def write_two_years(landing: Path) -> None:
    """The mini exports for 2025 as delivered, plus the same SiRUP, budget and v6 files for
    2024 with every pagu and order halved (so the two years' figures differ)."""
    shutil.copytree(MINI, landing, dirs_exist_ok=True)
    for name in LKPP_2025:
        rows = json.loads((MINI / name).read_text())
        for row in rows:
            row["tahun_anggaran"] = 2024
            for amount in ("pagu", "total_harga", "belanja_operasi", "belanja_modal",
                           "belanja_pengadaan", "total_belanja", "belanja_btt",
                           "belanja_non_pengadaan"):
                if isinstance(row.get(amount), int):
                    row[amount] //= 2
            if "kd_rup" in row:  # a package lives in one year's plan
                row["kd_rup"] = type(row["kd_rup"])(int(row["kd_rup"]) - 1000000)
            if "kd_paket" in row:
                row["kd_paket"] = row["kd_paket"].replace("01ORDER", "24ORDER")
            if "tgl_order" in row:
                row["tgl_order"] = row["tgl_order"].replace("2025-", "2024-")
        (landing / f"2024_{name}").write_text(json.dumps(rows))


def headline(env) -> list[tuple]:
    return env.query("SELECT tahun_anggaran, pembilang_realisasi_pdn_rp, penyebut_komitmen_pdn_rp, "
                     "pct_realisasi_komitmen, belanja_pengadaan_rp FROM marts.p3dn_provinsi "
                     "ORDER BY tahun_anggaran")


def test_backfill_of_two_years_then_one_year_alone(pipeline_env):
    write_two_years(pipeline_env.landing)
    backfill = pipeline_env.materialize(years=("2024", "2025"))
    assert backfill.success
    # One run materialized both years' partitions (single-run backfill: one DuckDB writer).
    assert {e.partition for e in backfill.get_asset_materialization_events()
            if e.asset_key.path == ["marts", "p3dn_provinsi"]} == {"2024", "2025"}
    # Each year's materialization counts that year's rows only: 2024 has no v5 package.
    v5_rows = {e.partition: e.materialization.metadata["dagster/row_count"].value
               for e in backfill.get_asset_materialization_events()
               if e.asset_key.path == ["staging", "ekatalog_paket_v5"]}
    assert v5_rows == {"2024": 0, "2025": pipeline_env.query(
        "SELECT count(*) FROM staging.ekatalog_paket_v5 WHERE tahun_anggaran = 2025")[0][0]}
    assert v5_rows["2025"] > 0
    both = headline(pipeline_env)
    # 2025 as in test_p3dn_marts (belanja 200 jt + 40 jt). 2024 halves every SiRUP, budget
    # and v6 amount and has no v5 package: realisasi PDN = O1 30 jt + O2 12,5 jt = 42,5 jt of
    # komitmen (100 jt + 50 jt) / 2 = 75 jt -> 56,67 %; belanja (200 jt + 40 jt) / 2.
    assert both == [
        (2024, Decimal("42500000.00"), Decimal("75000000.00"), Decimal("56.67"),
         Decimal("120000000.00")),
        (2025, Decimal("97500000.00"), Decimal("150000000.00"), Decimal("65.00"),
         Decimal("240000000.00")),
    ]

    # LKPP republishes 2024 with one more committed PDN package: only 2024 is re-run.
    sirup_2024 = pipeline_env.landing / "2024_sirup_paket.json"
    rows = json.loads(sirup_2024.read_text())
    extra = dict(rows[0], kd_rup=10000001, pagu=25000000)
    sirup_2024.write_text(json.dumps(rows + [extra]))
    stamp_2025 = pipeline_env.query(
        "SELECT _loaded_at FROM staging.sirup_paket_penyedia WHERE tahun_anggaran = 2025")
    assert pipeline_env.materialize(years=("2024", "2024")).success
    # The extra package is a copy of R1 (PDN): komitmen 75 jt + 25 jt = 100 jt -> 42,50 %.
    assert headline(pipeline_env) == [
        (2024, Decimal("42500000.00"), Decimal("100000000.00"), Decimal("42.50"),
         Decimal("120000000.00")),
        (2025, Decimal("97500000.00"), Decimal("150000000.00"), Decimal("65.00"),
         Decimal("240000000.00")),
    ]
    assert pipeline_env.query(
        "SELECT _loaded_at FROM staging.sirup_paket_penyedia WHERE tahun_anggaran = 2025") \
        == stamp_2025

    # Re-running the same year changes nothing.
    before = {t: pipeline_env.query(f"SELECT * FROM {t} ORDER BY ALL") for t in (
        "marts.p3dn_per_skpd", "marts.p3dn_provinsi", "staging.ekatalog_paket",
        "quarantine.ekatalog_paket_v6")}
    assert pipeline_env.materialize(years=("2024", "2024")).success
    after = {t: pipeline_env.query(f"SELECT * FROM {t} ORDER BY ALL") for t in before}
    assert after == before


def test_rows_without_a_fiscal_year_in_range_are_quarantined_on_every_run(pipeline_env):
    shutil.copytree(MINI, pipeline_env.landing, dirs_exist_ok=True)
    rows = json.loads((MINI / "ekatalog_v6.json").read_text())
    stray = [dict(rows[0], kd_paket="01ORDER0000000000000000091", tahun_anggaran=2009),
             dict(rows[0], kd_paket="01ORDER0000000000000000092", tahun_anggaran="TA?")]
    (pipeline_env.landing / "stray.json").write_text(json.dumps(stray))
    for _ in range(2):  # a second run must not lose or duplicate them
        assert pipeline_env.materialize(years=("2025", "2025")).success
        assert pipeline_env.query(
            "SELECT _source_row, column_name, rule, offending_value, partisi "
            "FROM quarantine.ekatalog_paket_v6 WHERE _source_file = 'stray.json' "
            "ORDER BY _source_row, column_name") == [
            (1, "tahun_anggaran", "fiscal_year_outside_partitions", "2009", None),
            # Its order date (January 2025) is outside fiscal year 2009's tolerance too.
            (1, "tgl_order", "date_outside_fiscal_year", "2025-01-15", None),
            (2, "tahun_anggaran", "not_a_year", "TA?", None),
        ]
    assert pipeline_env.query(
        "SELECT passed FROM quality.check_results WHERE table_name = "
        "'staging.ekatalog_paket_v6' AND check_name = 'rows_accounted_for'") == [(True,)]


def test_a_staging_table_of_an_older_shape_is_rebuilt_for_every_year(pipeline_env):
    # A changed SQL file can change a staging table's columns: slices of the old shape
    # cannot be kept beside new ones, so a run over one year rebuilds every year.
    import duckdb

    from p3dn_pipeline.lib.builds import BUILDS_TABLE

    write_two_years(pipeline_env.landing)
    assert pipeline_env.materialize(years=("2024", "2025")).success
    table = "staging.sirup_paket_penyedia"
    builds_sql = (f"SELECT partisi, build_id FROM {BUILDS_TABLE} "
                  "WHERE asset_key = 'staging/sirup_paket_penyedia' ORDER BY partisi")
    con = duckdb.connect(str(pipeline_env.warehouse))
    try:
        columns = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
        rows_per_year = con.execute(f"SELECT tahun_anggaran, count(*) FROM {table} "
                                    "GROUP BY ALL ORDER BY ALL").fetchall()
        # As an earlier version of the SQL file left it: one more column.
        con.execute(f"ALTER TABLE {table} ADD COLUMN kolom_lama VARCHAR")
        builds_before = dict(con.execute(builds_sql).fetchall())
    finally:
        con.close()
    assert sorted(builds_before) == [2024, 2025]

    # LKPP republishes 2024 with one more package; only 2024 is asked for.
    sirup_2024 = pipeline_env.landing / "2024_sirup_paket.json"
    rows = json.loads(sirup_2024.read_text())
    sirup_2024.write_text(json.dumps(rows + [dict(rows[0], kd_rup=10000001, pagu=25000000)]))
    assert pipeline_env.materialize(years=("2024", "2024")).success

    assert [r[0] for r in pipeline_env.query(f"DESCRIBE {table}")] == columns
    assert pipeline_env.query(f"SELECT tahun_anggaran, count(*) FROM {table} "
                              "GROUP BY ALL ORDER BY ALL") == [
        (rows_per_year[0][0], rows_per_year[0][1] + 1), rows_per_year[1]]
    builds_after = dict(pipeline_env.query(builds_sql))
    # Both years were built again, 2025 too although the run was asked for 2024 alone.
    assert sorted(builds_after) == [2024, 2025]
    assert all(builds_after[year] != builds_before[year] for year in (2024, 2025))
