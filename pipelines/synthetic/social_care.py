"""Simulate children's journeys through children's social care in one borough.

A referral arrives; it may close with no further action, or lead to an assessment; an
assessment may lead to a child in need plan, a section 47 enquiry (strategy discussion), an
initial child protection conference and a child protection plan, or to the child becoming
looked after. Children come back: a share of each year's referrals are for children referred in
the previous twelve months (the published re-referral rates), and children who had a plan are
more likely to return, which gives repeat plans. Unaccompanied asylum-seeking children arrive as
15-17 year-old boys, mostly, and are looked after until they turn eighteen.

Flows come from the published yearly counts and rates (`profiles.py`); stocks at each 31 March
are then pinned to the published values (`pinning.py`). Everything is vectorised over numpy
arrays of day numbers; the only loop is over months, because who can be re-referred depends on
what happened before.

Output: dict of table name -> dict of column -> numpy array, in the SSD layout of the extract
contract (pipelines/contracts/tables/mosaic).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipelines.synthetic.calendar import add_working_days, add_years, day, fy_end, fy_start, years_between
from pipelines.synthetic.pinning import OPEN, pin_stock
from pipelines.synthetic.profiles import (
    FIRST_SIMULATED_YEAR,
    LAST_SIMULATED_YEAR,
    SOCIAL_CARE_ETHNICITY,
    UASC_ETHNICITY,
    BoroughProfile,
    interpolate,
)

SOURCES = np.array(["1A", "1B", "1C", "2A", "2B", "3A", "3B", "3D", "3E", "3F", "4", "5A", "5B", "5C", "5D", "6", "8", "9", "10"])
SOURCE_P = np.array([0.06, 0.02, 0.01, 0.18, 0.03, 0.02, 0.03, 0.04, 0.03, 0.05, 0.03, 0.04, 0.03, 0.03, 0.04, 0.28, 0.04, 0.02, 0.02])
NEEDS = np.array(["N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8", "N0"])
NEED_P = np.array([0.52, 0.04, 0.05, 0.12, 0.15, 0.03, 0.01, 0.03, 0.05])
ABUSE = np.array(["NEG", "EMO", "PHY", "SAB", "MUL"])
ABUSE_P = np.array([0.45, 0.38, 0.08, 0.04, 0.05])


@dataclass
class Journeys:
    """The simulated children and their journeys in one borough (see the end of simulate_borough)."""

    profile: BoroughProfile
    extract_day: int
    scale: int
    person_id: np.ndarray
    child_dob: np.ndarray
    child_sex: np.ndarray
    child_ethnicity: np.ndarray
    child_uasc: np.ndarray
    ref_id: np.ndarray
    ref_date: np.ndarray
    ref_child: np.ndarray
    ref_outcome: np.ndarray  # 0 NFA at referral, 1 assessed NFA, 2 CIN plan, 3 s47 no plan, 4 CP plan, 5 looked after
    ref_is_uasc: np.ndarray
    ref_close: np.ndarray
    assessment_ref: np.ndarray
    assessment_ids: np.ndarray
    assessment_start: np.ndarray
    assessment_auth: np.ndarray
    s47_ref: np.ndarray
    s47_start: np.ndarray
    s47_end: np.ndarray
    cp_ref: np.ndarray
    cp_ids: np.ndarray
    cp_start: np.ndarray
    cp_end: np.ndarray
    cla_ref: np.ndarray
    cla_child: np.ndarray
    cla_start: np.ndarray
    cla_end: np.ndarray
    cla_uasc: np.ndarray
    cla_left_at_18: np.ndarray
    cla_period_ids: np.ndarray
    placements: dict
    # SSDA903 reason the period ceased ('' while open), by period of care.
    cla_reason_ceased: np.ndarray | None = None


@dataclass
class Counters:
    """Id sequences shared across boroughs so that ids are unique in the extract."""

    next_id: int = 1

    def take(self, n: int) -> np.ndarray:
        ids = np.arange(self.next_id, self.next_id + n, dtype=np.int64)
        self.next_id += n
        return ids


def _choice(rng, values: np.ndarray, p: np.ndarray, n: int) -> np.ndarray:
    return values[rng.choice(len(values), size=n, p=p / p.sum())]


def _ethnicity(rng, mix: dict[str, float], n: int) -> np.ndarray:
    codes = np.array(list(mix))
    return _choice(rng, codes, np.array(list(mix.values()), dtype=float), n)


def _dates_in_year(rng, year: int, n: int, last_day: int) -> np.ndarray:
    """Referral dates spread over a financial year, quieter in August and late December."""
    start, end = fy_start(year), min(fy_end(year), last_day)
    if end < start or n == 0:
        return np.empty(0, dtype=np.int64)
    span = np.arange(start, end + 1)
    months = span.astype("datetime64[D]").astype("datetime64[M]").astype(int) % 12 + 1
    weight = np.where(months == 8, 0.7, 1.0) * np.where(months == 12, 0.85, 1.0)
    weekday = (span + 3) % 7  # 0 = Monday
    weight = weight * np.where(weekday >= 5, 0.25, 1.0)
    return np.sort(rng.choice(span, size=n, p=weight / weight.sum()))


def quarter_end_snapshots(targets: dict[int, float], scale: int) -> list[tuple[int, int]]:
    """Stock targets at every quarter end, moving in a straight line between year ends, so the
    stock between two published 31 March figures is not left to chance."""
    out = []
    for y in range(FIRST_SIMULATED_YEAR, LAST_SIMULATED_YEAR + 1):
        before = targets.get(y - 1, targets[y])
        for q, end in enumerate((day(f"{y - 1}-06-30"), day(f"{y - 1}-09-30"), day(f"{y - 1}-12-31"), fy_end(y)), start=1):
            out.append((end, int(round((before + (targets[y] - before) * q / 4) * scale))))
    return out


def simulate_borough(rng: np.random.Generator, profile: BoroughProfile, extract_day: int, scale: int, ids: dict[str, Counters]) -> tuple[dict[str, dict[str, np.ndarray]], "Journeys"]:
    years = list(range(FIRST_SIMULATED_YEAR, LAST_SIMULATED_YEAR + 2))  # + the part-year up to the extract
    ref_n = interpolate(profile.referrals)
    uasc_n = interpolate(profile.uasc_starts)
    cla_other_n = interpolate(profile.cla_starts_other)
    p_assess = interpolate(profile.pct_referral_to_assessment)
    p_rr = interpolate(profile.pct_rereferral_12m)
    p_s47 = interpolate(profile.s47_per_referral)
    p_icpc = interpolate(profile.icpc_per_s47)

    def per_year(table: dict[int, float], y: int) -> float:
        return table[min(y, LAST_SIMULATED_YEAR)]

    # ---- 1. Referral dates and kinds -------------------------------------------------------
    dates, is_uasc = [], []
    for y in years:
        frac = 1.0
        if y > LAST_SIMULATED_YEAR:
            frac = max(0.0, (extract_day - fy_start(y) + 1) / 365.0)
        n_uasc = int(round(per_year(uasc_n, y) * scale * frac))
        n_all = int(round(per_year(ref_n, y) * scale * frac))
        d = _dates_in_year(rng, y, max(n_all, n_uasc), extract_day)
        u = np.zeros(len(d), dtype=bool)
        u[rng.choice(len(d), size=min(n_uasc, len(d)), replace=False)] = True
        dates.append(d)
        is_uasc.append(u)
    ref_date = np.concatenate(dates)
    ref_uasc = np.concatenate(is_uasc)
    order = np.argsort(ref_date, kind="stable")
    ref_date, ref_uasc = ref_date[order], ref_uasc[order]
    n_ref = len(ref_date)
    ref_year = np.searchsorted([fy_start(y) for y in years[1:]], ref_date, side="right") + years[0]

    # ---- 2. Who is referred, and what happens, month by month ------------------------------
    # Children: parallel arrays indexed by child number.
    cap = n_ref + 16
    child_dob = np.zeros(cap, dtype=np.int64)
    child_sex = np.empty(cap, dtype="<U1")
    child_eth = np.empty(cap, dtype="<U4")
    child_uasc = np.zeros(cap, dtype=bool)
    child_last_ref = np.full(cap, -OPEN, dtype=np.int64)
    child_open_until = np.full(cap, -OPEN, dtype=np.int64)
    child_had_cp = np.zeros(cap, dtype=bool)
    child_in_care = np.zeros(cap, dtype=bool)
    n_children = 0

    ref_child = np.zeros(n_ref, dtype=np.int64)
    outcome = np.zeros(n_ref, dtype=np.int8)  # 0 NFA at referral, 1 assessed NFA, 2 CIN plan, 3 s47 no plan, 4 CP, 5 CLA
    s47 = np.zeros(n_ref, dtype=bool)
    icpc = np.zeros(n_ref, dtype=bool)
    episode_end = np.zeros(n_ref, dtype=np.int64)

    month_of = ref_date.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    for m in np.unique(month_of):
        idx = np.flatnonzero(month_of == m)
        month_start = int(np.datetime64(int(m), "M").astype("datetime64[D]").astype(np.int64))
        y = int(ref_year[idx[0]])
        uasc_idx = idx[ref_uasc[idx]]
        other_idx = idx[~ref_uasc[idx]]
        # Re-referrals within 12 months; some returns after longer; the rest are new children.
        known = np.arange(n_children)
        closed = child_open_until[:n_children] < month_start
        recent = known[closed & (child_last_ref[:n_children] >= month_start + 31 - 365) & ~child_uasc[:n_children]]
        older = known[closed & (child_last_ref[:n_children] < month_start - 365) & (child_last_ref[:n_children] > -OPEN) & ~child_uasc[:n_children]]
        n_rr = min(rng.binomial(len(other_idx), per_year(p_rr, y)), len(recent))
        n_old = min(rng.binomial(len(other_idx) - n_rr, 0.10), len(older))
        perm = rng.permutation(other_idx)
        rr_idx, old_idx, new_idx = perm[:n_rr], perm[n_rr : n_rr + n_old], perm[n_rr + n_old :]
        if n_rr:
            w = np.where(child_had_cp[recent], 4.0, 1.0)
            ref_child[rr_idx] = rng.choice(recent, size=n_rr, replace=False, p=w / w.sum())
        if n_old:
            w = np.where(child_had_cp[older], 4.0, 1.0)
            ref_child[old_idx] = rng.choice(older, size=n_old, replace=False, p=w / w.sum())
        # New children (including every UASC arrival).
        fresh = np.concatenate([new_idx, uasc_idx])
        k = len(fresh)
        new_ids = np.arange(n_children, n_children + k)
        n_children += k
        ref_child[fresh] = new_ids
        uasc_new = np.isin(fresh, uasc_idx)
        age_days = np.where(
            uasc_new,
            rng.integers(int(14.0 * 365), int(17.5 * 365), size=k),
            _age_at_referral_days(rng, k),
        )
        child_dob[new_ids] = ref_date[fresh] - age_days
        child_uasc[new_ids] = uasc_new
        child_sex[new_ids] = np.where(uasc_new, np.where(rng.random(k) < 0.93, "M", "F"), np.where(rng.random(k) < 0.51, "M", "F"))
        child_eth[new_ids] = np.where(uasc_new, _ethnicity(rng, UASC_ETHNICITY, k), _ethnicity(rng, SOCIAL_CARE_ETHNICITY, k))

        # Outcomes for this month's referrals.
        kids = ref_child[idx]
        n = len(idx)
        pa = per_year(p_assess, y)
        assessed = rng.random(n) < pa
        boost = np.where(child_had_cp[kids], 2.0, 1.0)
        s47_p = np.clip(per_year(p_s47, y) / pa * boost, 0, 0.95)
        is_s47 = assessed & (rng.random(n) < s47_p)
        is_icpc = is_s47 & (rng.random(n) < per_year(p_icpc, y))
        is_cp = is_icpc & (rng.random(n) < profile.cp_per_icpc)
        cla_p = per_year(cla_other_n, y) * scale / max(1.0, per_year(ref_n, y) * scale * pa)
        young_enough = (ref_date[idx] - child_dob[kids]) < int(17.5 * 365)
        # Teenagers are likelier to come into care after an assessment than younger children
        # (inner London: about 70% of looked-after children are 14 or over, F000-L0192-01); the
        # weights keep the month's expected number of children coming into care unchanged.
        age_now = (ref_date[idx] - child_dob[kids]) / 365.25
        could_enter = assessed & ~is_cp & ~child_in_care[kids] & young_enough
        weight = np.select([age_now < 1, age_now < 10, age_now < 14, age_now < 16], [1.0, 0.45, 1.0, 2.2], default=2.8)
        weight = weight / weight[could_enter].mean() if could_enter.any() else weight
        is_cla = ref_uasc[idx] | (could_enter & (rng.random(n) < np.clip(cla_p * weight, 0, 0.95)))
        is_cin_plan = assessed & ~is_cp & ~is_cla & (rng.random(n) < 0.35)
        oc = np.where(is_cla, 5, np.where(is_cp, 4, np.where(is_s47, 3, np.where(is_cin_plan, 2, np.where(assessed, 1, 0)))))
        outcome[idx] = oc
        s47[idx] = is_s47
        icpc[idx] = is_icpc
        # Provisional end of the CIN episode (refined after plans and care are drawn).
        d0 = ref_date[idx]
        prov = np.select(
            [oc == 0, oc == 1, oc == 2, oc == 3, oc == 4, oc == 5],
            [
                d0 + rng.integers(0, 6, n),
                d0 + rng.integers(20, 90, n),
                d0 + rng.integers(120, 420, n),
                d0 + rng.integers(40, 200, n),
                d0 + rng.integers(250, 700, n),
                d0 + rng.integers(200, 1500, n),
            ],
        )
        episode_end[idx] = prov
        child_last_ref[kids] = d0
        child_open_until[kids] = np.maximum(child_open_until[kids], prov)
        child_had_cp[kids] |= is_cp
        child_in_care[kids] |= is_cla

    n_children_total = n_children
    # Next referral of the same child bounds how long an episode may run.
    next_ref = np.full(n_ref, OPEN, dtype=np.int64)
    by_child = np.lexsort((ref_date, ref_child))
    same = ref_child[by_child][1:] == ref_child[by_child][:-1]
    next_ref[by_child[:-1][same]] = ref_date[by_child[1:][same]] - 1

    # ---- 3. Assessments --------------------------------------------------------------------
    a_idx = np.flatnonzero(outcome >= 1)
    a_start = add_working_days(ref_date[a_idx], rng.integers(0, 4, len(a_idx)))
    in_time = rng.random(len(a_idx)) < profile.pct_assessment_in_45wd
    wd_total = np.where(in_time, rng.integers(10, 46, len(a_idx)), rng.integers(46, 90, len(a_idx)))
    a_auth = add_working_days(ref_date[a_idx], wd_total)
    a_auth = np.maximum(a_auth, a_start)
    a_auth = np.where(a_auth > extract_day, OPEN, a_auth)
    auth_of_ref = np.full(n_ref, OPEN, dtype=np.int64)
    auth_of_ref[a_idx] = a_auth

    # ---- 4. Section 47, ICPC, CP plans -----------------------------------------------------
    s_idx = np.flatnonzero(s47)
    s_start = add_working_days(ref_date[s_idx], rng.integers(0, 12, len(s_idx)))
    s_end = add_working_days(s_start, rng.integers(3, 28, len(s_idx)))
    s_start = np.minimum(s_start, extract_day)
    s_end = np.where(s_end > extract_day, OPEN, s_end)
    s_of_ref = np.full(n_ref, -1, dtype=np.int64)
    s_of_ref[s_idx] = np.arange(len(s_idx))

    i_idx = np.flatnonzero(icpc)
    i_s = s_of_ref[i_idx]
    timely = rng.random(len(i_idx)) < profile.pct_icpc_in_15wd
    i_wd = np.where(timely, rng.integers(6, 16, len(i_idx)), rng.integers(16, 30, len(i_idx)))
    i_date = add_working_days(s_start[i_s], i_wd)
    i_target = add_working_days(s_start[i_s], np.full(len(i_idx), 15))
    keep_i = i_date <= extract_day
    i_idx, i_s, i_date, i_target = i_idx[keep_i], i_s[keep_i], i_date[keep_i], i_target[keep_i]
    i_cp = outcome[i_idx] == 4

    c_idx = i_idx[i_cp]
    c_start = i_date[i_cp]
    c_end_draw = c_start + np.exp(rng.normal(np.log(290), 0.55, len(c_idx))).astype(np.int64)
    c_bound = np.minimum(next_ref[c_idx], OPEN)
    c_end_draw = np.minimum(c_end_draw, c_bound)
    snaps = quarter_end_snapshots(interpolate(profile.cp_stock), scale)
    c_end = pin_stock(rng, c_start, c_end_draw, snaps, end_max=c_bound, extend_days=(60, 300))
    c_end = np.where(c_end > extract_day, OPEN, c_end)

    # ---- 5. Looked-after periods -----------------------------------------------------------
    # Periods of care draw from their own stream, spawned from the journeys stream (which it
    # does not advance), so the looked-after model can change without moving any other table.
    care_rng = rng.spawn(1)[0]
    l_idx = np.flatnonzero(outcome == 5)
    l_child = ref_child[l_idx]
    n_cla = len(l_idx)
    l_start = ref_date[l_idx] + np.where(ref_uasc[l_idx], care_rng.integers(0, 3, n_cla), care_rng.integers(0, 40, n_cla))
    l_start = np.minimum(l_start, extract_day)
    dob = child_dob[l_child]
    eighteen = add_years(dob, 18)
    l_start = np.minimum(l_start, eighteen - 7)
    l_uasc = child_uasc[l_child]
    age_at_start = years_between(dob, l_start)
    # How long a period lasts depends on age at entry: babies and young children mostly go home,
    # are adopted or leave on a special guardianship order within a few years; teenagers more
    # often stay until eighteen. UASC are looked after until they turn eighteen.
    p_until_18 = np.select([age_at_start < 5, age_at_start < 10, age_at_start < 14], [0.15, 0.35, 0.65], default=0.85)
    p_short = np.select([age_at_start < 5, age_at_start < 14], [0.35, 0.25], default=0.10)
    kind = care_rng.random(n_cla)
    short = (~l_uasc) & (kind < p_short)
    medium = (~l_uasc) & (kind >= p_short) & (kind < 1 - p_until_18)
    l_end = np.where(
        short,
        l_start + care_rng.integers(14, 180, n_cla),
        np.where(medium, l_start + care_rng.integers(180, 1100, n_cla), eighteen),
    )
    l_end = np.minimum(l_end, eighteen)
    l_end = np.maximum(l_end, l_start + 1)
    l_bound = np.minimum(next_ref[l_idx], eighteen)
    l_end = np.minimum(l_end, np.maximum(l_bound, l_start + 1))
    uasc_t = interpolate(profile.cla_stock_uasc)
    other_t = interpolate(profile.cla_stock_other)
    # Pinning closes the longest-running periods first; half the children who came into care
    # young and are meant to stay (long-term fostering) are left alone, or hardly any child
    # would reach the long-term stability cohort (under 16, looked after 2.5 years).
    settled_young = (~l_uasc) & (age_at_start < 12) & (l_end >= eighteen) & (care_rng.random(n_cla) < 0.5)
    for group, targets in ((l_uasc, uasc_t), (~l_uasc, other_t)):
        snaps = quarter_end_snapshots(targets, scale)
        gi = np.flatnonzero(group)
        l_end[gi] = pin_stock(care_rng, l_start[gi], l_end[gi], snaps, end_max=np.maximum(l_bound[gi], l_start[gi] + 1), flexible=~settled_young[gi], extend_days=(90, 500))
    at_eighteen = l_end >= eighteen
    l_end = np.minimum(l_end, eighteen)

    # ---- 6. CIN episode ends and CIN plans ----------------------------------------------
    end_min = np.full(n_ref, -OPEN, dtype=np.int64)
    end_min[c_idx] = np.where(c_end >= OPEN, OPEN, c_end + rng.integers(0, 200, len(c_idx)))
    end_min[l_idx] = np.where(l_end > extract_day, OPEN, l_end)
    end_min[a_idx] = np.maximum(end_min[a_idx], np.where(a_auth >= OPEN, OPEN, a_auth + 1))
    # An episode closes before the child's next referral (a referral is for a child not already open).
    end_min = np.minimum(end_min, next_ref)
    episode_end = np.maximum(episode_end, np.minimum(end_min, OPEN))
    episode_end = np.minimum(episode_end, np.maximum(next_ref, end_min))
    snaps = quarter_end_snapshots(interpolate(profile.cin_stock), scale)
    flexible = outcome != 5
    episode_end = pin_stock(rng, ref_date, episode_end, snaps, end_min=end_min, end_max=np.maximum(next_ref, end_min), flexible=flexible, extend_days=(30, 260))
    episode_open = episode_end > extract_day

    p_idx = np.flatnonzero((outcome == 2) & (auth_of_ref < OPEN))
    p_start = auth_of_ref[p_idx] + rng.integers(1, 12, len(p_idx))
    p_end = np.minimum(episode_end[p_idx] - rng.integers(0, 10, len(p_idx)), OPEN)
    keep_p = p_start < np.minimum(p_end, extract_day)
    p_idx, p_start, p_end = p_idx[keep_p], p_start[keep_p], p_end[keep_p]
    # Step-down CIN plans after a CP plan ends, while the episode stays open.
    sd = (c_end < OPEN) & (episode_end[c_idx] > c_end + 14)
    sd_idx = c_idx[sd]
    sd_start = c_end[sd]
    sd_end = episode_end[sd_idx] - 1
    plan_ref = np.concatenate([p_idx, sd_idx])
    plan_start = np.concatenate([p_start, sd_start])
    plan_end = np.concatenate([p_end, sd_end])
    plan_end = np.where(plan_end > extract_day, OPEN, plan_end)

    # ---- 7. Placements, legal statuses and SSDA903 episodes --------------------------------
    cla = _care_records(care_rng, profile, l_idx, l_child, l_start, l_end, at_eighteen, l_uasc, dob, age_at_start, extract_day, ids)

    # ---- 8. Assemble tables ----------------------------------------------------------------
    # Mosaic-style numeric person ids; the first digit tells the boroughs apart.
    width = 10 ** (7 if n_children_total < 10**7 else 10)
    person_id = int(profile.id_prefix) * width + np.arange(n_children_total, dtype=np.int64) + 1
    ref_ids = ids["referral"].take(n_ref)
    la = np.full(n_ref, profile.la_code)

    close_reason = np.select(
        [outcome == 0, outcome == 1, outcome == 5],
        [np.full(n_ref, "RC8"), np.where(rng.random(n_ref) < 0.3, "RC9", "RC8"), np.where(rng.random(n_ref) < 0.5, "RC7", "RC4")],
        default="RC7",
    )
    cin_episodes = {
        "la_code": la,
        "cine_referral_id": ref_ids,
        "cine_person_id": person_id[ref_child],
        "cine_referral_date": ref_date,
        "cine_cin_primary_need_code": np.where(ref_uasc, "N8", _choice(rng, NEEDS, NEED_P, n_ref)),
        "cine_referral_source_code": np.where(ref_uasc, "5C", _choice(rng, SOURCES, SOURCE_P, n_ref)),
        "cine_referral_nfa": np.where(outcome == 0, "Y", "N"),
        "cine_close_reason": np.where(episode_open, "", close_reason),
        "cine_close_date": np.where(episode_open, OPEN, episode_end),
        "cine_referral_team": np.where(ref_uasc, "UASC team", "Front door (MASH)"),
    }
    assessments = {
        "la_code": la[a_idx],
        "cina_assessment_id": ids["assessment"].take(len(a_idx)),
        "cina_person_id": person_id[ref_child[a_idx]],
        "cina_referral_id": ref_ids[a_idx],
        "cina_assessment_start_date": np.minimum(a_start, extract_day),
        "cina_assessment_child_seen": np.where(rng.random(len(a_idx)) < 0.96, "Y", "N"),
        "cina_assessment_auth_date": a_auth,
        "cina_assessment_outcome_nfa": np.where(outcome[a_idx] == 1, "Y", "N"),
        "cina_assessment_team": np.full(len(a_idx), "Assessment team"),
    }
    cin_plans = {
        "la_code": la[plan_ref],
        "cinp_cin_plan_id": ids["cin_plan"].take(len(plan_ref)),
        "cinp_referral_id": ref_ids[plan_ref],
        "cinp_person_id": person_id[ref_child[plan_ref]],
        "cinp_cin_plan_start": plan_start,
        "cinp_cin_plan_end": plan_end,
        "cinp_cin_plan_team": np.full(len(plan_ref), "Child in need team"),
    }
    s47_ids = ids["s47"].take(len(s_idx))
    s47_table = {
        "la_code": la[s_idx],
        "s47e_s47_enquiry_id": s47_ids,
        "s47e_referral_id": ref_ids[s_idx],
        "s47e_person_id": person_id[ref_child[s_idx]],
        "s47e_s47_start_date": s_start,
        "s47e_s47_end_date": s_end,
        "s47e_s47_nfa": np.where(icpc[s_idx], "N", np.where(rng.random(len(s_idx)) < 0.4, "Y", "N")),
        "s47e_s47_completed_by_team": np.full(len(s_idx), "Assessment team"),
    }
    icpc_ids = ids["icpc"].take(len(i_idx))
    cp_ids = ids["cp_plan"].take(len(c_idx))
    cp_of_icpc = np.full(len(i_idx), -1, dtype=np.int64)
    cp_of_icpc[np.flatnonzero(i_cp)] = cp_ids
    icpc_table = {
        "la_code": la[i_idx],
        "icpc_icpc_id": icpc_ids,
        "icpc_icpc_meeting_id": icpc_ids + 500_000_000,
        "icpc_s47_enquiry_id": s47_ids[i_s],
        "icpc_person_id": person_id[ref_child[i_idx]],
        "icpc_cp_plan_id": cp_of_icpc,
        "icpc_referral_id": ref_ids[i_idx],
        "icpc_icpc_transfer_in": np.full(len(i_idx), "N"),
        "icpc_icpc_target_date": i_target,
        "icpc_icpc_date": i_date,
        "icpc_icpc_outcome_cp_flag": np.where(i_cp, "Y", "N"),
        "icpc_icpc_team": np.full(len(i_idx), "Child protection conference service"),
    }
    cat = _choice(rng, ABUSE, ABUSE_P, len(c_idx))
    cp_plans = {
        "la_code": la[c_idx],
        "cppl_cp_plan_id": cp_ids,
        "cppl_referral_id": ref_ids[c_idx],
        "cppl_icpc_id": icpc_ids[np.flatnonzero(i_cp)],
        "cppl_person_id": person_id[ref_child[c_idx]],
        "cppl_cp_plan_start_date": c_start,
        "cppl_cp_plan_end_date": c_end,
        "cppl_cp_plan_initial_category": cat,
        "cppl_cp_plan_ola": np.full(len(c_idx), "N"),
        "cppl_cp_plan_latest_category": np.where(rng.random(len(c_idx)) < 0.9, cat, _choice(rng, ABUSE, ABUSE_P, len(c_idx))),
    }
    for table in (cla["ssd_cla_episodes"], cla["ssd_cla_placement"], cla["ssd_legal_status"], cla["ssd_immigration_status"]):
        table["la_code"] = np.full(len(next(iter(table.values()))), profile.la_code)
    cla["ssd_cla_episodes"]["clae_person_id"] = person_id[cla["ssd_cla_episodes"].pop("_child")]
    cla["ssd_cla_episodes"]["clae_referral_id"] = ref_ids[cla["ssd_cla_episodes"].pop("_ref")]
    cla["ssd_cla_placement"]["clap_person_id"] = person_id[cla["ssd_cla_placement"].pop("_child")]
    cla["ssd_legal_status"]["lega_person_id"] = person_id[cla["ssd_legal_status"].pop("_child")]
    cla["ssd_immigration_status"]["immi_person_id"] = person_id[cla["ssd_immigration_status"].pop("_child")]

    persons = {
        "la_code": np.full(n_children_total, profile.la_code),
        "pers_person_id": person_id,
        "_dob": child_dob[:n_children_total],
        "pers_sex": child_sex[:n_children_total],
        "pers_ethnicity": child_eth[:n_children_total],
        "_uasc": child_uasc[:n_children_total],
    }
    cla_period_ids = cla.pop("_period_ids")
    placement_state = cla.pop("_placements")
    cla_reason_ceased = cla.pop("_reason_ceased")
    tables = {
        "ssd_person": persons,
        "ssd_cin_episodes": cin_episodes,
        "ssd_cin_assessments": assessments,
        "ssd_cin_plans": cin_plans,
        "ssd_s47_enquiry": s47_table,
        "ssd_initial_cp_conference": icpc_table,
        "ssd_cp_plans": cp_plans,
        **cla,
    }
    # Everything an extension (more Mosaic tables, school careers, youth justice) needs to build
    # on the same children and the same journeys. Indexes: `child` arrays are by child number,
    # `ref` arrays by referral number, and the *_idx arrays index referrals.
    state = Journeys(
        profile=profile,
        extract_day=extract_day,
        scale=scale,
        person_id=person_id,
        child_dob=child_dob[:n_children_total],
        child_sex=child_sex[:n_children_total],
        child_ethnicity=child_eth[:n_children_total],
        child_uasc=child_uasc[:n_children_total],
        ref_id=ref_ids,
        ref_date=ref_date,
        ref_child=ref_child,
        ref_outcome=outcome,
        ref_is_uasc=ref_uasc,
        ref_close=np.where(episode_open, OPEN, episode_end),
        assessment_ref=a_idx,
        assessment_ids=assessments["cina_assessment_id"],
        assessment_start=np.minimum(a_start, extract_day),
        assessment_auth=a_auth,
        s47_ref=s_idx,
        s47_start=s_start,
        s47_end=s_end,
        cp_ref=c_idx,
        cp_ids=cp_ids,
        cp_start=c_start,
        cp_end=c_end,
        cla_ref=l_idx,
        cla_child=l_child,
        cla_start=l_start,
        cla_end=np.where(l_end > extract_day, OPEN, l_end),
        cla_uasc=l_uasc,
        cla_left_at_18=at_eighteen & (l_end <= extract_day),
        cla_period_ids=cla_period_ids,
        placements=placement_state,
        cla_reason_ceased=cla_reason_ceased,
    )
    return tables, state


def _age_at_referral_days(rng, n: int) -> np.ndarray:
    """Ages of children referred: unborn babies (pre-birth referrals) to 17-year-olds."""
    band = rng.choice(6, size=n, p=[0.04, 0.10, 0.20, 0.24, 0.30, 0.12])
    lo = np.array([-120, 0, 1, 5, 10, 16])[band] * 365
    hi = np.array([-10, 365, 5 * 365, 10 * 365, 16 * 365, 18 * 365 - 20])[band]
    lo = np.where(band == 0, -120, lo)
    return rng.integers(lo, np.maximum(hi, lo + 1))


# Ofsted-registered providers the synthetic children are placed with. URNs are fixed (no random
# draw), so the synthetic Ofsted provider register (looked_after.py) lists exactly these.
PROVIDER_POOLS = {
    "CH": ("SC1", 140),  # children's homes
    "SCH": ("SC3", 4),  # secure children's homes
    "IFA": ("SC2", 30),  # independent fostering agencies
}


def provider_urns(kind: str) -> np.ndarray:
    prefix, n = PROVIDER_POOLS[kind]
    return np.char.add(prefix, np.char.zfill((np.arange(n) + 1).astype(str), 5))


def la_fostering_urn(la_code: str) -> str:
    """The URN of the council's own fostering service (placements with in-house carers)."""
    return f"SC400{la_code}"


