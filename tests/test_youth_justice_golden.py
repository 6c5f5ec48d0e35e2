"""Youth justice and disproportionality measures on a small hand-written extract, through the real
nightly job (ingest, dbt, Great Expectations, publication), every answer worked by hand.

The fixture (tests/fixtures/youth_justice), extract of 15 May 2023:

  RBKC (207), 10,000 children aged 10-17 and 13,000 aged 0-17 in every ONS year; WCC (213), 5,000.
  Y1  BCRB boy, Mosaic child M1 (looked after since 1 Jan 2021). Youth caution 30 Sep 2021.
      (Mosaic: M1 on a full care order since 1 Jan 2021, M2 accommodated under section 20 since
      1 Feb 2022; the legal statuses match the episodes, as the cross-check of the looked-after
      count against the legal statuses requires.)
  Y2  WBRI girl. Community resolution 1 Jun 2021 (informal), youth conditional caution 1 Oct 2021.
  Y3  OOTH boy, no home LA recorded. Remanded 2 Feb 2022; referral order 20 May 2022 for a robbery
      (gravity 6) and knife possession (violence against the person, gravity 5, weapon), both
      committed 1 Feb 2022; a drugs offence of 1 Apr 2023 awaits its outcome.
  Y4  AIND boy living in another borough (205): youth caution 1 Mar 2022.
  Y5  MWAS boy, offence at age 9 (a recording error the age rule screens out): caution 1 Feb 2022.
  Y6  BAFR boy. Youth conditional caution 15 Jun 2020 (offence 1 May 2020); then
        O6B theft 1 May 2021          -> referral order 1 Oct 2021
        O6C robbery 10 Jun 2021       -> YRO 10 Dec 2021 (with O6D, common assault 20 Jun 2021)
        O6E drugs 20 May 2021         -> YRO 5 Jan 2022
  Y7  MWBC girl. Youth caution 1 Nov 2020; community resolution 1 Apr 2021 for criminal damage of
      1 Mar 2021; conditional discharge 1 Jun 2021 for a breach of 1 May 2021.
  Y8  BCRB boy. DTO 1 Nov 2019 (offence 1 Sep 2019), released 1 May 2020; YRO 1 Dec 2020 for a
      theft of 1 Sep 2020.
  W1  OOTH boy in Westminster: youth caution 15 Jan 2022.
Census 2021, RBKC aged 10-17: White 4,000, Mixed 1,000, Asian 1,500, Black 1,500, Other 2,000;
aged 0-17 adds White 2,000 and Black 1,000 under 10 (13,000). WCC aged 10-17: White 1,000,
Mixed 500, Asian 1,000, Black 1,000, Other 1,500 (5,000).
"""

from __future__ import annotations


import duckdb
import pytest

from tests.conftest import fixture_run

pytestmark = pytest.mark.slow
AREAS = {"RBKC": "E09000020", "WCC": "E09000033", "BI": "BIBOROUGH"}


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    for settings in fixture_run(tmp_path_factory, "youth_justice"):
        con = duckdb.connect(str(settings.published_db_path), read_only=True)
        yield con
        con.close()


def row(con, measure_id, statistic, area, period_label, breakdown="all", breakdown_value="all"):
    rows = con.execute(
        """select numerator, denominator, value from marts.outcome_measures
           where measure_id = ? and statistic = ? and area_code = ? and period_label = ?
             and breakdown = ? and breakdown_value = ?""",
        [measure_id, statistic, AREAS[area], period_label, breakdown, breakdown_value],
    ).fetchall()
    assert len(rows) == 1, f"{measure_id}/{statistic}/{area}/{period_label}/{breakdown_value}: {len(rows)} rows"
    return rows[0]


def value(con, *args, **kwargs):
    return row(con, *args, **kwargs)[2]


