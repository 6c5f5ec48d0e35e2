"""The synthetic youth justice and census extracts: deterministic, journeys that make sense, linked
to the Mosaic children, and calibrated to the published figures they claim to reproduce."""

from __future__ import annotations

import json

import duckdb
import pytest

from pipelines.synthetic.generate import GenerationSpec

YJ_TABLES = ("yj_person", "yj_offence", "yj_outcome", "yj_custody_episode", "yj_police_custody", "yj_victim", "yj_case_kpi")
FORMAL = "('YC', 'YCC', 'AD', 'CD', 'FINE', 'RO', 'YRO', 'YRO_ISS', 'DTO', 'S250', 'CUST_OTHER')"


@pytest.fixture(scope="module")
def extract(synthetic_extract):
    return synthetic_extract


@pytest.fixture(scope="module")
def con(extract):
    con = duckdb.connect()
    for table in YJ_TABLES:
        path = extract / "youth_justice" / "2023-05-15" / f"{table}.csv"
        con.execute(f"create table {table} as select * from read_csv('{path}', header = true, all_varchar = true)")
    for table in ("ssd_person", "ssd_cla_episodes"):
        path = extract / "mosaic" / "2023-05-15" / f"{table}.csv"
        con.execute(f"create table {table} as select * from read_csv('{path}', header = true, all_varchar = true)")
    con.execute(f"create table census as select * from read_csv('{extract / 'census' / '2022-11-29' / 'ethnic_group_by_age.csv'}', header = true)")
    con.execute(f"create table mye as select * from read_csv('{extract / 'ons' / '2023-05-01' / 'mid_year_estimates.csv'}', header = true)")
    # Offences with their outcome and the child's date of birth, dates typed.
    con.execute(
        """create view offences as
           select f.offence_id, f.yj_person_id, f.la_code, cast(f.offence_date as date) as offence_date, f.offence_category,
                  o.outcome_id, cast(o.outcome_date as date) as outcome_date, o.outcome_type, cast(p.date_of_birth as date) as dob
           from yj_offence f
           join yj_person p on p.yj_person_id = f.yj_person_id
           left join yj_outcome o on o.outcome_id = f.outcome_id"""
    )
    yield con
    con.close()


def _one(con, sql):
    return con.execute(sql).fetchall()[0][0]


def _build(seed: int) -> dict:
    """The youth justice and census builders on a fresh simulation of both boroughs' journeys."""
    from pipelines.synthetic import census, youth_justice
    from pipelines.synthetic.calendar import day
    from pipelines.synthetic.generate import Generation, _rng
    from pipelines.synthetic.profiles import BOROUGHS
    from pipelines.synthetic.social_care import Counters, simulate_borough

    spec = GenerationSpec(seed=seed)
    ids = {k: Counters() for k in ("person", "referral", "assessment", "cin_plan", "s47", "icpc", "cp_plan", "cla_period", "placement", "cla_episode", "legal_status", "immigration")}
    journeys = [simulate_borough(_rng(seed, b, 1), p, day(spec.extract_date), 1, ids)[1] for b, p in enumerate(BOROUGHS)]
    gen = Generation(spec=spec, journeys=journeys, ids=ids)
    return {**youth_justice.build(gen), **{k: v.to_pydict() for k, v in census.build(gen).items()}}


def test_deterministic_for_a_seed_and_different_for_another():
    first, second, other = _build(20230515), _build(20230515), _build(11)
    assert first.keys() == second.keys()
    for table, columns in first.items():
        for column, values in columns.items():
            assert list(values) == list(second[table][column]), (table, column)
    assert list(first["yj_offence"]["offence_date"]) != list(other["yj_offence"]["offence_date"])


def test_every_extract_is_labelled_synthetic(extract):
    for folder in (extract / "youth_justice" / "2023-05-15", extract / "census" / "2022-11-29"):
        manifest = json.loads((folder / "manifest.json").read_text())
        assert manifest["synthetic"] is True and "SYNTHETIC" in manifest["notice"]


