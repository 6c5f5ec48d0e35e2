"""From published rows to what a page shows for one measure: the headline trend, breakdowns, the
other statistics, the direction of travel and any RAG against a target.

Choices, in the councils' manner (the Year End Report slides):
- headline statistic: the first of the catalogue's statistics for the measure that has a
  headline row (breakdown 'all');
- trend: the period type that carries comparators if any does, else financial years first; for
  snapshots, quarters and rolling years only the points on the same day of the year as the
  latest, so each step is a year and the direction compares "the same point last year";
- areas: each borough, then the combined area; comparators as separate dashed lines.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field

import pandas as pd

from pipelines.publication.published_tables import UNIT_LABELS
from pipelines.report.assessment import Direction, Rag, direction_of_travel, rag_against_target
from pipelines.settings import DBT_PROJECT_DIR

PERIOD_PREFERENCE = ["financial_year", "academic_year", "calendar_year", "snapshot", "rolling_12_months", "quarter"]
ANNUAL_PERIOD_TYPES = {"financial_year", "academic_year", "calendar_year"}
COMPARATORS = [
    ("comparator_london", "London"),
    ("comparator_inner_london", "Inner London"),
    ("comparator_england", "England"),
    ("comparator_england_and_wales", "England and Wales"),
    ("comparator_statistical_neighbours", "Statistical neighbours"),
]
TARGETS_SEED = DBT_PROJECT_DIR / "dbt_project" / "seeds" / "targets.csv"
ACRONYMS = {"uasc", "cin", "cp", "cla", "ehcp", "send", "sen", "eet", "yj", "la", "icpc", "rhi", "sdq", "oocd", "nrm", "fsm", "ks2", "ks4", "eal", "ofsted", "syv", "2wd", "5wd"}


@dataclass(frozen=True)
class Shown:
    """One published figure: `value` when shown, `text` as published (a number, c, z or x)."""

    value: float | None
    text: str


@dataclass
class Trend:
    statistic: str
    label: str
    unit: str
    decimals: int
    polarity: str | None
    period_type: str
    periods: list[str]
    areas: list[tuple[str, str]]  # (code, name), boroughs first
    figures: dict[tuple[str, str], Shown]  # (area code, period label) -> figure
    comparators: dict[str, dict[str, float]]  # comparator name -> period label -> value
    notes: list[str] = field(default_factory=list)  # comparator period notes, suppression notes

    @property
    def latest(self) -> str:
        return self.periods[-1]

    @property
    def previous(self) -> str | None:
        return self.periods[-2] if len(self.periods) > 1 else None


@dataclass
class Breakdown:
    statistic: str
    label: str
    breakdown: str
    unit: str
    decimals: int
    period: str
    categories: list[str]
    areas: list[tuple[str, str]]
    figures: dict[tuple[str, str], Shown]  # (area code, category) -> figure


@dataclass(frozen=True)
class TargetView:
    statistic: str
    breakdown: str
    area_name: str
    period: str
    figure: str
    target: str
    rag: Rag


@dataclass
class MeasureView:
    measure_id: str
    name: str
    definition: str
    source: str
    polarity_note: str
    headline: Trend | None
    directions: dict[str, Direction]  # area code -> direction of the headline
    others: list[Trend]
    breakdowns: list[Breakdown]
    targets: list[TargetView]
    suppression_notes: list[str]

    @property
    def anchor(self) -> str:
        return self.measure_id.lower().replace("_", "-")


def statistic_label(statistic: str, unit: str) -> str:
    """Words for a statistic name: percent -> Percentage, pct_uasc -> % UASC, count_started -> Number started."""
    whole = {"percent": "Percentage", "count": "Number", "rate_per_10k": "Rate per 10,000 children", "rate_per_100k": "Rate per 100,000 young people", "rate_per_1000": "Rate per 1,000 young people", "rate_per_100": "Rate per 100 pupils"}
    if statistic in whole:
        return whole[statistic]
    words = statistic.split("_")
    first = {"pct": "%", "percent": "%", "count": "Number", "rate": "Rate", "mean": "Mean", "ratio": "Ratio"}.get(words[0])
    rest = [w.upper() if w in ACRONYMS else w for w in (words[1:] if first else words)]
    text = " ".join(([first] if first else []) + rest)
    return text[0].upper() + text[1:] if text else statistic


def display(text: str, unit: str) -> str:
    """A published figure as printed: thousands separators, % after percentages, symbols as they are."""
    if text in ("c", "z", "x") or text is None:
        return text or "x"
    try:
        number = float(text)
    except ValueError:
        return text
    decimals = len(text.split(".")[1]) if "." in text else 0
    shown = f"{number:,.{decimals}f}"
    return shown + "%" if unit == "percent" else shown


def _areas(rows: pd.DataFrame) -> list[tuple[str, str]]:
    pairs = rows[["area_code", "area_name"]].drop_duplicates()
    # Boroughs (ONS codes) first, then combined areas such as the bi-borough.
    ordered = sorted(pairs.itertuples(index=False), key=lambda p: (not re.fullmatch(r"E\d{8}", p.area_code), p.area_code))
    # "Bi-borough (Kensington and Chelsea and Westminster)" reads as "Bi-borough" in headers and legends.
    return [(p.area_code, p.area_name.split(" (")[0]) for p in ordered]


def natural_key(text: str) -> list:
    """1-4 before 5-9 before 10-15: digits compare as numbers."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part.lower()) for part in re.split(r"(\d+)", str(text)) if part]


