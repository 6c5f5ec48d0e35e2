"""Run one command in a fresh process and measure it: wall time, CPU time and peak memory of
its whole process tree, sampled over time so that a stage's share can be worked out later."""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from bench.proctree import TreeSampler


@dataclass
class Measured:
    started: float  # time.time() at launch
    ended: float
    returncode: int
    cpu_seconds: float  # user + system of the process and every descendant it waited for
    max_rss_single: int  # bytes: the largest single process in the tree (kernel's ru_maxrss)
    sampler: TreeSampler

    @property
    def wall_seconds(self) -> float:
        return self.ended - self.started

    @property
    def peak_rss_tree(self) -> int:
        """Bytes: the largest sampled sum of resident memory over the live processes."""
        return max(self.sampler.peak_rss, self.max_rss_single)


def run_measured(argv: list[str], env: dict[str, str], cwd: Path, output: Path, interval: float = 0.25, disk_path: Path | None = None) -> Measured:
    """Run `argv` with its stdout and stderr going to `output`, sampling its process tree (and
    the free space of the filesystem that holds `disk_path`)."""
    with output.open("w", encoding="utf-8") as out:
        started = time.time()
        proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        sampler = TreeSampler(proc.pid, interval=interval, disk_path=disk_path).start()
        # wait4 gives this child's own resource usage (with its reaped descendants), unlike
        # getrusage(RUSAGE_CHILDREN), which adds up every child the benchmark ever ran.
        _, status, usage = os.wait4(proc.pid, 0)
        ended = time.time()
        proc.returncode = os.waitstatus_to_exitcode(status)
        sampler.stop()
    return Measured(
        started=started,
        ended=ended,
        returncode=proc.returncode,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        max_rss_single=usage.ru_maxrss * 1024,
        sampler=sampler,
    )
