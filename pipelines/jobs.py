"""The nightly job and its schedule."""

import dagster as dg

# Every asset, in one process: the steps share one machine and one DuckDB file, and the
# in-process executor avoids paying Python and dbt start-up once per step.
nightly_job = dg.define_asset_job(
    name="nightly",
    selection=dg.AssetSelection.all(),
    executor_def=dg.in_process_executor,
    tags={"outcomes/writer": "build_db"},
    description="Ingest new extracts, build the dbt models, validate, publish.",
)

nightly_schedule = dg.ScheduleDefinition(
    name="nightly_0200_london",
    job=nightly_job,
    cron_schedule="0 2 * * *",
    execution_timezone="Europe/London",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every night at 02:00 UK time (GMT or BST).",
)
