"""What a failed run leaves behind: a failure record on disk and, if configured, an alert.

The run-failure sensor (pipelines/sensors.py) calls `record_failure` for every failed run. The
record is a JSON file under <data>/work/failures/ naming the run, the job, how it was started,
each failed step with the error it raised (the user's exception, not Dagster's wrapper), each
failed check with its message, and where to look in the UI.

Alerts are off unless configured by environment:

    OUTCOMES_ALERT_WEBHOOK_URL   POST the record as JSON to this http(s) URL (Teams/Slack relay,
                                 an incident tool, ...)
    OUTCOMES_ALERT_SMTP_HOST     send an e-mail through this server (`host` or `host:port`) ...
    OUTCOMES_ALERT_SMTP_TO       ... to these addresses (comma-separated) ...
    OUTCOMES_ALERT_SMTP_FROM     ... from this address
    OUTCOMES_ALERT_SMTP_STARTTLS `1` to upgrade the connection with STARTTLS
    OUTCOMES_ALERT_SMTP_USER, OUTCOMES_ALERT_SMTP_PASSWORD   optional login
    OUTCOMES_UI_URL              base URL of the Dagster UI in links (default http://127.0.0.1:3000)

A hook that fails never loses the record: the outcome of each hook is written into it.
Error messages of this pipeline never carry personal data (ingest withholds values of personal
columns), so the record can go to an ordinary mailbox.
"""

from __future__ import annotations

import json
import os
import smtplib
import urllib.request
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from email.message import EmailMessage
from pathlib import Path

import dagster as dg

WEBHOOK_ENV = "OUTCOMES_ALERT_WEBHOOK_URL"
SMTP_HOST_ENV = "OUTCOMES_ALERT_SMTP_HOST"
SMTP_TO_ENV = "OUTCOMES_ALERT_SMTP_TO"
SMTP_FROM_ENV = "OUTCOMES_ALERT_SMTP_FROM"
UI_URL_ENV = "OUTCOMES_UI_URL"
DEFAULT_UI_URL = "http://127.0.0.1:3000"
HOOK_TIMEOUT_SECONDS = 15
# Tags worth repeating in the record: how the run was started and what it was for.
_TRIGGER_TAGS = ("dagster/schedule_name", "dagster/sensor_name", "dagster/run_key", "dagster/partition", "dagster/backfill", "outcomes/trigger", "outcomes/extracts")


def _innermost(error):
    """Dagster wraps the user's exception; the cause chain ends at what the code raised."""
    while error is not None and error.cause is not None:
        error = error.cause
    return error


def _message(error) -> str:
    """The error's text without the `module.ClassName: ` Dagster puts in front of it."""
    head, sep, rest = error.message.strip().partition(": ")
    if sep and error.cls_name and head.rsplit(".", 1)[-1] == error.cls_name:
        return rest.strip()
    return error.message.strip()


def _step_failure(event: dg.DagsterEvent) -> dict:
    data = event.event_specific_data
    error = _innermost(data.error) if data else None
    # A step that raised dg.Failure chose its words (the failed dbt tests' rows, say, in front of
    # dbt's own error); otherwise the innermost error is what the code raised.
    described = data.user_failure_data.description if data and data.user_failure_data else None
    return {
        "step": event.step_key,
        "error_class": error.cls_name if error else None,
        "message": (described or (_message(error) if error else "no error recorded"))[:4000],
    }


def _failed_checks(instance: dg.DagsterInstance, run_id: str) -> list[dict]:
    failed = []
    for entry in instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION):
        data = entry.dagster_event.event_specific_data
        if not data.passed:
            failed.append(
                {
                    "check": f"{data.asset_check_key.asset_key.to_user_string()}:{data.asset_check_key.name}",
                    "message": (data.description or "")[:4000],
                }
            )
    return failed


def _run_errors(instance: dg.DagsterInstance, run_id: str) -> list[str]:
    """Errors the run reported outside its steps (its code could not load, its process died)."""
    errors = []
    for entry in instance.all_logs(run_id, of_type=dg.DagsterEventType.ENGINE_EVENT):
        error = getattr(entry.dagster_event.event_specific_data, "error", None)
        if error is not None:
            errors.append(f"{entry.dagster_event.message or ''} {_message(_innermost(error))}".strip()[:4000])
    return errors


