"""The nightly job on a hand-written education extract, with every answer worked out by hand.

The fixture (tests/fixtures/education) holds, for academic year 2021/22 (spring census day
20 January 2022):

  Kensington and Chelsea (207)
    Alpha Primary 100001 (outstanding since 10 Jan 2019)
      U1 K207100000001  Year 6, FSM, SEN support - Mosaic P201, looked after since 1 Sep 2020
      U2 B207000000002  Year 4
      U3 B207000000003  Year 6, main registration (subsidiary at Beta)
      U4, U5            reception (aged 4 on 31 Aug 2021: not of compulsory school age); U5 FSM
    Beta Academy 100002 (requires improvement since 1 Mar 2018; judged good on 20 Apr 2023,
                         after the 31 March 2023 snapshot and before the extract)
      U3                subsidiary registration (not in headcounts)
      U6 B207000000006  Year 11, lives in Westminster
      U7 K207100000002  Year 8, FSM, EHC plan - Mosaic P202, in need (referral open since Sep 2021)
  Westminster (213)
    Gamma Primary 200001 (good), Delta School 200002 (outstanding), Epsilon Primary 200003
    (inadequate, closed 31 Aug 2021)
      W1 K213100000001  Year 3, FSM - Mosaic P301, on a child protection plan since 15 Nov 2021
      W2 Year 3; W3 Year 9 (permanently excluded 15 Jun 2022); W4 Year 11

Mosaic records carry the same UPNs; both sides are pseudonymised in the `upn` namespace at
ingest, which is the only way the census rows can find the social care status.
"""

from __future__ import annotations

import duckdb
import pytest

from tests.conftest import TEST_KEY

pytestmark = pytest.mark.slow
AREAS = {"RBKC": "E09000020", "WCC": "E09000033", "BI": "BIBOROUGH"}


