"""The measure catalogue as data, and the documents generated from it.

The catalogue is one dbt seed, `dbt_project/seeds/measure_registry.csv`: one row per measure
with its definition, statistics, polarity, source and computability. Everything readable about
the measures is generated from it by `python -m pipelines docs`, so that adding a measure is one
row plus its SQL and the documentation cannot drift:

    docs/measures.md                    the catalogue, by priority, for readers
    docs/manual_measures_template.csv   a manual_measures delivery with one row per statistic of
                                        every measure that needs a survey, a manual figure or a
                                        published indicator (computability D and E)
    docs/manual_inputs.md               its generated section lists the same measures

Tests fail when a committed document differs from what the seed generates.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from pipelines.settings import REPO_ROOT

SEEDS_DIR = REPO_ROOT / "dbt_project" / "seeds"
REGISTRY_PATH = SEEDS_DIR / "measure_registry.csv"
PRIORITIES_PATH = SEEDS_DIR / "priorities.csv"
DOCS_DIR = REPO_ROOT / "docs"
MEASURES_DOC = DOCS_DIR / "measures.md"
MANUAL_TEMPLATE = DOCS_DIR / "manual_measures_template.csv"
MANUAL_INPUTS_DOC = DOCS_DIR / "manual_inputs.md"

REGISTRY_COLUMNS = (
    "measure_id", "measure_name", "priority", "annex_b_codes", "outcomes_framework", "definition", "statistics", "unit",
    "polarity", "polarity_note", "primary_source", "extract_source", "computability_class", "computability",
    "definition_version", "reference",
)
POLARITIES = ("higher_is_better", "lower_is_better", "context")
CLASSES = {
    "A": "computable from the Mosaic (social care) extract",
    "B": "needs an education extract",
    "C": "needs another system's extract",
    "D": "an aggregate indicator published by others",
    "E": "a survey, qualitative evidence or manual entry",
}
# Annex B of the 2019-22 plan numbers its 41 measures within five outcomes.
ANNEX_B_CODES = tuple(f"{letter}{n}" for letter, count in (("L", 5), ("H", 8), ("S", 10), ("A", 13), ("R", 5)) for n in range(1, count + 1))
# Measures whose figures an analyst delivers (survey, manual return, published indicator).
MANUAL_CLASSES = ("D", "E")
MEASURE_ID = re.compile(r"^(P[1-7]|W)_[A-Z0-9_]+$")
STATISTIC = re.compile(r"^[a-z0-9_]+$")


class CatalogueError(ValueError):
    """The registry seed is malformed; the message names the row and the problem."""


@dataclass(frozen=True)
class Measure:
    measure_id: str
    measure_name: str
    priority: str
    annex_b_codes: tuple[str, ...]
    outcomes_framework: str
    definition: str
    statistics: tuple[str, ...]
    unit: str
    polarity: str
    polarity_note: str
    primary_source: str
    extract_source: str
    computability_class: str
    computability: str
    definition_version: str
    reference: str


@dataclass(frozen=True)
class Priority:
    priority: str
    priority_name: str
    short_name: str
    mart_name: str
    outcome_statement: str


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def load_priorities(path: Path = PRIORITIES_PATH) -> list[Priority]:
    return [Priority(**row) for row in _read_csv(path)]


def load_registry(path: Path = REGISTRY_PATH, priorities: list[Priority] | None = None) -> list[Measure]:
    """Read and check the registry; raises CatalogueError naming every bad row."""
    rows = _read_csv(path)
    if rows and tuple(rows[0].keys()) != REGISTRY_COLUMNS:
        raise CatalogueError(f"{path.name}: columns must be {', '.join(REGISTRY_COLUMNS)}; found {', '.join(rows[0].keys())}")
    known_priorities = {p.priority for p in (priorities if priorities is not None else load_priorities())}
    problems: list[str] = []
    measures: list[Measure] = []
    seen: set[str] = set()
    for line, row in enumerate(rows, start=2):
        mid = row["measure_id"]
        where = f"{path.name} line {line} ({mid or 'no id'})"
        if not MEASURE_ID.match(mid):
            problems.append(f"{where}: measure_id must look like P3_REFERRALS")
        if mid in seen:
            problems.append(f"{where}: duplicate measure_id")
        seen.add(mid)
        if row["priority"] not in known_priorities:
            problems.append(f"{where}: unknown priority {row['priority']!r}")
        elif not mid.startswith(row["priority"] + "_"):
            problems.append(f"{where}: id does not start with its priority {row['priority']}")
        for required in ("measure_name", "definition", "statistics", "unit", "primary_source", "computability", "definition_version"):
            if not row[required].strip():
                problems.append(f"{where}: {required} is blank")
        if row["polarity"] not in POLARITIES:
            problems.append(f"{where}: polarity must be one of {', '.join(POLARITIES)}")
        if row["computability_class"] not in CLASSES:
            problems.append(f"{where}: computability_class must be one of {', '.join(CLASSES)}")
        elif not row["computability"].startswith(row["computability_class"]):
            problems.append(f"{where}: computability does not start with its class {row['computability_class']}")
        codes = tuple(c for c in row["annex_b_codes"].split(";") if c)
        for code in codes:
            if code not in ANNEX_B_CODES:
                problems.append(f"{where}: unknown Annex B code {code!r}")
        statistics = tuple(s for s in row["statistics"].split(";") if s)
        for statistic in statistics:
            if not STATISTIC.match(statistic):
                problems.append(f"{where}: statistic {statistic!r} must be snake_case")
        if len(set(statistics)) != len(statistics):
            problems.append(f"{where}: a statistic is listed twice")
        measures.append(
            Measure(
                measure_id=mid, measure_name=row["measure_name"], priority=row["priority"], annex_b_codes=codes,
                outcomes_framework=row["outcomes_framework"], definition=row["definition"], statistics=statistics, unit=row["unit"],
                polarity=row["polarity"], polarity_note=row["polarity_note"], primary_source=row["primary_source"],
                extract_source=row["extract_source"], computability_class=row["computability_class"], computability=row["computability"],
                definition_version=row["definition_version"], reference=row["reference"],
            )
        )
    if problems:
        raise CatalogueError("The measure registry has problems:\n  " + "\n  ".join(problems))
    return measures


def statistic_unit(statistic: str) -> str:
    """The unit a statistic's name implies, by the naming convention of the measure models:
    count*, rate_per_10k / _per_100k / _per_1000 / _per_100, mean_* and median_* (days when they end in
    days), relative_rate_index (ratio), gap_attainment8 (score); every other name (percent,
    pct_*, *_rate, gap_* of percentages, pp_difference) is a percentage or percentage points."""
    for marker, unit in (("per_10k", "rate_per_10k"), ("per_100k", "rate_per_100k"), ("per_1000", "rate_per_1000"), ("per_100", "rate_per_100")):
        if marker in statistic:
            return unit
    if statistic.startswith("count"):
        return "count"
    if statistic.startswith(("mean_", "median_")):
        return "days" if statistic.endswith("days") else "mean"
    if statistic == "relative_rate_index":
        return "ratio"
    if statistic == "gap_attainment8":
        return "score"
    return "percent"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _polarity_words(polarity: str) -> str:
    return {"higher_is_better": "higher is better", "lower_is_better": "lower is better", "context": "context (need or volume)"}[polarity]


def measures_markdown(measures: list[Measure], priorities: list[Priority]) -> str:
    """docs/measures.md: the catalogue for readers, by priority."""
    out = io.StringIO()
    w = out.write
    w("# Measure catalogue\n\n")
    w("<!-- Generated from dbt_project/seeds/measure_registry.csv by `python -m pipelines docs`. Do not edit by hand: edit the seed. -->\n\n")
    w(
        f"The {len(measures)} outcome measures of the Bi-borough Children and Young People's Plan (January 2023), "
        "by priority outcome, with the definitions the warehouse computes. The catalogue is data: the dbt seed "
        "`dbt_project/seeds/measure_registry.csv`, published as `marts.measure_catalogue`. Adding a measure is one "
        "row there plus its measure model (docs/architecture.md); `python -m pipelines docs` then regenerates this "
        "page and the manual-input template. Which measures are computed today, and why the others are not, is in "
        "`marts.measure_coverage`.\n\n"
    )
    w("- **Statistics** are the names of the figures the warehouse publishes for the measure (`statistic` in `marts.outcome_measures`); the first is the headline.\n")
    w("- **Polarity** says whether a higher value is better, lower is better, or the figure describes need or volume (context). It drives `change_direction` and RAG status; seed `statistic_polarity` overrides it for statistics that read the other way.\n")
    w("- **Computability**: " + "; ".join(f"{k} {v}" for k, v in CLASSES.items()) + ". A secondary source is given after the main class.\n")
    w("- **Version** changes when a definition changes, so a figure can always be traced to the definition it was computed with.\n\n")

    w("## Summary\n\n| Priority | Measures | " + " | ".join(CLASSES) + " |\n|---|---|" + "---|" * len(CLASSES) + "\n")
    for p in priorities:
        own = [m for m in measures if m.priority == p.priority]
        counts = Counter(m.computability_class for m in own)
        w(f"| {p.priority} {_cell(p.priority_name)} | {len(own)} | " + " | ".join(str(counts.get(c, 0)) for c in CLASSES) + " |\n")
    totals = Counter(m.computability_class for m in measures)
    w(f"| All | {len(measures)} | " + " | ".join(str(totals.get(c, 0)) for c in CLASSES) + " |\n\n")

    w("## Annex B coverage\n\nThe 41 measures of the 2019-22 Outcomes Framework (Annex B) and the catalogue measures that implement them.\n\n")
    w("| Annex B | Measures |\n|---|---|\n")
    for code in ANNEX_B_CODES:
        ids = [m.measure_id for m in measures if code in m.annex_b_codes]
        w(f"| {code} | {', '.join(f'`{i}`' for i in ids) if ids else 'none'} |\n")
    w("\n")

    for p in priorities:
        own = [m for m in measures if m.priority == p.priority]
        if not own:
            continue
        w(f"## {p.priority_name} ({p.priority})\n\n> {p.outcome_statement}\n\n")
        if p.mart_name:
            w(f"Figures: `marts.{p.mart_name}`.\n\n")
        for m in own:
            w(f"### {m.measure_id}: {m.measure_name}\n\n| | |\n|---|---|\n")
            w(f"| Definition | {_cell(m.definition)} |\n")
            w(f"| Statistics | {', '.join(f'`{s}`' for s in m.statistics)} |\n")
            w(f"| Unit | {_cell(m.unit)} |\n")
            words = _polarity_words(m.polarity)
            note = m.polarity_note.strip()
            detail = "" if note.rstrip(".").lower() in ("", words.lower(), words.split(" (")[0]) else f"; {_cell(note[0].lower() + note[1:].rstrip('.'))}"
            w(f"| Polarity | {words}{detail} |\n")
            if m.outcomes_framework:
                w(f"| Annex B | {_cell(m.outcomes_framework)} |\n")
            source = m.primary_source + (f" (extract `{m.extract_source}`)" if m.extract_source else "")
            w(f"| Source | {_cell(source)} |\n")
            w(f"| Computability | {_cell(m.computability)}: {CLASSES[m.computability_class]} |\n")
            w(f"| Version | {m.definition_version} |\n")
            w(f"| Reference | {_cell(m.reference)} |\n\n")
    return out.getvalue()


def manual_measures(measures: list[Measure]) -> list[Measure]:
    """Measures whose figures are delivered by an analyst: surveys and manual returns (E) and
    indicators published by others (D) until a feed exists, unless an extract computes them
    (a manual figure beside a computed one would be a duplicate)."""
    return [m for m in measures if m.computability_class in MANUAL_CLASSES and m.extract_source in ("", "manual")]


def manual_template_csv(measures: list[Measure], columns: list[str]) -> str:
    """A manual_measures delivery with one row per expected statistic; an analyst fills in the
    area, period and figures, deletes the rows with nothing to report, and delivers the file."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for m in manual_measures(measures):
        for statistic in m.statistics:
            row = {c: "" for c in columns}
            row.update(measure_id=m.measure_id, statistic=statistic, breakdown="all", breakdown_value="all", unit=statistic_unit(statistic), source_note=m.primary_source)
            writer.writerow({k: v for k, v in row.items() if k in columns})
    return out.getvalue()


