"""Who is on roll where, term by term: the school careers behind the school census.

Two kinds of pupil share the boroughs' schools:

- Children known to social care (the `Journeys` of simulate_borough), with the UPN Mosaic gives
  them (`upn_for`). They live in their borough from a few years before their first referral to
  a few years after their last involvement; while resident and of school age most attend a
  school in their own borough, some one in the other borough, some none in either (independent
  or another authority's). While looked after, about half are placed out of the boroughs and
  attend a school there; those and any others at schools neither borough runs are in the
  extract while in care, because the Virtual School tracks every looked-after child.
- Everyone else: cohorts that enter nursery or reception, move up a year group each September,
  change phase at Year 7, and leave at 16 or 18; some leave or arrive between years and during
  a year (inner London's high mobility). Numbers are set each year so that the rolls, together
  with the children known to social care, follow the borough's roll and its trend.

Everything is vectorised over pupils; the loops run over academic years and year groups only.
Output: `Roster` with one entry per pupil and one row per pupil, census term and school.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipelines.synthetic.calendar import add_years, day
from pipelines.synthetic.education_calendar import SchoolCalendar, reception_year
from pipelines.synthetic.education_profiles import ACADEMIC_YEARS, EDUCATION_PROFILES
from pipelines.synthetic.education_schools import SchoolRegister
from pipelines.synthetic.pinning import OPEN

YEAR_GROUPS = np.arange(-1, 14)  # -1 = nursery (E2), 0 = reception, 1..13
# Relative size of a year group on the borough's rolls: nursery classes take some of the
# cohort, sixth forms about half.
ROLL_WEIGHT = np.array([0.45] + [1.0] * 7 + [0.95] * 5 + [0.55] * 2)
# Chance of leaving the boroughs' schools when moving up from a year group (index g + 1).
LEAVE_AFTER = np.array([0.35] + [0.04] * 6 + [0.25] + [0.04] * 4 + [0.45, 0.04, 1.0])
MID_YEAR_MOVES = 0.03
SPECIAL_SCHOOL_SHARE = 0.014
NURSERY_SCHOOL_SHARE = 0.30
UPN_LETTERS = np.array(list("BCDEFGHJKLMNPQRTUVWXYZ"))  # 'A' is left to the Mosaic-derived UPNs


@dataclass
class Roster:
    # one entry per pupil
    cohort: np.ndarray  # academic year of reception
    dob: np.ndarray
    sex: np.ndarray
    ethnicity: np.ndarray
    upn: np.ndarray  # bytes (S13)
    home_borough: np.ndarray  # borough whose schools the pupil belongs to (-1: none)
    mosaic_borough: np.ndarray  # -1 when not known to social care
    mosaic_child: np.ndarray  # index into that borough's Journeys children, -1 otherwise
    special: np.ndarray
    first_term: np.ndarray
    # one row per pupil, census term and school
    row_pupil: np.ndarray
    row_term: np.ndarray
    row_school: np.ndarray

    @property
    def n(self) -> int:
        return len(self.cohort)


def roll_targets(la_code: str, scale: int) -> np.ndarray:
    """Expected pupils on roll per academic year (rows) and year group (columns)."""
    edu = EDUCATION_PROFILES[la_code]
    base = edu.roll_spring_2023 * scale / ROLL_WEIGHT.sum()
    years = np.array(ACADEMIC_YEARS)[:, None] - ACADEMIC_YEARS[-1]
    trend = np.where(YEAR_GROUPS[None, :] <= 6, (1 + edu.primary_roll_trend) ** years, (1 + edu.secondary_roll_trend) ** years)
    return base * ROLL_WEIGHT[None, :] * trend


def social_care_status(journeys, days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(child x day) grids: in need (an open referral), on a child protection plan, looked after."""
    n = len(journeys.person_id)

    def grid(child, start, end):
        g = np.zeros((n, len(days)), dtype=bool)
        is_open = (start[:, None] <= days[None, :]) & (end[:, None] > days[None, :])
        rows, cols = np.nonzero(is_open)
        g[child[rows], cols] = True
        return g

    cin = grid(journeys.ref_child, journeys.ref_date, journeys.ref_close)
    cp = grid(journeys.ref_child[journeys.cp_ref], journeys.cp_start, journeys.cp_end)
    cla = grid(journeys.cla_child, journeys.cla_start, journeys.cla_end)
    return cin | cp | cla, cp, cla


