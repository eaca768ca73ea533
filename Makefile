# opsbook: the README's commands. Needs only Python 3.11+ and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
KERNEL := opsbook

# Keep bytecode caches (in .venv and src/) even where the environment turns them off: packages are
# installed without compiling (pip --no-compile, as uv does) and each module is compiled once, on
# first import, instead of by every kernel, worker and command again.
export PYTHONDONTWRITEBYTECODE :=

.PHONY: help setup corpora kernel kernel-user sample demo docs lint test test-fast lab bench validate clean distclean

help:
	@echo "make demo   - set up, generate sample data, run the period review, print the report path"
	@echo "make test   - set up, lint, and run every test (unit, notebook via nbval, end-to-end) on all cores"
	@echo "make lint   - ruff (lint + import order) and mypy"
	@echo "make lab    - open the notebooks in JupyterLab"
	@echo "make bench  - benchmarks: period review vs the papermill floor, experiment and audience at scale, import, planning explorer, checks before the kernel, PDF, the pack serial vs workers vs a Dask cluster, each explorer's answer in the kernel, voice of the customer on 1 M comments vs the segmentation floor, attribution on 1 M journeys vs ChannelAttribution"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-compile -e '.[test]'
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (opsbook)" >/dev/null
	@touch $(STAMP)

setup: $(STAMP) corpora

# The English labelled sentiment set (hutto_ICWSM_2014, MIT) ships only in the vaderSentiment sdist: download it
# (no install) into helpers.config.NLP_CACHE, where helpers.nlp.corpora reads it. Offline, setup goes on and
# the voice-of-customer notebook says the English held-out figures are missing.
VADER_SDIST := vaderSentiment==3.3.2
corpora: $(STAMP)
	@cache="$$($(BIN)/python -c 'from helpers.config import NLP_CACHE; print(NLP_CACHE)')"; \
	test -f "$$cache/vaderSentiment-3.3.2.tar.gz" || { mkdir -p "$$cache" && \
	$(BIN)/python -m pip download --quiet --disable-pip-version-check --no-binary :all: --no-deps \
		'$(VADER_SDIST)' -d "$$cache" || echo "warning: could not download the $(VADER_SDIST) sdist into $$cache (English sentiment figures will be missing)"; }
	@$(BIN)/python -c 'from helpers.nlp.sentiment import fitted_sentiment; fitted_sentiment()'  # fit once (~35 s), cached

kernel: $(STAMP)
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (opsbook)"

# Also make the kernel visible to a JupyterLab installed outside this project.
kernel-user: $(STAMP)
	$(BIN)/python -m ipykernel install --user --name $(KERNEL) --display-name "Python (opsbook)"

sample: setup
	$(BIN)/python -c "from helpers.sample import ensure_sample; print('Sample data:', ensure_sample())"

demo: sample
	$(BIN)/opsbook run period_review --period latest

# Lint first: a style or type error fails in seconds, before eight minutes of notebooks.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

# Both cores: pytest-xdist, a test module per worker at a time, so a module's shared fixtures (a
# published run, an imported store, the loaded sample) are built once, not once per worker.
PYTEST_PARALLEL ?= -n auto --dist loadscope

PYTEST := $(BIN)/python -m pytest

test: lint sample
	$(PYTEST) $(PYTEST_PARALLEL)

test-fast: sample
	$(PYTEST) $(PYTEST_PARALLEL) -m "not slow"

lab: sample
	$(BIN)/jupyter lab notebooks/

# One run id for every script of this run, so the table can tell a row from an older run.
bench: export OPSBOOK_BENCH_RUN ?= $(shell date +%Y-%m-%dT%H:%M:%S)
bench: sample
	$(BIN)/python benchmarks/bench_period_review.py
	$(BIN)/python benchmarks/bench_experiment_scale.py --notebook
	$(BIN)/python benchmarks/bench_audience_scale.py
	$(BIN)/python benchmarks/bench_import.py
	$(BIN)/python benchmarks/bench_content_planning.py
	$(BIN)/python benchmarks/bench_precheck.py
	$(BIN)/python benchmarks/bench_pdf.py
	$(BIN)/python benchmarks/bench_pack.py
	$(BIN)/python benchmarks/bench_explorers.py
	$(BIN)/python benchmarks/bench_voc.py
	$(BIN)/python benchmarks/bench_account_plan.py
	$(BIN)/python benchmarks/bench_kol_evaluation.py
	$(BIN)/python benchmarks/bench_kol_steps.py
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[bench]' || \
		echo "warning: could not install the bench extra (ChannelAttribution, the attribution peer); its ratio reads 'not run'"
	$(BIN)/python benchmarks/bench_attribution.py
	@$(BIN)/python benchmarks/record.py

# docs/schema.md and docs/glossary.md are generated from helpers.schema and helpers/glossary.yaml (a test
# fails when either is stale).
docs: $(STAMP)
	$(BIN)/python -c "from helpers.schema import schema_markdown; open('docs/schema.md', 'w', encoding='utf-8').write(schema_markdown())"
	$(BIN)/python -c "from helpers.glossary import glossary_markdown; open('docs/glossary.md', 'w', encoding='utf-8').write(glossary_markdown())"

validate: sample
	$(BIN)/opsbook validate --data data/sample

clean:
	rm -rf outputs/*/ .pytest_cache

distclean: clean
	rm -rf $(VENV) data/sample/*.csv src/*.egg-info
