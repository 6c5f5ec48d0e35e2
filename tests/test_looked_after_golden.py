"""The nightly job on a small hand-written extract of looked-after children and care leavers
(tests/fixtures/looked_after), every answer worked out by hand from the DfE definitions.

Figures are read from marts.outcome_measures in the build database (before disclosure control,
which would hide these small counts). The year is 2022-23 (1 Apr 2022 - 31 Mar 2023) unless
stated; "31 Mar 2023" is the year-end snapshot. Populations: RBKC 10,000 aged 0-17, WCC 5,000.

The children (RBKC unless marked WCC; ages at 31 March 2023):
  C01 F 14  looked after since 10 Jan 2021. Episodes: S; P 1 Feb 2022 (open on 1 Apr 2022); L 1 Jun
            2022 (legal status only); P 1 Sep 2022; T 15 Jan 2023 (new placement, same carer).
            With agency SC000001: Good (Jun 2021), Requires improvement (1 Feb 2023).
  C02 M 8   since Fri 29 Apr 2022: S; L 1 Aug; L 1 Oct; U 1 Feb 2023. In-house fostering (SC400207).
  C03 F 12  three short-break stays (legal status V3), one open over 31 March 2023.
  C04 M 16  unaccompanied asylum seeker, since 1 Nov 2022, semi-independent (no URN).
  C05 F 7   period A 1 Jun 2021 - 1 May 2022 returned home (E4A); period B 1 Sep - 1 Dec 2022
            returned home (E4B).
  C06 M 9   5 Sep 2022 - 31 Mar 2023, left to live with relatives without PR (E13).
  C07 F 0   came into care on 31 Mar 2023, placed with parents (URN XXXXXXX).
  C08 M 14  since Thu 1 Dec 2022 in a children's home not yet inspected (sc000003).
  C09 F 12  since 1 May 2020; C10 M 4 since 31 Mar 2022; both with in-house foster carers.
  W2  M 14  (WCC) since 1 Jan 2021 in children's home SC000002: Good (Mar 2022), Inadequate
            (20 Apr 2023 - after 31 March).
Care leavers L1-L14 and W1 are described beside the care leaver tests.
"""

from __future__ import annotations

import duckdb
import pytest

pytestmark = pytest.mark.slow

AREAS = {"RBKC": "E09000020", "WCC": "E09000033", "BI": "BIBOROUGH"}
YEAR, MARCH_2023, MARCH_2022 = "2022-23", "31 Mar 2023", "31 Mar 2022"


@pytest.fixture(scope="module")
def mart(looked_after_run):
    con = duckdb.connect(str(looked_after_run.warehouse_path), read_only=True)
    yield con
    con.close()


def row(con, measure_id, statistic, area, period_label, breakdown="all", breakdown_value="all"):
    rows = con.execute(
        """select value, numerator, denominator from marts.outcome_measures
           where measure_id = ? and statistic = ? and area_code = ? and period_label = ? and breakdown = ? and breakdown_value = ?""",
        [measure_id, statistic, AREAS[area], period_label, breakdown, breakdown_value],
    ).fetchall()
    assert len(rows) == 1, f"{measure_id}/{statistic}/{area}/{period_label}/{breakdown}={breakdown_value}: {len(rows)} rows"
    return rows[0]


def counts(con, *args, **kwargs):
    """(numerator, denominator) of a row."""
    return row(con, *args, **kwargs)[1:]


def value(con, *args, **kwargs):
    return row(con, *args, **kwargs)[0]


# ---- Looked after at 31 March: short breaks, and episodes crossing 31 March ---------------------


def test_looked_after_on_31_march(mart):
    # Open on 31 Mar 2023: C01, C02, C04, C07 (started that day), C08, C09, C10 = 7. Not C03 (short
    # breaks only, though a stay is open that day) and not C06 (ended on 31 March: an episode
    # ending on the day is not open on it).
    assert value(mart, "P3_CLA_RATE", "count", "RBKC", MARCH_2023) == 7
    # 31 Mar 2022: C01, C05 (period A), C09, C10 (started that day), L1, L3, L14 = 7.
    assert value(mart, "P3_CLA_RATE", "count", "RBKC", MARCH_2022) == 7


