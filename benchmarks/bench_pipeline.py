"""Benchmark the whole pipeline against the floor (bare DuckDB) and a peer (pandas).

    .venv/bin/python benchmarks/bench_pipeline.py [--scale 1] [--seed 20251] [--runs 3]
        [--memory-limit 3GB] [--peer-max-scale 10] [--data-dir benchmarks/.data]
        [--work-dir DIR] [--no-rerun] [--profile] [--no-results] [--keep-going]

(``make bench SCALE=1`` runs it; ``BENCH_ARGS`` passes the other options.) The input is
generated once per scale and seed with ``p3dn-synth`` into ``--data-dir`` (git-ignored) and
reused by later benchmarks. Then, on the same files and side by side (one of each per round,
``--runs`` rounds), each in a fresh process so peak RSS is that run's own (``ru_maxrss`` from
``wait4``, and the resident memory of the process and all its descendants sampled every
0.2 s, whichever is larger):

* **pipeline**: ``p3dn run``, the way a user runs it: a Dagster run of ``load_landing``,
  then one of ``refresh_all``
  materializing every asset, a fresh warehouse and DAGSTER_HOME per measurement,
  ``P3DN_DEMO_MODE=1`` and a fixed ``P3DN_PII_KEY``, DuckDB's memory limit from
  ``--memory-limit`` (``P3DN_DUCKDB_MEMORY_LIMIT``) spilling into the scratch folder
  (``P3DN_DUCKDB_TEMP_DIR``). Its landing folder is a tree of hard links to the cached
  input, so one file can be replaced without touching the cache. Time per asset comes from
  the run's event log (``STEP_SUCCESS`` durations); asset checks run inside their staging
  step.
* **floor**: ``benchmarks/floor.py``, bare DuckDB loading the same files into tables with
  no transformation, with the pipeline's DuckDB thread count and the same memory limit.
* **peer**: ``benchmarks/pandas_peer.py``, the marts written with pandas as an analyst
  would; its headline must equal the pipeline's (printed as a sanity check). Above
  ``--peer-max-scale`` it is not run (it does not fit in memory) and the comparison is taken
  from the ``RESULTS.md`` section at the largest scale it did run at.

After the rounds, on the last warehouse: ``p3dn run`` once more with nothing changed, later
the same day (the marts were built since 06:00 WIB, so the run plan leaves them out too:
start-up vs the rest, steps that rebuilt, whether ``quality.builds`` and the written files
stayed as they were); again as the first run of a day (the marts' Dagster history wiped, so
each runs to confirm its figures for the 08:00 WIB deadline, as the daily schedule's run
does); then once more after one APBD CSV export changed by one amount (what it costs against
that export's share of a full refresh). Medians, ratios, the machine, versions, input size and the per-asset
breakdown are printed and appended as a dated section to ``benchmarks/RESULTS.md``
(append-only). ``--profile`` adds one uncounted in-process run that times each SQL
statement, validation, raw file load, metadata query, connection and COMMIT, per step, with
the process's resident memory. Exit status 2: the peer's headline differs from the
pipeline's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import errno
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
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
                    "belanja_pengadaan_rp", "realisasi_ekatalog_rp",
                    # each channel's part of the numerator, and the channels outside it
                    "realisasi_pdn_ekatalog_rp", "realisasi_pdn_tender_rp",
                    "realisasi_pdn_nontender_rp", "realisasi_pdn_pencatatan_rp",
                    "realisasi_tokodaring_rp", "realisasi_swakelola_rp")
HEADLINE_PCTS = ("pct_realisasi_komitmen", "pct_pdn_belanja", "pct_umk_belanja")
# Pipeline totals the peer's are compared with (mart -> column -> SQL over the mart).
MART_TOTALS = {
    "p3dn_per_skpd": ("realisasi_rp", "realisasi_pdn_rp", "realisasi_tkdn_min_25_rp",
                      "realisasi_tanpa_rup_rp"),
    "p3dn_apbd_bulanan": ("realisasi_belanja_pengadaan_rp", "ekatalog_pdn_rp"),
    "umkm_binaan_triwulan": ("jumlah_aktif", "jumlah_baru", "jumlah_keluar", "omzet_rp_ytd"),
}


@dataclass
class Measured:
    wall_s: float
    peak_rss_mb: float  # the larger of ru_maxrss and the sampled process tree's resident sum
    cpu_s: float
    returncode: int
    stdout: str
    stderr_tail: str
    started_at: float = 0.0  # wall clock, to place the run's events in the process's life
    ended_at: float = 0.0
    extra: dict = field(default_factory=dict)
    maxrss_mb: float = 0.0  # ru_maxrss from wait4: the process, or its largest reaped child
    tree_peak_rss_mb: float = 0.0  # most the process and its descendants held at once
    spill_peak_mb: float = 0.0  # most DuckDB's spill folder held
    # (wall-clock time, MB) of every sample of the process tree's resident memory, to find
    # the step that held the most (step_peaks)
    rss_samples: list[tuple[float, float]] = field(default_factory=list)


PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def tree_rss_bytes(root: int) -> int:
    """Resident memory of ``root`` and every process descended from it, summed (Linux
    /proc; 0 where it cannot be read)."""
    children: dict[int, list[int]] = {}
    try:
        entries = [e.name for e in os.scandir("/proc") if e.name.isdigit()]
    except OSError:
        return 0
    for name in entries:
        try:
            with open(f"/proc/{name}/stat", "rb") as handle:
                ppid = int(handle.read().rsplit(b")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(name))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        try:
            with open(f"/proc/{pid}/statm", "rb") as handle:
                total += int(handle.read().split()[1]) * PAGE_SIZE
        except (OSError, IndexError, ValueError):
            pass
        todo.extend(children.get(pid, ()))
    return total


def folder_bytes(folder: Path) -> int:
    total = 0
    for dirpath, _, files in os.walk(folder):
        for name in files:
            try:
                total += os.lstat(os.path.join(dirpath, name)).st_size
            except OSError:
                pass
    return total


class Sampler(threading.Thread):
    """Every ``interval`` s until stopped: the process tree's resident memory (each sample
    kept with its time) and the size of the spill folder, keeping the largest of each."""

    def __init__(self, pid: int, spill: Path | None, interval: float = 0.2):
        super().__init__(daemon=True)
        self.pid, self.spill, self.interval = pid, spill, interval
        self.rss_peak = self.spill_peak = 0
        self.rss_samples: list[tuple[float, int]] = []
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            rss = tree_rss_bytes(self.pid)
            self.rss_samples.append((time.time(), rss))
            self.rss_peak = max(self.rss_peak, rss)
            if self.spill is not None and self.spill.exists():
                self.spill_peak = max(self.spill_peak, folder_bytes(self.spill))
            self.done.wait(self.interval)


def measure(cmd: list[str], *, env: dict[str, str], cwd: Path, log_dir: Path, name: str,
            spill: Path | None = None) -> Measured:
    """Run ``cmd`` to completion; wall time, peak RSS (this child's own ``ru_maxrss``, or
    its process tree's resident memory sampled every 0.2 s if larger) and CPU time (the
    child's and its reaped descendants'), and the most ``spill`` held."""
    log_dir.mkdir(parents=True, exist_ok=True)
    out_path, err_path = log_dir / f"{name}.out", log_dir / f"{name}.err"
    with out_path.open("wb") as out, err_path.open("wb") as err:
        started_at, start = time.time(), time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=err)
        sampler = Sampler(proc.pid, spill)
        sampler.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - start
        finally:
            sampler.done.set()
            sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    stderr = err_path.read_text(errors="replace")
    maxrss, tree = usage.ru_maxrss / 1024, sampler.rss_peak / 2**20
    return Measured(wall, max(maxrss, tree), usage.ru_utime + usage.ru_stime,
                    proc.returncode, out_path.read_text(errors="replace"),
                    "\n".join(stderr.splitlines()[-30:]), started_at, started_at + wall,
                    maxrss_mb=maxrss, tree_peak_rss_mb=tree,
                    spill_peak_mb=sampler.spill_peak / 2**20,
                    rss_samples=[(at, rss / 2**20) for at, rss in sampler.rss_samples])


def busy_seconds(windows: dict[str, list[float]], prefix: str = "") -> float:
    """Wall seconds during which at least one step (whose key starts with ``prefix``) ran:
    the union of their STEP_START..STEP_SUCCESS windows. Steps run side by side
    (P3DN_STEP_THREADS), so the sum of their seconds counts overlapping time twice."""
    spans = sorted(window for key, window in windows.items() if key.startswith(prefix))
    total, covered_to = 0.0, None
    for start, end in spans:
        if covered_to is None or start > covered_to:
            total += end - start
            covered_to = end
        elif end > covered_to:
            total += end - covered_to
            covered_to = end
    return total


def step_peaks(windows: dict[str, list[float]], samples: list[tuple[float, float]]
               ) -> dict[str, float]:
    """The most resident memory sampled inside each step's window (``windows``: step ->
    [STEP_START, STEP_SUCCESS] times; ``samples``: (time, MB)). A step too short to hold a
    sample is left out: its memory is not known, not zero."""
    peaks: dict[str, float] = {}
    for step, (start, end) in windows.items():
        inside = [mb for at, mb in samples if start <= at <= end]
        if inside:
            peaks[step] = max(inside)
    return peaks


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


def link_tree(source: Path, target: Path) -> str:
    """``target`` as a copy of the folder ``source`` made of hard links to its files (same
    relative paths, same inodes, so same sizes and mtimes; folders get ``source``'s mtimes),
    so a file can be replaced in ``target`` without touching ``source``. Files on another
    file system are copied with their mtimes instead. Says which it did."""
    copied = 0
    folders = []
    for dirpath, dirnames, filenames in os.walk(source):
        here = Path(dirpath)
        there = target / here.relative_to(source)
        there.mkdir(parents=True, exist_ok=True)
        folders.append((here, there))
        for name in sorted(filenames):
            try:
                os.link(here / name, there / name)
            except OSError as error:
                if error.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK):
                    raise
                shutil.copy2(here / name, there / name)
                copied += 1
    for here, there in reversed(folders):  # deepest first: a child's link touches its parent
        stat = here.stat()
        os.utime(there, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    return "hard links" if not copied else f"{copied} file(s) copied (not on one file system)"


AMOUNT = re.compile(rb"^(Rp ?)?\d{1,3}(\.\d{3})*(,\d+|,-)?$")


def pick_export(landing: Path) -> dict:
    """The file the changed-export run edits: the first APBD realisasi CSV in the manifest
    (any CSV if there is none), with its share of the input's rows and bytes."""
    manifest = json.loads((landing / "MANIFEST.json").read_text())
    files = sorted(manifest["files"], key=lambda f: f["path"])
    csvs = [f for f in files if f["path"].endswith(".csv")]
    chosen = next((f for f in csvs if f["path"].startswith("apbd/")), csvs[0] if csvs else None)
    if chosen is None:
        raise ValueError("no CSV file in the input to change")
    total_rows = sum(f["rows"] for f in files)
    total_bytes = sum((landing / f["path"]).stat().st_size for f in files)
    size = (landing / chosen["path"]).stat().st_size
    return {"path": chosen["path"], "rows": chosen["rows"], "bytes": size,
            "row_share": chosen["rows"] / total_rows if total_rows else float("nan"),
            "byte_share": size / total_bytes if total_bytes else float("nan")}


def change_one_amount(path: Path) -> dict:
    """Replace ``path`` (a hard link into the cache: the link is replaced, the cached file is
    not written) by a copy where one amount of one data row differs: the last digit of the
    whole rupiah of the first row whose ``Realisasi`` (else last amount-looking) column holds
    a plain amount (rows with quotes are skipped). Same size, a new mtime, as a re-downloaded
    export would have."""
    temp = path.with_name(f".{path.name}.bench-tmp")
    with path.open("rb") as source, temp.open("wb") as out:
        header = source.readline()
        out.write(header)
        text = header.rstrip(b"\r\n")
        delimiter = max((b";", b",", b"\t", b"|"), key=text.count)
        names = [n.strip().strip(b'"').lower() for n in text.split(delimiter)]
        wanted = names.index(b"realisasi") if b"realisasi" in names else None
        line_no, change = 1, None
        for line in source:
            line_no += 1
            ending = line[len(line.rstrip(b"\r\n")):]
            fields = line[:len(line) - len(ending)].split(delimiter)
            # A quoted field may hold the delimiter: only plain rows, whose fields line up
            # with the header, are considered.
            plain = b'"' not in line and len(fields) == len(names)
            columns = ([] if not plain else [wanted] if wanted is not None
                       else range(len(fields) - 1, -1, -1))
            for column in columns:
                value = fields[column] if column < len(fields) else b""
                if not AMOUNT.match(value):
                    continue
                whole_end = value.index(b",") if b"," in value else len(value)
                digit = value[whole_end - 1] - ord("0")
                fields[column] = (value[:whole_end - 1] + bytes([ord("0") + (digit ^ 1)])
                                  + value[whole_end:])
                change = {"line": line_no, "column": names[column].decode(errors="replace"),
                          "before": value.decode(errors="replace"),
                          "after": fields[column].decode(errors="replace")}
                break
            out.write(delimiter.join(fields) + ending)
            if change is not None:
                break
        shutil.copyfileobj(source, out, 16 * 2**20)
    if change is None:
        temp.unlink()
        raise ValueError(f"no plain amount found to change in {path}")
    os.replace(temp, path)
    return change


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

# Settings that would send the benchmark's output elsewhere (e.g. over a user's serving
# file) or change its resources: dropped from the inherited environment, set below.
FOREIGN_SETTINGS = ("P3DN_SERVING", "P3DN_PARQUET_DIR", "P3DN_DASHBOARD",
                    "P3DN_SERVING_STORAGE_VERSION", "P3DN_DUCKDB_MEMORY_LIMIT",
                    "P3DN_DUCKDB_TEMP_DIR")


def pipeline_env(landing: Path, work: Path, memory_limit: str | None = None,
                 spill: Path | None = None) -> dict[str, str]:
    home = work / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    # The instance configuration users get (the Makefile copies it into DAGSTER_HOME).
    if (REPO / "dagster.yaml").exists():
        shutil.copy(REPO / "dagster.yaml", home / "dagster.yaml")
    env = {k: v for k, v in os.environ.items() if k not in FOREIGN_SETTINGS}
    env.update({
        "DAGSTER_HOME": str(home),
        "P3DN_LANDING_DIR": str(landing),
        "P3DN_WAREHOUSE": str(work / "warehouse" / "p3dn.duckdb"),
        "P3DN_DEMO_MODE": "1",
        "P3DN_PII_KEY": BENCH_PII_KEY,
        "P3DN_KD_KLPD": KD_KLPD,
    })
    if memory_limit:
        env["P3DN_DUCKDB_MEMORY_LIMIT"] = memory_limit
    if spill is not None:
        env["P3DN_DUCKDB_TEMP_DIR"] = str(spill)
    return env


def metadata_flag(metadata: dict, key: str) -> bool | None:
    value = metadata.get(key)
    value = getattr(value, "value", value)
    return value if isinstance(value, bool) else None


def step_timings(dagster_home: Path) -> list[dict]:
    """Per run in this DAGSTER_HOME (oldest first): when its first event was written, when
    the run started and ended, when its first step started, each step's duration and time
    window, event counts, and each materialization's step, asset, partition and ``rebuilt``
    metadata (None when the asset does not say)."""
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
                materializations: list[dict] = []
                started = ended = first_step = None
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
                        first_step = min(first_step or record.timestamp, record.timestamp)
                    elif event.event_type == DagsterEventType.STEP_SUCCESS:
                        steps[event.step_key] = event.event_specific_data.duration_ms / 1000
                        windows.setdefault(event.step_key, [record.timestamp] * 2)[1] = \
                            record.timestamp
                    elif event.event_type == DagsterEventType.ASSET_MATERIALIZATION:
                        materialization = event.event_specific_data.materialization
                        materializations.append({
                            "step": event.step_key,
                            "asset": materialization.asset_key.to_user_string(),
                            "partition": materialization.partition,
                            "rebuilt": metadata_flag(materialization.metadata or {},
                                                     "rebuilt")})
                runs.append({"status": run.status.value,
                             "run_s": (ended - started) if started and ended else None,
                             "first_event_at": records[0].timestamp if records else None,
                             "run_started_at": started, "run_ended_at": ended,
                             "first_step_at": first_step,
                             "steps": steps, "windows": windows, "events": events,
                             "materializations": materializations})
            return runs
    finally:
        if previous is None:
            del os.environ["DAGSTER_HOME"]
        else:
            os.environ["DAGSTER_HOME"] = previous


def forget_mart_materializations(dagster_home: Path) -> None:
    """Make the next unchanged run the first of a day, as the run plan sees it: the marts'
    Dagster history is wiped (in this benchmark's own instance), so no mart counts as
    materialized since 06:00 WIB and each runs to confirm its figures for the 08:00
    deadline, as in every day's first refresh. The warehouse is not touched."""
    from dagster import DagsterInstance

    with DagsterInstance.from_config(str(dagster_home)) as instance:
        instance.wipe_assets([key for key in instance.get_asset_keys()
                              if key.path[0] == "marts"])


def rebuilt_summary(materializations: list[dict]) -> dict:
    """Which steps rebuilt, from the materializations' ``rebuilt`` metadata: a step rebuilt
    if any of its materializations says so. ``known`` is False when none carries the entry
    (the pipeline does not report it)."""
    flagged = [m for m in materializations if m["rebuilt"] is not None]
    rebuilt_steps = sorted({m["step"] for m in flagged if m["rebuilt"]})
    return {"known": bool(flagged), "steps": rebuilt_steps,
            "materializations": len(materializations),
            "rebuilt_materializations": sum(1 for m in flagged if m["rebuilt"]),
            "unflagged_materializations": len(materializations) - len(flagged)}


def output_paths(env: dict[str, str]) -> dict[str, list[Path]]:
    """What a run writes, by kind (``p3dn_pipeline/settings.py``: the serving file, Parquet
    folder and dashboard live beside the warehouse; ``pipeline_env`` keeps them there)."""
    warehouse = Path(env["P3DN_WAREHOUSE"])
    parquet = warehouse.parent / "parquet"
    return {
        "warehouse": [warehouse, warehouse.with_name(warehouse.name + ".wal")],
        "serving file": [warehouse.parent / "marts.duckdb",
                         warehouse.parent / "marts.duckdb.wal"],
        "parquet files": sorted(p for p in parquet.rglob("*") if p.is_file())
        if parquet.is_dir() else [],
        "dashboard": [warehouse.parent / "dashboard.html"],
    }


def output_state(env: dict[str, str]) -> dict[str, dict[str, tuple[int, int]]]:
    """Size and mtime_ns of every file a run writes that exists now, by kind."""
    state = {}
    for kind, paths in output_paths(env).items():
        files = {}
        for path in paths:
            try:
                stat = path.stat()
            except FileNotFoundError:
                continue
            files[str(path)] = (stat.st_size, stat.st_mtime_ns)
        state[kind] = files
    return state


def compare_outputs(before: dict, after: dict) -> dict[str, str]:
    """Per kind of output: 'unchanged (N files)', 'absent', or what changed."""
    verdicts = {}
    for kind in after:
        old, new = before.get(kind, {}), after[kind]
        if not old and not new:
            verdicts[kind] = "absent"
            continue
        changed = sorted(Path(p).name for p in set(old) | set(new) if old.get(p) != new.get(p))
        if not changed:
            verdicts[kind] = f"unchanged ({len(new)} file{'s' if len(new) != 1 else ''})"
        else:
            shown = ", ".join(changed[:4]) + (f" and {len(changed) - 4} more"
                                             if len(changed) > 4 else "")
            verdicts[kind] = f"CHANGED ({len(changed)} of {len(set(old) | set(new))}: {shown})"
    return verdicts


FINGERPRINTS = ("quality", "builds")


def fingerprints(warehouse: Path) -> list[tuple] | None:
    """``quality.builds``, every row in a fixed order, read-only; None when the
    warehouse or the table does not exist (the pipeline does not record them)."""
    import duckdb

    if not warehouse.exists():
        return None
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        found = con.execute(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_schema = ? AND table_name = ?", list(FINGERPRINTS)).fetchall()[0][0]
        if not found:
            return None
        return con.execute(f"SELECT * FROM {'.'.join(FINGERPRINTS)} ORDER BY ALL").fetchall()
    finally:
        con.close()


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


def merged_runs(runs: list[dict]) -> dict:
    """The runs one ``p3dn run`` makes (``load_landing``, then ``refresh_all`` over the years
    with data), read as one: step times added up (a step that runs in both counts both),
    windows widened, events counted together."""
    steps: dict[str, float] = {}
    windows: dict[str, list[float]] = {}
    events: dict[str, int] = {}
    for run in runs:
        for key, seconds in run["steps"].items():
            steps[key] = steps.get(key, 0.0) + seconds
        for key, (start, end) in run["windows"].items():
            known = windows.get(key)
            windows[key] = [min(known[0], start), max(known[1], end)] if known else [start, end]
        for key, count in run["events"].items():
            events[key] = events.get(key, 0) + count
    failed = [r["status"] for r in runs if r["status"] != "SUCCESS"]
    return {"status": failed[0] if failed else "SUCCESS", "runs": len(runs),
            "run_s": sum(r["run_s"] or 0 for r in runs),
            "first_event_at": runs[0]["first_event_at"],
            "run_started_at": runs[0]["run_started_at"], "run_ended_at": runs[-1]["run_ended_at"],
            "first_step_at": runs[0]["first_step_at"], "steps": steps, "windows": windows,
            "events": events,
            "materializations": [m for r in runs for m in r["materializations"]]}


def run_pipeline(landing: Path, work: Path, log_dir: Path, name: str,
                 env: dict[str, str] | None = None, observe: bool = False) -> Measured:
    """``p3dn run`` in a fresh process. ``observe``: also snapshot the files it writes and
    ``quality.builds`` before and after (read-only, outside the run)."""
    env = env or pipeline_env(landing, work)
    spill = Path(env["P3DN_DUCKDB_TEMP_DIR"]) if env.get("P3DN_DUCKDB_TEMP_DIR") else None
    if observe:
        files_before = output_state(env)
        prints_before = fingerprints(Path(env["P3DN_WAREHOUSE"]))
    measured = measure([str(BIN / "p3dn"), "run"], env=env, cwd=REPO, log_dir=log_dir,
                       name=name, spill=spill)
    if measured.returncode == 0:
        observed = {}
        if observe:
            files_after = output_state(env)
            prints_after = fingerprints(Path(env["P3DN_WAREHOUSE"]))
            observed = {
                "outputs": compare_outputs(files_before, files_after),
                "fingerprints": (None if prints_before is None or prints_after is None else
                                 {"identical": prints_before == prints_after,
                                  "rows_before": len(prints_before),
                                  "rows_after": len(prints_after),
                                  "new_rows": len(set(prints_after) - set(prints_before))}),
            }
        run = merged_runs([r for r in step_timings(Path(env["DAGSTER_HOME"]))
                           if (r["first_event_at"] or 0) >= measured.started_at])
        # Where the wall time outside the steps goes: process start-up (imports, definitions),
        # run planning (events written before RUN_START), and the KPI print and exit.
        run["startup_s"] = run["first_event_at"] - measured.started_at
        run["planning_s"] = run["run_started_at"] - run["first_event_at"]
        run["after_s"] = measured.ended_at - run["run_ended_at"]
        # Wall time with a step running; the sum of the steps' seconds is more when steps
        # ran side by side.
        run["steps_s"] = busy_seconds(run["windows"])
        run["step_seconds_sum"] = sum(run["steps"].values())
        run["layer_busy_s"] = {layer: busy_seconds(run["windows"], f"{layer}__")
                               for layer in {key.split("__", 1)[0] for key in run["windows"]}}
        # Dagster's own start-up (imports, definitions, run planning) and the rest.
        first_step = run["first_step_at"] or run["run_ended_at"]
        run["to_first_step_s"] = first_step - measured.started_at
        run["from_first_step_s"] = measured.ended_at - first_step
        run["rebuilt"] = rebuilt_summary(run["materializations"])
        run["step_peak_rss_mb"] = step_peaks(run["windows"], measured.rss_samples)
        measured.extra = {**run, **observed, **pipeline_figures(Path(env["P3DN_WAREHOUSE"]))}
    return measured


def run_floor(landing: Path, work: Path, log_dir: Path, name: str, threads: int,
              memory_limit: str | None = None) -> Measured:
    db, spill = work / "floor.duckdb", work / "spill"
    cmd = [sys.executable, str(BENCHMARKS / "floor.py"), "--landing", str(landing),
           "--db", str(db), "--threads", str(threads), "--temp-dir", str(spill)]
    if memory_limit:
        cmd += ["--memory-limit", memory_limit]
    measured = measure(cmd, env=dict(os.environ), cwd=REPO, log_dir=log_dir, name=name,
                       spill=spill)
    if measured.returncode == 0:
        measured.extra = json.loads(measured.stdout.strip().splitlines()[-1])
    return measured


def run_startup_floor(work: Path, log_dir: Path, name: str) -> Measured:
    """``startup_floor.py`` (a one-asset Dagster project) in a fresh process on a new
    DAGSTER_HOME holding the repository's dagster.yaml, as each pipeline round starts;
    ``to_first_step_s``: process start to its first STEP_START, as for the pipeline."""
    env = pipeline_env(work, work)
    measured = measure([sys.executable, str(BENCHMARKS / "startup_floor.py")], env=env,
                       cwd=REPO, log_dir=log_dir, name=name)
    if measured.returncode == 0:
        runs = [r for r in step_timings(Path(env["DAGSTER_HOME"]))
                if (r["first_event_at"] or 0) >= measured.started_at and r["first_step_at"]]
        measured.extra = {"to_first_step_s": runs[0]["first_step_at"] - measured.started_at}
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


SECTION_HEADER = re.compile(
    r"^## (?P<date>\d{4}-\d\d-\d\d \d\d:\d\d UTC) · scale (?P<scale>[0-9.e+-]+) · "
    r"seed (?P<seed>\d+)", re.M)
MEASUREMENTS = re.compile(r"^Every measurement \(\[wall s, work s, peak RSS MB\]\): `(\{.*\})`",
                          re.M)


def earlier_sections(text: str) -> list[dict]:
    """The pipeline benchmarks in a RESULTS.md text, in file order: date, scale, seed and
    every measurement ([wall s, work s, peak RSS MB] per run of pipeline, floor, peer; an
    empty list where one was not run). Sections of other benchmarks are skipped."""
    sections = []
    headers = list(SECTION_HEADER.finditer(text))
    for number, header in enumerate(headers):
        end = headers[number + 1].start() if number + 1 < len(headers) else len(text)
        found = MEASUREMENTS.search(text, header.end(), end)
        if found is None:
            continue
        try:
            measurements = json.loads(found.group(1))
            scale = float(header["scale"])
        except ValueError:
            continue
        sections.append({"date": header["date"], "scale": scale, "seed": int(header["seed"]),
                         **{k: measurements.get(k) or [] for k in ("pipeline", "floor", "peer")}})
    return sections


def peer_reference(sections: list[dict], seed: int) -> dict | None:
    """The section to take the peer comparison from when the peer is not run: the largest
    scale at which it ran (with this seed), the newest section at that scale. With medians
    of its measurements and the ratios peer / pipeline."""
    ran = [(section["scale"], section["date"], order, section)
           for order, section in enumerate(sections)
           if section["seed"] == seed and section["peer"] and section["pipeline"]]
    if not ran:
        return None
    section = max(ran, key=lambda item: item[:3])[3]
    pipe, peer = section["pipeline"], section["peer"]

    def med(rows: list, index: int) -> float:
        return median([row[index] for row in rows])

    return {"date": section["date"], "scale": section["scale"], "runs": len(pipe),
            "peer_wall_s": med(peer, 0), "peer_rss_mb": med(peer, 2),
            "pipeline_wall_s": med(pipe, 0), "pipeline_rss_mb": med(pipe, 2),
            "peer_pipeline_wall": med(peer, 0) / med(pipe, 0),
            "peer_pipeline_work": med(peer, 1) / med(pipe, 1),
            "peer_pipeline_rss": med(peer, 2) / med(pipe, 2)}


def scale_reference(sections: list[dict], scale: float, seed: int) -> dict | None:
    """The newest section at a tenth of ``scale`` (same seed) with pipeline measurements:
    for the issue's time(scale 100) / time(scale 10) figure."""
    tenth = [s for s in sections if s["seed"] == seed and s["pipeline"]
             and abs(s["scale"] * 10 - scale) <= 1e-9 * scale]
    if not tenth:
        return None
    section = tenth[-1]
    return {"date": section["date"], "scale": section["scale"],
            "pipeline_wall_s": median([row[0] for row in section["pipeline"]]),
            "pipeline_work_s": median([row[1] for row in section["pipeline"]])}


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
import p3dn_pipeline.lib.factories as factories
import p3dn_pipeline.lib.quality_gate as gate
import p3dn_pipeline.lib.resources as resources
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
for name in ("p3dn_pipeline.lib.factories", "p3dn_pipeline.lib.ledger",
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


def profile(landing: Path, work: Path, log_dir: Path, memory_limit: str | None = None) -> dict:
    env = pipeline_env(landing, work, memory_limit, work / "spill")
    measured = measure([sys.executable, "-c", PROFILE_CHILD], env=env, cwd=REPO,
                       log_dir=log_dir, name="profile", spill=work / "spill")
    if measured.returncode != 0:
        raise SystemExit(f"profile run failed:\n{measured.stderr_tail}")
    result = json.loads(measured.stdout.strip().splitlines()[-1])
    result["per_step"] = profile_per_step(result.pop("timeline"), result.pop("rss"),
                                          merged_runs(step_timings(
                                              Path(env["DAGSTER_HOME"])))["windows"])
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


def runs_label(n: int) -> str:
    return "1 run, no median" if n == 1 else f"median of {n} runs"


def fingerprint_text(prints: dict | None) -> str:
    if prints is None:
        return "n/a (no `quality.builds` table)"
    if prints["identical"]:
        return f"identical before and after ({prints['rows_after']:,} rows)"
    return (f"CHANGED ({prints['rows_before']:,} rows before, {prints['rows_after']:,} after, "
            f"{prints['new_rows']:,} not there before)")


def rebuilt_text(extra: dict) -> str:
    rebuilt, executed = extra["rebuilt"], len(extra["steps"])
    if not rebuilt["known"]:
        return (f"n/a (no materialization carries `rebuilt` metadata); {executed} steps "
                f"executed, {rebuilt['materializations']} materializations")
    steps = rebuilt["steps"]
    return (f"{len(steps)} of {executed} executed steps rebuilt ("
            f"{rebuilt['rebuilt_materializations']} of {rebuilt['materializations']} "
            "materializations with `rebuilt`=True)" + (": " + ", ".join(steps) if steps else ""))


def outputs_text(outputs: dict[str, str]) -> str:
    return "; ".join(f"{kind} {verdict}" for kind, verdict in outputs.items())


def report(ctx: dict) -> str:
    m, v, inp = ctx["machine"], ctx["versions"], ctx["input"]
    pipe, floor, peer = ctx["pipeline"], ctx["floor"], ctx["peer"]
    rows = inp["rows"]
    runs = len(pipe)
    single = runs == 1

    def line(name: str, measured: list[Measured], work: list[float], work_label: str) -> str:
        walls = [r.wall_s for r in measured]
        rss = [r.peak_rss_mb for r in measured]
        w = median(walls)
        spread = "-" if len(walls) == 1 else f"{fmt_s(min(walls))}–{fmt_s(max(walls))}"
        return (f"| {name} | {fmt_s(w)} | {spread} | "
                f"{rows / w:,.0f} | {median(rss):,.0f} | {fmt_s(median(work))} ({work_label}) | "
                f"{median([r.cpu_s for r in measured]):.1f} |")

    pipe_work = [r.extra["run_s"] for r in pipe]
    floor_work = [r.extra["load_s"] for r in floor]
    peer_work = [r.extra["work_s"] for r in peer]
    ratio = ctx["ratios"]
    limit = ctx.get("memory_limit")
    skipped = ctx.get("peer_skipped")
    reference = ctx.get("peer_reference")
    out = [
        f"## {ctx['date']} · scale {scale_label(ctx['scale'])} · seed {ctx['seed']} · "
        + ("1 run each, no median" if single else f"{runs} run(s) each"),
        "",
        f"- Machine: {m['cores']} cores ({m['cpu_model']}), {m['memory_gib']:.1f} GiB RAM, "
        f"Linux {m['kernel']}; load average at start "
        f"{', '.join(f'{x:.2f}' for x in m['load_avg_at_start'])} (shared machine: compare "
        "ratios within one section, not seconds across sections)",
        f"- Versions: Python {v['python']}, DuckDB {v['duckdb']}, Dagster {v['dagster']}, "
        f"pandas {v['pandas']}, pyarrow {v['pyarrow']}; commit {ctx['commit']}",
        f"- Input: {inp['files']} files, {rows:,} rows ({inp['by_format']['.json']:,} JSON, "
        f"{inp['by_format']['.csv']:,} CSV, {inp['by_format']['.xlsx']:,} XLSX), "
        f"{inp['bytes'] / 1e6:,.1f} MB; {ctx['generated']} (`{ctx['data_folder']}`); the "
        f"pipeline reads it through a landing folder of {ctx.get('landing_mode', 'the files')} "
        "in the scratch folder, the floor and peer from the cache",
        f"- DuckDB threads: {ctx['threads']} (DuckDB's default, which the pipeline uses; "
        "the floor set to the same); pandas is single-threaded",
        "- DuckDB memory limit: " + (
            f"{limit} for the pipeline (`P3DN_DUCKDB_MEMORY_LIMIT`) and the floor "
            "(`memory_limit`)" if limit else "DuckDB's default (80 % of RAM) for both")
        + ", spilling into the scratch folder (`P3DN_DUCKDB_TEMP_DIR`, `temp_directory`); "
        f"most spilled: pipeline {max((r.spill_peak_mb for r in pipe), default=0):,.0f} MB, "
        f"floor {max((r.spill_peak_mb for r in floor), default=0):,.0f} MB",
        f"- Command: `{ctx['command']}`",
    ]
    if skipped:
        out.append(f"- Peer not run: {skipped}")
    out += [
        "",
        f"| | wall s ({'1 run' if single else 'median'}) | min–max | input rows/s | "
        "peak RSS MB | work s | CPU s |",
        "|---|---|---|---|---|---|---|",
        line("pipeline (`p3dn run`)", pipe, pipe_work, "Dagster run"),
        line("floor (bare DuckDB load)", floor, floor_work, "load"),
        line("peer (pandas)", peer, peer_work, "read to marts") if peer else
        "| peer (pandas) | not run | | | | | |",
        "",
    ]
    text = (f"**pipeline / floor = {ratio['pipeline_floor_wall']:.1f}x** wall "
            f"({ratio['pipeline_floor_work']:.1f}x on work: Dagster run vs load; "
            f"{ratio['pipeline_floor_rss']:.1f}x peak RSS). ")
    if peer:
        text += (f"**peer / pipeline = {ratio['peer_pipeline_wall']:.2f}** wall "
                 f"({ratio['peer_pipeline_work']:.2f} on work; "
                 f"{ratio['peer_pipeline_rss']:.2f} peak RSS). On CPU time, which a busy "
                 f"shared machine disturbs less: pipeline / floor = "
                 f"{ratio['pipeline_floor_cpu']:.1f}x, peer / pipeline = "
                 f"{ratio['peer_pipeline_cpu']:.2f}.")
    else:
        text += (f"On CPU time, which a busy shared machine disturbs less: pipeline / floor = "
                 f"{ratio['pipeline_floor_cpu']:.1f}x. ")
        if reference:
            text += (f"**peer / pipeline: not measured at this scale**; at scale "
                     f"{scale_label(reference['scale'])} ({reference['date']}, "
                     f"{reference['runs']} run(s), the largest scale the peer ran at in "
                     f"RESULTS.md) it was **{reference['peer_pipeline_wall']:.2f}** wall "
                     f"({reference['peer_pipeline_work']:.2f} on work; "
                     f"{reference['peer_pipeline_rss']:.2f} peak RSS).")
        else:
            text += "**peer / pipeline: not compared** (no earlier section with the peer)."
    out += [text, ""]

    def med(key: str) -> float:
        return median([r.extra[key] for r in pipe])

    by_format = {ext: median([r.extra["seconds_by_format"].get(ext, 0.0) for r in floor])
                 for ext in (".json", ".csv", ".xlsx")}
    layer_busy = {layer: median([r.extra.get("layer_busy_s", {}).get(layer, 0.0) for r in pipe])
                  for layer in {step.split("__", 1)[0] for step, _ in ctx["per_step"]}}
    raw_layer = layer_busy.get("raw", 0.0)
    out += [f"Floor by format ({'1 run' if single else 'median'} s): JSON "
            f"{by_format['.json']:.1f}, CSV "
            f"{by_format['.csv']:.1f}, XLSX {by_format['.xlsx']:.1f}; the pipeline's raw layer "
            f"(ledger, reading, hashing identifiers, lineage) takes {raw_layer:.1f} s of the "
            f"same files, wall time with a raw step running "
            f"({raw_layer / median(floor_work):.1f}x the whole floor).", ""]

    events = pipe[-1].extra["events"]
    out += [f"Where the pipeline's wall time goes ({runs_label(runs)}): start-up "
            f"{med('startup_s'):.1f} s "
            f"(process start to first event: Python, Dagster, definitions), run planning "
            f"{med('planning_s'):.1f} s (events written before RUN_START, "
            f"{events.get('ASSET_MATERIALIZATION_PLANNED', 0)} of them "
            f"ASSET_MATERIALIZATION_PLANNED), steps {med('steps_s'):.1f} s (wall time with "
            f"a step running; the steps' own seconds add up to "
            f"{median([r.extra.get('step_seconds_sum', r.extra['steps_s']) for r in pipe]):.1f}"
            f" s, as up to P3DN_STEP_THREADS steps run at once), between steps "
            f"{med('run_s') - med('steps_s'):.1f} s, after the run {med('after_s'):.1f} s (KPI "
            f"print, exit); process start to first STEP_START {med('to_first_step_s'):.1f} s. "
            f"Events per run: {sum(events.values())} ("
            + ", ".join(f"{k} {v}" for k, v in sorted(events.items(), key=lambda kv: -kv[1])[:5])
            + ").", ""]
    highest = highest_steps(pipe)
    if highest:
        out += ["Peak RSS by step (the run with the highest peak, resident memory sampled every "
                "0.2 s within each step's STEP_START..STEP_SUCCESS; the five highest): "
                + ", ".join(f"{step} {mb:,.0f} MB" for step, mb in highest) + ".", ""]
    per_step = dict(ctx["per_step"])
    run_median = median(pipe_work)
    for rerun, heading in ((ctx.get("rerun"), "Re-run with no input changed, later the same "
                            "day (same warehouse, once; the marts were built since 06:00 WIB)"),
                           (ctx.get("rerun_day"), "Re-run with no input changed, first of a "
                            "day (then, the marts' Dagster history wiped: each mart runs to "
                            "confirm its figures for the 08:00 WIB deadline)")):
        if rerun is None:
            continue
        x = rerun.extra
        out += [f"{heading}:", "",
                f"- {fmt_s(rerun.wall_s)} s wall: Dagster's own start-up "
                f"{fmt_s(x['to_first_step_s'])} s (process start to the first STEP_START: "
                f"imports, definitions, run planning), then **{fmt_s(x['from_first_step_s'])} s "
                f"beyond it** (first STEP_START to exit); {fmt_s(x['run_s'])} s in the Dagster "
                f"run ({x['run_s'] / run_median:.0%} of a full refresh's), peak RSS "
                f"{rerun.peak_rss_mb:,.0f} MB",
                f"- Steps: {rebuilt_text(x)}",
                f"- `quality.builds`: {fingerprint_text(x.get('fingerprints'))}",
                f"- Files (size and mtime_ns): {outputs_text(x['outputs'])}", ""]
    changed = ctx.get("changed")
    if changed is not None:
        x, export = changed["measured"].extra, changed["export"]
        edit = export["edit"]
        out += [f"One export changed (same warehouse, after the re-run): `{export['path']}`, "
                f"line {edit['line']}, {edit['column']} `{edit['before']}` -> "
                f"`{edit['after']}`; the file is {export['rows']:,} rows "
                f"({export['row_share']:.1%} of the input's rows) and "
                f"{export['bytes'] / 1e6:,.1f} MB ({export['byte_share']:.1%} of its bytes); "
                "replaced in the pipeline's landing folder, not in the cache:", "",
                f"- {fmt_s(changed['measured'].wall_s)} s wall: Dagster's own start-up "
                f"{fmt_s(x['to_first_step_s'])} s, then **{fmt_s(x['from_first_step_s'])} s** "
                f"to exit; {fmt_s(x['run_s'])} s in the Dagster run "
                f"({x['run_s'] / run_median:.0%} of a full refresh's), peak RSS "
                f"{changed['measured'].peak_rss_mb:,.0f} MB",
                f"- Steps: {rebuilt_text(x)}"]
        share_rows = export["row_share"] * run_median
        if x["rebuilt"]["known"]:
            steps_full = sum(per_step.get(step, 0.0) for step in x["rebuilt"]["steps"])
            out.append(
                f"- That export's share of a full refresh: the steps that rebuilt took "
                f"{fmt_s(steps_full)} s in the full refresh ({runs_label(runs)}; "
                f"{steps_full / run_median:.0%} of its Dagster run); by rows, "
                f"{export['row_share']:.1%} of the Dagster run is {fmt_s(share_rows)} s. This "
                f"run's Dagster run / the rebuilt steps' full-refresh time = "
                + (f"{x['run_s'] / steps_full:.2f}" if steps_full else "n/a") + ".")
        else:
            out.append(f"- That export's share of a full refresh: by rows, "
                       f"{export['row_share']:.1%} of the Dagster run is {fmt_s(share_rows)} s "
                       "(the steps that rebuilt: n/a)")
        out += [f"- `quality.builds`: {fingerprint_text(x.get('fingerprints'))}",
                f"- Files (size and mtime_ns): {outputs_text(x['outputs'])}", ""]
    elif ctx.get("changed_error"):
        out += [f"One export changed: not measured ({ctx['changed_error']}).", ""]

    out += targets(ctx, run_median)

    if ctx["headline_ok"] is None:
        out += ["Headline check (pandas peer vs pipeline, `marts.p3dn_provinsi`): not compared "
                "(peer not run)", ""]
    else:
        out += ["Headline check (pandas peer vs pipeline, `marts.p3dn_provinsi`): "
                + ("**MATCH**" if ctx["headline_ok"] else "**DIFFER**"), ""]
        out += [f"- {text}" for text in ctx["headline_lines"]]
        out += [f"- {text}" for text in ctx["totals_lines"]]
        out.append("")
    extra_columns = [(label, run.extra) for label, run in
                     (("re-run s", ctx.get("rerun")), ("first of day s", ctx.get("rerun_day")),
                      ("changed s", changed and changed["measured"]))
                     if run is not None]
    out += [f"Per asset ({runs_label(runs)}; share of the "
            f"{'' if single else 'median '}Dagster run "
            f"{fmt_s(run_median)} s; the rest of the wall time is process start, "
            "imports, definitions and the KPI print; steps run side by side, so the shares "
            "add up to more than 100%)" + (
                ", then " + ", ".join(label.removesuffix(" s") for label, _ in extra_columns)
                + " (- not run; * the step rebuilt)" if extra_columns else "")
            + ":", ""]
    out += ["| step | s | share |" + "".join(f" {label} |" for label, _ in extra_columns),
            "|---|---|---|" + "---|" * len(extra_columns)]
    for step, seconds in ctx["per_step"]:
        cells = f"| {step} | {seconds:.2f} | {seconds / run_median:.0%} |"
        for _, extra in extra_columns:
            again = extra["steps"].get(step)
            mark = "*" if step in extra["rebuilt"]["steps"] else ""
            cells += f" {again:.2f}{mark} |" if again is not None else " - |"
        out.append(cells)
    out += ["", "By layer (wall time with a step of the layer running, median; steps of one "
                "layer, or of two, may run at once): " + ", ".join(
                    f"{k} {v:.1f} s ({v / run_median:.0%})"
                    for k, v in sorted(layer_busy.items(), key=lambda kv: -kv[1]))]
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

    def row(r: Measured, key: str) -> list:
        return [round(r.wall_s, 2), round(r.extra[key], 2), round(r.peak_rss_mb)]

    raw = {"pipeline": [row(r, "run_s") for r in pipe],
           "floor": [row(r, "load_s") for r in floor],
           "peer": [row(r, "work_s") for r in peer]}
    for name in ("rerun", "rerun_day"):
        if ctx.get(name) is not None:
            raw[name] = row(ctx[name], "run_s")
    if changed is not None:
        raw["changed"] = row(changed["measured"], "run_s")
    if ctx.get("startup_floor"):
        # Its "work s" is its start-up: process start to its first STEP_START.
        raw["startup_floor"] = [row(r, "to_first_step_s") for r in ctx["startup_floor"]]
    out += ["", "Every measurement ([wall s, work s, peak RSS MB]): `" + json.dumps(raw) + "`", ""]
    return "\n".join(out)


PEAK_RSS_TARGET_MB = 4 * 1024
STARTUP_TARGET_S = 1.5


def peer_target(scale: float) -> int:
    """How many times faster than the pandas peer the pipeline must be: 2x at one pemda's
    size (scale 1 and below), 5x from scale 10 on."""
    return 2 if scale <= 1 else 5


def highest_steps(pipe: list[Measured], count: int = 5) -> list[tuple[str, float]]:
    """The steps that held the most memory in the run with the highest peak, most first."""
    if not pipe:
        return []
    top = max(pipe, key=lambda r: r.peak_rss_mb)
    peaks = top.extra.get("step_peak_rss_mb") or {}
    return sorted(peaks.items(), key=lambda kv: (-kv[1], kv[0]))[:count]


def highest_step_text(pipe: list[Measured]) -> str:
    steps = highest_steps(pipe, 1)
    return f"; the most in one step: {steps[0][0]}, {steps[0][1]:,.0f} MB" if steps else ""


def startup_floor_text(ctx: dict, startup: float) -> str:
    """The one-asset Dagster project's start-up (run_startup_floor) beside the pipeline's
    median ``startup``."""
    runs = ctx.get("startup_floor") or []
    if not runs:
        return ""
    floor_s = median([r.extra["to_first_step_s"] for r in runs])
    return (f"; a one-asset Dagster project (`benchmarks/startup_floor.py`, new DAGSTER_HOME "
            f"like each round) reaches its first STEP_START in {floor_s:.2f} s "
            f"({runs_label(len(runs))}: " + ", ".join(
                f"{r.extra['to_first_step_s']:.2f}" for r in runs) + " s), so the pipeline's "
            f"own code adds {startup - floor_s:.2f} s"
            + (" and the target is below what Dagster itself takes on this machine"
               if floor_s > STARTUP_TARGET_S else ""))


def targets(ctx: dict, run_median: float) -> list[str]:
    """The issue's targets (set for scale 100) against this benchmark's figures."""
    def verdict(ok: bool | None) -> str:
        return "n/a" if ok is None else ("met" if ok else "**not met**")

    ratio, pipe = ctx["ratios"], ctx["pipeline"]
    rss = median([r.peak_rss_mb for r in pipe])
    startup = median([r.extra["to_first_step_s"] for r in pipe])
    lines = [f"Against the issue's targets (this is scale {scale_label(ctx['scale'])}):", "",
             f"- full refresh / floor <= 2.0 (every scale): {ratio['pipeline_floor_wall']:.1f}x "
             f"wall -> {verdict(ratio['pipeline_floor_wall'] <= 2.0)}",
             f"- start-up <= {STARTUP_TARGET_S} s (process start to the first STEP_START: "
             f"imports, definitions, planning): {startup:.2f} s -> "
             f"{verdict(startup <= STARTUP_TARGET_S)}{startup_floor_text(ctx, startup)}",
             f"- pipeline peak RSS <= 4 GB ({PEAK_RSS_TARGET_MB:,} MB; set for scale 100): "
             f"{rss:,.0f} MB (memory limit {ctx.get('memory_limit') or 'DuckDB default'}"
             f"{highest_step_text(pipe)}) -> {verdict(rss <= PEAK_RSS_TARGET_MB)}"]
    reference = ctx.get("peer_reference")
    target = peer_target(ctx["scale"])
    if ctx["peer"]:
        value = ratio["peer_pipeline_wall"]
        lines.append(f"- >= {target}x faster than the peer at this scale: peer / pipeline = "
                     f"{value:.2f} wall -> {verdict(value >= target)}")
    elif reference:
        value = reference["peer_pipeline_wall"]
        target = peer_target(reference["scale"])
        lines.append(f"- >= {target}x faster than the peer at the largest scale it finishes: "
                     f"scale {scale_label(reference['scale'])} ({reference['date']}): peer / "
                     f"pipeline = {value:.2f} wall -> {verdict(value >= target)}")
    else:
        lines.append(f"- >= {target}x faster than the peer: not compared (peer not run, no "
                     "earlier section with it)")
    for rerun, which in ((ctx.get("rerun"), "later the same day"),
                         (ctx.get("rerun_day"), "first of a day")):
        if rerun is None:
            continue
        x = rerun.extra
        wrote = [kind for kind, text in x["outputs"].items() if text.startswith("CHANGED")]
        prints = x.get("fingerprints")
        if prints is not None and not prints["identical"]:
            wrote.append("quality.builds")
        rebuilt = len(x["rebuilt"]["steps"]) if x["rebuilt"]["known"] else None
        lines.append(
            f"- unchanged re-run ({which}) within 3 s beyond Dagster's start-up and rewriting "
            f"nothing: "
            f"{fmt_s(x['from_first_step_s'])} s beyond it; "
            + (f"{rebuilt} step(s) rebuilt; " if rebuilt is not None else "steps rebuilt n/a; ")
            + ("rewrote " + ", ".join(wrote) if wrote else "rewrote nothing") + " -> "
            + verdict(x["from_first_step_s"] <= 3 and not wrote and not rebuilt))
    changed = ctx.get("changed")
    if changed is not None:
        x, export = changed["measured"].extra, changed["export"]
        per_step = dict(ctx["per_step"])
        share = (sum(per_step.get(s, 0.0) for s in x["rebuilt"]["steps"])
                 if x["rebuilt"]["known"] else export["row_share"] * run_median)
        lines.append(
            f"- one export changed costs about its share: Dagster run {fmt_s(x['run_s'])} s vs "
            + ("the rebuilt steps' full-refresh time" if x["rebuilt"]["known"] else
               "its share of rows of a full refresh") + f" {fmt_s(share)} s "
            f"(full refresh {fmt_s(run_median)} s; no pass/fail: 'about' is a judgement)")
    scale_ref = ctx.get("scale_reference")
    if scale_ref is not None:
        value = median([r.wall_s for r in pipe]) / scale_ref["pipeline_wall_s"]
        lines.append(f"- time at this scale / at scale {scale_label(scale_ref['scale'])} "
                     f"({scale_ref['date']}) <= 12: {value:.1f} wall -> {verdict(value <= 12)}")
    else:
        lines.append(f"- time at this scale / at scale {scale_label(ctx['scale'] / 10)} <= 12: "
                     "n/a (no section at that scale in RESULTS.md)")
    return lines + [""]


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

def peer_skip_reason(scale: float, max_scale: float, reference: dict | None,
                     memory_gib: float) -> str:
    text = f"scale {scale_label(scale)} is above --peer-max-scale {scale_label(max_scale)}"
    if reference is not None and reference["scale"] < scale:
        factor = scale / reference["scale"]
        text += (f"; at scale {scale_label(reference['scale'])} ({reference['date']}) it peaked "
                 f"at {reference['peer_rss_mb']:,.0f} MB, so scale {scale_label(scale)} would "
                 f"need ~{factor:g}x (~{reference['peer_rss_mb'] * factor / 1024:,.0f} GiB; "
                 f"this machine has {memory_gib:.1f} GiB)")
    if reference is not None:
        text += (f". The peer / pipeline comparison below is from scale "
                 f"{scale_label(reference['scale'])} ({reference['date']})")
    else:
        text += ". No earlier RESULTS.md section has the peer: not compared"
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=20251)
    parser.add_argument("--runs", type=int, default=3, help="measurements of each (default 3)")
    parser.add_argument("--memory-limit", default="3GB",
                        help="DuckDB memory_limit for the pipeline (P3DN_DUCKDB_MEMORY_LIMIT) "
                             "and the floor, spilling into the scratch folder (default 3GB; "
                             "'none': DuckDB's default, 80%% of RAM)")
    parser.add_argument("--peer-max-scale", type=float, default=10.0,
                        help="above this scale the pandas peer is not run (it does not fit in "
                             "memory) and the comparison comes from RESULTS.md (default 10)")
    parser.add_argument("--data-dir", type=Path, default=BENCHMARKS / ".data",
                        help="where generated input is cached (default benchmarks/.data)")
    parser.add_argument("--work-dir", type=Path, default=None,
                        help="scratch folder for warehouses, the pipeline's hard-link landing "
                             "folder and DuckDB's spill files (default: a temporary folder; "
                             "best on the input's file system, else the input is copied)")
    parser.add_argument("--no-rerun", action="store_true",
                        help="skip the re-run with unchanged input and the changed-export run")
    parser.add_argument("--profile", action="store_true",
                        help="one extra, uncounted in-process run timing every statement")
    parser.add_argument("--no-results", action="store_true",
                        help="print only; do not append to benchmarks/RESULTS.md")
    parser.add_argument("--keep-going", action="store_true",
                        help="report what ran when a measurement fails")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    memory_limit = None if args.memory_limit.strip().lower() in ("", "none") else \
        args.memory_limit.strip()

    landing, generated = ensure_input(args.data_dir.resolve(), args.scale, args.seed)
    options = [f"RUNS={args.runs}"] if args.runs != 3 else []
    bench_args = []
    if args.memory_limit != "3GB":
        bench_args.append(f"--memory-limit {args.memory_limit}")
    if args.peer_max_scale != 10.0:
        bench_args.append(f"--peer-max-scale {scale_label(args.peer_max_scale)}")
    bench_args += [flag for flag, on in (("--no-rerun", args.no_rerun),
                                         ("--profile", args.profile)) if on]
    if bench_args:
        options.append(f"BENCH_ARGS='{' '.join(bench_args)}'")
    ctx = {
        "date": f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC", "scale": args.scale,
        "seed": args.seed, "machine": machine(), "versions": versions(), "commit": commit(),
        "input": input_summary(landing), "generated": generated,
        "data_folder": os.path.relpath(landing.parent, REPO),
        "threads": duckdb_default_threads(), "memory_limit": memory_limit,
        "command": " ".join([f"make bench SCALE={scale_label(args.scale)}", *options]),
    }
    sections = earlier_sections(RESULTS.read_text()) if RESULTS.exists() else []
    run_peer_here = args.scale <= args.peer_max_scale
    if not run_peer_here:
        ctx["peer_reference"] = peer_reference(sections, args.seed)
        ctx["peer_skipped"] = peer_skip_reason(args.scale, args.peer_max_scale,
                                               ctx["peer_reference"],
                                               ctx["machine"]["memory_gib"])
    ctx["scale_reference"] = scale_reference(sections, args.scale, args.seed)
    inp = ctx["input"]
    print(f"Input: {inp['files']} files, {inp['rows']:,} rows, {inp['bytes'] / 1e6:,.1f} MB "
          f"in {landing}", flush=True)
    if not run_peer_here:
        print(f"Peer not run: {ctx['peer_skipped']}", flush=True)

    scratch = Path(tempfile.mkdtemp(prefix="p3dn-bench-", dir=args.work_dir))
    log_dir = scratch / "logs"
    # The pipeline's landing folder: hard links to the cache, so the changed-export run can
    # replace one file without touching the cache. The floor and peer read the cache.
    pipe_landing = scratch / "landing"
    ctx["landing_mode"] = link_tree(landing, pipe_landing)
    pipe, floor, peer, startup_floor = [], [], [], []
    rerun = rerun_day = changed = None
    last_work = None

    def env_for(work: Path) -> dict[str, str]:
        return pipeline_env(pipe_landing, work, memory_limit, work / "spill")

    try:
        for round_ in range(1, args.runs + 1):
            # The floor first: the last round's warehouse is kept for the re-runs below, and
            # at scale 100 it and the floor's database would not both fit beside the input
            # on a disk with room for either.
            m = run_floor(landing, scratch / f"floor-{round_}", log_dir, f"floor-{round_}",
                          ctx["threads"], memory_limit)
            if check(m, f"floor run {round_}", args.keep_going):
                floor.append(m)
                print(f"[{round_}/{args.runs}] floor {m.wall_s:.1f} s "
                      f"(load {m.extra['load_s']:.1f} s), {m.peak_rss_mb:,.0f} MB", flush=True)
            shutil.rmtree(scratch / f"floor-{round_}", ignore_errors=True)
            m = run_startup_floor(scratch / f"startup-floor-{round_}", log_dir,
                                  f"startup-floor-{round_}")
            if check(m, f"start-up floor run {round_}", args.keep_going):
                startup_floor.append(m)
                print(f"[{round_}/{args.runs}] one-asset Dagster project: first step at "
                      f"{m.extra['to_first_step_s']:.2f} s", flush=True)
            shutil.rmtree(scratch / f"startup-floor-{round_}", ignore_errors=True)
            work = scratch / f"pipeline-{round_}"
            m = run_pipeline(pipe_landing, work, log_dir, f"pipeline-{round_}",
                             env=env_for(work))
            last_work = None
            if check(m, f"pipeline run {round_}", args.keep_going):
                pipe.append(m)
                last_work = work
                print(f"[{round_}/{args.runs}] pipeline {m.wall_s:.1f} s "
                      f"(run {m.extra['run_s']:.1f} s), {m.peak_rss_mb:,.0f} MB", flush=True)
            if round_ < args.runs or args.no_rerun or last_work is None:
                shutil.rmtree(work, ignore_errors=True)
            if run_peer_here:
                m = run_peer(landing, log_dir, f"peer-{round_}")
                if check(m, f"pandas peer run {round_}", args.keep_going):
                    peer.append(m)
                    print(f"[{round_}/{args.runs}] peer {m.wall_s:.1f} s "
                          f"(work {m.extra['work_s']:.1f} s), {m.peak_rss_mb:,.0f} MB",
                          flush=True)
        if not args.no_rerun and last_work is not None:
            env = env_for(last_work)

            def unchanged_rerun(name: str, what: str) -> Measured | None:
                m = run_pipeline(pipe_landing, last_work, log_dir, name, env=env, observe=True)
                if not check(m, what, args.keep_going):
                    return None
                print(f"{what}: {m.wall_s:.1f} s (start-up {m.extra['to_first_step_s']:.1f} s, "
                      f"then {m.extra['from_first_step_s']:.1f} s)", flush=True)
                return m

            rerun = unchanged_rerun("pipeline-rerun", "re-run, nothing changed")
            forget_mart_materializations(Path(env["DAGSTER_HOME"]))
            rerun_day = unchanged_rerun("pipeline-rerun-day",
                                        "re-run, nothing changed, first of a day")
            try:
                export = pick_export(landing)
                export["edit"] = change_one_amount(pipe_landing / export["path"])
            except (OSError, ValueError) as error:
                ctx["changed_error"] = str(error)
                print(f"changed-export run skipped: {error}", file=sys.stderr)
            else:
                m = run_pipeline(pipe_landing, last_work, log_dir, "pipeline-changed", env=env,
                                 observe=True)
                if check(m, "pipeline run after one export changed", args.keep_going):
                    changed = {"measured": m, "export": export}
                    print(f"one export changed ({export['path']}): {m.wall_s:.1f} s (start-up "
                          f"{m.extra['to_first_step_s']:.1f} s, then "
                          f"{m.extra['from_first_step_s']:.1f} s)", flush=True)
        if last_work is not None:
            shutil.rmtree(last_work, ignore_errors=True)
        if args.profile:
            print("Profiling one extra in-process run ...", flush=True)
            ctx["profile"] = profile(landing, scratch / "profile", log_dir, memory_limit)
    finally:
        if not args.keep_going:
            shutil.rmtree(scratch, ignore_errors=True)
    if not (pipe and floor and (peer or not run_peer_here)):
        print(f"Not enough successful measurements to report; logs in {log_dir}", file=sys.stderr)
        return 1

    ctx.update(pipeline=pipe, floor=floor, peer=peer, rerun=rerun, rerun_day=rerun_day,
               changed=changed, startup_floor=startup_floor)

    def med(runs: list[Measured], key: str | None = None) -> float:
        return median([r.extra[key] if key else r.wall_s for r in runs])

    ctx["ratios"] = {
        "pipeline_floor_wall": med(pipe) / med(floor),
        "pipeline_floor_work": med(pipe, "run_s") / med(floor, "load_s"),
        "pipeline_floor_rss": median([r.peak_rss_mb for r in pipe])
        / median([r.peak_rss_mb for r in floor]),
        "pipeline_floor_cpu": median([r.cpu_s for r in pipe]) / median([r.cpu_s for r in floor]),
    }
    if peer:
        ctx["ratios"].update({
            "peer_pipeline_wall": med(peer) / med(pipe),
            "peer_pipeline_work": med(peer, "work_s") / med(pipe, "run_s"),
            "peer_pipeline_rss": median([r.peak_rss_mb for r in peer])
            / median([r.peak_rss_mb for r in pipe]),
            "peer_pipeline_cpu": median([r.cpu_s for r in peer]) / median([r.cpu_s for r in pipe]),
        })
        ctx["headline_ok"], ctx["headline_lines"] = compare_headline(
            pipe[-1].extra["headline"], peer[-1].extra["headline"])
        ctx["totals_lines"] = compare_totals(pipe[-1].extra["totals"], peer[-1].extra["totals"])
    else:
        ctx["headline_ok"], ctx["headline_lines"], ctx["totals_lines"] = None, [], []
    steps = sorted({s for r in pipe for s in r.extra["steps"]})
    ctx["per_step"] = sorted(
        ((s, median([r.extra["steps"][s] for r in pipe if s in r.extra["steps"]])) for s in steps),
        key=lambda item: -item[1])

    text = report(ctx)
    print("\n" + text)
    if not args.no_results:
        append_results(text)
        print(f"Appended to {os.path.relpath(RESULTS, Path.cwd())}")
    return 2 if ctx["headline_ok"] is False else 0


if __name__ == "__main__":
    sys.exit(main())
