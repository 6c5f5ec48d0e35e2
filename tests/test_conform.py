"""The SQL that reads a delivered value: blanks, spaces and every date layout councils send.

The expressions carry shortcuts for speed (a space test before trim, a length test before the
two-digit-year pattern); these cases pin that the shortcuts change no answer.
"""

from __future__ import annotations

import re
from datetime import datetime

import duckdb
import pytest

from pipelines.contracts.model import Code, CodeSet, Column, load_contract
from pipelines.ingest.conform import BLANK_WORDS, DATE_FORMATS, FORMULA_LIKE, TWO_DIGIT_YEAR, TWO_DIGIT_YEAR_MAX_LENGTH, blank_to_null, conformed_expr, parsed_timestamp, sql_literal


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("abc", "abc"),
        ("  abc ", "abc"),
        (" abc", "abc"),
        ("abc ", "abc"),
        ("a b", "a b"),
        ("\tabc", "\tabc"),  # trim takes spaces, not tabs or line breaks
        ("abc\n", "abc\n"),
        ("\u00a0abc", "abc"),  # and Unicode spaces: a no-break space from Excel
        ("abc\u3000", "abc"),
        ("\u00a0", None),
        ("caf\u00e9", "caf\u00e9"),
        (" caf\u00e9\u00a0", "caf\u00e9"),
        ("", None),
        ("   ", None),
        ("NULL", None),
        (" N/A ", None),
        ("-", None),
        ("--", "--"),
        (None, None),
    ],
)
def test_blank_to_null(text, expected):
    with duckdb.connect() as con:
        assert con.execute(f"select {blank_to_null('v')} from (select cast(? as varchar) as v)", [text]).fetchall()[0][0] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-05-01", datetime(2023, 5, 1)),
        ("01/05/2023", datetime(2023, 5, 1)),
        ("1/5/2023", datetime(2023, 5, 1)),
        ("01-May-2023", datetime(2023, 5, 1)),
        ("1 May 2023", datetime(2023, 5, 1)),
        ("20230501", datetime(2023, 5, 1)),
        ("01/05/23", datetime(2023, 5, 1)),  # two-digit years, up to nine characters long
        ("1/5/23", datetime(2023, 5, 1)),
        ("15-May-23", datetime(2023, 5, 15)),
        ("1 May 23", datetime(2023, 5, 1)),
        ("01.05.23", datetime(2023, 5, 1)),
        ("45047", datetime(2023, 5, 1)),  # an Excel serial day
        ("2023-05-01 13:45:00", datetime(2023, 5, 1, 13, 45)),
        ("01/01/1899", None),  # out of range
        ("31/02/2023", None),
        ("15-May-2x", None),
    ],
)
def test_dates(text, expected):
    with duckdb.connect() as con:
        assert con.execute(f"select {parsed_timestamp('v')} from (select cast(? as varchar) as v)", [text]).fetchall()[0][0] == expected


def test_no_longer_text_matches_the_two_digit_year_pattern():
    # The length test before the pattern must not hide a match: the pattern's widest match.
    assert re._parser.parse(TWO_DIGIT_YEAR).getwidth()[1] == TWO_DIGIT_YEAR_MAX_LENGTH


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-05-01 13:45:00", datetime(2023, 5, 1, 13, 45)),
        ("2023-05-01 13:45:00.000", datetime(2023, 5, 1, 13, 45)),  # SQL Server's export
        ("2023-05-01 13:45:00.5", datetime(2023, 5, 1, 13, 45, 0, 500000)),
        ("2023-05-01T13:45:07", datetime(2023, 5, 1, 13, 45, 7)),
        ("2023-5-1 9:45:00", datetime(2023, 5, 1, 9, 45)),
        ("2023-02-30 13:45:00", None),  # the shape of a date and time, but no such day
        ("2023-05-01 25:45:00", None),
        ("2023-05-01T13:45:00.123", None),  # no listed format has both
        ("2023-05-01 13:45", None),
        ("1899-05-01 13:45:00", None),  # out of range
        ("01/05/2023", datetime(2023, 5, 1)),  # Excel's UK date, the other shape with a format of its own
        ("1/5/2023", datetime(2023, 5, 1)),
        ("31/04/2023", None),
        ("01/05/2023 13:45", datetime(2023, 5, 1, 13, 45)),  # not the shape: the list reads it
    ],
)
def test_dates_by_shape(text, expected):
    # A value of a shape with a format of its own (ISO_DATETIME, UK_DATE) is tried against that
    # format first: the answer must be the one the whole list of formats gives.
    listed = "try_strptime(v, [" + ", ".join(f"'{f}'" for f in DATE_FORMATS) + "])"
    with duckdb.connect() as con:
        got, by_list = con.execute(f"select {parsed_timestamp('v')}, {listed} from (select cast(? as varchar) as v)", [text]).fetchall()[0]
    assert got == expected
    if expected is not None:
        assert got == by_list


