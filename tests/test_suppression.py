"""Disclosure control on small hand-worked tables, then on random ones.

Every table goes through the real path: a marts.outcome_measures table in an in-memory DuckDB,
published.outcome_measures built by pipelines.publication.published_tables, and the audit of
what a reader can see (pipelines.publication.disclosure_audit).
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.publication import linear_constraints
from pipelines.publication.disclosure_audit import audit, failures
from pipelines.publication.linear_constraints import Rules, build_structure, recoverable
from pipelines.publication.published_tables import build_published_outcome_measures

RBKC, WCC, BI = "E09000020", "E09000033", "BIBOROUGH"
AREA_NAMES = {RBKC: "Kensington and Chelsea", WCC: "Westminster", BI: "Bi-borough"}
PERIODS = {
    "2022-23": ("financial_year", "2022-04-01", "2023-03-31"),
    "2022-23 Q1": ("quarter", "2022-04-01", "2022-06-30"),
    "2022-23 Q2": ("quarter", "2022-07-01", "2022-09-30"),
    "2022-23 Q3": ("quarter", "2022-10-01", "2022-12-31"),
    "2022-23 Q4": ("quarter", "2023-01-01", "2023-03-31"),
    "31 Mar 2023": ("snapshot", "2023-03-31", "2023-03-31"),
}
SCALE = {"count": None, "percent": 100.0, "rate_per_10k": 10000.0}
RULES = Rules(threshold=5, min_denominator=10)


def row(measure, statistic, area, period, numerator, denominator=None, unit="count", breakdown="all", breakdown_value="all"):
    period_type, start, end = PERIODS[period]
    if unit == "count":
        value = numerator
    else:
        value = None if not denominator else numerator * SCALE[unit] / denominator
    return {
        "measure_id": measure, "priority": measure[:2], "area_code": area, "area_name": AREA_NAMES[area],
        "period_type": period_type, "period_start": pd.Timestamp(start).date(), "period_end": pd.Timestamp(end).date(),
        "period_label": period, "statistic": statistic, "breakdown": breakdown, "breakdown_value": breakdown_value,
        "numerator": float(numerator), "denominator": None if denominator is None else float(denominator),
        "value": None if value is None else float(value), "unit": unit, "value_source": "computed",
        "extract_date": pd.Timestamp("2023-05-15").date(),
    }


def publish_rows(rows: list[dict], rules: Rules = RULES):
    """Build published.outcome_measures from these mart rows; return (published, audit failures)."""
    con = duckdb.connect()
    marts = pd.DataFrame(rows)
    con.execute("create schema marts")
    con.register("rows_in", marts)
    con.execute("create table marts.outcome_measures as select * from rows_in")
    con.unregister("rows_in")
    build_published_outcome_measures(con, rules)
    published = con.execute("select * from published.outcome_measures").df()
    marts_back = con.execute("select * from marts.outcome_measures").df()
    con.close()
    return published, failures(audit(marts_back, published, rules))


def shown(published: pd.DataFrame, statistic: str, area: str, period: str, breakdown_value: str = "all") -> str:
    match = published[
        (published.statistic == statistic) & (published.area_code == area) & (published.period_label == period) & (published.breakdown_value == breakdown_value)
    ]
    assert len(match) == 1
    return match.iloc[0]["value_published"]


def reason(published: pd.DataFrame, statistic: str, area: str, period: str, breakdown_value: str = "all") -> str | None:
    match = published[
        (published.statistic == statistic) & (published.area_code == area) & (published.period_label == period) & (published.breakdown_value == breakdown_value)
    ]
    return match.iloc[0]["suppression_reason"]


def test_primary_and_secondary_across_boroughs():
    # RBKC 3 is a count of 1-5: suppressed. RBKC = BI - WCC would give it back, so one more cell
    # of RBKC + WCC = BI goes: the smallest other, WCC (20 < 23). BI (23) stays.
    published, problems = publish_rows([
        row("P3_X", "count", RBKC, "2022-23", 3),
        row("P3_X", "count", WCC, "2022-23", 20),
        row("P3_X", "count", BI, "2022-23", 23),
    ])
    assert shown(published, "count", RBKC, "2022-23") == "c"
    assert reason(published, "count", RBKC, "2022-23") == "primary"
    assert shown(published, "count", WCC, "2022-23") == "c"
    assert reason(published, "count", WCC, "2022-23") == "secondary"
    assert shown(published, "count", BI, "2022-23") == "23"
    # Suppressed rows keep no numbers; the audit finds nothing to recover.
    suppressed = published[published.value_published == "c"]
    assert suppressed[["numerator", "denominator", "value"]].isna().all().all()
    assert problems.empty, problems


def test_zero_is_shown_and_needs_no_protection():
    # 0, 7, 7: nothing from 1 to 5, nothing suppressed; zero shows as 0.
    published, problems = publish_rows([
        row("P3_X", "count", RBKC, "2022-23", 0),
        row("P3_X", "count", WCC, "2022-23", 7),
        row("P3_X", "count", BI, "2022-23", 7),
    ])
    assert list(published.sort_values("area_code").value_published) == ["7", "0", "7"]  # BIBOROUGH, E09000020, E09000033
    assert published.suppression_reason.isna().all()
    assert problems.empty


def test_secondary_across_a_breakdown_forms_a_rectangle():
    # Sex partitions the cohort (declared). Table (F + M = all; RBKC + WCC = BI):
    #            F    M   all
    #   RBKC     2   10    12      RBKC F = 2 is primary.
    #   WCC      8    9    17
    #   BI      10   19    29
    # Column F: RBKC F alone hidden -> hide the smallest other, WCC F (8 < 10).
    # Row RBKC: RBKC F alone hidden -> hide the smallest other, RBKC M (10 < 12).
    # Row WCC: WCC F alone hidden -> hide WCC M (9 < 17). Column M now has RBKC M and WCC M.
    # The four hidden cells form a rectangle: each equation has two unknowns, and together the
    # four equations have rank 3, so no single cell is determined.
    rules = Rules(threshold=5, min_denominator=10, partitions=frozenset({("P3_X", "*", "sex")}))
    rows = []
    for area, f, m in ((RBKC, 2, 10), (WCC, 8, 9), (BI, 10, 19)):
        rows += [
            row("P3_X", "count", area, "2022-23", f, breakdown="sex", breakdown_value="F"),
            row("P3_X", "count", area, "2022-23", m, breakdown="sex", breakdown_value="M"),
            row("P3_X", "count", area, "2022-23", f + m),
        ]
    published, problems = publish_rows(rows, rules)
    table = {(a, bv): shown(published, "count", a, "2022-23", bv) for a in (RBKC, WCC, BI) for bv in ("F", "M", "all")}
    assert table == {
        (RBKC, "F"): "c", (RBKC, "M"): "c", (RBKC, "all"): "12",
        (WCC, "F"): "c", (WCC, "M"): "c", (WCC, "all"): "17",
        (BI, "F"): "10", (BI, "M"): "19", (BI, "all"): "29",
    }
    assert problems.empty, problems


def test_percentages_follow_their_counts():
    # Children looked after 40 / 50 / 90; of whom unaccompanied 4 / 11 / 15.
    # RBKC's 4 is primary: the count and the percentage built on it go. WCC's 11 goes too
    # (smallest other in 4 + 11 = 15), both as a count and as the numerator of its percentage,
    # because 22.0% of the 50 shown would give the 11 back. BI 15 of 90 = 16.666...% -> 16.7.
    rows = []
    for area, cla, uasc in ((RBKC, 40, 4), (WCC, 50, 11), (BI, 90, 15)):
        rows += [
            row("P3_CLA", "count", area, "31 Mar 2023", cla),
            row("P3_CLA", "count_uasc", area, "31 Mar 2023", uasc),
            row("P3_CLA", "pct_uasc", area, "31 Mar 2023", uasc, cla, unit="percent"),
        ]
    published, problems = publish_rows(rows)
    assert [shown(published, "count", a, "31 Mar 2023") for a in (RBKC, WCC, BI)] == ["40", "50", "90"]
    assert [shown(published, "count_uasc", a, "31 Mar 2023") for a in (RBKC, WCC, BI)] == ["c", "c", "15"]
    assert [shown(published, "pct_uasc", a, "31 Mar 2023") for a in (RBKC, WCC, BI)] == ["c", "c", "16.7"]
    assert reason(published, "pct_uasc", RBKC, "31 Mar 2023") == "primary"
    assert reason(published, "pct_uasc", WCC, "31 Mar 2023") == "secondary"
    bi = published[(published.statistic == "pct_uasc") & (published.area_code == BI)].iloc[0]
    assert (bi.numerator, bi.denominator, bi.value) == (15, 90, 16.7)
    assert problems.empty, problems


def test_percentage_on_a_small_denominator_is_not_shown():
    # RBKC 6 of 8 (75%) is on fewer than 10 children: not shown. Its 6 and 8 appear nowhere
    # else, so they are now unknown, and 26 - 20 would give the 6 back: WCC goes too. BI shows.
    rows = [
        row("P3_Y", "percent", RBKC, "2022-23", 6, 8, unit="percent"),
        row("P3_Y", "percent", WCC, "2022-23", 20, 30, unit="percent"),
        row("P3_Y", "percent", BI, "2022-23", 26, 38, unit="percent"),
    ]
    published, problems = publish_rows(rows)
    assert [shown(published, "percent", a, "2022-23") for a in (RBKC, WCC, BI)] == ["c", "c", "68.4"]
    assert reason(published, "percent", RBKC, "2022-23") == "small_denominator"
    assert reason(published, "percent", WCC, "2022-23") == "secondary"
    assert problems.empty, problems


def test_rates_are_suppressed_with_their_count_but_populations_are_public():
    # 3 children per 25,000: the count is primary, so is the rate (3 x 10,000 / 25,000 = 1.2
    # with the population shown would give the 3 back). The population itself needs no secret.
    rows = []
    for area, n, pop in ((RBKC, 3, 25000), (WCC, 30, 35000), (BI, 33, 60000)):
        rows += [row("P3_R", "count", area, "2022-23", n), row("P3_R", "rate_per_10k", area, "2022-23", n, pop, unit="rate_per_10k")]
    published, problems = publish_rows(rows)
    assert [shown(published, "rate_per_10k", a, "2022-23") for a in (RBKC, WCC, BI)] == ["c", "c", "5.5"]  # 33 / 60,000 x 10,000
    assert problems.empty, problems


def test_quarters_that_sum_to_the_year_are_protected_too():
    # RBKC only (no second area): Q1 3 + Q2 10 + Q3 12 + Q4 15 = 40 for the year. Q1 is
    # primary; the year minus the other quarters would give it back, so the smallest other
    # cell of that equation, Q2 (10), goes too.
    quarters = {"2022-23 Q1": 3, "2022-23 Q2": 10, "2022-23 Q3": 12, "2022-23 Q4": 15}
    rows = [row("P3_Q", "count", RBKC, p, n) for p, n in quarters.items()] + [row("P3_Q", "count", RBKC, "2022-23", 40)]
    published, problems = publish_rows(rows)
    assert [shown(published, "count", RBKC, p) for p in (*quarters, "2022-23")] == ["c", "c", "12", "15", "40"]
    assert problems.empty, problems


def test_audit_catches_a_count_given_away_by_a_percentage():
    # Suppress RBKC's count of 4 but leave its percentage and denominator: 10.0% of 40 is 4.
    rows = []
    for area, cla, uasc in ((RBKC, 40, 4), (WCC, 50, 11), (BI, 90, 15)):
        rows += [row("P3_CLA", "count", area, "31 Mar 2023", cla), row("P3_CLA", "count_uasc", area, "31 Mar 2023", uasc), row("P3_CLA", "pct_uasc", area, "31 Mar 2023", uasc, cla, unit="percent")]
    marts = pd.DataFrame(rows)
    published = marts.assign(value_published=marts.value.map(lambda v: f"{v:g}"), suppression_reason=None)
    leak = (published.statistic == "count_uasc") & published.area_code.isin([RBKC, WCC])
    published.loc[leak, ["numerator", "value"]] = None
    published.loc[leak, "value_published"] = "c"
    problems = failures(audit(marts, published, RULES))
    assert set(problems.check) >= {"small_count_shown"}
    small = problems[problems.check == "small_count_shown"].iloc[0]
    assert (small.measure_id, small.area_code, small.period_label) == ("P3_CLA", RBKC, "31 Mar 2023")


def test_audit_catches_a_lone_suppressed_cell():
    # Only RBKC's 3 suppressed: BI 23 - WCC 20 gives it back.
    marts = pd.DataFrame([row("P3_X", "count", a, "2022-23", n) for a, n in ((RBKC, 3), (WCC, 20), (BI, 23))])
    published = marts.assign(value_published=marts.value.map(lambda v: f"{v:g}"), suppression_reason=None)
    published.loc[published.area_code == RBKC, ["numerator", "value", "value_published"]] = [None, None, "c"]
    problems = failures(audit(marts, published, RULES))
    assert {"lone_suppressed_row", "lone_hidden_quantity", "recoverable"} <= set(problems.check)
    assert "P3_X / E09000020 / 2022-23" in " ".join(problems.detail)


def test_exact_check_knows_when_an_equation_gives_a_cell_away():
    # RBKC 4 + WCC 6 = BI 10. One hidden cell is determined (subtraction); two hidden cells with
    # BI shown are not (any split of 10 fits); all three hidden, nothing is known.
    rows = [
        row("P3_Z", "count", RBKC, "2022-23", 4, breakdown="sex", breakdown_value="F"),
        row("P3_Z", "count", WCC, "2022-23", 6, breakdown="sex", breakdown_value="F"),
        row("P3_Z", "count", BI, "2022-23", 10, breakdown="sex", breakdown_value="F"),
    ]
    structure = build_structure(pd.DataFrame(rows), RULES)
    classes = {structure.frame.iloc[structure.class_rows[c][0]]["area_code"]: c for c in range(len(structure.class_value))}
    # With RBKC and WCC hidden, BI shown: neither is determined.
    assert recoverable(structure, {classes[RBKC], classes[WCC]}) == set()
    # With only RBKC hidden: determined.
    assert recoverable(structure, {classes[RBKC]}) == {classes[RBKC]}
    # With all three hidden: nothing is determined.
    assert recoverable(structure, set(classes.values())) == set()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    counts=st.lists(st.lists(st.integers(min_value=0, max_value=30), min_size=3, max_size=3), min_size=2, max_size=4),
    denominators_extra=st.lists(st.integers(min_value=0, max_value=40), min_size=2, max_size=4),
    with_quarters=st.booleans(),
)
def test_nothing_suppressed_can_be_worked_out_on_random_tables(counts, denominators_extra, with_quarters):
    """Random boroughs x breakdown tables (with percentages on them, and optionally quarters):
    whatever suppression does, the audit finds no count of 1-5 shown and nothing recoverable."""
    rules = Rules(threshold=5, min_denominator=10, partitions=frozenset({("P3_H", "*", "group")}))
    rows = []
    groups = [f"g{i}" for i in range(len(counts))]
    periods = ["2022-23 Q1", "2022-23 Q2"] if with_quarters else ["31 Mar 2023"]
    for p_index, period in enumerate(periods):
        totals = {RBKC: 0, WCC: 0}
        denominator_totals = {RBKC: 0, WCC: 0}
        for g, (r, w, extra) in zip(groups, counts):
            shift = p_index * 2
            cells = {RBKC: r + shift, WCC: w}
            for area, n in cells.items():
                d = n + denominators_extra[groups.index(g) % len(denominators_extra)]
                rows += [
                    row("P3_H", "count", area, period, n, breakdown="group", breakdown_value=g),
                    row("P3_H", "pct", area, period, n, d, unit="percent", breakdown="group", breakdown_value=g),
                ]
                totals[area] += n
                denominator_totals[area] += d
            d_bi = sum(cells[a] + denominators_extra[groups.index(g) % len(denominators_extra)] for a in cells)
            rows += [
                row("P3_H", "count", BI, period, sum(cells.values()), breakdown="group", breakdown_value=g),
                row("P3_H", "pct", BI, period, sum(cells.values()), d_bi, unit="percent", breakdown="group", breakdown_value=g),
            ]
        for area in (RBKC, WCC):
            rows += [row("P3_H", "count", area, period, totals[area]), row("P3_H", "pct", area, period, totals[area], denominator_totals[area], unit="percent")]
        rows += [
            row("P3_H", "count", BI, period, sum(totals.values())),
            row("P3_H", "pct", BI, period, sum(totals.values()), sum(denominator_totals.values()), unit="percent"),
        ]
    for row_ in rows:
        if row_["unit"] == "percent" and row_["statistic"] == "pct":
            row_["statistic"] = "percent"
    published, problems = publish_rows(rows, rules)
    assert problems.empty, problems.to_string()
    # And the published table never prints a count from 1 to 5.
    counts_shown = published[(published.unit == "count") & (published.value_published != "c")]
    assert not counts_shown.value.between(1, 5).any()


def test_structures_of_a_whole_table_are_each_measures_own():
    """build_structures cuts one ordered, hashed table at each measure: each measure gets the
    structure build_structure makes from its rows alone (whatever order the rows arrive in),
    and a second look-up of the same rows finds the structures already built."""
    rows = [
        row("P3_Y", "count", area, period, n, breakdown=b, breakdown_value=v)
        for area, period, b, v, n in (
            (RBKC, "2022-23", "sex", "F", 4), (WCC, "2022-23", "sex", "F", 9), (BI, "2022-23", "sex", "F", 13),
            (RBKC, "2022-23", "all", "all", 12), (WCC, "2022-23", "all", "all", 20), (BI, "2022-23", "all", "all", 32),
        )
    ] + [
        row("P3_Z", "percent", area, "31 Mar 2023", n, d, unit="percent")
        for area, n, d in ((RBKC, 3, 30), (WCC, 8, 40), (BI, 11, 70))
    ]
    table = pd.DataFrame(rows).sample(frac=1, random_state=7)  # rows in no particular order
    linear_constraints._STRUCTURES.clear()
    together = linear_constraints.build_structures(table, RULES)
    assert list(together) == ["P3_Y", "P3_Z"]
    built = len(linear_constraints._STRUCTURES)
    for measure_id, structure in together.items():
        alone = build_structure(table[table.measure_id == measure_id], RULES)
        assert alone.frame.equals(structure.frame)
        assert (alone.row_constraints, alone.class_constraints, alone.class_value) == (structure.row_constraints, structure.class_constraints, structure.class_value)
    assert len(linear_constraints._STRUCTURES) == built == 2  # found, not built again
    again = linear_constraints.build_structures(table.iloc[::-1], RULES)
    assert all(again[m].class_constraints is together[m].class_constraints for m in together)
