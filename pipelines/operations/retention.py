"""Which of a folder's generated files or folders to remove: one retention rule for them all.

Keep the newest few, the one in use, and anything changed within a grace period (another run may
still be writing or about to read it); the rest may go. Used for the data catalogue pages
(pipelines/report/dbt_docs.py) and dbt's per-build target folders (pipelines/assets/dbt.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path


def modified(path: Path) -> float:
    return path.stat().st_mtime


def stale(paths: Iterable[Path], *, in_use: Path, newest: int, grace_seconds: float, changed: Callable[[Path], float] = modified) -> list[Path]:
    """The paths beyond the `newest` most recently changed, other than `in_use`, and not changed
    within `grace_seconds`. A path that vanishes meanwhile (removed by another run) is skipped."""
    dated = []
    for path in paths:
        try:
            dated.append((changed(path), path))
        except OSError:
            continue
    dated.sort(key=lambda item: item[0], reverse=True)
    now = time.time()
    return [path for when, path in dated[newest:] if path != in_use and now - when > grace_seconds]
