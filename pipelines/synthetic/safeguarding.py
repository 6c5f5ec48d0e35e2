"""The front door, child protection visits, assessment factors, early help, EHC plans,
pre-proceedings and disability, built on the journeys of `social_care.simulate_borough`.

    contacts          one before every referral, and many more that lead nowhere
    assessment factors  drawn per completed assessment, by the child's age and sex, the outcome
                      of the referral and the year (child criminal exploitation is a code only
                      from collection year 2022; before that such concerns were coded as gangs)
    child protection visits  about every 10 working days while a plan is open; about one plan in
                      eight is visited late now and then
    early help        episodes that step up into a referral, episodes that follow a case
                      closure (step-down), and early-help-only families, with repeats; the number
                      of families open at each quarter end is pinned to the profile
    EHC plans         request -> decision -> assessment -> plan, with the 20-week clock and
                      exceptions; plans issued per quarter come from the profile
    pre-proceedings   for some children on plans; those who come into care soon after had
                      proceedings issued, the others stepped down
    disability        NONE for most children, one or two CIN census codes for some
    short breaks      agreed series of short breaks (legal status V3 / V4) for disabled children
                      who are never otherwise looked after, added to ssd_legal_status

Everything is vectorised over numpy arrays of day numbers (see calendar.py). Each table draws
from its own random stream (STREAMS), so adding or changing one never shifts another, nor the
core tables. The children are the simulation's children: a synthetic contact, early help episode
or disability row is always about a child in ssd_person (in life many early help families never
meet social care; here every one of them does at some point, before or after).
"""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa

from pipelines.synthetic.calendar import add_years, day, england_bank_holidays, fy_end, fy_start, years_between
from pipelines.synthetic.pinning import OPEN, pin_stock
from pipelines.synthetic.profiles import FIRST_SIMULATED_YEAR, LAST_SIMULATED_YEAR, SAFEGUARDING, interpolate
from pipelines.synthetic.social_care import SOURCE_P, SOURCES, Counters, Journeys, quarter_end_snapshots
from pipelines.synthetic.writer import compact_text

# Random streams of this module (core: 1 journeys, 2 persons, 3 populations).
STREAMS = {
    "contacts": 301,
    "factors": 302,
    "visits": 303,
    "early_help": 304,
    "ehcp": 305,
    "pre_proceedings": 306,
    "disability": 307,
    "short_breaks": 308,
}

# A contact "led to" a referral of the same child within this many days (the dbt var of the same
# name defaults to it); synthetic contacts that lead nowhere keep clear of it.
CONTACT_REFERRAL_WINDOW_DAYS = 7
_KEY = 1_000_000  # day numbers stay below this: (child, day) pairs sort as child * _KEY + day


# ---------------------------------------------------------------------------------------------
# Helpers


def _take(gen, name: str, n: int) -> np.ndarray:
    """Ids from a counter shared by both boroughs, so ids are unique in the extract."""
    return gen.ids.setdefault(name, Counters()).take(n)


def _working_day_index(days: np.ndarray) -> np.ndarray:
    """Working days (England) from 1970-01-01 to each day: a day and the next working day share an
    index when the day itself is not a working day."""
    d = np.asarray(days, dtype="int64").astype("datetime64[D]")
    return np.busday_count(np.datetime64("1970-01-01"), d, holidays=england_bank_holidays())


def _from_working_day_index(index: np.ndarray) -> np.ndarray:
    out = np.busday_offset(np.datetime64("1970-01-01"), np.asarray(index, dtype="int64"), roll="forward", holidays=england_bank_holidays())
    return out.astype("int64")


class Events:
    """Events of children (referrals, say) sorted once by child and day, to find each query's
    next or previous event of the same child with a binary search."""

    def __init__(self, child: np.ndarray, when: np.ndarray) -> None:
        self.child, self.when = child, when
        self.order = np.lexsort((when, child))
        self.keys = child[self.order].astype(np.int64) * _KEY + when[self.order].astype(np.int64)

    def _lookup(self, q_child: np.ndarray, q_day: np.ndarray, side: str, step: int) -> np.ndarray:
        pos = np.searchsorted(self.keys, q_child.astype(np.int64) * _KEY + q_day.astype(np.int64), side=side) + step
        out = np.full(len(q_child), -1, dtype=np.int64)
        hit = np.flatnonzero((pos >= 0) & (pos < len(self.keys)))
        same = self.child[self.order[pos[hit]]] == q_child[hit]
        out[hit[same]] = self.order[pos[hit[same]]]
        return out

    def next(self, q_child: np.ndarray, q_day: np.ndarray, *, strictly_after: bool = False) -> np.ndarray:
        """Index of the child's first event on or after q_day (after, if strict); -1 if none."""
        return self._lookup(q_child, q_day, "right" if strictly_after else "left", 0)

    def previous(self, q_child: np.ndarray, q_day: np.ndarray, *, strictly_before: bool = False) -> np.ndarray:
        """Index of the child's last event on or before q_day (before, if strict); -1 if none."""
        return self._lookup(q_child, q_day, "left" if strictly_before else "right", -1)


def _weekday_dates(rng, start: int, end: int, n: int) -> np.ndarray:
    """n dates drawn uniformly from the weekdays between start and end (inclusive)."""
    first = np.datetime64(int(start), "D")
    weekdays = int(np.busday_count(first, np.datetime64(int(end) + 1, "D")))
    if n == 0 or weekdays <= 0:
        return np.empty(0, dtype=np.int64)
    return np.busday_offset(first, rng.integers(0, weekdays, n), roll="forward").astype(np.int64)


