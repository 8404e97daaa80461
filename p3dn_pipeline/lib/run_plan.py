"""What a refresh that follows a load can leave out: the reference and staging tables whose
inputs did not change since their last build.

A step that finds its inputs unchanged writes nothing, but it still costs Dagster a step: its
start, output, materialization and success events, and for a staging table the re-reported
result of every check (a planned event, an output and an evaluation each). On an unchanged
day at benchmark scale 1 that was 25 of the refresh's 46 steps and about 540 of its 743
events. Whether a step would skip depends only on the warehouse as the load left it (its
fingerprint: code, parameters, upstream builds; ``lib/builds.py``), so the refresh asks each
such asset the same question before the run (``factories.unchanged_before_run``, the very
rule its step applies) and leaves out those that would skip. It goes in dependency order: an
asset with an upstream that runs is never left out, since that upstream may rebuild.

What always runs:
- the marts: their daily freshness policy needs a materialization every day, and each one
  confirms (or rebuilds) its figures and judges its quality gate;
- the published files, which follow the marts;
- everything, in a full refresh (``p3dn/full_refresh``) and in a refresh started by hand
  (``refresh_all`` from the UI): only the load-then-refresh path (``p3dn run``, the
  ``refresh_after_load`` sensor) plans.

A table left out keeps its last materialization and check results in Dagster, which describe
the build the warehouse holds. When the warehouse cannot be read here (not built yet, or
opened by another process), nothing is left out and the steps decide for themselves.

The plan judges with the code its process has loaded (in a deployment, the code location's
sensor), as the run's steps judge with theirs: after changing the code on disk, reload the
code location (which Dagster needs anyway to show the new code), or a planned refresh may
leave out a table the new code would rebuild until the location is reloaded.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import duckdb
from dagster import AssetKey

from p3dn_pipeline.lib import builds
from p3dn_pipeline.lib.factories import unchanged_before_run
from p3dn_pipeline.lib.resources import PipelineSettings

# Groups whose assets may be left out; marts (freshness) and publish (follows the marts) not.
PLANNED_GROUPS = frozenset({"reference", "staging"})


@dataclass(frozen=True)
class LeftOut:
    """The assets a refresh leaves out, or why it leaves out none."""

    keys: frozenset[AssetKey]
    reason_none: str | None = None

    def summary(self) -> str:
        if self.reason_none:
            return f"Every step runs: {self.reason_none}."
        if not self.keys:
            return ("Every step runs: no table the plan may leave out is unchanged since its "
                    "last build.")
        per_group: dict[str, int] = {}
        for key in self.keys:
            per_group[key.path[0]] = per_group.get(key.path[0], 0) + 1
        groups = ", ".join(f"{group} {count}" for group, count in sorted(per_group.items()))
        return (f"Left out of the refresh, inputs unchanged since their last build: "
                f"{len(self.keys)} tables ({groups}).")


def unchanged_assets(graph, candidates: Collection[AssetKey], slices: list[int],
                     warehouse_path: Path, pipeline: PipelineSettings) -> LeftOut:
    """The ``candidates`` (of ``graph``, a job's asset graph) a refresh over the fiscal years
    ``slices`` can leave out."""
    if builds.full_refresh_requested(None):
        return LeftOut(frozenset(), f"{builds.FULL_REFRESH_ENV} is set")
    if not Path(warehouse_path).exists():
        return LeftOut(frozenset(), "no warehouse yet")
    try:
        con = duckdb.connect(str(warehouse_path), read_only=True)
    except duckdb.Error as error:
        return LeftOut(frozenset(), f"the warehouse could not be read before the run ({error})")
    candidates = set(candidates)
    unchanged: set[AssetKey] = set()
    try:
        for key in graph.toposorted_asset_keys:
            if key not in candidates:
                continue
            node = graph.get(key)
            probe = unchanged_before_run(key)
            if node.group_name not in PLANNED_GROUPS or probe is None:
                continue
            if any(parent in candidates and parent not in unchanged
                   for parent in node.parent_keys):
                continue
            try:
                # builds.upstream_builds puts the keys in their stable order itself.
                if probe(con, pipeline, slices, graph.assets_def_for_key(key).dependency_keys):
                    unchanged.add(key)
            except Exception:
                # E.g. a bookkeeping table this warehouse does not have yet (the step creates
                # it), or a reference file that cannot be read: the step decides.
                continue
    finally:
        con.close()
    return LeftOut(frozenset(unchanged))
