"""The offline P3DN dashboard: one static HTML file, its charts inline SVG drawn here.

No script, no CDN, no web font: the page opens from a shared drive or an e-mail attachment on
a computer without internet, and its Content-Security-Policy forbids loading anything at all.
Labels are Indonesian and numbers are written the Indonesian way (71,8 %); an amount is
read as an official says it (Rp290,4 miliar, format_rupiah_ringkas) with the exact rupiah in
its ``title``. It is written for a government official who may print it: a print stylesheet
fits it on a few A4 pages, long tables print their first rows with a note saying so.

Every number shown sits in an element carrying ``data-kpi`` (mart or aggregate and column),
``data-key`` (its row, fields joined by ``|``), ``data-value`` (the exact value as stored)
and ``data-format`` (how it is written), so a test or a scraper can check the page against
the marts. Every text is escaped with ``html.escape``.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import os
import re
from collections.abc import Callable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from string import Template
from zoneinfo import ZoneInfo

import duckdb

from p3dn_pipeline.lib.indoformat import format_rupiah, format_rupiah_ringkas, format_tanggal
from p3dn_pipeline.lib.warehouse import fetch_dicts

TEMPLATE = Path(__file__).parent / "templates" / "dashboard.html"
QUERIES = Path(__file__).parent / "sql" / "dashboard.sql"
WIB = ZoneInfo("Asia/Jakarta")
ROMAWI = {1: "I", 2: "II", 3: "III", 4: "IV"}
WARNA = ["#1f5f99", "#2e7d32", "#c75b12", "#7b3fa0", "#0f766e", "#d4a017", "#be185d",
         "#4b5563"]
WARNA_MEMENUHI, WARNA_BELUM, WARNA_TIDAK_TERUKUR = "#2e7d32", "#c75b12", "#9ca3af"
WARNA_PERIKSA = "#b91c1c"
# Width of one character of an 11 px chart label (DejaVu Sans digits are 7 px; the space and
# comma narrower): enough to tell whether a value label would cross a target tick.
LEBAR_HURUF = 6.6
SNAPSHOT_ROWS_SHOWN = 12


# Indonesian number formats ---------------------------------------------------------------

def _indonesian_grouping(text: str) -> str:
    """Python's 1,234.5 written as Indonesians do: 1.234,5."""
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def angka(value, decimals: int = 0) -> str:
    if value is None:
        return "-"
    rounded = Decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return _indonesian_grouping(f"{rounded:,.{decimals}f}")


def persen(value) -> str:
    return "tidak terukur" if value is None else f"{angka(value, 1)} %"


def rupiah(value) -> str:
    return "-" if value is None else format_rupiah(Decimal(value), "rp_nospace")


def ton(value) -> str:
    return "-" if value is None else f"{angka(value, 1)} ton"


def tanggal(value: dt.date | None) -> str:
    return "-" if value is None else format_tanggal(value, "long")


def waktu(value: dt.datetime | None) -> str:
    """Times are stored as naive UTC; people in Jakarta read WIB."""
    if value is None:
        return "-"
    local = value.replace(tzinfo=dt.UTC).astimezone(WIB)
    return f"{format_tanggal(local.date(), 'long')} {local:%H.%M} WIB"


FORMATS: dict[str, Callable] = {
    "angka": angka, "persen": persen, "rupiah": rupiah,
    "rupiah_ringkas": format_rupiah_ringkas,
    "ton": ton, "tanggal": tanggal, "waktu": waktu,
}


def machine_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def label_triwulan(tahun: int, triwulan: int) -> str:
    return f"TW {ROMAWI[triwulan]} {tahun}"


# HTML and SVG pieces -------------------------------------------------------------------------

def esc(text) -> str:
    return html.escape(str(text), quote=True)


def _attributes(attributes: dict) -> str:
    return "".join(f' {name}="{esc(value)}"' for name, value in attributes.items()
                   if value is not None)


def kpi(name: str, key: Sequence, value, fmt: str, *, tag: str = "span", **extra) -> str:
    """One displayed number, machine-readable beside its Indonesian text."""
    attributes = {name_.replace("_", "-"): value_ for name_, value_ in extra.items()}
    if fmt == "rupiah_ringkas" and value is not None:
        # The rounded amount is what an official reads; the exact one is a hover away.
        attributes["title"] = rupiah(value)
    attributes.update({"data-kpi": name, "data-key": "|".join(str(part) for part in key),
                       "data-value": machine_value(value), "data-format": fmt})
    return f"<{tag}{_attributes(attributes)}>{esc(FORMATS[fmt](value))}</{tag}>"


def _svg(chart_id: str, title: str, width: float, height: float, body: Sequence[str]) -> str:
    return (f'<svg class="grafik"{_attributes({"data-chart": chart_id})} role="img"'
            f'{_attributes({"aria-label": title})} width="{width:.0f}" height="{height:.0f}" '
            f'viewBox="0 0 {width:.0f} {height:.0f}"><title>{esc(title)}</title>'
            + "".join(body) + "</svg>")


def _text(x: float, y: float, text: str, *, anchor: str = "start", cls: str | None = None,
          tooltip: str | None = None) -> str:
    inner = esc(text) + (f"<title>{esc(tooltip)}</title>" if tooltip else "")
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"'
            f'{_attributes({"class": cls})}>{inner}</text>')


def _rect(x: float, y: float, width: float, height: float, fill: str, tooltip: str) -> str:
    return (f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(width, 0):.1f}" '
            f'height="{max(height, 0):.1f}" fill="{esc(fill)}"><title>{esc(tooltip)}</title>'
            f"</rect>")


def _line(x1: float, y1: float, x2: float, y2: float, cls: str) -> str:
    return f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" class="{cls}"/>'


def _ticks(maximum: float, count: int = 5, *, whole: bool = False) -> list[float]:
    """Round axis ticks from 0 to at least ``maximum``: steps of 1, 2, 2.5 or 5 x 10^n
    (whole numbers only for counts)."""
    maximum = maximum if maximum > 0 else 1.0
    magnitude = 10 ** math.floor(math.log10(maximum / count))
    steps = [f * magnitude for f in (1, 2, 2.5, 5, 10)]
    if whole:
        steps = [step for step in steps if step >= 1 and step == int(step)] or [1]
    step = next((step for step in steps if step * count >= maximum), steps[-1] * 2)
    return [i * step for i in range(math.ceil(maximum / step - 1e-9) + 1)]


def _legend(items: Sequence[tuple[str, str]]) -> str:
    spans = "".join(f'<span style="--warna: {esc(color)}">{esc(label)}</span>'
                    for label, color in items)
    return f'<div class="legenda">{spans}</div>'


def _figure(svg: str, caption: str, legend: str = "", *, tall: bool = False) -> str:
    """``tall``: a chart with a row per SKPD, printed at the page's full width rather than
    squeezed to the height every other chart gets on paper."""
    cls = ' class="tinggi"' if tall else ""
    return f"<figure{cls}>{svg}{legend}<figcaption>{esc(caption)}</figcaption></figure>"