def _residence(rng, journeys) -> tuple[np.ndarray, np.ndarray]:
    """Days a child known to social care lives in the borough: from some years before the first
    referral to some years after the last involvement (families move a lot in inner London)."""
    n = len(journeys.person_id)
    extract = journeys.extract_day
    first = np.full(n, OPEN, dtype=np.int64)
    np.minimum.at(first, journeys.ref_child, journeys.ref_date)
    last = np.full(n, -OPEN, dtype=np.int64)
    np.maximum.at(last, journeys.ref_child, np.minimum(journeys.ref_close, extract))
    np.maximum.at(last, journeys.cla_child, np.minimum(journeys.cla_end, extract))
    before = (rng.exponential(3.0, n) * 365).astype(np.int64)
    after = (rng.exponential(2.5, n) * 365).astype(np.int64)
    return np.maximum(first - before, journeys.child_dob), last + after


def _social_care_pupils(rng, b: int, journeys, register: SchoolRegister, cal: SchoolCalendar) -> dict:
    """Rows of children known to social care in borough b: who is on roll where, by term."""
    j = journeys
    n = len(j.person_id)
    days = cal.census_day
    _cin, _cp, cla = social_care_status(j, days)
    res_from, res_to = _residence(rng, j)
    cohort = reception_year(j.child_dob)
    g = cal.academic_year[None, :] - cohort[:, None]
    nursery = rng.random(n) < 0.5
    sixth_form = rng.random(n) < 0.5
    in_age = (g >= np.where(nursery, -1, 0)[:, None]) & (g <= np.where(sixth_form, 13, 11)[:, None])
    ever_cla = cla.any(axis=1)
    # 0 own borough, 1 the other borough, 2 neither (independent school or another authority)
    where = rng.choice(3, size=n, p=[0.80, 0.06, 0.14])
    placed_away = ever_cla & (rng.random(n) < 0.5)
    resident = (res_from[:, None] <= days[None, :]) & (res_to[:, None] >= days[None, :])
    eligible = in_age & cal.in_census[None, :] & ~j.child_uasc[:, None]
    # The Virtual School follows every looked-after child: one placed away, or at a school
    # neither borough runs, is on roll at a school elsewhere while in care.
    away = eligible & cla & (placed_away | (where == 2))[:, None]
    local = eligible & resident & (where[:, None] < 2) & ~away
    special = rng.random(n) < 0.05
    school_borough = np.where(where == 1, 1 - b, b)
    schools = {}
    for phase in ("PRI", "SEC", "SPE"):
        schools[phase] = np.empty(n, dtype=np.int64)
        for sb in (0, 1):
            k = np.flatnonzero(school_borough == sb)
            schools[phase][k] = register.pick(rng, sb, phase, len(k))
        schools["away_" + phase] = register.pick(rng, -1 - b, phase, n)
    rows_child, rows_term = np.nonzero(local | away)
    gr = g[rows_child, rows_term]
    is_away = away[rows_child, rows_term]
    phase_school = np.where(gr <= 6, schools["PRI"][rows_child], schools["SEC"][rows_child])
    phase_school = np.where(special[rows_child], schools["SPE"][rows_child], phase_school)
    away_school = np.where(gr <= 6, schools["away_PRI"][rows_child], schools["away_SEC"][rows_child])
    away_school = np.where(special[rows_child], schools["away_SPE"][rows_child], away_school)
    school = np.where(is_away, away_school, phase_school)
    # The closed primary's pupils moved to another primary of the same borough.
    closed = register.close_day[school] < days[rows_term]
    for sb in (0, 1):
        moving = closed & (register.borough[school] == sb)
        if moving.any():
            school[moving] = register.pick(rng, sb, "PRI", n)[rows_child[moving]]
    return {
        "n": n,
        "cohort": cohort,
        "special": special,
        "school_borough": np.where(where == 2, -1, school_borough),
        "row_child": rows_child,
        "row_term": rows_term,
        "row_school": school,
    }


