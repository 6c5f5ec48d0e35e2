"""What the synthetic school census, results and early years extracts are calibrated to.

Values marked `published` carry their figure id from ../shared/reference/published_figures.csv
(or the document and line where the figure is not in that file); everything else is an
assumption chosen to be plausible for inner London and consistent with the published points.
Academic years are named by the year they end: 2022 means 2021/22.

Where a document does not print the year of a figure, the nearest reporting year is used and
the comment says so: the 2019 plan's key facts are taken as 2018/19, and the 2022-23 year-end
reports' attainment figures as 2021/22 (the latest results published during 2022-23).
"""

from __future__ import annotations

from dataclasses import dataclass

FIRST_ACADEMIC_YEAR = 2019  # 2018/19: the first academic year inside the reporting periods
LAST_ACADEMIC_YEAR = 2023  # 2022/23: autumn and spring terms only, by the May 2023 extract
ACADEMIC_YEARS = tuple(range(FIRST_ACADEMIC_YEAR, LAST_ACADEMIC_YEAR + 1))

# Results the DfE collected: no EYFSP and no key stage 2 tests in 2020 and 2021 (pandemic);
# key stage 4 grades were centre- and teacher-assessed then, without Progress 8. Results for
# 2022/23 arrive after the extract date.
EYFSP_YEARS = (2019, 2022)
KS2_YEARS = (2019, 2022)
KS4_YEARS = (2019, 2020, 2021, 2022)
PROGRESS8_YEARS = (2019, 2022)


@dataclass(frozen=True)
class EducationProfile:
    la_code: str
    # State-funded schools in the borough by phase (nursery, primary, secondary, special).
    schools: dict[str, int]
    # Schools by Ofsted grade in force at 31 March 2023 (1 outstanding ... 4 inadequate).
    ofsted_grades_2023: dict[str, int]
    # Pupils on roll at the borough's schools at the spring 2023 census (nursery to Year 13).
    roll_spring_2023: int
    # Yearly change of primary and of secondary rolls (falling rolls in inner London).
    primary_roll_trend: float
    secondary_roll_trend: float
    # Where pupils at the borough's schools live: this borough, the other bi-borough borough.
    resident_share: float
    other_borough_share: float
    # Net primary capacity as a multiple of the autumn 2022 primary roll.
    primary_capacity_ratio: float
    fsm_primary: dict[int, float]  # share eligible for FSM at primary, by academic year
    ehcp_share_2023: float  # pupils with an EHC plan, spring 2023
    sen_support_share_2023: float
    eal_primary: float
    eal_secondary: float
    absence_rate: dict[int, float]  # overall absence (share of possible sessions), compulsory school age
    gld: dict[int, float]
    ks2_rwm: dict[int, float]
    ks4_grade4: dict[int, float]  # English and maths grade 4 or above
    ks4_grade5: dict[int, float]
    attainment8: dict[int, float]
    progress8: dict[int, float]
    suspensions_per_100: dict[int, float]  # suspensions per 100 pupils on roll, all phases
    permanent_per_100: float
    two_year_old_eligible_share: float
    two_year_old_takeup: dict[int, float]
    universal_takeup_2022: float  # share of 3-4-year-olds with a universal 15-hour place, spring 2022
    universal_change_2023: float  # relative change in the count, spring 2022 to spring 2023
    extended_share_2022: float  # share of 3-4-year-olds with an extended 30-hour place, spring 2022
    extended_change_2023: float
    eypp_share: float
    ehe_open: dict[str, int]  # children registered as home educated at quarter ends
    ehe_starts: dict[int, int]  # new registrations per financial year