def _table(headers: Sequence[tuple[str, bool]], rows: Sequence[Sequence[str]], *,
           printed_rows: int | None = None) -> str:
    """``headers``: (label, numeric); ``rows``: cells already rendered as HTML. With
    ``printed_rows``, paper gets only the first rows and a note saying how many of how many:
    the screen keeps them all."""
    classes = [' class="angka"' if numeric else "" for _label, numeric in headers]
    head = "".join(f"<th{cls}>{esc(label)}</th>" for cls, (label, _) in zip(classes, headers))
    cut = printed_rows is not None and len(rows) > printed_rows
    body = "".join(
        ('<tr class="tidak-dicetak">' if cut and index >= printed_rows else "<tr>")
        + "".join(f"<td{cls}>{cell}</td>" for cls, cell in zip(classes, row)) + "</tr>"
        for index, row in enumerate(rows))
    note = (f'<p class="catatan hanya-cetak">Cetakan memuat {printed_rows} baris pertama dari '
            f"{len(rows)}; semua baris ada di versi layar (file HTML ini).</p>" if cut else "")
    return (f'<div class="tabel"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody>'
            f"</table></div>{note}")


def flag(value, target, *, short: bool = False) -> str:
    """The mark beside a share. Above 100 % a share of a whole is impossible, so it is a data
    problem (plan and realisation disagree, an export is stale), never a success; below its
    target it is marked so that a missed target is seen on paper and without colour.
    ``short``: a sign alone for table cells (the full words are its tooltip and the legend)."""
    if value is None:
        return ""
    if value > 100:
        words = "di atas 100 %: periksa data"
        return (f'<span class="tanda tanda-periksa" data-flag="di-atas-100" title="{words}">'
                f"&#9888;{'' if short else ' ' + words}</span>")
    if target is not None and value < target:
        words = f"di bawah target {persen(target)}"
        return (f'<span class="tanda tanda-bawah" data-flag="di-bawah-target" '
                f'title="{esc(words)}">&#9660;{"" if short else " " + esc(words)}</span>')
    return ""


# Suku dinas names differ only at their end ("SUKU DINAS BINA MARGA KOTA ADMINISTRASI JAKARTA
# BARAT" vs "... JAKARTA SELATAN"): cutting them at a fixed length made them identical, so the
# words every one of them shares are abbreviated the way DKI's own documents do.
SINGKATAN_SKPD = [
    (re.compile(r"\bSUKU DINAS\b", re.I), "Sudin"),
    (re.compile(r"\bKABUPATEN ADMINISTRASI KEPULAUAN SERIBU\b", re.I), "Kep. Seribu"),
    (re.compile(r"\bKOTA ADMINISTRASI\s+", re.I), ""),
    (re.compile(r"\bUSAHA KECIL DAN MENENGAH\b", re.I), "UKM"),
    (re.compile(r"\bPELAYANAN TERPADU SATU PINTU\b", re.I), "PTSP"),
    (re.compile(r"\bDEWAN PERWAKILAN RAKYAT DAERAH\b", re.I), "DPRD"),
]
KATA_KECIL = {"dan", "di", "ke", "dari", "untuk", "serta"}
SINGKATAN_TETAP = {"DPRD", "UKM", "UMKM", "PTSP", "RSUD", "UPT", "BLUD", "KPKP", "II", "III",
                   "IV"}


def nama_skpd_singkat(nama: str) -> str:
    """An SKPD name short enough to read in one or two lines and still tell apart from its
    siblings: shared words abbreviated, capitals only where they mean something."""
    shouting = nama.isupper()
    for pattern, short in SINGKATAN_SKPD:
        nama = pattern.sub(short, nama)
    if shouting:
        words = []
        for index, word in enumerate(nama.split()):
            bare = word.strip(",.()")
            if bare in SINGKATAN_TETAP:
                words.append(word)
            elif index and bare.lower() in KATA_KECIL:
                words.append(word.lower())
            else:
                words.append(word.capitalize())
        nama = " ".join(words)
    return re.sub(r"\s+", " ", nama).strip()


def _kota(nama: str) -> str:
    """A kota as it is said (Jakarta Barat, Kep. Seribu), its full name as a tooltip."""
    return f'<span title="{esc(nama)}">{esc(nama_skpd_singkat(nama))}</span>'


def _shorten_middle(text: str, limit: int) -> str:
    """Cut in the middle, not the end: an SKPD's distinguishing words are often its last."""
    if len(text) <= limit:
        return text
    head = (limit - 1) // 2
    return text[:head].rstrip() + "…" + text[len(text) - (limit - 1 - head):].lstrip()


def _empty(what: str) -> str:
    return f'<p class="catatan">Belum ada data {esc(what)}.</p>'


# Charts --------------------------------------------------------------------------------------

def chart_skpd_shares(chart_id: str, rows: Sequence[dict], panels: Sequence[tuple[str, str, str]],
                      title: str) -> str:
    """One row per SKPD, one panel per share (column, target column, heading): a bar per
    value, green when it meets its target, orange when not, red above 100 % (a data problem),
    and the target as a red tick. A value label that would sit on the tick goes right of it."""
    label_width, panel_width, gap, row_height, top = 300, 200, 40, 20, 44
    width = label_width + len(panels) * (panel_width + gap)
    height = top + row_height * len(rows) + 24
    body = []
    for index, (column, target_column, heading) in enumerate(panels):
        left = label_width + index * (panel_width + gap)
        values = [float(r[c]) for r in rows for c in (column, target_column) if r[c] is not None]
        ticks = _ticks(max([100.0, *values]), 4)
        scale = panel_width / ticks[-1]
        body.append(_text(left, 16, heading))
        for tick in ticks:
            x = left + tick * scale
            body.append(_line(x, top - 6, x, height - 20, "kisi"))
            body.append(_text(x, height - 6, persen(Decimal(str(tick))).replace(",0 %", " %"),
                              anchor="middle"))
        for position, row in enumerate(rows):
            y = top + position * row_height
            value, target = row[column], row[target_column]
            key = (row["kd_klpd"], row["tahun_anggaran"], row["kd_satker_str"])
            name = row["nama_skpd"] or row["kd_satker_str"]
            target_x = None if target is None else left + float(target) * scale
            if target_x is not None:
                body.append(_line(target_x, y + 1, target_x, y + row_height - 1, "target"))
            if value is None:
                body.append(kpi(f"p3dn_per_skpd.{column}", key, value, "persen", tag="text",
                                x=f"{left + 4:.1f}", y=f"{y + 14:.1f}", fill="#6b7280"))
                continue
            if value > 100:
                color = WARNA_PERIKSA
            else:
                color = WARNA_MEMENUHI if target is not None and value >= target else WARNA_BELUM
            bar = float(value) * scale
            body.append(_rect(left, y + 3, bar, row_height - 6, color,
                              f"{name}: {persen(value)} (target {persen(target)})"))
            label_x = left + bar + 4
            label_end = label_x + LEBAR_HURUF * len(persen(value))
            if target_x is not None and label_x - 3 <= target_x <= label_end + 3:
                label_x = target_x + 4
            body.append(kpi(f"p3dn_per_skpd.{column}", key, value, "persen", tag="text",
                            x=f"{label_x:.1f}", y=f"{y + 14:.1f}",
                            fill=WARNA_PERIKSA if value > 100 else None))
        body.append(_line(left, top - 6, left, height - 20, "sumbu"))
    for position, row in enumerate(rows):
        name = row["nama_skpd"] or row["kd_satker_str"]
        body.append(_text(label_width - 8, top + position * row_height + 14,
                          _shorten_middle(nama_skpd_singkat(name), 48), anchor="end",
                          tooltip=f"{name} ({row['kd_satker_str']})"))
    return _svg(chart_id, title, width, height, body)


