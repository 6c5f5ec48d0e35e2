"""Funded early education (2-, 3- and 4-year-olds) and the elective home education register.

Early years: each borough's children are drawn from the same population model as the ONS
extract (births per year from the 0-17 population and its trend). A child is eligible for a
2-year-old place from the funding term after their second birthday to the term after their
third, when the universal 15 hours begin, which last until reception. Take-up is set exactly:
in each term the children most inclined to take a place (a lasting draw per child) take the
published share of places, so the RBKC summer 2022 figure and the 2022 to 2023 changes in
15- and 30-hour places come out as published.

Elective home education: episodes start through the year (more in September and October),
end when the child returns to school, moves or reaches the end of Year 11, and are pinned to
the published counts at the quarter ends that have them (pinning.pin_stock).
"""

from __future__ import annotations

from datetime import date

import numpy as np

from pipelines.synthetic import population
from pipelines.synthetic.calendar import add_years, day, fy_end, fy_start
from pipelines.synthetic.education_calendar import TERM_CODES, SchoolCalendar, academic_year_label, reception_year
from pipelines.synthetic.education_profiles import EDUCATION_PROFILES
from pipelines.synthetic.education_schools import SchoolRegister
from pipelines.synthetic.pinning import OPEN, pin_stock

UNIT_LETTERS = np.array(list("ABDEFGHJLNPQRSTUWXYZ"))
EHE_REASONS = (np.array(["PHI", "HLT", "MHL", "SEN", "DIS", "LIF", "BUL", "EXC", "PLC", "REL", "OTH", "UNK"]), np.array([0.14, 0.05, 0.14, 0.07, 0.12, 0.08, 0.05, 0.04, 0.03, 0.04, 0.1, 0.14]))


def births_per_year(profile, scale: int, year: int) -> float:
    """Children born in a calendar year, consistent with the ONS extract's age-0 population."""
    weights = population._age_weights()
    per_unit = profile.population_0_17_mid2022 * scale / weights[:18].sum()
    return per_unit * weights[0] * (1 + profile.population_trend) ** (year - 2022)


def _postcodes(rng, la_code: str, n: int) -> np.ndarray:
    from pipelines.synthetic.generate import SECTORS

    sectors = np.array(SECTORS[la_code])
    unit = np.char.add(UNIT_LETTERS[rng.integers(0, 20, n)], UNIT_LETTERS[rng.integers(0, 20, n)])
    return np.char.add(sectors[rng.integers(0, len(sectors), n)], unit)


def _top_share(w: np.ndarray, mask: np.ndarray, k: int) -> np.ndarray:
    """The k children in `mask` with the smallest w (most inclined to take a place)."""
    cand = np.flatnonzero(mask)
    out = np.zeros(len(w), dtype=bool)
    if k > 0 and len(cand):
        out[cand[np.argsort(w[cand], kind="stable")[: min(k, len(cand))]]] = True
    return out


