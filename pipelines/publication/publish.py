"""Publish: a new analysts' database and the exports, validated, then swapped in atomically.

1. Build a candidate database beside the published one (same filesystem, so the final rename is
   atomic): copy the marts, the `published` tables, the reference data the suites read and the
   data-quality tables out of the build database, and prove the copy by content hash.
2. Validate the candidate with the suites of the "candidate" stage that this run's build stage
   has not already passed on the same content (a publish step run on its own validates with all
   of them), and check it holds no personal-data columns.
3. Write the exports into a staging folder from the candidate's `published` schema only, read
   them back and check them (verify_exports), then write manifest.json with their checksums.
4. Carry the publication log forward and add this publication with its manifest.
5. Commit: rename the staging folder to data/published/<publication id>/ (a new name, so nothing
   of the previous publication changes), `os.replace` the candidate over outcomes.duckdb, and
   point `latest` at the new folder (a symlink replaced atomically).

Analysts who have the old file open keep reading it (POSIX keeps the old inode alive until they
close it); new connections see the new publication; nobody ever sees a half-written file. If any
step before the commit fails, the candidate and the staging folder are deleted and the previous
publication is untouched, byte for byte. Publishing the same content again changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from pipelines.ingest.conform import quote_ident
from pipelines.publication.exports import ExportContext, sha256, verify_exports, write_tables, write_workbook
from pipelines.publication.published_tables import read_rules
from pipelines.settings import REPO_ROOT, Settings
from pipelines.validation.data_docs import index_page, refresh_index
from pipelines.validation.gx_runner import record_outcomes, run_suite, suites_for_stage

# What analysts get, by schema: every table of `marts` (unsuppressed aggregates, for council
# analysts) and of `published` (what may leave the council), the reference tables the suites
# read, and the data-quality logs.
COPIED_SCHEMAS = ("marts", "published")
REFERENCE_TABLES = ["boroughs", "priorities", "breakdown_partitions"]
DQ_TABLES = ["ingest_log", "quarantine", "value_issues", "file_issues", "validation_results"]
# Tables whose content decides whether there is anything new to publish.
HASHED_SCHEMAS = ("marts", "published")
# Column names that must never appear in the published database (fail closed).
FORBIDDEN_COLUMN_FRAGMENTS = ("person_id", "upn", "nhs_number", "forename", "surname", "date_of_birth", "postcode", "carer_key")
LATEST = "latest"


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
    exports_dir: Path | None = None
    data_docs_index: Path | None = None


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
    """A fingerprint of a table's content, independent of row order: its row count, two sums of
    DuckDB's 64-bit hash of each row's typed values (salted differently), and its columns' names
    and types. Hashing each row's text and sorting the texts gave the same answer twenty times
    slower, most of it spent turning numbers into text (docs/benchmarks.md, item 28). DuckDB does
    not promise the same hash across its versions: after an upgrade the first publication is
    made again under a new id, with the same figures."""
    described = [(r[0], r[1]) for r in con.execute(f"describe {table}").fetchall()]
    columns = ", ".join(quote_ident(name) for name, _ in described)
    rows, first, second = con.execute(f"select count(*), sum(hash({columns})), sum(hash('outcomes', {columns})) from {table}").fetchall()[0]
    # The columns' names and types too: a renamed column is a change to publish.
    return f"{rows}:{first or 0}:{second or 0}:" + hashlib.md5(repr(described).encode("utf-8")).hexdigest()


def _tables(con: duckdb.DuckDBPyConnection, schema: str, catalog: str | None = None) -> list[str]:
    catalog_filter = "table_catalog = ?" if catalog else "table_catalog = current_database()"
    params = [catalog, schema] if catalog else [schema]
    return [
        r[0]
        for r in con.execute(
            f"select table_name from information_schema.tables where {catalog_filter} and table_schema = ? and table_type = 'BASE TABLE' order by table_name",
            params,
        ).fetchall()
    ]


def publication_hash(con: duckdb.DuckDBPyConnection, catalog: str | None = None) -> str:
    """One hash over every published figure: each table of marts and published, by name."""
    prefix = f"{catalog}." if catalog else ""
    parts = [f"{schema}.{table}:{content_hash(con, f'{prefix}{schema}.{table}')}" for schema in HASHED_SCHEMAS for table in _tables(con, schema, catalog)]
    return hashlib.md5("\n".join(parts).encode("utf-8")).hexdigest()


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


def _build_validation(build: duckdb.DuckDBPyConnection, run_id: str) -> list[dict]:
    """This run's validations of the build database (the Dagster checks), per suite."""
    if not run_id:
        return []
    present = build.execute("select count(*) from information_schema.tables where table_schema = 'dq' and table_name = 'validation_results'").fetchall()[0][0]
    if not present:
        return []
    rows = build.execute(
        """
        select suite, target, count(*) as expectations,
            sum(case when not passed and severity = 'error' then 1 else 0 end) as failed,
            sum(case when not passed and severity = 'warning' then 1 else 0 end) as warnings
        from dq.validation_results where run_id = ?
        group by suite, target order by suite
        """,
        [run_id],
    ).fetchall()
    return [{"suite": r[0], "target": r[1], "expectations": int(r[2]), "failed": int(r[3]), "warnings": int(r[4])} for r in rows]


