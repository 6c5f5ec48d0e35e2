"""Disclosure control: which published figures are shown as `c` (DfE convention).

Primary suppression: a count of children from 1 to the threshold (5) is not shown, nor is any
row that shows it (the count itself, a percentage or rate built on it, a percentage whose
denominator it is). Zero is shown as 0. A percentage, rate or mean on fewer children than
`min_denominator` is not shown either (too unreliable to publish).

Secondary suppression, repeated until nothing changes (every step only hides more, so it ends):
- a quantity that no shown row displays any longer counts as hidden (it is then as secret as a
  suppressed one, and must not be recoverable either);
- every equation between quantities (RBKC + WCC = BI, breakdown rows = total, quarters = year;
  see linear_constraints.py) with exactly one hidden quantity gets a second one: the smallest
  other quantity in it (a non-zero one when there is one), so subtraction yields nothing;
- every equation between rows with exactly one row that conceals a count gets a second one, so
  no published table has a lone `c` in a line that sums (a percentage left out only for its
  small denominator, whose counts are all shown elsewhere, conceals nothing);
- finally the exact test: if the equations together still determine a hidden quantity (which
  can happen when hidden cells form chains across several equations), the smallest shown
  quantity in an equation with it is hidden too, and the rounds start again.

Why Python and not dbt SQL: the fixed point is a loop whose length depends on the data, and the
exact test is linear algebra. In SQL the loop needs recursive CTEs with aggregates over the
working table, which engines treat differently (the project's SQL is kept portable), or a
fixed number of unrolled passes that could stop short. Here every round is plain code with
unit tests on hand-worked tables, and the published tables are still built by DuckDB SQL
(pipelines/publication/published_tables.py) from the decisions this module returns.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from pipelines.publication.linear_constraints import ROW_KEY, Rules, Structure, build_structure, recoverable

PRIMARY = "primary"
SECONDARY = "secondary"
SMALL_DENOMINATOR = "small_denominator"
REASON_TEXT = {
    PRIMARY: "c: a count of 1 to {threshold} (the figure or a count it is built on)",
    SECONDARY: "c: secondary suppression (would let a suppressed figure be worked out by subtraction)",
    SMALL_DENOMINATOR: "c: based on fewer than {min_denominator} children",
}


@dataclass
class SuppressionResult:
    structure: Structure
    hidden_classes: dict[int, str]
    suppressed_rows: set[int]
    reasons: list[str | None]
    unresolved: set[int]  # hidden quantities still determined (none unless the data is contradictory)

    def decisions(self) -> pd.DataFrame:
        """One row per input row: its key, whether it is suppressed, and why."""
        out = self.structure.frame[list(ROW_KEY)].copy()
        out["suppressed"] = [r in self.suppressed_rows for r in range(self.structure.n_rows)]
        out["suppression_reason"] = self.reasons
        return out


def _smallest(candidates: list[int], size) -> int | None:
    """The smallest candidate, preferring non-zero ones; ties go to the first in table order."""
    if not candidates:
        return None
    nonzero = [c for c in candidates if size(c) != 0]
    pool = nonzero or candidates
    return min(pool, key=lambda c: (size(c), c))


def suppress(frame: pd.DataFrame, rules: Rules) -> SuppressionResult:
    structure = build_structure(frame, rules)
    values = structure.class_value
    hidden: dict[int, str] = {c: PRIMARY for c, v in enumerate(values) if 0 < v <= rules.threshold}
    suppressed: set[int] = set()
    unresolved: set[int] = set()

    while True:
        changed = _propagate(structure, hidden, suppressed)
        for constraint in structure.class_constraints:
            hidden_here = [c for c in constraint if c in hidden]
            if len(hidden_here) == 1:
                pick = _smallest([c for c in constraint if c not in hidden], lambda c: values[c])
                if pick is not None:
                    hidden[pick] = SECONDARY
                    changed = True
        changed = _propagate(structure, hidden, suppressed) or changed
        for constraint in structure.row_constraints:
            concealing = [r for r in constraint.rows if _conceals(structure, r, hidden, suppressed)]
            if len(concealing) == 1:
                others = [r for r in constraint.rows if r not in concealing and any(c not in hidden for c in structure.classes_of(r))]
                pick = _smallest(others, lambda r: structure.row_size[r])
                if pick is not None:
                    for c in structure.classes_of(pick)[:1]:
                        hidden[c] = SECONDARY
                    changed = True
        if changed:
            continue
        determined = recoverable(structure, set(hidden))
        added = False
        for c in sorted(determined):
            shown = sorted({q for eq in structure.class_constraints if c in eq for q in eq if q not in hidden})
            pick = _smallest(shown, lambda q: values[q])
            if pick is not None:
                hidden[pick] = SECONDARY
                added = True
        if not added:
            unresolved = determined
            break

    reasons: list[str | None] = []
    for row in range(structure.n_rows):
        if row not in suppressed:
            reasons.append(None)
        elif any(hidden.get(c) == PRIMARY for c in structure.classes_of(row)):
            reasons.append(PRIMARY)
        elif structure.small_denominator[row]:
            reasons.append(SMALL_DENOMINATOR)
        else:
            reasons.append(SECONDARY)
    return SuppressionResult(structure, hidden, suppressed, reasons, unresolved)


def _conceals(structure: Structure, row: int, hidden: dict[int, str], suppressed: set[int]) -> bool:
    """A suppressed row conceals something when a count it shows is hidden everywhere. (A
    percentage left out only for its small denominator, whose counts are shown elsewhere,
    conceals nothing and needs no protection.)"""
    return row in suppressed and any(c in hidden for c in structure.classes_of(row))


def _propagate(structure: Structure, hidden: dict[int, str], suppressed: set[int]) -> bool:
    """Rows that show a hidden quantity (or rest on too few children) are suppressed; quantities
    no shown row displays become hidden. Repeats until stable; says whether anything changed."""
    changed_any = False
    while True:
        changed = False
        for row in range(structure.n_rows):
            if row in suppressed:
                continue
            if structure.small_denominator[row] or any(c in hidden for c in structure.classes_of(row)):
                suppressed.add(row)
                changed = True
        for c, rows in enumerate(structure.class_rows):
            if c not in hidden and rows and all(r in suppressed for r in rows):
                hidden[c] = SECONDARY
                changed = True
        if not changed:
            return changed_any
        changed_any = True
