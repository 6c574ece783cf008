# opkval: reports on the opkvalificeringspulje per kommune. Run `make` to see the targets.
# Every target that needs Python creates .venv first (pinned versions from pyproject.toml),
# and recreates it when pyproject.toml is newer than the last install.

SHELL := /bin/bash
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

# Parameters are data: make never expands or runs what is typed after `make report`.
# $(value X) is the text exactly as given (a "$(shell ...)" in it is not run by make), and
# $(call q,X) quotes that text for the shell (a "$(...)" or "`...`" is not run by the shell).
# They are not exported: make would expand an exported variable to build the environment.
KOMMUNE ?=
YEAR ?= 0
# Scenario for "what the plan moves": extra participants, kategori:antal:startår, comma-separated
# (e.g. EXTRA=meritpaedagog:4:2026). Empty = the plan as written.
EXTRA ?=
# Another local plan than data/plans/<slug>.yaml (.yaml, .xlsx or .ods), for this one note;
# `make reports` uses data/plans/ (copy the plan there to make it the kommune's own).
PLAN ?=
q = '$(subst ','\'',$(value $1))'
# A parameter with a line break would split the recipe line into two shell commands: refuse
# it with a Danish message before any line that uses it (the variables' names are listed).
define newline


endef
with_newline = $(strip $(foreach v,$1,$(if $(findstring $(newline),$(value $(v))),$(v))))
no_newline = $(if $(call with_newline,$1),echo "Parameteren $(call with_newline,$1) indeholder \
	et linjeskift; angiv værdien på én linje." >&2; exit 2,:)

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.opkval-installed
NOTEBOOK := build/kommune_rapport.ipynb
JOBS ?=
# Output folder and formats, for `make report` and `make reports` alike (as the command line:
# FORMAT=html,pdf,docx is the default; docx also writes the draft agenda item).
OUT ?= reports
FORMAT ?=
unexport KOMMUNE YEAR EXTRA PLAN JOBS OUT FORMAT
PYTEST_ARGS ?=

.PHONY: help venv report reports kommuner test lint typecheck-baseline clean distclean lab bench

help: ## Show this help
	@echo "opkval: reports on the opkvalificeringspulje per kommune"
	@echo "  make report KOMMUNE=Ishøj   build one note: reports/<slug>.html, .pdf, .json"
	@echo "  make report KOMMUNE=Ishøj PLAN=plan.yaml   ... with another local plan (.yaml/.xlsx/.ods)"
	@echo "  make report KOMMUNE=Ishøj EXTRA=meritpaedagog:4:2026   a scenario note (own file names)"
	@echo "  make report KOMMUNE=Ishøj FORMAT=html OUT=/tmp/x   formats and folder, as the command line"
	@echo "  make test                   run ruff and the tests"
	@echo
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sort | \
		awk 'BEGIN {FS = ":.*## "}; {printf "  make %-22s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@if [ -z "$(PYTHON)" ]; then echo "Python 3.11 blev ikke fundet (python3.11 eller python3)." >&2; exit 2; fi
	@"$(PYTHON)" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' || \
		{ echo "opkval kræver Python 3.11; $(PYTHON) er $$("$(PYTHON)" -V 2>&1). Sæt PYTHON=/sti/til/python3.11." >&2; exit 2; }
	@echo "Opretter $(VENV) med faste versioner fra pyproject.toml (første gang tager det et par minutter) ..."
	@[ -x "$(BIN)/python" ] || "$(PYTHON)" -m venv $(VENV)
	@{ $(BIN)/python -m pip install --disable-pip-version-check --upgrade "pip>=23.2" && \
	   $(BIN)/python -m pip install --disable-pip-version-check -e '.[dev]'; } > $(VENV)/install.log 2>&1 || \
		{ tail -30 $(VENV)/install.log >&2; echo "Installationen fejlede; hele loggen: $(VENV)/install.log" >&2; exit 1; }
	@touch $@
	@echo "$(VENV) er klar."

venv: $(STAMP) ## Create or update .venv (done automatically by the other targets)

