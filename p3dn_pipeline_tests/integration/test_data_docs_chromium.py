"""Great Expectations Data Docs of the staging suites, built offline beside the warehouse, in
Debian's real headless Chromium: no remote script or stylesheet is left in any page, nothing
is fetched from the network, the index lists each suite and its validation results, and a
check's linked page shows that validation's expectations and their results.

Fixture (hand-made): staging.roster has rows 2 and 3 with the same business in 2025 TW I and
row 4 in kota 32.01 (outside DKI): business_per_quarter_unique finds 2 rows, kota_in_dki 1.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest

from p3dn_pipeline_tests.integration.chromium import WebDriver, require_chromium

pytestmark = pytest.mark.slow

DEFS = Path(__file__).parents[2] / "p3dn_pipeline" / "defs"


def _suite_of_two(tmp: Path) -> Path:
    suite = json.loads((DEFS / "kpkp" / "expectations" / "kpkp_roster.json").read_text(encoding="utf-8"))
    suite["expectations"] = [e for e in suite["expectations"]
                             if e["meta"]["dagster_check"] in ("business_per_quarter_unique", "kota_in_dki")]
    path = tmp / "kpkp_roster.json"
    path.write_text(json.dumps(suite), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from p3dn_pipeline.lib import data_docs, gx_results
    from p3dn_pipeline.lib.quality import load_suite, validate_suite

    require_chromium()
    root = tmp_path_factory.mktemp("data_docs")
    warehouse = root / "warehouse"
    warehouse.mkdir()
    con = duckdb.connect(str(warehouse / "p3dn.duckdb"))
    con.execute("CREATE SCHEMA staging")
    con.execute("CREATE TABLE staging.kpkp_roster (tahun INTEGER, triwulan INTEGER, pelaku_usaha_id VARCHAR, "
                "kode_kab_kota VARCHAR, _source_file VARCHAR, _source_row BIGINT)")
    con.executemany("INSERT INTO staging.kpkp_roster VALUES (?, ?, ?, ?, ?, ?)", [
        (2025, 1, "a", "31.71", "r1.csv", 2), (2025, 1, "a", "31.72", "r1.csv", 3),
        (2025, 1, "b", "32.01", "r1.csv", 4)])
    validation = validate_suite(con, "staging.kpkp_roster", load_suite(_suite_of_two(root)),
                                suite_name="staging.kpkp_roster")
    kept = gx_results.keep_validation(con, "staging.kpkp_roster", validation)
    con.close()
    index = data_docs.build_data_docs(warehouse)
    browser = WebDriver(root / "chromium-profile")
    try:
        yield index, data_docs.validation_page(warehouse, "staging.kpkp_roster", kept), browser
    finally:
        browser.quit()


def test_pages_are_in_the_warehouse_folder_and_load_nothing_remote(site):
    index, page, _browser = site
    assert index == index.parents[1] / "data_docs" / "index.html"
    assert page.is_file()
    pages = sorted(index.parent.rglob("*.html"))
    assert len(pages) == 3  # index, the suite, its validation
    remote = re.compile(r'<(script|link|img)\b[^>]*\b(src|href)="https?://', re.IGNORECASE)
    for html in pages:
        assert not remote.search(html.read_text(encoding="utf-8")), html


def test_index_lists_the_suite_and_its_failed_validation(site):
    index, _page, browser = site
    browser.command("POST", "/url", {"url": index.as_uri()})
    assert [e for e in browser.console() if e["level"] == "SEVERE"] == []
    fetched = browser.script("return performance.getEntriesByType('resource').map(e => e.name)")
    # (Chromium records no timing for file:// loads; a failed remote load is a console error.)
    assert [url for url in fetched if not url.startswith("file://")] == []
    text = browser.script("return document.body.innerText")
    assert "staging.kpkp_roster" in text
    # The two tables GX fills with bootstrapTable: suites, and validation results (1 failed run).
    rendered = browser.script(
        "return Array.from(document.querySelectorAll('table[data-p3dn-rendered]'))"
        ".map(t => Number(t.getAttribute('data-p3dn-rendered')))")
    assert sorted(rendered) == [1, 1]
    links = browser.script("return Array.from(document.querySelectorAll('a.p3dn-row-link'))"
                           ".map(a => a.getAttribute('href'))")
    assert "expectations/staging/kpkp_roster.html" in links
    assert any(link.startswith("validations/staging/kpkp_roster/") for link in links)
    # Bootstrap's tabs: the suites' pane shows once its tab is clicked, the results' then hides.
    shown = ("return ['Validation-Results', 'Expectation-Suites']"
             ".map(id => document.getElementById(id).offsetParent !== null)")
    assert browser.script(shown) == [True, False]
    browser.script("document.getElementById('Expectation-Suites-tab').click()")
    assert browser.script(shown) == [False, True]
    # The failed run's status icon (Font Awesome's, from a CDN) is a character here.
    assert browser.script("return getComputedStyle(document.querySelector('.fa-times'), "
                          "'::before').content") == '"\u2716"'


def test_the_linked_validation_page_shows_each_expectation_and_its_result(site):
    _index, page, browser = site
    browser.command("POST", "/url", {"url": page.as_uri()})
    assert [e for e in browser.console() if e["level"] == "SEVERE"] == []
    text = " ".join(browser.script("return document.body.innerText").split())
    assert "Expectation Suite: staging.kpkp_roster" in text
    assert "Status: Failed" in text
    assert "Evaluated Expectations 2 Successful Expectations 0 Unsuccessful Expectations 2" in text
    # business_per_quarter_unique: its query, and the 2 rows (2 and 3) it returned.
    assert ("Unexpected rows query: SELECT _source_file, _source_row, tahun, triwulan, pelaku_usaha_id "
            "FROM {batch} JOIN (SELECT tahun, triwulan, pelaku_usaha_id") in text
    assert "USING (tahun, triwulan, pelaku_usaha_id) 2 " in text
    # kota_in_dki: the set, and the one value outside it (row 4) of 3 rows.
    assert "values must belong to this set: 31.01 31.71 31.72 31.73 31.74 31.75" in text
    assert "1 unexpected values found. ≈33.33% of 3 total rows. Unexpected Value Count 32.01 1" in text
    # The run's details are folded away, as on GX's hosted pages, until "Show more info...".
    assert f"Run Name {page.parent.parent.name}" not in text
    browser.script("document.querySelector('[data-toggle=\"collapse\"]').click()")
    text = " ".join(browser.script("return document.body.innerText").split())
    assert f"Run Name {page.parent.parent.name}" in text


def test_pages_keep_gx_layout_with_the_shipped_bootstrap_stylesheet(site):
    # GX lays its pages out with bootstrap's grid (a side bar beside the results); with the
    # CDN link gone, the shipped copy of the same bootstrap version must take its place.
    index, page, browser = site
    assert (index.parent / "static" / "p3dn" / "bootstrap-4.3.1.min.css").is_file()
    for url in (index.as_uri(), page.as_uri()):
        browser.command("POST", "/url", {"url": url})
        assert [e for e in browser.console() if e["level"] == "SEVERE"] == []
        loaded = browser.script("return Array.from(document.styleSheets).map(s => s.href || '')")
        assert any(href.endswith("/static/p3dn/bootstrap-4.3.1.min.css") for href in loaded), loaded
        # Bootstrap's .row is a flex container, and a .col-md-* column beside another one
        # takes a fraction of the row, not all of it.
        assert browser.script(
            "return getComputedStyle(document.querySelector('.row')).display") == "flex"
    widths = browser.script(
        "const c = document.querySelector('[class*=\"col-md-\"]');"
        "return [c.getBoundingClientRect().width, c.parentElement.getBoundingClientRect().width]")
    assert 0 < widths[0] < widths[1]
