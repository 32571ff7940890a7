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
# make gpu-check: on a machine with an NVIDIA GPU, the tests marked gpu, then the benchmark on CuPy.
.PHONY: bench gpu-check
bench: $(STAMP)
	$(PY) -m coursekit.bench --json benchmarks/results/latest.json --plot benchmarks/results/latest.png

gpu-check: $(STAMP)
	$(PY) -c 'from coursekit import backend; import sys; print(backend.describe()); sys.exit(0 if backend.gpu_available() else "no usable GPU (see the README, GPU sections)")'
	$(PY) -m pytest tests -m gpu -p no:cacheprovider -n 0 -q -rs
	$(PY) -m coursekit.bench --backend cupy --json benchmarks/results/latest-gpu.json --plot benchmarks/results/latest-gpu.png

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info

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
