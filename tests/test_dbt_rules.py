"""The generic dbt test `column_rules` (dbt_project/tests/generic/column_rules.sql) names every
rule a model breaks, and how many rows break it: one test node carries all of a model's rules,
so its failing rows are the only place that says which rule failed."""

from __future__ import annotations

import shutil
import subprocess

import duckdb
import pytest

from pipelines.assets.dbt import DBT_EXECUTABLE, dbt_project
from pipelines.resources import WarehouseResource
from pipelines.settings import DBT_PROFILES_DIR
from tests.conftest import clone_data

pytestmark = pytest.mark.slow
TEST_NODE = "column_rules_stg_ons__mid_year_estimates"


def test_each_broken_rule_is_named_with_its_rows(golden_run, settings, tmp_path):
    clone_data(golden_run, settings)
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

    # dbt's saved parse from the project's target folder, so this run does not parse it all again.
    target = tmp_path / "target"
    target.mkdir()
    shutil.copy(dbt_project.target_path / "partial_parse.msgpack", target)
    with WarehouseResource(data_dir=str(settings.data_dir)).dbt_environment():
        dbt = subprocess.run(
            [str(DBT_EXECUTABLE), "test", "--select", TEST_NODE, "--store-failures", "--profiles-dir", str(DBT_PROFILES_DIR), "--target-path", str(target)],
            cwd=dbt_project.project_dir, capture_output=True, text=True,
        )
    assert dbt.returncode == 1, dbt.stdout[-3000:]
    assert "Got 5 results" in dbt.stdout, dbt.stdout[-3000:]

    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    failures = dict(con.execute(f"select rule, failing_rows from dbt_test__audit.{TEST_NODE}").fetchall())
    con.close()
    assert failures == {
        "age is above 90": 1,
        "population is below 0": 1,
        "sex is not one of 1, 2": 1,
        "area_code is null": 1,
        "(area_code, sex, age, mid_year) is not unique": 1,
    }
