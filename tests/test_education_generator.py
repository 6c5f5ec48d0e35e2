"""The synthetic education extracts: deterministic, consistent with the school year and with the
children Mosaic knows, and calibrated to the published figures where the councils published one.

Built in memory from the simulated journeys (no files), so the checks run in seconds.
"""

from __future__ import annotations

import hashlib

import duckdb
import numpy as np
import pyarrow as pa
import pytest

from pipelines.synthetic import population
from pipelines.synthetic.calendar import day
from pipelines.synthetic.education import build_education
from pipelines.synthetic.generate import Generation, GenerationSpec, upn_for
from pipelines.synthetic.profiles import BOROUGHS
from pipelines.synthetic.social_care import Counters, simulate_borough

ID_KINDS = ("person", "referral", "assessment", "cin_plan", "s47", "icpc", "cp_plan", "cla_period", "placement", "cla_episode", "legal_status", "immigration")


def _generation(spec: GenerationSpec) -> Generation:
    ids = {k: Counters() for k in ID_KINDS}
    journeys = [simulate_borough(np.random.default_rng([spec.seed, b, 1]), p, day(spec.extract_date), spec.scale, ids)[1] for b, p in enumerate(BOROUGHS)]
    return Generation(spec=spec, journeys=journeys, ids=ids)


def _digest(tables) -> dict[str, str]:
    """sha256 of each table's Arrow IPC serialisation: equal tables built the same way give
    equal bytes."""
    out = {}
    for name, table in tables.items():
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        out[name] = hashlib.sha256(sink.getvalue().to_pybytes()).hexdigest()
    return out


@pytest.fixture(scope="module")
def generation():
    return _generation(GenerationSpec())


@pytest.fixture(scope="module")
def tables(generation):
    return build_education(generation)


@pytest.fixture(scope="module")
def con(tables):
    con = duckdb.connect()
    for name, table in tables.items():
        con.register(f"arrow_{name}", table)
        con.execute(f"create table {name} as select * from arrow_{name}")
    yield con
    con.close()


def one(con, sql: str):
    return con.execute(sql).fetchall()[0][0]


def test_same_seed_same_tables_and_other_seed_differs(generation, tables):
    assert _digest(build_education(generation)) == _digest(tables)
    other = build_education(_generation(GenerationSpec(seed=7)))
    assert _digest(other)["school_census_pupils"] != _digest(tables)["school_census_pupils"]


def test_pupils_are_in_the_year_group_of_their_age(con):
    # Reception is the academic year starting in the September after the fourth birthday: a
    # child born 1 Sep 2015 - 31 Aug 2016 is in reception in 2020/21 (named 2021).
    wrong = one(
        con,
        """
        with rows as (
            select
                cast(census_date as date) as d,
                cast(date_of_birth as date) as dob,
                nc_year_actual
            from school_census_pupils
        )
        select count(*) from rows
        where (year(d) + case when month(d) >= 9 then 1 else 0 end)
            - (year(dob) + case when month(dob) >= 9 then 6 else 5 end)
            <> case nc_year_actual when 'E2' then -1 when 'R' then 0 else cast(nc_year_actual as integer) end
        """,
    )
    assert wrong == 0
    # And nobody is on roll below nursery or above Year 13.
    assert one(con, "select count(*) from school_census_pupils where nc_year_actual not in ('E2', 'R', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12', '13')") == 0


