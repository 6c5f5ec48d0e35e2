"""Rows for the suites whose rules need code (`dataset_python` in expectations/*.json).

Each function takes a DatasetContext and returns a DataFrame with the measure, area and period of
every row (so that a failure names them) and the columns the suite's expectations test.

    disclosure_audit   what a reader of published.outcome_measures can work out (see
                       pipelines/publication/disclosure_audit.py)
    completeness       every figure the warehouse computes, or published before, is present for
                       every area and every period of its period types
    plausibility       moves since the previous period and revisions since the previous
                       publication within each measure's bounds (a move warns when it is beyond
                       the absolute and relative bounds and, where the counts allow a standard
                       error, beyond min_z of them), unless a person accepted it
"""

from __future__ import annotations

import csv
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import duckdb
import pandas as pd

from pipelines.publication.disclosure_audit import audit
from pipelines.publication.published_tables import read_rules
from pipelines.validation.accepted_warnings import ACCEPTED_WARNINGS_FILE, load_accepted_warnings
from pipelines.validation.gx_runner import DatasetContext

HEADLINE_COLUMNS = "measure_id, area_code, period_type, period_end, period_label, statistic, value, value_source"


def disclosure_audit(ctx: DatasetContext) -> pd.DataFrame:
    marts = ctx.con.execute(f"select * from {ctx.schema}.outcome_measures").df()
    published = ctx.con.execute("select * from published.outcome_measures").df()
    return audit(marts, published, read_rules(ctx.con))


@contextmanager
def previous_publication(ctx: DatasetContext) -> Iterator[duckdb.DuckDBPyConnection | None]:
    """The publication now in place (read-only), or None before the first one."""
    path = ctx.settings.published_db_path if ctx.settings else None
    if path is None or not path.exists():
        yield None
        return
    con = duckdb.connect(str(path), read_only=True)
    try:
        present = con.execute("select count(*) from information_schema.tables where table_schema = 'marts' and table_name = 'outcome_measures'").fetchall()[0][0]
        yield con if present else None
    finally:
        con.close()


def _publication_id(previous: duckdb.DuckDBPyConnection) -> str:
    try:
        rows = previous.execute("select publication_id from published.publication_log order by published_at desc limit 1").fetchall()
    except duckdb.Error:
        return "the previous publication"
    return f"publication {rows[0][0]}" if rows else "the previous publication"


def completeness(ctx: DatasetContext) -> pd.DataFrame:
    """One row per expected headline figure (measure, statistic, area, period), with `present`.

    Expected: every measure and statistic computed from extracts in this build or in the
    previous publication (a figure must not quietly disappear), for every area (each borough
    and each combined area), and for every period of each of its period types from its first
    period to its last (the later of this build's and the previous publication's), following
    the reporting calendar. A measure whose snapshots are all at 31 March is expected at year
    ends only. Figures entered by hand are not expected for every period.
    """
    con = ctx.con
    current = con.execute(f"select {HEADLINE_COLUMNS} from {ctx.schema}.outcome_measures where breakdown = 'all' and breakdown_value = 'all'").df()
    current["source"] = "computed in this build"
    frames = [current]
    with previous_publication(ctx) as previous:
        if previous is not None:
            old = previous.execute(f"select {HEADLINE_COLUMNS} from marts.outcome_measures where breakdown = 'all' and breakdown_value = 'all'").df()
            old["source"] = f"in {_publication_id(previous)}"
            frames.append(old)
    rows = pd.concat(frames, ignore_index=True)
    rows = rows[rows["value_source"] == "computed"]
    rows["period_end"] = pd.to_datetime(rows["period_end"])

    calendar = con.execute("select period_type, period_end, period_label, is_year_end_snapshot from intermediate.int_reporting_periods").df()
    calendar["period_end"] = pd.to_datetime(calendar["period_end"])
    areas = [r[0] for r in con.execute("select ons_code from reference.boroughs union select distinct combined_area_code from reference.boroughs where combined_area_code is not null order by 1").fetchall()]
    present = set(zip(current["measure_id"], current["statistic"], current["area_code"], current["period_type"], pd.to_datetime(current["period_end"])))

    expected = []
    for (measure, statistic, period_type), group in rows.groupby(["measure_id", "statistic", "period_type"]):
        first, last = group["period_end"].min(), group["period_end"].max()
        periods = calendar[(calendar["period_type"] == period_type) & calendar["period_end"].between(first, last)]
        if period_type == "snapshot" and (group["period_end"].dt.month == 3).all():
            periods = periods[periods["is_year_end_snapshot"]]
        labels = dict(zip(periods["period_end"], periods["period_label"]))
        for period_end, label in zip(group["period_end"], group["period_label"]):
            labels.setdefault(period_end, label)
        reason = "; ".join(sorted(group["source"].unique()))
        for period_end, label in sorted(labels.items()):
            for area in areas:
                expected.append(
                    {
                        "measure_id": measure, "area_code": area, "period_label": label, "statistic": statistic,
                        "breakdown": "all", "breakdown_value": "all", "period_type": period_type, "period_end": period_end.date(),
                        "present": (measure, statistic, area, period_type, period_end) in present,
                        "detail": f"expected because the measure is {reason}",
                    }
                )
    return pd.DataFrame(expected, columns=["measure_id", "area_code", "period_label", "statistic", "breakdown", "breakdown_value", "period_type", "period_end", "present", "detail"])


