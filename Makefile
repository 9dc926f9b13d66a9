# The two set-up commands of the README: `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo dot test test-slow lint bench golden clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.demo: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q -e '.[viz,files,progress]'
	touch $@

# graphviz's `dot` draws the graph pictures: installed from Debian's packages when missing
# and we are root with apt; otherwise the demo still runs and writes DOT sources.
dot:
	@command -v dot >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get install -y -q graphviz >/dev/null 2>&1 || \
	     (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q graphviz >/dev/null 2>&1)) \
	    || echo "could not install graphviz: pictures will be DOT files only"; \
	  else \
	    echo "graphviz's 'dot' is missing: install it (Debian/Ubuntu: sudo apt-get install graphviz; macOS: brew install graphviz) for PNG pictures"; \
	  fi; }

$(VENV)/.test: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

demo: $(VENV)/.demo dot  ## install and run the demo (writes demo-out/)
	$(BIN)/python -m leafgrad.demo

test: $(VENV)/.test dot  ## install test extras and run the suite (PyTorch is the oracle)
	$(BIN)/python -m ruff check src tests benchmarks
	$(BIN)/python -m pytest -n 2

test-slow: $(VENV)/.test  ## long fuzzing runs: many more hypothesis examples per op
	$(BIN)/python -m pytest -m slow -p no:cacheprovider

golden: $(VENV)/.test  ## regenerate the golden fixtures from PyTorch
	$(BIN)/python -m tests.ops.make_golden

bench: $(VENV)/.test  ## leafgrad vs PyTorch ratios on the reference workloads
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .hypothesis
