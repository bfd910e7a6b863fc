# Descent Lab: every target creates .venv from the pinned requirements when it is missing or
# older than the requirement files, so a fresh clone needs nothing but Python 3.11+.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test test-fast lint bench bundle bundle-onefile bundle-test clean

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Descent Lab needs Python 3.11 or newer")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt -r requirements-dev.txt
	@touch $(STAMP)

run: $(STAMP)
	$(PY) main.py

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

test-fast: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -m "not slow"

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

bench: $(STAMP)
	$(PY) bench/engine_bench.py
	$(PY) bench/nn_bench.py
	QT_QPA_PLATFORM=offscreen $(PY) bench/gui_bench.py
	$(PY) bench/bundle_bench.py

# The double-click desktop app (PyInstaller; see packaging/README-bundle.md).
bundle: $(STAMP)
	$(PY) packaging/build.py

bundle-onefile: $(STAMP)
	$(PY) packaging/build.py --onefile

bundle-test: $(STAMP)
	$(PY) packaging/build.py --test

clean:
	rm -rf build dist .pytest_cache
