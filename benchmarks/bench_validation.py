"""Benchmark p3dn_pipeline.lib.quality.validate_table on a 10-million-row staging e-katalog table.

    .venv/bin/python benchmarks/bench_validation.py [--rows 10000000] [--runs 3] [--profile]
                                                    [--threads N] [--memory-limit 1GB] [--keep DIR]

Builds ``stg.ekatalog_paket`` (kd_paket VARCHAR unique, kd_rup BIGINT, kd_satker_str VARCHAR,
total_harga DECIMAL(18,2), tgl_order DATE, status_pkt VARCHAR, _source_file, _source_row) and
``ref.satker`` with DuckDB ``range()`` in a temporary file, with a few planted violations. Then
runs a realistic 11-rule suite ``--runs`` times, each in a fresh subprocess (so peak RSS is that
run's own ``ru_maxrss`` and GX is imported cold), and prints per run and the median:

* ``cold_s``: the first ``validate_table`` call in the process: connection already open, every
  rule, samples, and the lazy ``import great_expectations`` (overlapped with our SQL rules),
* ``total_s``: the child's work up to then, imports of duckdb and the layer included,
* ``warm_s``: a second ``validate_table`` call in the same process (GX already imported),
* ``peak_rss_mb``: the child's peak resident set size (``ru_maxrss``).

``--profile`` first makes one extra, uncounted run that prints how long GX's validation takes
and each DuckDB query GX issues (so the cost of each UnexpectedRowsExpectation shows).

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

    assert "great_expectations" not in sys.modules
    if profile:
        _install_profiler(quality)

    config: dict[str, object] = {}
    if threads:
        config["threads"] = threads
    if memory_limit:
        config["memory_limit"] = memory_limit
    con = duckdb.connect(db, read_only=True, config=config)
    try:
        t0 = time.perf_counter()
        results = quality.validate_table(con, "stg.ekatalog_paket", suite())  # imports GX lazily
        cold = time.perf_counter() - t0
        total = time.perf_counter() - start
        t0 = time.perf_counter()
        quality.validate_table(con, "stg.ekatalog_paket", suite())
        warm = time.perf_counter() - t0
    finally:
        con.close()
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux

    print(
        json.dumps(
            {
                "cold_s": cold,
                "total_s": total,
                "warm_s": warm,
                "peak_rss_mb": peak_rss_mb,
                "results": [
                    [r.rule_name, r.success, r.unexpected_count, r.observed_value, r.executed_by, len(r.samples)]
                    for r in results
                ],
            },
            default=str,
        )
    )


def gx_import_seconds() -> float:
    code = "import time; t = time.perf_counter(); import great_expectations; print(time.perf_counter() - t)"
    return float(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout)


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

    quality._run_gx = timed("GX validation (every rule)", quality._run_gx)
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

        def run_child(profile: bool) -> dict:
            cmd = [sys.executable, __file__, "--child", str(db)]
            if profile:
                cmd.append("--profile")
            if args.threads:
                cmd += ["--threads", str(args.threads)]
            if args.memory_limit:
                cmd += ["--memory-limit", args.memory_limit]
            out = subprocess.run(cmd, capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1])
            if out.returncode != 0:
                sys.exit(f"benchmark run failed:\n{out.stderr}")
            if profile:
                print("profile (an extra run, not counted; the cold call is the first block):")
                print(out.stderr, end="")
            return json.loads(out.stdout.strip().splitlines()[-1])

        if args.profile:
            run_child(profile=True)
        runs = [run_child(profile=False) for _ in range(args.runs)]

        gx_import = statistics.median(gx_import_seconds() for _ in range(args.runs))
        keys = ("cold_s", "total_s", "warm_s", "peak_rss_mb")
        print()
        print(f"{'run':>4} {'cold_s':>7} {'total_s':>8} {'warm_s':>7} {'peak_rss_mb':>12}")
        for i, r in enumerate(runs, start=1):
            print(f"{i:>4} {r['cold_s']:>7.2f} {r['total_s']:>8.2f} {r['warm_s']:>7.2f} {r['peak_rss_mb']:>12.0f}")
        med = {k: statistics.median(r[k] for r in runs) for k in keys}
        print(f"{'med':>4} {med['cold_s']:>7.2f} {med['total_s']:>8.2f} {med['warm_s']:>7.2f} {med['peak_rss_mb']:>12.0f}")
        print(f"(for scale: `import great_expectations` alone takes {gx_import:.2f}s here, median of {args.runs})")
        print()
        print("rule results (run 1): name, success, unexpected_count, observed_value, executed_by, samples")
        for row in runs[0]["results"]:
            print("  ", *row)
        print()

        def verdict(value: float, budget: float) -> str:
            return "OK" if value <= budget else "OVER"

        load = os.getloadavg()[0]
        print(
            f"cold validate_table median {med['cold_s']:.2f}s (budget {BUDGET_SECONDS:.0f}s: "
            f"{verdict(med['cold_s'], BUDGET_SECONDS)}); warm {med['warm_s']:.2f}s; "
            f"peak RSS median {med['peak_rss_mb']:.0f} MB (budget {BUDGET_RSS_MB:.0f} MB: "
            f"{verdict(med['peak_rss_mb'], BUDGET_RSS_MB)}); {os.cpu_count()} CPUs, load average {load:.2f}"
        )


if __name__ == "__main__":
    main()
