"""CPU time and resident memory of a process and all its descendants, sampled from /proc.

The nightly job runs dbt as a subprocess, so the figures that matter are those of the whole
process tree. Every `interval` seconds the sampler records the tree's cumulative CPU time (user +
system of the live processes plus what their finished children used, which the kernel adds to
the parent's cutime/cstime when it reaps them) and its total resident memory. A stage's CPU time
is the difference of the cumulative figure at its start and end; its peak memory the largest
sample inside it. Given a folder, it also samples the free space of that folder's filesystem:
the most a run took (its databases, archive copies and DuckDB's spill files, less what it
deleted) and how close the disk came to full. Linux only (the machine the benchmark is written
for); no psutil needed.
"""

from __future__ import annotations

import bisect
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")
_PAGE = os.sysconf("SC_PAGE_SIZE")


def _stat(pid: int) -> tuple[int, float, int] | None:
    """(parent pid, cumulative CPU seconds incl. reaped children, resident bytes) of one process."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
        rss_pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    except (FileNotFoundError, ProcessLookupError, PermissionError, IndexError, ValueError):
        return None
    fields = raw[raw.rindex(")") + 2 :].split()  # after "pid (comm) "; comm may hold spaces
    ppid = int(fields[1])
    utime, stime, cutime, cstime = (int(x) for x in fields[11:15])
    return ppid, (utime + stime + cutime + cstime) / _TICKS, rss_pages * _PAGE


def tree_usage(root: int) -> tuple[float, int]:
    """Cumulative CPU seconds and resident bytes of `root` and its live descendants."""
    stats = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            s = _stat(int(entry.name))
            if s is not None:
                stats[int(entry.name)] = s
    children: dict[int, list[int]] = {}
    for pid, (ppid, _, _) in stats.items():
        children.setdefault(ppid, []).append(pid)
    cpu, rss, todo = 0.0, 0, [root]
    while todo:
        pid = todo.pop()
        if pid in stats:
            cpu += stats[pid][1]
            rss += stats[pid][2]
            todo.extend(children.get(pid, []))
    return cpu, rss


@dataclass
class TreeSampler:
    """Samples a process tree in a background thread until stopped."""

    root: int
    interval: float = 0.25
    times: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    rss: list[int] = field(default_factory=list)
    disk_path: Path | None = None  # a folder on the filesystem the run writes to
    disk_free_start: int | None = None  # bytes
    disk_free_min: int | None = None

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def start(self) -> "TreeSampler":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _free_bytes(self) -> int | None:
        if self.disk_path is None:
            return None
        fs = os.statvfs(self.disk_path)
        return fs.f_bavail * fs.f_frsize

    def _loop(self) -> None:
        self.disk_free_start = self.disk_free_min = self._free_bytes()
        while not self._stop.is_set():
            free = self._free_bytes()
            if free is not None:
                self.disk_free_min = min(free, self.disk_free_min)
            cpu, rss = tree_usage(self.root)
            if rss:  # the root has not exited yet
                self.times.append(time.time())
                # Cumulative CPU never falls; a child exiting between two reads can make one dip.
                self.cpu.append(max(cpu, self.cpu[-1] if self.cpu else 0.0))
                self.rss.append(rss)
            self._stop.wait(self.interval)

    def cpu_at(self, when: float) -> float:
        """Cumulative CPU seconds at `when`, interpolated between samples."""
        if not self.times:
            return 0.0
        i = bisect.bisect_left(self.times, when)
        if i == 0:
            return self.cpu[0]
        if i >= len(self.times):
            return self.cpu[-1]
        t0, t1 = self.times[i - 1], self.times[i]
        c0, c1 = self.cpu[i - 1], self.cpu[i]
        return c0 + (c1 - c0) * (when - t0) / (t1 - t0) if t1 > t0 else c1

    def cpu_between(self, start: float, end: float) -> float:
        return max(0.0, self.cpu_at(end) - self.cpu_at(start))

    def peak_rss_between(self, start: float, end: float) -> int:
        lo, hi = bisect.bisect_left(self.times, start), bisect.bisect_right(self.times, end)
        window = self.rss[max(0, lo - 1) : hi + 1]  # the samples just around a short step too
        return max(window, default=0)

    @property
    def peak_rss(self) -> int:
        return max(self.rss, default=0)

    @property
    def disk_peak(self) -> int | None:
        """Bytes: the most disk the run held at once beyond what was in use when it started."""
        if self.disk_free_start is None or self.disk_free_min is None:
            return None
        return max(0, self.disk_free_start - self.disk_free_min)
