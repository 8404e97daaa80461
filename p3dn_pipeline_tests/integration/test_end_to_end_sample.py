"""End to end on the committed synthetic sample (data/landing): every asset is materialised
and the headline figures are checked, exactly, against an independent plain-Python reading
of the same files (p3dn_pipeline_tests/independent.py: json, csv, calamine, Decimal, and
only indoformat from the pipeline).

No figure of the sample is written here: the generator may change the sample, and the
expected values are recomputed from whatever files are copied into the test's landing folder.

Percentages: the expected value is 100 x numerator / denominator computed exactly and rounded
to two decimals half away from zero, which is what DuckDB's round() does on a DECIMAL
(0.125 -> 0.13, 1.005 -> 1.01, -0.125 -> -0.13).
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from p3dn_pipeline_tests import independent
from p3dn_pipeline_tests.conftest import REPO, PipelineEnv, point_pipeline_at, script_module

pytestmark = pytest.mark.slow

SAMPLE = REPO / "data" / "landing"
STAGING_DATASETS = (
    "ekatalog_paket_v6", "ekatalog_paket_v5", "ekatalog_produk", "ekatalog_penyedia",
    "sirup_paket_penyedia", "sirup_struktur_anggaran", "apbd_realisasi", "kpkp_roster",
)
# The plan side (commitment over the budget), computed as before issue 12 ...
PLAN_COLUMNS = ("belanja_pengadaan_rp", "komitmen_umk_rp", "pct_pdn_belanja", "pct_umk_belanja",
                "realisasi_ekatalog_rp")
# ... and the realisation over every channel.
ALL_CHANNEL_COLUMNS = (
    "pct_realisasi_komitmen", "pct_realisasi_komitmen_ekatalog", "realisasi_rp",
    "realisasi_pdn_tidak_diketahui_rp", "realisasi_umk_rp", "realisasi_umk_tidak_diketahui_rp",
    "pct_pdn_realisasi", "pct_umk_realisasi", "realisasi_pdn_ekatalog_rp",
    "realisasi_pdn_tender_rp", "realisasi_pdn_nontender_rp",
)
HEADLINE_COLUMNS = ("pembilang_realisasi_pdn_rp", "penyebut_komitmen_pdn_rp",
                    *PLAN_COLUMNS, *ALL_CHANNEL_COLUMNS)
KANAL_COLUMNS = ("jumlah_paket", "realisasi_rp", "realisasi_pdn_rp", "realisasi_umk_rp",
                 "realisasi_pdn_tidak_diketahui_rp", "realisasi_umk_tidak_diketahui_rp",
                 "jumlah_paket_tanpa_nilai")


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory, module_monkeypatch):
    """The sample copied into a fresh landing folder, every asset materialised once, and the
    independent reading of the very same copied files."""
    assert SAMPLE.is_dir(), f"no committed sample in {SAMPLE}"
    root = tmp_path_factory.mktemp("sample")
    shutil.copytree(SAMPLE, root / "landing", ignore=shutil.ignore_patterns("MANIFEST.json"))
    env = point_pipeline_at(module_monkeypatch, root)
    module_monkeypatch.setenv("P3DN_KD_KLPD", independent.KD_KLPD_LOCAL)
    result = env.materialize()
    assert result.success
    return env, independent.read_landing(env.landing)


def rows_as_dicts(env: PipelineEnv, sql: str) -> list[dict]:
    con = env.connect()
    try:
        result = con.execute(sql)
        names = [d[0] for d in result.description]
        return [dict(zip(names, row)) for row in result.fetchall()]
    finally:
        con.close()


def mismatches(got: dict, expected: dict, columns) -> list[str]:
    """Every (key, column) where the warehouse and the independent computation differ."""
    found = []
    for key in sorted(set(got) | set(expected), key=str):
        if key not in got or key not in expected:
            found.append(f"{key}: only in {'warehouse' if key in got else 'independent'}")
            continue
        for column in columns:
            if got[key][column] != expected[key][column]:
                found.append(f"{key} {column}: warehouse {got[key][column]!r}, "
                             f"independent {expected[key][column]!r}")
    return found


def test_p3dn_provinsi_headline_matches_independent_computation(sample_run):
    env, reading = sample_run
    plan_side = independent.p3dn_provinsi(reading)
    headline = independent.p3dn_headline(reading)
    # A pemda with realisation but no plan or budget (another government's tender) has zero
    # amounts and unmeasurable shares on the plan side.
    no_plan = {"belanja_pengadaan_rp": 0, "komitmen_umk_rp": 0, "pct_pdn_belanja": None,
               "pct_umk_belanja": None, "realisasi_ekatalog_rp": 0}
    expected = {}
    for key, figures in headline.items():
        expected[key] = {
            **{c: plan_side.get(key, no_plan)[c] for c in PLAN_COLUMNS},
            "pembilang_realisasi_pdn_rp": figures["realisasi_pdn_rp"],
            "penyebut_komitmen_pdn_rp": figures["komitmen_pdn_rp"],
            **{c: figures[c] for c in ALL_CHANNEL_COLUMNS},
        }
    got = {(r["kd_klpd"], r["tahun_anggaran"]): r for r in rows_as_dicts(
        env, f"SELECT kd_klpd, tahun_anggaran, {', '.join(HEADLINE_COLUMNS)} "
             "FROM marts.p3dn_provinsi")}
    # The sample has to exercise every figure of the local pemda, or an equality of zeros
    # would pass (the other government's single tender has no commitment: NULL ratios).
    local = [figures for (kd_klpd, _), figures in expected.items()
             if kd_klpd == independent.KD_KLPD_LOCAL]
    assert len(local) == 2 and all(figures[c] for figures in local for c in HEADLINE_COLUMNS)
    assert mismatches(got, expected, HEADLINE_COLUMNS) == []


def test_realisation_by_channel_matches_independent_computation(sample_run):
    env, reading = sample_run
    expected = independent.p3dn_realisasi_kanal(reading)
    got = {(r["kd_klpd"], r["tahun_anggaran"], r["kanal"]): r for r in rows_as_dicts(
        env, "SELECT * FROM marts.p3dn_realisasi_kanal")}
    # Every channel in both years, each with a value, and unknowns and packages without a
    # value where the sample has them.
    assert {kanal for (_, _, kanal) in expected} == {
        "ekatalog", "tender", "nontender", "pencatatan_nontender", "pencatatan_swakelola",
        "tokodaring", "eorder"}
    assert all(figures["realisasi_rp"] for figures in expected.values())
    assert sum(f["jumlah_paket_tanpa_nilai"] for f in expected.values()) > 0
    assert mismatches(got, expected, KANAL_COLUMNS) == []


def test_umkm_binaan_triwulan_matches_independent_computation(sample_run):
    env, reading = sample_run
    expected = independent.umkm_per_triwulan(reading)
    columns = ("is_baseline", "jumlah_aktif", "jumlah_baru", "jumlah_lanjut", "jumlah_keluar",
               "jumlah_dibawa", "produksi_ton_ytd", "produksi_olahan_ton_ytd", "omzet_rp_ytd")
    got = {(r["tahun"], r["triwulan"]): r for r in rows_as_dicts(
        env, f"SELECT tahun, triwulan, {', '.join(columns)} FROM marts.umkm_binaan_triwulan "
             "WHERE tingkat = 'provinsi'")}
    assert len(expected) >= 2 and all(q["jumlah_aktif"] for q in expected.values()), expected
    # The sample has businesses leaving (carried forward) and a baseline quarter.
    assert sum(q["jumlah_dibawa"] for q in expected.values()) > 0
    assert sum(q["is_baseline"] for q in expected.values()) == 1
    assert mismatches(got, expected, columns) == []
    # The province row is the sum of its kota x sektor rows for every count and tonnage.
    levels = env.query(
        "SELECT tahun, triwulan, sum(jumlah_aktif), sum(produksi_ton_ytd), sum(omzet_rp_ytd) "
        "FROM marts.umkm_binaan_triwulan WHERE tingkat = 'kota_sektor' GROUP BY ALL ORDER BY ALL")
    assert [(y, t, a, o) for y, t, a, _, o in levels] == [
        (y, t, got[(y, t)]["jumlah_aktif"], got[(y, t)]["omzet_rp_ytd"]) for y, t in sorted(got)]


def test_umkm_growth_matches_independent_computation(sample_run):
    """Growth against the previous calendar quarter, TW I against the previous year's TW IV
    (issue 15: computed within the year only, the sample's 2025 TW I growth went blank and no
    test failed)."""
    env, reading = sample_run
    expected = independent.umkm_per_triwulan(reading)
    columns = ("jumlah_aktif_triwulan_sebelumnya", "pct_pertumbuhan_qoq")
    got = {(r["tahun"], r["triwulan"]): r for r in rows_as_dicts(
        env, f"SELECT tahun, triwulan, {', '.join(columns)} FROM marts.umkm_binaan_triwulan "
             "WHERE tingkat = 'provinsi'")}
    # The sample crosses a year boundary with a roster on both sides, so TW I has a growth.
    first_quarters = [key for key in expected if key[1] == 1 and key[0] > min(expected)[0]]
    assert first_quarters and all(expected[key]["pct_pertumbuhan_qoq"] is not None
                                  for key in first_quarters), expected
    assert mismatches(got, expected, columns) == []


def test_apbd_monthly_procurement_spending_matches_independent_computation(sample_run):
    env, reading = sample_run
    expected = independent.apbd_pengadaan_bulanan(reading)
    got = {(r["tahun_anggaran"], r["bulan"]): r["realisasi_belanja_pengadaan_rp"]
           for r in rows_as_dicts(
               env, "SELECT tahun_anggaran, bulan, sum(realisasi_belanja_pengadaan_rp) "
                    "AS realisasi_belanja_pengadaan_rp FROM marts.p3dn_apbd_bulanan "
                    "GROUP BY tahun_anggaran, bulan")}
    assert expected and any(expected.values()), expected
    problems = [f"{key}: missing from the mart" for key in expected if key not in got]
    # Months with only e-katalog orders are in the mart with no APBD spending.
    problems += [f"{key}: warehouse {got.get(key)!r}, independent {expected.get(key, Decimal(0))!r}"
                 for key in got if got[key] != expected.get(key, Decimal(0))]
    assert problems == []


@pytest.mark.parametrize("dataset", STAGING_DATASETS)
def test_every_raw_row_is_staged_or_quarantined_once(sample_run, dataset):
    env, reading = sample_run
    [(raw_rows, raw_distinct)] = env.query(
        f"SELECT count(*), count(DISTINCT (_source_file, _source_row)) FROM raw.{dataset}")
    [(staged, staged_distinct)] = env.query(
        f"SELECT count(*), count(DISTINCT (_source_file, _source_row)) FROM staging.{dataset}")
    [(quarantined,)] = env.query(
        f"SELECT count(DISTINCT (_source_file, _source_row)) FROM quarantine.{dataset}")
    [(both,)] = env.query(
        f"SELECT count(*) FROM (SELECT _source_file, _source_row FROM staging.{dataset} "
        f"INTERSECT SELECT _source_file, _source_row FROM quarantine.{dataset})")
    assert raw_rows == raw_distinct and staged == staged_distinct
    assert both == 0, "a row is both staged and quarantined"
    assert raw_rows == staged + quarantined
    # Every record a person finds in the landed files reached the raw table.
    assert reading.unreadable == {}
    assert raw_rows == reading.raw_count(dataset) > 0


def test_duplicate_copies_of_a_business_key_carry_the_same_figures(sample_run):
    """Where a key occurs in two files (or twice in one), the copies agree, so counting it
    once does not depend on which copy is kept."""
    _, reading = sample_run
    assert {dataset: keys for dataset, keys in reading.conflicts.items() if keys} == {}


def test_business_matching_matches_independent_computation(sample_run):
    env, reading = sample_run
    expected = independent.business_matching(reading)
    columns = ("jumlah_umkm", "jumlah_pernyataan_minat", "nilai_ketertarikan_rp",
               "jumlah_transaksi_dilaporkan", "jumlah_paket_realisasi", "nilai_realisasi_rp")
    got = {(r["batch"], r["kode_skpd_pembeli"], r["sektor"]): r for r in rows_as_dicts(
        env, f"SELECT batch, kode_skpd_pembeli, sektor, {', '.join(columns)} "
             "FROM marts.business_matching")}
    # The sample has batches in both years and realised purchases to find.
    assert len({batch for batch, _, _ in expected}) >= 10
    assert sum(g["nilai_realisasi_rp"] for g in expected.values()) > 0
    assert mismatches(got, expected, columns) == []


def test_seller_match_shares_match_independent_computation(sample_run):
    env, reading = sample_run
    expected = independent.umkm_pencocokan(reading)
    columns = ("jumlah_penjualan", "jumlah_cocok_nib", "jumlah_cocok_npwp",
               "jumlah_cocok_id_jakpreneur", "jumlah_tidak_cocok", "jumlah_tanpa_kunci",
               "nilai_cocok_rp")
    got = {r["kanal"]: r for r in rows_as_dicts(
        env, f"SELECT kanal, {', '.join(columns)} FROM marts.umkm_pencocokan "
             "WHERE kanal IN ('ekatalog', 'tender', 'nontender', 'eorder', 'ecommerce')")}
    assert set(expected) == {"ekatalog", "tender", "nontender", "eorder", "ecommerce"}
    assert all(e["jumlah_cocok_nib"] and e["jumlah_tidak_cocok"] + e["jumlah_tanpa_kunci"]
               for k, e in expected.items() if k in ("ekatalog", "ecommerce"))
    assert mismatches(got, expected, columns) == []
    # Where cohort UMKM sell adds up, per channel, to exactly the matched sales: every sale
    # once, whichever cohorts its business is in.
    sold = dict(env.query("SELECT kanal, sum(nilai_rp) FROM marts.umkm_penjualan_pdn "
                          "WHERE kanal IN ('ekatalog', 'tender', 'nontender', 'eorder', "
                          "'ecommerce') GROUP BY kanal"))
    assert sold == {k: e["nilai_cocok_rp"] for k, e in expected.items() if e["nilai_cocok_rp"]}


def frame_mismatches(got: list[dict], peer, key: tuple[str, ...], columns: tuple[str, ...],
                     tolerance: float) -> list[str]:
    """Every key only on one side, and every (key, column) whose values differ by more than
    ``tolerance`` (the peer sums floats) or where one side is NULL and the other is not."""
    import math

    def norm(value):
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return None
        return float(value)

    def part(value):
        if isinstance(value, str):
            return value
        return None if norm(value) is None else int(value)  # a year or a quarter

    def row_key(row):
        return tuple(part(row[k]) for k in key)

    ours = {row_key(r): r for r in got}
    theirs = {row_key(r): r for r in peer.to_dict("records")}
    found = [f"{k}: only in {'pipeline' if k in ours else 'peer'}"
             for k in sorted(set(ours) ^ set(theirs), key=str)]
    for k in sorted(set(ours) & set(theirs), key=str):
        for column in columns:
            a, b = norm(ours[k][column]), norm(theirs[k][column])
            if (a is None) != (b is None) or (a is not None and abs(a - b) > tolerance):
                found.append(f"{k} {column}: pipeline {a!r}, peer {b!r}")
    return found


def test_the_benchmark_peer_computes_the_same_marts_as_the_pipeline(sample_run):
    """The pandas peer that ``make bench`` races against must do the same work: the same
    headline, and p3dn_per_skpd (sub-units rolled up, every channel, e-Order included) and
    umkm_binaan_triwulan (four levels, no "new" in the baseline quarter, departed businesses'
    year-to-date figures carried) row for row, or a faster peer would prove nothing."""
    env, _ = sample_run
    with script_module(REPO / "benchmarks" / "pandas_peer.py", "pandas_peer_under_test") as peer:
        built = peer.marts(env.landing, independent.KD_KLPD_LOCAL)
    provinsi, skpd = built["p3dn_provinsi"], built["p3dn_per_skpd"]
    umkm = built["umkm_binaan_triwulan"]

    headline = ("pembilang_realisasi_pdn_rp", "penyebut_komitmen_pdn_rp", "pct_realisasi_komitmen",
                "pct_pdn_belanja", "pct_umk_belanja", "realisasi_tokodaring_rp",
                "realisasi_swakelola_rp")
    got = rows_as_dicts(env, f"SELECT kd_klpd, tahun_anggaran, {', '.join(headline)} "
                             "FROM marts.p3dn_provinsi")
    assert frame_mismatches(got, provinsi, ("kd_klpd", "tahun_anggaran"), headline, 0.01) == []

    per_skpd = ("belanja_pengadaan_rp", "komitmen_pdn_rp", "komitmen_umk_rp", "realisasi_rp",
                "realisasi_pdn_rp", "realisasi_pdn_ekatalog_rp", "realisasi_swakelola_rp",
                "realisasi_tanpa_rup_rp", "realisasi_tkdn_min_25_rp", "pct_realisasi_komitmen")
    got = rows_as_dicts(env, f"SELECT kd_klpd, tahun_anggaran, kd_satker_str, "
                             f"{', '.join(per_skpd)} FROM marts.p3dn_per_skpd")
    # The sample has sub-units to roll up and e-Order orders in the realisation.
    assert len(got) >= 4 and any(r["realisasi_rp"] for r in got)
    assert frame_mismatches(got, skpd, ("kd_klpd", "tahun_anggaran", "kd_satker_str"),
                            per_skpd, 0.01) == []

    umkm_columns = ("jumlah_aktif", "jumlah_baru", "jumlah_keluar", "jumlah_kumulatif",
                    "omzet_rp_ytd", "produksi_ton_ytd")
    got = rows_as_dicts(env, f"SELECT tahun, triwulan, tingkat, kode_kab_kota, sektor, "
                             f"{', '.join(umkm_columns)} FROM marts.umkm_binaan_triwulan")
    assert {r["tingkat"] for r in got} == {"provinsi", "kota", "sektor", "kota_sektor"}
    # produksi_ton_ytd: the pipeline rounds each row's kg sum to 3 decimals, as the peer.
    assert frame_mismatches(got, umkm, ("tahun", "triwulan", "tingkat", "kode_kab_kota", "sektor"),
                            umkm_columns, 0.01) == []
