"""Resources shared by every asset: the warehouse and the pipeline's own settings."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from dagster import ConfigurableResource, EnvVar, Failure, InitResourceContext, get_dagster_logger
from dagster._utils.backoff import backoff
from dagster_duckdb import DuckDBResource
from pydantic import PrivateAttr

from p3dn_pipeline.lib import step_threads
from p3dn_pipeline.lib.inaproc import TOKEN_ENV, InaprocApi
from p3dn_pipeline.lib.warehouse import (
    DuckDBSettingError,
    disk_full_text,
    exhaustion_cause,
    prepare_session,
)
from p3dn_pipeline.settings import Settings, check_pii_key, load_settings

# Tag of a refresh_all run started after a load_landing run (the load's run id).
LOADED_BY_TAG = "p3dn/loaded_by"
DEMO_KEY_WARNING = (
    "P3DN_PII_KEY is not set: personal identifiers are hashed with the PUBLIC DEMO key. Fine "
    "for the shipped synthetic sample only; set P3DN_PII_KEY for real data.")

_NOTHING_HALF_DONE = (
    "This step's unfinished transaction was rolled back, so the warehouse holds what the "
    "steps before it committed and nothing half written; the serving file, Parquet files and "
    "dashboard are replaced only by a publish that completes, so BI tools still read the "
    "previous publish. Run again once this is fixed.")


def resource_failure(error: BaseException, settings: Settings) -> Failure | None:
    """A step that ran out of memory or disk, or a DuckDB setting DuckDB refuses, as a
    failure whose message names the cause and the variable that changes it."""
    if isinstance(error, DuckDBSettingError):
        return Failure(description=str(error), allow_retries=False)
    cause = exhaustion_cause(error)
    if cause is None:
        return None
    kind, origin = cause
    text = str(origin).strip()
    lines = text.splitlines()
    # The line that names the cause: when DuckDB invalidated the database over another
    # step's full disk (steps run side by side), its first line says only "invalidated" and
    # a later one quotes the original error.
    telling = [line for line in lines if kind == "disk" and disk_full_text(line)]
    first_line = (telling or lines or [type(origin).__name__])[0]
    spill = settings.duckdb_temp_dir or settings.warehouse_path.with_name(
        settings.warehouse_path.name + ".tmp")
    if kind == "memory":
        limit = (f"P3DN_DUCKDB_MEMORY_LIMIT={settings.duckdb_memory_limit}"
                 if settings.duckdb_memory_limit else
                 "DuckDB's default, 80 % of RAM, as P3DN_DUCKDB_MEMORY_LIMIT is not set")
        description = (
            f"Out of memory: DuckDB could not get the memory this step needs within its "
            f"memory limit ({limit}). DuckDB said: {first_line}. Raise "
            f"P3DN_DUCKDB_MEMORY_LIMIT (e.g. '4GB') or free memory on this machine; large "
            f"sorts and joins spill to P3DN_DUCKDB_TEMP_DIR (now {spill}), which needs free "
            f"disk space. {_NOTHING_HALF_DONE}")
    else:
        description = (
            f"Disk full: a file could not be written because its disk has no space left (or "
            f"the process hit its file-size limit). The OS or DuckDB said: {first_line}. Free "
            f"space on the disk of that file: the warehouse is in "
            f"{settings.warehouse_path.parent}, DuckDB's temporary files go to {spill} "
            f"(P3DN_DUCKDB_TEMP_DIR), the serving file to {settings.serving_path.parent} "
            f"(P3DN_SERVING). {_NOTHING_HALF_DONE}")
    return Failure(description=description)


_CONNECTING = threading.Lock()


class P3dnWarehouse(DuckDBResource):
    """The DuckDB warehouse, with the pipeline's macros and hashing key on every connection.

    The key is read from ``P3DN_PII_KEY`` when a connection opens rather than held as resource
    config, because resource config is shown in the Dagster UI. It is judged when a run sets
    the resource up, before any step: every way of starting a run (``p3dn run``, the UI, the
    schedule, the sensor, ``dg launch``) refuses a key it must not use before anything is
    read, and warns once per run about the demo key.
    """

    # Within one run process (the in-process executor of `p3dn run` and the schedule's run
    # worker run every step in one process), steps reuse prepared connections: opening one
    # and installing the macros costs more than a step that finds nothing to do. Steps that
    # run side by side (lib/step_threads.py) each hold a connection of their own (DuckDB's
    # temporary macros, variables and transactions belong to one connection); a finished
    # step hands its connection back here, for the next step.
    _idle: list = PrivateAttr(default_factory=list)
    _idle_lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)
    _share: bool = PrivateAttr(default=False)
    # Set up for a run whose key was judged already: its steps' sessions do not judge it again.
    _key_judged: bool = PrivateAttr(default=False)

    def setup_for_execution(self, context: InitResourceContext) -> None:
        # A refresh that follows a load (tag p3dn/loaded_by) was warned about by that load:
        # the demo-key warning is said once per refresh, not once per run of it.
        followed_a_load = bool(context.dagster_run and
                               context.dagster_run.tags.get(LOADED_BY_TAG))
        judge_pii_key(load_settings(), context.log, warn=not followed_a_load)
        self._key_judged = True
        self._share = True

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        self._share = False
        self._key_judged = False
        self._close_idle()

    def _close_idle(self) -> None:
        with self._idle_lock:
            idle, self._idle = self._idle, []
        for con in idle:
            con.close()

    def _take_idle(self) -> duckdb.DuckDBPyConnection | None:
        with self._idle_lock:
            return self._idle.pop() if self._idle else None

    def _hand_back(self, con: duckdb.DuckDBPyConnection) -> None:
        with self._idle_lock:
            self._idle.append(con)

    def _connect(self, settings: Settings) -> duckdb.DuckDBPyConnection:
        # One connection made at a time: two steps' first sessions at once would each create
        # the schemas and shared tables, and DuckDB fails one of two concurrent creates.
        with _CONNECTING:
            return self._connect_alone(settings)

    def _connect_alone(self, settings: Settings) -> duckdb.DuckDBPyConnection:
        con = backoff(fn=duckdb.connect, retry_on=(RuntimeError, duckdb.IOException),
                      kwargs={"database": self.database, "read_only": False,
                              "config": {"custom_user_agent": "dagster",
                                         **self.connection_config}},
                      max_retries=10)
        try:
            prepare_session(con, settings.pii_key, memory_limit=settings.duckdb_memory_limit,
                            temp_directory=settings.duckdb_temp_dir)
            # Steps side by side wait while this warehouse is large against the memory
            # limit, or while DuckDB spills (lib/step_threads.py). DuckDB's own spill folder
            # is a '.tmp' folder beside the database file.
            step_threads.watch_warehouse(
                Path(self.database),
                step_threads.parse_bytes(con.execute(
                    "SELECT current_setting('memory_limit')").fetchall()[0][0]),
                settings.duckdb_temp_dir or Path(f"{self.database}.tmp"))
            _ensure_shared_tables(con)
        except BaseException:
            con.close()
            raise
        return con

    @contextmanager
    def session(self) -> Iterator[duckdb.DuckDBPyConnection]:
        settings = load_settings()
        if not self._key_judged:  # a session outside a run
            judge_pii_key(settings, get_dagster_logger())
        Path(self.database).parent.mkdir(parents=True, exist_ok=True)
        try:
            con = self._take_idle() if self._share else None
            if con is None:
                con = self._connect(settings)
            try:
                yield con
            except BaseException:
                # A step that fails must not leave the warehouse open (and locked) in this
                # process, nor hand its half-state to the next step; nor may the waiting
                # connections serve the next step, if the failure invalidated the database
                # (a full disk): without them, the next step opens it anew.
                con.close()
                self._close_idle()
                raise
            if not self._share:
                con.close()
                return
            try:
                _drop_temp_tables(con)
                # What closing would do: write the step's commits into the database file, so
                # each step ends with the warehouse whole in one file, as before sharing.
                _checkpoint_unless_busy(con)
            except BaseException:
                # E.g. a full disk: DuckDB invalidates the database; the next step must
                # start from a new connection (and meet the cause itself).
                con.close()
                raise
            self._hand_back(con)
        except Exception as error:
            # Out of memory or disk: say so, and which setting helps, instead of a
            # DuckDB traceback (the original error stays chained for the run log).
            failure = resource_failure(error, settings)
            if failure is None:
                raise
            get_dagster_logger().error(failure.description)
            raise failure from error


def _ensure_shared_tables(con: duckdb.DuckDBPyConnection) -> None:
    """The bookkeeping tables steps share, made before any step runs: two steps running side
    by side (lib/step_threads.py) that both created one inside their transactions would meet
    DuckDB's "Catalog write-write conflict on create", and one of them would fail. Each
    writes only its own rows of them, which concurrent transactions may."""
    from p3dn_pipeline.lib import builds, fiscal_years, ledger, quality_gate

    builds.ensure_table(con)
    ledger.ensure_ledger(con)
    quality_gate.ensure_state(con)
    fiscal_years.ensure_table(con)


def _checkpoint_unless_busy(con: duckdb.DuckDBPyConnection) -> None:
    """CHECKPOINT, unless a step running beside this one is in a write transaction: DuckDB
    refuses then, and that step's own end (or the run's last connection closing) writes
    this step's commits into the file with its own. Until then they are in the write-ahead
    log, which DuckDB replays when it opens the file: committed is committed."""
    try:
        con.execute("CHECKPOINT").fetchall()
    except duckdb.TransactionException as refused:
        if "other write transactions" not in str(refused):
            raise


def _drop_temp_tables(con: duckdb.DuckDBPyConnection) -> None:
    """A step's working tables can be as large as what it built: free them before the
    connection serves the next step. The session's macros and variables stay."""
    names = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE temporary").fetchall()
    for (name,) in names:
        con.execute(f'DROP TABLE IF EXISTS temp.main."{name}"').fetchall()


