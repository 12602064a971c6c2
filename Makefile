# Two commands do all the set-up on a fresh machine:
#   make demo   the site with a demo town on http://127.0.0.1:$(PORT)
#   make test   the whole test suite, on SQLite and (when a server answers) on PostgreSQL
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
PORT ?= 8000
PG_TEST_URL ?= postgresql://postgres@127.0.0.1:5432/marketplace_test
TEST_DATABASE_URL ?=
PYTEST_ARGS ?=

.PHONY: demo test test-sqlite test-postgres install install-dev translations chromium bench clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.runtime: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt requirements.txt $(VENV)/.runtime
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.runtime translations
install-dev: $(VENV)/.dev translations chromium

translations: $(VENV)/.runtime
	@for d in $$(find marketplace merchants financing -type d -name translations); do \
	  out=$$($(VENV)/bin/pybabel compile -f -d $$d 2>&1) || { echo "$$out" >&2; exit 1; }; done

chromium:
	@scripts/ensure-chromium.sh

demo: install
	$(FLASK) db upgrade
	$(FLASK) demo seed --if-empty
	PORT=$(PORT) scripts/serve-demo.sh

test: install-dev
	$(MAKE) --no-print-directory test-sqlite
	@url="$(TEST_DATABASE_URL)"; \
	if [ -z "$$url" ] && scripts/postgres-answers.sh; then url="$(PG_TEST_URL)"; fi; \
	if [ -n "$$url" ]; then scripts/create-test-database.sh "$$url" && \
	  $(MAKE) --no-print-directory test-postgres TEST_DATABASE_URL="$$url"; \
	else echo "PostgreSQL not reachable: ran the suite on SQLite only."; fi

test-sqlite:
	@echo "== test suite on SQLite"
	env -u TEST_DATABASE_URL $(PY) -m pytest -q $(PYTEST_ARGS)

test-postgres:
	@echo "== test suite on PostgreSQL"
	TEST_DATABASE_URL="$(TEST_DATABASE_URL)" $(PY) -m pytest -q $(PYTEST_ARGS)

bench: install
	$(PY) -m bench.run_all

clean:
	rm -rf $(VENV) instance .pytest_cache