@pytest.fixture(scope="module")
def published(education_run):
    con = duckdb.connect(str(education_run.published_db_path), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def warehouse(education_run):
    con = duckdb.connect(str(education_run.warehouse_path), read_only=True)
    yield con
    con.close()


def row(con, measure_id, statistic, area, period_label, breakdown="all", breakdown_value="all"):
    rows = con.execute(
        """select value, numerator, denominator from marts.outcome_measures
           where measure_id = ? and statistic = ? and area_code = ? and period_label = ?
             and breakdown = ? and breakdown_value = ?""",
        [measure_id, statistic, AREAS[area], period_label, breakdown, breakdown_value],
    ).fetchall()
    assert len(rows) == 1, f"{measure_id}/{statistic}/{area}/{period_label}/{breakdown}={breakdown_value}: {len(rows)} rows"
    return rows[0]


def value(con, *args, **kwargs):
    return row(con, *args, **kwargs)[0]


def test_attendance_counts_exactly_ten_percent_as_persistent_absence(published):
    # Compulsory school age at borough schools: RBKC U1, U2, U3, U6, U7 (U4 and U5 are 4 on 31
    # August 2021, and U4's 30 missed sessions must not count). Sessions possible 5 x 380 = 1900;
    # missed U1 38 (14 + 12 + 12), U2 19, U3 0, U6 20, U7 120: 197. Attendance 1703 / 1900.
    assert row(published, "P2_ATTENDANCE", "percent", "RBKC", "2021/22")[1:] == (1703, 1900)
    assert value(published, "P2_ATTENDANCE", "percent", "RBKC", "2021/22") == pytest.approx(100 * 1703 / 1900)
    # U1 missed 38 of 380 = exactly 10%: persistent absence (10% or more). U7 missed 120 of 380
    # = 31.6%: persistent and over 30%. So 2 of 5 and 1 of 5.
    assert row(published, "P2_ATTENDANCE", "pct_persistent_absence", "RBKC", "2021/22")[1:] == (2, 5)
    assert value(published, "P2_ATTENDANCE", "pct_absence_over_30", "RBKC", "2021/22") == pytest.approx(20)
    # WCC: W1 50, W2 10, W3 0, W4 28 missed of 4 x 380 = 1520: 1432 / 1520; W1 (13.2%) persistent.
    assert value(published, "P2_ATTENDANCE", "percent", "WCC", "2021/22") == pytest.approx(100 * 1432 / 1520)
    assert value(published, "P2_ATTENDANCE", "pct_persistent_absence", "WCC", "2021/22") == pytest.approx(25)
    # Bi-borough pools sessions: (1703 + 1432) / (1900 + 1520) = 3135 / 3420, not the average
    # of 89.63 and 94.21.
    assert value(published, "P2_ATTENDANCE", "percent", "BI", "2021/22") == pytest.approx(100 * 3135 / 3420)


def test_looked_after_pupil_is_found_in_the_census_through_the_upn_pseudonym(published, warehouse):
    # U1 is P201, looked after on 20 January 2022: the only pupil in the looked-after group.
    # Attendance 342 / 380 = 90%, persistent absence 1 of 1.
    assert row(published, "P2_ATTENDANCE", "count_pupils", "RBKC", "2021/22", "social_care", "looked_after")[0] == 1
    assert value(published, "P2_ATTENDANCE", "percent", "RBKC", "2021/22", "social_care", "looked_after") == pytest.approx(90)
    assert value(published, "P2_ATTENDANCE", "pct_persistent_absence", "RBKC", "2021/22", "social_care", "looked_after") == pytest.approx(100)
    # U7 (P202) is in need, W1 (P301) on a child protection plan: 260 / 380 and 330 / 380.
    assert value(published, "P2_ATTENDANCE", "percent", "RBKC", "2021/22", "social_care", "child_in_need") == pytest.approx(100 * 260 / 380)
    assert value(published, "P2_ATTENDANCE", "percent", "WCC", "2021/22", "social_care", "child_protection_plan") == pytest.approx(100 * 330 / 380)
    # The link is the keyed hash: the build database holds the pseudonym, never the UPN.
    from pipelines.privacy.pseudonymise import pseudonym

    key = pseudonym(bytes.fromhex(TEST_KEY), "upn", "K207100000001")
    found = warehouse.execute(
        "select academic_year, social_care_group, mosaic_la_code from intermediate.int_pupil_years where upn_key = ? order by academic_year", [key]
    ).fetchall()
    assert found == [(2022, "looked_after", "207"), (2023, "looked_after", "207")]
    # A pseudonym is a UUID holding 96 bits of a hash, too few for a 13-character UPN; none holds
    # its digits either.
    kind, in_clear = warehouse.execute(
        "select any_value(typeof(upn)), count(*) filter (where contains(cast(upn as varchar), '207100000001')) from raw.education__school_census_pupils"
    ).fetchall()[0]
    assert (kind, in_clear) == ("UUID", 0)


def test_ofsted_judgement_in_force_at_the_snapshot(published):
    # 31 March 2023: Beta's good judgement of 20 April 2023 is not yet in force; its previous
    # judgement (requires improvement, 2018) is. RBKC: Alpha outstanding, Beta RI -> 1 of 2.
    assert row(published, "P2_OFSTED_GOOD_OUTSTANDING", "percent", "RBKC", "31 Mar 2023")[1:] == (1, 2)
    assert value(published, "P2_OFSTED_GOOD_OUTSTANDING", "pct_outstanding", "RBKC", "31 Mar 2023") == pytest.approx(50)
    # WCC: Gamma good, Delta outstanding; Epsilon closed on 31 August 2021 -> 2 of 2.
    assert row(published, "P2_OFSTED_GOOD_OUTSTANDING", "percent", "WCC", "31 Mar 2023")[1:] == (2, 2)
    assert value(published, "P2_OFSTED_GOOD_OUTSTANDING", "pct_good", "WCC", "31 Mar 2023") == pytest.approx(50)
    assert value(published, "P2_OFSTED_GOOD_OUTSTANDING", "percent", "BI", "31 Mar 2023") == pytest.approx(75)
    # 31 March 2021: Epsilon was still open (inadequate) -> WCC 2 of 3.
    assert row(published, "P2_OFSTED_GOOD_OUTSTANDING", "percent", "WCC", "31 Mar 2021")[1:] == (2, 3)


def test_looked_after_children_in_good_schools(published):
    # P201 is of compulsory school age (11 on 31 August 2022). On 31 March 2022 U1 was at Alpha
    # (outstanding) -> 1 of 1; on 31 March 2023 at Beta, whose judgement in force was requires
    # improvement -> 0 of 1, though found on a roll.
    assert row(published, "P2_LAC_SCHOOL_QUALITY", "percent", "RBKC", "31 Mar 2022")[1:] == (1, 1)
    assert row(published, "P2_LAC_SCHOOL_QUALITY", "percent", "RBKC", "31 Mar 2023")[1:] == (0, 1)
    assert value(published, "P2_LAC_SCHOOL_QUALITY", "pct_on_school_roll", "RBKC", "31 Mar 2023") == pytest.approx(100)
    # No looked-after child in Westminster: no percentage.
    assert value(published, "P2_LAC_SCHOOL_QUALITY", "percent", "WCC", "31 Mar 2023") is None


def test_exclusion_rates_pool_across_boroughs(published):
    # Headcount at the spring census, reception upwards, single and main registrations: RBKC U1,
    # U2, U3 (main at Alpha; the subsidiary row at Beta is not counted), U4, U5, U6, U7 = 7;
    # WCC W1-W4 = 4. Suspensions: RBKC U7 twice and U6 once = 3 (U2's lunchtime suspension is
    # not a suspension); WCC W1 once. Permanent exclusions: WCC W3.
    assert row(published, "P4_SUSPENSIONS", "rate_per_100", "RBKC", "2021/22")[1:] == (3, 7)
    assert value(published, "P4_SUSPENSIONS", "pct_pupils_suspended", "RBKC", "2021/22") == pytest.approx(100 * 2 / 7)
    assert value(published, "P4_SUSPENSIONS", "rate_per_100", "WCC", "2021/22") == pytest.approx(25)
    assert value(published, "P4_PERMANENT_EXCLUSIONS", "rate_per_100", "WCC", "2021/22") == pytest.approx(25)
    # Bi-borough: (3 + 1) / (7 + 4) and (0 + 1) / (7 + 4) - not the averages 33.9 and 12.5.
    assert row(published, "P4_SUSPENSIONS", "rate_per_100", "BI", "2021/22")[1:] == (4, 11)
    assert row(published, "P4_PERMANENT_EXCLUSIONS", "rate_per_100", "BI", "2021/22")[1:] == (1, 11)
    assert value(published, "P4_PERMANENT_EXCLUSIONS", "count", "BI", "2021/22") == 1
    # Free school meals (U1, U5, U7 in RBKC): 2 suspensions among 3 pupils.
    assert row(published, "P4_SUSPENSIONS", "rate_per_100", "RBKC", "2021/22", "fsm", "eligible")[1:] == (2, 3)


def test_results_recomputed_from_the_record(published):
    # GLD 2021/22: U4 expected in every goal; U5 emerging in goal 05, so no GLD although the
    # school reported one. The Westminster record with "exceeding" under the 2021 framework is
    # quarantined, so Westminster assessed nobody.
    assert row(published, "P1_GLD", "percent", "RBKC", "2021/22")[1:] == (1, 2)
    assert value(published, "P1_GLD", "percent", "WCC", "2021/22") is None
    assert value(published, "P1_GLD", "percent", "BI", "2021/22") == pytest.approx(50)
    # 2018/19 record without a framework column value: the 2012 framework, where "exceeding"
    # counts as at least expected -> GLD.
    assert value(published, "P1_GLD", "percent", "RBKC", "2018/19") == pytest.approx(100)
    # KS2: U3 reading 105, maths 101, writing EXS -> expected; U1 reading 99 -> not. 1 of 2.
    assert value(published, "P2_KS2_RWM", "percent", "RBKC", "2021/22") == pytest.approx(50)
    # Disadvantaged (FSM in six years or looked after): U1 0 of 1; others U3 1 of 1.
    assert value(published, "P2_DISADVANTAGE_GAP", "pct_ks2_rwm", "RBKC", "2021/22", "disadvantage", "disadvantaged") == pytest.approx(0)
    assert value(published, "P2_DISADVANTAGE_GAP", "pct_ks2_rwm", "RBKC", "2021/22", "disadvantage", "not_disadvantaged") == pytest.approx(100)


def test_means_pool_as_sums_and_counts(published):
    # KS4: U6 (RBKC) Attainment 8 60.5, Progress 8 0.8, English 6, maths 5; W4 (WCC) 40.0,
    # -0.5, English 4, maths 3. Bi-borough means: (60.5 + 40.0) / 2 and (0.8 - 0.5) / 2.
    assert value(published, "P2_KS4_PROGRESS8", "mean_attainment8", "BI", "2021/22") == pytest.approx(50.25)
    assert value(published, "P2_KS4_PROGRESS8", "mean_progress8", "BI", "2021/22") == pytest.approx(0.15)
    assert value(published, "P2_KS4_PROGRESS8", "mean_progress8", "WCC", "2021/22") == pytest.approx(-0.5)
    assert value(published, "P2_KS4_ENG_MATHS", "pct_grade_4", "BI", "2021/22") == pytest.approx(50)
    assert value(published, "P2_KS4_ENG_MATHS", "pct_grade_5", "RBKC", "2021/22") == pytest.approx(100)
    # P201 has been looked after since 1 Sep 2020, so for 12 months at 31 March 2022: the
    # looked-after outcomes cohort, with U1's KS2 result (not expected) -> 0 of 1.
    assert row(published, "P2_LAC_PROGRESS", "pct_ks2_rwm", "RBKC", "2021/22")[1:] == (0, 1)


def test_pupil_characteristics_and_surplus_places(published):
    # Spring 2022 (31 March 2022): RBKC headcount 7 (U3 once); residents 6 (U6 lives in
    # Westminster); SEN U1 (support) and U7 (EHC plan); FSM U1, U5, U7; primary FSM U1, U5 of 5.
    assert value(published, "P2_PUPIL_CHARACTERISTICS", "count_pupils", "RBKC", "31 Mar 2022") == 7
    assert value(published, "P2_PUPIL_CHARACTERISTICS", "count_residents", "RBKC", "31 Mar 2022") == 6
    assert value(published, "P2_PUPIL_CHARACTERISTICS", "pct_sen", "RBKC", "31 Mar 2022") == pytest.approx(100 * 2 / 7)
    assert value(published, "P2_PUPIL_CHARACTERISTICS", "count_ehcp", "RBKC", "31 Mar 2022") == 1
    assert value(published, "P2_PUPIL_CHARACTERISTICS", "pct_fsm", "RBKC", "31 Mar 2022", "phase", "primary") == pytest.approx(40)
    # Autumn 2022 census (31 December 2022): Alpha 60 places, 1 pupil; Gamma 100 places, 2
    # pupils; Epsilon closed. RBKC 59 / 60, WCC 98 / 100, bi-borough 157 / 160.
    assert row(published, "P2_PRIMARY_SURPLUS_PLACES", "percent", "RBKC", "31 Dec 2022")[1:] == (59, 60)
    assert value(published, "P2_PRIMARY_SURPLUS_PLACES", "percent", "BI", "31 Dec 2022") == pytest.approx(100 * 157 / 160)


def test_home_education_snapshot_and_year(published):
    # EHE1 from 5 Sep 2022 (open); EHE2 10 Jan 2021 - 31 Dec 2022; EHE3 1 Feb - 31 Mar 2023. An
    # episode ending on the snapshot day is not open then: 31 Dec 2022 -> EHE1 only; 31 Mar
    # 2023 -> EHE1 only; 30 Sep 2022 -> EHE1 and EHE2. Active in 2022-23: all three.
    assert value(published, "P2_ELECTIVE_HOME_EDUCATION", "count", "RBKC", "31 Dec 2022") == 1
    assert value(published, "P2_ELECTIVE_HOME_EDUCATION", "count", "RBKC", "31 Mar 2023") == 1
    assert value(published, "P2_ELECTIVE_HOME_EDUCATION", "count", "RBKC", "30 Sep 2022") == 2
    assert value(published, "P2_ELECTIVE_HOME_EDUCATION", "count_active_in_year", "RBKC", "2022-23") == 3
    assert value(published, "P2_ELECTIVE_HOME_EDUCATION", "count_active_in_year", "RBKC", "2021-22") == 1
    assert value(published, "P2_ELECTIVE_HOME_EDUCATION", "count", "WCC", "31 Mar 2023") == 0


def test_two_year_old_takeup(published):
    # Summer term 2022 (30 June 2022): RBKC C1-C4 eligible, C1-C3 funded -> 3 of 4; C5 is funded
    # on other grounds (not on the list), so counts as a place but not as take-up. WCC: C9
    # eligible, not funded. Bi-borough 3 of 5.
    assert row(published, "P1_EY_FUNDED_TAKEUP", "pct_2yo_takeup", "RBKC", "30 Jun 2022")[1:] == (3, 4)
    assert value(published, "P1_EY_FUNDED_TAKEUP", "count_2yo_funded", "RBKC", "30 Jun 2022") == 4
    assert value(published, "P1_EY_FUNDED_TAKEUP", "pct_2yo_takeup", "BI", "30 Jun 2022") == pytest.approx(60)
    # C6 has a 30-hour place: one universal and one extended place, with EYPP.
    assert value(published, "P1_EY_FUNDED_TAKEUP", "count_3_4yo_30h", "RBKC", "30 Jun 2022") == 1
    assert value(published, "P1_EY_FUNDED_TAKEUP", "count_eypp", "RBKC", "30 Jun 2022") == 1
    # Terms the extract does not cover have no figure rather than a zero.
    none = published.execute("select count(*) from marts.outcome_measures where measure_id = 'P1_EY_FUNDED_TAKEUP' and period_label = '31 Mar 2022'").fetchall()[0][0]
    assert none == 0


def test_exceeding_under_the_2021_framework_is_quarantined(published):
    reasons = published.execute(
        "select rule from dq.quarantine where source = 'education' and table_name = 'eyfsp_results'"
    ).fetchall()
    assert reasons == [("no_exceeding_in_2021_framework",)]