def judge_pii_key(settings: Settings, log, *, warn: bool = True) -> None:
    """Refuse the key a run must not use (check_pii_key), or warn that it is the demo key."""
    check_pii_key(settings)
    if settings.uses_demo_pii_key and warn:
        log.warning(DEMO_KEY_WARNING)


class PipelineSettings(ConfigurableResource):
    """Where exports arrive and which pemda un-labelled exports (APBD, KPKP) belong to."""

    landing_dir: str
    kd_klpd: str

    def setup_for_execution(self, context: InitResourceContext) -> None:
        # The landing folder a run reads may be set here (e.g. in the launchpad) rather than
        # by P3DN_LANDING_DIR, which the warehouse judges the demo key against.
        check_pii_key(load_settings(), self.landing_path)

    @property
    def landing_path(self) -> Path:
        return Path(self.landing_dir)


def default_resources() -> dict:
    settings = load_settings()
    return {
        "warehouse": P3dnWarehouse(database=str(settings.warehouse_path)),
        "pipeline": PipelineSettings(landing_dir=str(settings.landing_dir),
                                     kd_klpd=settings.kd_klpd),
        # Only the pull assets (defs/inaproc) use it; a run that pulls nothing never sets
        # it up, so INAPROC_API_TOKEN is needed only where the API is used.
        "inaproc": InaprocApi(token=EnvVar(TOKEN_ENV)),
    }
