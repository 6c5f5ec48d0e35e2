"""A canary child planted in the synthetic extracts, and the scan that must never find it.

The generator picks one simulated child - the one known to the most sources (social care,
education, youth justice), ties to the smallest Mosaic id - and rewrites that child's
identifiers in every extract to fixed, recognisable values (CANARY_IDS, and `CANARY-<namespace>`
for any other kind of person id linked to them). The child's records are otherwise ordinary,
so the child flows through ingest and staging like any other.

The analyst-facing outputs (the published database, the exports) must never hold any of these
ids, neither raw nor as their pseudonym: `find_canary` looks for both, in every column of every
table that can hold text, bytes or a UUID, and tests fail if it finds anything. A pseudonym is
96 bits, stored as a UUID; it is looked for in each form it takes: the UUID's text, the 24 hex
digits (the text form of older warehouses, or a UUID's text without its hyphens), the 12 bytes
as a binary value, the escaped text DuckDB writes for bytes (in a CSV or JSON export, or a value
cast to text), that text inside JSON, and the bytes themselves in other files.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.contracts.model import Contract
from pipelines.ingest.conform import quote_ident as _q
from pipelines.ingest.conform import sql_literal as _lit
from pipelines.privacy.pseudonymise import HEX_PSEUDONYM, PSEUDONYM_BYTES, pseudonym

# Fixed raw ids of the canary, in the shape of the real ones so that they load (and read) like
# any other: ten-digit system ids starting 99999 (long enough that dirty-data mode does not pad
# them), a UPN of the DfE shape (a letter, 11 digits, a check character).
CANARY_IDS = {"mosaic_person": "9999900207", "upn": "C20799999999C", "nhs_number": "9999900999"}
# Namespaces through which the canary is found in the other sources.
ANCHORS = ("mosaic_person", "upn")


def canary_id(namespace: str, original: str = "") -> str:
    """The canary's id in a namespace; for kinds not listed, a digit-only id stays digit-only."""
    if namespace in CANARY_IDS:
        return CANARY_IDS[namespace]
    if original.isdigit():
        return f"99999{zlib.crc32(namespace.encode()) % 100000:05d}"
    return f"CANARY-{namespace}"


@dataclass(frozen=True)
class TableFile:
    source: str
    table: str
    path: Path
    person_columns: dict[str, str]  # column -> namespace


def _table_files(folders: dict[str, Path], contract: Contract) -> list[TableFile]:
    files = []
    for source, folder in folders.items():
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        for name, entry in sorted(manifest.get("tables", {}).items()):
            try:
                table = contract.table(source, name)
            except KeyError:
                continue
            person = {c.name: c.namespace for c in table.columns if c.privacy == "person_id" and c.namespace}
            if person:
                files.append(TableFile(source, name, folder / entry["file"], person))
    return files


def _header(_con, path: Path) -> list[str]:
    import csv

    with path.open(encoding="utf-8", newline="") as fh:
        return next(csv.reader(fh), [])


def _read(path: Path) -> str:
    """read_csv over a generated file without sniffing: fast, and every value stays text."""
    columns = "{" + ", ".join(f"{_lit(h)}: 'VARCHAR'" for h in _header(None, path)) + "}"
    return f"read_csv({_lit(str(path))}, header = true, auto_detect = false, columns = {columns}, delim = ',', quote = '\"', escape = '\"')"


def _capped_connection(memory_limit: str = "1GB", keep_order: bool = True) -> duckdb.DuckDBPyConnection:
    """For reading and rewriting the generated extracts, which run to gigabytes at national
    scale: uncapped, DuckDB takes up to 80% of the machine's memory; capped, it spills to a
    folder of its own under the system temp folder (and removes it). Row order is kept unless
    told otherwise, as rewritten files must keep theirs."""
    spill = Path(tempfile.gettempdir()) / f"canary_spill_{os.getpid()}"
    return duckdb.connect(config={"memory_limit": memory_limit, "preserve_insertion_order": keep_order, "temp_directory": str(spill)})


def _file_contains(path: Path, needles: list[bytes]) -> bool:
    """Whether any needle occurs in the file, read a block at a time (files run to gigabytes)."""
    overlap = max(len(n) for n in needles) - 1
    tail = b""
    with path.open("rb") as fh:
        while block := fh.read(1 << 24):
            window = tail + block
            if any(n in window for n in needles):
                return True
            tail = window[-overlap:] if overlap else b""
    return False


