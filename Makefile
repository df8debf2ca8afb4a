# Digimetrics: `make run` refreshes the warehouse from the bundled samples; `make test` runs
# the whole suite. Both create the environment (.venv) first when it is missing.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 3000

export DAGSTER_HOME ?= $(CURDIR)/.dagster
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export GX_ANALYTICS_ENABLED := False
export DAGSTER_DISABLE_TELEMETRY := 1
export PATH := $(BIN):$(PATH)

.PHONY: install run test ui lint format clean dagster-home dbt-manifest bench recover-state

$(VENV)/.installed: pyproject.toml requirements.lock
	@echo "Installing the environment into $(VENV) from requirements.lock"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==0.13.9
	@$(BIN)/uv pip install --python $(BIN)/python --quiet --compile-bytecode -r requirements.lock
	@touch $@

install: $(VENV)/.installed

# The Dagster instance (run history, schedules) lives in $(DAGSTER_HOME), configured by
# the repository's dagster.yaml.
# The storage is created here, once: the webserver and the daemon starting together on an
# empty home would both create it, and one fails (alembic: "more than one head").
dagster-home:
	@mkdir -p "$(DAGSTER_HOME)"
	@cp dagster.yaml "$(DAGSTER_HOME)/dagster.yaml"
	@test -d "$(DAGSTER_HOME)/history" || $(BIN)/dagster instance migrate > /dev/null

# dbt's manifest, parsed again only when a file of the dbt project changed
MANIFEST := dbt_project/target/manifest.json
DBT_FILES := dbt_project/dbt_project.yml dbt_project/profiles.yml \
	$(shell find dbt_project/models dbt_project/macros dbt_project/tests -type f 2>/dev/null)
$(MANIFEST): $(VENV)/.installed $(DBT_FILES)
	@echo "Parsing the dbt project"
	@cd dbt_project && $(BIN)/dbt parse --quiet --profiles-dir . --target-path target

dbt-manifest: $(MANIFEST)

# a refresh over the landing zone told in a few lines (the whole log goes to a file), or
# "nothing new" when nothing changed since the last one; then what the warehouse holds
run: install dagster-home dbt-manifest
	@$(BIN)/python -m orchestration.run

test: install dbt-manifest
	$(BIN)/python -m pytest -n 2 --dist loadfile --no-loadscope-reorder --durations=25

ui: install dagster-home dbt-manifest
	$(BIN)/dagster dev -w workspace.yaml -h $(HOST) -p $(PORT)

# The national-scale benchmark (not part of `make test`): 1M and 10M observations, or
# ROWS=1000000 for one scale. Landing zones are cached in benchmarks/cache/.
bench: install dagster-home dbt-manifest
	$(BIN)/python -m benchmarks.bench $(if $(ROWS),--rows $(ROWS))

# A damaged working state (a refresh says so): set it aside and start a new one that keeps
# every file's first-seen order; the next refresh reads the landing zone again.
recover-state: install
	$(BIN)/python -m orchestration.recover

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf warehouse .dagster dbt_project/target .pytest_cache
