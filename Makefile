# Two commands for a new user: `make run` and `make test` (README).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1:8000
export DEBUG ?= true
# Two workers (the machines have 2 cores); files stay whole on one worker so that
# module-scoped fixtures (a seeded registry) are built once.
PYTEST_ARGS ?= -n auto --dist loadfile

.PHONY: run test test-repeat install messages migrate demo lint format bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# axe-core (accessibility checks in the browser tests) from the npm registry, exactly as
# package-lock.json pins it; reinstalled when the lock file changes. No install scripts.
NODE_STAMP := node_modules/.installed

$(NODE_STAMP): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

install: $(STAMP) $(NODE_STAMP)

## make messages: compile the translations (locale/*/LC_MESSAGES/*.po → .mo, not committed)
messages: install
	$(BIN)/python manage.py compilemessages --ignore=.venv

migrate: install messages
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py seed_demo

## make run: install, migrate, load demo data, print the demo logins, serve on $(HOST)
## with the job worker beside it
# The background-job worker (imports, exports) runs beside the web server and stops with it.
run: demo
	@trap 'kill 0' EXIT INT TERM; \
	$(BIN)/python manage.py db_worker & \
	$(BIN)/python manage.py runserver $(HOST)

## make test: the whole suite in random order (set DATABASE_URL=postgres://... for
## PostgreSQL). The header prints "Using --randomly-seed=N"; replay an order with
## `make test SEED=N`.
ifeq ($(origin SEED), undefined)
SEED := $(shell od -An -N4 -tu4 /dev/urandom | tr -d ' ')
endif
test: install messages
	@echo "==> random order seed $(SEED) (replay: make test SEED=$(SEED))"
	$(BIN)/python -m pytest $(PYTEST_ARGS) --randomly-seed=$(SEED) -m "not single_process"
	$(BIN)/python -m pytest -p no:xdist --randomly-seed=$(SEED) -m single_process

## make test-repeat N=5: N runs of the suite, each with its own random seed and its own
## test databases (pytest-django creates them anew for every run and drops them after);
## stops at the first failure and prints the seed to replay it.
N ?= 5
test-repeat: install messages
	@for run in $$(seq 1 $(N)); do \
		seed=$$(od -An -N4 -tu4 /dev/urandom | tr -d ' '); \
		echo "==> run $$run of $(N), seed $$seed"; \
		start=$$(date +%s); \
		$(MAKE) --no-print-directory test SEED=$$seed \
			|| { echo "==> run $$run FAILED: replay with make test SEED=$$seed"; exit 1; }; \
		echo "==> run $$run of $(N) passed in $$(( $$(date +%s) - start )) s, seed $$seed"; \
	done

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) node_modules envreg.sqlite3* staticfiles
