# zhengwu — the two set-up commands are `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
ZW := $(BIN)/zhengwu
PG_URL ?= postgres://postgres@127.0.0.1:5432/zhengwu
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install browser-tools run test lint typecheck unit unit-pg openapi bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Re-install whenever pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

# Test-only browser tools from npm (axe-core for the accessibility checks), pinned by package-lock.json.
node_modules/.installed: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed

browser-tools: node_modules/.installed

run: install
	$(ZW) migrate --noinput
	$(ZW) collectstatic --noinput --verbosity 0
	$(ZW) demo
	$(ZW) serve --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check src $(wildcard bench)
	$(BIN)/ruff format --check src $(wildcard bench)
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy
	$(BIN)/mypy bench  # the benchmark scripts import each other from bench/

unit: install browser-tools
	$(BIN)/pytest -q -n 2

# The same suite on PostgreSQL when a server is reachable (CI has one).
unit-pg: install
	@if $(BIN)/python -c "import psycopg,sys; psycopg.connect('$(PG_URL)', connect_timeout=3).close()" 2>/dev/null \
	  || $(BIN)/python -c "import psycopg; psycopg.connect('postgres://postgres@127.0.0.1:5432/postgres', connect_timeout=3).close()" 2>/dev/null; then \
	  echo "== PostgreSQL reachable: running the suite again on PostgreSQL"; \
	  DATABASE_URL=$(PG_URL) $(BIN)/pytest -q -n 2 -m "not browser"; \
	else echo "== PostgreSQL not reachable: skipping the PostgreSQL run"; fi

test: lint typecheck unit unit-pg

openapi: install
	$(BIN)/python -m zhengwu.openapi docs/openapi.json

bench: install
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var node_modules .pytest_cache .mypy_cache .ruff_cache
