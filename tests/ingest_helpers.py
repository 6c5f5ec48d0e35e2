"""A small contract and helpers for the ingest tests.

The contract is built in code (not read from pipelines/contracts/) so the ingest tests do not
move when other tables' contracts change; it reuses the real `sex` code set.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb

from pipelines.contracts.model import Column, Contract, RowRule, TableContract, load_contract
from pipelines.ingest.extracts import Extract
from pipelines.ingest.load import ensure_dq_schema, ingest_table_file
from pipelines.privacy.pseudonymise import install_sql_macro

KEY = bytes.fromhex("5e" * 32)

PEOPLE = TableContract(
    source="testsrc",
    table="people",
    description="Test people.",
    file_pattern="people*.csv",
    grain="One row per person.",
    primary_key=("person_id",),
    columns=(
        Column("la_code", "id", "LA number.", required=True, pattern="^[0-9]{3}$"),
        Column("person_id", "id", "Person.", required=True, privacy="person_id", namespace="mosaic_person"),
        Column("forename", "text", "Name.", privacy="direct"),
        Column("sex", "code", "Sex.", codeset="sex", privacy="quasi"),
        Column("dob", "date", "Date of birth.", privacy="quasi"),
        Column("start_date", "date", "Start.", required=True, not_future=True),
        Column("visits", "integer", "Visits."),
        Column("case_ref", "id", "A case reference with significant leading zeros."),
        Column("postcode", "text", "Postcode.", privacy="postcode"),
    ),
    row_rules=(RowRule("dob_before_start", "dob is null or dob <= start_date", "Born after the start date.", "quarantine", "dob"),),
)
HEADER = "la_code,person_id,forename,sex,dob,start_date,visits,case_ref,postcode"


def people_contract() -> Contract:
    return Contract(tables=(PEOPLE,), codesets={"sex": load_contract().codesets["sex"]})


def deliver(root: Path, content: bytes | str, *, extract_id: str = "2023-05-15", name: str = "people.csv", encoding: str = "utf-8") -> tuple[Extract, Path]:
    folder = root / "raw" / "testsrc" / extract_id
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    extract = Extract(source="testsrc", extract_id=extract_id, extract_date=date.fromisoformat(extract_id[:10]), folder=folder)
    return extract, path


def connect(root: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(root / "warehouse.duckdb"))
    install_sql_macro(con, KEY)
    ensure_dq_schema(con)
    return con


def ingest(con, root: Path, extract: Extract, path: Path, table: TableContract = PEOPLE):
    return ingest_table_file(con, people_contract(), table, extract, path, archive_dir=root / "archive", work_dir=root / "work")


def fresh(root: Path) -> None:
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
