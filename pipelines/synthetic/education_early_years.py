"""Funded early education for 2-, 3- and 4-year-olds.

Early years: each borough's children are drawn from the same population model as the ONS
extract (births per year from the 0-17 population and its trend). A child is eligible for a
2-year-old place from the funding term after their second birthday to the term after their
third, when the universal 15 hours begin, which last until reception. Take-up is set exactly:
in each term the children most inclined to take a place (a lasting draw per child) take the
published share of places, so the RBKC summer 2022 figure and the 2022 to 2023 changes in
15- and 30-hour places come out as published.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from pipelines.synthetic import population
from pipelines.synthetic.calendar import add_years, day
from pipelines.synthetic.education_calendar import TERM_CODES, SchoolCalendar, academic_year_label, reception_year
from pipelines.synthetic.education_profiles import EDUCATION_PROFILES
from pipelines.synthetic.education_schools import SchoolRegister

UNIT_LETTERS = np.array(list("ABDEFGHJLNPQRSTUWXYZ"))


def births_per_year(profile, scale: int, year: int) -> float:
    """Children born in a calendar year, consistent with the ONS extract's age-0 population."""
    weights = population._age_weights()
    per_unit = profile.population_0_17_mid2022 * scale / weights[:18].sum()
    return per_unit * weights[0] * (1 + profile.population_trend) ** (year - 2022)


def postcodes(rng, la_code: str, n: int) -> np.ndarray:
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
    postcode = postcodes(rng, profile.la_code, n)
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
