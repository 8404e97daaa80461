"""Resources shared by every asset: the warehouse and the pipeline's own settings."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from dagster import ConfigurableResource, EnvVar, Failure, InitResourceContext, get_dagster_logger
from dagster._utils.backoff import backoff
from dagster_duckdb import DuckDBResource
from pydantic import PrivateAttr

from p3dn_pipeline.lib.inaproc import TOKEN_ENV, InaprocApi
from p3dn_pipeline.lib.warehouse import DuckDBSettingError, exhaustion_cause, prepare_session
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
    first_line = text.splitlines()[0] if text else type(origin).__name__
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


class P3dnWarehouse(DuckDBResource):
    """The DuckDB warehouse, with the pipeline's macros and hashing key on every connection.

    The key is read from ``P3DN_PII_KEY`` when a connection opens rather than held as resource
    config, because resource config is shown in the Dagster UI. It is judged when a run sets
    the resource up, before any step: every way of starting a run (``p3dn run``, the UI, the
    schedule, the sensor, ``dg launch``) refuses a key it must not use before anything is
    read, and warns once per run about the demo key.
    """

    # Within one run process (the in-process executor of `p3dn run` and the schedule's run
    # worker run every step in one process), steps share one prepared connection: opening
    # one and installing the macros costs more than a step that finds nothing to do.
    _shared: duckdb.DuckDBPyConnection | None = PrivateAttr(default=None)
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
        self._close_shared()

    def _close_shared(self) -> None:
        con, self._shared = self._shared, None
        if con is not None:
            con.close()

    def _connect(self, settings: Settings) -> duckdb.DuckDBPyConnection:
        con = backoff(fn=duckdb.connect, retry_on=(RuntimeError, duckdb.IOException),
                      kwargs={"database": self.database, "read_only": False,
                              "config": {"custom_user_agent": "dagster",
                                         **self.connection_config}},
                      max_retries=10)
        try:
            prepare_session(con, settings.pii_key, memory_limit=settings.duckdb_memory_limit,
                            temp_directory=settings.duckdb_temp_dir)
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
            con = self._shared
            if con is None:
                con = self._connect(settings)
            try:
                yield con
            except BaseException:
                # A step that fails must not leave the warehouse open (and locked) in this
                # process, nor hand its half-state to the next step.
                if con is self._shared:
                    self._shared = None
                con.close()
                raise
            if not self._share:
                con.close()
                return
            try:
                _drop_temp_tables(con)
                # What closing would do: write the step's commits into the database file, so
                # each step ends with the warehouse whole in one file, as before sharing.
                con.execute("CHECKPOINT").fetchall()
            except BaseException:
                # E.g. a full disk: DuckDB invalidates the database; the next step must
                # start from a new connection (and meet the cause itself).
                if con is self._shared:
                    self._shared = None
                con.close()
                raise
            self._shared = con
        except Exception as error:
            # Out of memory or disk: say so, and which setting helps, instead of a
            # DuckDB traceback (the original error stays chained for the run log).
            failure = resource_failure(error, settings)
            if failure is None:
                raise
            get_dagster_logger().error(failure.description)
            raise failure from error


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
