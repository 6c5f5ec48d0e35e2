"""Benchmark the nightly job from the bi-borough (scale 1) to national volume (scale 150).

    python bench/run.py                  scales 1, 10, 50 and 150 (an hour or more)
    python bench/run.py --quick          scale 1 only (a few minutes)
    python bench/run.py --scales 1,10    chosen scales

For each scale: the synthetic landing zone (generated once, cached under bench/cache/), the
raw-read floor, the full nightly run, the same run again with nothing new, and a one-partition
rerun of the signed-off figures, each in a fresh process with its own data folder and Dagster
instance. Results go to bench/results/<time>-<commit>.json (and latest.json) and, unless
--no-docs, into docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))  # `python bench/run.py` puts bench/, not the repository, on the path

from bench.datasets import CACHE_DIR, dataset  # noqa: E402
from bench.machine import git_commit, load_average, machine, versions  # noqa: E402
from bench.report import update_markdown, write_json  # noqa: E402
from bench.scenarios import ScaleRun  # noqa: E402

FULL_SCALES = (1, 10, 50, 150)
QUICK_SCALES = (1,)
RESULTS_DIR = REPO_ROOT / "bench" / "results"
DOCS = REPO_ROOT / "docs" / "benchmarks.md"


def parse_scales(text: str) -> tuple[int, ...]:
    try:
        scales = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"--scales takes whole numbers separated by commas, e.g. 1,10 (got {text!r})") from None
    if not scales or any(s < 1 for s in scales):
        raise argparse.ArgumentTypeError(f"--scales needs at least one scale of 1 or more (got {text!r})")
    return scales


def _record(results: dict, started: float, no_docs: bool) -> Path:
    results["load_average_end"] = load_average()
    results["duration_s"] = round(time.time() - started, 1)
    path = write_json(results, RESULTS_DIR)
    if not no_docs:
        update_markdown(results, DOCS)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help=f"scales {', '.join(map(str, QUICK_SCALES))} only")
    parser.add_argument("--scales", type=parse_scales, help="scales to run, comma-separated (default 1,10,50,150)")
    parser.add_argument("--label", help="what this run is (e.g. 'before: measures as views'); shown in the tables")
    parser.add_argument("--note", help="a sentence recorded with the run")
    parser.add_argument("--work-dir", type=Path, default=CACHE_DIR / "runs", help="where each scale's data folder and Dagster instance go")
    parser.add_argument("--keep-data", action="store_true", help="keep each scale's build and published databases")
    parser.add_argument("--no-docs", action="store_true", help="write the JSON only, leave docs/benchmarks.md alone")
    args = parser.parse_args(argv)
    scales = args.scales or (QUICK_SCALES if args.quick else FULL_SCALES)

    started = time.time()
    results = {
        "started_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "label": args.label or ("quick" if args.quick else "full"),
        "note": args.note,
        "command": shlex.join(["python", "bench/run.py", *(argv if argv is not None else sys.argv[1:])]),
        "machine": machine(),
        "versions": versions(),
        "git": git_commit(),
        "load_average_start": load_average(),
        "scales": [],
    }
    print(f"Benchmark at scales {', '.join(map(str, scales))}; load average {results['load_average_start']}")
    for scale in scales:
        print(f"scale {scale}:")
        run = ScaleRun(dataset(scale, log=print), args.work_dir, log=print)
        figures = run.run_all()
        results["scales"].append(figures)
        if not args.keep_data:
            run.clean()
        _record(results, started, args.no_docs)  # after every scale, so a long run's figures survive an interruption
        full = figures["full"]
        print(f"  end to end {full['wall_s']:.1f} s, floor {figures['floor']['wall_s']:.1f} s, ratio {figures['ratio_to_floor']}, peak {full['peak_rss_mb']:,} MB; no-change {figures['no_change']['wall_s']:.1f} s (again {figures['no_change_again']['wall_s']:.1f} s), one partition {figures['partition_rerun']['wall_s']:.1f} s")
    path = _record(results, started, args.no_docs)
    print(f"Results: {path}" + ("" if args.no_docs else f"; tables in {DOCS}"))
    failed = [(s["scale"], name) for s in results["scales"] for name in ("full", "no_change", "no_change_again", "partition_rerun") if s[name]["returncode"] != 0]
    for scale, name in failed:
        print(f"  scale {scale}: the {name} run FAILED; see {args.work_dir / f'scale-{scale}' / (name + '.log')}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
