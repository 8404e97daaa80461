"""What a refresh that follows a load can leave out: the tables and published files whose
inputs did not change since their last build, and the marts that are, besides, already
materialized for the next freshness deadline. And whether ``p3dn run`` needs its load run
at all (:func:`load_plan`: not when the landing folder holds nothing the file ledger has not
dealt with and every raw table is as its last load left it).

A step that finds its inputs unchanged writes nothing, but it still costs Dagster a step: its
start, output, materialization and success events, and for a staging table the re-reported
result of every check (a planned event, an output and an evaluation each). Without a plan,
an unchanged refresh at benchmark scale 1 ran all 46 of its steps and wrote 743 events.
Whether a step would skip depends only on the warehouse as the load left it (its
fingerprint: code, parameters, upstream builds; ``lib/builds.py``), so the refresh asks each
such asset the same question before the run (``factories.unchanged_before_run``, the very
rule its step applies: its quality gate passes, and its fingerprint, output and check results
are those of its last build) and leaves out those that would skip. It goes in dependency
order: an asset with an upstream that would rebuild is never left out.

A mart has a freshness policy besides (08:00 WIB, defs/automation.py): it is left out only
when every fiscal year asked for was materialized since the start of the window that meets
the next deadline (06:00 WIB). So the first refresh after 06:00 WIB each day runs every mart
(each confirms its figures, re-reports its checks and its quality gate, and is fresh for the
day), and a later refresh that day (a file landed at 10:00) runs only what the new file
changes. A mart run only to stay fresh writes nothing, so what is built from it may still be
left out.

What always runs:
- the run summary, which describes the run itself;
- everything, in a full refresh (``p3dn/full_refresh``) and in a refresh started by hand
  (``refresh_all`` from the UI): only the load-then-refresh path (``p3dn run``, the
  ``refresh_after_load`` sensor) plans.

An asset left out keeps its last materialization and check results in Dagster, which describe
the build the warehouse holds. When the warehouse cannot be read here (not built yet, or
opened by another process), nothing is left out and the steps decide for themselves.

The plan judges with the code its process has loaded (in a deployment, the code location's
sensor), as the run's steps judge with theirs: after changing the code on disk, reload the
code location (which Dagster needs anyway to show the new code), or a planned refresh may
leave out a table the new code would rebuild until the location is reloaded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path

import duckdb
from dagster import AssetKey, AssetRecordsFilter, DagsterInstance

from p3dn_pipeline.lib import builds, ledger
from p3dn_pipeline.lib.factories import as_last_loaded, unchanged_before_run
from p3dn_pipeline.lib.resources import PipelineSettings
from p3dn_pipeline.lib.warehouse import frozen_catalog

# Groups whose assets may be left out (the raw group is the load's; the run summary has no
# probe and always runs).
PLANNED_GROUPS = frozenset({"reference", "staging", "marts", "publish"})


def _per_group(keys: Collection[AssetKey]) -> str:
    per_group: dict[str, int] = {}
    for key in keys:
        per_group[key.path[0]] = per_group.get(key.path[0], 0) + 1
    return ", ".join(f"{group} {count}" for group, count in sorted(per_group.items()))


@dataclass(frozen=True)
class LeftOut:
    """The assets a refresh leaves out, or why it leaves out none; ``to_stay_fresh``: those
    unchanged that still run, to meet their freshness deadline."""

    keys: frozenset[AssetKey]
    reason_none: str | None = None
    to_stay_fresh: frozenset[AssetKey] = frozenset()

    def summary(self) -> str:
        if self.reason_none:
            return f"Every step runs: {self.reason_none}."
        if not self.keys:
            said = ("Every step runs: no asset the plan may leave out is unchanged since its "
                    "last build and materialized for its next freshness deadline.")
        else:
            said = (f"Left out of the refresh, inputs unchanged since their last build: "
                    f"{len(self.keys)} assets ({_per_group(self.keys)}).")
        if self.to_stay_fresh:
            said += (f" Unchanged but run to be fresh for the next deadline: "
                     f"{len(self.to_stay_fresh)} ({_per_group(self.to_stay_fresh)}).")
        return said


def _read_only(warehouse_path: Path) -> duckdb.DuckDBPyConnection | str:
    """The warehouse opened read-only for a plan, or why it cannot be (then the plan leaves
    nothing out and the steps decide)."""
    if not Path(warehouse_path).exists():
        return "no warehouse yet"
    try:
        return duckdb.connect(str(warehouse_path), read_only=True)
    except duckdb.Error as error:
        return f"the warehouse could not be read before the run ({error})"


def materialized_since(instance: DagsterInstance, key: AssetKey, partitioned: bool,
                       slices: list[int], since: dt.datetime) -> bool:
    """Whether ``key`` (each of the fiscal years ``slices``, when partitioned) has a
    materialization at or after ``since``."""
    wanted = {str(year) for year in slices} if partitioned else {None}
    found: set[str | None] = set()
    cursor = None
    while True:
        records = instance.fetch_materializations(
            AssetRecordsFilter(asset_key=key, after_timestamp=since.timestamp() - 1e-6,
                               asset_partitions=sorted(wanted) if partitioned else None),
            limit=100, cursor=cursor)
        found |= {record.partition_key for record in records.records}
        if wanted <= found or not records.has_more:
            return wanted <= found
        cursor = records.cursor


def unchanged_assets(graph, candidates: Collection[AssetKey], slices: list[int],
                     warehouse_path: Path, pipeline: PipelineSettings,
                     instance: DagsterInstance | None = None,
                     window_start: Callable[[object], dt.datetime | None] | None = None,
                     ) -> LeftOut:
    """The ``candidates`` (of ``graph``, a job's asset graph) a refresh over the fiscal years
    ``slices`` can leave out. An asset with a freshness policy is left out only when it was
    materialized (in ``instance``) since ``window_start(policy)``: when the window that meets
    the policy's next deadline opened (None, or no ``window_start``: never left out)."""
    if builds.full_refresh_requested(None):
        return LeftOut(frozenset(), f"{builds.FULL_REFRESH_ENV} is set")
    con = _read_only(warehouse_path)
    if isinstance(con, str):
        return LeftOut(frozenset(), con)
    candidates = set(candidates)
    # Would write nothing if run; of those, the ones that need not run at all.
    would_skip: set[AssetKey] = set()
    left_out: set[AssetKey] = set()
    try:
        with frozen_catalog(con):
            for key in graph.toposorted_asset_keys:
                if key not in candidates:
                    continue
                node = graph.get(key)
                probe = unchanged_before_run(key)
                if node.group_name not in PLANNED_GROUPS or probe is None:
                    continue
                # An upstream that rebuilds (or whose step must run to know) may change this.
                if any(parent in candidates and parent not in would_skip
                       for parent in node.parent_keys):
                    continue
                try:
                    if not probe(con, pipeline, slices, graph):
                        continue
                    would_skip.add(key)
                    policy = node.freshness_policy
                    if policy is not None:
                        since = window_start(policy) if window_start else None
                        if since is None or instance is None or not materialized_since(
                                instance, key, node.partitions_def is not None, slices, since):
                            continue
                except Exception:
                    # E.g. a bookkeeping table this warehouse does not have yet (the step creates
                    # it), or a reference file that cannot be read: the step decides.
                    continue
                left_out.add(key)
    finally:
        con.close()
    return LeftOut(frozenset(left_out), to_stay_fresh=frozenset(would_skip - left_out))


# Dagster's tag on a materialization: the code version of the asset that made it.
CODE_VERSION_TAG = "dagster/code_version"


@dataclass(frozen=True)
class LoadPlan:
    """Whether ``p3dn run`` needs its load run, and why (or why not)."""

    needed: bool
    reason: str

    def summary(self) -> str:
        if self.needed:
            return f"Load run: {self.reason}."
        return f"No load run: {self.reason}."


NOTHING_TO_LOAD = (
    "the landing folder holds exactly the file versions the file ledger has dealt with "
    "(same paths, sizes, times and inodes), none waits to be loaded, and every raw table "
    "and fiscal year is as the last load left it, with this code")


def load_plan(graph, warehouse_path: Path, landing_dir: Path, pipeline: PipelineSettings,
              instance: DagsterInstance, tags: dict[str, str]) -> LoadPlan:
    """Whether a load run (``graph``: its job's asset graph, the file ledger and the raw
    tables) would change anything; when not, ``p3dn run`` goes straight to the refresh.

    Its steps would change nothing when the file ledger's inventory would find nothing (every
    file in the landing folder has the size, times and inode of a version the ledger
    loaded, rejected or held, and nothing it loaded is gone: the inventory's own shortcut,
    which reads no file), nothing waits to be loaded, each step's content is still the one
    it last recorded (``factories.as_last_loaded``: a load that stopped half-way is finished
    by the next one), the fiscal years are registered in ``instance``, and each step last ran
    with the code loaded now. A run started by the daily schedule hashes every file
    whatever its size and times say, and a run tagged to accept a held version or to
    rebuild everything must run: such a run is always needed."""
    if tags.get(ledger.SCHEDULE_TAG):
        return LoadPlan(True, "a scheduled run hashes every file")
    if tags.get(ledger.ACCEPT_TAG, "").strip():
        return LoadPlan(True, f"the run tag {ledger.ACCEPT_TAG} accepts a held version")
    if builds.full_refresh_requested(None) or builds.full_refresh_tagged(tags):
        return LoadPlan(True, "a full refresh was asked for")
    if not Path(warehouse_path).exists():
        return LoadPlan(True, "no warehouse yet")
    keys = list(graph.toposorted_asset_keys)
    latest = instance.get_latest_materialization_events(keys)
    for key in keys:
        materialization = getattr(latest.get(key), "asset_materialization", None)
        if materialization is None:
            return LoadPlan(True, f"{key.to_user_string()} has not run in this Dagster "
                                  "instance")
        if (materialization.tags or {}).get(CODE_VERSION_TAG) != graph.get(key).code_version:
            return LoadPlan(True, f"{key.to_user_string()} last ran with other code")
    con = _read_only(warehouse_path)
    if isinstance(con, str):
        return LoadPlan(True, con)
    try:
        with frozen_catalog(con):
            pending = con.execute(f"SELECT count(*) FROM {ledger.LEDGER_TABLE} "
                                  "WHERE status = 'pending'").fetchall()[0][0]
            if pending:
                return LoadPlan(True, f"{pending} file version(s) wait to be loaded")
            if not ledger.landing_matches_ledger(con, landing_dir):
                return LoadPlan(True, "the landing folder has new, changed or removed files, or "
                                      "a held version was accepted")
            for key in keys:
                probe = as_last_loaded(key)
                if probe is None or not probe(con, pipeline, instance):
                    return LoadPlan(True, f"{key.to_user_string()} is not as its last load "
                                          "left it")
    except Exception as error:
        # E.g. a ledger or a years table of an earlier shape (the steps bring it up), or a
        # landing folder that cannot be listed (the ledger's step says why).
        return LoadPlan(True, f"the plan could not judge it ({error})")
    finally:
        con.close()
    return LoadPlan(False, NOTHING_TO_LOAD)
