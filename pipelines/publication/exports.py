"""The files of a publication, built from the `published` schema only, and checked after writing.

    outcome_measures.csv       published.outcome_measures, one row per figure
    outcome_measures.parquet   the same, typed
    outcomes.xlsx              a workbook to read: a cover (saying SYNTHETIC DATA when it is), notes
                               on symbols and rounding, and a sheet per priority with headers,
                               units and footnotes quoting the catalogue's definitions

Text cells that start with = + - @ (or a tab or carriage return) get a leading apostrophe, so a
spreadsheet never runs a value as a formula (the extracts are outside data).

`verify_exports` reads every file back: the CSV and Parquet must hold exactly the published rows,
the workbook must show exactly the published figures, no text cell may be a live formula, and the
disclosure audit runs again on what the CSV shows (what a reader downloads is what is audited).
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from pipelines.publication.disclosure_audit import audit, failures
from pipelines.publication.linear_constraints import Rules
from pipelines.publication.published_tables import SYMBOLS, UNIT_LABELS, priority_tables

CSV_NAME = "outcome_measures.csv"
PARQUET_NAME = "outcome_measures.parquet"
WORKBOOK_NAME = "outcomes.xlsx"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?")
PLAIN_NUMBER_SQL = "^" + PLAIN_NUMBER.pattern + "$"
# Boroughs before the combined area, as the councils print them.
ORDER = "measure_id, statistic, breakdown, breakdown_value, period_type, period_end, area_code = 'BIBOROUGH', area_code"
SHEET_COLUMNS = [
    ("Measure", "measure_id"),
    ("Measure name", "measure_name"),
    ("Statistic", "statistic"),
    ("Area", "area_name"),
    ("Period", "period_label"),
    ("Breakdown", "breakdown"),
    ("Breakdown value", "breakdown_value"),
    ("Figure", "value_published"),
    ("Unit", "unit"),
    ("Numerator", "numerator"),
    ("Denominator", "denominator"),
    ("Note", "suppression_note"),
]


class ExportError(RuntimeError):
    """A written export does not match the published tables."""


def runs_as_formula(text) -> bool:
    """Whether a spreadsheet would take this text for a formula (a plain negative number, such
    as a Progress 8 mean of -0.42, is a number)."""
    return isinstance(text, str) and text.startswith(FORMULA_PREFIXES) and not PLAIN_NUMBER.fullmatch(text)


def neutralise(text):
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe."""
    return "'" + text if runs_as_formula(text) else text


def restore(text):
    """The original text of a neutralised cell (to match it with the marts again)."""
    if isinstance(text, str) and text.startswith("'") and runs_as_formula(text[1:]):
        return text[1:]
    return text


def _runs_as_formula_sql(column: str) -> str:
    """`runs_as_formula` in SQL, for a text column."""
    return f"(regexp_matches({column}, '^[=+@\\t\\r-]') and not regexp_matches({column}, '{PLAIN_NUMBER_SQL}'))"


def _neutralised_select(con: duckdb.DuckDBPyConnection, table: str) -> str:
    columns = con.execute(f"describe {table}").fetchall()
    parts = []
    for name, type_, *_ in columns:
        if type_ == "VARCHAR":
            parts.append(f"case when {_runs_as_formula_sql(name)} then '''' || {name} else {name} end as {name}")
        else:
            parts.append(name)
    return f"select {', '.join(parts)} from {table} order by {ORDER}"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class ExportContext:
    publication_id: str
    published_at: str
    synthetic: bool
    code_version: str
    extract_dates: dict[str, str]
    threshold: int
    min_denominator: int


def write_tables(con: duckdb.DuckDBPyConnection, folder: Path) -> list[Path]:
    select = _neutralised_select(con, "published.outcome_measures")
    csv_path, parquet_path = folder / CSV_NAME, folder / PARQUET_NAME
    con.execute(f"copy ({select}) to '{csv_path}' (format csv, header true)")
    con.execute(f"copy ({select}) to '{parquet_path}' (format parquet)")
    return [csv_path, parquet_path]


