"""Alerts for whoever is on call: a failed run, or a data-quality check that failed.

Alerts follow the check's severity: a failed ERROR check (it stops every figure computed from
the table) pages, as a failed run does; a failed WARN check (it is reported in
marts.data_quality, and never stops a figure) is one warning line in the sensor's log and is
not posted, so the WARN findings a real export always has do not page anyone every morning.

Each alert is one line in the sensor's log (Dagster UI > Automation > the sensor > ticks) and,
when ``P3DN_ALERT_WEBHOOK`` is set, a JSON POST to that URL. An alert names the run, the job,
the failing steps or checks and a one-line error summary, never data: error messages can quote
a value from an export, so quoted text, long digit runs (NIK, NIP, NPWP, phone numbers) and
e-mail addresses are masked. The full error stays in the run's log in the Dagster UI.
"""

from __future__ import annotations

import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request

from dagster import (
    AssetCheckEvaluation,
    AssetCheckSeverity,
    DagsterEventType,
    DefaultSensorStatus,
    Definitions,
    RunFailureSensorContext,
    RunsFilter,
    RunStatusChangeRecordsFilter,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    run_failure_sensor,
    sensor,
)

WEBHOOK_ENV = "P3DN_ALERT_WEBHOOK"
WEBHOOK_TIMEOUT_SECONDS = 10.0
SUMMARY_MAX_CHARS = 240
ALERT_SENSOR_INTERVAL_SECONDS = 60
# Run status changes read per tick; the rest wait for the next tick.
RUNS_PER_TICK = 50

_QUOTED = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_NUMBER_RUN = re.compile(r"\+?\d[\d .-]*\d")
# A date (8 digits) or a row count stays readable; an identifier or phone number does not.
_MAX_DIGITS_SHOWN = 8


def _mask_number(match: re.Match) -> str:
    digits = sum(ch.isdigit() for ch in match.group())
    return "[number]" if digits > _MAX_DIGITS_SHOWN else match.group()


def error_summary(cls_name: str | None, message: str | None) -> str:
    """The error's class and first line, with anything that could be a person's data masked."""
    lines = (message or "").strip().splitlines()
    first = lines[0].strip() if lines else ""
    if cls_name:
        # Dagster stores "module.ClsName: message"; keep one short class name.
        head, sep, rest = first.partition(": ")
        if sep and head.rsplit(".", 1)[-1] == cls_name:
            first = rest
    first = _EMAIL.sub("[e-mail]", first)
    first = _QUOTED.sub("'…'", first)
    first = _NUMBER_RUN.sub(_mask_number, first)
    text = f"{cls_name}: {first}" if cls_name else first
    return text if len(text) <= SUMMARY_MAX_CHARS else text[:SUMMARY_MAX_CHARS - 1] + "…"


def _webhook_host(url: str) -> str:
    # Webhook URLs often carry their secret in the path: only the host is ever logged.
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}" if parts.hostname else "(unparseable URL)"


def post_alert(payload: dict, log) -> bool:
    """POST the alert to P3DN_ALERT_WEBHOOK if set. Never raises: a broken webhook must not
    stop the sensor (the alert line is in the log either way)."""
    url = os.environ.get(WEBHOOK_ENV, "").strip()
    if not url:
        return False
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        log.warning(f"{WEBHOOK_ENV} must be an http:// or https:// URL; alert not sent.")
        return False
    request = urllib.request.Request(
        url, data=json.dumps(payload).encode("utf-8"), method="POST",
        headers={"Content-Type": "application/json", "User-Agent": "p3dn-pipeline-alerts"})
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:
            response.read(4096)
    except Exception as err:  # noqa: BLE001 - any failure of the webhook is only logged
        detail = (f"HTTP {err.code}" if isinstance(err, urllib.error.HTTPError)
                  else type(err).__name__)
        log.warning(f"Alert webhook at {_webhook_host(url)} failed ({detail}); "
                    "the alert is in this log only.")
        return False
    return True


def run_failure_payload(context: RunFailureSensorContext) -> dict:
    run = context.dagster_run
    step_failures = context.get_step_failure_events()
    steps = [event.step_key for event in step_failures]
    if step_failures and step_failures[0].event_specific_data.error:
        error = step_failures[0].event_specific_data.error
        while error.cause is not None:  # Dagster's wrapper -> the error the step raised
            error = error.cause
        summary = error_summary(error.cls_name, error.message)
    else:
        summary = error_summary(None, context.failure_event.message)
    retry_number = int(run.tags.get("dagster/retry_number", "0"))
    max_retries = int(run.tags.get("dagster/max_retries",
                                   context.instance.run_retries_max_retries))
    will_retry = run.tags.get("dagster/will_retry") == "true"
    retry_note = (f"will be retried automatically (attempt {retry_number + 1} of "
                  f"{max_retries + 1})" if will_retry else "not retried")
    text = (f"P3DN ALERT run failed: job {run.job_name}, run {run.run_id}, failed steps "
            f"{', '.join(steps) or '(none: the run itself failed)'}; {summary}; {retry_note}")
    return {
        "source": "p3dn_pipeline", "event": "run_failure", "run_id": run.run_id,
        "job": run.job_name, "failed_steps": steps, "error": summary,
        "attempt": retry_number + 1, "will_retry": will_retry, "text": text,
    }


@run_failure_sensor(
    name="run_failure_alert",
    default_status=DefaultSensorStatus.RUNNING,
    description="Logs a line and POSTs to P3DN_ALERT_WEBHOOK for every failed run of this "
                "code location.",
)
def run_failure_alert(context: RunFailureSensorContext) -> None:
    payload = run_failure_payload(context)
    context.log.error(payload["text"])
    post_alert(payload, context.log)


