"""What the report reads: the `published` schema of the analysts' database, and nothing else.

The report never opens `marts` (unsuppressed) or the build database (not yet validated): every
figure it prints comes from a `published.*` table, after disclosure control, rounded as
published, with `value_published` the text a reader may see (a number, or c, z, x).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from pipelines.publication.published_tables import PriorityTable, priority_tables

# The columns the report uses, all of published.outcome_measures (and of the priority tables).
FIGURE_COLUMNS = (
    "measure_id", "measure_name", "priority", "area_code", "area_name", "period_type", "period_end", "period_label",
    "statistic", "breakdown", "breakdown_value", "unit", "value", "value_published", "decimal_places",
    "suppression_note", "polarity", "comparator_london", "comparator_inner_london", "comparator_england",
    "comparator_england_and_wales", "comparator_statistical_neighbours", "comparator_period_note", "target",
)
# Workforce measures (priority W) support every priority and have no table of their own.
WORKFORCE = PriorityTable("W", "workforce", "Workforce", "Social work workforce measures that support every priority (annual workforce return).")


class ReportInputError(RuntimeError):
    """The published database is missing something the report needs."""


@dataclass(frozen=True)
class Publication:
    publication_id: str
    published_at: str
    synthetic: bool
    extract_dates: dict[str, str]


@dataclass
class PublishedFigures:
    publication: Publication
    definitions: pd.DataFrame  # published.measure_definitions, indexed by measure_id
    by_priority: dict[str, pd.DataFrame]  # priority code -> its published rows
    pages: list[PriorityTable]  # the priorities in plan order, workforce last when it has figures


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    return {r[0] for r in con.execute(f"describe {table}").fetchall()}


def _select_figures(con: duckdb.DuckDBPyConnection, table: str, where: str = "") -> pd.DataFrame:
    present = _columns(con, table)
    # Comparators, polarity and targets exist only when the mart had them: absent means none.
    select = ", ".join(c if c in present else f"null as {c}" for c in FIGURE_COLUMNS)
    frame = con.execute(f"select {select} from {table} {where}").df()
    for column in ("value", "target", "comparator_london", "comparator_inner_london", "comparator_england", "comparator_england_and_wales", "comparator_statistical_neighbours"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    frame["period_end"] = pd.to_datetime(frame["period_end"])
    frame["decimal_places"] = frame["decimal_places"].fillna(0).astype(int)
    return frame


def _publication(con: duckdb.DuckDBPyConnection) -> Publication:
    rows = con.execute("select publication_id, published_at, synthetic, manifest from published.publication_log order by published_at desc limit 1").fetchall()
    if not rows:
        raise ReportInputError("published.publication_log is empty: there is no publication to report on.")
    publication_id, published_at, synthetic, manifest = rows[0]
    extracts = json.loads(manifest or "{}").get("extracts", [])
    return Publication(
        publication_id=publication_id,
        published_at=f"{published_at:%d %B %Y %H:%M} UTC",
        synthetic=bool(synthetic),
        extract_dates={e["source"]: e["extract_date"] for e in extracts},
    )


def read_published(path: Path) -> PublishedFigures:
    """Everything the report shows, read from the `published` schema of `path` (read-only)."""
    if not path.exists():
        raise ReportInputError(f"No published database at {path}: publish first.")
    con = duckdb.connect(str(path), read_only=True)
    try:
        publication = _publication(con)
        definitions = con.execute("select * from published.measure_definitions").df().set_index("measure_id")
        by_priority, pages = {}, []
        for table in priority_tables():
            by_priority[table.priority] = _select_figures(con, f"published.{table.table}")
            pages.append(table)
        workforce = _select_figures(con, "published.outcome_measures", f"where priority = '{WORKFORCE.priority}'")
        if len(workforce):
            by_priority[WORKFORCE.priority] = workforce
            pages.append(WORKFORCE)
    except duckdb.CatalogException as exc:
        raise ReportInputError(f"{path} is not a complete publication: {exc}") from exc
    finally:
        con.close()
    return PublishedFigures(publication=publication, definitions=definitions, by_priority=by_priority, pages=pages)
