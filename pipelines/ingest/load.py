"""Load one delivered file into the build database, conformed to its contract.

For each file:
  1. if its stat data shows it unchanged since it was last checksummed (file_stats.py) and that
     checksum was loaded for this extract, do nothing;
  2. find encoding and header row from the first block; read every row as text with DuckDB
     (rows that do not parse as CSV are captured, not lost) while, on another thread, one pass
     over the file checksums it, checks that all of it is UTF-8 and copies it into the work
     folder for the archive; the stat data taken before and after both reads shows they read
     the same bytes. If this exact file was already loaded for this extract, stop there; if it
     is not UTF-8 after all, read a UTF-8 copy instead. The work tables are temporary, or, for a
     file too big for memory, in a scratch database deleted afterwards (work_area.py);
  3. pseudonymise the distinct person identifiers (a narrow pass over the text);
  4. in one transaction, in one pass over the text, write every row into the raw table: each
     value conformed to its type and code set (failures blanked and logged), postcodes reduced
     to sectors, direct identifiers dropped, and the row's verdict: the first mandatory rule it
     fails (a required value missing, a row rule); then quarantine duplicate primary keys
     (found in the raw table, decided on the candidates' delivered keys), log the quarantined
     rows (file, Excel row, column, value and reason) and the blanked values, delete the
     quarantined rows, and check the row accounting (rows in = rows staged + rows
     quarantined), rolling back if it does not hold. The conformed rows are written once.

Raw files are never modified: the copy the scan pass took goes to the archive with its sha256.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from pipelines.contracts.model import Column, Contract, TableContract, collection_year_of
from pipelines.ingest.conform import FORMULA_LIKE, SQL_TYPES, blank_to_null, conformed_expr, landed_type, parsed_timestamp, privacy_expr, quote_ident, sql_literal
from pipelines.ingest.errors import IngestError
from pipelines.ingest.extracts import Extract
from pipelines.ingest.file_stats import DDL as FILE_STATS_DDL
from pipelines.ingest.file_stats import FileStat, known_checksum, remember, seen_at_this_size
from pipelines.ingest.files import FilePlan, FileScan, normalise_header, plan_file, scan_file, sha256_of, transcode_to_utf8
from pipelines.ingest.work_area import WorkArea, work_area
from pipelines.privacy.pseudonymise import PSEUDONYM_MEMO

LINEAGE_COLUMNS = {
    "_extract_id": "VARCHAR",
    "_extract_date": "DATE",
    "_source_file": "VARCHAR",
    "_source_row": "BIGINT",
}
WITHHELD = "[withheld: personal data]"
# Status of a superseded ingest_log row: the same extract's file was delivered again, changed.
SUPERSEDED = "superseded"
MAX_LINE_BYTES = 8 * 1024 * 1024
# A file's work tables, named `<kind>_<source>_<table>` (`pseudonyms0_...` for each identifier).
WORK_TABLES = ("landed", "rej", "scan", "shift", "dupkeys", "dups", "pseudonyms")
# Columns of every raw table that the load itself uses: each row's verdict (the first mandatory
# rule it failed; the quarantined rows are logged and deleted before the load commits, so it is
# empty in every row kept) and the values it blanked or reported (logged to dq.value_issues).
# Each is JSON text of the shape below, NULL for a clean row. As a DuckDB struct and list of
# structs they were nine nested text fields to write, NULL or not: about 1.5 s per 10 million
# census rows, an eighth of writing the rows, against nearly nothing as text (docs/benchmarks.md,
# item 47).
WORKING_COLUMNS = {"_quarantine": "VARCHAR", "_issues": "VARCHAR"}
WORKING_SHAPES = {
    "_quarantine": "STRUCT(rule VARCHAR, reason VARCHAR, column_name VARCHAR, value VARCHAR)",
    "_issues": "STRUCT(column_name VARCHAR, value VARCHAR, rule VARCHAR, reason VARCHAR, action VARCHAR)[]",
}


def working_json(name: str, sql: str) -> str:
    """SQL of a working column's JSON text from SQL of its shape (NULL stays NULL)."""
    return f"cast(to_json(cast({sql} as {WORKING_SHAPES[name]})) as varchar)"


def working_value(name: str, column_sql: str) -> str:
    """SQL reading a working column's JSON text back into its shape."""
    return f"cast(cast({column_sql} as json) as {WORKING_SHAPES[name]})"

DQ_DDL = """
create schema if not exists raw;
create schema if not exists dq;
create table if not exists dq.ingest_log (
    extract_id varchar, extract_date date, source varchar, table_name varchar, file_name varchar,
    sha256 varchar, encoding varchar, header_row integer, contract_year integer,
    rows_in bigint, rows_staged bigint, rows_quarantined bigint, values_blanked bigint,
    unknown_columns varchar[], missing_columns varchar[], synthetic boolean,
    status varchar, loaded_at timestamp, seconds double
);
create table if not exists dq.quarantine (
    extract_id varchar, extract_date date, source varchar, table_name varchar, file_name varchar,
    excel_row bigint, column_name varchar, value varchar, rule varchar, reason varchar, logged_at timestamp
);
create table if not exists dq.value_issues (
    extract_id varchar, extract_date date, source varchar, table_name varchar, file_name varchar,
    excel_row bigint, column_name varchar, value varchar, rule varchar, reason varchar, action varchar, logged_at timestamp
);
create table if not exists dq.file_issues (
    extract_id varchar, extract_date date, source varchar, table_name varchar, file_name varchar,
    issue varchar, detail varchar, logged_at timestamp
);
create table if not exists dq.archive_manifest (
    source varchar, extract_id varchar, file_name varchar, archived_path varchar, sha256 varchar, bytes bigint, archived_at timestamp
);
"""