def early_years_tables(gen, b: int, register: SchoolRegister, cal: SchoolCalendar, stream: int) -> tuple[dict, dict]:
    """(funding rows, eligibility rows) of one borough."""
    rng = gen.rng(b, stream)
    profile = gen.journeys[b].profile
    edu = EDUCATION_PROFILES[profile.la_code]
    scale = gen.spec.scale
    extract = day(gen.spec.extract_date)
    births = [(y, int(round(births_per_year(profile, scale, y)))) for y in range(2014, 2022)]
    dob = np.concatenate([day(date(y, 1, 1)) + rng.integers(0, 365, n) for y, n in births])
    n = len(dob)
    terms = np.flatnonzero(cal.funding_start <= extract - 30)
    start = cal.funding_start[terms]
    two = (add_years(dob, 2)[:, None] < start[None, :]) & (add_years(dob, 3)[:, None] >= start[None, :])
    reception_start = add_years(np.full(n, day("2000-09-01")), reception_year(dob) - 2001)
    universal = (add_years(dob, 3)[:, None] < start[None, :]) & (reception_start[:, None] > start[None, :])
    eligible_child = rng.random(n) < edu.two_year_old_eligible_share
    basis = np.where(eligible_child, rng.choice(np.array(["ECO", "LAC", "SEN"]), size=n, p=[0.9, 0.03, 0.07]), "")
    w_two, w_univ, w_ext, w_eypp = rng.random(n), rng.random(n), rng.random(n), rng.random(n)
    eligible = two & eligible_child[:, None]
    take_two = np.zeros_like(two)
    take_univ = np.zeros_like(two)
    take_ext = np.zeros_like(two)
    ay = cal.academic_year[terms]
    spring = {a: int(np.flatnonzero((ay == a) & (cal.term[terms] == 1))[0]) for a in (2022, 2023) if ((ay == a) & (cal.term[terms] == 1)).any()}
    u22, e22 = int(round(edu.universal_takeup_2022 * universal[:, spring[2022]].sum())), int(round(edu.extended_share_2022 * universal[:, spring[2022]].sum()))
    rate_u23 = u22 * (1 + edu.universal_change_2023) / max(universal[:, spring[2023]].sum(), 1)
    rate_e23 = e22 * (1 + edu.extended_change_2023) / max(universal[:, spring[2023]].sum(), 1)
    for i in range(len(terms)):  # loop over funding terms, not children
        take_two[:, i] = _top_share(w_two, eligible[:, i], int(round(edu.two_year_old_takeup[ay[i]] * eligible[:, i].sum())))
        univ_rate = rate_u23 if ay[i] == 2023 else edu.universal_takeup_2022
        ext_rate = rate_e23 if ay[i] == 2023 else edu.extended_share_2022
        take_univ[:, i] = _top_share(w_univ, universal[:, i], int(round(univ_rate * universal[:, i].sum())))
        take_ext[:, i] = _top_share(w_ext, take_univ[:, i], int(round(ext_rate * universal[:, i].sum())))
    child_ref = np.char.add("EY" + profile.la_code, np.char.zfill((np.arange(n) + 1).astype(str), 7))
    postcode = _postcodes(rng, profile.la_code, n)
    # Providers: PVI settings and childminders (EY URNs), nursery classes and nursery schools.
    n_pvi = max(30 * scale, 1)
    pvi = np.char.add("EY", (500_000 + b * 100_000 + np.arange(n_pvi)).astype(str))
    kind = rng.choice(np.array(["PVI", "CMI", "SNC", "MNS"]), size=n, p=[0.5, 0.05, 0.35, 0.10])
    school_urn = register.urn[register.pick(rng, b, "PRI", n)].astype(str)
    nursery = (register.borough == b) & (register.phase == "NUR")
    nursery_urn = register.urn[register.pick(rng, b, "NUR", n)].astype(str) if nursery.any() else school_urn
    provider = np.select([kind == "SNC", kind == "MNS"], [school_urn, nursery_urn], pvi[rng.integers(0, n_pvi, n)])
    # 2-year-olds are mostly in PVI settings and nursery schools.
    two_provider = np.where(kind == "SNC", pvi[rng.integers(0, n_pvi, n)], provider)
    two_kind = np.where(kind == "SNC", "PVI", kind)
    eypp = w_eypp < edu.eypp_share

    parts = []
    for flags, ftype, prov, pkind in ((take_two, "TWO", two_provider, two_kind), (take_univ, "U15", provider, kind), (take_ext, "E30", provider, kind)):
        c, t = np.nonzero(flags)
        parts.append(
            {
                "la_code": np.full(len(c), profile.la_code),
                "child_reference": child_ref[c],
                "date_of_birth": dob[c],
                "academic_year": np.array([academic_year_label(a) for a in ay])[t],
                "term": TERM_CODES[cal.term[terms][t]],
                "provider_urn": prov[c],
                "provider_type": pkind[c],
                "funding_type": np.full(len(c), ftype),
                "funded_hours_per_week": np.full(len(c), 15.0),
                "two_year_old_basis": basis[c] if ftype == "TWO" else np.full(len(c), ""),
                "eypp": eypp[c] & (ftype != "TWO"),
                "postcode": postcode[c],
            }
        )
    funding = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    c, t = np.nonzero(eligible)
    eligibility = {
        "la_code": np.full(len(c), profile.la_code),
        "child_reference": child_ref[c],
        "date_of_birth": dob[c],
        "academic_year": np.array([academic_year_label(a) for a in ay])[t],
        "term": TERM_CODES[cal.term[terms][t]],
        "eligibility_basis": basis[c],
        "postcode": postcode[c],
    }
    return funding, eligibility


