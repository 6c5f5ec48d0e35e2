"""Write docs/data_contract.md from the extract contract.

The YAML under pipelines/contracts is what ingest enforces; this document is the same facts in a
form a council's data team can read while mapping its own extract, so it is generated (by
`python -m pipelines docs`) rather than written by hand, and a test fails if it drifts.
"""

from __future__ import annotations

from pathlib import Path

from pipelines.contracts.dbt_sources import SOURCE_DESCRIPTIONS
from pipelines.contracts.model import Code, Column, Contract, TableContract, load_contract
from pipelines.settings import REPO_ROOT

DOC_PATH = REPO_ROOT / "docs" / "data_contract.md"

PRIVACY_WORDS = {
    "person_id": "identifier: replaced by a keyed hash at ingest",
    "direct": "direct identifier: never loaded",
    "postcode": "postcode: reduced to its sector at ingest",
    "quasi": "quasi-identifier: build database only",
    "none": "",
}

INTRODUCTION = """\
# Extract contract

Generated from `pipelines/contracts/` by `python -m pipelines docs`; do not edit by hand. The
YAML files there are what ingest enforces; this page is the same contract for people mapping an
extract.

## How to read it

- **Files.** Each extract is a folder `data/raw/<source>/<extract date>/` holding one CSV per
  table, named as the *file* pattern says. Tables a council does not deliver load empty and are
  reported as a file issue, so a partial delivery still runs.
- **Columns.** Headers are matched case-insensitively after trimming, also under the listed
  *aliases*; unknown columns are reported and ignored. *Required* columns must be present and
  filled: a row missing one goes to quarantine with its file, row number (as Excel shows it),
  column and reason.
- **Types.** `id` values stay text (leading zeros kept), except person identifiers, which land as
  their pseudonym, a UUID (see Privacy); `date` accepts ISO, `dd/mm/yyyy`,
  `dd-Mon-yyyy` and Excel-style text; `integer` and `decimal` accept thousands separators. A value
  that does not conform is blanked and logged, never guessed.
- **Codes.** Code sets follow the DfE returns (CIN census, SSDA903) and are versioned by
  collection year (the year ending 31 March): a code valid only `since`/`until` a year is marked,
  so next year's changes are additions. Labels and the listed spellings are accepted on input and
  mapped to the code.
- **Privacy.** Person identifiers are replaced by HMAC-SHA256 pseudonyms at ingest, in a
  namespace shared across systems (the same UPN gets the same pseudonym in Mosaic and the school
  census); names, addresses and free text never load; dates of birth and other quasi-identifiers
  stay in the build database and reach analysts only as month and year or age.
- **Row rules** are checks across columns: `quarantine` moves the row aside, `blank` empties
  the named column and logs it.
"""


def _years(column: Column | Code) -> str:
    """The collection years a column or code is valid in (blank: every year)."""
    if column.since and column.until:
        return f"{column.since}-{column.until}"
    if column.since:
        return f"from {column.since}"
    if column.until:
        return f"until {column.until}"
    return ""


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _column_row(column: Column) -> str:
    notes = [column.description]
    if column.real_world:
        notes.append(column.real_world)
    if column.codeset:
        notes.append(f"Codes: [{column.codeset}](#code-set-{column.codeset}).")
    if column.pattern:
        notes.append(f"Pattern `{column.pattern}`.")
    if column.not_future:
        notes.append("Not in the future.")
    if column.default_from:
        notes.append(f"If absent: from {column.default_from}.")
    if column.aliases:
        notes.append("Also read as: " + ", ".join(f"`{a}`" for a in column.aliases) + ".")
    privacy = PRIVACY_WORDS[column.privacy]
    if column.namespace:
        privacy += f" (namespace {column.namespace})"
    cells = [f"`{column.name}`", column.type, "yes" if column.required else "", privacy, _years(column), " ".join(notes)]
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def _table_section(table: TableContract) -> list[str]:
    lines = [
        f"### {table.source}.{table.table}",
        "",
        _cell(table.description),
        "",
        f"- File: `{table.file_pattern}`; lands as `raw.{table.raw_table}`",
        f"- Grain: {_cell(table.grain)}" if table.grain else "- Grain: not stated",
        f"- Key: {', '.join(f'`{k}`' for k in table.primary_key) or 'none'}",
    ]
    if table.standard:
        lines.append(f"- Standard: {_cell(table.standard)}")
    if table.unpivot:
        lines.append(
            f"- Wide layout: columns matching `{table.unpivot['columns']}` become rows "
            f"(`{table.unpivot['name']}`, `{table.unpivot['value']}`)"
        )
    lines += ["", "| column | type | required | privacy | years | meaning |", "|---|---|---|---|---|---|"]
    lines += [_column_row(c) for c in table.columns]
    if table.row_rules:
        lines += ["", "Row rules:", ""]
        for rule in table.row_rules:
            target = f", column `{rule.column}`" if rule.column else ""
            lines.append(f"- `{rule.name}` ({rule.action}{target}): {_cell(rule.reason)}")
    return lines + [""]


def _codeset_section(contract: Contract) -> list[str]:
    lines = ["## Code sets", ""]
    for name in sorted(contract.codesets):
        codeset = contract.codesets[name]
        lines += [f"### Code set {name}", ""]
        if codeset.description or codeset.source:
            lines += [_cell(" ".join(p for p in (codeset.description, f"Source: {codeset.source}." if codeset.source else "") if p)), ""]
        lines += ["| code | label | years |", "|---|---|---|"]
        for code in codeset.codes:
            lines.append(f"| `{_cell(code.code)}` | {_cell(code.label)} | {_years(code)} |")
        lines.append("")
    return lines


def _sources_in_order(contract: Contract) -> list[str]:
    """Social care first, then the other sources in the order the dbt sources describe them."""
    known = list(SOURCE_DESCRIPTIONS)
    return sorted(contract.sources, key=lambda s: (known.index(s) if s in known else len(known), s))


def render(contract: Contract) -> str:
    lines = [INTRODUCTION, "## Tables", ""]
    sources = _sources_in_order(contract)
    for source in sources:
        tables = contract.for_source(source)
        lines.append(f"- **{source}** ({_cell(SOURCE_DESCRIPTIONS.get(source, source))}): " + ", ".join(f"`{t.table}`" for t in tables))
    lines.append("")
    for source in sources:
        lines += [f"## Source: {source}", "", _cell(SOURCE_DESCRIPTIONS.get(source, source)), ""]
        for table in contract.for_source(source):
            lines += _table_section(table)
    lines += _codeset_section(contract)
    return "\n".join(lines).rstrip() + "\n"


def write_doc(contract: Contract | None = None, path: Path = DOC_PATH) -> list[Path]:
    path.write_text(render(contract or load_contract()), encoding="utf-8")
    return [path]
