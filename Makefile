# Neural Network Foundations - every entry point of the course.
# Students: `make lab`.  Maintainers/CI: `make test`.  Run `make` for the list.

SHELL       := /bin/bash
PYTHON      ?= python3
VENV        := .venv
BIN         := $(CURDIR)/$(VENV)/bin
STAMP       := $(VENV)/.installed
# nbgrader shells out to `alembic` and `jupyter`: the venv's bin must be on PATH.
export PATH := $(BIN):$(PATH)
JOBS        ?= 2
PORT        ?= 8888
# make grade: COURSE=DIR grades a course directory outside this clone (e.g. private to the instructor on a hub)
# make grade: ISOLATE=0 runs student code without the bubblewrap sandbox (docs/grading-security.md)
ISOLATE     ?= 1
# make grade DB=postgresql+psycopg2://USER@HOST/DATABASE: a shared gradebook (several grading
# machines); empty = the course's SQLite .nbgrader/gradebook.db. Same as NNF_GRADEBOOK_URL.
DB          ?= $(NNF_GRADEBOOK_URL)
ASSIGNMENTS := $(notdir $(patsubst %/,%,$(wildcard solutions/[0-9][0-9]_*/)))
# Browser tests drive Debian's Chromium (Playwright cannot download its own browser here).
CHROMIUM    := /usr/bin/chromium
# The website's browser assets (MathJax, axe-core) from npm, pinned by instructor/site_template/package-lock.json.
SITE_NPM    := build/site-npm
UV_VERSION  := 0.13.9
SUDO        := $(if $(filter 0,$(shell id -u)),,sudo)

.DEFAULT_GOAL := help
.PHONY: help install browser sandbox postgres lab check student-copy test test-fast execute release examples grade export report bench site site-deps clean

help: ## list the targets
	@echo "Neural Network Foundations - make targets"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'
	@echo "Assignments: $(ASSIGNMENTS)"

install: $(STAMP) ## create .venv from the pinned lock (idempotent; fast when nothing changed)

# uv (pinned) installs the lock: it fetches and unpacks in parallel (~10 s here; pip took ~30 s).
# --compile-bytecode as pip does: sandboxed grading kernels cannot write .pyc files.
$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check -q uv==$(UV_VERSION)
	$(BIN)/uv pip install --python $(BIN)/python --compile-bytecode -q -r requirements.lock
	$(BIN)/uv pip install --python $(BIN)/python --compile-bytecode -q --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name nnf --display-name "Python 3 (NN Foundations)" >/dev/null
	@touch $@
	@echo "Environment ready in $(VENV)/"

browser: ## install Debian's chromium for the browser tests (apt-get, once; `make test` needs it)
	@test -x $(CHROMIUM) || { export DEBIAN_FRONTEND=noninteractive; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq --no-install-recommends chromium; }
	@test -x $(CHROMIUM) && $(CHROMIUM) --version 2>/dev/null

sandbox: ## install bubblewrap, the sandbox `make grade` runs student code in (apt-get, once)
	@command -v bwrap >/dev/null || { export DEBIAN_FRONTEND=noninteractive; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq --no-install-recommends bubblewrap; }
	@bwrap --version

postgres: ## install Debian's postgresql server binaries (apt-get, once; the tests start throwaway servers)
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { export DEBIAN_FRONTEND=noninteractive; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq --no-install-recommends postgresql; }
	@ls /usr/lib/postgresql/*/bin/initdb

lab: install ## open the student notebooks in JupyterLab (student mode: Validate on, instructor tools off)
	$(BIN)/python -m instructor.lab $(PORT)

check: install ## self-check: run your notebooks (NB=path to choose) like Validate, print passed/failed/not done per exercise
	$(BIN)/python -m helpers.selfcheck $(or $(NB),notebooks)

student-copy: install ## write the student copy: dist/nn-foundations-student/ (its own git repository) and its .zip
	$(BIN)/python -m instructor.student_copy $(or $(DEST),dist)

test: install browser sandbox postgres site-deps ## the whole test suite: helpers, stored outputs (nbval), seeds 0-4, release sync, nbgrader cycle, mutants, browser, site, student copy, exchange, PostgreSQL gradebook
	$(BIN)/python -m pytest -n $(JOBS) --dist loadgroup --no-loadscope-reorder -p no:cacheprovider \
	  --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout=300 tests solutions

test-fast: install ## unit tests and static notebook checks only (seconds; no notebooks run, no browser)
	$(BIN)/python -m pytest -p no:cacheprovider -m "not slow" tests

examples: install ## rebuild the fake class in examples/submissions/ from solutions/ and notebooks/
	$(BIN)/python -m instructor.examples

execute: install ## re-run every solution notebook in place and store its outputs
	$(BIN)/python -m instructor.execute solutions/*/*.ipynb

release: install ## regenerate notebooks/ (student version) from solutions/ with nbgrader
	@mkdir -p .nbgrader
	@set -e; for a in $(ASSIGNMENTS); do \
	  $(BIN)/nbgrader generate_assignment "$$a" --force --log-level=WARN; done
	@echo "Released: $(ASSIGNMENTS) -> notebooks/"

grade: install $(if $(filter 0,$(ISOLATE)),,sandbox) ## autograde submitted/<student>/<assignment>/ (JOBS students at a time, sandboxed) -> grades.csv
	$(BIN)/python -m instructor.grade --jobs $(JOBS) $(if $(filter 0,$(ISOLATE)),--no-isolation,) $(if $(COURSE),--course "$(COURSE)",) \
	  $(if $(DB),--db '$(DB)',)

export: install ## the whole class's grades.csv from the gradebook (every grading machine's students; DB= as for grade)
	$(BIN)/python -m instructor.gradebook $(if $(DB),--db '$(DB)',)

report: install ## class report per graded assignment -> artifacts/report/<assignment>/report.html + CSV (DB= as for grade)
	$(BIN)/python -m instructor.class_report $(if $(DB),--db '$(DB)',)

site: install site-deps ## build the course website into build/site/ (offline, static; open build/site/index.html)
	$(BIN)/python -m instructor.site

site-deps: $(SITE_NPM)/.installed ## install MathJax and axe-core from npm into build/site-npm/ (npm ci, pinned; once)

$(SITE_NPM)/.installed: instructor/site_template/package.json instructor/site_template/package-lock.json
	@command -v npm >/dev/null || { export DEBIAN_FRONTEND=noninteractive; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq --no-install-recommends nodejs npm; }
	@mkdir -p $(SITE_NPM)
	cp instructor/site_template/package.json instructor/site_template/package-lock.json $(SITE_NPM)/
	cd $(SITE_NPM) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

bench: install ## time every notebook (and its peak memory), grading overhead and the reference network -> artifacts/bench/
	$(BIN)/python -m instructor.bench

clean: ## remove generated grading output and caches (keeps .venv; `rm -rf .venv` for a full reset)
	rm -rf autograded feedback grades.csv .nbgrader .pytest_cache .hypothesis artifacts build/site
	find . -name __pycache__ -type d -prune -not -path './.venv/*' -exec rm -rf {} +
	find . -name .ipynb_checkpoints -type d -prune -not -path './.venv/*' -exec rm -rf {} +
