"""Pin the number of open episodes at snapshot dates to targets, by moving end dates only.

The flows (referrals, plans started, children entering care) come from the published yearly
figures; the stocks at 31 March (children on plans, looked after, in need) are published too.
Durations drawn at random will not reproduce the stocks exactly, so after drawing them we walk
the snapshots in date order and, at each one, close the longest-running open episodes early
(too many open) or keep recently closed ones open longer (too few). Changes made for a snapshot
never alter the count at an earlier snapshot: a closure is moved only within the interval since
the previous snapshot, and an extension only applies to episodes that closed in that interval.

Each episode may carry bounds on its end date (`end_min`, `end_max`): a CIN episode cannot
close before the child's plan or care ends, and cannot run past the child's next referral.
"""

from __future__ import annotations

import numpy as np

OPEN = np.iinfo(np.int64).max // 4  # an end date far in the future: still open


def pin_stock(
    rng: np.random.Generator,
    start: np.ndarray,
    end: np.ndarray,
    snapshots: list[tuple[int, int]],
    *,
    end_min: np.ndarray | None = None,
    end_max: np.ndarray | None = None,
    flexible: np.ndarray | None = None,
    extend_days: tuple[int, int] = (30, 240),
) -> np.ndarray:
    """Return new end dates so that #(start <= t < end) equals each target where achievable."""
    end = end.copy()
    n = len(start)
    end_min = np.full(n, -OPEN) if end_min is None else end_min
    end_max = np.full(n, OPEN) if end_max is None else end_max
    flexible = np.ones(n, dtype=bool) if flexible is None else flexible
    previous = -OPEN
    for t, target in sorted(snapshots):
        is_open = (start <= t) & (end > t)
        gap = int(is_open.sum()) - target
        if gap > 0:
            # Close the longest-running open episodes first, with some randomness so that not
            # every long episode ends: weight by time open.
            cand = np.flatnonzero(is_open & flexible & (end_min <= t))
            if len(cand):
                age = (t - start[cand]).astype(float) + 30.0
                pick = rng.choice(cand, size=min(gap, len(cand)), replace=False, p=age / age.sum())
                low = np.maximum.reduce([start[pick] + 1, np.full(len(pick), previous + 1), end_min[pick]])
                low = np.minimum(low, t)
                end[pick] = low + (rng.random(len(pick)) * (t - low + 1)).astype(np.int64)
        elif gap < 0:
            cand = np.flatnonzero((start <= t) & (end > previous) & (end <= t) & flexible & (end_max > t + 1))
            if len(cand):
                pick = rng.choice(cand, size=min(-gap, len(cand)), replace=False)
                extra = rng.integers(extend_days[0], extend_days[1], size=len(pick))
                end[pick] = np.minimum(t + extra, end_max[pick])
        previous = t
    return end