def _check_no_personal_columns(con: duckdb.DuckDBPyConnection) -> None:
    offenders = [
        f"{schema}.{table}.{column}"
        for schema, table, column in con.execute("select table_schema, table_name, column_name from information_schema.columns").fetchall()
        if any(fragment in column.lower() for fragment in FORBIDDEN_COLUMN_FRAGMENTS)
    ]
    if offenders:
        raise PublicationError(f"Personal-data columns in the candidate publication: {', '.join(offenders)}. Nothing was published.")


def _copy_tables(con: duckdb.DuckDBPyConnection, settings: Settings, expected_hash: str) -> None:
    """Copy what analysts get out of the build database, and prove the copy: its marts and
    published tables must hash to `expected_hash`, the hash of the build database taken before
    (the hash the publication is recorded under), and its reference tables must match the build
    database's."""
    con.execute(f"attach '{settings.warehouse_path}' as build (read_only)")
    try:
        wanted = [(schema, table) for schema in COPIED_SCHEMAS for table in _tables(con, schema, "build")]
        available_reference = set(_tables(con, "reference", "build"))
        wanted += [("reference", t) for t in REFERENCE_TABLES if t in available_reference]
        available_dq = set(_tables(con, "dq", "build"))
        wanted += [("dq", t) for t in DQ_TABLES if t in available_dq]
        if ("published", "outcome_measures") not in wanted:
            raise PublicationError("The build database has no published.outcome_measures (disclosure control has not run). Nothing was published.")
        for schema, table in wanted:
            con.execute(f"create schema if not exists {schema}")
            con.execute(f"create table {schema}.{table} as select * from build.{schema}.{table}")
        # The reference tables too: the suites read them, and the publish step trusts the build
        # stage's verdicts only on content proved identical (_validate_candidate).
        differ = publication_hash(con) != expected_hash or any(
            content_hash(con, f"reference.{table}") != content_hash(con, f"build.reference.{table}") for schema, table in wanted if schema == "reference"
        )
        if differ:
            raise PublicationError("The copied tables differ from the build database's. Nothing was published.")
    finally:
        con.execute("detach build")


def _validate_candidate(con: duckdb.DuckDBPyConnection, settings: Settings, run_id: str, build_validation: list[dict]) -> list[dict]:
    """Validate the candidate with the suites of the "candidate" stage, except those this run's
    build stage has already passed: the candidate's marts and published tables are proved equal
    to the build database's by content hash, and so are the reference tables the suites read
    (_copy_tables), so running such a suite again could only repeat its verdict. A publish step
    run on its own, with no build-stage results for its run, validates with every suite."""
    passed_in_build = {v["suite"]: v for v in build_validation if v["failed"] == 0 and v["expectations"] > 0}
    suites = suites_for_stage("candidate")
    outcomes = [run_suite(con, suite, stage="candidate", run_id=run_id, settings=settings) for suite in suites if suite.name not in passed_in_build]
    record_outcomes(con, outcomes)
    failures = [o.summary() for o in outcomes if not o.success]
    if failures:
        raise PublicationError("The candidate publication failed validation; the previous publication is untouched:\n" + "\n".join(failures))
    validated = [
        {"suite": o.suite, "target": o.target, "expectations": len(o.outcomes), "failed": len(o.errors), "warnings": len(o.warnings), "rows": o.row_count, "validated_on": "candidate"}
        for o in outcomes
    ]
    reused = [{**passed_in_build[s.name], "validated_on": "build database, identical content"} for s in suites if s.name in passed_in_build]
    return validated + reused


def _write_exports(con: duckdb.DuckDBPyConnection, folder: Path, context: ExportContext, settings: Settings) -> dict:
    files = [*write_tables(con, folder), write_workbook(con, folder, context)]
    marts = con.execute("select * from marts.outcome_measures").df()
    verify_exports(con, folder, marts, read_rules(con))
    return {path.name: {"sha256": sha256(path), "bytes": path.stat().st_size} for path in files}


def _point_latest(settings: Settings, publication_id: str) -> None:
    """`latest` -> <publication id>, replaced in one rename."""
    link = settings.published_dir / LATEST
    temporary = settings.published_dir / f".{LATEST}-{publication_id}"
    temporary.unlink(missing_ok=True)
    os.symlink(publication_id, temporary, target_is_directory=True)
    os.replace(temporary, link)