def test_profile_breakdowns(mart):
    # Age bands at 31 Mar 2023: under 1 C07; 1-4 C10; 5-9 C02; 10-15 C01, C08, C09; 16-17 C04.
    assert counts(mart, "P3_CLA_RATE", "count", "RBKC", MARCH_2023, "age_band", "10-15")[0] == 3
    assert counts(mart, "P3_CLA_RATE", "percent", "RBKC", MARCH_2023, "age_band", "Under 1") == (1, 7)
    assert counts(mart, "P3_CLA_RATE", "count", "RBKC", MARCH_2023, "uasc", "UASC")[0] == 1
    # Global majority (every group but White): C02 BCRB, C04 AOTH, C08 MWBA, C09 BAFR = 4 of 7;
    # C10's ethnicity was refused and counts in neither. Ethnic minority adds C07 (White other).
    assert counts(mart, "P3_CLA_RATE", "pct_global_majority", "RBKC", MARCH_2023) == (4, 7)
    assert counts(mart, "P3_CLA_RATE", "pct_minority_ethnic", "RBKC", MARCH_2023) == (5, 7)
    # Pooled with WCC (W2, BCRB): 5 of 8.
    assert counts(mart, "P3_CLA_RATE", "pct_global_majority", "BI", MARCH_2023) == (5, 8)
    # Placement mix: in-house foster care C02 (U4 PR1), C09, C10; external C01 (U4 PR4).
    assert counts(mart, "P3_CLA_RATE", "percent", "RBKC", MARCH_2023, "placement_type", "Foster care (in-house)") == (3, 7)
    assert counts(mart, "P3_CLA_RATE", "count", "RBKC", MARCH_2023, "placement_type", "Foster care (external)")[0] == 1
    # Legal status of the episode open on the day: C2 for C01, C02 (from 1 Feb), C09, C10.
    assert counts(mart, "P3_CLA_RATE", "count", "RBKC", MARCH_2023, "legal_status", "C2")[0] == 4


# ---- P3_CLA_STARTS -------------------------------------------------------------------------------


def test_starts(mart):
    # New periods in 2022-23: C02 (29 Apr), C05 period B (1 Sep), C06 (5 Sep), C04 (1 Nov), C08
    # (1 Dec), C07 (31 Mar) = 6 children. C03's short-break stays are not periods of care.
    assert value(mart, "P3_CLA_STARTS", "count", "RBKC", YEAR) == 6
    assert value(mart, "P3_CLA_STARTS", "rate_per_10k", "RBKC", YEAR) == pytest.approx(6.0)
    # Age at the start: 16-17 only C04, who is UASC, so no "local" 16+ entry.
    assert value(mart, "P3_CLA_STARTS", "count", "RBKC", YEAR, "age_band", "16-17") == 1
    assert value(mart, "P3_CLA_STARTS", "count_non_uasc", "RBKC", YEAR, "age_band", "16-17") == 0
    assert value(mart, "P3_CLA_STARTS", "count_non_uasc", "RBKC", YEAR) == 5
    # Legal status when care began: V2 (section 20) for C04, C05, C06; C1 for C02, C08; L2 for C07.
    assert value(mart, "P3_CLA_STARTS", "count", "RBKC", YEAR, "legal_status", "V2") == 3
    # Quarters: C07 started on 31 March, the last day of Q4 (January-March): C07 only.
    assert value(mart, "P3_CLA_STARTS", "count", "RBKC", "2022-23 Q4") == 1


# ---- P3_CLA_RETURNED_HOME ------------------------------------------------------------------------


