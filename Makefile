# learn-gpt2. Learners: `make lab`. Everyone: `make test`. Instructors: see README.md.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(abspath $(VENV))/bin
# nbgrader starts alembic and the python3 kernel from PATH: this environment's bin comes first.
export PATH := $(BIN):$(PATH)
PY     := $(BIN)/python
LAB_DIR ?= release
PYTEST_WORKERS ?= 2
# Jupyter refuses to run as root (containers, CI) unless told to.
LAB_FLAGS ?= $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: grade validate setup sandbox lab test test-all test-fast demo release autograde feedback grades catalogue hostile clean-notebooks bench-notebooks bench-grading bench-suite

setup: $(VENV)/.installed

# torch==2.13.0 first: a CPU wheel that pip finds without downloading several GB of CUDA builds.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e ".[course,test]"
	touch $@

# Grading runs learner code inside bubblewrap (see README, "The grading sandbox").
sandbox:  ## install bubblewrap, the grading sandbox, if it is missing (root on Debian/Ubuntu)
	@command -v bwrap >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  { apt-get install -y -qq bubblewrap >/dev/null || { apt-get update -qq && apt-get install -y -qq bubblewrap >/dev/null; }; }; } || \
	  { echo "Grading needs bubblewrap (bwrap): install it, e.g. sudo apt-get install bubblewrap" >&2; exit 1; }

lab: setup  ## open JupyterLab on the learner notebooks
	$(BIN)/jupyter lab --ServerApp.root_dir=$(LAB_DIR) $(LAB_FLAGS)

# One torch thread per process: the test workers and their notebook kernels share the cores, and
# oversubscribed torch threads make small models tens of times slower.
test: setup sandbox  ## the whole suite: package, HF parity, course lint, grading pipeline (prints where the time went)
	OMP_NUM_THREADS=1 $(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadgroup

# Before a release: every catalogued and hostile case of every problem through real nbgrader
# (make test grades the catalogues in a warm process and sends a sample through nbgrader).
test-all: setup sandbox  ## the whole suite with every case through real nbgrader, for every problem
	LEARN_GPT2_SWEEP=1 OMP_NUM_THREADS=1 $(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadgroup

test-fast: setup  ## everything except notebook executions and large models
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

clean-notebooks: setup  ## strip outputs from source notebooks before committing
	$(PY) -m coursetools clean

bench-notebooks: setup  ## time each solution notebook top to bottom
	$(PY) -m coursetools bench $(A)

bench-suite: setup sandbox  ## make test on a fresh clone of HEAD with 18 problems (stand-in copies for the missing ones)
	$(PY) -m coursetools bench-suite $(N)

bench-grading: setup sandbox  ## grade a cohort of 24 with 1 and 2 workers and print the speed-up
	$(PY) -m coursetools bench-grading

grade: setup  ## grade your own notebook, hidden tests included: make grade NB=release/01-embeddings/01-embeddings.ipynb
	$(PY) -m coursetools grade $(NB)

validate: setup  ## run a notebook's visible tests: make validate NB=release/01-embeddings/01-embeddings.ipynb
	$(BIN)/nbgrader validate $(NB)
