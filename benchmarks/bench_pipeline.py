"""Benchmark the whole pipeline against the floor (bare DuckDB) and a peer (pandas).

    .venv/bin/python benchmarks/bench_pipeline.py [--scale 1] [--seed 20251] [--runs 3]
        [--data-dir benchmarks/.data] [--work-dir DIR] [--no-rerun] [--profile]
        [--no-results] [--keep-going]

(``make bench SCALE=1`` runs it.) The input is generated once per scale and seed with
``p3dn-synth`` into ``--data-dir`` (git-ignored) and reused by later benchmarks. Then, on
the same files and side by side (one of each per round, ``--runs`` rounds), each in a fresh
process so peak RSS is that run's own (``ru_maxrss`` from ``wait4``):

* **pipeline**: ``p3dn run``, the way a user runs it: one Dagster run of ``refresh_all``
  materializing every asset, a fresh warehouse and DAGSTER_HOME per measurement,
  ``P3DN_DEMO_MODE=1`` and a fixed ``P3DN_PII_KEY``. Time per asset comes from the run's
  event log (``STEP_SUCCESS`` durations); asset checks run inside their staging step.
* **floor**: ``benchmarks/floor.py``, bare DuckDB loading the same files into tables with
  no transformation, with the pipeline's DuckDB thread count.
* **peer**: ``benchmarks/pandas_peer.py``, the marts written with pandas as an analyst
  would; its headline must equal the pipeline's (printed as a sanity check).

After the rounds, ``p3dn run`` is started once more on the last warehouse with nothing
changed (the daily schedule's usual case). Medians, ratios, the machine, versions, input
size and the per-asset breakdown are printed and appended as a dated section to
``benchmarks/RESULTS.md`` (append-only). ``--profile`` adds one uncounted in-process run
that times each SQL statement, validation, raw file load, metadata query, connection and
COMMIT, per step, with the process's resident memory. Exit status 2: the peer's headline
differs from the pipeline's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCHMARKS = REPO / "benchmarks"
RESULTS = BENCHMARKS / "RESULTS.md"
BIN = Path(sys.executable).parent
# Not a secret: the input is synthetic. Fixed so every run hashes identifiers alike.
BENCH_PII_KEY = "p3dn-benchmark-synthetic-data-only-0123456789abcdef"
KD_KLPD = "DKI"
HEADLINE_AMOUNTS = ("pembilang_realisasi_pdn_rp", "penyebut_komitmen_pdn_rp", "komitmen_umk_rp",
                    "belanja_pengadaan_rp", "realisasi_ekatalog_rp")
HEADLINE_PCTS = ("pct_realisasi_komitmen", "pct_pdn_belanja", "pct_umk_belanja")
# Pipeline totals the peer's are compared with (mart -> column -> SQL over the mart).
MART_TOTALS = {
    "p3dn_per_skpd": ("realisasi_pdn_rp", "realisasi_tkdn_min_25_rp", "realisasi_tanpa_rup_rp"),
    "p3dn_apbd_bulanan": ("realisasi_belanja_pengadaan_rp", "ekatalog_pdn_rp"),
    "umkm_binaan_triwulan": ("jumlah_aktif", "jumlah_baru", "omzet_rp_ytd"),
}


@dataclass
class Measured:
    wall_s: float
    peak_rss_mb: float
    cpu_s: float
    returncode: int
    stdout: str
    stderr_tail: str
    started_at: float = 0.0  # wall clock, to place the run's events in the process's life
    ended_at: float = 0.0
    extra: dict = field(default_factory=dict)


def measure(cmd: list[str], *, env: dict[str, str], cwd: Path, log_dir: Path, name: str) -> Measured:
    """Run ``cmd`` to completion; wall time and this child's own peak RSS and CPU time."""
    log_dir.mkdir(parents=True, exist_ok=True)
    out_path, err_path = log_dir / f"{name}.out", log_dir / f"{name}.err"
    with out_path.open("wb") as out, err_path.open("wb") as err:
        started_at, start = time.time(), time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    stderr = err_path.read_text(errors="replace")
    return Measured(wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime,
                    proc.returncode, out_path.read_text(errors="replace"),
                    "\n".join(stderr.splitlines()[-30:]), started_at, started_at + wall)


# ------------------------------------------------------------------------------ input

def scale_label(scale: float) -> str:
    return format(scale, "g")


def ensure_input(data_dir: Path, scale: float, seed: int) -> tuple[Path, str]:
    """The generated landing folder for this scale and seed, generated when not cached,
    and how long generating it took."""
    folder = data_dir / f"scale-{scale_label(scale)}-seed-{seed}"
    landing, complete = folder / "landing", folder / "COMPLETE"
    if complete.exists():
        return landing, complete.read_text().strip() + ", cached"
    if folder.exists():
        shutil.rmtree(folder)  # an interrupted generation: start again
    folder.mkdir(parents=True)
    print(f"Generating scale {scale_label(scale)} (seed {seed}) into {landing} ...", flush=True)
    start = time.perf_counter()
    subprocess.run([str(BIN / "p3dn-synth"), "--scale", str(scale), "--seed", str(seed),
                    "--out", str(landing), "--jobs", str(os.cpu_count() or 1)],
                   check=True, cwd=REPO)
    seconds = time.perf_counter() - start
    note = f"generated in {seconds:.1f} s on {dt.datetime.now(dt.UTC):%Y-%m-%d}"
    complete.write_text(note + "\n")
    return landing, note


