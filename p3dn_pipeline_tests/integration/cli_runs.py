"""Real runs of the ``p3dn run`` command in a subprocess, watched through the Dagster instance
it writes, for the crash-safety, resource-failure and personal-data tests.

Each ``Deployment`` is one installation in miniature: a landing folder, a warehouse (with the
serving file, Parquet folder and dashboard beside it, their defaults), a file-backed Dagster
instance (``DAGSTER_HOME``, SQLite, the repository's ``dagster.yaml``) and a private
``TMPDIR``. The environment of the child is built from scratch for the ``P3DN_*`` and
``DAGSTER_*`` variables, so a developer's own settings never leak in.

``DAGSTER_HOME`` is put on ``/dev/shm`` when there is one: SQLite syncs Dagster's event log on
every event, which on a busy disk costs more than the pipeline itself (a run of the sample
takes ~45 s with it on disk, ~20 s on tmpfs here). SIGKILL does not care where a file lives:
what the killed process wrote is in the page cache either way, so the crash tests lose
nothing by it. The warehouse stays on the test's own (disk) folder.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from p3dn_pipeline_tests.conftest import REPO

SAMPLE_LANDING = REPO / "data" / "landing"
P3DN = Path(sys.executable).with_name("p3dn")
# Long enough to be accepted outside demo mode; the tests look for it in what runs write.
RUN_PII_KEY = "uji-kunci-rahasia-9c41e7d2b85f4a03"
RUN_TIMEOUT_S = 300


def copy_sample_landing(destination: Path) -> Path:
    """The committed sample, without its MANIFEST.json (not an export)."""
    shutil.copytree(SAMPLE_LANDING, destination,
                    ignore=shutil.ignore_patterns("MANIFEST.json"))
    return destination


@contextmanager
def fast_folder(prefix: str) -> Iterator[Path]:
    """A private folder on tmpfs when the machine has one, removed afterwards."""
    base = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=base))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@dataclass
class Finished:
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


@dataclass
class Deployment:
    root: Path
    landing: Path
    dagster_home: Path
    pii_key: str | None = RUN_PII_KEY  # None: P3DN_PII_KEY not set
    demo_mode: bool = True
    extra_env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.dagster_home.mkdir(parents=True, exist_ok=True)
        # As the Makefile does for any DAGSTER_HOME: the repository's instance settings.
        shutil.copy(REPO / "dagster.yaml", self.dagster_home / "dagster.yaml")
        self.tmpdir.mkdir(parents=True, exist_ok=True)
        self.logs.mkdir(parents=True, exist_ok=True)
        # Create the instance's storage now (as `dagster instance migrate` would), so that
        # the tests reading it while a run writes it never race the run to create it.
        instance_of(self.dagster_home).get_runs(limit=1)

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse" / "p3dn.duckdb"

    @property
    def serving(self) -> Path:
        return Path(self.extra_env.get("P3DN_SERVING", self.warehouse.with_name("marts.duckdb")))

    @property
    def parquet_dir(self) -> Path:
        return Path(self.extra_env.get("P3DN_PARQUET_DIR", self.warehouse.with_name("parquet")))

    @property
    def dashboard(self) -> Path:
        return Path(self.extra_env.get("P3DN_DASHBOARD",
                                       self.warehouse.with_name("dashboard.html")))

    @property
    def tmpdir(self) -> Path:
        return self.root / "tmp"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    def environ(self) -> dict[str, str]:
        env = {name: value for name, value in os.environ.items()
               if not name.startswith(("P3DN_", "DAGSTER_"))}
        env.update({
            "P3DN_LANDING_DIR": str(self.landing),
            "P3DN_WAREHOUSE": str(self.warehouse),
            "DAGSTER_HOME": str(self.dagster_home),
            "TMPDIR": str(self.tmpdir),
            "PYTHONUNBUFFERED": "1",
        })
        if self.pii_key is not None:
            env["P3DN_PII_KEY"] = self.pii_key
        if self.demo_mode:
            env["P3DN_DEMO_MODE"] = "1"
        env.update(self.extra_env)
        return env

    def start(self, name: str, *, preexec_fn: Callable[[], None] | None = None,
              args: tuple[str, ...] = ("run",),
              env: dict[str, str] | None = None) -> subprocess.Popen:
        """``p3dn run`` (or ``p3dn <args>``) in the background; its stdout and stderr go to
        logs/<name>.out|.err. ``env``: variables for this run alone."""
        return subprocess.Popen(
            [str(P3DN), *args], cwd=self.root, env={**self.environ(), **(env or {})},
            stdout=(self.logs / f"{name}.out").open("wb"),
            stderr=(self.logs / f"{name}.err").open("wb"), preexec_fn=preexec_fn)

    def finished(self, name: str, process: subprocess.Popen) -> Finished:
        return Finished(process.returncode,
                        (self.logs / f"{name}.out").read_text(errors="replace"),
                        (self.logs / f"{name}.err").read_text(errors="replace"))

    def run(self, name: str, *, preexec_fn: Callable[[], None] | None = None,
            args: tuple[str, ...] = ("run",)) -> Finished:
        process = self.start(name, preexec_fn=preexec_fn, args=args)
        try:
            process.wait(timeout=RUN_TIMEOUT_S)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        return self.finished(name, process)


def instance_of(dagster_home: Path):
    from dagster import DagsterInstance

    return DagsterInstance.from_config(str(dagster_home))


class StepWatch:
    """The steps of the next runs of an instance (``p3dn run`` makes two: load_landing, then
    refresh_all), read from their event logs as they are written."""

    def __init__(self, dagster_home: Path):
        self.dagster_home = dagster_home
        self.instance = instance_of(dagster_home)
        self.known_runs = {run.run_id for run in self.instance.get_runs()}

    def step_events(self) -> dict[str, set[str]]:
        """step key -> the STEP_START / STEP_SUCCESS / STEP_FAILURE events it has so far, in
        the newest run that has the step."""
        from dagster import DagsterEventType

        new = [run.run_id for run in self.instance.get_runs(limit=5)
               if run.run_id not in self.known_runs]
        events: dict[str, set[str]] = {}
        for run_id in reversed(new):  # oldest first: a later run's events win
            # The run's own SQLite file is created by the run; never create it from here.
            if not (self.dagster_home / "history" / "runs" / f"{run_id}.db").exists():
                continue
            in_run: dict[str, set[str]] = {}
            for entry in self.instance.all_logs(run_id, of_type={
                    DagsterEventType.STEP_START, DagsterEventType.STEP_SUCCESS,
                    DagsterEventType.STEP_FAILURE}):
                in_run.setdefault(entry.step_key, set()).add(
                    entry.dagster_event.event_type_value)
            events.update(in_run)
        return events

    def poll(self) -> dict[str, set[str]]:
        """As step_events, but an event log busy being written reads as nothing new rather
        than failing the test."""
        try:
            return self.step_events()
        except Exception:  # sqlite "database is locked"
            return {}


@dataclass
class Kill:
    step_key: str
    events: dict[str, set[str]]
    # The optional ``unfinished`` signal, read just before the kill (None: not given).
    unfinished: bool | None = None

    @property
    def step_was_running(self) -> bool:
        return self.events.get(self.step_key) == {"STEP_START"}


def kill_during_step(process: subprocess.Popen, watch: StepWatch, step_key: str, *,
                     inside: Callable[[], bool] | None = None, delay: float = 0.0,
                     unfinished: Callable[[], bool] | None = None,
                     timeout: float = RUN_TIMEOUT_S) -> Kill:
    """SIGKILL ``process`` while ``step_key`` runs.

    The step's start is read from the run's event log (STEP_START), polled continuously.
    With ``inside``, a finer signal that the step is in the middle of its work (a file it
    creates only there), the kill waits for that signal instead, which is checked far more
    often than the event log can be read; otherwise it comes ``delay`` seconds after
    STEP_START is seen. ``unfinished`` is read just before the kill and recorded (e.g. "the
    step has not committed yet").
    """
    deadline = time.monotonic() + timeout
    started_at = None
    next_log_poll = 0.0
    while True:
        now = time.monotonic()
        if process.poll() is not None:
            raise AssertionError(f"the run ended (exit {process.returncode}) before it could "
                                 f"be killed during {step_key}")
        if now > deadline:
            process.kill()
            raise AssertionError(f"{step_key} did not start within {timeout} s")
        if inside is not None and inside():
            break
        if started_at is None and now >= next_log_poll:
            if "STEP_START" in watch.poll().get(step_key, set()):
                started_at = time.monotonic()
            next_log_poll = time.monotonic() + 0.01
        if inside is None and started_at is not None and now - started_at >= delay:
            break
        time.sleep(0.002)
    before = None if unfinished is None else unfinished()
    process.send_signal(signal.SIGKILL)
    process.wait()
    # The event log of the killed run, read back: the step started and never ended.
    return Kill(step_key, watch.step_events(), before)


# Columns whose values legitimately differ between two runs on the same input: when a file
# was loaded, when a table was built or checked, and the id and time of a publish; and the
# change time and inode of a landed file, which two copies of the same landing folder never
# share.
VOLATILE_COLUMNS = {
    ("raw", "file_ledger"): {"first_seen_at", "status_at", "changed_ns", "inode"},
    # metadata_serialized: the check's Dagster metadata, which shows sample rows as well.
    ("quality", "check_results"): {"build_id", "checked_at", "metadata_serialized"},
    # A fingerprint hashes its upstream build ids, so it is as volatile as they are; which
    # slices were built stays compared.
    ("quality", "builds"): {"fingerprint", "build_id", "built_at"},
    ("marts", "p3dn_provinsi"): {"dimuat_pada"},
    ("marts", "p3dn_realisasi_kanal"): {"dimuat_pada"},
    ("marts", "p3dn_snapshot"): {"snapshot_id", "diambil_pada"},
    ("marts", "p3dn_perubahan_ekspor"): {"snapshot_id", "diambil_pada", "terjadi_pada"},
    ("main", "p3dn_provinsi"): {"dimuat_pada"},
    ("main", "p3dn_realisasi_kanal"): {"dimuat_pada"},
    ("main", "p3dn_snapshot"): {"snapshot_id", "diambil_pada"},
    ("main", "p3dn_perubahan_ekspor"): {"snapshot_id", "diambil_pada", "terjadi_pada"},
}
LOAD_TIME_COLUMN = "_loaded_at"  # raw, staging and quarantine rows: the load time of the file


def excluded_columns(schema: str, table: str) -> set[str]:
    return VOLATILE_COLUMNS.get((schema, table), set()) | {LOAD_TIME_COLUMN}


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def tables_of(con: duckdb.DuckDBPyConnection, database: str, schema: str) -> list[str]:
    return [row[0] for row in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = $d AND schema_name = $s "
        "ORDER BY table_name", {"d": database, "s": schema}).fetchall()]


def table_rows(con: duckdb.DuckDBPyConnection, database: str, schema: str, table: str,
               exclude: set[str] | None = None) -> list[tuple]:
    """Every row, ORDER BY ALL, without the columns that legitimately differ."""
    exclude = excluded_columns(schema, table) if exclude is None else exclude
    columns = [row[0] for row in con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE database_name = $d AND schema_name = $s "
        "AND table_name = $t ORDER BY column_index",
        {"d": database, "s": schema, "t": table}).fetchall() if row[0] not in exclude]
    return con.execute(
        f"SELECT {', '.join(map(quote, columns))} FROM {quote(database)}.{quote(schema)}."
        f"{quote(table)} ORDER BY ALL").fetchall()


@contextmanager
def read_only(path: Path, alias: str = "db") -> Iterator[duckdb.DuckDBPyConnection]:
    """A DuckDB file attached read-only into a fresh in-memory database (the Python client
    caches one instance per path, which could hand back a file as it was before a swap).
    Opening replays a write-ahead log left by a killed writer, in memory."""
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH $p AS {alias} (READ_ONLY)", {"p": str(path)}).fetchall()
        yield con
    finally:
        con.close()


def schema_contents(path: Path, schemas: tuple[str, ...]) -> dict[str, list[tuple]]:
    """'schema.table' -> rows (volatile columns left out), for every table of ``schemas``."""
    with read_only(path) as con:
        return {f"{schema}.{table}": table_rows(con, "db", schema, table)
                for schema in schemas for table in tables_of(con, "db", schema)}


def differences(actual: dict[str, list[tuple]], expected: dict[str, list[tuple]]) -> list[str]:
    """What differs, briefly: missing or extra tables, row counts, the first differing row."""
    problems = []
    for name in sorted(actual.keys() | expected.keys()):
        if name not in actual:
            problems.append(f"{name}: missing")
        elif name not in expected:
            problems.append(f"{name}: not expected")
        elif actual[name] != expected[name]:
            a, e = actual[name], expected[name]
            first = next((i for i, (x, y) in enumerate(zip(a, e)) if x != y), min(len(a), len(e)))
            problems.append(f"{name}: {len(a)} rows vs {len(e)} expected; first difference at "
                            f"row {first}: {a[first] if first < len(a) else None!r} vs "
                            f"{e[first] if first < len(e) else None!r}")
    return problems


def file_sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()