def _pick(rng, values, p, n: int) -> np.ndarray:
    values = np.asarray(values)
    p = np.asarray(p, dtype=float)
    return values[rng.choice(len(values), size=n, p=p / p.sum())]


# ---------------------------------------------------------------------------------------------
# Contacts


def contacts(rng, j: Journeys, gen, referrals: Events) -> dict[str, np.ndarray]:
    """A contact before every referral (same day mostly), and contacts that lead to no referral:
    about the simulation's children, at times when no referral of theirs follows within the
    window, so that linking contacts to referrals in the warehouse finds exactly the intended ones."""
    profile = SAFEGUARDING[j.profile.la_code]
    n_ref = len(j.ref_date)
    lag = _pick(rng, [0, 1, 2, 3, 5], [0.62, 0.22, 0.08, 0.05, 0.03], n_ref)
    led = j.ref_date - lag

    n_other = int(round(n_ref * (profile.contacts_per_referral - 1.0)))
    first_day = fy_start(FIRST_SIMULATED_YEAR)
    n_children = len(j.person_id)
    cand_child = rng.integers(0, n_children, int(n_other * 1.3) + 10)
    born = j.child_dob[cand_child]
    lo = np.maximum(first_day, born - 120)
    hi = np.minimum(j.extract_day, add_years(born, 18) - 1)
    ok = hi > lo
    cand_child, lo, hi = cand_child[ok], lo[ok], hi[ok]
    cand_day = lo + (rng.random(len(lo)) * (hi - lo)).astype(np.int64)
    nxt = referrals.next(cand_child, cand_day)
    clear = (nxt < 0) | (j.ref_date[np.maximum(nxt, 0)] - cand_day > CONTACT_REFERRAL_WINDOW_DAYS + 7)
    cand_child, cand_day = cand_child[clear][:n_other], cand_day[clear][:n_other]

    child = np.concatenate([j.ref_child, cand_child])
    when = np.concatenate([led, cand_day])
    order = np.lexsort((child, when))
    child, when = child[order], when[order]
    uasc = j.child_uasc[child]
    n = len(child)
    return {
        "la_code": np.full(n, j.profile.la_code),
        "cont_contact_id": _take(gen, "contact", n),
        "cont_person_id": j.person_id[child],
        "cont_contact_date": when,
        "cont_contact_source_code": np.where(uasc, "5C", _pick(rng, SOURCES, SOURCE_P, n)),
        "cont_contact_outcome_json": np.full(n, ""),
    }


# ---------------------------------------------------------------------------------------------
# Assessment factors

# (code, rate per completed assessment, who it applies to). Rates are shares of assessments in
# the spirit of the national CIN statistics; "adolescent" factors apply from age 10 and their
# rate is the rate among 10-17 year olds.
FACTORS = (
    ("1A", 0.04, "adolescent"), ("1B", 0.07, "all"), ("1C", 0.015, "all"),
    ("2A", 0.08, "adolescent"), ("2B", 0.09, "all"), ("2C", 0.02, "all"),
    ("3A", 0.12, "all"), ("3B", 0.24, "all"), ("3C", 0.04, "all"),
    ("4A", 0.0, "school_age"),  # child mental health: rate from the profile, by year and quarter
    ("4B", 0.22, "all"), ("4C", 0.03, "all"),
    ("5A", 0.05, "all"), ("5B", 0.03, "all"), ("6A", 0.03, "all"), ("6B", 0.04, "all"),
    ("7A", 0.04, "adolescent"), ("8F", 0.002, "all"),
    ("10A", 0.10, "adolescent"), ("11A", 0.07, "adolescent"), ("12A", 0.015, "adolescent"),
    ("13A", 0.05, "adolescent"), ("14A", 0.12, "adolescent"), ("15A", 0.12, "adolescent"),
    ("16A", 0.15, "all"), ("17A", 0.18, "all"), ("18B", 0.02, "all"), ("18C", 0.10, "all"),
    ("19B", 0.02, "all"), ("19C", 0.04, "all"), ("20", 0.08, "all"),
    ("22A", 0.003, "girls"), ("23A", 0.003, "all"), ("24A", 0.07, "adolescent"),
)
# Referral outcome (Journeys.ref_outcome) -> multiplier for abuse and neglect factors.
_ABUSE_CODES = ("3A", "3B", "16A", "17A", "18C", "19C")
_ABUSE_BY_OUTCOME = np.array([0.6, 0.7, 1.0, 1.5, 2.2, 1.6])
CCE_FIRST_COLLECTION_DAY = day("2021-04-01")  # 24A exists from collection year 2022 (2021-22)


