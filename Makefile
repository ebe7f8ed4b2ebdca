# Two commands on a fresh machine: `make run` and `make test`.
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test venv clean

$(STAMP): pyproject.toml scripts/bootstrap.sh scripts/find-python.sh
	bash scripts/bootstrap.sh

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/kaohe run

test: $(STAMP)
	bash scripts/system-packages.sh
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy
	KAOHE_REQUIRE_BROWSER=1 $(BIN)/pytest
	bash scripts/test-postgres.sh

clean:
	rm -rf $(VENV)
