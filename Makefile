# Two commands on a fresh machine: `make run` (ADDR=host:port, default 127.0.0.1:8000) and
# `make test`.
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ADDR ?= 127.0.0.1:8000
# pytest-xdist workers: one per core; `make test WORKERS=0` runs in one process
WORKERS ?= auto

.PHONY: run test venv clean

$(STAMP): pyproject.toml scripts/bootstrap.sh scripts/find-python.sh
	bash scripts/bootstrap.sh

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/kaohe run --addr $(ADDR)

test: $(STAMP)
	bash scripts/system-packages.sh
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy
	KAOHE_REQUIRE_BROWSER=1 $(BIN)/pytest -n $(WORKERS)
	PYTEST_WORKERS=$(WORKERS) bash scripts/test-postgres.sh

clean:
	rm -rf $(VENV)