def assessment_factors(rng, j: Journeys, gen) -> dict[str, np.ndarray]:
    """One row per completed assessment, with the factors as a JSON object of code -> "Yes" (the
    form the SSD's live scripts write); "21" (no factors identified) when none was drawn."""
    profile = SAFEGUARDING[j.profile.la_code]
    done = np.flatnonzero(j.assessment_auth < OPEN)
    ref = j.assessment_ref[done]
    child = j.ref_child[ref]
    auth = j.assessment_auth[done]
    age = years_between(j.child_dob[child], auth)
    girl = j.child_sex[child] == "F"
    outcome = j.ref_outcome[ref].astype(int)
    uasc = j.ref_is_uasc[ref]
    n = len(done)
    adolescent = age >= 10

    fy = np.searchsorted([fy_start(y) for y in range(FIRST_SIMULATED_YEAR, LAST_SIMULATED_YEAR + 3)], auth, side="right") + FIRST_SIMULATED_YEAR - 1
    mh_rate = interpolate(profile.child_mh_rate, years=range(FIRST_SIMULATED_YEAR, LAST_SIMULATED_YEAR + 3))
    school_age = age >= 5
    school_share = max(school_age.mean(), 0.05)

    codes, chosen = [], []
    for code, rate, who in FACTORS:
        p = np.full(n, rate)
        if who == "adolescent":
            p = np.where(adolescent, rate, 0.0)
        elif who == "girls":
            p = np.where(girl & (age >= 1), rate * 2, 0.0)
        if code in _ABUSE_CODES:
            p = p * _ABUSE_BY_OUTCOME[outcome]
        if code == "11A":
            p = np.where(girl, p * 1.6, p * 0.4)
        if code in ("13A", "24A"):
            p = np.where(girl, p * 0.3, p * 1.7)
        if code == "12A":
            p = np.where(uasc, 0.10, p)
        if code == "4A":
            p = np.where(school_age, np.array([mh_rate[y] for y in fy]) / school_share, 0.0)
        hit = rng.random(n) < np.clip(p, 0, 0.95)
        if code == "24A":
            # Before 2021-22 there was no code for criminal exploitation: it was coded as gangs.
            early = auth < CCE_FIRST_COLLECTION_DAY
            codes_13a = codes.index("13A")
            chosen[codes_13a] |= hit & early
            hit &= ~early
        codes.append(code)
        chosen.append(hit)
    codes.append("9A")
    chosen.append(uasc.copy())
    codes = np.array(codes)
    chosen = np.array(chosen).T  # assessments x factors

    _pin_quarter_counts(rng, chosen[:, list(codes).index("4A")], auth, school_age, profile.child_mh_quarter_counts)

    json = _factors_json(codes, chosen)
    return {
        "la_code": np.full(n, j.profile.la_code),
        "cinf_table_id": _take(gen, "assessment_factors", n),
        "cinf_assessment_id": j.assessment_ids[done],
        "cinf_assessment_factors_json": json,
    }


def _quarter_bounds(fy: int, q: int) -> tuple[int, int]:
    """First and last day of quarter q (1 = April-June) of financial year fy."""
    if q == 4:
        return day(f"{fy}-01-01"), fy_end(fy)
    return day(f"{fy - 1}-{3 * q + 1:02d}-01"), day(f"{fy - 1}-{3 * q + 3:02d}-{[30, 30, 31][q - 1]}")


def _pin_quarter_counts(rng, flag: np.ndarray, when: np.ndarray, eligible: np.ndarray, targets: dict[tuple[int, int], int]) -> None:
    """Set exactly `target` flags among the events of each (financial year, quarter) in targets.
    The published count (WCC, F004-L0678-01) is "the highest point over 24 months", so the seven
    quarters before it are kept below it."""
    for (fy, q), target in targets.items():
        start, end = _quarter_bounds(fy, q)
        in_q = np.flatnonzero((when >= start) & (when <= end) & eligible)
        flag[(when >= start) & (when <= end)] = False
        flag[rng.choice(in_q, size=min(target, len(in_q)), replace=False)] = True
        for back in range(1, 8):
            b_fy, b_q = divmod(fy * 4 + q - 1 - back, 4)
            b_start, b_end = _quarter_bounds(b_fy, b_q + 1)
            flagged = np.flatnonzero(flag & (when >= b_start) & (when <= b_end))
            excess = len(flagged) - (target - 1 - int(rng.integers(0, 6)))
            if excess > 0:
                flag[rng.choice(flagged, size=excess, replace=False)] = False


def _factors_json(codes: np.ndarray, chosen: np.ndarray) -> np.ndarray:
    """'{"3B": "Yes", "4A": "Yes"}' per row: the (row, factor) pairs joined by DuckDB, which
    keeps national volumes fast; a row with no factor gets "21" (no factors identified)."""
    rows, cols = np.nonzero(chosen)
    tokens = np.char.add(np.char.add('"', codes.astype(str)), '": "Yes"')[cols]
    con = duckdb.connect()
    try:
        con.register("pairs", pa.table({"row_number": rows, "factor": cols, "token": tokens}))
        joined = con.execute(
            "select row_number, '{' || string_agg(token, ', ' order by factor) || '}' as json from pairs group by row_number"
        ).fetchnumpy()
    finally:
        con.close()
    out = np.full(chosen.shape[0], '{"21": "Yes"}', dtype=object)
    out[joined["row_number"]] = joined["json"]
    return out.astype(str)


# ---------------------------------------------------------------------------------------------
# Child protection visits


