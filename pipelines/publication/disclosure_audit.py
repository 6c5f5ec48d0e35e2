"""Audit a published table: can anything suppressed be worked out from what is shown?

The audit knows the true figures (the unsuppressed marts) and reads only what a reader sees in
the published table or an export: `value_published`, and the numerator, denominator and value
columns where they are not blank. From those it decides which quantities (counts of children,
see linear_constraints.py) a reader knows:

- a count row shows its count; any row shows the numerator and denominator it prints;
- a shown percentage or rate with a shown denominator gives away its numerator (value x
  denominator / scale), and with a shown numerator gives away its denominator.

It then checks, independently of how suppression chose its cells:

  small_count_shown      no count from 1 to the threshold is known to a reader;
  lone_suppressed_row    no equation between published rows has exactly one `c` that hides a
                         count (a `c` whose counts are all readable elsewhere, like a
                         percentage left out for its small denominator, hides nothing);
  lone_hidden_quantity   no equation between quantities has exactly one unknown;
  recoverable            no unknown quantity follows from the equations taken together;
  shown_in_suppressed    a `c` row prints no numerator, denominator or value;
  small_denominator      no percentage, rate or mean on fewer than min_denominator children.

The result is one row per item audited (each equation, each quantity, each row), with
`disclosed` true where the item fails, so a Great Expectations suite can validate it and name
the measure, area and period of every failure.
"""

from __future__ import annotations

import pandas as pd

from pipelines.publication.linear_constraints import ROW_KEY, RATIO_UNITS, UNIT_KINDS, Rules, Structure, build_structures, recoverable

SUPPRESSED_SYMBOL = "c"
AUDIT_COLUMNS = ["check", "measure_id", "area_code", "period_label", "statistic", "breakdown", "breakdown_value", "suppressed_in_equation", "disclosed", "detail"]


def _normalise_keys(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame["period_end"] = pd.to_datetime(frame["period_end"]).dt.date
    frame["period_start"] = pd.to_datetime(frame["period_start"]).dt.date
    return frame


# What the audit reads of a published row: whether each printed number is there, and the value.
_PRINTED = ("numerator", "denominator", "value")


def _reader_view(published: pd.DataFrame) -> pd.DataFrame:
    """Per published row, what a reader sees: its symbol, which numbers it prints, its value."""
    view = published[list(ROW_KEY)].copy()
    view["symbol"] = published["value_published"].astype(str)
    for name in _PRINTED:
        view[f"{name}_shown"] = published[name].notna()
    view["value"] = pd.to_numeric(published["value"])
    return view


def audit(marts: pd.DataFrame, published: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """Every audited item of `published` (shaped like published.outcome_measures) against the
    true figures in `marts` (shaped like marts.outcome_measures), measure by measure (measures
    share no equation)."""
    marts, published = _normalise_keys(marts), _normalise_keys(published)
    if published.duplicated(list(ROW_KEY)).any():
        raise ValueError("The published table has more than one row for a measure, area, period, statistic and breakdown.")
    view = _reader_view(published)
    by_measure = {m: rows for m, rows in view.groupby("measure_id")}
    # One frame from every measure's items, not one frame per measure concatenated: pandas is
    # deprecating how concat types a column that is empty or all-NA in some of the frames.
    items = [
        item
        for measure_id, structure in build_structures(marts, rules).items()
        for item in _audit_measure(structure, by_measure.get(measure_id, view.iloc[0:0]), rules)
    ]
    return pd.DataFrame(items, columns=AUDIT_COLUMNS)


def _audit_measure(structure: Structure, view: pd.DataFrame, rules: Rules) -> list[dict]:
    rows = structure.frame
    shown = {row[:-5]: row[-5:] for row in view.itertuples(index=False, name=None)}
    described = list(rows[["measure_id", "area_code", "period_label", "statistic", "breakdown", "breakdown_value"]].itertuples(index=False, name=None))

    items: list[dict] = []

    def item(check: str, row: int, disclosed: bool, detail: str = "", suppressed: int | None = None) -> None:
        items.append((check, *described[row], suppressed, bool(disclosed), detail))

    # What a reader sees, row by row.
    row_suppressed: list[bool] = []
    known_classes: set[int] = set()
    for position, (*key, unit) in enumerate(rows[[*ROW_KEY, "unit"]].itertuples(index=False, name=None)):
        seen = shown.get(tuple(key))
        if seen is None:
            row_suppressed.append(True)
            item("row_published", position, True, "the row is missing from the published table")
            continue
        symbol, numerator_shown, denominator_shown, value_shown, value = seen
        suppressed = symbol == SUPPRESSED_SYMBOL
        row_suppressed.append(suppressed)
        printed = [name for name, on in zip(_PRINTED, (numerator_shown, denominator_shown, value_shown)) if on]
        item("shown_in_suppressed", position, suppressed and bool(printed), f"a suppressed row prints {', '.join(printed)}" if suppressed and printed else "")

        n_class, d_class = structure.row_classes[position]
        denominator_public = UNIT_KINDS.get(unit, ("children", "children"))[1] == "population"
        if unit == "count":
            numerator_known = value_shown or numerator_shown
        else:
            numerator_known = numerator_shown or (value_shown and (denominator_shown or denominator_public))
        denominator_known = denominator_shown or (value_shown and numerator_shown and float(value) != 0)
        if n_class is not None and numerator_known:
            known_classes.add(n_class)
        if d_class is not None and denominator_known:
            known_classes.add(d_class)
        if unit in RATIO_UNITS:
            item("small_denominator", position, structure.small_denominator[position] and value_shown, f"shown on a denominator below {rules.min_denominator}" if structure.small_denominator[position] and value_shown else "")

    # Zeros are never suppressed and count as known (as suppression treats them).
    hidden = {c for c in range(len(structure.class_value)) if c not in known_classes and structure.class_value[c] != 0}
    determined = recoverable(structure, hidden)
    for c, value in enumerate(structure.class_value):
        row = structure.class_rows[c][0]
        small = 0 < value <= rules.threshold
        item("small_count_shown", row, small and c in known_classes, f"a count of {value:g} can be read from the published rows" if small and c in known_classes else "")
        if c in hidden:
            item("recoverable", row, c in determined, f"the suppressed count {value:g} follows from the figures shown" if c in determined else "")

    def conceals(r: int) -> bool:
        return row_suppressed[r] and any(c in hidden for c in structure.classes_of(r))

    for constraint in structure.row_constraints:
        count = sum(conceals(r) for r in constraint.rows)
        lone = count == 1
        detail = ""
        if lone:
            lone_row = next(r for r in constraint.rows if conceals(r))
            detail = f"{constraint.kind} equation with one suppressed row: {structure.describe_row(lone_row)}"
        item("lone_suppressed_row", constraint.total, lone, detail, count)
    for coefficients, origin in zip(structure.class_constraints, structure.class_constraint_origin):
        unknown = [c for c in coefficients if c in hidden]
        lone = len(unknown) == 1
        detail = ""
        if lone:
            detail = f"{origin.kind} equation with one unknown count: {structure.describe_row(structure.class_rows[unknown[0]][0])}"
        item("lone_hidden_quantity", origin.total, lone, detail, len(unknown))

    return items


def failures(audit_frame: pd.DataFrame) -> pd.DataFrame:
    return audit_frame[audit_frame["disclosed"]]
