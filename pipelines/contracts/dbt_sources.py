"""Write dbt source declarations from the extract contract.

The contract is the single source of truth for what lands in the `raw` schema. Source YAML is
generated from it (`python -m pipelines docs`), committed, and a test fails if the two drift, so
every raw column in dbt carries the contract's description and privacy classification.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from pipelines.contracts.model import Contract, load_contract
from pipelines.settings import REPO_ROOT

STAGING_DIR = REPO_ROOT / "dbt_project" / "models" / "staging"
SOURCE_DESCRIPTIONS = {
    "mosaic": "Mosaic case-level extracts in the Standard Safeguarding Dataset layout, conformed and pseudonymised at ingest.",
    "ons": "ONS population estimates (denominators).",
    "manual": "Figures entered by analysts where no extract exists (surveys, programme logs).",
    "census": "ONS Census 2021 tables.",
    "education": "School census, early years and attainment extracts.",
    "youth_justice": "Youth justice case-management system extract.",
}
# Columns ingest adds to every raw table (name, description, classification): where each row came
# from, then the load's own working columns (pipelines/ingest/load.py, WORKING_COLUMNS).
LOAD_COLUMNS = [
    ("_extract_id", "Extract folder the row came from (its delivery date).", "non_personal"),
    ("_extract_date", "Date the extract was taken.", "non_personal"),
    ("_source_file", "File the row came from.", "non_personal"),
    ("_source_row", "Row number in that file as Excel shows it.", "non_personal"),
    ("_quarantine", "Ingest's verdict on the row while it loads, as JSON text; empty in every row kept (the quarantined rows are in dq.quarantine).", "non_personal"),
    # A retired code is shown as delivered, as in dq.value_issues.
    ("_issues", "The row's values that ingest blanked or reported, as dq.value_issues lists them, as a JSON list: a personal value withheld, a retired code shown.", "quasi_identifier"),
]
CLASSIFICATION = {
    "person_id": "pseudonymised_identifier",
    "postcode": "quasi_identifier",
    "quasi": "quasi_identifier",
    "none": "non_personal",
}


def sources_document(contract: Contract, source: str) -> dict:
    tables = []
    for t in contract.for_source(source):
        columns = []
        for c in t.columns:
            if not c.lands:
                continue
            description = c.description
            if c.privacy == "person_id":
                description += " (keyed hash: HMAC-SHA256, namespace " + (c.namespace or "") + ")"
            if c.privacy == "postcode":
                description += " (postcode sector only)"
            columns.append({"name": c.name, "description": description, "meta": {"classification": CLASSIFICATION[c.privacy], "contract_type": c.type}})
        if t.unpivot:
            columns.append({"name": t.unpivot["value"], "description": "Value of the year column.", "meta": {"classification": "non_personal", "contract_type": t.unpivot.get("type", "integer")}})
            columns.append({"name": t.unpivot["name"], "description": "Year taken from the wide column name.", "meta": {"classification": "non_personal", "contract_type": "integer"}})
        columns += [{"name": n, "description": d, "meta": {"classification": c}} for n, d, c in LOAD_COLUMNS]
        tables.append(
            {
                "name": t.table,
                "identifier": t.raw_table,
                "description": f"{t.description} {t.grain} Standard: {t.standard}.".strip(),
                "meta": {"contract": f"pipelines/contracts/tables/{t.source}/{t.table}.yml", "primary_key": list(t.primary_key)},
                "columns": columns,
            }
        )
    return {
        "version": 2,
        "sources": [
            {
                "name": source,
                "description": SOURCE_DESCRIPTIONS.get(source, source),
                "schema": "raw",
                "loader": "pipelines.ingest (Dagster asset group 'raw')",
                "tables": tables,
            }
        ],
    }


def sources_path(source: str) -> Path:
    return STAGING_DIR / source / f"_{source}__sources.yml"


def render(contract: Contract, source: str) -> str:
    header = "# Generated from pipelines/contracts by `python -m pipelines docs`. Do not edit by hand.\n"
    return header + yaml.safe_dump(sources_document(contract, source), sort_keys=False, allow_unicode=True, width=110)


def write_all(contract: Contract | None = None) -> list[Path]:
    contract = contract or load_contract()
    written = []
    for source in contract.sources:
        path = sources_path(source)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(contract, source), encoding="utf-8")
        written.append(path)
    return written