def _value_grid(ticks, left: float, right: float, base: float, scale: float,
                label) -> list[str]:
    """Horizontal grid lines of a vertical chart, each labelled on the left."""
    body = []
    for tick in ticks:
        y = base - tick * scale
        body.append(_line(left, y, right, y, "kisi"))
        body.append(_text(left - 6, y + 4, label(Decimal(str(tick))), anchor="end"))
    return body


def chart_stacked(chart_id: str, title: str, categories: Sequence[tuple],
                  groups: Sequence[tuple[str, str, dict]], totals: dict, total_kpi: str,
                  fmt: str) -> str:
    """Vertical bars per category (a quarter), stacked by group (a kota or a sector).
    ``groups``: (label, color, {category: value}); ``totals``: {category: total}."""
    left, top, plot_height, slot = 70, 24, 260, 76
    width = left + slot * len(categories) + 20
    height = top + plot_height + 40
    ticks = _ticks(max([float(v) for v in totals.values() if v is not None] or [1.0]),
                   whole=fmt == "angka")
    scale = plot_height / ticks[-1]
    base = top + plot_height
    body = _value_grid(ticks, left, width - 20, base, scale, FORMATS[fmt])
    for index, category in enumerate(categories):
        x = left + index * slot + 14
        y = base
        for label, color, values in groups:
            value = values.get(category)
            if not value:
                continue
            bar = float(value) * scale
            y -= bar
            body.append(_rect(x, y, slot - 28, bar, color,
                              f"{label}, {label_triwulan(*category[1:])}: {FORMATS[fmt](value)}"))
        body.append(kpi(total_kpi, category, totals.get(category), fmt, tag="text",
                        x=f"{x + (slot - 28) / 2:.1f}", y=f"{y - 4:.1f}",
                        text_anchor="middle"))
        body.append(_text(x + (slot - 28) / 2, base + 16, label_triwulan(*category[1:]),
                          anchor="middle"))
    body.append(_line(left, base, width - 20, base, "sumbu"))
    return _svg(chart_id, title, width, height, body)


def chart_bars(chart_id: str, title: str, categories: Sequence[tuple], values: dict,
               value_kpi: str, fmt: str, label_fmt: str, color: str) -> str:
    """One vertical bar per quarter, labelled with ``label_fmt`` (short), exact in tooltips."""
    left, top, plot_height, slot = 90, 24, 220, 76
    width = left + slot * len(categories) + 20
    height = top + plot_height + 40
    ticks = _ticks(max([float(v) for v in values.values() if v is not None] or [1.0]),
                   whole=fmt == "angka")
    scale = plot_height / ticks[-1]
    base = top + plot_height
    body = _value_grid(ticks, left, width - 20, base, scale, FORMATS[label_fmt])
    for index, category in enumerate(categories):
        x = left + index * slot + 14
        value = values.get(category)
        bar = float(value or 0) * scale
        body.append(_rect(x, base - bar, slot - 28, bar, color,
                          f"{label_triwulan(*category[1:])}: {FORMATS[fmt](value)}"))
        body.append(kpi(value_kpi, category, value, label_fmt, tag="text",
                        x=f"{x + (slot - 28) / 2:.1f}", y=f"{base - bar - 4:.1f}",
                        text_anchor="middle"))
        body.append(_text(x + (slot - 28) / 2, base + 16, label_triwulan(*category[1:]),
                          anchor="middle"))
    body.append(_line(left, base, width - 20, base, "sumbu"))
    return _svg(chart_id, title, width, height, body)


def chart_trend(chart_id: str, title: str, snapshots: Sequence[dict]) -> str:
    """The headline at each publish, one line per pemda and fiscal year, beside its target."""
    times = sorted({row["diambil_pada"] for row in snapshots})
    series: dict[tuple, list[dict]] = {}
    for row in snapshots:
        series.setdefault((row["kd_klpd"], row["tahun_anggaran"]), []).append(row)
    left, top, plot_width, plot_height = 70, 20, 720, 240
    width, height = left + plot_width + 150, top + plot_height + 44
    values = [float(r["pct_realisasi_komitmen"]) for r in snapshots
              if r["pct_realisasi_komitmen"] is not None]
    ticks = _ticks(max([100.0, *values]), 5)
    scale = plot_height / ticks[-1]
    base = top + plot_height

    def x_of(moment: dt.datetime) -> float:
        if len(times) == 1:
            return left + plot_width / 2
        return left + plot_width * times.index(moment) / (len(times) - 1)

    body = _value_grid(ticks, left, left + plot_width, base, scale,
                        lambda tick: persen(tick).replace(",0 %", " %"))
    label_every = max(1, math.ceil(len(times) / 6))
    for index, moment in enumerate(times):
        if index % label_every == 0 or index == len(times) - 1:
            local = moment.replace(tzinfo=dt.UTC).astimezone(WIB)
            body.append(_text(x_of(moment), base + 16, f"{local:%d/%m %H.%M}", anchor="middle"))
    targets = {r["target"] for r in snapshots if r.get("target") is not None}
    for target in targets:
        y = base - float(target) * scale
        body.append(_line(left, y, left + plot_width, y, "target"))
        body.append(_text(left + plot_width + 6, y + 4, f"Target {persen(target)}"))
    for index, ((kd_klpd, tahun), rows) in enumerate(sorted(series.items())):
        color = WARNA[index % len(WARNA)]
        points = [(x_of(r["diambil_pada"]), base - float(r["pct_realisasi_komitmen"]) * scale, r)
                  for r in rows if r["pct_realisasi_komitmen"] is not None]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in points)
            body.append(f'<polyline points="{path}" fill="none" stroke="{color}" '
                        f'stroke-width="2.5"/>')
        for x, y, row in points:
            body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{color}"><title>'
                        f'{esc(kd_klpd)} TA {tahun}, {esc(waktu(row["diambil_pada"]))}: '
                        f'{esc(persen(row["pct_realisasi_komitmen"]))}</title></circle>')
        if points:
            x, y, row = points[-1]
            body.append(kpi("p3dn_snapshot.pct_realisasi_komitmen",
                            (row["snapshot_id"], kd_klpd, tahun),
                            row["pct_realisasi_komitmen"], "persen", tag="text",
                            x=f"{x + 8:.1f}", y=f"{y - 6:.1f}", fill=color))
    body.append(_line(left, base, left + plot_width, base, "sumbu"))
    body.append(_line(left, top, left, base, "sumbu"))
    return _svg(chart_id, title, width, height, body)


# Sections ------------------------------------------------------------------------------------