def write_workbook(con: duckdb.DuckDBPyConnection, folder: Path, context: ExportContext) -> Path:
    """The workbook to read. Written with XlsxWriter in constant-memory mode (rows stream to disk;
    several times faster than building the sheets in memory), every text through `write_string`,
    so no value is ever stored as a formula, neutralised or not."""
    import xlsxwriter

    path = folder / WORKBOOK_NAME
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    bold = workbook.add_format({"bold": True})
    title = workbook.add_format({"bold": True, "font_size": 14})
    warning = workbook.add_format({"bold": True, "font_size": 14, "font_color": "#C00000"})
    header = workbook.add_format({"bold": True, "bg_color": "#DDEBF7"})
    right = workbook.add_format({"align": "right"})
    number_formats = {decimals: workbook.add_format({"num_format": "#,##0" if decimals == 0 else "#,##0." + "0" * decimals}) for decimals in range(4)}
    plain_number = workbook.add_format({"num_format": "#,##0.##"})

    def text(sheet, row, column, value, cell_format=None):
        # Rows and columns are 1-based here, as a person reads them; XlsxWriter counts from 0.
        sheet.write_string(row - 1, column - 1, neutralise(value if isinstance(value, str) else str(value)), cell_format)

    cover = workbook.add_worksheet("Cover")
    cover.set_column(0, 0, 28)
    cover.set_column(1, 1, 110)
    row = 1
    text(cover, row, 1, "Bi-borough children's outcomes: Kensington and Chelsea and Westminster", title)
    row += 2
    if context.synthetic:
        text(cover, row, 1, "SYNTHETIC DATA: every figure in this workbook was computed from generated test extracts and describes no real child.", warning)
        row += 2
    for label, value in (
        ("Publication", context.publication_id),
        ("Published", context.published_at),
        ("Code version", context.code_version),
        *((f"Extract ({source})", date) for source, date in sorted(context.extract_dates.items())),
    ):
        text(cover, row, 1, label, bold)
        text(cover, row, 2, value)
        row += 1
    row += 1
    text(cover, row, 1, "Contents", bold)
    row += 1
    text(cover, row, 1, "Notes")
    text(cover, row, 2, "Symbols, suppression, rounding and units")
    tables = priority_tables()
    sheet_names = {t.table: f"{t.priority} {t.table.split('_', 2)[-1].replace('_', ' ')}"[:31] for t in tables}
    for table in tables:
        row += 1
        text(cover, row, 1, sheet_names[table.table])
        text(cover, row, 2, f"{table.title}: {table.outcome_statement}")

    notes = workbook.add_worksheet("Notes")
    notes.set_column(0, 0, 18)
    notes.set_column(1, 1, 120)
    lines = [
        ("Symbols", None),
        *((f"{symbol}", meaning) for symbol, meaning in SYMBOLS.items()),
        ("", None),
        ("Suppression", None),
        ("", f"Counts of 1 to {context.threshold} children are not shown (c), nor any percentage, rate or mean built on one. "
             "Where a suppressed figure could be worked out by subtraction (from the bi-borough figure and the other borough, "
             "from a breakdown's total, or from a year and its quarters), a second figure is suppressed too. Zero is shown as 0."),
        ("", f"Percentages, rates and means on fewer than {context.min_denominator} children are not shown (c)."),
        ("Rounding", None),
        ("", "Counts are whole numbers; percentages and rates are rounded to 1 decimal place and means to 2, at publication only."),
        ("Bi-borough", None),
        ("", "Bi-borough figures pool the two boroughs' numerators and denominators; they are never an average of the two."),
        ("Units", None),
        *((unit, label) for unit, label in UNIT_LABELS.items()),
    ]
    for i, (label, note) in enumerate(lines, start=1):
        if label:
            text(notes, i, 1, label, bold if note is None else None)
        if note is not None:
            text(notes, i, 2, note)

    definitions = {r[0]: r[1:] for r in con.execute("select measure_id, measure_name, definition, unit, polarity_note from published.measure_definitions").fetchall()}
    names = [name for _, name in SHEET_COLUMNS]
    figure_column = names.index("value_published")
    for table in tables:
        sheet = workbook.add_worksheet(sheet_names[table.table])
        for column, width in enumerate((24, 40, 22, 30, 20, 16, 22, 12, 24, 12, 12, 60)):
            sheet.set_column(column, column, width)
        text(sheet, 1, 1, f"{table.title}: {table.outcome_statement}", title)
        if context.synthetic:
            text(sheet, 2, 1, "SYNTHETIC DATA: these figures describe no real child.", warning)
        header_row = 4
        for column, (heading, _) in enumerate(SHEET_COLUMNS, start=1):
            text(sheet, header_row, column, heading, header)
        rows = con.execute(f"select {', '.join(names)}, value, decimal_places from published.{table.table} order by {ORDER}").fetchall()
        for offset, values in enumerate(rows, start=1):
            r = header_row + offset - 1  # 0-based row for XlsxWriter
            value, decimals = values[-2], values[-1]
            for column, name in enumerate(names):
                cell = values[column]
                if column == figure_column:
                    if value is not None:
                        sheet.write_number(r, column, float(value), number_formats[min(int(decimals or 0), 3)])
                    else:
                        sheet.write_string(r, column, neutralise(str(cell)), right)
                elif name == "unit":
                    sheet.write_string(r, column, neutralise(UNIT_LABELS.get(cell, cell)))
                elif isinstance(cell, (int, float)):
                    sheet.write_number(r, column, float(cell), plain_number)
                elif cell is not None:
                    sheet.write_string(r, column, neutralise(cell if isinstance(cell, str) else str(cell)))
        last = header_row + len(rows)
        if not rows:
            text(sheet, header_row + 1, 1, "No figures for this priority yet.")
            last += 1
        sheet.freeze_panes(header_row, 0)
        if rows:
            sheet.autofilter(header_row - 1, 0, last - 1, len(SHEET_COLUMNS) - 1)
        footnote = last + 2
        text(sheet, footnote, 1, "Symbols", bold)
        for symbol, meaning in SYMBOLS.items():
            footnote += 1
            text(sheet, footnote, 1, symbol)
            text(sheet, footnote, 2, meaning)
        footnote += 2
        text(sheet, footnote, 1, "Definitions", bold)
        for measure_id in sorted({r[0] for r in rows}):
            name, definition, unit, polarity = definitions.get(measure_id, (None, None, None, None))
            footnote += 1
            text(sheet, footnote, 1, measure_id)
            text(sheet, footnote, 2, " ".join(part for part in (f"{name}." if name else None, definition, polarity) if part) or "Not in the catalogue.")

    workbook.close()
    return path


