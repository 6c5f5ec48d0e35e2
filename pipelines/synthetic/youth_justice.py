"""Simulate the children of a youth justice service and their offending careers.

Children enter in the numbers the councils published: first-time entrants (first youth caution,
youth conditional caution or conviction) per quarter, pinned where published; children given
only community resolutions or triage besides. Most are already known to children's social care:
they are picked from the simulated Mosaic children (`Journeys`), boys and older teenagers far
more often, looked-after children several times more often, and in the youth justice ethnic mix
the plans describe, so the Mosaic id links the two systems. The rest are new to the council.

After a first formal outcome a child desists, offends occasionally or persistently; later
offences get later outcomes, escalating from caution to court, rarely to custody. Every offence
is committed at 10-17 and every outcome comes after its offences. Published proven-reoffending
cohorts and custody counts are then pinned exactly, by ending or adding careers' later offences.

Output: the youth_justice extract tables (see pipelines/contracts/tables/youth_justice), built
by `build(generation)`; the casework records (KPIs, victims, custody) come from
youth_justice_casework.py on the same careers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from pipelines.synthetic import youth_justice_offences as catalogue
from pipelines.synthetic.calendar import add_years, day
from pipelines.synthetic.pinning import OPEN
from pipelines.synthetic.youth_justice_profiles import YJ_PROFILES, YouthJusticeProfile

if TYPE_CHECKING:
    from pipelines.synthetic.generate import Generation
    from pipelines.synthetic.social_care import Journeys

# Random streams of this builder (unique across builders, see generate.py).
STREAM_ENTRY = 51
STREAM_CAREERS = 52
STREAM_PINS = 53

FORMAL_TYPES = ("YC", "YCC", "AD", "CD", "FINE", "RO", "YRO", "YRO_ISS", "DTO", "S250", "CUST_OTHER")
CUSTODY_TYPES = ("DTO", "S250", "CUST_OTHER")
INFORMAL, CAUTION, COURT = 0, 1, 2
# Age at a first offence: older teenagers far more often.
ENTRY_AGE = {10: 0.01, 11: 0.03, 12: 0.06, 13: 0.10, 14: 0.16, 15: 0.21, 16: 0.22, 17: 0.21}
# Days from offence to outcome, by route.
DELAY = {INFORMAL: (7, 45), CAUTION: (20, 90), COURT: (45, 240)}
ORDER_MONTHS = {"RO": (3, 12), "YRO": (6, 24), "YRO_ISS": (6, 12), "DTO": (4, 24), "S250": (24, 60), "CUST_OTHER": (6, 24)}


@dataclass
class Careers:
    """One borough's simulated youth justice children, offences and outcomes."""

    profile: YouthJusticeProfile
    journeys: Journeys
    children: pd.DataFrame  # mosaic (index into journeys or -1), dob, sex, ethnicity, resident, home_la
    offences: pd.DataFrame  # child, offence_date, item (catalogue row), aggravated, outcome (or -1)
    outcomes: pd.DataFrame  # child, outcome_date, outcome_type, order_months, is_fte


