"""What the synthetic bi-borough is calibrated to.

Figures marked `published` are the councils' own (figure ids from
../shared/reference/published_figures.csv); everything else is an assumption chosen to be
plausible for inner London and to join the published points smoothly. The calibration report
(`python -m pipelines calibration`) compares the warehouse's output with the published figures,
so an assumption that drifts shows up there.

Years are financial years named by their end: 2023 means 2022-23; stocks are at 31 March of
that year.
"""

from __future__ import annotations

from dataclasses import dataclass, field

FIRST_SIMULATED_YEAR = 2013  # 2012-13: enough history for care leavers up to age 25 and 2.5-year stability
LAST_SIMULATED_YEAR = 2023


@dataclass(frozen=True)
class BoroughProfile:
    la_code: str  # DfE LA number
    ons_code: str
    name: str
    short: str
    id_prefix: str  # first digit of Mosaic person ids, so ids never collide between boroughs
    population_0_17_mid2022: int
    population_trend: float  # yearly relative change of the child population
    referrals: dict[int, int]
    pct_referral_to_assessment: dict[int, float]
    pct_rereferral_12m: dict[int, float]
    s47_per_referral: dict[int, float]
    icpc_per_s47: dict[int, float]
    cp_per_icpc: float
    cp_stock: dict[int, int]
    cin_stock: dict[int, int]
    cla_stock_uasc: dict[int, int]
    cla_stock_other: dict[int, int]
    cla_starts_other: dict[int, int]
    uasc_starts: dict[int, int]
    pct_long_term_stable: float
    pct_icpc_in_15wd: float
    pct_assessment_in_45wd: float
    ethnicity_mix: dict[str, float] = field(default_factory=dict)
    cla_ethnicity_mix: dict[str, float] = field(default_factory=dict)


def interpolate(points: dict[int, float], years=range(FIRST_SIMULATED_YEAR, LAST_SIMULATED_YEAR + 1)) -> dict[int, float]:
    """Fill every simulated year from a few anchor points (flat before the first and after the last)."""
    known = sorted(points)
    out = {}
    for y in years:
        if y <= known[0]:
            out[y] = points[known[0]]
        elif y >= known[-1]:
            out[y] = points[known[-1]]
        else:
            lo = max(k for k in known if k <= y)
            hi = min(k for k in known if k >= y)
            out[y] = points[lo] if lo == hi else points[lo] + (points[hi] - points[lo]) * (y - lo) / (hi - lo)
    return out


# Ethnicity of the child population (assumed, in the spirit of Census 2021 for inner west London).
RBKC_CHILD_ETHNICITY = {
    "WBRI": 0.27, "WOTH": 0.17, "WIRI": 0.01, "MWBC": 0.03, "MWBA": 0.02, "MWAS": 0.04, "MOTH": 0.05,
    "AIND": 0.03, "APKN": 0.01, "ABAN": 0.02, "AOTH": 0.04, "CHNE": 0.02, "BAFR": 0.09, "BCRB": 0.03,
    "BOTH": 0.03, "OOTH": 0.13, "REFU": 0.005, "NOBT": 0.005,
}
WCC_CHILD_ETHNICITY = {
    "WBRI": 0.20, "WOTH": 0.16, "WIRI": 0.01, "MWBC": 0.02, "MWBA": 0.02, "MWAS": 0.04, "MOTH": 0.05,
    "AIND": 0.03, "APKN": 0.02, "ABAN": 0.09, "AOTH": 0.04, "CHNE": 0.02, "BAFR": 0.09, "BCRB": 0.02,
    "BOTH": 0.03, "OOTH": 0.15, "REFU": 0.005, "NOBT": 0.005,
}
# Children known to social care are more often from global majority groups (published: 85% of
# looked-after children in both boroughs, F000-L0191-01 and F004-L0131-01).
SOCIAL_CARE_ETHNICITY = {
    "WBRI": 0.12, "WOTH": 0.08, "WIRI": 0.005, "MWBC": 0.07, "MWBA": 0.04, "MWAS": 0.03, "MOTH": 0.07,
    "AIND": 0.01, "APKN": 0.01, "ABAN": 0.04, "AOTH": 0.04, "CHNE": 0.005, "BAFR": 0.13, "BCRB": 0.09,
    "BOTH": 0.06, "OOTH": 0.17, "REFU": 0.01, "NOBT": 0.01,
}
# Unaccompanied asylum-seeking children: mostly Afghan, Sudanese, Eritrean and Iranian boys.
UASC_ETHNICITY = {"AOTH": 0.30, "BAFR": 0.35, "OOTH": 0.30, "BOTH": 0.05}

