"""Run Great Expectations suites (files in expectations/, see suites.py) against warehouse tables.

GX 1.x cannot validate DuckDB through SQLAlchemy (duckdb-engine is stale), so each suite names
the rows to validate (SQL, or a Python function for rules that need code); the rows are pulled
into pandas and validated with GX's pandas data source. The dataset can add helper columns (a
recomputed value, the difference between the bi-borough figure and the sum of the boroughs) so
that every rule is a plain GX expectation, and it carries the measure, area and period of every
row so that every failure message names them.

Every outcome is written to `dq.validation_results` (the queryable history, next to the data it
judged) and, when a data folder is given, through a GX checkpoint into the Data Docs under the
published folder (data_docs.py).
"""

from __future__ import annotations

import importlib
import json
import logging
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd

from pipelines.settings import EXPECTATIONS_DIR, Settings, switch_off_telemetry
from pipelines.validation.suites import Suite, load_suite_document, load_suites, suite_paths  # noqa: F401 (re-exported)

KEY_COLUMNS = ("measure_id", "area_code", "period_label", "statistic", "breakdown", "breakdown_value")
RESULTS_DDL = """
create schema if not exists dq;
create table if not exists dq.validation_results (
    run_id varchar, suite varchar, target varchar, expectation varchar, column_name varchar,
    severity varchar, passed boolean, observed_value varchar, unexpected_count bigint,
    element_count bigint, message varchar, validated_at timestamp
);
alter table dq.validation_results add column if not exists stage varchar;
alter table dq.validation_results add column if not exists description varchar;
alter table dq.validation_results add column if not exists data_docs varchar;
"""
RESULT_COLUMNS = (
    "run_id", "suite", "target", "expectation", "column_name", "severity", "passed", "observed_value",
    "unexpected_count", "element_count", "message", "validated_at", "stage", "description", "data_docs",
)


@dataclass
class DatasetContext:
    """What a Python dataset function may read."""

    con: duckdb.DuckDBPyConnection
    schema: str
    stage: str
    table: str | None
    settings: Settings | None
    expectations_dir: Path = EXPECTATIONS_DIR


@dataclass
class ExpectationOutcome:
    expectation: str
    column: str | None
    severity: str
    passed: bool
    observed_value: str
    unexpected_count: int
    element_count: int
    message: str
    description: str = ""


