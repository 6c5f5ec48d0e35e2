"""The benchmark's results as JSON (bench/results/) and as tables in docs/benchmarks.md.

docs/benchmarks.md keeps a hand-written top (targets, method) and, between two markers, the
recorded runs: a summary table with one row per scale and run (newest first, so a figure before
and after a change sit in the same table) and a detailed table per run."""

from __future__ import annotations

import json
from pathlib import Path

from bench.stages import STAGES

SUMMARY_START = "<!-- bench:summary:start -->"
SUMMARY_END = "<!-- bench:summary:end -->"
RUNS_START = "<!-- bench:runs:start -->"
RUNS_END = "<!-- bench:runs:end -->"
SUMMARY_HEADER = (
    "| date | commit | label | scale | rows in | end to end (s) | floor (s) | ratio | peak RSS (MB) | CPU (s) | no-change (s), first / again | one partition (s) | load at start/end |\n"
    "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
)
STAGE_LABELS = {"ingest": "ingest", "dbt_build": "dbt build", "validation": "validation (GX)", "sign_off": "sign-off", "publication": "publication", "other": "other steps", "dagster_overhead": "Dagster overhead"}


def write_json(results: dict, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    stamp = results["started_at"].replace(":", "").replace("-", "")[:15]
    path = folder / f"{stamp}-{results['git']['commit']}.json"
    text = json.dumps(results, indent=2) + "\n"
    path.write_text(text, encoding="utf-8")
    (folder / "latest.json").write_text(text, encoding="utf-8")
    return path


def _num(value, digits: int = 1) -> str:
    if value is None:
        return "-"
    return f"{value:,.{digits}f}" if isinstance(value, float) else f"{value:,}"


def _status(run: dict) -> str:
    if run.get("returncode") is None:
        return " (not measured)"
    return "" if run["returncode"] == 0 else " (FAILED)"


def _figures(run: dict) -> str:
    """wall / CPU / peak MB of one run."""
    return f"{_num(run['wall_s'])} / {_num(run['cpu_s'])} / {_num(run['peak_rss_mb'], 0)}{_status(run)}"


def _disk(run: dict) -> str:
    if run.get("disk_peak_mb") is None:
        return "-"  # runs recorded before the disk was sampled
    return f"{_num(run['disk_peak_mb'], 0)} / {_num(run['disk_min_free_mb'], 0)}"


def _no_change(scale: dict) -> str:
    """The no-change run's wall time; with the second one straight after it, both (first / again)."""
    first = f"{_num(scale['no_change']['wall_s'])}{_status(scale['no_change'])}"
    again = scale.get("no_change_again")  # runs before commit 5a48b71 measured it once
    return first if again is None else f"{first} / {_num(again['wall_s'])}{_status(again)}"


def summary_rows(results: dict) -> list[str]:
    rows = []
    commit = results["git"]["commit"] + ("+" if results["git"]["dirty"] else "")
    load = f"{results['load_average_start'][0]} / {results['load_average_end'][0]}"
    for s in results["scales"]:
        rows.append(
            f"| {results['started_at'][:16]} | {commit} | {results['label']} | {s['scale']} | {s['rows_in']:,} "
            f"| {_num(s['full']['wall_s'])}{_status(s['full'])} | {_num(s['floor']['wall_s'])} | {_num(s['ratio_to_floor'], 2)} "
            f"| {_num(s['full']['peak_rss_mb'], 0)} | {_num(s['full']['cpu_s'])} | {_no_change(s)} "
            f"| {_num(s['partition_rerun']['wall_s'])}{_status(s['partition_rerun'])} | {load} |"
        )
    return rows


def run_section(results: dict) -> str:
    m, v = results["machine"], results["versions"]
    lines = [
        f"{_run_heading(results)}, commit {results['git']['commit']}{' (with uncommitted changes)' if results['git']['dirty'] else ''}: {results['label']}",
        "",
        f"- Command: `{results['command']}`; {results['duration_s'] / 60:.1f} minutes in all.",
        f"- Machine: {m['cores']} cores ({m['cpu']}), {m['memory_gb']} GB memory, {m['os']}"
        + (f"; a fixed plain-Python workload took {m['python_reference_ms']} ms (`bench/machine.py`)." if m.get("python_reference_ms") else "."),
        f"- Load average (1 min) at start {results['load_average_start'][0]}, at end {results['load_average_end'][0]} (other work on the machine inflates wall times).",
        "- Versions: " + ", ".join(f"{k} {val}" for k, val in v.items()) + ".",
    ]
    if results.get("note"):
        lines.append(f"- Note: {results['note']}")
    lines += ["", "Seconds of wall time / CPU time (user + system, process tree) / peak resident memory of the tree in MB.", ""]
    header = "| | " + " | ".join(f"scale {s['scale']}" for s in results["scales"]) + " |"
    lines += [header, "|---|" + "---:|" * len(results["scales"])]

    def row(label: str, cells: list[str]) -> None:
        lines.append(f"| {label} | " + " | ".join(cells) + " |")

    scales = results["scales"]
    row("rows in (all raw files)", [f"{s['rows_in']:,}" for s in scales])
    row("raw files (MB)", [f"{s['raw_mb']:,}" for s in scales])
    row("generation, cached (s)", [_num(s["generation_s"]) for s in scales])
    row("**end to end** (full nightly run)", [f"**{_num(s['full']['wall_s'])}** / {_figures(s['full']).split(' / ', 1)[1]}" for s in scales])
    for stage in (*STAGES, "other", "dagster_overhead"):
        if any(stage in s["full"]["stages"] for s in scales):
            cells = []
            for s in scales:
                f = s["full"]["stages"].get(stage)
                cells.append("-" if f is None else f"{_num(f['wall_s'])} / {_num(f['cpu_s'])} / {_num(f['peak_rss_mb'], 0)}")
            row(f"&nbsp;&nbsp;{STAGE_LABELS[stage]}", cells)
    row("&nbsp;&nbsp;of which before the first step", [_num(s["full"]["stages"]["dagster_overhead"].get("before_first_step_s")) for s in scales])
    row("**floor** (DuckDB read_csv of every file)", [f"**{_num(s['floor']['wall_s'])}** / {_figures(s['floor']).split(' / ', 1)[1]}" for s in scales])
    row("**ratio** end to end / floor", [f"**{_num(s['ratio_to_floor'], 2)}**" for s in scales])
    row("no-change nightly run", [_figures(s["no_change"]) for s in scales])
    if any("no_change_again" in s for s in scales):
        row("no-change nightly run again, at once", [_figures(s["no_change_again"]) if "no_change_again" in s else "-" for s in scales])
    row(f"one-partition rerun ({scales[0]['partition_rerun']['partition'] if scales else ''})", [_figures(s["partition_rerun"]) for s in scales])
    row("build database / published database (MB)", [f"{_num(s['warehouse_mb'], 0)} / {_num(s['published_mb'], 0)}" for s in scales])
    row("disk taken at peak, full run (MB, spill included) / least free (MB)", [_disk(s["full"]) for s in scales])
    return "\n".join(lines) + "\n"


def _splice(text: str, start: str, end: str, new: str) -> tuple[str, str]:
    """(text with the part between the markers replaced by `new`, the old part)."""
    i, j = text.index(start) + len(start), text.index(end)
    return text[:i] + "\n" + new + "\n" + text[j:], text[i:j]


def _run_heading(results: dict) -> str:
    return f"### {results['started_at'][:16]} UTC"


def _without_run(rows: list[str], sections: str, results: dict) -> tuple[list[str], str]:
    """The summary rows and run sections of other runs (this one is rewritten after each scale)."""
    stamp = f"| {results['started_at'][:16]} |"
    rows = [r for r in rows if not r.startswith(stamp)]
    parts = sections.split("\n### ")
    parts = [p if i == 0 else "### " + p for i, p in enumerate(parts)]
    kept = [p for p in parts if p.strip() and not p.startswith(_run_heading(results))]
    return rows, "\n".join(p.rstrip() + "\n" for p in kept).strip()


def update_markdown(results: dict, path: Path) -> None:
    """Put this run's rows in the summary table and its section among the runs, newest first."""
    text = path.read_text(encoding="utf-8")
    if not all(marker in text for marker in (SUMMARY_START, SUMMARY_END, RUNS_START, RUNS_END)):
        raise ValueError(f"{path} has lost its bench:summary / bench:runs markers; put them back to record runs")
    old_summary = text[text.index(SUMMARY_START) + len(SUMMARY_START) : text.index(SUMMARY_END)]
    old_rows = [line for line in old_summary.strip().splitlines()[2:] if line.startswith("|")]
    old_runs = text[text.index(RUNS_START) + len(RUNS_START) : text.index(RUNS_END)].strip()
    old_rows, old_runs = _without_run(old_rows, old_runs, results)
    text, _ = _splice(text, SUMMARY_START, SUMMARY_END, "\n".join([SUMMARY_HEADER, *summary_rows(results), *old_rows]))
    text, _ = _splice(text, RUNS_START, RUNS_END, run_section(results) + ("\n" + old_runs if old_runs else ""))
    path.write_text(text, encoding="utf-8")
