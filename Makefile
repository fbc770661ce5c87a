# Every target creates the virtual environment it needs, so a fresh clone needs nothing else.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: venv run serve migrate seed test check lint lock audit bench clean

$(VENV)/.installed: pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[dev]'
	touch $@

venv: $(VENV)/.installed

migrate: venv
	$(BIN)/roundup migrate

seed: migrate
	$(BIN)/roundup seed

run: seed
	$(BIN)/roundup serve --host $(HOST) --port $(PORT)

serve: venv
	$(BIN)/roundup serve --host $(HOST) --port $(PORT)

test: venv
	$(BIN)/pytest

check: venv
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy

lint: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# pip-audit over requirements.lock; prints why and passes when its database is unreachable.
audit: venv
	BIN=$(BIN) bash .ci/audit

lock: venv
	{ echo "# Pinned versions installed by 'make' (pip -c). Regenerate: make lock"; \
	  $(BIN)/python -m pip freeze --exclude-editable; } > requirements.lock

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache roundup.db roundup.db-wal roundup.db-shm
