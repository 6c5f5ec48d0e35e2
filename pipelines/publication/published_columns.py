"""Documentation of the `published` tables, column by column, with the same classifications as
the dbt models (tests/test_publication_tables.py holds the built tables to it; the Dagster
assets show it as their column schema)."""

from __future__ import annotations

import dagster as dg

# name: (type, description, classification)
OUTCOME_MEASURES: dict[str, tuple[str, str, str]] = {
    "measure_id": ("varchar", "Measure id from the catalogue.", "non_personal"),
    "measure_name": ("varchar", "Measure name from the catalogue.", "non_personal"),
    "priority": ("varchar", "Priority outcome of the 2023 plan (P1-P7) or W for workforce.", "non_personal"),
    "area_code": ("varchar", "ONS code of the borough (E09000020, E09000033) or BIBOROUGH.", "non_personal"),
    "area_name": ("varchar", "Area name.", "non_personal"),
    "period_type": ("varchar", "financial_year, quarter, snapshot, rolling_12_months, academic_year or calendar_year.", "non_personal"),
    "period_start": ("date", "First day of the period (the snapshot date for snapshots).", "non_personal"),
    "period_end": ("date", "Last day of the period.", "non_personal"),
    "period_label": ("varchar", "Period as published (2022-23, 31 Mar 2023, ...).", "non_personal"),
    "statistic": ("varchar", "The figure within the measure (count, percent, rate_per_10k, ...).", "non_personal"),
    "breakdown": ("varchar", "Breakdown dimension; 'all' for the headline row.", "non_personal"),
    "breakdown_value": ("varchar", "Breakdown value; 'all' for the headline row.", "non_personal"),
    "unit": ("varchar", "Unit of the value.", "non_personal"),
    "numerator": ("double", "Numerator (for counts, the count); blank when the row is suppressed.", "aggregate"),
    "denominator": ("double", "Denominator; blank for counts and when the row is suppressed.", "aggregate"),
    "value": ("double", "The figure rounded as published (counts whole, percentages and rates to 1 decimal place, means to 2); blank when suppressed or not available.", "aggregate"),
    "value_published": ("varchar", "What a reader sees: the rounded figure as text, or c (suppressed), z (not applicable) or x (not available). Zero shows as 0.", "aggregate"),
    "decimal_places": ("integer", "Decimal places the figure is published to.", "non_personal"),
    "suppression_reason": ("varchar", "primary (a count of 1 to 5), secondary (would give a suppressed figure away), small_denominator (on too few children); blank when shown.", "non_personal"),
    "suppression_note": ("varchar", "The suppression reason in words.", "non_personal"),
    "polarity": ("varchar", "higher_is_better, lower_is_better or context, for this statistic.", "non_personal"),
    "comparator_london": ("double", "London comparator for this period, where published.", "aggregate"),
    "comparator_inner_london": ("double", "Inner London comparator, where published.", "aggregate"),
    "comparator_england": ("double", "England comparator, where published.", "aggregate"),
    "comparator_england_and_wales": ("double", "England and Wales comparator, where published.", "aggregate"),
    "comparator_statistical_neighbours": ("double", "Statistical neighbours' comparator, where published.", "aggregate"),
    "comparator_period_note": ("varchar", "Own period of any comparator that is not for this period.", "non_personal"),
    "target": ("double", "Target for this figure, where the documents set one.", "aggregate"),
    "value_source": ("varchar", "computed (from extracts) or manual (entered by an analyst).", "non_personal"),
    "extract_date": ("date", "Date of the extract the figure was computed from.", "non_personal"),
}
# Columns that exist only when the mart provides them (the catalogue's labels, comparators, targets).
OPTIONAL = {
    "polarity", "comparator_london", "comparator_inner_london", "comparator_england", "comparator_england_and_wales",
    "comparator_statistical_neighbours", "comparator_period_note", "target",
}
PRIORITY_EXTRA: dict[str, tuple[str, str, str]] = {
    "measure_definition": ("varchar", "The measure's definition from the catalogue.", "non_personal"),
    "priority_name": ("varchar", "Priority One ... Priority Seven.", "non_personal"),
    "priority_outcome": ("varchar", "The priority outcome as the 2023 plan states it.", "non_personal"),
}
MEASURE_DEFINITIONS: dict[str, tuple[str, str, str]] = {
    "measure_id": ("varchar", "Measure id.", "non_personal"),
    "measure_name": ("varchar", "Short name of the measure.", "non_personal"),
    "priority": ("varchar", "P1-P7 or W.", "non_personal"),
    "definition": ("varchar", "Definition: population, numerator, denominator, period.", "non_personal"),
    "statistics": ("varchar", "Statistics the measure publishes, separated by ';'.", "non_personal"),
    "unit": ("varchar", "Units of its statistics.", "non_personal"),
    "polarity": ("varchar", "higher_is_better, lower_is_better or context.", "non_personal"),
    "polarity_note": ("varchar", "Polarity in words.", "non_personal"),
    "primary_source": ("varchar", "System or publication the figures come from.", "non_personal"),
    "definition_version": ("varchar", "Version of the definition.", "non_personal"),
}
PUBLICATION_LOG: dict[str, tuple[str, str, str]] = {
    "publication_id": ("varchar", "Publication id: UTC time and the start of the content hash.", "non_personal"),
    "published_at": ("timestamp", "When it was published (UTC).", "non_personal"),
    "run_id": ("varchar", "Dagster run that published it.", "non_personal"),
    "content_hash": ("varchar", "Hash of the published figures (marts and published tables).", "non_personal"),
    "row_count": ("bigint", "Rows of published.outcome_measures.", "non_personal"),
    "synthetic": ("boolean", "Built from synthetic extracts (describes no real child).", "non_personal"),
    "manifest": ("varchar", "The publication's manifest.json.", "non_personal"),
}


def documented_columns(table: str) -> dict[str, tuple[str, str, str]]:
    if table == "outcome_measures":
        return OUTCOME_MEASURES
    if table == "measure_definitions":
        return MEASURE_DEFINITIONS
    if table == "publication_log":
        return PUBLICATION_LOG
    if table.startswith("priority_"):
        return {**OUTCOME_MEASURES, **PRIORITY_EXTRA}
    raise KeyError(f"published.{table} is not documented in {__name__}")


def column_schema(table: str) -> dg.TableSchema:
    return dg.TableSchema(
        columns=[
            dg.TableColumn(name=name, type=type_, description=f"{description} ({classification})")
            for name, (type_, description, classification) in documented_columns(table).items()
        ]
    )
