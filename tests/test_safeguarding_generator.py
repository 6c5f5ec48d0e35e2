"""Synthetic front door, child protection visits, assessment factors, early help, EHC plans,
pre-proceedings and disability (pipelines/synthetic/safeguarding.py): journeys that make sense,
and the published figures they are calibrated to."""

from __future__ import annotations

import duckdb
import numpy as np
import pytest

from pipelines.synthetic.calendar import england_bank_holidays


@pytest.fixture(scope="module")
def tables(synthetic_extract):
    con = duckdb.connect()
    for path in (synthetic_extract / "mosaic" / "2023-05-15").glob("*.csv"):
        # Ids and the factors column as text, whatever they look like; the rest typed by DuckDB.
        header = con.execute(f"select * from read_csv('{path}', all_varchar = true) limit 0").description
        text = {c[0]: "VARCHAR" for c in header if c[0].endswith("_id") or c[0].endswith("_json")}
        con.execute(f"create table {path.stem} as select * from read_csv('{path}', sample_size = -1, types = {text!r})")
    yield con
    con.close()


def _count(con, sql: str) -> int:
    return con.execute(sql).fetchall()[0][0]


def test_every_table_of_the_module_is_written(tables):
    for table in ("ssd_contacts", "ssd_assessment_factors", "ssd_cp_visits", "ssd_early_help_episodes", "ssd_ehcp_requests",
                  "ssd_ehcp_assessment", "ssd_ehcp_named_plan", "ssd_pre_proceedings", "ssd_disability"):
        assert _count(tables, f"select count(distinct la_code) from {table}") == 2, table


@pytest.mark.parametrize(
    "table, person_column",
    [("ssd_contacts", "cont_person_id"), ("ssd_cp_visits", "cppv_person_id"), ("ssd_early_help_episodes", "earl_person_id"),
     ("ssd_pre_proceedings", "prep_person_id"), ("ssd_disability", "disa_person_id"), ("ssd_legal_status", "lega_person_id")],
)
def test_every_person_is_in_ssd_person(tables, table, person_column):
    assert _count(tables, f"select count(*) from {table} t left join ssd_person p on t.{person_column} = p.pers_person_id where p.pers_person_id is null") == 0


def test_every_referral_has_a_contact_within_days_before(tables):
    assert _count(
        tables,
        """select count(*) from ssd_cin_episodes r where not exists (
             select 1 from ssd_contacts c where c.cont_person_id = r.cine_person_id
             and c.cont_contact_date between r.cine_referral_date - 5 and r.cine_referral_date)""",
    ) == 0


def test_most_contacts_lead_nowhere(tables):
    # Contacts with no referral of the child in the following 7 days: about 1 - 1/2.6.
    share = tables.execute(
        """select avg(case when exists (select 1 from ssd_cin_episodes r where r.cine_person_id = c.cont_person_id
                  and r.cine_referral_date between c.cont_contact_date and c.cont_contact_date + 7) then 0.0 else 1.0 end)
           from ssd_contacts c"""
    ).fetchall()[0][0]
    assert 0.55 < share < 0.68


def test_no_visit_outside_its_plan(tables):
    assert _count(
        tables,
        """select count(*) from ssd_cp_visits v join ssd_cp_plans p on v.cppv_cp_plan_id = p.cppl_cp_plan_id
           where v.cppv_cp_visit_date < p.cppl_cp_plan_start_date
              or v.cppv_cp_visit_date >= coalesce(p.cppl_cp_plan_end_date, date '2023-05-16')
              or v.cppv_person_id <> p.cppl_person_id""",
    ) == 0
    assert _count(tables, "select count(*) from ssd_cp_visits v anti join ssd_cp_plans p on v.cppv_cp_plan_id = p.cppl_cp_plan_id") == 0


def test_visits_are_mostly_within_ten_working_days(tables):
    # One plan in eight has late gaps (11-20 working days) 12% of the time, the rest 0.2%: about
    # 1.6% of gaps between visits are late.
    rows = tables.execute(
        """select previous, cppv_cp_visit_date from (
             select cppv_cp_visit_date, lag(cppv_cp_visit_date) over (partition by cppv_cp_plan_id order by cppv_cp_visit_date) as previous
             from ssd_cp_visits) where previous is not null"""
    ).fetchnumpy()
    gaps = np.busday_count(rows["previous"].astype("datetime64[D]"), rows["cppv_cp_visit_date"].astype("datetime64[D]"), holidays=england_bank_holidays())
    assert gaps.min() >= 1
    assert 0.008 < (gaps > 10).mean() < 0.03


