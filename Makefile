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
.PHONY: help install run serve demo test test-fast lint fmt browser messages bench screenshots clean

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

messages: $(STAMP) ## Extract and compile the English translation
	cd vanguard && ../$(BIN)/vanguard makemessages -l en --no-obsolete --ignore 'static/*' && ../$(BIN)/vanguard compilemessages -l en

clean: ## Remove the virtual environment and local data
	rm -rf $(VENV) var .pytest_cache .ruff_cache
