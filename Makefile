# Digimetrics: `make run` refreshes the warehouse from the bundled samples; `make test` runs
# the whole suite. Both create the environment (.venv) first when it is missing; `make
# dashboard` and `make test` also create Superset's own (.venv-dashboard).
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

.PHONY: install run test ui lint format clean dagster-home dbt-manifest bench recover-state \
	dashboard dashboard-install

# The locked dependencies, then the project itself (editable, without dependencies: the
# lock pins them) for its console script `digimetrics`.
$(VENV)/.installed: pyproject.toml requirements.lock
	@echo "Installing the environment into $(VENV) from requirements.lock"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==0.13.9
	@$(BIN)/uv pip install --python $(BIN)/python --quiet --compile-bytecode -r requirements.lock
	@$(BIN)/uv pip install --python $(BIN)/python --quiet --no-deps -e .
	@touch $@

install: $(VENV)/.installed

# Superset's environment, apart from the pipeline's: its pins (pandas, numpy, SQLAlchemy,
# DuckDB...) are not the pipeline's, and it reads the warehouse only through duckdb-engine.
DASHBOARD := orchestration/dashboard
DASHBOARD_VENV := .venv-dashboard
$(DASHBOARD_VENV)/.installed: $(DASHBOARD)/requirements.lock
	test -x $(DASHBOARD_VENV)/bin/python || $(PYTHON) -m venv $(DASHBOARD_VENV)
	$(DASHBOARD_VENV)/bin/python -m pip install --quiet --disable-pip-version-check uv==0.13.9
	$(DASHBOARD_VENV)/bin/uv pip install --python $(DASHBOARD_VENV)/bin/python --quiet \
		-r $(DASHBOARD)/requirements.lock
	touch $@

dashboard-install: $(DASHBOARD_VENV)/.installed

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

# the models compiled for `digimetrics check` (orchestration/lib/compiled_models.py), again
# only when the manifest was parsed again (it compiles only when the model code changed)
COMPILED := dbt_project/target/compiled_models.json
$(COMPILED): $(MANIFEST)
	@$(BIN)/python -m orchestration.lib.compiled_models
	@touch $@

dbt-manifest: $(MANIFEST) $(COMPILED)

# a refresh over the landing zone told in a few lines (the whole log goes to a file), or
# "nothing new" when nothing changed since the last one; then what the warehouse holds
run: install dagster-home dbt-manifest
	@$(BIN)/python -m orchestration.run

test: install dashboard-install dbt-manifest
	$(BIN)/python -m pytest -n 2 --dist loadfile --no-loadscope-reorder --durations=25

ui: install dagster-home dbt-manifest
	$(BIN)/dagster dev -w workspace.yaml -h $(HOST) -p $(PORT)

# Superset on $(HOST), port 8088 unless PORT is given (`make dashboard PORT=9000`), over the
# published warehouse ($DIGIMETRICS_WAREHOUSE), read-only, with the dashboard of
# $(DASHBOARD)/bundle/ imported at start; its metadata lives in .superset/.
dashboard: dashboard-install
	$(DASHBOARD_VENV)/bin/python $(DASHBOARD)/serve.py --host $(HOST) \
		--port $(if $(filter command line environment,$(origin PORT)),$(PORT),8088)

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
	rm -rf warehouse .dagster dbt_project/target .pytest_cache .superset