def section_headline(provinsi: Sequence[dict]) -> str:
    if not provinsi:
        return _empty("realisasi P3DN per provinsi")
    cards = []
    for row in provinsi:
        key = (row["kd_klpd"], row["tahun_anggaran"])

        def value(column: str, fmt: str, row=row, key=key) -> str:
            return kpi(f"p3dn_provinsi.{column}", key, row[column], fmt)

        def share(column: str, row=row) -> str:
            """A share, then its mark against the target of the same basis."""
            return value(column, "persen") + " " + flag(row[column], row[f"target_{column}"])

        pct, target = row["pct_realisasi_komitmen"], row["target_pct_realisasi_komitmen"]
        if pct is None or target is None:
            status = '<span class="status-tidak">Tidak terukur: belum ada komitmen PDN</span>'
        elif pct > 100:
            status = ('<span class="status-periksa tanda" data-flag="di-atas-100">&#9888; Di atas '
                      '100 %: realisasi melebihi komitmen, periksa data</span>')
        elif pct >= target:
            status = '<span class="status-ya">Memenuhi target</span>'
        else:
            status = ('<span class="status-tidak tanda tanda-bawah" data-flag="di-bawah-target">'
                      "&#9660; Di bawah target</span>")
        kanal = esc(row["kanal_dihitung"] or "tidak ada kanal")
        # The sentence is written here with the card's own formatters, so it can never say
        # 69,04 % under a card that says 69,0 %.
        sentence = (f"Realisasi komitmen P3DN {esc(row['kd_klpd'])} TA "
                    f"{esc(row['tahun_anggaran'])}: "
                    f"{value('pct_realisasi_komitmen', 'persen')} = realisasi PDN semua kanal "
                    f"{value('pembilang_realisasi_pdn_rp', 'rupiah_ringkas')} / komitmen PDN "
                    f"SiRUP {value('penyebut_komitmen_pdn_rp', 'rupiah_ringkas')}, data s.d. "
                    f"{value('tanggal_data', 'tanggal')}; e-katalog saja: "
                    f"{value('pct_realisasi_komitmen_ekatalog', 'persen')}.")
        cards.append(
            f'<div class="kartu"><div class="judul-kartu">Realisasi komitmen P3DN '
            f"{esc(row['kd_klpd'])} TA {esc(row['tahun_anggaran'])}</div>"
            f'<div class="angka-besar">{value("pct_realisasi_komitmen", "persen")}</div>'
            f"<div>Target {value('target_pct_realisasi_komitmen', 'persen')} &middot; "
            f"{status}</div>"
            f'<p class="kalimat">{sentence}</p>'
            '<dl class="dasar">'
            f"<dt>Pembilang</dt><dd>realisasi PDN semua kanal "
            f"{value('pembilang_realisasi_pdn_rp', 'rupiah_ringkas')} "
            f"({kanal}; swakelola tidak dihitung)</dd>"
            f"<dt>Penyebut</dt><dd>komitmen PDN SiRUP "
            f"{value('penyebut_komitmen_pdn_rp', 'rupiah_ringkas')}</dd>"
            f"<dt>Per kanal</dt><dd>e-katalog "
            f"{value('realisasi_pdn_ekatalog_rp', 'rupiah_ringkas')}, "
            f"tender {value('realisasi_pdn_tender_rp', 'rupiah_ringkas')}, "
            f"non-tender {value('realisasi_pdn_nontender_rp', 'rupiah_ringkas')}, "
            f"pencatatan {value('realisasi_pdn_pencatatan_rp', 'rupiah_ringkas')}; toko daring "
            f"{value('realisasi_tokodaring_rp', 'rupiah_ringkas')} (PDN tidak diketahui)</dd>"
            f"<dt>E-katalog saja</dt><dd>{value('pct_realisasi_komitmen_ekatalog', 'persen')} "
            f"(angka sekunder, pembilang satu kanal)</dd>"
            f"<dt>PDN / realisasi</dt><dd>{share('pct_pdn_realisasi')} "
            f"(target {value('target_pct_pdn_realisasi', 'persen')}; PDN tidak diketahui "
            f"{value('realisasi_pdn_tidak_diketahui_rp', 'rupiah_ringkas')})</dd>"
            f"<dt>UMK / realisasi</dt><dd>{share('pct_umk_realisasi')} "
            f"(target {value('target_pct_umk_realisasi', 'persen')}; nilai UMK LKPP dari sisi "
            f"penyedia)</dd>"
            f"<dt>PDN / belanja pengadaan</dt><dd>{share('pct_pdn_belanja')} "
            f"(komitmen; target {value('target_pct_pdn_belanja', 'persen')})</dd>"
            f"<dt>UMK / belanja pengadaan</dt><dd>{share('pct_umk_belanja')} "
            f"(komitmen; target {value('target_pct_umk_belanja', 'persen')}; komitmen UMK "
            f"{value('komitmen_umk_rp', 'rupiah_ringkas')})</dd>"
            # On paper the two long paragraphs give way to the Target section (the basis of
            # every target) and the section's source line; the screen keeps them.
            f'<dt class="tidak-dicetak">Dasar target</dt><dd class="tidak-dicetak">'
            f"{esc(row['dasar_target_realisasi_komitmen'] or '-')}</dd>"
            f"<dt>Belanja pengadaan</dt><dd>"
            f"{value('belanja_pengadaan_rp', 'rupiah_ringkas')}</dd>"
            f'<dt class="tidak-dicetak">Sumber</dt><dd class="tidak-dicetak">'
            f"{esc(row['sumber'])} ({value('jumlah_file_sumber', 'angka')} file)</dd>"
            f"<dt>Data s.d.</dt><dd>{value('tanggal_data', 'tanggal')}</dd>"
            f"<dt>Dimuat</dt><dd>{value('dimuat_pada', 'waktu')}</dd>"
            "</dl></div>")
    return (f'<div class="kartu-baris">{"".join(cards)}</div>'
            '<p class="catatan hanya-cetak">Di cetakan: dasar setiap target ada di bagian '
            "Target, daftar ekspor sumber per kartu di versi layar (file HTML ini).</p>")


# The targets' figures in the words the cards use, not their column names.
KPI_WORDS = {"pct_realisasi_komitmen": "Realisasi / komitmen PDN",
             "pct_pdn_belanja": "PDN / belanja pengadaan",
             "pct_umk_belanja": "UMK / belanja pengadaan",
             "pct_pdn_realisasi": "PDN / realisasi",
             "pct_umk_realisasi": "UMK / realisasi"}


def section_targets(targets: Sequence[dict]) -> str:
    """Which basis each target is for: a target is only ever compared with a figure of the
    same numerator and denominator."""
    if not targets:
        return _empty("target")
    rows = [[esc(KPI_WORDS.get(t["kpi"], t["kpi"])),
             kpi("p3dn_target.target_pct", (t["kpi"],), t["target_pct"], "persen"),
             esc(t["pembilang"]), esc(t["penyebut"]),
             esc(t["sumber"]) + (" <em>(diasumsikan)</em>" if t["diasumsikan"] else "")]
            for t in targets]
    return _table([("Angka", False), ("Target", True), ("Pembilang", False),
                   ("Penyebut", False), ("Sumber", False)], rows)


