"""The linear relations between published figures, which is what a reader can subtract with.

Every figure of `marts.outcome_measures` is a row. Rows of one measure and statistic (a
*family*) are tied by additive relations:

- areas: a combined area is the sum of its members (RBKC + WCC = BI), row by row;
- breakdowns: the rows of a breakdown sum to the headline row (`all`) when the breakdown
  partitions the cohort. Declared partitions (seed `breakdown_partitions`) always count; any
  other breakdown whose rows happen to sum to the total is treated as one too, because a reader
  can add them up just the same;
- periods: a period made of whole quarters (a financial year, the 12 months to a quarter end, a
  calendar year) is the sum of its quarters when the figures add up.

Below the rows are *quantities*: the counts of children a row shows. A count row shows one (its
value); a percentage shows two (numerator and denominator, both counts of children); a rate
shows one (the numerator; its denominator is a published population); a mean shows its
denominator. The same quantity often appears in several rows of a measure (the number of
children looked after is the count, the numerator of the rate and the denominator of the share
who are unaccompanied asylum seekers), so cells of one measure, area, period span and breakdown
value with the same number are merged into one quantity. Merging coincidentally equal numbers
assumes a reader knows more than they do, which can only make protection stricter.

`recoverable` answers the exact question: given every quantity that is shown, which hidden ones
are determined by the equations? (A hidden quantity is determined when its unit vector lies in
the row space of the constraint matrix restricted to hidden quantities, that is when every
vector of that matrix's null space is zero in its position.)
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable

import numpy as np
import pandas as pd

# What the numerator and denominator of a row of each unit count. `children` quantities are
# protected; `population` (ONS estimates) and `amount` (days, scores, sums) are not counts of
# children. Unknown units are treated as children over children, which protects the most.
UNIT_KINDS: dict[str, tuple[str | None, str | None]] = {
    "count": ("children", None),
    "percent": ("children", "children"),
    "rate_per_10k": ("children", "population"),
    "rate_per_100k": ("children", "population"),
    "rate_per_1000": ("children", "population"),
    "mean": ("amount", "children"),
    "days": ("amount", "children"),
    "score": ("amount", "children"),
    "ratio": ("children", "children"),
}
RATIO_UNITS = frozenset(u for u in UNIT_KINDS if u != "count")
ROW_KEY = ("measure_id", "area_code", "period_type", "period_end", "statistic", "breakdown", "breakdown_value")
HEADLINE = "all"
TOLERANCE = 1e-6


@dataclass(frozen=True)
class Rules:
    """Disclosure-control parameters.

    threshold        counts from 1 to this are suppressed (DfE: 5; dbt var suppression_threshold)
    min_denominator  a percentage, rate or mean on fewer children than this is not shown
    partitions       (measure_id, statistic or '*', breakdown) whose rows partition the cohort
    combined_areas   combined area code -> member area codes (BIBOROUGH -> the two boroughs)
    """

    threshold: int = 5
    min_denominator: int = 10
    partitions: frozenset[tuple[str, str, str]] = frozenset()
    combined_areas: tuple[tuple[str, tuple[str, ...]], ...] = (("BIBOROUGH", ("E09000020", "E09000033")),)

    def declares_partition(self, measure_id: str, statistic: str, breakdown: str) -> bool:
        return (measure_id, statistic, breakdown) in self.partitions or (measure_id, "*", breakdown) in self.partitions

    def area_rank(self, area_code: str) -> int:
        """Sort order of areas: members first (in the order given), combined areas last."""
        members = [m for _, ms in self.combined_areas for m in ms]
        if area_code in members:
            return members.index(area_code)
        combined = [c for c, _ in self.combined_areas]
        return len(members) + (combined.index(area_code) if area_code in combined else len(combined))


@dataclass(frozen=True)
class RowConstraint:
    """total = sum(members), between rows of one family."""

    kind: str  # area | breakdown | period
    total: int
    members: tuple[int, ...]

    @property
    def rows(self) -> tuple[int, ...]:
        return (self.total, *self.members)


@dataclass
class Structure:
    """Rows, the quantities they show, and the equations between them."""

    frame: pd.DataFrame  # the input rows, reset to a 0..n-1 index, in a stable order
    row_classes: list[tuple[int | None, int | None]]  # (numerator quantity, denominator quantity) per row
    row_size: list[float]  # the number used to choose the smallest cell (numerator, else denominator)
    small_denominator: list[bool]  # a ratio on fewer than min_denominator children
    class_value: list[float] = field(default_factory=list)
    class_rows: list[list[int]] = field(default_factory=list)
    row_constraints: list[RowConstraint] = field(default_factory=list)
    class_constraints: list[dict[int, int]] = field(default_factory=list)
    class_constraint_origin: list[RowConstraint] = field(default_factory=list)

    @property
    def n_rows(self) -> int:
        return len(self.frame)

    def classes_of(self, row: int) -> list[int]:
        return [c for c in self.row_classes[row] if c is not None]

    def describe_row(self, row: int) -> str:
        r = self.frame.iloc[row]
        return f"{r['measure_id']} / {r['area_code']} / {r['period_label']} / {r['statistic']} / {r['breakdown']} / {r['breakdown_value']}"


def _number(value) -> float | None:
    if value is None or (isinstance(value, float) and np.isnan(value)) or pd.isna(value):
        return None
    return float(value)


def _cell_numbers(row) -> tuple[float | None, float | None]:
    """The numerator and denominator a row shows, as counts (None when not a count of children)."""
    numerator_kind, denominator_kind = UNIT_KINDS.get(row.unit, ("children", "children"))
    numerator = _number(row.numerator)
    if row.unit == "count" and numerator is None:
        numerator = _number(row.value)  # manual counts may carry only the value
    denominator = _number(row.denominator)
    return (
        numerator if numerator_kind == "children" else None,
        denominator if denominator_kind == "children" else None,
    )


def build_structure(frame: pd.DataFrame, rules: Rules) -> Structure:
    """Quantities and equations of a long table shaped like marts.outcome_measures."""
    frame = frame.copy()
    frame["_area_rank"] = frame["area_code"].map(rules.area_rank)
    frame = frame.sort_values(
        ["measure_id", "statistic", "breakdown", "breakdown_value", "period_type", "period_end", "_area_rank"], kind="mergesort"
    ).reset_index(drop=True)
    frame = frame.drop(columns="_area_rank")

    structure = Structure(frame=frame, row_classes=[], row_size=[], small_denominator=[])
    class_index: dict[tuple, int] = {}

    def quantity(row, number: float | None) -> int | None:
        if number is None:
            return None
        key = (row.measure_id, row.area_code, row.period_start, row.period_end, row.breakdown, row.breakdown_value, round(number, 6))
        if key not in class_index:
            class_index[key] = len(structure.class_value)
            structure.class_value.append(number)
            structure.class_rows.append([])
        return class_index[key]

    for position, row in enumerate(frame.itertuples(index=False)):
        numerator, denominator = _cell_numbers(row)
        n_class, d_class = quantity(row, numerator), quantity(row, denominator)
        for c in {n_class, d_class} - {None}:
            structure.class_rows[c].append(position)
        structure.row_classes.append((n_class, d_class))
        size = numerator if numerator is not None else (denominator if denominator is not None else _number(row.value))
        structure.row_size.append(size if size is not None else float("inf"))
        raw_denominator = _number(row.denominator)
        denominator_counts_children = UNIT_KINDS.get(row.unit, ("children", "children"))[1] == "children"
        structure.small_denominator.append(
            row.unit in RATIO_UNITS and denominator_counts_children and raw_denominator is not None and raw_denominator < rules.min_denominator
        )

    _add_row_constraints(structure, rules)
    _add_class_constraints(structure)
    return structure


def _add_row_constraints(structure: Structure, rules: Rules) -> None:
    frame = structure.frame
    numbers = [structure.row_classes[i] for i in range(structure.n_rows)]

    def sums_hold(total: int, members: Iterable[int]) -> bool:
        members = list(members)
        for role in (0, 1):
            if numbers[total][role] is None or any(numbers[m][role] is None for m in members):
                continue
            total_value = structure.class_value[numbers[total][role]]
            member_sum = sum(structure.class_value[numbers[m][role]] for m in members)
            if abs(total_value - member_sum) <= TOLERANCE:
                return True
        return False

    def has_numbers(row: int) -> bool:
        return any(c is not None for c in numbers[row])

    seen: set[tuple] = set()

    def add(kind: str, total: int, members: list[int]) -> None:
        if not members or not has_numbers(total) or not all(has_numbers(m) for m in members):
            return
        signature = (total, tuple(sorted(members)))
        if signature in seen:
            return
        seen.add(signature)
        structure.row_constraints.append(RowConstraint(kind, total, tuple(members)))

    index = {tuple(r): i for i, r in enumerate(frame[list(ROW_KEY)].itertuples(index=False, name=None))}
    columns = {name: frame[name].tolist() for name in (*ROW_KEY, "period_start")}

    # Areas: combined = sum of members, for the same measure, statistic, period and breakdown.
    for i in range(structure.n_rows):
        for combined, members in rules.combined_areas:
            if columns["area_code"][i] != combined:
                continue
            key = [columns[k][i] for k in ROW_KEY]
            member_rows = []
            for member in members:
                key[1] = member
                member_rows.append(index.get(tuple(key)))
            if all(m is not None for m in member_rows):
                add("area", i, member_rows)

    # Breakdowns: the rows of a breakdown sum to the headline row when they partition it.
    groups: dict[tuple, list[int]] = defaultdict(list)
    for i in range(structure.n_rows):
        if columns["breakdown"][i] != HEADLINE:
            groups[(columns["measure_id"][i], columns["statistic"][i], columns["area_code"][i], columns["period_type"][i], columns["period_end"][i], columns["breakdown"][i])].append(i)
    for (measure, statistic, area, period_type, period_end, breakdown), members in groups.items():
        total = index.get((measure, area, period_type, period_end, statistic, HEADLINE, HEADLINE))
        if total is None:
            continue
        if rules.declares_partition(measure, statistic, breakdown) or sums_hold(total, members):
            add("breakdown", total, members)

    # Periods: a period made of whole quarters is their sum (when the figures say so).
    quarters: dict[tuple, list[int]] = defaultdict(list)
    longer: list[int] = []
    for i in range(structure.n_rows):
        if columns["period_type"][i] == "quarter":
            quarters[(columns["measure_id"][i], columns["statistic"][i], columns["area_code"][i], columns["breakdown"][i], columns["breakdown_value"][i])].append(i)
        elif columns["period_type"][i] != "snapshot" and columns["period_start"][i] != columns["period_end"][i]:
            longer.append(i)
    for i in longer:
        group = quarters.get((columns["measure_id"][i], columns["statistic"][i], columns["area_code"][i], columns["breakdown"][i], columns["breakdown_value"][i]), [])
        start, end = pd.Timestamp(columns["period_start"][i]), pd.Timestamp(columns["period_end"][i])
        inside = sorted(
            (q for q in group if pd.Timestamp(columns["period_start"][q]) >= start and pd.Timestamp(columns["period_end"][q]) <= end),
            key=lambda q: pd.Timestamp(columns["period_start"][q]),
        )
        if not inside or pd.Timestamp(columns["period_start"][inside[0]]) != start or pd.Timestamp(columns["period_end"][inside[-1]]) != end:
            continue
        contiguous = all(
            pd.Timestamp(columns["period_start"][b]) - pd.Timestamp(columns["period_end"][a]) == pd.Timedelta(days=1) for a, b in zip(inside, inside[1:])
        )
        if contiguous and sums_hold(i, inside):
            add("period", i, inside)


def _add_class_constraints(structure: Structure) -> None:
    seen: set[tuple] = set()
    for constraint in structure.row_constraints:
        for role in (0, 1):
            classes = [structure.row_classes[r][role] for r in constraint.rows]
            if any(c is None for c in classes):
                continue
            coefficients: dict[int, int] = defaultdict(int)
            coefficients[classes[0]] += 1
            for c in classes[1:]:
                coefficients[c] -= 1
            coefficients = {c: k for c, k in coefficients.items() if k != 0}
            signature = tuple(sorted(coefficients.items()))
            if not coefficients or signature in seen:
                continue
            seen.add(signature)
            structure.class_constraints.append(coefficients)
            structure.class_constraint_origin.append(constraint)


def recoverable(structure: Structure, hidden: set[int]) -> set[int]:
    """Hidden quantities whose value follows from the shown ones through the equations."""
    if not hidden:
        return set()
    # Only equations that involve a hidden quantity say anything about hidden quantities; split
    # them into independent systems (connected through shared hidden quantities).
    relevant = [c for c in structure.class_constraints if any(q in hidden for q in c)]
    parent = {q: q for q in hidden}

    def find(q: int) -> int:
        while parent[q] != q:
            parent[q] = parent[parent[q]]
            q = parent[q]
        return q

    for constraint in relevant:
        hidden_here = [q for q in constraint if q in hidden]
        for q in hidden_here[1:]:
            a, b = find(hidden_here[0]), find(q)
            if a != b:
                parent[a] = b
    systems: dict[int, list[dict[int, int]]] = defaultdict(list)
    for constraint in relevant:
        first_hidden = next(q for q in constraint if q in hidden)
        systems[find(first_hidden)].append(constraint)

    determined: set[int] = set()
    for equations in systems.values():
        unknowns = sorted({q for eq in equations for q in eq if q in hidden})
        position = {q: j for j, q in enumerate(unknowns)}
        matrix = np.zeros((len(equations), len(unknowns)))
        for i, eq in enumerate(equations):
            for q, k in eq.items():
                if q in position:
                    matrix[i, position[q]] = k
        _, singular, vt = np.linalg.svd(matrix)
        rank = int((singular > 1e-9 * max(1.0, singular.max(initial=0.0))).sum())
        null_space = vt[rank:]  # rows span the null space
        for q, j in position.items():
            if null_space.shape[0] == 0 or np.abs(null_space[:, j]).max() < 1e-9:
                determined.add(q)
    return determined
