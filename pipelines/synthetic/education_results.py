"""End-of-stage results for the school records: EYFSP, key stage 2 and key stage 4.

Each pupil's lasting ability, lowered for free school meals, SEN and social care involvement
(as the documents describe: looked-after children attain less), plus noise per subject, makes
the results. Pass thresholds sit at the quantile the published share implies, among the
borough's school pupils, so GLD, KS2 expected standard and KS4 grades 4 and 5 land on the
published figures; Attainment 8 and Progress 8 shift to the published means. Looked-after
children at schools elsewhere take their own borough's thresholds. Results exist only for the
years the DfE collected them (education_profiles: EYFSP_YEARS, KS2_YEARS, KS4_YEARS).
"""

from __future__ import annotations

import numpy as np

from pipelines.synthetic.education_arrow import Coded
from pipelines.synthetic.education_calendar import academic_year_label
from pipelines.synthetic.education_profiles import EDUCATION_PROFILES, EYFSP_YEARS, KS2_YEARS, KS4_YEARS, PROGRESS8_YEARS


class ResultsMixin:
    """Results methods of SchoolRecords (which supplies roster, traits, register, cal, gen,
    la_codes, labels and _append)."""

    def _results(self, ay, rows) -> None:
        summer = self.cal.term[rows["term"]] == 2
        for stage, years, g in (("eyfsp", EYFSP_YEARS, 0), ("ks2", KS2_YEARS, 6), ("ks4", KS4_YEARS, 11)):
            if ay not in years:
                continue
            at = summer & (rows["g"] == g)
            if at.any():
                getattr(self, "_" + stage)(ay, {k: v[at] for k, v in rows.items()})

    def _attainment(self, rows, effects: dict[str, float]) -> np.ndarray:
        z = self.traits.ability[rows["pupil"]].copy()
        z += np.where(rows["fsm"], effects["fsm"], 0.0)
        z += np.select([rows["provision"] == "E", rows["provision"] == "K"], [effects["ehcp"], effects["support"]], 0.0)
        z += np.select([rows["cla"], rows["cp"], rows["cin"]], [effects["cla"], effects["cp"], effects["cin"]], 0.0)
        z += np.where(rows["eal"], effects["eal"], 0.0)
        z += np.where(self.roster.sex[rows["pupil"]] == b"F", effects["female"], 0.0)
        return z

    def _thresholds(self, rows, score: np.ndarray, targets: dict[str, float]) -> np.ndarray:
        """Per-row threshold: the quantile of `score` among the borough's school pupils at which
        the published share passes; looked-after children elsewhere take their own borough's."""
        thr = np.zeros(len(score))
        for b, la in enumerate(self.la_codes):
            ref = rows["school_borough"] == b
            value = np.quantile(np.maximum(score[ref], -1e9), 1 - targets[la]) if ref.any() else 0.0
            thr[rows["rate_borough"] == b] = value
        return thr

    def _common(self, ay, rows):
        return {
            **self._school_columns(rows["school"]),
            "upn": Coded(rows["pupil"], self.labels["upn"]),
            "academic_year": Coded.of(np.zeros(len(rows["pupil"]), dtype=np.int8), [academic_year_label(ay)]),
        }

    def _eyfsp(self, ay, rows) -> None:
        rng = self.gen.rng(0, self.streams["results"] + ay)
        n = len(rows["pupil"])
        z = self._attainment(rows, {"fsm": -0.4, "ehcp": -2.2, "support": -1.0, "cla": -0.5, "cp": -0.5, "cin": -0.4, "eal": -0.35, "female": 0.25})
        x = z[:, None] + rng.normal(0, 0.55, (n, 17))
        not_assessed = rng.random(n) < 0.005
        gld_score = np.where(not_assessed, -np.inf, x[:, :12].min(axis=1))
        thr = self._thresholds(rows, gld_score, {la: EDUCATION_PROFILES[la].gld[ay] for la in self.la_codes})
        framework = "2012" if ay < 2022 else "2021"
        outcome = np.where(x >= thr[:, None], "2", "1")
        outcome[:, 12:] = np.where(x[:, 12:] >= thr[:, None] - 0.3, "2", "1")
        if framework == "2012":
            outcome = np.where(x >= thr[:, None] + 1.1, "3", outcome)
        outcome[not_assessed] = "A"
        data = self._common(ay, rows) | {"framework": np.full(n, framework), "gld_reported": gld_score >= thr}
        for i in range(17):
            data[f"elg_{i + 1:02d}"] = outcome[:, i]
        self._append("eyfsp", data)

    def _ks2(self, ay, rows) -> None:
        rng = self.gen.rng(1, self.streams["results"] + ay)
        n = len(rows["pupil"])
        z = self._attainment(rows, {"fsm": -0.45, "ehcp": -1.9, "support": -1.0, "cla": -0.6, "cp": -0.55, "cin": -0.45, "eal": 0.05, "female": 0.1})
        x = z[:, None] + rng.normal(0, 0.45, (n, 4))  # reading, writing, maths, grammar
        absent = rng.random(n) < 0.02
        below = (rows["provision"] == "E") & (x[:, 0] < np.quantile(x[:, 0], 0.04))  # working below the tests
        no_test = absent | below
        score = np.where(no_test, -np.inf, x[:, :3].min(axis=1))
        thr = self._thresholds(rows, score, {la: EDUCATION_PROFILES[la].ks2_rwm[ay] for la in self.la_codes})
        rel = x - thr[:, None]
        scaled = np.clip(100 + np.floor(7 * rel), 80, 120).astype(np.int64)
        scaled = np.where(no_test[:, None], -1, scaled)
        writing = np.select([rel[:, 1] >= 1.0, rel[:, 1] >= 0, rel[:, 1] >= -1.0, rel[:, 1] >= -1.6, rel[:, 1] >= -2.2], ["GDS", "EXS", "WTS", "PK6", "PK4"], "BLW")
        writing = np.where(absent, "A", np.where(below & (writing != "BLW"), "PK4", writing))
        has_prior = (rng.random(n) < 0.94) & ~no_test
        progress = np.round(0.6 + 3.5 * rng.normal(0, 1, (n, 3)) + 2.0 * (x[:, :3] - z[:, None]), 2)
        data = self._common(ay, rows) | {
            "reading_scaled_score": scaled[:, 0],
            "maths_scaled_score": scaled[:, 2],
            "gps_scaled_score": scaled[:, 3],
            "writing_ta": writing,
            "reading_progress": np.where(has_prior, progress[:, 0], np.nan),
            "writing_progress": np.where(has_prior, progress[:, 1], np.nan),
            "maths_progress": np.where(has_prior, progress[:, 2], np.nan),
            "rwm_expected_reported": (score >= thr),
        }
        self._append("ks2", data)

    def _ks4(self, ay, rows) -> None:
        rng = self.gen.rng(0, self.streams["results"] + 100 + ay)
        n = len(rows["pupil"])
        effects = {"fsm": -0.45, "ehcp": -1.8, "support": -0.9, "cla": -0.8, "cp": -0.7, "cin": -0.5, "eal": 0.1, "female": 0.15}
        z = self._attainment(rows, effects)
        x = z[:, None] + rng.normal(0, 0.45, (n, 3))  # English, maths, Attainment 8
        both = x[:, :2].min(axis=1)
        edu = {la: EDUCATION_PROFILES[la] for la in self.la_codes}
        t4 = self._thresholds(rows, both, {la: e.ks4_grade4[ay] for la, e in edu.items()})
        t5 = self._thresholds(rows, both, {la: e.ks4_grade5[ay] for la, e in edu.items()})
        step = np.maximum(t5 - t4, 1e-3)
        grades = np.clip(4 + np.floor((x[:, :2] - t4[:, None]) / step[:, None]), 0, 9).astype(np.int64)
        att8 = 50 + 14 * x[:, 2]
        p8 = 1.1 * rng.normal(0, 1, n) + 0.5 * (x[:, 2] - self.traits.ability[rows["pupil"]])
        has_prior = (rng.random(n) < 0.93) & (ay in PROGRESS8_YEARS)
        for b, la in enumerate(self.la_codes):
            ref = rows["school_borough"] == b
            own = rows["rate_borough"] == b
            for _ in range(3):  # shift to the published mean; clipping at 0 and 90 needs a second look
                if ref.any():
                    att8[own] += edu[la].attainment8[ay] - np.clip(att8[ref], 0, 90).mean()
            if ay in PROGRESS8_YEARS and (ref & has_prior).any():
                p8[own] += edu[la].progress8[ay] - p8[ref & has_prior].mean()
        data = self._common(ay, rows) | {
            "attainment_8": np.round(np.clip(att8, 0, 90), 1),
            "progress_8": np.where(has_prior, np.round(p8, 2), np.nan),
            "english_grade": grades[:, 0],
            "maths_grade": grades[:, 1],
        }
        self._append("ks4", data)