def _step_cohorts(rng, targets: np.ndarray, social_counts: np.ndarray, cal: SchoolCalendar) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ordinary pupils of one borough's schools: (cohort, first term, last term) per pupil."""
    last_census_term = int(np.flatnonzero(cal.in_census).max())
    cohorts, firsts, lasts = [], [], []
    open_cohort = np.empty(0, dtype=np.int64)
    open_first = np.empty(0, dtype=np.int64)

    def close(cohort, first, last):
        cohorts.append(cohort)
        firsts.append(first)
        lasts.append(np.full(len(cohort), last, dtype=np.int64) if np.isscalar(last) else last)

    for i, ay in enumerate(ACADEMIC_YEARS):
        ta = cal.first_term_of(ay)
        wanted = np.maximum(np.round(targets[i] - social_counts[i]), 0).astype(np.int64)
        if i > 0:
            g_before = (ay - 1) - open_cohort
            leaving = rng.random(len(open_cohort)) < LEAVE_AFTER[g_before + 1]
            close(open_cohort[leaving], open_first[leaving], ta - 1)
            open_cohort, open_first = open_cohort[~leaving], open_first[~leaving]
            have = np.bincount(ay - open_cohort + 1, minlength=len(YEAR_GROUPS))
            excess = np.flatnonzero(have > wanted)
            drop = np.zeros(len(open_cohort), dtype=bool)
            for gi in excess:  # loop over year groups, not pupils
                members = np.flatnonzero(ay - open_cohort + 1 == gi)
                drop[rng.choice(members, size=int(have[gi] - wanted[gi]), replace=False)] = True
            close(open_cohort[drop], open_first[drop], ta - 1)
            open_cohort, open_first = open_cohort[~drop], open_first[~drop]
            have = np.bincount(ay - open_cohort + 1, minlength=len(YEAR_GROUPS))
        else:
            have = np.zeros(len(YEAR_GROUPS), dtype=np.int64)
        joiners = np.maximum(wanted - have, 0)
        new_cohort = np.repeat(ay - YEAR_GROUPS, joiners)
        open_cohort = np.concatenate([open_cohort, new_cohort])
        open_first = np.concatenate([open_first, np.full(len(new_cohort), ta, dtype=np.int64)])
        # Moves during the year: a leaver after term k is replaced by an arrival in term k + 1.
        terms = int(cal.in_census[ta : ta + 3].sum())
        if terms > 1:
            moving = np.flatnonzero(rng.random(len(open_cohort)) < MID_YEAR_MOVES)
            k = rng.integers(0, terms - 1, len(moving))
            close(open_cohort[moving], open_first[moving], ta + k)
            arrivals_cohort = open_cohort[moving]
            keep = np.ones(len(open_cohort), dtype=bool)
            keep[moving] = False
            open_cohort = np.concatenate([open_cohort[keep], arrivals_cohort])
            open_first = np.concatenate([open_first[keep], ta + k + 1])
    close(open_cohort, open_first, last_census_term)
    return np.concatenate(cohorts), np.concatenate(firsts), np.concatenate(lasts)


def _ordinary_rows(rng, b: int, cohort, first, last, register: SchoolRegister, cal: SchoolCalendar) -> dict:
    n = len(cohort)
    special = rng.random(n) < SPECIAL_SCHOOL_SHARE
    nursery_school = rng.random(n) < NURSERY_SCHOOL_SHARE
    has_nursery = bool(((register.borough == b) & (register.phase == "NUR")).any())
    prim = register.pick(rng, b, "PRI", n)
    sec = register.pick(rng, b, "SEC", n)
    spe = register.pick(rng, b, "SPE", n)
    nur = register.pick(rng, b, "NUR", n) if has_nursery else prim
    # One entry per pupil and term before the census filter: tens of millions at national
    # scale, so positions are held as 32-bit integers (the values are the same).
    prim, sec, spe, nur = (a.astype(np.int32) for a in (prim, sec, spe, nur))
    length = last - first + 1
    total = int(length.sum())
    index = np.int32 if total < 2**31 else np.int64
    row_pupil = np.repeat(np.arange(n, dtype=index), length)
    row_term = np.arange(total, dtype=index) - np.repeat((np.cumsum(length) - length).astype(index), length) + np.repeat(first.astype(index), length)
    gr = cal.academic_year[row_term].astype(np.int16) - cohort[row_pupil].astype(np.int16)
    school = np.where(gr >= 7, sec[row_pupil], np.where((gr == -1) & nursery_school[row_pupil], nur[row_pupil], prim[row_pupil]))
    school = np.where(special[row_pupil], spe[row_pupil], school)
    closed = register.close_day[school] < cal.census_day[row_term]
    if closed.any():
        # Pupils of the closed primary move together to one other primary each.
        moved_to = register.pick(rng, b, "PRI", n)
        school = np.where(closed, moved_to[row_pupil], school)
    keep = cal.in_census[row_term]
    return {"special": special, "row_pupil": row_pupil[keep], "row_term": row_term[keep], "row_school": school[keep]}


