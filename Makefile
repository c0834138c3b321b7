# Every target first installs what it needs from the lock in requirements/ (hashes checked),
# so a fresh clone needs only Python 3.11 and pip. `make lock` refreshes the lock.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
DATA ?= data
LOCK := requirements

# uv installs the locked sets: the uv on PATH if it is the pinned one, else a copy that pip
# puts in $(VENV)/.uv from requirements/uv.txt. Recipes fetch it only when they run, so a
# warm .venv installs nothing, whichever uv is on PATH.
UV_PIN := $(shell sed -n 's/^uv==\([^ ;\\]*\).*/\1/p' $(LOCK)/uv.txt)
ifndef UV
UV := $(shell [ "$$(uv --version 2>/dev/null | cut -d' ' -f2)" = "$(UV_PIN)" ] && command -v uv \
        || echo $(VENV)/.uv/$(UV_PIN)/bin/uv)
endif
NEED_UV = @test -x $(UV) || $(MAKE) -s --no-print-directory $(UV)
export UV_PYTHON_DOWNLOADS := never

# One stamp per installed set: a set installs once, and again only when the lock or
# pyproject.toml changes; sets add up (`make test` after `make demo` adds the dev tools).
ETL := $(VENV)/.installed-etl
RUNTIME := $(VENV)/.installed-runtime $(ETL)
REPORT := $(VENV)/.installed-report $(ETL)
BENCH := $(VENV)/.installed-bench $(ETL)
DEV := $(VENV)/.installed-dev $(ETL)

.PHONY: setup lock check-lock test lint typecheck pytest bench corpus demo report stats \
	export test-browser clean

setup: $(DEV)

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found (set PYTHON=...)" >&2; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "error: etl needs Python 3.11 or newer; $(PYTHON) is older (set PYTHON=...)" >&2; exit 1; }
	@echo "setup: creating $(VENV) (Python $$($(PYTHON) -c 'import platform; print(platform.python_version())'))"
	@$(PYTHON) -m venv --without-pip $(VENV)

$(VENV)/.uv/$(UV_PIN)/bin/uv:
	@echo "setup: installing uv $(UV_PIN) into $(VENV)/.uv"
	@rm -rf $(VENV)/.uv
	@$(PYTHON) -m pip install -qq --disable-pip-version-check --no-deps --require-hashes \
	  --target $(VENV)/.uv/$(UV_PIN) -r $(LOCK)/uv.txt

$(VENV)/.installed-%: $(LOCK)/%.txt pyproject.toml | $(BIN)/python
	@$(PYTHON) $(LOCK)/lock.py check
	$(NEED_UV)
	@echo "setup: installing locked dependencies: $* ($$(grep -c '^[a-z0-9]' $<) pinned packages)"
	@# Bytecode compiled now, on all cores: else every first import compiles it, once per
	@# process (make test's workers and the child processes it runs: ~20 s of a fresh run).
	@$(UV) pip install -q --compile-bytecode --python $(BIN)/python --require-hashes \
	  --no-deps -r $<
	@touch $@

# Editable: the code in etl/ runs as it is edited. uv's own build backend: no build step.
$(ETL): pyproject.toml | $(BIN)/python
	$(NEED_UV)
	@echo "setup: installing etl (editable)"
	@$(UV) pip install -q --python $(BIN)/python --no-deps -e .
	@touch $@

# Refresh the lock from pyproject.toml; ARGS="--upgrade" or ARGS="-P pandas" to move pins.
lock: | $(BIN)/python
	$(NEED_UV)
	@$(PYTHON) $(LOCK)/lock.py write $(UV) $(ARGS)

check-lock:
	@$(PYTHON) $(LOCK)/lock.py check

test: check-lock lint typecheck pytest

lint: $(DEV)
	$(BIN)/ruff check etl tests bench $(LOCK)
	$(BIN)/ruff format --check etl tests bench $(LOCK)

typecheck: $(DEV)
	$(BIN)/mypy etl bench $(LOCK)

pytest: $(DEV)
	$(BIN)/python -m pytest -q -n auto --durations=15

# Not part of `make test`: minutes of timing. ARGS="--quick" or ARGS="--only parse --repeat 9".
bench: $(BENCH)
	$(BIN)/python -m bench $(ARGS)

# The HTML report and the terminal summary of the corpus in $(DATA) (e.g. DATA=data/demo).
report: $(REPORT)
	$(BIN)/etl report --data-dir $(DATA)

stats: $(REPORT)
	$(BIN)/etl stats --data-dir $(DATA)

# The tables for spreadsheets, R or SQLite, into $(DATA)/export/: CSV of documents by default;
# ARGS="--format sqlite", ARGS="--format jsonl --table all", ARGS="--table posts --out DIR".
export: $(RUNTIME)
	$(BIN)/etl export --data-dir $(DATA) $(ARGS)

# Opens the report in headless Chromium (Debian's package, installed here when root).
test-browser: $(DEV)
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
	  else echo "error: chromium not found; install it: sudo apt-get install chromium" >&2; exit 1; fi; }
	REPORT_SCREENSHOT=docs/report.png $(BIN)/python -m pytest -q -m browser tests/browser

# The live site, into $(DATA)/ (incremental once a corpus exists; ARGS=--full for a full crawl).
corpus: $(RUNTIME)
	$(BIN)/etl corpus --data-dir $(DATA) $(ARGS)

# The same `etl corpus`, against the replay server on the bundled snapshot: no network needed.
demo: $(RUNTIME)
	@$(BIN)/python -m etl.replay.demo --snapshot tests/fixtures/site/snapshot-2 --data-dir $(DATA)/demo $(ARGS)

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
