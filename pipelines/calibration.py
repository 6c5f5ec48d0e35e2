"""Calibration report: the published database's figures beside the councils' published ones.

Seed `dbt_project/seeds/calibration_figures.csv` maps published figures (by their id in
published_figures.csv) to the row of `marts.outcome_measures` that computes the same thing:
measure, statistic, area, period and breakdown, and whether the figure is the row's value,
numerator or denominator. `python -m pipelines calibration` reads the published database,
writes `data/published/calibration.csv` and prints a summary.

Tolerance (issue 3): percentages within 3 percentage points; counts, rates and means within
10% of the published value. A mapped figure whose row is not in the publication yet (its
measure model has not been written) is listed as `not_computed`, so the mapping can run ahead
of the measures.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.settings import REPO_ROOT, Settings

FIGURES_PATH = REPO_ROOT / "dbt_project" / "seeds" / "calibration_figures.csv"
BOROUGHS_PATH = REPO_ROOT / "dbt_project" / "seeds" / "boroughs.csv"
PERCENT_POINTS = 3.0
RELATIVE = 0.10
REPORT_COLUMNS = (
    "figure_id", "measure_id", "statistic", "area", "period_label", "breakdown", "breakdown_value", "compare", "quote",
    "published_value", "synthetic_value", "difference", "relative_difference", "tolerance", "within_tolerance", "status",
    "document", "line", "note",
)


class CalibrationError(RuntimeError):
    """The report cannot be produced (no publication, or a malformed mapping)."""


@dataclass(frozen=True)
class Figure:
    figure_id: str
    measure_id: str
    statistic: str
    area: str
    period_type: str
    period_label: str
    breakdown: str
    breakdown_value: str
    compare: str
    published_value: float
    published_unit: str
    document: str
    line: int
    quote: str
    note: str


@dataclass(frozen=True)
class Comparison:
    figure: Figure
    synthetic_value: float | None

    @property
    def computed(self) -> bool:
        return self.synthetic_value is not None

    @property
    def difference(self) -> float | None:
        return None if self.synthetic_value is None else self.synthetic_value - self.figure.published_value

    @property
    def relative_difference(self) -> float | None:
        if self.difference is None or self.figure.published_value == 0:
            return None
        return self.difference / abs(self.figure.published_value)

    @property
    def tolerance(self) -> str:
        return f"{PERCENT_POINTS:g} points" if self.figure.published_unit == "percent" else f"{RELATIVE:.0%} relative"

    @property
    def within_tolerance(self) -> bool | None:
        if self.difference is None:
            return None
        if self.figure.published_unit == "percent":
            return abs(self.difference) <= PERCENT_POINTS + 1e-9
        if self.figure.published_value == 0:
            return self.synthetic_value == 0  # no relative difference from zero: only zero matches
        return abs(self.relative_difference) <= RELATIVE + 1e-9

    @property
    def status(self) -> str:
        if not self.computed:
            return "not_computed"
        return "within" if self.within_tolerance else "outside"


def load_figures(path: Path = FIGURES_PATH) -> list[Figure]:
    """Read the mapping; raises CalibrationError naming every bad row."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    figures, problems, seen = [], [], set()
    for number, row in enumerate(rows, start=2):
        where = f"{path.name} line {number} ({row.get('figure_id') or 'no id'})"
        if row["figure_id"] in seen:
            problems.append(f"{where}: figure mapped twice")
        seen.add(row["figure_id"])
        if row["compare"] not in ("value", "numerator", "denominator"):
            problems.append(f"{where}: compare must be value, numerator or denominator")
        try:
            value = float(row["published_value"])
        except ValueError:
            problems.append(f"{where}: published_value {row['published_value']!r} is not a number")
            continue
        figures.append(
            Figure(
                figure_id=row["figure_id"], measure_id=row["measure_id"], statistic=row["statistic"], area=row["area"],
                period_type=row["period_type"], period_label=row["period_label"], breakdown=row["breakdown"] or "all",
                breakdown_value=row["breakdown_value"] or "all", compare=row["compare"], published_value=value,
                published_unit=row["published_unit"], document=row["document"], line=int(row["line"]), quote=row["quote"], note=row["note"],
            )
        )
    if problems:
        raise CalibrationError("The calibration map has problems:\n  " + "\n  ".join(problems))
    return figures


