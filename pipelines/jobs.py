"""The jobs and their schedules.

nightly          every unpartitioned asset: ingest new extracts, build the dbt models, validate,
                 publish. Scheduled at 02:00 UK time; also launched by the new-extract sensor
                 (pipelines/sensors.py).
sign_off_quarter the signed-off figures of one financial quarter (or a range, in one run), the
                 publication and its report. Scheduled for the quarter just closed; backfilled by hand to restate.

Every run writes the build database, so the instance queue lets one run at a time through
(.dagster/dagster.yaml); the `outcomes/writer` tag says why.
"""

from datetime import datetime

import dagster as dg

from pipelines.assets.report import REPORT_KEY
from pipelines.assets.signed_off import SIGNED_OFF_KEY, fiscal_quarters

PUBLISHED_KEY = dg.AssetKey(["published", "outcomes_database"])
WRITER_TAGS = {"outcomes/writer": "build_db"}

# Every asset, in one process: the steps share one machine and one DuckDB file, and the
# in-process executor avoids paying Python and dbt start-up once per step.
nightly_job = dg.define_asset_job(
    name="nightly",
    selection=dg.AssetSelection.all() - dg.AssetSelection.assets(SIGNED_OFF_KEY),
    executor_def=dg.in_process_executor,
    tags=WRITER_TAGS,
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

sign_off_job = dg.define_asset_job(
    name="sign_off_quarter",
    # The report is rebuilt with the publication, so it never shows the previous one.
    selection=dg.AssetSelection.assets(SIGNED_OFF_KEY, PUBLISHED_KEY, REPORT_KEY),
    partitions_def=fiscal_quarters,
    executor_def=dg.in_process_executor,
    tags=WRITER_TAGS,
    description=(
        "Sign off a financial quarter's figures from the live mart (partition = the quarter's first day), then publish. "
        "Backfill a range to restate a year: 2021-04-01 to 2022-01-01 is 2021-22."
    ),
)


def last_closed_quarter(when: datetime) -> str | None:
    keys = fiscal_quarters.get_partition_keys(current_time=when)
    return keys[-1] if keys else None


@dg.schedule(
    name="sign_off_closed_quarter",
    job=sign_off_job,
    # The 20th of the month after each quarter ends, after that night's run has taken in the
    # month-end extract.
    cron_schedule="0 7 20 1,4,7,10 *",
    execution_timezone="Europe/London",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Signs off the quarter that has just closed (the 20th of January, April, July and October, 07:00 UK time).",
)
def sign_off_schedule(context: dg.ScheduleEvaluationContext):
    quarter = last_closed_quarter(context.scheduled_execution_time)
    if quarter is None:
        return dg.SkipReason("No financial quarter has closed yet.")
    return dg.RunRequest(run_key=f"sign_off:{quarter}", partition_key=quarter, tags={"outcomes/trigger": "quarterly_schedule"})
