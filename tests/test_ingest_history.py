"""A new extract date adds history, and "what did we know on date X" is a dbt rebuild with
--vars '{as_at_extract_date: X}'.

The tiny fixture's Mosaic extract of 15 May 2023 holds 6 children. A second extract of 15 June
2023 holds the same 6 plus one more (P103) and a changed sex for P001. Staging built as at:
  31 May 2023  -> the May extract: 6 children, P001 female
  default      -> the latest (June): 7 children, P001 male
(Each dbt invocation parses the whole project, so the test keeps to these two.)
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipelines.contracts.model import load_contract
from pipelines.ingest.run import ingest_source
from pipelines.privacy.pseudonymise import pseudonym
from pipelines.settings import DBT_PROFILES_DIR, DBT_PROJECT_DIR
from tests.conftest import TEST_KEY, copy_tiny_with_a_june_extract

pytestmark = pytest.mark.slow


@pytest.fixture
def two_extracts(settings):
    copy_tiny_with_a_june_extract(settings)
    con = duckdb.connect(str(settings.warehouse_path))
    contract = load_contract()
    for source in ("mosaic", "ons", "manual"):
        outcome = ingest_source(con, settings, contract, source)
        assert not outcome.failures, outcome.failures
    con.close()
    return settings


def _persons_as_at(settings, tmp_path: Path, as_at: str | None) -> dict[str, str]:
    args = [str(Path(sys.executable).parent / "dbt"), "run", "-s", "stg_mosaic__persons", "--project-dir", str(DBT_PROJECT_DIR),
            "--profiles-dir", str(DBT_PROFILES_DIR), "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")]
    if as_at:
        args += ["--vars", f"{{as_at_extract_date: '{as_at}'}}"]
    env = os.environ | {"OUTCOMES_WAREHOUSE_PATH": str(settings.warehouse_path)}
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:]
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        return dict(con.execute("select person_id, sex from staging.stg_mosaic__persons").fetchall())
    finally:
        con.close()


def test_both_extracts_are_kept(two_extracts):
    con = duckdb.connect(str(two_extracts.warehouse_path), read_only=True)
    counts = con.execute("select _extract_id, count(*) from raw.mosaic__ssd_person group by 1 order by 1").fetchall()
    con.close()
    assert counts == [("2023-05-15", 6), ("2023-06-15", 7)]


def test_what_did_we_know_on_a_date(two_extracts, tmp_path):
    key = bytes.fromhex(TEST_KEY)
    p001 = pseudonym(key, "mosaic_person", "P001")
    in_may = _persons_as_at(two_extracts, tmp_path, "2023-05-31")
    assert (len(in_may), in_may[p001]) == (6, "F")
    latest = _persons_as_at(two_extracts, tmp_path, None)  # the default: the latest extract
    assert (len(latest), latest[p001]) == (7, "M")
    assert pseudonym(key, "mosaic_person", "P103") in latest
