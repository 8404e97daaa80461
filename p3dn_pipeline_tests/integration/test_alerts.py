"""Alerts, end to end: a run that really fails (or whose check really fails) on a real instance,
the sensor evaluated by Dagster's own tick machinery, and the JSON received by a real HTTP
server on 127.0.0.1 standing in for the webhook."""

from __future__ import annotations

import json
import shutil
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    DagsterInstance,
    asset,
    asset_check,
    build_sensor_context,
    materialize,
)

from p3dn_pipeline.defs import alerts
from p3dn_pipeline.defs.alerts import check_failure_alert, error_summary, run_failure_alert
from p3dn_pipeline_tests.conftest import REPO

# What a real failure can carry: a quoted path, a person's e-mail, NIK and phone number.
LEAKY_ERROR = ('Could not set lock on file "/srv/p3dn/warehouse.duckdb": held by '
               "budi.santoso@jakarta.go.id (NIK 3171012345678901, HP 0812-3456-7890) "
               "since 2025-03-31\nsecond line with more detail")


@asset(key=["test", "locked_table"])
def locked_table():
    raise OSError(LEAKY_ERROR)


@asset(key=["test", "pagu"])
def pagu():
    return None


@asset_check(asset=pagu, name="pagu_not_negative")
def pagu_not_negative():
    return AssetCheckResult(passed=False, severity=AssetCheckSeverity.WARN,
                            description="NIK 3171012345678901 has pagu -5")


@asset_check(asset=pagu, name="pagu_present")
def pagu_present():
    return AssetCheckResult(passed=True)


@asset_check(asset=pagu, name="pagu_is_a_number")
def pagu_is_a_number():
    return AssetCheckResult(passed=False, severity=AssetCheckSeverity.ERROR,
                            description="NIK 3171012345678901 has pagu 'abc'")


class WebhookServer(ThreadingHTTPServer):
    status = 200
    delay_seconds = 0.0

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _WebhookHandler)
        self.received: list[dict] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hooks/secret-token-in-path"


