# Trident social inbox pipeline. `make run` and `make test` do all set-up on a fresh machine
# with Python 3.11: a project-local .venv, AIRFLOW_HOME in .airflow/, the store in var/.

PYTHON ?= python3.11
VENV := $(CURDIR)/.venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# The benchmarks compare against presidio-analyzer and alt-profanity-check, kept out of .venv.
BENCH_VENV := $(CURDIR)/.venv-bench
BENCH_BIN := $(BENCH_VENV)/bin
OLID ?= $(CURDIR)/../shared/data/olid/olid-training-v1.0.tsv

export AIRFLOW_HOME := $(CURDIR)/.airflow
export AIRFLOW__CORE__DAGS_FOLDER := $(CURDIR)/dags
export AIRFLOW__CORE__PLUGINS_FOLDER := $(CURDIR)/plugins
export AIRFLOW__CORE__LOAD_EXAMPLES := False
export AIRFLOW__CORE__DEFAULT_TIMEZONE := Europe/London
export TRIDENT_HOME ?= $(CURDIR)/var
export TRIDENT_CONFIG_DIR ?= $(CURDIR)/config

# The bundled sample inbox covers 23 March to 7 April 2026; `make run` pulls it in one window.
SAMPLE_CONF := {"inbox": "sample", "window_start": "2026-03-23T00:00:00+00:00", "window_end": "2026-04-08T00:00:00+00:00"}
# As an operator would, link the sample resident's three accounts to one customer record, so
# strikes count across platforms (policy 3.1: "blocked on all accounts").
SAMPLE_LINKS := x:8841376628802829077 bluesky:did:plc:nsbvfrrwtueuidr46j3ofqya facebook:2648183334707194

# Browser tests (tests/e2e): Debian's Chromium drives the pages headless through Playwright (its
# Python wheel bundles the driver; `playwright install` is never run), and axe-core comes pinned
# from the npm registry. Installed when missing, as root or through sudo.
CHROMIUM := /usr/bin/chromium
E2E := $(CURDIR)/tests/e2e
AXE_INSTALLED := $(E2E)/node_modules/.installed

.PHONY: install airflow run test browser ui bench lint clean

install: $(INSTALLED)

$(INSTALLED): requirements.txt requirements-dev.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

airflow: $(AIRFLOW_HOME)/.ready

$(AIRFLOW_HOME)/.ready: $(INSTALLED)
	mkdir -p $(AIRFLOW_HOME) $(TRIDENT_HOME)
	$(BIN)/airflow db migrate > $(AIRFLOW_HOME)/db-migrate.log 2>&1 || (tail -20 $(AIRFLOW_HOME)/db-migrate.log; exit 1)
	$(BIN)/airflow pools set trident_x 1 "X API: one task at a time" > /dev/null
	$(BIN)/airflow pools set trident_bluesky 1 "BlueSky API: one task at a time" > /dev/null
	$(BIN)/airflow pools set trident_facebook 1 "Graph API: one task at a time" > /dev/null
	$(BIN)/airflow dags reserialize > /dev/null 2>&1
	$(BIN)/airflow dags unpause trident_block > /dev/null
	touch $@

run: airflow
	@for link in $(SAMPLE_LINKS); do \
		$(BIN)/trident link --platform $${link%%:*} --user-id $${link#*:} \
			--contact SAMPLE-DECLAN-MARSH --operator "make run" > /dev/null || exit 1; \
	done
	@echo "Running trident_inbox over the bundled sample inbox (log: .airflow/make-run.log)"
	@$(BIN)/airflow dags test trident_inbox 2026-04-08T00:00:00+00:00 --conf '$(SAMPLE_CONF)' \
		> $(AIRFLOW_HOME)/make-run.log 2>&1 || (tail -30 $(AIRFLOW_HOME)/make-run.log; exit 1)
	@$(BIN)/trident summary

test: $(INSTALLED) browser
	$(BIN)/pytest

browser: $(CHROMIUM) $(AXE_INSTALLED)

# Run as root, or through sudo when there is one; otherwise say what to do.
AS_ROOT = if [ "$$(id -u)" -eq 0 ]; then SUDO=; \
	elif command -v sudo > /dev/null 2>&1; then SUDO=sudo; \
	else echo "$@: needs root to apt-get install $(1); run as root or install it by hand" >&2; exit 1; fi; \
	$$SUDO apt-get update -qq && \
	$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(1)

$(CHROMIUM):
	@echo "Installing Debian's Chromium for the browser tests"
	@$(call AS_ROOT,chromium fonts-liberation)
	@test -x $@ || { echo "$@ is still missing after apt-get install chromium" >&2; exit 1; }

$(AXE_INSTALLED): tests/e2e/package.json tests/e2e/package-lock.json
	@command -v npm > /dev/null 2>&1 || { $(call AS_ROOT,npm); }
	cd $(E2E) && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

# The operators' pages' roles (README, "Who may do what"): Sam the manager, Priya an officer,
# a Board member who reads, and an admin.
UI_USERS := admin:admin,sam:op,priya:user,board:viewer

ui: airflow
	@echo "Airflow UI on http://localhost:8080 (Trident pages in its menu); users admin, sam, priya, board;"
	@echo "passwords in $(AIRFLOW_HOME)/simple_auth_manager_passwords.json.generated"
	PATH="$(BIN):$$PATH" AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS="$(UI_USERS)" $(BIN)/airflow standalone

$(BENCH_VENV)/.installed: requirements.txt requirements-bench.txt pyproject.toml
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_BIN)/pip install --quiet --disable-pip-version-check -r requirements-bench.txt
	$(BENCH_BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

bench: $(BENCH_VENV)/.installed
	$(BENCH_BIN)/python benchmarks/screening/run.py
	$(BENCH_BIN)/python benchmarks/olid/cross_validate.py $(OLID)
	$(BENCH_BIN)/python benchmarks/response_times/run.py

lint: $(INSTALLED)
	$(BIN)/ruff check trident_pipeline dags plugins tests

clean:
	rm -rf $(AIRFLOW_HOME) $(TRIDENT_HOME)
