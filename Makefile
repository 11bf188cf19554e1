# normlab: `make run` brings everything up with embedded defaults, `make test` runs the suite,
# `make check` its quick tier.
SHELL := /bin/bash
VENV ?= .venv
BIN := $(VENV)/bin
PYTHON ?= $(shell command -v python3.11 || command -v python3)
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt constraints.txt pyproject.toml | sha256sum | cut -c1-12)

.PHONY: run test check lint format migrate setup dataset bench scale-demo

run: setup ## API on 127.0.0.1:$PORT (default 8000) and one worker, in the foreground
	scripts/run.sh

test: setup ## lint, then the whole suite against real Redis, SQLite and PostgreSQL
	scripts/ensure-browser.sh
	-scripts/ensure-hosts.sh  # without root the scale demo's test is skipped, not failed (outside CI)
	scripts/test.sh

check: setup ## lint, then every test that starts no worker process, on SQLite: the quick loop
	scripts/test.sh check

bench: setup ## training speed against plain Keras, the 7 x 5 sweep, API load, worker memory
	command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y wrk; } || { echo "install wrk (apt-get install wrk)" >&2; exit 1; }
	scripts/bench.sh

scale-demo: setup ## the service on several hosts (network namespaces; root), one cut off mid-job
	scripts/ensure-hosts.sh
	$(BIN)/python -m harness.scale_demo

setup: $(STAMP) dataset

$(STAMP): requirements.txt requirements-dev.txt constraints.txt pyproject.toml
	PYTHON=$(PYTHON) scripts/ensure-venv.sh $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	rm -f $(VENV)/.installed-* && touch $@

dataset:
	scripts/ensure-dataset.sh

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrate: $(STAMP)
	$(BIN)/alembic upgrade head