@dataclass
class LoadResult:
    source: str
    table: str
    extract_id: str
    file_name: str
    sha256: str
    status: str  # loaded | unchanged
    rows_in: int = 0
    rows_staged: int = 0
    rows_quarantined: int = 0
    values_blanked: int = 0
    unknown_columns: list[str] = field(default_factory=list)
    missing_columns: list[str] = field(default_factory=list)
    encoding: str = ""
    header_row: int = 0
    contract_year: int = 0
    seconds: float = 0.0

    def as_metadata(self) -> dict:
        return asdict(self)


def ensure_dq_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(DQ_DDL)
    con.execute(FILE_STATS_DDL)


def raw_table_columns(table: TableContract) -> list[str]:
    """Column definitions of a raw table: the contract's landing columns, lineage, and the load's
    working columns."""
    ddl = [f"{quote_ident(c.name)} {landed_type(c)}" for c in table.columns if c.lands]
    if table.unpivot:
        ddl += [f"{quote_ident(table.unpivot['value'])} {SQL_TYPES[table.unpivot.get('type', 'integer')]}", f"{quote_ident(table.unpivot['name'])} INTEGER"]
    return ddl + [f"{k} {v}" for k, v in {**LINEAGE_COLUMNS, **WORKING_COLUMNS}.items()]


def ensure_raw_table(con: duckdb.DuckDBPyConnection, table: TableContract) -> bool:
    """Create the raw table, empty, if it does not exist yet. Returns True when created.

    A council may not deliver every table (no EHCP casework in Mosaic, say): the models then
    see an empty table, and `dq.file_issues` says the table was never delivered, rather than
    the whole build failing on a missing relation.
    """
    exists = con.execute(
        "select count(*) from information_schema.tables where table_schema = 'raw' and table_name = ?", [table.raw_table]
    ).fetchall()[0][0]
    if exists:
        return False
    con.execute("create schema if not exists raw")
    con.execute(f"create table raw.{quote_ident(table.raw_table)} ({', '.join(raw_table_columns(table))})")
    return True


def _shown_value(col: Column | None, raw_sql: str) -> str:
    """Values of personal-data columns never reach the logs, which analysts can read.

    Other values are cut to 200 characters, and a value a spreadsheet would run as a formula
    is shown behind an apostrophe (the OWASP advice for CSV injection), because the logs are
    published and exported.
    """
    if col is None or col.privacy == "none":
        cut = f"left({raw_sql}, 200)"
        return f"case when regexp_matches({cut}, {sql_literal(FORMULA_LIKE)}) then '''' || {cut} else {cut} end"
    return sql_literal(WITHHELD)


def _match_columns(plan: FilePlan, columns: tuple[Column, ...]) -> tuple[dict[str, str], list[str], list[str]]:
    """Map contract column -> delivered (normalised, de-duplicated) header name."""
    delivered = _unique_names([normalise_header(h) for h in plan.header])
    by_name: dict[str, str] = {}
    for col in columns:
        for candidate in (col.name, *col.aliases):
            key = normalise_header(candidate)
            if key in delivered and key not in by_name.values():
                by_name[col.name] = key
                break
    unknown = [h for h in delivered if h not in by_name.values()]
    missing = [c.name for c in columns if c.name not in by_name]
    return by_name, unknown, missing


