"""The synthetic looked-after children's records: journeys that make sense (no review before care
starts, no care leaver contact before leaving care, every eligible care leaver contacted on every
birthday...), the stocks the councils published, and a module that never moves anyone else's
tables."""

from __future__ import annotations

import json
from datetime import date

import duckdb
import numpy as np
import pytest

from pipelines.synthetic import generate as generate_module
from pipelines.synthetic.calendar import add_working_days, day
from pipelines.synthetic.generate import GenerationSpec, generate
from pipelines.synthetic.looked_after import build_looked_after_tables, build_ofsted_register

EXTRACT = date(2023, 5, 15)


@pytest.fixture(scope="module")
def extract(synthetic_extract):
    return synthetic_extract


@pytest.fixture(scope="module")
def db(extract):
    """Every Mosaic and Ofsted table as text (ids stay ids), with typed views of what the tests use."""
    con = duckdb.connect()
    for folder in (extract / "mosaic" / "2023-05-15", extract / "ofsted" / "2023-05-01"):
        for path in folder.glob("*.csv"):
            con.execute(f"create table {path.stem} as select * from read_csv('{path}', all_varchar = true, header = true)")
    con.execute(
        """create view periods as
           select clae_cla_id as period_id, clae_person_id as person_id, min(cast(clae_cla_episode_start_date as date)) as start_date,
                  case when count(*) = count(clae_cla_episode_ceased) then max(cast(clae_cla_episode_ceased as date)) end as end_date,
                  max(case when clae_cla_episode_ceased is null then null else clae_cla_episode_ceased_reason end) filter (where clae_cla_episode_ceased_reason <> 'X1') as reason,
                  max(clae_referral_id) as referral_id
           from ssd_cla_episodes group by 1, 2"""
    )
    con.execute("create view persons as select pers_person_id as person_id, cast(pers_dob as date) as dob from ssd_person")
    yield con
    con.close()


def _count(con, sql: str) -> int:
    return con.execute(sql).fetchall()[0][0]


def test_reviews_are_held_while_looked_after(db):
    assert _count(db, "select count(*) from ssd_cla_reviews") > 1000
    outside = _count(
        db,
        """select count(*) from ssd_cla_reviews r join periods p on r.clar_cla_id = p.period_id
           where cast(r.clar_cla_review_date as date) <= p.start_date
              or cast(r.clar_cla_review_date as date) >= coalesce(p.end_date, date '9999-12-31')
              or cast(r.clar_cla_review_due_date as date) <= p.start_date""",
    )
    assert outside == 0


def test_first_review_due_20_working_days_after_entering_care(db):
    rows = db.execute(
        """select p.start_date, min(cast(r.clar_cla_review_due_date as date))
           from ssd_cla_reviews r join periods p on r.clar_cla_id = p.period_id group by p.period_id, p.start_date"""
    ).fetchall()
    starts = np.array([day(s) for s, _ in rows])
    first_due = np.array([day(d) for _, d in rows])
    assert np.array_equal(first_due, add_working_days(starts, np.full(len(starts), 20)))


def test_health_checks_and_immunisations_only_while_looked_after(db):
    for table, person, when in (
        ("ssd_cla_health", "clah_person_id", "clah_health_check_date"),
        ("ssd_cla_immunisations", "clai_person_id", "clai_immunisations_status_date"),
        ("ssd_sdq_scores", "csdq_person_id", "csdq_sdq_completed_date"),
        ("ssd_cla_convictions", "clac_person_id", "clac_cla_conviction_date"),
    ):
        total = _count(db, f"select count(*) from {table} where {when} is not null")
        inside = _count(
            db,
            f"""select count(*) from {table} t where {when} is not null and exists (
                  select 1 from periods p where p.person_id = t.{person}
                    and cast(t.{when} as date) >= p.start_date and cast(t.{when} as date) < coalesce(p.end_date, date '9999-12-31'))""",
        )
        assert total > 0 and inside == total, table


