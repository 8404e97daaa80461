"""What runs the pipeline without a person: the 06:00 WIB daily refresh, the landing-folder
sensor, and the freshness expected of the marts.

Both start the same two runs. ``load_landing`` loads new files into the raw tables and
registers the fiscal years their rows belong to as partitions (see lib/partitions.py); when
it succeeds, ``refresh_after_load`` starts ``refresh_all`` over every year with data, less
the raw group that the load has just run (``after_load_selection``). Both
are cheap on unchanged inputs (the file ledger skips every file already loaded with the same
sha256, and a table whose inputs did not change is not rebuilt), so a run started for one new
file brings everything else up to date as well, and nothing is ever loaded twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from dagster import (
    AssetKey,
    AssetSelection,
    AssetSpec,
    DagsterInstance,
    DagsterRunStatus,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    Definitions,
    FreshnessPolicy,
    JobDefinition,
    RunRequest,
    RunStatusSensorContext,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    define_asset_job,
    run_status_sensor,
    schedule,
    sensor,
)

from p3dn_pipeline.lib import landing, run_plan
from p3dn_pipeline.lib.builds import full_refresh_tagged
from p3dn_pipeline.lib.partitions import fiscal_year_range_tags, fiscal_years_of_run
from p3dn_pipeline.lib.resources import LOADED_BY_TAG, default_resources
from p3dn_pipeline.lib.ledger import LEDGER_TABLE
from p3dn_pipeline.settings import load_settings

# A run that fails on something transient (another process had the warehouse file open when a
# step needed to write it, a run worker was killed) is started again from the failed step by
# the daemon; needs `run_retries: enabled: true` in dagster.yaml. Every write is a
# transaction, so a retry never finds half a table.
MAX_RUN_RETRIES = 2
# On a refresh that left out tables whose inputs were unchanged: how many (lib/run_plan.py).
LEFT_OUT_UNCHANGED_TAG = "p3dn/left_out_unchanged"

# What a load runs: the file ledger and the raw tables. A refresh that follows a load runs
# the rest (after_load_selection).
LOAD_SELECTION = AssetSelection.groups("raw")
load_landing_job = define_asset_job(
    "load_landing", selection=LOAD_SELECTION,
    description=("The file ledger and the raw tables: loads new files and registers the "
                 "fiscal years with data as partitions. refresh_all follows when it succeeds."),
    run_tags={"dagster/max_retries": str(MAX_RUN_RETRIES)},
)
# Everything but the INAPROC pull (defs/inaproc): a refresh reads the landing folder and
# never calls the network; the pull has its own job and schedule.
refresh_all_job = define_asset_job(
    "refresh_all", selection=AssetSelection.all() - AssetSelection.groups("pull"),
    description=("Every asset, from the landing folder to the marts, in one run (the INAPROC "
                 "pull, group pull, is not part of it)."),
    run_tags={"dagster/max_retries": str(MAX_RUN_RETRIES)},
)


def after_load_selection(refresh_job: JobDefinition) -> list[AssetKey]:
    """refresh_all's assets without the file ledger and the raw tables (group raw), for a
    refresh that follows a load: the load run has just run those steps, and running them
    again finds nothing to load while costing every one of them its Dagster step (0.6 s of
    a 9 s p3dn run on the unchanged benchmark input at scale 1). A file that lands in between
    starts a load of its own (landing_folder_sensor). refresh_all started by hand still
    loads the landing folder first."""
    layer = refresh_job.asset_layer
    return sorted(set(layer.selected_asset_keys) - LOAD_SELECTION.resolve(layer.asset_graph))


def plan_after_load(refresh_job: JobDefinition, instance: DagsterInstance,
                    tags: dict[str, str], now: dt.datetime | None = None,
                    ) -> tuple[list[AssetKey], run_plan.LeftOut]:
    """What a refresh that follows a load runs (``tags``: its run's tags, with the fiscal-year
    range): after_load_selection less the assets that would find their inputs unchanged and,
    for a mart, were materialized since today's 06:00 WIB (lib/run_plan.py), and what was
    left out (``now``: the present, unless given). A full refresh leaves out nothing."""
    selection = after_load_selection(refresh_job)
    if full_refresh_tagged(tags):
        return selection, run_plan.LeftOut(frozenset(), "a full refresh was asked for")
    now = now or dt.datetime.now(dt.UTC)
    left_out = run_plan.unchanged_assets(
        refresh_job.asset_layer.asset_graph, selection, fiscal_years_of_run(instance, tags),
        load_settings().warehouse_path, default_resources()["pipeline"], instance=instance,
        window_start=lambda policy: (mart_window_start(now)
                                     if policy == MART_FRESHNESS_POLICY else None))
    return [key for key in selection if key not in left_out.keys], left_out


def refresh_all_request(instance: DagsterInstance, refresh_job: JobDefinition,
                        run_key: str | None = None, tags: dict | None = None,
                        log=None) -> RunRequest:
    """One run over every fiscal year with data (a single DuckDB writer), after a load,
    without the tables that would find their inputs unchanged (``log``: where to say which)."""
    tags = {**fiscal_year_range_tags(instance), **(tags or {})}
    selection, left_out = plan_after_load(refresh_job, instance, tags)
    if log is not None:
        log.info(left_out.summary())
    if left_out.keys:
        tags[LEFT_OUT_UNCHANGED_TAG] = str(len(left_out.keys))
    return RunRequest(run_key=run_key, job_name=refresh_all_job.name,
                      asset_selection=selection, tags=tags)


# Data for the 08:00 working day in Jakarta, after the night's exports have landed.
@schedule(
    name="daily_refresh_0600_wib",
    job=load_landing_job,
    cron_schedule="0 6 * * *",
    execution_timezone="Asia/Jakarta",
    # On as soon as it is deployed: a published figure must never go stale because someone
    # forgot a toggle, and the toggle's state is lost whenever instance storage is replaced.
    default_status=DefaultScheduleStatus.RUNNING,
    description="Every day at 06:00 WIB (Asia/Jakarta): bring every asset up to date.",
)
def daily_refresh_schedule() -> RunRequest:
    return RunRequest()


@run_status_sensor(
    name="refresh_after_load",
    run_status=DagsterRunStatus.SUCCESS,
    monitored_jobs=[load_landing_job],
    request_job=refresh_all_job,
    default_status=DefaultSensorStatus.RUNNING,
    description=("When load_landing succeeds, starts refresh_all over every fiscal year with "
                 "data (the years are known only once the files are loaded)."),
)
def refresh_after_load(context: RunStatusSensorContext) -> RunRequest:
    loaded = context.dagster_run
    return refresh_all_request(
        context.instance, context.repository_def.get_job(refresh_all_job.name),
        run_key=f"refresh-after-{loaded.run_id}",
        tags={key: value for key, value in loaded.tags.items()
              if key.startswith("p3dn/")} | {LOADED_BY_TAG: loaded.run_id}, log=context.log)


# The marts are wanted for the 08:00 working day in Jakarta: the 06:00 run must have built
# (or confirmed) them by then. Dagster flags a mart at 08:00 WIB when it has not been
# materialized since 06:00 WIB that day, so a failed or missed 06:00 run shows at the
# deadline, not a day and a half later. p3dn status judges the same rule (mart_freshness).
MART_DEADLINE_CRON = "0 8 * * *"
MART_DEADLINE_HOUR_WIB = 8
MART_DEADLINE_TIMEZONE = "Asia/Jakarta"
MART_BUILD_WINDOW = dt.timedelta(hours=2)
MART_FRESHNESS_POLICY = FreshnessPolicy.cron(
    deadline_cron=MART_DEADLINE_CRON, lower_bound_delta=MART_BUILD_WINDOW,
    timezone=MART_DEADLINE_TIMEZONE)


@dataclass(frozen=True)
class Freshness:
    fresh: bool
    deadline: dt.datetime   # the latest 08:00 WIB deadline that has passed (aware)
    due_since: dt.datetime  # a build at or after this meets it


def _latest_deadline(now: dt.datetime) -> dt.datetime:
    """The latest 08:00 WIB at or before ``now`` (aware)."""
    from zoneinfo import ZoneInfo

    local = now.astimezone(ZoneInfo(MART_DEADLINE_TIMEZONE))
    deadline = local.replace(hour=MART_DEADLINE_HOUR_WIB, minute=0, second=0, microsecond=0)
    if deadline > local:
        deadline -= dt.timedelta(days=1)
    return deadline


def mart_freshness(materialized_at: dt.datetime, now: dt.datetime) -> Freshness:
    """Dagster's cron freshness rule, for tools outside the UI: after the latest 08:00 WIB
    deadline that has passed, a mart is fresh when it was materialized at or after 06:00 WIB
    that day. Both times are timezone-aware."""
    deadline = _latest_deadline(now)
    due_since = deadline - MART_BUILD_WINDOW
    return Freshness(materialized_at >= due_since, deadline, due_since)


def mart_window_start(now: dt.datetime) -> dt.datetime:
    """When the window that meets the next 08:00 WIB deadline opened: the latest 06:00 WIB at
    or before ``now`` (aware). A mart materialized since then meets the next deadline, so
    the run plan may leave it out when its inputs are unchanged (lib/run_plan.py)."""
    return _latest_deadline(now + MART_BUILD_WINDOW) - MART_BUILD_WINDOW


def with_mart_freshness(spec: AssetSpec) -> AssetSpec:
    """The 08:00 WIB freshness policy on every asset of the marts layer, nothing else."""
    if spec.key.path[0] != "marts":
        return spec
    return spec.replace_attributes(freshness_policy=MART_FRESHNESS_POLICY)


SETTLE_SECONDS_ENV = "P3DN_LANDING_SETTLE_SECONDS"
DEFAULT_SETTLE_SECONDS = 60
LANDING_SENSOR_INTERVAL_SECONDS = 60


def settle_seconds() -> int:
    """How long a file must stay unmodified before it counts as completely copied."""
    raw = os.environ.get(SETTLE_SECONDS_ENV, str(DEFAULT_SETTLE_SECONDS))
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{SETTLE_SECONDS_ENV}={raw!r} is not a whole number of seconds") from None
    if value < 0:
        raise ValueError(f"{SETTLE_SECONDS_ENV}={raw!r} must be 0 or more")
    return value


@dataclass
class LandingState:
    """What the landing sensor knows of the folder.

    ``files``: path -> {size, mtime_ns, ctime_ns, inode, sha256} of every file as of the last
    run requested for it (or found unchanged since). ``settling``: path -> the same without
    sha256, of new or changed files that still looked as if they were being copied.
    ``requests``: how many runs the sensor has requested, part of each run key so that a file
    changed back to an earlier version (A, B, then A again) still starts a run.

    The state itself is a file in the Dagster instance's folder named by its own digest
    (:class:`LandingStateStore`); the sensor's cursor, shown in the UI, is one short line that
    names it. Dagster stores a cursor with its tick's run requests in one write, so the
    cursor decides which state is current: a daemon stopped between writing a state file and
    storing its tick leaves only an unused file behind.
    """

    files: dict[str, dict] = field(default_factory=dict)
    settling: dict[str, dict] = field(default_factory=dict)
    requests: int = 0

    def to_json(self) -> str:
        return json.dumps({"files": self.files, "settling": self.settling,
                           "requests": self.requests}, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> LandingState:
        data = json.loads(text)
        return cls(files=data["files"], settling=data["settling"], requests=data["requests"])


CURSOR_VERSION = 2
STATE_FOLDER_NAME = "p3dn_landing_sensor"
STATE_FILES_KEPT = 5


class LandingStateStore:
    """Sensor states as files ``<digest>.json`` in one folder of the Dagster instance."""

    def __init__(self, folder: Path):
        self.folder = folder

    def save(self, state: LandingState) -> str:
        """Write the state (once per content) and return the cursor that names it."""
        text = state.to_json()
        digest = hashlib.sha256(text.encode()).hexdigest()[:16]
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.folder / f"{digest}.json"
        if not target.exists():
            temp = self.folder / f".{digest}.json.{os.getpid()}"
            temp.write_text(text, encoding="utf-8")
            os.replace(temp, target)
        self._prune(keep=target)
        return json.dumps({"v": CURSOR_VERSION, "state": digest, "files": len(state.files),
                           "settling": len(state.settling), "requests": state.requests})

    def load(self, cursor: str) -> LandingState | None:
        """The state a cursor names; None when its file is gone. A cursor of the first
        version held the whole state itself."""
        data = json.loads(cursor)
        if data.get("v") != CURSOR_VERSION:
            return LandingState.from_json(cursor)
        try:
            return LandingState.from_json(
                (self.folder / f"{data['state']}.json").read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None

    def _prune(self, keep: Path) -> None:
        # A few recent states stay, so a cursor stored a tick or two ago still resolves.
        saved = sorted(self.folder.glob("*.json"), key=lambda p: p.stat().st_mtime_ns,
                       reverse=True)
        for old in saved[STATE_FILES_KEPT:]:
            if old != keep:
                old.unlink(missing_ok=True)


def ledger_state(warehouse_path: Path) -> dict[str, dict]:
    """The newest version of every file the file ledger knows, in the sensor's terms: where
    the sensor has no state of its own (its first tick, or its state lost), what the
    warehouse already has is not reported as new. Empty when the warehouse cannot be read
    (none yet, or a run holds it): then every file counts as new, which costs one run that
    loads nothing twice."""
    import duckdb

    if not warehouse_path.is_file():
        return {}
    try:
        con = duckdb.connect(str(warehouse_path), read_only=True)
    except duckdb.Error:
        return {}
    try:
        rows = con.execute(f"""
            SELECT path, sha256, size_bytes, modified_ns, changed_ns, inode FROM (
                SELECT *, row_number() OVER (PARTITION BY path
                                             ORDER BY first_seen_at DESC, status_at DESC) AS newest
                FROM {LEDGER_TABLE})
            WHERE newest = 1 AND status <> 'removed'""").fetchall()
    except duckdb.Error:
        return {}
    finally:
        con.close()
    return {path: {"size": size, "mtime_ns": mtime, "ctime_ns": ctime, "inode": inode,
                   "sha256": sha}
            for path, sha, size, mtime, ctime, inode in rows}


@dataclass
class LandingScan:
    state: LandingState
    changed: dict[str, str | None]  # path -> new sha256, or None when the file was removed
    waiting: list[str]              # still being copied: left for a later tick

    @property
    def run_key(self) -> str:
        """Same changes from the same state, same key: a tick evaluated twice (its cursor
        lost in a daemon crash) cannot start a second run for the same files."""
        changes = "\n".join(f"{path}\t{sha or 'removed'}"
                            for path, sha in sorted(self.changed.items()))
        digest = hashlib.sha256(changes.encode()).hexdigest()[:16]
        return f"landing-{self.state.requests}-{digest}"


def _sha256_or_none(path: Path) -> str | None:
    try:
        return landing.sha256_of(path)
    except OSError:
        # Gone or unreadable between listing and reading (a rename, a broken link): looked at
        # again next tick rather than guessed.
        return None


def scan_landing(landing_dir: Path, previous: LandingState, *, now_ns: int,
                 settle_ns: int) -> LandingScan:
    """Compare the folder with the cursor: hash only files whose size, times or inode moved."""
    files: dict[str, dict] = {}
    settling: dict[str, dict] = {}
    changed: dict[str, str | None] = {}
    waiting: list[str] = []
    for landed in landing.discover(landing_dir):
        path = landed.relative_path
        stat = landed.signature()  # size, mtime, ctime (which os.utime cannot set back), inode
        known = previous.files.get(path)
        if known and all(known.get(k) == v for k, v in stat.items()):
            files[path] = known
            continue
        seen = previous.settling.get(path)
        moved_since_last_tick = seen is not None and seen != stat
        settled = not moved_since_last_tick and now_ns - landed.modified_ns >= settle_ns
        sha = _sha256_or_none(landed.path) if settled else None
        if sha is None:
            settling[path] = stat
            waiting.append(path)
            if known:
                files[path] = known
            continue
        files[path] = {**stat, "sha256": sha}
        if known is None or known["sha256"] != sha:
            changed[path] = sha
    for path in previous.files.keys() - files.keys() - settling.keys():
        changed[path] = None
    requests = previous.requests + (1 if changed else 0)
    return LandingScan(LandingState(files, settling, requests), changed, sorted(waiting))


@sensor(
    name="landing_folder_sensor",
    job=load_landing_job,
    minimum_interval_seconds=LANDING_SENSOR_INTERVAL_SECONDS,
    default_status=DefaultSensorStatus.RUNNING,
    description=(
        "Starts load_landing (then refresh_all) when a file in the landing folder (P3DN_LANDING_DIR) is added, "
        "changed (by sha256) or removed, once it has stopped changing for "
        f"P3DN_LANDING_SETTLE_SECONDS (default {DEFAULT_SETTLE_SECONDS} s). Several files "
        "arriving together start one run."
    ),
)
def landing_folder_sensor(context: SensorEvaluationContext) -> SensorResult:
    landing_dir = load_settings().landing_dir
    if not landing_dir.is_dir():
        # A missing (unmounted) folder is not "every file removed": keep the cursor as it is.
        return SensorResult(skip_reason=SkipReason(
            f"Landing folder {landing_dir} does not exist or is not a folder; nothing checked."))
    store = LandingStateStore(Path(context.instance.root_directory) / STATE_FOLDER_NAME)
    previous = store.load(context.cursor) if context.cursor else None
    if previous is None:
        known = ledger_state(load_settings().warehouse_path)
        previous = LandingState(files=known)
        context.log.info(f"No sensor state yet: {len(known)} file(s) taken as known from the "
                         "file ledger.")
    scan = scan_landing(landing_dir, previous, now_ns=time.time_ns(),
                        settle_ns=settle_seconds() * 1_000_000_000)
    cursor = store.save(scan.state)
    if scan.waiting:
        context.log.info(f"Still being copied, left for the next tick: {', '.join(scan.waiting)}")
    if not scan.changed:
        return SensorResult(cursor=cursor, skip_reason=SkipReason(
            f"No new, changed or removed file in {landing_dir}"
            + (f" ({len(scan.waiting)} still being copied)." if scan.waiting else ".")))
    for path, sha in sorted(scan.changed.items()):
        context.log.info(f"{'Removed' if sha is None else 'New or changed'}: {path}")
    return SensorResult(
        run_requests=[RunRequest(run_key=scan.run_key,
                                 tags={"p3dn/changed_files": str(len(scan.changed))})],
        cursor=cursor,
    )


defs = Definitions(jobs=[load_landing_job, refresh_all_job],
                   schedules=[daily_refresh_schedule],
                   sensors=[landing_folder_sensor, refresh_after_load])