def _bounds(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _bound_for(bounds: list[dict], measure: str, statistic: str, unit: str) -> dict:
    """The most specific row of plausibility_bounds.csv for a figure."""

    def score(b: dict) -> int | None:
        parts = ((b["measure_id"], measure, 4), (b["statistic"], statistic, 2), (b["unit"], unit, 1))
        if any(given not in ("*", actual) for given, actual, _ in parts):
            return None
        return sum(weight for given, _, weight in parts if given != "*")

    scored = [(score(b), b) for b in bounds]
    matching = [(s, b) for s, b in scored if s is not None]
    if not matching:
        raise ValueError(f"plausibility_bounds.csv has no row for {measure} {statistic} ({unit}); add a '*,*,*' default")
    return max(matching, key=lambda sb: sb[0])[1]


def _beyond(change: float, reference: float, absolute: float, relative: float) -> bool:
    return abs(change) > absolute and abs(change) > relative * abs(reference)


def change_z(unit: str, numerator, denominator, previous_numerator, previous_denominator) -> float | None:
    """How many standard errors apart two periods' figures are, where the counts allow it: a
    percentage as two proportions (pooled), a count or rate as Poisson counts. None otherwise.
    Small cohorts swing a lot by chance; a warning should mean more than that."""
    values = (numerator, denominator, previous_numerator, previous_denominator)
    if unit == "count" and not any(pd.isna(v) for v in values[::2]):
        total = numerator + previous_numerator
        return abs(numerator - previous_numerator) / total**0.5 if total > 0 else 0.0
    if any(pd.isna(v) for v in values) or not denominator or not previous_denominator:
        return None
    if unit == "percent":
        pooled = (numerator + previous_numerator) / (denominator + previous_denominator)
        spread = (pooled * (1 - pooled) * (1 / denominator + 1 / previous_denominator)) ** 0.5
        return abs(numerator / denominator - previous_numerator / previous_denominator) / spread if spread > 0 else 0.0
    if unit.startswith("rate_per"):
        spread = (numerator / denominator**2 + previous_numerator / previous_denominator**2) ** 0.5
        return abs(numerator / denominator - previous_numerator / previous_denominator) / spread if spread > 0 else 0.0
    return None


def plausibility(ctx: DatasetContext) -> pd.DataFrame:
    """One row per headline figure and comparison (previous period, previous publication)."""
    con = ctx.con
    bounds = _bounds(ctx.expectations_dir / "plausibility_bounds.csv")
    accepted = load_accepted_warnings(ctx.expectations_dir / ACCEPTED_WARNINGS_FILE.name)
    current = con.execute(
        f"""
        select measure_id, area_code, period_type, period_end, period_label, statistic, unit, value, numerator, denominator,
            lag(value) over (partition by measure_id, area_code, period_type, statistic order by period_end) as previous_value,
            lag(period_label) over (partition by measure_id, area_code, period_type, statistic order by period_end) as previous_label,
            lag(numerator) over (partition by measure_id, area_code, period_type, statistic order by period_end) as previous_numerator,
            lag(denominator) over (partition by measure_id, area_code, period_type, statistic order by period_end) as previous_denominator
        from {ctx.schema}.outcome_measures
        where breakdown = 'all' and breakdown_value = 'all'
        order by measure_id, area_code, period_type, statistic, period_end
        """
    ).df()  # in a fixed order, so that a failure names the same rows first in every run
    current["period_end"] = pd.to_datetime(current["period_end"])
    published: dict[tuple, float] = {}
    publication = None
    with previous_publication(ctx) as previous:
        if previous is not None:
            publication = _publication_id(previous)
            for m, a, t, e, s, v in previous.execute(
                "select measure_id, area_code, period_type, period_end, statistic, value from marts.outcome_measures where breakdown = 'all' and breakdown_value = 'all' and value is not null"
            ).fetchall():
                published[(m, a, t, pd.Timestamp(e), s)] = v

    out = []
    for r in current.itertuples(index=False):
        if pd.isna(r.value):
            continue
        bound = _bound_for(bounds, r.measure_id, r.statistic, r.unit)
        comparisons = []
        if not pd.isna(r.previous_value):
            z = change_z(r.unit, r.numerator, r.denominator, r.previous_numerator, r.previous_denominator)
            comparisons.append(("previous_period", r.previous_label, r.previous_value, float(bound["max_change_abs"]), float(bound["max_change_rel"]), z))
        old = published.get((r.measure_id, r.area_code, r.period_type, r.period_end, r.statistic))
        if old is not None:
            comparisons.append(("previous_publication", publication, old, float(bound["max_revision_abs"]), float(bound["max_revision_rel"]), None))
        for comparison, against, reference, absolute, relative, z in comparisons:
            change = r.value - reference
            beyond = _beyond(change, reference, absolute, relative) and (z is None or z >= float(bound.get("min_z") or 0))
            acceptance = next((a for a in accepted if a.covers(r.measure_id, r.area_code, r.period_label, r.statistic, comparison)), None)
            detail = f"{r.value:.4g} against {reference:.4g} in {against} ({change:+.4g}; bound ±{absolute:g}{f' and ±{relative:.0%}' if relative else ''}{f'; {z:.1f} standard errors' if z is not None else ''})"
            if acceptance is not None:
                detail += f"; {acceptance.describe()}"
            out.append(
                {
                    "measure_id": r.measure_id, "area_code": r.area_code, "period_label": r.period_label, "statistic": r.statistic,
                    "breakdown": "all", "breakdown_value": "all", "comparison": comparison, "value": r.value, "compared_value": reference,
                    "change": change, "within_bounds": not beyond, "accepted": acceptance is not None,
                    "plausible": (not beyond) or acceptance is not None, "detail": detail,
                }
            )
    columns = ["measure_id", "area_code", "period_label", "statistic", "breakdown", "breakdown_value", "comparison", "value", "compared_value", "change", "within_bounds", "accepted", "plausible", "detail"]
    return pd.DataFrame(out, columns=columns)