def input_summary(landing: Path) -> dict:
    manifest = json.loads((landing / "MANIFEST.json").read_text())
    files = manifest["files"]
    return {
        "files": len(files),
        "rows": sum(f["rows"] for f in files),
        "bytes": sum((landing / f["path"]).stat().st_size for f in files),
        "by_format": {ext: sum(f["rows"] for f in files if f["path"].endswith(ext))
                      for ext in (".json", ".csv", ".xlsx")},
    }


# ------------------------------------------------------------------------------ machine

def machine() -> dict:
    def meminfo_gib() -> float:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
        return float("nan")

    models = [line.split(":", 1)[1].strip()
              for line in Path("/proc/cpuinfo").read_text().splitlines()
              if line.startswith("model name")]
    return {"cores": os.cpu_count(), "memory_gib": meminfo_gib(),
            "cpu_model": models[0] if models else platform.processor() or "unknown",
            "kernel": platform.release(), "load_avg_at_start": os.getloadavg()}


def versions() -> dict:
    import dagster
    import duckdb
    import pandas
    import pyarrow

    return {"python": platform.python_version(), "duckdb": duckdb.__version__,
            "dagster": dagster.__version__, "pandas": pandas.__version__,
            "pyarrow": pyarrow.__version__}


def commit() -> str:
    """HEAD and how many tracked files differ from it (read-only git)."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, check=True,
                              capture_output=True, text=True).stdout.strip()
        changed = subprocess.run(["git", "--no-optional-locks", "status", "--porcelain",
                                  "--untracked-files=no"], cwd=REPO, check=True,
                                 capture_output=True, text=True).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + (f" + {len(changed)} modified file(s)" if changed else "")


def duckdb_default_threads() -> int:
    import duckdb

    con = duckdb.connect()
    try:
        return int(con.execute("SELECT current_setting('threads')").fetchall()[0][0])
    finally:
        con.close()


# ------------------------------------------------------------------------------ the three runs

def pipeline_env(landing: Path, work: Path) -> dict[str, str]:
    home = work / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    # The instance configuration users get (the Makefile copies it into DAGSTER_HOME).
    if (REPO / "dagster.yaml").exists():
        shutil.copy(REPO / "dagster.yaml", home / "dagster.yaml")
    env = dict(os.environ)
    env.update({
        "DAGSTER_HOME": str(home),
        "P3DN_LANDING_DIR": str(landing),
        "P3DN_WAREHOUSE": str(work / "warehouse" / "p3dn.duckdb"),
        "P3DN_DEMO_MODE": "1",
        "P3DN_PII_KEY": BENCH_PII_KEY,
        "P3DN_KD_KLPD": KD_KLPD,
    })
    return env


def step_timings(dagster_home: Path) -> list[dict]:
    """Per run in this DAGSTER_HOME (oldest first): when its first event was written, when
    the run started and ended, each step's duration and time window, and event counts."""
    from dagster import DagsterEventType, DagsterInstance

    previous = os.environ.get("DAGSTER_HOME")
    os.environ["DAGSTER_HOME"] = str(dagster_home)
    try:
        with DagsterInstance.get() as instance:
            runs = []
            for run in reversed(instance.get_runs()):
                steps: dict[str, float] = {}
                windows: dict[str, list[float]] = {}
                events: dict[str, int] = {}
                started = ended = None
                records = instance.all_logs(run.run_id)
                for record in records:
                    event = record.dagster_event
                    if event is None:
                        continue
                    events[event.event_type_value] = events.get(event.event_type_value, 0) + 1
                    if event.event_type == DagsterEventType.RUN_START:
                        started = record.timestamp
                    elif event.event_type in (DagsterEventType.RUN_SUCCESS,
                                              DagsterEventType.RUN_FAILURE):
                        ended = record.timestamp
                    elif event.event_type == DagsterEventType.STEP_START:
                        windows[event.step_key] = [record.timestamp, record.timestamp]
                    elif event.event_type == DagsterEventType.STEP_SUCCESS:
                        steps[event.step_key] = event.event_specific_data.duration_ms / 1000
                        windows.setdefault(event.step_key, [record.timestamp] * 2)[1] = \
                            record.timestamp
                runs.append({"status": run.status.value,
                             "run_s": (ended - started) if started and ended else None,
                             "first_event_at": records[0].timestamp if records else None,
                             "run_started_at": started, "run_ended_at": ended,
                             "steps": steps, "windows": windows, "events": events})
            return runs
    finally:
        if previous is None:
            del os.environ["DAGSTER_HOME"]
        else:
            os.environ["DAGSTER_HOME"] = previous


