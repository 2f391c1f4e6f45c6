# The two commands every new user runs: `make demo` and `make test`.
# Both create .venv from the project's own files when it is missing or out of date.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test check lint typecheck bench clean system-deps

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

# The inner loop: lint, types, and the domain and service tests on in-memory ports. No servers, no
# processes: tests/conftest.py marks the tests that start either, and TEAMS_SIP_TIER=check makes any
# it missed fail. `make test` (the whole suite) is what CI runs.
CHECK_IGNORE := infra browser simulator functions faults reliability adapters clients
check: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	TEAMS_SIP_TIER=check $(PY) -m pytest -q -m "not server and not process" tests $(CHECK_IGNORE:%=--ignore=tests/%)

lint: $(STAMP)
	$(VENV)/bin/ruff check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy

BENCHES := bench/import_bench.py bench/eligibility_bench.py bench/store_bench.py bench/lifecycle_bench.py bench/onboard.py

bench: $(STAMP)
	status=0; for b in $(BENCHES); do echo "== $$b"; $(PY) $$b || status=1; done; exit $$status

clean:
	rm -rf $(VENV) output .mypy_cache .ruff_cache .pytest_cache
