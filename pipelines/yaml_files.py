"""Reading the project's YAML (the extract contract, dbt_project.yml, accepted warnings).

PyYAML's pure-Python parser took 0.37 s to read the contract's 116 files, paid by every process
that loads the Dagster definitions (the nightly run, the no-change run, each test process);
libyaml's C parser, which PyYAML's wheels include, reads the same files into the same objects
in 0.04 s (docs/benchmarks.md, item 43). Both are safe loaders: plain data, no Python objects.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C parser, where PyYAML has it


def read_yaml(path: Path) -> Any:
    """The document in the YAML file at `path` (UTF-8), as plain Python data."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)  # noqa: S506 - a safe loader