def test_returned_home_and_reentry(mart):
    # Periods ended in 2022-23: C05 A (1 May, E4A), L1 (10 Jun, E5 at 18), C05 B (1 Dec, E4B), L3
    # (20 Jan, E6), L14 (15 Feb, E8), C06 (31 Mar, E13) = 6; short-break stays left out. Returned
    # home to parents or others with parental responsibility: E4A and E4B = 2. E13 (relatives
    # without PR) is not a return home.
    assert value(mart, "P3_CLA_RETURNED_HOME", "count_ceased", "RBKC", YEAR) == 6
    assert counts(mart, "P3_CLA_RETURNED_HOME", "percent", "RBKC", YEAR) == (2, 6)
    # Re-entry within 12 months, of returns with 12 months of history before the extract
    # (15 May 2023, so returns on or before 15 May 2022): only C05 A (1 May 2022), who came back
    # on 1 Sep 2022 -> 1 of 1. C05 B (1 Dec 2022) is too recent to judge.
    assert counts(mart, "P3_CLA_RETURNED_HOME", "pct_reentered_12m", "RBKC", YEAR) == (1, 1)
    # WCC: W1 left at 18 on 1 Oct 2022: 1 ended, no return home.
    assert counts(mart, "P3_CLA_RETURNED_HOME", "percent", "WCC", YEAR) == (0, 1)
    assert counts(mart, "P3_CLA_RETURNED_HOME", "percent", "BI", YEAR) == (2, 7)


# ---- P3_CLA_STABILITY_SHORT: placement changes, not legal status changes ---------------------------


def test_short_term_stability(mart):
    # Placements in 2022-23 of the children looked after on 31 Mar 2023:
    #   C01: E01B (open on 1 Apr 2022, the year's first) 1; E01C is L, not a move; E01D P 2;
    #        E01E T (a new placement with the same carer) 3 -> three or more.
    #   C02: S 1; L and L are legal status changes only; U 2 -> two. Counting every new episode
    #        would give C02 four.
    #   C04, C07, C08, C09, C10: one each.
    # C03's three short-break stays would make three placements, but short breaks are excluded.
    assert counts(mart, "P3_CLA_STABILITY_SHORT", "percent", "RBKC", MARCH_2023) == (1, 7)
    assert value(mart, "P3_CLA_STABILITY_SHORT", "count", "RBKC", MARCH_2023) == 1


# ---- P3_CLA_PLACEMENT_QUALITY: the judgement in force on the day ----------------------------------


def test_placement_quality_as_at_the_date(mart):
    # 31 Mar 2023, RBKC: judged providers C01 (SC000001: Requires improvement since 1 Feb 2023),
    # C02, C09, C10 (SC400207, Outstanding) -> 3 of 4 good or outstanding. C04 (no URN) and C07
    # (XXXXXXX) have no registered provider; C08's provider (sc000003) has no inspection yet.
    assert counts(mart, "P3_CLA_PLACEMENT_QUALITY", "percent", "RBKC", MARCH_2023) == (3, 4)
    assert value(mart, "P3_CLA_PLACEMENT_QUALITY", "count_no_registered_provider", "RBKC", MARCH_2023) == 2
    assert value(mart, "P3_CLA_PLACEMENT_QUALITY", "count_not_yet_inspected", "RBKC", MARCH_2023) == 1
    # WCC: W2's home was Good on 31 March; the Inadequate of 20 April 2023 is not yet in force.
    assert counts(mart, "P3_CLA_PLACEMENT_QUALITY", "percent", "WCC", MARCH_2023) == (1, 1)
    assert counts(mart, "P3_CLA_PLACEMENT_QUALITY", "percent", "BI", MARCH_2023) == (4, 5)
    # 31 Mar 2022: SC000001 was still Good, so C01 counts then: C01, C05, C09, C10 and L1 (home
    # SC000002, Good since 1 Mar 2022) -> 5 of 5.
    assert counts(mart, "P3_CLA_PLACEMENT_QUALITY", "percent", "RBKC", MARCH_2022) == (5, 5)
    # In or out of the borough (where the register places the provider): SC400207 is in
    # Kensington and Chelsea (3 of 3); SC000001 in Kent (0 of 1).
    assert counts(mart, "P3_CLA_PLACEMENT_QUALITY", "percent", "RBKC", MARCH_2023, "provider_location", "In borough") == (3, 3)
    assert counts(mart, "P3_CLA_PLACEMENT_QUALITY", "percent", "RBKC", MARCH_2023, "provider_location", "Out of borough") == (0, 1)


# ---- P3_CLA_MISSING and P3_CLA_MISSING_RHI --------------------------------------------------------