def test_initial_health_assessment_due_20_working_days_after_entry(db):
    rows = db.execute(
        """select p.start_date, cast(h.clah_health_check_due_date as date) from ssd_cla_health h
           join periods p on p.person_id = h.clah_person_id
           where h.clah_health_check_type = 'IHA' and cast(h.clah_health_check_due_date as date) > p.start_date
             and cast(h.clah_health_check_due_date as date) < p.start_date + 40"""
    ).fetchall()
    assert len(rows) > 500
    starts = np.array([day(s) for s, _ in rows])
    assert np.array_equal(np.array([day(d) for _, d in rows]), add_working_days(starts, np.full(len(rows), 20)))


def test_sdq_for_4_to_16_year_olds_looked_after_a_year(db):
    # Each questionnaire belongs to the next 31 March, when the child was 4-16 and had been looked
    # after for 12 months.
    bad = _count(
        db,
        """select count(*) from (
             select s.*, make_date(year(cast(s.csdq_sdq_completed_date as date)) + case when month(cast(s.csdq_sdq_completed_date as date)) >= 4 then 1 else 0 end, 3, 31) as year_end
             from ssd_sdq_scores s) s
           join persons on persons.person_id = s.csdq_person_id
           where date_diff('year', persons.dob, s.year_end) - case when strftime(s.year_end, '%m%d') < strftime(persons.dob, '%m%d') then 1 else 0 end not between 4 and 16
              or not exists (select 1 from periods p where p.person_id = s.csdq_person_id and p.start_date <= s.year_end - interval 1 year)""",
    )
    assert bad == 0
    scores = db.execute("select cast(csdq_sdq_score as integer) from ssd_sdq_scores where csdq_sdq_score is not null").fetchnumpy()
    values = list(scores.values())[0]
    assert values.min() >= 0 and values.max() <= 40 and 10 < values.mean() < 18


def test_missing_episodes_and_return_interviews_in_order(db):
    assert _count(db, "select count(*) from ssd_missing") > 300
    assert _count(db, "select count(*) from ssd_missing where cast(miss_missing_episode_end_date as timestamp) < cast(miss_missing_episode_start_date as timestamp)") == 0
    assert _count(
        db,
        """select count(*) from ssd_missing where cast(miss_missing_rhi_offered_date as timestamp) < cast(miss_missing_episode_end_date as timestamp)
              or cast(miss_missing_rhi_completed_date as timestamp) < cast(miss_missing_rhi_offered_date as timestamp)""",
    ) == 0
    # Return interviews are for missing episodes; away episodes have none.
    assert _count(db, "select count(*) from ssd_missing where miss_missing_episode_type = 'A' and miss_missing_rhi_offered <> 'NA'") == 0
    # Every episode starts while the child is looked after.
    assert _count(
        db,
        """select count(*) from ssd_missing m where not exists (
             select 1 from periods p where p.person_id = m.miss_person_id
               and cast(m.miss_missing_episode_start_date as date) >= p.start_date
               and cast(m.miss_missing_episode_start_date as date) < coalesce(p.end_date, date '9999-12-31'))""",
    ) == 0


def test_teenagers_in_childrens_homes_go_missing_more(db):
    rates = dict(
        db.execute(
            """select k2, count(m.miss_table_id) / count(distinct p.clap_cla_placement_id) from (
                 select pl.*, pl.clap_cla_placement_type in ('K2', 'H5') as k2 from ssd_cla_placement pl) p
               left join ssd_missing m on m.miss_person_id = p.clap_person_id
                 and cast(m.miss_missing_episode_start_date as date) >= cast(p.clap_cla_placement_start_date as date)
                 and cast(m.miss_missing_episode_start_date as date) < coalesce(cast(p.clap_cla_placement_end_date as date), date '9999-12-31')
               group by k2"""
        ).fetchall()
    )
    assert rates[True] > 3 * rates[False]


