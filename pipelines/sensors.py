"""Sensors: a new extract starts the nightly job; a failed run leaves a record and an alert.

new_extract         every minute, looks for extract folders in data/raw/<source>/<extract>/ it has
                    not seen (or whose files changed) and launches the nightly job once for them,
                    with a run key derived from their checksums: the same delivery never runs twice.
record_run_failure  for every failed run of this code location, writes a JSON failure record under
                    <data>/work/failures/ and calls the alert hooks configured by environment
                    (pipelines/operations/failures.py); off by default.

Runs never overlap: the daemon's queue lets one run at a time through (.dagster/dagster.yaml).
"""

from __future__ import annotations

import hashlib
import json

import dagster as dg

from pipelines.jobs import nightly_job
from pipelines.operations.extract_fingerprints import DEFAULT_SETTLE_SECONDS, FolderState, scan
from pipelines.operations.failures import record_failure
from pipelines.resources import WarehouseResource

NEW_EXTRACT_SENSOR = "new_extract"
_CURSOR_VERSION = 1
_TAG_LIMIT = 200


def _load_cursor(cursor: str | None) -> dict[str, FolderState]:
    if not cursor:
        return {}
    data = json.loads(cursor)
    if data.get("version") != _CURSOR_VERSION:
        return {}
    return {name: FolderState(signature=s, checksum=c) for name, (s, c) in data["folders"].items()}


def _dump_cursor(states: dict[str, FolderState]) -> str:
    folders = {name: [s.signature, s.checksum] for name, s in sorted(states.items())}
    return json.dumps({"version": _CURSOR_VERSION, "folders": folders}, separators=(",", ":"))


def run_key_for(folders: dict[str, FolderState]) -> str:
    """sha256 over `<source>/<extract>=<checksum>` of each folder in the run, sorted."""
    lines = sorted(f"{name}={state.checksum}" for name, state in folders.items())
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def _names_tag(names: list[str]) -> str:
    text = ", ".join(names)
    return text if len(text) <= _TAG_LIMIT else text[: _TAG_LIMIT - 20].rsplit(", ", 1)[0] + f" and {len(names)} in all"


def _already_launched(context: dg.SensorEvaluationContext, run_key: str) -> bool:
    """The daemon also refuses a run key it has used; checking here keeps the cursor honest when
    it was reset (and lets a test see the answer without a daemon)."""
    if context.instance is None:
        return False
    runs = context.instance.get_run_records(
        dg.RunsFilter(tags={"dagster/run_key": run_key, "dagster/sensor_name": NEW_EXTRACT_SENSOR}), limit=1
    )
    return bool(runs)


@dg.sensor(
    name=NEW_EXTRACT_SENSOR,
    job=nightly_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Launches the nightly job when a new or changed extract folder appears in data/raw/<source>/<extract>/. "
        f"Folders named with a leading _ or . (deliveries in progress) and folders written in the last {DEFAULT_SETTLE_SECONDS} s are left for later."
    ),
)
def new_extract_sensor(context: dg.SensorEvaluationContext, warehouse: WarehouseResource):
    known = _load_cursor(context.cursor)
    states, unsettled = scan(warehouse.settings.raw_dir, known)
    # A folder being rewritten keeps its old state until it settles, so it is compared then.
    remembered = {**states, **{name: known[name] for name in unsettled if name in known}}
    new = {name: s for name, s in states.items() if name not in known or known[name].checksum != s.checksum}
    cursor = _dump_cursor(remembered)
    waiting = f" ({len(unsettled)} still being written: {', '.join(unsettled)})" if unsettled else ""
    if not new:
        return dg.SensorResult(skip_reason=dg.SkipReason(f"No new extract folder{waiting}."), cursor=cursor)
    run_key = run_key_for(new)
    names = sorted(new)
    if _already_launched(context, run_key):
        return dg.SensorResult(skip_reason=dg.SkipReason(f"Already ran for {', '.join(names)}{waiting}."), cursor=cursor)
    context.log.info(f"New extract folder(s): {', '.join(names)}{waiting}; run key {run_key}.")
    request = dg.RunRequest(run_key=run_key, tags={"outcomes/trigger": "new_extract", "outcomes/extracts": _names_tag(names)})
    return dg.SensorResult(run_requests=[request], cursor=cursor)


@dg.run_failure_sensor(
    name="record_run_failure",
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Writes a JSON failure record (run, job, failed steps and checks with their errors, time) under "
        "<data>/work/failures/ and calls OUTCOMES_ALERT_WEBHOOK_URL / OUTCOMES_ALERT_SMTP_* when set."
    ),
)
def record_run_failure(context: dg.RunFailureSensorContext, warehouse: WarehouseResource):
    path, record = record_failure(
        warehouse.settings.work_dir / "failures",
        context.instance,
        context.dagster_run,
        context.failure_event,
        context.get_step_failure_events(),
    )
    sent = "; ".join(f"{hook} {outcome}" for hook, outcome in record.get("notifications", {}).items()) or "no alert hook configured"
    context.log.info(f"Failure record for run {record['run_id']}: {path} ({sent}).")