def section_skpd(per_skpd: Sequence[dict]) -> str:
    if not per_skpd:
        return _empty("realisasi per SKPD")
    parts = []
    groups: dict[tuple, list[dict]] = {}
    for row in per_skpd:
        groups.setdefault((row["kd_klpd"], row["tahun_anggaran"]), []).append(row)
    for (kd_klpd, tahun), rows in groups.items():
        title = f"Realisasi dan komitmen per SKPD, {kd_klpd} TA {tahun}"
        panels = [("pct_realisasi_komitmen", "target_pct_realisasi_komitmen",
                   "Realisasi / komitmen PDN"),
                  ("pct_pdn_belanja", "target_pct_pdn_belanja", "PDN / belanja pengadaan"),
                  ("pct_umk_belanja", "target_pct_umk_belanja", "UMK / belanja pengadaan")]
        chart = chart_skpd_shares(f"skpd-{kd_klpd}-{tahun}", rows, panels, title)
        legend = _legend([("memenuhi target", WARNA_MEMENUHI), ("belum memenuhi target",
                          WARNA_BELUM), ("di atas 100 %: periksa data", WARNA_PERIKSA),
                          ("garis merah putus-putus: target", WARNA_PERIKSA)])
        parts.append(f"<h3>{esc(title)}</h3>")
        parts.append(_figure(chart, f"Persen per SKPD, {kd_klpd} TA {tahun}, tiga dasar "
                                    "perhitungan; garis merah putus-putus = target dasar itu.",
                             legend, tall=True))
        table_rows = []
        for row in rows:
            key = (row["kd_klpd"], row["tahun_anggaran"], row["kd_satker_str"])

            def cell(column: str, fmt: str, row=row, key=key) -> str:
                return kpi(f"p3dn_per_skpd.{column}", key, row[column], fmt)

            def share(column: str, row=row) -> str:
                return (cell(column, "persen") + " "
                        + flag(row[column], row[f"target_{column}"], short=True))

            name = row["nama_skpd"] or "-"
            table_rows.append([
                f'<span class="nama-skpd" title="{esc(name)}">'
                f"{esc(nama_skpd_singkat(name))}</span><br>"
                f"<small>{esc(row['kd_satker_str'])}</small>",
                cell("realisasi_pdn_rp", "rupiah_ringkas"),
                cell("komitmen_pdn_rp", "rupiah_ringkas"),
                share("pct_realisasi_komitmen"), share("pct_pdn_belanja"),
                share("pct_umk_belanja"),
                cell("belanja_pengadaan_rp", "rupiah_ringkas"),
                cell("realisasi_tanpa_rup_rp", "rupiah_ringkas"),
            ])
        parts.append(_table([("SKPD", False), ("Realisasi PDN", True), ("Komitmen PDN", True),
                             ("Realisasi / komitmen", True), ("PDN / belanja", True),
                             ("UMK / belanja", True), ("Belanja pengadaan", True),
                             ("Tanpa RUP komitmen", True)], table_rows, printed_rows=8))
    # Said once for every pemda's chart and table, not repeated under each.
    parts.append('<p class="catatan">Nama SKPD disingkat (Sudin = Suku Dinas, Kep. Seribu = '
                 "Kabupaten Administrasi Kepulauan Seribu); nama lengkap dan kode satker muncul "
                 "saat kursor di atas nama. SKPD tanpa komitmen PDN: tidak terukur. "
                 "&#9660; = di bawah target dasar itu; &#9888; = di atas 100 %, "
                 "periksa data. Tanpa RUP komitmen = realisasi e-katalog yang paketnya tidak ada "
                 "di RUP komitmen. Nilai rupiah dibulatkan ke satu desimal dalam juta, miliar "
                 "atau triliun; nilai persisnya muncul saat kursor di atas angka.</p>")
    return "".join(parts)


def section_trend(snapshots: Sequence[dict], provinsi: Sequence[dict]) -> str:
    if not snapshots:
        return _empty("angka utama yang tersimpan")
    targets = {(r["kd_klpd"], r["tahun_anggaran"]): r["target_pct_realisasi_komitmen"]
               for r in provinsi}
    rows = [{**r, "target": targets.get((r["kd_klpd"], r["tahun_anggaran"]))}
            for r in snapshots]
    chart = chart_trend("tren-snapshot", "Tren realisasi komitmen P3DN per snapshot", rows)
    series = sorted({(r["kd_klpd"], r["tahun_anggaran"]) for r in snapshots})
    legend = _legend([(f"{kd_klpd} TA {tahun}", WARNA[index % len(WARNA)])
                      for index, (kd_klpd, tahun) in enumerate(series)])
    shown = list(reversed(snapshots))[:SNAPSHOT_ROWS_SHOWN]
    table_rows = []
    for row in shown:
        key = (row["snapshot_id"], row["kd_klpd"], row["tahun_anggaran"])

        def cell(column: str, fmt: str, row=row, key=key) -> str:
            return kpi(f"p3dn_snapshot.{column}", key, row[column], fmt)

        table_rows.append([cell("diambil_pada", "waktu"),
                           f"{esc(row['kd_klpd'])} TA {esc(row['tahun_anggaran'])}",
                           cell("pct_realisasi_komitmen", "persen"),
                           cell("pembilang_realisasi_pdn_rp", "rupiah_ringkas"),
                           esc(row.get("dasar_pembilang") or "-"),
                           cell("penyebut_komitmen_pdn_rp", "rupiah_ringkas"),
                           cell("pct_pdn_belanja", "persen"), cell("pct_umk_belanja", "persen"),
                           cell("tanggal_data", "tanggal")])
    return (_figure(chart, f"Satu titik per publikasi ({len({r['snapshot_id'] for r in snapshots})}"
                           " snapshot tersimpan); garis merah putus-putus = target.", legend)
            + f"<h3>{SNAPSHOT_ROWS_SHOWN} snapshot terakhir</h3>"
            + _table([("Diambil", False), ("Pemda", False), ("Realisasi / komitmen", True),
                      ("Pembilang", True), ("Dasar pembilang", False), ("Penyebut", True),
                      ("PDN / belanja", True),
                      ("UMK / belanja", True), ("Data s.d.", False)], table_rows,
                     printed_rows=3))


PERUBAHAN = {"dihapus": "dihapus dari folder landing",
             "diganti_versi_baru": "diganti versi baru (isi baru di nama yang sama)",
             "diganti_ekspor_lebih_baru": "diganti tarikan yang lebih baru"}


def headline_moves(snapshots: Sequence[dict]) -> list[tuple[str, int, object, object]]:
    """(kd_klpd, tahun, before, after) for every headline that moved between the previous
    publish and the latest one."""
    ids = sorted({(r["diambil_pada"], r["snapshot_id"]) for r in snapshots})
    if len(ids) < 2:
        return []
    (_, previous), (_, latest) = ids[-2], ids[-1]
    before = {(r["kd_klpd"], r["tahun_anggaran"]): r["pct_realisasi_komitmen"]
              for r in snapshots if r["snapshot_id"] == previous}
    after = {(r["kd_klpd"], r["tahun_anggaran"]): r["pct_realisasi_komitmen"]
             for r in snapshots if r["snapshot_id"] == latest}
    return [(k[0], k[1], before.get(k), after.get(k)) for k in sorted(set(before) | set(after))
            if before.get(k) != after.get(k)]


def section_changes(changes: Sequence[dict], snapshots: Sequence[dict]) -> str:
    """The footnote that explains a moved headline: exports removed or replaced since the
    previous publish, with the rows that left."""
    moves = headline_moves(snapshots)
    if not changes and not moves:
        return ('<p class="catatan" data-perubahan="tidak-ada">Tidak ada ekspor yang dihapus '
                "atau diganti sejak publikasi sebelumnya.</p>")
    items = [f"<li>{esc(c['file'])} ({esc(c['dataset'] or '-')}): "
             f"{esc(PERUBAHAN.get(c['perubahan'], c['perubahan']))}"
             + (f" oleh {esc(c['pengganti'])}" if c["pengganti"] and c["pengganti"] != c["file"]
                else "")
             + f"; {kpi('p3dn_perubahan_ekspor.baris_keluar', (c['snapshot_id'], c['file']), c['baris_keluar'], 'angka')}"
             " baris keluar dari angka</li>" for c in changes]
    items += [f"<li>Angka utama {esc(kd_klpd)} TA {esc(tahun)}: {esc(persen(before))} &rarr; "
              f"{esc(persen(after))}</li>" for kd_klpd, tahun, before, after in moves]
    return ('<div class="catatan" data-perubahan="ada"><strong>Sejak publikasi sebelumnya:'
            f"</strong><ul>{''.join(items)}</ul></div>")


