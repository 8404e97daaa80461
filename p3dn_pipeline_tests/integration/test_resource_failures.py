"""Out of memory and out of disk during a real ``p3dn run``: the run fails cleanly, with a
message that names the cause and what to change, and what was published before (serving
file, Parquet files, dashboard) stays as it was and readable.

Memory: DuckDB's memory limit is ``P3DN_DUCKDB_MEMORY_LIMIT`` (and its spill folder
``P3DN_DUCKDB_TEMP_DIR``), applied on every pipeline connection; the run after a good publish
gets '8MB' and a changed export to load.

Disk, two ways:

- the warehouse folder (warehouse, serving file, Parquet, dashboard: the defaults, all on one
  disk, as in production) on a tmpfs mounted for the test with ~1.5 MB free: a real ENOSPC.
  Mounting needs root with CAP_SYS_ADMIN (CI containers, this sandbox); where it is refused,
  this case falls back to the next one;
- a file-size limit on the run (RLIMIT_FSIZE, set in the child before exec): a write past it
  fails with EFBIG ("File too large"; Python ignores SIGXFSZ), which takes the same path
  through DuckDB and the pipeline as ENOSPC.
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from p3dn_pipeline_tests.integration.cli_runs import (
    Deployment,
    Finished,
    copy_sample_landing,
    differences,
    fast_folder,
    file_sha256,
    read_only,
    schema_contents,
)

CHANGED_EXPORT = "lkpp/ecat_penyedia_detail.json"
WAREHOUSE_SCHEMAS = ("raw", "staging", "quarantine", "marts", "reference", "quality")


@dataclass
class Published:
    """What BI tools read after a good publish."""
    serving_sha: str
    serving_tables: dict[str, list[tuple]]
    marts: dict[str, list[tuple]]
    # Every table of the warehouse but the file ledger (volatile columns left out).
    warehouse: dict[str, list[tuple]]
    parquet: dict[str, str]
    dashboard_sha: str

    @classmethod
    def of(cls, deployment: Deployment) -> Published:
        return cls(
            serving_sha=file_sha256(deployment.serving),
            serving_tables=schema_contents(deployment.serving, ("main",)),
            marts=schema_contents(deployment.warehouse, ("marts",)),
            warehouse={name: rows for name, rows in schema_contents(
                deployment.warehouse, WAREHOUSE_SCHEMAS).items() if name != "raw.file_ledger"},
            parquet={p.name: file_sha256(p) for p in deployment.parquet_dir.glob("*.parquet")},
            dashboard_sha=file_sha256(deployment.dashboard))


@pytest.fixture(scope="module")
def homes():
    with fast_folder("p3dn-resources-") as folder:
        yield folder


@pytest.fixture(scope="module")
def good(tmp_path_factory, homes) -> Deployment:
    """One good run of the committed sample, published."""
    root = tmp_path_factory.mktemp("good")
    deployment = Deployment(root, copy_sample_landing(root / "landing"), homes / "good")
    finished = deployment.run("good")
    assert finished.returncode == 0, finished.output[-3000:]
    return deployment


def copy_of(good: Deployment, root: Path, dagster_home: Path, **options) -> Deployment:
    """The same installation after its publish, in another folder (``root/warehouse`` may
    already be a mount point)."""
    shutil.copytree(good.landing, root / "landing")
    (root / "warehouse").mkdir(exist_ok=True)
    shutil.copytree(good.warehouse.parent, root / "warehouse", dirs_exist_ok=True)
    return Deployment(root, root / "landing", dagster_home, **options)


def assert_previous_publish_intact(deployment: Deployment, before: Published) -> None:
    # Byte for byte what BI tools had, and it opens read-only with every table.
    after = Published.of(deployment)
    assert after.serving_sha == before.serving_sha
    assert after.serving_tables == before.serving_tables
    assert after.parquet == before.parquet
    assert after.dashboard_sha == before.dashboard_sha
    # The warehouse opens too, its marts as they were, and nothing in it is half done: every
    # table equals the one the good run left (the failed run's input is the same, so a step
    # that finished rebuilt the same rows, and one that failed rolled back).
    assert after.marts == before.marts
    assert not differences(after.warehouse, before.warehouse)
    assert not list(deployment.serving.parent.glob(".marts.duckdb.publishing-*"))


def error_lines(finished: Finished) -> list[str]:
    """The run's own error log lines (Dagster's console format), not traceback lines."""
    return [line for line in finished.stderr.splitlines() if " - dagster - ERROR - " in line]


def failed_steps(finished: Finished) -> str:
    # p3dn run makes two runs, load_landing then refresh_all: whichever failed.
    lines = [line for line in finished.stderr.splitlines()
             if re.match(r'Execution of run for "(load_landing|refresh_all)" failed\.', line)]
    assert lines, finished.stderr[-3000:]
    return lines[-1]


@pytest.mark.slow
def test_out_of_memory_fails_the_run_clearly_and_keeps_the_published_marts(
        good, tmp_path, homes):
    before = Published.of(good)
    deployment = copy_of(good, tmp_path, homes / "oom",
                         extra_env={"P3DN_DUCKDB_MEMORY_LIMIT": "8MB"})
    # A new version of an export (same rows, new bytes), so the run has a file to load.
    export = deployment.landing / CHANGED_EXPORT
    export.write_text(json.dumps(json.loads(export.read_text(encoding="utf-8")), indent=1),
                      encoding="utf-8")
    finished = deployment.run("oom")

    assert finished.returncode == 1
    assert "The run failed" in finished.stderr
    # The cause and the setting that changes it, in a log line of its own.
    memory_errors = [line for line in error_lines(finished) if "Out of memory" in line]
    assert memory_errors, finished.stderr[-3000:]
    assert all("P3DN_DUCKDB_MEMORY_LIMIT=8MB" in line and "P3DN_DUCKDB_TEMP_DIR" in line
               for line in memory_errors)
    # The new version failed to load for want of memory: the raw step fails (it is not
    # the file's fault), so nothing is built or published on a half-loaded dataset...
    assert "raw__ekatalog_penyedia" in failed_steps(finished)
    assert_previous_publish_intact(deployment, before)
    # ... and the version waits for the next run instead of being rejected for good.
    with read_only(deployment.warehouse) as con:
        versions = dict(con.execute(
            "SELECT status, count(*) FROM db.raw.file_ledger WHERE path = $p GROUP BY ALL",
            {"p": CHANGED_EXPORT}).fetchall())
    assert versions == {"loaded": 1, "pending": 1}


@contextmanager
def small_tmpfs(folder: Path, wanted: bool = True) -> Iterator[bool]:
    """A tmpfs on ``folder`` for the duration (False if this process may not mount one)."""
    folder.mkdir(parents=True, exist_ok=True)
    mounted = wanted and subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(folder)],
        capture_output=True).returncode == 0
    try:
        yield mounted
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(folder)], check=False)


def leave_free(folder: Path, free_bytes: int) -> None:
    stats = os.statvfs(folder)
    used = (stats.f_blocks - stats.f_bfree) * stats.f_frsize
    subprocess.run(["mount", "-o", f"remount,size={used + free_bytes}", str(folder)],
                   check=True, capture_output=True)


def file_size_limit(limit: int):
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


@pytest.mark.slow
@pytest.mark.parametrize("how", ["full warehouse disk", "full serving disk", "file size limit"])
def test_full_disk_fails_the_run_clearly_and_keeps_the_published_marts(
        good, tmp_path, homes, how):
    before = Published.of(good)
    root = tmp_path / "installation"
    full = root / ("serving" if how == "full serving disk" else "warehouse")
    with small_tmpfs(full, wanted=how != "file size limit") as mounted:
        if how == "full serving disk" and not mounted:
            pytest.skip("needs a tmpfs mount (root with CAP_SYS_ADMIN) for the serving file")
        # The same input as the good run: only a full refresh rewrites anything (a plain run
        # would find every table up to date and write nothing, so no disk could fill).
        options = {"extra_env": {"P3DN_FULL_REFRESH": "1"}}
        if how == "full serving disk":
            # The serving file on its own disk, with room for the old file and not for the
            # new one: every step succeeds up to the publish, which fails.
            shutil.copy(good.serving, full / "marts.duckdb")
            options["extra_env"]["P3DN_SERVING"] = str(full / "marts.duckdb")
        deployment = copy_of(good, root, homes / how.replace(" ", "-"), **options)
        if how == "full serving disk":
            deployment.warehouse.with_name("marts.duckdb").unlink()  # the copy beside it
            leave_free(full, 512 << 10)
            finished = deployment.run("disk")
            cause = "No space left on device"
        elif mounted:
            # What the last publish left, and ~1.5 MB: less than a run rewrites.
            leave_free(full, 1536 << 10)
            finished = deployment.run("disk")
            cause = "No space left on device"
        else:
            # No tmpfs to be had, or the file-size case: no file of the run may pass 4 MiB,
            # more than Dagster's own SQLite files reach in this run (< 3 MB), less than the
            # warehouse (10 MB: its blocks past 4 MiB cannot be rewritten) and its
            # write-ahead log (~5 MB over one staging step).
            full = deployment.warehouse.parent
            finished = deployment.run("disk", preexec_fn=file_size_limit(4 << 20))
            cause = "File too large"

        assert finished.returncode == 1
        assert "The run failed" in finished.stderr
        # The cause, and the folder whose disk is full, in a log line of its own.
        disk_errors = [line for line in error_lines(finished) if "Disk full" in line]
        assert disk_errors, finished.stderr[-3000:]
        assert all(cause in line and str(full) in line for line in disk_errors), "\n".join(disk_errors)
        if how == "full serving disk":
            assert "publish__serving_file" in failed_steps(finished)
            assert deployment.serving.parent == full
        assert_previous_publish_intact(deployment, before)
        # The failed publish's snapshot was taken out of the history again.
        with read_only(deployment.warehouse) as con:
            assert con.execute("SELECT count(DISTINCT snapshot_id) FROM db.marts.p3dn_snapshot"
                               ).fetchall() == [(1,)]

        # With room again, the warehouse opens read-write (replaying its log) and a
        # checkpoint writes it out whole: the full disk broke nothing.
        if mounted:
            subprocess.run(["mount", "-o", "remount,size=64m", str(full)], check=True)
        con = duckdb.connect(str(deployment.warehouse))
        try:
            con.execute("CHECKPOINT").fetchall()
        finally:
            con.close()
        assert schema_contents(deployment.warehouse, ("marts",)) == before.marts


def test_memory_limit_and_spill_folder_are_set_on_every_pipeline_connection(
        tmp_path, monkeypatch):
    from p3dn_pipeline.lib.resources import P3dnWarehouse

    spill = tmp_path / "spill"
    monkeypatch.setenv("P3DN_DEMO_MODE", "1")
    monkeypatch.setenv("P3DN_DUCKDB_MEMORY_LIMIT", "64MB")
    monkeypatch.setenv("P3DN_DUCKDB_TEMP_DIR", str(spill))
    with P3dnWarehouse(database=str(tmp_path / "w.duckdb")).session() as con:
        limit, folder = con.execute("SELECT current_setting('memory_limit'), "
                                    "current_setting('temp_directory')").fetchall()[0]
        assert (limit, folder) == ("61.0 MiB", str(spill))
        # A sort several times the limit spills to the folder rather than failing.
        con.execute("CREATE TEMP TABLE big AS SELECT range AS i, md5(range::VARCHAR) || "
                    "md5((range + 1)::VARCHAR) AS s FROM range(2000000)").fetchall()
        assert con.execute("SELECT count(*), min(s), max(s) FROM (SELECT * FROM big "
                           "ORDER BY s DESC)").fetchall()[0][0] == 2_000_000
        assert spill.is_dir()
    monkeypatch.delenv("P3DN_DUCKDB_MEMORY_LIMIT")
    monkeypatch.delenv("P3DN_DUCKDB_TEMP_DIR")
    with P3dnWarehouse(database=str(tmp_path / "w2.duckdb")).session() as con:
        # Unset: DuckDB's own defaults (80 % of RAM; a folder beside the warehouse).
        assert con.execute("SELECT current_setting('temp_directory')").fetchall()[0][0] \
            == str(tmp_path / "w2.duckdb.tmp")


def test_the_serving_file_reader_has_a_third_of_the_memory_limit(tmp_path, monkeypatch):
    """read_serving (the Parquet export, the dashboard and the run summary read the published
    file through it) opens a DuckDB instance of its own beside the warehouse's; without a
    limit it may take 80 % of the machine (the Parquet export held 4.7 GB at scale 100 under
    a 3GB limit), and with the whole limit the export step was still the run's peak."""
    from p3dn_pipeline.defs.publish.serving import read_serving

    serving = tmp_path / "marts.duckdb"
    con = duckdb.connect(str(serving))
    con.execute("CREATE TABLE p3dn_provinsi AS SELECT 1 AS x").fetchall()
    con.close()
    monkeypatch.setenv("P3DN_DEMO_MODE", "1")
    # 300MB is 300,000,000 bytes, shown as 286.1 MiB; a third of 286.1 MiB is 95.37 MiB,
    # which DuckDB shows cut to 95.3.
    monkeypatch.setenv("P3DN_DUCKDB_MEMORY_LIMIT", "300MB")
    with read_serving(serving) as reader:
        assert reader.execute("SELECT current_setting('memory_limit'), x "
                              "FROM p3dn_provinsi").fetchall() == [("95.3 MiB", 1)]
    monkeypatch.delenv("P3DN_DUCKDB_MEMORY_LIMIT")

    def mib(shown: str) -> float:
        number, unit = shown.split()
        return float(number) * {"MiB": 1, "GiB": 1024, "TiB": 1024 * 1024}[unit]

    default = duckdb.connect()
    default_mib = mib(default.execute("SELECT current_setting('memory_limit')").fetchall()[0][0])
    default.close()
    with read_serving(serving) as reader:
        # Unset: a third of DuckDB's own default (80 % of the machine's memory).
        reader_mib = mib(reader.execute("SELECT current_setting('memory_limit')"
                                        ).fetchall()[0][0])
    # DuckDB shows sizes cut to a tenth of their unit: in GiB, up to 102.4 MiB below.
    assert 0 <= default_mib / 3 - reader_mib < 102.4


def test_a_memory_limit_duckdb_refuses_is_named_in_the_error(tmp_path, monkeypatch):
    from dagster import Failure

    from p3dn_pipeline.lib.resources import P3dnWarehouse

    monkeypatch.setenv("P3DN_DEMO_MODE", "1")
    monkeypatch.setenv("P3DN_DUCKDB_MEMORY_LIMIT", "lots")
    with pytest.raises(Failure) as refused:
        with P3dnWarehouse(database=str(tmp_path / "w.duckdb")).session():
            pass
    assert refused.value.description.startswith(
        "P3DN_DUCKDB_MEMORY_LIMIT='lots' is refused by DuckDB: Parser Error: Memory must "
        "have a number (e.g. 1GB)")
