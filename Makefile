# The two commands of the README: `make run` and `make test`. Everything else is a step they use.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

# The test suite runs on PostgreSQL and Redis (override to point elsewhere).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/passbridge
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
# Test processes (pytest-xdist), one per core of the 2-core CI machines; each has its own test database.
TEST_PROCESSES ?= 2

.PHONY: run test install lint format system-deps messages

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 12))' || { \
	  echo "PassBridge needs Python 3.12 or newer; '$(PYTHON)' is $$($(PYTHON) --version 2>&1)."; \
	  echo "Set PYTHON=/path/to/python3.12 (with pyenv: 'pyenv install 3.12')."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

# Debian packages the suite needs (headless Chromium for the browser journeys; qpdf and poppler's tools
# check the certificate PDFs independently of the code that writes them); installed when missing.
system-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "Chromium is missing: sudo apt-get install -y chromium"; exit 1; fi; }
	@command -v qpdf >/dev/null 2>&1 && command -v pdfsig >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq qpdf poppler-utils >/dev/null; \
	  else echo "qpdf/poppler-utils are missing: sudo apt-get install -y qpdf poppler-utils"; exit 1; fi; }
	@command -v redis-server >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq redis-server >/dev/null; \
	  else echo "redis-server is missing (the fault tests kill a Redis of their own): sudo apt-get install -y redis-server"; exit 1; fi; }

run: install
	mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable
	$(PY) manage.py load_demo
	@echo "PassBridge runs at http://127.0.0.1:8000 (operators: http://127.0.0.1:8000/admin/)"
	$(PY) manage.py runserver 127.0.0.1:8000

lint: install
	$(VENV)/bin/ruff check .

format: install
	$(VENV)/bin/ruff check --fix . && $(VENV)/bin/ruff format .

messages: install
	$(PY) manage.py makemessages -l ja -l de --no-obsolete --no-location \
	  --ignore '.venv/*' --ignore 'var/*' --ignore 'tests/*' --ignore 'build/*'
	$(PY) manage.py compilemessages --ignore '.venv/*'

test: install system-deps lint
	PASSBRIDGE_ENV=test DATABASE_URL="$${DATABASE_URL:-$(TEST_DATABASE_URL)}" \
	REDIS_URL="$${REDIS_URL:-$(TEST_REDIS_URL)}" DJANGO_ALLOW_ASYNC_UNSAFE=true \
	$(VENV)/bin/pytest -n $(TEST_PROCESSES) --dist loadgroup --durations=25 $(PYTEST_ARGS)
