# netbill developer tasks.  Run from the repository root:
#   make venv    install/refresh .venv from uv.lock (installs uv with pip if missing)
#   make test    start PostgreSQL/Redis (and install Chromium) if needed, then lint + checks + pytest
#   make demo    SQLite demo with seeded data on http://127.0.0.1:$(PORT)/
#   make bench   run benchmarks/run.py against PostgreSQL
#   make lint / make format
#   make messages  refresh the Bangla translation (.po) and compile it (.mo); needs gettext
#
# Test settings come from these variables; override any of them on the command line or in
# the environment, e.g.  make test DATABASE_URL=postgres://u:p@db:5432/netbill PYTEST_ARGS='-q -x'

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
RUFF := $(VENV)/bin/ruff

DATABASE_URL ?= postgres://netbill:netbill@127.0.0.1:5432/netbill
REDIS_URL ?= redis://127.0.0.1:6379/0
DJANGO_ALLOW_ASYNC_UNSAFE ?= true
OUTBOX_DRAIN_ON_COMMIT ?= 0
PYTEST_ARGS ?= -q
PORT ?= 8000

TEST_ENV = DATABASE_URL='$(DATABASE_URL)' REDIS_URL='$(REDIS_URL)' \
	DJANGO_ALLOW_ASYNC_UNSAFE='$(DJANGO_ALLOW_ASYNC_UNSAFE)' \
	OUTBOX_DRAIN_ON_COMMIT='$(OUTBOX_DRAIN_ON_COMMIT)'

.PHONY: help venv install services test check pytest lint format messages demo bench clean

help:
	@echo "targets: venv (alias install), test, demo, bench, lint, format, messages, services, clean"

venv:
	bash scripts/uv.sh sync --locked

install: venv

services:
	bash scripts/test-services.sh

define RUN_CHECKS
	$(TEST_ENV) $(RUFF) check .
	$(TEST_ENV) $(RUFF) format --check .
	$(TEST_ENV) $(PY) manage.py check
	$(TEST_ENV) $(PY) manage.py makemigrations --check --dry-run
endef

define RUN_PYTEST
	$(TEST_ENV) $(VENV)/bin/pytest $(PYTEST_ARGS)
endef

# Everything CI runs (.ci/run), in order: lint, Django checks, migrations up to date, tests.
test: venv services
	$(RUN_CHECKS)
	$(RUN_PYTEST)

# The two halves of `test` on their own.
check: venv services
	$(RUN_CHECKS)

pytest: venv services
	$(RUN_PYTEST)

lint: venv
	$(RUFF) check .
	$(RUFF) format --check .

format: venv
	$(RUFF) format .
	$(RUFF) check --fix .

# The Bangla translation: collect the strings into netbill/locale/bn/LC_MESSAGES/django.po
# (translate the new/fuzzy entries there), then compile django.mo.  Both files are committed:
# CI machines and `make demo` have no gettext and use the .mo as it is in the tree.
messages: venv
	@command -v msgfmt >/dev/null || { echo "make messages needs GNU gettext: apt-get install gettext"; exit 1; }
	$(PY) manage.py makemessages -l bn --ignore=.venv --ignore=benchmarks
	$(PY) manage.py compilemessages --ignore=.venv
	msgfmt --check --statistics -o /dev/null netbill/locale/bn/LC_MESSAGES/django.po

demo: venv
	PORT='$(PORT)' bash scripts/demo.sh

bench: venv services
	DATABASE_URL='$(DATABASE_URL)' REDIS_URL='$(REDIS_URL)' $(PY) benchmarks/run.py

clean:
	rm -rf var/ test-results/ .pytest_cache/ .ruff_cache/
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