def failure_record(
    instance: dg.DagsterInstance,
    run: dg.DagsterRun,
    failure_event: dg.DagsterEvent,
    step_failures: Sequence[dg.DagsterEvent],
    ui_url: str = DEFAULT_UI_URL,
) -> dict:
    stats = instance.get_run_stats(run.run_id)
    started = datetime.fromtimestamp(stats.start_time, timezone.utc).isoformat() if stats.start_time else None
    ended = datetime.fromtimestamp(stats.end_time, timezone.utc).isoformat() if stats.end_time else None
    steps = [_step_failure(e) for e in step_failures]
    checks = _failed_checks(instance, run.run_id)
    run_errors = [] if steps else _run_errors(instance, run.run_id)
    if steps:
        summary = f"{len(steps)} step(s) failed: " + "; ".join(f"{s['step']}: {s['message'].splitlines()[0] if s['message'] else ''}" for s in steps)
    elif run_errors:  # the run failed outside any step (its code could not load, its process died)
        summary = "The run failed before or between its steps: " + run_errors[0].splitlines()[0]
    else:
        summary = (failure_event.message or "The run failed outside any step.").strip()
    return {
        "run_id": run.run_id,
        "job": run.job_name,
        "status": str(run.status.value),
        "failed_at": ended or datetime.now(timezone.utc).isoformat(),
        "started_at": started,
        "trigger": {k: v for k, v in run.tags.items() if k in _TRIGGER_TAGS},
        "summary": summary[:1000],
        "failed_steps": steps,
        "failed_checks": checks,
        "run_errors": run_errors,
        "run_url": f"{ui_url.rstrip('/')}/runs/{run.run_id}",
        "what_next": "Open the run in the UI, read the failed step's error, fix the cause (a corrected "
        "extract, a contract or model change), then Re-execute > From failure.",
    }


def write_record(folder: Path, record: dict) -> Path:
    """Write (or rewrite) the record atomically: a reader never sees half a file."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = record["failed_at"][:19].replace(":", "").replace("-", "")
    path = folder / f"{stamp}-{record['job']}-{record['run_id'][:8]}.json"
    temporary = path.with_name("." + path.name + ".tmp")
    temporary.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(temporary, path)
    return path


def post_webhook(url: str, record: dict, timeout: float = HOOK_TIMEOUT_SECONDS) -> int:
    if not url.lower().startswith(("http://", "https://")):
        raise ValueError(f"{WEBHOOK_ENV} must be an http(s) URL, not {url!r}.")
    request = urllib.request.Request(
        url,
        data=json.dumps(record, sort_keys=True).encode("utf-8"),
        headers={"Content-Type": "application/json", "User-Agent": "biborough-outcomes-warehouse"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (scheme checked above)
        return response.status


def _email(record: dict, sender: str, recipients: list[str]) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = f"[outcomes warehouse] {record['job']} run failed: {record['summary'][:120]}"
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    lines = [f"The {record['job']} run {record['run_id']} failed at {record['failed_at']}.", "", record["summary"], ""]
    for step in record["failed_steps"]:
        lines += [f"Step {step['step']} ({step['error_class']}):", step["message"], ""]
    for check in record["failed_checks"]:
        lines += [f"Check {check['check']} failed:", check["message"], ""]
    lines += [f"Run: {record['run_url']}", record["what_next"]]
    message.set_content("\n".join(lines))
    return message


def send_email(environ: Mapping[str, str], record: dict, timeout: float = HOOK_TIMEOUT_SECONDS) -> str:
    host, _, port = environ[SMTP_HOST_ENV].partition(":")
    recipients = [a.strip() for a in environ.get(SMTP_TO_ENV, "").split(",") if a.strip()]
    sender = environ.get(SMTP_FROM_ENV, "").strip()
    if not recipients or not sender:
        raise ValueError(f"{SMTP_HOST_ENV} is set, so {SMTP_TO_ENV} and {SMTP_FROM_ENV} must be set too.")
    with smtplib.SMTP(host, int(port or 25), timeout=timeout) as smtp:
        if environ.get("OUTCOMES_ALERT_SMTP_STARTTLS") == "1":
            smtp.starttls()
        if environ.get("OUTCOMES_ALERT_SMTP_USER"):
            smtp.login(environ["OUTCOMES_ALERT_SMTP_USER"], environ.get("OUTCOMES_ALERT_SMTP_PASSWORD", ""))
        smtp.send_message(_email(record, sender, recipients))
    return ", ".join(recipients)


def notify(record: dict, environ: Mapping[str, str]) -> dict[str, str]:
    """Call the configured hooks; returns what happened to each (nothing when none is configured)."""
    outcomes: dict[str, str] = {}
    if environ.get(WEBHOOK_ENV):
        try:
            outcomes["webhook"] = f"sent (HTTP {post_webhook(environ[WEBHOOK_ENV], record)})"
        except Exception as exc:  # a broken hook must not lose the record
            outcomes["webhook"] = f"failed: {type(exc).__name__}: {exc}"
    if environ.get(SMTP_HOST_ENV):
        try:
            outcomes["email"] = f"sent to {send_email(environ, record)}"
        except Exception as exc:
            outcomes["email"] = f"failed: {type(exc).__name__}: {exc}"
    return outcomes


def record_failure(
    folder: Path,
    instance: dg.DagsterInstance,
    run: dg.DagsterRun,
    failure_event: dg.DagsterEvent,
    step_failures: Sequence[dg.DagsterEvent],
    environ: Mapping[str, str] | None = None,
) -> tuple[Path, dict]:
    environ = os.environ if environ is None else environ
    record = failure_record(instance, run, failure_event, step_failures, environ.get(UI_URL_ENV, DEFAULT_UI_URL))
    path = write_record(folder, record)  # first, so the record exists even if a hook hangs
    record["notifications"] = notify(record, environ)  # {} when no hook is configured
    write_record(folder, record)
    return path, record