RBKC = BoroughProfile(
    la_code="207", ons_code="E09000020", name="Kensington and Chelsea", short="RBKC", id_prefix="1",
    population_0_17_mid2022=22_600, population_trend=-0.018,
    # published: 2257 in 2021-22 (F000-L0179-02), 1855 in 2022-23 (F000-L0179-01)
    referrals={2013: 2050, 2019: 2150, 2020: 2200, 2021: 2050, 2022: 2257, 2023: 1855},
    # published: 58% (F000-L0179-03) and 68% (F000-L0179-04)
    pct_referral_to_assessment={2013: 0.60, 2021: 0.60, 2022: 0.58, 2023: 0.68},
    # published: 28.3% in 2022-23 (F000-L0188-01)
    pct_rereferral_12m={2013: 0.22, 2021: 0.24, 2022: 0.25, 2023: 0.283},
    # published: 266 completed in 2021-22, 268 in 2022-23 (F000-L0182-01/02)
    s47_per_referral={2013: 0.13, 2022: 266 / 2257, 2023: 268 / 1855},
    # published: 67 ICPCs in 2022-23 (F000-L0183-01)
    icpc_per_s47={2013: 0.26, 2023: 67 / 268},
    cp_per_icpc=0.90,
    # published: 27, 60, 42 at 31 March 2021, 2022, 2023 (F000-L0181-*); 51 at 31 March 2019 (002:116)
    cp_stock={2013: 45, 2019: 51, 2020: 40, 2021: 27, 2022: 60, 2023: 42},
    # published: 463 and 399 at 31 March 2022 and 2023 (F000-L0186-01, F000-L0185-01)
    cin_stock={2013: 470, 2021: 470, 2022: 463, 2023: 399},
    # published: 92 looked after at 31 March 2019, 27% UASC (F002-L0090-13/15); UASC 40 -> 34
    # (F000-L0187-*); 105 at 31 March 2023 (F000-L0190-01)
    cla_stock_uasc={2013: 15, 2017: 22, 2019: 25, 2021: 33, 2022: 40, 2023: 34},
    cla_stock_other={2013: 70, 2019: 67, 2021: 66, 2022: 64, 2023: 71},
    cla_starts_other={2013: 45, 2023: 45},
    uasc_starts={2013: 8, 2016: 14, 2019: 14, 2021: 20, 2022: 24, 2023: 20},
    # published: 7 of 13 (F000-L0194-*)
    pct_long_term_stable=7 / 13,
    # published: 100% "in timescale" (F000-L0183-02; timescale unstated)
    pct_icpc_in_15wd=0.97,
    pct_assessment_in_45wd=0.88,
    ethnicity_mix=RBKC_CHILD_ETHNICITY,
)

WCC = BoroughProfile(
    la_code="213", ons_code="E09000033", name="Westminster", short="WCC", id_prefix="2",
    population_0_17_mid2022=31_500, population_trend=-0.015,
    referrals={2013: 2900, 2019: 2800, 2021: 2700, 2022: 2750, 2023: 2600},
    pct_referral_to_assessment={2013: 0.75, 2023: 0.78},
    # published: 19.3% (2021-22) and 16.5% (2022-23) (F004-L0516-01/02)
    pct_rereferral_12m={2013: 0.20, 2021: 0.20, 2022: 0.193, 2023: 0.165},
    # published: 535 and 522 completed (F004-L0529-02, F004-L0527-01)
    s47_per_referral={2013: 0.19, 2022: 535 / 2750, 2023: 522 / 2600},
    # published: 108 ICPCs in 2022-23 (F004-L0533-01)
    icpc_per_s47={2013: 0.22, 2023: 108 / 522},
    cp_per_icpc=0.90,
    # published: 61 at 31 March 2019 (002:116); 96 and 86 (F004-L0546-02, F004-L0544-01); +69% on April 2021
    cp_stock={2013: 70, 2019: 61, 2020: 55, 2021: 51, 2022: 96, 2023: 86},
    # published: 671 in May 2022, 719 in April 2023 (F004-L0123-01, F004-L0124-01)
    cin_stock={2013: 720, 2021: 690, 2022: 671, 2023: 719},
    # published: 209 at 31 March 2019, 39% UASC (F002-L0090-29/31); 182 with 49 UASC (F004-L0561-*)
    cla_stock_uasc={2013: 60, 2017: 85, 2019: 82, 2021: 60, 2022: 52, 2023: 49},
    cla_stock_other={2013: 140, 2019: 127, 2021: 128, 2022: 130, 2023: 133},
    # published: 136 started in 2022-23 (F004-L0556-01), including UASC
    cla_starts_other={2013: 95, 2023: 100},
    uasc_starts={2013: 40, 2016: 55, 2019: 45, 2021: 30, 2022: 33, 2023: 36},
    # published: 79.3% (F004-L0134-01)
    pct_long_term_stable=0.793,
    pct_icpc_in_15wd=0.92,
    pct_assessment_in_45wd=0.90,
    ethnicity_mix=WCC_CHILD_ETHNICITY,
)

BOROUGHS = (RBKC, WCC)