@dataclass
class SuiteOutcome:
    suite: str
    target: str
    run_id: str
    row_count: int
    stage: str = "build"
    severity: str = "error"
    outcomes: list[ExpectationOutcome] = field(default_factory=list)
    data_docs: str | None = None
    validated_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc).replace(tzinfo=None))

    @property
    def errors(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.passed and o.severity == "error"]

    @property
    def warnings(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.passed and o.severity == "warning"]

    @property
    def success(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if self.success and not self.warnings:
            return f"{self.suite}: all {len(self.outcomes)} expectations passed on {self.row_count} rows."
        lines = [f"{self.suite}: {len(self.errors)} failed, {len(self.warnings)} warnings, of {len(self.outcomes)} expectations on {self.row_count} rows."]
        lines += [f"- [{o.severity}] {o.message}" for o in self.errors + self.warnings]
        return "\n".join(lines)


def suites_for_stage(stage: str) -> list[Suite]:
    return [s for s in load_suites() if stage in s.stages]


def _describe_rows(frame: pd.DataFrame, indexes: list, limit: int = 8) -> str:
    keys = [c for c in KEY_COLUMNS if c in frame.columns]
    shown = []
    for idx in indexes[:limit]:
        if idx not in frame.index:
            continue
        row = frame.loc[idx]
        text = " / ".join(str(row[k]) for k in keys) if keys else str(idx)
        if "detail" in frame.columns and isinstance(row["detail"], str) and row["detail"]:
            text += f" ({row['detail']})"
        shown.append(text)
    more = f" and {len(indexes) - limit} more" if len(indexes) > limit else ""
    return "; ".join(shown) + more


def _message(config: dict, result: dict, frame: pd.DataFrame) -> str:
    description = config.get("meta", {}).get("description") or config["type"]
    unexpected = result.get("unexpected_index_list") or []
    if unexpected:
        values = result.get("partial_unexpected_list") or []
        sample = ", ".join(map(str, values[:5]))
        return f"{description}: {len(unexpected)} row(s) fail ({_describe_rows(frame, unexpected)}); values: {sample}"
    observed = result.get("observed_value")
    return f"{description}: observed {observed!r}"


def load_dataset(suite: Suite, context: DatasetContext) -> pd.DataFrame:
    if suite.dataset_python:
        module_name, _, function_name = suite.dataset_python.partition(":")
        function = getattr(importlib.import_module(module_name), function_name)
        frame = function(context)
    else:
        from pipelines.publication.published_tables import dbt_vars

        variables = dbt_vars()
        sql = suite.dataset_sql.format(
            schema=context.schema,
            table=suite.table or "",
            table_schema=(suite.table or context.schema).split(".")[0],
            expectations_dir=str(context.expectations_dir),
            suppression_threshold=int(variables.get("suppression_threshold", 5)),
            suppression_min_denominator=int(variables.get("suppression_min_denominator", 10)),
        )
        frame = context.con.execute(sql).df()
    return frame.reset_index(drop=True)


def _gx_suite(suite: Suite):
    from great_expectations.core.expectation_suite import ExpectationSuite
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    gx_suite = ExpectationSuite(name=suite.name, meta={"description": suite.description, "target": suite.target_asset, "file": suite.path.name})
    for cfg in suite.expectations:
        gx_suite.add_expectation_configuration(ExpectationConfiguration(type=cfg["type"], kwargs=cfg["kwargs"], meta=cfg.get("meta", {})))
    return gx_suite


def import_great_expectations():
    """Great Expectations, imported with telemetry off and its logger quiet (every use of GX in
    the project starts here)."""
    switch_off_telemetry()
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    import great_expectations as gx

    return gx


def preload_great_expectations() -> threading.Thread:
    """Import Great Expectations (about 2 s of module loading) in a background thread.

    The nightly job runs every step in one process, and its first validation comes straight
    after the dbt step, which spends its time waiting for the dbt subprocess: importing GX there
    takes those 2 s off the run (docs/benchmarks.md, item 27). A failed import here is left for
    the first validation to raise, where it belongs."""

    def load() -> None:
        try:
            import_great_expectations()
        except Exception:  # noqa: BLE001 - reported by the validation that needs it
            logging.getLogger(__name__).debug("Preloading Great Expectations failed", exc_info=True)

    thread = threading.Thread(target=load, name="preload-great-expectations", daemon=True)
    thread.start()
    return thread


# What a validation keeps of each expectation's result. BASIC counts the unexpected values and
# keeps a sample of them; COMPLETE also lists every unexpected row, which cost a fifth of GX's
# time, mostly on expectations that pass. So a suite runs at BASIC, and only the expectations
# that failed run again at COMPLETE, for the rows the failure message names (docs/benchmarks.md,
# item 43).
PASSING_FORMAT = {"result_format": "BASIC"}
FAILING_FORMAT = {"result_format": "COMPLETE", "unexpected_index_column_names": []}

# One in-memory GX context per process for running suites, with a dataframe asset per suite,
# added on first use. Running them through the file project (a validation definition per suite)
# rewrote the project's YAML several times per suite and read its config variables file at
# every store lookup: about 1.2 s of a run's 6 s of GX (item 43). The file project keeps the
# suites, the results and the Data Docs.
@cache
def _in_memory_source():
    gx = import_great_expectations()
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context.data_sources.add_pandas(name="warehouse")  # keeps its context


@cache
def _batch_definition(asset_name: str):
    return _in_memory_source().add_dataframe_asset(name=asset_name).add_batch_definition_whole_dataframe("all_rows")


def _run_expectations(suite: Suite, frame: pd.DataFrame):
    """The suite's result on `frame`: BASIC for every expectation, COMPLETE for those that failed."""
    batch = _batch_definition(suite.name).get_batch(batch_parameters={"dataframe": frame})
    gx_suite = _gx_suite(suite)
    result = batch.validate(gx_suite, result_format=PASSING_FORMAT)
    failed = [i for i, item in enumerate(result.results) if not item.success]
    if failed:
        from great_expectations.core.expectation_suite import ExpectationSuite

        again = ExpectationSuite(name=suite.name)
        for i in failed:
            again.add_expectation_configuration(result.results[i].expectation_config)
        for i, item in zip(failed, batch.validate(again, result_format=FAILING_FORMAT).results, strict=True):
            result.results[i] = item
    return gx_suite, result


def _validate(suite: Suite, frame: pd.DataFrame, *, settings: Settings | None, run_name: str):
    """Run the suite on `frame` with GX; returns (expectation results, Data Docs page or None).
    With `settings`, the result is stored in that data folder's GX project, under the key GX's
    own validation definitions use, and its Data Docs page is rendered."""
    gx_suite, result = _run_expectations(suite, frame)
    if settings is None:
        return result.results, None

    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import ExpectationSuiteIdentifier, ValidationResultIdentifier

    from pipelines.validation.data_docs import SITE_NAME, file_context, refresh_index

    context = file_context(settings)
    run_id = RunIdentifier(run_name=run_name)
    result.meta["run_id"] = run_id
    result.meta["validation_time"] = run_id.run_time
    suite_key = ExpectationSuiteIdentifier(name=suite.name)
    stored = ValidationResultIdentifier(expectation_suite_identifier=suite_key, run_id=run_id, batch_identifier=result.batch_id)
    context.suites.add_or_update(gx_suite)  # the suite's page in the Data Docs
    context.validation_results_store.set(stored, result)
    # The page of this result is rendered now, the index only when something failed
    # (refresh_index is the slow part, and the publish step refreshes it at the end of every run).
    context.build_data_docs(site_names=[SITE_NAME], resource_identifiers=[stored, suite_key], build_index=False)
    if not result.success:
        refresh_index(settings, context)
    urls = context.get_docs_sites_urls(resource_identifier=stored, site_name=SITE_NAME)
    return result.results, (urls[0]["site_url"] if urls else None)


def run_suite(
    con: duckdb.DuckDBPyConnection,
    suite: Suite | Path,
    *,
    stage: str = "build",
    schema: str = "marts",
    run_id: str | None = None,
    settings: Settings | None = None,
) -> SuiteOutcome:
    """Validate the rows the suite's dataset returns from `con`. With `settings`, the result is
    also stored in that data folder's GX project and its Data Docs."""
    if isinstance(suite, Path):
        suite = next(s for s in load_suites(suite.parent) if s.path == suite)
    run_id = run_id or uuid.uuid4().hex
    frame = load_dataset(suite, DatasetContext(con=con, schema=schema, stage=stage, table=suite.table, settings=settings))
    outcome = SuiteOutcome(suite=suite.name, target=suite.target_asset, run_id=run_id, row_count=len(frame), stage=stage, severity=suite.severity)
    if frame.empty and suite.allow_empty:
        return outcome

    results, outcome.data_docs = _validate(suite, frame, settings=settings, run_name=f"{stage}-{run_id}")
    by_signature = {(c["type"], json.dumps(c["kwargs"], sort_keys=True)): c for c in suite.expectations}
    for item in results:
        cfg_obj = item.expectation_config
        signature = (cfg_obj.type, json.dumps({k: v for k, v in cfg_obj.kwargs.items() if k != "batch_id"}, sort_keys=True, default=str))
        cfg = by_signature.get(signature, {"type": cfg_obj.type, "kwargs": cfg_obj.kwargs, "meta": cfg_obj.meta or {}})
        res = item.result or {}
        severity = (cfg.get("meta") or {}).get("severity", suite.severity)
        outcome.outcomes.append(
            ExpectationOutcome(
                expectation=cfg_obj.type,
                column=cfg_obj.kwargs.get("column") or cfg_obj.kwargs.get("column_A"),
                severity=severity,
                passed=bool(item.success),
                observed_value=str(res.get("observed_value", ""))[:500],
                unexpected_count=int(res.get("unexpected_count") or 0),
                element_count=int(res.get("element_count") or len(frame)),
                message="" if item.success else _message(cfg, res, frame),
                description=(cfg.get("meta") or {}).get("description", ""),
            )
        )
    return outcome


def record_outcomes(con: duckdb.DuckDBPyConnection, outcomes: list[SuiteOutcome]) -> None:
    """Append outcomes to dq.validation_results (the validation history)."""
    con.execute(RESULTS_DDL)
    rows = [
        (
            o.run_id, o.suite, o.target, e.expectation, e.column, e.severity, e.passed, e.observed_value, e.unexpected_count,
            e.element_count, e.message, o.validated_at, o.stage, e.description, o.data_docs,
        )
        for o in outcomes
        for e in o.outcomes
    ]
    if rows:
        placeholders = ", ".join("?" for _ in RESULT_COLUMNS)
        con.executemany(f"insert into dq.validation_results ({', '.join(RESULT_COLUMNS)}) values ({placeholders})", rows)