def section_umkm(kota: Sequence[dict], sektor: Sequence[dict], triwulan: Sequence[dict],
                 terbaru: Sequence[dict]) -> str:
    if not triwulan:
        return _empty("UMKM binaan")
    categories = [(r["kd_klpd"], r["tahun"], r["triwulan"]) for r in triwulan]
    totals = {(r["kd_klpd"], r["tahun"], r["triwulan"]): r["jumlah_aktif"] for r in triwulan}
    parts = []
    for grouping, rows, name_column, code_column in (
            ("kota", kota, "nama_kab_kota", "kode_kab_kota"),
            ("sektor", sektor, "sektor", "sektor")):
        labels: dict[str, str] = {}
        values: dict[str, dict] = {}
        for row in rows:
            labels[row[code_column]] = (nama_skpd_singkat(row[name_column]) if grouping == "kota"
                                        else row[name_column])
            values.setdefault(row[code_column], {})[
                (row["kd_klpd"], row["tahun"], row["triwulan"])] = row["jumlah_aktif"]
        groups = [(labels[code], WARNA[index % len(WARNA)], values[code])
                  for index, code in enumerate(sorted(labels))]
        title = f"UMKM binaan aktif per triwulan menurut {grouping}"
        chart = chart_stacked(f"umkm-{grouping}", title, categories, groups, totals,
                              "umkm_triwulan.jumlah_aktif", "angka")
        parts.append(_figure(chart, f"{title} (jumlah pelaku usaha pada daftar binaan).",
                             _legend([(label, color) for label, color, _ in groups])))
        table_rows = [[esc(labels[code]), *(
            kpi(f"umkm_{grouping}.jumlah_aktif", (*category, code),
                values[code].get(category), "angka") for category in categories)]
            for code in sorted(labels)]
        parts.append(_table([(grouping.capitalize(), False),
                             *((label_triwulan(*c[1:]), True) for c in categories)],
                            table_rows))
    if terbaru:
        first = terbaru[0]
        parts.append(f"<h3>Rincian {esc(label_triwulan(first['tahun'], first['triwulan']))}: "
                     "kota x sektor</h3>")
        table_rows = []
        for row in terbaru:
            key = (row["kd_klpd"], row["tahun"], row["triwulan"], row["kode_kab_kota"],
                   row["sektor"])

            def cell(column: str, fmt: str, row=row, key=key) -> str:
                return kpi(f"umkm_binaan_triwulan.{column}", key, row[column], fmt)

            table_rows.append([_kota(row["nama_kab_kota"] or row["kode_kab_kota"]),
                               esc(row["sektor"]), cell("jumlah_aktif", "angka"),
                               cell("jumlah_baru", "angka"), cell("jumlah_kumulatif", "angka"),
                               cell("pct_pertumbuhan_qoq", "persen"),
                               cell("produksi_ton_ytd", "ton"),
                               cell("omzet_rp_ytd", "rupiah_ringkas")])
        parts.append(_table([("Kota", False), ("Sektor", False), ("Aktif", True),
                             ("Baru", True), ("Kumulatif", True), ("Tumbuh q-o-q", True),
                             ("Produksi s.d. TW", True), ("Omzet s.d. TW", True)], table_rows,
                            printed_rows=8))
    return "".join(parts)


def section_series_shape(seri: Sequence[dict]) -> str:
    """The olahan series as a share of its year's TW III, published beside the pipeline's."""
    if not seri:
        return ""
    years: dict[tuple[str, int], dict[int, dict]] = {}
    for r in seri:
        years.setdefault((r["sumber"], r["tahun"]), {})[r["triwulan"]] = r
    rows = []
    for (sumber, tahun), quarters in years.items():
        cells = [esc("dipublikasikan" if sumber == "publikasi" else "pipeline"), esc(str(tahun))]
        for tw in (1, 2, 3, 4):
            r = quarters.get(tw)
            cells.append("" if r is None else
                         kpi("umkm_seri_publikasi.nilai", (sumber, tahun, tw), r["nilai"], "ton")
                         + " (" + kpi("umkm_seri_publikasi.pct_dari_tw3", (sumber, tahun, tw),
                                      r["pct_dari_tw3"], "persen") + ")")
        rows.append(cells)
    sources = sorted({r["keterangan"] for r in seri if r["sumber"] == "publikasi"})
    return ("<h3>Bentuk seri produksi olahan s.d. triwulan: ton (persen dari s.d. TW III tahun "
            "yang sama)</h3>"
            + _table([("Sumber", False), ("Tahun", False), ("s.d. TW I", True),
                      ("s.d. TW II", True), ("s.d. TW III", True), ("s.d. TW IV", True)], rows)
            + '<p class="catatan">Angka yang dipublikasikan: ' + esc("; ".join(sources))
            + ".</p>")


def section_production(triwulan: Sequence[dict], seri: Sequence[dict] = ()) -> str:
    if not triwulan:
        return _empty("UMKM binaan")
    categories = [(r["kd_klpd"], r["tahun"], r["triwulan"]) for r in triwulan]
    omzet = {c: r["omzet_rp_ytd"] for c, r in zip(categories, triwulan)}
    jenis = [("Olahan", WARNA[1], "produksi_olahan_ton_ytd"),
             ("Segar", WARNA[4 % len(WARNA)], "produksi_segar_ton_ytd"),
             ("Jenis tidak diketahui", WARNA[5 % len(WARNA)],
              "produksi_jenis_tidak_diketahui_ton_ytd")]
    groups = [(label, color, {c: r[column] for c, r in zip(categories, triwulan)})
              for label, color, column in jenis]
    totals = {c: r["produksi_ton_ytd"] for c, r in zip(categories, triwulan)}
    parts = [
        _figure(chart_stacked("produksi-olahan-ytd", "Produksi s.d. triwulan menurut jenis (ton)",
                              categories, groups, totals, "umkm_triwulan.produksi_ton_ytd",
                              "ton"),
                "Produksi (kg) s.d. triwulan dalam ton, menurut Jenis Produk. Bagian Olahan "
                "adalah dasar angka yang dipublikasikan (mis. 97,08 ton s.d. TW II 2023); angka "
                "kumulatif sejak Januari, usaha yang tidak lagi dilaporkan tetap dihitung dalam "
                "tahunnya.", _legend([(label, color) for label, color, _ in jenis])),
        _figure(chart_bars("omzet-ytd", "Omzet s.d. triwulan (Rp)", categories, omzet,
                           "umkm_triwulan.omzet_rp_ytd", "rupiah", "rupiah_ringkas", WARNA[2]),
                "Jumlah Omzet (Rp) s.d. triwulan pada daftar binaan; angka kumulatif sejak "
                "awal tahun."),
    ]
    table_rows = []
    for category, row in zip(categories, triwulan):
        def cell(column: str, fmt: str, row=row, category=category) -> str:
            return kpi(f"umkm_triwulan.{column}", category, row[column], fmt)

        baseline = row["is_baseline"]
        table_rows.append([esc(label_triwulan(row["tahun"], row["triwulan"])),
                           cell("jumlah_aktif", "angka"),
                           "triwulan dasar" if baseline else cell("jumlah_baru", "angka"),
                           "" if baseline else cell("jumlah_keluar", "angka"),
                           cell("pct_pertumbuhan_qoq", "persen"),
                           cell("pct_pertumbuhan_yoy", "persen"),
                           cell("produksi_ton_ytd", "ton"),
                           cell("produksi_olahan_ton_ytd", "ton"),
                           cell("produksi_olahan_ton_triwulan", "ton"),
                           cell("omzet_rp_ytd", "rupiah_ringkas")])
    parts.append(_table([("Triwulan", False), ("Aktif", True), ("Baru", True),
                         ("Keluar", True), ("Tumbuh q-o-q", True), ("Tumbuh y-o-y", True),
                         ("Produksi s.d. TW", True), ("Olahan s.d. TW", True),
                         ("Olahan triwulan ini", True), ("Omzet s.d. TW", True)], table_rows))
    parts.append(section_series_shape(seri))
    return "".join(parts)