FRUIT = CodeSet(
    name="fruit",
    description="",
    source="",
    codes=(
        Code("A", "Apple's", aliases=("Pomme",)),
        Code("1", "One"),
        Code("b", "Banana"),  # a code in lower case is looked up by its upper-case spelling
        Code("N", "New", since=2030),  # not yet valid in 2023
    ),
)


def _conformed_codes(codeset: CodeSet, texts: list[str | None]) -> list[tuple[str | None, str | None]]:
    column = Column(name="v", type="code", description="", codeset=codeset.name)
    # As ingest does: the text is cleaned a level below, and conformed from that column.
    value, reason = conformed_expr(column, "v", codeset, 2023, "date '2023-05-15'")
    with duckdb.connect() as con:
        con.execute("create table t (i integer, text varchar)")
        con.executemany("insert into t values (?, ?)", list(enumerate(texts)))
        cleaned = f"select i, {blank_to_null('text')} as v from t"
        return con.execute(f"select value, {reason('value')} from (select i, v, {value} as value from ({cleaned})) order by i").fetchall()


def test_code_lookup():
    # Codes, labels and aliases in any case, around spaces and with Excel's ".0", map to the code;
    # a blank is no value and no failure; anything else fails with the reason.
    texts = ["A", "a", " a ", "APPLE'S", "pomme", "1", "1.0", "One", "b", "BANANA", "N", "New", "X", "", "NULL", None]
    got = _conformed_codes(FRUIT, texts)
    failure = "not a fruit code valid in collection year 2023"
    assert got == [
        ("A", None), ("A", None), ("A", None), ("A", None), ("A", None),
        ("1", None), ("1", None), ("1", None), ("b", None), ("b", None),
        (None, failure), (None, failure), (None, failure),
        (None, None), (None, None), (None, None),
    ]


def test_code_lookup_with_no_code_valid_in_the_year():
    later = CodeSet(name="later", description="", source="", codes=(Code("N", "New", since=2030),))
    assert _conformed_codes(later, ["N", None]) == [(None, "not a later code valid in collection year 2023"), (None, None)]


def test_code_lookup_agrees_with_the_code_sets():
    # Every spelling of every code set of the project, as the contract accepts it, and one that
    # no code set has. A spelling that reads as blank ("N/A", an alias of return interviews' NA)
    # never reaches the lookup.
    for codeset in load_contract().codesets.values():
        mapping = codeset.input_map(2023)
        spellings = sorted(s for s in mapping if s not in BLANK_WORDS)
        got = _conformed_codes(codeset, [*spellings, "no such code"])
        assert [value for value, _ in got] == [*(mapping[s] for s in spellings), None], codeset.name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("144", 144),
        ("0", 0),
        ("-5", -5),
        ("007", 7),  # not its number's own text: read through the cleaning, as before
        ("+5", 5),
        ("5\t", 5),
        ("1.0", 1),  # Excel's ".0"
        ("1e3", 1000),
        ("1,000", 1000),  # formatting
        ("£5", 5),
        ("1 000", 1000),
        ("1.5", None),  # DuckDB's cast alone would round these and read hex
        (".5", None),
        ("0x10", None),
        ("0b101", None),
        ("abc", None),
        ("9007199254740993", 9007199254740993),  # beyond 2^53: exact, no longer through a double
        ("9223372036854775807", 9223372036854775807),
        ("9223372036854775808", None),
        (None, None),
    ],
)
def test_whole_numbers(text, expected):
    value, reason = conformed_expr(Column(name="v", type="integer", description=""), "v", None, 2023, "date '2023-05-15'")
    with duckdb.connect() as con:
        got, why = con.execute(f"select value, {reason('value')} from (select v, {value} as value from (select cast(? as varchar) as v))", [text]).fetchall()[0]
    assert got == expected
    assert why == (None if expected is not None or text is None else "not a whole number")


def test_formula_shortcut_agrees_with_the_pattern():
    # Ids and text are passed on the code of their first character when it is a digit or
    # from "A" on; every other value meets FORMULA_LIKE. The two must agree for every first character.
    firsts = [chr(i) for i in range(1, 128)] + ["\u00a0", "\u00e9", "\u2212", "\uff1d", "\U0001f600"]
    texts = [first + rest for first in firsts for rest in ("", "1", "x", " ", ".5", "-")]
    column = Column(name="v", type="text", description="")
    value, _ = conformed_expr(column, "v", None, 2023, "date '2023-05-15'")
    with duckdb.connect() as con:
        con.execute("create table t (v varchar)")
        con.executemany("insert into t values (?)", [[t] for t in texts])
        rows = con.execute(f"select v, {value} as kept, regexp_matches(v, {sql_literal(FORMULA_LIKE)}) as looks_like_formula from t").fetchall()
    assert len(rows) == len(texts)
    for text, kept, looks_like_formula in rows:
        assert (kept is None) == looks_like_formula, repr(text)
    assert sum(kept is None for _, kept, _ in rows) > 20  # =, +, @, tab, CR and "-x" were refused
