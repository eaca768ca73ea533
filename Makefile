# opsbook: the README's commands. Needs only Python 3.11+ and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
KERNEL := opsbook

.PHONY: help setup kernel kernel-user sample demo test test-fast lab bench validate clean distclean

help:
	@echo "make demo   - set up, generate sample data, run the period review, print the report path"
	@echo "make test   - set up and run every test (unit, notebook via nbval, end-to-end)"
	@echo "make lab    - open the notebooks in JupyterLab"
	@echo "make bench  - benchmarks: period review vs the papermill floor, experiment and audience at scale, import, planning explorer"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (opsbook)" >/dev/null
	@touch $(STAMP)

setup: $(STAMP)

kernel: $(STAMP)
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (opsbook)"

# Also make the kernel visible to a JupyterLab installed outside this project.
kernel-user: $(STAMP)
	$(BIN)/python -m ipykernel install --user --name $(KERNEL) --display-name "Python (opsbook)"

sample: $(STAMP)
	$(BIN)/python -c "from helpers.sample import ensure_sample; print('Sample data:', ensure_sample())"

demo: sample
	$(BIN)/opsbook run period_review --period latest

test: sample
	$(BIN)/python -m pytest

test-fast: sample
	$(BIN)/python -m pytest -m "not slow"

lab: sample
	$(BIN)/jupyter lab notebooks/

bench: sample
	$(BIN)/python benchmarks/bench_period_review.py
	$(BIN)/python benchmarks/bench_experiment_scale.py
	$(BIN)/python benchmarks/bench_audience_scale.py
	$(BIN)/python benchmarks/bench_import.py
	$(BIN)/python benchmarks/bench_content_planning.py

validate: sample
	$(BIN)/opsbook validate --data data/sample

clean:
	rm -rf outputs/*/ .pytest_cache

distclean: clean
	rm -rf $(VENV) data/sample/*.csv src/*.egg-info
