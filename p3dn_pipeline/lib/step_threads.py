"""A run's ready steps side by side, in threads of the run's one process.

Dagster's in-process executor runs one step at a time, and its multiprocess executor runs
each step in a process of its own, which DuckDB cannot serve: one process at a time may
write a database file. So a ``p3dn run`` used about 1.2 of the benchmark machine's 2 cores
(72.5 s of CPU in a 59.5 s run at scale 1, benchmarks/RESULTS.md 16:00): while one step
reads a workbook in Python or Great Expectations builds its metric configurations, DuckDB
had nothing to do, and while DuckDB typed a staging table, Python waited for it.

:func:`install` (called when the definitions load, like ``dagster_storage.install``) makes
Dagster's in-process execution, the executor of the project's jobs and of
``execute_in_process``/``materialize``, run up to ``P3DN_STEP_THREADS`` steps at once (default
2; 1 runs them one at a time, as Dagster does). What does not change:

- the order the asset graph gives: a step starts only once every step it depends on has
  succeeded, and a failed step's downstream steps are skipped, as before;
- what each step writes is its own: each takes its own warehouse connection
  (``P3dnWarehouse.session``) with its own transactions and working tables, so a step that
  fails rolls back only itself; steps that share a bookkeeping table (``quality.builds``, the
  file ledger, ``quality.check_results``) write different rows of it, which DuckDB lets
  concurrent transactions do;
- Dagster's bookkeeping (which step may start, what failed, retries) is done in the run's own
  thread, from the events each step's thread hands over, as the in-process executor does.

Steps that do not depend on each other may now finish in either order; nothing the pipeline
computes depends on that order (the full sample run gives the same warehouse either way:
``p3dn_pipeline_tests/integration/test_step_threads.py``).

A module imported for the first time in one thread while another thread imports can be met
half initialised (``from package import name`` finding the package without ``name`` yet).
The modules a step imports late (Great Expectations: 3 s of single-threaded Python) are
therefore named by its op tag :data:`IMPORTS_TAG` and imported in the run's thread before
any step starts.

Steps side by side share DuckDB's one memory limit, so each spills sooner and more. At
national size (scale 100) two staging steps of tens of millions of rows, started together,
spilled until the benchmark machine's disk was full, where one at a time had fitted
(benchmarks/RESULTS.md, 2026-12-08 03:00 and 03:55). So a step starts beside a running one
only while both hold (:func:`side_by_side_hindrance`):

- the warehouse (its file and write-ahead log) is no larger than half the memory limit: the
  tables a step reads then fit, compressed as stored, in its half of the memory; a larger
  warehouse means tables whose sorts and joins spill, and two such steps spill together;
- nothing is spilled in DuckDB's temporary folder.

The warehouse resource registers its database, memory limit and spill folder
(:func:`watch_warehouse`). Held-back steps wait, never fail; a step with nothing running
beside it always starts. The run's log says when steps are held back, and why, and when they
run side by side again.

An interrupted run (Ctrl-C, a termination from the UI) starts no further step, waits for the
running ones to end, and then stops as before. It is a change to a private function of the
Dagster version in the lock (1.13): on another version whose in-process executor has no
``inprocess_execution_iterator``, steps run one at a time as Dagster runs them.
"""

from __future__ import annotations

import importlib
import os
import queue
import re
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

STEP_THREADS_ENV = "P3DN_STEP_THREADS"
# Op tag of an asset whose step imports modules late: their names, comma-separated.
IMPORTS_TAG = "p3dn/imports"
MAX_STEP_THREADS = 16
# How long the run's thread waits for a step's event before it looks again (an interrupt
# is raised in the run's thread: it must not sit in an endless wait).
_POLL_SECONDS = 0.2
_DONE = object()


@dataclass(frozen=True)
class _Watched:
    memory_limit_bytes: int
    spill_folder: Path


# The warehouses this process has opened, each with DuckDB's memory limit and spill folder.
_WATCHED: dict[Path, _Watched] = {}
_WATCHED_LOCK = threading.Lock()


def watch_warehouse(database: Path, memory_limit_bytes: int, spill_folder: Path) -> None:
    """Hold steps back from starting side by side while this warehouse is large against its
    memory limit, or while its spill folder (DuckDB's ``temp_directory``) holds data."""
    with _WATCHED_LOCK:
        _WATCHED[Path(database)] = _Watched(memory_limit_bytes, Path(spill_folder))


