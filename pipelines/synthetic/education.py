"""Synthetic education extracts: the school census and what hangs off it, for both boroughs.

    data/raw/education/<extract date>/
        schools.csv                   register of schools with latest and previous Ofsted judgements
        school_census_pupils.csv      pupils on roll at each termly census
        school_attendance.csv         sessions possible and missed, per pupil and term
        school_exclusions.csv         suspensions and permanent exclusions
        eyfsp_results.csv, ks2_results.csv, ks4_results.csv
        early_years_funding.csv, two_year_old_eligibility.csv
        elective_home_education.csv

Registered in `generate.EXTRA_SOURCES` (as write_education). Children known to social care
appear in the census under the UPN Mosaic gives them (`generate.upn_for`), so the warehouse
links the two after pseudonymisation. Every part draws from its own random streams (STREAMS), so the other
sources' extracts are unchanged by this one. Calibration targets and their citations are in
education_profiles.py; how each is met is described in the module that meets it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from pipelines.contracts.model import load_contract
from pipelines.synthetic.calendar import day
from pipelines.synthetic.education_arrow import ChunkSink, arrow_table, spill_folder
from pipelines.synthetic.education_calendar import school_calendar
from pipelines.synthetic.education_early_years import early_years_tables
from pipelines.synthetic.education_home_education import elective_home_education, school_leavers
from pipelines.synthetic.education_profiles import ACADEMIC_YEARS
from pipelines.synthetic.education_pupils import build_roster
from pipelines.synthetic.education_records import SchoolRecords, draw_traits
from pipelines.synthetic.education_schools import add_capacity, build_register

if TYPE_CHECKING:
    from pipelines.synthetic.generate import Generation

# Random streams of the education builders (gen.rng(borough, stream)); per-year streams add
# the academic year to their base, so bases are far apart.
STREAMS = {
    "register": 40,
    "pupils": 41,  # and 42 for the ordinary pupils
    "traits": 43,
    "capacity": 44,
    "ethnicity": 47,
    "early_years": 48,
    "home_education": 49,
    "attendance": 44_000,
    "exclusions": 45_000,
    "results": 46_000,
}
MANIFEST = {"layout": "DfE school census, attendance, exclusions, EYFSP, KS2, KS4 (pupil level); GIAS and Ofsted school register; early years funding; elective home education register"}


def write_education(gen: Generation) -> dict[str, pa.Table | pa.RecordBatchReader]:
    """EXTRA_SOURCES entry: the tables of build_education, the pupil-level ones as streams read
    once from their spill files, so that writing them holds no more than a chunk in memory."""
    return build_education(gen, stream=True)


def build_education(gen: Generation, stream: bool = False) -> dict[str, pa.Table | pa.RecordBatchReader]:
    contract = load_contract()
    extract_day = day(gen.spec.extract_date)
    cal = school_calendar(extract_day)
    boroughs = [j.profile for j in gen.journeys]
    la_codes = [p.la_code for p in boroughs]
    register = build_register(gen.rng(0, STREAMS["register"]), boroughs, gen.spec.scale, extract_day)
    tables = _early_years(gen, register, cal, contract, stream)
    roster = build_roster(gen, register, cal, STREAMS["pupils"])
    traits = draw_traits(gen.rng(0, STREAMS["traits"]), roster, register, cal, la_codes)
    records = SchoolRecords(gen, roster, register, cal, traits, STREAMS, contract)
    # The records hold these traits coded; their numpy text (4 bytes a character, per pupil)
    # would otherwise stay alive to the end.
    traits.postcode = traits.need_ehcp = traits.need_support = None
    for ay in ACADEMIC_YEARS:
        records.build_year(ay)
    tables |= records.tables(stream)
    # Of the records and traits (per pupil, millions at national scale) only these are needed
    # from here on.
    cut, resident_la = records.cut, traits.resident_la
    del records, traits

    autumn_2022 = (cal.academic_year[roster.row_term] == 2023) & (cal.term[roster.row_term] == 0)
    of_school_age = cal.academic_year[roster.row_term] - roster.cohort[roster.row_pupil] >= 0
    roll = np.bincount(roster.row_school[autumn_2022 & of_school_age], minlength=len(register.urn))
    add_capacity(gen.rng(0, STREAMS["capacity"]), register, roll, boroughs)
    tables["schools"] = arrow_table(contract.table("education", "schools"), [register.table])

    home_education = []
    upn_offset = int((roster.mosaic_borough < 0).sum())
    for b in range(len(boroughs)):
        leavers = school_leavers(roster, resident_la, cut, register, cal, b, boroughs[b].la_code)
        ehe = elective_home_education(gen, b, register, STREAMS["home_education"], upn_offset, roster, leavers, cal)
        upn_offset += len(ehe["ehe_case_id"])
        home_education.append(ehe)
    tables["elective_home_education"] = arrow_table(contract.table("education", "elective_home_education"), home_education)
    return tables


def _early_years(gen: Generation, register, cal, contract, stream: bool) -> dict[str, pa.Table | pa.RecordBatchReader]:
    """The early years tables, built first (they need only the register and the calendar, not
    the pupils, whose arrays run to gigabytes at national scale) and each borough's rows spilled
    to disk as soon as they are made (education_arrow.ChunkSink)."""
    spill = spill_folder()
    sinks = {name: ChunkSink(contract.table("education", name), spill) for name in ("early_years_funding", "two_year_old_eligibility")}
    for b in range(len(gen.journeys)):
        funding, eligibility = early_years_tables(gen, b, register, cal, STREAMS["early_years"])
        sinks["early_years_funding"].append(funding)
        sinks["two_year_old_eligibility"].append(eligibility)
        del funding, eligibility
    tables = {name: sink.table(stream) for name, sink in sinks.items()}
    spill.rmdir()
    return tables
