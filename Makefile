# The two commands every new user runs: `make demo` and `make test`.
# Both create .venv from the project's own files when it is missing or out of date.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck bench clean system-deps

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

system-deps:
	bash scripts/system-deps.sh

demo: $(STAMP)
	$(PY) -m teams_sip demo --output output/demo

test: $(STAMP) system-deps
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy

BENCHES := bench/import_bench.py bench/eligibility_bench.py bench/store_bench.py bench/lifecycle_bench.py bench/onboard.py

bench: $(STAMP)
	status=0; for b in $(BENCHES); do echo "== $$b"; $(PY) $$b || status=1; done; exit $$status

clean:
	rm -rf $(VENV) output .mypy_cache .ruff_cache .pytest_cache
