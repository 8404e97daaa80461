# One command to run the pipeline on the shipped sample, one to test it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
LOCAL_DAGSTER_HOME := $(CURDIR)/.dagster_home
export DAGSTER_HOME ?= $(LOCAL_DAGSTER_HOME)
# The shipped sample is synthetic, so the public demo hashing key is allowed on it (and on
# nothing else: a landed file that is not a file of the sample stops the run). With real
# data, set P3DN_PII_KEY and P3DN_DEMO_MODE=0, so that a missing key stops the run.
export P3DN_DEMO_MODE ?= 1

.PHONY: run test test-fast test-system-packages mutation dev synth bench bench-instance-storage lock clean

# Every dependency at the version and hashes in the lock (the versions the tests run on), then
# the project itself without resolving anything; pip check fails when pyproject.toml asks for
# a version the lock does not have (run make lock).
$(BIN)/.installed: pyproject.toml requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/pip install --quiet --no-deps -e .
	$(BIN)/pip check
	touch $@

## lock: resolve pyproject.toml again into requirements-dev.lock (with the dev extra, what make
## and CI install) and requirements.lock (the pipeline alone, the same versions), with hashes.
## Keeps every pin it can; make lock LOCK_FLAGS=--upgrade moves everything to the newest
## allowed versions, LOCK_FLAGS='--upgrade-package duckdb' one package.
UV_VERSION := 0.13.9
LOCK_FLAGS ?=
LOCK_OPTIONS = --quiet --generate-hashes --universal --python-version 3.11 $(LOCK_FLAGS)
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet uv==$(UV_VERSION)
	$(BIN)/uv pip compile pyproject.toml --extra dev $(LOCK_OPTIONS) -o requirements-dev.lock
	$(BIN)/uv pip compile pyproject.toml -c requirements-dev.lock $(LOCK_OPTIONS) \
		-o requirements.lock

$(DAGSTER_HOME):
	mkdir -p $(DAGSTER_HOME)

# The instance config: the repository's own .dagster_home follows ./dagster.yaml; any other
# DAGSTER_HOME (a production one) is given it only when it has none, never overwritten.
ifeq ($(DAGSTER_HOME),$(LOCAL_DAGSTER_HOME))
$(DAGSTER_HOME)/dagster.yaml: dagster.yaml | $(DAGSTER_HOME)
	cp dagster.yaml $@
else
$(DAGSTER_HOME)/dagster.yaml: | $(DAGSTER_HOME)
	cp dagster.yaml $@
endif

## run: install, materialize every asset on data/landing, print the headline KPIs
run: $(BIN)/.installed $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/p3dn run

## test: the whole suite, slow end-to-end tests included (after test-system-packages)
test: $(BIN)/.installed $(DAGSTER_HOME)/dagster.yaml test-system-packages
	$(BIN)/python -m pytest -q

## test-system-packages: PostgreSQL's server and Debian's Chromium, which two tests use for
## real. Installed as root with apt-get (nothing to do when they are there); otherwise one
## line says what to install, the suite runs anyway, and those tests fail, saying why.
test-system-packages:
	@bash scripts/ensure-postgres.sh || true
	@bash scripts/install-chromium.sh || true

## test-fast: unit tests only
test-fast: $(BIN)/.installed
	$(BIN)/python -m pytest -q -m "not slow"

## mutation: break figures, rules and protections on purpose, one at a time, in a temporary
## copy of the repository, and fail if the tests that must catch a break all pass
## (scripts/mutation_check.py; MUTATION_FLAGS=--list shows the breaks, '--only ID' runs some;
## CI passes --no-baseline: make test has just run the same tests on the unbroken code)
MUTATION_FLAGS ?=
mutation: $(BIN)/.installed
	$(BIN)/python scripts/mutation_check.py $(MUTATION_FLAGS)

## dev: the Dagster UI on http://127.0.0.1:3000, with the daemon (schedule, sensors, run queue)
dev: $(BIN)/.installed $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

## synth: regenerate the committed sample in data/landing, and the package's list of its
## files (the only files demo mode lets the public demo key hash)
synth: $(BIN)/.installed
	$(BIN)/p3dn-synth --scale 0.02 --seed 20251 --out data/landing
	$(BIN)/python -m p3dn_pipeline.demo_sample data/landing

## bench: pipeline vs bare DuckDB vs pandas on generated input, appended to benchmarks/RESULTS.md
## (make bench SCALE=10 RUNS=3 BENCH_ARGS=--profile; input cached in benchmarks/.data)
SCALE ?= 1
RUNS ?= 3
BENCH_ARGS ?=
bench: $(BIN)/.installed
	$(BIN)/python benchmarks/bench_pipeline.py --scale $(SCALE) --runs $(RUNS) $(BENCH_ARGS)

## bench-instance-storage: p3dn run on SQLite vs PostgreSQL instance storage, alternated
## (make bench-instance-storage STORAGE_ARGS='--scale 1 --rounds 3'; needs PostgreSQL's server)
STORAGE_ARGS ?=
bench-instance-storage: $(BIN)/.installed
	$(BIN)/python benchmarks/bench_instance_storage.py $(STORAGE_ARGS)

clean:
	rm -rf data/warehouse/*.duckdb* $(DAGSTER_HOME)
