# Two commands matter: `make run` and `make test` (see README.md). Both set up a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MANAGE := $(PY) manage.py
APT_PACKAGES := fonts-noto-cjk libharfbuzz-subset0 chromium gettext
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup system-packages venv lint migrations-check ci clean bench-exams

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
	$(PY) -m pytest -q

# ---- benchmarks ------------------------------------------------------------------------------
# Issue 5's load test: N examinees start, autosave and submit against gunicorn with the production
# settings on a throwaway SQLite database (docs/PERFORMANCE.md, "Exam delivery under load").
EXAMINEES ?= 300
bench-exams: venv
	$(PIP) install -q -e '.[bench]'
	$(PY) bench/exam_load.py --examinees $(EXAMINEES)

# ---- CI helpers ------------------------------------------------------------------------------
lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

migrations-check: venv
	$(MANAGE) makemigrations --check --dry-run

clean:
	rm -rf $(VENV) staticfiles
