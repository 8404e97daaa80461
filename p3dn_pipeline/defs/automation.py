"""What runs the pipeline without a person: the 06:00 WIB daily refresh, the landing-folder
sensor, and the freshness expected of the marts.

Both start the same two runs. ``load_landing`` loads new files into the raw tables and
registers the fiscal years their rows belong to as partitions (see lib/partitions.py); when
it succeeds, ``refresh_after_load`` starts ``refresh_all`` over every year with data. Both
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
    AssetSelection,
    AssetSpec,
    DagsterInstance,
    DagsterRunStatus,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    Definitions,
    FreshnessPolicy,
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

from p3dn_pipeline.lib.partitions import fiscal_year_range_tags
from p3dn_pipeline.lib.resources import LOADED_BY_TAG
from p3dn_pipeline.lib import landing
from p3dn_pipeline.settings import load_settings

# A run that fails on something transient (another process had the warehouse file open when a
# step needed to write it, a run worker was killed) is started again from the failed step by
# the daemon; needs `run_retries: enabled: true` in dagster.yaml. Every write is a
# transaction, so a retry never finds half a table.
MAX_RUN_RETRIES = 2

load_landing_job = define_asset_job(
    "load_landing", selection=AssetSelection.groups("raw"),
    description=("The file ledger and the raw tables: loads new files and registers the "
                 "fiscal years with data as partitions. refresh_all follows when it succeeds."),
    run_tags={"dagster/max_retries": str(MAX_RUN_RETRIES)},
)
refresh_all_job = define_asset_job(
    "refresh_all", selection=AssetSelection.all(),
    description="Every asset, from the landing folder to the marts, in one run.",
    run_tags={"dagster/max_retries": str(MAX_RUN_RETRIES)},
)
def refresh_all_request(instance: DagsterInstance, run_key: str | None = None,
                        tags: dict | None = None) -> RunRequest:
    """One run over every fiscal year with data: a single DuckDB writer."""
    return RunRequest(run_key=run_key, job_name=refresh_all_job.name,
                      tags={**fiscal_year_range_tags(instance), **(tags or {})})


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
        context.instance, run_key=f"refresh-after-{loaded.run_id}",
        tags={key: value for key, value in loaded.tags.items()
              if key.startswith("p3dn/")} | {LOADED_BY_TAG: loaded.run_id})


# A mart built by the 06:00 run is under 24 hours old when the next one starts; 36 hours
# means one daily run was missed (or failed and was not fixed) and the morning after is late.
MART_FRESHNESS_POLICY = FreshnessPolicy.time_window(fail_window=dt.timedelta(hours=36))


def with_mart_freshness(spec: AssetSpec) -> AssetSpec:
    """The 36-hour freshness policy on every asset of the marts layer, nothing else."""
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
    """The landing sensor's cursor, in full: nothing about the folder is kept anywhere else.

    ``files``: path -> {size, mtime_ns, ctime_ns, inode, sha256} of every file as of the last
    run requested for it (or found unchanged since). ``settling``: path -> the same without
    sha256, of new or changed files that still looked as if they were being copied.
    ``requests``: how many runs the sensor has requested, part of each run key so that a file
    changed back to an earlier version (A, B, then A again) still starts a run.
    """

    files: dict[str, dict] = field(default_factory=dict)
    settling: dict[str, dict] = field(default_factory=dict)
    requests: int = 0

    @classmethod
    def from_cursor(cls, cursor: str | None) -> LandingState:
        if not cursor:
            return cls()
        data = json.loads(cursor)
        return cls(files=data["files"], settling=data["settling"], requests=data["requests"])

    def to_cursor(self) -> str:
        return json.dumps({"files": self.files, "settling": self.settling,
                           "requests": self.requests}, sort_keys=True)


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
    previous = LandingState.from_cursor(context.cursor)
    scan = scan_landing(landing_dir, previous, now_ns=time.time_ns(),
                        settle_ns=settle_seconds() * 1_000_000_000)
    if scan.waiting:
        context.log.info(f"Still being copied, left for the next tick: {', '.join(scan.waiting)}")
    if not scan.changed:
        return SensorResult(cursor=scan.state.to_cursor(), skip_reason=SkipReason(
            f"No new, changed or removed file in {landing_dir}"
            + (f" ({len(scan.waiting)} still being copied)." if scan.waiting else ".")))
    for path, sha in sorted(scan.changed.items()):
        context.log.info(f"{'Removed' if sha is None else 'New or changed'}: {path}")
    return SensorResult(
        run_requests=[RunRequest(run_key=scan.run_key,
                                 tags={"p3dn/changed_files": str(len(scan.changed))})],
        cursor=scan.state.to_cursor(),
    )


defs = Definitions(jobs=[load_landing_job, refresh_all_job],
                   schedules=[daily_refresh_schedule],
                   sensors=[landing_folder_sensor, refresh_after_load])
