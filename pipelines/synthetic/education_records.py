"""From school careers to extract rows: census characteristics, attendance and exclusions
(results are in education_results.py).

Each pupil carries a few lasting traits (a free school meals propensity, a SEN propensity, an
ability, how often they miss school, how likely they are to be suspended); each census row
turns them into that term's characteristics. The documents' patterns are built in: pupils
eligible for free school meals, with SEN, or known to social care miss more school, are
suspended more often and attain less (P2_ATTENDANCE, P4_SUSPENSIONS, P2_KS2_RWM in
../shared/reference/measures.md); looked-after children attend well but attain less.

Calibration is exact where a figure is published for the school-based population: rates are
scaled per borough and year over the pupils the measure counts (attendance, suspensions,
free school meals, SEN, EAL).

Rows are built one academic year at a time so that national-scale runs stay within memory;
permanent exclusions end a pupil's time on roll, so later years drop those rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from pipelines.synthetic.calendar import day
from pipelines.synthetic.education_arrow import ChunkSink, Coded, spill_folder
from pipelines.synthetic.education_calendar import FULL_TERM_SESSIONS, TERM_CODES, SchoolCalendar, academic_year_label
from pipelines.synthetic.education_profiles import (
    ACADEMIC_YEARS,
    EDUCATION_PROFILES,
    FAR_SECTORS,
    NEIGHBOUR_WEIGHTS,
    NEIGHBOURS,
)
from pipelines.synthetic.education_pupils import Roster, social_care_status
from pipelines.synthetic.education_results import ResultsMixin
from pipelines.synthetic.education_schools import SchoolRegister

NC_YEAR = np.array(["E2", "R", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13"])
LANGUAGES = np.array(["ENG", "ENB", "OTH", "OTB", "NOT"])
PROVISIONS = np.array(["N", "K", "E"])
EHCP_NEEDS = (np.array(["ASD", "SLCN", "SEMH", "MLD", "SLD", "PMLD", "PD", "HI", "VI", "MSI", "SPLD", "OTH"]), np.array([0.34, 0.2, 0.15, 0.07, 0.07, 0.02, 0.04, 0.02, 0.01, 0.005, 0.02, 0.045]))
SUPPORT_NEEDS = (np.array(["SLCN", "SEMH", "MLD", "SPLD", "ASD", "OTH", "PD", "HI", "VI", "NSA"]), np.array([0.29, 0.2, 0.15, 0.13, 0.08, 0.05, 0.03, 0.02, 0.01, 0.04]))
# How likely a pupil of each ethnicity is to have a first language other than English (before
# the borough's scaling).
EAL_WEIGHT = {"WBRI": 0.03, "WIRI": 0.1, "WIRT": 0.1, "WROM": 0.9, "WOTH": 0.8, "MWBC": 0.1, "MWBA": 0.4, "MWAS": 0.4, "MOTH": 0.45, "AIND": 0.85, "APKN": 0.85, "ABAN": 0.9, "AOTH": 0.9, "CHNE": 0.9, "BAFR": 0.75, "BCRB": 0.08, "BOTH": 0.5, "OOTH": 0.92, "REFU": 0.4, "NOBT": 0.4}
# EHC plans and SEN support by year group (nursery .. Year 13), relative to the whole roll.
EHCP_BY_YEAR = np.array([0.4, 0.55, 0.7, 0.8, 0.9, 1.0, 1.05, 1.1, 1.15, 1.2, 1.2, 1.2, 1.2, 1.1, 1.1])
SUPPORT_BY_YEAR = np.array([0.45, 0.6, 0.85, 1.0, 1.15, 1.2, 1.25, 1.2, 1.05, 1.0, 0.95, 0.95, 0.9, 0.7, 0.65])
EHCP_GROWTH = 1.09  # yearly growth of EHC plans (national trend)
UNIT_LETTERS = np.array(list("ABDEFGHJLNPQRSTUWXYZ"))
LUNCHTIME_SHARE = 0.04
CENSUS_SLICE_ROWS = 1_000_000
SUSPENSION_SESSIONS = (np.array([1, 2, 3, 4, 6, 10, 20]), np.array([0.33, 0.22, 0.15, 0.1, 0.1, 0.07, 0.03]))
REASONS_OLD = (np.array(["PD", "VA", "VP", "PP", "PA", "DA", "DM", "BU", "RA", "SM", "TH", "OT"]), np.array([0.34, 0.12, 0.11, 0.12, 0.06, 0.05, 0.04, 0.03, 0.03, 0.02, 0.02, 0.06]))
REASONS_NEW = (np.array(["PD", "VA", "VP", "PP", "PA", "OW", "DA", "DM", "BU", "RA", "LG", "AD", "SM", "TH", "MT", "PH"]), np.array([0.34, 0.12, 0.11, 0.12, 0.06, 0.03, 0.05, 0.04, 0.03, 0.03, 0.01, 0.005, 0.02, 0.02, 0.025, 0.01]))


@dataclass
class Traits:
    """Lasting characteristics of each pupil (one entry per pupil)."""

    u_fsm: np.ndarray
    v_sen: np.ndarray
    e_eal: np.ndarray
    eal_weight: np.ndarray
    ability: np.ndarray
    absence: np.ndarray
    suspension: np.ndarray
    need_ehcp: np.ndarray
    need_support: np.ndarray
    resident_la: np.ndarray
    postcode: np.ndarray
    language_variant: np.ndarray
    known_to_social_care: np.ndarray


def _choice(rng, values_p, n):
    values, p = values_p
    return values[rng.choice(len(values), size=n, p=p / p.sum())]


def draw_traits(rng, roster: Roster, register: SchoolRegister, cal: SchoolCalendar, la_codes: list[str]) -> Traits:
    n = roster.n
    sc = roster.mosaic_borough >= 0
    # Residents: children known to social care live in their borough; other pupils live where
    # the borough's published resident share says, once the known children are counted.
    spring = cal.term[roster.row_term] == 1
    last_spring = spring & (cal.academic_year[roster.row_term] == ACADEMIC_YEARS[-1])
    resident_la = np.full(n, "000", dtype="<U3")
    resident_la[sc] = np.array(la_codes)[roster.mosaic_borough[sc]]
    for b, la in enumerate(la_codes):
        edu = EDUCATION_PROFILES[la]
        at_b = last_spring & (register.borough[roster.row_school] == b)
        pupils = np.unique(roster.row_pupil[at_b])
        total = len(pupils)
        known = pupils[sc[pupils]]
        own = int((roster.mosaic_borough[known] == b).sum())
        other = int((roster.mosaic_borough[known] == 1 - b).sum())
        ordinary = np.flatnonzero(~sc & (roster.home_borough == b))
        n_ord_spring = max(total - len(known), 1)
        p_own = np.clip((edu.resident_share * total - own) / n_ord_spring, 0, 1)
        p_other = np.clip((edu.other_borough_share * total - other) / n_ord_spring, 0, 1 - p_own)
        r = rng.random(len(ordinary))
        neighbours = np.array(list(NEIGHBOURS))
        w = np.array(NEIGHBOUR_WEIGHTS[la])
        resident_la[ordinary] = np.where(r < p_own, la, np.where(r < p_own + p_other, la_codes[1 - b], neighbours[rng.choice(len(w), size=len(ordinary), p=w / w.sum())]))
    from pipelines.synthetic.generate import SECTORS

    sector = np.empty(n, dtype="<U6")
    all_sectors = {**SECTORS, **NEIGHBOURS, **FAR_SECTORS}
    for la in np.unique(resident_la):
        k = np.flatnonzero(resident_la == la)
        options = np.array(all_sectors.get(la, ["W2 1"]))
        sector[k] = options[rng.integers(0, len(options), len(k))]
    codes, position = np.unique(roster.ethnicity.astype(str), return_inverse=True)
    eal_weight = np.array([EAL_WEIGHT.get(c, 0.5) for c in codes])[position] if n else np.empty(0)
    return Traits(
        u_fsm=(rng.random(n) * np.where(sc, 0.5, 1.0)).astype(np.float32),
        v_sen=(rng.random(n) * np.where(sc, 0.55, 1.0)).astype(np.float32),
        e_eal=rng.random(n).astype(np.float32),
        eal_weight=eal_weight.astype(np.float32),
        ability=(rng.normal(0.0, 1.0, n) - np.where(sc, 0.45, 0.0)).astype(np.float32),
        absence=np.exp(rng.normal(-0.36, 0.85, n)).astype(np.float32),
        suspension=rng.gamma(0.35, 1 / 0.35, n).astype(np.float32),
        need_ehcp=_choice(rng, EHCP_NEEDS, n),
        need_support=_choice(rng, SUPPORT_NEEDS, n),
        resident_la=resident_la,
        postcode=np.char.add(sector, np.char.add(UNIT_LETTERS[rng.integers(0, 20, n)], UNIT_LETTERS[rng.integers(0, 20, n)])),
        language_variant=rng.random(n),
        known_to_social_care=sc,
    )


class SocialCareStatus:
    """CIN / CP / CLA of pupils known to social care on each census day."""

    def __init__(self, journeys_list, cal: SchoolCalendar):
        self.grids = [social_care_status(j, cal.census_day) for j in journeys_list]

    def on_rows(self, roster: Roster, pupils: np.ndarray, terms: np.ndarray):
        cin = np.zeros(len(pupils), dtype=bool)
        cp = np.zeros(len(pupils), dtype=bool)
        cla = np.zeros(len(pupils), dtype=bool)
        for b, (g_cin, g_cp, g_cla) in enumerate(self.grids):
            k = np.flatnonzero(roster.mosaic_borough[pupils] == b)
            child = roster.mosaic_child[pupils[k]]
            cin[k], cp[k], cla[k] = g_cin[child, terms[k]], g_cp[child, terms[k]], g_cla[child, terms[k]]
        return cin, cp, cla


def _rate_borough(register: SchoolRegister, roster: Roster, pupils, schools):
    """Borough whose published rates apply to a row: the school's, or for looked-after children
    at schools elsewhere their own borough's."""
    sb = register.borough[schools]
    return np.where(sb >= 0, sb, roster.mosaic_borough[pupils])


