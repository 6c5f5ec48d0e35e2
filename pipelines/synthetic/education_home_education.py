"""The elective home education register of each borough.

Episodes start through the year (more in September and October), end when the child returns
to school, moves or reaches the end of Year 11, and are pinned to the published counts at the
quarter ends that have them (pinning.pin_stock). A child registered after the first census of
the extract is a pupil who left one of the borough's schools at the end of the term before,
with that pupil's UPN, date of birth and school, so the register links to the school census
(and, for children known to social care, to Mosaic) and the child is not on a school roll
while home educated. Children registered earlier, or for whom no such pupil is found, carry
a UPN of their own, or none (never at an English state school).
"""

from __future__ import annotations

import numpy as np

from pipelines.synthetic.calendar import add_years, day, fy_end, fy_start
from pipelines.synthetic.education_calendar import SchoolCalendar, reception_year
from pipelines.synthetic.education_early_years import postcodes
from pipelines.synthetic.education_profiles import EDUCATION_PROFILES
from pipelines.synthetic.education_pupils import UPN_LETTERS, Roster
from pipelines.synthetic.education_schools import SchoolRegister
from pipelines.synthetic.pinning import OPEN, pin_stock

EHE_REASONS = (np.array(["PHI", "HLT", "MHL", "SEN", "DIS", "LIF", "BUL", "EXC", "PLC", "REL", "OTH", "UNK"]), np.array([0.14, 0.05, 0.14, 0.07, 0.12, 0.08, 0.05, 0.04, 0.03, 0.04, 0.1, 0.14]))
AGE_WEIGHT = np.array([0.6, 0.6, 0.7, 0.7, 0.8, 0.9, 1.3, 1.4, 1.5, 1.5, 1.1])  # ages 5-15 at registration


def _start_days(rng, year: int, n: int, last_day: int) -> np.ndarray:
    """Registration dates in financial year `year`, busier in September and October."""
    first, last = fy_start(year), min(fy_end(year), last_day)
    if last < first or n == 0:
        return np.empty(0, dtype=np.int64)
    span = np.arange(first, last + 1)
    month = span.astype("datetime64[D]").astype("datetime64[M]").astype(int) % 12 + 1
    w = np.select([month == 9, month == 10, month == 8], [2.2, 1.6, 0.4], 1.0) * np.where((span + 3) % 7 >= 5, 0.1, 1.0)
    return np.sort(rng.choice(span, size=n, p=w / w.sum()))


def school_leavers(roster: Roster, resident_la: np.ndarray, last_term_cut: np.ndarray, register: SchoolRegister, cal: SchoolCalendar, b: int, la_code: str) -> dict:
    """Pupils not known to social care, living in borough b, who left one of its schools before
    the last census of the extract while of compulsory school age: the children the register's
    recent entries can be."""
    rows_p = roster.row_pupil
    last = np.r_[np.flatnonzero(rows_p[1:] != rows_p[:-1]), len(rows_p) - 1] if len(rows_p) else np.empty(0, dtype=np.int64)
    pupil = rows_p[last]
    term = np.minimum(roster.row_term[last].astype(np.int64), last_term_cut[pupil])
    school = roster.row_school[last]
    g = cal.academic_year[term] - roster.cohort[pupil]
    final = int(np.flatnonzero(cal.in_census).max())
    keep = (roster.mosaic_borough[pupil] < 0) & (resident_la[pupil] == la_code) & (register.borough[school] == b) & (term < final) & (g >= 1) & (g <= 10)
    return {"pupil": pupil[keep], "term": term[keep], "school": school[keep]}


def _link(rng, start, dob, leavers: dict, roster: Roster, cal: SchoolCalendar) -> np.ndarray:
    """For each episode, a leaver of the same cohort whose last term ended before the start
    (the latest such term), or -1. Each leaver is used once."""
    term_e = np.searchsorted(cal.end_day, start, side="left") - 1  # last term over before the start
    key_e = np.where(term_e >= 0, reception_year(dob) * 100 + term_e, -1)
    key_c = roster.cohort[leavers["pupil"]].astype(np.int64) * 100 + leavers["term"]
    order = np.lexsort((rng.random(len(key_c)), key_c))
    sorted_keys = key_c[order]
    e_order = np.argsort(key_e, kind="stable")
    keys_sorted_e = key_e[e_order]
    first_of_key = np.searchsorted(keys_sorted_e, keys_sorted_e, side="left")
    rank = np.arange(len(keys_sorted_e)) - first_of_key
    lo = np.searchsorted(sorted_keys, keys_sorted_e, side="left")
    hi = np.searchsorted(sorted_keys, keys_sorted_e, side="right")
    found = (keys_sorted_e >= 0) & (lo + rank < hi)
    match = np.full(len(start), -1, dtype=np.int64)
    match[e_order[found]] = order[lo[found] + rank[found]]
    return match


