"""Publish the validated marts as a new analysts' database, swapped in atomically.

1. Build a candidate file beside the published one (same filesystem, so the final rename is
   atomic): copy the marts and the data-quality tables out of the build database.
2. Validate the candidate with the same suites that gated the build (a copy that went wrong
   must not be published either) and check it holds no personal-data columns.
3. Append to the publication log carried over from the previous publication.
4. Checkpoint, close, fsync, then `os.replace` the candidate over `outcomes.duckdb`.

Analysts who have the old file open keep reading it (POSIX keeps the old inode alive until they
close it); new connections see the new publication; nobody ever sees a half-written file. If any
step fails, the candidate is deleted and the previous publication is untouched.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from pipelines.settings import REPO_ROOT, Settings
from pipelines.validation.gx_runner import run_suite, suite_paths

# What analysts get: tables copied from the build database, by schema.
PUBLISHED_TABLES = {
    "marts": ["outcome_measures"],
    "dq": ["ingest_log", "quarantine", "value_issues", "file_issues", "validation_results"],
}
# Column names that must never appear in the published database (fail closed).
FORBIDDEN_COLUMN_FRAGMENTS = ("person_id", "upn", "nhs_number", "forename", "surname", "date_of_birth", "postcode", "carer_key")


class PublicationError(RuntimeError):
    """The candidate publication failed a check; the previous publication is untouched."""


@dataclass
class PublicationResult:
    publication_id: str
    status: str  # published | unchanged
    path: Path
    content_hash: str
    row_count: int
    manifest: dict = field(default_factory=dict)


def code_version() -> str:
    try:
        out = subprocess.run(["git", "-C", str(REPO_ROOT), "describe", "--always", "--dirty"], capture_output=True, text=True, timeout=10)
        if out.returncode == 0 and out.stdout.strip():
            return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("biborough-outcomes")
    except PackageNotFoundError:
        return "unknown"


def content_hash(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """A hash of a table's content, independent of row order."""
    columns = [r[0] for r in con.execute(f"describe {table}").fetchall()]
    row_text = " || '|' || ".join(f"coalesce(cast({c} as varchar), '∅')" for c in columns)
    digest = con.execute(f"select md5(coalesce(string_agg(r, chr(10) order by r), '')) from (select {row_text} as r from {table})").fetchall()[0][0]
    return digest


def _previous_log(path: Path) -> list[tuple]:
    if not path.exists():
        return []
    con = duckdb.connect(str(path), read_only=True)
    try:
        exists = con.execute("select count(*) from information_schema.tables where table_schema = 'published' and table_name = 'publication_log'").fetchall()[0][0]
        if not exists:
            return []
        return con.execute("select * from published.publication_log order by published_at").fetchall()
    finally:
        con.close()


def _extracts(build: duckdb.DuckDBPyConnection) -> list[dict]:
    rows = build.execute(
        """
        select source, extract_id, max(extract_date) as extract_date, bool_or(synthetic) as synthetic,
               count(*) as files, sum(rows_staged) as rows_staged, sum(rows_quarantined) as rows_quarantined
        from dq.ingest_log where status = 'loaded'
        group by source, extract_id order by source, extract_id
        """
    ).fetchall()
    return [
        {"source": r[0], "extract_id": r[1], "extract_date": str(r[2]), "synthetic": bool(r[3]), "files": r[4], "rows_staged": int(r[5] or 0), "rows_quarantined": int(r[6] or 0)}
        for r in rows
    ]


def _check_no_personal_columns(con: duckdb.DuckDBPyConnection) -> None:
    offenders = [
        f"{schema}.{table}.{column}"
        for schema, table, column in con.execute("select table_schema, table_name, column_name from information_schema.columns").fetchall()
        if any(fragment in column.lower() for fragment in FORBIDDEN_COLUMN_FRAGMENTS)
    ]
    if offenders:
        raise PublicationError(f"Personal-data columns in the candidate publication: {', '.join(offenders)}. Nothing was published.")


def publish(settings: Settings, *, run_id: str = "", force: bool = False) -> PublicationResult:
    settings.ensure_dirs()
    target = settings.published_db_path
    build = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        new_hash = content_hash(build, "marts.outcome_measures")
        extracts = _extracts(build)
    finally:
        build.close()

    history = _previous_log(target)
    if history and not force and target.exists() and history[-1][3] == new_hash:
        last = history[-1]
        return PublicationResult(publication_id=last[0], status="unchanged", path=target, content_hash=new_hash, row_count=int(last[4]), manifest=json.loads(last[6]))

    now = datetime.now(timezone.utc).replace(microsecond=0, tzinfo=None)
    publication_id = now.strftime("%Y%m%dT%H%M%SZ") + "-" + new_hash[:8]
    candidate = target.with_name(f".candidate-{publication_id}.duckdb")
    try:
        con = duckdb.connect(str(candidate))
        try:
            con.execute(f"attach '{settings.warehouse_path}' as build (read_only)")
            for schema, tables in PUBLISHED_TABLES.items():
                con.execute(f"create schema if not exists {schema}")
                for table in tables:
                    present = con.execute(
                        "select count(*) from information_schema.tables where table_catalog = 'build' and table_schema = ? and table_name = ?", [schema, table]
                    ).fetchall()[0][0]
                    if present:
                        con.execute(f"create table {schema}.{table} as select * from build.{schema}.{table}")
            row_count = con.execute("select count(*) from marts.outcome_measures").fetchall()[0][0]
            if content_hash(con, "marts.outcome_measures") != new_hash:
                raise PublicationError("The copied outcome_measures differs from the build database's. Nothing was published.")
            con.execute("detach build")

            failures = []
            for path in suite_paths():
                outcome = run_suite(con, path, schema="marts", run_id=run_id or publication_id)
                if not outcome.success:
                    failures.append(outcome.summary())
            if failures:
                raise PublicationError("The candidate publication failed validation:\n" + "\n".join(failures))
            _check_no_personal_columns(con)

            manifest = {
                "publication_id": publication_id,
                "published_at": now.isoformat() + "Z",
                "run_id": run_id,
                "code_version": code_version(),
                "content_hash": new_hash,
                "row_count": row_count,
                "extracts": extracts,
                "synthetic": any(e["synthetic"] for e in extracts),
            }
            con.execute("create schema if not exists published")
            con.execute(
                """create table published.publication_log (
                    publication_id varchar, published_at timestamp, run_id varchar, content_hash varchar,
                    row_count bigint, synthetic boolean, manifest varchar)"""
            )
            if history:
                con.executemany("insert into published.publication_log values (?, ?, ?, ?, ?, ?, ?)", history)
            con.execute(
                "insert into published.publication_log values (?, ?, ?, ?, ?, ?, ?)",
                [publication_id, now, run_id, new_hash, row_count, manifest["synthetic"], json.dumps(manifest, sort_keys=True)],
            )
            con.execute("checkpoint")
        finally:
            con.close()
        _fsync(candidate)
        folder = settings.published_dir / publication_id
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(candidate, target)
        _fsync(target.parent)
    except BaseException:
        for leftover in (candidate, candidate.with_name(candidate.name + ".wal")):
            leftover.unlink(missing_ok=True)
        raise
    return PublicationResult(publication_id=publication_id, status="published", path=target, content_hash=new_hash, row_count=row_count, manifest=manifest)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def published_fingerprint(path: Path) -> str:
    """sha256 of the published file's bytes (tests use it to prove a file was left untouched)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