def test_missing_from_care(mart):
    # Looked after at some time in 2022-23 (short breaks excluded): C01, C02, C04, C05, C06, C07,
    # C08, C09, C10, L1, L3, L14 = 12. Missing incidents starting in the year: C04 (10 Dec; 30 Mar,
    # back 2 Apr), C01 (1 Aug; her 31 Mar 2022 incident started the year before), C08 (10 Feb)
    # -> 3 children, 4 incidents, 4/3 per child. C04's away episode (5 Jan) is held separately.
    assert counts(mart, "P3_CLA_MISSING", "percent", "RBKC", YEAR) == (3, 12)
    assert value(mart, "P3_CLA_MISSING", "count_incidents", "RBKC", YEAR) == 4
    assert value(mart, "P3_CLA_MISSING", "mean_incidents_per_child", "RBKC", YEAR) == pytest.approx(4 / 3)
    assert value(mart, "P3_CLA_MISSING", "count_children_away", "RBKC", YEAR) == 1
    # By sex: girls C01, C05, C07, C09 -> C01 went missing, 1 of 4.
    assert counts(mart, "P3_CLA_MISSING", "percent", "RBKC", YEAR, "sex", "F") == (1, 4)


def test_return_home_interviews(mart):
    # Missing (not away) episodes ending in 2022-23: M4 (back 1 Apr 2022 03:00, though it started
    # on 31 Mar), M5, M1, M6 = 4. M2 ended on 2 Apr 2023, next year.
    #   offered within 72 hours: M1 (25 h), M5 (15 h), M6 (exactly 72 h) yes; M4 (95 h) no -> 3.
    #   completed: M1, M6 -> 2.   declined (offered, not accepted): M4, M5 -> 2.
    assert value(mart, "P3_CLA_MISSING_RHI", "count_returns", "RBKC", YEAR) == 4
    assert counts(mart, "P3_CLA_MISSING_RHI", "pct_offered", "RBKC", YEAR) == (3, 4)
    assert counts(mart, "P3_CLA_MISSING_RHI", "pct_completed", "RBKC", YEAR) == (2, 4)
    assert counts(mart, "P3_CLA_MISSING_RHI", "pct_declined", "RBKC", YEAR) == (2, 4)


# ---- OC2 cohort: convictions, health, SDQ -------------------------------------------------------------


def test_convictions_of_children_looked_after_12_months(mart):
    # OC2 cohort at 31 Mar 2023 (looked after on the day, and since 31 Mar 2022 or earlier):
    # C01, C09, C10 (started exactly 12 months before). Aged 10-17: C01 (14), C09 (12). Convicted
    # or cautioned in 2022-23: C01 (20 Nov 2022); C09's caution was 15 Mar 2022, the year before;
    # C04's is outside the cohort (in care under 12 months) -> 1 of 2. WCC: W2, 0 of 1.
    assert counts(mart, "P3_CLA_CJS", "percent", "RBKC", MARCH_2023) == (1, 2)
    assert counts(mart, "P3_CLA_CJS", "percent", "BI", MARCH_2023) == (1, 3)
    # At 31 Mar 2022 the cohort aged 10-17 was C01, C09, L1, L3, L14, and C09's caution of
    # 15 Mar 2022 falls in 2021-22 -> 1 of 5.
    assert counts(mart, "P3_CLA_CJS", "percent", "RBKC", MARCH_2022) == (1, 5)


def test_health_checks(mart):
    # OC2 cohort at 31 Mar 2023: C01 (14), C09 (12), C10 (4).
    #   Health assessment up to date: C01 assessed 1 Jun 2022 (within 12 months) yes; C09 last
    #   assessed 20 Feb 2022 no; C10 is under five, assessed every six months, last on 15 Aug 2022,
    #   before 30 Sep 2022 -> no (a five-year-old would have been up to date) -> 1 of 3.
    #   Immunisations (latest status on or before the day): C01 Y (1 Jun 2022), C09 Y, C10 N (her
    #   Y of 10 Apr 2023 is after the day) -> 2 of 3.
    #   Dental check in the 12 months to 31 March: C01 (10 May 2022) yes; C09's on 30 Mar 2022 is
    #   just outside -> 1 of 3.
    assert counts(mart, "P6_LAC_HEALTH_CHECKS", "pct_health_assessment", "RBKC", MARCH_2023) == (1, 3)
    assert counts(mart, "P6_LAC_HEALTH_CHECKS", "pct_immunisations", "RBKC", MARCH_2023) == (2, 3)
    assert counts(mart, "P6_LAC_HEALTH_CHECKS", "pct_dental", "RBKC", MARCH_2023) == (1, 3)


