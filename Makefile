# The two commands: `make run` (the nightly job on an embedded PostgreSQL with demo data)
# and `make test`. Everything a machine needs is installed into .venv from requirements.lock,
# with a migrated, empty Airflow metadata database that each local run's Airflow home starts
# from (commissions.local_airflow), so no run pays `airflow db migrate`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | sha256sum | cut -c1-12)
SCALE ?= small
# The DAG is rendered from dbt's manifest (Cosmos LoadMode.DBT_MANIFEST): rebuilt by
# `dbt parse` whenever a file under dbt_project/ changes, so parsing the DAG never starts dbt.
MANIFEST := dbt_project/target/manifest.json
DBT_SOURCES := $(shell find dbt_project -type f -not -path 'dbt_project/target/*' -not -path 'dbt_project/logs/*' -not -path 'dbt_project/dbt_packages/*' -not -name '.*')

export AIRFLOW__COSMOS__ENABLE_TELEMETRY := False
export DO_NOT_TRACK := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := False

.PHONY: install manifest run test fuzz bench lint typecheck format clean

install: $(STAMP) $(MANIFEST)

manifest: $(MANIFEST)

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==0.9.30
	$(BIN)/uv pip install --python $(BIN)/python --quiet -r requirements.lock
	$(BIN)/uv pip install --python $(BIN)/python --quiet --no-deps -e .
	$(BIN)/python -m commissions.local_airflow
	@rm -f $(VENV)/.installed-*
	@touch $@

# The Python side also checks a content fingerprint (commissions.dbt_manifest): a stale
# manifest stops the DAG import, and `commissions run` rebuilds it before it starts Airflow.
$(MANIFEST): $(STAMP) $(DBT_SOURCES)
	$(BIN)/python -m commissions.dbt_manifest
	@touch $@

# The demo approves its period unattended so the run ends with a payroll file; a real
# deployment leaves approval to finance (`commissions period approve`, docs/operations.md).
run: install
	$(BIN)/commissions run --approve-by "make run (demo)"

test: install
	$(BIN)/python -m pytest

# The malformed-file test at length: FUZZ_CASES cases from FUZZ_SEED (make test runs 40).
FUZZ_CASES ?= 2000
FUZZ_SEED ?= 13
fuzz: install
	FUZZ_CASES=$(FUZZ_CASES) FUZZ_SEED=$(FUZZ_SEED) $(BIN)/python -m pytest tests/test_load_fuzz.py -q

bench: install
	$(BIN)/commissions bench --scale $(SCALE)

lint: install typecheck
	$(BIN)/ruff check plugins tools dags tests
	$(BIN)/ruff format --check plugins tools dags tests
	$(BIN)/sqlfluff lint dbt_project/models dbt_project/tests --processes 2

# mypy on the packages listed in pyproject.toml ([tool.mypy]); `make test` runs it too.
typecheck: install
	$(BIN)/mypy

format: install
	$(BIN)/ruff format plugins tools dags tests
	$(BIN)/ruff check --fix plugins tools dags tests

clean:
	-$(BIN)/commissions warehouse stop 2>/dev/null
	rm -rf var dbt_project/target dbt_project/logs
