# One command each: `make serve` builds the graph and serves it; `make test` runs every check.
# Each sets up what it needs the first time. Serving needs only the package's runtime
# dependencies and the query editor's files; testing adds the test/dev extras, Comunica (npm)
# and Debian's Apache Jena, Chromium, Virtuoso and R.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
SERVE_ARGS ?=
NPM := npm ci --no-audit --no-fund --ignore-scripts --prefer-offline
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
DEBIAN_TOOLS := default-jre-headless libapache-jena-java libhttpclient-java chromium \
	virtuoso-opensource r-base-core r-cran-httr2 r-cran-jsonlite
R_LIBRARY := /usr/lib/R/site-library

.PHONY: setup setup-serve setup-test test-tools serve build test lint typecheck fmt dist clean

# Stamps live inside .venv/ and node_modules/, so nothing untracked is left in the checkout.
$(VENV)/.runtime-installed: pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --no-compile -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@ $(VENV)/.runtime-installed

# Serving: the query editor (@triply/yasgui) only.
node_modules/.serve-installed: package.json package-lock.json
	$(NPM) --omit=dev
	touch $@

# Tests: also the dev dependencies (Comunica, an independent SPARQL engine).
node_modules/.test-installed: package.json package-lock.json
	$(NPM)
	touch $@ node_modules/.serve-installed

setup-serve: $(VENV)/.runtime-installed node_modules/.serve-installed

setup: $(VENV)/.dev-installed node_modules/.test-installed

# Debian tools the tests use: Apache Jena (independent parser/SPARQL/SHACL; run through
# tools/jena), Chromium, OpenLink Virtuoso (a second production store) and R with httr2 and
# jsonlite (the R example). Checked every time, installed only when missing.
test-tools:
	@if command -v java >/dev/null && [ -f /usr/share/java/jena-arq.jar ] \
	    && [ -f /usr/share/java/httpclient-cache.jar ] && [ -x /usr/bin/chromium ] \
	    && command -v virtuoso-t >/dev/null && command -v isql-vt >/dev/null \
	    && command -v Rscript >/dev/null && [ -d $(R_LIBRARY)/httr2 ] && [ -d $(R_LIBRARY)/jsonlite ]; then \
	  echo "Debian test tools present: $(DEBIAN_TOOLS)"; \
	else \
	  command -v apt-get >/dev/null || { echo "apt-get not found: install $(DEBIAN_TOOLS) by hand"; exit 1; }; \
	  echo "Installing $(DEBIAN_TOOLS) with apt-get (a few minutes the first time)"; \
	  $(SUDO) apt-get update && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y $(DEBIAN_TOOLS); \
	fi

setup-test: setup test-tools

build: $(VENV)/.runtime-installed
	$(BIN)/kg build

# npm's download runs beside pip's install and the build (nothing else needs it before serving).
serve:
	@$(MAKE) --no-print-directory -j3 setup-serve build
	$(BIN)/kg serve --host $(HOST) --port $(PORT) $(SERVE_ARGS)

lint: setup
	$(BIN)/ruff check src tests benchmarks setup.py
	$(BIN)/ruff format --check src tests benchmarks setup.py

typecheck: setup
	$(BIN)/mypy

fmt: setup
	$(BIN)/kg fmt
	$(BIN)/ruff format src tests benchmarks setup.py

test: setup-test lint typecheck
	$(BIN)/kg fmt --check
	$(BIN)/pytest

# A release in dist-release/: the wheel and sdist, and the data archive (dumps, VoID, CSV,
# SHA256SUMS) of a fresh build.
dist: setup build
	rm -rf dist-release
	$(BIN)/python -m build --outdir dist-release .
	$(BIN)/python -m kg.build.release dist dist-release

clean:
	rm -rf dist dist-release build .pytest_cache .mypy_cache .ruff_cache
