"""Signed-off figures by financial quarter: the partitioned asset behind reruns and restatements.

The live marts are rebuilt in full every night (cheap, and always consistent with the latest
extracts), so they are not partitioned. What is partitioned is the record of what was reported:
one partition per financial quarter, from 2018-19 Q1, named by the quarter's first day
(`2021-04-01` is 2021-22 Q1). Materialising a partition signs that quarter off again from the
live mart (pipelines/operations/sign_off.py); the other quarters keep their figures.

Restating 2021-22 after a corrected extract: deliver the extract, let the nightly run rebuild the
live marts, then backfill the partitions 2021-04-01 to 2022-01-01 (one run: the backfill policy
takes the range in a single step and transaction), and republish.
"""

import warnings

import dagster as dg
from dagster import AssetExecutionContext

from pipelines.operations.retries import is_lock_conflict, retry_for_lock
from pipelines.operations.sign_off import NothingToSignOff, Quarter, headline_preview, sign_off
from pipelines.resources import WarehouseResource

SIGNED_OFF_KEY = dg.AssetKey(["marts", "signed_off_figures"])

# Financial quarters in UK time: 1 April, 1 July, 1 October, 1 January. A quarter becomes a
# partition once it has ended.
fiscal_quarters = dg.TimeWindowPartitionsDefinition(
    cron_schedule="0 0 1 1,4,7,10 *",
    start="2018-04-01",
    fmt="%Y-%m-%d",
    timezone="Europe/London",
)


def _sign_off_figures(context: AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    quarters = [Quarter.from_key(k) for k in context.partition_keys]
    try:
        with warehouse.connect() as con:
            results = sign_off(con, quarters, run_id=context.run.run_id)
            preview = headline_preview(con, quarters)
    except NothingToSignOff as exc:
        raise dg.Failure(description=str(exc), allow_retries=False) from exc
    except Exception as exc:
        if is_lock_conflict(exc):
            raise retry_for_lock(context, exc) from exc
        raise
    for r in results:
        kind = "signed off" if r.version == 1 else f"restated (version {r.version})"
        context.log.info(f"{r.quarter.label} {kind}: {r.rows} figures, {r.rows_changed} new or changed, from extracts dated {', '.join(r.extract_dates)}.")
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": sum(r.rows for r in results),
            "quarters": ", ".join(r.quarter.label for r in results),
            "sign_off_version": max(r.version for r in results),
            "rows_changed": sum(r.rows_changed for r in results),
            "extract_date": ", ".join(sorted({d for r in results for d in r.extract_dates})),
            "preview": dg.MetadataValue.md(preview),
        }
    )


# A range of quarters (a year's restatement) runs as one step and one transaction. The backfill
# policy is marked beta in Dagster 1.13, and its warning would print on every load.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", dg.BetaWarning)
    signed_off_figures = dg.asset(
        key=SIGNED_OFF_KEY,
        deps=[dg.AssetKey(["marts", "outcome_measures"])],
        partitions_def=fiscal_quarters,
        backfill_policy=dg.BackfillPolicy.single_run(),
        group_name="marts",
        kinds={"duckdb"},
        owners=["team:data-engineering"],
        description=(
            "Each financial quarter's figures as signed off: every row of marts.outcome_measures whose period ends in the "
            "quarter (the quarter, its quarter-end snapshot, the rolling year to it, the financial year in Q4), with the "
            "sign-off time, run and version. A partition changes only when someone materialises it again (a restatement); "
            "marts.sign_off_log keeps every sign-off."
        ),
        tags={"outcomes/partitioned_by": "financial_quarter"},
        op_tags={"outcomes/writer": "build_db"},
    )(_sign_off_figures)
