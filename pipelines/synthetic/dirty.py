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


def _read(path: Path) -> tuple[list[str], list[list[str]]]:
    con = duckdb.connect()
    try:
        rel = con.execute(f"select * from read_csv('{path}', all_varchar = true, header = true, auto_detect = true)")
        header = [d[0] for d in rel.description]
        rows = [[("" if v is None else v) for v in r] for r in rel.fetchall()]
    finally:
        con.close()
    return header, rows


def _pad(value: str) -> str:
    return value.zfill(ID_WIDTH) if value.isdigit() and len(value) < ID_WIDTH else value


def _format_date(iso: str, style: str) -> str:
    day = date.fromisoformat(iso[:10])
    if style == "serial":
        return str((day - date(1899, 12, 30)).days)
    return day.strftime(style)


class _TableMess:
    """The mess of one table: mutations of its rows, then rows added, then the file."""

    def __init__(self, table: TableContract, header: list[str], rows: list[list[str]], rng, extract_date: date, contract: Contract):
        self.table, self.header, self.rows, self.rng = table, header, rows, rng
        self.extract_date, self.contract = extract_date, contract
        self.year = collection_year_of(extract_date)
        self.col = {name: i for i, name in enumerate(header)}
        self.tags: list[tuple[str, str] | None] = [None] * len(rows)  # (kind, expectation) per row
        self.counts: dict[str, dict] = {}
        canary = set(CANARY_IDS.values())
        # Rows free for a row-level mutation: not the canary's, each used once.
        free = [i for i, r in enumerate(rows) if not canary.intersection(r)]
        self.free = list(rng.permutation(free)) if free else []
        # Rows added: (row, (kind, expectation), index of the row it copies or None).
        self.added: list[tuple[list[str], tuple[str, str], int | None]] = []

    def columns(self, predicate) -> list[Column]:
        return [c for c in self.table.columns if c.name in self.col and predicate(c)]

    def take(self, n: int = PER_KIND, where=None) -> list[int]:
        picked = []
        for i in list(self.free):
            if len(picked) == n:
                break
            if where is None or where(self.rows[i]):
                picked.append(i)
                self.free.remove(i)
        return picked

    def count(self, kind: str, expect: str, n: int) -> None:
        if n:
            entry = self.counts.setdefault(kind, {"count": 0, "outcomes": {}})
            entry["count"] += n
            entry["outcomes"][expect] = entry["outcomes"].get(expect, 0) + n

    def tag(self, i: int, kind: str, expect: str) -> None:
        self.tags[i] = (kind, expect)
        self.count(kind, expect, 1)

    # -- values that ingest must read correctly ------------------------------------------------
    def thousands(self) -> None:
        for c in self.columns(lambda c: c.type in ("integer", "decimal")):
            j = self.col[c.name]
            for i in self.take(where=lambda r: r[j].lstrip("-").isdigit() and abs(int(r[j])) >= 1000):
                self.rows[i][j] = f"{int(self.rows[i][j]):,}"
                self.tag(i, "thousands_separator", "staged")

    def date_text(self) -> None:
        for c in self.columns(lambda c: c.type == "date"):
            j = self.col[c.name]
            for k, i in enumerate(self.take(where=lambda r: len(r[j]) >= 10 and r[j][4] == "-")):
                self.rows[i][j] = _format_date(self.rows[i][j], DATE_STYLES[(k + self.rng.integers(0, 6)) % len(DATE_STYLES)])
                self.tag(i, "date_as_text", "staged")

    def code_labels(self) -> None:
        for c in self.columns(lambda c: c.type == "code" and c.codeset):
            j = self.col[c.name]
            codeset = self.contract.codesets[c.codeset]
            labels = {code.code: code.label for code in codeset.codes}
            for i in self.take(1, where=lambda r: r[j] in labels):
                self.rows[i][j] = labels[self.rows[i][j]].upper()
                self.tag(i, "code_label_for_code", "staged")

    # -- values that ingest must blank, report or quarantine -------------------------------------
    def spec_year_codes(self) -> None:
        for c in self.columns(lambda c: c.type == "code" and c.codeset):
            j = self.col[c.name]
            codeset = self.contract.codesets[c.codeset]
            newer = [code.code for code in codeset.codes if code.since is not None and code.since > self.year]
            retired = [code.code for code in codeset.codes if code.until is not None and code.until < self.year]
            outcome = "quarantined:required" if c.required else f"blanked:{c.name}"
            for i in self.take(1, where=lambda r: r[j] != "") if newer else []:
                self.rows[i][j] = newer[0]
                self.tag(i, "code_from_newer_spec_year", outcome)
            for i in self.take(1, where=lambda r: r[j] != "") if retired else []:
                self.rows[i][j] = retired[0]
                self.tag(i, "code_from_older_spec_year", f"reported:{c.name}")

    def future_dates(self) -> None:
        future = (self.extract_date + timedelta(days=400)).isoformat()
        for c in self.columns(lambda c: c.type in ("date", "datetime") and c.not_future):
            j = self.col[c.name]
            # A rule over the row (end after start...) may judge a moved date first; choose
            # rows whose other dates stay consistent: only optional end-like dates get a value.
            outcome = "quarantined:required" if c.required else f"blanked:{c.name}"
            for i in self.take(1, where=lambda r: r[j] != ""):
                self.rows[i][j] = future
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
                for i in self.take(1):
                    self.rows[i][j] = value
                    self.tag(i, kind, f"blanked:{c.name}")
        # In names (never loaded), anywhere: they must simply never arrive.
        for c in self.columns(lambda c: c.privacy == "direct"):
            j = self.col[c.name]
            for i in self.take(1):
                self.rows[i][j] = FORMULA
                self.tag(i, "formula_in_unloaded_column", "staged")

    def names(self, unicode_ok: bool) -> None:
        pool = NAMES_UNICODE if unicode_ok else NAMES_CP1252
        for c in self.columns(lambda c: c.privacy == "direct" and any(h in c.name for h in NAME_HINTS)):
            j = self.col[c.name]
            for k, i in enumerate(self.take(PER_KIND)):
                self.rows[i][j] = pool[k % len(pool)]
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
        for i in self.take(1, where=lambda r: r[e] != ""):
            self.rows[i][e] = ""
            for j in reasons:
                self.rows[i][j] = ""
            self.tag(i, "episode_never_closed", "staged")
        key = self.col[self.table.primary_key[0]]
        for i in self.take(1, where=lambda r: r[e] != "" and r[s] != "" and r[e] > r[s]):
            copy = list(self.rows[i])
            copy[key] = f"{copy[key]}9" if copy[key] else "9"
            start = date.fromisoformat(self.rows[i][s][:10])
            end = date.fromisoformat(self.rows[i][e][:10])
            copy[s] = (start + (end - start) / 2).isoformat()
            self.added.append((copy, ("overlapping_episode", "staged"), None))
            self.count("overlapping_episode", "staged", 1)

    # -- rows that ingest must quarantine -------------------------------------------------------
    def bad_rows(self) -> None:
        if self.table.primary_key:
            for i in self.take():
                self.added.append((list(self.rows[i]), ("exact_duplicate", "quarantined:exact_duplicate"), i))
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
                    copy = list(self.rows[i])
                    copy[j] = copy[j] + "e" if c.privacy == "direct" else ""
                    self.added.append((copy, ("duplicate_key", "quarantined:duplicate_key"), i))
                    self.count("duplicate_key", "quarantined:duplicate_key", 1)
        for i in self.take(2):
            self.rows[i] = self.rows[i] + ["stray cell"]
            self.tag(i, "ragged_row", "quarantined:unreadable_row")
        for _ in range(2):
            self.added.append(([""] * len(self.header), ("blank_row", "quarantined:blank_row"), None))
            self.count("blank_row", "quarantined:blank_row", 1)

    def final_rows(self) -> list[tuple[list[str], tuple[str, str] | None]]:
        """Original rows in order, added rows spread through the file deterministically. A
        copy always comes after its original: ingest keeps the first row of a key."""
        out = [(row, tag, i) for i, (row, tag) in enumerate(zip(self.rows, self.tags))]
        for row, tag, origin in self.added:
            after = 0 if origin is None else next(k for k, entry in enumerate(out) if entry[2] == origin) + 1
            out.insert(int(self.rng.integers(after, len(out) + 1)), (row, tag, None))
        return [(row, tag) for row, tag, _ in out]


