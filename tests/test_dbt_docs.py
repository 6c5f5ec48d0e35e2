"""Every dbt model and column is documented in YAML, and the YAML matches what is built."""

from __future__ import annotations

import json

import duckdb
import pytest

from pipelines.assets.dbt import dbt_project

pytestmark = pytest.mark.slow
CLASSIFICATIONS = {"non_personal", "aggregate", "pseudonymised_identifier", "quasi_identifier"}


@pytest.fixture(scope="module")
def manifest():
    return json.loads(dbt_project.manifest_path.read_text())


def _models(manifest):
    return [n for n in manifest["nodes"].values() if n["resource_type"] == "model"]


def test_every_model_has_a_description(manifest):
    missing = [m["name"] for m in _models(manifest) if not m.get("description", "").strip()]
    assert not missing, f"models without a description: {missing}"


def test_documented_columns_match_built_columns(manifest, golden_run):
    con = duckdb.connect(str(golden_run.warehouse_path), read_only=True)
    built = {}
    for schema, table, column in con.execute("select table_schema, table_name, column_name from information_schema.columns").fetchall():
        built.setdefault((schema, table), set()).add(column)
    con.close()
    problems = []
    for model in _models(manifest):
        actual = built.get((model["schema"], model["name"]))
        if actual is None:
            problems.append(f"{model['name']}: not built")
            continue
        declared = set(model["columns"])
        if declared != actual:
            problems.append(f"{model['name']}: undocumented {sorted(actual - declared)}, documented but absent {sorted(declared - actual)}")
        for name, column in model["columns"].items():
            if not column.get("description", "").strip():
                problems.append(f"{model['name']}.{name}: no description")
            if column.get("meta", {}).get("classification") not in CLASSIFICATIONS:
                problems.append(f"{model['name']}.{name}: classification missing or unknown")
    assert not problems, "\n".join(problems)