def pipeline_figures(warehouse: Path) -> dict:
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        result = con.execute("SELECT * FROM marts.p3dn_provinsi ORDER BY ALL")
        names = [d[0] for d in result.description]
        headline = [dict(zip(names, row)) for row in result.fetchall()]
        totals = {}
        for mart, columns in MART_TOTALS.items():
            select = ", ".join(["count(*)"] + [f"sum({c})" for c in columns])
            row = con.execute(f"SELECT {select} FROM marts.{mart}").fetchall()[0]
            totals[mart] = {"rows": row[0], **{c: v for c, v in zip(columns, row[1:])}}
        return {"headline": headline, "totals": totals}
    finally:
        con.close()


def run_pipeline(landing: Path, work: Path, log_dir: Path, name: str,
                 env: dict[str, str] | None = None) -> Measured:
    env = env or pipeline_env(landing, work)
    measured = measure([str(BIN / "p3dn"), "run"], env=env, cwd=REPO, log_dir=log_dir, name=name)
    if measured.returncode == 0:
        run = step_timings(Path(env["DAGSTER_HOME"]))[-1]
        # Where the wall time outside the steps goes: process start-up (imports, definitions),
        # run planning (events written before RUN_START), and the KPI print and exit.
        run["startup_s"] = run["first_event_at"] - measured.started_at
        run["planning_s"] = run["run_started_at"] - run["first_event_at"]
        run["after_s"] = measured.ended_at - run["run_ended_at"]
        run["steps_s"] = sum(run["steps"].values())
        measured.extra = {**run, **pipeline_figures(Path(env["P3DN_WAREHOUSE"]))}
    return measured


def run_floor(landing: Path, work: Path, log_dir: Path, name: str, threads: int) -> Measured:
    db = work / "floor.duckdb"
    measured = measure([sys.executable, str(BENCHMARKS / "floor.py"), "--landing", str(landing),
                        "--db", str(db), "--threads", str(threads)],
                       env=dict(os.environ), cwd=REPO, log_dir=log_dir, name=name)
    if measured.returncode == 0:
        measured.extra = json.loads(measured.stdout.strip().splitlines()[-1])
    return measured


def run_peer(landing: Path, log_dir: Path, name: str) -> Measured:
    measured = measure([sys.executable, str(BENCHMARKS / "pandas_peer.py"), "--landing",
                        str(landing), "--kd-klpd", KD_KLPD],
                       env=dict(os.environ), cwd=REPO, log_dir=log_dir, name=name)
    if measured.returncode == 0:
        measured.extra = json.loads(measured.stdout.strip().splitlines()[-1])
    return measured


def check(measured: Measured, what: str, keep_going: bool) -> bool:
    if measured.returncode == 0:
        return True
    message = f"{what} failed (exit {measured.returncode}):\n{measured.stderr_tail}"
    if not keep_going:
        raise SystemExit(message)
    print(message, file=sys.stderr)
    return False


# ------------------------------------------------------------------------------ comparing

def compare_headline(pipeline: list[dict], peer: list[dict]) -> tuple[bool, list[str]]:
    """Same kd_klpd x tahun; percentages equal to the cent; amounts within Rp1 (the peer
    sums floats)."""
    lines, ok = [], True
    ours = {(r["kd_klpd"], int(r["tahun_anggaran"])): r for r in pipeline}
    theirs = {(r["kd_klpd"], int(r["tahun_anggaran"])): r for r in peer}
    for key in sorted(set(ours) | set(theirs)):
        if key not in ours or key not in theirs:
            ok = False
            lines.append(f"{key[0]} {key[1]}: only in {'pipeline' if key in ours else 'peer'}")
            continue
        a, b = ours[key], theirs[key]
        bad = [c for c in HEADLINE_PCTS
               if (a[c] is None) != (b[c] is None)
               or (a[c] is not None and abs(float(a[c]) - float(b[c])) > 0.001)]
        bad += [c for c in HEADLINE_AMOUNTS if abs(float(a[c] or 0) - float(b[c] or 0)) > 1]
        ok = ok and not bad
        lines.append(
            f"{key[0]} TA {key[1]}: pipeline {a['pct_realisasi_komitmen']} % "
            f"(Rp{float(a['pembilang_realisasi_pdn_rp']):,.0f} / Rp{float(a['penyebut_komitmen_pdn_rp']):,.0f}), "
            f"peer {b['pct_realisasi_komitmen']} % -> "
            + ("MATCH" if not bad else "DIFFER in " + ", ".join(bad)))
    return ok, lines