def test_first_time_entrants_rolling_year_boundary(published):
    # 12 months to Sep 2022 = 1 Oct 2021 - 30 Sep 2022. Y1's first caution (30 Sep 2021) falls
    # exactly 12 months before the period end, so the day before the window: not counted. Y2's
    # first formal outcome is the conditional caution of 1 Oct 2021 (the earlier community
    # resolution is informal): counted. Y3 (court, 20 May 2022): counted; no home LA recorded
    # means resident. Y4 lives in another borough, Y5 offended at 9: neither counts. -> 2.
    assert value(published, "P3_YJ_FTE", "count", "RBKC", "12 months to Sep 2022") == 2
    # Rate per 100,000 aged 10-17: 2 / 10,000 x 100,000 = 20.
    assert value(published, "P3_YJ_FTE", "rate_per_100k", "RBKC", "12 months to Sep 2022") == pytest.approx(20.0)
    # The year before (1 Oct 2020 - 30 Sep 2021): Y7 (1 Nov 2020) and Y1 (30 Sep 2021) -> 2.
    assert value(published, "P3_YJ_FTE", "count", "RBKC", "12 months to Sep 2021") == 2
    # By route: Y2 by caution, Y3 through the court.
    assert value(published, "P3_YJ_FTE", "count", "RBKC", "12 months to Sep 2022", "route", "caution") == 1
    assert value(published, "P3_YJ_FTE", "count", "RBKC", "12 months to Sep 2022", "route", "court") == 1
    # Bi-borough pools: (2 + 1 for W1) / (10,000 + 5,000) x 100,000 = 20.
    assert row(published, "P3_YJ_FTE", "rate_per_100k", "BI", "12 months to Sep 2022") == pytest.approx((3, 15000, 20.0))
    # Financial year 2019-20: Y8's DTO of 1 Nov 2019 was his first formal outcome.
    assert value(published, "P3_YJ_FTE", "count", "RBKC", "2019-20") == 1


def test_looked_after_first_time_entrants_via_mosaic(published):
    # 2021-22 first-time entrants: Y1 and Y2. Y1 is Mosaic child M1, looked after since
    # 1 Jan 2021, so looked after on 30 Sep 2021 -> 1 of 2 = 50%.
    assert value(published, "P3_CLA_CJS", "count_first_time_entrants_looked_after", "RBKC", "2021-22") == 1
    assert value(published, "P3_CLA_CJS", "pct_first_time_entrants_looked_after", "RBKC", "2021-22") == pytest.approx(50.0)


def test_proven_reoffending_cohort_2020_21(published):
    # Cohort 1 Apr 2020 - 31 Mar 2021: Y6 (index: conditional caution 15 Jun 2020), Y7 (caution
    # 1 Nov 2020), Y8 (index: release from custody 1 May 2020, before his YRO of 1 Dec 2020) -> 3.
    # Y6: follow-up to 15 Jun 2021, proven by 15 Dec 2021.
    #   O6B (1 May 2021, proven 1 Oct 2021)   counted;
    #   O6C (10 Jun 2021, proven 10 Dec 2021) counted: proven after the 12 months, inside the
    #                                          6-month waiting period;
    #   O6D (20 Jun 2021)                     committed after the 12 months: not counted;
    #   O6E (20 May 2021, proven 5 Jan 2022)  proven too late: not counted.         -> 2
    # Y7: the criminal damage got a community resolution (not a proven reoffence) and the
    #   breach is not a new offence                                                  -> 0
    # Y8: theft of 1 Sep 2020, YRO 1 Dec 2020 (follow-up to 1 May 2021)              -> 1
    assert value(published, "P3_YJ_REOFFENDING", "cohort_size", "RBKC", "2020-21") == 3
    assert value(published, "P3_YJ_REOFFENDING", "reoffenders", "RBKC", "2020-21") == 2
    assert value(published, "P3_YJ_REOFFENDING", "reoffences", "RBKC", "2020-21") == 3
    assert value(published, "P3_YJ_REOFFENDING", "binary_rate", "RBKC", "2020-21") == pytest.approx(200 / 3)
    # Frequency: 3 reoffences / 2 reoffenders = 1.5; per cohort member 3 / 3 = 1.0.
    assert row(published, "P3_YJ_REOFFENDING", "reoffences_per_reoffender", "RBKC", "2020-21") == pytest.approx((3, 2, 1.5))
    assert value(published, "P3_YJ_REOFFENDING", "reoffences_per_offender", "RBKC", "2020-21") == pytest.approx(1.0)
    # By index route: out of court Y6 and Y7 (1 reoffender of 2), custody release Y8 (1 of 1).
    assert row(published, "P3_YJ_REOFFENDING", "binary_rate", "RBKC", "2020-21", "index_route", "out_of_court")[:2] == (1, 2)
    assert row(published, "P3_YJ_REOFFENDING", "binary_rate", "RBKC", "2020-21", "index_route", "custody_release")[:2] == (1, 1)