def _unique_names(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, name in enumerate(names):
        name = name or f"column_{i + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        else:
            seen[name] = 0
        out.append(name)
    return out


def _loaded_copy_path(work_dir: Path, extract: Extract, table: TableContract, path: Path) -> Path:
    """Where the scan pass copies a delivered file before it is loaded. Named by what it is, not by
    process: one writer ingests at a time, and the next attempt overwrites what a crash left."""
    return work_dir / "archiving" / f"{extract.source}.{extract.extract_id}.{table.table}.{path.name}"


def _archive(loaded_copy: Path, path: Path, extract: Extract, archive_dir: Path, digest: str) -> Path:
    """Move the copy taken while the delivered file was checksummed (`loaded_copy`: the bytes
    DuckDB loaded, as the file's unchanged stat data shows) to archive/<source>/<extract>/ and
    list it in that folder's SHA256SUMS
    (`sha256sum -c SHA256SUMS` verifies the folder).

    A copy, not a hard link: a landing file overwritten in place (`cp` keeps the inode) would
    otherwise rewrite the archive too. A changed re-delivery under the same name is kept beside
    the first (`<name>.<sha256[:12]>`), so the archive never loses a version. Where the archive is
    on another filesystem than the work folder the copy is copied again, and checked.
    """
    target_dir = archive_dir / extract.source / extract.extract_id
    target_dir.mkdir(parents=True, exist_ok=True)
    target, archived_before = _archive_target(target_dir, path.name, digest)
    if not archived_before:
        os.chmod(loaded_copy, 0o444)
        try:
            os.replace(loaded_copy, target)
        except OSError:  # another filesystem: copy it, checked against the checksum
            tmp = target.with_name(target.name + ".partial")
            if scan_file(loaded_copy, copy_to=tmp).sha256 != digest:
                tmp.unlink(missing_ok=True)
                raise IngestError(path, "The archive copy does not match the file's checksum.", "Check the disk that holds the work and archive folders, then run the ingest again.") from None
            os.chmod(tmp, 0o444)
            tmp.replace(target)
    # A copy not moved here is deleted by the caller (ingest_table_file), whatever happens.
    sums = target_dir / "SHA256SUMS"
    lines = sums.read_text(encoding="utf-8").splitlines() if sums.exists() else []
    entry = f"{digest}  {target.name}"
    if entry not in lines:
        lines = [line for line in lines if not line.endswith(f"  {target.name}")] + [entry]
        sums.write_text("\n".join(sorted(lines, key=lambda line: line[66:])) + "\n", encoding="utf-8")
    return target


def _archive_target(target_dir: Path, name: str, digest: str) -> tuple[Path, bool]:
    """(where this version goes, whether it is there already), reading each archived file once:
    the delivered name, or `<name>.<sha256[:12]>` when another version holds the name."""
    versioned = target_dir / f"{name}.{digest[:12]}"
    for candidate in (target_dir / name, versioned):
        if not candidate.exists():
            return candidate, False
        if sha256_of(candidate) == digest:
            return candidate, True
    return versioned, False  # a damaged copy under this version's own name: replaced


def _land_text(con, plan: FilePlan, path: Path, read_path: Path, names: list[str], tag: str, work: WorkArea) -> None:
    """Read every row of `read_path` (the delivered file `path`, or a UTF-8 copy of it) as text
    into `landed_<tag>`; rows DuckDB cannot split into cells go to `rej_<tag>`. A file that
    cannot be read as CSV at all fails with an error naming the delivered file."""
    columns = "{" + ", ".join(f"{sql_literal(n)}: 'VARCHAR'" for n in names) + "}"
    con.execute(f"drop table if exists {work.prefix}landed_{tag}; drop table if exists rej_{tag}; drop table if exists scan_{tag}")
    try:
        con.execute(
            f"""
            create {work.kind}table {work.prefix}landed_{tag} as
            select * from read_csv({sql_literal(str(read_path))},
                header = true, skip = {plan.header_line - 1}, delim = {sql_literal(plan.delimiter)},
                quote = '"', escape = '"', auto_detect = false, columns = {columns},
                store_rejects = true, rejects_table = 'rej_{tag}', rejects_scan = 'scan_{tag}',
                max_line_size = {MAX_LINE_BYTES}, strict_mode = true, parallel = true)
            """
        )
    except duckdb.Error as exc:
        # DuckDB names the file it read, perhaps a copy in the work folder; the reader knows the
        # delivered file.
        first_line = str(exc).strip().splitlines()[0].replace(str(read_path), path.name)[:300]
        if isinstance(exc, duckdb.OutOfMemoryException):  # not the file's fault: say so
            raise IngestError(
                path, f"DuckDB ran out of memory while reading the file: {first_line}.",
                "Raise OUTCOMES_DUCKDB_MEMORY_LIMIT (or free memory on the machine), then run the ingest again.",
            ) from exc
        if "invalid state" in first_line:
            first_line = "its quotes and line breaks cannot be split into rows (a file cut short, or edited outside the export)"
        raise IngestError(path, f"DuckDB could not read the file as CSV: {first_line}.", "Open the file, check it is a complete CSV export of the right table, and deliver it again.") from exc
    unterminated = con.execute(
        f"select min(line) from rej_{tag} where error_type = 'UNQUOTED VALUE' and error_message ilike '%unterminated quote%'"
    ).fetchall()[0][0]
    if unterminated is not None:
        con.execute(f"drop table if exists {work.prefix}landed_{tag}; drop table if exists rej_{tag}; drop table if exists scan_{tag}")
        raise IngestError(
            path,
            f"Line {unterminated} opens a quoted value (\") that is never closed, so the rest of the file cannot be split into rows.",
            f"Remove or double the stray quote near line {unterminated} (or re-export with text fields quoted), and deliver the file again.",
            row=int(unterminated),
        )


def _excel_row_sql(con, plan: FilePlan, tag: str) -> str:
    """SQL giving each landed row the row number a person sees when opening the file in Excel.

    Rows DuckDB could not parse are missing from `landed`, so later rows shift; the rejected
    lines are known, so the shift is added back. (A value with an embedded line break counts as
    one row in Excel but two lines here; such files are rare and the number is then approximate.)
    """
    rejected = con.execute(f"select count(*) from rej_{tag}").fetchall()[0][0]
    if rejected == 0:
        return f"rowid + {plan.header_line + 1}"
    con.execute(
        f"""
        create or replace temp table shift_{tag} as
        select (line - {plan.header_line}) - row_number() over (order by line) as accepted_before,
               row_number() over (order by line) as rejected_so_far
        from (select distinct line from rej_{tag})
        """
    )
    return (
        f"rowid + {plan.header_line + 1} + coalesce((select max(rejected_so_far) from shift_{tag} s "
        f"where s.accepted_before <= landed_{tag}.rowid), 0)"
    )


def _verdict(rule_sql: str, reason_sql: str, column: str, value_sql: str) -> str:
    """SQL of a row's `_quarantine` verdict (WORKING_COLUMNS): the rule it failed and why, and the
    column and (shown) value that failed it."""
    return f"{{'rule': {rule_sql}, 'reason': {reason_sql}, 'column_name': {sql_literal(column)}, 'value': {value_sql}}}"


def _quarantine_duplicates(
    con, tag: str, primary_key: list[str], raw_table: str, this_extract: str, delivered_rows: str,
    conformed_rows: str, raw_names: list[str],
) -> None:
    """Quarantine every row after the first (in file order) of a primary key, in the raw table.

    A later row identical in every delivered column is an exact duplicate (a double export); one
    that differs is a conflicting duplicate key, and the reason names the row it conflicts with.
    The candidates come from a narrow group-by of the keys as they landed. A pseudonym is the same
    for identifiers that differ only in case, so that may find more rows than it should; the
    keys as delivered and conformed then decide, for the candidates alone. A row already
    quarantined by a rule keeps that reason, but still counts as its key's first row.

    Its tables are temporary whatever the file's work area: they are written inside the load's
    transaction, which may write to one attached database only, the build database. They hold
    the candidate rows only, a handful in a file without a double export.
    """
    keys = [quote_ident(k) for k in primary_key]
    con.execute(
        f"""create or replace temp table dupkeys_{tag} as
        select r._source_row from {raw_table} r
        join (select {', '.join(keys)} from {raw_table} where {this_extract}{delivered_rows} group by all having count(*) > 1) d
            on {' and '.join(f'r.{k} is not distinct from d.{k}' for k in keys)}
        where {this_extract}{delivered_rows}"""
    )
    if not con.execute(f"select count(*) from dupkeys_{tag}").fetchall()[0][0]:
        return
    window = f"partition by {', '.join(keys)} order by _excel_row"
    key_list = ", ".join(primary_key)
    con.execute(
        f"""
        create or replace temp table dups_{tag} as
        select _excel_row as _dup_row,
            case when _hash = _first_hash then 'exact_duplicate' else 'duplicate_key' end as _dup_rule,
            case when _hash = _first_hash then 'exact duplicate of row ' || _first_row
                 else {sql_literal(f'duplicate primary key: same {key_list} as row ')} || _first_row || ', different values' end as _dup_reason
        from (
            select _excel_row, row_number() over ({window}) as _n, _hash,
                first_value(_hash) over ({window}) as _first_hash,
                min(_excel_row) over (partition by {', '.join(keys)}) as _first_row
            from (
                select _excel_row, {', '.join(keys)}, {f"hash({', '.join(raw_names)})" if raw_names else '0'} as _hash
                from ({conformed_rows}) where _excel_row in (select _source_row from dupkeys_{tag})
            )
        )
        where _n > 1
        """
    )
    con.execute(
        f"""update {raw_table} set _quarantine = {working_json('_quarantine', _verdict('_dup_rule', '_dup_reason', key_list, 'cast(NULL as varchar)'))}
        from dups_{tag} where {this_extract} and _source_row = _dup_row and _quarantine is null"""
    )


def _pseudonym_lookup(con, tag: str, col: Column, joins: list[str], values: str, work: WorkArea) -> str:
    """The pseudonym of `col` for each row, through a table of its distinct values (`values`
    is SQL giving the column's conformed values).

    The keyed hash is the dearest expression in ingest (two SHA-256 and the key padding per
    value); a pupil is on 15 censuses and a child on many rows, so hashing each distinct
    identifier once and joining is several times cheaper than hashing every row. Identifiers
    an earlier file of the run brought are not hashed again: their pseudonyms come from the
    connection's memo (PSEUDONYM_MEMO, pseudonymise.py).
    """
    index = len(joins)
    plain, hashed, lookup = f"_plain{index}", f"_pseudonym{index}", f"pseudonyms{index}_{tag}"
    value, _ = privacy_expr(col, plain)
    namespace = sql_literal(col.namespace or "")
    # An identifier the memo holds is not hashed again (a CASE evaluates the hash only for the
    # rows the memo did not have); the new ones go into the memo for the files after this one.
    # Found or not is the memo's row, not its pseudonym: an id that normalises to nothing has
    # none, and must still be remembered once, or a later lookup would hold it twice.
    con.execute(
        f"create or replace {work.kind}table {work.prefix}{lookup} as "
        f"select {plain}, case when memo.plain is null then {value} else memo.pseudonym end as {hashed}, "
        f"memo.plain is null as _hashed_now "
        f"from (select distinct {quote_ident(col.name)} as {plain} from ({values}) where {quote_ident(col.name)} is not null) "
        f"left join {PSEUDONYM_MEMO} as memo on memo.namespace = {namespace} and memo.plain = {plain}"
    )
    con.execute(f"insert into {PSEUDONYM_MEMO} select {namespace}, {plain}, {hashed} from {work.prefix}{lookup} where _hashed_now")
    joins.append(f"left join {work.prefix}{lookup} on {quote_ident(col.name)} = {lookup}.{plain}")
    return f"{lookup}.{hashed}"


def ingest_table_file(
    con: duckdb.DuckDBPyConnection,
    contract: Contract,
    table: TableContract,
    extract: Extract,
    path: Path,
    *,
    archive_dir: Path,
    work_dir: Path,
    default_la_code: str | None = None,
) -> LoadResult:
    started = time.perf_counter()
    ensure_dq_schema(con)
    if not path.is_file():
        raise IngestError(path, "The file does not exist or is not a regular file.", "Check the extract folder and the file name pattern in the contract.")
    # An unchanged file is known by its stat data without reading it (file_stats.py).
    stat = FileStat.of(path)
    digest = known_checksum(con, table.source, table.table, extract.extract_id, path.name, stat)
    if digest is not None and (already := _loaded_before(con, table, extract, digest)):
        return _unchanged(table, extract, path, digest, already)

    # One pass over the delivered file gives its checksum, its UTF-8 check and the copy that is
    # archived (read three times, a 3 GB file with a cold page cache took 22 to 37 s; read once
    # and copied, 15 to 16 s: docs/benchmarks.md, item 14). It runs on a thread of its own while
    # DuckDB reads the same file as text, so the two reads overlap and the second is served
    # from the page cache (item 34). The file's stat data, compared before and after both
    # reads, shows that they read the same bytes. The copy holds personal data: it lives in the
    # work folder only until it is archived, and is deleted if the load fails.
    loaded_copy = _loaded_copy_path(work_dir, extract, table, path)
    loaded_copy.parent.mkdir(parents=True, exist_ok=True)
    stop = threading.Event()
    try:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="scan") as pool:
            scanning = pool.submit(scan_file, path, copy_to=loaded_copy, stop=stop)

            def scanned() -> FileScan:
                scan = scanning.result()
                after = FileStat.of(path)
                if (after.bytes, after.inode, after.mtime_ns, after.ctime_ns) != (stat.bytes, stat.inode, stat.mtime_ns, stat.ctime_ns):
                    raise IngestError(path, "The file changed while it was being read (its size or times moved).", "Deliver files complete (write to _incoming and rename), then run the ingest again.")
                return scan

            try:
                result = _load_file(
                    con, contract, table, extract, path, loaded_copy, scanned, scan_first=seen_at_this_size(con, table.source, table.table, extract.extract_id, path.name, stat),
                    archive_dir=archive_dir, work_dir=work_dir, default_la_code=default_la_code, started=started,
                )
            except BaseException:
                stop.set()  # the scan is not needed any more: stop it at its next block
                raise
        remember(con, table.source, table.table, extract.extract_id, path.name, stat, result.sha256)
        return result
    finally:
        loaded_copy.unlink(missing_ok=True)  # archived by now (moved), or not to be kept


