"""The Definitions load, validate with Dagster's own CLI, and keep the shape users rely on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from p3dn_pipeline_tests.conftest import REPO

BIN = Path(sys.executable).parent


def test_every_asset_is_keyed_by_layer_and_documented():
    from p3dn_pipeline.definitions import defs

    graph = defs.resolve_asset_graph()
    keys = sorted(graph.get_all_asset_keys(), key=lambda k: k.path)
    layers = {key.path[0] for key in keys}
    assert layers == {"pull", "raw", "staging", "marts", "reference", "publish"}
    file_kinds = {("publish", "parquet"): {"parquet"}, ("publish", "dashboard"): {"html"}}
    file_kinds |= {("pull", k.path[1]): {"json"} for k in keys if k.path[0] == "pull"}
    for key in keys:
        node = graph.get(key)
        assert len(key.path) == 2, key
        assert node.group_name == key.path[0], key
        assert node.kinds == file_kinds.get(tuple(key.path), {"duckdb"}), key
        assert node.description and len(node.description) > 60, key
    assert [k.path[1] for k in keys if k.path[0] == "marts"] == [
        "business_matching", "data_quality", "p3dn_apbd_bulanan", "p3dn_per_skpd",
        "p3dn_provinsi", "p3dn_realisasi_kanal", "p3dn_realisasi_paket", "p3dn_rekonsiliasi",
        "p3dn_target", "umkm_binaan_triwulan", "umkm_ekatalog", "umkm_pelaku",
        "umkm_pencocokan", "umkm_penjualan_pdn", "umkm_seri_publikasi", "umkm_transaksi"]


def test_figure_marts_depend_only_on_staging_reference_or_other_marts():
    from p3dn_pipeline.definitions import defs

    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        # data_quality also reads the file ledger: rejected files are findings too.
        if key.path[0] == "marts" and key.path[1] != "data_quality":
            assert {p.path[0] for p in graph.get(key).parent_keys} <= {
                "staging", "reference", "marts"}, key


@pytest.mark.slow
def test_dagster_definitions_validate_passes(tmp_path):
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path)}
    result = subprocess.run(
        [str(BIN / "dagster"), "definitions", "validate", "-w", "workspace.yaml"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "All code locations passed validation" in result.stderr + result.stdout


@pytest.mark.slow
def test_dg_cli_lists_the_same_definitions(tmp_path):
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path)}
    result = subprocess.run([str(BIN / "dg"), "list", "defs", "--json"], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    listed = json.loads(result.stdout)
    asset_keys = {a["asset_key"] for a in listed["assets"]}
    assert "marts/p3dn_provinsi" in asset_keys
    # 68 tables, published files and the run summary, and the 14 INAPROC pull assets.
    assert len(asset_keys) == 68 + 14
    assert len([key for key in asset_keys if key.startswith("pull/")]) == 14
    # 120 quality rules on staging tables (since issue 17 the three WARN date checks
    # tgl_order_in_fiscal_year, tanggal_buat_paket_in_fiscal_year and
    # tanggal_transaksi_in_fiscal_year are the staging quarantine rule
    # date_outside_fiscal_year), and the quality gate of each of the 15 tables computed from
    # them: every mart but data_quality (the report of the checks) and p3dn_target (reference
    # targets alone), and the derived staging.ekatalog_paket; and 4 plausibility checks
    # across rows on the marts (issue 15, defs/marts/expectations).
    gates = sorted(c["asset_key"] for c in listed["asset_checks"]
                   if c["name"] == "upstream_quality_gate")
    assert len(listed["asset_checks"]) == 120 + 15 + 4
    plausibility = sorted((c["asset_key"], c["name"]) for c in listed["asset_checks"]
                          if c["asset_key"].startswith("marts/")
                          and c["name"] != "upstream_quality_gate")
    assert plausibility == [
        ("marts/p3dn_per_skpd", "share_of_belanja_at_most_100_pct"),
        ("marts/p3dn_provinsi", "share_of_belanja_at_most_100_pct"),
        ("marts/umkm_binaan_triwulan", "omzet_per_kg_near_sector_median"),
        ("marts/umkm_binaan_triwulan", "ytd_not_below_previous_quarter")]
    assert gates == sorted({key for key in asset_keys if key.startswith("marts/")}
                           - {"marts/data_quality", "marts/p3dn_target"} | {"staging/ekatalog_paket"})


def _shape(definitions) -> dict:
    repository = definitions.get_repository_def()
    return {
        "assets": sorted(key.to_user_string() for key in repository.assets_defs_by_key),
        "checks": sorted(str(key) for key in repository.asset_graph.asset_check_keys),
        "jobs": sorted(job.name for job in repository.get_all_jobs()),
        "sensors": sorted(sensor.name for sensor in repository.sensor_defs),
        "schedules": sorted(schedule.name for schedule in repository.schedule_defs),
        "resources": sorted(repository.get_top_level_resources()),
        "executor": repository.get_job("refresh_all").executor_def.name,
    }


def test_the_module_loader_finds_what_dagsters_defs_folder_loader_finds():
    """definitions.py loads defs/ module by module (no component tree): the same assets,
    checks, jobs, sensors, schedules, resources and executor as load_from_defs_folder."""
    from dagster import load_from_defs_folder

    from p3dn_pipeline.definitions import DEFS_FOLDER, defs

    ours = _shape(defs)
    assert ours == _shape(load_from_defs_folder(path_within_project=DEFS_FOLDER))
    assert len(ours["assets"]) == 68 + 14 and "marts/p3dn_provinsi" in ours["assets"]
    assert ours["executor"] == "in_process"


def test_a_module_with_loose_assets_and_a_yaml_component_are_both_loaded(tmp_path, monkeypatch):
    """A module under defs/ without a Definitions object gives its module-level assets, as in
    Dagster's loader; a YAML component anywhere under defs/ hands loading to Dagster's loader,
    which alone builds components."""
    import p3dn_pipeline.definitions as definitions
    from dagster import AssetKey, Definitions, asset

    @asset(key=["marts", "loose_example"])
    def loose_example() -> None: ...

    module = type(sys)("p3dn_pipeline.defs.loose_example_for_test")
    module.loose_example = loose_example
    monkeypatch.setitem(sys.modules, module.__name__, module)
    real_walk = definitions.pkgutil.walk_packages

    def walk_with_the_loose_module(path, prefix, *rest, **named):
        yield from real_walk(path, prefix, *rest, **named)
        if prefix == "p3dn_pipeline.defs.":
            yield definitions.pkgutil.ModuleInfo(None, module.__name__, False)

    monkeypatch.setattr(definitions.pkgutil, "walk_packages", walk_with_the_loose_module)
    loaded = definitions.load_definitions()
    assert AssetKey(["marts", "loose_example"]) in {a.key for a in loaded.assets}
    assert len(list(loaded.assets)) == len(list(definitions.defs.assets)) + 1

    (tmp_path / "some_component").mkdir()
    (tmp_path / "some_component" / "defs.yaml").write_text("type: x\n")
    handed_over = []
    monkeypatch.setattr(definitions, "DEFS_FOLDER", tmp_path)
    monkeypatch.setattr(definitions, "load_from_defs_folder",
                        lambda path_within_project: handed_over.append(path_within_project)
                        or Definitions())
    definitions.load_definitions()
    assert handed_over == [tmp_path]

    # Modules in a folder without __init__.py, which walk_packages does not enter: handed
    # over too. The repository's own defs/ holds neither.
    (tmp_path / "some_component" / "defs.yaml").unlink()
    (tmp_path / "some_component" / "assets.py").write_text("")
    assert definitions.needs_dagsters_loader(tmp_path)
    (tmp_path / "some_component" / "__init__.py").write_text("")
    assert not definitions.needs_dagsters_loader(tmp_path)
    assert not definitions.needs_dagsters_loader(definitions.DEFS_FOLDER)


def test_a_package_under_defs_that_fails_to_import_stops_the_loading(tmp_path, monkeypatch):
    """pkgutil.walk_packages skips a package whose import raises ImportError; a source folder
    with a broken import must stop the loading with that error instead of going missing."""
    import types

    import p3dn_pipeline.definitions as definitions

    root = tmp_path / "p3dn_broken_defs"
    (root / "somesource").mkdir(parents=True)
    (root / "__init__.py").write_text("")
    (root / "somesource" / "__init__.py").write_text(
        "import a_module_that_is_not_installed_anywhere\n")
    package = types.ModuleType("p3dn_broken_defs")
    package.__path__ = [str(root)]
    monkeypatch.setitem(sys.modules, "p3dn_broken_defs", package)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(definitions, "defs_package", package)
    with pytest.raises(ImportError, match="a_module_that_is_not_installed_anywhere"):
        list(definitions.module_definitions())