def verify_exports(con: duckdb.DuckDBPyConnection, folder: Path, marts: pd.DataFrame, rules: Rules) -> None:
    """Read every export back and compare it with the published tables; raise ExportError."""
    select = _neutralised_select(con, "published.outcome_measures")
    expected = con.execute(select).df()
    problems: list[str] = []
    columns = [r[0] for r in con.execute("describe published.outcome_measures").fetchall()]
    csv_source = f"read_csv('{folder / CSV_NAME}', header = true, all_varchar = true)"
    parquet_source = f"read_parquet('{folder / PARQUET_NAME}')"
    as_text = ", ".join(f"cast({c} as varchar) as {c}" for c in columns)

    def differences(left: str, right: str) -> int:
        """Rows in one and not the other, duplicates counted (EXCEPT ALL both ways), as one
        group-by of the two stacked, each row +1 on the left and -1 on the right: 0.3 s at
        scale 1 against 0.7 s for the two EXCEPT ALLs. NULLs group together, as EXCEPT ALL
        matches them."""
        listed = ", ".join(columns)
        return con.execute(
            f"select coalesce(sum(abs(_n)), 0) from (select {listed}, sum(_side) as _n from ("
            f"select {listed}, 1 as _side from ({left}) union all select {listed}, -1 as _side from ({right})"
            f") group by {listed}) where _n <> 0"
        ).fetchall()[0][0]

    for name, source, comparable in (
        ("CSV", csv_source, f"select {as_text} from ({select})"),
        ("Parquet", parquet_source, select),
    ):
        found = [r[0] for r in con.execute(f"describe select * from {source}").fetchall()]
        if found != columns:
            problems.append(f"{name} columns {found} differ from published.outcome_measures")
            continue
        different = differences(f"select * from {source}", comparable)
        if different:
            problems.append(f"{name} differs from published.outcome_measures in {different} rows")
    for name, source in (("CSV", csv_source), ("Parquet", parquet_source)):
        # Text columns only (the CSV's are all text): a negative number (a Progress 8 mean, say)
        # starts with "-" but is a number, not a formula. One scan of each file for all its
        # columns: the same test in Python, value by value, took 0.9 s at scale 1, this 0.5 s
        # (a query per column, reading the CSV each time, took 2.4 s).
        text_columns = [column for column, type_, *_ in con.execute(f"describe select * from {source}").fetchall() if type_ == "VARCHAR"]
        if not text_columns:
            continue
        live = con.execute(f"select {', '.join(f'min({c}) filter (where {_runs_as_formula_sql(c)})' for c in text_columns)} from {source}").fetchall()[0]
        problems += [f"{name} column {column} has a cell a spreadsheet would run as a formula: {value!r}" for column, value in zip(text_columns, live) if value is not None]
    from_csv = con.execute(f"select * from {csv_source}").df()

    # The audit on what the CSV shows: numbers parsed back from the text a reader downloads.
    if not problems and len(expected):
        shown = from_csv.copy()
        for column in ("measure_id", "area_code", "period_type", "period_label", "statistic", "breakdown", "breakdown_value"):
            shown[column] = shown[column].map(restore)
        for column in ("numerator", "denominator", "value"):
            shown[column] = pd.to_numeric(shown[column].replace("", None))
        found = failures(audit(marts, shown, rules))
        if not found.empty:
            first = found.iloc[0]
            problems.append(f"the CSV gives away a suppressed count ({first['check']}): {first['measure_id']} / {first['area_code']} / {first['period_label']} / {first['statistic']} {first['detail']}")

    problems += _verify_workbook(con, folder / WORKBOOK_NAME)
    if problems:
        raise ExportError("The exports do not match the published tables: " + "; ".join(problems))