def test_no_outcome_before_its_offences(con):
    assert _one(con, "select count(*) from offences where outcome_date < offence_date") == 0
    # and every outcome disposes of at least one offence
    assert _one(con, "select count(*) from yj_outcome o where not exists (select 1 from yj_offence f where f.outcome_id = o.outcome_id)") == 0


def test_every_offence_committed_aged_10_to_17(con):
    ages = con.execute(
        """select min(age), max(age) from (
             select date_diff('year', dob, offence_date)
                    - case when strftime(offence_date, '%m%d') < strftime(dob, '%m%d') then 1 else 0 end as age
             from offences)"""
    ).fetchall()[0]
    assert ages[0] >= 10 and ages[1] <= 17, ages


def test_references_resolve(con):
    assert _one(con, "select count(*) from yj_offence f left join yj_person p using (yj_person_id) where p.yj_person_id is null") == 0
    assert _one(con, "select count(*) from yj_offence f left join yj_outcome o using (outcome_id) where f.outcome_id is not null and o.outcome_id is null") == 0
    assert _one(con, "select count(*) from yj_victim v left join yj_offence f using (offence_id) where f.offence_id is null") == 0
    assert _one(con, "select count(*) from yj_case_kpi k left join yj_outcome o using (outcome_id) where o.outcome_id is null") == 0
    # custody after sentence, interventions after the outcome they deliver
    assert _one(con, "select count(*) from yj_custody_episode c join yj_outcome o using (outcome_id) where cast(c.start_date as date) < cast(o.outcome_date as date)") == 0
    assert _one(con, "select count(*) from yj_case_kpi k join yj_outcome o using (outcome_id) where cast(k.start_date as date) < cast(o.outcome_date as date)") == 0
    assert _one(con, "select count(*) from yj_case_kpi where end_date is not null and cast(end_date as date) < cast(start_date as date)") == 0


def test_first_ever_flag_marks_the_first_formal_outcome(con):
    wrong = _one(
        con,
        f"""select count(*) from (
              select outcome_id, first_ever_flag,
                     row_number() over (partition by yj_person_id order by cast(outcome_date as date), outcome_id) = 1 as is_first
              from yj_outcome where outcome_type in {FORMAL})
            where (first_ever_flag = 'Y') <> is_first""",
    )
    assert wrong == 0


def test_children_link_to_their_mosaic_record(con):
    # Most youth justice children are known to social care, and the link is the same child.
    linked, total = con.execute("select count(mosaic_person_id), count(*) from yj_person").fetchall()[0]
    assert 0.4 < linked / total < 0.8
    mismatched = _one(
        con,
        """select count(*) from yj_person y join ssd_person m on m.pers_person_id = y.mosaic_person_id
           where m.pers_dob <> y.date_of_birth or m.pers_sex <> y.sex or m.pers_ethnicity <> y.ethnicity
              or (m.pers_upn is not null and y.upn is not null and m.pers_upn <> y.upn)""",
    )
    assert mismatched == 0
    assert _one(con, "select count(*) from yj_person y left join ssd_person m on m.pers_person_id = y.mosaic_person_id where y.mosaic_person_id is not null and m.pers_person_id is null") == 0


def test_looked_after_children_boys_and_older_teenagers_are_over_represented(con):
    # Share of linked youth justice children who were ever looked after, against the share of
    # all Mosaic children of youth justice age.
    yj_share = _one(con, "select avg(case when exists (select 1 from ssd_cla_episodes e where e.clae_person_id = y.mosaic_person_id) then 1.0 else 0 end) from yj_person y where y.mosaic_person_id is not null")
    mosaic_share = _one(con, "select avg(case when exists (select 1 from ssd_cla_episodes e where e.clae_person_id = m.pers_person_id) then 1.0 else 0 end) from ssd_person m where cast(m.pers_dob as date) between date '1998-01-01' and date '2012-12-31'")
    assert yj_share > 2 * mosaic_share, (yj_share, mosaic_share)
    assert _one(con, "select avg(case when sex = 'M' then 1.0 else 0 end) from yj_person") > 0.8
    median_age = _one(con, "select median(date_diff('day', dob, offence_date) / 365.25) from offences")
    assert 14.5 < median_age < 17


