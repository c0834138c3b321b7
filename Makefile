# Every target installs what it needs first (make setup), so a fresh clone only needs Python 3.11.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.setup-stamp
DATA ?= data

.PHONY: setup test lint typecheck pytest bench corpus demo report stats test-browser clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found (set PYTHON=...)" >&2; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

test: lint typecheck pytest

lint: setup
	$(BIN)/ruff check etl tests bench
	$(BIN)/ruff format --check etl tests bench

typecheck: setup
	$(BIN)/mypy etl bench

pytest: setup
	$(BIN)/python -m pytest -q -n auto --durations=15

# Not part of `make test`: minutes of timing. ARGS="--quick" or ARGS="--only parse --repeat 9".
bench: setup
	$(BIN)/python -m bench $(ARGS)

# The HTML report and the terminal summary of the corpus in $(DATA) (e.g. DATA=data/demo).
report: setup
	$(BIN)/etl report --data-dir $(DATA)

stats: setup
	$(BIN)/etl stats --data-dir $(DATA)

# Opens the report in headless Chromium (Debian's package, installed here when root).
test-browser: setup
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
	  else echo "error: chromium not found; install it: sudo apt-get install chromium" >&2; exit 1; fi; }
	REPORT_SCREENSHOT=docs/report.png $(BIN)/python -m pytest -q -m browser tests/browser

# The live site, into $(DATA)/ (incremental once a corpus exists; ARGS=--full for a full crawl).
corpus: setup
	$(BIN)/etl corpus --data-dir $(DATA) $(ARGS)

# The same `etl corpus`, against the replay server on the bundled snapshot: no network needed.
demo: setup
	$(BIN)/python -m etl.replay.demo --snapshot tests/fixtures/site/snapshot-2 --data-dir $(DATA)/demo $(ARGS)

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