def section_ekatalog(ekatalog: Sequence[dict]) -> str:
    if not ekatalog:
        return _empty("UMKM binaan di e-katalog")
    categories = [(r["kd_klpd"], r["tahun"], r["triwulan"]) for r in ekatalog]
    pelaku = {c: r["jumlah_pelaku_usaha"] for c, r in zip(categories, ekatalog)}
    chart = chart_bars("umkm-ekatalog", "UMKM binaan yang bertransaksi di e-katalog",
                       categories, pelaku, "umkm_ekatalog_triwulan.jumlah_pelaku_usaha",
                       "angka", "angka", WARNA[3])
    table_rows = []
    for category, row in zip(categories, ekatalog):
        def cell(column: str, fmt: str, row=row, category=category) -> str:
            return kpi(f"umkm_ekatalog_triwulan.{column}", category, row[column], fmt)

        table_rows.append([esc(label_triwulan(row["tahun"], row["triwulan"])),
                           cell("jumlah_pelaku_usaha", "angka"), cell("jumlah_paket", "angka"),
                           cell("nilai_rp", "rupiah_ringkas")])
    return (_figure(chart, "Pelaku usaha binaan KPKP yang cocok dengan penyedia e-katalog (NIB "
                           "atau NPWP-16 ter-hash) dan punya paket bertransaksi, per triwulan "
                           "tanggal pesanan.")
            + _table([("Triwulan", False), ("Pelaku usaha", True), ("Paket", True),
                      ("Nilai transaksi", True)], table_rows))


KANAL_LABEL = {"ekatalog": "e-Katalog", "tender": "Tender", "nontender": "Non-tender",
               "pencatatan": "Pencatatan", "tokodaring": "Toko daring", "eorder": "e-Order",
               "ecommerce": "E-commerce (bagian PDN)",
               "business_matching": "Business matching (dinyatakan, belum terlihat di kanal)"}