def test_factors_belong_to_completed_assessments_and_parse(tables):
    assert _count(
        tables,
        """select count(*) from ssd_assessment_factors f left join ssd_cin_assessments a on f.cinf_assessment_id = a.cina_assessment_id
           where a.cina_assessment_auth_date is null""",
    ) == 0
    assert _count(tables, "select count(*) from ssd_assessment_factors where json_type(cinf_assessment_factors_json::json) <> 'OBJECT'") == 0


def test_child_criminal_exploitation_only_from_2021_22(tables):
    # 24A was first collected in the 2021-22 CIN census; earlier concerns were coded 13A (gangs).
    early = _count(
        tables,
        """select count(*) from ssd_assessment_factors f join ssd_cin_assessments a on f.cinf_assessment_id = a.cina_assessment_id
           where cinf_assessment_factors_json like '%"24A"%' and a.cina_assessment_auth_date < date '2021-04-01'""",
    )
    later = _count(tables, """select count(*) from ssd_assessment_factors where cinf_assessment_factors_json like '%"24A"%'""")
    assert early == 0 and later > 50


def test_exploitation_factors_are_for_adolescents(tables):
    young = _count(
        tables,
        """select count(*) from ssd_assessment_factors f join ssd_cin_assessments a on f.cinf_assessment_id = a.cina_assessment_id
           join ssd_person p on a.cina_person_id = p.pers_person_id
           where regexp_matches(cinf_assessment_factors_json, '"(11A|13A|24A)"')
             and date_diff('year', coalesce(p.pers_dob, p.pers_expected_dob), a.cina_assessment_auth_date) < 9""",
    )
    assert young == 0


def test_wcc_child_mental_health_factor_q4_2022_23_is_the_published_67(tables):
    # F004-L0678-01: 67 in Q4 2022/23, the highest point over 24 months.
    by_quarter = dict(
        tables.execute(
            """select date_trunc('quarter', a.cina_assessment_auth_date), count(*) from ssd_assessment_factors f
               join ssd_cin_assessments a on f.cinf_assessment_id = a.cina_assessment_id
               where a.la_code = 213 and cinf_assessment_factors_json like '%"4A"%'
                 and a.cina_assessment_auth_date between date '2021-04-01' and date '2023-03-31' group by 1"""
        ).fetchall()
    )
    q4 = [v for k, v in by_quarter.items() if k.year == 2023 and k.month == 1]
    assert q4 == [67]
    assert max(v for k, v in by_quarter.items() if not (k.year == 2023 and k.month == 1)) < 67


def test_early_help_episodes_do_not_overlap_social_care_or_each_other(tables):
    overlapping = _count(
        tables,
        """select count(*) from (select earl_episode_start_date s, lag(earl_episode_end_date) over (partition by earl_person_id order by earl_episode_start_date) prev_end,
                  lag(earl_episode_id) over (partition by earl_person_id order by earl_episode_start_date) prev_id from ssd_early_help_episodes)
           where prev_id is not null and (prev_end is null or prev_end >= s)""",
    )
    assert overlapping == 0
    open_to_social_care = _count(
        tables,
        """select count(*) from ssd_early_help_episodes e join ssd_cin_episodes r on r.cine_person_id = e.earl_person_id
           where r.cine_referral_date <= e.earl_episode_start_date and coalesce(r.cine_close_date, date '2100-01-01') >= e.earl_episode_start_date""",
    )
    assert open_to_social_care == 0


def test_step_ups_end_on_a_referral(tables):
    assert _count(
        tables,
        """select count(*) from ssd_early_help_episodes e where earl_episode_end_reason = 'STEP_UP' and not exists (
             select 1 from ssd_cin_episodes r where r.cine_person_id = e.earl_person_id and r.cine_referral_date = e.earl_episode_end_date)""",
    ) == 0
    assert _count(tables, "select count(*) from ssd_early_help_episodes where earl_episode_end_reason = 'STEP_UP'") > 100


