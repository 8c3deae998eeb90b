# shoplab — `make all` runs the whole analysis, `make test` the full test suite.
# Both install what is missing first (`make setup`).

SHELL := /bin/bash
.DEFAULT_GOAL := help

DATA   ?= data
REPORTS ?= reports
SEED   ?= 42
EVENTS ?= 2000000
DAYS   ?= 90
# A small world for the notebook run in `make test`.
TEST_DATA   ?= .test-data
TEST_EVENTS ?= 60000

TSX := node_modules/.bin/tsx
NODE_STAMP := node_modules/.shoplab-installed
# prometheus brings promtool, which checks the service's /metrics in a test.
APT_PACKAGES := libxgboost0 jupyter-notebook jupyter-nbconvert python3-nbclient python3-ipykernel chromium prometheus

# Jupyter runs on Debian's Python with every path inside the project, never the user's home.
JUPYTER_DIR := $(CURDIR)/.jupyter
export JUPYTER_CONFIG_DIR  := $(JUPYTER_DIR)/config
export JUPYTER_DATA_DIR    := $(JUPYTER_DIR)/share/jupyter
export JUPYTER_RUNTIME_DIR := $(JUPYTER_DIR)/runtime
KERNEL := $(JUPYTER_DATA_DIR)/kernels/tslab/kernel.json
JUPYTER_PYTHON := /usr/bin/python3
LAB_PORT ?= 8888

# When this make started: the summary tells the stages that ran now from those up to date.
STARTED := $(shell date -u +%Y-%m-%dT%H:%M:%S.000Z)

# XGBoost's OpenMP threads otherwise busy-wait on a loaded machine.
export OMP_WAIT_POLICY := PASSIVE

.PHONY: help setup system-packages notebook-filter all retrain retrain-args data models notebooks report serve test test-unit test-notebooks lab bench typecheck format clean clean-data recommend-import FORCE

help:
	@echo "make all        generate the world, sessions, splits and training sets, execute the notebooks (SEED=$(SEED) EVENTS=$(EVENTS) DATA=$(DATA) MEMORY=$(MEMORY) per stage)"
	@echo "make all FORMAT=rees46|retailrocket|diginetica|yoochoose|session-rec INPUT=FILE [BUYS=FILE] DATA=DIR   the same on a real log: the families it supports, the rest skipped with the reason"
	@echo "make test       the full test suite: unit tests, then every notebook on a small world"
	@echo "make models     train every model family and promote the versions that beat production"
	@echo "make retrain FORMAT=rees46|retailrocket|diginetica INPUT=DAY.csv DATA=DIR   append a new day to an imported log, rebuild what it changes, retrain and promote what beats production"
	@echo "make setup      install what is missing (npm packages, Debian packages, the tslab kernel)"
	@echo "make notebooks  execute every notebook headlessly, HTML to reports/notebooks/"
	@echo "make report     the evaluation reports: reports/index.html and a page per model family"
	@echo "make serve      the prediction service on 127.0.0.1:8000 (HOST=, PORT=, WORKERS= processes, default one per core) over the production models"
	@echo "make lab        the notebook server on 127.0.0.1:$(LAB_PORT) with the TypeScript kernel"
	@echo "make bench      print the benchmark figures"
	@echo "make recommend-import FORMAT=rees46|retailrocket|diginetica|yoochoose|session-rec INPUT=FILE [BUYS=FILE] DATA=DIR   a real log through the recommenders (session-based for a log without users)"
	@echo "make typecheck  tsc --noEmit"
	@echo "make format     format the TypeScript and scripts with Prettier (make test checks it)"
	@echo "make clean      remove generated data, reports and installed kernels"

# ---------------------------------------------------------------- setup
setup: $(NODE_STAMP) system-packages $(KERNEL) notebook-filter

# Committed notebooks stay output-free: git stores each notebook through scripts/notebook-clean.mjs
# (outputs, execution counts and per-cell state stripped; the working copy keeps them).
# .gitattributes names the filter; this defines it in the clone's own .git/config.
notebook-filter:
	@if git rev-parse --is-inside-work-tree >/dev/null 2>&1 && [ "$$(git config filter.shoplab-notebook.clean)" != 'node scripts/notebook-clean.mjs' ]; then \
	  git config filter.shoplab-notebook.clean 'node scripts/notebook-clean.mjs' && git config filter.shoplab-notebook.smudge cat && \
	  echo "setup: git filter shoplab-notebook strips notebook outputs on commit"; fi

# The Debian packages that are missing, installed by scripts/apt-install.mjs (zx): as root with
# apt-get update and install --no-install-recommends, otherwise it prints the sudo command and fails.
system-packages: $(NODE_STAMP)
	@node scripts/apt-install.mjs $(APT_PACKAGES)

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

