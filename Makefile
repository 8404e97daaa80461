# One command to run the pipeline on the shipped sample, one to test it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home

.PHONY: run test test-fast dev synth bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

$(DAGSTER_HOME):
	mkdir -p $(DAGSTER_HOME)

## run: install, materialize every asset on data/landing, print the headline KPIs
run: $(BIN)/.installed | $(DAGSTER_HOME)
	$(BIN)/p3dn run

## test: the whole suite, slow end-to-end tests included
test: $(BIN)/.installed | $(DAGSTER_HOME)
	$(BIN)/python -m pytest -q

## test-fast: unit tests only
test-fast: $(BIN)/.installed
	$(BIN)/python -m pytest -q -m "not slow"

## dev: the Dagster UI on http://127.0.0.1:3000
dev: $(BIN)/.installed | $(DAGSTER_HOME)
	$(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

## synth: regenerate the committed sample in data/landing
synth: $(BIN)/.installed
	$(BIN)/p3dn-synth --scale 0.02 --seed 20251 --out data/landing

clean:
	rm -rf data/warehouse/*.duckdb* $(DAGSTER_HOME)
