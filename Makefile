# The README's two commands: `make run` (Keel with demo data, on SQLite) and `make test`
# (every test). Both need only Python 3.11+ with pip and venv; everything else is installed
# into .venv, and reinstalled only when pyproject.toml changes.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
ARGS ?=

.PHONY: run test lint format clean

run: $(VENV)/.installed
	exec $(BIN)/keel run $(ARGS)

test: $(VENV)/.installed-dev
	PATH="$(CURDIR)/$(BIN):$$PATH" scripts/test.sh $(ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) test-results

# Debian and Ubuntu ship venv separately; a half-made .venv would fool the next run, so it goes.
$(BIN)/python:
	@$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
		echo "Could not create $(VENV) with $(PYTHON). On Debian or Ubuntu: apt-get install python3-venv" >&2; \
		exit 1; }

# Stamps: the install runs again only when pyproject.toml is newer than the last install.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	@touch $@

# The dev install includes the plain one, so it stamps both.
$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@ $(VENV)/.installed
