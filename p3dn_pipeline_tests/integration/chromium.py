"""Debian's real headless Chromium, driven through chromedriver with plain W3C WebDriver
requests (urllib, no extra package), for the dashboard tests; and a PNG decoder and a PDF page
counter in pure Python to read what it returns."""

from __future__ import annotations

import base64
import json
import os
import re
import signal
import socket
import struct
import subprocess
import time
import urllib.error
import urllib.request
import zlib
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
# W3C WebDriver print sizes are in centimetres.
A4 = {"width": 21.0, "height": 29.7}


def require_chromium() -> None:
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.fail(f"{CHROMIUM} or {CHROMEDRIVER} is missing: run scripts/install-chromium.sh "
                    "as root (Debian's chromium and chromium-driver packages; make test does).")


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

    def resize(self, width: int, height: int = 1000) -> None:
        self.command("POST", "/window/rect", {"width": width, "height": height})

    def print_pdf(self, page: dict[str, float] = A4) -> bytes:
        """The page printed as Chromium prints it (its print stylesheet applies)."""
        return base64.b64decode(self.command("POST", "/print", {"page": page,
                                                                "background": True}))

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


def pdf_page_count(pdf: bytes) -> int:
    """Pages of a PDF: its page objects (``/Type /Page``, not ``/Pages``), checked against
    the ``/Count`` of the page tree's root when the PDF writes one uncompressed."""
    pages = len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))
    counts = [int(n) for n in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", pdf)]
    counts += [int(n) for n in re.findall(rb"/Count\s+(\d+)[^>]*?/Type\s*/Pages\b", pdf)]
    assert pdf.startswith(b"%PDF-"), "not a PDF"
    assert pages > 0, "no page objects found"
    if counts:
        assert max(counts) == pages, (counts, pages)
    return pages


def horizontal_overflow(browser: WebDriver) -> list[str]:
    """What is wider than its box on the page as laid out now: the document itself, any table
    container, and anything inside one (a table cell whose number spills over counts too)."""
    return browser.script("""
        const found = [];
        const root = document.documentElement;
        if (root.scrollWidth > root.clientWidth) {
            found.push(`document: ${root.scrollWidth} > ${root.clientWidth}`);
        }
        for (const box of document.querySelectorAll('div.tabel')) {
            for (const e of [box, ...box.querySelectorAll('*')]) {
                if (e.scrollWidth > e.clientWidth && e.clientWidth > 0) {
                    const where = e.closest('section') ? e.closest('section').id : '?';
                    found.push(`${where} ${e.tagName} "${e.textContent.slice(0, 40)}": `
                               + `${e.scrollWidth} > ${e.clientWidth}`);
                }
            }
        }
        return found;""")
