"""Every dbt model and column is documented in YAML, and the YAML matches what is built."""

from __future__ import annotations

import json

import duckdb
import pytest
import yaml

from pipelines.assets.dbt import dbt_project
from pipelines.settings import DBT_PROFILES_DIR

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


# The properties a model, seed, source table or column may have in this project's YAML.
PROPERTIES = {"name", "description", "meta", "data_tests", "data_type", "config", "quote", "identifier", "columns", "loader", "schema", "tables", "tags", "docs"}


def test_no_description_is_cut_at_a_comma():
    """In a flow mapping (`- {name: x, description: ...}`) a plain description ends at its first
    comma, and YAML reads the rest as a key of its own with no value: some 200 column
    descriptions once lost their second half this way ("Count of children" for "Count of
    children, young people, episodes or score points."). Such a description must be quoted."""
    cut = []

    def walk(node, path):
        if isinstance(node, dict):
            if "name" in node:
                cut.extend(f"{path.name}: {node['name']}: {key!r}" for key, value in node.items() if key not in PROPERTIES and value is None)
            for value in node.values():
                walk(value, path)
        elif isinstance(node, list):
            for value in node:
                walk(value, path)

    for path in sorted(DBT_PROFILES_DIR.rglob("*.yml")):  # dbt_project/: models, seeds and tests beside the profile
        walk(yaml.safe_load(path.read_text()), path)
    assert not cut, "descriptions cut at a comma (quote them):\n" + "\n".join(cut)


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