def _start_days(rng, year: int, n: int, last_day: int) -> np.ndarray:
    """Registration dates in financial year `year`, busier in September and October."""
    first, last = fy_start(year), min(fy_end(year), last_day)
    if last < first or n == 0:
        return np.empty(0, dtype=np.int64)
    span = np.arange(first, last + 1)
    month = span.astype("datetime64[D]").astype("datetime64[M]").astype(int) % 12 + 1
    w = np.select([month == 9, month == 10, month == 8], [2.2, 1.6, 0.4], 1.0) * np.where((span + 3) % 7 >= 5, 0.1, 1.0)
    return np.sort(rng.choice(span, size=n, p=w / w.sum()))


def elective_home_education(gen, b: int, register: SchoolRegister, stream: int, upn_offset: int) -> dict:
    rng = gen.rng(b, stream)
    profile = gen.journeys[b].profile
    edu = EDUCATION_PROFILES[profile.la_code]
    scale = gen.spec.scale
    extract = day(gen.spec.extract_date)
    starts = []
    for year, count in sorted(edu.ehe_starts.items()):
        starts.append(_start_days(rng, year, count * scale, extract))
    part_year = int(round(edu.ehe_starts[max(edu.ehe_starts)] * scale * max(0, extract - fy_start(max(edu.ehe_starts) + 1)) / 365))
    starts.append(_start_days(rng, max(edu.ehe_starts) + 1, part_year, extract))
    start = np.concatenate(starts)
    n = len(start)
    # Ages 5-15 at registration, more often of secondary age.
    age_weight = np.array([0.6, 0.6, 0.7, 0.7, 0.8, 0.9, 1.3, 1.4, 1.5, 1.5, 1.1])
    age_days = rng.choice(np.arange(5, 16), size=n, p=age_weight / age_weight.sum()) * 365 + rng.integers(0, 365, n)
    dob = start - age_days
    # Compulsory school age ends on the last Friday of June of Year 11: 30 June here.
    end_compulsory = add_years(np.full(n, day("2000-06-30")), reception_year(dob) + 11 - 2000)
    duration = np.exp(rng.normal(np.log(700), 0.8, n)).astype(np.int64)
    end = np.minimum(start + duration, end_compulsory)
    snaps = [(day(d), int(v) * scale) for d, v in edu.ehe_open.items()]
    end = pin_stock(rng, start, end, snaps, end_max=end_compulsory, extend_days=(60, 400))
    end = np.minimum(end, end_compulsory)
    secondary = (start - dob) >= 11 * 365
    prev = np.where(secondary, register.urn[register.pick(rng, b, "SEC", n)], register.urn[register.pick(rng, b, "PRI", n)])
    k = upn_offset + np.arange(n, dtype=np.int64)
    digits = (k * 104_729 + 7_777) % 10**9
    from pipelines.synthetic.education_pupils import UPN_LETTERS

    upn = np.char.add(np.char.add(UPN_LETTERS[k % len(UPN_LETTERS)], profile.la_code), np.char.zfill(digits.astype(str), 9))
    known_school = rng.random(n) < 0.85
    return {
        "la_code": np.full(n, profile.la_code),
        "ehe_case_id": np.char.add("EHE" + profile.la_code, np.char.zfill((np.arange(n) + 1).astype(str), 6)),
        "upn": np.where(known_school, upn, ""),
        "date_of_birth": dob,
        "sex": np.where(rng.random(n) < 0.5, "M", "F"),
        "start_date": start,
        "end_date": np.where(end > extract, OPEN, end),
        "reason": EHE_REASONS[0][rng.choice(len(EHE_REASONS[0]), size=n, p=EHE_REASONS[1] / EHE_REASONS[1].sum())],
        "previous_urn": np.where(known_school, prev.astype(str), ""),
        "sen_provision": rng.choice(np.array(["N", "K", "E"]), size=n, p=[0.8, 0.15, 0.05]),
        "postcode": _postcodes(rng, profile.la_code, n),
    }
