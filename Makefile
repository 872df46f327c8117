# One command each: `make serve` builds the graph and serves it; `make test` runs every check.
# Each sets up what it needs the first time (Python venv, npm assets, Debian tools for tests).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
SERVE_ARGS ?=

.PHONY: setup setup-test serve build test lint typecheck fmt clean

$(BIN)/kg: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

setup: $(BIN)/kg node_modules/.installed

# Debian tools the tests use: Apache Jena (independent parser/SPARQL/SHACL) and Chromium.
.test-tools-installed:
	@command -v apt-get >/dev/null || { echo "apt-get not found: install Jena and Chromium by hand"; exit 1; }
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libapache-jena-java libhttpclient-java chromium chromium-driver >/dev/null
	touch $@

setup-test: setup .test-tools-installed

build: setup
	$(BIN)/kg build

serve: build
	$(BIN)/kg serve --host $(HOST) --port $(PORT) $(SERVE_ARGS)

lint: setup
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: setup
	$(BIN)/mypy

fmt: setup
	$(BIN)/kg fmt
	$(BIN)/ruff format src tests benchmarks

test: setup-test lint typecheck
	$(BIN)/kg fmt --check
	$(BIN)/pytest

clean:
	rm -rf dist .pytest_cache .mypy_cache .ruff_cache