def side_by_side_hindrance() -> str | None:
    """Why no further step may start beside a running one now, or None."""
    with _WATCHED_LOCK:
        watched = dict(_WATCHED)
    for database, limits in watched.items():
        spilled = _folder_bytes(limits.spill_folder)
        if spilled:
            return (f"DuckDB has spilled {spilled / 2**20:,.0f} MB to disk "
                    f"({limits.spill_folder})")
        size = _file_bytes(database) + _file_bytes(Path(f"{database}.wal"))
        if size > limits.memory_limit_bytes // 2:
            return (f"the warehouse ({size / 2**20:,.0f} MB) is larger than half DuckDB's "
                    f"memory limit ({limits.memory_limit_bytes / 2**20:,.0f} MB), which "
                    "steps side by side share")
    return None


def _file_bytes(path: Path) -> int:
    try:
        return path.stat().st_size
    except (FileNotFoundError, NotADirectoryError):
        return 0


def _folder_bytes(folder: Path) -> int:
    """What the files directly in ``folder`` hold, in bytes (a folder not there holds none)."""
    total = 0
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                try:
                    if entry.is_file(follow_symlinks=False):
                        total += entry.stat(follow_symlinks=False).st_size
                except FileNotFoundError:  # DuckDB removed it meanwhile
                    continue
    except (FileNotFoundError, NotADirectoryError):
        pass
    return total


def parse_bytes(text: str) -> int:
    """DuckDB's way of writing an amount of memory (``current_setting('memory_limit')``:
    '2.7 GiB', '512.0 MiB', '3GB', '0 bytes') in bytes."""
    match = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([KMGTP]?i?B|bytes?)?\s*", text,
                         re.IGNORECASE)
    if match is None:
        raise ValueError(f"not an amount of memory: {text!r}")
    number, unit = float(match[1]), (match[2] or "B").upper()
    if unit.startswith("BYTE"):
        unit = "B"
    powers = {"B": 0, "K": 1, "M": 2, "G": 3, "T": 4, "P": 5}
    base = 1024 if "I" in unit else 1000
    return int(number * base ** powers[unit[0]])


class StepThreadsError(ValueError):
    """P3DN_STEP_THREADS holds something other than a number of steps."""


def step_threads() -> int:
    """How many steps a run runs at once: P3DN_STEP_THREADS, default 2."""
    text = os.environ.get(STEP_THREADS_ENV, "2").strip()
    if not text.isdigit() or not 1 <= int(text) <= MAX_STEP_THREADS:
        raise StepThreadsError(f"{STEP_THREADS_ENV}={text!r}: a number of steps run at once, "
                               f"from 1 (one at a time) to {MAX_STEP_THREADS}")
    return int(text)


def modules_imported_first(steps) -> list[str]:
    """The modules the steps' op tags (:data:`IMPORTS_TAG`) name, each once, in order."""
    names: dict[str, None] = {}
    for step in steps:
        for name in (step.tags or {}).get(IMPORTS_TAG, "").split(","):
            if name.strip():
                names[name.strip()] = None
    return list(names)


class _Raised:
    """An error raised in a step's thread outside Dagster's own handling of step errors (a
    fault of the framework, not of the step's code): raised again in the run's thread."""

    def __init__(self, error: BaseException):
        self.error = error


class _StepThread(threading.Thread):
    def __init__(self, step_context, events: queue.Queue):
        super().__init__(name=f"p3dn-step-{step_context.step.key}", daemon=True)
        self.step_context = step_context
        self.events = events
        self.step_events: list = []

    def run(self) -> None:
        from dagster._core.execution.plan.execute_plan import dagster_event_sequence_for_step

        key = self.step_context.step.key
        try:
            # Each event is stored in the run's event log as it is made, here; the run's
            # thread does Dagster's bookkeeping with it.
            for event in dagster_event_sequence_for_step(self.step_context):
                self.events.put((key, event))
        except BaseException as error:  # noqa: BLE001 - handed to the run's thread
            self.events.put((key, _Raised(error)))
        finally:
            self.events.put((key, _DONE))


