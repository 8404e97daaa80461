"""Re-running with unchanged inputs loads nothing again and leaves every mart identical."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

FIXTURES = Path(__file__).parent.parent / "fixtures" / "mini_p3dn"
MARTS = ["p3dn_per_skpd", "p3dn_provinsi", "p3dn_apbd_bulanan", "umkm_binaan_triwulan",
         "umkm_ekatalog"]


def mart_contents(env) -> dict[str, list[tuple]]:
    return {name: env.query(f"SELECT * FROM marts.{name} ORDER BY ALL") for name in MARTS}


def raw_load_metadata(result) -> dict[str, int]:
    loaded = {}
    for event in result.get_asset_materialization_events():
        materialization = event.event_specific_data.materialization
        if materialization.asset_key.path[0] == "raw" and \
                "files_loaded_this_run" in materialization.metadata:
            loaded[materialization.asset_key.path[1]] = \
                materialization.metadata["files_loaded_this_run"].value
    return loaded


def test_second_run_on_unchanged_inputs_loads_nothing_and_changes_no_mart(pipeline_env):
    for path in FIXTURES.iterdir():
        shutil.copy(path, pipeline_env.landing / path.name)
    first = pipeline_env.materialize()
    assert sum(raw_load_metadata(first).values()) == 6
    before = mart_contents(pipeline_env)
    ledger_before = pipeline_env.query("SELECT * FROM raw.file_ledger ORDER BY path")

    second = pipeline_env.materialize()
    from p3dn_pipeline.lib.sources import registry

    # Every dataset's raw step ran and loaded nothing.
    assert raw_load_metadata(second) == {d.name: 0 for d in registry().datasets}
    assert pipeline_env.query("SELECT * FROM raw.file_ledger ORDER BY path") == ledger_before
    after = mart_contents(pipeline_env)
    assert after == before
    assert len(before["p3dn_per_skpd"]) == 2
