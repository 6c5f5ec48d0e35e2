"""Files generated from the contract and from libraries are committed; they must not drift.

`python -m pipelines docs` rewrites them. If one of these tests fails, run it and commit the
result (and read the diff: a change here is a change to what ingest enforces or documents).
"""

from __future__ import annotations

import pytest

from pipelines.contracts import dbt_sources
from pipelines.contracts import docs as contract_docs
from pipelines.contracts.model import load_contract
from pipelines.reference_data import SEEDS_DIR, bank_holidays_csv

CONTRACT = load_contract()


@pytest.mark.parametrize("source", CONTRACT.sources)
def test_dbt_sources_match_the_contract(source):
    path = dbt_sources.sources_path(source)
    assert path.read_text(encoding="utf-8") == dbt_sources.render(CONTRACT, source), f"{path} is stale: run python -m pipelines docs"


def test_contract_document_matches_the_contract():
    assert contract_docs.DOC_PATH.read_text(encoding="utf-8") == contract_docs.render(CONTRACT), "docs/data_contract.md is stale: run python -m pipelines docs"


def test_contract_document_covers_every_table_and_code_set():
    document = contract_docs.DOC_PATH.read_text(encoding="utf-8")
    for table in CONTRACT.tables:
        assert f"### {table.source}.{table.table}\n" in document
        for column in table.columns:
            assert f"| `{column.name}` |" in document
    for name in CONTRACT.codesets:
        assert f"### Code set {name}\n" in document


def test_bank_holiday_seed_matches_the_library():
    path = SEEDS_DIR / "bank_holidays.csv"
    assert path.read_text(encoding="utf-8") == bank_holidays_csv(), f"{path} is stale: run python -m pipelines docs"
