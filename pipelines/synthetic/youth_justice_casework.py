"""The youth justice casework around the simulated careers: person records with their links to
social care and school, the offence and outcome tables, remand and custody episodes, police
custody holds, victims, and the YJB KPI record of every intervention.

Everything a child's social care record says (looked after, child protection, child in need on a
date) comes from the same simulated Mosaic journeys, so the warehouse's cross-system measures
(looked-after children in the youth justice cohort, links to wider services) have something
true to find.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from pipelines.synthetic import youth_justice_offences as catalogue
from pipelines.synthetic.calendar import years_between
from pipelines.synthetic.pinning import OPEN
from pipelines.synthetic.profiles import interpolate
from pipelines.synthetic.youth_justice import CUSTODY_TYPES, FORMAL_TYPES, Careers, financial_year, release_days

if TYPE_CHECKING:
    from pipelines.synthetic.generate import Generation

STREAM_CASEWORK = 54
OOCD_TYPES = ("CR", "TRIAGE", "YC", "YCC")
ORDER_TYPES = ("RO", "YRO", "YRO_ISS")
MINUTE = 60


class SocialCareStatus:
    """Whether simulated children were looked after, on a child protection plan or in need on a
    date, from the Mosaic journeys (children not known to social care: never)."""

    def __init__(self, careers: Careers):
        j = careers.journeys
        mosaic = careers.children["mosaic"].to_numpy(np.int64)
        self.mosaic = mosaic
        self.spans = {
            "looked_after": (j.cla_child, j.cla_start, j.cla_end),
            "child_protection": (j.ref_child[j.cp_ref], j.cp_start, j.cp_end),
            "child_in_need": (j.ref_child, j.ref_date, j.ref_close),
        }

    def on(self, kind: str, children: np.ndarray, days: np.ndarray) -> np.ndarray:
        who, start, end = self.spans[kind]
        rows = pd.DataFrame({"row": np.arange(len(children)), "who": self.mosaic[children], "t": days})
        rows = rows[rows["who"] >= 0]
        spans = pd.DataFrame({"who": who, "s": start, "e": end})
        hit = rows.merge(spans, on="who")
        hit = hit[(hit["s"] <= hit["t"]) & (hit["e"] > hit["t"])]
        out = np.zeros(len(children), dtype=bool)
        out[hit["row"].unique()] = True
        return out


def _ids(prefix: str, n: int) -> np.ndarray:
    return np.char.add(prefix, np.char.zfill(np.arange(1, n + 1).astype(str), 6))


def _pick(rng, n: int, values, p) -> np.ndarray:
    values = np.asarray(values)
    p = np.asarray(p, dtype=float)
    return values[rng.choice(len(values), size=n, p=p / p.sum())]


def _people(gen: Generation, careers: Careers, la: str, rng) -> tuple[dict, np.ndarray]:
    from pipelines.synthetic.generate import FORENAMES, SECTORS, SURNAMES, upn_for

    kids = careers.children
    j = careers.journeys
    n = len(kids)
    person_ids = np.char.add(f"YJ{la}-", np.char.zfill(np.arange(1, n + 1).astype(str), 6))
    mosaic = kids["mosaic"].to_numpy(np.int64)
    known = mosaic >= 0
    # The YJS records the social care id for most children it knows are open to social care.
    recorded = known & (rng.random(n) < 0.95)
    mosaic_id = np.where(recorded, j.person_id[np.maximum(mosaic, 0)].astype(str), "")
    # UPNs: the Mosaic child's own (a function of the Mosaic id, as in the Mosaic extract);
    # children new to the council get UPNs from a separate number range.
    upn = np.where(known, upn_for(la, j.person_id[np.maximum(mosaic, 0)]), upn_for(la, 900_000_000 + np.arange(n)))
    upn = np.where(rng.random(n) < 0.92, upn, "")
    status = SocialCareStatus(careers)
    extract = np.full(n, j.extract_day)
    lac_now = status.on("looked_after", np.arange(n), extract)
    left_care = np.zeros(n, dtype=bool)
    left_care[np.isin(mosaic, j.cla_child[j.cla_left_at_18])] = True
    resident = kids["resident"].to_numpy(bool)
    sectors = np.array(SECTORS[la])
    # A postcode is a sector ("W10 5") and two unit letters.
    postcode = np.char.add(sectors[rng.integers(0, len(sectors), n)], np.array(list("ABDEFGHJLNPQRSTUWXYZ"))[rng.integers(0, 20, (n, 2))].view("<U2").ravel())
    table = {
        "la_code": np.full(n, la),
        "yj_person_id": person_ids,
        "mosaic_person_id": mosaic_id,
        "upn": upn,
        "forename": FORENAMES[rng.integers(0, len(FORENAMES), n)],
        "surname": SURNAMES[rng.integers(0, len(SURNAMES), n)],
        "date_of_birth": kids["dob"].to_numpy(np.int64),
        "sex": kids["sex"].to_numpy(str),
        "ethnicity": kids["ethnicity"].to_numpy(str),
        "home_la_code": np.where(resident, la, _pick(rng, n, careers.profile.neighbours, [1] * len(careers.profile.neighbours))),
        "looked_after_status": np.where(lac_now, "LAC_HOME", np.where(left_care, "CARE_LEAVER", "NOT_LAC")),
        "postcode": np.where(resident, postcode, ""),
    }
    return table, person_ids


def _offences_and_outcomes(careers: Careers, la: str, person_ids: np.ndarray, rng) -> tuple[dict, dict, np.ndarray, np.ndarray]:
    off = careers.offences.sort_values(["child", "offence_date"], kind="stable").reset_index(drop=True)
    out = careers.outcomes.sort_values(["child", "outcome_date"], kind="stable")
    outcome_ids = pd.Series(_ids(f"{la}-OUT", len(out)), index=out.index)
    item = off["item"].to_numpy()
    group = catalogue.GROUP[item]
    gravity = np.minimum(catalogue.GRAVITY[item] + off["aggravated"].to_numpy(int), 8)
    serious = np.isin(group, ["DRUGS", "ROBBERY", "VAP"]) & (gravity >= 5)
    has_outcome = off["outcome"].to_numpy() >= 0
    offences = {
        "la_code": np.full(len(off), la),
        "offence_id": _ids(f"{la}-OFF", len(off)),
        "yj_person_id": person_ids[off["child"].to_numpy()],
        "offence_date": off["offence_date"].to_numpy(np.int64),
        "offence_code": catalogue.CODE[item],
        "offence_description": catalogue.DESCRIPTION[item],
        "offence_category": group,
        "gravity_score": gravity,
        "weapon_flag": catalogue.WEAPON[item],
        # The case system's own flag: left blank on a few records, as such flags are.
        "serious_violence_flag": np.where(rng.random(len(off)) < 0.9, np.where(serious, "Y", "N"), ""),
        "drug_class": catalogue.DRUG_CLASS[item],
        "drug_supply_flag": np.where(group == "DRUGS", np.where(catalogue.SUPPLY[item], "Y", "N"), ""),
        "outcome_id": np.where(has_outcome, outcome_ids.reindex(off["outcome"].where(has_outcome, out.index[0])).to_numpy(), ""),
    }
    formal = out["outcome_type"].isin(FORMAL_TYPES).to_numpy()
    first_formal = formal & ~pd.Series(formal, index=out.index).groupby(out["child"]).cumsum().gt(1).to_numpy()
    months = out["order_months"].to_numpy()
    outcomes = {
        "la_code": np.full(len(out), la),
        "outcome_id": outcome_ids.to_numpy(),
        "yj_person_id": person_ids[out["child"].to_numpy()],
        "outcome_date": out["outcome_date"].to_numpy(np.int64),
        "outcome_type": out["outcome_type"].to_numpy(str),
        "first_ever_flag": np.where(formal, np.where(first_formal, "Y", "N"), ""),
        "order_length_months": np.where(months > 0, months.astype(str), ""),
    }
    return offences, outcomes, outcome_ids, off


def _custody_episodes(careers: Careers, la: str, person_ids, outcome_ids, off, rng) -> dict:
    out = careers.outcomes
    extract = careers.journeys.extract_day
    status = SocialCareStatus(careers)
    rows = {k: [] for k in ("child", "type", "start", "end", "outcome")}
    custody = out[out["outcome_type"].isin(CUSTODY_TYPES)]
    release = release_days(custody)
    rows["child"].append(custody["child"].to_numpy())
    rows["type"].append(np.full(len(custody), "SENTENCED"))
    rows["start"].append(custody["outcome_date"].to_numpy())
    rows["end"].append(np.where(release > extract, OPEN, release))
    rows["outcome"].append(outcome_ids.reindex(custody.index).to_numpy())
    # Remands and bail support: children awaiting sentence for serious offences in court.
    first_offence = off[off["outcome"] >= 0].groupby("outcome")["offence_date"].min()
    court = out[out["outcome_type"].isin(ORDER_TYPES + CUSTODY_TYPES)].join(first_offence.rename("offence_date"), how="inner")
    # A remand starts within days of the offence; the year it counts in is the year it starts.
    starts = np.minimum(court["offence_date"].to_numpy() + rng.integers(0, 4, len(court)), court["outcome_date"].to_numpy())
    fy = financial_year(starts)
    resident = careers.children["resident"].to_numpy(bool)[court["child"].to_numpy()]
    remands = interpolate({y: float(v) for y, v in careers.profile.remands_per_year.items()}, range(2013, 2025))
    lac = status.on("looked_after", court["child"].to_numpy(), court["offence_date"].to_numpy())
    for year in np.unique(fy):
        cand = np.flatnonzero((fy == year) & resident & ~lac)
        n_remand = min(int(round(remands.get(int(year), 1) * careers.journeys.scale)), len(cand))
        picked = rng.choice(cand, size=n_remand + min(2, len(cand) - n_remand), replace=False) if len(cand) else np.array([], dtype=int)
        for k, i in enumerate(picked):
            start = int(starts[i])
            end = int(court["outcome_date"].iloc[i])
            kind = ("REMAND_YDA" if rng.random() < 0.6 else "REMAND_LAA") if k < n_remand else "BAIL_SUPPORT"
            rows["child"].append(np.array([court["child"].iloc[i]]))
            rows["type"].append(np.array([kind]))
            rows["start"].append(np.array([start]))
            rows["end"].append(np.array([end]))
            rows["outcome"].append(np.array([""]))
    data = {k: np.concatenate(v) for k, v in rows.items()}
    n = len(data["child"])
    return {
        "la_code": np.full(n, la),
        "episode_id": _ids(f"{la}-CUS", n),
        "yj_person_id": person_ids[data["child"].astype(np.int64)],
        "episode_type": data["type"],
        "start_date": data["start"].astype(np.int64),
        "end_date": data["end"].astype(np.int64),
        "outcome_id": data["outcome"].astype(str),
    }


def _police_custody(careers: Careers, la: str, person_ids, off, rng) -> dict:
    extract = careers.journeys.extract_day
    out_type = careers.outcomes["outcome_type"]
    types = out_type.reindex(off["outcome"]).fillna("").to_numpy()
    # One arrest per outcome (its first offence), more often for offences that go to court.
    principal = ~off.duplicated(["child", "outcome"]).to_numpy() | (off["outcome"].to_numpy() < 0)
    p = np.where(np.isin(types, ["CR", "TRIAGE"]), 0.35, 0.8)
    held = principal & (rng.random(len(off)) < p)
    idx = np.flatnonzero(held)
    when = off["offence_date"].to_numpy()[idx] + rng.integers(0, 3, len(idx))
    keep = when <= extract - 1
    idx, when = idx[keep], when[keep]
    n = len(idx)
    child = off["child"].to_numpy()[idx]
    looked_after = SocialCareStatus(careers).on("looked_after", child, when)
    # Overnight holds fall on a few children again and again (RBKC: 13 holds of 7 children, one
    # child five times, F001-L3298-01/02/04), and on looked-after children far more often (4 of
    # the 7, F001-L3298-03): a per-child tendency, raised for children in care.
    tendency = np.where(rng.random(len(careers.children)) < 0.1, 8.0, 0.3)[child] * np.where(looked_after, 6.0, 1.0)
    overnight = rng.random(n) < np.minimum(careers.profile.held_overnight * tendency, 0.95)
    # Where the year's number of holds is published, exactly that many, chosen the same way.
    fy = financial_year(when)
    for year, target in careers.profile.overnight_per_year.items():
        rows = np.flatnonzero(fy == year)
        k = min(target * careers.journeys.scale, len(rows))
        overnight[rows] = False
        overnight[rng.choice(rows, size=k, replace=False, p=tendency[rows] / tendency[rows].sum())] = True
    booked = np.where(overnight, rng.integers(17 * 60, 24 * 60, n), rng.integers(9 * 60, 17 * 60, n))
    released = np.where(overnight, 24 * 60 + rng.integers(7 * 60, 13 * 60, n), booked + rng.integers(120, 360, n))
    released = np.minimum(released, np.where(overnight, 48 * 60 - 1, 24 * 60 - 1))
    base = when.astype("datetime64[D]").astype("datetime64[m]")
    return {
        "la_code": np.full(n, la),
        "detention_id": _ids(f"{la}-PCD", n),
        "yj_person_id": person_ids[child],
        "detained_at": np.datetime_as_string(base + booked.astype("timedelta64[m]"), unit="s"),
        "released_at": np.datetime_as_string(base + released.astype("timedelta64[m]"), unit="s"),
        # Most records say whether the child was kept overnight; a few leave it to the times.
        "held_overnight": np.where(rng.random(n) < 0.9, np.where(overnight, "Y", "N"), ""),
        "looked_after_at_detention": np.where(rng.random(n) < 0.95, np.where(looked_after, "Y", "N"), ""),
    }


def _victims(careers: Careers, la: str, off, offence_ids, rng) -> dict:
    extract = careers.journeys.extract_day
    prof = careers.profile
    out = careers.outcomes
    has_victim = catalogue.VICTIM[off["item"].to_numpy()] & (off["outcome"].to_numpy() >= 0)
    referred = np.flatnonzero(has_victim & (rng.random(len(off)) < prof.victim_referral))
    # Some offences have two victims.
    referred = np.sort(np.concatenate([referred, referred[rng.random(len(referred)) < 0.25]]))
    outcome_day = out["outcome_date"].reindex(off["outcome"].to_numpy()[referred]).to_numpy()
    referred_date = outcome_day.astype(np.int64) + rng.integers(0, 21, len(referred))
    keep = referred_date <= extract
    referred, referred_date = referred[keep], referred_date[keep]
    n = len(referred)
    police = rng.random(n) < 0.85
    contact_days = rng.integers(1, 15, n)
    contacted = police & (rng.random(n) < 0.9) & (referred_date + contact_days <= extract)
    offered = contacted & (rng.random(n) < min(prof.victim_offered / 0.77, 0.98))
    engaged = offered & (rng.random(n) < prof.victim_engaged / prof.victim_offered)
    outcome = np.where(
        engaged,
        np.where(rng.random(n) < 0.25, "DIRECT", "INDIRECT"),
        np.where(offered, "DECLINED", np.where(contacted, _pick(rng, n, ["INFORMATION", "NOT_PURSUED", "NOT_EXPLORED"], [0.5, 0.1, 0.4]), "NOT_EXPLORED")),
    )
    return {
        "la_code": np.full(n, la),
        "victim_id": _ids(f"{la}-VIC", n),
        "offence_id": offence_ids[referred],
        "referred_date": referred_date,
        "police_contacted": np.where(police, "Y", "N"),
        "yjs_contact_date": np.where(contacted, referred_date + contact_days, OPEN),
        "offered_support": np.where(offered, "Y", "N"),
        "engaged": np.where(engaged, "Y", "N"),
        "rj_outcome": outcome,
    }


def _yes(flags: np.ndarray) -> np.ndarray:
    return np.where(flags, "Y", "N")


def _case_kpi(careers: Careers, la: str, person_ids, outcome_ids, rng) -> dict:
    prof = careers.profile
    extract = careers.journeys.extract_day
    out = careers.outcomes
    typ = out["outcome_type"].to_numpy(str)
    # Community resolutions come with a YJS intervention about half the time; fines and
    # discharges never do.
    with_intervention = np.isin(typ, ("TRIAGE", "YC", "YCC") + ORDER_TYPES + CUSTODY_TYPES) | ((typ == "CR") & (rng.random(len(typ)) < 0.5))
    rec = out[with_intervention]
    typ = rec["outcome_type"].to_numpy(str)
    n = len(rec)
    child = rec["child"].to_numpy()
    kind = np.where(np.isin(typ, OOCD_TYPES), "OOCD", np.where(np.isin(typ, CUSTODY_TYPES), "CUSTODY", "COURT_ORDER"))
    start = rec["outcome_date"].to_numpy(np.int64) + rng.integers(0, 15, n)
    length = np.where(kind == "OOCD", rng.integers(56, 121, n), (rec["order_months"].to_numpy() * 30.4).astype(np.int64))
    end = start + np.maximum(length, 28)
    started = start <= extract
    rec, typ, child, kind, start, end = rec[started], typ[started], child[started], kind[started], start[started], end[started]
    n = len(rec)
    is_open = end > extract
    completion = np.where(
        is_open, "",
        np.where(kind == "OOCD", _pick(rng, n, ["COMPLETED", "NOT_COMPLETED", "TRANSFERRED"], [0.86, 0.12, 0.02]),
                 _pick(rng, n, ["COMPLETED", "NOT_COMPLETED", "TRANSFERRED"], [0.76, 0.20, 0.04])),
    )
    status = SocialCareStatus(careers)
    dob = careers.children["dob"].to_numpy(np.int64)[child]

    def accommodation(at: np.ndarray, lac: np.ndarray, in_custody: np.ndarray):
        age = years_between(dob, at)
        looked_after = np.where(age >= 16, _pick(rng, n, ["SUPPORTED", "CHILDRENS_HOME", "FOSTER"], [0.5, 0.25, 0.25]),
                                _pick(rng, n, ["FOSTER", "CHILDRENS_HOME"], [0.65, 0.35]))
        home = _pick(rng, n, ["FAMILY", "NO_FIXED_ABODE", "OTHER"], [0.95, 0.015, 0.035])
        kind_ = np.where(in_custody, "CUSTODY", np.where(lac, looked_after, home))
        suitable = np.where(kind_ == "NO_FIXED_ABODE", False, rng.random(n) < np.where(kind_ == "FAMILY", 0.95, 0.85))
        return kind_, np.where(kind_ == "CUSTODY", "", _yes(suitable))

    lac_start = status.on("looked_after", child, start)
    lac_end = status.on("looked_after", child, np.minimum(end, extract))
    acc_start, acc_ok_start = accommodation(start, lac_start, kind == "CUSTODY")
    acc_end, acc_ok_end = accommodation(np.minimum(end, extract), lac_end, np.zeros(n, dtype=bool))

    # Compulsory school age: until the end of the school year in which the child turns 16.
    def school_age(at: np.ndarray) -> np.ndarray:
        d = at.astype("datetime64[D]")
        y = d.astype("datetime64[Y]").astype(int) + 1970
        m = d.astype("datetime64[M]").astype(int) % 12 + 1
        august = ((np.where(m >= 9, y, y - 1) - 1970) * 12 + 7).astype("datetime64[M]")
        aug31 = august.astype("datetime64[D]") + np.timedelta64(30, "D")
        return years_between(dob, aug31.astype(np.int64)) < 16

    def ete(at: np.ndarray, suitable: np.ndarray) -> np.ndarray:
        school = school_age(at)
        placed = np.where(school, _pick(rng, n, ["SCHOOL", "ALTERNATIVE_PROVISION"], [0.72, 0.28]),
                          _pick(rng, n, ["COLLEGE", "TRAINING", "EMPLOYMENT"], [0.65, 0.22, 0.13]))
        return np.where(suitable, placed, np.where(rng.random(n) < 0.7, "NONE", placed))

    # Suitable ETE at the end: the published share of each year's closures, exactly.
    end_fy = financial_year(end)
    ete_ok_end = np.zeros(n, dtype=bool)
    ete_rate = interpolate(prof.ete_suitable_end, range(2013, 2025))
    for year in np.unique(end_fy[~is_open]):
        rows = np.flatnonzero((end_fy == year) & ~is_open)
        k = int(round(ete_rate.get(int(year), 0.75) * len(rows)))
        ete_ok_end[rng.choice(rows, size=k, replace=False)] = True
    ete_ok_end[is_open] = rng.random(int(is_open.sum())) < 0.75
    ete_ok_start = np.where(ete_ok_end, rng.random(n) < 0.85, rng.random(n) < 0.35)
    school_end = school_age(np.minimum(end, extract))
    offered = np.where(ete_ok_end, np.where(school_end, 25, rng.integers(12, 26, n)), rng.integers(0, 13, n))
    attended = np.where(ete_ok_end, np.maximum(offered - rng.integers(0, 6, n), 0), (offered * rng.random(n) * 0.6).astype(np.int64))

    # Needs belong to the child, not the record: one draw per child.
    kids = len(careers.children)
    send = rng.random(kids) < prof.send_identified
    send_type = np.where(send, _pick(rng, kids, ["EHCP", "SEN_SUPPORT", "SUSPECTED"], [0.40, 0.45, 0.15]), "NONE")
    plan = np.isin(send_type, ["EHCP", "SEN_SUPPORT"]) & (rng.random(kids) < 0.8)
    slcn_screened = rng.random(kids) < 0.8
    slcn = slcn_screened & (rng.random(kids) < prof.slcn_identified)
    mh_need, sm_need = rng.random(kids) < prof.mh_need, rng.random(kids) < prof.substance_need

    mh_screened = rng.random(n) < 0.9
    mh_need_r = mh_screened & mh_need[child]
    mh_offered = mh_need_r & (rng.random(n) < 0.85)
    mh_attending = mh_offered & (rng.random(n) < 0.7)
    sessions = np.where(mh_offered, rng.integers(4, 15, n), 0)
    sessions_attended = np.where(mh_attending, (sessions * (0.5 + 0.5 * rng.random(n))).astype(np.int64), np.minimum(sessions, rng.integers(0, 3, n)))
    sm_screened = rng.random(n) < 0.9
    sm_need_r = sm_screened & sm_need[child]
    sm_offered = sm_need_r & (rng.random(n) < 0.8)
    sm_attending = sm_offered & (rng.random(n) < 0.65)

    wider = {}
    for when, at in (("start", start), ("end", np.minimum(end, extract))):
        lac = status.on("looked_after", child, at)
        cp = status.on("child_protection", child, at)
        cin = status.on("child_in_need", child, at) | lac | cp
        wider[f"early_help_{when}"] = _yes(~cin & (rng.random(n) < 0.08))
        wider[f"child_in_need_{when}"] = _yes(cin)
        wider[f"child_protection_{when}"] = _yes(cp)
        wider[f"looked_after_{when}"] = _yes(lac)
    ended = lambda values: np.where(is_open, "", values)  # noqa: E731 - end-of-intervention items only exist once it ends
    return {
        "la_code": np.full(n, la),
        "kpi_record_id": _ids(f"{la}-KPI", n),
        "yj_person_id": person_ids[child],
        "outcome_id": outcome_ids.reindex(rec.index).to_numpy(),
        "intervention_type": kind,
        "start_date": start,
        "end_date": np.where(is_open, OPEN, end),
        "completion_status": completion,
        "accommodation_start": acc_start,
        "accommodation_suitable_start": acc_ok_start,
        "accommodation_end": ended(acc_end),
        "accommodation_suitable_end": ended(acc_ok_end),
        "ete_status_start": ete(start, ete_ok_start),
        "ete_suitable_start": _yes(ete_ok_start),
        "ete_status_end": ended(ete(np.minimum(end, extract), ete_ok_end)),
        "ete_suitable_end": ended(_yes(ete_ok_end)),
        "ete_hours_offered_end": ended(offered.astype(str)),
        "ete_hours_attended_end": ended(attended.astype(str)),
        "send_identified": _yes(send[child]),
        "send_type": send_type[child],
        "learning_plan_in_place": _yes(plan[child]),
        "slcn_screened": _yes(slcn_screened[child]),
        "slcn_identified": _yes(slcn[child]),
        "mh_screened": _yes(mh_screened),
        "mh_need_identified": _yes(mh_need_r),
        "mh_intervention_offered": _yes(mh_offered),
        "mh_attending": _yes(mh_attending),
        "mh_sessions_offered": sessions,
        "mh_sessions_attended": sessions_attended,
        "sm_screened": _yes(sm_screened),
        "sm_need_identified": _yes(sm_need_r),
        "sm_intervention_offered": _yes(sm_offered),
        "sm_attending": _yes(sm_attending),
        **{k: (ended(v) if k.endswith("_end") else v) for k, v in wider.items()},
    }


def borough_tables(gen: Generation, b: int, careers: Careers) -> dict[str, dict[str, np.ndarray]]:
    rng = gen.rng(b, STREAM_CASEWORK)
    la = careers.journeys.profile.la_code
    person, person_ids = _people(gen, careers, la, rng)
    offences, outcomes, outcome_ids, off = _offences_and_outcomes(careers, la, person_ids, rng)
    return {
        "yj_person": person,
        "yj_offence": offences,
        "yj_outcome": outcomes,
        "yj_custody_episode": _custody_episodes(careers, la, person_ids, outcome_ids, off, rng),
        "yj_police_custody": _police_custody(careers, la, person_ids, off, rng),
        "yj_victim": _victims(careers, la, off, offences["offence_id"], rng),
        "yj_case_kpi": _case_kpi(careers, la, person_ids, outcome_ids, rng),
    }
