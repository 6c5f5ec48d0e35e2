"""The Dagster code location: `dagster dev -m pipelines.definitions`."""

import dagster as dg

from pipelines.settings import switch_off_telemetry

switch_off_telemetry()

from pipelines.assets.checks import build_gx_checks  # noqa: E402
from pipelines.assets.dbt import dbt_models, dbt_resource  # noqa: E402
from pipelines.assets.kinds import mark_validated  # noqa: E402
from pipelines.assets.publish import outcomes_database, published_tables  # noqa: E402
from pipelines.assets.raw import build_raw_assets  # noqa: E402
from pipelines.assets.report import priority_report  # noqa: E402
from pipelines.assets.signed_off import signed_off_figures  # noqa: E402
from pipelines.jobs import nightly_job, nightly_schedule, sign_off_job, sign_off_schedule  # noqa: E402
from pipelines.sensors import new_extract_sensor, record_run_failure  # noqa: E402
from pipelines.resources import default_warehouse  # noqa: E402

gx_checks = build_gx_checks()

defs = dg.Definitions(
    assets=mark_validated([*build_raw_assets(), dbt_models, published_tables, outcomes_database, priority_report, signed_off_figures], gx_checks),
    asset_checks=gx_checks,
    jobs=[nightly_job, sign_off_job],
    schedules=[nightly_schedule, sign_off_schedule],
    sensors=[new_extract_sensor, record_run_failure],
    resources={
        "warehouse": default_warehouse(),
        "dbt": dbt_resource(),
    },
)