def test_early_help_families_at_31_march_rise_as_published(tables):
    # RBKC +21% (F000-L0189-01), WCC +16% (F004-L0127-01) from 31 March 2022 to 31 March 2023.
    rows = dict(
        tables.execute(
            """select la_code, count(distinct earl_family_id) filter (where earl_episode_start_date <= date '2023-03-31' and coalesce(earl_episode_end_date, date '2100-01-01') > date '2023-03-31')
                 / count(distinct earl_family_id) filter (where earl_episode_start_date <= date '2022-03-31' and coalesce(earl_episode_end_date, date '2100-01-01') > date '2022-03-31')
               from ssd_early_help_episodes group by 1"""
        ).fetchall()
    )
    assert rows[207] == pytest.approx(1.21, abs=0.03)
    assert rows[213] == pytest.approx(1.16, abs=0.03)


def test_no_ehc_plan_before_its_request(tables):
    assert _count(
        tables,
        """select count(*) from ssd_ehcp_assessment a join ssd_ehcp_requests r on a.ehca_ehcp_request_id = r.ehcr_ehcp_request_id
           where a.ehca_ehcp_assessment_outcome_date < r.ehcr_ehcp_req_date or r.ehcr_ehcp_req_outcome <> 'Y'
              or r.ehcr_ehcp_req_outcome_date > a.ehca_ehcp_assessment_outcome_date""",
    ) == 0
    assert _count(
        tables,
        """select count(*) from ssd_ehcp_named_plan n join ssd_ehcp_assessment a on n.ehcn_ehcp_asmt_id = a.ehca_ehcp_assessment_id
           where n.ehcn_named_plan_start_date < a.ehca_ehcp_assessment_outcome_date or a.ehca_ehcp_assessment_outcome <> 'Y'""",
    ) == 0
    assert _count(tables, "select count(*) from ssd_ehcp_named_plan where ehcn_named_plan_start_date < date '2014-09-01'") == 0


def test_ehcp_q4_2022_23_matches_the_published_plans(tables):
    # F000-L0613-01 / F004-L0607-01: all 17 (RBKC) and 28 (WCC) plans in Q4 within 20 weeks.
    rows = tables.execute(
        """select r.la_code, count(*), count(*) filter (where a.ehca_ehcp_assessment_outcome_date - r.ehcr_ehcp_req_date <= 140)
           from ssd_ehcp_assessment a join ssd_ehcp_requests r on a.ehca_ehcp_request_id = r.ehcr_ehcp_request_id
           where a.ehca_ehcp_assessment_outcome = 'Y' and not a.ehca_ehcp_assessment_exceptions
             and a.ehca_ehcp_assessment_outcome_date between date '2023-01-01' and date '2023-03-31' group by 1 order by 1"""
    ).fetchall()
    assert rows == [(207, 17, 17), (213, 28, 28)]


def test_pre_proceedings_follow_a_plan_and_issue_only_before_care(tables):
    assert _count(
        tables,
        """select count(*) from ssd_pre_proceedings pp where not exists (select 1 from ssd_cp_plans p
             where p.cppl_person_id = pp.prep_person_id and p.cppl_cp_plan_start_date < pp.prep_pre_pro_decision_date)""",
    ) == 0
    assert _count(
        tables,
        """select count(*) from ssd_pre_proceedings pp where prep_pre_pro_outcome = 'ISSUE' and not exists (select 1 from ssd_cla_episodes e
             where e.clae_person_id = pp.prep_person_id and e.clae_cla_episode_start_date >= pp.prep_pre_pro_decision_date)""",
    ) == 0


def test_short_breaks_are_for_disabled_children_never_otherwise_looked_after(tables):
    assert _count(tables, "select count(*) from ssd_legal_status where lega_legal_status in ('V3', 'V4')") > 20
    assert _count(
        tables,
        """select count(*) from ssd_legal_status s where lega_legal_status in ('V3', 'V4') and (
             exists (select 1 from ssd_cla_episodes e where e.clae_person_id = s.lega_person_id)
             or not exists (select 1 from ssd_disability d where d.disa_person_id = s.lega_person_id and d.disa_disability_code <> 'NONE'))""",
    ) == 0


def test_disability_rows_are_unique_and_none_is_alone(tables):
    assert _count(tables, "select count(*) from (select disa_person_id, disa_disability_code from ssd_disability group by all having count(*) > 1)") == 0
    assert _count(
        tables,
        "select count(*) from (select disa_person_id from ssd_disability group by 1 having bool_or(disa_disability_code = 'NONE') and count(*) > 1)",
    ) == 0
