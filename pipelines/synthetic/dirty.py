"""Dirty-data mode: rewrite clean synthetic extracts with the mess real extracts have.

    python -m pipelines generate --dirty

Driven by the extract contract, so it works for every table, including ones added later: what
is injected into a table depends only on its columns' types, keys, privacy classes and code
sets. Deterministic: the random stream of each table is seeded by (seed, source, table).

What a table can get (each kind only where the contract gives it something to work on):

  file level       a title row and blank rows above the header; UTF-8 with BOM or Windows-1252
                   instead of UTF-8 (non-ASCII names then travel in that encoding)
  kept as is       numbers with thousands separators, dates as text in several formats, code
                   labels instead of codes, ids with leading zeros (all digit-only ids of the
                   extract padded to ten digits, consistently, so links still hold)
  blanked/logged   codes from a newer spec year, future dates in optional columns, formula-
                   injection and SQL-looking values
  reported         codes retired in an older spec year (kept: history keeps its codes)
  quarantined      exact duplicate rows, duplicate keys with other values, ragged rows, blank
                   rows, future dates in required columns
  semantic         episodes that overlap or never close (loaded: the models must cope)

What was injected is recorded in the extract manifest under "dirty": per table the encoding,
the header row, and per kind the count, the expected outcome at ingest and the Excel rows, so
a test can reconcile the mess against what ingest reported.
"""

from __future__ import annotations

import csv
import io
import json
import zlib
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np

from pipelines.contracts.model import Column, Contract, TableContract, collection_year_of
from pipelines.privacy.canary import CANARY_IDS
from pipelines.synthetic.writer import sha256_file

PER_KIND = 3  # rows per kind per table: enough to see, few enough to leave the figures alone
ID_WIDTH = 10
FORMULA = '=HYPERLINK("http://example.invalid/x","click me")'
SQL_LIKE = "'; DROP TABLE raw.mosaic__ssd_person; --"
NAMES_CP1252 = ("Zoë", "Siân", "José", "Chloé", "Renée", "Dónal")
NAMES_UNICODE = ("Łukasz", "Nguyễn", "Şükrü", "Zoë", "Dắt")
DATE_STYLES = ("%d/%m/%Y", "%d-%b-%Y", "%d.%m.%Y", "%Y%m%d", "%d/%m/%Y %H:%M", "serial")
NAME_HINTS = ("forename", "surname", "first_name", "last_name", "name")


