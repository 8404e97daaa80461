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

While DuckDB has spilled data to disk (a sort or join larger than its memory limit, which
steps side by side share), no further step starts beside the running ones: each would get
less memory and spill more, and at national size (scale 100) two spilling steps filled the
benchmark machine's disk where one at a time had not (benchmarks/RESULTS.md, 2026-12-08).
The warehouse resource names its spill folders (:func:`watch_spill_folder`); steps wait,
never fail, and start again side by side once the folders are empty.

An interrupted run (Ctrl-C, a termination from the UI) starts no further step, waits for the
running ones to end, and then stops as before. It is a change to a private function of the
Dagster version in the lock (1.13): on another version whose in-process executor has no
``inprocess_execution_iterator``, steps run one at a time as Dagster runs them.
"""

from __future__ import annotations

import importlib
import os
import queue
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

STEP_THREADS_ENV = "P3DN_STEP_THREADS"
# Op tag of an asset whose step imports modules late: their names, comma-separated.
IMPORTS_TAG = "p3dn/imports"
MAX_STEP_THREADS = 16
# How long the run's thread waits for a step's event before it looks again (an interrupt
# is raised in the run's thread: it must not sit in an endless wait).
_POLL_SECONDS = 0.2
_DONE = object()
# DuckDB's temporary folders of the warehouses this process has opened (where it spills).
_SPILL_FOLDERS: set[Path] = set()
_SPILL_FOLDERS_LOCK = threading.Lock()


def watch_spill_folder(folder: Path) -> None:
    """Hold back further steps while ``folder`` (a DuckDB ``temp_directory``) holds data."""
    with _SPILL_FOLDERS_LOCK:
        _SPILL_FOLDERS.add(Path(folder))


def spilled_bytes() -> int:
    """What DuckDB's spill folders hold now, in bytes (a folder not there holds nothing)."""
    with _SPILL_FOLDERS_LOCK:
        folders = list(_SPILL_FOLDERS)
    total = 0
    for folder in folders:
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    try:
                        if entry.is_file(follow_symlinks=False):
                            total += entry.stat(follow_symlinks=False).st_size
                    except FileNotFoundError:  # DuckDB removed it meanwhile
                        continue
        except (FileNotFoundError, NotADirectoryError):
            continue
    return total


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
                    if free > 0 and running:
                        spilled = spilled_bytes()
                        if spilled:
                            free = 0  # see the module's docstring
                            if held_back_since is None:
                                held_back_since = time.monotonic()
                                job_context.log.info(
                                    f"DuckDB has spilled {spilled / 2**20:,.0f} MB to disk: no "
                                    f"further step starts beside {', '.join(sorted(running))} "
                                    "until the spill is gone")
                        elif held_back_since is not None:
                            job_context.log.info(
                                f"Spill gone after {time.monotonic() - held_back_since:,.1f} s: "
                                "steps run side by side again")
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