def area_codes(path: Path = BOROUGHS_PATH) -> dict[str, str]:
    """RBKC -> E09000020, WCC -> E09000033, BI -> BIBOROUGH, from the boroughs seed."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    codes = {r["short_name"]: r["ons_code"] for r in rows}
    combined = {r["combined_area_code"] for r in rows if r["combined_area_code"]}
    if len(combined) == 1:
        codes["BI"] = combined.pop()
    return codes


def compare(con: duckdb.DuckDBPyConnection, figures: list[Figure], codes: dict[str, str] | None = None) -> list[Comparison]:
    """Look up each figure's row in marts.outcome_measures."""
    codes = codes or area_codes()
    results = []
    for f in figures:
        if f.compare not in ("value", "numerator", "denominator"):
            raise CalibrationError(f"{f.figure_id}: compare must be value, numerator or denominator, not {f.compare!r}")
        if f.area not in codes:
            raise CalibrationError(f"{f.figure_id}: unknown area {f.area!r} (known: {', '.join(codes)})")
        rows = con.execute(
            f"""
            select {f.compare} from marts.outcome_measures
            where measure_id = ? and statistic = ? and area_code = ? and period_type = ? and period_label = ?
              and breakdown = ? and breakdown_value = ?
            """,
            [f.measure_id, f.statistic, codes[f.area], f.period_type, f.period_label, f.breakdown, f.breakdown_value],
        ).fetchall()
        if len(rows) > 1:
            raise CalibrationError(f"{f.figure_id}: {len(rows)} rows of marts.outcome_measures match; the mapping must name one.")
        value = rows[0][0] if rows else None
        results.append(Comparison(f, None if value is None else float(value)))
    return results


def _fmt(x: float | None, places: int = 4) -> str:
    return "" if x is None else f"{round(x, places):g}"


def write_report(results: list[Comparison], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=REPORT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for r in results:
            f = r.figure
            writer.writerow(
                {
                    "figure_id": f.figure_id, "measure_id": f.measure_id, "statistic": f.statistic, "area": f.area,
                    "period_label": f.period_label, "breakdown": f.breakdown, "breakdown_value": f.breakdown_value, "compare": f.compare,
                    "quote": f.quote, "published_value": _fmt(f.published_value), "synthetic_value": _fmt(r.synthetic_value),
                    "difference": _fmt(r.difference), "relative_difference": _fmt(r.relative_difference), "tolerance": r.tolerance,
                    "within_tolerance": "" if r.within_tolerance is None else str(r.within_tolerance).lower(), "status": r.status,
                    "document": f.document, "line": f.line, "note": f.note,
                }
            )


def summary_lines(results: list[Comparison], synthetic: bool | None = None) -> list[str]:
    computed = [r for r in results if r.computed]
    within = [r for r in computed if r.within_tolerance]
    outside = [r for r in computed if not r.within_tolerance]
    label = " (synthetic data)" if synthetic else ""
    lines = [
        f"Calibration{label}: {len(within)} of {len(computed)} computed figures within tolerance "
        f"({PERCENT_POINTS:g} points for percentages, {RELATIVE:.0%} relative for counts and rates); "
        f"{len(results) - len(computed)} of {len(results)} mapped figures await their measure."
    ]
    for r in outside:
        f = r.figure
        lines.append(f"  outside: {f.figure_id} {f.measure_id}/{f.statistic} {f.area} {f.period_label}: published {f.published_value:g}, synthetic {r.synthetic_value:.4g}")
    return lines


def publication_is_synthetic(con: duckdb.DuckDBPyConnection) -> bool | None:
    try:
        row = con.execute("select synthetic from published.publication_log order by published_at desc limit 1").fetchall()
    except duckdb.Error:
        return None
    return bool(row[0][0]) if row else None


def run(settings: Settings, published: Path | None = None, out: Path | None = None) -> tuple[list[Comparison], list[str], Path]:
    path = published or settings.published_db_path
    if not path.exists():
        raise CalibrationError(f"No publication at {path}: run the nightly job first (make run).")
    out = out or settings.published_dir / "calibration.csv"
    figures = load_figures()
    con = duckdb.connect(str(path), read_only=True)
    try:
        results = compare(con, figures)
        synthetic = publication_is_synthetic(con)
    finally:
        con.close()
    write_report(results, out)
    return results, summary_lines(results, synthetic), out