def threaded_plan_execution_iterator(job_context, execution_plan,
                                     instance_concurrency_context=None,
                                     max_concurrent: int | None = None) -> Iterator:
    """Dagster's ``inner_plan_execution_iterator`` (dagster/_core/execution/plan/
    execute_plan.py, 1.13), with up to ``max_concurrent`` steps running at once."""
    from dagster._core.events import DagsterEvent
    from dagster._core.execution.compute_logs import create_compute_log_file_key
    from dagster._core.execution.plan.execute_plan import (
        _handle_compute_log_setup_error,
        _handle_compute_log_teardown_error,
        _trigger_hook,
    )

    max_concurrent = max_concurrent or step_threads()
    compute_log_manager = job_context.instance.compute_log_manager
    ordered = execution_plan.get_steps_to_execute_in_topo_order()
    step_keys = [step.key for step in ordered]
    for name in modules_imported_first(ordered):
        importlib.import_module(name)
    events: queue.Queue = queue.Queue()
    running: dict[str, _StepThread] = {}
    with execution_plan.start(
        retry_mode=job_context.retry_mode,
        instance_concurrency_context=instance_concurrency_context,
        step_dependency_config=job_context.step_dependency_config,
    ) as active_execution:
        with ExitStack() as capture_stack:
            # Output is captured for the whole process, as the in-process executor does.
            file_key = create_compute_log_file_key()
            log_key = compute_log_manager.build_log_key_for_run(job_context.run_id, file_key)
            try:
                log_context = capture_stack.enter_context(compute_log_manager.capture_logs(log_key))
                yield DagsterEvent.capture_logs(job_context, step_keys, log_key, log_context)
            except Exception:
                yield from _handle_compute_log_setup_error(job_context, sys.exc_info())

            try:
                held_back_since = None
                while not active_execution.is_complete:
                    free = max_concurrent - len(running)
                    if free > 1 or (free > 0 and running):
                        hindrance = side_by_side_hindrance()
                        if hindrance is not None:
                            # See the module's docstring. With nothing running, one step
                            # starts, alone: not two at once.
                            free = 0 if running else 1
                            if held_back_since is None:
                                held_back_since = time.monotonic()
                                job_context.log.info(
                                    "Steps run one at a time: "
                                    + (f"no further step starts beside "
                                       f"{', '.join(sorted(running))}: " if running else "")
                                    + hindrance)
                        elif held_back_since is not None:
                            job_context.log.info(
                                f"Steps run side by side again (held back "
                                f"{time.monotonic() - held_back_since:,.1f} s)")
                            held_back_since = None
                    ready = active_execution.get_steps_to_execute(limit=free) if free > 0 else []
                    yield from active_execution.concurrency_event_iterator(job_context)
                    for step in ready:
                        thread = _StepThread(
                            job_context.for_step(step, active_execution.get_known_state()),
                            events)
                        running[step.key] = thread
                        thread.start()
                    if not running:
                        active_execution.sleep_til_ready()  # e.g. a step waiting to retry
                        continue
                    try:
                        key, item = events.get(timeout=_POLL_SECONDS)
                    except queue.Empty:
                        continue
                    thread = running[key]
                    if item is _DONE:
                        del running[key]
                        thread.join()
                        active_execution.verify_complete(job_context, key)
                        # Steps skipped after a failure, or whose inputs are now missing.
                        for event in active_execution.plan_events_iterator(job_context):
                            thread.step_events.append(event)
                            yield event
                        yield from _trigger_hook(thread.step_context, thread.step_events)
                    elif isinstance(item, _Raised):
                        raise item.error
                    else:
                        thread.step_events.append(item)
                        yield item
                        active_execution.handle_event(item)
            finally:
                # Interrupted, or a framework error: no step is started any more, and the
                # run ends only after the running ones did (their threads cannot be stopped
                # from outside; each ends as a step does, committed or rolled back).
                for thread in list(running.values()):
                    thread.join()

            try:
                capture_stack.close()
            except Exception:
                yield from _handle_compute_log_teardown_error(job_context, sys.exc_info())


def _threaded_inprocess_execution_iterator(job_context, execution_plan,
                                           instance_concurrency_context=None) -> Iterator:
    from dagster._core.execution.plan.instance_concurrency_context import (
        InstanceConcurrencyContext,
    )

    with InstanceConcurrencyContext(job_context.instance, job_context.dagster_run) as claims:
        yield from threaded_plan_execution_iterator(job_context, execution_plan, claims)


def install() -> None:
    """Make Dagster's in-process execution run up to P3DN_STEP_THREADS steps at once, in
    this process (idempotent). The setting is read when a run starts, so a process can
    change it between runs."""
    from dagster._core.executor import in_process

    original = getattr(in_process, "inprocess_execution_iterator", None)
    if original is None or getattr(in_process, "_p3dn_original_iterator", None) is not None:
        return
    in_process._p3dn_original_iterator = original

    def iterator(job_context, execution_plan, instance_concurrency_context=None):
        from p3dn_pipeline.lib.dagster_storage import pool_postgres_storages

        threads = step_threads()
        # The run's events go to PostgreSQL through kept-open connections, not one new
        # connection per event (a run worker's instance is made before our code loads).
        pool_postgres_storages(job_context.instance, threads + 1)
        if threads == 1:
            return original(job_context, execution_plan, instance_concurrency_context)
        return _threaded_inprocess_execution_iterator(job_context, execution_plan,
                                                      instance_concurrency_context)

    in_process.inprocess_execution_iterator = iterator
