"""Command line: `python -m pipelines <command>` (the Makefile targets call these).

    keygen      create the pseudonymisation key file if there is none (outside the repository)
    prepare     parse the dbt project so Dagster can load it
    generate    write synthetic extracts into the landing zone
    run         run the nightly job once, with progress, recorded in the Dagster instance
    summary     what the published database holds
    calibration compare the published figures with the councils' (data/published/calibration.csv)
    docs        regenerate files derived from the contract and libraries (dbt sources, seeds)
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from datetime import date
from pathlib import Path

from pipelines.settings import Settings, switch_off_telemetry


def _cmd_keygen(args) -> int:
    from pipelines.privacy.pseudonymise import KEY_ENV, generate_key_file, key_file_path

    import os

    if os.environ.get(KEY_ENV):
        print(f"Pseudonymisation key taken from {KEY_ENV}.")
        return 0
    existed = key_file_path().exists()
    path = generate_key_file()
    print(f"Pseudonymisation key: {path} ({'existing' if existed else 'created; keep it secret and back it up'}).")
    return 0


def _cmd_prepare(args) -> int:
    from pipelines.assets.dbt import dbt_project, parse_project

    parse_project()
    print(f"dbt manifest: {dbt_project.manifest_path}")
    return 0


def _cmd_generate(args) -> int:
    from pipelines.synthetic.generate import GenerationSpec, generate

    settings = Settings.from_env()
    out = Path(args.out) if args.out else settings.raw_dir
    spec = GenerationSpec(seed=args.seed, scale=args.scale, extract_date=date.fromisoformat(args.extract_date), dirty=args.dirty)
    started = time.perf_counter()
    folders = generate(out, spec, force=args.force)
    print(f"Synthetic extracts (seed {spec.seed}, scale {spec.scale}{', dirty' if spec.dirty else ''}) in {time.perf_counter() - started:.1f} s:")
    for source, folder in folders.items():
        print(f"  {source:8} {folder}")
    return 0


class _ProgressHandler(logging.Handler):
    """Prints one line per step and per check instead of Dagster's full event stream."""

    def __init__(self, stream) -> None:
        super().__init__()
        self.stream = stream

    def emit(self, record: logging.LogRecord) -> None:
        print = self._print
        meta = getattr(record, "dagster_meta", None) or {}
        event = meta.get("dagster_event")
        if event is None:
            return
        kind = event.event_type_value
        step = event.step_key or ""
        if kind == "STEP_START":
            print(f"  ... {step}", flush=True)
        elif kind == "STEP_SUCCESS":
            print(f"  ok  {step}", flush=True)
        elif kind == "STEP_FAILURE":
            error = event.event_specific_data.error
            while error.cause is not None:  # the user's exception, not Dagster's wrapper
                error = error.cause
            print(f"  FAILED {step}: {error.message.strip()[:3000]}", flush=True)
        elif kind == "STEP_SKIPPED":
            print(f"  skipped {step} (an upstream step or a blocking check failed)", flush=True)
        elif kind == "ASSET_CHECK_EVALUATION":
            data = event.event_specific_data
            status = "passed" if data.passed else "FAILED"
            print(f"  check {data.asset_check_key.asset_key.to_user_string()}:{data.asset_check_key.name} {status}", flush=True)
            if not data.passed and data.description:
                print("        " + data.description.replace("\n", "\n        "), flush=True)

    def _print(self, text: str, flush: bool = True) -> None:
        self.stream.write(text + "\n")
        self.stream.flush()


def _cmd_run(args) -> int:
    import dagster as dg

    from pipelines.definitions import defs

    import contextlib

    handler = _ProgressHandler(sys.stdout)

    @dg.logger
    def progress_logger(_init_context):
        log = logging.getLogger("outcomes.progress")
        log.setLevel(logging.DEBUG)
        log.handlers = [handler]
        log.propagate = False
        return log

    job = defs.resolve_job_def("nightly").with_logger_defs({"progress": progress_logger})
    instance = dg.DagsterInstance.get()
    settings = Settings.from_env()
    log_dir = settings.work_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"run-{time.strftime('%Y%m%dT%H%M%S')}.log"
    print(f"Nightly job: data in {settings.data_dir}; full log (dbt output included) in {log_path}")
    started = time.perf_counter()
    # dbt's own output goes to the log file; the console gets one line per step.
    with log_path.open("w", encoding="utf-8") as log_file, contextlib.redirect_stdout(log_file):
        result = job.execute_in_process(instance=instance, raise_on_error=False, run_config={"loggers": {"progress": {}}})
    elapsed = time.perf_counter() - started
    print(f"Run {result.run_id}: {'succeeded' if result.success else 'FAILED'} in {elapsed:.1f} s (see it in the UI: make ui).")
    return 0 if result.success else 1