def _rng(seed: int, source: str, table: str) -> np.random.Generator:
    return np.random.default_rng([seed, 0xD1, zlib.crc32(f"{source}/{table}".encode())])


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _csv_header(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as fh:
        return next(csv.reader(fh))


def _scan(path: Path, header: list[str]) -> str:
    """read_csv over a generated file without sniffing (fast, and every value stays text)."""
    columns = "{" + ", ".join(f"{_lit(h)}: 'VARCHAR'" for h in header) + "}"
    return f"read_csv({_lit(str(path))}, header = true, auto_detect = false, columns = {columns}, delim = ',', quote = '\"', escape = '\"')"


def pad_ids(path: Path, table: TableContract) -> int:
    """Zero-pad the digit-only surrogate ids (`*_id`) of a file, set-based in DuckDB. Returns the
    number of values padded. Mosaic and case systems export ids zero-padded; URNs, codes and LA
    numbers are left alone, as they join to registers and seeds."""
    header = _csv_header(path)
    targets = [c.name for c in table.columns if c.type == "id" and not c.pattern and c.name.endswith("_id") and c.name in header]
    if not targets:
        return 0
    con = duckdb.connect()
    try:
        q = lambda n: '"' + n.replace('"', '""') + '"'  # noqa: E731
        needs = lambda n: f"(regexp_full_match({q(n)}, '[0-9]+') and length({q(n)}) < {ID_WIDTH})"  # noqa: E731
        select = ", ".join(f"case when {needs(h)} then lpad({q(h)}, {ID_WIDTH}, '0') else {q(h)} end as {q(h)}" if h in targets else q(h) for h in header)
        padded = con.execute(f"select {' + '.join(f'count(*) filter (where {needs(n)})' for n in targets)} from {_scan(path, header)}").fetchall()[0][0]
        tmp = path.with_name(path.name + ".padded")
        con.execute(f"copy (select {select} from {_scan(path, header)}) to {_lit(str(tmp))} (format csv, header true, null '')")
        tmp.replace(path)
    finally:
        con.close()
    return int(padded or 0)


def referenced_values(path: Path, table: TableContract) -> set[str]:
    """Every value of the file's id columns: what rows of other tables may point at."""
    header = _csv_header(path)
    ids = [c.name for c in table.columns if c.type == "id" and c.name in header]
    if not ids:
        return set()
    con = duckdb.connect()
    try:
        union = " union ".join(f'select "{n}" as v from {_scan(path, header)}' for n in ids)
        return {r[0] for r in con.execute(f"select distinct v from ({union}) where v is not null").fetchall()}
    finally:
        con.close()


def _format_date(iso: str, style: str) -> str:
    day = date.fromisoformat(iso[:10])
    if style == "serial":
        return str((day - date(1899, 12, 30)).days)
    return day.strftime(style)


class _TableMess:
    """The mess of one table: mutations of a few rows, rows added, then the file.

    Rows stay lines of text; only the few rows drawn are parsed, so a table of a million rows
    costs what reading it costs."""

    MAX_DRAWS = 20_000  # rows looked at per request before giving up (a kind a table lacks)

    def __init__(self, table: TableContract, header: list[str], lines: list[str], rng, extract_date: date, contract: Contract, tables_holding: Counter):
        self.table, self.header, self.lines, self.rng = table, header, lines, rng
        self.extract_date, self.contract = extract_date, contract
        self.year = collection_year_of(extract_date)
        self.col = {name: i for i, name in enumerate(header)}
        self.parsed: dict[int, list[str]] = {}
        self.changed: set[int] = set()
        self.tags: dict[int, tuple[str, str]] = {}  # row index -> (kind, expected outcome)
        self.counts: dict[str, dict] = {}
        self.order = rng.permutation(len(lines)) if lines else np.array([], dtype=int)
        self.used: set[int] = set()
        self.canary = set(CANARY_IDS.values()) | {"CANARY"}
        # How many tables hold each id value: a row whose key another table also holds (points
        # at) is never destroyed (ragged, quarantined), so the mess orphans no rows elsewhere.
        self.tables_holding = tables_holding
        self.date_cols = [self.col[c.name] for c in table.columns if c.type in ("date", "datetime") and c.name in self.col]
        last_march = date(extract_date.year if extract_date.month > 3 else extract_date.year - 1, 3, 31)
        self.year_end = last_march.isoformat()
        key = table.primary_key[0] if len(table.primary_key) == 1 else None
        self.key_col = self.col.get(key) if key else None
        # Rows added: (row, (kind, expectation), index of the row it copies or None).
        self.added: list[tuple[list[str], tuple[str, str], int | None]] = []

    def row(self, i: int) -> list[str]:
        if i not in self.parsed:
            self.parsed[i] = next(csv.reader([self.lines[i]]))
        return self.parsed[i]

    def set(self, i: int, j: int, value: str) -> None:
        self.row(i)[j] = value
        self.changed.add(i)

    def after_last_year_end(self, r: list[str]) -> bool:
        dated = [r[j] for j in self.date_cols if r[j]]
        return bool(dated) and all(v[:10] > self.year_end for v in dated)

    def destroyable(self, r: list[str]) -> bool:
        return self.key_col is None or self.tables_holding[r[self.key_col]] <= 1

    def columns(self, predicate) -> list[Column]:
        return [c for c in self.table.columns if c.name in self.col and predicate(c)]

    def take(self, n: int = PER_KIND, where=None, destroys: bool = False, alters: bool = False) -> list[int]:
        """Up to n rows not used before, drawn in the table's random order, meeting `where`.

        `destroys`: the row will be lost (ragged, quarantined); `alters`: a value that means
        something will change (blanked, closed no more, overlapped). Such mess goes only to
        rows dated after the last 31 March before the extract, so the published years' figures
        (and the checks that pin them to each other) are the clean data's; a lost row must also
        have a key no other table holds, so nothing is orphaned."""
        picked, draws = [], 0
        for i in self.order:
            if len(picked) == n or draws >= self.MAX_DRAWS:
                break
            i = int(i)
            if i in self.used:
                continue
            draws += 1
            r = self.row(i)
            if len(r) != len(self.header) or self.canary.intersection(r) or any(v.startswith(("99999", "CANARY-")) for v in r):
                continue
            if destroys and not self.destroyable(r):
                continue
            if (destroys or alters) and not self.after_last_year_end(r):
                continue
            if where is None or where(r):
                picked.append(i)
                self.used.add(i)
        return picked

    def count(self, kind: str, expect: str, n: int) -> None:
        if n:
            entry = self.counts.setdefault(kind, {"count": 0, "outcomes": {}})
            entry["count"] += n
            entry["outcomes"][expect] = entry["outcomes"].get(expect, 0) + n

    def tag(self, i: int, kind: str, expect: str) -> None:
        self.tags[i] = (kind, expect)
        self.changed.add(i)
        self.count(kind, expect, 1)

    # -- values that ingest must read correctly ------------------------------------------------
    def thousands(self) -> None:
        for c in self.columns(lambda c: c.type in ("integer", "decimal")):
            j = self.col[c.name]
            for i in self.take(where=lambda r: r[j].lstrip("-").isdigit() and abs(int(r[j])) >= 1000):
                self.set(i, j, f"{int(self.row(i)[j]):,}")
                self.tag(i, "thousands_separator", "staged")

    def date_text(self) -> None:
        for c in self.columns(lambda c: c.type == "date"):
            j = self.col[c.name]
            for k, i in enumerate(self.take(where=lambda r: len(r[j]) >= 10 and r[j][4] == "-")):
                self.set(i, j, _format_date(self.row(i)[j], DATE_STYLES[(k + self.rng.integers(0, 6)) % len(DATE_STYLES)]))
                self.tag(i, "date_as_text", "staged")

    def code_labels(self) -> None:
        for c in self.columns(lambda c: c.type == "code" and c.codeset):
            j = self.col[c.name]
            codeset = self.contract.codesets[c.codeset]
            labels = {code.code: code.label for code in codeset.codes}
            for i in self.take(1, where=lambda r: r[j] in labels):
                self.set(i, j, labels[self.row(i)[j]].upper())
                self.tag(i, "code_label_for_code", "staged")

    # -- values that ingest must blank, report or quarantine -------------------------------------
    def spec_year_codes(self) -> None:
        for c in self.columns(lambda c: c.type == "code" and c.codeset):
            j = self.col[c.name]
            codeset = self.contract.codesets[c.codeset]
            newer = [code.code for code in codeset.codes if code.since is not None and code.since > self.year]
            retired = [code.code for code in codeset.codes if code.until is not None and code.until < self.year]
            outcome = "quarantined:required" if c.required else f"blanked:{c.name}"
            for i in self.take(1, where=lambda r: r[j] != "", destroys=c.required, alters=True) if newer else []:
                self.set(i, j, newer[0])
                self.tag(i, "code_from_newer_spec_year", outcome)
            for i in self.take(1, where=lambda r: r[j] != "") if retired else []:
                self.set(i, j, retired[0])
                self.tag(i, "code_from_older_spec_year", f"reported:{c.name}")

    def future_dates(self) -> None:
        future = (self.extract_date + timedelta(days=400)).isoformat()
        for c in self.columns(lambda c: c.type in ("date", "datetime") and c.not_future):
            j = self.col[c.name]
            # A rule over the row (end after start...) may judge a moved date first; choose
            # rows whose other dates stay consistent: only optional end-like dates get a value.
            outcome = "quarantined:required" if c.required else f"blanked:{c.name}"
            for i in self.take(1, where=lambda r: r[j] != "", destroys=c.required, alters=True):
                self.set(i, j, future)
                self.tag(i, "future_date", outcome)

    def hostile_text(self) -> None:
        # Formula and SQL-looking values where the contract gives a place that conforms them:
        # an optional, non-key, non-personal id (blanked) or an optional code (blanked).
        keys = set(self.table.primary_key)
        ids = self.columns(lambda c: c.type == "id" and not c.required and c.name not in keys and c.privacy == "none" and not c.pattern)
        codes = self.columns(lambda c: c.type == "code" and not c.required)
        for kind, value, targets in (("formula_injection", FORMULA, ids), ("sql_like_text", SQL_LIKE, codes)):
            if targets:
                c = targets[0]
                j = self.col[c.name]
                for i in self.take(1, alters=True):
                    self.set(i, j, value)
                    self.tag(i, kind, f"blanked:{c.name}")
        # In names (never loaded), anywhere: they must simply never arrive.
        for c in self.columns(lambda c: c.privacy == "direct"):
            j = self.col[c.name]
            for i in self.take(1):
                self.set(i, j, FORMULA)
                self.tag(i, "formula_in_unloaded_column", "staged")

    def names(self, unicode_ok: bool) -> None:
        pool = NAMES_UNICODE if unicode_ok else NAMES_CP1252
        for c in self.columns(lambda c: c.privacy == "direct" and any(h in c.name for h in NAME_HINTS)):
            j = self.col[c.name]
            for k, i in enumerate(self.take(PER_KIND)):
                self.set(i, j, pool[k % len(pool)])
                self.tag(i, "non_ascii_name", "staged")

    def episodes(self) -> None:
        """Episodes that never close, or overlap the next: tables with a person, a required
        start date and an optional end date. Loaded as delivered: cleaning them is the models'
        job, and the counts let the note say what the marts had to cope with."""
        person = self.columns(lambda c: c.privacy == "person_id")
        starts = self.columns(lambda c: c.type == "date" and c.required and "start" in c.name)
        ends = self.columns(lambda c: c.type == "date" and not c.required and any(w in c.name for w in ("end", "ceased", "close")))
        if not (person and starts and ends) or len(self.table.primary_key) != 1:
            return
        s, e = self.col[starts[0].name], self.col[ends[0].name]
        reasons = [self.col[c.name] for c in self.columns(lambda c: "reason" in c.name and any(w in c.name for w in ("end", "ceased", "close")))]
        for i in self.take(1, where=lambda r: r[e] != "", alters=True):
            self.set(i, e, "")
            for j in reasons:
                self.set(i, j, "")
            self.tag(i, "episode_never_closed", "staged")
        key = self.col[self.table.primary_key[0]]
        for i in self.take(1, where=lambda r: r[e] != "" and r[s] != "" and r[e] > r[s], alters=True):
            copy = list(self.row(i))
            copy[key] = f"{copy[key]}9" if copy[key] else "9"
            start = date.fromisoformat(self.row(i)[s][:10])
            end = date.fromisoformat(self.row(i)[e][:10])
            copy[s] = (start + (end - start) / 2).isoformat()
            self.added.append((copy, ("overlapping_episode", "staged"), None))
            self.count("overlapping_episode", "staged", 1)

    # -- rows that ingest must quarantine -------------------------------------------------------
    def bad_rows(self) -> None:
        if self.table.primary_key:
            for i in self.take():
                self.added.append((list(self.row(i)), ("exact_duplicate", "quarantined:exact_duplicate"), i))
                self.count("exact_duplicate", "quarantined:exact_duplicate", 1)
            # Same key, other values: change a name (no rule looks at names) or else blank an
            # optional column that no row rule mentions.
            keys = set(self.table.primary_key)
            rules = " ".join(r.expr for r in self.table.row_rules)
            names = [c for c in self.columns(lambda c: c.privacy == "direct")]
            optional = [c for c in self.columns(lambda c: c.name not in keys and not c.required and c.privacy != "person_id" and c.name not in rules)]
            for c in (names or optional)[:1]:
                j = self.col[c.name]
                for i in self.take(where=lambda r: r[j] != ""):
                    copy = list(self.row(i))
                    copy[j] = copy[j] + "e" if c.privacy == "direct" else ""
                    self.added.append((copy, ("duplicate_key", "quarantined:duplicate_key"), i))
                    self.count("duplicate_key", "quarantined:duplicate_key", 1)
        for i in self.take(2, destroys=True):
            self.row(i).append("stray cell")
            self.tag(i, "ragged_row", "quarantined:unreadable_row")
        for _ in range(2):
            self.added.append(([""] * len(self.header), ("blank_row", "quarantined:blank_row"), None))
            self.count("blank_row", "quarantined:blank_row", 1)

    def final_lines(self, writer_line) -> list[tuple[str, tuple[str, str] | None]]:
        """Lines in file order with their tags. Added rows are spread through the file
        deterministically; a copy always comes after its original, because ingest keeps the
        first row of a key."""
        n = len(self.lines)
        slots: dict[int, list] = {}
        for row, tag, origin in self.added:
            after = 0 if origin is None else origin + 1
            slots.setdefault(int(self.rng.integers(after, n + 1)), []).append((writer_line(row), tag))
        out = []
        for i in range(n + 1):
            out += slots.get(i, [])
            if i < n:
                line = writer_line(self.parsed[i]) if i in self.changed else self.lines[i]
                out.append((line, self.tags.get(i)))
        return out


def _encode(text: str, encoding: str) -> tuple[bytes, str]:
    try:
        return text.encode(encoding), encoding
    except UnicodeEncodeError:
        return text.encode("utf-8-sig"), "utf-8-sig"  # a value Windows-1252 cannot hold


def _line_writer():
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="")

    def line(row: list[str]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(row)
        return buffer.getvalue()

    return line


def mess_up_table(path: Path, table: TableContract, contract: Contract, seed: int, extract_date: date, index: int, tables_holding: Counter, padded: int = 0) -> dict:
    """Rewrite one clean CSV (ids already padded) with mess; returns what was injected."""
    rng = _rng(seed, table.source, table.table)
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()  # generated files hold no line breaks inside values
    header = next(csv.reader([lines[0]]))
    mess = _TableMess(table, header, lines[1:], rng, extract_date, contract, tables_holding)
    # One file in four of each kind, by position, so every extract has all of them.
    # A person table with names comes in Windows-1252 (the classic "Zoë" case).
    has_names = any(c.privacy == "direct" and any(h in c.name for h in NAME_HINTS) for c in table.columns)
    encoding = "cp1252" if has_names else ("utf-8", "utf-8-sig", "cp1252", "utf-8")[index % 4]
    leading = index % 3 == 1
    if mess.lines:
        mess.bad_rows()
        mess.future_dates()
        mess.spec_year_codes()
        mess.hostile_text()
        mess.names(unicode_ok=encoding != "cp1252")
        mess.thousands()
        mess.date_text()
        mess.code_labels()
        mess.episodes()
    if padded:
        mess.count("leading_zero_ids", "staged", padded)

    out = []
    lead_lines = 0
    if leading:
        out += [f"Report: {table.table} (synthetic extract {extract_date:%d/%m/%Y})", "," * (len(header) - 1)]
        lead_lines = 2
    out.append(lines[0])
    expected: dict[str, list[list]] = {}
    for n, (line, tag) in enumerate(mess.final_lines(_line_writer())):
        out.append(line)
        if tag is not None:
            expected.setdefault(tag[0], []).append([lead_lines + 2 + n, tag[1]])
    text = "\r\n".join(out) + "\r\n"
    # Plain ASCII is the same bytes in every one of these encodings: say what a reader sees.
    data, encoding = _encode(text, "utf-8" if encoding == "cp1252" and text.isascii() else encoding)
    tmp = path.with_name(path.name + ".dirty")
    tmp.write_bytes(data)
    tmp.replace(path)
    for kind, entry in mess.counts.items():
        if kind in expected:
            entry["rows"] = sorted(expected[kind])  # [Excel row, expected outcome at ingest]
    return {"encoding": encoding, "header_row": lead_lines + 1, "injected": mess.counts}


def mess_up(folders: dict[str, Path], contract: Contract, seed: int) -> dict[str, dict]:
    """Apply dirty-data mode to every extract folder; record it in each manifest."""
    files: dict[tuple[str, str], tuple[TableContract, Path]] = {}
    manifests = {}
    for source, folder in folders.items():
        manifests[source] = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        for name, entry in sorted(manifests[source].get("tables", {}).items()):
            try:
                files[(source, name)] = (contract.table(source, name), folder / entry["file"])
            except KeyError:
                continue
    padded = {key: pad_ids(path, table) for key, (table, path) in files.items()}
    # Ids any table holds: a row is destroyed (made ragged, quarantined) only when no other
    # table, in any source, points at its key.
    tables_holding: Counter = Counter()
    for table, path in files.values():
        tables_holding.update(referenced_values(path, table))
    report: dict[str, dict] = {}
    for source, folder in folders.items():
        manifest = manifests[source]
        extract_date = date.fromisoformat(manifest["extract_date"])
        tables = {}
        mine = [key for key in files if key[0] == source]
        for index, key in enumerate(mine):
            table, path = files[key]
            tables[key[1]] = mess_up_table(path, table, contract, seed, extract_date, index + zlib.crc32(source.encode()), tables_holding, padded[key])
        manifest["dirty"] = {"note": "Mess injected on purpose (dirty-data mode); see pipelines/synthetic/dirty.py.", "tables": tables}
        write_manifest(folder, manifest)
        report[source] = tables
    return report


def write_manifest(folder: Path, manifest: dict) -> None:
    """Refresh the checksums of the files after they were rewritten, then save the manifest."""
    for entry in manifest.get("tables", {}).values():
        entry["sha256"] = sha256_file(folder / entry["file"])
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def finish_extracts(folders: dict[str, Path], contract: Contract, seed: int, dirty: bool) -> None:
    """After the clean extracts are written: plant the canary child (always), then apply
    dirty-data mode when asked. Called by generate()."""
    from pipelines.privacy.canary import plant_canary

    planted = plant_canary(folders, contract)
    for folder in folders.values():
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        manifest["canary"] = {"note": "A planted child whose ids must never reach a published output (tests/test_dirty_end_to_end.py).", "ids": planted}
        write_manifest(folder, manifest)
    if dirty:
        mess_up(folders, contract, seed)
