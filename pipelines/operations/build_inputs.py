"""Has anything that decides the publication changed since it was last published?

A night with no new extract would otherwise rebuild every dbt model, run every check and end by
finding the publication unchanged: minutes at bi-borough volume, most of an hour at national
volume. The nightly job asks this module first and, when nothing changed, the dbt step yields
nothing, so Dagster skips the checks and the publication after it (pipelines/assets/dbt.py).

The inputs fingerprint is a sha256 over
- every extract file loaded into the build database (source, table, extract, sha256 from
  dq.ingest_log), so a new, corrected or withdrawn delivery changes it;
- the files of the dbt project, the expectation suites and the publication and validation code,
  so a code change rebuilds with the same data.
It is recorded in dq.published_inputs when a publication succeeds (or is found unchanged), with
the publication's id; the build is skipped only if the latest record has the same fingerprint
and the published database still holds that publication. OUTCOMES_FORCE_REBUILD=1 rebuilds
regardless.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import duckdb

from pipelines.settings import DBT_PROFILES_DIR, EXPECTATIONS_DIR, REPO_ROOT, Settings

FORCE_ENV = "OUTCOMES_FORCE_REBUILD"
# What decides the published figures besides the data.
CODE_PATHS = (REPO_ROOT / "dbt_project.yml", DBT_PROFILES_DIR, EXPECTATIONS_DIR, REPO_ROOT / "pipelines" / "publication", REPO_ROOT / "pipelines" / "validation")
CODE_SUFFIXES = (".sql", ".yml", ".yaml", ".csv", ".json", ".py", ".md")


def _code_files() -> list[Path]:
    files = []
    for path in CODE_PATHS:
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            files.extend(p for p in path.rglob("*") if p.is_file() and p.suffix in CODE_SUFFIXES and "__pycache__" not in p.parts)
    return sorted(files)


def _has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return con.execute("select count(*) from information_schema.tables where table_schema = ? and table_name = ?", [schema, table]).fetchall()[0][0] > 0


def inputs_fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    digest = hashlib.sha256()
    if _has_table(con, "dq", "ingest_log"):
        for row in con.execute("select source, table_name, extract_id, sha256 from dq.ingest_log where status = 'loaded' order by all").fetchall():
            digest.update(("\t".join(str(v) for v in row) + "\n").encode())
    for path in _code_files():
        digest.update(path.relative_to(REPO_ROOT).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def record_published_inputs(con: duckdb.DuckDBPyConnection, publication_id: str) -> None:
    con.execute("create schema if not exists dq")
    con.execute("create table if not exists dq.published_inputs (fingerprint varchar, publication_id varchar, recorded_at timestamp)")
    con.execute("insert into dq.published_inputs values (?, ?, current_timestamp)", [inputs_fingerprint(con), publication_id])


def _latest_publication(path: Path) -> str | None:
    if not path.exists():
        return None
    con = duckdb.connect(str(path), read_only=True)
    try:
        if not _has_table(con, "published", "publication_log"):
            return None
        rows = con.execute("select publication_id from published.publication_log order by published_at desc limit 1").fetchall()
        return rows[0][0] if rows else None
    finally:
        con.close()


def unchanged_since_publication(con: duckdb.DuckDBPyConnection, settings: Settings) -> str | None:
    """The id of the publication that already reflects the current inputs, or None to build."""
    if os.environ.get(FORCE_ENV, "").strip() not in ("", "0") or not _has_table(con, "dq", "published_inputs"):
        return None
    last = con.execute("select fingerprint, publication_id from dq.published_inputs order by recorded_at desc limit 1").fetchall()
    if not last or last[0][0] != inputs_fingerprint(con):
        return None
    publication_id = last[0][1]
    # The analysts' database must still hold that publication (not restored from an older copy).
    return publication_id if _latest_publication(settings.published_db_path) == publication_id else None
