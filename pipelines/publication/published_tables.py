"""The `published` schema: what may leave the council, built from the marts in the build database.

`published.outcome_measures` is `marts.outcome_measures` after disclosure control
(suppression.py decides, DuckDB SQL writes): numeric columns stay numeric for analysts (blank
when suppressed), values are rounded as published, and `value_published` is the text a reader
sees, with the DfE symbols:

    c   confidential: suppressed to protect children (see suppression_reason)
    z   not applicable (a percentage of nobody)
    x   not available

One table per priority (`published.priority_1_best_start`, ...) holds that priority's rows with
the catalogue's words for each measure, and `published.measure_definitions` the catalogue
entries the exports quote in their footnotes. Exports are built from these tables only.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from pipelines.publication.linear_constraints import ROW_KEY, Rules
from pipelines.publication.suppression import REASON_TEXT, SuppressionResult, suppress
from pipelines.settings import DBT_PROJECT_DIR
from pipelines.yaml_files import read_yaml

SYMBOLS = {
    "c": "confidential: not shown to protect children (a count of 1 to 5, a figure that would let one be worked out, or a figure on too few children)",
    "z": "not applicable (for example a percentage of nobody)",
    "x": "not available",
}
# Decimal places at publication, by unit (measures.md section 2: percentages and rates to one
# decimal place, means to two). A catalogue column `decimal_places` wins where it is given.
UNIT_DECIMALS = {"count": 0, "percent": 1, "rate_per_10k": 1, "rate_per_100k": 1, "rate_per_1000": 1, "rate_per_100": 2, "mean": 2, "ratio": 2, "days": 1, "score": 1}
UNIT_LABELS = {
    "count": "number",
    "percent": "%",
    "rate_per_10k": "rate per 10,000 children",
    "rate_per_100k": "rate per 100,000 young people",
    "rate_per_1000": "rate per 1,000 young people",
    "rate_per_100": "rate per 100 pupils",
    "mean": "mean",
    "ratio": "ratio",
    "days": "days",
    "score": "score",
}
PRIORITIES_SEED = DBT_PROJECT_DIR / "dbt_project" / "seeds" / "priorities.csv"


def dbt_vars() -> dict:
    return (read_yaml(DBT_PROJECT_DIR / "dbt_project.yml") or {}).get("vars", {})


def _table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_catalog = current_database() and table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchall()[0][0]
    )


def read_rules(con: duckdb.DuckDBPyConnection) -> Rules:
    """Suppression rules: thresholds from the dbt vars, partitions and areas from the seeds."""
    variables = dbt_vars()
    partitions: frozenset = frozenset()
    if _table_exists(con, "reference", "breakdown_partitions"):
        partitions = frozenset(tuple(r) for r in con.execute("select measure_id, statistic, breakdown from reference.breakdown_partitions").fetchall())
    combined: tuple = Rules().combined_areas
    if _table_exists(con, "reference", "boroughs"):
        rows = con.execute(
            "select combined_area_code, ons_code from reference.boroughs where combined_area_code is not null order by combined_area_code, la_code"
        ).fetchall()
        grouped: dict[str, list[str]] = {}
        for area, member in rows:
            grouped.setdefault(area, []).append(member)
        combined = tuple((area, tuple(members)) for area, members in grouped.items())
    return Rules(
        threshold=int(variables.get("suppression_threshold", 5)),
        min_denominator=int(variables.get("suppression_min_denominator", 10)),
        partitions=partitions,
        combined_areas=combined,
    )


@dataclass(frozen=True)
class PriorityTable:
    priority: str
    table: str  # e.g. priority_1_best_start
    title: str  # e.g. Priority One
    outcome_statement: str


def priority_tables() -> list[PriorityTable]:
    """The per-priority tables, from the priorities seed (one per priority that has a mart)."""
    with PRIORITIES_SEED.open(encoding="utf-8", newline="") as fh:
        return [
            PriorityTable(r["priority"], r["mart_name"], r["priority_name"], r["outcome_statement"])
            for r in csv.DictReader(fh)
            if r.get("mart_name")
        ]


def _catalogue_columns(con: duckdb.DuckDBPyConnection) -> set[str]:
    if not _table_exists(con, "reference", "measure_catalogue"):
        return set()
    return {r[0] for r in con.execute("select column_name from information_schema.columns where table_catalog = current_database() and table_schema = 'reference' and table_name = 'measure_catalogue'").fetchall()}


# Public context carried beside each figure when the mart has it: names, direction, and the
# comparators and targets the councils print. Left out on purpose: previous_value, change,
# change_direction and rag_status, which would give a suppressed value away (or bound it).
CONTEXT_COLUMNS = (
    "measure_name", "polarity", "comparator_london", "comparator_inner_london", "comparator_england",
    "comparator_england_and_wales", "comparator_statistical_neighbours", "comparator_period_note", "target",
)


def _columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns where table_catalog = current_database() and table_schema = ? and table_name = ? order by ordinal_position",
            [schema, table],
        ).fetchall()
    ]


def build_published_outcome_measures(con: duckdb.DuckDBPyConnection, rules: Rules | None = None) -> SuppressionResult:
    """Suppress, round and label marts.outcome_measures into published.outcome_measures."""
    rules = rules or read_rules(con)
    key_order = ", ".join(ROW_KEY)
    con.execute(f"create or replace temp table _marts_rows as select row_number() over (order by {key_order}) as _row, * from marts.outcome_measures")
    frame = con.execute("select * from _marts_rows").df()
    result = suppress(frame, rules)
    decisions = result.decisions[["_row", "suppressed", "suppression_reason"]].astype({"_row": "int64", "suppressed": "bool"})
    reason_text = {k: v.format(threshold=rules.threshold, min_denominator=rules.min_denominator) for k, v in REASON_TEXT.items()}
    decimals_case = " ".join(f"when '{unit}' then {places}" for unit, places in UNIT_DECIMALS.items())
    reasons_case = " ".join(f"when '{code}' then '{text}'" for code, text in reason_text.items())
    catalogue_decimals = "catalogue.decimal_places" if "decimal_places" in _catalogue_columns(con) else "null"
    catalogue_join = (
        "left join (select distinct measure_id, decimal_places from reference.measure_catalogue) as catalogue on catalogue.measure_id = m.measure_id"
        if catalogue_decimals != "null"
        else ""
    )
    present = set(_columns(con, "marts", "outcome_measures"))
    context = [c for c in CONTEXT_COLUMNS if c in present]
    measure_name = "measure_name" if "measure_name" in context else "cast(null as varchar)"
    context_select = "".join(f"{c}, " for c in context if c != "measure_name")
    con.register("_suppression_decisions", decisions)
    try:
        con.execute("create schema if not exists published")
        con.execute(
            f"""
            create or replace table published.outcome_measures as
            with rows as (
                select
                    m.*,
                    d.suppressed,
                    d.suppression_reason,
                    cast(coalesce({catalogue_decimals}, case m.unit {decimals_case} else 1 end) as integer) as decimal_places
                from _marts_rows as m
                inner join _suppression_decisions as d on d._row = m._row
                {catalogue_join}
            ),
            shown as (
                select *, case when suppressed then null else round(value, decimal_places) end as rounded_value from rows
            )
            select
                measure_id, {measure_name} as measure_name, priority, area_code, area_name,
                period_type, period_start, period_end, period_label, statistic, breakdown, breakdown_value, unit,
                case when suppressed then null else numerator end as numerator,
                case when suppressed then null else denominator end as denominator,
                rounded_value as value,
                case
                    when suppressed then 'c'
                    when rounded_value is null and unit <> 'count' and denominator = 0 then 'z'
                    when rounded_value is null then 'x'
                    when decimal_places = 0 then cast(cast(rounded_value as bigint) as varchar)
                    when decimal_places = 1 then printf('%.1f', rounded_value)
                    when decimal_places = 2 then printf('%.2f', rounded_value)
                    else printf('%.3f', rounded_value)
                end as value_published,
                decimal_places,
                suppression_reason,
                case suppression_reason {reasons_case} end as suppression_note,
                {context_select}value_source,
                extract_date
            from shown
            order by measure_id, statistic, breakdown, breakdown_value, period_type, period_end, area_code
            """
        )
    finally:
        con.unregister("_suppression_decisions")
    built = con.execute("select count(*) from published.outcome_measures").fetchall()[0][0]
    if built != len(frame):
        raise RuntimeError(f"published.outcome_measures has {built} rows but marts.outcome_measures has {len(frame)}.")
    return result


def build_measure_definitions(con: duckdb.DuckDBPyConnection) -> None:
    """published.measure_definitions: the catalogue words the exports quote (no figures)."""
    con.execute("create schema if not exists published")
    if _table_exists(con, "marts", "measure_catalogue"):
        con.execute(
            """
            create or replace table published.measure_definitions as
            select measure_id, measure_name, priority, definition, statistics, unit, polarity, polarity_note,
                   primary_source, definition_version
            from marts.measure_catalogue
            order by measure_id
            """
        )
    else:  # a build without the catalogue mart: the measures that have figures, with no words
        con.execute(
            """
            create or replace table published.measure_definitions as
            select distinct measure_id, cast(null as varchar) as measure_name, priority, cast(null as varchar) as definition,
                   cast(null as varchar) as statistics, cast(null as varchar) as unit, cast(null as varchar) as polarity,
                   cast(null as varchar) as polarity_note, cast(null as varchar) as primary_source, cast(null as varchar) as definition_version
            from published.outcome_measures
            order by measure_id
            """
        )


def build_priority_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """One published table per priority: its rows of published.outcome_measures with the words."""
    built = []
    for table in priority_tables():
        con.execute(
            f"""
            create or replace table published.{table.table} as
            select
                figures.*,
                definitions.definition as measure_definition,
                ? as priority_name,
                ? as priority_outcome
            from published.outcome_measures as figures
            left join published.measure_definitions as definitions
                on figures.measure_id = definitions.measure_id
            where figures.priority = ?
            order by figures.measure_id, figures.statistic, figures.breakdown, figures.breakdown_value,
                figures.period_type, figures.period_end, figures.area_code
            """,
            [table.title, table.outcome_statement, table.priority],
        )
        built.append(f"published.{table.table}")
    return built


@dataclass(frozen=True)
class PublishedTablesSummary:
    rows: int
    suppressed: dict[str, int]
    tables: list[str]
    unresolved: int


def build_published_tables(con: duckdb.DuckDBPyConnection, rules: Rules | None = None) -> PublishedTablesSummary:
    """Every table of the `published` schema, from the marts of `con`."""
    result = build_published_outcome_measures(con, rules)
    build_measure_definitions(con)
    tables = ["published.outcome_measures", "published.measure_definitions", *build_priority_tables(con)]
    return PublishedTablesSummary(rows=len(result.decisions), suppressed=result.reason_counts(), tables=tables, unresolved=len(result.unresolved))
