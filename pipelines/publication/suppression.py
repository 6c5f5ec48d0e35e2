"""Disclosure control: which published figures are shown as `c` (DfE convention).

Primary suppression: a count of children from 1 to the threshold (5) is not shown, nor is any
row that shows it (the count itself, a percentage or rate built on it, a percentage whose
denominator it is). Zero is shown as 0, and zeros are treated as known to every reader (which
can only make protection stricter). A percentage, rate or mean on fewer than `min_denominator`
children is not shown either (too unreliable to publish).

Secondary suppression, repeated until nothing changes (every step only hides more, so it ends):
- a count that no shown row displays any longer counts as hidden (it is then as secret as a
  suppressed one, and must not be recoverable either);
- every equation between counts (RBKC + WCC = BI, breakdown rows = total, quarters = year;
  see linear_constraints.py) with exactly one hidden count gets a second one: the smallest
  other non-zero count in it, so subtraction yields nothing;
- every equation between rows with exactly one row that conceals a count gets a second one, so
  no published table has a lone `c` in a line that sums (a percentage left out only for its
  small denominator, whose counts are all shown elsewhere, conceals nothing);
- finally the exact test: if the equations together still determine a hidden count (which can
  happen when hidden cells form chains across several equations), the smallest shown count in
  an equation with it is hidden too, and the rounds start again.

Measures never share an equation, so each measure is suppressed on its own.

Why Python and not dbt SQL: the fixed point is a loop whose length depends on the data, and the
exact test is linear algebra. In SQL the loop needs recursive CTEs with aggregates over the
working table, which engines treat differently (the project's SQL is kept portable), or a
fixed number of unrolled passes that could stop short. Here every round is plain code with
unit tests on hand-worked tables, and the published tables are still built by DuckDB SQL
(pipelines/publication/published_tables.py) from the decisions this module returns.
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass, field

import pandas as pd

from pipelines.publication.linear_constraints import Rules, Structure, build_structures, recoverable

PRIMARY = "primary"
SECONDARY = "secondary"
SMALL_DENOMINATOR = "small_denominator"
REASON_TEXT = {
    PRIMARY: "c: a count of 1 to {threshold} (the figure or a count it is built on)",
    SECONDARY: "c: secondary suppression (would let a suppressed figure be worked out by subtraction)",
    SMALL_DENOMINATOR: "c: based on fewer than {min_denominator} children",
}


@dataclass
class MeasureSuppression:
    """The decisions for one measure's rows."""

    structure: Structure
    hidden_classes: dict[int, str]
    suppressed_rows: set[int]
    reasons: list[str | None]
    unresolved: set[int]


@dataclass
class SuppressionResult:
    decisions: pd.DataFrame  # the input rows (index kept) with `suppressed` and `suppression_reason`
    measures: dict[str, MeasureSuppression] = field(default_factory=dict)

    @property
    def unresolved(self) -> list[str]:
        return [m.structure.describe_row(m.structure.class_rows[c][0]) for m in self.measures.values() for c in sorted(m.unresolved)]

    def reason_counts(self) -> dict[str, int]:
        return {k: int(v) for k, v in self.decisions["suppression_reason"].value_counts().items()}


def suppress(frame: pd.DataFrame, rules: Rules) -> SuppressionResult:
    """Suppression decisions for a long table shaped like marts.outcome_measures."""
    decisions = frame.copy()
    decisions["suppressed"] = False
    decisions["suppression_reason"] = None
    result = SuppressionResult(decisions=decisions)
    for measure_id, structure in build_structures(frame.assign(_input_index=frame.index), rules).items():
        measure = suppress_measure(structure, rules)
        result.measures[measure_id] = measure
        index = measure.structure.frame["_input_index"].to_numpy()
        decisions.loc[index, "suppressed"] = [r in measure.suppressed_rows for r in range(measure.structure.n_rows)]
        decisions.loc[index, "suppression_reason"] = measure.reasons
    return result