def test_no_care_leaver_contact_before_leaving_care(db):
    assert _count(db, "select count(*) from ssd_care_leavers") > 2000
    early = _count(
        db,
        """select count(*) from ssd_care_leavers c
           join (select person_id, max(coalesce(end_date, date '9999-12-31')) as left_care from periods group by 1) l
             on l.person_id = c.clea_person_id
           where cast(c.clea_care_leaver_contact_date as date) < l.left_care""",
    )
    assert early == 0


def test_every_eligible_care_leaver_contacted_around_each_birthday(db):
    # Eligible (DfE): looked after 13 weeks or more after the 14th birthday, some of it after the
    # 16th, left care, not transferred to another council. Every birthday from the 17th to the
    # 21st on or after leaving, whose window (to a month after) has closed by the extract, has a
    # contact row in that birthday's collection year, dated in the window or on the leaving day.
    db.execute(
        """create or replace temp table eligible as
           select p.person_id, max(p.end_date) as left_care, max(persons.dob) as dob
           from periods p join persons using (person_id)
           group by p.person_id
           having max(case when p.end_date is null then 1 else 0 end) = 0
              and sum(greatest(0, date_diff('day', greatest(p.start_date, cast(persons.dob + interval 14 year as date)), p.end_date))) >= 91
              and max(p.end_date) > max(persons.dob) + interval 16 year
              and max(case when p.reason = 'E3' then 1 else 0 end) = 0"""
    )
    missing = db.execute(
        """select count(*) from eligible e
           cross join range(17, 22) as a(age)
           where cast(e.dob + to_years(cast(a.age as integer)) as date) >= e.left_care
             and cast(e.dob + to_years(cast(a.age as integer)) as date) + 31 <= date '2023-05-15'
             and not exists (
               select 1 from ssd_care_leavers c where c.clea_person_id = e.person_id
                 and cast(c.clea_collection_year as integer) = year(cast(e.dob + to_years(cast(a.age as integer)) as date))
                     + case when month(cast(e.dob + to_years(cast(a.age as integer)) as date)) >= 4 then 1 else 0 end)
             and not exists (select 1 from ssd_care_leavers c where c.clea_person_id = e.person_id and c.clea_care_leaver_in_touch = 'DIED')"""
    ).fetchall()[0][0]
    assert _count(db, "select count(*) from eligible") > 500
    assert missing == 0
    outside_window = _count(
        db,
        """select count(*) from ssd_care_leavers c join eligible e on e.person_id = c.clea_person_id
           where c.clea_care_leaver_contact_date is not null
             and cast(c.clea_care_leaver_contact_date as date) <> e.left_care
             and not exists (select 1 from range(17, 26) as a(age)
                   where cast(c.clea_care_leaver_contact_date as date) between cast(e.dob + to_years(cast(a.age as integer)) as date) - 90
                                                                   and cast(e.dob + to_years(cast(a.age as integer)) as date) + 30)""",
    )
    assert outside_window == 0


def test_care_leaver_codes_are_consistent(db):
    # No fixed abode and custody are never suitable; staying put is for 18 and over; only a
    # young person in touch has accommodation and activity recorded.
    assert _count(db, "select count(*) from ssd_care_leavers where clea_care_leaver_accommodation in ('S', 'X') and clea_care_leaver_accom_suitable = '1'") == 0
    assert _count(
        db,
        """select count(*) from ssd_care_leavers c join persons on persons.person_id = c.clea_person_id
           where c.clea_care_leaver_accommodation = 'Z' and cast(c.clea_care_leaver_contact_date as date) < persons.dob + interval 18 year - interval 3 month""",
    ) == 0
    assert _count(db, "select count(*) from ssd_care_leavers where clea_care_leaver_in_touch = 'YES' and (clea_care_leaver_accommodation is null or clea_care_leaver_activity is null)") == 0
    assert _count(db, "select count(*) from ssd_care_leavers where clea_care_leaver_in_touch <> 'YES' and (clea_care_leaver_accommodation is not null or clea_care_leaver_activity is not null)") == 0


