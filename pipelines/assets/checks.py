"""Great Expectations suites as Dagster asset checks, one per suite and target table.

Suites of severity "error" are blocking: when one fails, Dagster does not run the assets
downstream of the checked asset in that run, so a failed validation never reaches publication
(and the publish step validates its candidate again besides). Suites of severity "warning"
(plausibility) report a WARN in the UI and let publication go ahead; a person accepts a warning
in expectations/accepted_warnings.yml.

Every check records its outcome in dq.validation_results and in the Data Docs under the
published folder, and links the Data Docs page of its run in its metadata.
"""

import warnings
from collections.abc import Iterable

import dagster as dg
from dagster import AssetCheckExecutionContext

from pipelines.resources import WarehouseResource
from pipelines.validation.data_docs import index_page
from pipelines.validation.gx_runner import record_outcomes, run_suite
from pipelines.validation.suites import Suite, load_suites


def _gx_check(suite: Suite) -> dg.AssetChecksDefinition:
    warning_only = suite.severity == "warning"

    @dg.asset_check(
        asset=dg.AssetKey(suite.asset_path),
        name=suite.check_name,
        description=suite.description,
        blocking=not warning_only,
    )
    def _check(context: AssetCheckExecutionContext, warehouse: WarehouseResource) -> dg.AssetCheckResult:
        settings = warehouse.settings
        with warehouse.connect() as con:
            outcome = run_suite(con, suite, stage="build", run_id=context.run.run_id, settings=settings)
            record_outcomes(con, [outcome])
        failed = outcome.errors + outcome.warnings
        metadata = {
            "suite": dg.MetadataValue.path(f"expectations/{suite.path.name}"),
            "rows_validated": outcome.row_count,
            "expectations": len(outcome.outcomes),
            "failed": len(outcome.errors),
            "warnings": len(outcome.warnings),
            "failures": dg.MetadataValue.md("\n".join(f"- {o.message}" for o in failed) or "none"),
            "data_docs_index": dg.MetadataValue.path(str(index_page(settings))),
        }
        if outcome.data_docs:
            metadata["data_docs"] = dg.MetadataValue.url(outcome.data_docs)
        return dg.AssetCheckResult(
            passed=outcome.success and not outcome.warnings,
            severity=dg.AssetCheckSeverity.WARN if warning_only else dg.AssetCheckSeverity.ERROR,
            description=outcome.summary()[:2000],
            metadata=metadata,
        )

    return _check


def build_gx_checks(known_assets: Iterable[dg.AssetKey] | None = None) -> list[dg.AssetChecksDefinition]:
    """A check for every suite that runs at build time and whose target asset exists.

    Without `known_assets`, the assets are the dbt models and the published tables. A suite
    whose target does not exist is left out with a warning (tests/test_validation_suites.py
    fails on it, so it cannot go unnoticed)."""
    if known_assets is None:
        from pipelines.assets.dbt import dbt_models
        from pipelines.assets.publish import published_tables

        known_assets = [*dbt_models.keys, *published_tables.keys]
    known = set(known_assets)
    checks = []
    for suite in load_suites():
        if "build" not in suite.stages:
            continue
        if dg.AssetKey(suite.asset_path) not in known:
            warnings.warn(f"Suite {suite.name} targets {suite.target_asset}, which is not an asset; it is not run.", stacklevel=2)
            continue
        checks.append(_gx_check(suite))
    return checks