def compare_totals(pipeline: dict, peer: dict) -> list[str]:
    lines = []
    for mart, columns in MART_TOTALS.items():
        parts = []
        for column in ("rows", *columns):
            a, b = float(pipeline[mart][column] or 0), float(peer[mart][column] or 0)
            same = abs(a - b) <= max(1.0, abs(a) * 1e-12)
            parts.append(f"{column} {'=' if same else '!='}" + ("" if same else f" ({a:,.2f} vs {b:,.2f})"))
        lines.append(f"{mart}: " + ", ".join(parts))
    return lines


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


# ------------------------------------------------------------------------------ profile

PROFILE_CHILD = r'''
# One `p3dn run` in this process, with timers around the pipeline's own helpers. The helpers
# are looked up at call time, so replacing the module attributes is enough; a helper that
# has been renamed is simply not timed.
import collections, contextlib, importlib, json, re, sys, threading, time
import p3dn_pipeline.lib.warehouse as wh
import p3dn_pipeline.lib.readers as readers
import p3dn_pipeline.lib.ledger as ledger
import p3dn_pipeline.defs.factories as factories
import p3dn_pipeline.defs.quality_gate as gate
import p3dn_pipeline.defs.resources as resources
import p3dn_pipeline.defs.marts.assets as marts
from p3dn_pipeline import cli

spent = collections.defaultdict(float)
calls = collections.Counter()
timeline = []  # (label, wall-clock start, seconds, depth) of every timed call
depth = [0]
current = ["template in factories.py"]

def record(label, seconds):
    spent[label] += seconds
    calls[label] += 1
    timeline.append((label, time.time() - seconds, seconds, depth[0]))

def arg(args, index):
    return args[index] if len(args) > index else None

def patch(module, name, label_of):
    fn = getattr(module, name, None)
    if fn is None:
        return
    def wrapper(*args, **kwargs):
        t0 = time.perf_counter()
        depth[0] += 1
        try:
            return fn(*args, **kwargs)
        finally:
            depth[0] -= 1
            try:
                label = label_of(args)
            except Exception:
                label = name
            record(label, time.perf_counter() - t0)
    setattr(module, name, wrapper)

original_execute_all = wh.execute_all

def execute_all(con, sql, params=None):
    # Statement by statement through the pipeline's own helper, which binds the parameters.
    for statement in wh.split_statements(sql):
        code = " ".join(l for l in statement.splitlines() if not l.strip().startswith("--"))
        head = re.search(r"(CREATE[A-Z ]*?(TABLE|MACRO|VIEW) [\w.]+|COMMENT ON \w+|"
                         r"(DELETE FROM|INSERT INTO|DROP TABLE( IF EXISTS)?) [\w.]+)", code)
        t0 = time.perf_counter()
        original_execute_all(con, statement, params)
        record(f"sql {current[0]}: {head.group(1) if head else code[:60]}", time.perf_counter() - t0)

def run_sql_file(con, path, params=None):
    previous, current[0] = current[0], path.name
    try:
        execute_all(con, path.read_text(encoding="utf-8"), params)
    finally:
        current[0] = previous

for module in (wh, factories, marts):
    if hasattr(module, "run_sql_file"):
        module.run_sql_file = run_sql_file
for module in (wh, factories):
    if hasattr(module, "execute_all"):
        module.execute_all = execute_all
patch(resources, "prepare_session", lambda a: "prepare_session (per connection)")

def timed_exit(opener, enter_label, exit_label):
    """A context manager factory timed on entering and on leaving normally."""
    @contextlib.contextmanager
    def wrapped(*args, **kwargs):
        cm = opener(*args, **kwargs)
        t0 = time.perf_counter()
        depth[0] += 1
        try:
            value = cm.__enter__()
        finally:
            depth[0] -= 1
        if enter_label:
            record(enter_label, time.perf_counter() - t0)
        try:
            yield value
        except BaseException:
            if not cm.__exit__(*sys.exc_info()):
                raise
        else:
            t0 = time.perf_counter()
            depth[0] += 1
            try:
                cm.__exit__(None, None, None)
            finally:
                depth[0] -= 1
            record(exit_label, time.perf_counter() - t0)
    return wrapped

try:
    resources.P3dnWarehouse.session = timed_exit(
        resources.P3dnWarehouse.session, "open connection + prepare_session",
        "close connection (checkpoint)")
except Exception:
    pass
commit = timed_exit(wh.transaction, None, "COMMIT")
for name in ("p3dn_pipeline.defs.factories", "p3dn_pipeline.lib.ledger",
             "p3dn_pipeline.defs.marts.assets", "p3dn_pipeline.defs.reference.assets",
             "p3dn_pipeline.defs.publish.assets", "p3dn_pipeline.defs.publish.serving"):
    try:
        module = importlib.import_module(name)
    except ImportError:
        continue
    if hasattr(module, "transaction"):
        module.transaction = commit
gx_imported = [False]

def validate_label(args):
    first, gx_imported[0] = not gx_imported[0] and "great_expectations" in sys.modules, \
        "great_expectations" in sys.modules
    return f"validate_table {arg(args, 1)}" + (" (imports GX)" if first else "")

patch(factories, "validate_table", validate_label)
patch(factories, "table_metadata", lambda a: f"table_metadata {arg(a, 1)}")
patch(gate, "rows_accounted_for", lambda a: f"rows_accounted_for {arg(a, 1)}")
patch(gate, "record_results", lambda a: f"record_results {arg(a, 1)}")
patch(gate, "assert_upstream_passed", lambda a: "assert_upstream_passed")
patch(readers, "load_file", lambda a: f"load_file {a[1].dataset.name} ({a[1].header.file_format})")
patch(ledger, "take_inventory", lambda a: "take_inventory (sha256 + headers)")
patch(ledger, "prune_raw", lambda a: f"prune_raw {a[1].name}")

rss = []  # (wall clock, resident MB), sampled every 0.1 s

def sample_rss():
    while True:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    rss.append((time.time(), int(line.split()[1]) / 1024))
                    break
        time.sleep(0.1)

threading.Thread(target=sample_rss, daemon=True).start()
t0 = time.perf_counter()
code = cli.main(["run"])
total = time.perf_counter() - t0
print(json.dumps({"total_s": total, "code": code,
                  "items": [[label, spent[label], calls[label]] for label in spent],
                  "timeline": timeline, "rss": list(rss)}))
'''


