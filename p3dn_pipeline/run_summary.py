"""The end of a run, said in a few lines: what happened to the files, what was quarantined,
what is left out of the headline, which checks fail, how the headline moved, and where the
outputs are.

One function makes it (:func:`summary_sections`); the ``publish/run_summary`` asset records it
as the run's Dagster metadata and ``p3dn run`` prints the same text from that record, so the
terminal and the UI cannot disagree.

"This run" is every file-ledger change since the run began; a ``refresh_all`` started by a
load (the schedule, the landing sensor, ``p3dn run``) counts from the start of that load run,
so the files it loaded are part of the same story.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from p3dn_pipeline.lib.ledger import LEDGER_TABLE
from p3dn_pipeline.lib.sources import registry
from p3dn_pipeline.lib.warehouse import fetch_dicts, table_exists

TOP_RULES = 3
LISTED_MAX = 10

Sections = list[tuple[str, list[str]]]


def _rupiah(value) -> str:
    return "Rp" + f"{value:,.0f}".replace(",", ".")


def _listed(lines: list[str]) -> list[str]:
    """At most LISTED_MAX lines, and how many more there are."""
    if len(lines) <= LISTED_MAX:
        return lines
    return lines[:LISTED_MAX] + [f"... and {len(lines) - LISTED_MAX} more"]


def file_lines(con: duckdb.DuckDBPyConnection, since: dt.datetime) -> list[str]:
    """Files loaded, unchanged, rejected, held back and removed since ``since`` (naive UTC)."""
    if not table_exists(con, LEDGER_TABLE):
        return ["no file ledger yet"]
    newest = fetch_dicts(con, f"""
        SELECT path, dataset, status, reason, rows_loaded, status_at FROM (
            SELECT *, row_number() OVER (PARTITION BY path
                                         ORDER BY first_seen_at DESC, status_at DESC) AS rank
            FROM {LEDGER_TABLE})
        WHERE rank = 1 ORDER BY path""")
    loaded = [r for r in newest if r["status"] == "loaded" and r["status_at"] >= since]
    unchanged = [r for r in newest if r["status"] == "loaded" and r["status_at"] < since]
    rejected = [r for r in newest if r["status"] == "rejected"]
    held = [r for r in newest if r["status"] == "held"]
    removed = [r for r in newest if r["status"] == "removed" and r["status_at"] >= since]
    lines = [f"loaded: {len(loaded)} (rows {sum(r['rows_loaded'] or 0 for r in loaded)}); "
             f"unchanged: {len(unchanged)}; rejected: {len(rejected)}; held back: {len(held)}; "
             f"removed: {len(removed)}"]
    lines += _listed([f"  loaded {r['path']} ({r['dataset']}, {r['rows_loaded']} rows)"
                      for r in loaded])
    # Rejections and held versions stay listed for as long as the file is there: each run
    # that finds them still has not loaded them.
    lines += _listed([f"  rejected{' (new)' if r['status_at'] >= since else ''}: {r['reason']}"
                      for r in rejected])
    lines += _listed([f"  held back{' (new)' if r['status_at'] >= since else ''}: {r['reason']}"
                      for r in held])
    lines += _listed([f"  removed {r['path']} ({r['dataset'] or 'no dataset'})"
                      for r in removed])
    return lines


def quarantine_lines(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Rows in quarantine per dataset, with its most frequent rules."""
    lines = []
    for dataset in sorted(d.name for d in registry().datasets):
        table = f"quarantine.{dataset}"
        if not table_exists(con, table):
            continue
        rules = con.execute(f"""
            SELECT rule, count(DISTINCT (_source_file, _source_sheet, _source_row)) AS n
            FROM {table} GROUP BY rule ORDER BY n DESC, rule""").fetchall()
        if not rules:
            continue
        rows = con.execute(f"SELECT count(DISTINCT (_source_file, _source_sheet, _source_row)) "
                           f"FROM {table}").fetchall()[0][0]
        top = ", ".join(f"{rule} {n}" for rule, n in rules[:TOP_RULES])
        more = f", {len(rules) - TOP_RULES} more rule(s)" if len(rules) > TOP_RULES else ""
        lines.append(f"{dataset}: {rows} {'row' if rows == 1 else 'rows'} ({top}{more})")
    return lines or ["no row quarantined"]


def without_package_lines(con: duckdb.DuckDBPyConnection) -> list[str]:
    """e-Katalog realisation whose kd_rup names no committed SiRUP package: not in the
    headline's numerator, so said beside it."""
    if not table_exists(con, "marts.p3dn_per_skpd"):
        return ["marts.p3dn_per_skpd not built"]
    rows = fetch_dicts(con, """
        SELECT kd_klpd, tahun_anggaran, sum(realisasi_tanpa_rup_rp) AS nilai,
               sum(realisasi_rp) AS realisasi
        FROM marts.p3dn_per_skpd GROUP BY ALL HAVING sum(realisasi_tanpa_rup_rp) > 0
        ORDER BY ALL""")
    return [f"{r['kd_klpd']} TA {r['tahun_anggaran']}: {_rupiah(r['nilai'])} of e-katalog "
            "realisation has no committed SiRUP package (left out of the headline)"
            for r in rows] or ["none"]


def failing_check_lines(con: duckdb.DuckDBPyConnection) -> list[str]:
    if not table_exists(con, "quality.check_results"):
        return ["no check results recorded yet"]
    rows = fetch_dicts(con, """
        SELECT severity, asset_key, check_name, unexpected_count FROM quality.check_results
        WHERE NOT passed
        ORDER BY CASE severity WHEN 'ERROR' THEN 0 ELSE 1 END, asset_key, check_name""")
    errors = sum(r["severity"] == "ERROR" for r in rows)
    head = [f"ERROR: {errors} (the marts computed from them are not built); WARN: "
            f"{len(rows) - errors} (reported, never stop a figure)"]
    return head + _listed([
        f"  {r['severity']} {r['asset_key']} {r['check_name']}: "
        f"{'?' if r['unexpected_count'] is None else r['unexpected_count']} unexpected"
        for r in rows])


def output_lines(serving: Path, parquet_dir: Path, dashboard: Path) -> list[str]:
    return [f"serving file (BI tools, read-only): {serving}",
            f"Parquet (with manifest.json): {parquet_dir}",
            f"dashboard: {dashboard}"]


def summary_sections(con: duckdb.DuckDBPyConnection, since: dt.datetime, *, serving: Path,
                     parquet_dir: Path, dashboard: Path) -> Sections:
    from p3dn_pipeline.status import change_lines

    since = since.replace(microsecond=0)  # the ledger keeps whole seconds
    return [
        ("Files", file_lines(con, since)),
        ("Quarantined rows per dataset (top rules)", quarantine_lines(con)),
        ("Realisation without a SiRUP package", without_package_lines(con)),
        ("Failing checks", failing_check_lines(con)),
        ("Changed since the previous publish (exports and headline)", change_lines(con)),
        ("Written", output_lines(serving, parquet_dir, dashboard)),
    ]


def as_text(sections: Sections) -> str:
    lines = ["", "== Run summary =="]
    for title, body in sections:
        lines += [f"{title}:", *[f"  {line}" for line in body]]
    return "\n".join(lines)


def as_markdown(sections: Sections) -> str:
    parts = []
    for title, body in sections:
        parts.append(f"**{title}**")
        parts += [f"- {line.strip()}" for line in body]
        parts.append("")
    return "\n".join(parts).strip()
