"""The `published` tables: documented column by column, rounded and labelled as published."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from pipelines.publication.linear_constraints import Rules
from pipelines.publication.published_columns import OPTIONAL, documented_columns
from pipelines.publication.published_tables import build_published_tables, priority_tables
from tests.test_suppression import BI, RBKC, WCC, row

CLASSIFICATIONS = {"non_personal", "aggregate", "pseudonymised_identifier", "quasi_identifier"}


@pytest.fixture
def con():
    rows = []
    for area, cla, uasc, pop in ((RBKC, 40, 0, 22593), (WCC, 160, 31, 31571), (BI, 200, 31, 54164)):
        rows += [
            row("P3_CLA", "count", area, "31 Mar 2023", cla),
            row("P3_CLA", "rate_per_10k", area, "31 Mar 2023", cla, pop, unit="rate_per_10k"),
            row("P3_CLA", "pct_uasc", area, "31 Mar 2023", uasc, cla, unit="percent"),
        ]
    rows += [row("P3_CLA", "pct_uasc", a, "2022-23", 0, 0, unit="percent") for a in (RBKC, WCC, BI)]
    connection = duckdb.connect()
    connection.execute("create schema marts")
    connection.register("rows_in", pd.DataFrame(rows))
    connection.execute("create table marts.outcome_measures as select * from rows_in")
    connection.unregister("rows_in")
    build_published_tables(connection, Rules())
    yield connection
    connection.close()


def _columns(con, table):
    return [r[0] for r in con.execute(f"describe published.{table}").fetchall()]


def test_every_published_table_is_documented(con):
    tables = ["outcome_measures", "measure_definitions", *(t.table for t in priority_tables())]
    for table in tables:
        documented = documented_columns(table)
        built = _columns(con, table)
        assert set(built) <= set(documented), f"published.{table}: undocumented {sorted(set(built) - set(documented))}"
        assert set(documented) - OPTIONAL <= set(built), f"published.{table}: documented but absent {sorted(set(documented) - OPTIONAL - set(built))}"
        for name, (_, description, classification) in documented.items():
            assert description.strip() and classification in CLASSIFICATIONS, f"published.{table}.{name}"


def test_values_are_rounded_and_labelled_as_published(con):
    shown = {
        (r[0], r[1], r[2]): r[3:]
        for r in con.execute("select statistic, area_code, period_label, value, value_published, decimal_places, suppression_reason from published.outcome_measures").fetchall()
    }
    # 160 / 31,571 x 10,000 = 50.679... -> 50.7 to one decimal place; counts are whole numbers.
    assert shown[("rate_per_10k", WCC, "31 Mar 2023")] == (50.7, "50.7", 1, None)
    assert shown[("count", WCC, "31 Mar 2023")] == (160, "160", 0, None)
    # 31 of 160 = 19.375% -> 19.4; RBKC has none: 0 of 40 shows as 0.0, not suppressed.
    assert shown[("pct_uasc", WCC, "31 Mar 2023")] == (19.4, "19.4", 1, None)
    assert shown[("pct_uasc", RBKC, "31 Mar 2023")] == (0.0, "0.0", 1, None)
    # A percentage of nobody is not applicable.
    assert shown[("pct_uasc", RBKC, "2022-23")][1] == "z"
    # Previous values and changes never leave: they would give a suppressed figure away.
    assert not {"previous_value", "change", "change_direction", "rag_status"} & set(_columns(con, "outcome_measures"))


def test_priority_tables_hold_their_priority_rows_with_its_words(con):
    p3 = next(t for t in priority_tables() if t.priority == "P3")
    rows = con.execute(f"select count(*), min(priority_name), min(priority_outcome) from published.{p3.table}").fetchall()[0]
    assert rows[0] == con.execute("select count(*) from published.outcome_measures where priority = 'P3'").fetchall()[0][0] == 12
    assert rows[1] == "Priority Three" and rows[2].startswith("Children and young people feel safe")
    others = [t for t in priority_tables() if t.priority != "P3"]
    assert all(con.execute(f"select count(*) from published.{t.table}").fetchall()[0][0] == 0 for t in others)
