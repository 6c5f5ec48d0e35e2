"""Great Expectations suites as files: expectations/<suite>.json.

A suite file holds GX expectation configurations and, under `meta`, what to validate:

    description      one line for the Dagster check and the Data Docs
    target_asset     the asset the suite guards ("marts/outcome_measures"), or
    targets          a list of {"asset": ..., "table": ...}: the same rules for several tables
                     (one check per table, named <suite>__<table>); `{table}` in the SQL,
                     `{table_schema}` its schema
    dataset_sql      the SQL of the rows to validate; `{schema}` is the marts schema,
                     `{expectations_dir}` this folder (for CSV reference files),
                     `{suppression_threshold}` and `{suppression_min_denominator}` the dbt vars
                     (the SQL goes through str.format: write a literal brace as {{ or }})
    dataset_sql_file or the name of a .sql file in expectations/sql/ holding that SQL
    dataset_python   or "module:function" returning those rows as a DataFrame (for rules that
                     need code, e.g. the disclosure audit); called with a DatasetContext
    stages           where it runs: "build" (the Dagster check, against the build database)
                     and/or "candidate" (again in the publish step, against the new
                     publication before it is swapped in). Default both. Suites that read
                     staging or intermediate tables run at "build" only: the candidate holds
                     the same marts (the publish step proves it by content hash).
    severity         "error" (default: a failure blocks publication) or "warning" (shown in
                     the UI as a warning; publication goes ahead)
    allow_empty      an empty dataset passes (e.g. no bi-borough counts yet)
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.settings import EXPECTATIONS_DIR

STAGES = ("build", "candidate")
SEVERITIES = ("error", "warning")


@dataclass(frozen=True)
class Suite:
    name: str  # unique: the file's suite name, with __<table> for multi-target suites
    path: Path
    target_asset: str
    table: str | None
    description: str
    dataset_sql: str | None
    dataset_python: str | None
    stages: tuple[str, ...]
    severity: str
    allow_empty: bool
    expectations: list[dict] = field(default_factory=list, hash=False, compare=False)
    meta: dict = field(default_factory=dict, hash=False, compare=False)

    @property
    def check_name(self) -> str:
        return f"gx_{self.name}"

    @property
    def asset_path(self) -> list[str]:
        return self.target_asset.split("/")


class SuiteError(ValueError):
    """A suite file that cannot be run as written."""


def suite_paths(directory: Path = EXPECTATIONS_DIR) -> list[Path]:
    return sorted(directory.glob("*.json"))


def load_suite_document(path: Path) -> dict:
    doc = json.loads(path.read_text(encoding="utf-8"))
    meta = doc.get("meta", {})
    if "name" not in doc or not doc.get("expectations"):
        raise SuiteError(f"{path}: a suite needs a name and at least one expectation")
    if sum(k in meta for k in ("dataset_sql", "dataset_sql_file", "dataset_python")) != 1:
        raise SuiteError(f"{path}: suite meta must give exactly one of 'dataset_sql', 'dataset_sql_file' and 'dataset_python'")
    if "dataset_sql_file" in meta and not (path.parent / "sql" / meta["dataset_sql_file"]).exists():
        raise SuiteError(f"{path}: dataset_sql_file {meta['dataset_sql_file']!r} is not in {path.parent / 'sql'}")
    if ("target_asset" in meta) == ("targets" in meta):
        raise SuiteError(f"{path}: suite meta must give exactly one of 'target_asset' and 'targets'")
    stages = tuple(meta.get("stages", STAGES))
    if not stages or any(s not in STAGES for s in stages):
        raise SuiteError(f"{path}: stages must be a non-empty list of {STAGES}, not {stages}")
    if meta.get("severity", "error") not in SEVERITIES:
        raise SuiteError(f"{path}: severity must be one of {SEVERITIES}")
    for cfg in doc["expectations"]:
        if "type" not in cfg or "kwargs" not in cfg:
            raise SuiteError(f"{path}: every expectation needs a type and kwargs ({cfg})")
        _check_regex(path, cfg)
    return doc


def _check_regex(path: Path, cfg: dict) -> None:
    """A regex expectation's pattern must compile and capture nothing. GX matches it with pandas'
    `str.contains`, which warns at every validation when the pattern has a capturing group;
    `(?:...)` groups the same without capturing."""
    pattern = cfg["kwargs"].get("regex")
    if pattern is None:
        return
    try:
        groups = re.compile(pattern).groups
    except re.error as exc:
        raise SuiteError(f"{path}: {cfg['type']} on {cfg['kwargs'].get('column')!r}: the regex {pattern!r} does not compile ({exc})") from None
    if groups:
        raise SuiteError(f"{path}: {cfg['type']} on {cfg['kwargs'].get('column')!r}: the regex {pattern!r} has a capturing group; write (?:...) instead")


def load_suites(directory: Path = EXPECTATIONS_DIR) -> list[Suite]:
    """Every suite, one per target table."""
    suites: list[Suite] = []
    for path in suite_paths(directory):
        doc = load_suite_document(path)
        meta = doc["meta"]
        targets = meta.get("targets") or [{"asset": meta["target_asset"], "table": None}]
        for target in targets:
            table = target.get("table")
            name = doc["name"] if len(targets) == 1 and "targets" not in meta else f"{doc['name']}__{table.split('.')[-1]}"
            suites.append(
                Suite(
                    name=name,
                    path=path,
                    target_asset=target["asset"],
                    table=table,
                    description=meta.get("description", doc["name"]),
                    dataset_sql=meta.get("dataset_sql") or (
                        (path.parent / "sql" / meta["dataset_sql_file"]).read_text(encoding="utf-8") if "dataset_sql_file" in meta else None
                    ),
                    dataset_python=meta.get("dataset_python"),
                    stages=tuple(meta.get("stages", STAGES)),
                    severity=meta.get("severity", "error"),
                    allow_empty=bool(meta.get("allow_empty", False)),
                    expectations=doc["expectations"],
                    meta=meta,
                )
            )
    names = [s.name for s in suites]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise SuiteError(f"Suite names must be unique: {duplicates}")
    return suites