def test_placements_are_with_providers_in_the_ofsted_register(db):
    unknown = _count(
        db,
        """select count(*) from ssd_cla_placement p where p.clap_cla_placement_urn is not null
             and p.clap_cla_placement_urn not in (select urn from provider_judgements)""",
    )
    assert unknown == 0
    assert _count(db, "select count(*) from provider_judgements where cast(inspection_date as date) > date '2023-03-31'") == 0
    # The councils' own fostering services are good or outstanding throughout.
    assert _count(db, "select count(*) from provider_judgements where provider_type = 'LAFA' and overall_judgement not in ('1', '2')") == 0


def test_historical_periods_end_before_the_reported_years(db):
    # Periods with no referral are those of children already looked after when the simulation
    # begins (1 April 2012): they started before it and ended before 2018-19.
    rows = db.execute("select min(start_date), max(end_date), count(*), count(end_date) from periods where referral_id is null").fetchall()[0]
    assert rows[2] > 50 and rows[2] == rows[3]
    assert rows[0] < date(2012, 4, 1) and rows[1] <= date(2018, 3, 31)


def test_stocks_at_31_march_2023_are_the_published_ones(db):
    # Published: RBKC 105 looked after, 34 UASC (F000-L0190-01, F000-L0187-02); WCC 182, 49 UASC
    # (F004-L0130-01, F004-L0561-02).
    rows = dict(
        (la, (n, u))
        for la, n, u in db.execute(
            """select e.la_code, count(distinct e.clae_person_id),
                      count(distinct case when i.immi_person_id is not null then e.clae_person_id end)
               from ssd_cla_episodes e
               left join ssd_immigration_status i on i.immi_person_id = e.clae_person_id
                 and cast(i.immi_immigration_status_start_date as date) <= date '2023-03-31'
                 and coalesce(cast(i.immi_immigration_status_end_date as date), date '9999-12-31') > date '2023-03-31'
               where cast(e.clae_cla_episode_start_date as date) <= date '2023-03-31'
                 and coalesce(cast(e.clae_cla_episode_ceased as date), date '9999-12-31') > date '2023-03-31'
               group by 1"""
        ).fetchall()
    )
    assert rows["207"] == (105, 34)
    assert rows["213"] == (182, 49)


@pytest.mark.slow
def test_the_module_moves_no_other_table(extract, tmp_path, monkeypatch):
    # Without this module's builders, every table it does not write is byte-identical: it draws
    # only from its own random streams.
    monkeypatch.setattr(generate_module, "MOSAIC_EXTENSIONS", [b for b in generate_module.MOSAIC_EXTENSIONS if b is not build_looked_after_tables])
    monkeypatch.setattr(generate_module, "EXTRA_SOURCES", [s for s in generate_module.EXTRA_SOURCES if s[2] is not build_ofsted_register])
    without = generate(tmp_path / "raw", GenerationSpec())
    with_module = json.loads((extract / "mosaic" / "2023-05-15" / "manifest.json").read_text())["tables"]
    without_module = json.loads((without["mosaic"] / "manifest.json").read_text())["tables"]
    own = {"ssd_cla_reviews", "ssd_cla_health", "ssd_cla_immunisations", "ssd_sdq_scores", "ssd_missing", "ssd_cla_convictions", "ssd_care_leavers"}
    appended = {"ssd_person", "ssd_cla_episodes", "ssd_cla_placement", "ssd_legal_status", "ssd_immigration_status"}
    for table, entry in without_module.items():
        if table in appended:
            assert with_module[table]["rows"] > entry["rows"], table
        else:
            assert with_module[table]["sha256"] == entry["sha256"], table
    assert own <= set(with_module) and not own & set(without_module)