def choose_canary(folders: dict[str, Path], contract: Contract) -> dict[str, str]:
    """Original ids of the chosen child, by namespace (mosaic_person, upn and whatever links)."""
    # Its queries order their own results, so row order need not be kept; with it kept, or
    # with 1 GB, the ranking ran out of memory at scale 150 (it needed between 1 and 2 GB).
    con = _capped_connection("4GB", keep_order=False)
    try:
        files = _table_files(folders, contract)
        person = next((f for f in files if (f.source, f.table) == ("mosaic", "ssd_person")), None)
        if person is None:
            return {}
        # Candidates: children with a Mosaic id and a UPN (school age, so in the census too).
        con.execute(
            f"create table candidates as select pers_person_id as mosaic_person, pers_upn as upn "
            f"from {_read(person.path)} "
            f"where pers_person_id is not null and pers_upn is not null"
        )
        seen = []
        for f in files:
            if f.source == "mosaic":
                continue
            header = set(_header(con, f.path))
            for column, namespace in f.person_columns.items():
                if namespace in ANCHORS and column in header:
                    seen.append(
                        f"select distinct {_lit(f.source)} as source, {namespace} as mosaic_key from candidates "
                        f"where {namespace} in (select {_q(column)} from {_read(f.path)})"
                    )
        # Two equality joins rather than one on `mosaic_key in (mosaic_person, upn)`: DuckDB can
        # hash an equality, but compares every candidate with every sighting for the `in`, which
        # took the generator hours at national volume.
        ranking = (
            f"select c.mosaic_person, c.upn, count(distinct s.source) as sources from candidates c "
            f"left join (select s.source, c.mosaic_person, c.upn from ({' union all '.join(seen)}) s "
            f"inner join candidates c on s.mosaic_key = c.mosaic_person "
            f"union all select s.source, c.mosaic_person, c.upn from ({' union all '.join(seen)}) s "
            f"inner join candidates c on s.mosaic_key = c.upn) s "
            f"on s.mosaic_person = c.mosaic_person and s.upn = c.upn "
            if seen
            else "select c.mosaic_person, c.upn, 0 as sources from candidates c "
        )
        row = con.execute(
            f"select * from ({ranking} group by c.mosaic_person, c.upn) "
            "order by sources desc, length(mosaic_person), mosaic_person limit 1"
        ).fetchall()
        if not row:
            return {}
        originals = {"mosaic_person": row[0][0], "upn": row[0][1]}
        # Other kinds of person id (youth justice person, NHS number...) held beside a known one.
        for _ in range(2):
            for f in files:
                header = set(_header(con, f.path))
                known = [(c, ns) for c, ns in f.person_columns.items() if ns in originals and c in header]
                unknown = [(c, ns) for c, ns in f.person_columns.items() if ns not in originals and c in header]
                if not known or not unknown:
                    continue
                match = " or ".join(f"{_q(c)} = {_lit(originals[ns])}" for c, ns in known)
                for column, namespace in unknown:
                    found = con.execute(
                        f"select min({_q(column)}) from {_read(f.path)} where ({match}) and {_q(column)} is not null"
                    ).fetchall()[0][0]
                    if found is not None:
                        originals[namespace] = found
        return originals
    finally:
        con.close()


def plant_canary(folders: dict[str, Path], contract: Contract) -> dict[str, str]:
    """Rewrite the chosen child's ids to the canary ids in every extract. Returns namespace ->
    canary id for the namespaces planted. Files keep their layout (DuckDB reads and writes
    them as text, blanks as blanks)."""
    originals = choose_canary(folders, contract)
    if not originals:
        return {}
    con = _capped_connection()
    try:
        for f in _table_files(folders, contract):
            header = _header(con, f.path)
            swaps = {c: ns for c, ns in f.person_columns.items() if ns in originals and c in header}
            if not swaps or not _file_contains(f.path, [originals[ns].encode() for ns in swaps.values()]):
                continue  # the child is not in this file: leave it byte for byte
            select = ", ".join(
                f"case when {_q(c)} = {_lit(originals[swaps[c]])} then {_lit(canary_id(swaps[c], originals[swaps[c]]))} else {_q(c)} end as {_q(c)}" if c in swaps else _q(c)
                for c in header
            )
            tmp = f.path.with_name(f.path.name + ".canary")
            con.execute(
                f"copy (select {select} from {_read(f.path)}) "
                f"to {_lit(str(tmp))} (format csv, header true, null '')"
            )
            tmp.replace(f.path)
    finally:
        con.close()
    return {ns: canary_id(ns, original) for ns, original in originals.items()}


_NUMBER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE")


def _searched_as(data_type: str) -> str | None:
    """How a column of this type is searched: as a number, as bytes, as text, or not at all
    (booleans, dates and times). Text is any other type, however nested (lists, arrays,
    structs, maps, unions, enums, JSON, UUIDs), cast to text."""
    if data_type in _NUMBER_TYPES or data_type.startswith("DECIMAL"):
        return "number"
    if data_type in ("BOOLEAN", "DATE", "INTERVAL") or data_type.startswith("TIME"):
        return None
    return "bytes" if data_type == "BLOB" else "text"


