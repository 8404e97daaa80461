"""Plausibility rules that compare a mart's rows with each other (stored suites in
defs/marts/expectations/, WARN checks on the marts), run by GX on hand-made rows: exactly the
rows worked out by hand are listed."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from p3dn_pipeline.lib.quality import load_suite, validate_suite

SUITES = Path(__file__).parents[2] / "p3dn_pipeline" / "defs" / "marts" / "expectations"


def _rule(mart: str, name: str):
    (rule,) = [r for r in load_suite(SUITES / f"{mart}.json") if r.name == name]
    assert rule.severity == "WARN"
    return rule


@pytest.fixture
def con():
    con = duckdb.connect()
    con.execute("CREATE SCHEMA marts")
    yield con
    con.close()


def test_a_share_of_belanja_above_100_pct_is_listed(con):
    con.execute("CREATE TABLE marts.p3dn_per_skpd (kd_klpd VARCHAR, tahun_anggaran INTEGER, "
                "kd_satker_str VARCHAR, nama_skpd VARCHAR, komitmen_pdn_rp DECIMAL(18, 2), "
                "komitmen_umk_rp DECIMAL(18, 2), belanja_pengadaan_rp DECIMAL(18, 2), "
                "pct_pdn_belanja DECIMAL(9, 2), pct_umk_belanja DECIMAL(9, 2))")
    con.execute("""INSERT INTO marts.p3dn_per_skpd VALUES
        ('D1', 2025, 'A', 'SKPD A', 100, 40, 100, 100.00, 40.00),   -- exactly 100 %: fine
        ('D1', 2025, 'B', 'SKPD B', 120, 10, 100, 120.00, 10.00),   -- PDN 120 %
        ('D1', 2025, 'C', 'SKPD C', 50, 101, 100, 50.00, 101.00),   -- UMK 101 %
        ('D1', 2025, 'D', 'SKPD D', 5, NULL, 0, NULL, NULL)         -- no belanja: no share""")
    (result,) = validate_suite(con, "marts.p3dn_per_skpd",
                               [_rule("p3dn_per_skpd", "share_of_belanja_at_most_100_pct")]).results
    assert (result.success, result.unexpected_count) == (False, 2)
    assert sorted((s["kd_satker_str"], float(s["pct_pdn_belanja"]), float(s["pct_umk_belanja"]))
                  for s in result.samples) == [("B", 120.0, 10.0), ("C", 50.0, 101.0)]


def test_the_provinsi_share_rule_reads_the_provinsi_mart(con):
    con.execute("CREATE TABLE marts.p3dn_provinsi (kd_klpd VARCHAR, tahun_anggaran INTEGER, "
                "penyebut_komitmen_pdn_rp DECIMAL(18, 2), komitmen_umk_rp DECIMAL(18, 2), "
                "belanja_pengadaan_rp DECIMAL(18, 2), pct_pdn_belanja DECIMAL(9, 2), "
                "pct_umk_belanja DECIMAL(9, 2))")
    con.execute("INSERT INTO marts.p3dn_provinsi VALUES ('D1', 2024, 90, 30, 100, 90.00, 30.00), "
                "('D1', 2025, 150, 30, 100, 150.00, 30.00)")
    (result,) = validate_suite(con, "marts.p3dn_provinsi",
                               [_rule("p3dn_provinsi", "share_of_belanja_at_most_100_pct")]).results
    assert [(s["tahun_anggaran"], float(s["pct_pdn_belanja"])) for s in result.samples] == [(2025, 150.0)]


UMKM_COLUMNS = ("kd_klpd VARCHAR, tahun INTEGER, triwulan INTEGER, tingkat VARCHAR, kode_kab_kota VARCHAR, "
                "sektor VARCHAR, produksi_ton_ytd DECIMAL(18, 3), omzet_rp_ytd DECIMAL(18, 0)")


def test_a_quarter_whose_ytd_is_below_the_previous_quarter_is_listed(con):
    con.execute(f"CREATE TABLE marts.umkm_binaan_triwulan ({UMKM_COLUMNS})")
    con.execute("""INSERT INTO marts.umkm_binaan_triwulan VALUES
        -- provinsi: production grows, turnover falls in TW III (below TW II)
        ('D1', 2025, 1, 'provinsi', NULL, NULL, 10, 1000),
        ('D1', 2025, 2, 'provinsi', NULL, NULL, 20, 3000),
        ('D1', 2025, 3, 'provinsi', NULL, NULL, 30, 2500),
        -- kota 31.71: production falls in TW II
        ('D1', 2025, 1, 'kota', '31.71', NULL, 8, 500),
        ('D1', 2025, 2, 'kota', '31.71', NULL, 7, 900),
        -- kota 31.72: TW I of 2026 starts again from zero: a new year, not a drop
        ('D1', 2025, 4, 'kota', '31.72', NULL, 40, 4000),
        ('D1', 2026, 1, 'kota', '31.72', NULL, 5, 100),
        -- sektor Perikanan: TW II missing, TW III lower than TW I: not consecutive, not compared
        ('D1', 2025, 1, 'sektor', NULL, 'Perikanan', 9, 900),
        ('D1', 2025, 3, 'sektor', NULL, 'Perikanan', 6, 600)""")
    (result,) = validate_suite(con, "marts.umkm_binaan_triwulan",
                               [_rule("umkm_binaan_triwulan", "ytd_not_below_previous_quarter")]).results
    assert (result.success, result.unexpected_count) == (False, 2)
    flagged = sorted((s["tingkat"], s["kode_kab_kota"] or "", s["triwulan"], float(s["produksi_ton_ytd"]),
                      float(s["produksi_ton_ytd_sebelumnya"]), int(s["omzet_rp_ytd"]),
                      int(s["omzet_rp_ytd_sebelumnya"])) for s in result.samples)
    assert flagged == [("kota", "31.71", 2, 7.0, 8.0, 900, 500),
                       ("provinsi", "", 3, 30.0, 20.0, 2500, 3000)]


def test_an_omzet_per_kg_far_from_its_sector_median_is_listed(con):
    con.execute(f"CREATE TABLE marts.umkm_binaan_triwulan ({UMKM_COLUMNS})")
    # Perikanan TW I 2025, per kota: Rp/kg = omzet / (ton x 1000):
    #   31.71: 20.000.000 / 1.000 kg = 20.000;  31.72: 30.000.000 / 1.000 = 30.000;
    #   31.73: 25.000.000 / 1.000 = 25.000;     31.74: 1.000.000 / 1.000 = 1.000 (below 25.000 / 10);
    #   31.75: 300.000.000 / 1.000 = 300.000 (above 25.000 x 10 = 250.000).
    #   Median of the five: 25.000, so [2.500, 250.000] is plausible.
    # Pertanian: one kota (median = itself), never flagged; the provinsi row is not compared.
    con.execute("""INSERT INTO marts.umkm_binaan_triwulan VALUES
        ('D1', 2025, 1, 'kota_sektor', '31.71', 'Perikanan', 1, 20000000),
        ('D1', 2025, 1, 'kota_sektor', '31.72', 'Perikanan', 1, 30000000),
        ('D1', 2025, 1, 'kota_sektor', '31.73', 'Perikanan', 1, 25000000),
        ('D1', 2025, 1, 'kota_sektor', '31.74', 'Perikanan', 1, 1000000),
        ('D1', 2025, 1, 'kota_sektor', '31.75', 'Perikanan', 1, 300000000),
        ('D1', 2025, 1, 'kota_sektor', '31.71', 'Pertanian', 2, 1),
        ('D1', 2025, 1, 'provinsi', NULL, NULL, 1, 999999999999)""")
    (result,) = validate_suite(con, "marts.umkm_binaan_triwulan",
                               [_rule("umkm_binaan_triwulan", "omzet_per_kg_near_sector_median")]).results
    assert (result.success, result.unexpected_count) == (False, 2)
    assert sorted((s["kode_kab_kota"], float(s["omzet_per_kg"]), float(s["median_omzet_per_kg_sektor"]))
                  for s in result.samples) == [("31.74", 1000.0, 25000.0), ("31.75", 300000.0, 25000.0)]