@dataclass(frozen=True)
class SafeguardingProfile:
    """Targets of the front door, child protection visits, early help and EHC plans of one
    borough (pipelines/synthetic/safeguarding.py). Dicts of years are anchor points, filled in
    between with `interpolate`; quarter keys are (financial year, quarter)."""

    contacts_per_referral: float
    early_help_families_open: dict[int, int]  # families with an open early help episode at 31 March
    ehcp_plans_issued: dict[int, int]  # new EHC plans issued per financial year, exceptions excluded
    ehcp_pct_within_20_weeks: dict[int, float]
    ehcp_quarters: dict[tuple[int, int], tuple[int, float]]  # published (plans, share within 20 weeks)
    child_mh_rate: dict[int, float]  # completed assessments with factor 4A (child mental health)
    child_mh_quarter_counts: dict[tuple[int, int], int]  # published counts, pinned exactly
    short_break_children: int  # disabled children on an agreed series of short breaks at any time


SAFEGUARDING = {
    "207": SafeguardingProfile(
        # assumed: about 2.6 contacts per referral (inner London MASH conversion of roughly 35-40%)
        contacts_per_referral=2.6,
        # published: families open to early help at 31 March 2023 up 21% on 31 March 2022
        # (F000-L0189-01); the levels are assumptions
        early_help_families_open={2013: 430, 2020: 450, 2021: 470, 2022: 520, 2023: 629},
        ehcp_plans_issued={2015: 45, 2019: 62, 2023: 70},
        ehcp_pct_within_20_weeks={2015: 0.55, 2019: 0.80, 2022: 0.90, 2023: 0.95},
        # published: "All 17 Plans in Q4 were issued within 20 weeks", 100% (F000-L0613-01, F000-L0615-01)
        ehcp_quarters={(2023, 4): (17, 1.0)},
        child_mh_rate={2013: 0.08, 2021: 0.10, 2023: 0.11},
        child_mh_quarter_counts={},
        short_break_children=24,
    ),
    "213": SafeguardingProfile(
        contacts_per_referral=2.6,
        # published: "a 16% rise since April 2022 in the number of families accessing Early Help
        # Services" (F004-L0127-01); the levels are assumptions
        early_help_families_open={2013: 600, 2020: 640, 2021: 670, 2022: 700, 2023: 812},
        ehcp_plans_issued={2015: 80, 2019: 100, 2023: 112},
        ehcp_pct_within_20_weeks={2015: 0.55, 2019: 0.80, 2022: 0.90, 2023: 0.95},
        # published: "All 28 Plans in Q4 were issued within 20 weeks", 100% (F004-L0607-01, F004-L0610-01)
        ehcp_quarters={(2023, 4): (28, 1.0)},
        child_mh_rate={2013: 0.06, 2021: 0.08, 2023: 0.095},
        # published: Q4 2022/23 assessments with child mental health factors "highest point (67)
        # over 24 months" (F004-L0678-01)
        child_mh_quarter_counts={(2023, 4): 67},
        short_break_children=38,
    ),
}


@dataclass(frozen=True)
class LookedAfterProfile:
    """Targets of looked-after children's health, missing episodes and care leavers of one
    borough (pipelines/synthetic/looked_after.py). Care leaver shares are of the DfE cohort
    (care leavers aged 17-21 whose birthday fell in the year, not in touch counted in)."""

    pct_care_leavers_in_touch: float
    pct_care_leavers_suitable_accommodation: float
    pct_care_leavers_eet: float
    # Share of care leavers who keep asking for support until 25, former UASC and others; the
    # rest stop at a birthday between 22 and 25 (a contact saying "no longer requires services").
    pct_supported_after_21_uasc: float
    pct_supported_after_21_other: float
    # Children looked after on 1 April 2012, when the simulation starts: the ones aged 10 and
    # over are generated as historical periods of care, so that care leavers up to 25 have one.
    share_of_2012_stock_aged_10_plus: float = 0.55


LOOKED_AFTER = {
    "207": LookedAfterProfile(
        pct_care_leavers_in_touch=0.96,
        # published: 92.2% in suitable accommodation on their birthday, 2022-23 (F000-L0196-01)
        pct_care_leavers_suitable_accommodation=0.922,
        # published: 71.9% in education, employment or training on their birthday (F000-L0197-01)
        pct_care_leavers_eet=0.719,
        # assumed, so that 180 care leavers, 106 formerly UASC, are supported at 31 March 2023
        # (F000-L0195-01/02)
        pct_supported_after_21_uasc=1.0,
        pct_supported_after_21_other=0.0,
    ),
    "213": LookedAfterProfile(
        pct_care_leavers_in_touch=0.95,
        # assumed (not published): close to inner London
        pct_care_leavers_suitable_accommodation=0.90,
        # published: 78.2% in education, employment or training (F004-L0752-01; period unstated)
        pct_care_leavers_eet=0.782,
        # assumed, so that 343 care leavers, 210 formerly UASC, are supported (F004-L0135-01/02)
        pct_supported_after_21_uasc=0.0,
        pct_supported_after_21_other=0.25,
    ),
}