def cp_visits(rng, j: Journeys, gen) -> dict[str, np.ndarray]:
    """Visits while each plan is open: the first within 5 working days of the conference, then
    every 5-10 working days. About one plan in eight is visited late now and then (11-20 working
    days); the others almost never."""
    n_plans = len(j.cp_start)
    if n_plans == 0:
        return _empty_visits()
    end = np.minimum(j.cp_end, j.extract_day + 1)
    start_wd = _working_day_index(j.cp_start)
    end_wd = _working_day_index(end)
    span = np.maximum(end_wd - start_wd, 0)
    slots = span // 4 + 2
    plan = np.repeat(np.arange(n_plans), slots)
    first = np.r_[0, np.cumsum(slots)[:-1]]
    poorly_visited = rng.random(n_plans) < 0.12
    late_p = np.where(poorly_visited[plan], 0.12, 0.002)
    step = np.where(rng.random(len(plan)) < late_p, rng.integers(11, 21, len(plan)), rng.integers(5, 11, len(plan)))
    step[first] = rng.integers(1, 6, n_plans)
    offset = np.cumsum(step) - np.repeat(np.cumsum(step)[first] - step[first], slots)
    visit_wd = start_wd[plan] + offset
    keep = visit_wd < end_wd[plan]
    plan, visit_wd = plan[keep], visit_wd[keep]
    visit_day = _from_working_day_index(visit_wd)
    visit_day = np.maximum(visit_day, j.cp_start[plan])
    child = j.ref_child[j.cp_ref[plan]]
    age = years_between(j.child_dob[child], visit_day)
    n = len(plan)
    seen = rng.random(n) < 0.985
    return {
        "la_code": np.full(n, j.profile.la_code),
        "cppv_cp_visit_id": _take(gen, "cp_visit", n),
        "cppv_person_id": j.person_id[child],
        "cppv_cp_plan_id": j.cp_ids[plan],
        "cppv_cp_visit_date": visit_day,
        "cppv_cp_visit_seen": np.where(seen, "Y", "N"),
        "cppv_cp_visit_seen_alone": np.where(seen & (age >= 4) & (rng.random(n) < 0.75), "Y", "N"),
        "cppv_cp_visit_bedroom": np.where(rng.random(n) < 0.8, "Y", "N"),
    }


def _empty_visits() -> dict[str, np.ndarray]:
    empty = np.empty(0, dtype=np.int64)
    return {k: empty for k in ("cppv_cp_visit_id", "cppv_person_id", "cppv_cp_plan_id", "cppv_cp_visit_date")} | {
        "la_code": np.empty(0, dtype="<U3"), "cppv_cp_visit_seen": np.empty(0, dtype="<U1"),
        "cppv_cp_visit_seen_alone": np.empty(0, dtype="<U1"), "cppv_cp_visit_bedroom": np.empty(0, dtype="<U1"),
    }


# ---------------------------------------------------------------------------------------------
# Early help

EH_REASONS = ("PARENTING", "MENTAL_HEALTH", "DOMESTIC_ABUSE", "WELLBEING", "SOCIO_ECONOMIC", "SUBSTANCE", "DISABILITY", "VULNERABILITIES", "ABUSE_NEGLECT", "OTHER")
EH_REASON_P = (0.26, 0.15, 0.14, 0.12, 0.10, 0.05, 0.06, 0.06, 0.03, 0.03)
EH_END_REASONS = ("OUTCOMES_MET", "NFA", "DISENGAGED", "MOVED", "OTHER")
EH_END_P = (0.62, 0.14, 0.14, 0.05, 0.05)
HUBS = {"207": ("North Kensington Family Hub", "South Kensington Family Hub", "Chelsea Family Hub"),
        "213": ("North Westminster Family Hub", "Central Westminster Family Hub", "South Westminster Family Hub")}
# Share of closed CIN episodes followed by early help (step-down), by referral outcome
# (0 NFA at referral, 1 assessed NFA, 2 CIN plan, 3 s47 no plan, 4 CP plan, 5 looked after).
STEP_DOWN_BY_OUTCOME = np.array([0.04, 0.18, 0.25, 0.15, 0.25, 0.0])
STEP_UP_SHARE = 0.08  # referrals preceded by an early help episode that stepped up