def profile(landing: Path, work: Path, log_dir: Path) -> dict:
    env = pipeline_env(landing, work)
    measured = measure([sys.executable, "-c", PROFILE_CHILD], env=env, cwd=REPO,
                       log_dir=log_dir, name="profile")
    if measured.returncode != 0:
        raise SystemExit(f"profile run failed:\n{measured.stderr_tail}")
    result = json.loads(measured.stdout.strip().splitlines()[-1])
    result["per_step"] = profile_per_step(result.pop("timeline"), result.pop("rss"),
                                          step_timings(Path(env["DAGSTER_HOME"]))[-1]["windows"])
    gx = measure([sys.executable, "-c", "import great_expectations"], env=dict(os.environ),
                 cwd=REPO, log_dir=log_dir, name="gx_import")
    result["gx_import_s"] = gx.wall_s
    return result


PROFILE_PARTS = ("SQL", "checks", "gate", "files", "metadata", "open", "commit+close")


def profile_part(label: str) -> str:
    if label.startswith("sql "):
        return "SQL"
    if label.startswith("validate_table"):
        return "checks"
    if label.startswith(("rows_accounted_for", "record_results", "assert_upstream")):
        return "gate"
    if label.startswith(("load_file", "take_inventory", "prune_raw")):
        return "files"
    if label.startswith("table_metadata"):
        return "metadata"
    if label.startswith(("COMMIT", "close")):
        return "commit+close"
    return "open"


def profile_per_step(timeline: list, rss: list, windows: dict[str, list[float]]) -> list[dict]:
    """Each step's wall time split into the pipeline's own work (top-level timed calls that
    started inside the step) and the rest: Dagster's events, check results, Python glue;
    and the process's resident memory at the step's end (the most sampled during it)."""
    rows = []
    for step, (start, end) in windows.items():
        parts = dict.fromkeys(PROFILE_PARTS, 0.0)
        for label, at, seconds, depth in timeline:
            if depth == 0 and start <= at <= end:
                parts[profile_part(label)] += seconds
        total = end - start
        during = [mb for at, mb in rss if start <= at <= end]
        rows.append({"step": step, "total": total, **parts,
                     "other": total - sum(parts.values()),
                     "rss_mb": max(during) if during else float("nan")})
    return sorted(rows, key=lambda row: -row["total"])


# ------------------------------------------------------------------------------ report

def fmt_s(seconds: float) -> str:
    return f"{seconds:.1f}" if seconds >= 10 else f"{seconds:.2f}"


