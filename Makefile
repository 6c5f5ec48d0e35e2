# Bi-borough outcomes warehouse. `make demo` and `make test` are the two commands a new
# machine needs (Python 3.11 and pip); everything else is for day-to-day work.

SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

export DAGSTER_HOME := $(CURDIR)/.dagster
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export GX_ANALYTICS_ENABLED := false
export DAGSTER_DISABLE_TELEMETRY := true
export DO_NOT_TRACK := 1
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help setup demo demo-dirty run ui ui-info test test-fast calibration docs bench bench-quick lock clean clean-data

help:
	@echo "make demo        set up, generate synthetic extracts, run the nightly job, publish"
	@echo "make test        run the whole test suite"
	@echo "make ui          Dagster UI on http://127.0.0.1:3000 (webserver + daemon)"
	@echo "make run         run the nightly job once from the command line"
	@echo "make demo-dirty  the demo on the generator's dirty-data mode"
	@echo "make calibration compare the synthetic marts with the councils' published figures"
	@echo "make bench       benchmark from the bi-borough to national volume (bench-quick: small)"

$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP)
	@mkdir -p $(DAGSTER_HOME)
	@$(BIN)/python -m pipelines keygen
	@$(BIN)/python -m pipelines prepare

demo: setup
	$(BIN)/python -m pipelines generate
	$(BIN)/python -m pipelines run
	@$(BIN)/python -m pipelines summary
	@$(BIN)/python -m pipelines calibration

demo-dirty: setup
	$(BIN)/python -m pipelines generate --dirty
	$(BIN)/python -m pipelines run
	@$(BIN)/python -m pipelines summary

run: setup
	$(BIN)/python -m pipelines run

# Webserver and daemon (schedules, sensors, the run queue) on the loopback interface only; run
# history in $(DAGSTER_HOME) (SQLite). Another port: make ui UI_PORT=3001.
UI_PORT ?= 3000
ui: setup
	$(BIN)/dagster dev -m pipelines.definitions -h 127.0.0.1 -p $(UI_PORT)

# What the instance is configured with (storage, run queue, retries, telemetry).
ui-info:
	$(BIN)/dagster instance info

# Test files spread over the cores (at most 4 workers: the session fixtures that run the whole
# job are built once and shared, so more workers would mostly wait for them), in the order
# tests/conftest.py gives them, longest first.
TEST_WORKERS ?= auto
test: setup
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --maxprocesses=4 --dist loadfile --no-loadscope-reorder

test-fast: setup
	$(BIN)/python -m pytest -m "not slow and not browser"

calibration: setup
	$(BIN)/python -m pipelines calibration

docs: setup
	$(BIN)/python -m pipelines docs

bench: setup
	$(BIN)/python bench/run.py

bench-quick: setup
	$(BIN)/python bench/run.py --quick

# Refresh the lock file after changing dependencies in pyproject.toml.
lock:
	rm -rf /tmp/outcomes-lock && $(PYTHON) -m venv /tmp/outcomes-lock
	/tmp/outcomes-lock/bin/pip install --quiet '.[dev]'
	/tmp/outcomes-lock/bin/pip freeze --exclude biborough-outcomes > requirements.lock

clean:
	rm -rf target logs .pytest_cache tests/artifacts

clean-data:
	rm -rf data/warehouse data/published data/archive data/work data/raw/*/