def test_no_results_or_attendance_for_pupils_not_on_roll(con):
    # Results belong to pupils on roll at that school at the summer census of that year.
    for table in ("eyfsp_results", "ks2_results", "ks4_results"):
        orphans = one(
            con,
            f"""
            select count(*) from {table} r
            where not exists (
                select 1 from school_census_pupils c
                where c.upn = r.upn and c.urn = r.urn and c.census_term = 'SUM'
                  and year(cast(c.census_date as date)) = cast(substr(r.academic_year, 1, 4) as integer) + 1
            )
            """,
        )
        assert orphans == 0, table
    # Attendance of a term only for a pupil on roll at that school at that term's census.
    orphans = one(
        con,
        """
        select count(*) from school_attendance a
        where not exists (
            select 1 from school_census_pupils c
            where c.upn = a.upn and c.urn = a.urn and c.census_term = a.term
              and (year(cast(c.census_date as date)) + case when month(cast(c.census_date as date)) >= 9 then 1 else 0 end)
                  = cast(substr(a.academic_year, 1, 4) as integer) + 1
        )
        """,
    )
    assert orphans == 0
    # Absence never exceeds what was possible.
    assert one(con, "select count(*) from school_attendance where cast(sessions_authorised_absence as int) + cast(sessions_unauthorised_absence as int) > cast(sessions_possible as int)") == 0


def test_permanently_excluded_pupils_leave_the_school(con):
    later = one(
        con,
        """
        select count(*) from school_exclusions x
        join school_census_pupils c
          on c.upn = x.upn and c.urn = x.urn and cast(c.census_date as date) > cast(x.start_date as date)
        where x.category = 'PERM'
        """,
    )
    assert one(con, "select count(*) from school_exclusions where category = 'PERM'") > 0
    assert later == 0


def test_looked_after_children_are_in_the_census_under_their_mosaic_upn(generation, con):
    # Every child looked after on the spring 2022 census day, of compulsory school age and with
    # a UPN in Mosaic (not an unaccompanied asylum seeker), is on a school roll that day - in the
    # boroughs or, through the Virtual School, elsewhere - under the UPN Mosaic gives them.
    census_day = day("2022-01-20")
    on_roll = {r[0] for r in con.execute("select upn from school_census_pupils where census_date = '2022-01-20'").fetchall()}
    expected = []
    for journeys in generation.journeys:
        j = journeys
        looked_after = np.unique(j.cla_child[(j.cla_start <= census_day) & (j.cla_end > census_day)])
        age = (census_day - j.child_dob[looked_after]) / 365.25
        keep = looked_after[(age >= 6) & (age < 15.5) & ~j.child_uasc[looked_after]]
        expected += list(upn_for(j.profile.la_code, j.person_id[keep]))
    assert len(expected) > 20
    missing = [u for u in expected if u not in on_roll]
    assert not missing
    # Children in need mostly attend the boroughs' schools (some go to independent schools).
    in_need = []
    for j in generation.journeys:
        kids = np.unique(j.ref_child[(j.ref_date <= census_day) & (j.ref_close > census_day)])
        age = (census_day - j.child_dob[kids]) / 365.25
        kids = kids[(age >= 6) & (age < 15.5) & ~j.child_uasc[kids]]
        in_need += list(upn_for(j.profile.la_code, j.person_id[kids]))
    found = sum(u in on_roll for u in in_need) / len(in_need)
    assert 0.75 < found < 1.0


def test_resident_pupils_never_exceed_the_ons_population(generation, con):
    # Pupils at the boroughs' schools who live in the borough, by age on 31 August 2021 (spring
    # 2022 census), against the ONS mid-2021 estimate the generator writes for that age.
    for b, profile in enumerate(BOROUGHS):
        ons = population.mid_year_estimates(generation.rng(b, 3), profile, 1)
        by_age = {}
        for sex_age, count in zip(zip(ons["sex"], ons["age"]), ons["population_2021"]):
            by_age[sex_age[1]] = by_age.get(sex_age[1], 0) + count
        rows = con.execute(
            f"""
            select date_diff('year', cast(date_of_birth as date), date '2021-08-31')
                   - case when strftime(cast(date_of_birth as date), '%m%d') > '0831' then 1 else 0 end as age,
                   count(*)
            from school_census_pupils
            where census_date = '2022-01-20' and la_code = '{profile.la_code}' and resident_la_code = '{profile.la_code}'
            group by 1
            """
        ).fetchall()
        assert rows
        over = [(age, n, by_age[age]) for age, n in rows if n > by_age[age]]
        assert not over, f"{profile.short}: more resident pupils than children of that age: {over}"


