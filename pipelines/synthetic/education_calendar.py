"""The school year of the synthetic extracts: terms, census days and sessions.

Terms are numbered across the simulated academic years (t = 0 is autumn 2018), which lets the
generator hold a pupil's time on roll as a pair of term numbers. Census days follow the DfE
pattern (first Thursday of October, third Thursday of January, third Thursday of May); term
dates are a typical London calendar. A term is in the extract if its census day (for the
census) or its last day (for attendance) falls on or before the extract date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from pipelines.synthetic.calendar import day
from pipelines.synthetic.education_profiles import ACADEMIC_YEARS

TERM_CODES = np.array(["AUT", "SPR", "SUM"])
# Sessions (half days) a pupil on roll for the whole term can attend: 190 school days a year.
FULL_TERM_SESSIONS = np.array([144, 116, 120])
# No attendance was collected for the summer term of 2020 (schools closed to most pupils).
ATTENDANCE_NOT_COLLECTED = {(2020, 2)}


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    offset = (weekday - first.weekday()) % 7
    return first + timedelta(days=offset + 7 * (n - 1))


def academic_year_label(ay: int) -> str:
    """2022 -> '2021/22'."""
    return f"{ay - 1}/{ay % 100:02d}"


def reception_year(dob: np.ndarray) -> np.ndarray:
    """Academic year (named by its end) in which a child born on `dob` is in reception: the
    September after their fourth birthday starts it."""
    d = np.asarray(dob, dtype="int64").astype("datetime64[D]")
    year = d.astype("datetime64[Y]").astype(int) + 1970
    month = d.astype("datetime64[M]").astype(int) % 12 + 1
    return year + np.where(month >= 9, 6, 5)


@dataclass(frozen=True)
class SchoolCalendar:
    academic_year: np.ndarray  # per term t
    term: np.ndarray  # 0 autumn, 1 spring, 2 summer
    census_day: np.ndarray
    start_day: np.ndarray
    end_day: np.ndarray
    in_census: np.ndarray  # census day on or before the extract date
    has_attendance: np.ndarray  # term over by the extract date and attendance collected
    funding_start: np.ndarray  # early years funding terms: 1 Sep, 1 Jan, 1 Apr
    funding_end: np.ndarray

    @property
    def n_terms(self) -> int:
        return len(self.term)

    def term_index(self, ay: int, term: int) -> int:
        return (ay - ACADEMIC_YEARS[0]) * 3 + term

    def first_term_of(self, ay: int) -> int:
        return self.term_index(ay, 0)


def school_calendar(extract_day: int) -> SchoolCalendar:
    rows = []
    for ay in ACADEMIC_YEARS:
        autumn, spring = ay - 1, ay
        census = (_nth_weekday(autumn, 10, 3, 1), _nth_weekday(spring, 1, 3, 3), _nth_weekday(spring, 5, 3, 3))
        starts = (date(autumn, 9, 3), date(spring, 1, 4), date(spring, 4, 17))
        ends = (date(autumn, 12, 20), date(spring, 3, 31), date(spring, 7, 21))
        funding = ((date(autumn, 9, 1), date(autumn, 12, 31)), (date(spring, 1, 1), date(spring, 3, 31)), (date(spring, 4, 1), date(spring, 8, 31)))
        for k in range(3):
            rows.append((ay, k, day(census[k]), day(starts[k]), day(ends[k]), day(funding[k][0]), day(funding[k][1])))
    a = np.array(rows, dtype=np.int64)
    in_census = a[:, 2] <= extract_day
    has_attendance = (a[:, 4] <= extract_day) & np.array([(r[0], r[1]) not in ATTENDANCE_NOT_COLLECTED for r in rows])
    return SchoolCalendar(
        academic_year=a[:, 0],
        term=a[:, 1],
        census_day=a[:, 2],
        start_day=a[:, 3],
        end_day=a[:, 4],
        in_census=in_census,
        has_attendance=has_attendance,
        funding_start=a[:, 5],
        funding_end=a[:, 6],
    )
