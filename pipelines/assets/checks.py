"""Great Expectations suites as Dagster asset checks, one check per suite and target table.

The checks on the tables one step builds run together in one step: one multi-asset check for
the dbt models' suites and one for the published tables'. Each suite is still a check of its
own in the UI, with its own result, history and rerun; what they share is the step, the
connection to the build database and the Great Expectations context. With a step per suite
(23 of them), Dagster's own work between steps and a connection opened and checkpointed for each
came to some 5 s of a 90 s nightly run at bi-borough volume (docs/benchmarks.md, item 40).

Suites of severity "error" are blocking: when one fails, or cannot run (its error is then its
check's result, and the traceback is in the step's log), the step fails once the rest of its
suites have run, and Dagster does not run the assets downstream of the checked tables in that
run, so a failed validation never reaches publication (and the publish step validates its
candidate again besides). Suites of severity "warning" (plausibility) report a WARN in the UI
and let publication go ahead; a person accepts a warning in expectations/accepted_warnings.yml.

Every check records its outcome in dq.validation_results and in the Data Docs under the
published folder, and links the Data Docs page of its run in its metadata.
"""

import warnings
from collections.abc import Iterable, Iterator, Mapping

import dagster as dg
from dagster import AssetCheckExecutionContext

from pipelines.resources import WarehouseResource
from pipelines.validation.data_docs import index_page
from pipelines.validation.gx_runner import record_outcomes, run_suite
from pipelines.validation.suites import Suite, load_suites


def _result(suite: Suite, outcome, settings) -> dg.AssetCheckResult:
    warning_only = suite.severity == "warning"
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
        asset_key=dg.AssetKey(suite.asset_path),
        check_name=suite.check_name,
        passed=outcome.success and not outcome.warnings,
        severity=dg.AssetCheckSeverity.WARN if warning_only else dg.AssetCheckSeverity.ERROR,
        description=outcome.summary()[:2000],
        metadata=metadata,
    )


def _not_run(suite: Suite, error: Exception) -> dg.AssetCheckResult:
    """A suite whose rows could not be read or validated fails its own check (blocking, unless a
    warning suite), with the error; the traceback is in the step's log."""
    return dg.AssetCheckResult(
        asset_key=dg.AssetKey(suite.asset_path),
        check_name=suite.check_name,
        passed=False,
        severity=dg.AssetCheckSeverity.WARN if suite.severity == "warning" else dg.AssetCheckSeverity.ERROR,
        description=f"{suite.name} could not run: {type(error).__name__}: {error}"[:2000],
        metadata={"suite": dg.MetadataValue.path(f"expectations/{suite.path.name}"), "error": f"{type(error).__name__}: {error}"[:2000]},
    )


def _gx_checks(name: str, suites: list[Suite]) -> dg.AssetChecksDefinition:
    """One step running `suites` (or the ones selected: a check rerun from the UI runs alone)."""
    by_key = {dg.AssetCheckKey(dg.AssetKey(s.asset_path), s.check_name): s for s in suites}

    @dg.multi_asset_check(
        name=name,
        specs=[
            dg.AssetCheckSpec(name=s.check_name, asset=dg.AssetKey(s.asset_path), description=s.description, blocking=s.severity != "warning")
            for s in suites
        ],
        can_subset=True,
    )
    def _checks(context: AssetCheckExecutionContext, warehouse: WarehouseResource) -> Iterator[dg.AssetCheckResult]:
        settings = warehouse.settings
        selected = context.selected_asset_check_keys
        with warehouse.connect() as con:
            for key, suite in by_key.items():  # the suites' own order
                if key not in selected:
                    continue
                try:
                    outcome = run_suite(con, suite, stage="build", run_id=context.run.run_id, settings=settings)
                except Exception as error:  # noqa: BLE001 - reported as this suite's failure; the others still run
                    context.log.exception(f"Suite {suite.name} could not run.")
                    yield _not_run(suite, error)
                    continue
                record_outcomes(con, [outcome])
                yield _result(suite, outcome, settings)

    return _checks


def build_gx_checks(producers: Mapping[str, Iterable[dg.AssetKey]] | None = None, suites: Iterable[Suite] | None = None) -> list[dg.AssetChecksDefinition]:
    """The checks of every suite that runs at build time and whose target asset exists, one
    multi-asset check (one step) per producing step, named `<producer>_gx_suites`.

    `producers` maps a step's name to the asset keys it materialises; without it, the dbt models
    and the published tables. `suites` defaults to the files in expectations/. Checks must not
    share a step across producers: the published tables' checks would then wait for the tables,
    which wait for the models' checks. A suite whose target does not exist is left out with a
    warning (tests/test_validation_suites.py fails on it, so it cannot go unnoticed)."""
    if producers is None:
        from pipelines.assets.dbt import dbt_models
        from pipelines.assets.publish import published_tables

        producers = {"models": dbt_models.keys, "published": published_tables.keys}
    producer_of = {key: name for name, keys in producers.items() for key in keys}
    grouped: dict[str, list[Suite]] = {name: [] for name in producers}
    for suite in load_suites() if suites is None else suites:
        if "build" not in suite.stages:
            continue
        producer = producer_of.get(dg.AssetKey(suite.asset_path))
        if producer is None:
            warnings.warn(f"Suite {suite.name} targets {suite.target_asset}, which is not an asset; it is not run.", stacklevel=2)
            continue
        grouped[producer].append(suite)
    return [_gx_checks(f"{name}_gx_suites", members) for name, members in grouped.items() if members]
