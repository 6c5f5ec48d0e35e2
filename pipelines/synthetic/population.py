"""Synthetic ONS mid-year estimates (single year of age by sex), in the MYEB1 wide layout.

Child populations are set so that the published rates come out right: Kensington and
Chelsea's 20 first-time entrants at 196 per 100,000 imply about 10,200 children aged 10-17
(F001-L2991-05, F000-L0572-01), which with a gently rising age profile gives about 22,600 aged
0-17 in mid-2022. Adults follow a generic inner-London shape; only totals matter for them.
"""

from __future__ import annotations

import numpy as np

from pipelines.synthetic.profiles import BoroughProfile

FIRST_MID_YEAR = 2012
LAST_MID_YEAR = 2022
AGES = np.arange(0, 91)


def _age_weights() -> np.ndarray:
    child = 0.92 + 0.008 * np.arange(18)  # inner London: fewer under-fives than teenagers
    adult_ages = np.arange(18, 91)
    adult = np.exp(-0.5 * ((adult_ages - 31) / 14.0) ** 2) * 2.6 + 0.55 * np.clip((85 - adult_ages) / 60, 0.05, 1)
    return np.concatenate([child, adult])


def mid_year_estimates(rng: np.random.Generator, profile: BoroughProfile, scale: int) -> dict[str, np.ndarray]:
    """Rows: one per sex and age; columns population_<year>."""
    weights = _age_weights()
    child_share = weights[:18].sum()
    base = np.zeros((2, len(AGES)))
    per_unit = profile.population_0_17_mid2022 * scale / child_share
    for s, share in enumerate((0.51, 0.49)):
        base[s] = weights * per_unit * share
    rows = {"sex": np.repeat([1, 2], len(AGES)), "age": np.tile(AGES, 2)}
    for year in range(FIRST_MID_YEAR, LAST_MID_YEAR + 1):
        factor = (1 + profile.population_trend) ** (year - 2022)
        noise = rng.normal(1.0, 0.015, size=base.shape)
        rows[f"population_{year}"] = np.maximum(0, np.round(base * factor * noise)).astype(np.int64).ravel()
    return rows