# What _shown reads of a row. Rows are read through these columns and their keys only: pandas'
# itertuples takes out every column of the frame first, and the published rows have about thirty
# (a third of the report's figure-building time went there).
SHOWN_COLUMNS = ("value", "value_published")


def _shown(row) -> Shown:
    value = None if pd.isna(row.value) else float(row.value)
    text = row.value_published if isinstance(row.value_published, str) else "x"
    return Shown(value if text not in ("c", "z", "x") else None, text)


def _choose_period_type(rows: pd.DataFrame) -> str:
    present = list(dict.fromkeys(rows["period_type"]))
    has_comparator = rows[[c for c, _ in COMPARATORS]].notna().any(axis=1)
    with_comparators = set(rows.loc[has_comparator, "period_type"])
    return min(present, key=lambda t: (t not in with_comparators, PERIOD_PREFERENCE.index(t) if t in PERIOD_PREFERENCE else 99))


def _annual_series(rows: pd.DataFrame, period_type: str) -> pd.DataFrame:
    rows = rows[rows["period_type"] == period_type]
    if period_type in ANNUAL_PERIOD_TYPES:
        return rows
    latest = rows["period_end"].max()
    return rows[(rows["period_end"].dt.month == latest.month) & (rows["period_end"].dt.day == latest.day)]


def build_trend(rows: pd.DataFrame, statistic: str) -> Trend | None:
    """The headline-row trend of one statistic from its rows (None when it has no headline row)."""
    rows = rows[rows["breakdown"] == "all"]
    if rows.empty:
        return None
    period_type = _choose_period_type(rows)
    series = _annual_series(rows, period_type).sort_values("period_end")
    periods = list(dict.fromkeys(series["period_label"]))
    figures = {(r.area_code, r.period_label): _shown(r) for r in series[["area_code", "period_label", *SHOWN_COLUMNS]].itertuples(index=False)}
    comparators: dict[str, dict[str, float]] = {}
    for column, name in COMPARATORS:
        # The comparator is the same on every area's row of a period: take the first.
        values = {label: float(v) for label, v in zip(series["period_label"], series[column]) if not pd.isna(v)}
        if values:
            comparators[name] = values
    notes = sorted({n for n in series["comparator_period_note"].dropna() if n})
    first = series.iloc[0]
    unit = first.unit
    return Trend(
        statistic=statistic, label=statistic_label(statistic, unit), unit=unit, decimals=int(series["decimal_places"].max()),
        polarity=first.polarity if isinstance(first.polarity, str) else None, period_type=period_type, periods=periods,
        areas=_areas(series), figures=figures, comparators=comparators, notes=[f"Comparator periods: {n}." for n in notes],
    )


def build_breakdowns(rows: pd.DataFrame, statistic: str) -> list[Breakdown]:
    """One chart per breakdown of one statistic (from its rows), for its latest period."""
    rows = rows[rows["breakdown"] != "all"]
    views = []
    for breakdown, group in rows.groupby("breakdown", sort=True):
        period_type = _choose_period_type(group)
        group = group[group["period_type"] == period_type]
        latest = group[group["period_end"] == group["period_end"].max()]
        categories = sorted(dict.fromkeys(latest["breakdown_value"]), key=natural_key)
        first = latest.iloc[0]
        views.append(
            Breakdown(
                statistic=statistic, label=statistic_label(statistic, first.unit), breakdown=breakdown, unit=first.unit,
                decimals=int(latest["decimal_places"].max()), period=first.period_label, categories=categories, areas=_areas(latest),
                figures={(r.area_code, r.breakdown_value): _shown(r) for r in latest[["area_code", "breakdown_value", *SHOWN_COLUMNS]].itertuples(index=False)},
            )
        )
    return views