def test_initial_health_assessments_in_20_working_days(mart):
    # Periods that began in 2022-23 and lasted 20 working days (or are still open): C02, C05 B,
    # C06, C04, C08, C07 = 6.
    #   C02 Fri 29 Apr 2022 -> IHA Tue 31 May: 2 May bank holiday; 3-6 May (4), 9-13 (9), 16-20
    #       (14), 23-27 (19), 30 (20), 31 (21) -> late.
    #   C06 Mon 5 Sep 2022 -> IHA Tue 20 Sep: 6-9 (4), 12-16 (9), 19 Sep bank holiday (State
    #       Funeral), 20 (10) -> in time.
    #   C04 Tue 1 Nov 2022 -> IHA 13 Dec: 30 working days -> late.
    #   C08 Thu 1 Dec 2022 -> IHA Fri 30 Dec: 2 Dec (1), 5-9 (6), 12-16 (11), 19-23 (16), 26 and
    #       27 Dec bank holidays, 28-30 (19) -> in time (21 if the holidays were counted).
    #   C05 B: her only IHA is from period A, before this period began -> none. C07: none yet.
    # -> 2 of 6.
    assert counts(mart, "P6_LAC_HEALTH_CHECKS", "pct_iha_20wd", "RBKC", YEAR) == (2, 6)
    # Review assessments due in 2022-23: C01 due 10 Jun, done 1 Jun (on time); C10 due 1 Aug,
    # done 15 Aug (late); C09 due 20 Feb 2023, still planned -> 1 of 3.
    assert counts(mart, "P6_LAC_HEALTH_CHECKS", "pct_rha_on_time", "RBKC", YEAR) == (1, 3)


def test_sdq(mart):
    # OC2 cohort aged 5-16 at 31 Mar 2023: C01, C09 (C10, 4, is too young; his score of 30 is not
    # used). C01's latest SDQ in the year scored 18 (her 10 of Sep 2021 is older); C09's carer
    # refused (SDQ2, no score) -> 1 of 2 submitted, mean 18, 1 of 1 of concern (17 or more).
    assert counts(mart, "P6_LAC_SDQ", "pct_submitted", "RBKC", MARCH_2023) == (1, 2)
    assert value(mart, "P6_LAC_SDQ", "mean_score", "RBKC", MARCH_2023) == pytest.approx(18)
    assert counts(mart, "P6_LAC_SDQ", "pct_concern", "RBKC", MARCH_2023) == (1, 1)
    # W2 (WCC, 14) has none: pooled 1 of 3 submitted; the mean pools the scores, not the means.
    assert counts(mart, "P6_LAC_SDQ", "pct_submitted", "BI", MARCH_2023) == (1, 3)
    assert counts(mart, "P6_LAC_SDQ", "mean_score", "BI", MARCH_2023) == (18, 1)


# ---- Care leavers ------------------------------------------------------------------------------------
#
#   L1  18 (born 10 Jun 2004), in care 2019 - 10 Jun 2022, his 18th birthday. Contacts 1 May 2022
#       (not in touch) and 20 Jun 2022 (in touch, semi-independent, suitable, full-time education);
#       the latest in the year counts. The 20 Jun contact has no collection year: the birthday it
#       reports on (10 Jun 2022) puts it in 2022-23.
#   L2  20 (15 Sep 2002), left care at 18 in 2020. In touch in 2021-22; not in touch in 2022-23.
#   L3  18 (20 Jan 2005), left 20 Jan 2023; no fixed abode, recorded "suitable" (S never is); NEET.
#   L4  21, left 2019; returned home to parents (RHOM) - excluded.
#   L5  18, looked after only on short breaks (V3) for more than 13 weeks after 14 - not a care
#       leaver, though a contact is recorded.
#   L6  17 (1 Aug 2005), looked after 1 Jun 2021 - 1 Feb 2022 (after 14, some after 16, 245 days):
#       a relevant child. In touch, ordinary lodgings (suitable), part-time education.
#   L7  18, looked after 81 days after 14 - under 13 weeks, not a care leaver.
#   L8  19, died (DIED) - excluded.    L9 18, care transferred to another council (E3) - excluded.
#   L10 21, former UASC, in touch, independent living, higher education.
#   L11 23, in touch.   L12 22, no longer requires services (NREQ) since Jul 2022.
#   L13 21, no period of care in the extract; recorded as former relevant: in touch, staying put
#       (suitable), NEET (parenting).
#   L14 16, left care 15 Feb 2023 at 16 after two years: relevant; no contact yet.
#   W1  (WCC) 18, left at 18 on 1 Oct 2022; in touch, with relatives (suitable), apprenticeship.