def report(ctx: dict) -> str:
    m, v, inp = ctx["machine"], ctx["versions"], ctx["input"]
    pipe, floor, peer = ctx["pipeline"], ctx["floor"], ctx["peer"]
    rows = inp["rows"]

    def line(name: str, runs: list[Measured], work: list[float], work_label: str) -> str:
        walls = [r.wall_s for r in runs]
        rss = [r.peak_rss_mb for r in runs]
        w = median(walls)
        return (f"| {name} | {fmt_s(w)} | {fmt_s(min(walls))}–{fmt_s(max(walls))} | "
                f"{rows / w:,.0f} | {median(rss):,.0f} | {fmt_s(median(work))} ({work_label}) | "
                f"{median([r.cpu_s for r in runs]):.1f} |")

    pipe_work = [r.extra["run_s"] for r in pipe]
    floor_work = [r.extra["load_s"] for r in floor]
    peer_work = [r.extra["work_s"] for r in peer]
    ratio = ctx["ratios"]
    out = [
        f"## {ctx['date']} · scale {scale_label(ctx['scale'])} · seed {ctx['seed']} · "
        f"{len(pipe)} run(s) each",
        "",
        f"- Machine: {m['cores']} cores ({m['cpu_model']}), {m['memory_gib']:.1f} GiB RAM, "
        f"Linux {m['kernel']}; load average at start "
        f"{', '.join(f'{x:.2f}' for x in m['load_avg_at_start'])} (shared machine: compare "
        "ratios within one section, not seconds across sections)",
        f"- Versions: Python {v['python']}, DuckDB {v['duckdb']}, Dagster {v['dagster']}, "
        f"pandas {v['pandas']}, pyarrow {v['pyarrow']}; commit {ctx['commit']}",
        f"- Input: {inp['files']} files, {rows:,} rows ({inp['by_format']['.json']:,} JSON, "
        f"{inp['by_format']['.csv']:,} CSV, {inp['by_format']['.xlsx']:,} XLSX), "
        f"{inp['bytes'] / 1e6:,.1f} MB; {ctx['generated']} (`{ctx['data_folder']}`)",
        f"- DuckDB threads: {ctx['threads']} (DuckDB's default, which the pipeline uses; "
        "the floor set to the same); pandas is single-threaded",
        f"- Command: `{ctx['command']}`",
        "",
        "| | wall s (median) | min–max | input rows/s | peak RSS MB | work s | CPU s |",
        "|---|---|---|---|---|---|---|",
        line("pipeline (`p3dn run`)", pipe, pipe_work, "Dagster run"),
        line("floor (bare DuckDB load)", floor, floor_work, "load"),
        line("peer (pandas)", peer, peer_work, "read to marts"),
        "",
        f"**pipeline / floor = {ratio['pipeline_floor_wall']:.1f}x** wall "
        f"({ratio['pipeline_floor_work']:.1f}x on work: Dagster run vs load; "
        f"{ratio['pipeline_floor_rss']:.1f}x peak RSS). "
        f"**peer / pipeline = {ratio['peer_pipeline_wall']:.2f}** wall "
        f"({ratio['peer_pipeline_work']:.2f} on work; {ratio['peer_pipeline_rss']:.2f} peak RSS). "
        f"On CPU time, which a busy shared machine disturbs less: pipeline / floor = "
        f"{ratio['pipeline_floor_cpu']:.1f}x, peer / pipeline = {ratio['peer_pipeline_cpu']:.2f}.",
        "",
    ]
    def med(key: str) -> float:
        return median([r.extra[key] for r in pipe])

    by_format = {ext: median([r.extra["seconds_by_format"].get(ext, 0.0) for r in floor])
                 for ext in (".json", ".csv", ".xlsx")}
    raw_layer = sum(sec for step, sec in ctx["per_step"] if step.startswith("raw__"))
    out += [f"Floor by format (median s): JSON {by_format['.json']:.1f}, CSV "
            f"{by_format['.csv']:.1f}, XLSX {by_format['.xlsx']:.1f}; the pipeline's raw layer "
            f"(ledger, reading, hashing identifiers, lineage) takes {raw_layer:.1f} s of the "
            f"same files ({raw_layer / median(floor_work):.1f}x the whole floor).", ""]

    events = pipe[-1].extra["events"]
    out += [f"Where the pipeline's wall time goes (medians): start-up {med('startup_s'):.1f} s "
            f"(process start to first event: Python, Dagster, definitions), run planning "
            f"{med('planning_s'):.1f} s (events written before RUN_START, "
            f"{events.get('ASSET_MATERIALIZATION_PLANNED', 0)} of them "
            f"ASSET_MATERIALIZATION_PLANNED), steps {med('steps_s'):.1f} s, between steps "
            f"{med('run_s') - med('steps_s'):.1f} s, after the run {med('after_s'):.1f} s (KPI "
            f"print, exit). Events per run: {sum(events.values())} ("
            + ", ".join(f"{k} {v}" for k, v in sorted(events.items(), key=lambda kv: -kv[1])[:5])
            + ").", ""]
    rerun = ctx.get("rerun")
    if rerun is not None:
        out += [f"Re-run with no input changed (same warehouse, once): {fmt_s(rerun.wall_s)} s "
                f"wall, {fmt_s(rerun.extra['run_s'])} s in the Dagster run, "
                f"{len(rerun.extra['steps'])} steps executed, peak RSS "
                f"{rerun.peak_rss_mb:,.0f} MB "
                f"({rerun.extra['run_s'] / median(pipe_work):.0%} of a first run).", ""]
    out += ["Headline check (pandas peer vs pipeline, `marts.p3dn_provinsi`): "
            + ("**MATCH**" if ctx["headline_ok"] else "**DIFFER**"), ""]
    out += [f"- {text}" for text in ctx["headline_lines"]]
    out += [f"- {text}" for text in ctx["totals_lines"]]
    out += ["", f"Per asset (median of {len(pipe)} runs; share of the median Dagster run "
            f"{fmt_s(median(pipe_work))} s; the rest of the wall time is process start, "
            "imports, definitions and the KPI print)" + (
                ", and the unchanged re-run" if rerun is not None else "") + ":", ""]
    header = "| step | s | share |" + (" re-run s |" if rerun is not None else "")
    out += [header, "|---|---|---|" + ("---|" if rerun is not None else "")]
    run_median = median(pipe_work)
    for step, seconds in ctx["per_step"]:
        cells = f"| {step} | {seconds:.2f} | {seconds / run_median:.0%} |"
        if rerun is not None:
            again = rerun.extra["steps"].get(step)
            cells += f" {again:.2f} |" if again is not None else " - |"
        out.append(cells)
    layers: dict[str, float] = {}
    for step, seconds in ctx["per_step"]:
        layer = step.split("__", 1)[0]
        layers[layer] = layers.get(layer, 0.0) + seconds
    out += ["", "By layer: " + ", ".join(f"{k} {v:.1f} s ({v / run_median:.0%})"
                                          for k, v in sorted(layers.items(), key=lambda kv: -kv[1]))]
    prof = ctx.get("profile")
    if prof is not None:
        items = sorted(prof["items"], key=lambda item: -item[1])
        out += ["", f"Profile (one extra in-process run, {prof['total_s']:.1f} s; "
                f"`import great_expectations` alone: {prof['gx_import_s']:.1f} s cold), "
                "top 30 by time:", "", "| what | s | calls |", "|---|---|---|"]
        out += [f"| {label} | {seconds:.2f} | {count} |" for label, seconds, count in items[:30]]
        out += ["", "The same run per step: the pipeline's own work (SQL statements, quality checks "
                "incl. GX, quality gate, file reads and loads, table metadata, opening the "
                "connection with its macros, COMMITs and closing it) and the rest of the step "
                "(Dagster events and check results, Python glue); RSS is the most the process "
                "held during the step:", "",
                "| step | s | SQL | checks | gate | files | metadata | open | commit+close | other "
                "| RSS MB |",
                "|---|---|---|---|---|---|---|---|---|---|---|"]
        out += ["| " + " | ".join([row["step"], f"{row['total']:.2f}"]
                                  + [f"{row[p]:.2f}" for p in (*PROFILE_PARTS, "other")]
                                  + [f"{row.get('rss_mb', float('nan')):,.0f}"]) + " |"
                for row in prof["per_step"]]
        sums = {p: sum(row[p] for row in prof["per_step"]) for p in (*PROFILE_PARTS, "other")}
        out.append("| **all steps** | " + f"{sum(r['total'] for r in prof['per_step']):.2f} | "
                   + " | ".join(f"{sums[p]:.2f}" for p in (*PROFILE_PARTS, "other")) + " | |")
    raw = {"pipeline": [[round(r.wall_s, 2), round(r.extra["run_s"], 2), round(r.peak_rss_mb)]
                        for r in pipe],
           "floor": [[round(r.wall_s, 2), round(r.extra["load_s"], 2), round(r.peak_rss_mb)]
                     for r in floor],
           "peer": [[round(r.wall_s, 2), round(r.extra["work_s"], 2), round(r.peak_rss_mb)]
                    for r in peer]}
    out += ["", "Every measurement ([wall s, work s, peak RSS MB]): `" + json.dumps(raw) + "`", ""]
    return "\n".join(out)


