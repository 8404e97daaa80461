"""Dagster's instance storage under ``p3dn run``: SQLite (``dagster.yaml``, one machine)
against PostgreSQL (``deploy/dagster-postgres.yaml``, production), alternated in one window.

Usage: ``python benchmarks/bench_instance_storage.py [--scale S | --sample] [--rounds N]
[--no-results]`` (``make bench-instance-storage``)

Each round runs ``p3dn run`` on a new warehouse and a new ``DAGSTER_HOME`` once per mode:

- ``sqlite``: the repository's ``dagster.yaml`` (SQLite files under ``DAGSTER_HOME``, kept
  open by lib/dagster_storage.py);
- ``postgres``: ``deploy/dagster-postgres.yaml`` on a throwaway PostgreSQL server on
  loopback (p3dn_pipeline_tests/pg_server.py: password authentication, fsync off), a new
  database each run; the storages keep a few connections open (``pool_postgres_storages``);
- ``postgres-per-operation``: the same with ``P3DN_DAGSTER_PG_POOL=0``: Dagster's own
  engines, a new connection for every read and write.

Reported per mode, medians over the rounds: wall and CPU time of the ``p3dn run`` process,
peak RSS, the runs' events and (PostgreSQL) the connections the server authorised for the
run's database, counted from its log. The input is the shipped sample (``--sample``, the
default: what every run costs whatever its data) or a generated scale, as bench_pipeline.py
generates and caches it. The section is appended to benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_pipeline as bench  # noqa: E402

MODES = ("sqlite", "postgres", "postgres-per-operation")
SAMPLE = bench.REPO / "data" / "landing"


def run_once(mode: str, landing: Path, scratch: Path, server, number: int) -> dict:
    from dagster import DagsterInstance

    from p3dn_pipeline_tests.pg_server import PostgresServer

    work = scratch / f"{mode}-{number}"
    env = bench.pipeline_env(landing, work)
    home = Path(env["DAGSTER_HOME"])
    database = None
    if mode != "sqlite":
        database = f"bench_{number}_{mode.replace('-', '_')}"
        admin = server.connect()
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{database}"')
        admin.close()
        shutil.copy(bench.REPO / "deploy" / "dagster-postgres.yaml", home / "dagster.yaml")
        env.update({**server.dagster_env, "DAGSTER_PG_DB": database,
                    "P3DN_DAGSTER_PG_POOL": "0" if mode == "postgres-per-operation" else "1"})
    measured = bench.measure([str(bench.BIN / "p3dn"), "run"], env=env, cwd=bench.REPO,
                             log_dir=scratch / "logs", name=f"{mode}-{number}")
    if measured.returncode != 0:
        raise SystemExit(f"p3dn run ({mode}) failed:\n{measured.stderr_tail}")
    connections = None
    if database is not None:
        connections = PostgresServer(server.host, server.port, server.user, server.password,
                                     database, server.log_file).connections_made()
    # Counted after the run, through the same storage; not part of the measurement.
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        with DagsterInstance.get() as instance:
            events = sum(len(instance.all_logs(record.dagster_run.run_id))
                         for record in instance.get_run_records())
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    shutil.rmtree(work, ignore_errors=True)
    return {"wall_s": measured.wall_s, "cpu_s": measured.cpu_s,
            "peak_rss_mb": measured.peak_rss_mb, "events": events,
            "connections": connections}


def section(results: dict[str, list[dict]], landing_text: str, rounds: int) -> str:
    machine, versions = bench.machine(), bench.versions()
    now = dt.datetime.now(dt.UTC)
    load = ", ".join(f"{x:.2f}" for x in machine["load_avg_at_start"])
    lines = [
        f"## {now:%Y-%m-%d %H:%M} UTC · instance storage · SQLite and PostgreSQL, "
        f"{rounds} round(s) alternated",
        "",
        f"- Machine: {machine['cores']} cores ({machine['cpu_model']}), "
        f"{machine['memory_gib']:.1f} GiB RAM, Linux {machine['kernel']}; load average at "
        f"start {load} (shared machine: compare the modes within this section)",
        f"- Versions: Python {versions['python']}, DuckDB {versions['duckdb']}, Dagster "
        f"{versions['dagster']}; commit {bench.commit()}",
        f"- Input: {landing_text}",
        "- Each round runs `p3dn run` once per mode, in the order of the table, on a new "
        "warehouse and a new `DAGSTER_HOME`; PostgreSQL is a throwaway server on loopback "
        "(password authentication, fsync off), a new database per run; CPU s is the "
        "`p3dn run` process's, not the server's",
        "- Command: `make bench-instance-storage` (`benchmarks/bench_instance_storage.py`)",
        "",
        "| mode | wall s (median) | min–max | CPU s | peak RSS MB | events | connections |",
        "|---|---|---|---|---|---|---|",
    ]
    for mode, runs in results.items():
        walls = [r["wall_s"] for r in runs]
        connections = [r["connections"] for r in runs]
        lines.append(
            f"| {mode} | {statistics.median(walls):.1f} | {min(walls):.1f}–{max(walls):.1f} | "
            f"{statistics.median(r['cpu_s'] for r in runs):.1f} | "
            f"{statistics.median(r['peak_rss_mb'] for r in runs):,.0f} | "
            f"{statistics.median(r['events'] for r in runs):,.0f} | "
            + ("-" if connections[0] is None else f"{statistics.median(connections):,.0f}")
            + " |")
    base = statistics.median(r["wall_s"] for r in results["sqlite"])
    lines += ["", "Wall time against SQLite (median): " + "; ".join(
        f"{mode} {statistics.median(r['wall_s'] for r in runs) / base:.2f}x"
        for mode, runs in results.items() if mode != "sqlite") + ".", "",
        f"Every measurement: `{ {m: [[round(r['wall_s'], 2), round(r['cpu_s'], 2), r['connections']] for r in runs] for m, runs in results.items()} }`",
        ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from p3dn_pipeline_tests.pg_server import throwaway_postgres

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=None,
                        help="generated input of this scale (default: the shipped sample)")
    parser.add_argument("--seed", type=int, default=20251)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-results", action="store_true",
                        help="print the section, do not append it to benchmarks/RESULTS.md")
    args = parser.parse_args(argv)
    if args.scale is None:
        landing = SAMPLE
        landing_text = "the shipped sample (`data/landing`): what a run costs whatever its data"
    else:
        landing, note = bench.ensure_input(bench.BENCHMARKS / ".data", args.scale, args.seed)
        summary = bench.input_summary(landing)
        landing_text = (f"scale {bench.scale_label(args.scale)}, seed {args.seed}: "
                        f"{summary['files']} files, {summary['rows']:,} rows ({note})")
    results: dict[str, list[dict]] = {mode: [] for mode in MODES}
    scratch = Path(tempfile.mkdtemp(prefix="p3dn-bench-storage-"))
    try:
        with throwaway_postgres(db_name="postgres") as server:
            for number in range(1, args.rounds + 1):
                for mode in MODES:
                    measured = run_once(mode, landing, scratch, server, number)
                    results[mode].append(measured)
                    print(f"[{number}/{args.rounds}] {mode}: {measured['wall_s']:.1f} s wall, "
                          f"{measured['cpu_s']:.1f} s CPU, {measured['events']} events, "
                          f"{measured['connections']} connections", flush=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    text = section(results, landing_text, args.rounds)
    print(text)
    if not args.no_results:
        bench.append_results(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
