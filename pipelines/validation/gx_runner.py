"""Run Great Expectations suites (files in expectations/) against warehouse tables.

GX 1.x cannot validate DuckDB through SQLAlchemy (duckdb-engine is stale), so each suite names
the SQL that produces the rows to validate (`meta.dataset_sql`, with `{schema}` for the schema
holding the marts); the rows are pulled into pandas and validated with GX's pandas data source.
The dataset SQL can add helper columns (a recomputed value, the difference between the
bi-borough figure and the sum of the boroughs) so that every rule is a plain GX expectation.

Results are returned as plain records and written to `dq.validation_results`, so the history of
every validation is queryable next to the data it judged.
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pandas as pd

from pipelines.settings import EXPECTATIONS_DIR, switch_off_telemetry

KEY_COLUMNS = ("measure_id", "area_code", "period_label", "statistic", "breakdown", "breakdown_value")
RESULTS_DDL = """
create schema if not exists dq;
create table if not exists dq.validation_results (
    run_id varchar, suite varchar, target varchar, expectation varchar, column_name varchar,
    severity varchar, passed boolean, observed_value varchar, unexpected_count bigint,
    element_count bigint, message varchar, validated_at timestamp
);
"""


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


@dataclass
class SuiteOutcome:
    suite: str
    target: str
    run_id: str
    row_count: int
    outcomes: list[ExpectationOutcome] = field(default_factory=list)
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


def suite_paths(directory: Path = EXPECTATIONS_DIR) -> list[Path]:
    return sorted(directory.glob("*.json"))


def load_suite_document(path: Path) -> dict:
    doc = json.loads(path.read_text(encoding="utf-8"))
    meta = doc.get("meta", {})
    for key in ("dataset_sql", "target_asset"):
        if key not in meta:
            raise ValueError(f"{path}: suite meta must give {key!r}")
    return doc


def _describe_rows(frame: pd.DataFrame, indexes: list, limit: int = 8) -> str:
    keys = [c for c in KEY_COLUMNS if c in frame.columns]
    shown = []
    for idx in indexes[:limit]:
        if idx not in frame.index:
            continue
        row = frame.loc[idx]
        shown.append(" / ".join(str(row[k]) for k in keys) if keys else str(idx))
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


def run_suite(con: duckdb.DuckDBPyConnection, path: Path, *, schema: str = "marts", run_id: str | None = None) -> SuiteOutcome:
    """Validate the rows that the suite's dataset SQL returns from `con`."""
    switch_off_telemetry()
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.core.expectation_suite import ExpectationSuite
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    doc = load_suite_document(path)
    sql = doc["meta"]["dataset_sql"].format(schema=schema)
    frame = con.execute(sql).df()
    run_id = run_id or uuid.uuid4().hex
    outcome = SuiteOutcome(suite=doc["name"], target=doc["meta"]["target_asset"], run_id=run_id, row_count=len(frame))
    if frame.empty and doc["meta"].get("allow_empty", False):
        return outcome

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    suite = ExpectationSuite(name=doc["name"], meta=doc.get("meta", {}))
    configs = doc["expectations"]
    for cfg in configs:
        suite.add_expectation_configuration(ExpectationConfiguration(type=cfg["type"], kwargs=cfg["kwargs"], meta=cfg.get("meta", {})))
    suite = context.suites.add(suite)
    source = context.data_sources.add_pandas(name="warehouse")
    asset = source.add_dataframe_asset(name=doc["name"])
    batch = asset.add_batch_definition_whole_dataframe("all_rows")
    validation = context.validation_definitions.add(gx.ValidationDefinition(name=f"{doc['name']}_validation", data=batch, suite=suite))
    result = validation.run(batch_parameters={"dataframe": frame}, result_format={"result_format": "COMPLETE", "unexpected_index_column_names": []})

    by_signature = {(c["type"], json.dumps(c["kwargs"], sort_keys=True)): c for c in configs}
    for item in result.results:
        cfg_obj = item.expectation_config
        signature = (cfg_obj.type, json.dumps({k: v for k, v in cfg_obj.kwargs.items() if k != "batch_id"}, sort_keys=True, default=str))
        cfg = by_signature.get(signature, {"type": cfg_obj.type, "kwargs": cfg_obj.kwargs, "meta": cfg_obj.meta or {}})
        res = item.result or {}
        severity = (cfg.get("meta") or {}).get("severity", "error")
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
            )
        )
    return outcome


def record_outcomes(con: duckdb.DuckDBPyConnection, outcomes: list[SuiteOutcome]) -> None:
    """Append outcomes to dq.validation_results (the validation history)."""
    con.execute(RESULTS_DDL)
    rows = [
        (o.run_id, o.suite, o.target, e.expectation, e.column, e.severity, e.passed, e.observed_value, e.unexpected_count, e.element_count, e.message, o.validated_at)
        for o in outcomes
        for e in o.outcomes
    ]
    if rows:
        con.executemany("insert into dq.validation_results values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
