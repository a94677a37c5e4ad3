# Set-up contract: from nothing but Python 3.11/3.12 and a C compiler (durable_rules builds a C extension).
PYTHON ?= $(shell command -v python3.12 || command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; assert (3, 11) <= sys.version_info[:2] < (3, 13), "procurekit needs Python 3.11 or 3.12 (durable_rules does not import on 3.13)"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=25.1"
	$(BIN)/python -m pip install --quiet -e . --group dev
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	@mkdir -p out
	$(BIN)/procurekit rules validate rules/ikast-brande.yaml
	$(BIN)/procurekit check examples/ikast-brande || [ $$? -eq 1 ]
	$(BIN)/procurekit check examples/ikast-brande --format json -o out/check.json || [ $$? -eq 1 ]

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) out dist build .pytest_cache
