# Two commands: `make build` and `make test`. Both create or refresh .venv first.
PYTHON ?= python3
VENV := .venv
# PyTorch (for openai-whisper and speaker detection) as a CPU build, installed before the
# extras that need it; left to itself pip would fetch a CUDA build of several GB.
TORCH ?= torch==2.13.0
STAMP := $(VENV)/.installed

.PHONY: build test serve mutation clean

build: $(STAMP)
	$(VENV)/bin/podcast build

test: $(STAMP)
	$(VENV)/bin/python -m pytest -q

serve: $(STAMP)
	$(VENV)/bin/podcast serve

# Mutation testing of the modules whose tests are fast (bench/mutation.py): minutes per module,
# never part of `make test` or CI. `make mutation MODULES="serve tag"` for some of them.
mutation: $(STAMP)
	$(VENV)/bin/python -m pip install --quiet -e '.[mutation]'
	$(VENV)/bin/python bench/mutation.py $(MODULES)

# The venv is stale when pyproject.toml changed since it was installed.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found " + sys.version.split()[0] + "); set PYTHON=python3.x")'
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet '$(TORCH)'
	$(VENV)/bin/python -m pip install --quiet -e '.[test,openai,speakers]'
	@touch $(STAMP)

clean:
	rm -rf .build public
