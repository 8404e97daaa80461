"""The offline dashboard in Debian's real headless Chromium, driven through chromedriver with
plain W3C WebDriver requests (urllib, no extra package): it loads from file:// without a
console error or a single network request, every chart paints, and every number on the page
equals the marts in the serving file.

Figures from the fixtures (test_p3dn_marts.py and publish_fixtures.py): DKI TA 2025
realisasi komitmen 97,5 jt / 150 jt = 65,0 %, data to 31 Maret 2025; SKPD B has no PDN
commitment (tidak terukur); UMKM TW II 2025: 3 active, 2,25 ton (shown 2,3 ton),
Rp185.000.000; one mentored business sold Rp12.500.000 on e-katalog in TW I 2025.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import signal
import socket
import struct
import subprocess
import time
import urllib.error
import urllib.request
import zlib
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from p3dn_pipeline_tests.integration.publish_fixtures import publish_env

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHARTS = {"skpd-DKI-2025", "tren-snapshot", "umkm-kota", "umkm-sektor", "produksi-olahan-ytd",
          "omzet-ytd", "umkm-ekatalog"}


class WebDriver:
    """The few W3C WebDriver commands the test needs, against a local chromedriver."""

    def __init__(self, profile: Path):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.base = f"http://127.0.0.1:{port}"
        # Its own process group: chromedriver and the Chromium it starts end together.
        self.process = subprocess.Popen(
            [str(CHROMEDRIVER), f"--port={port}", "--allowed-ips=127.0.0.1"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 30
        while True:
            try:
                self._call("GET", "/status")
                break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline, "chromedriver did not start"
                time.sleep(0.1)
        arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                     "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync",
                     f"--user-data-dir={profile}", "--window-size=1280,1000"]
        session = self._call("POST", "/session", {"capabilities": {"alwaysMatch": {
            "browserName": "chrome", "goog:loggingPrefs": {"browser": "ALL"},
            "goog:chromeOptions": {"binary": str(CHROMIUM), "args": arguments}}}})
        self.session = f"/session/{session['sessionId']}"

    def _call(self, method: str, path: str, body: dict | None = None):
        request = urllib.request.Request(
            self.base + path, method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())["value"]

    def command(self, method: str, path: str, body: dict | None = None):
        return self._call(method, self.session + path, body)

    def script(self, source: str):
        return self.command("POST", "/execute/sync", {"script": source, "args": []})

    def console(self) -> list[dict]:
        return self.command("POST", "/se/log", {"type": "browser"})

    def charts(self) -> dict[str, str]:
        """data-chart name -> WebDriver element id."""
        found = self.command("POST", "/elements", {"using": "css selector",
                                                   "value": "svg[data-chart]"})
        charts = {}
        for element in found:
            element_id = next(iter(element.values()))
            name = self.command("GET", f"/element/{element_id}/attribute/data-chart")
            charts[name] = element_id
        return charts

    def screenshot(self, element_id: str) -> bytes:
        """The element alone, scrolled into view first (else the part below the window is
        cut off)."""
        reference = {"element-6066-11e4-a52e-4f735466cecf": element_id}
        self.command("POST", "/execute/sync", {
            "script": "arguments[0].scrollIntoView({block: 'start'})", "args": [reference]})
        return base64.b64decode(self.command("GET", f"/element/{element_id}/screenshot"))

    def quit(self) -> None:
        try:
            self.command("DELETE", "")
        finally:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                # Seen on a busy machine: chromedriver still not gone 20 s after SIGTERM. The
                # page has been checked by then; end the whole group rather than fail on it.
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=20)


def decode_png(data: bytes) -> tuple[int, int, list[tuple[int, ...]]]:
    """Width, height and RGB pixels of an 8-bit RGB or RGBA PNG, in pure Python."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    position, compressed = 8, b""
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        body = data[position + 8:position + 8 + length]
        position += 12 + length
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and color in (2, 6) and interlace == 0, (depth, color, interlace)
        elif kind == b"IDAT":
            compressed += body
    channels = 3 if color == 2 else 4
    raw, stride = zlib.decompress(compressed), width * channels
    previous, pixels = bytearray(stride), []
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            up_left = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                estimate = left + up - up_left
                nearest = min((abs(estimate - left), 0, left), (abs(estimate - up), 1, up),
                              (abs(estimate - up_left), 2, up_left))[2]
                line[i] = (line[i] + nearest) & 255
        pixels += [tuple(line[x:x + 3]) for x in range(0, stride, channels)]
        previous = line
    return width, height, pixels


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory):
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.fail(f"{CHROMIUM} or {CHROMEDRIVER} is missing: run scripts/install-chromium.sh "
                    "as root (Debian's chromium and chromium-driver packages; make test does).")
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
        "e.getAttribute('data-value'), e.getAttribute('data-format'), e.textContent])")
    assert len(shown) > 60
    figures = {}
    with read_serving(env.serving) as con:
        for kpi, key, value, fmt, text in shown:
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
            figures[(kpi, key)] = text
        snapshot_ids = [r[0] for r in con.execute(
            "SELECT snapshot_id FROM p3dn_snapshot ORDER BY diambil_pada").fetchall()]
        skpd = [r[0] for r in con.execute("SELECT kd_satker_str FROM p3dn_per_skpd").fetchall()]

    assert figures[("p3dn_provinsi.pct_realisasi_komitmen", "DKI|2025")] == "65,0 %"
    assert figures[("p3dn_provinsi.target_pct_realisasi_komitmen", "DKI|2025")] == "80,0 %"
    assert figures[("p3dn_provinsi.pembilang_realisasi_pdn_rp", "DKI|2025")] == "Rp97.500.000"
    assert figures[("p3dn_provinsi.penyebut_komitmen_pdn_rp", "DKI|2025")] == "Rp150.000.000"
    assert figures[("p3dn_provinsi.tanggal_data", "DKI|2025")] == "31 Maret 2025"
    assert figures[("p3dn_provinsi.pct_umk_belanja", "DKI|2025")] == "54,2 %"
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
    assert figures[("umkm_triwulan.omzet_rp_ytd", "DKI|2025|2")] == "Rp185.000.000"
    assert figures[("umkm_kota.jumlah_aktif", "DKI|2025|2|31.75")] == "1"
    assert figures[("umkm_sektor.jumlah_aktif", "DKI|2025|1|Perikanan")] == "1"
    assert figures[("umkm_ekatalog_triwulan.jumlah_pelaku_usaha", "DKI|2025|1")] == "1"
    assert figures[("umkm_ekatalog_triwulan.nilai_rp", "DKI|2025|1")] == "Rp12.500.000"
