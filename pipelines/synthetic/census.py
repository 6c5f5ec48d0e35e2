"""Synthetic ONS Census 2021 ethnic group by age band, per borough, in the Nomis bulk layout.

The table is the population side of every disproportionality measure, so it has to agree with
the rest of the synthetic bi-borough:
  - each age band's total is the ONS mid-2021 estimate for those ages (pipelines/synthetic/
    population.py, recomputed from the same random stream, so the two never drift apart), times a
    small census-versus-estimate difference;
  - the ethnic mix of children is the borough's child mix in profiles.py, mapped from DfE codes to
    the 19 Census 2021 categories; adults get a generic inner-London mix (only totals matter);
  - Westminster's published figure pins one cell: "The Other group in 10-17-year population of
    borough is 21.6% based on the 2021 census data" (F001-L1930-04). Older children are given
    that share; younger ones keep the profile mix.
Cells are whole numbers, as ONS publishes them; a total need not equal the sum of its categories
(ONS perturbs census cells), but here it does, which keeps the hand checks simple.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from pipelines.synthetic import population
from pipelines.synthetic.profiles import BoroughProfile

if TYPE_CHECKING:
    from pipelines.synthetic.generate import Generation

# Random stream numbers of this builder (unique across builders: see generate.py).
STREAM_CENSUS = 41
CENSUS_YEAR = 2021
ONS_STREAM = 3  # the stream population.mid_year_estimates is drawn from in generate._ons_tables

ASIAN = "Asian, Asian British or Asian Welsh"
BLACK = "Black, Black British, Black Welsh, Caribbean or African"
MIXED = "Mixed or Multiple ethnic groups"
OTHER = "Other ethnic group"
# (contract column, Nomis group, Nomis category) in the order of the contract.
CATEGORIES = (
    ("asian_bangladeshi", ASIAN, "Bangladeshi"),
    ("asian_chinese", ASIAN, "Chinese"),
    ("asian_indian", ASIAN, "Indian"),
    ("asian_pakistani", ASIAN, "Pakistani"),
    ("asian_other", ASIAN, "Other Asian"),
    ("black_african", BLACK, "African"),
    ("black_caribbean", BLACK, "Caribbean"),
    ("black_other", BLACK, "Other Black"),
    ("mixed_white_asian", MIXED, "White and Asian"),
    ("mixed_white_black_african", MIXED, "White and Black African"),
    ("mixed_white_black_caribbean", MIXED, "White and Black Caribbean"),
    ("mixed_other", MIXED, "Other Mixed or Multiple ethnic groups"),
    ("white_british", "White", "English, Welsh, Scottish, Northern Irish or British"),
    ("white_irish", "White", "Irish"),
    ("white_gypsy_irish_traveller", "White", "Gypsy or Irish Traveller"),
    ("white_roma", "White", "Roma"),
    ("white_other", "White", "Other White"),
    ("other_arab", OTHER, "Arab"),
    ("other_any", OTHER, "Any other ethnic group"),
)
GROUP_TOTALS = (("asian_total", ASIAN), ("black_total", BLACK), ("mixed_total", MIXED), ("white_total", "White"), ("other_total", OTHER))

# DfE ethnicity code -> {census category column: share of the code}. "Any other ethnic group"
# in the DfE codes covers the Census's Arab category (most of Westminster's "Other" children are
# Middle Eastern or North African, F001-L1724-02); Gypsy, Roma and Traveller children are a small
# part of the DfE "Any other White background" here. Refused / not obtained have no census column.
DFE_TO_CENSUS = {
    "WBRI": {"white_british": 1.0},
    "WIRI": {"white_irish": 1.0},
    "WOTH": {"white_other": 0.97, "white_roma": 0.02, "white_gypsy_irish_traveller": 0.01},
    "WIRT": {"white_gypsy_irish_traveller": 1.0},
    "WROM": {"white_roma": 1.0},
    "MWBC": {"mixed_white_black_caribbean": 1.0},
    "MWBA": {"mixed_white_black_african": 1.0},
    "MWAS": {"mixed_white_asian": 1.0},
    "MOTH": {"mixed_other": 1.0},
    "AIND": {"asian_indian": 1.0},
    "APKN": {"asian_pakistani": 1.0},
    "ABAN": {"asian_bangladeshi": 1.0},
    "AOTH": {"asian_other": 1.0},
    "CHNE": {"asian_chinese": 1.0},
    "BCRB": {"black_caribbean": 1.0},
    "BAFR": {"black_african": 1.0},
    "BOTH": {"black_other": 1.0},
    "OOTH": {"other_arab": 0.45, "other_any": 0.55},
}
# Adults (assumed, inner west London): only the totals feed any measure.
ADULT_MIX = {
    "white_british": 0.36, "white_irish": 0.02, "white_other": 0.24, "white_roma": 0.003, "white_gypsy_irish_traveller": 0.001,
    "mixed_white_black_caribbean": 0.008, "mixed_white_black_african": 0.006, "mixed_white_asian": 0.015, "mixed_other": 0.02,
    "asian_indian": 0.035, "asian_pakistani": 0.008, "asian_bangladeshi": 0.03, "asian_chinese": 0.03, "asian_other": 0.04,
    "black_african": 0.05, "black_caribbean": 0.015, "black_other": 0.012, "other_arab": 0.05, "other_any": 0.057,
}
# (code in the contract's census_age_band code set, Nomis label, first age, last age)
AGE_BANDS = (
    ("0-4", "Aged 4 years and under", 0, 4),
    ("5-9", "Aged 5 to 9 years", 5, 9),
    ("10-14", "Aged 10 to 14 years", 10, 14),
    ("15-17", "Aged 15 to 17 years", 15, 17),
    ("18-24", "Aged 18 to 24 years", 18, 24),
    ("25-34", "Aged 25 to 34 years", 25, 34),
    ("35-49", "Aged 35 to 49 years", 35, 49),
    ("50-64", "Aged 50 to 64 years", 50, 64),
    ("65+", "Aged 65 years and over", 65, 90),
)
# Published Census shares pinned for children aged 10-17: la_code -> {census group: share}.
PUBLISHED_10_17_GROUP_SHARES = {
    "213": {OTHER: 0.216},  # F001-L1930-04
}


def child_mix(profile: BoroughProfile) -> dict[str, float]:
    """The borough's child ethnic mix in Census 2021 categories (shares adding to 1)."""
    mix = {name: 0.0 for name, _, _ in CATEGORIES}
    for code, share in profile.ethnicity_mix.items():
        for column, part in DFE_TO_CENSUS.get(code, {}).items():
            mix[column] += share * part
    total = sum(mix.values())
    return {k: v / total for k, v in mix.items()}


