"""Benchmark p3dn_pipeline.lib.quality.validate_table on a 10-million-row staging e-katalog table.

    .venv/bin/python benchmarks/bench_validation.py [--rows 10000000] [--runs 3] [--profile]
                                                    [--threads N] [--memory-limit 1GB] [--keep DIR]

Builds ``stg.ekatalog_paket`` (kd_paket VARCHAR unique, kd_rup BIGINT, kd_satker_str VARCHAR,
total_harga DECIMAL(18,2), tgl_order DATE, status_pkt VARCHAR, _source_file, _source_row) and
``ref.satker`` with DuckDB ``range()`` in a temporary file, with a few planted violations. Then
runs a realistic 11-rule suite ``--runs`` times, each in a fresh subprocess (so peak RSS is that
run's own ``ru_maxrss`` and GX is imported cold), and prints per run and the median:

* ``gx_import_s``: ``import great_expectations`` (validate_table imports it lazily; timed apart
  here so the table shows what the layer itself costs),
* ``validate_s``: the ``validate_table`` call (connection open, every rule, samples, GX context),
* ``total_s``: the whole child process work, imports included,
* ``peak_rss_mb``: the child's peak resident set size.

``--profile`` also prints, for the first run, where validate_table spends its time (our SQL pass,
uniqueness, the GX path) and each DuckDB query GX issues.

Budget on the 2-core machine: 5 s and 1.5 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BUDGET_SECONDS = 5.0
BUDGET_RSS_MB = 1536.0
STATUSES = ("selesai", "proses", "batal", "dikirim")


def build_table(path: Path, rows: int) -> None:
    import duckdb

    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA stg")
    con.execute("CREATE SCHEMA ref")
    # Planted violations: NULL kd_rup every ~1M rows, a malformed/unknown kd_satker_str every ~2M,
    # a negative total every ~3M, an unknown status every ~4M.
    con.execute(
        f"""
        CREATE TABLE stg.ekatalog_paket AS
        SELECT
            'PKT-' || lpad(i::VARCHAR, 9, '0') AS kd_paket,
            CASE WHEN i % 1000003 = 7 THEN NULL ELSE 30000000 + (i % 500000) END::BIGINT AS kd_rup,
            CASE WHEN i % 2000003 = 11 THEN 'X' || (i % 999)::VARCHAR
                 ELSE lpad(((i * 7919) % 1000000)::VARCHAR, 6, '0') END AS kd_satker_str,
            CASE WHEN i % 3000017 = 5 THEN -1.00 ELSE ((i * 37) % 100000000) / 100.0 END::DECIMAL(18, 2) AS total_harga,
            (DATE '2022-01-01' + (i % 1095)::INTEGER) AS tgl_order,
            CASE WHEN i % 4000037 = 3 THEN 'UNKNOWN' ELSE {list(STATUSES)}[(i % 4) + 1] END AS status_pkt,
            'ekatalog_' || (i // 1000000)::VARCHAR || '.json' AS _source_file,
            (i % 1000000)::BIGINT + 1 AS _source_row
        FROM range({rows}) t(i)
        """
    )
    con.execute(
        "CREATE TABLE ref.satker AS SELECT lpad(i::VARCHAR, 6, '0') AS kd_satker_str FROM range(1000000) t(i)"
    )
    con.close()


def suite():
    from datetime import date, timedelta

    from p3dn_pipeline.lib.quality import (
        Between,
        ExistsIn,
        InSet,
        MatchesRegex,
        NotNull,
        RowCondition,
        RowCountBetween,
        Rule,
        Unique,
    )

    return [
        Rule("kd_paket_unique", Unique(("kd_paket",)), "ERROR", "One row per order"),
        Rule("source_row_unique", Unique(("_source_file", "_source_row")), "ERROR", "One row per source line"),
        Rule("kd_paket_not_null", NotNull("kd_paket"), "ERROR", "Every row has an order id"),
        Rule("kd_rup_not_null", NotNull("kd_rup"), "WARN", "Every order names its RUP package"),
        Rule("total_harga_non_negative", Between("total_harga", min_value=0), "ERROR", "No negative totals"),
        Rule(
            "tgl_order_in_range",
            Between("tgl_order", date(2022, 1, 1), date(2024, 12, 31), tolerance=timedelta(days=7)),
            "WARN",
            "Orders fall in the export window",
        ),
        Rule("status_pkt_valid", InSet("status_pkt", STATUSES), "ERROR", "Known status"),
        Rule("kd_satker_format", MatchesRegex("kd_satker_str", r"^\d{6}$"), "ERROR", "Six-digit satker code"),
        Rule("kd_satker_known", ExistsIn("kd_satker_str", "ref.satker", "kd_satker_str"), "WARN", "Known satker"),
        Rule(
            "total_harga_plausible",
            RowCondition("total_harga < 1000000000000", ("total_harga",)),
            "WARN",
            "Totals below one trillion rupiah",
        ),
        Rule("row_count", RowCountBetween(min_value=1), "ERROR", "Table is not empty"),
    ]


def child(db: str, profile: bool, threads: int | None, memory_limit: str | None) -> None:
    """One measured run, in its own process; prints one JSON line."""
    import resource

    start = time.perf_counter()
    import duckdb

    from p3dn_pipeline.lib import quality

    t0 = time.perf_counter()
    import great_expectations  # noqa: F401  (validate_table would import it lazily)

    gx_import = time.perf_counter() - t0

    if profile:
        _install_profiler(quality)

    t0 = time.perf_counter()
    config: dict[str, object] = {}
    if threads:
        config["threads"] = threads
    if memory_limit:
        config["memory_limit"] = memory_limit
    con = duckdb.connect(db, read_only=True, config=config)
    try:
        results = quality.validate_table(con, "stg.ekatalog_paket", suite())
    finally:
        con.close()
    validate = time.perf_counter() - t0
    total = time.perf_counter() - start
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux

    print(
        json.dumps(
            {
                "gx_import_s": gx_import,
                "validate_s": validate,
                "total_s": total,
                "peak_rss_mb": peak_rss_mb,
                "results": [
                    [r.rule_name, r.success, r.unexpected_count, r.observed_value, r.executed_by, len(r.samples)]
                    for r in results
                ],
            },
            default=str,
        )
    )


def _install_profiler(quality) -> None:
    """Print how long each phase and each GX query takes (stderr)."""

    def timed(name, fn):
        def wrapper(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                print(f"  [{name}] {time.perf_counter() - t0:.3f}s", file=sys.stderr)

        return wrapper

    quality._run_gx = timed("GX path (suite of GX-run rules)", quality._run_gx)
    quality._unique_samples = timed("SQL path: samples of a failing Unique rule", quality._unique_samples)

    run_sql = quality._run_sql

    class TimingCursor:
        def __init__(self, cur):
            self._cur = cur

        def execute(self, sql, params=None):
            t0 = time.perf_counter()
            rows = self._cur.execute(sql, params).fetchall()
            print(f"  [SQL path query] {time.perf_counter() - t0:.3f}s  {' '.join(sql.split())[:110]}", file=sys.stderr)

            class Done:
                def fetchall(self):
                    return rows

            return Done()

    quality._run_sql = timed("SQL path total", lambda cur, *a, **k: run_sql(TimingCursor(cur), *a, **k))

    import sqlalchemy as sa

    @sa.event.listens_for(sa.engine.Engine, "before_cursor_execute")
    def _before(conn, cursor, statement, parameters, context, executemany):
        conn.info["p3dn_t0"] = time.perf_counter()

    @sa.event.listens_for(sa.engine.Engine, "after_cursor_execute")
    def _after(conn, cursor, statement, parameters, context, executemany):
        elapsed = time.perf_counter() - conn.info.pop("p3dn_t0", time.perf_counter())
        print(f"    [GX query] {elapsed:.3f}s  {' '.join(statement.split())[:110]}", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--threads", type=int, default=None, help="DuckDB threads (default: DuckDB's)")
    parser.add_argument("--memory-limit", default=None, help="DuckDB memory_limit, e.g. 1GB")
    parser.add_argument("--keep", type=Path, default=None, help="build (or reuse) the database in this folder")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        child(args.child, args.profile, args.threads, args.memory_limit)
        return

    with tempfile.TemporaryDirectory(prefix="bench_validation_") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        db = folder / f"staging_{args.rows}.duckdb"
        if not db.exists():
            t0 = time.perf_counter()
            build_table(db, args.rows)
            print(f"built {args.rows:,} rows in {time.perf_counter() - t0:.1f}s ({db.stat().st_size / 2**20:.0f} MiB)")

        runs = []
        for i in range(args.runs):
            cmd = [sys.executable, __file__, "--child", str(db)]
            if args.profile and i == 0:
                cmd.append("--profile")
            if args.threads:
                cmd += ["--threads", str(args.threads)]
            if args.memory_limit:
                cmd += ["--memory-limit", args.memory_limit]
            out = subprocess.run(cmd, capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1])
            if out.returncode != 0:
                sys.exit(f"run {i + 1} failed:\n{out.stderr}")
            if args.profile and i == 0:
                print("profile of run 1:")
                print(out.stderr, end="")
            runs.append(json.loads(out.stdout.strip().splitlines()[-1]))

        print()
        print(f"{'run':>4} {'gx_import_s':>12} {'validate_s':>11} {'total_s':>8} {'peak_rss_mb':>12}")
        for i, r in enumerate(runs, start=1):
            print(f"{i:>4} {r['gx_import_s']:>12.2f} {r['validate_s']:>11.2f} {r['total_s']:>8.2f} {r['peak_rss_mb']:>12.0f}")
        med = {k: statistics.median(r[k] for r in runs) for k in ("gx_import_s", "validate_s", "total_s", "peak_rss_mb")}
        print(f"{'med':>4} {med['gx_import_s']:>12.2f} {med['validate_s']:>11.2f} {med['total_s']:>8.2f} {med['peak_rss_mb']:>12.0f}")
        print()
        print("rule results (run 1): name, success, unexpected_count, observed_value, executed_by, samples")
        for row in runs[0]["results"]:
            print("  ", *row)
        print()
        print(
            f"validate_table median {med['validate_s']:.2f}s (budget {BUDGET_SECONDS:.0f}s: "
            f"{'OK' if med['validate_s'] <= BUDGET_SECONDS else 'OVER'}); "
            f"whole process incl. GX import {med['total_s']:.2f}s "
            f"({'OK' if med['total_s'] <= BUDGET_SECONDS else 'OVER'}); "
            f"peak RSS median {med['peak_rss_mb']:.0f} MB (budget {BUDGET_RSS_MB:.0f} MB: "
            f"{'OK' if med['peak_rss_mb'] <= BUDGET_RSS_MB else 'OVER'}); cpu count {os.cpu_count()}"
        )


if __name__ == "__main__":
    main()