def section_umkm_sales(per_tahun: Sequence[dict], pencocokan: Sequence[dict],
                       matching: Sequence[dict]) -> str:
    if not pencocokan:
        return _empty("pencocokan penjualan UMKM")
    parts = []
    rows = [[esc(str(r["tahun"])), esc(KANAL_LABEL.get(r["kanal"], r["kanal"])),
             kpi("umkm_penjualan_tahun.jumlah_umkm", (r["tahun"], r["kanal"]),
                 r["jumlah_umkm"], "angka"),
             kpi("umkm_penjualan_tahun.jumlah_transaksi", (r["tahun"], r["kanal"]),
                 r["jumlah_transaksi"], "angka"),
             kpi("umkm_penjualan_tahun.nilai_rp", (r["tahun"], r["kanal"]), r["nilai_rp"],
                 "rupiah_ringkas")] for r in per_tahun]
    parts.append("<h3>Penjualan UMKM kohort per kanal</h3>")
    parts.append(_table([("Tahun", False), ("Kanal", False), ("UMKM", True),
                         ("Transaksi", True), ("Nilai", True)], rows))
    rows = [[esc(KANAL_LABEL.get(r["kanal"], r["kanal"])),
             kpi("umkm_pencocokan.jumlah_penjualan", (r["kanal"],), r["jumlah_penjualan"], "angka"),
             kpi("umkm_pencocokan.jumlah_cocok_nib", (r["kanal"],), r["jumlah_cocok_nib"], "angka"),
             kpi("umkm_pencocokan.jumlah_cocok_npwp", (r["kanal"],), r["jumlah_cocok_npwp"], "angka"),
             kpi("umkm_pencocokan.jumlah_cocok_id_jakpreneur", (r["kanal"],),
                 r["jumlah_cocok_id_jakpreneur"], "angka"),
             kpi("umkm_pencocokan.jumlah_tanpa_kunci", (r["kanal"],), r["jumlah_tanpa_kunci"],
                 "angka"),
             kpi("umkm_pencocokan.pct_penjualan_cocok", (r["kanal"],), r["pct_penjualan_cocok"],
                 "persen")] for r in pencocokan]
    parts.append("<h3>Dasar pencocokan: bagian penjualan tiap sumber yang cocok dengan UMKM "
                 "kohort</h3>")
    parts.append(_table([("Kanal", False), ("Penjualan", True), ("Cocok lewat NIB", True),
                         ("Cocok lewat NPWP", True), ("Cocok lewat ID Jakpreneur", True),
                         ("Tanpa NIB/NPWP penjual", True),
                         ("Bagian cocok", True)], rows))
    if matching:
        rows = []
        for r in matching:
            share = (None if not r["nilai_ketertarikan_rp"] else
                     (Decimal(100) * r["nilai_realisasi_rp"] / r["nilai_ketertarikan_rp"])
                     .quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
            rows.append([esc(str(r["tahun"])),
                         kpi("business_matching_tahun.jumlah_batch", (r["tahun"],),
                             r["jumlah_batch"], "angka"),
                         kpi("business_matching_tahun.nilai_ketertarikan_rp", (r["tahun"],),
                             r["nilai_ketertarikan_rp"], "rupiah_ringkas"),
                         kpi("business_matching_tahun.nilai_realisasi_rp", (r["tahun"],),
                             r["nilai_realisasi_rp"], "rupiah_ringkas"),
                         esc(persen(share))])
        parts.append("<h3>Business matching: minat yang dinyatakan dan yang terealisasi</h3>")
        parts.append(_table([("Tahun", False), ("Batch", True), ("Nilai ketertarikan", True),
                             ("Terealisasi di kanal mana pun", True), ("Realisasi / minat", True)],
                            rows))
    return "".join(parts)


# The page ------------------------------------------------------------------------------------

def read_queries() -> dict[str, str]:
    """The named queries of sql/dashboard.sql: each ``-- name: x`` line starts one."""
    queries: dict[str, str] = {}
    for chunk in re.split(r"^-- name: ", QUERIES.read_text(encoding="utf-8"), flags=re.M)[1:]:
        name, _, sql = chunk.partition("\n")
        queries[name.strip()] = sql.strip().rstrip(";")
    return queries


def _as_of_p3dn(provinsi: Sequence[dict]) -> str:
    dates = [r["tanggal_data"] for r in provinsi if r["tanggal_data"] is not None]
    loaded = [r["dimuat_pada"] for r in provinsi if r["dimuat_pada"] is not None]
    return (f"data s.d. {tanggal(max(dates, default=None))}, dimuat "
            f"{waktu(max(loaded, default=None))}")


def _quarter_span(rows: Sequence[dict]) -> str:
    quarters = sorted({(r["tahun"], r["triwulan"]) for r in rows})
    if not quarters:
        return "belum ada triwulan"
    first, last = label_triwulan(*quarters[0]), label_triwulan(*quarters[-1])
    return first if first == last else f"{first} s.d. {last}"


def page(sections: Sequence[tuple[str, str, str, str, str, str]], subtitle: str) -> str:
    """The HTML page around its sections: (anchor, heading, note, source in words, marts
    read, content). The source in words is what an official reads; the mart names stay in a
    data attribute for whoever checks the figures."""
    body = "\n".join(
        f'<section id="{esc(anchor)}" data-mart="{esc(marts)}"><h2>{esc(heading)}</h2>'
        f'<p class="catatan">{esc(note)}</p>{content}'
        f'<p class="sumber">Sumber: {esc(source)}.</p></section>'
        for anchor, heading, note, source, marts, content in sections)
    return Template(TEMPLATE.read_text(encoding="utf-8")).substitute(
        judul=esc("Dasbor P3DN dan UMKM Binaan, Pemerintah Provinsi DKI Jakarta"),
        subjudul=esc(subtitle),
        isi=body,
        kaki=esc("p3dn_pipeline: publish/dashboard. Angka = tabel mart di file serving "
                 "(nama tabel di atribut data-mart setiap bagian); definisi lengkap di komentar "
                 "tabel dan kolom setiap mart."),
    )


def section_data_quality(data_docs_href: str) -> str:
    """The link to the staging tables' Great Expectations Data Docs (built offline beside the
    warehouse): every rule, its severity and each build's result."""
    return (f'<p>Aturan mutu data setiap tabel staging dan hasil pemeriksaannya per build '
            f'(Great Expectations Data Docs, luring): <a id="data-docs" '
            f'href="{esc(data_docs_href)}">buka Data Docs</a>.</p>')


def render_dashboard(con: duckdb.DuckDBPyConnection, generated_at: dt.datetime,
                     data_docs_href: str | None = None) -> str:
    """The whole page from the marts visible on ``con`` (the serving file, read-only);
    ``data_docs_href``, relative to the page, adds the data-quality section linking to the
    Data Docs."""
    data = {name: fetch_dicts(con, sql) for name, sql in read_queries().items()}
    latest = max((r["diambil_pada"] for r in data["snapshot"]), default=None)
    p3dn_source = ("realisasi P3DN per pemda dan tahun anggaran, dibangun dari ekspor LKPP "
                   "e-Katalog, SPSE (tender, non-tender, pencatatan), Bela toko daring dan "
                   f"SiRUP; {_as_of_p3dn(data['provinsi'])}")
    roster = (f"daftar UMKM binaan Dinas KPKP per triwulan, {_quarter_span(data['umkm_triwulan'])}")
    sections = [
        ("angka-utama", "Angka utama: realisasi komitmen P3DN",
         "Persen realisasi komitmen = realisasi PDN semua kanal / komitmen PDN; setiap angka "
         "dengan pembilang, penyebut, sumber dan tanggal datanya.",
         p3dn_source, "marts.p3dn_provinsi", section_headline(data["provinsi"])),
        ("target", "Target dan dasarnya",
         "Setiap target berlaku untuk satu dasar perhitungan: pembilang dan penyebut yang sama.",
         "daftar target P3DN dan dasar hukumnya (Perpres, Inpres, SE LKPP, target Pemprov)",
         "marts.p3dn_target", section_targets(data["target"])),
        ("per-skpd", "Realisasi vs komitmen per SKPD terhadap target",
         "Tahun anggaran terbaru; realisasi semua kanal, sub-unit digulung ke SKPD induk; "
         "target dan dasarnya di bagian Target.",
         "realisasi P3DN per SKPD dari ekspor yang sama dengan angka utama; "
         + _as_of_p3dn(data["provinsi"]),
         "marts.p3dn_per_skpd", section_skpd(data["per_skpd"])),
        ("tren", "Tren angka utama antar-snapshot",
         "Setiap publikasi menyimpan angka utama beserta pembilang, penyebut dan tanggal datanya.",
         f"angka utama yang disimpan pada setiap publikasi, terakhir {waktu(latest)}",
         "marts.p3dn_snapshot, p3dn_perubahan_ekspor",
         section_trend(data["snapshot"], data["provinsi"])
         + section_changes(data["perubahan"], data["snapshot"])),
        ("umkm", "UMKM binaan Dinas KPKP per triwulan", "Menurut kota dan sektor.",
         roster, "marts.umkm_binaan_triwulan",
         section_umkm(data["umkm_kota"], data["umkm_sektor"], data["umkm_triwulan"],
                      data["umkm_terbaru"])),
        ("produksi-omzet", "Pertumbuhan UMKM binaan: jumlah, produksi olahan dan omzet",
         "Tingkat provinsi; triwulan pertama yang dimuat adalah triwulan dasar, tanpa hitungan "
         "baru/keluar.",
         roster + "; angka produksi olahan yang dipublikasikan Dinas KPKP",
         "marts.umkm_binaan_triwulan, umkm_seri_publikasi",
         section_production(data["umkm_triwulan"], data["umkm_seri"])),
        ("umkm-penjualan", "Di mana UMKM binaan, peserta business matching dan Jakpreneur "
         "berjualan",
         "Penjual dicocokkan lewat NIB, lalu NPWP ter-hash, tidak pernah lewat nama; setiap "
         "penjualan dihitung sekali.",
         "transaksi e-Katalog, SPSE, Bela toko daring, e-Order dan e-commerce dicocokkan dengan "
         "daftar UMKM binaan, peserta business matching dan Jakpreneur; "
         + _as_of_p3dn(data["provinsi"]),
         "marts.umkm_transaksi, umkm_pencocokan, business_matching",
         section_umkm_sales(data["umkm_penjualan_tahun"], data["umkm_pencocokan"],
                            data["business_matching_tahun"])),
        ("ekatalog", "UMKM binaan yang berjualan di e-katalog",
         "Dicocokkan lewat NIB atau NPWP-16 ter-hash.",
         "paket e-Katalog LKPP dicocokkan dengan daftar UMKM binaan Dinas KPKP, "
         + _quarter_span(data["ekatalog_triwulan"]),
         "marts.umkm_ekatalog", section_ekatalog(data["ekatalog_triwulan"])),
    ]
    if data_docs_href:
        sections.append(
            ("kualitas-data", "Kualitas data",
             "Angka di atas dihitung hanya dari tabel yang lulus semua aturan ERROR-nya; "
             "aturan WARN dilaporkan tanpa menghentikan angka.",
             "suite Great Expectations setiap tabel staging dan hasil validasinya",
             "marts.data_quality", section_data_quality(data_docs_href)))
    subtitle = (f"Dibuat {waktu(generated_at)} dari file serving, angka utama tersimpan "
                f"terakhir {waktu(latest)}. Halaman luring: tanpa koneksi internet.")
    return page(sections, subtitle)


def write_atomically(path: Path, text: str, publish_id: str) -> None:
    """Readers (a browser, a file share) see the old page or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.publishing-{publish_id}")
    try:
        with temp.open("w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
