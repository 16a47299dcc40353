# Vanguard — the developer's commands. `make help` lists them.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
SCALE ?= small

.DEFAULT_GOAL := help
ROWS ?= 100000
.PHONY: help install run serve demo test test-fast lint fmt browser messages bench screenshots fuzz clean load

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

install: $(STAMP) ## Create .venv and install Vanguard with its test dependencies

run: $(STAMP) ## Migrate the SQLite database, load the demo and serve on http://127.0.0.1:8000
	DEBUG=1 $(BIN)/vanguard migrate --noinput
	DEBUG=1 $(BIN)/vanguard demo
	DEBUG=1 $(BIN)/vanguard runserver $(HOST):$(PORT)

demo: $(STAMP) ## Rebuild the demonstration database from scratch
	DEBUG=1 $(BIN)/vanguard migrate --noinput
	DEBUG=1 $(BIN)/vanguard demo --reset

browser: ## Install Debian's Chromium and CJK fonts for the browser tests, when missing and allowed
	@bash .ci/ensure-browser

test: $(STAMP) browser ## Run the whole test suite (browser tests included)
	$(BIN)/pytest

test-fast: $(STAMP) ## Run the suite without the browser tests
	$(BIN)/pytest -m "not e2e"

lint: $(STAMP) ## ruff check, ruff format --check and djLint
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djlint vanguard --lint --quiet
	$(BIN)/djlint vanguard --check --quiet

fmt: $(STAMP) ## Format Python and templates in place
	$(BIN)/ruff check --fix-only --quiet .
	$(BIN)/ruff format .
	$(BIN)/djlint vanguard --reformat --quiet || true

bench: $(STAMP) ## Measure import/export against their references; writes docs/benchmarks.md
	$(BIN)/python bench/run.py --scale $(SCALE) --rows $(ROWS)

screenshots: $(STAMP) browser ## Retake the screenshots in docs/screenshots/ (browser tests)
	VANGUARD_SCREENSHOTS=$(CURDIR)/docs/screenshots $(BIN)/pytest -q vanguard/tests/e2e/test_screenshots.py

# The API's property-based run of `make test` (vanguard/api/tests/test_fuzz.py), longer: FUZZ_EXAMPLES
# examples per operation and generation mode for every role. Each role's figures land in FUZZ_REPORT.
FUZZ_EXAMPLES ?= 25
FUZZ_REPORT := test-results/fuzz.txt
fuzz: $(STAMP) ## Fuzz the API per role, FUZZ_EXAMPLES per operation; summary in test-results/fuzz.txt
	@mkdir -p $(dir $(FUZZ_REPORT))
	@printf 'make fuzz  %s  commit %s  FUZZ_EXAMPLES=%s  database %s\n' "$$(date '+%Y-%m-%d %H:%M')" \
		"$$(git rev-parse --short HEAD 2>/dev/null || echo '?')" "$(FUZZ_EXAMPLES)" \
		"$${DATABASE_URL:-sqlite}" | sed 's#//[^@/]*@#//#' > $(FUZZ_REPORT)
	@VANGUARD_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) VANGUARD_FUZZ_REPORT=$(CURDIR)/$(FUZZ_REPORT) \
		$(BIN)/pytest -q -p no:cacheprovider vanguard/api/tests/test_fuzz.py \
		-k test_the_api_answers_every_generated_request_within_its_schema; status=$$?; \
	awk '/ generated=/ { for (i = 1; i <= NF; i++) { split($$i, kv, "="); v[kv[1]] += kv[2] + 0 } n++ } \
		END { printf "total: %d runs, generated=%d failures=%d time=%ds cpu=%ds\n", \
		n, v["generated"], v["failures"], v["time"], v["cpu"] }' $(FUZZ_REPORT) >> $(FUZZ_REPORT); \
	echo; cat $(FUZZ_REPORT); exit $$status

messages: $(STAMP) ## Extract and compile the English translation
	cd vanguard && ../$(BIN)/vanguard makemessages -l en --no-obsolete --ignore 'static/*' && ../$(BIN)/vanguard compilemessages -l en

clean: ## Remove the virtual environment and local data
	rm -rf $(VENV) var .pytest_cache .ruff_cache

# `make load`: LOAD_USERS people for LOAD_SECONDS on a fresh demo database under gunicorn (bench/load.py);
# SQLite unless LOAD_DATABASE_URL names a PostgreSQL server to create (and drop) a fresh database on.
LOAD_USERS ?= 50
LOAD_SECONDS ?= 60
LOAD_DATABASE_URL ?=
load: $(STAMP) ## Locust: 50 people for 60 s on the demo under gunicorn; writes test-results/load.md
	$(BIN)/python bench/load.py --users $(LOAD_USERS) --rate 10 --duration $(LOAD_SECONDS) \
		$(if $(LOAD_DATABASE_URL),--database-url $(LOAD_DATABASE_URL))