def add_months(days: np.ndarray, months: int) -> np.ndarray:
    """The same day `months` later, clamped to the month's end (31 Aug + 6 months = 28/29 Feb),
    as DuckDB's date + interval does, so the generator's pins and the SQL measures agree."""
    d = np.asarray(days, dtype="int64").astype("datetime64[D]")
    month = d.astype("datetime64[M]")
    target = month + months
    dom = (d - month.astype("datetime64[D]")).astype(np.int64)
    last = ((target + 1).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(np.int64) - 1
    return (target.astype("datetime64[D]") + np.minimum(dom, last)).astype(np.int64)


def _quarter_bounds(fy: int, q: int) -> tuple[int, int]:
    start_month = (4, 7, 10, 1)[q - 1]
    year = fy - 1 if q < 4 else fy
    start = date(year, start_month, 1)
    end = date(year + (1 if start_month == 10 else 0), 1 if start_month == 10 else start_month + 3, 1)
    return day(start), day(end) - 1


class _Entrants:
    """Picks children for entry events: from the Mosaic children where the profile says so
    (weighted towards boys, older teenagers, looked-after children and the youth justice ethnic
    mix), otherwise new children. Keeps the children table as parallel lists."""

    def __init__(self, rng: np.random.Generator, profile: YouthJusticeProfile, journeys: Journeys):
        self.rng, self.profile, self.j = rng, profile, journeys
        self.used = np.zeros(len(journeys.person_id), dtype=bool)
        self.tenth = add_years(journeys.child_dob, 10)
        self.eighteenth = add_years(journeys.child_dob, 18)
        self.ever_cla = np.zeros(len(journeys.person_id), dtype=bool)
        self.ever_cla[journeys.cla_child] = True
        codes = np.array(list(profile.ethnicity_mix))
        self.mix_codes = codes
        self.mix_p = np.array(list(profile.ethnicity_mix.values()), dtype=float)
        # Ethnicity of the Mosaic children as integers, and the youth justice mix on the same
        # codes, so reweighting is a bincount rather than a loop over string comparisons.
        self.eth_codes, self.eth_index = np.unique(journeys.child_ethnicity, return_inverse=True)
        target = dict(zip(codes, self.mix_p / self.mix_p.sum()))
        self.eth_target = np.array([target.get(code, 0.0) for code in self.eth_codes])
        self.rows: dict[str, list[np.ndarray]] = {k: [] for k in ("mosaic", "dob", "sex", "ethnicity", "resident")}
        self.count = 0

    def _looked_after_at(self, t: int) -> np.ndarray:
        out = np.zeros(len(self.j.person_id), dtype=bool)
        open_ = (self.j.cla_start <= t) & (self.j.cla_end > t)
        out[self.j.cla_child[open_]] = True
        return out

    def _weights(self, window_start: int, window_end: int) -> np.ndarray:
        j = self.j
        eligible = (~self.used) & (self.tenth <= window_start) & (self.eighteenth > window_end)
        if not eligible.any():
            return np.zeros(len(eligible))
        mid = (window_start + window_end) // 2
        # Whole years to the nearest day or so: only a weight, so no birthday arithmetic needed.
        age = np.clip(((mid - j.child_dob) / 365.25).astype(np.int64), 10, 17)
        age_w = np.array([0.2, 0.25, 0.5, 0.8, 1.2, 1.6, 1.8, 1.8])[age - 10]
        w = eligible * age_w * np.where(j.child_sex == "M", 6.0, 1.0)
        w = w * np.where(self._looked_after_at(mid), 25.0, np.where(self.ever_cla, 3.0, 1.0)) * np.where(j.child_uasc, 0.3, 1.0)
        # Reweight ethnicity so the chosen children follow the youth justice mix.
        share = np.bincount(self.eth_index, weights=w, minlength=len(self.eth_codes)) / w.sum()
        factor = np.divide(self.eth_target, share, out=np.zeros_like(share), where=share > 0)
        return w * factor[self.eth_index]

    def enter(self, n: int, window_start: int, window_end: int, ages_at: np.ndarray, known_share: float, resident: bool = True) -> np.ndarray:
        """Child numbers of `n` entrants whose first event falls in the window; `ages_at` are
        the event dates (new children get an entry age at that date)."""
        rng = self.rng
        n_known = int(rng.binomial(n, known_share)) if resident else 0
        w = self._weights(window_start, window_end) if n_known else np.zeros(0)
        n_known = min(n_known, int((w > 0).sum())) if n_known else 0
        mosaic = np.full(n, -1, dtype=np.int64)
        if n_known:
            picked = rng.choice(len(w), size=n_known, replace=False, p=w / w.sum())
            self.used[picked] = True
            mosaic[:n_known] = picked
        fresh = n - n_known
        ages = np.array(list(ENTRY_AGE))[rng.choice(len(ENTRY_AGE), size=fresh, p=np.array(list(ENTRY_AGE.values())))]
        new_dob = ages_at[n_known:] - (ages * 365.25).astype(np.int64) - rng.integers(1, 364, fresh)
        dob = np.concatenate([self.j.child_dob[mosaic[:n_known]], new_dob])
        sex = np.concatenate([self.j.child_sex[mosaic[:n_known]], np.where(rng.random(fresh) < self.profile.male_share, "M", "F")])
        eth = np.concatenate([self.j.child_ethnicity[mosaic[:n_known]], self.mix_codes[rng.choice(len(self.mix_codes), size=fresh, p=self.mix_p / self.mix_p.sum())]])
        ids = np.arange(self.count, self.count + n)
        self.count += n
        for k, v in (("mosaic", mosaic), ("dob", dob), ("sex", sex), ("ethnicity", eth), ("resident", np.full(n, resident))):
            self.rows[k].append(v)
        return ids

    def table(self) -> pd.DataFrame:
        return pd.DataFrame({k: np.concatenate(v) if v else np.array([]) for k, v in self.rows.items()})


def _delay(rng, kind: np.ndarray) -> np.ndarray:
    lo = np.select([kind == INFORMAL, kind == CAUTION], [DELAY[INFORMAL][0], DELAY[CAUTION][0]], DELAY[COURT][0])
    hi = np.select([kind == INFORMAL, kind == CAUTION], [DELAY[INFORMAL][1], DELAY[CAUTION][1]], DELAY[COURT][1])
    return (lo + rng.random(len(kind)) * (hi - lo)).astype(np.int64)


def _entries(gen: Generation, b: int, profile: YouthJusticeProfile, journeys: Journeys):
    """First-time entrants (pinned per quarter), children diverted only, and a few entrants who
    live in another borough. Returns the entrant picker and the entry events."""
    rng = gen.rng(b, STREAM_ENTRY)
    scale = gen.spec.scale
    extract = journeys.extract_day
    picker = _Entrants(rng, profile, journeys)
    ev = {k: [] for k in ("child", "offence", "outcome", "kind", "fte")}

    def add(child, offence, outcome, kind, fte):
        for k, v in (("child", child), ("offence", offence), ("outcome", outcome), ("kind", kind), ("fte", fte)):
            ev[k].append(np.asarray(v))

    for fy in sorted(profile.fte_per_quarter):
        for q in range(1, 5):
            q_start, q_end = _quarter_bounds(fy, q)
            if q_start > extract:
                continue
            last = min(q_end, extract)
            n = profile.fte_per_quarter[fy][q - 1] * scale
            if last < q_end:
                n = int(round(n * (last - q_start + 1) / (q_end - q_start + 1)))
            if n == 0:
                continue
            if (fy, q) in profile.fte_court_pins:
                n_court = profile.fte_court_pins[(fy, q)] * scale
            else:
                n_court = int(rng.binomial(n, profile.fte_court_share))
            kind = rng.permutation(np.r_[np.full(n_court, COURT), np.full(n - n_court, CAUTION)])
            # Unsorted: which events go to children already known to social care is random.
            outcome = rng.integers(q_start, last + 1, n)
            offence = outcome - _delay(rng, kind)
            children = picker.enter(n, q_start - DELAY[COURT][1], q_end, offence, profile.known_to_social_care)
            add(children, offence, outcome, kind, np.ones(n, dtype=bool))
            # Children living elsewhere whom the service also works with: not counted as the
            # borough's first-time entrants.
            n_away = int(rng.binomial(n, profile.home_elsewhere))
            if n_away:
                k_away = np.full(n_away, COURT)
                out_away = rng.integers(q_start, last + 1, n_away)
                off_away = out_away - _delay(rng, k_away)
                add(picker.enter(n_away, q_start - DELAY[COURT][1], q_end, off_away, 0.0, resident=False), off_away, out_away, k_away, np.ones(n_away, dtype=bool))

    diversion = {fy: v for fy, v in _interpolated(profile.diversion_children, min(profile.fte_per_quarter), max(profile.fte_per_quarter)).items()}
    for fy, per_year in diversion.items():
        start, _ = _quarter_bounds(fy, 1)
        _, end = _quarter_bounds(fy, 4)
        if start > extract:
            continue
        last = min(end, extract)
        n = int(round(per_year * scale * (last - start + 1) / (end - start + 1)))
        if n == 0:
            continue
        kind = np.full(n, INFORMAL)
        outcome = rng.integers(start, last + 1, n)
        offence = outcome - _delay(rng, kind)
        children = picker.enter(n, start - DELAY[INFORMAL][1], end, offence, profile.known_to_social_care * 0.8)
        add(children, offence, outcome, kind, np.zeros(n, dtype=bool))
    events = {k: np.concatenate(v) for k, v in ev.items()}
    return picker, events


def _interpolated(points: dict[int, float], first: int, last: int) -> dict[int, float]:
    from pipelines.synthetic.profiles import interpolate

    return interpolate(points, range(first, last + 1))


def _outcome_types(rng, kind: np.ndarray, first_caution: np.ndarray, had_court: np.ndarray) -> np.ndarray:
    n = len(kind)
    informal = np.where(rng.random(n) < 0.6, "CR", "TRIAGE")
    caution = np.where(first_caution & (rng.random(n) < 0.6), "YC", "YCC")
    first_court = np.array(["RO", "CD", "FINE", "YRO", "AD", "YRO_ISS"])[rng.choice(6, size=n, p=[0.74, 0.08, 0.05, 0.08, 0.03, 0.02])]
    later_court = np.array(["YRO", "RO", "YRO_ISS", "CD", "FINE", "DTO", "S250"])[rng.choice(7, size=n, p=[0.42, 0.12, 0.10, 0.10, 0.14, 0.10, 0.02])]
    court = np.where(had_court, later_court, first_court)
    return np.select([kind == INFORMAL, kind == CAUTION], [informal, caution], court)


def _careers(gen: Generation, b: int, profile: YouthJusticeProfile, journeys: Journeys) -> Careers:
    picker, entry = _entries(gen, b, profile, journeys)
    rng = gen.rng(b, STREAM_CAREERS)
    extract = journeys.extract_day
    children = picker.table()
    dob = children["dob"].to_numpy(np.int64)
    tenth, eighteenth = add_years(dob, 10), add_years(dob, 18)

    # Entry events, plus an earlier community resolution or triage for a quarter of entrants.
    ev = {k: [v] for k, v in entry.items()}
    fte_idx = np.flatnonzero(entry["fte"])
    prior = fte_idx[rng.random(len(fte_idx)) < 0.25]
    prior_offence = entry["offence"][prior] - rng.integers(60, 400, len(prior))
    ok = prior_offence >= tenth[entry["child"][prior]]
    prior, prior_offence = prior[ok], prior_offence[ok]
    prior_kind = np.full(len(prior), INFORMAL)
    ev["child"].append(entry["child"][prior])
    ev["offence"].append(prior_offence)
    ev["outcome"].append(prior_offence + _delay(rng, prior_kind))
    ev["kind"].append(prior_kind)
    ev["fte"].append(np.zeros(len(prior), dtype=bool))

    # Later offending of children who entered formally: chains of offences, escalating.
    career = rng.choice(3, size=len(fte_idx), p=np.array(profile.careers) / sum(profile.careers))
    further = np.where(career == 0, 0, np.where(career == 1, rng.choice([1, 2], size=len(fte_idx), p=[0.65, 0.35]), rng.integers(3, 8, len(fte_idx))))
    chain_child = entry["child"][fte_idx]
    prev_offence = entry["offence"][fte_idx].copy()
    prev_outcome = entry["outcome"][fte_idx].copy()
    had_court = entry["kind"][fte_idx] == COURT
    alive = np.ones(len(fte_idx), dtype=bool)
    for k in range(1, int(further.max(initial=0)) + 1):
        active = alive & (further >= k)
        gap = np.where(career == 2, rng.integers(30, 200, len(fte_idx)), rng.integers(100, 420, len(fte_idx)))
        offence = prev_offence + gap
        active &= (offence < eighteenth[chain_child]) & (offence <= extract)
        alive &= active | (further < k)
        idx = np.flatnonzero(active)
        if len(idx) == 0:
            break
        r = rng.random(len(idx))
        kind = np.where(r < 0.08, INFORMAL, np.where(r < 0.08 + np.where(had_court[idx], 0.05, 0.25), CAUTION, COURT))
        outcome = np.maximum(offence[idx] + _delay(rng, kind), prev_outcome[idx] + 1)
        # A few offences end with no further action, so carry no outcome.
        outcome = np.where(rng.random(len(idx)) < 0.05, OPEN, outcome)
        ev["child"].append(chain_child[idx])
        ev["offence"].append(offence[idx])
        ev["outcome"].append(outcome)
        ev["kind"].append(kind)
        ev["fte"].append(np.zeros(len(idx), dtype=bool))
        prev_offence[idx] = offence[idx]
        prev_outcome[idx] = np.where(outcome < OPEN, outcome, prev_outcome[idx])
        had_court[idx] |= kind == COURT

    events = pd.DataFrame({k: np.concatenate(v) for k, v in ev.items()})
    events = events.sort_values(["child", "offence", "outcome"], kind="stable").reset_index(drop=True)
    # Outcomes after the extract date have not happened yet: the offence awaits its outcome.
    events.loc[events["outcome"] > extract, "outcome"] = OPEN
    has_outcome = events["outcome"] < OPEN
    kind = events["kind"].to_numpy()
    # A caution is a child's first when no earlier caution or conviction precedes it.
    formal_before = events.assign(f=(kind != INFORMAL) & has_outcome).groupby("child")["f"].cumsum() - ((kind != INFORMAL) & has_outcome)
    court_before = events.assign(c=(kind == COURT) & has_outcome).groupby("child")["c"].cumsum() - ((kind == COURT) & has_outcome)
    types = _outcome_types(rng, kind, formal_before.to_numpy() == 0, court_before.to_numpy() > 0)
    events["outcome_type"] = np.where(has_outcome, types, "")

    # Offences per event: mostly one out of court, up to four at a court appearance (the councils
    # count about twice as many offences as children each year).
    n_off = np.select(
        [kind == COURT, kind == CAUTION],
        [rng.choice([1, 2, 3, 4], size=len(events), p=[0.30, 0.35, 0.22, 0.13]), rng.choice([1, 2], size=len(events), p=[0.7, 0.3])],
        rng.choice([1, 2], size=len(events), p=[0.85, 0.15]),
    )
    rep = np.repeat(np.arange(len(events)), n_off)
    first = np.r_[True, rep[1:] != rep[:-1]]
    ev_kind = kind[rep]
    items = np.where(
        ev_kind == INFORMAL,
        catalogue.draw_offences(rng, profile.informal_offence_mix, len(rep), minor_only=True),
        catalogue.draw_offences(rng, profile.formal_offence_mix, len(rep)),
    )
    child = events["child"].to_numpy()[rep]
    offence_date = events["offence"].to_numpy()[rep] - np.where(first, 0, rng.integers(0, 30, len(rep)))
    offence_date = np.maximum(offence_date, tenth[child])
    outcome_of_event = np.where(has_outcome, np.arange(len(events)), -1)
    offences = pd.DataFrame(
        {
            "child": child,
            "offence_date": offence_date,
            "item": items,
            "aggravated": rng.random(len(rep)) < 0.15,
            "outcome": outcome_of_event[rep],
        }
    )
    outcomes = events.loc[has_outcome, ["child", "outcome", "outcome_type", "fte"]].rename(columns={"outcome": "outcome_date", "fte": "is_fte"})
    outcomes["order_months"] = _order_months(rng, outcomes["outcome_type"].to_numpy())
    careers = Careers(profile=profile, journeys=journeys, children=children, offences=offences, outcomes=outcomes)
    pin_rng = gen.rng(b, STREAM_PINS)
    _pin_custody(pin_rng, careers, gen.spec.scale)
    for pin in profile.reoffending_pins:
        _pin_reoffending(pin_rng, careers, pin, gen.spec.scale)
    return careers


def _order_months(rng, outcome_type: np.ndarray) -> np.ndarray:
    months = np.zeros(len(outcome_type), dtype=np.int64)
    for t, (lo, hi) in ORDER_MONTHS.items():
        where = outcome_type == t
        months[where] = rng.integers(lo, hi + 1, int(where.sum()))
    return months


def financial_year(days: np.ndarray) -> np.ndarray:
    """Financial year (named by its end) of day numbers: 1 April 2022 - 31 March 2023 is 2023."""
    d = np.asarray(days, dtype="int64").astype("datetime64[D]")
    y = d.astype("datetime64[Y]").astype(int) + 1970
    m = d.astype("datetime64[M]").astype(int) % 12 + 1
    return y + (m >= 4)


def _pin_custody(rng, c: Careers, scale: int) -> None:
    """Custodial sentences per financial year, where published: extra ones become intensive
    community orders; missing ones are the most serious later court outcome turned into a DTO."""
    out = c.outcomes
    fy = financial_year(out["outcome_date"].to_numpy())
    for year, target in c.profile.custody_per_year.items():
        target *= scale
        in_year = fy == year
        custody = np.flatnonzero(in_year & out["outcome_type"].isin(CUSTODY_TYPES).to_numpy())
        if len(custody) > target:
            drop = out.index[rng.choice(custody, size=len(custody) - target, replace=False)]
            out.loc[drop, "outcome_type"] = "YRO_ISS"
            out.loc[drop, "order_months"] = rng.integers(6, 13, len(drop))
        elif len(custody) < target:
            cand = np.flatnonzero(in_year & out["outcome_type"].isin(["YRO", "YRO_ISS"]).to_numpy())
            if len(cand):
                pick = out.index[rng.choice(cand, size=min(target - len(custody), len(cand)), replace=False)]
                out.loc[pick, "outcome_type"] = "DTO"
                out.loc[pick, "order_months"] = rng.integers(4, 13, len(pick))


def release_days(outcomes: pd.DataFrame) -> np.ndarray:
    """Release from custody: halfway through a detention and training order (the rest is served
    under supervision in the community), two thirds of longer sentences."""
    months = outcomes["order_months"].to_numpy()
    share = np.where(outcomes["outcome_type"].to_numpy() == "DTO", 0.5, 2 / 3)
    return outcomes["outcome_date"].to_numpy() + (months * 30.4 * share).astype(np.int64)


def proven_reoffending(c: Careers, start: int, end: int) -> tuple[pd.Series, pd.Series]:
    """The MoJ proven-reoffending cohort of [start, end] and each member's reoffences, exactly as
    the warehouse measures them (int_yj_reoffending): index = first caution, conviction or
    release from custody in the period; reoffence = an offence (not a breach) committed after the
    index date and within 12 months of it, proven by a caution or conviction within 18 months of
    the index date. Returns (index date by child, reoffences by child)."""
    out = c.outcomes
    formal = out[out["outcome_type"].isin(FORMAL_TYPES)]
    custody = out[out["outcome_type"].isin(CUSTODY_TYPES)]
    extract = c.journeys.extract_day
    events = pd.concat(
        [
            formal[["child", "outcome_date"]].rename(columns={"outcome_date": "d"}),
            pd.DataFrame({"child": custody["child"].to_numpy(), "d": release_days(custody)}),
        ]
    )
    events = events[(events["d"] >= start) & (events["d"] <= end) & (events["d"] <= extract)]
    index = events.groupby("child")["d"].min()
    off = c.offences[c.offences["outcome"] >= 0]
    off = off.join(formal[["outcome_date"]], on="outcome", how="inner")
    off = off[off["child"].isin(index.index)]
    idx = index.reindex(off["child"]).to_numpy()
    counted = (
        (off["offence_date"].to_numpy() > idx)
        & (off["offence_date"].to_numpy() <= add_months(idx, 12))
        & (off["outcome_date"].to_numpy() <= add_months(idx, 18))
        & (catalogue.GROUP[off["item"].to_numpy()] != "BREACH")
    )
    reoffences = off[counted].groupby("child").size().reindex(index.index, fill_value=0)
    return index, reoffences


def _drop_offences(c: Careers, rows) -> None:
    """Remove offences, and outcomes left with no offence."""
    c.offences = c.offences.drop(index=rows)
    c.outcomes = c.outcomes[c.outcomes.index.isin(c.offences["outcome"])]


def _add_offences(c: Careers, child: np.ndarray, offence_date: np.ndarray, outcome: np.ndarray, items: np.ndarray) -> None:
    new = pd.DataFrame({"child": child, "offence_date": offence_date, "item": items, "aggravated": False, "outcome": outcome})
    c.offences = pd.concat([c.offences, new], ignore_index=True)


def _add_outcomes(c: Careers, child: np.ndarray, outcome_date: np.ndarray, outcome_type: np.ndarray, rng) -> np.ndarray:
    start = int(c.outcomes.index.max()) + 1 if len(c.outcomes) else 0
    ids = np.arange(start, start + len(child))
    new = pd.DataFrame({"child": child, "outcome_date": outcome_date, "outcome_type": outcome_type, "is_fte": False, "order_months": _order_months(rng, outcome_type)}, index=ids)
    c.outcomes = pd.concat([c.outcomes, new])
    return ids


def _pin_reoffending(rng, c: Careers, pin, scale: int) -> None:
    """Make a published cohort come out exactly: its size, reoffenders and reoffences."""
    start, end = day(pin.start), day(pin.end)
    extract = c.journeys.extract_day
    dob = c.children["dob"].to_numpy(np.int64)
    eighteenth = add_years(dob, 18)
    formal_mix = c.profile.formal_offence_mix

    # 1. Cohort size: add a conviction in the period for earlier offenders, or take away the
    #    period's outcomes of children who were not first-time entrants in it.
    index, _ = proven_reoffending(c, start, end)
    gap = pin.cohort * scale - len(index)
    if gap > 0:
        out = c.outcomes
        earlier = out[out["outcome_type"].isin(FORMAL_TYPES) & (out["outcome_date"] < start)]["child"].unique()
        cand = np.setdiff1d(earlier, index.index)
        cand = cand[eighteenth[cand] > start + 120]
        pick = rng.choice(cand, size=min(gap, len(cand)), replace=False)
        offence = start + (rng.random(len(pick)) * np.minimum(end - start - 60, eighteenth[pick] - start - 60)).astype(np.int64)
        outcome = offence + rng.integers(20, 60, len(pick))
        ids = _add_outcomes(c, pick, outcome, np.full(len(pick), "YRO"), rng)
        _add_offences(c, pick, offence, ids, catalogue.draw_offences(rng, formal_mix, len(pick)))
    elif gap < 0:
        out = c.outcomes
        fte_children = out[out["is_fte"] & (out["outcome_date"] >= start) & (out["outcome_date"] <= end)]["child"]
        custody_children = out[out["outcome_type"].isin(CUSTODY_TYPES)]["child"]
        # Only outcomes whose offences were all committed in the period go, so no earlier
        # cohort's reoffences change (several pins can apply to one borough).
        in_period = out[(out["outcome_date"] >= start) & (out["outcome_date"] <= end)]
        early = c.offences[c.offences["outcome"].isin(in_period.index) & (c.offences["offence_date"] < start)]["outcome"]
        touches_earlier = in_period.loc[in_period.index.isin(early), "child"].unique()
        cand = np.setdiff1d(index.index, np.union1d(np.union1d(fte_children, custody_children), touches_earlier))
        pick = rng.choice(cand, size=min(-gap, len(cand)), replace=False)
        _drop_offences(c, c.offences.index[c.offences["outcome"].isin(in_period.index[in_period["child"].isin(pick)])])

    # 2. Reoffenders: take away the offences some reoffenders committed in their follow-up year,
    #    or give some non-reoffenders one proven reoffence.
    index, reoffences = proven_reoffending(c, start, end)
    target_r = pin.reoffenders * scale
    reoffenders = reoffences.index[reoffences > 0].to_numpy()
    if len(reoffenders) > target_r:
        stop = rng.choice(reoffenders, size=len(reoffenders) - target_r, replace=False)
        idx_of = index.reindex(c.offences["child"]).to_numpy()
        follow_up = np.where(np.isnan(idx_of), -1, add_months(np.nan_to_num(idx_of).astype(np.int64), 12))
        within = c.offences["child"].isin(stop).to_numpy() & (c.offences["offence_date"].to_numpy() > idx_of) & (c.offences["offence_date"].to_numpy() <= follow_up)
        _drop_offences(c, c.offences.index[within])
    elif len(reoffenders) < target_r:
        quiet = reoffences.index[reoffences == 0].to_numpy()
        idx = index.reindex(quiet).to_numpy()
        ok = (eighteenth[quiet] > idx + 60) & (idx + 60 <= extract)
        quiet, idx = quiet[ok], idx[ok]
        pick = rng.choice(len(quiet), size=min(target_r - len(reoffenders), len(quiet)), replace=False)
        child, idx = quiet[pick], idx[pick]
        latest = np.minimum.reduce([add_months(idx, 12), eighteenth[child] - 1, np.full(len(child), extract - 30)])
        offence = idx + 1 + (rng.random(len(child)) * (latest - idx - 1)).astype(np.int64)
        outcome = np.minimum(offence + rng.integers(20, 120, len(child)), np.minimum(add_months(idx, 18), extract))
        convicted = c.outcomes[c.outcomes["outcome_type"].isin(FORMAL_TYPES[2:])]["child"].unique()
        kinds = np.where(np.isin(child, convicted), "YRO", "RO")  # a first conviction: referral order
        ids = _add_outcomes(c, child, outcome, kinds, rng)
        _add_offences(c, child, offence, ids, catalogue.draw_offences(rng, {k: v for k, v in formal_mix.items() if k != "BREACH"}, len(child)))

    # 3. Reoffences: add offences to reoffenders' existing proven reoffences, or drop extra ones.
    index, reoffences = proven_reoffending(c, start, end)
    target_f = pin.reoffences * scale
    total = int(reoffences.sum())
    off = c.offences
    formal = c.outcomes[c.outcomes["outcome_type"].isin(FORMAL_TYPES)]
    in_cohort = off["child"].isin(index.index) & off["outcome"].isin(formal.index)
    idx_of = index.reindex(off["child"]).to_numpy()
    outcome_day = formal["outcome_date"].reindex(off["outcome"]).to_numpy()
    counted = (
        in_cohort.to_numpy()
        & (off["offence_date"].to_numpy() > idx_of)
        & (off["offence_date"].to_numpy() <= add_months(np.nan_to_num(idx_of).astype(np.int64), 12))
        & (np.nan_to_num(outcome_day, nan=OPEN) <= add_months(np.nan_to_num(idx_of).astype(np.int64), 18))
        & (catalogue.GROUP[off["item"].to_numpy()] != "BREACH")
    )
    counted_rows = off.index[counted]
    if total < target_f and len(counted_rows):
        base = off.loc[rng.choice(counted_rows, size=target_f - total, replace=True)]
        child_idx = index.reindex(base["child"]).to_numpy()
        dates = np.maximum(base["offence_date"].to_numpy() - rng.integers(0, 10, len(base)), child_idx + 1)
        _add_offences(c, base["child"].to_numpy(), dates, base["outcome"].to_numpy(), catalogue.draw_offences(rng, {k: v for k, v in formal_mix.items() if k != "BREACH"}, len(base)))
    elif total > target_f:
        counted_off = off.loc[counted_rows]
        # Keep each reoffender's first reoffence, so the number of reoffenders stays put.
        spare = counted_off[counted_off.duplicated("child", keep="first")].index
        drop = rng.choice(spare, size=min(total - target_f, len(spare)), replace=False)
        _drop_offences(c, drop)


def careers_for(gen: Generation, b: int) -> Careers:
    journeys = gen.journeys[b]
    return _careers(gen, b, YJ_PROFILES[journeys.profile.la_code], journeys)


def build(gen: Generation) -> dict[str, dict[str, np.ndarray]]:
    """The youth justice extract of every borough: {table: columns}."""
    from pipelines.synthetic.youth_justice_casework import borough_tables

    parts: dict[str, list[dict]] = {}
    for b in range(len(gen.journeys)):
        for name, data in borough_tables(gen, b, careers_for(gen, b)).items():
            parts.setdefault(name, []).append(data)
    return {name: {col: np.concatenate([p[col] for p in ps]) for col in ps[0]} for name, ps in parts.items()}