def elective_home_education(gen, b: int, register: SchoolRegister, stream: int, upn_offset: int, roster: Roster, leavers: dict, cal: SchoolCalendar) -> dict:
    rng = gen.rng(b, stream)
    profile = gen.journeys[b].profile
    edu = EDUCATION_PROFILES[profile.la_code]
    scale = gen.spec.scale
    extract = day(gen.spec.extract_date)
    starts = [_start_days(rng, year, count * scale, extract) for year, count in sorted(edu.ehe_starts.items())]
    last_year = max(edu.ehe_starts) + 1  # the part of the current financial year before the extract
    part_year = int(round(edu.ehe_starts[last_year - 1] * scale * max(0, extract - fy_start(last_year)) / 365))
    starts.append(_start_days(rng, last_year, part_year, extract))
    start = np.concatenate(starts)
    n = len(start)
    age_days = rng.choice(np.arange(5, 16), size=n, p=AGE_WEIGHT / AGE_WEIGHT.sum()) * 365 + rng.integers(0, 365, n)
    dob = start - age_days
    sex = np.where(rng.random(n) < 0.5, "M", "F")
    secondary = age_days >= 11 * 365
    previous_urn = np.where(secondary, register.urn[register.pick(rng, b, "SEC", n)], register.urn[register.pick(rng, b, "PRI", n)]).astype(str)
    k = upn_offset + np.arange(n, dtype=np.int64)
    digits = (k * 104_729 + 7_777) % 10**9
    upn = np.char.add(np.char.add(UPN_LETTERS[k % len(UPN_LETTERS)], profile.la_code), np.char.zfill(digits.astype(str), 9))
    upn = np.where(rng.random(n) < 0.85, upn, "")
    # Recent registrations: pupils who left the borough's schools.
    match = _link(rng, start, dob, leavers, roster, cal)
    linked = match >= 0
    pupil = leavers["pupil"][match[linked]]
    upn = upn.astype("<U13")
    upn[linked] = roster.upn[pupil].astype(str)
    dob[linked] = roster.dob[pupil]
    sex[linked] = roster.sex[pupil].astype(str)
    previous_urn[linked] = register.urn[leavers["school"][match[linked]]].astype(str)
    previous_urn = np.where(upn == "", "", previous_urn)
    # Compulsory school age ends on the last Friday of June of Year 11: 30 June here.
    end_compulsory = add_years(np.full(n, day("2000-06-30")), reception_year(dob) + 11 - 2000)
    duration = np.exp(rng.normal(np.log(700), 0.8, n)).astype(np.int64)
    end = np.minimum(start + duration, end_compulsory)
    snaps = [(day(d), int(v) * scale) for d, v in edu.ehe_open.items()]
    end = pin_stock(rng, start, end, snaps, end_max=end_compulsory, extend_days=(60, 400))
    end = np.minimum(end, end_compulsory)
    return {
        "la_code": np.full(n, profile.la_code),
        "ehe_case_id": np.char.add("EHE" + profile.la_code, np.char.zfill((np.arange(n) + 1).astype(str), 6)),
        "upn": upn,
        "date_of_birth": dob,
        "sex": sex,
        "start_date": start,
        "end_date": np.where(end > extract, OPEN, end),
        "reason": EHE_REASONS[0][rng.choice(len(EHE_REASONS[0]), size=n, p=EHE_REASONS[1] / EHE_REASONS[1].sum())],
        "previous_urn": previous_urn,
        "sen_provision": rng.choice(np.array(["N", "K", "E"]), size=n, p=[0.8, 0.15, 0.05]),
        "postcode": postcodes(rng, profile.la_code, n),
    }
