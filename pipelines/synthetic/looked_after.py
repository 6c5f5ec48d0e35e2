"""Looked-after children's reviews, health, SDQs, missing episodes and convictions, care
leavers' birthday contacts, and the Ofsted register of the providers they are placed with,
built on the periods of care and placements of `social_care.simulate_borough`.

    history         children already looked after on 1 April 2012, when the simulation starts,
                    who left care before April 2018: rows added to the core tables, so that
                    care leavers up to 25 have a care history (nothing reported changes)
    reviews         independent reviews: 20 working days after entry, 3 months later, then
                    six-monthly
    health          initial health assessments (due 20 working days after entry), review
                    assessments (six-monthly under five, annual from five), dental checks;
                    immunisation status recorded at each assessment
    sdq             one Strengths and Difficulties Questionnaire a year for children aged 4-16
                    looked after for 12 months, or the reason none was returned
    missing         missing and away episodes, far more often for teenagers in children's
                    homes and semi-independent accommodation, and concentrated on a few
                    children; return home interviews offered, accepted and completed
    convictions     convictions and cautions of 10-17 year olds (SSDA903 OC2)
    care leavers    a contact around every birthday from the 17th to the 21st (and to 25 while
                    supported) for everyone eligible: looked after 13 weeks after 14, leaving
                    at 16 or over
    ofsted          the providers' inspection history (a separate source, `ofsted`)

Each builder draws from its own random stream (STREAMS), so changing one never moves another
or any other module's tables. Everything is vectorised; the only loops are over years or over
the n-th review or assessment of a period, never over rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from pipelines.synthetic.calendar import add_working_days, add_years, day, fy_end, fy_start, years_between
from pipelines.synthetic.pinning import OPEN
from pipelines.synthetic.profiles import (
    FIRST_SIMULATED_YEAR,
    LAST_SIMULATED_YEAR,
    LOOKED_AFTER,
    SOCIAL_CARE_ETHNICITY,
    UASC_ETHNICITY,
    interpolate,
)
from pipelines.synthetic.social_care import Counters, Journeys, la_fostering_urn, provider_urns

# Random streams of this module (core: 1 journeys, 2 persons, 3 populations; safeguarding 3xx).
STREAMS = {
    "history": 701,
    "reviews": 702,
    "health": 703,
    "sdq": 704,
    "missing": 705,
    "convictions": 706,
    "care_leavers": 707,
    "ofsted": 708,
}
SIMULATION_START = day(f"{FIRST_SIMULATED_YEAR - 1}-04-01")
# Historical periods must have ended before the first reported period (2018-19) begins, so
# that no reported stock or flow changes.
HISTORY_ENDS_BY = day("2018-03-31")
OFSTED_RELEASE_DATE = date(2023, 5, 1)
FOSTER_TYPES = ("U1", "U2", "U3", "U4", "U5", "U6")


@dataclass
class Care:
    """Every period of care of one borough, simulated and historical, with what the builders
    need. `end` is OPEN while the period is open; `stop` is the end or the extract date."""

    person_id: np.ndarray
    dob: np.ndarray
    sex: np.ndarray
    uasc: np.ndarray
    start: np.ndarray
    end: np.ndarray
    reason: np.ndarray
    historical: np.ndarray
    extract_day: int

    @property
    def stop(self) -> np.ndarray:
        return np.minimum(self.end, self.extract_day)

    def __len__(self) -> int:
        return len(self.start)


def _take(gen, name: str, n: int) -> np.ndarray:
    return gen.ids.setdefault(name, Counters()).take(n)


def _datetime_text(days: np.ndarray, seconds: np.ndarray, missing: np.ndarray | None = None) -> np.ndarray:
    """'YYYY-MM-DD HH:MM:SS' text for day numbers plus seconds ('' where `missing`)."""
    stamp = np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype("datetime64[s]") + np.asarray(seconds, dtype=np.int64).astype("timedelta64[s]")
    text = np.char.replace(np.datetime_as_string(stamp, unit="s"), "T", " ")
    return text if missing is None else np.where(missing, "", text)


def _group_offsets(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For counts per group: the group of each row and the row's number within its group."""
    group = np.repeat(np.arange(len(counts)), counts)
    first = np.cumsum(counts) - counts
    return group, np.arange(len(group)) - first[group]


# ---------------------------------------------------------------------------------------------
# Historical periods of care