def manual_inputs_section(measures: list[Measure]) -> str:
    """The generated part of docs/manual_inputs.md: the measures an analyst delivers."""
    lines = ["| Measure | Class | Statistics (unit) | Source |", "|---|---|---|---|"]
    for m in manual_measures(measures):
        stats = ", ".join(f"`{s}` ({statistic_unit(s)})" for s in m.statistics)
        lines.append(f"| `{m.measure_id}` {_cell(m.measure_name)} | {m.computability_class} | {stats} | {_cell(m.primary_source)} |")
    return "\n".join(lines) + "\n"


GENERATED_BEGIN = "<!-- BEGIN GENERATED: manual measures (python -m pipelines docs) -->"
GENERATED_END = "<!-- END GENERATED -->"


def replace_generated_section(document: str, section: str) -> str:
    if GENERATED_BEGIN not in document or GENERATED_END not in document:
        raise CatalogueError(f"{MANUAL_INPUTS_DOC.name} lost its markers {GENERATED_BEGIN!r} ... {GENERATED_END!r}")
    head, rest = document.split(GENERATED_BEGIN, 1)
    _, tail = rest.split(GENERATED_END, 1)
    return f"{head}{GENERATED_BEGIN}\n{section}{GENERATED_END}{tail}"


def manual_contract_columns() -> list[str]:
    """Columns of the manual_measures delivery, from its contract."""
    from pipelines.contracts.model import load_contract

    table = load_contract().table("manual", "manual_measures")
    return [c.name for c in table.columns]


def generated_documents() -> dict[Path, str]:
    """Every document generated from the registry, keyed by path."""
    priorities = load_priorities()
    measures = load_registry(priorities=priorities)
    documents = {
        MEASURES_DOC: measures_markdown(measures, priorities),
        MANUAL_TEMPLATE: manual_template_csv(measures, manual_contract_columns()),
    }
    if MANUAL_INPUTS_DOC.exists():
        documents[MANUAL_INPUTS_DOC] = replace_generated_section(MANUAL_INPUTS_DOC.read_text(encoding="utf-8"), manual_inputs_section(measures))
    return documents


def write_docs() -> list[Path]:
    written = []
    for path, text in generated_documents().items():
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
