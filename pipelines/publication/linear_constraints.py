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
who are unaccompanied asylum seekers), so series of a measure that agree everywhere are merged
into one quantity (see `_quantities`). Zeros are not merged: they are never suppressed, and are
treated as known.

`recoverable` answers the exact question: given every quantity that is shown, which hidden ones
are determined by the equations? (A hidden quantity is determined when its unit vector lies in
the row space of the constraint matrix restricted to hidden quantities.)
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field, replace
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
    # Suspensions per 100 pupils: events over the pupils on roll (a count of children).
    "rate_per_100": ("children", "children"),
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


# Structures already built in this process, by fingerprint of (rows, rules). One nightly run
# builds the same measures' structures for suppression, the blocking audit, the candidate's
# audit and the audit of the CSV read back: the same true figures each time. The fingerprint
# covers only the columns a structure is built from, in structure order, so a caller's own extra
# columns (suppression's row ids) or date types do not make it build again. A cached Structure
# is shared, so callers read it and never change it.
_STRUCTURES: OrderedDict[str, Structure] = OrderedDict()
_STRUCTURES_KEPT = 512
# What a structure is built from (and what describe_row prints).
STRUCTURE_COLUMNS = (
    "measure_id", "area_code", "period_type", "period_start", "period_end", "period_label",
    "statistic", "breakdown", "breakdown_value", "numerator", "denominator", "value", "unit",
)
# Structure order: a family's rows together, members before their totals. The area code breaks
# ties between areas of equal rank, so the order never depends on the order rows arrive in.
_ORDER = ["measure_id", "statistic", "breakdown", "breakdown_value", "period_type", "period_end", "_area_rank", "area_code"]