def _loaded_before(con, table: TableContract, extract: Extract, digest: str) -> list[tuple]:
    return con.execute(
        "select rows_in, rows_staged, rows_quarantined, values_blanked, unknown_columns, missing_columns, encoding, header_row, contract_year "
        "from dq.ingest_log where source = ? and table_name = ? and extract_id = ? and sha256 = ? and status = 'loaded'",
        [table.source, table.table, extract.extract_id, digest],
    ).fetchall()


def _unchanged(table: TableContract, extract: Extract, path: Path, digest: str, already: list[tuple]) -> LoadResult:
    """What the load of these same bytes found; nothing is read or written again."""
    r = already[0]
    return LoadResult(
        table.source, table.table, extract.extract_id, path.name, digest, "unchanged", rows_in=r[0], rows_staged=r[1],
        rows_quarantined=r[2], values_blanked=r[3], unknown_columns=list(r[4] or []), missing_columns=list(r[5] or []),
        encoding=r[6], header_row=r[7], contract_year=r[8],
    )


def _load_file(con, contract: Contract, table: TableContract, extract: Extract, path: Path, loaded_copy: Path, scanned: Callable[[], FileScan], *, scan_first: bool, archive_dir: Path, work_dir: Path, default_la_code: str | None, started: float) -> LoadResult:
    """Plan the file from its first block, read it as text while the scan pass runs, then take the
    scan's verdict (`scanned()`: checksum, whole-file UTF-8 check, file unchanged) before
    anything is written. With `scan_first` (a file of this name and size was checksummed for
    this extract before: most likely the same bytes, touched or copied again), the verdict
    comes first, so that bytes loaded before are not read again."""
    def unchanged(scan: FileScan) -> LoadResult | None:
        """What the load of these bytes found, if they were loaded for this extract before (the
        file was touched or copied again): then nothing changes."""
        already = _loaded_before(con, table, extract, scan.sha256)
        return _unchanged(table, extract, path, scan.sha256, already) if already else None

    scan = None
    if scan_first:
        scan = scanned()
        if (result := unchanged(scan)) is not None:
            return result
    year = collection_year_of(extract.extract_date)
    columns = table.columns_for(year)
    expected = [{normalise_header(n) for n in (c.name, *c.aliases)} for c in columns]
    plan = plan_file(path, expected)  # the first block only; errors name the delivered file
    delivered_names = _unique_names([normalise_header(h) for h in plan.header])
    by_name, unknown, missing = _match_columns(plan, columns)

    wide_columns: list[str] = []
    if table.unpivot:
        pattern = re.compile(table.unpivot["columns"])
        wide_columns = [n for n in unknown if pattern.fullmatch(n)]
        unknown = [n for n in unknown if n not in wide_columns]
        if not wide_columns:
            raise IngestError(path, f"No columns match the year pattern {table.unpivot['columns']!r}.", "Deliver the file in the contract's wide layout (one population column per year).")

    la_default = extract.manifest.get("la_code") or default_la_code
    fatal = [c for c in columns if c.name in missing and c.required and not (c.default_from == "extract.la_code" and la_default)]
    if fatal:
        names = ", ".join(c.name for c in fatal)
        raise IngestError(
            path,
            f"Required column(s) missing: {names}. The header row (row {plan.header_line}) has: {', '.join(delivered_names)}.",
            f"Add the column(s) to the export, or map the council's own header names with `aliases:` in the contract {table.source}/{table.table}.yml.",
        )

    tag = re.sub(r"\W", "_", f"{table.source}_{table.table}")
    with work_area(con, work_dir, tag, path.stat().st_size) as work:
        try:
            unreadable = None
            if not plan.needs_transcoding and (scan is None or scan.valid_utf8):  # read while the scan pass runs
                try:
                    _land_text(con, plan, path, path, delivered_names, tag, work)
                except IngestError as exc:  # unless the file turns out not to be UTF-8
                    unreadable = exc
            if scan is None:
                scan = scanned()
                if (result := unchanged(scan)) is not None:
                    _drop_work_tables(con, tag)
                    return result
            if not scan.valid_utf8 or plan.needs_transcoding:
                # The first block looked like UTF-8 but a later byte is not (Windows-1252), or the
                # file is not UTF-8 at all: read a UTF-8 copy of the bytes checksummed. Transcoded
                # copies hold personal data: each lives only until it is read.
                plan = plan_file(path, expected, scan)
                read_path = transcode_to_utf8(plan, work_dir / "transcoded", source=loaded_copy, digest=scan.sha256)
                try:
                    _land_text(con, plan, path, read_path, delivered_names, tag, work)
                finally:
                    read_path.unlink(missing_ok=True)
            elif unreadable is not None:
                raise unreadable
            result = _load_landed_file(
                con, contract, table, extract, path, plan, scan.sha256, year, columns,
                delivered_names, by_name, unknown, missing, wide_columns, la_default, tag, archive_dir, started, loaded_copy, work,
            )
        except BaseException:
            with contextlib.suppress(duckdb.Error):  # the error on its way out is the one to report
                _drop_work_tables(con, tag)
            raise
        _drop_work_tables(con, tag)
        return result