RBKC_EDUCATION = EducationProfile(
    la_code="207",
    # published: 40 schools judged, 22 outstanding and 16 good (F000-L0778-01..06); the split by
    # phase is assumed
    schools={"NUR": 2, "PRI": 27, "SEC": 8, "SPE": 3},
    ofsted_grades_2023={"1": 22, "2": 16, "3": 2},
    roll_spring_2023=12_500,  # assumed; about half the borough's children are at independent schools
    # published: primary surplus places -13.4% (autumn 2021) to -15.7% (autumn 2022)
    # (F000-L0509-01/02): with capacity unchanged the primary roll fell by 2.7%
    primary_roll_trend=(1 - 0.157) / (1 - 0.134) - 1,
    secondary_roll_trend=-0.01,
    resident_share=0.55,
    other_borough_share=0.09,
    primary_capacity_ratio=1 / (1 - 0.157),
    # published: 21% at primary in the 2019 plan (F002-L0090-11); the rise since is assumed
    # (in line with the national rise in eligibility after 2020)
    fsm_primary={2019: 0.21, 2020: 0.23, 2021: 0.27, 2022: 0.29, 2023: 0.31},
    ehcp_share_2023=0.042,
    sen_support_share_2023=0.125,
    # published: 53% at primary and 46% at secondary in the 2019 plan (F002-L0090-04/05)
    eal_primary=0.53,
    eal_secondary=0.46,
    # assumed: above Inner London, below England after the pandemic [000:535]
    absence_rate={2019: 0.043, 2020: 0.046, 2021: 0.052, 2022: 0.056, 2023: 0.058},
    # published: 70.1% in the 2019 plan (F002-L0090-03; taken as 2018/19); 2021/22 not printed
    # (comparators 65.2% England, 67.5% Inner London, F000-L0503-01): assumed 67.8
    gld={2019: 0.701, 2022: 0.678},
    # published: 76% in the 2019 plan [002_0c2bce72e3d825fb.txt:136] (taken as 2018/19)
    ks2_rwm={2019: 0.76, 2022: 0.70},
    # published: 74% in the 2019 plan (F002-L0090-07, taken as 2018/19)
    ks4_grade4={2019: 0.74, 2020: 0.79, 2021: 0.80, 2022: 0.75},
    ks4_grade5={2019: 0.56, 2020: 0.61, 2021: 0.63, 2022: 0.57},
    attainment8={2019: 52.0, 2020: 56.5, 2021: 57.5, 2022: 54.5},
    progress8={2019: 0.45, 2022: 0.50},
    # assumed: "above Inner-London levels but below national levels" [000:609]
    suspensions_per_100={2019: 5.8, 2020: 3.9, 2021: 4.1, 2022: 5.6, 2023: 4.2},
    permanent_per_100=0.05,
    two_year_old_eligible_share=0.36,
    # published: 84% take-up, Summer Survey 2022, unchanged since autumn 2021 (F000-L0465-01,
    # [000:471]); other terms assumed
    two_year_old_takeup={2019: 0.78, 2020: 0.74, 2021: 0.79, 2022: 0.84, 2023: 0.84},
    universal_takeup_2022=0.80,
    # published: -0.2% (15 hours) and +0.7% (30 hours), 2022 to 2023 (F000-L0488-01/02)
    universal_change_2023=-0.002,
    extended_share_2022=0.22,
    extended_change_2023=0.007,
    eypp_share=0.17,
    # published: 99 -> 105 in Q4 2022-23 (F000-L0521-01/02); 143 active in 2022-23, +36.2% on
    # 2021-22 (F000-L0521-03/04), so about 105 active in 2021-22
    ehe_open={"2019-03-31": 52, "2020-03-31": 58, "2021-03-31": 68, "2022-03-31": 74, "2022-12-31": 99, "2023-03-31": 105},
    ehe_starts={2017: 20, 2018: 22, 2019: 24, 2020: 26, 2021: 38, 2022: 37, 2023: 69},
)

