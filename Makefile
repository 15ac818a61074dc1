# learn-gpt2. Learners: `make lab`. Everyone: `make test`. Instructors: see README.md.
PYTHON ?= python3
VENV   ?= .venv
# An environment in which the course already imports (Binder, an instructor's conda env) is used
# as it is; anywhere else `make setup` builds .venv with tools/install.py.
ifeq ($(shell $(PYTHON) -c "import gpt2, nbgrader" 2>/dev/null && echo found),found)
BIN    := $(shell $(PYTHON) -c "import os, sys; print(os.path.dirname(sys.executable))")
INSTALLED :=
else
BIN    := $(abspath $(VENV))/bin
INSTALLED := $(VENV)/.installed
endif
# nbgrader starts alembic and the python3 kernel from PATH: this environment's bin comes first.
export PATH := $(BIN):$(PATH)
PY     := $(BIN)/python
WORK   ?= work
PYTEST_WORKERS ?= 2

.PHONY: grade validate setup test-tools sandbox lab instructor-lab screenshots test test-all test-fast demo release autograde feedback grades catalogue hostile clean-notebooks bench-notebooks bench-grading bench-suite bench-generate bench-train bench-quant

setup: $(INSTALLED)  ## install the course (Python 3.10+; PyTorch's CPU wheels on Linux without a GPU)

$(VENV)/.installed: pyproject.toml tools/install.py
	$(PYTHON) tools/install.py $(VENV)
	touch $@

# pytest, where an existing environment (Binder's) was set up for learners only.
test-tools: setup
	@$(PY) -c "import pytest, xdist" 2>/dev/null || $(PY) -m pip install -e ".[test]"

# Grading runs learner code inside bubblewrap (see README, "The grading sandbox").
sandbox:  ## install bubblewrap, the grading sandbox, if it is missing (root on Debian/Ubuntu)
	@command -v bwrap >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  { apt-get install -y -qq bubblewrap >/dev/null || { apt-get update -qq && apt-get install -y -qq bubblewrap >/dev/null; }; }; } || \
	  { echo "Grading needs bubblewrap (bwrap): install it, e.g. sudo apt-get install bubblewrap" >&2; exit 1; }

lab: setup  ## JupyterLab on your own copies of the notebooks in work/ (copied once, never overwritten)
	$(PY) -m coursetools lab --work $(WORK)

screenshots: setup  ## both labs as headless Chromium shows them -> docs/screenshots/ (needs chromium)
	$(PY) -m coursetools screenshots

instructor-lab: setup  ## JupyterLab on the course root with Formgrader and a course-local exchange
	$(PY) -m coursetools instructor-lab

# One torch thread per process: the test workers and their notebook kernels share the cores, and
# oversubscribed torch threads make small models tens of times slower.
test: test-tools sandbox  ## the whole suite: package, HF parity, course lint, grading pipeline (prints where the time went)
	OMP_NUM_THREADS=1 $(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadgroup

# Before a release: every catalogued and hostile case of every problem through real nbgrader
# (make test grades the catalogues in a warm process and sends a sample through nbgrader).
test-all: test-tools sandbox  ## the whole suite with every case through real nbgrader, for every problem
	LEARN_GPT2_SWEEP=1 OMP_NUM_THREADS=1 $(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadgroup

test-fast: test-tools  ## everything except notebook executions and large models
	$(PY) -m pytest -m "not slow"

demo: setup sandbox  ## instructor flow on a demo cohort: release, submit, autograde, feedback, export
	$(PY) -m coursetools demo

release: setup  ## regenerate the learner copies in release/ from source/
	$(PY) -m coursetools release $(A)

JOBS ?= 1
autograde: setup sandbox  ## autograde submitted/<student>/<problem>/ (A=problem to limit, JOBS=learners at once)
	$(PY) -m coursetools autograde --jobs $(JOBS) $(A)

feedback: setup  ## feedback HTML in feedback/
	$(PY) -m coursetools feedback $(A)

grades: setup  ## export grades.csv and print the grades table
	$(PY) -m coursetools grades

catalogue: setup sandbox  ## grade one problem's mutants and variants through nbgrader: make catalogue A=01-embeddings
	$(PY) -m coursetools catalogue $(A)

hostile: setup sandbox  ## grade the hostile and mangled catalogue for one problem: make hostile A=01-embeddings
	$(PY) -m coursetools hostile $(A)

clean-notebooks: setup  ## strip outputs from source notebooks before committing (and redraw the diagrams)
	$(PY) -m coursetools diagrams
	$(PY) -m coursetools clean

bench-notebooks: setup  ## time each solution notebook top to bottom
	$(PY) -m coursetools bench $(A)

bench-suite: setup sandbox  ## make test on a fresh clone of HEAD with 18 problems (stand-in copies for the missing ones)
	$(PY) -m coursetools bench-suite $(N)

# Benchmarks of the extensions: the reference against HuggingFace (or torch's own answer) on the
# same weights, in one run, so the ratios hold on any machine.
bench-generate: setup  ## tokens/s of greedy generation, uncached, KV-cached and HF's; forward pass against HF (problem 14)
	$(PY) -m coursetools.bench_generate

bench-train: setup  ## training tokens/s of one step on GPT-2 small's geometry, reference against HF (problem 15)
	$(PY) -m coursetools.bench_train

bench-quant: setup  ## size, perplexity and tokens/s: fp32, int8, int4 and torch's quantize_dynamic (problem 17)
	$(PY) -m coursetools.bench_quant

bench-grading: setup sandbox  ## grade a cohort of 24 with 1 and 2 workers and print the speed-up
	$(PY) -m coursetools bench-grading

grade: setup  ## grade your own notebook, hidden tests included: make grade NB=work/01-embeddings/01-embeddings.ipynb
	$(PY) -m coursetools grade $(NB)

validate: setup  ## run a notebook's visible tests: make validate NB=work/01-embeddings/01-embeddings.ipynb
	$(BIN)/nbgrader validate $(NB)
