"""How dbt builds the warehouse: the project's one-statement materialisation
(dbt_project/macros/materializations/replace_in_place.sql) and where the measure models' contract
is tested."""

from __future__ import annotations

import json

import dagster as dg
import duckdb
import pytest

from pipelines.assets.dbt import dbt_models, dbt_project, dbt_resource
from pipelines.operations.build_inputs import FORCE_ENV
from pipelines.resources import WarehouseResource
from tests.conftest import clone_data

STAGING_MODEL = "stg_ons__mid_year_estimates"


@pytest.fixture(scope="module")
def manifest():
    return json.loads(dbt_project.manifest_path.read_text())


def test_every_measure_model_is_in_a_tested_domain_union(manifest):
    """`measure_rows` runs on each domain's union only (one node instead of one per measure), so
    a measure model left out of every union would go untested; it would not be published either
    (outcome_measures reads the unions), which is the harm this test prevents from staying quiet."""
    nodes = manifest["nodes"]
    children = manifest["child_map"]
    unions = {uid for uid, n in nodes.items() if n["resource_type"] == "model" and n["name"].startswith("msr__")}
    measures = {uid for uid, n in nodes.items() if n["resource_type"] == "model" and n["name"].startswith("msr_") and uid not in unions}
    assert len(unions) == 5 and len(measures) > 60
    outside = sorted(nodes[m]["name"] for m in measures if not unions & set(children[m]))
    assert not outside, f"measure models in no msr__<domain> union: {outside}"
    tested = {
        parent
        for n in nodes.values()
        if n["resource_type"] == "test" and (n.get("test_metadata") or {}).get("name") == "measure_rows"
        for parent in n["depends_on"]["nodes"]
    }
    assert unions <= tested, f"unions without measure_rows: {sorted(nodes[u]['name'] for u in unions - tested)}"


@pytest.mark.slow
def test_models_are_replaced_in_place_whatever_was_there(golden_run, settings, monkeypatch):
    """The nightly build leaves no intermediate or backup relation behind, and a model replaces a
    relation of the other kind under its name (a view where an earlier version of the project
    built a table)."""
    clone_data(golden_run, settings)
    monkeypatch.setenv(FORCE_ENV, "1")
    con = duckdb.connect(str(settings.warehouse_path))
    left_over = con.execute("select table_schema || '.' || table_name from information_schema.tables where strpos(table_name, '__dbt_') > 0").fetchall()
    assert not left_over, left_over
    expected_rows = con.execute(f"select count(*) from staging.{STAGING_MODEL}").fetchall()[0][0]
    assert expected_rows > 0
    con.execute(f"drop view staging.{STAGING_MODEL}")
    con.execute(f"create table staging.{STAGING_MODEL} as select 1 as stale")
    con.close()

    result = dg.materialize(
        [dbt_models],
        selection=[dg.AssetKey(["staging", STAGING_MODEL])],
        resources={"dbt": dbt_resource(), "warehouse": WarehouseResource(data_dir=str(settings.data_dir))},
        instance=dg.DagsterInstance.ephemeral(),
    )
    assert result.success

    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    kinds = con.execute(
        "select table_type from information_schema.tables where table_schema = 'staging' and table_name = ?", [STAGING_MODEL]
    ).fetchall()
    assert kinds == [("VIEW",)]
    assert con.execute(f"select count(*) from staging.{STAGING_MODEL}").fetchall()[0][0] == expected_rows
    left_over = con.execute("select table_name from information_schema.tables where strpos(table_name, '__dbt_') > 0").fetchall()
    assert not left_over, left_over