def _first_wide_year(con, path: Path, pattern: str, wide_columns: list[str]) -> int:
    """The year of the first wide column, read as the unpivot reads it (DuckDB's regexp_extract).

    Each delivered row becomes one raw row per wide column; the rows of this year stand for the
    delivered rows when they are counted and logged, so no two columns may give the same year.
    """
    years = [r[0] for r in con.execute(
        f"select try_cast(regexp_extract(name, {sql_literal(pattern)}, 1) as integer) from unnest(?::varchar[]) as t(name)", [wide_columns]
    ).fetchall()]
    repeated = sorted({str(y) for y in years if years.count(y) > 1 or y is None})
    if repeated:
        raise IngestError(path, f"Two or more columns give the same year, or none: {', '.join(repeated)}.", "Deliver one column per year, named as the contract's pattern says.")
    return years[0]


def _drop_work_tables(con, tag: str) -> None:
    """Drop this file's temporary work tables (the scratch database, if used, is deleted whole)."""
    for (name,) in con.execute("select table_name from duckdb_tables() where database_name = 'temp'").fetchall():
        kind, _, rest = name.partition("_")
        if rest == tag and kind.rstrip("0123456789") in WORK_TABLES:
            con.execute(f"drop table if exists temp.{quote_ident(name)}")


