# Two commands matter: `make run` and `make test` (see README.md). Both set up a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MANAGE := $(PY) manage.py
APT_PACKAGES := fonts-noto-cjk libharfbuzz-subset0 chromium gettext
# `make stack` (and its tests in CI) also need nginx and Redis; PostgreSQL is the server already there.
STACK_APT_PACKAGES := nginx-light redis-server
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup system-packages stack-packages venv lint migrations-check ci clean bench-exams stack bench-stack bench-faults

# ---- setup -----------------------------------------------------------------------------------
system-packages:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "Installing system packages: $$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "Missing system packages. Run: sudo apt-get install -y $$missing"; exit 1; \
	  fi; \
	fi

stack-packages:
	@$(MAKE) --no-print-directory system-packages APT_PACKAGES="$(STACK_APT_PACKAGES)"

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[test]'
	touch $@

venv: $(VENV)/.installed

setup: system-packages venv

# ---- the two commands ------------------------------------------------------------------------
run: setup
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo
	$(MANAGE) setup_schedules
	@echo "Starting web server on http://$(HOST):$(PORT)/ and the task worker (Ctrl-C stops both)."
	@setsid $(MANAGE) qcluster & worker=$$!; \
	stop() { kill -TERM -- -$$worker 2>/dev/null; sleep 3; kill -KILL -- -$$worker 2>/dev/null; }; \
	trap stop EXIT; trap 'exit 130' INT TERM; \
	$(MANAGE) runserver --noreload $(HOST):$(PORT)

test: setup
	$(PY) -m pytest -q $(PYTEST_ARGS)

# ---- the city topology on one machine (docs/DEPLOY.md, "The stack on one machine") ---------------
# nginx :8080 -> gunicorn :8101, :8102 (production settings) -> PostgreSQL 127.0.0.1:5432/fazhi_stack,
# Redis 127.0.0.1:6379/4 (broker and cache), one qcluster. STACK_PORT, STACK_APP_PORTS, STACK_DATABASE,
# STACK_REDIS_URL, STACK_WORKERS override. Ctrl-C stops everything.
stack: setup stack-packages
	$(PY) deploy/stack.py $(STACK_ARGS)

# ---- benchmarks ------------------------------------------------------------------------------
# Issue 5's load test: N examinees start, autosave and submit against gunicorn with the production
# settings on a throwaway SQLite database (docs/PERFORMANCE.md, "Exam delivery under load").
EXAMINEES ?= 300
bench-exams: venv
	$(PIP) install -q -e '.[bench]'
	$(PY) bench/exam_load.py --examinees $(EXAMINEES)

# Issue 15: the same examinees through the stack (nginx :28080 -> gunicorn :28101, :28102, a
# PostgreSQL cluster of the bench's own on :15433, its own Redis on :16391, a qcluster), with a
# backup during the load restored afterwards; then the faults (kill -9 an app server, restart Redis,
# restart PostgreSQL) under a steady load. docs/PERFORMANCE.md and docs/RELIABILITY.md.
STACK_EXAMINEES ?= 1000
bench-stack: venv stack-packages
	$(PIP) install -q -e '.[bench]'
	$(PY) bench/stack_load.py --examinees $(STACK_EXAMINEES)

bench-faults: venv stack-packages
	$(PIP) install -q -e '.[bench]'
	$(PY) bench/stack_faults.py

# ---- CI helpers ------------------------------------------------------------------------------
lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

migrations-check: venv
	$(MANAGE) makemigrations --check --dry-run

clean:
	rm -rf $(VENV) staticfiles
