"""The whole nightly job on a tiny hand-written extract, with every answer worked out by hand.

The fixture (tests/fixtures/tiny) has six children:
  P001 (RBKC)  referred 10 May 2021 and again 20 Apr 2022 (a re-referral within 12 months);
               strategy discussion Fri 22 Apr 2022, ICPC Mon 16 May 2022, CP plan to 15 Jan 2023.
  P002 (RBKC)  looked after since 1 Jul 2019 with one carer (legal status C1 -> C2 on 1 Dec 2019).
  P003 (RBKC)  unaccompanied asylum-seeking boy, looked after from 2 Sep 2022, aged 17.
  P004 (RBKC)  short breaks only (legal status V3) and a child in need plan.
  P101 (WCC)   referred 10 Oct 2022, no further action.
  P102 (WCC)   referred 30 May 2022, strategy discussion Wed 1 Jun 2022, ICPC Mon 27 Jun 2022.
Populations: 10,000 children in RBKC and 5,000 in WCC, so rates per 10,000 are simple.
"""

from __future__ import annotations

import duckdb
import pytest


pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def published(golden_run):
    con = duckdb.connect(str(golden_run.published_db_path), read_only=True)
    yield con
    con.close()


def value(con, measure_id, statistic, area, period_label, breakdown="all"):
    rows = con.execute(
        """select value from marts.outcome_measures
           where measure_id = ? and statistic = ? and area_code = ? and period_label = ? and breakdown = ?""",
        [measure_id, statistic, {"RBKC": "E09000020", "WCC": "E09000033", "BI": "BIBOROUGH"}[area], period_label, breakdown],
    ).fetchall()
    assert len(rows) == 1, f"{measure_id}/{statistic}/{area}/{period_label}: {len(rows)} rows"
    return rows[0][0]


def test_referrals_and_rates(published):
    # 2022-23: RBKC R2 (20 Apr 2022) and R4 (1 Sep 2022); WCC R5 and R7.
    assert value(published, "P3_REFERRALS", "count", "RBKC", "2022-23") == 2
    assert value(published, "P3_REFERRALS", "count", "WCC", "2022-23") == 2
    assert value(published, "P3_REFERRALS", "count", "BI", "2022-23") == 4
    # 2021-22: R1 (10 May 2021) and R6 (1 Dec 2021).
    assert value(published, "P3_REFERRALS", "count", "RBKC", "2021-22") == 2
    # Rates per 10,000 aged 0-17 with mid-2022 populations: 2/10,000; 2/5,000; 4/15,000.
    assert value(published, "P3_REFERRALS", "rate_per_10k", "RBKC", "2022-23") == pytest.approx(2.0)
    assert value(published, "P3_REFERRALS", "rate_per_10k", "WCC", "2022-23") == pytest.approx(4.0)
    assert value(published, "P3_REFERRALS", "rate_per_10k", "BI", "2022-23") == pytest.approx(4 / 15000 * 10000)
    # Quarters: R2 falls in Q1 (April-June), R4 in Q2.
    assert value(published, "P3_REFERRALS", "count", "RBKC", "2022-23 Q1") == 1
    assert value(published, "P3_REFERRALS", "count", "RBKC", "2022-23 Q3") == 0


def test_conversion_to_assessment(published):
    # RBKC: R2 and R4 both assessed -> 100%. WCC: R7 assessed, R5 not -> 50%. Pooled: 3 of 4.
    assert value(published, "P3_REFERRALS", "pct_to_assessment", "RBKC", "2022-23") == pytest.approx(100)
    assert value(published, "P3_REFERRALS", "pct_to_assessment", "WCC", "2022-23") == pytest.approx(50)
    assert value(published, "P3_REFERRALS", "pct_to_assessment", "BI", "2022-23") == pytest.approx(75)


def test_rereferrals_pool_counts_not_percentages(published):
    # RBKC: R2 follows R1 by 11 months -> 1 of 2 = 50%. WCC: 0 of 2. Bi-borough: 1 of 4 = 25%
    # (averaging the two percentages would wrongly give 25% here only by coincidence of equal
    # denominators, so check the pooled numerator and denominator too).
    assert value(published, "P3_REREFERRAL_12M", "percent", "RBKC", "2022-23") == pytest.approx(50)
    assert value(published, "P3_REREFERRAL_12M", "percent", "WCC", "2022-23") == pytest.approx(0)
    assert value(published, "P3_REREFERRAL_12M", "percent", "BI", "2022-23") == pytest.approx(25)
    num, den = published.execute(
        "select numerator, denominator from marts.outcome_measures where measure_id = 'P3_REREFERRAL_12M' and statistic = 'percent' and area_code = 'BIBOROUGH' and period_label = '2022-23'"
    ).fetchall()[0]
    assert (num, den) == (1, 4)


def test_s47_and_icpc_timeliness_with_bank_holidays(published):
    assert value(published, "P3_S47_ENQUIRIES", "count_completed", "RBKC", "2022-23") == 1
    assert value(published, "P3_S47_ENQUIRIES", "count_completed", "BI", "2022-23") == 2
    # RBKC: Fri 22 Apr -> Mon 16 May 2022 is 15 working days only because Mon 2 May was a bank
    # holiday (25-29 Apr: 5; 3-6 May: 9; 9-13 May: 14; 16 May: 15) -> within 15 days.
    # WCC: Wed 1 Jun -> Mon 27 Jun 2022: 2 and 3 Jun were bank holidays (Platinum Jubilee);
    # 6-10 Jun: 5; 13-17: 10; 20-24: 15; 27 Jun: 16 -> late.
    assert value(published, "P3_ICPC_15WD", "count", "BI", "2022-23") == 2
    assert value(published, "P3_ICPC_15WD", "percent", "RBKC", "2022-23") == pytest.approx(100)
    assert value(published, "P3_ICPC_15WD", "percent", "WCC", "2022-23") == pytest.approx(0)
    assert value(published, "P3_ICPC_15WD", "percent", "BI", "2022-23") == pytest.approx(50)


def test_children_in_need_and_cp_plans_at_31_march(published):
    # Open CIN episodes at 31 Mar 2023: R2 (P001), R3 (P002), R4 (P003), R6 (P004) in RBKC;
    # none in WCC (R5 and R7 closed).
    assert value(published, "P3_CIN_RATE", "count", "RBKC", "31 Mar 2023") == 4
    assert value(published, "P3_CIN_RATE", "count", "WCC", "31 Mar 2023") == 0
    assert value(published, "P3_CIN_RATE", "rate_per_10k", "RBKC", "31 Mar 2023") == pytest.approx(4.0)
    # Supported at home = in need and not looked after: P001 and P004 (short breaks do not
    # count as looked after).
    assert value(published, "P3_CIN_RATE", "count_supported_at_home", "RBKC", "31 Mar 2023") == 2
    assert value(published, "P3_CIN_RATE", "count_cin_plan", "RBKC", "31 Mar 2023") == 1
    # P001's plan ran 16 May 2022 - 15 Jan 2023: on a plan at 31 Dec 2022, not at 31 Mar 2023.
    assert value(published, "P3_CP_PLANS", "count", "RBKC", "31 Mar 2023") == 0
    assert value(published, "P3_CP_PLANS", "count", "RBKC", "31 Dec 2022") == 1
    assert value(published, "P3_CP_PLANS", "count_started", "RBKC", "2022-23") == 1


def test_looked_after_excludes_short_breaks(published):
    # At 31 Mar 2023: P002 and P003 (P004 is on short breaks, V3, excluded).
    assert value(published, "P3_CLA_RATE", "count", "RBKC", "31 Mar 2023") == 2
    assert value(published, "P3_CLA_RATE", "rate_per_10k", "RBKC", "31 Mar 2023") == pytest.approx(2.0)
    assert value(published, "P3_CLA_RATE", "count_uasc", "RBKC", "31 Mar 2023") == 1
    assert value(published, "P3_CLA_RATE", "pct_uasc", "RBKC", "31 Mar 2023") == pytest.approx(50)
    # P003 is 17 on 31 March 2023; P002 is 11.
    assert value(published, "P3_CLA_RATE", "pct_aged_14_plus", "RBKC", "31 Mar 2023") == pytest.approx(50)
    # At 31 Mar 2022 only P002.
    assert value(published, "P3_CLA_RATE", "count", "RBKC", "31 Mar 2022") == 1


def test_long_term_stability(published):
    # P002: aged 11 at 31 Mar 2023, looked after since 1 Jul 2019 (more than 2.5 years), with
    # carer K1 throughout (the legal status change does not move the child) -> 1 of 1.
    # P003 is 17, so outside the under-16 cohort.
    assert value(published, "P3_CLA_STABILITY_LONG", "percent", "RBKC", "31 Mar 2023") == pytest.approx(100)
    numerator, denominator = published.execute(
        "select numerator, denominator from marts.outcome_measures where measure_id = 'P3_CLA_STABILITY_LONG' and area_code = 'E09000020' and period_label = '31 Mar 2023'"
    ).fetchall()[0]
    assert (numerator, denominator) == (1, 1)
    # WCC has no child in the cohort: the percentage is undefined, not zero.
    assert value(published, "P3_CLA_STABILITY_LONG", "percent", "WCC", "31 Mar 2023") is None


def test_descriptions_in_code_columns_are_mapped_to_codes(published):
    # The fixture writes "Neglect" and "Unaccompanied Asylum Seeking Child" as the SSD scripts do.
    issues = published.execute("select count(*) from dq.value_issues where column_name in ('cppl_cp_plan_initial_category', 'immi_immigration_status')").fetchall()[0][0]
    assert issues == 0


def test_published_database_has_no_identifiers(published):
    columns = [r[0] for r in published.execute("select column_name from information_schema.columns").fetchall()]
    assert not [c for c in columns if "person" in c or "upn" in c or "dob" in c or "birth" in c]
    raw_ids = published.execute("select count(*) from marts.outcome_measures where area_name like '%P00%'").fetchall()[0][0]
    assert raw_ids == 0
