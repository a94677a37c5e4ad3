# Set-up contract: from nothing but Python 3.11/3.12 and a C compiler (durable_rules builds a C extension).
# The first interpreter that really runs and is 3.11 or 3.12 (pyenv shims may exist but not run).
PYTHON ?= $(shell for p in python3 python3.12 python3.11; do \
	$$p -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] < (3, 13))' >/dev/null 2>&1 \
	&& { echo $$p; break; }; done)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test bench clean serve screenshots

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "procurekit needs Python 3.11 or 3.12 (durable_rules does not import on 3.13)"; exit 2; }
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
	$(BIN)/procurekit tender examples/ikast-brande/tender.yaml --format docx -o out/tender
	$(BIN)/procurekit tender examples/ikast-brande/tender.yaml --format pdf -o out/tender
	$(BIN)/procurekit tender examples/ikast-brande/tender.yaml --format ocds -o out/tender
	$(BIN)/procurekit tender examples/ikast-brande/tender.yaml --format eforms -o out/tender
	$(BIN)/procurekit report examples/ikast-brande --assumptions examples/ikast-brande/assumptions.yaml --format html -o out/report.html || [ $$? -eq 1 ]
	$(BIN)/procurekit report examples/ikast-brande --format pdf -o out/report.pdf || [ $$? -eq 1 ]
	$(BIN)/procurekit business-case examples/ikast-brande --assumptions examples/ikast-brande/assumptions.yaml --format html -o out/business-case.html
	$(BIN)/python examples/ledger_history.py out/ledger
	$(BIN)/procurekit ledger status --db out/ledger/procurekit.db
	$(BIN)/procurekit ledger status IB-RENG-2016 --as-of 2019-05-31 --db out/ledger/procurekit.db
	$(BIN)/procurekit ledger history IB-RENG-2016 --subject IB-028 --db out/ledger/procurekit.db
	$(BIN)/procurekit ledger verify --db out/ledger/procurekit.db
	$(BIN)/procurekit ledger report IB-RENG-2016 --format html -o out/ledger/report.html --db out/ledger/procurekit.db

test: $(STAMP)
	$(BIN)/ruff check procurekit tests
	$(BIN)/mypy procurekit
	$(BIN)/python -m pytest

# The web workspace on the example contract, its history recorded up to September 2019 in a fresh ledger:
# open http://127.0.0.1:8765/ and upload examples/ikast-brande/*.csv as October's submission.
serve: $(STAMP)
	rm -rf out/serve
	$(BIN)/python examples/ledger_history.py out/serve 2019-09
	$(BIN)/procurekit serve --db out/serve/procurekit.db

# The README's screenshots, taken by the browser tests.
screenshots: $(STAMP)
	PROCUREKIT_SCREENSHOTS=1 $(BIN)/python -m pytest -q tests/test_web_browser.py

bench: $(STAMP)
	$(BIN)/python bench/speed.py
	$(BIN)/python bench/durable_contract.py
	$(BIN)/python bench/run.py
	$(BIN)/python bench/docs.py
	$(BIN)/python bench/excel.py

clean:
	rm -rf $(VENV) out dist build .pytest_cache