def _care_records(rng, profile, l_idx, l_child, l_start, l_end, at_eighteen, l_uasc, dob, age_at_start, extract_day, ids):
    """Placements, legal statuses and SSDA903 episodes for each period of care (vectorised).

    Placement moves: unaccompanied children about one every 14 months; other children either
    settle (most long-term stable) or move about once every 8-9 months. Then, at every 31 March,
    the long-term stability cohort (aged under 16, looked after 2.5 years or more) is pinned to
    the published share with the same carer for 2 years (`_pin_long_term_stability`). Some moves
    keep the carer (a short-term foster placement becoming long-term: RNE T), and children who
    are adopted move to their adopters in the last months of the period.
    """
    n = len(l_idx)
    period_ids = ids["cla_period"].take(n)
    open_period = l_end > extract_day
    stop = np.minimum(l_end, extract_day)
    length = np.maximum(1, stop - l_start)
    reason = np.where(open_period, "", _reasons_ceased(rng, at_eighteen, l_uasc, age_at_start))
    adopted = np.isin(reason, ["E11", "E12"])

    # ---- placement moves: (period, day, same carer, adoptive placement) ----
    settles = (~l_uasc) & (rng.random(n) < profile.pct_long_term_stable)
    rate = np.where(l_uasc, 1 / 420, np.where(settles, 1 / 2000, 1 / 260))
    k = rng.poisson(length * rate)
    mp = np.repeat(np.arange(n), k)
    md = l_start[mp] + 20 + (rng.random(len(mp)) * np.maximum(1, length[mp] - 20)).astype(np.int64)
    early = np.flatnonzero(settles & (length > 200) & (rng.random(n) < 0.5))  # settling-in move
    mp = np.concatenate([mp, early])
    md = np.concatenate([md, l_start[early] + rng.integers(10, 180, len(early))])
    same = rng.random(len(mp)) < 0.06
    adopt_p = np.flatnonzero(adopted & (length > 150))
    adopt_d = l_end[adopt_p] - rng.integers(90, 270, len(adopt_p))
    ok = adopt_d > l_start[adopt_p] + 30
    adopt_p, adopt_d = adopt_p[ok], adopt_d[ok]
    adopt_same = rng.random(len(adopt_p)) < 0.15  # foster for adoption: the carers adopt
    # An adopted child's moves stop when the adoptive placement starts.
    last_day = np.full(n, OPEN, dtype=np.int64)
    last_day[adopt_p] = adopt_d
    keep = (md > l_start[mp]) & (md < np.minimum(stop[mp], last_day[mp]))
    mp, md, same = mp[keep], md[keep], same[keep]
    adopt = np.zeros(len(mp), dtype=bool)
    mp, md = np.concatenate([mp, adopt_p]), np.concatenate([md, adopt_d])
    same, adopt = np.concatenate([same, adopt_same]), np.concatenate([adopt, np.ones(len(adopt_p), dtype=bool)])
    mp, md, same, adopt = _pin_long_term_stability(rng, profile.pct_long_term_stable, mp, md, same, adopt, l_start, l_end, dob, extract_day)

    # ---- placements: the first at entry, then one per move ----
    pl_period = np.concatenate([np.arange(n), mp])
    pl_start = np.concatenate([l_start, md])
    pl_first = np.concatenate([np.ones(n, dtype=bool), np.zeros(len(mp), dtype=bool)])
    pl_same = np.concatenate([np.zeros(n, dtype=bool), same])
    pl_adopt = np.concatenate([np.zeros(n, dtype=bool), adopt])
    order = np.lexsort((~pl_first, pl_start, pl_period))
    pl_period, pl_start, pl_first, pl_same, pl_adopt = (a[order] for a in (pl_period, pl_start, pl_first, pl_same, pl_adopt))
    dup = np.r_[False, (pl_period[1:] == pl_period[:-1]) & (pl_start[1:] == pl_start[:-1])]
    pl_period, pl_start, pl_first, pl_same, pl_adopt = (a[~dup] for a in (pl_period, pl_start, pl_first, pl_same, pl_adopt))
    m = len(pl_period)
    pl_last = np.r_[pl_period[1:] != pl_period[:-1], True]
    pl_end = np.where(pl_last, np.where(open_period[pl_period], OPEN, l_end[pl_period]), np.r_[pl_start[1:], 0])
    new_carer = pl_first | ~pl_same
    spell = np.cumsum(new_carer) - 1
    spell_first_row = np.flatnonzero(new_carer)
    pl_carer = rng.integers(1, 10**9, len(spell_first_row))[spell]
    age = years_between(dob[pl_period], pl_start)
    pl_type, pl_provider = _placement_types(rng, age, l_uasc[pl_period])
    # A move with the same carer keeps the provider; a short-term foster placement becomes
    # long-term (U6 -> U4, U3 -> U1), the usual reason for a same-carer change.
    first_type = pl_type[spell_first_row][spell]
    pl_type = np.where(new_carer, pl_type, np.select([first_type == "U6", first_type == "U3"], ["U4", "U1"], default=first_type))
    pl_provider = np.where(new_carer, pl_provider, pl_provider[spell_first_row][spell])
    pl_type = np.where(pl_adopt, np.where(pl_same, np.where(rng.random(m) < 0.5, "A3", "A5"), np.where(rng.random(m) < 0.5, "A4", "A6")), pl_type)
    pl_provider = np.where(pl_adopt, "PR1", pl_provider)
    pl_urn = _placement_urns(rng, pl_type, pl_provider, profile.la_code)[spell_first_row][spell]
    pl_urn = np.where(pl_adopt, "", pl_urn)
    next_same = np.r_[pl_same[1:] & ~pl_first[1:], False]
    next_adopt = np.r_[pl_adopt[1:], False]
    change_reason = np.where(
        pl_last,
        "",
        np.where(next_same, "PLACE", np.where(next_adopt, "CARPL", _choice(rng, np.array(["CARPL", "CREQB", "CREQO", "CHILD", "LAREQ", "STAND", "OTHER"]), np.array([0.35, 0.2, 0.15, 0.1, 0.1, 0.05, 0.05]), m))),
    )
    placement_ids = ids["placement"].take(m)

    # ---- legal statuses: section 20 for UASC and most older children; care orders otherwise ----
    s20 = l_uasc | ((age_at_start >= 14) & (rng.random(n) < 0.6))
    first_status = np.where(s20, "V2", np.where(rng.random(n) < 0.8, "C1", "L2"))
    change_day = l_start + rng.integers(40, 300, n)
    has_change = ~s20 & (change_day < stop)
    e1_day = change_day + rng.integers(100, 200, n)
    adopt_by = np.full(n, OPEN, dtype=np.int64)
    adopt_by[adopt_p] = adopt_d
    e1_day = np.where(adopted, np.minimum(e1_day, np.maximum(change_day + 1, adopt_by - 30)), e1_day)
    has_e1 = has_change & (e1_day < stop) & (adopted | ((age_at_start < 3) & (change_day + 200 < stop) & (rng.random(n) < 0.4)))
    ls_period = np.concatenate([np.arange(n), np.flatnonzero(has_change), np.flatnonzero(has_e1)])
    ls_start = np.concatenate([l_start, change_day[has_change], e1_day[has_e1]])
    ls_status = np.concatenate([first_status, np.where(first_status == "C1", "C2", "C1")[has_change], np.full(int(has_e1.sum()), "E1")])
    order = np.lexsort((ls_start, ls_period))
    ls_period, ls_start, ls_status = ls_period[order], ls_start[order], ls_status[order]
    ls_last = np.r_[ls_period[1:] != ls_period[:-1], True]
    ls_end = np.where(ls_last, np.where(open_period[ls_period], OPEN, l_end[ls_period]), np.r_[ls_start[1:], 0])

    # ---- SSDA903 episodes: a new one at every placement or legal status change ----
    key = 1_000_000
    pl_key = pl_period * key + pl_start
    ls_key = ls_period * key + ls_start
    ep_key = np.unique(np.concatenate([pl_key, ls_key]))
    ep_period, ep_start = ep_key // key, ep_key % key
    p = np.searchsorted(pl_key, ep_key, side="right") - 1
    lsi = np.searchsorted(ls_key, ep_key, side="right") - 1
    placement_changed = np.isin(ep_key, pl_key)
    legal_changed = np.isin(ep_key, ls_key)
    ep_first = np.r_[True, ep_period[1:] != ep_period[:-1]]
    same_carer = placement_changed & ~ep_first & (pl_carer[p] == pl_carer[np.maximum(p - 1, 0)])
    rne = np.where(
        ep_first,
        "S",
        np.where(placement_changed & legal_changed, np.where(same_carer, "U", "B"), np.where(placement_changed, np.where(same_carer, "T", "P"), "L")),
    )
    ep_last = np.r_[ep_period[1:] != ep_period[:-1], True]
    ep_end = np.where(ep_last, np.where(open_period[ep_period], OPEN, l_end[ep_period]), np.r_[ep_start[1:], 0])
    ep_reason = np.where(ep_last, reason[ep_period], "X1")
    episode_ids = ids["cla_episode"].take(len(ep_key))

    episodes = {
        "clae_cla_episode_id": episode_ids,
        "_child": l_child[ep_period],
        "clae_cla_episode_start_date": ep_start,
        "clae_cla_episode_start_reason": rne,
        "clae_cla_primary_need_code": np.where(l_uasc[ep_period], "N8", "N1"),
        "clae_cla_episode_ceased": ep_end,
        "clae_cla_episode_ceased_reason": ep_reason,
        "clae_cla_id": period_ids[ep_period],
        "_ref": l_idx[ep_period],
        "clae_cla_placement_id": placement_ids[p],
        "clae_entered_care_date": l_start[ep_period],
    }
    placements = {
        "clap_cla_placement_id": placement_ids,
        "clap_cla_id": period_ids[pl_period],
        "_child": l_child[pl_period],
        "clap_cla_placement_start_date": pl_start,
        "clap_cla_placement_type": pl_type,
        "clap_cla_placement_urn": pl_urn,
        "clap_cla_placement_distance": np.round(rng.gamma(2.0, 4.0, m), 1),
        "clap_cla_placement_provider": pl_provider,
        "clap_cla_placement_end_date": pl_end,
        "clap_cla_placement_change_reason": change_reason,
        "clap_carer_id": pl_carer,
    }
    legal = {
        "lega_legal_status_id": ids["legal_status"].take(len(ls_period)),
        "_child": l_child[ls_period],
        "lega_legal_status": ls_status,
        "lega_legal_status_start_date": ls_start,
        "lega_legal_status_end_date": ls_end,
    }
    u = np.flatnonzero(l_uasc)
    immigration = {
        "immi_immigration_status_id": ids["immigration"].take(len(u)),
        "_child": l_child[u],
        "immi_immigration_status": np.full(len(u), "UASC"),
        "immi_immigration_status_start_date": l_start[u],
        "immi_immigration_status_end_date": np.where(l_end[u] > extract_day, OPEN, l_end[u]),
    }
    placement_state = {
        "period": pl_period,
        "start": pl_start,
        "end": pl_end,
        "type": pl_type,
        "provider": pl_provider,
        "urn": pl_urn,
        "carer": pl_carer,
        "ids": placement_ids,
    }
    return {
        "ssd_cla_episodes": episodes,
        "ssd_cla_placement": placements,
        "ssd_legal_status": legal,
        "ssd_immigration_status": immigration,
        "_period_ids": period_ids,
        "_placements": placement_state,
        "_reason_ceased": reason,
    }


