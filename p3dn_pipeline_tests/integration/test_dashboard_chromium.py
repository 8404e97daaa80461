"""The offline dashboard in Debian's real headless Chromium, driven through chromedriver with
plain W3C WebDriver requests (urllib, no extra package): it loads from file:// without a
console error or a single network request, every chart paints, and every number on the page
equals the marts in the serving file (an abbreviated amount, Rp97,5 juta, by its exact value
in the ``title`` beside it); at 1366 px nothing scrolls sideways.

Figures from the fixtures (test_p3dn_marts.py and publish_fixtures.py): DKI TA 2025
realisasi komitmen 97,5 jt / 150 jt = 65,0 %, data to 31 Maret 2025; SKPD B has no PDN
commitment (tidak terukur); UMKM TW II 2025: 3 active, 2,25 ton (shown 2,3 ton),
Rp185.000.000; one mentored business sold Rp12.500.000 on e-katalog in TW I 2025.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest

from p3dn_pipeline_tests.integration.chromium import (
    WebDriver,
    decode_png,
    horizontal_overflow,
    require_chromium,
)
from p3dn_pipeline_tests.integration.publish_fixtures import publish_env

pytestmark = pytest.mark.slow

CHARTS = {"skpd-DKI-2025", "tren-snapshot", "umkm-kota", "umkm-sektor", "produksi-olahan-ytd",
          "omzet-ytd", "umkm-ekatalog"}


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory):
    require_chromium()
    root = tmp_path_factory.mktemp("dashboard")
    with publish_env(root, with_umkm=True) as env:
        env.publish()  # a second snapshot, so the trend has two points
        browser = WebDriver(root / "chromium-profile")
        try:
            browser.command("POST", "/url", {"url": env.dashboard.as_uri()})
            yield env, browser
        finally:
            browser.quit()


def test_page_loads_offline_without_console_errors(dashboard):
    env, browser = dashboard
    assert browser.command("GET", "/title").startswith("Dasbor P3DN")
    assert browser.console() == []
    # Nothing was fetched: the page is the only resource, and its policy forbids any other.
    assert browser.script("return performance.getEntriesByType('resource').length") == 0
    page = env.dashboard.read_text(encoding="utf-8")
    assert "http://" not in page and "https://" not in page and "<script" not in page
    assert "default-src 'none'" in page
    # The console is really being read: an error written now is reported.
    browser.script("console.error('uji konsol')")
    assert [entry["level"] for entry in browser.console()] == ["SEVERE"]


def test_every_chart_paints_its_marks(dashboard):
    _env, browser = dashboard
    charts = browser.charts()
    assert set(charts) == CHARTS
    for name, element_id in charts.items():
        width, height, pixels = decode_png(browser.screenshot(element_id))
        background, _ = Counter(pixels).most_common(1)[0]
        painted = sum(pixel != background for pixel in pixels)
        assert painted > 0.02 * width * height, f"{name} is blank"
        fills = browser.script(
            f"return Array.from(document.querySelectorAll('svg[data-chart=\"{name}\"] rect, "
            f"svg[data-chart=\"{name}\"] circle')).map(e => e.getAttribute('fill'))")
        colors = {tuple(int(fill[i:i + 2], 16) for i in (1, 3, 5)) for fill in fills}
        assert colors, f"{name} has no bars or points"
        close = sum(1 for pixel in pixels for color in colors
                    if all(abs(a - b) <= 8 for a, b in zip(pixel, color)))
        assert close >= 20, f"{name}: its marks {sorted(colors)} are not on screen"


def expected_value(con, kpi: str, key: list[str]):
    """What the marts say each displayed figure is, computed here from the marts."""
    source, column = kpi.split(".")
    if source == "p3dn_provinsi":
        sql = f"SELECT {column} FROM p3dn_provinsi WHERE kd_klpd = $1 AND tahun_anggaran = $2"
    elif source == "p3dn_per_skpd":
        sql = (f"SELECT {column} FROM p3dn_per_skpd WHERE kd_klpd = $1 AND tahun_anggaran = $2 "
               "AND kd_satker_str = $3")
    elif source == "p3dn_snapshot":
        sql = (f"SELECT {column} FROM p3dn_snapshot WHERE snapshot_id = $1 AND kd_klpd = $2 "
               "AND tahun_anggaran = $3")
    elif source == "p3dn_target":
        sql = f"SELECT {column} FROM p3dn_target WHERE kpi = $1"
    elif source == "p3dn_perubahan_ekspor":
        sql = f"SELECT {column} FROM p3dn_perubahan_ekspor WHERE snapshot_id = $1 AND file = $2"
    elif source == "umkm_binaan_triwulan":
        sql = (f"SELECT {column} FROM umkm_binaan_triwulan WHERE kd_klpd = $1 AND tahun = $2 "
               "AND triwulan = $3 AND kode_kab_kota = $4 AND sektor = $5 "
               "AND tingkat = 'kota_sektor'")
    elif source == "umkm_triwulan" and column.startswith("pct_"):
        # A percentage is never added up: the province row's own.
        sql = (f"SELECT {column} FROM umkm_binaan_triwulan WHERE kd_klpd = $1 "
               "AND tahun = $2 AND triwulan = $3 AND tingkat = 'provinsi'")
    elif source == "umkm_triwulan":
        # Counts and tonnes add up from the finest level (each business is in one
        # kota x sektor row per quarter): an independent path to the province figure.
        sql = (f"SELECT sum({column}) FROM umkm_binaan_triwulan WHERE kd_klpd = $1 "
               "AND tahun = $2 AND triwulan = $3 AND tingkat = 'kota_sektor'")
    elif source == "umkm_kota":
        sql = ("SELECT sum(jumlah_aktif) FROM umkm_binaan_triwulan WHERE kd_klpd = $1 "
               "AND tahun = $2 AND triwulan = $3 AND kode_kab_kota = $4 "
               "AND tingkat = 'kota_sektor'")
    elif source == "umkm_sektor":
        sql = ("SELECT sum(jumlah_aktif) FROM umkm_binaan_triwulan WHERE kd_klpd = $1 "
               "AND tahun = $2 AND triwulan = $3 AND sektor = $4 AND tingkat = 'kota_sektor'")
    elif source == "umkm_ekatalog_triwulan":
        measure = {"jumlah_pelaku_usaha": "count(DISTINCT pelaku_usaha_id)",
                   "jumlah_paket": "sum(jumlah_paket)", "nilai_rp": "sum(nilai_rp)"}[column]
        sql = (f"SELECT {measure} FROM umkm_ekatalog WHERE kd_klpd = $1 AND tahun = $2 "
               "AND triwulan = $3")
    elif source == "umkm_penjualan_tahun" and column == "jumlah_umkm":
        sql = ("SELECT count(DISTINCT umkm_id) FROM umkm_transaksi WHERE tahun = $1 "
               "AND kanal = $2 AND umkm_id IS NOT NULL")
    elif source == "umkm_penjualan_tahun":
        # Summed from the per-quarter, per-cohort mart: another path to the same figure.
        sql = (f"SELECT sum({column}) FROM umkm_penjualan_pdn WHERE tahun = $1 AND kanal = $2")
    elif source == "umkm_seri_publikasi":
        sql = (f"SELECT {column} FROM umkm_seri_publikasi WHERE kolom = 'produksi_olahan_ton_ytd' "
               "AND sumber = $1 AND tahun = $2 AND triwulan = $3")
    elif source == "umkm_pencocokan":
        sql = f"SELECT {column} FROM umkm_pencocokan WHERE kanal = $1"
    elif source == "business_matching_tahun" and column == "jumlah_batch":
        sql = "SELECT count(DISTINCT batch) FROM business_matching WHERE tahun = $1"
    elif source == "business_matching_tahun":
        sql = f"SELECT sum({column}) FROM business_matching WHERE tahun = $1"
    else:
        raise AssertionError(f"unknown data-kpi {kpi}")
    rows = con.execute(sql, key).fetchall()
    assert len(rows) == 1, (kpi, key, rows)
    return rows[0][0]


def test_numbers_on_the_page_equal_the_marts(dashboard):
    from p3dn_pipeline.defs.publish.dashboard import FORMATS
    from p3dn_pipeline.defs.publish.serving import read_serving

    env, browser = dashboard
    shown = browser.script(
        "return Array.from(document.querySelectorAll('[data-kpi]')).map(e => ["
        "e.getAttribute('data-kpi'), e.getAttribute('data-key'), "
        "e.getAttribute('data-value'), e.getAttribute('data-format'), e.textContent, "
        "e.getAttribute('title')])")
    assert len(shown) > 60
    figures = {}
    with read_serving(env.serving) as con:
        for kpi, key, value, fmt, text, title in shown:
            expected = expected_value(con, kpi, key.split("|"))
            if expected is None:
                assert value == "", (kpi, key, value)
                parsed = None
            elif isinstance(expected, dt.datetime):
                parsed = dt.datetime.fromisoformat(value)
            elif isinstance(expected, dt.date):
                parsed = dt.date.fromisoformat(value)
            else:
                parsed = Decimal(value)
            assert parsed == expected, (kpi, key, value, expected)
            assert text == FORMATS[fmt](parsed), (kpi, key, text)
            if fmt == "rupiah_ringkas" and expected is not None:
                # The exact amount a reader can reach, written from the mart's own value.
                assert title == FORMATS["rupiah"](expected), (kpi, key, title)
                figures[(kpi, key, "title")] = title
            figures[(kpi, key)] = text
        snapshot_ids = [r[0] for r in con.execute(
            "SELECT snapshot_id FROM p3dn_snapshot ORDER BY diambil_pada").fetchall()]
        skpd = [r[0] for r in con.execute("SELECT kd_satker_str FROM p3dn_per_skpd").fetchall()]

    assert figures[("p3dn_provinsi.pct_realisasi_komitmen", "DKI|2025")] == "65,0 %"
    assert figures[("p3dn_provinsi.target_pct_realisasi_komitmen", "DKI|2025")] == "80,0 %"
    assert figures[("p3dn_provinsi.pembilang_realisasi_pdn_rp", "DKI|2025")] == "Rp97,5 juta"
    assert figures[("p3dn_provinsi.pembilang_realisasi_pdn_rp", "DKI|2025", "title")] == \
        "Rp97.500.000"
    assert figures[("p3dn_provinsi.penyebut_komitmen_pdn_rp", "DKI|2025")] == "Rp150,0 juta"
    assert figures[("p3dn_provinsi.penyebut_komitmen_pdn_rp", "DKI|2025", "title")] == \
        "Rp150.000.000"
    assert figures[("p3dn_provinsi.tanggal_data", "DKI|2025")] == "31 Maret 2025"
    assert figures[("p3dn_provinsi.pct_umk_belanja", "DKI|2025")] == "54,2 %"
    assert len(skpd) == 2  # SKPD A and B of the mini set
    for kd_satker_str in skpd:
        assert ("p3dn_per_skpd.realisasi_pdn_rp", f"DKI|2025|{kd_satker_str}") in figures
    assert figures[("p3dn_per_skpd.pct_realisasi_komitmen",
                    "DKI|2025|1.02.0.00.0.00.01.0000")] == "tidak terukur"
    assert len(snapshot_ids) == 2
    for snapshot_id in snapshot_ids:
        assert figures[("p3dn_snapshot.pct_realisasi_komitmen",
                        f"{snapshot_id}|DKI|2025")] == "65,0 %"
    assert figures[("umkm_triwulan.jumlah_aktif", "DKI|2025|1")] == "2"
    assert figures[("umkm_triwulan.jumlah_aktif", "DKI|2025|2")] == "3"
    assert figures[("umkm_triwulan.jumlah_baru", "DKI|2025|2")] == "1"
    assert figures[("umkm_triwulan.produksi_ton_ytd", "DKI|2025|2")] == "2,3 ton"
    assert figures[("umkm_triwulan.omzet_rp_ytd", "DKI|2025|2")] == "Rp185,0 juta"
    assert figures[("umkm_triwulan.omzet_rp_ytd", "DKI|2025|2", "title")] == "Rp185.000.000"
    assert figures[("umkm_kota.jumlah_aktif", "DKI|2025|2|31.75")] == "1"
    assert figures[("umkm_sektor.jumlah_aktif", "DKI|2025|1|Perikanan")] == "1"
    assert figures[("umkm_ekatalog_triwulan.jumlah_pelaku_usaha", "DKI|2025|1")] == "1"
    assert figures[("umkm_ekatalog_triwulan.nilai_rp", "DKI|2025|1")] == "Rp12,5 juta"
    assert figures[("umkm_ekatalog_triwulan.nilai_rp", "DKI|2025|1", "title")] == "Rp12.500.000"


def test_nothing_scrolls_sideways_at_1366_px(dashboard):
    _env, browser = dashboard
    browser.resize(1366)
    try:
        assert horizontal_overflow(browser) == []
    finally:
        browser.resize(1280)


def test_data_quality_section_links_the_data_docs_beside_the_warehouse(dashboard):
    env, browser = dashboard
    href = browser.script(
        "return document.querySelector('section#kualitas-data a#data-docs').getAttribute('href')")
    target = (env.dashboard.parent / href).resolve()
    assert target == (env.warehouse.parent / "data_docs" / "index.html").resolve()
    assert target.is_file()
    # GX rendered the staging suites of this warehouse (one page per checked staging table).
    suites = {p.stem for p in (target.parent / "expectations" / "staging").glob("*.html")}
    assert {"kpkp_roster", "sirup_struktur_anggaran"} <= suites