def test_care_leavers_supported_at_31_march(mart):
    # 31 Mar 2023, RBKC: L1, L2 (not in touch, still a care leaver), L3, L6, L10, L11, L13, L14 = 8.
    # Not L4 (RHOM), L5 and L7 (not eligible), L8 (died), L9 (transferred), L12 (NREQ).
    assert value(mart, "P4_CARE_LEAVERS", "count", "RBKC", MARCH_2023) == 8
    assert value(mart, "P4_CARE_LEAVERS", "count", "RBKC", MARCH_2023, "age_band", "16-18") == 4  # L1, L3, L6, L14
    assert value(mart, "P4_CARE_LEAVERS", "count", "RBKC", MARCH_2023, "age_band", "22-25") == 1  # L11
    assert value(mart, "P4_CARE_LEAVERS", "count", "RBKC", MARCH_2023, "uasc", "UASC") == 1  # L10
    # In touch, of those aged 17-21 with a contact recorded (L14 has none yet): L1, L3, L6, L10,
    # L13 of L1, L2, L3, L6, L10, L13 -> 5 of 6.
    assert counts(mart, "P4_CARE_LEAVERS", "pct_in_touch", "RBKC", MARCH_2023) == (5, 6)
    # As at 31 Mar 2022, from the contacts recorded by then: L2, L4 (her RHOM came later), L6 (left
    # Feb 2022), L8 (died later), L10, L11, L12 (NREQ later), L13 = 8; L1, L3, L14 still in care.
    assert value(mart, "P4_CARE_LEAVERS", "count", "RBKC", MARCH_2022) == 8
    assert value(mart, "P4_CARE_LEAVERS", "count", "BI", MARCH_2023) == 9


def test_suitable_accommodation_birthday_cohort(mart):
    # 2022-23 cohort (17th-21st birthday in the year, left care by it, DfE exclusions applied):
    # L6 (17), L1 and L3 (18), L2, L10, L13 (19-21) = 6. Suitable: L6, L1, L10, L13 = 4; L2 was not
    # in touch (still counted), L3 has no fixed abode.
    assert counts(mart, "P4_CL_SUITABLE_ACCOM", "percent", "RBKC", YEAR) == (4, 6)
    assert counts(mart, "P4_CL_SUITABLE_ACCOM", "percent", "RBKC", YEAR, "age_band", "17") == (1, 1)
    assert counts(mart, "P4_CL_SUITABLE_ACCOM", "percent", "RBKC", YEAR, "age_band", "18") == (1, 2)
    assert counts(mart, "P4_CL_SUITABLE_ACCOM", "percent", "RBKC", YEAR, "age_band", "19-21") == (2, 3)
    # WCC: W1, 1 of 1; pooled 5 of 7 (never the average of 66.7% and 100%).
    assert counts(mart, "P4_CL_SUITABLE_ACCOM", "percent", "BI", YEAR) == (5, 7)


def test_eet_birthday_cohort(mart):
    # The same 6: L1 (F2), L6 (P2), L10 (F1) in education, employment or training; L3 (G5), L13
    # (G6) NEET; L2 not in touch -> 3 of 6; higher education L10 -> 1 of 6.
    assert counts(mart, "P4_LAC_CL_EET", "pct_care_leavers_eet", "RBKC", YEAR) == (3, 6)
    assert value(mart, "P4_LAC_CL_EET", "count_care_leavers_eet", "RBKC", YEAR) == 3
    assert counts(mart, "P4_LAC_CL_EET", "pct_care_leavers_higher_education", "RBKC", YEAR) == (1, 6)
    assert counts(mart, "P4_LAC_CL_EET", "pct_care_leavers_eet", "BI", YEAR) == (4, 7)