def _formula_cells(path: Path) -> list[str]:
    """Sheets that hold a formula anywhere: an `<f>` element in the sheet's XML (a reader that
    returns values would show a formula's cached result and hide it)."""
    with zipfile.ZipFile(path) as archive:
        return [
            name.rsplit("/", 1)[-1].removesuffix(".xml")
            for name in archive.namelist()
            if name.startswith("xl/worksheets/sheet") and re.search(rb"<f[ >]", archive.read(name))
        ]


def _verify_workbook(con: duckdb.DuckDBPyConnection, path: Path) -> list[str]:
    """The workbook shows exactly the published figures (read back with calamine, a fast Rust
    reader) and holds no formula."""
    from python_calamine import CalamineWorkbook

    problems = []
    workbook = CalamineWorkbook.from_path(str(path))
    try:
        tables = priority_tables()
        expected_sheets = 2 + len(tables)
        if len(workbook.sheet_names) != expected_sheets or workbook.sheet_names[:2] != ["Cover", "Notes"]:
            return [f"workbook sheets are {workbook.sheet_names}"]
        figure_column = [name for _, name in SHEET_COLUMNS].index("value_published")
        for sheet_name, table in zip(workbook.sheet_names[2:], tables):
            published = con.execute(f"select value_published, value from published.{table.table} order by {ORDER}").fetchall()
            # to_python() starts at the sheet's first used row (the title in row 1); skip the
            # title, the notice and the header to reach the figures in row 5.
            rows = workbook.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)[4 : 4 + len(published)]
            if len(rows) < len(published):
                problems.append(f"sheet {sheet_name} has {len(rows)} figure rows where {len(published)} are published")
                continue
            for (shown_text, value), row in zip(published, rows):
                shown = row[figure_column]
                if value is None and shown != shown_text:
                    problems.append(f"sheet {sheet_name} shows {shown!r} where the published figure is {shown_text!r}")
                    break
                if value is not None and (not isinstance(shown, (int, float)) or abs(float(shown) - float(value)) > 1e-9):
                    problems.append(f"sheet {sheet_name} shows {shown!r} where the published figure is {value!r}")
                    break
    finally:
        workbook.close()
    problems += [f"sheet {sheet} holds a formula" for sheet in _formula_cells(path)]
    return problems
