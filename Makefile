# The one entry point. Every target creates or reuses .venv itself, so it works on a fresh machine.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: demo test browser lint typecheck bench bench-scale clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

demo: $(VENV)/.installed
	$(VENV)/bin/podsift demo --data tests/data/demo-talkpython --html podsift-demo.html

# The browser tests skip without chromium (`make browser` installs it); in CI they must run.
test: $(VENV)/.installed-test
	@command -v chromium >/dev/null || echo "no chromium: the browser tests will be skipped (make browser installs it)"
	$(VENV)/bin/ruff check src tests
	$(VENV)/bin/mypy
	$(PY) -m pytest -q

# Debian's chromium, which the browser tests drive (playwright never downloads a browser).
browser:
	command -v chromium >/dev/null || \
		($(SUDO) apt-get update && $(SUDO) apt-get install -y chromium)

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check src tests
	$(VENV)/bin/ruff format --check src tests

typecheck: $(VENV)/.installed-test
	$(VENV)/bin/mypy

bench: $(VENV)/.installed-test
	$(PY) benchmarks/stages.py
	$(PY) benchmarks/extract_speed.py
	$(PY) benchmarks/eval_insights.py
	$(PY) benchmarks/eval_stories.py
	$(PY) benchmarks/delivery.py --subscribers 10000
	$(PY) benchmarks/poll.py --feeds 5000 --baseline 200 --poll-all 1000
	$(PY) benchmarks/asr.py
	$(PY) benchmarks/cli_startup.py

# The long ones: 100k stories, workers on PostgreSQL + Redis (needs both on loopback).
bench-scale: $(VENV)/.installed-test
	$(PY) benchmarks/stories_scale.py
	$(PY) benchmarks/workers.py
	$(PY) benchmarks/delivery.py --subscribers 100000

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache podsift-demo.html