# The kernel starts in the project root whatever folder a notebook is in, so notebooks import
# ./lib the same way under `make lab` and headless runs.
$(KERNEL): Makefile $(NODE_STAMP)
	@mkdir -p $(@D)
	@printf '%s\n' '{' \
	  '  "argv": ["/bin/sh", "-c", "cd \"$$1\" && exec node_modules/.bin/tslab kernel --config-path \"$$0\"", "{connection_file}", "$(CURDIR)"],' \
	  '  "display_name": "TypeScript (shoplab)",' \
	  '  "language": "typescript"' '}' > $@
	@echo "setup: tslab kernel registered in $(JUPYTER_DATA_DIR)"

typecheck: $(NODE_STAMP)
	node_modules/.bin/tsc --noEmit -p .

# ---------------------------------------------------------------- the analysis
# What each stage and notebook really depends on: the files it imports, computed (DEPS_<stage>,
# DEPS_NB_<notebook>), so editing lib/serve/ reruns no stage and editing one family's code or
# config retrains only the families that use it.
DEPS_MK := .make/deps.mk
$(DEPS_MK): $(shell find lib pipelines -name '*.ts' ! -name '*.test.ts') $(wildcard notebooks/*.ipynb) scripts/stage-deps.mjs
	@mkdir -p $(@D); node scripts/stage-deps.mjs > $@.tmp && mv $@.tmp $@
include $(DEPS_MK)

# Prerequisites may name per-family and per-notebook variables ($$(DEPS_TRAIN_$$*)).
.SECONDEXPANSION:

# Parameters live in files that change only when their values do, so stages rerun on change.
# The raw tables come from the generator, or from a real log when INPUT (and FORMAT) are given:
#   make all FORMAT=rees46 INPUT=2019-Oct.csv DATA=data-rees46
# or from a product catalogue, its columns named in CATALOG (the import flags), LEVEL optional:
#   make all FORMAT=catalog INPUT=products.csv CATALOG='--title name --category path' LEVEL=1 DATA=data-shop
# A folder an import wrote keeps its raw tables when a later make names no INPUT (`make serve
# DATA=data-shop`): nothing regenerates or re-imports it.
IMPORTED_DATA := $(if $(INPUT),,$(wildcard $(DATA)/meta/params-import))
ifneq ($(INPUT)$(IMPORTED_DATA),)
ifneq ($(IMPORTED_DATA),)
$(info make: $(DATA) holds an imported log or catalogue ($(shell cat $(IMPORTED_DATA))); give INPUT= and FORMAT= to import again)
endif
else
$(DATA)/meta/params-generate: FORCE
	@mkdir -p $(@D); p='--seed $(SEED) --events $(EVENTS) --days $(DAYS)'; [ "$$(cat $@ 2>/dev/null)" = "$$p" ] || echo "$$p" > $@

$(DATA)/raw/source.json: $(DATA)/meta/params-generate $(DEPS_generate) | setup
	$(TSX) pipelines/generate.ts --data $(DATA) $$(cat $<)
endif
ifneq ($(INPUT),)
$(DATA)/meta/params-import: FORCE
	@test -n "$(FORMAT)" || { echo 'make: INPUT=$(INPUT) needs FORMAT=rees46|retailrocket|diginetica|yoochoose|session-rec|catalog' >&2; exit 2; }
	@mkdir -p $(@D); p='--format $(FORMAT) --input $(abspath $(INPUT))$(if $(BUYS), --buys $(abspath $(BUYS)))$(if $(CATALOG), $(CATALOG))'; [ "$$(cat $@ 2>/dev/null)" = "$$p" ] || echo "$$p" > $@

$(DATA)/raw/source.json: $(DATA)/meta/params-import $(INPUT) $(BUYS) $(DEPS_import) | setup
	$(TSX) pipelines/import.ts --data $(DATA) $$(cat $<)
endif

$(DATA)/interim/sessionized.json: $(DATA)/raw/source.json $(DEPS_sessionize)
	$(TSX) pipelines/sessionize.ts --data $(DATA)

$(DATA)/interim/splits.json: $(DATA)/interim/sessionized.json $(DEPS_split)
	$(TSX) pipelines/split.ts --data $(DATA)

$(DATA)/features/manifest.json: $(DATA)/interim/splits.json $(DEPS_features)
	$(TSX) pipelines/features.ts --data $(DATA)

data: $(DATA)/features/manifest.json

# Each family: train a new registry version, then promote it if it beats production (promote.ts
# says why either way). A family the data cannot support (a log without purchases, categories or
# known users) or whose model does not beat random is skipped: train writes why to
# models/<family>/skipped.json, the summary table shows it, and the rest goes on. The stamp in
# meta/ records that this training has been done. MODEL_FAMILIES comes from lib/families/index.ts
# (through .make/deps.mk), and each family's stamp depends on its own module, not the others'.
# A product catalogue (FORMAT=catalog) has products only: the category family alone, trained on
# the imported products with no sessions, splits or training sets.
CATALOGUE := $(or $(filter catalog,$(FORMAT)),$(if $(IMPORTED_DATA),$(wildcard $(DATA)/raw/catalog.parquet)))
ifneq ($(CATALOGUE),)
MODEL_POINTERS := $(DATA)/meta/trained-category
TRAIN_INPUT := $(DATA)/raw/source.json
else
MODEL_POINTERS := $(MODEL_FAMILIES:%=$(DATA)/meta/trained-%)
TRAIN_INPUT := $(DATA)/features/manifest.json
endif

# The category family's flags (LEVEL=1|leaf, MIN_CLASS=N, RARE=drop|other), rewritten only when they change.
# On an imported folder named without INPUT (make serve DATA=…), the flags it was trained with stay.
TRAIN_FLAGS_category := $(if $(LEVEL), --level $(LEVEL))$(if $(MIN_CLASS), --min-class $(MIN_CLASS))$(if $(RARE), --rare $(RARE))
$(DATA)/meta/flags-%: $(if $(IMPORTED_DATA),,FORCE)
	@mkdir -p $(@D); p='$(TRAIN_FLAGS_$*)'; [ -e $@ ] && [ "$$(cat $@)" = "$$p" ] || echo "$$p" > $@

.PRECIOUS: $(DATA)/meta/flags-%

# The part of config/models.json a family's training reads, rewritten only when it changes.
$(DATA)/meta/config-%: config/models.json scripts/family-config.mjs FORCE
	@mkdir -p $(@D); node scripts/family-config.mjs $* > $@.tmp && { cmp -s $@.tmp $@ && rm $@.tmp || mv $@.tmp $@; }

.PRECIOUS: $(DATA)/meta/config-%

$(DATA)/meta/trained-%: $(TRAIN_INPUT) $(DATA)/meta/config-% $(DATA)/meta/flags-% $$(DEPS_TRAIN_$$*)
	$(TSX) pipelines/train.ts --family $* --data $(DATA) --skip-unsupported $$(cat $(DATA)/meta/flags-$*)
	@if [ ! -e $(DATA)/models/$*/skipped.json ]; then $(TSX) pipelines/promote.ts --family $* --data $(DATA); fi
	@touch $@