def historical_care(rng, j: Journeys, gen) -> tuple[dict[str, dict[str, np.ndarray]], Care]:
    """Children looked after on 1 April 2012 (the profile's 2013 stock), aged 10 and over, who
    left care by 31 March 2018: a person, one or two placements, a legal status and episodes
    each, appended to the core tables. Younger ones, and those still looked after in 2018,
    are left out: the simulated years already carry the stock they would have been part of."""
    from pipelines.synthetic.generate import upn_for  # generate imports this module

    profile, scale = j.profile, j.scale
    la = LOOKED_AFTER[profile.la_code]
    n_other = int(round(interpolate(profile.cla_stock_other)[FIRST_SIMULATED_YEAR] * la.share_of_2012_stock_aged_10_plus * scale))
    n_uasc = int(round(interpolate(profile.cla_stock_uasc)[FIRST_SIMULATED_YEAR] * scale))
    n = n_other + n_uasc
    uasc = np.arange(n) >= n_other
    age_days = np.where(uasc, rng.integers(14 * 365, int(17.9 * 365), n), rng.integers(10 * 365, int(17.9 * 365), n))
    dob = SIMULATION_START - age_days
    # Entered care after the 14th birthday (UASC) or the 9th (others), at least a month before.
    earliest = np.where(uasc, 14 * 365, 9 * 365)
    entered_at = earliest + (rng.random(n) * np.maximum(1, age_days - 30 - earliest)).astype(np.int64)
    start = dob + entered_at
    eighteen = add_years(dob, 18)
    until_18 = uasc | (rng.random(n) < 0.65)
    early_end = SIMULATION_START + 1 + (rng.random(n) * np.maximum(1, eighteen - SIMULATION_START - 1)).astype(np.int64)
    end = np.where(until_18, eighteen, early_end)
    keep = end <= HISTORY_ENDS_BY
    uasc, dob, start, end, until_18 = uasc[keep], dob[keep], start[keep], end[keep], until_18[keep]
    n = len(start)
    reason = np.where(
        until_18,
        np.array(["E5", "E6", "E17", "E8"])[rng.choice(4, n, p=[0.55, 0.15, 0.2, 0.1])],
        np.array(["E4A", "E4B", "E13", "E45", "E41", "E8", "E3"])[rng.choice(7, n, p=[0.45, 0.1, 0.1, 0.1, 0.05, 0.15, 0.05])],
    )
    sex = np.where(uasc, np.where(rng.random(n) < 0.93, "M", "F"), np.where(rng.random(n) < 0.51, "M", "F"))
    eth_other = np.array(list(SOCIAL_CARE_ETHNICITY))[rng.choice(len(SOCIAL_CARE_ETHNICITY), n, p=np.array(list(SOCIAL_CARE_ETHNICITY.values())) / sum(SOCIAL_CARE_ETHNICITY.values()))]
    eth_uasc = np.array(list(UASC_ETHNICITY))[rng.choice(len(UASC_ETHNICITY), n, p=np.array(list(UASC_ETHNICITY.values())) / sum(UASC_ETHNICITY.values()))]
    ethnicity = np.where(uasc, eth_uasc, eth_other)
    person_id = int(j.person_id.max()) + 1 + np.arange(n, dtype=np.int64)
    la_code = np.full(n, profile.la_code)

    # One move for some, half-way through: a new placement and episode (RNE P).
    moves = (rng.random(n) < 0.4) & (end - start > 120)
    move_day = start + ((end - start) * rng.uniform(0.3, 0.7, n)).astype(np.int64)
    pl_period = np.concatenate([np.arange(n), np.flatnonzero(moves)])
    pl_start = np.concatenate([start, move_day[moves]])
    order = np.lexsort((pl_start, pl_period))
    pl_period, pl_start = pl_period[order], pl_start[order]
    pl_last = np.r_[pl_period[1:] != pl_period[:-1], True]
    pl_end = np.where(pl_last, end[pl_period], np.r_[pl_start[1:], 0])
    pl_age = years_between(dob[pl_period], pl_start)
    pl_type = np.where(uasc[pl_period] & (pl_age >= 16), "H5", np.where(pl_age >= 15, np.where(rng.random(len(pl_period)) < 0.3, "K2", "U4"), "U4"))
    pl_provider = np.where(pl_type == "U4", np.where(rng.random(len(pl_period)) < 0.6, "PR1", "PR4"), "PR4")
    pl_urn = np.where(pl_type == "U4", np.where(pl_provider == "PR1", la_fostering_urn(profile.la_code), provider_urns("IFA")[rng.integers(0, len(provider_urns("IFA")), len(pl_period))]), np.where(pl_type == "K2", provider_urns("CH")[rng.integers(0, len(provider_urns("CH")), len(pl_period))], ""))
    period_ids = _take(gen, "cla_period", n)
    placement_ids = _take(gen, "placement", len(pl_period))
    status = np.where(uasc | (rng.random(n) < 0.4), "V2", "C2")
    ep_first = np.r_[True, pl_period[1:] != pl_period[:-1]]

    persons = {
        "la_code": la_code,
        "pers_person_id": person_id,
        "pers_sex": sex,
        "pers_ethnicity": ethnicity,
        "pers_forename": np.full(n, "Historical"),
        "pers_surname": np.full(n, "Synthetic"),
        "pers_dob": dob,
        "pers_expected_dob": np.full(n, OPEN),
        # Children who went to school in England have a UPN (the same function of the Mosaic id
        # as everyone's); unaccompanied children arriving at 14+ never did (UN2).
        "pers_upn": np.where(uasc, "", upn_for(profile.la_code, person_id)),
        "pers_upn_unknown": np.where(uasc, "UN2", ""),
        "pers_send_flag": np.where(rng.random(n) < 0.1, "Y", "N"),
        "pers_death_date": np.full(n, OPEN),
        "pers_postcode": np.full(n, ""),
    }
    episodes = {
        "clae_cla_episode_id": _take(gen, "cla_episode", len(pl_period)),
        "clae_cla_episode_start_date": pl_start,
        "clae_cla_episode_start_reason": np.where(ep_first, "S", "P"),
        "clae_cla_primary_need_code": np.where(uasc[pl_period], "N8", "N1"),
        "clae_cla_episode_ceased": pl_end,
        "clae_cla_episode_ceased_reason": np.where(pl_last, reason[pl_period], "X1"),
        "clae_cla_id": period_ids[pl_period],
        "clae_cla_placement_id": placement_ids,
        "clae_entered_care_date": start[pl_period],
        "la_code": la_code[pl_period],
        "clae_person_id": person_id[pl_period],
        "clae_referral_id": np.full(len(pl_period), -1, dtype=np.int64),  # referred before the extract's history
    }
    placements = {
        "clap_cla_placement_id": placement_ids,
        "clap_cla_id": period_ids[pl_period],
        "clap_cla_placement_start_date": pl_start,
        "clap_cla_placement_type": pl_type,
        "clap_cla_placement_urn": pl_urn,
        "clap_cla_placement_distance": np.round(rng.gamma(2.0, 4.0, len(pl_period)), 1),
        "clap_cla_placement_provider": pl_provider,
        "clap_cla_placement_end_date": pl_end,
        "clap_cla_placement_change_reason": np.where(pl_last, "", "CARPL"),
        "clap_carer_id": rng.integers(1, 10**9, len(pl_period)),
        "la_code": la_code[pl_period],
        "clap_person_id": person_id[pl_period],
    }
    legal = {
        "lega_legal_status_id": _take(gen, "legal_status", n),
        "lega_legal_status": status,
        "lega_legal_status_start_date": start,
        "lega_legal_status_end_date": end,
        "la_code": la_code,
        "lega_person_id": person_id,
    }
    u = np.flatnonzero(uasc)
    immigration = {
        "immi_immigration_status_id": _take(gen, "immigration", len(u)),
        "immi_immigration_status": np.full(len(u), "UASC"),
        "immi_immigration_status_start_date": start[u],
        "immi_immigration_status_end_date": end[u],
        "la_code": la_code[u],
        "immi_person_id": person_id[u],
    }
    care = Care(person_id=person_id, dob=dob, sex=sex, uasc=uasc, start=start, end=end, reason=reason, historical=np.ones(n, dtype=bool), extract_day=j.extract_day)
    tables = {"ssd_person": persons, "ssd_cla_episodes": episodes, "ssd_cla_placement": placements, "ssd_legal_status": legal, "ssd_immigration_status": immigration}
    return tables, care


