"""What the synthetic youth justice service is calibrated to.

Figures marked `published` are the councils' own (figure ids from
../shared/reference/published_figures.csv); everything else is an assumption chosen to be
plausible for an inner London youth justice service. Years are financial years named by their
end (2023 = 2022-23); quarters are financial quarters (Q1 = April-June).

Kept beside the youth justice generator rather than in profiles.py so the social care profiles
stay readable; the convention (each published value with its figure id) is the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class ReoffendingPin:
    """A published proven-reoffending cohort the generator reproduces exactly (scaled)."""

    start: date
    end: date
    cohort: int
    reoffenders: int
    reoffences: int
    figures: str


@dataclass(frozen=True)
class YouthJusticeProfile:
    la_code: str
    # First-time entrants resident in the borough, per financial quarter (fy -> (Q1, Q2, Q3, Q4)).
    fte_per_quarter: dict[int, tuple[int, int, int, int]]
    # Share of first-time entrants who enter through a court conviction (the rest by caution).
    fte_court_share: float
    # Quarters whose court-route entrants are published: (fy, quarter) -> court entrants.
    fte_court_pins: dict[tuple[int, int], int]
    # Children given only informal outcomes (community resolution, triage) per financial year.
    diversion_children: dict[int, int]
    # Share of youth justice children who are also known to children's social care (Mosaic).
    known_to_social_care: float
    male_share: float
    # Ethnic mix of children entering the youth justice system (DfE codes).
    ethnicity_mix: dict[str, float]
    # Offence mix of formal (caution and court) outcomes, by YJB offence group.
    formal_offence_mix: dict[str, float]
    # Offence mix of community resolutions and triage (minor offences only).
    informal_offence_mix: dict[str, float]
    # After a first formal outcome: share who desist, offend occasionally, or persistently.
    careers: tuple[float, float, float]
    reoffending_pins: tuple[ReoffendingPin, ...]
    # Custodial sentences per financial year, pinned where published (else left to chance).
    custody_per_year: dict[int, int]
    remands_per_year: dict[int, int]
    # Share of children attending suitable ETE at the end of their intervention, by year.
    ete_suitable_end: dict[int, float]
    send_identified: float
    slcn_identified: float
    mh_need: float
    substance_need: float
    # Victims of a personal-victim offence who are referred to the YJS.
    victim_referral: float
    victim_offered: float
    victim_engaged: float
    held_overnight: float
    # Police custody holds overnight per financial year, pinned where published.
    overnight_per_year: dict[int, int] = field(default_factory=dict)
    home_elsewhere: float = 0.03
    neighbours: tuple[str, ...] = field(default=("205", "202", "304"))


# Ethnic mix of the youth justice cohort. RBKC: Black children over-represented by 22.2
# percentage points against the Census 10-17 population, Mixed by 3.4, Other by 4.8, White
# under-represented by 31.5, Asian in line (F001-L3172 text, published_figures has no row). WCC:
# 98% global majority, about half 'Other' (F001-L1724-01/02), 47.6% Other over two years
# (F001-L1930-03), no White or Asian children in the community and custody tiers (F001-L1912-01).
RBKC_YJ_ETHNICITY = {
    "WBRI": 0.07, "WOTH": 0.06, "WIRI": 0.005, "MWBC": 0.08, "MWBA": 0.03, "MWAS": 0.02, "MOTH": 0.05,
    "AIND": 0.02, "APKN": 0.01, "ABAN": 0.03, "AOTH": 0.05, "CHNE": 0.005, "BAFR": 0.17, "BCRB": 0.13,
    "BOTH": 0.08, "OOTH": 0.18, "REFU": 0.005, "NOBT": 0.01,
}
WCC_YJ_ETHNICITY = {
    "WBRI": 0.01, "WOTH": 0.01, "WIRI": 0.0, "MWBC": 0.05, "MWBA": 0.02, "MWAS": 0.01, "MOTH": 0.03,
    "AIND": 0.005, "APKN": 0.005, "ABAN": 0.04, "AOTH": 0.02, "CHNE": 0.0, "BAFR": 0.14, "BCRB": 0.07,
    "BOTH": 0.08, "OOTH": 0.48, "REFU": 0.0, "NOBT": 0.02,
}

RBKC_YJ = YouthJusticeProfile(
    la_code="207",
    fte_per_quarter={
        2013: (9, 8, 8, 7), 2014: (8, 7, 7, 7), 2015: (7, 7, 6, 6), 2016: (6, 6, 6, 6), 2017: (6, 6, 5, 5),
        2018: (6, 6, 6, 5), 2019: (6, 6, 5, 5), 2020: (6, 6, 5, 5),
        # published: 15 first-time entrants in the 12 months to September 2021 (F001-L2991-04):
        # 2020-21 Q3 + Q4 + 2021-22 Q1 + Q2 = 4 + 4 + 4 + 3
        2021: (5, 5, 4, 4),
        # published: 20 in the 12 months to September 2022 (F001-L2991-05, 196 per 100,000,
        # F000-L0572-01): 2021-22 Q3 + Q4 + 2022-23 Q1 + Q2 = 4 + 3 + 4 + 9
        2022: (4, 3, 4, 3),
        # published: 18 in quarters 2 and 3 of 2022-23 (13 through the courts, 5 by caution,
        # F001-L2993-01/02) and only 2 in the final quarter (F001-L2995-01)
        2023: (4, 9, 9, 2),
        2024: (3, 3, 3, 3),
    },
    fte_court_share=0.55,
    fte_court_pins={(2023, 2): 6, (2023, 3): 7},
    # Community resolutions 21 and diversion / triage 14 in 2022-23 (F001-L3097-01, F001-L3099-01),
    # part of them for children who later enter formally.
    diversion_children={2013: 32, 2019: 30, 2022: 30, 2023: 33},
    known_to_social_care=0.62,
    male_share=0.86,
    ethnicity_mix=RBKC_YJ_ETHNICITY,
    # Drugs about 40% of offences, violence against the person about 23% with knife possession
    # most of it (F001-L3141/3143/3147/3150 rows; possession counted in the violence group).
    formal_offence_mix={
        "VAP": 0.38, "DRUGS": 0.29, "ROBBERY": 0.08, "THEFT": 0.05, "PUBLIC_ORDER": 0.04, "BURGLARY": 0.03,
        "CRIMINAL_DAMAGE": 0.03, "MOTORING": 0.02, "VEHICLE_THEFT": 0.02, "OTHER": 0.03, "BREACH": 0.02, "SEXUAL": 0.01,
    },
    # "half of these were community resolutions which were given for offences of possession of
    # cannabis" (001_b67253c87d4cd2c6.txt:3094)
    informal_offence_mix={"DRUGS": 0.62, "THEFT": 0.14, "PUBLIC_ORDER": 0.08, "CRIMINAL_DAMAGE": 0.08, "VAP": 0.08},
    careers=(0.50, 0.32, 0.18),
    reoffending_pins=(
        # published: "Of the 31 young offenders included in the cohort, 8 have reoffended" (25.8%),
        # April 2020 - March 2021, 1.75 reoffences per reoffender (F001-L3008-02/03/04, F001-L3010-01)
        ReoffendingPin(date(2020, 4, 1), date(2021, 3, 31), cohort=31, reoffenders=8, reoffences=14,
                       figures="F001-L3008-02, F001-L3008-03, F001-L3008-04, F001-L3010-01"),
        # published live tracker for April 2022 - March 2023: "Of the total 30 young people now
        # in the cohort, 5 have reoffended committing 9 further offences" (F001-L3012-02/03/04),
        # reproduced as at the extract date
        ReoffendingPin(date(2022, 4, 1), date(2023, 3, 31), cohort=30, reoffenders=5, reoffences=9,
                       figures="F001-L3012-01, F001-L3012-02, F001-L3012-03, F001-L3012-04, F001-L3012-05"),
    ),
    # published: one custodial sentence in 2022-23 (F001-L3001-01, F001-L3310-01)
    custody_per_year={2023: 1, 2024: 0},
    # published: one child remanded in each of 2021-22 and 2022-23 (F001-L3306-01)
    remands_per_year={2019: 2, 2020: 1, 2021: 2, 2022: 1, 2023: 1},
    # published: 82.6% in 2021-22 and 75.8% in 2022-23 (F001-L2852-04, F001-L2852-03)
    ete_suitable_end={2013: 0.80, 2021: 0.80, 2022: 0.826, 2023: 0.758},
    # published: 9 of about 57 children with a recognised learning need, 15.7% (F001-L3032-02);
    # about a third with speech or communication needs (F001-L3071-01)
    send_identified=0.16,
    slcn_identified=0.33,
    # published: "Just under half of the cohort has some sort of emotional / mental health concern" (F001-L3037-01)
    mh_need=0.46,
    substance_need=0.40,
    # published: 42 victims referred in a year, 29 offered restorative justice, 8 took part
    # (F001-L2892-03, F001-L2896-03, F001-L2889-02)
    victim_referral=0.9,
    victim_offered=29 / 42,
    victim_engaged=8 / 42,
    # published: 13 overnight holds of 7 children in 2022-23 (F001-L3298-01/02)
    held_overnight=0.38,
    overnight_per_year={2023: 13},
)

WCC_YJ = YouthJusticeProfile(
    la_code="213",
    fte_per_quarter={
        2013: (11, 10, 10, 10), 2014: (10, 9, 9, 9), 2015: (9, 9, 8, 8), 2016: (8, 8, 8, 7), 2017: (7, 7, 7, 7),
        2018: (7, 7, 6, 6), 2019: (7, 6, 6, 6), 2020: (6, 6, 5, 5), 2021: (4, 5, 5, 5),
        # published: 137 per 100,000 in the 12 months to September 2022 (F004-L0574-01) = 20 of
        # about 14,650 aged 10-17: 2021-22 Q3 + Q4 + 2022-23 Q1 + Q2 = 6 + 4 + 5 + 5; and 132 in the
        # 12 months to December 2022 (F001-L1820-01) = 19: 4 + 5 + 5 + 5
        2022: (5, 5, 6, 4),
        2023: (5, 5, 5, 4),
        2024: (4, 4, 4, 4),
    },
    fte_court_share=0.50,
    fte_court_pins={},
    diversion_children={2013: 40, 2019: 36, 2023: 34},
    known_to_social_care=0.58,
    male_share=0.88,
    ethnicity_mix=WCC_YJ_ETHNICITY,
    # Caseload offence mix: robbery 22%, drugs 21%, violence 19% (F001-L1727-01/02/03); of 134
    # offences in 2022-23, 25 violence against the person with 16 knife possession (F001-L1890-*).
    formal_offence_mix={
        "ROBBERY": 0.25, "VAP": 0.30, "DRUGS": 0.09, "THEFT": 0.10, "PUBLIC_ORDER": 0.06, "BURGLARY": 0.05,
        "CRIMINAL_DAMAGE": 0.03, "MOTORING": 0.03, "VEHICLE_THEFT": 0.03, "OTHER": 0.03, "BREACH": 0.02, "SEXUAL": 0.01,
    },
    # Drugs are about a fifth of Westminster's caseload offences (F001-L1727-02), so fewer of its
    # diversions are for cannabis than in Kensington and Chelsea (assumed).
    informal_offence_mix={"DRUGS": 0.42, "THEFT": 0.24, "PUBLIC_ORDER": 0.12, "CRIMINAL_DAMAGE": 0.12, "VAP": 0.10},
    careers=(0.46, 0.33, 0.21),
    reoffending_pins=(
        # published: 37.5% for "July 2020 to July 2021" (F001-L1828-02), read as the twelve
        # months July 2020 - June 2021 (the cohort size is not published; 32 assumed)
        ReoffendingPin(date(2020, 7, 1), date(2021, 6, 30), cohort=32, reoffenders=12, reoffences=30,
                       figures="F001-L1828-02"),
    ),
    # published: custodial sentencing occasions in the last 12 months remained at zero, rate 0.00
    # per 1,000 (F001-L1832-01/02)
    custody_per_year={2020: 1, 2021: 1, 2022: 0, 2023: 0, 2024: 0},
    remands_per_year={2019: 2, 2020: 2, 2021: 1, 2022: 2, 2023: 1},
    # published: "In ETE (57.1%.)" for the 2022-23 caseload (F001-L1729-01)
    ete_suitable_end={2013: 0.65, 2021: 0.62, 2023: 0.571},
    # published: 32% with an identified SEND (F001-L1942-01); 57% speech, language, communication
    # or neuro-disability needs (F001-L1944-01)
    send_identified=0.32,
    slcn_identified=0.57,
    # published: over 50% presented with mental health concerns (F001-L1936-01); 62.5% evidence
    # of substance misuse (F001-L1946-01)
    mh_need=0.52,
    substance_need=0.45,
    # published: 55 victims in 2022, police contacted 40, 35 engaged in restorative justice
    # (F001-L2124-01/02/05)
    victim_referral=0.9,
    victim_offered=0.73,
    victim_engaged=35 / 55,
    held_overnight=0.30,
)

YJ_PROFILES = {p.la_code: p for p in (RBKC_YJ, WCC_YJ)}
