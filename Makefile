# rxshop: `make run` sets up and runs the shop; `make test` sets up and runs every test.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
BUN := .tools/node_modules/bun/bin/bun.exe
LIGHTHOUSE := .tools/lighthouse/node_modules/.bin/lighthouse
ORIGINAL := .tools/original/.installed
export REFLEX_TELEMETRY_ENABLED ?= false
export REFLEX_CHECK_LATEST_VERSION ?= false
export REFLEX_BUN_PATH ?= $(CURDIR)/$(BUN)

.PHONY: run test setup setup-dev migrate seed unit e2e sandbox-test bench clean

run: setup migrate seed            ## the shop on http://localhost:3000 (SQLite, Stripe sandbox, local mail sink)
	$(BIN)/python scripts/run.py

test: setup-dev $(ORIGINAL)        ## every test: unit, sandbox contract, browser end-to-end
	$(BIN)/python -m pytest

setup: $(VENV)/.installed $(BUN)

setup-dev: setup $(VENV)/.installed-dev

$(VENV)/.installed: requirements.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $@

$(BUN):
	mkdir -p .tools
	npm install --silent --no-audit --no-fund --prefix .tools bun@1.4.4

$(LIGHTHOUSE):                     ## Lighthouse for `make bench` (12.2.3: the last one that runs on Node 20)
	mkdir -p .tools/lighthouse
	npm install --silent --no-audit --no-fund --prefix .tools/lighthouse -E lighthouse@12.2.3

$(ORIGINAL): bench/original/requirements.txt  ## the Django original re-created for `make bench`, in its own venv
	rm -rf .tools/original
	$(PY) -m venv .tools/original
	.tools/original/bin/python -m pip install -q --disable-pip-version-check -r bench/original/requirements.txt
	touch $@

migrate: setup
	$(BIN)/reflex db migrate

seed: setup
	$(BIN)/python -m rxshop.seed

bench: setup-dev $(LIGHTHOUSE) $(ORIGINAL)  ## every speed measure in one table (also var/bench.json); BENCH_ARGS=--quick etc.
	$(BIN)/python bench/run_all.py $(BENCH_ARGS)
	$(BIN)/python bench/sandbox_bench.py

clean:
	rm -rf .web .states test-results