def test_recent_cohorts_are_live_trackers(published):
    # 2021-22 ends 31 Mar 2022; 18 months later (30 Sep 2023) is after the extract: its figures
    # are published only under the live-tracker names.
    labels = {
        r[0]
        for r in published.execute(
            "select statistic from marts.outcome_measures where measure_id = 'P3_YJ_REOFFENDING' and period_label = '2021-22'"
        ).fetchall()
    }
    assert "binary_rate_live_tracker" in labels and "binary_rate" not in labels


def test_custody_remands_and_overnight_holds(published):
    # 2019-20: Y8's DTO -> 1 custodial sentence, 1 / 10,000 x 1,000 = 0.1 per 1,000.
    assert row(published, "P3_YJ_CUSTODY", "rate_per_1000", "RBKC", "2019-20") == pytest.approx((1, 10000, 0.1))
    assert value(published, "P3_YJ_CUSTODY", "rate_per_1000", "WCC", "12 months to Mar 2023") == 0
    # 2021-22: Y3 remanded to youth detention accommodation on 2 Feb 2022, not looked after.
    assert value(published, "P3_YJ_CUSTODY", "count_remands", "RBKC", "2021-22", "remand_type", "youth_detention_accommodation") == 1
    assert value(published, "P3_YJ_CUSTODY", "count_looked_after_children_remanded", "RBKC", "2021-22") == 0
    # Held overnight in 2021-22: Y6 twice (the second without a flag, released the next day) and
    # Y1 once; Y3 was released the same afternoon. 3 holds, 2 children; Y1's record leaves the
    # looked-after box blank, so Mosaic answers: looked after -> 1.
    assert value(published, "P3_YJ_CUSTODY", "count_held_overnight", "RBKC", "2021-22") == 3
    assert value(published, "P3_YJ_CUSTODY", "count_children_held_overnight", "RBKC", "2021-22") == 2
    assert value(published, "P3_YJ_CUSTODY", "count_looked_after_children_held_overnight", "RBKC", "2021-22") == 1


def test_serious_violence_distinct_children_are_not_summed(published):
    # 2022-23: Y3's referral order covers a robbery (gravity 6) and knife possession (violence
    # against the person, gravity 5): two serious youth violence offences in two groups, by one
    # child. The total of children is 1, not the 2 the group rows add up to.
    assert value(published, "P3_YJ_KPI_SERIOUS_VIOLENCE", "count_syv_offences", "RBKC", "2022-23") == 2
    assert value(published, "P3_YJ_KPI_SERIOUS_VIOLENCE", "count_syv_children", "RBKC", "2022-23", "offence_group", "ROBBERY") == 1
    assert value(published, "P3_YJ_KPI_SERIOUS_VIOLENCE", "count_syv_children", "RBKC", "2022-23", "offence_group", "VAP") == 1
    assert value(published, "P3_YJ_KPI_SERIOUS_VIOLENCE", "count_syv_children", "RBKC", "2022-23") == 1
    # The 2022-23 caseload is Y3 alone (his order from 25 May 2022), convicted -> 100%.
    assert row(published, "P3_YJ_KPI_SERIOUS_VIOLENCE", "percent", "RBKC", "2022-23") == pytest.approx((1, 1, 100.0))
    # Knife: the possession offence, through the court.
    assert value(published, "P3_KNIFE_OFFENCES_U18", "count_proven_offences", "RBKC", "2022-23") == 1
    assert value(published, "P3_KNIFE_OFFENCES_U18", "count_proven_offences", "RBKC", "2022-23", "route", "court") == 1


def test_offences_proven_in_the_year(published):
    # Outcomes dated 2021-22: O1A, O2A, O2B, O4A, O5A, O6B, O6C, O6D, O6E, O7B, O7C -> 11 offences,
    # of which violence: O6C (robbery) and O6D (violence against the person) -> 2 / 11.
    assert value(published, "P3_VIOLENT_OFFENCES_U18", "count_proven_offences", "RBKC", "2021-22") == 11
    assert row(published, "P3_VIOLENT_OFFENCES_U18", "pct_proven_violence", "RBKC", "2021-22")[:2] == (2, 11)


