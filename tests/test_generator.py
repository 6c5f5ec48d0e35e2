"""The synthetic generator: deterministic, labelled synthetic, and journeys that make sense."""

from __future__ import annotations

import json

import duckdb
import pytest

from pipelines.synthetic.generate import GenerationSpec, generate


@pytest.fixture(scope="module")
def extract(synthetic_extract):
    return synthetic_extract


def test_same_seed_same_bytes(extract, tmp_path):
    again = generate(tmp_path / "raw", GenerationSpec())
    first = json.loads((extract / "mosaic" / "2023-05-15" / "manifest.json").read_text())
    second = json.loads((again["mosaic"] / "manifest.json").read_text())
    assert {k: v["sha256"] for k, v in first["tables"].items()} == {k: v["sha256"] for k, v in second["tables"].items()}


def test_different_seed_different_data(extract, tmp_path):
    other = generate(tmp_path / "raw", GenerationSpec(seed=7))
    first = json.loads((extract / "mosaic" / "2023-05-15" / "manifest.json").read_text())
    second = json.loads((other["mosaic"] / "manifest.json").read_text())
    assert first["tables"]["ssd_cin_episodes"]["sha256"] != second["tables"]["ssd_cin_episodes"]["sha256"]


def test_every_extract_says_it_is_synthetic(extract):
    for manifest in extract.glob("*/*/manifest.json"):
        doc = json.loads(manifest.read_text())
        assert doc["synthetic"] is True
        assert "SYNTHETIC" in doc["notice"]
        assert doc["generator"]["seed"] == GenerationSpec().seed


def test_rerun_is_a_no_op(extract):
    before = {p: p.stat().st_mtime_ns for p in extract.rglob("*.csv")}
    generate(extract, GenerationSpec())
    assert {p: p.stat().st_mtime_ns for p in extract.rglob("*.csv")} == before


@pytest.fixture(scope="module")
def tables(extract):
    con = duckdb.connect()
    folder = extract / "mosaic" / "2023-05-15"
    for path in folder.glob("*.csv"):
        con.execute(f"create table {path.stem} as select * from read_csv('{path}', all_varchar=false, sample_size=-1)")
    yield con
    con.close()


def _count(con, sql: str) -> int:
    return con.execute(sql).fetchall()[0][0]


def test_no_plan_before_its_referral(tables):
    assert _count(tables, "select count(*) from ssd_cp_plans p join ssd_cin_episodes r on p.cppl_referral_id = r.cine_referral_id where p.cppl_cp_plan_start_date < r.cine_referral_date") == 0


def test_icpc_follows_its_strategy_discussion(tables):
    assert _count(tables, "select count(*) from ssd_initial_cp_conference i join ssd_s47_enquiry s on i.icpc_s47_enquiry_id = s.s47e_s47_enquiry_id where i.icpc_icpc_date < s.s47e_s47_start_date") == 0


def test_no_placement_before_entering_care(tables):
    assert _count(
        tables,
        "select count(*) from ssd_cla_placement p join (select clae_cla_id, min(clae_cla_episode_start_date) s from ssd_cla_episodes group by 1) e on p.clap_cla_id = e.clae_cla_id where p.clap_cla_placement_start_date < e.s",
    ) == 0


def test_no_care_before_referral(tables):
    assert _count(tables, "select count(*) from ssd_cla_episodes e join ssd_cin_episodes r on e.clae_referral_id = r.cine_referral_id where e.clae_cla_episode_start_date < r.cine_referral_date") == 0


def test_episodes_of_a_period_are_contiguous(tables):
    gaps = _count(
        tables,
        """select count(*) from (
             select clae_cla_episode_start_date, lag(clae_cla_episode_ceased) over (partition by clae_cla_id order by clae_cla_episode_start_date) prev_end
             from ssd_cla_episodes) where prev_end is not null and prev_end <> clae_cla_episode_start_date""",
    )
    assert gaps == 0


def test_nobody_is_looked_after_past_eighteen(tables):
    assert _count(
        tables,
        "select count(*) from ssd_cla_episodes e join ssd_person p on e.clae_person_id = p.pers_person_id where coalesce(e.clae_cla_episode_ceased, date '2023-05-15') > p.pers_dob + interval 18 year + interval 1 day",
    ) == 0


def test_no_overlapping_referrals_for_a_child(tables):
    overlaps = _count(
        tables,
        """select count(*) from (
             select cine_referral_date, lag(cine_close_date) over (partition by cine_person_id order by cine_referral_date) prev_close,
                    lag(cine_referral_id) over (partition by cine_person_id order by cine_referral_date) prev_id
             from ssd_cin_episodes) where prev_id is not null and (prev_close is null or prev_close >= cine_referral_date)""",
    )
    assert overlaps == 0


def test_uasc_are_mostly_older_boys(tables):
    row = tables.execute(
        """select avg(case when p.pers_sex = 'M' then 1.0 else 0 end), avg(date_diff('year', p.pers_dob, i.immi_immigration_status_start_date))
           from ssd_immigration_status i join ssd_person p on i.immi_person_id = p.pers_person_id"""
    ).fetchall()[0]
    assert row[0] > 0.85 and row[1] >= 15