models: $(MODEL_POINTERS)

# Notebooks, one file target each, written atomically next to the reports. They explore the
# synthetic world (its personas, searches and truth), so an imported log runs without them.
NOTEBOOKS := $(if $(INPUT)$(IMPORTED_DATA),,$(sort $(wildcard notebooks/*.ipynb)))
NOTEBOOK_HTML := $(NOTEBOOKS:notebooks/%.ipynb=$(REPORTS)/notebooks/%.html)

$(REPORTS)/notebooks/%.html: notebooks/%.ipynb $(MODEL_POINTERS) $$(DEPS_NB_$$*) scripts/run-notebook.mjs | setup
	SHOPLAB_DATA=$(DATA) node scripts/run-notebook.mjs $< $@

notebooks: $(NOTEBOOK_HTML)

$(REPORTS)/index.html: $(MODEL_POINTERS) $(NOTEBOOK_HTML) $(DEPS_report)
	$(TSX) pipelines/report.ts --data $(DATA) --out $(REPORTS)

report: $(REPORTS)/index.html

# sha256 of every artifact (run metadata left out): two clean runs must give the same file.
$(DATA)/MANIFEST.sha256: $(MODEL_POINTERS) $(DEPS_manifest)
	$(TSX) pipelines/manifest.ts --data $(DATA)

# Stages that do not depend on each other (the four trainings, the notebooks) run JOBS at a time;
# their results do not depend on it. JOBS=1 runs one stage at a time, its output unmixed.
JOBS ?= 2
# DuckDB's memory limit for each stage (MEMORY=8GB; KB, MB, GB, KiB, MiB, GiB): by default 60 % of
# the machine's memory shared among the JOBS stages that may run at once. Beyond it DuckDB spills
# into DATA/.tmp/duckdb. A stage run by hand takes --memory-limit, else half the machine.
MEMORY ?= $(shell awk -v jobs=$(JOBS) '/^MemTotal:/ {printf "%dMiB", $$2 / 1024 * 0.6 / jobs}' /proc/meminfo 2>/dev/null)
export SHOPLAB_MEMORY_LIMIT = $(MEMORY)
all: setup
	@$(MAKE) --no-print-directory -j$(JOBS) report $(DATA)/MANIFEST.sha256
	@$(TSX) pipelines/summary.ts --data $(DATA) --reports $(REPORTS) --since $(STARTED)

# A new day of an imported log, then everything it changes: the day is appended to the raw tables
# (pipelines/import.ts --append: its events must all be later than the log's), sessions, splits and
# training sets are rebuilt, every family trains a new version that is promoted only if it beats
# production by the promotion margin (5 %), and the report shows each new version against production.
#   make retrain FORMAT=rees46 INPUT=2019-11-01.csv DATA=data-rees46
# On a schedule (the README has a cron example), each night's file as it lands.
retrain: retrain-args setup
	$(TSX) pipelines/import.ts --append --format $(FORMAT) --input $(abspath $(INPUT)) --data $(DATA)
	@# The folder holds an import from now on, whoever imported it first: make never regenerates it.
	@test -e $(DATA)/meta/params-import || { mkdir -p $(DATA)/meta && echo '--format $(FORMAT) --input $(abspath $(INPUT))' > $(DATA)/meta/params-import; }
	@$(MAKE) --no-print-directory -j$(JOBS) report $(DATA)/MANIFEST.sha256 DATA=$(DATA) REPORTS=$(REPORTS) INPUT= FORMAT= BUYS=
	@$(TSX) pipelines/summary.ts --data $(DATA) --reports $(REPORTS) --since $(STARTED)

retrain-args:
	@test -n "$(INPUT)" -a -n "$(FORMAT)" || { echo 'make: retrain needs INPUT=FILE (the new day) and FORMAT=, and DATA= the imported folder' >&2; exit 2; }

# ---------------------------------------------------------------- tests
test: test-unit test-notebooks

# Type-check, the shape of the imports (no cycle, cross-folder imports through index.ts), the
# formatting (Prettier; `make format` applies it), then the unit tests and the end-to-end tests
# (*.e2e.test.ts: they spawn stages, the service, Chromium) as two vitest projects.
test-unit: setup
	node_modules/.bin/tsc --noEmit -p .
	node scripts/check-imports.mjs
	node_modules/.bin/prettier --check --log-level warn .
	node_modules/.bin/vitest run --project unit
	node_modules/.bin/vitest run --project e2e

format: $(NODE_STAMP)
	node_modules/.bin/prettier --write --log-level warn .

test-notebooks: setup
	$(MAKE) --no-print-directory -j$(JOBS) notebooks report DATA=$(TEST_DATA) REPORTS=$(TEST_DATA)/reports EVENTS=$(TEST_EVENTS) SEED=7

# ---------------------------------------------------------------- tools
# The prediction service over $(DATA)'s production models; HOST, PORT and WORKERS from the environment.
# It runs as plain JavaScript bundled from pipelines/serve.ts (a fraction of a second, every time):
# each process starts a second sooner than under tsx.
serve: $(MODEL_POINTERS)
	node scripts/bundle-serve.mjs
	node build/serve/serve.js --data $(DATA)

lab: setup
	SHOPLAB_DATA=$(DATA) $(JUPYTER_PYTHON) -m notebook --ip=127.0.0.1 --port=$(LAB_PORT) --no-browser --notebook-dir=$(CURDIR) \
	  --FileContentsManager.delete_to_trash=False \
	  $$([ "$$(id -u)" = 0 ] && echo --allow-root)

# Python's XGBoost is only for comparing against our binding in bench/xgboost.ts.
bench: setup $(MODEL_POINTERS)
	@node scripts/apt-install.mjs python3-xgboost
	node scripts/bench.mjs --data $(DATA)

# A real log through the recommenders, into its own data folder: the user recommender and the
# session family, or the session family alone for a log without users.
#   make recommend-import FORMAT=retailrocket INPUT=events.csv DATA=data-retailrocket
#   make recommend-import FORMAT=yoochoose INPUT=yoochoose-clicks.dat BUYS=yoochoose-buys.dat DATA=data-yoochoose
recommend-import: setup
	@FORMAT='$(FORMAT)' INPUT='$(INPUT)' BUYS='$(BUYS)' DATA='$(DATA)' node scripts/recommend-import.mjs

clean:
	rm -rf $(DATA) $(TEST_DATA) $(REPORTS) .jupyter .make

clean-data:
	rm -rf $(DATA)

FORCE:
