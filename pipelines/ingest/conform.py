"""Compile a table contract into DuckDB SQL that conforms text values to types and code sets.

Every delivered value arrives as text. For each contract column this module writes a SQL
expression for the conformed value and a reason expression that is non-null when a non-blank
value failed to conform. Ingest then blanks the value and logs the reason (or quarantines the
row when the column is mandatory). Everything runs as set-based SQL: no per-row Python, which is
what keeps national-volume ingest near the raw-read floor.
"""

from __future__ import annotations

from collections.abc import Callable

from pipelines.contracts.model import CodeSet, Column
from pipelines.privacy.pseudonymise import PSEUDONYM_SQL_TYPE

# Date formats seen in council exports, tried in order (UK day-first before anything else).
DATE_FORMATS = (
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%d-%b-%Y",
    "%d %b %Y",
    "%d %B %Y",
    "%Y%m%d",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
)
# A year written with two digits ("15/05/23") would otherwise match %Y as the year 23 AD.
TWO_DIGIT_YEAR_FORMATS = ("%d/%m/%y", "%d-%m-%y", "%d.%m.%y", "%d-%b-%y", "%d %b %y")
TWO_DIGIT_YEAR = "[0-9]{1,2}[/.-]([0-9]{1,2}|[A-Za-z]{3})[/.-][0-9]{2}|[0-9]{1,2} [A-Za-z]{3} [0-9]{2}"
# No text longer than this matches TWO_DIGIT_YEAR ("15-May-23"). Every date is tried against the
# pattern, and a length test first spares the regular expression for the usual ten-character
# date: a fifth of the CPU of conforming a date column (docs/benchmarks.md, item 31).
TWO_DIGIT_YEAR_MAX_LENGTH = 9
# try_strptime tries a list of formats in turn and pays for each one that fails, about a quarter
# of a microsecond a format, so a date with a time of day, whose formats come ninth to
# eleventh, took 85 times as long to parse as an ISO date (2 microseconds against 22 ns). Two
# shapes that exports use all through a file go straight to their own format: a database's date and time
# ("2023-05-01 13:45:00", SQL Server's "2023-05-01 13:45:00.000", "2023-05-01T13:45:00") and
# Excel's UK date ("01/05/2023"). No format listed before a shape's own can read a value of that
# shape, and at most one of its own can, so the answer is the list's; when the shape's format
# fails too, the whole list is tried as before.
ISO_DATETIME = "[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}[ T][0-9]{1,2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?"
# Its format, and the variants a character in it marks.
ISO_DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"
ISO_DATETIME_VARIANTS = {"T": "%Y-%m-%dT%H:%M:%S", ".": "%Y-%m-%d %H:%M:%S.%f"}
UK_DATE, UK_DATE_FORMAT = "[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}", "%d/%m/%Y"
# Dates outside this range are typing errors or placeholders (01/01/1900, 31/12/9999).
EARLIEST_YEAR, LATEST_YEAR = 1900, 2100
# A value a spreadsheet would run as a formula when the file or an export is opened
# (=HYPERLINK(...), +cmd|..., @SUM(...)). No identifier or code starts like this.
FORMULA_LIKE = "^[=+@\t\r]|^-[^0-9. ]"
TRUE_WORDS = ("Y", "YES", "TRUE", "T", "1")
FALSE_WORDS = ("N", "NO", "FALSE", "F", "0")

SQL_TYPES = {
    "id": "VARCHAR",
    "text": "VARCHAR",
    "code": "VARCHAR",
    "date": "DATE",
    "datetime": "TIMESTAMP",
    "integer": "BIGINT",
    "decimal": "DOUBLE",
    "boolean": "BOOLEAN",
}


def landed_type(col: Column) -> str:
    """The SQL type a column has in its raw table: a person identifier lands as its pseudonym."""
    return PSEUDONYM_SQL_TYPE if col.privacy == "person_id" else SQL_TYPES[col.type]


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sql_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _sql_list(values) -> str:
    return "[" + ", ".join(sql_literal(v) for v in values) + "]"


# What a cell holds when it holds nothing: Excel and Mosaic reports write "NULL", "N/A" or a
# lone "-" for nothing (after trimming).
BLANK_WORDS = ("", "NULL", "N/A", "-")


def blank_to_null(expr: str) -> str:
    # trim() builds a new string for every value, and was a fifth of conforming the census. It
    # takes Unicode spaces (U+00A0, U+3000...) as well as ' ' from either end, so it can change
    # only a value that ends in a space or holds a character beyond ASCII (more bytes than
    # characters); every other value is its own trim, and is passed as it is (item 31).
    may_trim = f"starts_with({expr}, ' ') or ends_with({expr}, ' ') or strlen({expr}) <> length({expr})"
    cleaned = f"(case when {may_trim} then trim({expr}) else {expr} end)"
    for word in BLANK_WORDS:
        cleaned = f"nullif({cleaned}, {sql_literal(word)})"
    return cleaned


def parsed_timestamp(v: str) -> str:
    """SQL of the timestamp a date cell's text means (NULL when it is not a date in range)."""
    excel_serial = (
        f"case when regexp_full_match({v}, '[0-9]{{5}}(\\.0+)?') "
        f"then cast(date '1899-12-30' + cast(cast({v} as double) as integer) as timestamp) end"
    )
    # Cheap tests (a length, a character) spare the patterns for the usual ISO date.
    by_mark = " ".join(f"when contains({v}, {sql_literal(mark)}) then try_strptime({v}, {sql_literal(fmt)})" for mark, fmt in ISO_DATETIME_VARIANTS.items())
    by_shape = (
        f"case when length({v}) > 10 and regexp_full_match({v}, {sql_literal(ISO_DATETIME)}) "
        f"then case {by_mark} else try_strptime({v}, {sql_literal(ISO_DATETIME_FORMAT)}) end "
        f"when contains({v}, '/') and regexp_full_match({v}, {sql_literal(UK_DATE)}) then try_strptime({v}, {sql_literal(UK_DATE_FORMAT)}) end"
    )
    parsed = (
        f"case when length({v}) <= {TWO_DIGIT_YEAR_MAX_LENGTH} and regexp_full_match({v}, {sql_literal(TWO_DIGIT_YEAR)}) "
        f"then try_strptime({v}, {_sql_list(TWO_DIGIT_YEAR_FORMATS)}) "
        f"else coalesce({by_shape}, try_strptime({v}, {_sql_list(DATE_FORMATS)}), {excel_serial}) end"
    )
    return f"(case when year({parsed}) between {EARLIEST_YEAR} and {LATEST_YEAR} then {parsed} end)"


def _number(v: str) -> str:
    # Thousands separators, pound signs and stray spaces are formatting, not data.
    return f"regexp_replace({v}, '[,£\\s]', '', 'g')"


def _without_excel_decimal(v: str) -> str:
    # Excel sometimes appends ".0" to numbers; leading zeros are significant in ids and codes.
    return f"(case when ends_with({v}, '.0') then substr({v}, 1, length({v}) - 2) else {v} end)"


def conformed_expr(
    col: Column, v: str, codeset: CodeSet | None, year: int, extract_date_sql: str, parsed: str | None = None
) -> tuple[str, Callable[[str], str]]:
    """Return (value_sql, reason) for column `col` whose cleaned text is `v`.

    `v` is already blank-to-null. `reason(value)` gives the SQL of the failure reason from the
    conformed value's column: a value fails exactly when its text is not blank and its conformed
    value is. Only the failing values (a handful) are then parsed again to say why, so each
    value's regular expressions and date formats run once. For a date, `parsed` may name a
    column already holding parsed_timestamp(v), which the value then refers to.
    """
    def failing(why: str) -> Callable[[str], str]:
        return lambda value: f"case when {v} is not null and {value} is null then {why} end"

    if col.type in ("id", "text"):
        formula = f"regexp_matches({v}, {sql_literal(FORMULA_LIKE)})"
        value = _without_excel_decimal(v) if col.type == "id" else v
        why = "'looks like a spreadsheet formula (possible formula injection)'"
        if col.pattern:
            value = f"case when regexp_full_match({value}, {sql_literal(col.pattern.strip('^$'))}) then {value} end"
            why = f"case when {formula} then {why} else {sql_literal('does not match pattern ' + col.pattern)} end"
        # FORMULA_LIKE can only match from a first character of =+@-, a tab or a carriage
        # return. A value that starts with a digit, or with a character from "A" on (letters,
        # and everything beyond ASCII), as nearly every id and text does, is passed on the code
        # of its first character, and only the rest meet the pattern: five census id columns
        # of 10 million rows took 0.6 s against 1.0 s (item 46).
        cannot_be_formula = f"(ascii({v}) >= 65 or ascii({v}) between 48 and 57 or not {formula})"
        return f"case when {cannot_be_formula} then {value} end", failing(why)
    if col.type == "code":
        assert codeset is not None
        mapping = codeset.input_map(year)
        why = sql_literal(f"not a {codeset.name} code valid in collection year {year}")
        if not mapping:  # a code set whose codes all came in after the extract's year: a CASE needs a key
            return "cast(NULL as VARCHAR)", failing(why)
        # A simple CASE tests its keys in turn, and files nearly always carry the codes themselves,
        # not their labels: the codes go first (the keys are distinct, so order changes no answer).
        ordered = sorted(mapping.items(), key=lambda item: item[0] != item[1])
        whens = " ".join(f"when {sql_literal(k)} then {sql_literal(c)}" for k, c in ordered)
        lookup = f"(case upper({_without_excel_decimal(v)}) {whens} end)"
        return lookup, failing(why)
    if col.type in ("date", "datetime"):
        ts = parsed or parsed_timestamp(v)
        value = f"cast({ts} as date)" if col.type == "date" else ts
        unrecognised = f"'not a recognised date between {EARLIEST_YEAR} and {LATEST_YEAR}'"
        if not col.not_future:
            return value, failing(unrecognised)
        value = f"case when cast({ts} as date) <= {extract_date_sql} then {value} end"
        return value, failing(f"case when {ts} is null then {unrecognised} else 'date after the extract date' end")
    if col.type == "integer":
        # Nearly every delivered whole number is written plainly ("144"), and then it is its
        # number's own text: that number is the answer, without the pattern that strips
        # formatting, which ran on every value (three attendance columns of 10 million rows took
        # 0.6 s against 1.5 s; item 46). DuckDB's cast alone would not do: it rounds "1.5" to 2
        # and reads "0x10".
        # Any other text goes through the cleaning as before, and only there through a double,
        # so a plain number beyond 2^53 now keeps its last digits.
        plain = f"try_cast({v} as bigint)"
        cleaned = _number(v)
        whole = f"try_cast(try_cast({cleaned} as double) as bigint)"
        value = f"case when cast({plain} as varchar) = {v} then {plain} when try_cast({cleaned} as double) = {whole} then {whole} end"
        return value, failing("'not a whole number'")
    if col.type == "decimal":
        return f"try_cast({_number(v)} as double)", failing("'not a number'")
    if col.type == "boolean":
        # A simple CASE, not IN lists: DuckDB plans each IN list of constants as a join.
        words = [*((w, "true") for w in TRUE_WORDS), *((w, "false") for w in FALSE_WORDS)]
        value = f"case upper({v}) {' '.join(f'when {sql_literal(w)} then {b}' for w, b in words)} end"
        return value, failing("'not a yes/no value'")
    raise ValueError(f"unknown column type {col.type}")


def privacy_expr(col: Column, value_sql: str) -> tuple[str, str]:
    """Apply the column's privacy treatment to a conformed value. Returns (value_sql, reason_sql)."""
    if col.privacy == "person_id":
        return f"pseudonymise({sql_literal(col.namespace or '')}, {value_sql})", "NULL"
    if col.privacy == "postcode":
        compact = f"upper(regexp_replace({value_sql}, '\\s', '', 'g'))"
        valid = f"regexp_full_match({compact}, '[A-Z]{{1,2}}[0-9][A-Z0-9]?[0-9][A-Z]{{2}}')"
        sector = f"substr({compact}, 1, length({compact}) - 3) || ' ' || substr({compact}, length({compact}) - 2, 1)"
        return (
            f"case when {valid} then {sector} end",
            f"case when {value_sql} is not null and not {valid} then 'not a valid UK postcode' end",
        )
    return value_sql, "NULL"
