"""Every figure of the dashboard's headline card and SKPD table, label by label, against the
independent reading of the same landing folder (independent.py) or a hand computation, written
the Indonesian way by this test.

The page's own ``data-kpi`` attributes are not trusted: they name the column the page shows,
so a card labelled "PDN / belanja pengadaan" that shows the UMK share would agree with them
(issue 15). Here each label the official reads is paired with the text shown beside it.

Landing: the hand-made mini P3DN exports plus the SPSE / Bela channel exports of
test_p3dn_channels (every realisation channel), run through the real pipeline; the dashboard
is the file the pipeline wrote.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from html import unescape

import pytest

from p3dn_pipeline_tests import independent
from p3dn_pipeline_tests.integration.test_p3dn_channels import channels  # noqa: F401 (fixture)

pytestmark = pytest.mark.slow

KD_KLPD, TAHUN = independent.KD_KLPD_LOCAL, 2025


def persen(value: Decimal | None) -> str:
    """71,8 %: one decimal, half away from zero, decimal comma (no percent here reaches
    1.000, so no thousands dot)."""
    if value is None:
        return "tidak terukur"
    text = str(Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
    return text.replace(".", ",") + " %"


def rupiah_ringkas(value: Decimal) -> str:
    """How an official says an amount: Rp206,5 juta, Rp1,3 miliar; below a million in full
    with thousands dots."""
    for size, word in ((10**12, "triliun"), (10**9, "miliar"), (10**6, "juta")):
        if abs(value) >= size:
            shown = (Decimal(value) / size).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
            return f"Rp{str(shown).replace('.', ',')} {word}"
    whole = int(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return "Rp" + f"{whole:,}".replace(",", ".")


@pytest.fixture(scope="module")
def page(channels):
    """The landing of test_p3dn_channels, run by its fixture; the dashboard it wrote."""
    reading = independent.read_landing(channels.landing)
    html = (channels.warehouse.parent / "dashboard.html").read_text(encoding="utf-8")
    return html, reading


def shown(fragment: str) -> list[str]:
    """The texts of the figures in a piece of the page, in order."""
    return [unescape(text) for text in re.findall(r'<[a-z]+ [^>]*data-kpi="[^"]*"[^>]*>([^<]*)<',
                                                  fragment)]


def headline_card(html: str) -> str:
    cards = re.findall(r'<div class="kartu">(.*?)</dl></div>', html, flags=re.S)
    [card] = [c for c in cards if f"Realisasi komitmen P3DN {KD_KLPD} TA {TAHUN}" in c]
    return card


def test_each_headline_card_label_shows_its_own_independently_computed_figure(page):
    html, reading = page
    headline = independent.p3dn_headline(reading)[(KD_KLPD, TAHUN)]
    plan = independent.p3dn_provinsi(reading)[(KD_KLPD, TAHUN)]
    # The figures must differ where a swap would matter, or a swap would pass unseen.
    assert len({plan["pct_pdn_belanja"], plan["pct_umk_belanja"],
                headline["pct_pdn_realisasi"], headline["pct_umk_realisasi"],
                headline["pct_realisasi_komitmen"],
                headline["pct_realisasi_komitmen_ekatalog"]}) == 6
    card = headline_card(html)
    big = re.search(r'<div class="angka-besar">(.*?)</div>', card, flags=re.S).group(1)
    assert shown(big) == [persen(headline["pct_realisasi_komitmen"])]

    by_label = {unescape(re.sub(r"<[^>]+>", "", label)).strip(): shown(value)
                for label, value in re.findall(r"<dt[^>]*>(.*?)</dt><dd[^>]*>(.*?)</dd>", card,
                                               flags=re.S)}
    expected_first = {
        "Pembilang": rupiah_ringkas(headline["realisasi_pdn_rp"]),
        "Penyebut": rupiah_ringkas(headline["komitmen_pdn_rp"]),
        "E-katalog saja": persen(headline["pct_realisasi_komitmen_ekatalog"]),
        "PDN / realisasi": persen(headline["pct_pdn_realisasi"]),
        "UMK / realisasi": persen(headline["pct_umk_realisasi"]),
        "PDN / belanja pengadaan": persen(plan["pct_pdn_belanja"]),
        "UMK / belanja pengadaan": persen(plan["pct_umk_belanja"]),
        "Belanja pengadaan": rupiah_ringkas(plan["belanja_pengadaan_rp"]),
    }
    assert {label: by_label[label][0] for label in expected_first} == expected_first
    # Per channel: e-katalog, tender, non-tender and pencatatan PDN, then toko daring's value.
    assert by_label["Per kanal"] == [
        rupiah_ringkas(headline["realisasi_pdn_ekatalog_rp"]),
        rupiah_ringkas(headline["realisasi_pdn_tender_rp"]),
        rupiah_ringkas(headline["realisasi_pdn_nontender_rp"]),
        rupiah_ringkas(headline["realisasi_pdn_pencatatan_nontender_rp"]),
        rupiah_ringkas(independent.p3dn_realisasi_kanal(reading)[
            (KD_KLPD, TAHUN, "tokodaring")]["realisasi_rp"]),
    ]


def test_each_column_of_the_skpd_table_shows_its_own_figure(page):
    """SKPD A (2.09.3.25.0.00.10.0000) by hand, from test_p3dn_channels' plan and realisation:
    realisasi PDN 206.500.000,25 over komitmen PDN R1 100 + R2 50 + R6 10 = 160 jt
    (129,06 %); belanja pengadaan 200 jt, so PDN / belanja = 160 / 200 = 80,0 % and
    UMK / belanja = komitmen UMK (R1 100 + R3 30 = 130 jt) / 200 = 65,0 %."""
    html, _ = page
    # The table under DKI TA 2025's heading (another pemda's tender has a table of its own).
    after_heading = html.split(f"<h3>Realisasi dan komitmen per SKPD, {KD_KLPD} TA {TAHUN}</h3>",
                               1)[1]
    table = re.search(r"<table>(.*?)</table>", after_heading, flags=re.S).group(1)
    headers = [unescape(h) for h in re.findall(r"<th[^>]*>(.*?)</th>", table)]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table.split("</thead>", 1)[1], flags=re.S)
    [row] = [r for r in rows if "<small>2.09.3.25.0.00.10.0000</small>" in r]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)
    by_header = {header: shown(cell)[:1] for header, cell in zip(headers, cells)}
    assert {header: by_header[header] for header in (
        "Realisasi PDN", "Komitmen PDN", "Realisasi / komitmen", "PDN / belanja",
        "UMK / belanja", "Belanja pengadaan")} == {
        "Realisasi PDN": [rupiah_ringkas(Decimal("206500000.25"))],
        "Komitmen PDN": [rupiah_ringkas(Decimal("160000000"))],
        "Realisasi / komitmen": [persen(Decimal("129.06"))],
        "PDN / belanja": [persen(Decimal("80"))],
        "UMK / belanja": [persen(Decimal("65"))],
        "Belanja pengadaan": [rupiah_ringkas(Decimal("200000000"))],
    }