def simulated_care(j: Journeys) -> Care:
    return Care(
        person_id=j.person_id[j.cla_child],
        dob=j.child_dob[j.cla_child],
        sex=j.child_sex[j.cla_child],
        uasc=j.cla_uasc,
        start=j.cla_start,
        end=j.cla_end,
        reason=j.cla_reason_ceased if j.cla_reason_ceased is not None else np.full(len(j.cla_start), ""),
        historical=np.zeros(len(j.cla_start), dtype=bool),
        extract_day=j.extract_day,
    )


def _combined(a: Care, b: Care) -> Care:
    return Care(**{f: np.concatenate([getattr(a, f), getattr(b, f)]) for f in ("person_id", "dob", "sex", "uasc", "start", "end", "reason", "historical")}, extract_day=a.extract_day)


# ---------------------------------------------------------------------------------------------
# Reviews


def reviews(rng, care: Care, period_ids: np.ndarray, gen, la_code: str) -> dict[str, np.ndarray]:
    """First review 20 working days after entry, the second three months later, then every six
    months while the child is looked after. Most are held a few days early; some late; a few
    cancelled. Reviews due after the extract date are not written; one that is due but not yet
    held is written with its due date only."""
    first_due = add_working_days(care.start, np.full(len(care), 20))
    span = care.stop - first_due
    count = np.where(span > 0, 1 + np.where(span > 91, 1 + (span - 92) // 182, 0), 0)
    period, k = _group_offsets(count)
    due = first_due[period] + np.where(k == 0, 0, 91 + 182 * (k - 1))
    n = len(period)
    late = rng.random(n) < 0.07
    held = np.where(late, due + rng.integers(1, 45, n), due - rng.integers(0, 14, n))
    held = np.maximum(held, care.start[period] + 1)
    cancelled = rng.random(n) < 0.02
    not_held = cancelled | (held > care.extract_day) | (held >= care.end[period])
    # A late review of a child who has since left care never happened: drop it.
    keep = ~((held >= care.end[period]) & (care.end[period] <= care.extract_day) & ~cancelled) & (due <= care.extract_day)
    period, due, held, cancelled, not_held = period[keep], due[keep], held[keep], cancelled[keep], not_held[keep]
    n = len(period)
    age = years_between(care.dob[period], np.minimum(held, due))
    participation = np.array(["PN1", "PN2", "PN3", "PN4", "PN5", "PN6", "PN7"])[rng.choice(7, n, p=[0.55, 0.05, 0.05, 0.05, 0.12, 0.13, 0.05])]
    return {
        "la_code": np.full(n, la_code),
        "clar_cla_review_id": _take(gen, "cla_review", n),
        "clar_cla_id": period_ids[period],
        "clar_cla_review_due_date": due,
        "clar_cla_review_date": np.where(not_held, OPEN, held),
        "clar_cla_review_cancelled": np.where(cancelled, "Y", "N"),
        "clar_cla_review_participation": np.where(not_held, "", np.where(age < 4, "PN0", participation)),
    }


# ---------------------------------------------------------------------------------------------
# Health assessments, dental checks, immunisations


def health(rng, care: Care, gen, la_code: str) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Health checks and immunisation statuses of simulated periods of care."""
    n = len(care)
    stop = care.stop
    rows = {k: [] for k in ("period", "type", "date", "due", "status")}

    def add(period, kind, when, due, status):
        rows["period"].append(period)
        rows["type"].append(np.full(len(period), kind))
        rows["date"].append(when)
        rows["due"].append(due)
        rows["status"].append(status)

    # Initial health assessment: due 20 working days after entry; about 60% on time nationally.
    due = add_working_days(care.start, np.full(n, 20))
    on_time = rng.random(n) < 0.62
    done = add_working_days(care.start, np.where(on_time, rng.integers(5, 21, n), rng.integers(21, 70, n)))
    has = due < stop  # still looked after when it fell due
    completed = has & (done < stop)
    planned = has & ~completed & (care.end > care.extract_day)
    idx = np.flatnonzero(completed | planned)
    add(idx, "IHA", np.where(completed[idx], done[idx], OPEN), due[idx], np.where(completed[idx], "COMPLETED", "PLANNED"))

    # Review health assessments: six-monthly under five, annual from five, from the last one.
    last = np.where(completed, done, OPEN)
    alive = completed.copy()
    while alive.any():
        age = years_between(care.dob, np.where(alive, last, care.start))
        next_due = last + np.where(age < 5, 182, 365)
        alive &= next_due < stop
        idx = np.flatnonzero(alive)
        if len(idx) == 0:
            break
        m = len(idx)
        teen = age[idx] >= 14
        refused = teen & (rng.random(m) < 0.04)
        late = rng.random(m) < 0.12
        when = np.where(late, next_due[idx] + rng.integers(1, 90, m), next_due[idx] - rng.integers(0, 30, m))
        in_time = when < stop[idx]
        still_looked_after = care.end[idx] > care.extract_day
        status = np.where(in_time, np.where(refused, "REFUSED", "COMPLETED"), np.where(still_looked_after, "PLANNED", ""))
        write = status != ""
        add(idx[write], "RHA", np.where(status[write] == "PLANNED", OPEN, when[write]), next_due[idx][write], status[write])
        last[idx] = np.where(in_time, when, next_due[idx])
        alive[idx] &= in_time

    # Dental checks: about once a year, fewer in 2020-21 when dentists were closed.
    years = np.maximum(0, (stop - care.start) // 365) + 1
    period, k = _group_offsets(years)
    when = care.start[period] + 60 + 365 * k + rng.integers(-45, 45, len(period))
    covid = (when >= day("2020-04-01")) & (when <= day("2021-03-31"))
    ok = (when < stop[period]) & (when > care.start[period]) & (rng.random(len(period)) < np.where(covid, 0.45, 0.86))
    add(period[ok], "DENTAL", when[ok], np.full(int(ok.sum()), OPEN), np.full(int(ok.sum()), "COMPLETED"))

    period = np.concatenate(rows["period"])
    kind = np.concatenate(rows["type"])
    when = np.concatenate(rows["date"])
    due = np.concatenate(rows["due"])
    status = np.concatenate(rows["status"])
    m = len(period)
    checks = {
        "la_code": np.full(m, la_code),
        "clah_health_check_id": _take(gen, "cla_health_check", m),
        "clah_person_id": care.person_id[period],
        "clah_health_check_type": kind,
        "clah_health_check_date": when,
        "clah_health_check_status": status,
        "clah_health_check_due_date": due,
    }
    # Immunisation status recorded at every completed health assessment: unaccompanied children
    # often arrive with no records and catch up after the first assessment.
    assessed = np.flatnonzero((status == "COMPLETED") & np.isin(kind, ["IHA", "RHA"]))
    p_up_to_date = np.where(care.uasc[period[assessed]], np.where(kind[assessed] == "IHA", 0.45, 0.85), np.where(kind[assessed] == "IHA", 0.8, 0.9))
    immunisations = {
        "la_code": np.full(len(assessed), la_code),
        "clai_immunisations_id": _take(gen, "cla_immunisation", len(assessed)),
        "clai_person_id": care.person_id[period[assessed]],
        "clai_immunisations_status": np.where(rng.random(len(assessed)) < p_up_to_date, "Y", "N"),
        "clai_immunisations_status_date": when[assessed],
    }
    # One status per child and day (the primary key): keep the first.
    key = immunisations["clai_person_id"].astype(np.int64) * 1_000_000 + when[assessed]
    _, first = np.unique(key, return_index=True)
    immunisations = {c: v[np.sort(first)] for c, v in immunisations.items()}
    return checks, immunisations


# ---------------------------------------------------------------------------------------------
# Strengths and Difficulties Questionnaires


def sdq_scores(rng, care: Care, gen, la_code: str) -> dict[str, np.ndarray]:
    """Each 31 March, every child aged 4-16 looked after for 12 months or more has had an SDQ
    in the year (about 80% with a score; otherwise a reason), dated after entering care."""
    parts = []
    for year in range(FIRST_SIMULATED_YEAR + 1, LAST_SIMULATED_YEAR + 1):
        t = fy_end(year)
        age = years_between(care.dob, np.full(len(care), t))
        idx = np.flatnonzero((care.start <= t - 365) & (care.end > t) & (age >= 4) & (age <= 16))
        parts.append((idx, np.full(len(idx), t)))
    period = np.concatenate([p for p, _ in parts])
    t = np.concatenate([d for _, d in parts])
    n = len(period)
    when = t - rng.integers(0, 300, n)
    scored = rng.random(n) < 0.8
    mean = np.where(care.uasc[period], 11.0, 14.5)
    score = np.clip(np.round(rng.normal(mean, 6.5)), 0, 40).astype(np.int64)
    reason = np.array(["SDQ2", "SDQ3", "SDQ4", "SDQ5"])[rng.choice(4, n, p=[0.25, 0.1, 0.4, 0.25])]
    return {
        "la_code": np.full(n, la_code),
        "csdq_table_id": _take(gen, "sdq", n),
        "csdq_person_id": care.person_id[period],
        "csdq_sdq_completed_date": when,
        "csdq_sdq_reason": np.where(scored, "", reason),
        "csdq_sdq_score": np.where(scored, score.astype(str), ""),
    }


# ---------------------------------------------------------------------------------------------
# Missing and away episodes


def missing_episodes(rng, care: Care, placements: dict, gen, la_code: str) -> dict[str, np.ndarray]:
    """Missing and away episodes per placement: rare under 11, common for teenagers, three times
    as common in children's homes and semi-independent accommodation; a few children go missing
    again and again (a gamma-distributed propensity per period of care)."""
    period = placements["period"]
    p_start = placements["start"]
    p_stop = np.minimum(placements["end"], care.extract_day)
    years = np.maximum(0, p_stop - p_start) / 365.25
    age = years_between(care.dob[period], p_start)
    base = np.select([age < 11, age < 14], [0.03, 0.4], default=1.0)
    setting = np.select([np.isin(placements["type"], ["K1", "K2"]), placements["type"] == "H5"], [3.0, 2.5], default=1.0)
    propensity = rng.gamma(0.15, 1 / 0.15, len(care))[period]
    rate = base * setting * np.where(care.uasc[period], 0.6, 1.0) * propensity
    count = rng.poisson(rate * years)
    row, _ = _group_offsets(count)
    n = len(row)
    start_day = p_start[row] + (rng.random(n) * np.maximum(1, p_stop[row] - p_start[row])).astype(np.int64)
    start_sec = rng.integers(14 * 3600, 24 * 3600, n)  # mostly afternoons and evenings
    away = rng.random(n) < 0.25
    hours = np.where(away, rng.lognormal(np.log(5), 0.8, n), rng.lognormal(np.log(16), 1.2, n))
    duration = np.minimum(hours * 3600, 30 * 86400).astype(np.int64)
    end_abs = start_day * 86400 + start_sec + duration
    still_missing = end_abs > (care.extract_day + 1) * 86400
    end_day, end_sec = end_abs // 86400, end_abs % 86400
    # Return home interviews: for missing (not away) episodes; offered within 72 hours of the
    # return in most cases; about six in ten accepted, most of those completed.
    rhi = ~away & ~still_missing
    offered = rhi & (rng.random(n) < 0.95)
    offer_abs = end_abs + (rng.lognormal(np.log(20), 0.9, n) * 3600).astype(np.int64)
    accepted = offered & (rng.random(n) < 0.62)
    answer_abs = offer_abs + rng.integers(0, 86400, n)
    completed = accepted & (rng.random(n) < 0.92)
    done_abs = answer_abs + rng.integers(3600, 3 * 86400, n)
    limit = (care.extract_day + 1) * 86400
    offered &= offer_abs < limit
    accepted &= offered & (answer_abs < limit)
    completed &= accepted & (done_abs < limit)
    return {
        "la_code": np.full(n, la_code),
        "miss_table_id": _take(gen, "missing_episode", n),
        "miss_person_id": care.person_id[period[row]],
        "miss_missing_episode_start_date": _datetime_text(start_day, start_sec),
        "miss_missing_episode_type": np.where(away, "A", "M"),
        "miss_missing_episode_end_date": _datetime_text(end_day, end_sec, still_missing),
        "miss_missing_rhi_offered": np.where(rhi, np.where(offered, "Y", "N"), np.where(still_missing, "", "NA")),
        "miss_missing_rhi_accepted": np.where(offered, np.where(accepted, "Y", "N"), np.where(rhi | still_missing, "", "NA")),
        "miss_missing_rhi_offered_date": _datetime_text(offer_abs // 86400, offer_abs % 86400, ~offered),
        "miss_missing_rhi_accepted_date": _datetime_text(answer_abs // 86400, answer_abs % 86400, ~offered | (answer_abs >= limit)),
        "miss_missing_rhi_completed_date": _datetime_text(done_abs // 86400, done_abs % 86400, ~completed),
    }


# ---------------------------------------------------------------------------------------------
# Convictions and cautions


def convictions(rng, care: Care, gen, la_code: str) -> dict[str, np.ndarray]:
    """Convictions and youth cautions of looked-after 10-17 year olds, by financial year: about
    6% a year of boys aged 14-17, far fewer girls and younger children, fewer UASC."""
    parts = []
    for year in range(FIRST_SIMULATED_YEAR, LAST_SIMULATED_YEAR + 2):
        lo = np.maximum(care.start, fy_start(year))
        hi = np.minimum(care.stop, fy_end(year))
        age = years_between(care.dob, np.maximum(lo, care.start))
        exposure = np.maximum(0, hi - lo) / 365.25
        p = np.select([age < 10, age < 14, age < 18], [0.0, 0.015, 0.06], default=0.0) * np.where(care.sex == "M", 1.0, 0.35) * np.where(care.uasc, 0.4, 1.0)
        hit = np.flatnonzero(rng.random(len(care)) < p * exposure)
        when = lo[hit] + (rng.random(len(hit)) * np.maximum(1, hi[hit] - lo[hit])).astype(np.int64)
        parts.append((hit, when))
    period = np.concatenate([p for p, _ in parts])
    when = np.concatenate([w for _, w in parts])
    n = len(period)
    return {
        "la_code": np.full(n, la_code),
        "clac_cla_conviction_id": _take(gen, "cla_conviction", n),
        "clac_person_id": care.person_id[period],
        "clac_cla_conviction_date": when,
        "clac_cla_conviction_offence": np.full(n, ""),
    }


# ---------------------------------------------------------------------------------------------
# Care leavers


def care_leaver_eligibility(care: Care) -> tuple[np.ndarray, np.ndarray]:
    """By period: whether the young person is a care leaver when the period ends (DfE: looked
    after for 13 weeks or more after their 14th birthday, including some time after their 16th;
    the periods here are one per person), and the day they left care."""
    fourteen, sixteen = add_years(care.dob, 14), add_years(care.dob, 16)
    weeks_after_14 = np.maximum(0, np.minimum(care.end, care.extract_day) - np.maximum(care.start, fourteen))
    eligible = (weeks_after_14 >= 91) & (care.end > sixteen) & (care.end <= care.extract_day) & (care.reason != "E3")
    return eligible, care.end


def care_leavers(rng, care: Care, gen, la_code: str) -> dict[str, np.ndarray]:
    """A contact around every birthday from the 17th (if they had left care by then) to the
    21st, and on to the 25th while the young person still wants support; the contact falls in
    DfE's window, three months before to one month after the birthday, and never before the
    young person left care. Young people who went home to their parents or on a permanence
    order are recorded as returned home (RHOM); care taken over by another council (E3) has no
    care leaver record here."""
    la = LOOKED_AFTER[la_code]
    eligible, left = care_leaver_eligibility(care)
    people = np.flatnonzero(eligible)
    # The last birthday supported: 21, or up to 25 for those who keep asking for support.
    stays = rng.random(len(people)) < np.where(care.uasc[people], la.pct_supported_after_21_uasc, la.pct_supported_after_21_other)
    last_supported = np.where(stays, 25, rng.integers(21, 25, len(people)))
    gone_home = np.isin(care.reason[people], ["E4A", "E4B", "E41", "E45", "E46", "E47", "E48"])
    ages = np.arange(17, 26)
    person = np.repeat(people, len(ages))
    idx = np.repeat(np.arange(len(people)), len(ages))
    age = np.tile(ages, len(people))
    birthday = add_years(care.dob[person], age)
    n = len(person)
    contact = np.maximum(left[person], birthday + rng.integers(-90, 31, n))
    row = (left[person] <= birthday) & (contact <= care.extract_day) & (age <= last_supported[idx] + 1)
    # Death ends the record (about 1 in 1,000 a year).
    died = rng.random(n) < 0.001
    died_age = np.full(len(people), 99)
    np.minimum.at(died_age, idx[died & row], age[died & row])
    row &= age <= died_age[idx]
    person, idx, age, birthday, contact, died = person[row], idx[row], age[row], birthday[row], contact[row], died[row]
    n = len(person)
    stopped = age == last_supported[idx] + 1
    r = rng.random(n)
    p_touch = la.pct_care_leavers_in_touch
    year = _financial_year(birthday)
    open_status = ~died & ~gone_home[idx] & ~stopped
    # The DfE cohort of each year (birthdays 17-21): in touch, suitable accommodation and
    # education, employment or training are given to exactly the profile's share of it, so the
    # published shares come out whatever the size of a small borough's cohort; older care
    # leavers draw freely. Former UASC and younger care leavers are a little more often in EET.
    cohort = open_status & (age <= 21)
    yes = np.where(cohort, _exact_share(rng, year, cohort, cohort, p_touch), r < p_touch)
    in_touch = np.where(died, "DIED", np.where(gone_home[idx], "RHOM", np.where(stopped, "NREQ", np.where(yes, "YES", np.where(r < p_touch + (1 - p_touch) * 0.6, "NO", "REFU")))))
    yes = in_touch == "YES"
    p_suitable = min(0.995, la.pct_care_leavers_suitable_accommodation / p_touch)
    suitable = np.where(cohort, _exact_share(rng, year, cohort & yes, cohort, la.pct_care_leavers_suitable_accommodation), rng.random(n) < p_suitable)
    eet_bias = np.where(care.uasc[person], 0.1, 0.0) + np.where(age <= 18, 0.05, 0.0)
    eet = np.where(cohort, _exact_share(rng, year, cohort & yes, cohort, la.pct_care_leavers_eet, eet_bias), rng.random(n) < la.pct_care_leavers_eet / p_touch)
    good = np.array(["U", "D", "Z", "E", "B", "T", "C", "K", "Y"])
    good_p = np.array([0.33, 0.2, 0.1, 0.09, 0.08, 0.06, 0.04, 0.05, 0.05])
    accommodation_ok = good[rng.choice(len(good), n, p=good_p)]
    # Staying put (Z) is only for 18 and over; residential care (C) mostly at 17.
    accommodation_ok = np.where((accommodation_ok == "Z") & (age < 18), "D", accommodation_ok)
    bad = np.array(["S", "W", "V", "X", "B", "K", "R"])
    accommodation_bad = bad[rng.choice(len(bad), n, p=[0.2, 0.15, 0.15, 0.1, 0.15, 0.1, 0.15])]
    accommodation = np.where(yes, np.where(suitable, accommodation_ok, accommodation_bad), "")
    suitability = np.where(yes & (accommodation != "R"), np.where(suitable & ~np.isin(accommodation, ["S", "X"]), "1", "2"), "")
    eet_codes = np.array(["F1", "P1", "F2", "P2", "F4", "P4", "F5", "P5"])
    eet_p = np.where(age[:, None] <= 18, np.array([0.04, 0.01, 0.55, 0.05, 0.07, 0.01, 0.19, 0.08]), np.array([0.2, 0.03, 0.2, 0.04, 0.06, 0.01, 0.32, 0.14]))
    activity_eet = eet_codes[(rng.random(n)[:, None] > np.cumsum(eet_p, axis=1)).sum(axis=1).clip(0, len(eet_codes) - 1)]
    activity_neet = np.array(["G4", "G5", "G6"])[rng.choice(3, n, p=[0.2, 0.65, 0.15])]
    activity = np.where(yes, np.where(eet, activity_eet, activity_neet), "")
    return {
        "la_code": np.full(n, la_code),
        "clea_table_id": _take(gen, "care_leaver_contact", n),
        "clea_person_id": care.person_id[person],
        "clea_care_leaver_eligibility": np.where(age < 18, "RELV", "FREL"),
        "clea_care_leaver_in_touch": in_touch,
        "clea_care_leaver_contact_date": np.where(np.isin(in_touch, ["YES", "NREQ", "RHOM"]), contact, OPEN),
        "clea_collection_year": _financial_year(birthday),
        "clea_care_leaver_accommodation": accommodation,
        "clea_care_leaver_accom_suitable": suitability,
        "clea_care_leaver_activity": activity,
        "clea_pathway_plan_review_date": np.where(yes, contact - rng.integers(0, 180, n), OPEN),
        "clea_care_leaver_allocated_team": np.full(n, "Leaving care team"),
    }


def _exact_share(rng, group: np.ndarray, eligible: np.ndarray, base: np.ndarray, share: float, bias: np.ndarray | float = 0.0) -> np.ndarray:
    """Mark, in each group, round(share x the group's `base` rows) of its `eligible` rows (at
    most all of them): those with the lowest random keys, lowered by `bias`."""
    n = len(group)
    key = rng.random(n) - bias
    idx = np.flatnonzero(eligible)
    order = idx[np.lexsort((key[idx], group[idx]))]
    g = group[order]
    starts = np.r_[0, np.flatnonzero(g[1:] != g[:-1]) + 1] if len(g) else np.empty(0, dtype=np.int64)
    rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    groups, base_counts = np.unique(group[base], return_counts=True)
    quota = np.round(share * base_counts).astype(np.int64)
    pos = np.clip(np.searchsorted(groups, g), 0, max(0, len(groups) - 1))
    allowed = np.where((len(groups) > 0) & (groups[pos] == g), quota[pos], 0) if len(groups) else np.zeros(len(g), dtype=np.int64)
    chosen = np.zeros(n, dtype=bool)
    chosen[order[rank < allowed]] = True
    return chosen


def _financial_year(days: np.ndarray) -> np.ndarray:
    d = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    year = d.astype("datetime64[Y]").astype(int) + 1970
    month = d.astype("datetime64[M]").astype(int) % 12 + 1
    return year + (month >= 4)


# ---------------------------------------------------------------------------------------------
# Registry entries


def build_looked_after_tables(gen, borough_index: int) -> dict[str, dict[str, np.ndarray]]:
    """MOSAIC_EXTENSIONS entry: this module's tables for one borough, and the historical
    periods of care appended to the core tables."""
    j = gen.journeys[borough_index]
    la_code = j.profile.la_code

    def rng(name: str) -> np.random.Generator:
        return gen.rng(borough_index, STREAMS[name])

    history_tables, history = historical_care(rng("history"), j, gen)
    simulated = simulated_care(j)
    everyone = _combined(simulated, history)
    checks, immunisations = health(rng("health"), simulated, gen, la_code)
    return {
        **history_tables,
        "ssd_cla_reviews": reviews(rng("reviews"), simulated, j.cla_period_ids, gen, la_code),
        "ssd_cla_health": checks,
        "ssd_cla_immunisations": immunisations,
        "ssd_sdq_scores": sdq_scores(rng("sdq"), simulated, gen, la_code),
        "ssd_missing": missing_episodes(rng("missing"), simulated, j.placements, gen, la_code),
        "ssd_cla_convictions": convictions(rng("convictions"), simulated, gen, la_code),
        "ssd_care_leavers": care_leavers(rng("care_leavers"), everyone, gen, la_code),
    }


def build_ofsted_register(gen) -> dict[str, dict[str, np.ndarray]]:
    """EXTRA_SOURCES entry: every provider the synthetic children are placed with, and its full
    inspections since registration, each with an overall judgement. Judgements persist from one
    inspection to the next more often than not, as Ofsted's published histories do."""
    rng = gen.rng(0, STREAMS["ofsted"])
    boroughs = [jj.profile for jj in gen.journeys]
    urn = np.concatenate([provider_urns("CH"), provider_urns("SCH"), provider_urns("IFA"), np.array([la_fostering_urn(p.la_code) for p in boroughs])])
    kind = np.concatenate([np.full(len(provider_urns("CH")), "CH"), np.full(len(provider_urns("SCH")), "SCH"), np.full(len(provider_urns("IFA")), "IFA"), np.full(len(boroughs), "LAFA")])
    n = len(urn)
    elsewhere = np.array(["Kent", "Essex", "Hertfordshire", "Surrey", "Buckinghamshire", "Ealing", "Brent", "Hillingdon", "Croydon", "Birmingham", "Medway", "West Sussex"])
    here = np.array([p.name for p in boroughs])
    local_authority = np.where(rng.random(n) < 0.1, here[rng.integers(0, len(here), n)], elsewhere[rng.integers(0, len(elsewhere), n)])
    local_authority = np.where(kind == "LAFA", np.concatenate([np.full(n - len(boroughs), ""), here]), local_authority)
    names = np.char.add(np.select([kind == "CH", kind == "SCH", kind == "IFA"], ["Synthetic children's home ", "Synthetic secure children's home ", "Synthetic fostering agency "], default="Synthetic council fostering service "), np.arange(1, n + 1).astype(str))
    last_inspection = day("2023-03-31")
    first = day("2013-04-01") + rng.integers(0, 3 * 365, n)
    judgement = rng.choice(4, n, p=[0.14, 0.6, 0.2, 0.06]) + 1
    rows_urn, rows_date, rows_judgement = [], [], []
    when = first.copy()
    alive = when <= last_inspection
    while alive.any():
        idx = np.flatnonzero(alive)
        rows_urn.append(idx)
        rows_date.append(when[idx])
        rows_judgement.append(judgement[idx])
        # Weaker providers are inspected sooner; the next judgement usually repeats this one,
        # otherwise moves one step (more often up than down).
        gap = np.where(judgement[idx] >= 3, rng.integers(180, 500, len(idx)), rng.integers(330, 1100, len(idx)))
        when[idx] += gap
        step = rng.random(len(idx))
        judgement[idx] = np.clip(judgement[idx] + np.where(step < 0.62, 0, np.where(step < 0.85, -1, 1)), 1, 4)
        alive &= when <= last_inspection
    row = np.concatenate(rows_urn)
    judgements = np.concatenate(rows_judgement)
    # The councils' own fostering services: good or outstanding throughout, as both are.
    judgements = np.where(kind[row] == "LAFA", np.minimum(judgements, 2), judgements)
    return {
        "provider_judgements": {
            "urn": urn[row],
            "provider_type": kind[row],
            "provider_name": names[row],
            "local_authority": local_authority[row],
            "inspection_date": np.concatenate(rows_date),
            "overall_judgement": judgements.astype(str),
        }
    }
