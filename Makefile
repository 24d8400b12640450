# `make run` starts the whole system locally; `make test` runs the whole suite.
# Both first install what they need into .venv (Python 3.11, pinned by requirements.lock).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

BENCH_STAMP := $(VENV)/.installed-bench

.PHONY: install browser run test lint bench bench-quick clean

$(STAMP): requirements.txt requirements-dev.txt requirements.lock
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -c requirements.lock
	@touch $(STAMP)

install: $(STAMP)

# Debian's chromium for the browser tests (tests/browser), installed with apt-get when missing and possible;
# where it cannot be, those tests are skipped with one line saying why.
browser:
	@sh tools/ensure_chromium.sh

run: install
	$(BIN)/python -m local.run

test: install browser
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .

$(BENCH_STAMP): $(STAMP) requirements-bench.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-bench.txt -c requirements.lock
	@touch $(BENCH_STAMP)

# Every benchmark, printing its figures (package_size builds the Lambda zip and throughput runs locust:
# minutes each). `make bench-quick` leaves those two out.
bench: $(BENCH_STAMP)
	@for script in bench/[!_]*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

bench-quick: install
	@for script in bench/cold_start.py bench/dynamodb_cost.py bench/workflow_cost.py bench/loader_throughput.py; do \
		echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