def test_out_of_court_disposals(published):
    # 2021-22 Q4 (Jan-Mar 2022): K1 completed (ended 10 Jan), K2 not completed (15 Feb), K3
    # transferred (20 Mar: left out) -> 1 of 2 = 50%.
    assert row(published, "P3_YJ_KPI_OOCD", "percent_completed", "RBKC", "2021-22 Q4") == pytest.approx((1, 2, 50.0))
    # Given in 2021-22: community resolutions Y2 (1 Jun) and Y7 (1 Apr), cautions Y1, Y4, Y5,
    # conditional caution Y2 -> 6.
    assert value(published, "P3_YJ_KPI_OOCD", "count_given", "RBKC", "2021-22") == 6
    assert value(published, "P3_YJ_KPI_OOCD", "count_given", "RBKC", "2021-22", "outcome_type", "YC") == 3


def test_kpis_count_each_child_once(published):
    # Interventions ending in 2021-22: K1 (Y2), K2 (Y1), K3 (Y5), K4 and K5 (both Y6). Y6 counts
    # once, with his latest, K4 (31 Mar). Suitable ETE at the end: K1 yes, K2 no, K3 yes, K4 yes
    # -> 3 of 4 children (counting K5 too would wrongly give 3 of 5).
    assert row(published, "P4_YJ_KPI_ETE", "pct_suitable_end", "RBKC", "2021-22") == pytest.approx((3, 4, 75.0))
    # School age (under 16 on 31 Aug 2021): Y2, Y1, Y5 -> 2 of 3; Y6 (17) above school age -> 1 of 1.
    assert row(published, "P4_YJ_KPI_ETE", "pct_suitable_end", "RBKC", "2021-22", "school_age", "school_age")[:2] == (2, 3)
    assert row(published, "P4_YJ_KPI_ETE", "pct_suitable_end", "RBKC", "2021-22", "school_age", "above_school_age")[:2] == (1, 1)
    # SEND: Y1 and Y6 have identified SEND and a learning plan; only Y6 is in suitable ETE -> 1 / 2.
    assert row(published, "P4_YJ_KPI_SEND", "percent", "RBKC", "2021-22") == pytest.approx((1, 2, 50.0))
    # Mental health cascade: screened K1, K2, K4 (3 of 4); need K1, K4 (2 of 3); offered K1
    # (1 of 2); attending K1 (1 of 1); sessions 8 of 10.
    assert row(published, "P6_YJ_KPI_MENTAL_HEALTH", "pct_screened", "RBKC", "2021-22")[:2] == (3, 4)
    assert row(published, "P6_YJ_KPI_MENTAL_HEALTH", "pct_need_of_screened", "RBKC", "2021-22")[:2] == (2, 3)
    assert row(published, "P6_YJ_KPI_MENTAL_HEALTH", "pct_offered_of_need", "RBKC", "2021-22")[:2] == (1, 2)
    assert row(published, "P6_YJ_KPI_MENTAL_HEALTH", "pct_sessions_attended", "RBKC", "2021-22") == pytest.approx((8, 10, 80.0))
    # Wider services recorded at the end: K1 early help, K2 looked after -> 2 of 4.
    assert row(published, "P3_YJ_KPI_WIDER_SERVICES", "pct_recorded_at_end", "RBKC", "2021-22")[:2] == (2, 4)


def test_wider_services_from_mosaic(published):
    # Caseload on 31 Dec 2021: K1 (Y2), K2 (Y1), K4 and K5 (Y6) open -> 3 children. Y1 is M1:
    # looked after and in need that day -> 1 of 3.
    assert row(published, "P3_YJ_KPI_WIDER_SERVICES", "pct_open_to_social_care", "RBKC", "31 Dec 2021")[:2] == (1, 3)
    assert row(published, "P3_YJ_KPI_WIDER_SERVICES", "pct_open_to_social_care", "RBKC", "31 Dec 2021", "status", "looked_after")[:2] == (1, 3)
    # 2021-22 youth justice cohort (any outcome): Y1, Y2, Y4, Y5, Y6, Y7; looked after at some
    # time in the year: Y1 (M1, in care since 1 Jan 2021) -> 1 of 6.
    assert row(published, "P3_YJ_KPI_WIDER_SERVICES", "pct_looked_after_in_cohort", "RBKC", "2021-22")[:2] == (1, 6)


