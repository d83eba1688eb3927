# `make run` and `make test` are all a newcomer needs; each sets itself up first.
# One gunicorn process with threads: in-memory rate limits and in-process print jobs stay
# consistent; set PLANNER_REDIS_URL before running several processes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
FLASK := $(BIN)/flask --app planner

PO := $(wildcard planner/translations/*/*/LC_MESSAGES/messages.po)
MO := $(PO:.po=.mo)

.PHONY: run test lint format bench setup translations extract clean

run: setup
	$(FLASK) prepare --host $(HOST) --port $(PORT)
	$(BIN)/gunicorn --workers 1 --threads 8 --bind $(HOST):$(PORT) --access-logfile - 'planner:create_app()'

test: setup
	$(BIN)/pytest $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check planner tests bench migrations .ci
	$(BIN)/ruff format --check planner tests bench .ci

format: setup
	$(BIN)/ruff check --fix planner tests bench
	$(BIN)/ruff format planner tests bench

bench: setup
	@for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

# A province's three years of data in a scratch database (a temp file, printed; never instance/):
# make seed SEED_ARGS="--scale 0.1" or SEED_ARGS="--provinces 34 --database-url postgresql+psycopg://..."
.PHONY: seed
seed: setup
	$(BIN)/python bench/seed.py $(SEED_ARGS)

setup: $(VENV)/.installed translations

translations: $(MO)

%.mo: %.po $(VENV)/.installed
	$(BIN)/pybabel compile -i $< -o $@ -l $(word 4,$(subst /, ,$<)) >/dev/null

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

clean:
	rm -rf $(VENV) $(MO) .pytest_cache .ruff_cache
