"""Reference data of the safeguarding models agrees with the extract contract."""

from __future__ import annotations

import csv

from pipelines.contracts.model import load_contract
from pipelines.settings import REPO_ROOT

SEED = REPO_ROOT / "dbt_project" / "seeds" / "assessment_factor_codes.csv"


def test_assessment_factor_seed_matches_the_code_set():
    # The dbt seed is the code set of the contract, year limits included; when a new CIN census
    # year adds a factor, add it to pipelines/contracts/codesets/assessment_factor.yml and here.
    codes = load_contract().codesets["assessment_factor"].codes
    expected = [[c.code, c.label, str(c.since or ""), str(c.until or "")] for c in codes]
    with SEED.open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["factor_code", "factor_label", "first_collection_year", "last_collection_year"]
    assert rows[1:] == expected


def test_child_criminal_exploitation_is_a_code_from_2021_22_only():
    factors = load_contract().codesets["assessment_factor"]
    assert "24A" not in factors.allowed(2021)
    assert "24A" in factors.allowed(2022)
    # Records keep the codes of their own time: 18A (before the child-on-child split) still parses.
    assert factors.input_map(2023)["18A"] == "18A"