def _in_structure_order(frame: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    ranked = frame.assign(_area_rank=frame["area_code"].map(rules.area_rank))
    return ranked.sort_values(_ORDER, kind="mergesort").drop(columns="_area_rank").reset_index(drop=True)


def _canonical(ordered: pd.DataFrame) -> pd.DataFrame:
    """The columns a structure is built from, with dates as day numbers and figures as floats:
    what it is fingerprinted by, and what its loops read (a day number hashes and compares far
    faster than a pandas Timestamp, which each row of a datetime column becomes)."""
    canonical = ordered[list(STRUCTURE_COLUMNS)].copy()
    for column in ("period_start", "period_end"):  # datetime64 of any unit, or date objects: days
        canonical[column] = pd.to_datetime(canonical[column]).to_numpy().astype("datetime64[D]").astype("int64")
    for column in ("numerator", "denominator", "value"):
        canonical[column] = pd.to_numeric(canonical[column]).astype("float64")
    return canonical


def _rules_key(rules: Rules) -> bytes:
    return repr((rules.threshold, rules.min_denominator, sorted(rules.partitions), rules.combined_areas)).encode()


def _row_hashes(canonical: pd.DataFrame) -> np.ndarray:
    """One 64-bit hash per row, from that row's values alone (so a slice of a table's hashes
    is the hashes of the slice)."""
    return pd.util.hash_pandas_object(canonical, index=False).to_numpy()


def _structure_of(ordered: pd.DataFrame, canonical: pd.DataFrame, row_hashes: np.ndarray, rules_key: bytes, rules: Rules) -> Structure:
    """The cached structure of these rows (in structure order), built if not yet seen."""
    digest = hashlib.sha256(row_hashes.tobytes())
    digest.update(rules_key)
    key = digest.hexdigest()
    cached = _STRUCTURES.get(key)
    if cached is None:
        cached = _STRUCTURES[key] = _build_structure(ordered, canonical, rules)
        if len(_STRUCTURES) > _STRUCTURES_KEPT:
            _STRUCTURES.popitem(last=False)
    else:
        _STRUCTURES.move_to_end(key)
    return cached if cached.frame is ordered else replace(cached, frame=ordered)


def build_structure(frame: pd.DataFrame, rules: Rules) -> Structure:
    """Quantities and equations of a long table shaped like marts.outcome_measures (built once
    per process for the same rows and rules; treat the result as read-only). Its `frame` is the
    caller's rows, every column kept, in structure order."""
    ordered = _in_structure_order(frame, rules)
    canonical = _canonical(ordered)
    return _structure_of(ordered, canonical, _row_hashes(canonical), _rules_key(rules), rules)


def build_structures(frame: pd.DataFrame, rules: Rules) -> dict[str, Structure]:
    """`build_structure` of each measure's rows (measures share no equation), by measure id in
    order; rows without a measure id are left out, as a group-by on it leaves them out.

    The whole table is put in structure order, made canonical and hashed once, and then cut at
    each measure, rather than each measure's rows on their own: structure order starts with the
    measure, so a measure's run of rows is the same, in the same order, either way, and so are
    its canonical values, hashes and fingerprint. Per measure, the sort, the conversions and the
    hashing cost about 25 ms whatever the measure's size; with 60 measures that was 1.5 s of
    each of the three times a nightly run looks its structures up (suppression and two audits),
    most of a lookup whose structures were already built (docs/benchmarks.md, item 42)."""
    ordered = _in_structure_order(frame, rules)
    canonical = _canonical(ordered)
    row_hashes = _row_hashes(canonical)
    rules_key = _rules_key(rules)
    measures = ordered["measure_id"].to_numpy()
    if not len(measures):
        return {}
    starts = np.flatnonzero(np.r_[True, measures[1:] != measures[:-1]])
    ends = np.r_[starts[1:], len(measures)]
    structures = {}
    for start, end in zip(starts, ends):
        measure_id = measures[start]
        if pd.isna(measure_id):
            continue
        structures[measure_id] = _structure_of(
            ordered.iloc[start:end].reset_index(drop=True), canonical.iloc[start:end].reset_index(drop=True), row_hashes[start:end], rules_key, rules
        )
    return structures


def _build_structure(frame: pd.DataFrame, canonical: pd.DataFrame, rules: Rules) -> Structure:
    """The structure of rows already in structure order (_in_structure_order), read from their
    canonical columns (_canonical)."""
    structure = Structure(frame=frame, row_classes=[], row_size=[], small_denominator=[])
    tuples = list(canonical.itertuples(index=False))
    numbers = [_cell_numbers(row) for row in tuples]
    cell_class = _quantities(tuples, numbers, structure)
    for position, row in enumerate(tuples):
        numerator, denominator = numbers[position]
        n_class, d_class = cell_class.get((position, 0)), cell_class.get((position, 1))
        for c in {n_class, d_class} - {None}:
            structure.class_rows[c].append(position)
        structure.row_classes.append((n_class, d_class))
        size = numerator if numerator is not None else (denominator if denominator is not None else _number(row.value))
        structure.row_size.append(size if size is not None else float("inf"))
        raw_denominator = _number(row.denominator)
        denominator_counts_children = UNIT_KINDS.get(row.unit, ("children", "children"))[1] == "children"
        structure.small_denominator.append(
            row.unit in RATIO_UNITS and denominator_counts_children and raw_denominator is not None and 0 < raw_denominator < rules.min_denominator
        )

    _add_row_constraints(structure, canonical, rules)
    _add_class_constraints(structure)
    return structure


def _quantities(tuples: list, numbers: list[tuple[float | None, float | None]], structure: Structure) -> dict[tuple[int, int], int]:
    """Which cells (row, role) show the same count: one class id per cell.

    A *series* is one statistic's numerators (or denominators) across areas, periods and
    breakdown values. Two series are the same quantity when they agree wherever both have a
    figure (and agree on something other than zero): the count of unaccompanied children and
    the numerator of their share. Two rows of one series over the same span (a financial year
    and the 12 months to its March) show the same count. A breakdown series that equals a headline series at every
    area and period (the denominator of a share of all referrals) is that headline quantity.
    Judging whole series, not single cells, keeps coincidences (two statistics that both happen
    to be 1 in one quarter) from being taken for identities. Zeros are never merged: they are
    never suppressed and count as known."""
    series: dict[tuple, dict[tuple, tuple[int, float]]] = defaultdict(dict)
    same_span: dict[tuple, list[tuple[int, float]]] = {}  # a year and the 12 months to its March
    for position, row in enumerate(tuples):
        for role, number in enumerate(numbers[position]):
            if number is not None:
                key = (row.area_code, row.period_start, row.period_end, row.breakdown, row.breakdown_value)
                same_span.setdefault((row.statistic, role, key), []).append((position, number))
                series[(row.statistic, role)].setdefault(key, (position, number))

    parent: dict[tuple[int, int], tuple[int, int]] = {}

    def find(cell):
        parent.setdefault(cell, cell)
        while parent[cell] != cell:
            parent[cell] = parent[parent[cell]]
            cell = parent[cell]
        return cell

    def union(a, b):
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    def agree(pairs: list[tuple[float, float]]) -> bool:
        return bool(pairs) and all(abs(x - y) <= TOLERANCE for x, y in pairs) and any(x != 0 for x, _ in pairs)

    for (statistic, role, _), cells in same_span.items():
        for position, number in cells[1:]:
            if number != 0 and abs(number - cells[0][1]) <= TOLERANCE:
                union((position, role), (cells[0][0], role))
    names = sorted(series)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            shared = series[a].keys() & series[b].keys()
            pairs = [(series[a][k][1], series[b][k][1]) for k in shared]
            if agree(pairs):
                for k in shared:
                    if series[a][k][1] != 0:
                        union((series[a][k][0], a[1]), (series[b][k][0], b[1]))
    headlines = {name: {k[:3]: v for k, v in cells.items() if k[3] == HEADLINE} for name, cells in series.items()}
    for a in names:
        broken_down = {k: v for k, v in series[a].items() if k[3] != HEADLINE}
        if not broken_down:
            continue
        for b in names:
            headline = headlines[b]
            if not headline or any(k[:3] not in headline for k in broken_down):
                continue
            pairs = [(v[1], headline[k[:3]][1]) for k, v in broken_down.items()]
            if agree(pairs):
                for k, (position, number) in broken_down.items():
                    if number != 0:
                        union((position, a[1]), (headline[k[:3]][0], b[1]))

    cell_class: dict[tuple[int, int], int] = {}
    root_class: dict[tuple[int, int], int] = {}
    for position in range(len(tuples)):
        for role, number in enumerate(numbers[position]):
            if number is None:
                continue
            cell = (position, role)
            root = find(cell) if number != 0 else cell
            if number == 0 or root not in root_class:
                root_class[root] = len(structure.class_value)
                structure.class_value.append(number)
                structure.class_rows.append([])
            cell_class[cell] = root_class[root]
    return cell_class


def _add_row_constraints(structure: Structure, canonical: pd.DataFrame, rules: Rules) -> None:
    """The equations between rows; `canonical` gives the rows' dates as day numbers."""
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

    columns = {name: canonical[name].tolist() for name in (*ROW_KEY, "period_start")}
    index = {key: i for i, key in enumerate(zip(*(columns[name] for name in ROW_KEY)))}

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
        start, end = columns["period_start"][i], columns["period_end"][i]  # day numbers
        inside = sorted(
            (q for q in group if columns["period_start"][q] >= start and columns["period_end"][q] <= end),
            key=lambda q: columns["period_start"][q],
        )
        if not inside or columns["period_start"][inside[0]] != start or columns["period_end"][inside[-1]] != end:
            continue
        contiguous = all(columns["period_start"][b] - columns["period_end"][a] == 1 for a, b in zip(inside, inside[1:]))
        if contiguous and sums_hold(i, inside):
            add("period", i, inside)


def _add_class_constraints(structure: Structure) -> None:
    seen: set[tuple] = set()
    for constraint in structure.row_constraints:
        for role in (0, 1):
            classes = [structure.row_classes[r][role] for r in constraint.rows]
            if any(c is None for c in classes):
                continue
            # A row constraint is found on one role (the numerators of a share's breakdown add
            # up to the headline); the other role need not add up (every row of the breakdown
            # has the whole cohort as denominator). Only an equation the true figures satisfy
            # describes what a reader can work out.
            total, *members = (structure.class_value[c] for c in classes)
            if abs(total - sum(members)) > TOLERANCE:
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


# Two large primes: elimination is exact modulo each. The rank modulo p can only fall below the
# rank over the rationals when p divides a minor of the matrix; the equations here are sums of
# cells with coefficients of 1 (table margins, whose minors are 0, 1 or -1), so that cannot
# happen, and a cell counts as determined when either prime says so.
PRIMES = ((1 << 61) - 1, (1 << 31) - 1)


def recoverable(structure: Structure, hidden: set[int]) -> set[int]:
    """Hidden quantities whose value follows from the shown ones through the equations.

    A hidden quantity is determined exactly when its unit vector lies in the row space of the
    equations restricted to hidden quantities. In the reduced row echelon form of that matrix,
    this is a pivot row with no other entry. Sparse elimination in exact modular arithmetic
    keeps this fast on systems of a thousand unknowns (a dense SVD took minutes)."""
    if not hidden:
        return set()
    equations = [eq for eq in structure.class_constraints if any(q in hidden for q in eq)]
    determined: set[int] = set()
    for prime in PRIMES:
        determined |= _determined_modulo(equations, hidden, prime)
    return determined


def _determined_modulo(equations: list[dict[int, int]], hidden: set[int], prime: int) -> set[int]:
    pivots: dict[int, dict[int, int]] = {}  # pivot -> its row (pivot coefficient 1; other entries free unknowns)
    holders: dict[int, set[int]] = defaultdict(set)  # free unknown -> pivots whose rows hold it
    rows = sorted(({q: k % prime for q, k in eq.items() if q in hidden and k % prime} for eq in equations), key=len)
    for row in rows:
        for q in [q for q in row if q in pivots]:  # reduce by the pivots found so far
            coefficient = row.pop(q)
            for other, k in pivots[q].items():
                if other != q:
                    value = (row.get(other, 0) - coefficient * k) % prime
                    if value:
                        row[other] = value
                    else:
                        row.pop(other, None)
        if not row:
            continue
        pivot = min(row, key=lambda q: (len(holders.get(q, ())), q))
        inverse = pow(row[pivot], prime - 2, prime)
        row = {q: k * inverse % prime for q, k in row.items()}
        for holder in list(holders.pop(pivot, ())):  # keep the form fully reduced
            target = pivots[holder]
            coefficient = target.pop(pivot)
            for other, k in row.items():
                if other == pivot:
                    continue
                value = (target.get(other, 0) - coefficient * k) % prime
                if value:
                    if other not in target:
                        holders[other].add(holder)
                    target[other] = value
                elif other in target:
                    del target[other]
                    holders[other].discard(holder)
        pivots[pivot] = row
        for other in row:
            if other != pivot:
                holders[other].add(pivot)
    return {q for q, row in pivots.items() if len(row) == 1}