def test_victims(published):
    # 2021-22: V2 (theft with a community resolution: diversion) and V3 (robbery, YRO: court);
    # neither offered support. 2022-23: V1, contacted after 3 days, offered, took part.
    assert value(published, "P3_YJ_KPI_VICTIMS", "count_victims", "RBKC", "2021-22") == 2
    assert value(published, "P3_YJ_KPI_VICTIMS", "count_victims", "RBKC", "2021-22", "route", "diversion") == 1
    assert row(published, "P3_YJ_KPI_VICTIMS", "pct_offered", "RBKC", "2021-22")[:2] == (0, 2)
    assert row(published, "P3_YJ_KPI_VICTIMS", "pct_engaged", "RBKC", "2022-23") == pytest.approx((1, 1, 100.0))
    assert row(published, "P3_YJ_KPI_VICTIMS", "pct_contacted_within_5_days", "RBKC", "2022-23")[:2] == (1, 1)
    # Calendar year 2021: V2 (5 Jun) and V3 (15 Dec).
    assert value(published, "P3_YJ_KPI_VICTIMS", "count_victims", "RBKC", "2021") == 2


def test_disproportionality_ratio_worked_by_hand(published):
    # 2021-22 youth justice cohort (any outcome), RBKC: Y1 Black, Y2 White, Y4 Asian, Y5 Mixed,
    # Y6 Black, Y7 Mixed -> 6 children of known ethnicity; Black 2.
    # Census 2021 aged 10-17: Black 1,500 of 10,000 = 15%.
    # Expected Black = 6 x 0.15 = 0.9; ratio = 2 / 0.9 = 2.22; shares 33.3% against 15%.
    black = "Black, Black British, Caribbean or African"
    assert row(published, "P3_YJ_DISPROPORTIONALITY", "ratio_yj_cohort", "RBKC", "2021-22", "ethnicity", black) == pytest.approx((2, 0.9, 2 / 0.9))
    assert value(published, "P3_YJ_DISPROPORTIONALITY", "pct_of_yj_cohort", "RBKC", "2021-22", "ethnicity", black) == pytest.approx(100 * 2 / 6)
    assert value(published, "P3_YJ_DISPROPORTIONALITY", "pct_of_population_10_17", "RBKC", "2021-22", "ethnicity", black) == pytest.approx(15.0)
    # White: 1 observed, expected 6 x 0.40 = 2.4 -> 0.417 (under-represented).
    assert value(published, "P3_YJ_DISPROPORTIONALITY", "ratio_yj_cohort", "RBKC", "2021-22", "ethnicity", "White") == pytest.approx(1 / 2.4)
    # WCC: W1 (Other) alone; Black expected 1 x 1,000 / 5,000 = 0.2, observed 0.
    # Bi-borough: observed 2 + 0, expected 0.9 + 0.2 -> 2 / 1.1 = 1.82 (each borough's own
    # population predicts its own cohort; not the ratio of pooled shares).
    assert row(published, "P3_YJ_DISPROPORTIONALITY", "ratio_yj_cohort", "BI", "2021-22", "ethnicity", black) == pytest.approx((2, 1.1, 2 / 1.1))
    # Population share pools the census: (1,500 + 1,000) / 15,000 = 16.7%.
    assert value(published, "P3_YJ_DISPROPORTIONALITY", "pct_of_population_10_17", "BI", "2021-22", "ethnicity", black) == pytest.approx(100 * 2500 / 15000)


def test_looked_after_disproportionality_uses_census_0_17(published):
    # Looked after on 31 Mar 2023: M1 (BCRB) and M2 (WBRI). Census aged 0-17: Black 2,500 of
    # 13,000. Expected Black = 2 x 2,500 / 13,000 = 0.385; ratio = 1 / 0.385 = 2.6.
    black = "Black, Black British, Caribbean or African"
    assert value(published, "P3_YJ_DISPROPORTIONALITY", "ratio_looked_after", "RBKC", "31 Mar 2023", "ethnicity", black) == pytest.approx(2.6)
    assert value(published, "P3_YJ_DISPROPORTIONALITY", "pct_of_population_0_17", "RBKC", "31 Mar 2023", "ethnicity", black) == pytest.approx(100 * 2500 / 13000)
