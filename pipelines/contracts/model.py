"""The extract contract as Python objects.

Contracts are data (YAML files beside this module, one per table, and one per code set) so
that a council can read and amend them without reading code. This module loads them into
frozen dataclasses and answers the questions ingest asks: which columns does this table have
in collection year N, which codes are allowed, which columns are personal data.

Collection years follow the DfE returns: collection year 2023 is the year ending 31 March
2023 (CIN census 2022-23, SSDA903 2022-23). A new year's changes are additions to the YAML
(`since:` / `until:` on a column or code), never a rewrite.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Literal

from pipelines.yaml_files import read_yaml

CONTRACTS_DIR = Path(__file__).resolve().parent

ColumnType = Literal["id", "text", "code", "date", "datetime", "integer", "decimal", "boolean"]

# How a column is treated for privacy. Ingest enforces this; dbt `meta.classification`
# repeats it so tests can scan published outputs.
#   person_id  - identifies a person in a source system: replaced by a keyed hash at ingest
#   direct     - names, addresses, full postcodes, free text: never loaded
#   postcode   - full postcode: reduced to its sector (e.g. "W10 5") at ingest
#   quasi      - date of birth, sex, ethnicity and similar: kept in the build database only
#   none       - not personal data
Privacy = Literal["person_id", "direct", "postcode", "quasi", "none"]

COLUMN_TYPES: tuple[str, ...] = ("id", "text", "code", "date", "datetime", "integer", "decimal", "boolean")
PRIVACY_CLASSES: tuple[str, ...] = ("person_id", "direct", "postcode", "quasi", "none")


class ContractError(ValueError):
    """A contract file is malformed. Raised at load time so a broken contract never ingests."""


def collection_year_of(day: date) -> int:
    """The DfE collection year a date falls in: 1 April 2022 - 31 March 2023 is 2023."""
    return day.year + 1 if day.month >= 4 else day.year


@dataclass(frozen=True)
class Code:
    code: str
    label: str
    since: int | None = None
    until: int | None = None
    # Other spellings accepted on input and mapped to `code` (for example the description that
    # some SSD extract scripts write instead of the code).
    aliases: tuple[str, ...] = ()

    def valid_in(self, year: int) -> bool:
        return (self.since is None or year >= self.since) and (self.until is None or year <= self.until)


@dataclass(frozen=True)
class CodeSet:
    name: str
    description: str
    source: str
    codes: tuple[Code, ...]

    def allowed(self, year: int) -> tuple[str, ...]:
        return tuple(c.code for c in self.codes if c.valid_in(year))

    def retired(self, year: int) -> tuple[str, ...]:
        return tuple(c.code for c in self.codes if c.until is not None and c.until < year)

    def all_codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.codes)

    def input_map(self, year: int) -> dict[str, str]:
        """Upper-cased accepted spellings (code, label, aliases) -> code, in an extract of `year`.

        Historical records keep the codes of their own time, so codes retired before `year` are
        accepted (ingest reports them); codes introduced after `year` are not.
        """
        mapping: dict[str, str] = {}
        for c in self.codes:
            if c.since is not None and c.since > year:
                continue
            for spelling in (c.label, *c.aliases, c.code):
                mapping[spelling.strip().upper()] = c.code
        return mapping

    def label(self, code: str) -> str | None:
        return next((c.label for c in self.codes if c.code == code), None)


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    description: str
    required: bool = False
    privacy: Privacy = "none"
    codeset: str | None = None
    real_world: str = ""
    not_future: bool = False
    since: int | None = None
    until: int | None = None
    aliases: tuple[str, ...] = ()
    # For person_id columns: ids of the same kind share a namespace across systems
    # (a UPN is a UPN in Mosaic and in the school census), so their pseudonyms match.
    namespace: str | None = None
    # Regular expression the (trimmed) value must match, e.g. a three-digit DfE LA number.
    pattern: str | None = None
    # Where a missing column's value comes from: "extract.la_code" fills it from the extract
    # manifest (a single-council extract has no LA column; the bi-borough extract does).
    default_from: str | None = None

    def valid_in(self, year: int) -> bool:
        return (self.since is None or year >= self.since) and (self.until is None or year <= self.until)

    @property
    def lands(self) -> bool:
        """Whether the column reaches the warehouse at all."""
        return self.privacy != "direct"


@dataclass(frozen=True)
class RowRule:
    """A rule over a whole row, written as a SQL predicate over the conformed columns.

    `action: quarantine` sends failing rows to quarantine; `action: blank` blanks `column`
    and logs it.
    """

    name: str
    expr: str
    reason: str
    action: Literal["quarantine", "blank"] = "quarantine"
    column: str | None = None


@dataclass(frozen=True)
class TableContract:
    source: str
    table: str
    description: str
    file_pattern: str
    grain: str
    primary_key: tuple[str, ...]
    columns: tuple[Column, ...]
    row_rules: tuple[RowRule, ...] = ()
    standard: str = ""
    # Wide layouts (ONS tables with one column per year) are unpivoted at ingest:
    # {"columns": "population_(\\d{4})", "name": "mid_year", "value": "population", "type": "integer"}
    unpivot: dict | None = None

    @property
    def raw_table(self) -> str:
        """Name of the table in the build database's `raw` schema."""
        return f"{self.source}__{self.table}"

    def columns_for(self, year: int) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.valid_in(year))

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.source}.{self.table} has no column {name!r}")