def _pin_long_term_stability(rng, share, mp, md, same, adopt, l_start, l_end, dob, extract_day):
    """Make the DfE long-term stability measure come out at `share` at every 31 March.

    Cohort: looked after on 31 March, aged under 16, looked after for at least 2.5 years.
    Stable: no change of carer in the last 2 years (same-carer moves and the move to adopters
    do not count, as in the DfE definition). Too many stable children: some move in the last
    year; too few: some unstable children lose the moves they made in the last year, when that
    makes them stable. Changes stay within the year before each 31 March, so an earlier year's
    figure never changes once pinned.
    """
    first_year, last_year = FIRST_SIMULATED_YEAR + 3, LAST_SIMULATED_YEAR
    for year in range(first_year, last_year + 1):
        t = fy_end(year)
        if t > extract_day:
            break
        year_ago, two_years_ago, thirty_months_ago = fy_end(year - 1), fy_end(year - 2), day(f"{year - 3}-09-30")
        cohort = np.flatnonzero((l_start <= thirty_months_ago) & (l_end > t) & (years_between(dob, np.full(len(dob), t)) < 16))
        if len(cohort) == 0:
            continue
        resets = ~same & ~adopt
        last_reset = np.full(len(l_start), -OPEN, dtype=np.int64)
        recent = resets & (md <= t)
        np.maximum.at(last_reset, mp[recent], md[recent])
        stable = last_reset[cohort] <= two_years_ago
        target = int(round(share * len(cohort)))
        gap = int(stable.sum()) - target
        if gap > 0:
            pick = rng.choice(cohort[stable], size=gap, replace=False)
            mp = np.concatenate([mp, pick])
            md = np.concatenate([md, t - rng.integers(0, 360, gap)])
            same = np.concatenate([same, np.zeros(gap, dtype=bool)])
            adopt = np.concatenate([adopt, np.zeros(gap, dtype=bool)])
        elif gap < 0:
            # Moves in the year before `year_ago` decided last year's figure, unless the child
            # was not in last year's cohort: only then may they go too.
            last_cohort = np.zeros(len(l_start), dtype=bool)
            last_cohort[(l_start <= day(f"{year - 4}-09-30")) & (l_end > year_ago) & (years_between(dob, np.full(len(dob), year_ago)) < 16)] = True
            between = np.zeros(len(l_start), dtype=bool)
            between[mp[resets & (md > two_years_ago) & (md <= year_ago)]] = True
            candidates = cohort[~stable & ~(between[cohort] & last_cohort[cohort])]
            pick = rng.choice(candidates, size=min(-gap, len(candidates)), replace=False)
            window_start = np.where(last_cohort[mp], year_ago, two_years_ago)
            drop = np.isin(mp, pick) & resets & (md > window_start) & (md <= t)
            mp, md, same, adopt = mp[~drop], md[~drop], same[~drop], adopt[~drop]
    return mp, md, same, adopt