def _cmd_summary(args) -> int:
    import duckdb

    settings = Settings.from_env()
    path = settings.published_db_path
    if not path.exists():
        print(f"No publication yet at {path}.")
        return 1
    con = duckdb.connect(str(path), read_only=True)
    try:
        pub = con.execute("select publication_id, published_at, synthetic, row_count from published.publication_log order by published_at desc limit 1").fetchall()[0]
        print(f"Published: {path}")
        print(f"  publication {pub[0]} at {pub[1]}, {pub[3]} rows in published.outcome_measures")
        if pub[2]:
            print("  SYNTHETIC DATA: these figures describe no real child.")
        try:
            shown, hidden = con.execute("select count(*) filter (where value_published <> 'c'), count(*) filter (where value_published = 'c') from published.outcome_measures").fetchall()[0]
            print(f"  published.outcome_measures: {shown} figures shown, {hidden} suppressed (c); exports from it only")
        except duckdb.Error:
            pass  # a publication from before disclosure control
        latest = settings.published_dir / "latest"
        if latest.exists():
            print(f"  exports: {latest.resolve()} (outcomes.xlsx, outcome_measures.csv and .parquet, manifest.json)")
        print(f"  validation history: {settings.published_dir / 'data_docs' / 'index.html'} and dq.validation_results")
        rows = con.execute(
            """
            select measure_id, statistic, period_label, area_name, round(value, 1)
            from marts.outcome_measures
            where breakdown = 'all' and measure_id = 'P3_CLA_RATE' and statistic in ('count', 'rate_per_10k')
            order by period_end desc, statistic, area_code limit 6
            """
        ).fetchall()
        for r in rows:
            print(f"  {r[0]:<16} {r[1]:<14} {r[2]:<12} {r[3]:<55} {r[4]}")
        print("Try: .venv/bin/python -c \"import duckdb; print(duckdb.connect('data/published/outcomes.duckdb', read_only=True).sql('select * from marts.outcome_measures limit 5'))\"")
    finally:
        con.close()
    return 0


def _cmd_calibration(args) -> int:
    from pipelines.calibration import CalibrationError, run

    try:
        results, lines, out = run(Settings.from_env(), published=Path(args.published) if args.published else None)
    except CalibrationError as exc:
        print(exc)
        return 1
    print("\n".join(lines))
    print(f"  report: {out}")
    outside = any(r.computed and not r.within_tolerance for r in results)
    return 1 if args.strict and outside else 0


def _cmd_docs(args) -> int:
    from pipelines.catalogue import write_docs as write_catalogue_docs
    from pipelines.contracts.dbt_sources import write_all
    from pipelines.contracts.docs import write_doc as write_contract_doc
    from pipelines.reference_data import write_seeds

    for path in [*write_all(), *write_contract_doc(), *write_seeds(), *write_catalogue_docs()]:
        print(f"wrote {path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    switch_off_telemetry()
    parser = argparse.ArgumentParser(prog="python -m pipelines", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("keygen").set_defaults(func=_cmd_keygen)
    sub.add_parser("prepare").set_defaults(func=_cmd_prepare)
    gen = sub.add_parser("generate")
    gen.add_argument("--seed", type=int, default=20230515)
    gen.add_argument("--scale", type=int, default=1)
    gen.add_argument("--extract-date", default="2023-05-15")
    gen.add_argument("--dirty", action="store_true", help="inject the mess real extracts have")
    gen.add_argument("--out", help="landing zone (default: <data>/raw)")
    gen.add_argument("--force", action="store_true", help="regenerate even if the same generation is present")
    gen.set_defaults(func=_cmd_generate)
    sub.add_parser("run").set_defaults(func=_cmd_run)
    sub.add_parser("summary").set_defaults(func=_cmd_summary)
    sub.add_parser("docs").set_defaults(func=_cmd_docs)
    cal = sub.add_parser("calibration")
    cal.add_argument("--published", help="published database (default: <data>/published/outcomes.duckdb)")
    cal.add_argument("--strict", action="store_true", help="exit 1 when a computed figure is outside tolerance")
    cal.set_defaults(func=_cmd_calibration)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
