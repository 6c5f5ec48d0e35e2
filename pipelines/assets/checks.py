"""Great Expectations suites as blocking Dagster asset checks.

One check per suite file in expectations/. Checks are blocking: when a check fails, Dagster
does not run the assets downstream of the checked asset in that run, so a failed validation
never reaches publication (and the publish step validates its candidate again besides).
"""

import dagster as dg
from dagster import AssetCheckExecutionContext

from pipelines.resources import WarehouseResource
from pipelines.validation.gx_runner import load_suite_document, record_outcomes, run_suite, suite_paths


def _gx_check(path) -> dg.AssetChecksDefinition:
    doc = load_suite_document(path)
    target = dg.AssetKey(doc["meta"]["target_asset"].split("/"))

    @dg.asset_check(
        asset=target,
        name=f"gx_{doc['name']}",
        description=doc["meta"].get("description", doc["name"]),
        blocking=True,
    )
    def _check(context: AssetCheckExecutionContext, warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.connect() as con:
            outcome = run_suite(con, path, run_id=context.run.run_id)
            record_outcomes(con, [outcome])
        failed = outcome.errors + outcome.warnings
        return dg.AssetCheckResult(
            passed=outcome.success,
            severity=dg.AssetCheckSeverity.ERROR,
            description=outcome.summary()[:2000],
            metadata={
                "suite": dg.MetadataValue.path(f"expectations/{path.name}"),
                "rows_validated": outcome.row_count,
                "expectations": len(outcome.outcomes),
                "failed": len(outcome.errors),
                "warnings": len(outcome.warnings),
                "failures": dg.MetadataValue.md("\n".join(f"- {o.message}" for o in failed) or "none"),
            },
        )

    return _check


def build_gx_checks() -> list[dg.AssetChecksDefinition]:
    return [_gx_check(path) for path in suite_paths()]