def amber_thresholds() -> dict[tuple, tuple[float | None, str]]:
    """Amber thresholds and target polarity from the targets seed (public configuration, the
    same file the target values come from), by the published row's key."""
    if not TARGETS_SEED.exists():
        return {}
    with TARGETS_SEED.open(encoding="utf-8", newline="") as fh:
        return {
            (r["measure_id"], r["statistic"], r["breakdown"], r["breakdown_value"], r["area_code"], r["period_type"], r["period_end"]): (
                float(r["amber_threshold"]) if r.get("amber_threshold") else None,
                r.get("polarity") or "",
            )
            for r in csv.DictReader(fh)
        }


def build_targets(rows: pd.DataFrame, thresholds: dict) -> list[TargetView]:
    with_target = rows.dropna(subset=["target"]).sort_values(["period_end", "statistic", "breakdown", "breakdown_value", "area_code"])
    views = []
    for r in with_target.itertuples(index=False):
        key = (r.measure_id, r.statistic, r.breakdown, r.breakdown_value, r.area_code, r.period_type, f"{r.period_end:%Y-%m-%d}")
        amber, target_polarity = thresholds.get(key, (None, ""))
        shown = _shown(r)
        breakdown = "" if r.breakdown == "all" else f"{r.breakdown}: {r.breakdown_value}"
        views.append(
            TargetView(
                statistic=statistic_label(r.statistic, r.unit), breakdown=breakdown, area_name=r.area_name, period=r.period_label,
                figure=display(shown.text, r.unit), target=display(f"{r.target:.{int(r.decimal_places)}f}", r.unit),
                rag=rag_against_target(shown.value, float(r.target), target_polarity or r.polarity, amber),
            )
        )
    return views


def headline_directions(trend: Trend) -> dict[str, Direction]:
    directions = {}
    for code, name in trend.areas:
        current = trend.figures.get((code, trend.latest), Shown(None, "x"))
        previous = trend.figures.get((code, trend.previous), Shown(None, "x")) if trend.previous else None
        directions[code] = direction_of_travel(
            current.value, previous.value if previous else None, trend.polarity,
            current_text=display(current.text, trend.unit), previous_text=display(previous.text, trend.unit) if previous else "",
            current_period=trend.latest, previous_period=trend.previous, subject=f"{name}: {trend.label.lower() if trend.label[0] != '%' else trend.label}",
        )
    return directions


def _statistics_in_order(definition_statistics: str | None, rows: pd.DataFrame) -> list[str]:
    listed = [s.strip() for s in (definition_statistics or "").split(";") if s.strip()]
    present = list(dict.fromkeys(rows["statistic"]))
    return [s for s in listed if s in present] + [s for s in present if s not in listed]


def measure_views(rows: pd.DataFrame, definitions: pd.DataFrame, thresholds: dict | None = None) -> list[MeasureView]:
    """A view per measure of one priority's published rows, in measure id order."""
    thresholds = amber_thresholds() if thresholds is None else thresholds
    views = []
    for measure_id, measure_rows in rows.groupby("measure_id", sort=True):
        definition = definitions.loc[measure_id] if measure_id in definitions.index else None
        statistics = _statistics_in_order(None if definition is None else definition.get("statistics"), measure_rows)
        # A measure published only by breakdown has no headline trend: its breakdowns still chart.
        by_statistic = dict(tuple(measure_rows.groupby("statistic", sort=False)))
        trends = [t for t in (build_trend(by_statistic[s], s) for s in statistics) if t is not None]
        headline = trends[0] if trends else None
        with_breakdowns = [s for s in statistics if (by_statistic[s]["breakdown"] != "all").any()]
        breakdown_statistic = headline.statistic if headline and headline.statistic in with_breakdowns else (with_breakdowns[0] if with_breakdowns else None)
        notes = sorted({n for n in measure_rows["suppression_note"].dropna() if n})
        name = measure_rows["measure_name"].dropna().iloc[0] if measure_rows["measure_name"].notna().any() else measure_id
        views.append(
            MeasureView(
                measure_id=measure_id,
                name=name,
                definition=_text(definition, "definition"),
                source=_text(definition, "primary_source"),
                polarity_note=_text(definition, "polarity_note"),
                headline=headline,
                directions=headline_directions(headline) if headline else {},
                others=trends[1:],
                breakdowns=build_breakdowns(by_statistic[breakdown_statistic], breakdown_statistic) if breakdown_statistic else [],
                targets=build_targets(measure_rows, thresholds),
                suppression_notes=notes,
            )
        )
    return views


def _text(definition, column: str) -> str:
    if definition is None:
        return ""
    value = definition.get(column)
    return value if isinstance(value, str) else ""


def unit_label(unit: str) -> str:
    return UNIT_LABELS.get(unit, unit)
