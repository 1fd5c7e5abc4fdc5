# The two commands of the README: `make demo` and `make test`. Each creates .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# torch is pinned here, where the environment is installed: 2.13.0 installs from a local CPU
# wheel on our machines; any other spec would pull a multi-GB CUDA build.
TORCH := torch==2.13.0

.PHONY: demo test test-all clean

$(VENV)/.installed: pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet "$(TORCH)" -e ".[test,web]"
	touch $@

demo: $(VENV)/.installed
	$(BIN)/aekit demo

# -rs: a skipped test says why (the browser test skips only where Chromium is absent; .ci/run installs it)
test: $(VENV)/.installed
	$(BIN)/python -m pytest -q -rs

test-all: $(VENV)/.installed
	$(BIN)/python -m pytest -q -m "slow or not slow"

clean:
	rm -rf $(VENV) runs build *.egg-info
