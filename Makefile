# Optimization for Machine Learning: set up and run the course, or run every test.
#   make lab        create .venv, install the course and its kernel (in .venv), open JupyterLab on chapter 1
#   make test       create/update .venv the same way and run the whole suite (package, exercises, notebooks)
#   make notebooks  rebuild the chapter notebooks from course/src/ and execute them (outputs committed)
#   make exercises  regenerate exercises/ from solutions/ (learners' edits are backed up, never lost)
#   make grade      grade your own exercises/ as an instructor would

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.coursekit-installed
JOBS   ?= 2
ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)

.PHONY: venv lab kernel test test-fast notebooks exercises grade clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "Python 3.10 or newer is needed (found %s); set PYTHON=..." % sys.version.split()[0])'
	[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

kernel: $(STAMP)
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (coursekit)"

lab: kernel
	@echo "Opening JupyterLab on the project, with chapter 1 (the URL with its token is printed below; Ctrl-C twice to stop)"
	$(VENV)/bin/jupyter lab --ServerApp.root_dir=. course/01_gradient_descent.ipynb $(ROOT_FLAG)

test: $(STAMP)
	$(PY) -m coursekit.exercises sync --check $(if $(CI),--strict)
	COURSEKIT_STATIC=1 MPLBACKEND=Agg $(PY) -m pytest tests course --target solutions \
		--nbval-lax --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg \
		-n $(JOBS) --dist loadscope -p no:cacheprovider

test-fast: $(STAMP)
	COURSEKIT_STATIC=1 MPLBACKEND=Agg $(PY) -m pytest tests --target solutions -n $(JOBS) -q

notebooks: $(STAMP)
	$(PY) tools/build_notebooks.py

exercises: $(STAMP)
	$(PY) -m coursekit.exercises sync

grade: $(STAMP)
	$(PY) -m coursekit.grade exercises

# make bench: optimizer step times against the memory-bandwidth bound and torch.optim, and the
# batched sweep against a loop (CPU, 5-20 minutes; `python -m coursekit.bench --quick`: < 1 min).
# make gpu-check: on a machine with an NVIDIA GPU (offline), the tests marked gpu, the benchmark on CuPy
# and each chapter's GPU section, with one summary table (tools/gpu_check.py; docs/gpu.md).
.PHONY: bench gpu-check
bench: $(STAMP)
	$(PY) -m coursekit.bench --json benchmarks/results/latest.json --plot benchmarks/results/latest.png

gpu-check:   # offline: the CuPy installed in .venv (see docs/gpu.md); GPU_CHECK_ARGS=--full for the full benchmark
	@[ -x $(PY) ] || { echo "no $(PY): run make venv first (and pip install -e '.[gpu]')"; exit 1; }
	$(PY) tools/gpu_check.py $(GPU_CHECK_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info

# make release: the student edition, build/release/optml-course/ and its .zip (no solutions; see docs/instructors.md).
# make autograder: Gradescope autograder zips in build/autograder/ (whole course, and one per chapter).
.PHONY: release autograder
release: $(STAMP)
	$(PY) -m coursekit.release --out build/release

autograder: $(STAMP)
	$(PY) -m coursekit.autograder build --per-chapter --out build/autograder

# make tuning-comparison: chapter 4's stored strategy comparison (course/data/tuning_comparison.json):
# every search at ~360 epochs over 30 seeds, scored on the test split; prints its cost (about 6 minutes of CPU time).
.PHONY: tuning-comparison
tuning-comparison: $(STAMP)
	$(PY) benchmarks/tuning_comparison.py --seeds 30

# make site: the course as a static website in build/site/ (open build/site/index.html), from the
# committed, executed notebooks (never re-executed; no network at build or view time; 1-2 minutes).
# `pytest -m site tests/site` checks it in headless Chromium (CI runs it after the browser test).
.PHONY: site
SITE_STAMP := $(VENV)/.coursekit-site-installed
$(SITE_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e ".[site]"
	touch $@

site: $(SITE_STAMP)
	$(PY) tools/build_site.py

# make test-load: `make test` with the CPUs oversubscribed (two busy processes per core for the
# whole run; tools/oversubscribe.py): the suite's time limits must hold on a busy laptop (CI runs it).
# make test-random [SEED=n]: tests/ in a random order (pytest-random-order: modules shuffled, and the
# tests within each), so that no test relies on another's leftovers; the seed is printed, SEED repeats it.
.PHONY: test-load test-random
SEED ?= $(shell od -An -N2 -tu2 /dev/urandom | tr -d ' ')
test-load: $(STAMP)
	$(PY) tools/oversubscribe.py --per-core 2 -- $(MAKE) test

test-random: $(STAMP)
	COURSEKIT_STATIC=1 MPLBACKEND=Agg $(PY) -m pytest tests --target solutions -n $(JOBS) --dist loadscope \
		-p no:cacheprovider --random-order-bucket=module --random-order-seed=$(SEED)
