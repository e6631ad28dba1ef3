# Two commands for a newcomer: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FIXTURES := fixtures/regions.json fixtures/pillars.json fixtures/kecamatan.json fixtures/agencies.json fixtures/instrument_2024_tahap1.json fixtures/impact_statements_2024.json
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup system-packages lint serve bench bench-survey bench-evidence messages clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

## Pango and the DejaVu fonts for the report's PDF (WeasyPrint), with apt-get when missing
system-packages:
	scripts/system_packages.sh

setup: system-packages $(VENV)/.installed node_modules/.installed

## make run: set up, migrate, load the reference data and demo accounts, serve on http://127.0.0.1:8000/
## with a job worker beside the server (scripts/run_dev.sh stops it with the server)
run: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py loaddata $(FIXTURES)
	$(PY) manage.py seed_demo
	PY=$(PY) HOST=$(HOST) PORT=$(PORT) scripts/run_dev.sh

## make test: the whole suite (SQLite, or PostgreSQL when DATABASE_URL is set), one worker per core
## (pytest-xdist; TEST_WORKERS=1 for a plain serial run). More pytest options via PYTEST_ARGS,
## e.g. make test PYTEST_ARGS='-m "not browser"'
TEST_WORKERS ?= auto
test: setup
	$(VENV)/bin/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

## make serve: gunicorn with production settings on http://127.0.0.1:8000/ (see scripts/serve.sh)
serve: setup
	PY=$(PY) PORT=$(PORT) scripts/serve.sh

## make bench: load and concurrency benchmark on gunicorn + PostgreSQL (127.0.0.1:5432), on demand
## (not in the test suite); ends with the pages' table (ratio to the trivial page, goal, time alone, KB).
## Options via BENCH_ARGS, e.g. make bench BENCH_ARGS="--clients 8 --workers 3 --redis-url redis://127.0.0.1:6379/12"
bench: setup
	$(PY) scripts/bench_load.py $(BENCH_ARGS)

## make bench-survey: 300 phones filling in the impact survey's public form on gunicorn + PostgreSQL,
## on demand. Options via BENCH_ARGS, e.g. make bench-survey BENCH_ARGS="--window 600"
bench-survey: setup
	$(PY) scripts/bench_survey.py $(BENCH_ARGS)

## make bench-evidence: time and peak memory of the evidence package (.zip) for the demo period and
## for 1,000 evidence files of 1 MB, on demand. Options via BENCH_ARGS, e.g. BENCH_ARGS="--files 2000"
bench-evidence: setup
	$(PY) scripts/bench_evidence_package.py $(BENCH_ARGS)

lint: setup
	$(VENV)/bin/ruff check .

## make messages: refresh and compile the translation catalogues after changing UI strings
messages: setup
	$(PY) manage.py makemessages -l en --no-obsolete --no-wrap --ignore=.venv --ignore=node_modules --ignore=staticfiles --ignore=tests
	$(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) node_modules staticfiles