def build_roster(gen, register: SchoolRegister, cal: SchoolCalendar, stream: int) -> Roster:
    from pipelines.synthetic.generate import upn_for  # generate imports this module's package

    boroughs = [j.profile for j in gen.journeys]
    parts = []
    social = []
    for b, journeys in enumerate(gen.journeys):
        social.append(_social_care_pupils(gen.rng(b, stream), b, journeys, register, cal))
    # Children known to social care on each borough's rolls at each spring census (the DfE's
    # main census, which the published rolls describe), by year group.
    social_counts = np.zeros((2, len(ACADEMIC_YEARS), len(YEAR_GROUPS)))
    for s in social:
        term = s["row_term"]
        autumn = cal.term[term] == 1
        sb = register.borough[s["row_school"][autumn]]
        ay_i = (cal.academic_year[term[autumn]] - ACADEMIC_YEARS[0]).astype(np.int64)
        g = cal.academic_year[term[autumn]] - s["cohort"][s["row_child"][autumn]]
        ok = sb >= 0
        np.add.at(social_counts, (sb[ok], ay_i[ok], g[ok] + 1), 1)

    offset = 0
    for b, journeys in enumerate(gen.journeys):
        rng = gen.rng(b, stream + 1)
        cohort, first, last = _step_cohorts(rng, roll_targets(boroughs[b].la_code, gen.spec.scale), social_counts[b], cal)
        rows = _ordinary_rows(rng, b, cohort, first, last, register, cal)
        n = len(cohort)
        k = np.arange(offset, offset + n, dtype=np.int64)
        digits = (k * 104_729 + 7_777) % 10**9
        upn = np.char.add(np.char.add(UPN_LETTERS[k % len(UPN_LETTERS)], boroughs[b].la_code), np.char.zfill(digits.astype(str), 9))
        dob = _dob_in_cohort(rng, cohort)
        parts.append(
            {
                "cohort": cohort,
                "dob": dob,
                "sex": np.where(rng.random(n) < 0.51, "M", "F"),
                "ethnicity": None,  # drawn once residence is known
                "upn": upn.astype("S13"),
                "home_borough": np.full(n, b),
                "mosaic_borough": np.full(n, -1),
                "mosaic_child": np.full(n, -1),
                "special": rows["special"],
                "first_term": first,
                "rows": (rows["row_pupil"], rows["row_term"], rows["row_school"]),
            }
        )
        offset += n
    for b, (journeys, s) in enumerate(zip(gen.journeys, social)):
        n = s["n"]
        upn = upn_for(boroughs[b].la_code, journeys.person_id).astype("S13")
        first = np.full(n, 99, dtype=np.int64)
        np.minimum.at(first, s["row_child"], s["row_term"])
        parts.append(
            {
                "cohort": s["cohort"],
                "dob": journeys.child_dob,
                "sex": journeys.child_sex,
                "ethnicity": journeys.child_ethnicity,
                "upn": upn,
                "home_borough": s["school_borough"],
                "mosaic_borough": np.full(n, b),
                "mosaic_child": np.arange(n),
                "special": s["special"],
                "first_term": first,
                "rows": (s["row_child"], s["row_term"], s["row_school"]),
            }
        )
    return _assemble(gen, parts, boroughs)


def _dob_in_cohort(rng, cohort: np.ndarray) -> np.ndarray:
    """Birth dates of children in reception in academic year `cohort` (born September to August)."""
    start = add_years(np.full(len(cohort), day("2000-09-01")), cohort - 2006)
    return start + rng.integers(0, 365, len(cohort))


def _assemble(gen, parts: list[dict], boroughs) -> Roster:
    sizes = [len(p["cohort"]) for p in parts]
    starts = np.cumsum([0] + sizes[:-1])
    # The rows (tens of millions at national scale) go to their narrow types before they are
    # joined and sorted, and each part's copy goes as soon as it is joined.
    rows = [p.pop("rows") for p in parts]
    rows_p = np.concatenate([r[0].astype(np.int32) + int(s) for r, s in zip(rows, starts)])
    rows_t = np.concatenate([r[1].astype(np.int8) for r in rows])
    rows_s = np.concatenate([r[2].astype(np.int32) for r in rows])
    del rows
    # Ethnicity of ordinary pupils: their borough's child population.
    from pipelines.synthetic.social_care import _ethnicity

    for b, p in enumerate(parts):
        if p["ethnicity"] is None:
            p["ethnicity"] = _ethnicity(gen.rng(b % 2, 47), boroughs[b % 2].ethnicity_mix, len(p["cohort"]))
    order = np.lexsort((rows_t, rows_p))
    # Narrow types throughout: at national scale there are millions of pupils.
    dtypes = {"cohort": np.int16, "dob": np.int32, "sex": "S1", "ethnicity": "S4", "upn": "S13", "home_borough": np.int8, "mosaic_borough": np.int8, "mosaic_child": np.int32, "special": bool, "first_term": np.int8}
    cat = {k: np.concatenate([np.asarray(p[k]).astype(t) for p in parts]) for k, t in dtypes.items()}
    return Roster(**cat, row_pupil=rows_p[order], row_term=rows_t[order], row_school=rows_s[order])