def _encode(text: str, encoding: str) -> tuple[bytes, str]:
    try:
        return text.encode(encoding), encoding
    except UnicodeEncodeError:
        return text.encode("utf-8-sig"), "utf-8-sig"  # a value Windows-1252 cannot hold


def mess_up_table(path: Path, table: TableContract, contract: Contract, seed: int, extract_date: date, index: int, pad_ids: bool = True) -> dict:
    """Rewrite one clean CSV with mess; returns what was injected."""
    rng = _rng(seed, table.source, table.table)
    header, rows = _read(path)
    if pad_ids:
        padded = 0
        for c in table.columns:
            # Surrogate ids (`*_id`): Mosaic and case systems export them zero-padded. URNs,
            # codes and LA numbers are left alone: they join to registers and seeds.
            if c.type == "id" and not c.pattern and c.name.endswith("_id") and c.name in header:
                j = header.index(c.name)
                for r in rows:
                    new = _pad(r[j])
                    padded += new != r[j]
                    r[j] = new
    mess = _TableMess(table, header, rows, rng, extract_date, contract)
    # One file in four of each kind, by position, so every extract has all of them.
    # A person table with names comes in Windows-1252 (the classic "Zoë" case).
    has_names = any(c.privacy == "direct" and any(h in c.name for h in NAME_HINTS) for c in table.columns)
    encoding = "cp1252" if has_names else ("utf-8", "utf-8-sig", "cp1252", "utf-8")[index % 4]
    leading = index % 3 == 1
    if rows:
        mess.bad_rows()
        mess.future_dates()
        mess.spec_year_codes()
        mess.hostile_text()
        mess.names(unicode_ok=encoding != "cp1252")
        mess.thousands()
        mess.date_text()
        mess.code_labels()
        mess.episodes()
    if pad_ids and padded:
        mess.count("leading_zero_ids", "staged", padded)

    buffer = io.StringIO()
    lead_lines = 0
    if leading:
        buffer.write(f"Report: {table.table} (synthetic extract {extract_date:%d/%m/%Y})\r\n")
        buffer.write("," * (len(header) - 1) + "\r\n")
        lead_lines = 2
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    expected: dict[str, list[list]] = {}
    for n, (row, tag) in enumerate(mess.final_rows()):
        writer.writerow(row)
        if tag is not None:
            expected.setdefault(tag[0], []).append([lead_lines + 2 + n, tag[1]])
    text = buffer.getvalue()
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
    report = {}
    for source, folder in folders.items():
        manifest_path = folder / "manifest.json"
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        extract_date = date.fromisoformat(manifest["extract_date"])
        tables = {}
        for index, (name, entry) in enumerate(sorted(manifest.get("tables", {}).items())):
            try:
                table = contract.table(source, name)
            except KeyError:
                continue
            path = folder / entry["file"]
            tables[name] = mess_up_table(path, table, contract, seed, extract_date, index + zlib.crc32(source.encode()))
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
        manifest["canary"] = {"note": "A planted child whose ids must never reach a published output (tests/test_privacy.py).", "ids": planted}
        write_manifest(folder, manifest)
    if dirty:
        mess_up(folders, contract, seed)
