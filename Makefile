# `make run` and `make test` are all a newcomer needs; each sets itself up first.
# One gunicorn process with threads: in-memory rate limits and in-process print jobs stay
# consistent; set PLANNER_REDIS_URL before running several processes. No gunicorn access log:
# the app logs one line per request itself, without the query string (names, phones searched).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
FLASK := $(BIN)/flask --app planner

PO := $(wildcard planner/translations/*/*/LC_MESSAGES/messages.po)
MO := $(PO:.po=.mo)
# What ruff checks and formats, and what mypy type-checks (migrations/versions is excluded in
# pyproject.toml: Alembic writes those).
PY_SOURCES := planner tests bench migrations .ci setup.py

# The code and templates each translation catalog covers (planner/translations/<domain>/);
# core takes everything the others do not.
DOMAINS := calendars followups people printing offline results readback core
SOURCES_calendars := planner/calendars templates/calendars
SOURCES_followups := planner/followups planner/enrolments templates/followups templates/enrolments
SOURCES_people := planner/people planner/audit templates/people templates/audit
SOURCES_printing := planner/printing planner/rates templates/printing templates/rates templates/pdf
SOURCES_offline := planner/offline templates/offline
SOURCES_results := planner/results templates/results
SOURCES_readback := planner/readback templates/readback
SOURCES_core := $(wildcard planner/*.py) planner/accounts planner/places planner/sessions \
	$(wildcard templates/*.html) templates/accounts templates/macros templates/places templates/sessions
POT_DIR := build/i18n

.PHONY: run test lint typecheck format bench setup translations extract clean

run: setup
	$(FLASK) prepare --host $(HOST) --port $(PORT)
	$(BIN)/gunicorn --workers 1 --threads 8 --bind $(HOST):$(PORT) 'planner:create_app()'

test: setup
	$(BIN)/pytest $(PYTEST_ARGS)

lint: setup typecheck
	$(BIN)/ruff check $(PY_SOURCES)
	$(BIN)/ruff format --check $(PY_SOURCES)

typecheck: setup
	$(BIN)/mypy

format: setup
	$(BIN)/ruff check --fix $(PY_SOURCES)
	$(BIN)/ruff format $(PY_SOURCES)

# Every bench that sets up its own data. Not here: bench/timing.py (helpers the others use),
# bench/seed.py (`make seed`) and bench/load.py, which needs a seeded PostgreSQL and servers
# started by hand (README, "Load").
BENCHES := $(filter-out bench/timing.py bench/seed.py bench/load.py,$(wildcard bench/*.py))

bench: setup
	@for b in $(BENCHES); do echo "== $$b"; $(BIN)/python $$b || exit 1; done

# A province's three years of data in a scratch database (a temp file, printed; never instance/):
# make seed SEED_ARGS="--scale 0.1" or SEED_ARGS="--provinces 34 --database-url postgresql+psycopg://..."
.PHONY: seed
seed: setup
	$(BIN)/python bench/seed.py $(SEED_ARGS)

setup: $(VENV)/.installed translations

translations: $(MO)

# New messages in the code go into their domain's catalog with an empty translation (nothing is
# removed: see .ci/merge_catalogs.py); translate them, then `make` compiles the catalogs.
extract: setup
	mkdir -p $(POT_DIR)
	$(foreach d,$(DOMAINS),$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext \
		--no-location -o $(POT_DIR)/$(d).pot $(SOURCES_$(d)) &&) true
	$(BIN)/python .ci/merge_catalogs.py $(POT_DIR)

%.mo: %.po $(VENV)/.installed
	$(BIN)/pybabel compile -i $< -o $@ -l $(word 4,$(subst /, ,$<)) >/dev/null

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

clean:
	rm -rf $(VENV) $(MO) build .pytest_cache .ruff_cache .mypy_cache