def _latest_status_change_id(instance) -> int:
    newest = -1
    for event_type in (DagsterEventType.RUN_SUCCESS, DagsterEventType.RUN_FAILURE,
                       DagsterEventType.RUN_CANCELED):
        records = instance.fetch_run_status_changes(event_type, limit=1).records
        if records:
            newest = max(newest, records[0].storage_id)
    return newest


def _finished_runs_after(instance, after_id: int) -> tuple[list[tuple[int, str]], int]:
    """(storage id, run id) of runs that finished after ``after_id``, oldest first, and the
    storage id up to which every finished run has been seen."""
    found: list[tuple[int, str]] = []
    complete_up_to = None
    for event_type in (DagsterEventType.RUN_SUCCESS, DagsterEventType.RUN_FAILURE,
                       DagsterEventType.RUN_CANCELED):
        records = instance.fetch_run_status_changes(
            RunStatusChangeRecordsFilter(event_type=event_type, after_storage_id=after_id),
            limit=RUNS_PER_TICK, ascending=True).records
        found += [(r.storage_id, r.event_log_entry.run_id) for r in records]
        if len(records) == RUNS_PER_TICK:
            # More of this kind are waiting: nothing past its last one is complete yet.
            last = records[-1].storage_id
            complete_up_to = last if complete_up_to is None else min(complete_up_to, last)
    if complete_up_to is not None:
        found = [item for item in found if item[0] <= complete_up_to]
    found.sort()
    return found, (found[-1][0] if found else after_id)


def failed_checks_of_run(instance, run_id: str) -> list[AssetCheckEvaluation]:
    """The last evaluation of each check in the run, where it did not pass."""
    latest: dict[tuple, AssetCheckEvaluation] = {}
    records = instance.get_records_for_run(
        run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION).records
    for record in records:
        evaluation = record.event_log_entry.dagster_event.event_specific_data
        latest[(evaluation.asset_key, evaluation.check_name)] = evaluation
    return [e for e in latest.values() if not e.passed]


def _check_list(failed: list[AssetCheckEvaluation]) -> list[dict]:
    return [{"asset": e.asset_key.to_user_string(), "check": e.check_name,
             "severity": e.severity.value} for e in failed]


def check_failure_payload(run, failed: list[AssetCheckEvaluation]) -> dict:
    """The alert for the ERROR checks that failed in a run (the WARN ones named alongside)."""
    errors = _check_list([e for e in failed if e.severity == AssetCheckSeverity.ERROR])
    warnings = _check_list([e for e in failed if e.severity != AssetCheckSeverity.ERROR])
    listed = ", ".join(f"{c['asset']} {c['check']}" for c in errors)
    text = (f"P3DN ALERT failed ERROR data-quality checks (the marts computed from them are "
            f"not built): job {run.job_name}, run {run.run_id}: {listed}")
    if warnings:
        text += f"; WARN checks failing too: {len(warnings)}"
    return {"source": "p3dn_pipeline", "event": "asset_check_failure", "run_id": run.run_id,
            "job": run.job_name, "failed_checks": errors, "failed_warn_checks": warnings,
            "text": text}


def warn_check_note(run, failed: list[AssetCheckEvaluation]) -> str:
    listed = ", ".join(f"{c['asset']} {c['check']}" for c in _check_list(failed))
    return (f"P3DN note: WARN data-quality checks failing in job {run.job_name}, run "
            f"{run.run_id} (reported in marts.data_quality; they stop no figure, so no alert "
            f"is sent): {listed}")


@sensor(
    name="check_failure_alert",
    minimum_interval_seconds=ALERT_SENSOR_INTERVAL_SECONDS,
    default_status=DefaultSensorStatus.RUNNING,
    description="Logs an alert and POSTs to P3DN_ALERT_WEBHOOK for every finished run in "
                "which an ERROR data-quality check failed; failed WARN checks are one warning "
                "line in this log, never posted.",
)
def check_failure_alert(context: SensorEvaluationContext) -> SensorResult:
    instance = context.instance
    if context.cursor is None:
        # First tick: alert on what happens from now on, not on the instance's whole history.
        start = _latest_status_change_id(instance)
        return SensorResult(cursor=json.dumps({"after_storage_id": start}), skip_reason=SkipReason(
            "Started: watching runs that finish from now on."))
    after_id = json.loads(context.cursor)["after_storage_id"]
    finished, new_after_id = _finished_runs_after(instance, after_id)
    run_ids = list(dict.fromkeys(run_id for _, run_id in finished))
    alerts = 0
    runs = {r.run_id: r for r in instance.get_runs(RunsFilter(run_ids=run_ids))} if run_ids else {}
    for run_id in run_ids:
        run = runs.get(run_id)
        if run is None:  # deleted since it finished
            continue
        failed = failed_checks_of_run(instance, run_id)
        if not any(e.severity == AssetCheckSeverity.ERROR for e in failed):
            if failed:
                context.log.warning(warn_check_note(run, failed))
            continue
        payload = check_failure_payload(run, failed)
        context.log.error(payload["text"])
        post_alert(payload, context.log)
        alerts += 1
    cursor = json.dumps({"after_storage_id": new_after_id})
    if alerts:
        return SensorResult(cursor=cursor)
    return SensorResult(cursor=cursor, skip_reason=SkipReason(
        f"No failed ERROR check in {len(run_ids)} run(s) finished since the last tick."))


alert_sensors = [run_failure_alert, check_failure_alert]

defs = Definitions(sensors=alert_sensors)