# The same build as opkval's own (opkval.publish.render.ensure_notebook, which records the source's
# hash and rebuilds a stale or truncated notebook whatever its modification time).
build/%.ipynb: notebooks/%.py $(STAMP)
	@mkdir -p build
	@$(BIN)/python -c 'import sys; from pathlib import Path; from opkval.publish.render import ensure_notebook; ensure_notebook(Path(sys.argv[1]), Path("build"))' $<
	@touch $@

report: $(STAMP) $(NOTEBOOK) ## Build one kommune's note: make report KOMMUNE=Ishøj
	@$(call no_newline,KOMMUNE YEAR EXTRA PLAN OUT FORMAT)
	@if [ -z $(call q,KOMMUNE) ]; then echo "Angiv en kommune, fx: make report KOMMUNE=Ishøj" >&2; exit 2; fi
	@$(BIN)/opkval report --kommune=$(call q,KOMMUNE) --year=$(call q,YEAR) --plan=$(call q,PLAN) \
		--extra=$(call q,EXTRA) --out=$(call q,OUT) $(if $(value FORMAT),--format=$(call q,FORMAT))

reports: $(STAMP) $(NOTEBOOK) build/landsoversigt.ipynb ## All 98 notes + reports/index.html + landsoversigt (only what changed; JOBS=2 on 2+ cores)
	@$(call no_newline,JOBS YEAR OUT FORMAT)
	@$(BIN)/opkval reports --jobs=$(call q,JOBS) --year=$(call q,YEAR) --out=$(call q,OUT) \
		$(if $(value FORMAT),--format=$(call q,FORMAT))

bench: $(STAMP) $(NOTEBOOK) ## Measure F, R1, R98, R0 and peak memory; appends to docs/benchmarks.md
	@# The peer pipeline's PDF step is the weasyprint command (a bench-only extra: opkval never imports it).
	@[ -x $(BIN)/weasyprint ] || $(BIN)/python -m pip install --quiet -e '.[bench]'
	@$(BIN)/python benchmarks/bench.py

kommuner: $(STAMP) ## List the 98 kommuner with code and slug
	@$(BIN)/opkval kommuner

test: lint ## Run ruff and the test suite (PYTEST_ARGS='-m "not slow"' skips notebook runs)
	@$(BIN)/python -m pytest -q $(PYTEST_ARGS)

lint: $(STAMP) ## Lint with ruff, check the import layers (import-linter) and the types (mypy against its baseline)
	@$(BIN)/ruff check opkval tests notebooks benchmarks
	@$(BIN)/lint-imports --no-cache --no-logo
	@# mypy's known errors are in mypy-baseline.txt: a new error fails, and so does a fixed one
	@# until `make typecheck-baseline` writes the smaller baseline (it may only shrink). No cache:
	@# mypy's incremental cache was seen to report other errors than a fresh run (~20 s).
	@PYTHONHASHSEED=0 $(BIN)/mypy --cache-dir=/dev/null | $(BIN)/mypy-baseline filter --hide-stats --no-colors || \
		{ echo "mypy: nye typefejl (ovenfor), eller fejl rettet men stadig i mypy-baseline.txt (kør make typecheck-baseline)." >&2; exit 1; }

typecheck-baseline: $(STAMP) ## After fixing type errors: write the smaller mypy-baseline.txt (never to hide a new one)
	@PYTHONHASHSEED=0 $(BIN)/mypy --cache-dir=/dev/null | $(BIN)/mypy-baseline sync
	@echo "mypy-baseline.txt: $$(grep -c ' error: ' mypy-baseline.txt) kendte typefejl."

lab: $(STAMP) ## Open JupyterLab with opkval importable (installs jupyterlab on first use)
	@$(BIN)/python -c 'import jupyterlab' 2>/dev/null || $(BIN)/python -m pip install --quiet -e '.[lab]'
	@$(BIN)/jupyter lab --notebook-dir=notebooks $$([ "$$(id -u)" = 0 ] && echo --allow-root)

clean: ## Remove build output (build/ and generated reports/)
	@rm -rf build
	@find reports -mindepth 1 ! -name .gitkeep ! -name README.md -exec rm -rf {} +
	@echo "Fjernede build/ og genererede filer i reports/."

distclean: clean ## Also remove .venv
	@rm -rf $(VENV)
