"""What the benchmark runs in a fresh process: `python -m bench.child nightly|partition <key>`.

`nightly` is exactly the command line's `python -m pipelines run`; `partition` runs the
sign-off job for one financial quarter (pipelines/jobs.py), as a backfill of one partition would.
Both use the Dagster instance in DAGSTER_HOME, whose event log the benchmark reads afterwards.
"""

from __future__ import annotations

import sys


def run_partition(partition_key: str) -> int:
    import dagster as dg

    from pipelines.definitions import defs

    job = defs.resolve_job_def("sign_off_quarter")
    result = job.execute_in_process(instance=dg.DagsterInstance.get(), partition_key=partition_key, raise_on_error=False)
    print(f"Run {result.run_id}: {'succeeded' if result.success else 'FAILED'}")
    return 0 if result.success else 1


def main(argv: list[str]) -> int:
    from pipelines.settings import switch_off_telemetry

    switch_off_telemetry()
    if argv[:1] == ["nightly"]:
        from pipelines.cli import main as cli_main

        return cli_main(["run"])
    if len(argv) == 2 and argv[0] == "partition":
        return run_partition(argv[1])
    print("usage: python -m bench.child nightly | partition <quarter start, e.g. 2023-01-01>", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