WCC_EDUCATION = EducationProfile(
    la_code="213",
    # published: 95% good or outstanding, 28% outstanding, 67% good (F004-L0732-01..03,
    # F001-L1710-01): 16, 38 and 3 of 57 schools give 28.1%, 66.7% and 94.7%
    schools={"NUR": 2, "PRI": 39, "SEC": 12, "SPE": 4},
    ofsted_grades_2023={"1": 16, "2": 38, "3": 3},
    # published: 21,689 pupils in all WCC schools, 12,960 of them residents (F001-L1715-01/02)
    roll_spring_2023=21_689,
    # published: primary surplus places -22.3% (autumn 2021) to -25.4% (autumn 2022)
    # (F004-L0454-01/02)
    primary_roll_trend=(1 - 0.254) / (1 - 0.223) - 1,
    secondary_roll_trend=-0.01,
    resident_share=12_960 / 21_689,
    other_borough_share=0.05,
    primary_capacity_ratio=1 / (1 - 0.254),
    # published: 20% at primary in the 2019 plan (F002-L0090-27) and 39.6% now (F001-L1706-01,
    # taken as spring 2023)
    fsm_primary={2019: 0.24, 2020: 0.27, 2021: 0.32, 2022: 0.36, 2023: 0.396},
    # published: 968 EHC plans and 2,682 on SEN support, spring 2023 census, 3,650 (16.8%) in all
    # (F001-L1714-01/02, F001-L1705-01/02)
    ehcp_share_2023=968 / 21_689,
    sen_support_share_2023=2_682 / 21_689,
    # published: 59% at primary and 50% at secondary (F001-L1704-01/02)
    eal_primary=0.59,
    eal_secondary=0.50,
    # published: 95.3% attendance in all WCC schools (F001-L1716-01; year not printed, taken as
    # 2021/22)
    absence_rate={2019: 0.041, 2020: 0.043, 2021: 0.048, 2022: 0.047, 2023: 0.051},
    # published: 71.9% in the 2019 plan (F002-L0090-19, taken as 2018/19); 65.9% (F001-L1712-01,
    # year not printed, taken as 2021/22)
    gld={2019: 0.719, 2022: 0.659},
    # published: 72% in the 2019 plan [002_0c2bce72e3d825fb.txt:136] (taken as 2018/19)
    ks2_rwm={2019: 0.72, 2022: 0.68},
    # published: 74% grade 4+ (F002-L0090-23, taken as 2018/19); "KS4 9-5%" 53.5% and an
    # unlabelled 53.4 before it, read as grade 5+ and Attainment 8 for 2021/22 (F001-L0710-01,
    # F001-L0703-01; which printed value is the borough's is not confirmed)
    ks4_grade4={2019: 0.74, 2020: 0.78, 2021: 0.79, 2022: 0.73},
    ks4_grade5={2019: 0.54, 2020: 0.59, 2021: 0.61, 2022: 0.535},
    attainment8={2019: 51.5, 2020: 55.5, 2021: 56.5, 2022: 53.4},
    progress8={2019: 0.40, 2022: 0.45},
    # assumed: "low levels of school exclusion compared to the national average" [001:2415]
    suspensions_per_100={2019: 5.0, 2020: 3.4, 2021: 3.5, 2022: 4.3, 2023: 3.3},
    permanent_per_100=0.03,
    two_year_old_eligible_share=0.40,
    two_year_old_takeup={2019: 0.62, 2020: 0.58, 2021: 0.61, 2022: 0.65, 2023: 0.66},
    universal_takeup_2022=0.78,
    universal_change_2023=-0.015,
    extended_share_2022=0.20,
    extended_change_2023=0.01,
    eypp_share=0.21,
    ehe_open={"2019-03-31": 70, "2020-03-31": 78, "2021-03-31": 95, "2022-03-31": 104, "2022-12-31": 112, "2023-03-31": 118},
    ehe_starts={2017: 28, 2018: 30, 2019: 32, 2020: 34, 2021: 50, 2022: 42, 2023: 52},
)

EDUCATION_PROFILES = {"207": RBKC_EDUCATION, "213": WCC_EDUCATION}

# LA numbers and real postcode sectors of the neighbouring boroughs pupils travel in from.
NEIGHBOURS = {
    "202": ["NW1 0", "NW1 7", "NW5 1", "NW6 1", "WC1H 9"],  # Camden
    "205": ["W6 0", "W6 9", "W12 7", "W14 9", "SW6 1"],  # Hammersmith and Fulham
    "208": ["SE11 5", "SW9 7", "SW8 1", "SW2 1"],  # Lambeth
    "212": ["SW11 4", "SW18 1", "SW17 0"],  # Wandsworth
    "304": ["NW10 2", "NW6 6", "NW2 4"],  # Brent
    "307": ["W3 6", "W5 1", "W13 0"],  # Ealing
}
# Sectors for looked-after children placed further away (Kent, Surrey, Essex, Hertfordshire,
# Cambridgeshire).
FAR_SECTORS = {"886": ["ME14 1", "CT1 2"], "936": ["GU1 1", "KT1 2"], "881": ["CM1 1", "CO1 1"], "919": ["AL1 3", "SG1 1"], "873": ["CB1 1", "PE1 1"]}
NEIGHBOUR_WEIGHTS = {"207": [0.10, 0.40, 0.05, 0.15, 0.15, 0.15], "213": [0.35, 0.10, 0.20, 0.10, 0.20, 0.05]}
