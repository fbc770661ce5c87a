# Every target creates the virtual environment it needs, so a fresh clone needs nothing else.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# make bench: SIZE roundups; BENCH_DATABASE_URL empty = SQLite; BENCH_ARGS e.g. --cold
SIZE ?= 10000
BENCH_DATABASE_URL ?=
BENCH_WORKERS ?= 2
BENCH_ARGS ?=
PROFILE ?= article_detail arguments_by_tag
DATASETTE_VENV := bench/.venv-datasette

.PHONY: venv browser nginx node clients run serve migrate seed test check lint lock audit examples bench bench-import bench-report bench-profile clean

$(VENV)/.installed: pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[dev]'
	touch $@

venv: $(VENV)/.installed

# Headless Chromium for the end-to-end tests: Debian's package (Playwright drives it; it never
# downloads a browser of its own).
CHROMIUM := /usr/bin/chromium
browser:
	test -x $(CHROMIUM) || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; }

# nginx for tests/http/test_nginx.py, which runs deploy/nginx.conf in front of the API: Debian's
# package.
NGINX := /usr/sbin/nginx
nginx:
	test -x $(NGINX) || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y nginx; }

# Node and npm from Debian's packages, for the generated-client checks; the npm tools are pinned
# in tests/clients/package-lock.json and installed from the registry once (npm ci).
CLIENTS_DIR := tests/clients
node:
	command -v node >/dev/null && command -v npm >/dev/null || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y nodejs npm; }

$(CLIENTS_DIR)/node_modules/.installed: $(CLIENTS_DIR)/package.json $(CLIENTS_DIR)/package-lock.json
	$(MAKE) node
	cd $(CLIENTS_DIR) && npm ci --no-audit --no-fund
	touch $@

clients: $(CLIENTS_DIR)/node_modules/.installed

migrate: venv
	$(BIN)/roundup migrate

seed: migrate
	$(BIN)/roundup seed

run: seed
	$(BIN)/roundup serve --host $(HOST) --port $(PORT)

serve: venv
	$(BIN)/roundup serve --host $(HOST) --port $(PORT)

test: venv browser nginx clients
	ROUNDUP_REQUIRE_CLIENTS=1 $(BIN)/pytest

check: venv
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy

lint: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

examples: venv
	$(BIN)/roundup examples

$(DATASETTE_VENV)/.installed: bench/datasette.lock
	test -x $(DATASETTE_VENV)/bin/python || $(PYTHON) -m venv $(DATASETTE_VENV)
	$(DATASETTE_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -c bench/datasette.lock datasette
	touch $@

bench: venv $(DATASETTE_VENV)/.installed
	command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
	BENCH_DATABASE_URL='$(BENCH_DATABASE_URL)' BENCH_WORKERS=$(BENCH_WORKERS) \
	  $(BIN)/python -m bench.run --roundups $(SIZE) $(BENCH_ARGS)

# roundup import of FILES rendered roundup texts: first, unchanged, 1% changed (SQLite, or
# BENCH_DATABASE_URL's PostgreSQL server, on a scratch database)
FILES ?= 1000
bench-import: venv
	$(BIN)/python -m bench.imports --files $(FILES) --database-url '$(BENCH_DATABASE_URL)'

bench-report: venv
	$(BIN)/python -m bench.report --roundups $(SIZE)

bench-profile: venv
	command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
	$(BIN)/python -m bench.profile --roundups $(SIZE) $(PROFILE)

# pip-audit over requirements.lock; prints why and passes when its database is unreachable.
audit: venv
	BIN=$(BIN) bash .ci/audit

lock: venv
	{ echo "# Pinned versions installed by 'make' (pip -c). Regenerate: make lock"; \
	  $(BIN)/python -m pip freeze --exclude-editable; } > requirements.lock

clean:
	rm -rf $(VENV) $(DATASETTE_VENV) $(CLIENTS_DIR)/node_modules $(CLIENTS_DIR)/generated bench/.venv-profile bench/.cache .pytest_cache .mypy_cache .ruff_cache roundup.db roundup.db-wal roundup.db-shm