def publish(settings: Settings, *, run_id: str = "", force: bool = False) -> PublicationResult:
    """Publish if anything changed (or `force`); the Data Docs index is refreshed either way, so
    it lists this run's validations, passed or failed."""
    try:
        return _publish(settings, run_id=run_id, force=force)
    finally:
        try:
            refresh_index(settings)
        except Exception as exc:  # the Data Docs are a report, not the gate: never mask the outcome
            logging.getLogger(__name__).warning("Could not refresh the Data Docs index: %s", exc)


def _publish(settings: Settings, *, run_id: str, force: bool) -> PublicationResult:
    settings.ensure_dirs()
    target = settings.published_db_path
    build = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        new_hash = publication_hash(build)
        extracts = _extracts(build)
        build_validation = _build_validation(build, run_id)
    finally:
        build.close()

    history = _previous_log(target)
    if history and not force and target.exists() and history[-1][3] == new_hash:
        last = history[-1]
        manifest = json.loads(last[6])
        folder = settings.published_dir / last[0]
        return PublicationResult(
            publication_id=last[0], status="unchanged", path=target, content_hash=new_hash, row_count=int(last[4]), manifest=manifest,
            exports_dir=folder if folder.exists() else None, data_docs_index=index_page(settings),
        )

    now = datetime.now(timezone.utc).replace(microsecond=0, tzinfo=None)
    publication_id = now.strftime("%Y%m%dT%H%M%SZ") + "-" + new_hash[:8]
    candidate = target.with_name(f".candidate-{publication_id}.duckdb")
    staging = settings.published_dir / f".staging-{publication_id}"
    folder = settings.published_dir / publication_id
    committed = False
    try:
        staging.mkdir(parents=True)
        con = duckdb.connect(str(candidate))
        con.execute("set enable_progress_bar = false")
        try:
            _copy_tables(con, settings, new_hash)
            row_count = con.execute("select count(*) from published.outcome_measures").fetchall()[0][0]
            candidate_validation = _validate_candidate(con, settings, run_id or publication_id, build_validation)
            _check_no_personal_columns(con)

            rules = read_rules(con)
            synthetic = any(e["synthetic"] for e in extracts)
            context = ExportContext(
                publication_id=publication_id,
                published_at=now.isoformat() + "Z",
                synthetic=synthetic,
                code_version=code_version(),
                extract_dates={e["source"]: e["extract_date"] for e in extracts},
                threshold=rules.threshold,
                min_denominator=rules.min_denominator,
            )
            files = _write_exports(con, staging, context, settings)
            suppressed = dict(con.execute("select suppression_reason, count(*) from published.outcome_measures where suppression_reason is not null group by 1 order by 1").fetchall())
            manifest = {
                "publication_id": publication_id,
                "published_at": context.published_at,
                "run_id": run_id,
                "code_version": context.code_version,
                "content_hash": new_hash,
                "row_count": row_count,
                "extracts": extracts,
                "synthetic": synthetic,
                "files": files,
                "suppression": {"threshold": rules.threshold, "min_denominator": rules.min_denominator, "suppressed_rows": suppressed},
                "validation": {"build": build_validation, "candidate": candidate_validation},
                "data_docs": os.path.relpath(index_page(settings), folder),
            }
            (staging / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")

            con.execute(
                """create table published.publication_log (
                    publication_id varchar, published_at timestamp, run_id varchar, content_hash varchar,
                    row_count bigint, synthetic boolean, manifest varchar)"""
            )
            if history:
                con.executemany("insert into published.publication_log values (?, ?, ?, ?, ?, ?, ?)", history)
            con.execute(
                "insert into published.publication_log values (?, ?, ?, ?, ?, ?, ?)",
                [publication_id, now, run_id, new_hash, row_count, synthetic, json.dumps(manifest, sort_keys=True)],
            )
            con.execute("checkpoint")
        finally:
            con.close()
        for path in [candidate, *staging.iterdir()]:
            _fsync(path)
        os.rename(staging, folder)
        _fsync(settings.published_dir)
        os.replace(candidate, target)
        committed = True
        _fsync(settings.published_dir)
        _point_latest(settings, publication_id)
        _fsync(settings.published_dir)
    except BaseException:
        if not committed:
            for leftover in (candidate, candidate.with_name(candidate.name + ".wal")):
                leftover.unlink(missing_ok=True)
            for directory in (staging, folder):
                if directory.exists():
                    shutil.rmtree(directory)
        raise
    return PublicationResult(
        publication_id=publication_id, status="published", path=target, content_hash=new_hash, row_count=row_count,
        manifest=manifest, exports_dir=folder, data_docs_index=index_page(settings),
    )


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
