"""The register of schools: the boroughs' state-funded schools and the schools elsewhere that
their looked-after children attend, with the latest and previous Ofsted judgements.

Judgements are drawn backwards from the published position at 31 March 2023 (each borough's
count of outstanding, good and other schools): a few schools were inspected between the
snapshot and the extract date, so their latest judgement is not the one in force at 31 March
and the previous judgement carries it; outstanding schools were long exempt from routine
inspection, so many carry a judgement from before 2015 and no previous one. One primary in
each borough closed in August 2021 (falling rolls), so "open at the snapshot" matters.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipelines.synthetic.calendar import day
from pipelines.synthetic.education_profiles import EDUCATION_PROFILES, NEIGHBOURS
from pipelines.synthetic.pinning import OPEN

SNAPSHOT_2023 = day("2023-03-31")
CLOSED_SCHOOL_DAY = day("2021-08-31")
STREETS = np.array(["Ladbroke", "Portobello", "Holland", "Campden", "Cheyne", "Sloane", "Marloes", "Earls", "Notting", "Colville", "Golborne", "Oxford Gardens", "Paddington", "Lisson", "Church Street", "Queens Park", "Maida", "Harrow Road", "Pimlico", "Soho", "Marylebone", "Mayfair", "Bayswater", "Westbourne", "Abbey", "Hallfield", "Millbank", "Victoria"])
PHASE_NAMES = {"NUR": "Nursery School", "PRI": "Primary School", "SEC": "Academy", "SPE": "Special School"}
# Ages a school takes (statutory low and high).
PHASE_AGES = {"NUR": (2, 5), "PRI": (3, 11), "SEC": (11, 18), "SPE": (2, 19)}
# Schools elsewhere attended by looked-after children placed out of the boroughs.
OUT_OF_BOROUGH_SCHOOLS = {"PRI": 20, "SEC": 16, "SPE": 4}
OUT_OF_BOROUGH_LAS = np.array([*NEIGHBOURS, "886", "936", "881", "919", "873"])  # + Kent, Surrey, Essex, Hertfordshire, Cambridgeshire


@dataclass
class SchoolRegister:
    urn: np.ndarray  # int
    la_code: np.ndarray
    phase: np.ndarray
    borough: np.ndarray  # index into BOROUGHS, -1 for schools elsewhere
    size_weight: np.ndarray  # relative roll within its phase and borough
    close_day: np.ndarray  # OPEN while open
    table: dict[str, np.ndarray]

    def pick(self, rng: np.random.Generator, borough: int, phase: str, n: int) -> np.ndarray:
        """Schools (row numbers) for n pupils of a borough and phase, in proportion to size,
        among schools open throughout (the closed primary is added by the caller)."""
        cand = np.flatnonzero((self.borough == borough) & (self.phase == phase))
        w = self.size_weight[cand]
        return cand[rng.choice(len(cand), size=n, p=w / w.sum())]


def _grades_in_force(rng, targets: dict[str, int], scale: int) -> np.ndarray:
    grades = np.concatenate([np.full(int(n) * scale, g) for g, n in targets.items()])
    return rng.permutation(grades)


def _inspection_history(rng, in_force: np.ndarray, extract_day: int) -> dict[str, np.ndarray]:
    """Latest and previous judgements such that the one in force at 31 March 2023 is `in_force`."""
    n = len(in_force)
    outstanding = in_force == "1"
    # Outstanding schools were exempt from routine inspection until 2021: many were last
    # judged before 2015.
    exempt = outstanding & (rng.random(n) < 0.55)
    latest = np.where(exempt, rng.integers(day("2009-01-01"), day("2015-07-01"), n), rng.integers(day("2016-09-01"), SNAPSHOT_2023, n))
    previous_gap = rng.integers(3 * 365, 8 * 365, n)
    previous_day = np.where(exempt, OPEN, latest - previous_gap)
    # Previous judgement: mostly the same or one grade worse (schools improve on the whole).
    step = rng.choice([0, 1, -1], size=n, p=[0.6, 0.3, 0.1])
    previous = np.clip(in_force.astype(int) + step, 1, 4).astype(str)
    previous = np.where(exempt, "", previous)
    latest_grade = in_force.copy()
    # A few schools were inspected after the snapshot and before the extract: their latest
    # judgement differs from the one in force at 31 March 2023, which becomes the previous one.
    after = rng.random(n) < 0.06
    after_day = rng.integers(SNAPSHOT_2023 + 1, extract_day + 1, n)
    moved = np.clip(in_force.astype(int) + np.where(in_force == "1", 1, -1), 1, 4).astype(str)
    previous = np.where(after, in_force, previous)
    previous_day = np.where(after, latest, previous_day)
    latest = np.where(after, after_day, latest)
    latest_grade = np.where(after, moved, latest_grade)
    return {"grade": latest_grade, "day": latest, "previous_grade": previous, "previous_day": previous_day}


def build_register(rng: np.random.Generator, boroughs, scale: int, extract_day: int) -> SchoolRegister:
    parts = []
    next_urn = 100_001
    for b, profile in enumerate(boroughs):
        edu = EDUCATION_PROFILES[profile.la_code]
        phases = np.concatenate([np.full(n * scale, p) for p, n in edu.schools.items()])
        n = len(phases)
        grades = _grades_in_force(rng, edu.ofsted_grades_2023, scale)
        assert len(grades) == n, f"{profile.short}: Ofsted grade targets must cover every school"
        history = _inspection_history(rng, grades, extract_day)
        # The closed primary: open until 31 August 2021, last judged requires improvement.
        phases = np.append(phases, "PRI")
        for k, v in (("grade", "3"), ("day", day("2019-02-05")), ("previous_grade", "2"), ("previous_day", day("2014-11-12"))):
            history[k] = np.append(history[k], v)
        close = np.full(n + 1, OPEN, dtype=np.int64)
        close[-1] = CLOSED_SCHOOL_DAY
        parts.append((b, profile.la_code, phases, history, close, np.arange(next_urn, next_urn + n + 1)))
        next_urn += n + 1
    # Schools elsewhere (one pool per borough's Virtual School).
    for b, _profile in enumerate(boroughs):
        phases = np.concatenate([np.full(n * scale, p) for p, n in OUT_OF_BOROUGH_SCHOOLS.items()])
        n = len(phases)
        grades = rng.choice(["1", "2", "3", "4"], size=n, p=[0.20, 0.65, 0.11, 0.04])
        history = _inspection_history(rng, grades, extract_day)
        la = OUT_OF_BOROUGH_LAS[rng.integers(0, len(OUT_OF_BOROUGH_LAS), n)]
        parts.append((-1 - b, la, phases, history, np.full(n, OPEN, dtype=np.int64), np.arange(next_urn, next_urn + n)))
        next_urn += n

    urn = np.concatenate([p[5] for p in parts])
    borough = np.concatenate([np.full(len(p[2]), p[0]) for p in parts])
    la_code = np.concatenate([np.broadcast_to(p[1], len(p[2])) for p in parts]).astype("<U3")
    phase = np.concatenate([p[2] for p in parts])
    close = np.concatenate([p[4] for p in parts])
    hist = {k: np.concatenate([p[3][k] for p in parts]) for k in parts[0][3]}
    n = len(urn)
    size = np.exp(rng.normal(0.0, 0.35, n))
    estab = np.select([phase == "NUR", phase == "PRI", phase == "SEC"], [1000, 2000, 4000], 7000) + np.arange(n) % 1000
    names = np.char.add(np.char.add(STREETS[rng.integers(0, len(STREETS), n)], " "), np.vectorize(PHASE_NAMES.get)(phase))
    open_day = np.where(rng.random(n) < 0.35, rng.integers(day("2011-09-01"), day("2018-09-01"), n), OPEN)
    low = np.vectorize(lambda p: PHASE_AGES[p][0])(phase)
    high = np.vectorize(lambda p: PHASE_AGES[p][1])(phase)
    type_group = np.where(phase == "SPE", "SPE", np.where(phase == "NUR", "LAM", rng.choice(["LAM", "ACA", "FRE"], size=n, p=[0.5, 0.42, 0.08])))
    table = {
        "urn": urn,
        "laestab": np.char.add(la_code, estab.astype(str)),
        "la_code": la_code,
        "school_name": names,
        "phase": phase,
        "type_group": type_group,
        "open_date": open_day,
        "close_date": close,
        "statutory_low_age": low,
        "statutory_high_age": high,
        "ofsted_overall_effectiveness": hist["grade"],
        "ofsted_inspection_date": hist["day"],
        "previous_ofsted_overall_effectiveness": hist["previous_grade"],
        "previous_ofsted_inspection_date": hist["previous_day"],
    }
    # An inspection before the school opened (as an academy, say) would be the predecessor's;
    # keep the synthetic register simple by opening such schools before their first judgement.
    first_judged = np.minimum(hist["day"], hist["previous_day"])
    table["open_date"] = np.where(open_day < first_judged, open_day, OPEN)
    return SchoolRegister(urn=urn, la_code=la_code, phase=phase, borough=borough, size_weight=size, close_day=close, table=table)


def add_capacity(rng: np.random.Generator, register: SchoolRegister, roll_autumn_2022: np.ndarray, boroughs) -> None:
    """Net capacity: primary schools sized so that surplus places match the published share at
    the autumn 2022 census; other phases with a tenth spare."""
    cap = np.ceil(roll_autumn_2022 * 1.1).astype(np.int64)
    for b, profile in enumerate(boroughs):
        prim = np.flatnonzero((register.borough == b) & (register.phase == "PRI") & (register.close_day >= OPEN))
        raw = roll_autumn_2022[prim] * np.exp(rng.normal(0, 0.08, len(prim)))
        total = roll_autumn_2022[prim].sum() * EDUCATION_PROFILES[profile.la_code].primary_capacity_ratio
        raw = np.maximum(raw * total / max(raw.sum(), 1), roll_autumn_2022[prim])
        cap[prim] = np.round(raw * total / max(raw.sum(), 1)).astype(np.int64)
        closed = np.flatnonzero((register.borough == b) & (register.close_day < OPEN))
        cap[closed] = 210
    register.table["capacity"] = cap