RESULTS_HEADER = """# Benchmark results

Append-only log written by `make bench SCALE=N` (`benchmarks/bench_pipeline.py`); see
`benchmarks/README.md` for what is measured. Newest section last. The machine is shared:
compare the ratios inside one section, not seconds between sections.
"""


def append_results(text: str) -> None:
    if not RESULTS.exists():
        RESULTS.write_text(RESULTS_HEADER)
    with RESULTS.open("a") as handle:
        handle.write("\n" + text)


# ------------------------------------------------------------------------------ main

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=20251)
    parser.add_argument("--runs", type=int, default=3, help="measurements of each (default 3)")
    parser.add_argument("--data-dir", type=Path, default=BENCHMARKS / ".data",
                        help="where generated input is cached (default benchmarks/.data)")
    parser.add_argument("--work-dir", type=Path, default=None,
                        help="scratch folder for warehouses (default: a temporary folder)")
    parser.add_argument("--no-rerun", action="store_true",
                        help="skip the re-run with unchanged input")
    parser.add_argument("--profile", action="store_true",
                        help="one extra, uncounted in-process run timing every statement")
    parser.add_argument("--no-results", action="store_true",
                        help="print only; do not append to benchmarks/RESULTS.md")
    parser.add_argument("--keep-going", action="store_true",
                        help="report what ran when a measurement fails")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    landing, generated = ensure_input(args.data_dir.resolve(), args.scale, args.seed)
    ctx = {
        "date": f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC", "scale": args.scale,
        "seed": args.seed, "machine": machine(), "versions": versions(), "commit": commit(),
        "input": input_summary(landing), "generated": generated,
        "data_folder": os.path.relpath(landing.parent, REPO),
        "threads": duckdb_default_threads(),
        "command": f"make bench SCALE={scale_label(args.scale)}" + (
            f" RUNS={args.runs}" if args.runs != 3 else ""),
    }
    inp = ctx["input"]
    print(f"Input: {inp['files']} files, {inp['rows']:,} rows, {inp['bytes'] / 1e6:,.1f} MB "
          f"in {landing}", flush=True)

    scratch = Path(tempfile.mkdtemp(prefix="p3dn-bench-", dir=args.work_dir))
    log_dir = scratch / "logs"
    pipe, floor, peer = [], [], []
    rerun = None
    try:
        for round_ in range(1, args.runs + 1):
            work = scratch / f"pipeline-{round_}"
            m = run_pipeline(landing, work, log_dir, f"pipeline-{round_}")
            if check(m, f"pipeline run {round_}", args.keep_going):
                pipe.append(m)
                print(f"[{round_}/{args.runs}] pipeline {m.wall_s:.1f} s "
                      f"(run {m.extra['run_s']:.1f} s), {m.peak_rss_mb:,.0f} MB", flush=True)
            last_work = work
            if round_ < args.runs or args.no_rerun:
                shutil.rmtree(work, ignore_errors=True)
            m = run_floor(landing, scratch / f"floor-{round_}", log_dir, f"floor-{round_}",
                          ctx["threads"])
            if check(m, f"floor run {round_}", args.keep_going):
                floor.append(m)
                print(f"[{round_}/{args.runs}] floor {m.wall_s:.1f} s "
                      f"(load {m.extra['load_s']:.1f} s), {m.peak_rss_mb:,.0f} MB", flush=True)
            shutil.rmtree(scratch / f"floor-{round_}", ignore_errors=True)
            m = run_peer(landing, log_dir, f"peer-{round_}")
            if check(m, f"pandas peer run {round_}", args.keep_going):
                peer.append(m)
                print(f"[{round_}/{args.runs}] peer {m.wall_s:.1f} s "
                      f"(work {m.extra['work_s']:.1f} s), {m.peak_rss_mb:,.0f} MB", flush=True)
        if not args.no_rerun and pipe:
            env = pipeline_env(landing, last_work)
            m = run_pipeline(landing, last_work, log_dir, "pipeline-rerun", env=env)
            if check(m, "pipeline re-run", args.keep_going):
                rerun = m
                print(f"re-run, nothing changed: {m.wall_s:.1f} s (run {m.extra['run_s']:.1f} s)",
                      flush=True)
        shutil.rmtree(last_work, ignore_errors=True)
        if args.profile:
            print("Profiling one extra in-process run ...", flush=True)
            ctx["profile"] = profile(landing, scratch / "profile", log_dir)
    finally:
        if not args.keep_going:
            shutil.rmtree(scratch, ignore_errors=True)
    if not (pipe and floor and peer):
        print(f"Not enough successful measurements to report; logs in {log_dir}", file=sys.stderr)
        return 1

    ctx.update(pipeline=pipe, floor=floor, peer=peer, rerun=rerun)
    ctx["ratios"] = {
        "pipeline_floor_wall": median([r.wall_s for r in pipe]) / median([r.wall_s for r in floor]),
        "pipeline_floor_work": median([r.extra["run_s"] for r in pipe])
        / median([r.extra["load_s"] for r in floor]),
        "pipeline_floor_rss": median([r.peak_rss_mb for r in pipe])
        / median([r.peak_rss_mb for r in floor]),
        "peer_pipeline_wall": median([r.wall_s for r in peer]) / median([r.wall_s for r in pipe]),
        "peer_pipeline_work": median([r.extra["work_s"] for r in peer])
        / median([r.extra["run_s"] for r in pipe]),
        "peer_pipeline_rss": median([r.peak_rss_mb for r in peer])
        / median([r.peak_rss_mb for r in pipe]),
        "pipeline_floor_cpu": median([r.cpu_s for r in pipe]) / median([r.cpu_s for r in floor]),
        "peer_pipeline_cpu": median([r.cpu_s for r in peer]) / median([r.cpu_s for r in pipe]),
    }
    ctx["headline_ok"], ctx["headline_lines"] = compare_headline(
        pipe[-1].extra["headline"], peer[-1].extra["headline"])
    ctx["totals_lines"] = compare_totals(pipe[-1].extra["totals"], peer[-1].extra["totals"])
    steps = sorted({s for r in pipe for s in r.extra["steps"]})
    ctx["per_step"] = sorted(
        ((s, median([r.extra["steps"][s] for r in pipe if s in r.extra["steps"]])) for s in steps),
        key=lambda item: -item[1])

    text = report(ctx)
    print("\n" + text)
    if not args.no_results:
        append_results(text)
        print(f"Appended to {os.path.relpath(RESULTS, Path.cwd())}")
    return 0 if ctx["headline_ok"] else 2


if __name__ == "__main__":
    sys.exit(main())
