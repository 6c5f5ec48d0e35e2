"""The offences synthetic children commit: a small catalogue with YJB offence groups, gravity
scores and the flags the serious violence and knife crime measures read.

Codes are placeholders (`SYN-...`), not CJS offence codes; descriptions follow the wording of
the RBKC serious youth violence table (001_b67253c87d4cd2c6.txt lines 3257-3294). Gravity
scores are illustrative, chosen so that robbery, wounding and knife possession reach the YJB
serious youth violence threshold of 5 as they do in that table; an aggravated offence scores one
more.
"""

from __future__ import annotations

import numpy as np

# code, description, YJB group, gravity, weapon, drug class, supply, has a personal victim, weight in group
CATALOGUE = (
    ("SYN-DRG-01", "Possess a controlled drug of Class B - cannabis", "DRUGS", 2, False, "B", False, False, 0.78),
    ("SYN-DRG-02", "Possess a controlled drug of Class A", "DRUGS", 3, False, "A", False, False, 0.05),
    ("SYN-DRG-03", "Possess with intent to supply a controlled drug of Class B", "DRUGS", 5, False, "B", True, False, 0.12),
    ("SYN-DRG-04", "Supply a controlled drug of Class A", "DRUGS", 6, False, "A", True, False, 0.05),
    ("SYN-VAP-01", "Common assault", "VAP", 3, False, "", False, True, 0.09),
    ("SYN-VAP-02", "Assault by beating", "VAP", 3, False, "", False, True, 0.09),
    ("SYN-VAP-03", "Assault a person thereby occasioning them actual bodily harm", "VAP", 5, False, "", False, True, 0.07),
    ("SYN-VAP-04", "Wound / inflict grievous bodily harm without intent", "VAP", 6, False, "", False, True, 0.02),
    ("SYN-VAP-05", "Section 18 - wounding with intent", "VAP", 7, True, "", False, True, 0.02),
    ("SYN-VAP-06", "Possess knife blade / sharp pointed article in a public place", "VAP", 5, True, "", False, False, 0.38),
    ("SYN-VAP-07", "Possess an offensive weapon in a public place", "VAP", 5, True, "", False, False, 0.18),
    ("SYN-VAP-08", "Threaten a person with a blade / sharply pointed article in a public place", "VAP", 6, True, "", False, True, 0.03),
    ("SYN-VAP-09", "Assault a constable in the execution of his / her duty", "VAP", 4, False, "", False, True, 0.06),
    ("SYN-VAP-10", "Possess article with blade / sharply pointed article on school premises", "VAP", 5, True, "", False, False, 0.06),
    ("SYN-ROB-01", "Robbery", "ROBBERY", 6, False, "", False, True, 0.62),
    ("SYN-ROB-02", "Attempt robbery", "ROBBERY", 5, False, "", False, True, 0.28),
    ("SYN-ROB-03", "Robbery - knife or bladed article shown", "ROBBERY", 7, True, "", False, True, 0.10),
    ("SYN-THF-01", "Theft from a shop", "THEFT", 2, False, "", False, False, 0.55),
    ("SYN-THF-02", "Theft from the person", "THEFT", 3, False, "", False, True, 0.30),
    ("SYN-THF-03", "Handle stolen goods", "THEFT", 3, False, "", False, False, 0.15),
    ("SYN-BUR-01", "Burglary - dwelling", "BURGLARY", 5, False, "", False, True, 0.5),
    ("SYN-BUR-02", "Burglary - other than dwelling", "BURGLARY", 4, False, "", False, True, 0.5),
    ("SYN-CDM-01", "Destroy or damage property (under 5,000 pounds)", "CRIMINAL_DAMAGE", 2, False, "", False, True, 1.0),
    ("SYN-POR-01", "Affray", "PUBLIC_ORDER", 4, False, "", False, False, 0.5),
    ("SYN-POR-02", "Threatening behaviour - fear or provocation of violence", "PUBLIC_ORDER", 3, False, "", False, True, 0.5),
    ("SYN-MOT-01", "Use a motor vehicle without insurance", "MOTORING", 2, False, "", False, False, 1.0),
    ("SYN-VTH-01", "Take a motor vehicle without consent", "VEHICLE_THEFT", 3, False, "", False, True, 1.0),
    ("SYN-BRC-01", "Breach of requirement of a youth rehabilitation order", "BREACH", 3, False, "", False, False, 1.0),
    ("SYN-OTH-01", "Obstruct / resist a constable in execution of duty", "OTHER", 2, False, "", False, False, 1.0),
    ("SYN-SEX-01", "Sexual assault", "SEXUAL", 6, False, "", False, True, 1.0),
)
CODE, DESCRIPTION, GROUP, GRAVITY, WEAPON, DRUG_CLASS, SUPPLY, VICTIM, WEIGHT = (np.array([row[i] for row in CATALOGUE]) for i in range(9))
WEIGHT = WEIGHT.astype(float)
GRAVITY = GRAVITY.astype(int)
WEAPON = WEAPON.astype(bool)
SUPPLY = SUPPLY.astype(bool)
VICTIM = VICTIM.astype(bool)



def draw_offences(rng: np.random.Generator, group_mix: dict[str, float], n: int, *, minor_only: bool = False) -> np.ndarray:
    """Catalogue row numbers of `n` offences: a group from `group_mix`, then an offence within it.
    `minor_only` keeps to gravity 1-3 (what informal outcomes are given for)."""
    groups = np.array(list(group_mix))
    p = np.array(list(group_mix.values()), dtype=float)
    chosen = groups[rng.choice(len(groups), size=n, p=p / p.sum())]
    out = np.empty(n, dtype=np.int64)
    for g in np.unique(chosen):
        rows = np.flatnonzero((GROUP == g) & ((GRAVITY <= 3) if minor_only else True))
        if len(rows) == 0:
            rows = np.flatnonzero(GROUP == g)
        w = WEIGHT[rows] / WEIGHT[rows].sum()
        where = np.flatnonzero(chosen == g)
        out[where] = rows[rng.choice(len(rows), size=len(where), p=w)]
    return out
