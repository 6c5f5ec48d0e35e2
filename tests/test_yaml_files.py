"""The project's YAML is read with libyaml's C parser (pipelines/yaml_files.py)."""

from __future__ import annotations

import yaml

from pipelines.contracts.model import CONTRACTS_DIR
from pipelines.settings import DBT_PROJECT_DIR, EXPECTATIONS_DIR
from pipelines.yaml_files import _SAFE_LOADER, read_yaml


def test_every_project_yaml_reads_the_same_with_the_c_parser():
    """The C parser is the one in use (PyYAML's wheels ship it; without it every process that loads
    the definitions spends a third of a second more), and it reads each file the project reads -
    the contract's tables and code sets, dbt_project.yml, the accepted warnings - into the same
    data as PyYAML's pure-Python safe loader."""
    assert _SAFE_LOADER is yaml.CSafeLoader
    paths = [*sorted(CONTRACTS_DIR.rglob("*.yml")), DBT_PROJECT_DIR / "dbt_project.yml", *sorted(EXPECTATIONS_DIR.glob("*.yml"))]
    assert len(paths) > 100
    for path in paths:
        assert read_yaml(path) == yaml.safe_load(path.read_text(encoding="utf-8")), path