def _with_group_share(mix: dict[str, float], group: str, share: float) -> dict[str, float]:
    """Rescale the mix so `group` has `share`, keeping proportions within and outside it."""
    group_cols = {name for name, g, _ in CATEGORIES if g == group}
    inside = sum(v for k, v in mix.items() if k in group_cols)
    return {k: v * (share / inside if k in group_cols else (1 - share) / (1 - inside)) for k, v in mix.items()}


def _whole_numbers(rng: np.random.Generator, total: int, shares: np.ndarray) -> np.ndarray:
    """Split `total` into whole-number cells close to `shares` (largest remainders, random ties)."""
    raw = total * shares
    cells = np.floor(raw).astype(np.int64)
    short = int(total - cells.sum())
    if short > 0:
        order = np.lexsort((rng.random(len(raw)), -(raw - cells)))
        cells[order[:short]] += 1
    return cells


def ethnic_group_by_age(gen: Generation, borough_index: int, profile: BoroughProfile) -> dict[str, np.ndarray]:
    """One borough's rows: one per age band, columns as in the contract."""
    rng = gen.rng(borough_index, STREAM_CENSUS)
    mye = population.mid_year_estimates(gen.rng(borough_index, ONS_STREAM), profile, gen.spec.scale)
    by_age = mye[f"population_{CENSUS_YEAR}"].reshape(2, -1).sum(axis=0)  # both sexes, ages 0-90
    children = child_mix(profile)
    older = children
    for group, share in PUBLISHED_10_17_GROUP_SHARES.get(profile.la_code, {}).items():
        older = _with_group_share(older, group, share)
    columns = [name for name, _, _ in CATEGORIES]
    rows: dict[str, list] = {c: [] for c in ("age_band", "all_usual_residents", *columns)}
    for code, _, first, last in AGE_BANDS:
        # The census counted a little differently from the estimate (about +-1%).
        total = int(round(by_age[first : last + 1].sum() * rng.normal(1.0, 0.006)))
        if last < 10:
            mix = children
        elif last <= 17:
            mix = older
        else:
            mix = ADULT_MIX
        shares = np.array([mix.get(c, 0.0) for c in columns])
        cells = _whole_numbers(rng, total, shares / shares.sum())
        rows["age_band"].append(code)
        rows["all_usual_residents"].append(total)
        for c, v in zip(columns, cells):
            rows[c].append(int(v))
    return {k: np.array(v) for k, v in rows.items()}


def nomis_header(column: str) -> str:
    """The header Nomis bulk files give a contract column."""
    for name, group, category in CATEGORIES:
        if name == column:
            return f"Ethnic group: {group}: {category}"
    for name, group in GROUP_TOTALS:
        if name == column:
            return f"Ethnic group: {group}"
    return {"census_year": "date", "geography": "geography", "geography_code": "geography code", "age_band": "age",
            "all_usual_residents": "Ethnic group: Total: All usual residents"}[column]


def build(gen: Generation) -> dict[str, pa.Table]:
    """The census extract: {"ethnic_group_by_age": table with Nomis-style headers}."""
    from pipelines.synthetic.profiles import BOROUGHS

    labels = {code: label for code, label, _, _ in AGE_BANDS}
    parts = []
    for b, profile in enumerate(BOROUGHS):
        rows = ethnic_group_by_age(gen, b, profile)
        n = len(rows["age_band"])
        group_totals = {
            name: sum(rows[c] for c, g, _ in CATEGORIES if g == group) for name, group in GROUP_TOTALS
        }
        parts.append(
            {
                "census_year": np.full(n, CENSUS_YEAR),
                "geography": np.full(n, profile.name),
                "geography_code": np.full(n, profile.ons_code),
                # Nomis writes the band's label; the contract's code set maps it to its code.
                "age_band": np.array([labels[c] for c in rows["age_band"]]),
                "all_usual_residents": rows["all_usual_residents"],
                **group_totals,
                **{name: rows[name] for name, _, _ in CATEGORIES},
            }
        )
    columns = list(parts[0])
    return {
        "ethnic_group_by_age": pa.table(
            {nomis_header(c): np.concatenate([p[c] for p in parts]) for c in columns}
        )
    }
