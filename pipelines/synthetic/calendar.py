"""Dates as integer day numbers, and working days with England bank holidays.

The generator works on numpy arrays of day numbers (days since 1970-01-01) because it handles
millions of events at national scale. Working-day offsets use numpy's business-day functions
with the England and Wales bank holidays from the `holidays` package, the same source the dbt
seed of bank holidays is built from, so the generator and the measures agree on what a working
day is.
"""

from __future__ import annotations

from datetime import date
from functools import cache

import holidays
import numpy as np

EPOCH = date(1970, 1, 1)


def day(d: date | str) -> int:
    d = date.fromisoformat(d) if isinstance(d, str) else d
    return (d - EPOCH).days


def to_date(n: int) -> date:
    return date.fromordinal(EPOCH.toordinal() + int(n))


def fy_start(year: int) -> int:
    """First day of financial year `year` (named by its end: 2023 = 2022-23)."""
    return day(date(year - 1, 4, 1))


def fy_end(year: int) -> int:
    return day(date(year, 3, 31))


@cache
def england_bank_holidays(first_year: int = 2005, last_year: int = 2030) -> np.ndarray:
    hols = holidays.country_holidays("GB", subdiv="ENG", years=range(first_year, last_year + 1))
    return np.array(sorted(hols.keys()), dtype="datetime64[D]")


def add_working_days(days: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Day numbers `n` working days after `days` (a start on a weekend rolls to Monday first)."""
    d = np.asarray(days, dtype="int64").astype("datetime64[D]")
    out = np.busday_offset(d, np.asarray(n, dtype="int64"), roll="forward", holidays=england_bank_holidays())
    return out.astype("int64")


def years_between(earlier: np.ndarray, later: np.ndarray) -> np.ndarray:
    """Whole years from `earlier` to `later` (ages), exact to the birthday."""
    e = np.asarray(earlier, dtype="int64").astype("datetime64[D]")
    l_ = np.asarray(later, dtype="int64").astype("datetime64[D]")
    ey, em, ed = _ymd(e)
    ly, lm, ld = _ymd(l_)
    before_birthday = (lm < em) | ((lm == em) & (ld < ed))
    return ly - ey - before_birthday.astype(int)


def _ymd(d: np.ndarray):
    y = d.astype("datetime64[Y]").astype(int) + 1970
    m = d.astype("datetime64[M]").astype(int) % 12 + 1
    dd = (d - d.astype("datetime64[M]")).astype(int) + 1
    return y, m, dd


def add_years(days: np.ndarray, years: int | np.ndarray) -> np.ndarray:
    """The date `years` later (a 29 February birthday falls on 1 March in non-leap years)."""
    d = np.asarray(days, dtype="int64").astype("datetime64[D]")
    y, m, dd = _ymd(d)
    ny = y + np.asarray(years)
    month_start = (ny - 1970) * 12 + (m - 1)
    first = month_start.astype("datetime64[M]").astype("datetime64[D]")
    out = first + (dd - 1)
    # roll an invalid day (29 Feb in a common year) into the next month
    return out.astype("int64")