def _placement_types(rng, age: np.ndarray, uasc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Placement type and provider by age: foster care for younger children, children's homes and
    semi-independent accommodation for teenagers; unaccompanied 16-17 year olds mostly in
    semi-independent accommodation."""
    n = len(age)
    r, r2, r3 = rng.random(n), rng.random(n), rng.random(n)
    foster = np.where(r2 < 0.5, "U4", "U6")
    foster_provider = np.where(r3 < 0.58, "PR1", "PR4")
    uasc_16 = np.where(r < 0.55, "H5", "U6")
    older = np.where(r < 0.35, "H5", np.where(r < 0.5, "K2", "U4"))
    middle = np.where(r < 0.18, "K2", np.where(r < 0.3, "U1", foster))
    young = np.where(r < 0.15, "U1", np.where(r < 0.22, "P1", foster))
    kind = np.where(uasc & (age >= 16), uasc_16, np.where(age >= 16, older, np.where(age >= 11, middle, young)))
    foster_or_uasc = np.where(uasc & (age >= 16), np.where(r3 < 0.6, "PR4", "PR1"), np.where(kind == "U4", np.where(r3 < 0.5, "PR1", "PR4"), foster_provider))
    provider = np.where(np.isin(kind, ["H5", "K2"]), "PR4", np.where(kind == "U1", "PR1", np.where(kind == "P1", "PR0", foster_or_uasc)))
    return kind, provider


def _placement_urns(rng, ptype: np.ndarray, provider: np.ndarray, la_code: str) -> np.ndarray:
    """The Ofsted URN of each placement's provider: the council's fostering service for in-house
    foster carers, an independent fostering agency or a children's home from the register, and
    none where Ofsted registers no one (placed with parents, semi-independent accommodation)."""
    n = len(ptype)
    pick = rng.random(n)
    homes, secure, agencies = provider_urns("CH"), provider_urns("SCH"), provider_urns("IFA")
    # A skewed pick: a few providers take many placements, as in practice.
    skew = pick**1.6
    foster = np.isin(ptype, ["U1", "U2", "U3", "U4", "U5", "U6"])
    return np.select(
        [foster & (provider == "PR1"), foster, ptype == "K2", ptype == "K1"],
        [np.full(n, la_fostering_urn(la_code)), agencies[(skew * len(agencies)).astype(int)], homes[(skew * len(homes)).astype(int)], secure[(pick * len(secure)).astype(int)]],
        default="",
    )


def _reasons_ceased(rng, at_eighteen: np.ndarray, uasc: np.ndarray, age: np.ndarray) -> np.ndarray:
    n = len(age)
    at_18 = _choice(rng, np.array(["E5", "E6", "E17", "E8"]), np.array([0.55, 0.15, 0.2, 0.1]), n)
    # Unaccompanied children leaving before 18: transferred to another council under the
    # national transfer scheme, assessed as adults, or other reasons.
    uasc_early = _choice(rng, np.array(["E8", "E15", "E3", "E13", "E9"]), np.array([0.45, 0.25, 0.15, 0.1, 0.05]), n)
    adoption = np.where(rng.random(n) < 0.5, "E11", "E12")
    other = _choice(rng, np.array(["E4A", "E4B", "E13", "E45", "E47", "E41", "E8", "E3"]), np.array([0.45, 0.1, 0.07, 0.08, 0.08, 0.05, 0.12, 0.05]), n)
    young_adopted = (age < 4) & (rng.random(n) < 0.35)
    return np.where(at_eighteen, at_18, np.where(uasc, uasc_early, np.where(young_adopted, adoption, other)))