class _WebhookHandler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append({"content_type": self.headers["Content-Type"],
                                     "path": self.path, "json": json.loads(body)})
        time.sleep(self.server.delay_seconds)
        self.send_response(self.server.status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook(monkeypatch):
    server = WebhookServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv(alerts.WEBHOOK_ENV, server.url)
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def instance(tmp_path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPO / "dagster.yaml", home / "dagster.yaml")
    with DagsterInstance.from_config(str(home)) as instance:
        yield instance


def evaluate(sensor_def, instance, cursor):
    """One tick, the way the daemon runs it: Dagster's evaluation wrapper, not the bare function."""
    return sensor_def.evaluate_tick(build_sensor_context(instance=instance, cursor=cursor))


def test_a_failed_run_is_logged_and_posted_without_personal_data(instance, webhook, capfd):
    started = evaluate(run_failure_alert, instance, None)
    assert webhook.received == []

    result = materialize([locked_table], instance=instance, raise_on_error=False)
    assert not result.success
    evaluate(run_failure_alert, instance, started.cursor)

    assert len(webhook.received) == 1
    request = webhook.received[0]
    assert request["content_type"] == "application/json"
    assert request["path"] == "/hooks/secret-token-in-path"
    payload = request["json"]
    summary = ("OSError: Could not set lock on file '…': held by [e-mail] (NIK [number], "
               "HP [number]) since 2025-03-31")
    assert payload == {
        "source": "p3dn_pipeline", "event": "run_failure", "run_id": result.run_id,
        "job": "__ephemeral_asset_job__", "failed_steps": ["test__locked_table"],
        "error": summary, "attempt": 1, "will_retry": True,
        "text": (f"P3DN ALERT run failed: job __ephemeral_asset_job__, run {result.run_id}, "
                 f"failed steps test__locked_table; {summary}; will be retried automatically "
                 "(attempt 1 of 3)"),
    }
    sent = json.dumps(payload)
    for secret in ("3171012345678901", "0812-3456-7890", "budi", "/srv/p3dn", "second line"):
        assert secret not in sent
    assert payload["text"] in capfd.readouterr().err


def test_a_run_failure_alerts_once(instance, webhook):
    started = evaluate(run_failure_alert, instance, None)
    materialize([locked_table], instance=instance, raise_on_error=False)
    first = evaluate(run_failure_alert, instance, started.cursor)
    evaluate(run_failure_alert, instance, first.cursor)
    assert len(webhook.received) == 1


def test_failed_error_checks_page_once_per_run_with_names_only(instance, webhook, capfd):
    started = evaluate(check_failure_alert, instance, None)
    assert started.skip_message.startswith("Started")

    clean = materialize([pagu], instance=instance, selection=["test/pagu"])
    failing = materialize([pagu, pagu_not_negative, pagu_present, pagu_is_a_number],
                          instance=instance)
    assert clean.success and failing.success  # a failed check does not fail the run
    first = evaluate(check_failure_alert, instance, started.cursor)

    assert [r["json"] for r in webhook.received] == [{
        "source": "p3dn_pipeline", "event": "asset_check_failure", "run_id": failing.run_id,
        "job": "__ephemeral_asset_job__",
        "failed_checks": [{"asset": "test/pagu", "check": "pagu_is_a_number",
                           "severity": "ERROR"}],
        "failed_warn_checks": [{"asset": "test/pagu", "check": "pagu_not_negative",
                                "severity": "WARN"}],
        "text": (f"P3DN ALERT failed ERROR data-quality checks (the marts computed from them "
                 f"are not built): job __ephemeral_asset_job__, run {failing.run_id}: "
                 f"test/pagu pagu_is_a_number; WARN checks failing too: 1"),
    }]
    assert webhook.received[0]["json"]["text"] in capfd.readouterr().err
    # Names only: the checks' descriptions (which quote a NIK here) are not sent.
    assert "3171012345678901" not in json.dumps(webhook.received)

    again = evaluate(check_failure_alert, instance, first.cursor)
    assert len(webhook.received) == 1
    assert again.skip_message == (
        "No failed ERROR check in 0 run(s) finished since the last tick.")


def test_failed_warn_checks_are_a_log_line_and_page_nobody(instance, webhook, capfd):
    """The sample's runs always have failing WARN checks: they must not page every day."""
    started = evaluate(check_failure_alert, instance, None)
    warned = materialize([pagu, pagu_not_negative, pagu_present], instance=instance)
    tick = evaluate(check_failure_alert, instance, started.cursor)

    assert webhook.received == []
    assert tick.skip_message == "No failed ERROR check in 1 run(s) finished since the last tick."
    assert (f"P3DN note: WARN data-quality checks failing in job __ephemeral_asset_job__, run "
            f"{warned.run_id} (reported in marts.data_quality; they stop no figure, so no "
            f"alert is sent): test/pagu pagu_not_negative") in capfd.readouterr().err


def test_a_broken_webhook_never_stops_the_sensor(instance, webhook, capfd):
    webhook.status = 500
    started = evaluate(run_failure_alert, instance, None)
    materialize([locked_table], instance=instance, raise_on_error=False)

    data = evaluate(run_failure_alert, instance, started.cursor)

    assert data.cursor != started.cursor  # the tick completed and moved on
    assert len(webhook.received) == 1
    err = capfd.readouterr().err
    assert "P3DN ALERT run failed" in err
    assert "Alert webhook at http://127.0.0.1 failed (HTTP 500)" in err
    assert "secret-token-in-path" not in err


def test_an_unreachable_or_slow_webhook_is_given_up_on_quickly(webhook, monkeypatch):
    from dagster import get_dagster_logger

    log = get_dagster_logger()
    payload = {"event": "test"}
    webhook.delay_seconds = 3
    monkeypatch.setattr(alerts, "WEBHOOK_TIMEOUT_SECONDS", 0.5)
    began = time.monotonic()
    assert alerts.post_alert(payload, log) is False
    assert time.monotonic() - began < 2.5

    closed = WebhookServer()
    closed.server_close()  # a port nobody listens on
    monkeypatch.setenv(alerts.WEBHOOK_ENV, closed.url)
    assert alerts.post_alert(payload, log) is False
    monkeypatch.setenv(alerts.WEBHOOK_ENV, "file:///etc/passwd")
    assert alerts.post_alert(payload, log) is False
    monkeypatch.delenv(alerts.WEBHOOK_ENV)
    assert alerts.post_alert(payload, log) is False


def test_error_summary_keeps_dates_and_counts_but_masks_identifiers():
    assert error_summary("ConversionException",
                         "Could not convert string 'Budi' to INT64 in row 1234567") == (
        "ConversionException: Could not convert string '…' to INT64 in row 1234567")
    assert error_summary(None, "NPWP 01.234.567.8-901.000 rejected") == "NPWP [number] rejected"
    assert len(error_summary("E", "x" * 1000)) == alerts.SUMMARY_MAX_CHARS
