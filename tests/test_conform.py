"""The SQL that reads a delivered value: blanks, spaces and every date layout councils send.

The expressions carry shortcuts for speed (a space test before trim, a length test before the
two-digit-year pattern); these cases pin that the shortcuts change no answer.
"""

from __future__ import annotations

import re
from datetime import datetime

import duckdb
import pytest

from pipelines.ingest.conform import DATE_FORMATS, TWO_DIGIT_YEAR, TWO_DIGIT_YEAR_MAX_LENGTH, blank_to_null, parsed_timestamp


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
