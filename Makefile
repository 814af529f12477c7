# The two commands of the README: `make run` and `make test`. Everything else is what they need.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
VENDOR := src/controlmap/web/static/vendor/VERSIONS
PORT   ?= 8501

.PHONY: run test setup index browser lint unit postgis bench geo demo clean

run: setup  ## set up, create the embedded database with the demo data, serve the app
	$(BIN)/controlmap init
	$(BIN)/controlmap serve --port $(PORT)

test: setup browser lint  ## set up and run every test, browser tests included, on SQLite then PostGIS
	$(BIN)/python -m pytest
	bash scripts/with_postgis.sh $(BIN)/python -m pytest --backend postgis

setup: $(STAMP) $(VENDOR) index

index: $(STAMP)  ## index the world gazetteer into the data folder (once; minutes the first time)
	$(BIN)/python -m controlmap.gazetteer

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

$(VENDOR): scripts/fetch_vendor.sh
	bash scripts/fetch_vendor.sh src/controlmap/web/static/vendor

browser:  ## Debian's Chromium for the browser tests (never `playwright install`)
	@bash scripts/ensure_chromium.sh

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

unit: setup  ## the tests without a browser
	$(BIN)/python -m pytest -m "not browser"

postgis: setup  ## the tests that use a database, on a throwaway PostgreSQL + PostGIS cluster
	bash scripts/with_postgis.sh $(BIN)/python -m pytest --backend postgis $(PYTEST_ARGS)

bench: setup browser
	$(BIN)/python bench/run.py

geo:  ## rebuild geo/ from ../shared/geo-sources (the world gazetteer: scripts/build_gazetteer.py)
	$(BIN)/python scripts/build_geo.py

demo:  ## rebuild data/demo from ../shared/reference and ../shared/seed
	$(BIN)/python scripts/build_demo.py

clean:
	rm -rf $(VENV) src/controlmap/web/static .pytest_cache .mypy_cache .ruff_cache tests/artifacts
