"""Shared fixtures: a throwaway landing folder and warehouse per test, and a way to run the
whole pipeline in-process the way ``make run`` does."""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"
REPO = Path(__file__).resolve().parents[1]
TEST_PII_KEY = "test-key-for-unit-tests"


@contextmanager
def script_module(path: Path, name: str) -> Iterator:
    """A script that is not part of the package (benchmarks/, scripts/) imported as a module,
    registered under ``name`` while in use (dataclasses look their module up)."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop(name, None)


class Runs:
    """Several in-process runs read as one: their events in order, success when all
    succeeded."""

    def __init__(self, results, left_out=None, load=None):
        self.results = results
        self.left_out = left_out  # a planned refresh's run_plan.LeftOut
        self.load = load  # a planned load's run_plan.LoadPlan (without a load run when
        # not needed: then results holds the refresh alone)

    @property
    def success(self) -> bool:
        return all(r.success for r in self.results)

    @property
    def all_events(self) -> list:
        return [e for r in self.results for e in r.all_events]

    def _each(self, method: str) -> list:
        return [e for r in self.results for e in getattr(r, method)()]

    def get_asset_materialization_events(self):
        return self._each("get_asset_materialization_events")

    def get_asset_check_evaluations(self):
        return self._each("get_asset_check_evaluations")

    def get_step_failure_events(self):
        return self._each("get_step_failure_events")

    def get_step_success_events(self):
        return self._each("get_step_success_events")


@dataclass
class PipelineEnv:
    landing: Path
    warehouse: Path

    def materialize(self, *, raise_on_error: bool = True, years: tuple[str, str] | None = None,
                    selection=None, full_refresh: bool = False, planned: bool = False,
                    instance=None, plan_now=None):
        """As the daily schedule runs it: load the landing folder (which registers the fiscal
        years with data), then every other asset (or ``selection``) over every year with data
        (or the ``years`` range). ``full_refresh`` rebuilds even what finds its inputs
        unchanged. ``planned``: as ``p3dn run`` and the refresh_after_load sensor, without
        the assets the run plan finds unchanged (their LeftOut is the result's ``left_out``;
        ``plan_now``: the time the plan judges freshness at); and, as ``p3dn run``, without
        the load run when it would change nothing (``run_plan.load_plan``; the result's
        ``load``). ``instance``: the Dagster instance to record the runs in (by default a
        new ephemeral one, which has no earlier materialization of any mart). Returns both
        runs as one result."""
        from dagster import AssetSelection, DagsterInstance, materialize

        from p3dn_pipeline.definitions import all_assets, defs
        from p3dn_pipeline.lib.builds import FULL_REFRESH_TAG
        from p3dn_pipeline.lib.partitions import fiscal_year_range_tags
        from p3dn_pipeline.lib.resources import default_resources
        from p3dn_pipeline.lib.run_plan import load_plan

        instance = instance or DagsterInstance.ephemeral()
        raw = AssetSelection.groups("raw")
        load = None
        if planned:
            load = load_plan(defs.resolve_job_def("load_landing").asset_layer.asset_graph,
                             self.warehouse, self.landing, default_resources()["pipeline"],
                             instance, {FULL_REFRESH_TAG: "true"} if full_refresh else {})
        runs = []
        if load is None or load.needed:
            runs.append(materialize(all_assets, resources=default_resources(), selection=raw,
                                    instance=instance, raise_on_error=raise_on_error))
            if not runs[0].success:
                return Runs(runs, load=load)
        tags = fiscal_year_range_tags(instance, *(years or ()))
        pull = AssetSelection.groups("pull")
        rest = AssetSelection.all() - raw - pull if selection is None else selection
        if full_refresh:
            tags[FULL_REFRESH_TAG] = "true"
        left_out = None
        if planned:
            from p3dn_pipeline.defs.automation import plan_after_load

            keys, left_out = plan_after_load(defs.resolve_job_def("refresh_all"), instance, tags,
                                             now=plan_now)
            rest = AssetSelection.assets(*keys)
        runs.append(materialize(all_assets, resources=default_resources(), selection=rest,
                                instance=instance, raise_on_error=raise_on_error, tags=tags))
        return Runs(runs, left_out, load)

    def connect(self):
        import duckdb

        return duckdb.connect(str(self.warehouse), read_only=True)

    def query(self, sql: str, params=None) -> list[tuple]:
        con = self.connect()
        try:
            return con.execute(sql, params).fetchall() if params else con.execute(sql).fetchall()
        finally:
            con.close()


def point_pipeline_at(monkeypatch, root: Path) -> PipelineEnv:
    """Landing folder and warehouse under ``root``, as the pipeline's environment."""
    landing = root / "landing"
    landing.mkdir(exist_ok=True)
    warehouse = root / "warehouse" / "p3dn.duckdb"
    monkeypatch.setenv("P3DN_LANDING_DIR", str(landing))
    monkeypatch.setenv("P3DN_WAREHOUSE", str(warehouse))
    monkeypatch.setenv("P3DN_PII_KEY", TEST_PII_KEY)
    monkeypatch.setenv("P3DN_KD_KLPD", "DKI")
    return PipelineEnv(landing, warehouse)


@pytest.fixture
def pipeline_env(tmp_path, monkeypatch) -> PipelineEnv:
    return point_pipeline_at(monkeypatch, tmp_path)


@pytest.fixture(scope="module")
def module_monkeypatch():
    """A monkeypatch for module-scoped fixtures that run the pipeline once per module."""
    patch = pytest.MonkeyPatch()
    yield patch
    patch.undo()


@pytest.fixture
def warehouse_con(tmp_path_factory):
    """A prepared read-write pipeline connection on a fresh warehouse file (kept out of
    tmp_path, which tests use as their landing folder)."""
    from p3dn_pipeline.lib.warehouse import open_warehouse

    folder = tmp_path_factory.mktemp("warehouse")
    with open_warehouse(folder / "unit.duckdb", TEST_PII_KEY.encode()) as con:
        yield con


def running_in_ci(environ: Mapping[str, str] = os.environ) -> bool:
    """CI sets CI (CI=true); an empty value, 0 or false means not."""
    return environ.get("CI", "").strip().lower() not in ("", "0", "false")


def require_shared_samples(samples: Path = SAMPLES,
                           environ: Mapping[str, str] = os.environ) -> None:
    """Skip a test that needs the real samples in ``../shared/samples`` where they are not
    (a developer's clone without them), but fail it under CI, which always has them: a green
    CI must have run it."""
    if samples.is_dir():
        return
    reason = f"the real samples are not in {samples} (../shared/samples beside the repository)"
    if running_in_ci(environ):
        pytest.fail(f"{reason}; CI is set, so this test fails rather than skips", pytrace=False)
    pytest.skip(reason)


def copy_samples(names: list[str], destination: Path) -> None:
    for name in names:
        shutil.copy(SAMPLES / name, destination / name)