def find_canary(con: duckdb.DuckDBPyConnection, forms: dict[str, str]) -> list[str]:
    """Where any of `forms` (label -> string: raw ids, pseudonyms as UUID text and as hex)
    appears in any column of the connected database. Returns "schema.table.column: label".

    A text column is searched for each form. A binary column is read as hex, and searched there
    for each form's own hex (a pseudonym's 12 bytes) and for the hex of the form's text (a raw
    id written as bytes). A number column is searched for the raw ids made of digits only, as
    numbers (an id stored as a number loses its leading zeros and its text form)."""
    hits = []
    columns = con.execute("select table_schema, table_name, column_name, data_type from information_schema.columns").fetchall()
    for schema, table, column, data_type in columns:
        kind = _searched_as(data_type)
        if kind is None:
            continue
        if kind == "number":
            conditions = {f"{label}, as a number": [f"{_q(column)} = {int(form)}"] for label, form in forms.items() if form.isdigit()}
        elif kind == "bytes":
            text = f"lower(hex({_q(column)}))"
            conditions = {label: [f"contains({text}, {_lit(n)})" for n in (form.lower(), form.encode().hex())] for label, form in forms.items()}
        else:
            text = f"lower(cast({_q(column)} as varchar))"
            conditions = {label: [f"contains({text}, {_lit(form.lower())})"] for label, form in forms.items()}
        if not conditions:
            continue
        counts = ", ".join(f"count(*) filter (where {' or '.join(any_of)})" for any_of in conditions.values())
        found = con.execute(f"select {counts} from {_q(schema)}.{_q(table)}").fetchall()[0]
        hits += [f"{schema}.{table}.{column}: {label}" for label, n in zip(conditions, found) if n]
    return hits


def _duckdb_text_of(value: bytes) -> str:
    """The text DuckDB writes for a BLOB (printable bytes as they are, others as \\xHH)."""
    con = duckdb.connect()
    try:
        return con.execute("select cast(?::blob as varchar)", [value]).fetchall()[0][0]
    finally:
        con.close()


def canary_forms(key: bytes, planted: dict[str, str]) -> dict[str, str]:
    """Every form in which the canary could leak: each raw id, and its pseudonym under the key."""
    forms = {}
    for namespace, raw in planted.items():
        forms[f"raw {namespace} id"] = raw
        stored = pseudonym(key, namespace, raw)
        # The UUID's text up to the end of the 96 bits (8-4-4-4- and 4 more digits): found in
        # the full text, and in text that dropped the zero bits.
        forms[f"pseudonymised {namespace} id, as a UUID"] = str(stored)[:28]
        bits = stored.bytes[:PSEUDONYM_BYTES]
        forms[f"pseudonymised {namespace} id"] = bits.hex()
        as_text = _duckdb_text_of(bits)
        forms[f"pseudonymised {namespace} id, as DuckDB writes bytes in text"] = as_text
        forms[f"pseudonymised {namespace} id, as that text in JSON"] = json.dumps(as_text)[1:-1]
    return forms


def _is_duckdb_file(path: Path) -> bool:
    """A DuckDB database, whatever its name: it keeps a UUID in a layout of its own (neither its
    text nor its bytes in order), so it is read table by table, never as bytes."""
    with path.open("rb") as fh:
        return fh.read(12)[8:] == b"DUCK"


TEXT_SUFFIXES = (".csv", ".tsv", ".txt", ".json", ".md", ".html", ".xml", ".yml", ".yaml")


def scan_outputs(published_dir: Path, forms: dict[str, str]) -> list[str]:
    """Look for the canary in everything under the published folder: DuckDB databases table by
    table, Parquet files, and text files (CSV, JSON, Markdown, HTML...) as text. Files of other
    kinds are scanned as bytes. Returns "path[: table.column]: label" for each hit."""
    hits = []
    for path in sorted(p for p in published_dir.rglob("*") if p.is_file()):
        if _is_duckdb_file(path):
            con = duckdb.connect(str(path), read_only=True)
            try:
                hits += [f"{path.name}: {hit}" for hit in find_canary(con, forms)]
            finally:
                con.close()
        elif path.suffix == ".parquet":
            con = duckdb.connect()
            try:
                con.execute(f"create view exported as select * from read_parquet({_lit(str(path))})")
                hits += [f"{path.name}: {hit}" for hit in find_canary(con, forms)]
            finally:
                con.close()
        else:
            data = path.read_bytes()
            lowered = data.lower()
            for label, needle in forms.items():
                # A file could hold a pseudonym's 12 bytes (the start of its UUID's 16) as well as their hex.
                as_bytes = bytes.fromhex(needle) if re.fullmatch(HEX_PSEUDONYM, needle) else None
                if needle.lower().encode() in lowered or (as_bytes and as_bytes in data):
                    hits.append(f"{path.name}: {label}")
    return hits