def _solve_share(u: np.ndarray, multiplier: np.ndarray, target: float) -> float:
    """p such that mean(u < min(p * multiplier, 0.95)) == target (bisection; u uniform)."""
    if len(u) == 0:
        return target
    lo, hi = 0.0, 1.0
    for _ in range(40):
        mid = (lo + hi) / 2
        if np.mean(u < np.minimum(mid * multiplier, 0.95)) < target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


class SchoolRecords(ResultsMixin):
    """Builds the school census, attendance, exclusions and results tables year by year."""

    def __init__(self, gen, roster: Roster, register: SchoolRegister, cal: SchoolCalendar, traits: Traits, streams: dict[str, int], contract):
        self.gen, self.roster, self.register, self.cal, self.traits = gen, roster, register, cal, traits
        self.streams, self.contract = streams, contract
        # Labels of dictionary-coded columns: one entry per pupil or per school, built once.
        self.labels = {
            "upn": pa.array(roster.upn).cast(pa.string()),
            "postcode": pa.array(traits.postcode.astype(str)),
            "la_code": pa.array(register.la_code.astype(str)),
            "urn": pa.array(register.urn).cast(pa.string()),
            "laestab": pa.array(register.table["laestab"].astype(str)),
        }
        # Sex and ethnicity as small code lists (a pupil's position in them), not per pupil.
        # Positions in short lists are held as small integers: there are millions of pupils.
        sexes, sex_codes = np.unique(roster.sex.astype(str), return_inverse=True)
        ethnicities, ethnicity_codes = np.unique(roster.ethnicity.astype(str), return_inverse=True)
        self.sex_codes, self.ethnicity_codes = sex_codes.astype(np.int8), ethnicity_codes.astype(np.int16)
        self.labels["sex"], self.labels["ethnicity"] = pa.array(sexes), pa.array(ethnicities)
        self.need_labels = pa.array(np.unique(np.concatenate([EHCP_NEEDS[0], SUPPORT_NEEDS[0]])))
        needs = self.need_labels.to_numpy(zero_copy_only=False).astype(str)
        self.need_codes = (np.searchsorted(needs, traits.need_ehcp).astype(np.int8), np.searchsorted(needs, traits.need_support).astype(np.int8))
        las = np.unique(np.concatenate([traits.resident_la, register.la_code]))
        self.la_labels = pa.array(las)
        self.resident_index = np.searchsorted(las, traits.resident_la).astype(np.int16)
        self.school_la_index = np.searchsorted(las, register.la_code)
        self.la_codes = [j.profile.la_code for j in gen.journeys]
        self.status = SocialCareStatus(gen.journeys, cal)
        self.cut = np.full(roster.n, 99, dtype=np.int8)  # last term on roll after a permanent exclusion
        self.sen_scale, self.eal_scale = self._calibrate_sen_and_eal()
        self.spill = spill_folder()
        self.sinks = {key: ChunkSink(contract.table("education", table), self.spill) for key, table in TABLES.items()}

    # ---- characteristics --------------------------------------------------------------
    def _rows_of_year(self, ay: int):
        r = self.roster
        t = r.row_term
        mask = (self.cal.academic_year[t] == ay) & (t <= self.cut[r.row_pupil])
        return r.row_pupil[mask], t[mask], r.row_school[mask]

    def _sen(self, pupils, terms, schools, scale=None):
        ay = self.cal.academic_year[terms]
        g = ay - self.roster.cohort[pupils]
        gi = np.clip(g + 1, 0, 14)
        rb = _rate_borough(self.register, self.roster, pupils, schools)
        scale = self.sen_scale if scale is None else scale
        p_e = np.empty(len(pupils))
        p_k = np.empty(len(pupils))
        for b, la in enumerate(self.la_codes):
            k = rb == b
            edu = EDUCATION_PROFILES[la]
            p_e[k] = edu.ehcp_share_2023 * scale[b][0] * EHCP_GROWTH ** (ay[k] - ACADEMIC_YEARS[-1]) * EHCP_BY_YEAR[gi[k]]
            p_k[k] = edu.sen_support_share_2023 * scale[b][1] * SUPPORT_BY_YEAR[gi[k]]
        v = self.traits.v_sen[pupils]
        special = self.roster.special[pupils] | (self.register.phase[schools] == "SPE")
        provision = np.where(special | (v < p_e), "E", np.where(v < p_e + p_k, "K", "N"))
        return provision

    def _eal(self, pupils, schools, scale=None):
        rb = _rate_borough(self.register, self.roster, pupils, schools)
        secondary = np.isin(self.register.phase[schools], ["SEC"])
        scale = self.eal_scale if scale is None else scale
        k = np.array([[scale[b][0], scale[b][1]] for b in range(len(self.la_codes))])[rb, secondary.astype(int)]
        return self.traits.e_eal[pupils] < np.minimum(k * self.traits.eal_weight[pupils], 0.98)

    def _calibrate_sen_and_eal(self):
        """Scale SEN and EAL propensities so the spring 2023 census matches the published shares."""
        r = self.roster
        last_spring = (self.cal.academic_year[r.row_term] == ACADEMIC_YEARS[-1]) & (self.cal.term[r.row_term] == 1)
        pupils, terms, schools = r.row_pupil[last_spring], r.row_term[last_spring], r.row_school[last_spring]
        sb = self.register.borough[schools]
        sen_scale = [[1.0, 1.0] for _ in self.la_codes]
        for _ in range(3):
            prov = self._sen(pupils, terms, schools, sen_scale)
            for b, la in enumerate(self.la_codes):
                edu = EDUCATION_PROFILES[la]
                at = sb == b
                if at.any():
                    sen_scale[b][0] *= edu.ehcp_share_2023 / max(np.mean(prov[at] == "E"), 1e-6)
                    sen_scale[b][1] *= edu.sen_support_share_2023 / max(np.mean(prov[at] == "K"), 1e-6)
        eal_scale = []
        for b, la in enumerate(self.la_codes):
            edu = EDUCATION_PROFILES[la]
            scales = []
            for phase, target in (("PRI", edu.eal_primary), ("SEC", edu.eal_secondary)):
                at = (sb == b) & (self.register.phase[schools] == phase)
                scales.append(_solve_share(self.traits.e_eal[pupils[at]], self.traits.eal_weight[pupils[at]], target) if at.any() else 1.0)
            eal_scale.append(scales)
        return sen_scale, eal_scale

    def _fsm(self, ay, pupils, terms, schools):
        """Free school meals on census day, calibrated to the borough's primary share of the
        year, and in the last six years (today's pupils plus those just above today's
        threshold, who were eligible in an earlier year)."""
        rb = _rate_borough(self.register, self.roster, pupils, schools)
        phase = self.register.phase[schools]
        g = ay - self.roster.cohort[pupils]
        mult = np.select([g == -1, phase == "SEC", phase == "SPE"], [0.6, 0.92, 1.3], 1.0)
        u = self.traits.u_fsm[pupils]
        p_row = np.zeros(len(pupils))
        for b, la in enumerate(self.la_codes):
            target = EDUCATION_PROFILES[la].fsm_primary[ay]
            at = rb == b
            # Calibrated on the spring census, which the published shares describe.
            prim = at & (phase == "PRI") & (g >= 0) & (self.register.borough[schools] == b) & (self.cal.term[terms] == 1)
            p_row[at] = _solve_share(u[prim], mult[prim], target) * mult[at]
        return u < np.minimum(p_row, 0.95), u < np.minimum(1.35 * p_row, 0.97)

    # ---- one academic year ------------------------------------------------------------
    def build_year(self, ay: int) -> None:
        pupils, terms, schools = self._rows_of_year(ay)
        if len(pupils) == 0:
            return
        rows = self._characteristics(ay, pupils, terms, schools)
        keep = self._permanent_exclusions(ay, rows)
        rows = {k: v[keep] for k, v in rows.items()}
        self._suspensions(ay, rows)
        self._census(ay, rows)
        self._attendance(ay, rows)
        self._results(ay, rows)

    def _characteristics(self, ay, pupils, terms, schools) -> dict[str, np.ndarray]:
        cin, cp, cla = self.status.on_rows(self.roster, pupils, terms)
        fsm, ever = self._fsm(ay, pupils, terms, schools)
        return {
            "pupil": pupils,
            "term": terms,
            "school": schools,
            "g": ay - self.roster.cohort[pupils],
            "rate_borough": _rate_borough(self.register, self.roster, pupils, schools),
            "school_borough": self.register.borough[schools],
            "phase": self.register.phase[schools],
            "cin": cin,
            "cp": cp,
            "cla": cla,
            "fsm": fsm,
            "ever_fsm": ever,
            "provision": self._sen(pupils, terms, schools),
            "eal": self._eal(pupils, schools),
        }

    def _behaviour_multiplier(self, rows, weights: dict[str, float]) -> np.ndarray:
        """Relative risk of a row from its characteristics (absence and suspensions)."""
        m = np.ones(len(rows["pupil"]))
        m *= np.where(rows["fsm"], weights["fsm"], 1.0)
        m *= np.select([rows["provision"] == "E", rows["provision"] == "K"], [weights["ehcp"], weights["support"]], 1.0)
        m *= np.select([rows["cla"], rows["cp"], rows["cin"]], [weights["cla"], weights["cp"], weights["cin"]], 1.0)
        return m

    # ---- exclusions -------------------------------------------------------------------
    def _enrolment_years(self, rows):
        """Group a year's rows by pupil and school: (first row of each group, group of each row)."""
        key = rows["pupil"].astype(np.int64) * 1_000_003 + rows["school"]
        order = np.lexsort((rows["term"], key))
        first = np.ones(len(order), dtype=bool)
        first[1:] = key[order][1:] != key[order][:-1]
        group_of_sorted = np.cumsum(first) - 1
        group = np.empty(len(order), dtype=np.int64)
        group[order] = group_of_sorted
        return order[first], group

    def _suspension_risk(self, ay, rows):
        weights = {"fsm": 2.5, "ehcp": 3.0, "support": 2.6, "cla": 2.5, "cp": 3.5, "cin": 3.0}
        g = rows["g"]
        phase_risk = np.select([rows["phase"] == "SPE", g >= 12, g >= 7, g >= 1], [3.0, 1.5, 6.0, 1.0], 0.0)
        return phase_risk * self._behaviour_multiplier(rows, weights) * self.traits.suspension[rows["pupil"]]

    def _spring_headcount(self, ay, rows, b) -> int:
        """Pupils on roll at the spring census, reception upwards: the DfE's exclusion base. A
        pupil has one row per census, so rows are pupils."""
        spring = (self.cal.term[rows["term"]] == 1) & (rows["school_borough"] == b) & (rows["g"] >= 0)
        return int(np.count_nonzero(spring))

    def _permanent_exclusions(self, ay, rows) -> np.ndarray:
        """Choose the year's permanent exclusions (secondary pupils with the highest risk are the
        likeliest); an excluded pupil leaves the school after the term of the exclusion."""
        rng = self.gen.rng(0, self.streams["exclusions"] + ay)
        risk = self._suspension_risk(ay, rows) * (rows["g"] >= 7) * (rows["g"] <= 11)
        out = []
        for b, la in enumerate(self.la_codes):
            n_perm = rng.poisson(EDUCATION_PROFILES[la].permanent_per_100 / 100 * self._spring_headcount(ay, rows, b))
            cand = np.flatnonzero((rows["school_borough"] == b) & (risk > 0) & self.cal.has_attendance[rows["term"]])
            if n_perm == 0 or len(cand) == 0:
                continue
            w = risk[cand]
            pick = rng.choice(cand, size=min(n_perm, len(cand)), replace=False, p=w / w.sum())
            pick = pick[np.unique(rows["pupil"][pick], return_index=True)[1]]
            t = rows["term"][pick]
            start = np.maximum(self.cal.census_day[t] + 1, self.cal.start_day[t])
            when = _weekday_between(rng, start, self.cal.end_day[t])
            pupils = rows["pupil"][pick]
            self.cut[pupils] = t
            out.append({"pupil": pupils, "school": rows["school"][pick], "start": when, "category": np.full(len(pick), "PERM"), "sessions": np.full(len(pick), -1), "ay": ay})
        self._exclusion_rows(rng, out, ay)
        return rows["term"] <= self.cut[rows["pupil"]]

    def _suspensions(self, ay, rows) -> None:
        rng = self.gen.rng(1, self.streams["exclusions"] + ay)
        first, group = self._enrolment_years(rows)
        attended = self.cal.has_attendance[rows["term"]]
        terms_on_roll = np.bincount(group, weights=attended.astype(float), minlength=len(first))
        risk = self._suspension_risk(ay, rows)[first] * terms_on_roll / 3.0
        expected = np.zeros(len(first))
        sb = rows["school_borough"][first]
        for b, la in enumerate(self.la_codes):
            at = sb == b
            # Lunchtime suspensions come on top of the published (full-day) rate.
            target = EDUCATION_PROFILES[la].suspensions_per_100[ay] / 100 * self._spring_headcount(ay, rows, b) / (1 - LUNCHTIME_SHARE)
            expected[at] = risk[at] * target / max(risk[at].sum(), 1e-9)
        # Looked-after children at schools elsewhere: their own borough's scale.
        away = sb < 0
        if away.any():
            scale_b = [expected[sb == b].sum() / max(risk[sb == b].sum(), 1e-9) for b in range(len(self.la_codes))]
            expected[away] = risk[away] * np.array(scale_b)[rows["rate_borough"][first][away]]
        count = rng.poisson(expected)
        g_idx = np.repeat(np.arange(len(first)), count)
        if len(g_idx) == 0:
            return
        # Each suspension falls in one of the group's terms on roll, on a school day.
        rows_of_group = np.argsort(group, kind="stable")
        starts = np.searchsorted(group[rows_of_group], np.arange(len(first)))
        sizes = np.bincount(group, minlength=len(first))
        pick = rows_of_group[starts[g_idx] + (rng.random(len(g_idx)) * sizes[g_idx]).astype(np.int64)]
        t = rows["term"][pick]
        ok = self.cal.has_attendance[t]
        pick, t = pick[ok], t[ok]
        when = _weekday_between(rng, self.cal.start_day[t], np.minimum(self.cal.end_day[t], day(self.gen.spec.extract_date)))
        lunch = rng.random(len(pick)) < LUNCHTIME_SHARE
        sessions = np.where(lunch, 1, _choice(rng, SUSPENSION_SESSIONS, len(pick)))
        self._exclusion_rows(rng, [{"pupil": rows["pupil"][pick], "school": rows["school"][pick], "start": when, "category": np.where(lunch, "LUNC", "FIXD"), "sessions": sessions, "ay": ay}], ay)

    def _exclusion_rows(self, rng, parts, ay):
        if not parts:
            return
        data = {k: np.concatenate([p[k] for p in parts]) for k in ("pupil", "school", "start", "category", "sessions")}
        # One exclusion per pupil, school, day and category (the extract's key).
        key = np.stack([data["pupil"], data["school"], data["start"], (data["category"] == "LUNC").astype(np.int64)], axis=1)
        first = np.sort(np.unique(key, axis=0, return_index=True)[1])
        data = {k: v[first] for k, v in data.items()}
        n = len(data["pupil"])
        reasons = REASONS_NEW if ay >= 2021 else REASONS_OLD
        if ay >= 2023:
            reasons = (reasons[0][reasons[0] != "PH"], reasons[1][reasons[0] != "PH"])
        reason = _choice(rng, reasons, n)
        second = np.where((rng.random(n) < 0.2) & (ay >= 2021), _choice(rng, reasons, n), "")
        second = np.where(second == reason, "", second)
        self._append(
            "exclusions",
            {
                **self._school_columns(data["school"]),
                "upn": Coded(data["pupil"], self.labels["upn"]),
                "start_date": data["start"],
                "category": data["category"],
                "sessions": data["sessions"],
                "reason": reason,
                "reason_2": second,
            },
        )

    # ---- census and attendance --------------------------------------------------------
    def _school_columns(self, schools) -> dict:
        return {"la_code": Coded(schools, self.labels["la_code"]), "urn": Coded(schools, self.labels["urn"])}

    def _append(self, key: str, data: dict) -> None:
        """Hand a year's rows to Arrow (and disk) at once, so the numpy arrays can go."""
        self.sinks[key].append(data)

    def _census(self, ay, rows) -> None:
        # A census row depends on nothing but itself (no random draws), so a year's rows are
        # made and handed over a slice at a time: what is held stays the same at any scale.
        n = len(rows["pupil"])
        for start in range(0, max(n, 1), CENSUS_SLICE_ROWS):
            self._census_rows({k: v[start : start + CENSUS_SLICE_ROWS] for k, v in rows.items()})

    def _census_rows(self, rows) -> None:
        r, tr = self.roster, self.traits
        p, t, s = rows["pupil"], rows["term"], rows["school"]
        away = rows["school_borough"] < 0
        provision = np.select([rows["provision"] == "E", rows["provision"] == "K"], [2, 1], 0)  # position in PROVISIONS
        need = np.where(provision == 2, self.need_codes[0][p], np.where(provision == 1, self.need_codes[1][p], -1))
        variant = tr.language_variant[p]
        lang = np.where(rows["eal"], np.where(variant < 0.05, 3, 2), np.select([variant < 0.03, variant > 0.99], [1, 4], 0))
        resident = np.where(away, self.school_la_index[s], self.resident_index[p])
        phase_start = r.cohort[p] + np.select([rows["phase"] == "SEC", rows["phase"] == "SPE"], [7, -1], np.where(rows["g"] == -1, -1, 0))
        joined = r.first_term[p] > 0
        entry = np.where(joined, self.cal.start_day[np.minimum(r.first_term[p], self.cal.n_terms - 1)], _first_of_september(phase_start - 1))
        self._append(
            "census",
            {
                **self._school_columns(s),
                "laestab": Coded(s, self.labels["laestab"]),
                "census_date": self.cal.census_day[t],
                "census_term": Coded.of(self.cal.term[t], TERM_CODES),
                "upn": Coded(p, self.labels["upn"]),
                "date_of_birth": r.dob[p],
                "sex": Coded(self.sex_codes[p], self.labels["sex"]),
                "ethnicity": Coded(self.ethnicity_codes[p], self.labels["ethnicity"]),
                "first_language": Coded.of(lang, LANGUAGES),
                "fsm_eligible": rows["fsm"],
                "fsm_ever_6": rows["ever_fsm"],
                "sen_provision": Coded.of(provision, PROVISIONS),
                "sen_primary_need": Coded(need, self.need_labels),
                "enrol_status": Coded.of(np.zeros(len(p), dtype=np.int8), ["C"]),
                "nc_year_actual": Coded.of(np.clip(rows["g"] + 1, 0, 14), NC_YEAR),
                "entry_date": np.minimum(entry, self.cal.census_day[t]),
                "postcode": Coded(p, self.labels["postcode"]),
                "resident_la_code": Coded(resident, self.la_labels),
            },
        )

    def _attendance(self, ay, rows) -> None:
        rng = self.gen.rng(0, self.streams["attendance"] + ay)
        on = self.cal.has_attendance[rows["term"]] & (rows["g"] >= 0)
        rows = {k: v[on] for k, v in rows.items()}
        n = len(rows["pupil"])
        if n == 0:
            return
        t = rows["term"]
        term = self.cal.term[t]
        possible = FULL_TERM_SESSIONS[term].astype(np.int64)
        joined = (self.roster.first_term[rows["pupil"]] == t) & (t > 0)
        possible = possible - np.where(joined, rng.integers(0, 50, n), 0)
        weights = {"fsm": 1.5, "ehcp": 1.6, "support": 1.3, "cla": 1.1, "cp": 2.1, "cin": 1.9}
        m = self._behaviour_multiplier(rows, weights)
        m *= np.select([rows["phase"] == "SPE", rows["g"] >= 12, rows["g"] >= 7], [1.6, 1.35, 1.2], 0.85)
        m *= np.array([0.85, 1.1, 1.05])[term]
        m *= self.traits.absence[rows["pupil"]] * np.exp(rng.normal(-0.08, 0.4, n))
        compulsory = (rows["g"] >= 1) & (rows["g"] <= 11)
        base = np.zeros(n)
        for b, la in enumerate(self.la_codes):
            at = rows["rate_borough"] == b
            ref = at & compulsory & (rows["school_borough"] == b)
            target = EDUCATION_PROFILES[la].absence_rate[ay]
            base[at] = target * possible[ref].sum() / max((m[ref] * possible[ref]).sum(), 1e-9)
        rate = np.minimum(base * m, 0.95)
        absent = rng.binomial(possible, rate)
        unauth_share = np.minimum(0.25 * np.where(rows["fsm"], 1.5, 1.0) * np.where(rows["cin"] & ~rows["cla"], 1.5, 1.0), 0.8)
        unauth = rng.binomial(absent, unauth_share)
        self._append(
            "attendance",
            {
                **self._school_columns(rows["school"]),
                "upn": Coded(rows["pupil"], self.labels["upn"]),
                "academic_year": Coded.of(np.zeros(n, dtype=np.int8), [academic_year_label(ay)]),
                "term": Coded.of(term, TERM_CODES),
                "sessions_possible": possible,
                "sessions_authorised_absence": absent - unauth,
                "sessions_unauthorised_absence": unauth,
            },
        )

    # ---- tables -----------------------------------------------------------------------
    def tables(self, stream: bool = False) -> dict[str, pa.Table | pa.RecordBatchReader]:
        tables = {TABLES[key]: sink.table(stream) for key, sink in self.sinks.items()}
        self.spill.rmdir()
        return tables


TABLES = {"census": "school_census_pupils", "attendance": "school_attendance", "exclusions": "school_exclusions", "eyfsp": "eyfsp_results", "ks2": "ks2_results", "ks4": "ks4_results"}


def _weekday_between(rng, first: np.ndarray, last: np.ndarray) -> np.ndarray:
    """A random weekday in [first, last] (day numbers; 1 January 1970 was a Thursday)."""
    span = np.maximum(last - first, 0)
    d = first + (rng.random(len(first)) * (span + 1)).astype(np.int64)
    weekday = (d + 3) % 7  # 0 = Monday
    d = np.where(weekday == 5, d - 1, np.where(weekday == 6, d + 1, d))
    return np.clip(d, first, np.maximum(last, first))


def _first_of_september(year: np.ndarray) -> np.ndarray:
    """1 September of each calendar year."""
    y = np.asarray(year, dtype=np.int64)
    return ((y - 1970) * 12 + 8).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
