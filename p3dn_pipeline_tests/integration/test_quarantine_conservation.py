"""Every input row is accounted for: per dataset and file, the rows a person counts in the
landed files = rows staged + rows quarantined (each once), whatever the reason.

Landing: the mini P3DN exports (bad APBD lines among them), with the APBD export landed three
times under other names, a different amount in each re-export, so each APBD key has three
copies: one staged, two quarantined as duplicate_key. The rows of the files are counted by
independent.py's reader (JSON arrays, CSV lines, every sheet below its header), never from the
warehouse's raw tables. Only the raw and staging assets run: conservation is staging's job.
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from p3dn_pipeline_tests import independent

pytestmark = pytest.mark.slow

MINI = Path(__file__).parent.parent / "fixtures" / "mini_p3dn"


def land(landing: Path) -> None:
    shutil.copytree(MINI, landing, dirs_exist_ok=True)
    original = (MINI / "apbd_realisasi.csv").read_text(encoding="utf-8")
    assert original.count("Rp 1.000.000,-") == 1
    for copy, amount in (("apbd_realisasi_ulang.csv", "Rp 1.100.000,-"),
                         ("apbd_realisasi_ulang_2.csv", "Rp 1.200.000,-")):
        (landing / copy).write_text(original.replace("Rp 1.000.000,-", amount),
                                    encoding="utf-8")


@pytest.fixture(scope="module")
def staged(tmp_path_factory, module_monkeypatch):
    from dagster import AssetSelection

    from p3dn_pipeline_tests.conftest import point_pipeline_at

    root = tmp_path_factory.mktemp("conservation")
    env = point_pipeline_at(module_monkeypatch, root)
    land(env.landing)
    # The gate's own accounting check may fail under a break: the tables are still written.
    env.materialize(selection=AssetSelection.groups("staging"), raise_on_error=False)
    tables, unreadable = independent.read_tables(env.landing)
    assert unreadable == {}
    return env, tables


def counted_in_files(tables) -> Counter:
    return Counter({(t.dataset, t.path): len(t.rows) for t in tables if t.dataset})


def test_every_row_of_every_file_is_staged_or_quarantined_once(staged):
    env, tables = staged
    expected = counted_in_files(tables)
    # Six datasets, the three APBD files among them.
    assert len({dataset for dataset, _ in expected}) == 6
    assert sum(1 for dataset, _ in expected if dataset == "apbd_realisasi") == 3
    got = Counter()
    for dataset in {d for d, _ in expected}:
        for path, rows in env.query(
                f"SELECT _source_file, count(*) FROM staging.{dataset} GROUP BY ALL"):
            got[(dataset, path)] += rows
        for path, rows in env.query(
                f"SELECT _source_file, count(DISTINCT (_source_sheet, _source_row)) "
                f"FROM quarantine.{dataset} GROUP BY ALL"):
            got[(dataset, path)] += rows
    assert got == expected


def test_each_apbd_key_is_staged_once_and_its_two_older_copies_quarantined(staged):
    env, _ = staged
    apbd_lines = env.query("SELECT count(*) FROM staging.apbd_realisasi")[0][0]
    assert apbd_lines > 0
    duplicates = env.query("SELECT count(*) FROM quarantine.apbd_realisasi "
                           "WHERE rule = 'duplicate_key'")[0][0]
    assert duplicates == 2 * apbd_lines