def _load_landed_file(
    con, contract, table, extract, path, plan, digest, year, columns,
    delivered_names, by_name, unknown, missing, wide_columns, la_default, tag, archive_dir, started, loaded_copy, work,
) -> LoadResult:
    encoding = plan.encoding
    landed = con.execute(f"select count(*) from {work.prefix}landed_{tag}").fetchall()[0][0]
    parser_rejects = con.execute(f"select count(distinct line) from rej_{tag}").fetchall()[0][0]
    excel_row = _excel_row_sql(con, plan, tag)
    extract_date_sql = f"date {sql_literal(extract.extract_date.isoformat())}"

    # 1. Each column's text, cleaned, parsed and conformed: SQL over the landed text, written out
    # only once, into the raw table (step 4). Nested projections: a date's text is parsed once, a
    # level below, because its value refers to it several times.
    clean_parts = [f"{excel_row} as _excel_row"]
    cleaned: dict[str, str] = {}
    for col in columns:
        if col.name in by_name:
            cleaned[col.name] = blank_to_null(quote_ident(by_name[col.name]))
        elif col.default_from == "extract.la_code" and la_default:
            cleaned[col.name] = sql_literal(str(la_default))
        else:
            cleaned[col.name] = "cast(null as varchar)"
        clean_parts.append(f"{cleaned[col.name]} as {quote_ident(col.name + '__raw')}")
    for name in wide_columns:
        clean_parts.append(f"{blank_to_null(quote_ident(name))} as {quote_ident(name + '__raw')}")
    wide_type = (table.unpivot or {}).get("type", "integer")
    conformable = [(c, c.name, contract.codesets.get(c.codeset) if c.codeset else None) for c in columns]
    conformable += [(Column(name=n, type=wide_type, description=""), n, None) for n in wide_columns]
    parse_part: dict[str, str] = {}  # a date's parsed text, by column name
    conform_part: dict[str, str] = {}
    reasons: dict[str, Callable[[str], str]] = {}
    for col, name, codeset in conformable:
        raw = quote_ident(name + "__raw")
        parsed = None
        if col.type in ("date", "datetime"):
            parsed = quote_ident(name + "__parsed")
            parse_part[name] = f"{parsed_timestamp(raw)} as {parsed}"
        value_sql, reasons[name] = conformed_expr(col, raw, codeset, year, extract_date_sql, parsed)
        conform_part[name] = f"{value_sql} as {quote_ident(name)}"

    def conformed_rows(names: set[str] | None = None) -> str:
        """Every landed row with its cleaned text (`<name>__raw`) and, for the columns named (all by
        default), its conformed value. A pass that needs a few columns conforms only those."""
        chosen = [name for _, name, _ in conformable if names is None or name in names]
        parse_parts = ["*", *(parse_part[n] for n in chosen if n in parse_part)]
        conform_parts = ["*", *(conform_part[n] for n in chosen)]
        return (
            f"select {', '.join(conform_parts)} from (select {', '.join(parse_parts)} "
            f"from (select {', '.join(clean_parts)} from {work.prefix}landed_{tag}))"
        )

    raw_names = [quote_ident(c.name + "__raw") for c in columns if c.name in by_name] + [quote_ident(n + "__raw") for n in wide_columns]

    # 2. The pseudonyms of the distinct person identifiers: a narrow pass over the landed text,
    # which conforms each distinct text once.
    def distinct_values(col: Column) -> str:
        value_sql, _ = conformed_expr(col, "_text", contract.codesets.get(col.codeset) if col.codeset else None, year, extract_date_sql)
        return f"select {value_sql} as {quote_ident(col.name)} from (select distinct {cleaned[col.name]} as _text from {work.prefix}landed_{tag})"

    pseudonym_joins: list[str] = []
    pseudonyms = {
        col.name: _pseudonym_lookup(con, tag, col, pseudonym_joins, distinct_values(col), work)
        for col in columns if col.lands and col.privacy == "person_id"
    }
    all_conformed = conformed_rows()

    # 3. Each row's verdict: the first mandatory rule it fails (duplicate keys are judged after the
    # insert), and the values to blank or report, gathered into one list that is empty for nearly
    # every row.
    checks: list[tuple[str, str, str, str]] = []  # (condition_failing, column, rule, reason_sql)
    # A row with nothing in it (Excel's trailing ",,,,") is reported as such, not as a missing value.
    if raw_names:
        checks.append((f"coalesce({', '.join(raw_names)}) is null", "", "blank_row", "'the row is empty'"))
    for col in columns:
        if col.required:
            why = reasons[col.name](quote_ident(col.name))
            checks.append((f"{quote_ident(col.name)} is null", col.name, "required", f"coalesce('required value invalid: ' || {why}, 'required value missing')"))
    for rule in table.row_rules:
        if rule.action == "quarantine":
            checks.append((f"not coalesce(({rule.expr}), true)", rule.column or "", rule.name, sql_literal(rule.reason)))

    def shown(column: str) -> str:
        return _shown_value(table.column(column), quote_ident(column + "__raw")) if column else "cast(NULL as varchar)"

    verdicts = [f"when {cond} then {_verdict(sql_literal(rule), reason, column, shown(column))}" for cond, column, rule, reason in checks]
    quarantine_sql = f"case {' '.join(verdicts)} end" if verdicts else "NULL"

    blank_rules = {r.column: r for r in table.row_rules if r.action == "blank" and r.column}
    issues: list[tuple[str, str]] = []  # (condition, struct)

    def issue(column: str, value: str, rule: str, reason: str, action: str) -> str:
        return f"{{'column_name': {sql_literal(column)}, 'value': {value}, 'rule': {rule}, 'reason': {reason}, 'action': {sql_literal(action)}}}"

    contract_columns = {c.name for c in columns}
    for col, name, _ in conformable:
        if not col.lands:  # a column that never loads (names, free text) is never "blanked"
            continue
        why = reasons[name](quote_ident(name))
        value = _shown_value(col if name in contract_columns else None, quote_ident(name + "__raw"))
        issues.append((f"{why} is not null", issue(name, value, "'conformance'", why, "blanked")))
    for rule in blank_rules.values():
        value = _shown_value(table.column(rule.column), quote_ident(rule.column + "__raw"))
        issues.append((f"(not coalesce(({rule.expr}), true) and {quote_ident(rule.column)} is not null)", issue(rule.column, value, sql_literal(rule.name), sql_literal(rule.reason), "blanked")))
    for col in columns:
        if col.lands and col.privacy == "postcode":
            _, postcode_reason = privacy_expr(col, quote_ident(col.name))
            issues.append((f"({postcode_reason}) is not null", issue(col.name, sql_literal(WITHHELD), "'conformance'", postcode_reason, "blanked")))
        if col.lands and col.type == "code" and col.codeset and (retired := contract.codesets[col.codeset].retired(year)):
            is_retired = " or ".join(f"{quote_ident(col.name)} = {sql_literal(code)}" for code in retired)
            issues.append((f"({is_retired})", issue(col.name, quote_ident(col.name), "'retired_code'", sql_literal(f"code retired before collection year {year}; kept"), "reported")))
    issues_sql = (
        f"case when {' or '.join(cond for cond, _ in issues)} then "
        f"list_filter([{', '.join(f'case when {cond} then {item} end' for cond, item in issues)}], lambda x: x is not null) end"
        if issues else "NULL"
    )

    # 4. What lands: conformed, blanked where a blanking rule failed, privacy applied, and every
    # row, quarantined or not, with its verdict; the quarantined rows are logged and deleted in
    # the same transaction. Writing the conformed rows once, into the raw table, where a
    # conformed copy was written first and then copied, took a ninth off ingest at national
    # volume, a fifth off the census file (docs/benchmarks.md, item 33).
    out_cols: list[str] = []
    out_exprs: list[str] = []
    for col in columns:
        if not col.lands:
            continue
        value = pseudonyms.get(col.name, quote_ident(col.name))
        if col.name in blank_rules:
            value = f"case when coalesce(({blank_rules[col.name].expr}), true) then {value} end"
        if col.privacy != "person_id":
            value, _ = privacy_expr(col, value)
        out_cols.append(col.name)
        out_exprs.append(f"cast({value} as {landed_type(col)}) as {quote_ident(col.name)}")
    lineage = [
        f"{sql_literal(extract.extract_id)} as _extract_id",
        f"{extract_date_sql} as _extract_date",
        f"{sql_literal(path.name)} as _source_file",
        "_excel_row as _source_row",
    ]
    working = [f"{working_json('_quarantine', quarantine_sql)} as _quarantine", f"{working_json('_issues', issues_sql)} as _issues"]
    rows_select = (
        f"select {', '.join(out_exprs + [quote_ident(n) for n in wide_columns] + lineage + working)} "
        f"from ({all_conformed}) {' '.join(pseudonym_joins)}"
    )
    delivered_rows = ""  # an unpivoted row per wide column: count, log and check each delivered row once
    if table.unpivot:
        spec = table.unpivot
        on = ", ".join(quote_ident(n) for n in wide_columns)
        rows_select = (
            f"select * exclude (_wide_name), cast(regexp_extract(_wide_name, {sql_literal(spec['columns'])}, 1) as integer) as {quote_ident(spec['name'])} "
            f"from ({rows_select}) unpivot include nulls ({quote_ident(spec['value'])} for _wide_name in ({on}))"
        )
        delivered_rows = f" and {quote_ident(spec['name'])} = {_first_wide_year(con, path, spec['columns'], wide_columns)}"
    raw_table = f"raw.{quote_ident(table.raw_table)}"
    column_ddl = raw_table_columns(table)
    this_extract = f"_extract_id = {sql_literal(extract.extract_id)}"

    now = datetime.now(timezone.utc).replace(tzinfo=None)
    meta = [extract.extract_id, extract.extract_date, table.source, table.table, path.name]
    con.execute("begin transaction")
    try:
        con.execute(f"create table if not exists {raw_table} ({', '.join(column_ddl)})")
        existing = dict(con.execute(
            "select column_name, data_type from information_schema.columns where table_schema = 'raw' and table_name = ?", [table.raw_table]
        ).fetchall())
        for ddl, name in zip(column_ddl, [c.split(" ")[0].strip('"') for c in column_ddl]):
            if name not in existing:  # a column added by a newer contract year
                con.execute(f"alter table {raw_table} add column {ddl}")
            elif name in WORKING_COLUMNS and existing[name] != WORKING_COLUMNS[name]:
                # A raw table written before the working columns were JSON text (item 47).
                con.execute(f"alter table {raw_table} alter column {name} set data type {WORKING_COLUMNS[name]} using {working_json(name, name)}")
        con.execute(f"delete from {raw_table} where {this_extract}")
        con.execute(
            f"update dq.ingest_log set status = {sql_literal(SUPERSEDED)} where extract_id = ? and source = ? and table_name = ? and status = 'loaded'",
            [extract.extract_id, table.source, table.table],
        )
        for t in ("quarantine", "value_issues", "file_issues"):
            con.execute(f"delete from dq.{t} where extract_id = ? and source = ? and table_name = ?", [extract.extract_id, table.source, table.table])
        con.execute(f"insert into {raw_table} by name ({rows_select})")
        inserted = con.execute(f"select count(*) from {raw_table} where {this_extract}").fetchall()[0][0]
        if inserted != landed * max(1, len(wide_columns)):
            raise IngestError(path, f"Row accounting failed: {landed} rows read but {inserted} inserted.", "This is a bug in the ingest code; nothing was loaded. Report it with the file.")
        if table.primary_key:
            _quarantine_duplicates(con, tag, table.primary_key, raw_table, this_extract, delivered_rows, conformed_rows(set(table.primary_key)), raw_names)
        con.execute(
            f"""insert into dq.quarantine
            select ?, ?, ?, ?, ?, _source_row, _row_verdict.column_name, _row_verdict.value, _row_verdict.rule, _row_verdict.reason, ?
            from (select _source_row, {working_value('_quarantine', '_quarantine')} as _row_verdict
                  from {raw_table} where {this_extract} and _quarantine is not null{delivered_rows})""",
            meta + [now],
        )
        con.execute(
            f"""insert into dq.quarantine
            select ?, ?, ?, ?, ?, line, null, null, 'unreadable_row',
                   lower(replace(error_type, '_', ' ')) || ': ' || regexp_replace(error_message, ':.*', ''), ?
            from (select line, min(error_type) as error_type, min(error_message) as error_message from rej_{tag} group by line)""",
            meta + [now],
        )
        if issues:
            con.execute(
                f"""insert into dq.value_issues
                select ?, ?, ?, ?, ?, _source_row, _issue.column_name, _issue.value, _issue.rule, _issue.reason, _issue.action, ?
                from (select _source_row, unnest({working_value('_issues', '_issues')}) as _issue from {raw_table}
                      where {this_extract} and _quarantine is null and _issues is not null{delivered_rows})""",
                meta + [now],
            )
        con.execute(f"delete from {raw_table} where {this_extract} and _quarantine is not null")
        staged = con.execute(f"select count(*) from {raw_table} where {this_extract}{delivered_rows}").fetchall()[0][0]
        left = con.execute(f"select count(*) from {raw_table} where {this_extract}").fetchall()[0][0]
        if left != staged * max(1, len(wide_columns)):
            raise IngestError(path, f"Row accounting failed: {staged} rows staged but {left} kept.", "This is a bug in the ingest code; nothing was loaded. Report it with the file.")
        for name in unknown:
            con.execute("insert into dq.file_issues values (?, ?, ?, ?, ?, 'unknown_column', ?, ?)", meta + [f"column {name!r} is not in the contract; not loaded", now])
        for name in missing:
            con.execute("insert into dq.file_issues values (?, ?, ?, ?, ?, 'missing_optional_column', ?, ?)", meta + [f"optional column {name!r} not delivered; loaded as blank", now])
        if plan.encoding != "utf-8" or encoding != plan.encoding:
            con.execute("insert into dq.file_issues values (?, ?, ?, ?, ?, 'encoding', ?, ?)", meta + [f"file encoded as {encoding}; read as such", now])
        if plan.header_line > 1:
            con.execute("insert into dq.file_issues values (?, ?, ?, ?, ?, 'header_not_first_row', ?, ?)", meta + [f"header found on row {plan.header_line}", now])

        quarantined = con.execute(
            "select count(*) from dq.quarantine where extract_id = ? and source = ? and table_name = ?", [extract.extract_id, table.source, table.table]
        ).fetchall()[0][0]
        blanked = con.execute(
            "select count(*) from dq.value_issues where extract_id = ? and source = ? and table_name = ? and action = 'blanked'",
            [extract.extract_id, table.source, table.table],
        ).fetchall()[0][0]
        rows_in = landed + parser_rejects
        expected_staged = staged
        if rows_in != expected_staged + quarantined:
            raise IngestError(
                path,
                f"Row accounting failed: {rows_in} rows read but {expected_staged} staged + {quarantined} quarantined.",
                "This is a bug in the ingest code, not in the file; nothing was loaded. Report it with the file.",
            )
        seconds = time.perf_counter() - started
        con.execute(
            "insert into dq.ingest_log values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'loaded', ?, ?)",
            [extract.extract_id, extract.extract_date, table.source, table.table, path.name, digest, encoding, plan.header_line, year,
             rows_in, expected_staged, quarantined, blanked, unknown, missing, extract.synthetic, now, seconds],
        )
        archived = _archive(loaded_copy, path, extract, archive_dir, digest)
        con.execute("delete from dq.archive_manifest where source = ? and extract_id = ? and file_name = ? and sha256 = ?", [table.source, extract.extract_id, path.name, digest])
        con.execute("insert into dq.archive_manifest values (?, ?, ?, ?, ?, ?, ?)", [table.source, extract.extract_id, path.name, str(archived), digest, path.stat().st_size, now])
        con.execute("commit")
    except BaseException:  # an interruption too: the transaction must not stay open
        con.execute("rollback")
        raise
    return LoadResult(
        table.source, table.table, extract.extract_id, path.name, digest, "loaded",
        rows_in=rows_in, rows_staged=expected_staged, rows_quarantined=quarantined, values_blanked=blanked,
        unknown_columns=unknown, missing_columns=missing, encoding=encoding, header_row=plan.header_line,
        contract_year=year, seconds=round(time.perf_counter() - started, 3),
    )
