"""Metadata the UI shows for the tables dbt builds: row counts, and for the mart its extract date
and a preview of the headline figures.

DuckDB lets one process hold the build database, and dbt (a subprocess) holds it until it exits,
so the events of a `dbt build` are collected first and the tables counted after (dagster-dbt's own
row counts do the same on DuckDB). Views are not counted: counting one would run its query.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator

import dagster as dg
import duckdb

from pipelines.operations.retries import is_lock_conflict

MART_KEY = dg.AssetKey(["marts", "outcome_measures"])
PREVIEW_ROWS = 30


def _table(spec: dg.AssetSpec) -> str | None:
    if spec.metadata.get("dagster-dbt/materialization_type") not in ("table", "incremental"):
        return None
    name = spec.metadata.get("dagster/table_name")  # database.schema.table
    return ".".join(str(name).split(".")[-2:]) if name else None


def mart_preview(con: duckdb.DuckDBPyConnection, table: str = "marts.outcome_measures") -> str:
    """Markdown: each measure's headline figures for its latest financial year, one column per area."""
    rows = con.execute(
        f"""
        with latest as (
            select measure_id, statistic, max(period_end) as period_end
            from {table}
            where breakdown = 'all' and period_type = 'financial_year'
            group by measure_id, statistic
        )
        select m.measure_id, m.statistic, m.period_label, m.area_code, m.area_name, m.value, m.unit
        from {table} as m
        inner join latest as l
            on m.measure_id = l.measure_id and m.statistic = l.statistic and m.period_end = l.period_end
        where m.breakdown = 'all' and m.period_type = 'financial_year'
        order by m.measure_id, m.statistic, m.area_code
        """
    ).fetchall()
    if not rows:
        return "No financial-year headline figures yet."
    # Single authorities (E0... codes) first, then combined areas.
    areas = sorted({(r[3], r[4]) for r in rows}, key=lambda a: (not a[0].startswith("E"), a[0]))
    figures: dict[tuple, dict] = {}
    units: dict[tuple, str] = {}
    for measure, statistic, period, area, _name, value, unit in rows:
        figures.setdefault((measure, statistic, period), {})[area] = value
        units[(measure, statistic, period)] = unit
    lines = [
        "| measure | statistic | year | " + " | ".join(name for _, name in areas) + " |",
        "|---|---|---|" + "---:|" * len(areas),
    ]
    for (measure, statistic, period), values in list(figures.items())[:PREVIEW_ROWS]:
        style = ",.0f" if units[(measure, statistic, period)] == "count" else ",.1f"
        cells = [format(values[code], style) if values.get(code) is not None else "" for code, _ in areas]
        lines.append(f"| {measure} | {statistic} | {period} | " + " | ".join(cells) + " |")
    if len(figures) > PREVIEW_ROWS:
        lines.append(f"\n{len(figures) - PREVIEW_ROWS} more measures and statistics in marts.outcome_measures.")
    return "\n".join(lines)


def _mart_metadata(con: duckdb.DuckDBPyConnection) -> dict:
    extract_dates = con.execute("select string_agg(distinct cast(extract_date as varchar), ', ') from marts.outcome_measures where value_source = 'computed'").fetchall()[0][0]
    latest = con.execute("select max(period_label) from marts.outcome_measures where period_type = 'financial_year'").fetchall()[0][0]
    return {"extract_date": extract_dates or "none", "latest_financial_year": latest or "none", "preview": dg.MetadataValue.md(mart_preview(con))}


def _collect(events: Iterable) -> tuple[list, BaseException | None]:
    """Every event, and the error that ended the stream if any (a failed dbt test, say): the
    models built before it must still be recorded."""
    collected = []
    try:
        for event in events:
            collected.append(event)
    except Exception as exc:
        return collected, exc
    return collected, None


def connect_after_dbt(database_path, timeout_seconds: float = 60.0) -> duckdb.DuckDBPyConnection:
    """A read-only connection once dbt has let the file go: its output stream can end a moment
    before the process exits and releases its lock (seconds on a loaded machine)."""
    deadline = time.monotonic() + timeout_seconds
    delay = 0.1
    while True:
        try:
            return duckdb.connect(str(database_path), read_only=True)
        except duckdb.IOException as exc:
            if not is_lock_conflict(exc) or time.monotonic() + delay > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 2.0)


def _extra_metadata(context: dg.AssetExecutionContext, outputs: list[dg.Output], database_path) -> dict[str, dict]:
    extra: dict[str, dict] = {}
    con = connect_after_dbt(database_path)
    try:
        for output in outputs:
            key = context.asset_key_for_output(output.output_name)
            table = _table(context.assets_def.specs_by_key[key])
            if table is None:
                continue
            try:
                metadata = {"dagster/row_count": con.execute(f"select count(*) from {table}").fetchall()[0][0]}
                if key == MART_KEY:
                    metadata.update(_mart_metadata(con))
            except duckdb.Error as exc:  # metadata is a courtesy: never fail a build over it
                context.log.warning(f"No row count for {table}: {exc}")
                continue
            extra[output.output_name] = metadata
    finally:
        con.close()
    return extra


def _is_test_result(event) -> bool:
    return isinstance(event, dg.AssetObservation) and str(event.metadata.get("unique_id", dg.MetadataValue.text("")).value).startswith("test.")


def dbt_test_summary(observations: list[dg.AssetObservation]) -> dict:
    """dbt test results (which are not asset checks: pipelines/assets/dbt.py) as one summary:
    tests per status, and the names of those that did not pass."""
    status: dict[str, str] = {}
    for event in observations:  # a test on two models comes once per model
        status[str(event.metadata["unique_id"].value)] = str(event.metadata["status"].value) if "status" in event.metadata else "unknown"
    counts: dict[str, int] = {}
    for value in status.values():
        counts[value] = counts.get(value, 0) + 1
    not_passed = sorted(f"{uid.split('.')[2]} ({value})" for uid, value in status.items() if value != "pass")
    return {"dbt_tests": ", ".join(f"{n} {value}" for value, n in sorted(counts.items())) or "none", "dbt_tests_not_passed": dg.MetadataValue.md("\n".join(f"- {t}" for t in not_passed) or "none")}


def with_table_metadata(context: dg.AssetExecutionContext, events: Iterable, database_path) -> Iterator:
    """Pass the dbt events through, adding row counts to materialised tables, a preview and the
    dbt test summary to the mart; an error that ended the stream is raised again after the events."""
    collected, error = _collect(events)
    tests = [e for e in collected if _is_test_result(e)]
    collected = [e for e in collected if not _is_test_result(e)]
    outputs = [e for e in collected if isinstance(e, dg.Output)]
    extra = _extra_metadata(context, outputs, database_path) if outputs else {}
    mart_output = next((o.output_name for o in outputs if context.asset_key_for_output(o.output_name) == MART_KEY), None)
    if mart_output is not None:
        extra[mart_output] = {**extra.get(mart_output, {}), **dbt_test_summary(tests)}
    for event in collected:
        if isinstance(event, dg.Output) and event.output_name in extra:
            event = event.with_metadata({**event.metadata, **extra[event.output_name]})
        yield event
    if error is not None:
        raise error
