# The two commands of the README: `make demo` (install + render the demo period from the embedded demo data)
# and `make test` (leaves no file behind: `git status --porcelain` stays empty).
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
PERIOD ?= 2025Q3

.PHONY: install demo demo-zh test lint format benchmark readme-image clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	sh scripts/install-system-deps.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,spark]"
	touch $@

demo: install
	$(BIN)/crmreport run --period $(PERIOD) --demo

demo-zh: install
	$(BIN)/crmreport run --period $(PERIOD) --demo --language zh --out reports/zh

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check crmreport tests benchmarks scripts setup.py

format: install
	$(BIN)/ruff format crmreport tests benchmarks

benchmark: install
	$(BIN)/python benchmarks/bench_aggregate.py
	$(BIN)/python benchmarks/bench_segmentation.py

readme-image: install  # docs/img/report-page.png from the current demo report
	$(BIN)/python scripts/readme_screenshot.py

clean:
	rm -rf $(VENV) reports/*/ reports/logs .pytest_cache build crmreport/stock