def early_help(rng, j: Journeys, gen, referrals: Events) -> dict[str, np.ndarray]:
    profile = SAFEGUARDING[j.profile.la_code]
    eighteen = add_years(j.child_dob, 18)
    prev_ref = referrals.previous(j.ref_child, j.ref_date, strictly_before=True)
    prev_close = np.where(prev_ref >= 0, j.ref_close[np.maximum(prev_ref, 0)], -OPEN)

    # (a) Early help that stepped up into a referral.
    up = np.flatnonzero(~j.ref_is_uasc & (rng.random(len(j.ref_date)) < STEP_UP_SHARE))
    up_start = j.ref_date[up] - rng.integers(60, 300, len(up))
    up_start = np.maximum.reduce([up_start, prev_close[up] + 1, j.child_dob[j.ref_child[up]]])
    ok = j.ref_date[up] - up_start >= 30
    a_child, a_start, a_end = j.ref_child[up[ok]], up_start[ok], j.ref_date[up[ok]]

    # (b) Early help after a case closed (step-down).
    closed = np.flatnonzero((j.ref_close < j.extract_day) & (rng.random(len(j.ref_date)) < STEP_DOWN_BY_OUTCOME[j.ref_outcome.astype(int)]))
    b_child = j.ref_child[closed]
    b_start = j.ref_close[closed] + rng.integers(0, 22, len(closed))
    b_end = b_start + rng.integers(90, 366, len(closed))

    # (c) Families known only to early help at the time, with some coming back within a year.
    c_child, c_start, c_end = _early_help_only(rng, j, profile, eighteen, len(a_start) + len(b_start), referrals)
    rep = np.flatnonzero((rng.random(len(c_start)) < 0.12))
    r_child = c_child[rep]
    r_start = c_end[rep] + rng.integers(20, 330, len(rep))
    r_end = r_start + rng.integers(60, 300, len(rep))

    child = np.concatenate([a_child, b_child, c_child, r_child])
    start = np.concatenate([a_start, b_start, c_start, r_start])
    end = np.concatenate([a_end, b_end, c_end, r_end])
    flexible = np.concatenate([np.zeros(len(a_start) + len(b_start), bool), np.ones(len(c_start) + len(r_start), bool)])

    # Bounds: not before birth, not while open to social care, not past 18, not past the next
    # referral (the episode then ends as a step-up that day) nor into the child's next episode.
    nxt_ref = referrals.next(child, start, strictly_after=True)
    next_ref_day = np.where(nxt_ref >= 0, j.ref_date[np.maximum(nxt_ref, 0)], OPEN)
    cur_ref = referrals.previous(child, start)
    open_at_start = (cur_ref >= 0) & (j.ref_close[np.maximum(cur_ref, 0)] >= start)
    valid = (start >= j.child_dob[child]) & (start < eighteen[child] - 30) & (start <= j.extract_day) & ~open_at_start & (next_ref_day - start >= 14)
    child, start, end, flexible, next_ref_day = child[valid], start[valid], end[valid], flexible[valid], next_ref_day[valid]
    child, start, end, flexible, next_ref_day = _drop_overlaps(child, start, end, flexible, next_ref_day)
    nxt_eh = Events(child, start).next(child, start, strictly_after=True)
    next_eh_day = np.where(nxt_eh >= 0, start[np.maximum(nxt_eh, 0)] - 1, OPEN)
    end_max = np.minimum.reduce([next_ref_day, next_eh_day, eighteen[child] - 1])
    end = np.minimum(end, end_max)

    snaps = quarter_end_snapshots(interpolate(profile.early_help_families_open), j.scale)
    end = pin_stock(rng, start, end, snaps, end_max=np.maximum(end_max, start + 1), flexible=flexible, extend_days=(30, 200))
    end = np.minimum(end, np.maximum(end_max, start + 1))
    step_up = end == next_ref_day

    # Siblings worked with in the same family episode (early-help-only families).
    family = _take(gen, "early_help_family", len(child))
    sib_of = np.flatnonzero(flexible & (rng.random(len(child)) < 0.35))
    sib_child = rng.integers(0, len(j.person_id), len(sib_of))
    s_next = referrals.next(sib_child, start[sib_of])
    s_cur = referrals.previous(sib_child, start[sib_of])
    s_ok = (
        (j.child_dob[sib_child] <= start[sib_of]) & (eighteen[sib_child] > end[sib_of]) & (sib_child != child[sib_of])
        & ((s_next < 0) | (j.ref_date[np.maximum(s_next, 0)] > end[sib_of]))
        & ((s_cur < 0) | (j.ref_close[np.maximum(s_cur, 0)] < start[sib_of]))
    )
    sib_of, sib_child = sib_of[s_ok], sib_child[s_ok]

    rows = np.concatenate([np.arange(len(child)), sib_of])
    person = np.concatenate([child, sib_child])
    sibling = np.r_[np.zeros(len(child), bool), np.ones(len(sib_of), bool)]
    keep = _no_overlap_mask(person, start[rows], end[rows])
    rows, person, sibling = rows[keep], person[keep], sibling[keep]
    n = len(rows)
    reason = _pick(rng, EH_REASONS, EH_REASON_P, len(child))  # one per family episode: siblings share it
    is_open = end[rows] > j.extract_day
    # The referred child steps up; a sibling's episode closes with the family's.
    end_reason = np.where(step_up[rows] & ~sibling, "STEP_UP", _pick(rng, EH_END_REASONS, EH_END_P, n))
    order = np.lexsort((person, start[rows]))
    rows, person, is_open, end_reason = rows[order], person[order], is_open[order], end_reason[order]
    return {
        "la_code": np.full(n, j.profile.la_code),
        "earl_episode_id": _take(gen, "early_help_episode", n),
        "earl_person_id": j.person_id[person],
        "earl_family_id": family[rows],
        "earl_episode_start_date": start[rows],
        "earl_episode_end_date": np.where(is_open, OPEN, end[rows]),
        "earl_episode_reason": reason[rows],
        "earl_episode_end_reason": np.where(is_open, "", end_reason),
        "earl_episode_organisation": np.array(HUBS[j.profile.la_code])[family[rows] % 3],
    }


def _early_help_only(rng, j: Journeys, profile, eighteen: np.ndarray, n_linked: int, referrals: Events):
    """Episode starts for children at times they are not open to social care: enough that, with
    the linked episodes, the open stock is near the target before pinning moves end dates."""
    targets = interpolate(profile.early_help_families_open)
    years = range(FIRST_SIMULATED_YEAR, LAST_SIMULATED_YEAR + 2)
    linked_per_year = n_linked / len(years)
    children, starts = [], []
    for y in years:
        stock = targets[min(y, LAST_SIMULATED_YEAR)] * j.scale
        frac = 1.0 if y <= LAST_SIMULATED_YEAR else max(0.0, (j.extract_day - fy_start(y) + 1) / 365.0)
        n = int(round(max(0.25 * stock * 365 / 200, stock * 365 / 200 - linked_per_year * 0.8) * frac * 0.85))
        cand = rng.integers(0, len(j.person_id), n * 2 + 10)
        when = _weekday_dates(rng, fy_start(y), min(fy_end(y), j.extract_day), len(cand))
        cur = referrals.previous(cand, when)
        ok = (j.child_dob[cand] <= when) & (when < eighteen[cand] - 60) & ((cur < 0) | (j.ref_close[np.maximum(cur, 0)] < when))
        children.append(cand[ok][:n])
        starts.append(when[ok][:n])
    child = np.concatenate(children)
    start = np.concatenate(starts)
    return child, start, start + rng.integers(60, 380, len(start))


def _drop_overlaps(child, start, end, *others):
    keep = _no_overlap_mask(child, start, end)
    return (child[keep], start[keep], end[keep], *(o[keep] for o in others))


