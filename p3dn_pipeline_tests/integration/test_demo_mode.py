"""Demo mode (``P3DN_DEMO_MODE=1``, which ``make run`` always sets) lets the public demo key
hash the shipped synthetic sample and nothing else: real ``p3dn run`` commands, and a run the
landing sensor starts through a real ``dagster-daemon``.

The "real" export is the sample's own APBD CSV with one amount changed: the same format, a
file the sample does not have.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections import Counter
from pathlib import Path

import pytest

from p3dn_pipeline_tests.conftest import REPO
from p3dn_pipeline_tests.integration.cli_runs import (
    Deployment,
    copy_sample_landing,
    fast_folder,
    instance_of,
)
from p3dn_pipeline_tests.integration.test_webserver import BIN, start, stop

pytestmark = pytest.mark.slow

APBD_2024 = "apbd/realisasi_apbd_2024.csv"
DEMO_KEY_WARNING = ("P3DN_PII_KEY is not set: personal identifiers are hashed with the PUBLIC "
                    "DEMO key. Fine for the shipped synthetic sample only; set P3DN_PII_KEY "
                    "for real data.")


def change_one_amount(path: Path) -> None:
    """The realisasi of the first data line, one rupiah more (same size, other bytes): a
    file the sample does not have."""
    data = path.read_bytes()
    assert data.count(b";89.681.661;") == 1, "the sample changed: pick another amount"
    path.write_bytes(data.replace(b";89.681.661;", b";89.681.662;"))


def assert_refusal_says_how_to_set_a_key(text: str, landing: Path) -> None:
    assert (f"P3DN_DEMO_MODE=1 allows the public demo key only on the shipped synthetic "
            f"sample, and the landing folder {landing} holds 1 file(s) that are not part of "
            f"it ({APBD_2024}), so no file is read.") in text
    assert 'python -c "import secrets; print(secrets.token_hex(32))"' in text
    assert "export P3DN_PII_KEY=" in text
    assert "P3DN_DEMO_MODE=0" in text


@pytest.fixture
def root():
    with fast_folder("p3dn-demo-") as folder:
        yield folder


def test_demo_mode_without_a_key_refuses_an_export_that_is_not_in_the_sample(root):
    landing = copy_sample_landing(root / "landing")
    change_one_amount(landing / APBD_2024)
    deployment = Deployment(root, landing, root / "dagster_home", pii_key=None, demo_mode=True)

    finished = deployment.run("refused")

    assert finished.returncode == 1
    assert_refusal_says_how_to_set_a_key(finished.stderr, landing)
    # Stopped before anything was read or written: no warehouse (so no file ledger), no
    # published file, not even a Dagster run.
    assert not deployment.warehouse.parent.exists()
    assert instance_of(deployment.dagster_home).get_runs() == []


def test_demo_mode_runs_the_shipped_sample_and_warns_once_per_run(root):
    deployment = Deployment(root, copy_sample_landing(root / "landing"), root / "dagster_home",
                            pii_key=None, demo_mode=True)

    finished = deployment.run("sample")

    assert finished.returncode == 0, finished.output
    assert "== Realisasi komitmen P3DN ==" in finished.stdout
    # One run of many steps (one "Loaded" line per file, from eight raw steps) ...
    assert len(re.findall(r" - raw__\w+ - Loaded \d+ rows from ", finished.output)) == 59
    # ... and the demo key said once, not once per step; no other warning repeats either.
    assert finished.output.count(DEMO_KEY_WARNING) == 1
    warnings = Counter(line.rsplit(" - ", 1)[-1] for line in finished.output.splitlines()
                       if " - WARNING - " in line)
    assert warnings == {DEMO_KEY_WARNING: 1}


def test_a_run_the_landing_sensor_starts_in_demo_mode_refuses_real_files(root):
    """The daemon path: dagster-daemon ticks the landing sensor, which starts load_landing in
    its own run worker; the run's resources refuse the demo key before any step."""
    from dagster import DagsterEventType, DagsterRunStatus

    landing = root / "landing"
    (landing / "apbd").mkdir(parents=True)
    shutil.copy(REPO / "data" / "landing" / APBD_2024, landing / APBD_2024)
    change_one_amount(landing / APBD_2024)
    old = time.time() - 3600  # a finished copy, not one still being written
    os.utime(landing / APBD_2024, (old, old))
    deployment = Deployment(root, landing, root / "dagster_home", pii_key=None, demo_mode=True,
                            extra_env={"P3DN_LANDING_SETTLE_SECONDS": "1"})
    log = root / "daemon.log"
    daemon = start([str(BIN / "dagster-daemon"), "run", "-w", "workspace.yaml"],
                   deployment.environ(), log)
    instance = instance_of(deployment.dagster_home)
    try:
        deadline = time.monotonic() + 240
        while True:
            runs = instance.get_runs()
            if runs and runs[-1].is_finished:  # the first run (a retry may follow it)
                break
            assert time.monotonic() < deadline, log.read_text(errors="replace")[-4000:]
            assert daemon.poll() is None, log.read_text(errors="replace")[-4000:]
            time.sleep(1)
    finally:
        stop(daemon)

    run = runs[-1]
    assert run.job_name == "load_landing"
    assert run.tags["dagster/sensor_name"] == "landing_folder_sensor"
    assert run.status == DagsterRunStatus.FAILURE
    events = instance.all_logs(run.run_id)
    failures = [event for event in events if event.dagster_event is not None
                and event.dagster_event.event_type == DagsterEventType.RESOURCE_INIT_FAILURE]
    assert len(failures) == 1
    assert_refusal_says_how_to_set_a_key(str(failures[0].dagster_event.event_specific_data),
                                         landing)
    assert not [event for event in events if event.dagster_event is not None
                and event.dagster_event.event_type == DagsterEventType.STEP_START]
    assert not deployment.warehouse.parent.exists()