def test_published_figures_are_met_at_the_source(con):
    # WCC spring 2023 census: 21,689 pupils, 968 EHC plans, 2,682 on SEN support
    # (F001-L1715-01, F001-L1714-01/02); within 1.5% (permanent exclusions take a few off).
    n, ehcp, support = con.execute(
        """select count(*), sum((sen_provision = 'E')::int), sum((sen_provision = 'K')::int)
           from school_census_pupils where la_code = '213' and census_date = '2023-01-19'"""
    ).fetchall()[0]
    assert abs(n - 21_689) / 21_689 < 0.015
    assert abs(ehcp - 968) / 968 < 0.05 and abs(support - 2_682) / 2_682 < 0.05
    # Ofsted at 31 March 2023: RBKC 22 outstanding and 16 good of 40; WCC 16, 38 and 3 of 57
    # (F000-L0778-*, F004-L0732-*). The judgement in force is the latest, unless the latest
    # inspection came after 31 March 2023, when it is the previous one.
    grades = dict(
        con.execute(
            """
            select la_code || ':' || grade, count(*) from (
                select la_code,
                       case when cast(ofsted_inspection_date as date) <= date '2023-03-31' then ofsted_overall_effectiveness
                            else previous_ofsted_overall_effectiveness end as grade
                from schools
                where la_code in ('207', '213') and close_date is null
            ) group by all
            """
        ).fetchall()
    )
    assert (grades["207:1"], grades["207:2"], grades.get("207:3", 0) + grades.get("207:4", 0)) == (22, 16, 2)
    assert (grades["213:1"], grades["213:2"], grades.get("213:3", 0) + grades.get("213:4", 0)) == (16, 38, 3)
    # Some schools were inspected between the snapshot and the extract, so the snapshot logic
    # matters.
    assert one(con, "select count(*) from schools where cast(ofsted_inspection_date as date) > date '2023-03-31'") > 0


def test_exceeding_only_under_the_2012_framework(con):
    elgs = " or ".join(f"elg_{i:02d} = '3'" for i in range(1, 18))
    assert one(con, f"select count(*) from eyfsp_results where framework = '2021' and ({elgs})") == 0
    assert one(con, f"select count(*) from eyfsp_results where framework = '2012' and ({elgs})") > 0
    # No assessments or tests in the pandemic years; Progress 8 not calculated for 2020 and 2021.
    assert one(con, "select count(*) from eyfsp_results where academic_year in ('2019/20', '2020/21')") == 0
    assert one(con, "select count(*) from ks2_results where academic_year in ('2019/20', '2020/21')") == 0
    assert one(con, "select count(*) from ks4_results where academic_year in ('2019/20', '2020/21') and progress_8 is not null") == 0


def test_scale_multiplies_the_pupils():
    small = build_education(_generation(GenerationSpec(scale=1)))["school_census_pupils"].num_rows
    triple = build_education(_generation(GenerationSpec(scale=3)))["school_census_pupils"].num_rows
    assert 2.8 < triple / small < 3.2


def test_home_educated_children_left_a_borough_school_and_are_not_on_roll(con):
    # Registrations after the first census link to a pupil who left one of the borough's
    # schools at the end of the term before: the register's UPN, school and date of birth are
    # the census's, and the child is on no roll while home educated.
    linked = one(
        con,
        """
        select count(*) from elective_home_education e
        where cast(e.start_date as date) > date '2018-12-20'
          and exists (select 1 from school_census_pupils c where c.upn = e.upn and c.urn = e.previous_urn
                      and c.date_of_birth = e.date_of_birth)
        """,
    )
    recent = one(con, "select count(*) from elective_home_education where cast(start_date as date) > date '2018-12-20'")
    assert linked / recent > 0.6
    on_roll = one(
        con,
        """
        select count(*) from elective_home_education e
        join school_census_pupils c on c.upn = e.upn
        where cast(c.census_date as date) between cast(e.start_date as date) and coalesce(cast(e.end_date as date), date '2099-12-31')
        """,
    )
    assert on_roll == 0
