"""A failed dbt test says what it found: the generic test `column_rules`
(dbt_project/tests/generic/column_rules.sql) returns a row for every rule a model breaks, with
how many rows break it, and the dbt step's failure quotes those rows
(pipelines/assets/dbt_failures.py). One test node carries all of a model's rules, so its rows are
the only place that says which rule failed."""

from __future__ import annotations

import re

import dagster as dg
import duckdb
import pytest

from pipelines.assets.dbt import dbt_models, dbt_resource
from pipelines.operations.build_inputs import FORCE_ENV
from pipelines.resources import WarehouseResource
from tests.conftest import clone_data

pytestmark = pytest.mark.slow
TEST_NODE = "column_rules_stg_ons__mid_year_estimates"


def test_the_dbt_step_names_each_broken_rule_with_its_rows(golden_run, settings, monkeypatch):
    clone_data(golden_run, settings)
    # The copy holds a publication of these very extracts; build anyway (a subset of the dbt
    # assets counts as a whole build when it is all that is being materialised).
    monkeypatch.setenv(FORCE_ENV, "1")
    con = duckdb.connect(str(settings.warehouse_path))
    rows = [r[0] for r in con.execute("select rowid from raw.ons__mid_year_estimates order by rowid").fetchall()]
    # One row breaks each rule of stg_ons__mid_year_estimates (tests/fixtures/tiny has 40 rows,
    # none breaking any): age above 90, a negative population, a sex code that is not 1 or 2,
    # no area code, and a row delivered twice.
    con.execute(f"update raw.ons__mid_year_estimates set age = 95 where rowid = {rows[0]}")
    con.execute(f"update raw.ons__mid_year_estimates set population = -1 where rowid = {rows[1]}")
    con.execute(f"update raw.ons__mid_year_estimates set sex = '3' where rowid = {rows[2]}")
    con.execute(f"update raw.ons__mid_year_estimates set ladcode = null where rowid = {rows[3]}")
    con.execute(f"insert into raw.ons__mid_year_estimates select * from raw.ons__mid_year_estimates where rowid = {rows[4]}")
    con.close()

    result = _build_alone(settings, "stg_ons__mid_year_estimates")
    assert not result.success
    failure = _step_failure(result)
    assert failure.user_failure_data is not None, failure.error.to_string()  # raised as dg.Failure: not retried
    message = failure.user_failure_data.description
    assert f"dbt test {TEST_NODE} failed:" in message, message
    found = _broken_rules(message)
    assert found == {
        ("age is above 90", "1"),
        ("population is below 0", "1"),
        ("sex is not one of 1, 2", "1"),
        ("area_code is null", "1"),
        ("(area_code, sex, age, mid_year) is not unique", "1"),
    }, message


def test_a_value_missing_from_the_referenced_model_is_named(golden_run, settings, monkeypatch):
    """`references` (dbt's relationships, folded into column_rules): a child whose authority is
    not one of the boroughs breaks one rule, named with the model and column it should have
    matched."""
    clone_data(golden_run, settings)
    monkeypatch.setenv(FORCE_ENV, "1")
    con = duckdb.connect(str(settings.warehouse_path))
    # One child of the latest extract (the one staging reads).
    con.execute(
        "update raw.mosaic__ssd_person set la_code = '999' where rowid = "
        "(select min(rowid) from raw.mosaic__ssd_person where _extract_date = (select max(_extract_date) from raw.mosaic__ssd_person))"
    )
    con.close()

    result = _build_alone(settings, "stg_mosaic__persons")
    assert not result.success
    message = _step_failure(result).user_failure_data.description
    found = _broken_rules(message)
    assert found == {("la_code is not in boroughs.la_code", "1")}, message


def _build_alone(settings, model: str) -> dg.ExecuteInProcessResult:
    """One staging model through the real dbt asset (dagster-dbt selects it and its tests), not
    the whole build."""
    return dg.materialize(
        [dbt_models],
        selection=[dg.AssetKey(["staging", model])],
        resources={"dbt": dbt_resource(), "warehouse": WarehouseResource(data_dir=str(settings.data_dir))},
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


def _step_failure(result: dg.ExecuteInProcessResult):
    (failure,) = [e.event_specific_data for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    return failure


def _broken_rules(message: str) -> set[tuple[str, str]]:
    """(rule, failing rows) of each row the failure quotes."""
    return set(re.findall(r"^  - rule (.+), failing_rows (\d+)$", message, flags=re.M))