class _State:
    """Hidden counts and suppressed rows of one measure, with the bookkeeping that lets each
    change look only at the equations it touches."""

    def __init__(self, structure: Structure):
        self.s = structure
        self.hidden: dict[int, str] = {}
        self.suppressed: set[int] = set()
        self.hidden_in: list[int] = [0] * len(structure.class_constraints)
        self.constraints_of_class: dict[int, list[int]] = defaultdict(list)
        for k, eq in enumerate(structure.class_constraints):
            for c in eq:
                self.constraints_of_class[c].append(k)
        self.row_constraints_of_row: dict[int, list[int]] = defaultdict(list)
        for k, constraint in enumerate(structure.row_constraints):
            for r in constraint.rows:
                self.row_constraints_of_row[r].append(k)
        self.class_work: deque[int] = deque()
        self.row_work: deque[int] = deque()

    def visible(self, c: int) -> bool:
        return c not in self.hidden

    def hide(self, c: int, reason: str) -> None:
        """Hide a count everywhere it is shown (zeros stay: they are known to every reader)."""
        if c in self.hidden or self.s.class_value[c] == 0:
            return
        self.hidden[c] = reason
        for k in self.constraints_of_class[c]:
            self.hidden_in[k] += 1
            self.class_work.append(k)
        for r in self.s.class_rows[c]:
            self.suppress(r)
            self.row_work.extend(self.row_constraints_of_row[r])

    def suppress(self, r: int) -> None:
        if r in self.suppressed:
            return
        self.suppressed.add(r)
        self.row_work.extend(self.row_constraints_of_row[r])
        for c in self.s.classes_of(r):  # a count no shown row displays any more is hidden too
            if c not in self.hidden and all(x in self.suppressed for x in self.s.class_rows[c]):
                self.hide(c, SECONDARY)

    def conceals(self, r: int) -> bool:
        return r in self.suppressed and any(c in self.hidden for c in self.s.classes_of(r))

    def smallest(self, candidates: list[int], size) -> int | None:
        """The smallest non-zero candidate; ties go to the first in table order."""
        nonzero = [c for c in candidates if size(c) != 0]
        return min(nonzero, key=lambda c: (size(c), c)) if nonzero else None

    def settle(self) -> None:
        """Apply the equation rules until no equation has a lone hidden count or concealing row."""
        s = self.s
        while self.class_work or self.row_work:
            while self.class_work:
                k = self.class_work.popleft()
                if self.hidden_in[k] == 1:
                    pick = self.smallest([c for c in s.class_constraints[k] if self.visible(c)], lambda c: s.class_value[c])
                    if pick is not None:
                        self.hide(pick, SECONDARY)
            while self.row_work and not self.class_work:
                constraint = s.row_constraints[self.row_work.popleft()]
                concealing = [r for r in constraint.rows if self.conceals(r)]
                if len(concealing) == 1:
                    others = [r for r in constraint.rows if r not in concealing and any(self.visible(c) and s.class_value[c] != 0 for c in s.classes_of(r))]
                    pick = self.smallest(others, lambda r: s.row_size[r])
                    if pick is not None:
                        self.hide(next(c for c in s.classes_of(pick) if self.visible(c) and s.class_value[c] != 0), SECONDARY)


def suppress_measure(structure: Structure, rules: Rules) -> MeasureSuppression:
    """Suppression decisions for one measure's structure (linear_constraints.build_structures)."""
    state = _State(structure)
    for c, value in enumerate(structure.class_value):
        if 0 < value <= rules.threshold:
            state.hide(c, PRIMARY)
    for r in range(structure.n_rows):
        if structure.small_denominator[r]:
            state.suppress(r)

    unresolved: set[int] = set()
    while True:
        state.settle()
        determined = recoverable(structure, set(state.hidden))
        added = False
        for c in sorted(determined):
            shown = sorted({q for k in state.constraints_of_class[c] for q in structure.class_constraints[k] if state.visible(q)})
            pick = state.smallest(shown, lambda q: structure.class_value[q])
            if pick is not None:
                state.hide(pick, SECONDARY)
                added = True
        if not added:
            unresolved = determined
            break

    reasons: list[str | None] = []
    for row in range(structure.n_rows):
        if row not in state.suppressed:
            reasons.append(None)
        elif any(state.hidden.get(c) == PRIMARY for c in structure.classes_of(row)):
            reasons.append(PRIMARY)
        elif structure.small_denominator[row]:
            reasons.append(SMALL_DENOMINATOR)
        else:
            reasons.append(SECONDARY)
    return MeasureSuppression(structure, state.hidden, state.suppressed, reasons, unresolved)