def test_first_time_entrants_match_the_published_counts(con):
    def entrants(la, start, end):
        return _one(
            con,
            f"""select count(*) from (
                  select o.yj_person_id, min(cast(o.outcome_date as date)) as first_formal
                  from yj_outcome o join yj_person p using (yj_person_id)
                  where o.outcome_type in {FORMAL} and coalesce(p.home_la_code, p.la_code) = p.la_code and p.la_code = '{la}'
                  group by o.yj_person_id)
                where first_formal between date '{start}' and date '{end}'""",
        )

    assert entrants("207", "2021-10-01", "2022-09-30") == 20  # F001-L2991-05
    assert entrants("207", "2020-10-01", "2021-09-30") == 15  # F001-L2991-04
    assert entrants("213", "2021-10-01", "2022-09-30") == 20  # 137 per 100,000, F004-L0574-01
    assert entrants("213", "2022-01-01", "2022-12-31") == 19  # 132 per 100,000, F001-L1820-01
    assert entrants("207", "2023-01-01", "2023-03-31") == 2  # F001-L2995-01


def test_proven_reoffending_cohort_matches_the_published_one(con):
    # The MoJ definition written out independently of the generator and the dbt models, on the
    # delivered files: RBKC April 2020 - March 2021, 31 children, 8 reoffended, 14 reoffences
    # (F001-L3008-03/04, F001-L3010-01).
    cohort = con.execute(
        f"""with events as (
              select yj_person_id, la_code, cast(outcome_date as date) as d from yj_outcome where outcome_type in {FORMAL}
              union all
              select yj_person_id, la_code, cast(end_date as date) from yj_custody_episode where episode_type = 'SENTENCED' and end_date is not null),
            idx as (select yj_person_id, min(d) as index_date from events
                    where la_code = '207' and d between date '2020-04-01' and date '2021-03-31' group by 1),
            re as (select idx.yj_person_id, count(f.offence_id) as n from idx left join offences f
                     on f.yj_person_id = idx.yj_person_id and f.outcome_type in {FORMAL} and f.offence_category <> 'BREACH'
                    and f.offence_date > idx.index_date and f.offence_date <= idx.index_date + interval 12 month
                    and f.outcome_date <= idx.index_date + interval 18 month
                   group by 1)
            select count(*), count(*) filter (where n > 0), sum(n) from re"""
    ).fetchall()[0]
    assert cohort == (31, 8, 14)


def test_custody_is_rare_and_westminster_had_none_in_2022_23(con):
    custodial, outcomes = con.execute("select count(*) filter (where outcome_type in ('DTO', 'S250', 'CUST_OTHER')), count(*) from yj_outcome").fetchall()[0]
    assert custodial / outcomes < 0.03
    assert _one(con, "select count(*) from yj_outcome where la_code = '213' and outcome_type in ('DTO', 'S250', 'CUST_OTHER') and cast(outcome_date as date) >= date '2021-04-01'") == 0


def test_census_agrees_with_the_ons_child_population_and_the_published_share(con):
    census = dict(
        con.execute(
            """select "geography code", sum("Ethnic group: Total: All usual residents") from census
               where age in ('Aged 4 years and under', 'Aged 5 to 9 years', 'Aged 10 to 14 years', 'Aged 15 to 17 years') group by 1"""
        ).fetchall()
    )
    mye = dict(con.execute("select ladcode23, sum(population_2021) from mye where age <= 17 group by 1").fetchall())
    for area, total in census.items():
        assert abs(total / mye[area] - 1) < 0.02, (area, total, mye[area])
    # "The Other group in 10-17-year population of borough is 21.6%" (F001-L1930-04)
    other = _one(
        con,
        """select sum("Ethnic group: Other ethnic group: Arab" + "Ethnic group: Other ethnic group: Any other ethnic group")
                  / sum("Ethnic group: Total: All usual residents")
           from census where "geography code" = 'E09000033' and age in ('Aged 10 to 14 years', 'Aged 15 to 17 years')""",
    )
    assert other == pytest.approx(0.216, abs=0.002)