def _no_overlap_mask(child: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Keep a child's episodes in start order, dropping any that starts before the previous kept
    one ends. Passes over the data (not rows) until no overlap is left."""
    keep = np.ones(len(child), dtype=bool)
    order = np.lexsort((start, child))
    while True:
        idx = order[keep[order]]
        c, s, e = child[idx], start[idx], end[idx]
        clash = np.flatnonzero((c[1:] == c[:-1]) & (s[1:] <= e[:-1])) + 1
        if len(clash) == 0:
            return keep
        # Drop only clashes whose predecessor is not itself dropped in this pass.
        first = clash[~np.isin(clash - 1, clash)]
        keep[idx[first]] = False


# ---------------------------------------------------------------------------------------------
# EHC plans


def ehcp(rng, j: Journeys, gen) -> dict[str, dict[str, np.ndarray]]:
    """EHC needs assessment requests, assessments and plans. New plans issued (exceptions
    excluded) per quarter follow the profile, with the share issued within 20 weeks; the
    published quarters are pinned exactly. EHC plans began on 1 September 2014."""
    profile = SAFEGUARDING[j.profile.la_code]
    plans = interpolate(profile.ehcp_plans_issued, years=range(2015, LAST_SIMULATED_YEAR + 2))
    timely_share = interpolate(profile.ehcp_pct_within_20_weeks, years=range(2015, LAST_SIMULATED_YEAR + 2))
    issue, timely = [], []
    for fy in range(2015, LAST_SIMULATED_YEAR + 2):
        for q in range(1, 5):
            q_start, q_end = _quarter_bounds(fy, q)
            q_end = min(q_end, j.extract_day)
            if q_end < max(q_start, day("2014-11-01")):
                continue
            count, share = profile.ehcp_quarters.get((fy, q), (None, None))
            if count is None:
                frac = (q_end - q_start + 1) / 91.0
                count = rng.poisson(plans[fy] * j.scale / 4 * frac)
                share = timely_share[fy]
            else:
                count *= j.scale
            d = _weekday_dates(rng, max(q_start, day("2014-11-01")), q_end, count)
            on_time = np.zeros(count, dtype=bool)
            on_time[rng.choice(count, size=int(round(count * share)), replace=False)] = True
            issue.append(d)
            timely.append(on_time)
    issue = np.concatenate(issue)
    timely = np.concatenate(timely)
    weeks_days = np.where(timely, rng.integers(84, 141, len(issue)), rng.integers(141, 260, len(issue)))
    request = issue - weeks_days
    # Plans where a statutory exception applies: outside the measure, usually slower.
    n_exc = rng.binomial(len(issue), 0.06)
    exc_issue = _weekday_dates(rng, day("2014-12-01"), j.extract_day, n_exc)
    exc_request = exc_issue - rng.integers(120, 330, n_exc)
    n_plan = len(issue) + n_exc
    plan_issue = np.concatenate([issue, exc_issue])
    plan_request = np.concatenate([request, exc_request])
    exception = np.r_[np.zeros(len(issue), bool), np.ones(n_exc, bool)]

    # Requests that did not lead to a plan: refused (N), assessed but no plan (N), withdrawn (W),
    # and those still waiting at the extract date (A).
    n_refused = rng.binomial(n_plan, 0.30)
    n_no_plan = rng.binomial(n_plan, 0.07)
    n_pending = rng.poisson(plans[LAST_SIMULATED_YEAR] * j.scale / 52 * 8)
    refused_request = _weekday_dates(rng, day("2014-09-01"), j.extract_day - 43, n_refused)
    no_plan_request = _weekday_dates(rng, day("2014-09-01"), j.extract_day - 150, n_no_plan)
    pending_request = _weekday_dates(rng, j.extract_day - 120, j.extract_day, n_pending)

    req_date = np.concatenate([plan_request, refused_request, no_plan_request, pending_request])
    kind = np.concatenate([np.full(n_plan, 0), np.full(n_refused, 1), np.full(n_no_plan, 2), np.full(n_pending, 3)])
    n_req = len(req_date)
    decision = req_date + rng.integers(25, 43, n_req)
    pending_decision = (kind == 3) & (decision > j.extract_day)
    withdrawn = (kind == 1) & (rng.random(n_req) < 0.15)
    req_outcome = np.select([kind == 1, pending_decision], [np.where(withdrawn, "W", "N"), "A"], "Y")
    req_ids = _take(gen, "ehcp_request", n_req)
    requests = {
        "la_code": np.full(n_req, j.profile.la_code),
        "ehcr_ehcp_request_id": req_ids,
        "ehcr_send_table_id": _take(gen, "send_record", n_req),
        "ehcr_ehcp_req_date": req_date,
        "ehcr_ehcp_req_outcome_date": np.where(np.isin(req_outcome, ["A", "W"]), OPEN, decision),
        "ehcr_ehcp_req_outcome": req_outcome,
    }
    # The decision to assess comes before the plan is issued.
    requests["ehcr_ehcp_req_outcome_date"][:n_plan] = np.minimum(decision[:n_plan], plan_issue - 1)

    assessed = np.flatnonzero(req_outcome == "Y")
    a_kind = kind[assessed]
    outcome_date = np.select(
        [a_kind == 0, a_kind == 2],
        [plan_issue[np.minimum(assessed, n_plan - 1)], req_date[assessed] + rng.integers(90, 141, len(assessed))],
        req_date[assessed] + rng.integers(90, 141, len(assessed)),
    )
    in_progress = (a_kind == 3) & (outcome_date > j.extract_day)
    a_outcome = np.select([a_kind == 0, a_kind == 2, in_progress], ["Y", "N", "A"], "Y")
    outcome_date = np.where(in_progress, OPEN, np.minimum(outcome_date, j.extract_day))
    a_exception = np.where(a_kind == 0, exception[np.minimum(assessed, n_plan - 1)], False)
    n_a = len(assessed)
    a_ids = _take(gen, "ehcp_assessment", n_a)
    assessments = {
        "la_code": np.full(n_a, j.profile.la_code),
        "ehca_ehcp_assessment_id": a_ids,
        "ehca_ehcp_request_id": req_ids[assessed],
        "ehca_ehcp_assessment_outcome_date": outcome_date,
        "ehca_ehcp_assessment_outcome": a_outcome,
        "ehca_ehcp_assessment_exceptions": np.where(a_exception, "1", "0"),
    }
    issued = np.flatnonzero(a_outcome == "Y")
    n_p = len(issued)
    p_start = outcome_date[issued]
    ceased = p_start + (rng.gamma(2.5, 700, n_p)).astype(np.int64)
    ceased_open = ceased > j.extract_day
    named = {
        "la_code": np.full(n_p, j.profile.la_code),
        "ehcn_named_plan_id": _take(gen, "ehcp_named_plan", n_p),
        "ehcn_ehcp_asmt_id": a_ids[issued],
        "ehcn_named_plan_start_date": p_start,
        "ehcn_named_plan_ceased_date": np.where(ceased_open, OPEN, ceased),
        "ehcn_named_plan_ceased_reason": np.where(ceased_open, "", _pick(rng, ["1", "2", "3", "4", "5", "7", "9"], [0.3, 0.25, 0.1, 0.05, 0.2, 0.05, 0.05], n_p)),
    }
    return {"ssd_ehcp_requests": requests, "ssd_ehcp_assessment": assessments, "ssd_ehcp_named_plan": named}


# ---------------------------------------------------------------------------------------------
# Pre-proceedings


def pre_proceedings(rng, j: Journeys, gen) -> dict[str, np.ndarray]:
    """Pre-proceedings for some children on plans. A child who comes into care within a year of
    the decision had proceedings issued; the others stepped down, unless still ongoing."""
    plan_child = j.ref_child[j.cp_ref]
    plan_end = np.minimum(j.cp_end, j.extract_day)
    nxt = Events(j.cla_child, j.cla_start).next(plan_child, j.cp_start)
    care_start = np.where(nxt >= 0, j.cla_start[np.maximum(nxt, 0)], OPEN)
    into_care_soon = care_start - j.cp_start < 540
    chosen = rng.random(len(plan_child)) < np.where(into_care_soon, 0.55, 0.08)
    decision = j.cp_start + rng.integers(40, 400, len(plan_child))
    decision = np.minimum(decision, np.where(into_care_soon, care_start - 20, plan_end - 1))
    chosen &= (decision > j.cp_start) & (decision <= j.extract_day)
    idx = np.flatnonzero(chosen)
    n = len(idx)
    child = plan_child[idx]
    decided = decision[idx]
    issued = into_care_soon[idx] & (care_start[idx] - decided < 365)
    stepped_down = ~issued & (j.extract_day - decided > 120)
    agreed = np.where(issued, np.maximum(care_start[idx] - rng.integers(0, 10, n), decided + 1), np.where(stepped_down, decided + rng.integers(60, 140, n), OPEN))
    agreed = np.where(agreed > j.extract_day, OPEN, agreed)
    outcome = np.where(agreed >= OPEN, "", np.where(issued, "ISSUE", "STEP_DOWN"))
    in_proceedings = outcome == "ISSUE"
    return {
        "la_code": np.full(n, j.profile.la_code),
        "prep_table_id": _take(gen, "pre_proceedings", n),
        "prep_person_id": j.person_id[child],
        "prep_plo_family_id": _take(gen, "plo_family", n),
        "prep_pre_pro_decision_date": decided,
        "prep_initial_pre_pro_meeting_date": np.minimum(decided + rng.integers(7, 26, n), j.extract_day),
        "prep_pre_pro_outcome": outcome,
        "prep_agree_stepdown_issue_date": agreed,
        "prep_cp_plans_referral_period": np.ones(n, dtype=np.int64),
        "prep_legal_gateway_outcome": np.full(n, "B"),
        "prep_prev_pre_proc_child": (rng.random(n) < 0.1).astype(np.int64),
        "prep_prev_care_proc_child": (rng.random(n) < 0.05).astype(np.int64),
        "prep_pre_pro_letter_date": np.minimum(decided + rng.integers(1, 8, n), j.extract_day),
        "prep_care_pro_letter_date": np.where(in_proceedings, np.minimum(agreed, j.extract_day), OPEN),
        "prep_pre_pro_meetings_num": rng.integers(0, 4, n),
        "prep_pre_pro_parents_legal_rep": np.where(rng.random(n) < 0.9, "Y", "N"),
        "prep_parents_legal_rep_point_of_issue": np.where(in_proceedings, "Y", "NA"),
        "prep_care_proc_court_hearings": np.where(in_proceedings, rng.integers(2, 9, n), 0),
        "prep_care_proc_short_notice": np.where(in_proceedings, np.where(rng.random(n) < 0.1, "Y", "N"), "NA"),
        "prep_la_initial_plan_approved": np.where(in_proceedings, "Y", "NA"),
        "prep_la_initial_care_plan": np.where(in_proceedings, "A", "Not in care proceedings"),
        "prep_la_final_plan_approved": np.where(in_proceedings, "U", "NA"),
        "prep_la_final_care_plan": np.where(in_proceedings, "H", "Not in care proceedings"),
    }


# ---------------------------------------------------------------------------------------------
# Disability and short breaks

DISABILITY_CODES = ("LD", "AUT", "COMM", "BEH", "MOB", "HAND", "PC", "INC", "HEAR", "VIS", "CON", "DDA")
DISABILITY_P = (0.24, 0.24, 0.15, 0.12, 0.07, 0.03, 0.04, 0.02, 0.03, 0.02, 0.01, 0.03)


def disability(rng, j: Journeys, gen, disabled: np.ndarray) -> dict[str, np.ndarray]:
    """NONE for most children born by the extract date (a few have no record); one or two codes
    for the disabled ones. Unborn children have no row (the SSD leaves it blank)."""
    born = j.child_dob <= j.extract_day
    recorded = born & (disabled | (rng.random(len(born)) < 0.85))
    none_rows = np.flatnonzero(recorded & ~disabled)
    d = np.flatnonzero(disabled & born)
    second = d[rng.random(len(d)) < 0.3]
    first_code = _pick(rng, DISABILITY_CODES, DISABILITY_P, len(d))
    second_code = _pick(rng, DISABILITY_CODES, DISABILITY_P, len(second))
    second_code = np.where(second_code == first_code[np.searchsorted(d, second)], "DDA", second_code)
    child = np.concatenate([none_rows, d, second])
    code = np.concatenate([np.full(len(none_rows), "NONE"), first_code, second_code])
    dup = np.zeros(len(child), dtype=bool)
    order = np.lexsort((code, child))
    dup[order[1:]] = (child[order][1:] == child[order][:-1]) & (code[order][1:] == code[order][:-1])
    child, code = child[~dup], code[~dup]
    order = np.argsort(child, kind="stable")
    child, code = child[order], code[order]
    n = len(child)
    return {
        "la_code": np.full(n, j.profile.la_code),
        "disa_table_id": _take(gen, "disability", n),
        "disa_person_id": j.person_id[child],
        "disa_disability_code": code,
    }


def short_breaks(rng, j: Journeys, gen, disabled: np.ndarray) -> dict[str, np.ndarray]:
    """Agreed series of short breaks for disabled children aged 5-17 who are never otherwise
    looked after: agreements (V4) of 6-12 months, renewed for some, or individual stays (V3)."""
    profile = SAFEGUARDING[j.profile.la_code]
    in_care = np.zeros(len(j.person_id), dtype=bool)
    in_care[j.cla_child] = True
    candidates = np.flatnonzero(disabled & ~in_care & ~j.child_uasc)
    n_children = min(len(candidates), profile.short_break_children * j.scale * 4)
    child = rng.choice(candidates, size=n_children, replace=False)
    lo = np.maximum(add_years(j.child_dob[child], 5), fy_start(FIRST_SIMULATED_YEAR))
    hi = np.minimum(add_years(j.child_dob[child], 18) - 400, j.extract_day - 30)
    ok = hi > lo
    child, lo, hi = child[ok], lo[ok], hi[ok]
    start = lo + (rng.random(len(lo)) * (hi - lo)).astype(np.int64)
    agreements = rng.integers(1, 4, len(child))
    row_child = np.repeat(child, agreements)
    first = np.r_[0, np.cumsum(agreements)[:-1]]
    length = rng.integers(180, 366, len(row_child))
    offset = np.cumsum(length) - np.repeat(np.cumsum(length)[first] - length[first], agreements) - length
    row_start = np.repeat(start, agreements) + offset
    row_end = row_start + length
    eighteen = add_years(j.child_dob[row_child], 18)
    keep = (row_start <= j.extract_day) & (row_start < eighteen)
    row_child, row_start, row_end, eighteen = row_child[keep], row_start[keep], row_end[keep], eighteen[keep]
    row_end = np.minimum(row_end, eighteen)
    n = len(row_child)
    return {
        "lega_legal_status_id": _take(gen, "legal_status", n),
        "lega_person_id": j.person_id[row_child],
        "lega_legal_status": np.where(rng.random(n) < 0.8, "V4", "V3"),
        "lega_legal_status_start_date": row_start,
        "lega_legal_status_end_date": np.where(row_end > j.extract_day, OPEN, row_end),
        "la_code": np.full(n, j.profile.la_code),
    }


# ---------------------------------------------------------------------------------------------
# Registry entry


def build_safeguarding_tables(gen, borough_index: int) -> dict[str, dict[str, np.ndarray]]:
    """MOSAIC_EXTENSIONS entry: the tables of this module for one borough."""
    j = gen.journeys[borough_index]

    def rng(name: str):
        return gen.rng(borough_index, STREAMS[name])

    referrals = Events(j.ref_child, j.ref_date)
    disability_rng = rng("disability")
    disabled = disability_rng.random(len(j.person_id)) < 0.09
    # Text columns go to Arrow as each table is made (compact_text; the same values): held as
    # numpy text until the last is made, these tables ran to gigabytes at national scale.
    tables = {
        "ssd_contacts": compact_text(contacts(rng("contacts"), j, gen, referrals)),
        "ssd_assessment_factors": compact_text(assessment_factors(rng("factors"), j, gen)),
        "ssd_cp_visits": compact_text(cp_visits(rng("visits"), j, gen)),
        "ssd_early_help_episodes": compact_text(early_help(rng("early_help"), j, gen, referrals)),
        **{name: compact_text(data) for name, data in ehcp(rng("ehcp"), j, gen).items()},
        "ssd_pre_proceedings": pre_proceedings(rng("pre_proceedings"), j, gen),
        "ssd_disability": disability(disability_rng, j, gen, disabled),
        # Rows added to the core table (generate.py appends rows to tables it already has).
        "ssd_legal_status": short_breaks(rng("short_breaks"), j, gen, disabled),
    }
    return tables