@dataclass(frozen=True)
class Contract:
    tables: tuple[TableContract, ...]
    codesets: dict[str, CodeSet] = field(default_factory=dict)

    def table(self, source: str, table: str) -> TableContract:
        for t in self.tables:
            if t.source == source and t.table == table:
                return t
        raise KeyError(f"no contract for {source}.{table}")

    def for_source(self, source: str) -> tuple[TableContract, ...]:
        return tuple(t for t in self.tables if t.source == source)

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(t.source for t in self.tables))


def _codeset_from_yaml(doc: dict, path: Path) -> CodeSet:
    try:
        codes = tuple(
            Code(
                code=str(c["code"]),
                label=str(c["label"]),
                since=c.get("since"),
                until=c.get("until"),
                aliases=tuple(str(a) for a in c.get("aliases", ())),
            )
            for c in doc["codes"]
        )
        return CodeSet(name=doc["name"], description=doc.get("description", ""), source=doc.get("source", ""), codes=codes)
    except (KeyError, TypeError) as exc:
        raise ContractError(f"{path}: code set is malformed ({exc})") from exc


def _table_from_yaml(doc: dict, path: Path, codesets: dict[str, CodeSet]) -> TableContract:
    try:
        columns = []
        for c in doc["columns"]:
            col = Column(
                name=c["name"],
                type=c["type"],
                description=c.get("description", ""),
                required=bool(c.get("required", False)),
                privacy=c.get("privacy", "none"),
                codeset=c.get("codeset"),
                real_world=c.get("real_world", ""),
                not_future=bool(c.get("not_future", False)),
                since=c.get("since"),
                until=c.get("until"),
                aliases=tuple(c.get("aliases", ())),
                namespace=c.get("namespace"),
                pattern=c.get("pattern"),
                default_from=c.get("default_from"),
            )
            if col.privacy == "person_id" and not col.namespace:
                raise ContractError(f"{path}: column {col.name}: person_id columns need a namespace")
            if col.type not in COLUMN_TYPES:
                raise ContractError(f"{path}: column {col.name}: unknown type {col.type!r}")
            if col.privacy not in PRIVACY_CLASSES:
                raise ContractError(f"{path}: column {col.name}: unknown privacy class {col.privacy!r}")
            if col.type == "code" and col.codeset not in codesets:
                raise ContractError(f"{path}: column {col.name}: code set {col.codeset!r} is not defined")
            columns.append(col)
        rules = tuple(
            RowRule(name=r["name"], expr=r["expr"], reason=r["reason"], action=r.get("action", "quarantine"), column=r.get("column"))
            for r in doc.get("row_rules", ())
        )
        table = TableContract(
            source=doc["source"],
            table=doc["table"],
            description=doc.get("description", ""),
            file_pattern=doc.get("file_pattern", f"{doc['table']}.csv"),
            grain=doc.get("grain", ""),
            primary_key=tuple(doc.get("primary_key", ())),
            columns=tuple(columns),
            row_rules=rules,
            standard=doc.get("standard", ""),
            unpivot=doc.get("unpivot"),
        )
    except KeyError as exc:
        raise ContractError(f"{path}: missing key {exc}") from exc
    names = [c.name for c in table.columns]
    if len(names) != len(set(names)):
        raise ContractError(f"{path}: duplicate column names")
    blanked = {r.column for r in table.row_rules if r.action == "blank"}
    for key in table.primary_key:
        if key not in names:
            raise ContractError(f"{path}: primary key column {key!r} is not a column")
        # Ingest finds duplicate keys in the raw table (load.py, _quarantine_duplicates): a key
        # must land as delivered, or as its pseudonym, not blanked or coarsened.
        col = table.column(key)
        if not col.lands or key in blanked or col.privacy not in ("none", "quasi", "person_id"):
            raise ContractError(f"{path}: primary key column {key!r} must land as delivered or as a pseudonym (not blanked, coarsened or dropped)")
    return table


@cache
def load_contract(root: Path = CONTRACTS_DIR) -> Contract:
    codesets: dict[str, CodeSet] = {}
    for path in sorted((root / "codesets").glob("*.yml")):
        cs = _codeset_from_yaml(read_yaml(path), path)
        codesets[cs.name] = cs
    tables = []
    for path in sorted(root.glob("tables/*/*.yml")):
        tables.append(_table_from_yaml(read_yaml(path), path, codesets))
    return Contract(tables=tuple(tables), codesets=codesets)
