# Two commands: `make build` and `make test`. Both create or refresh .venv first; `make test`
# also installs what its tests use outside Python (test-deps).
PYTHON ?= python3
VENV := .venv
# PyTorch (for openai-whisper and speaker detection) as a CPU build, installed before the
# extras that need it; left to itself pip would fetch a CUDA build of several GB.
TORCH ?= torch==2.13.0
# openai-whisper (the `openai` extra of pyproject.toml) without triton: it requires triton on
# Linux x86-64, about 1 GB, a compiler of GPU kernels that whisper imports only for tensors on a
# CUDA device (whisper/triton_ops.py), which a CPU build of PyTorch never makes. So
# openai-whisper is installed with --no-deps, after what it imports on the CPU (its METADATA,
# less triton and the numpy and torch already there); `pip check` then names the missing triton.
WHISPER := openai-whisper>=20240930
WHISPER_NEEDS := more-itertools numba tiktoken tqdm
STAMP := $(VENV)/.installed

.PHONY: build test test-deps serve mutation golden clean

build: $(STAMP)
	$(VENV)/bin/podcast build

# test-deps first: where Chromium, its driver or rsync is missing and cannot be installed, stop
# before the venv's minutes of set-up, not after (the venv is made in the recipe, so that even
# `make -j` does them in that order).
test: test-deps
	@$(MAKE) --no-print-directory $(STAMP)
	$(VENV)/bin/ruff check pipeline tests bench scripts
	$(VENV)/bin/ruff format --check pipeline tests bench scripts
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/mypy
	$(VENV)/bin/python -m pytest -q

# Chromium, chromium-driver and rsync with apt-get where missing (scripts/test-deps.sh says why).
test-deps:
	@bash scripts/test-deps.sh

serve: $(STAMP)
	$(VENV)/bin/podcast serve

# Mutation testing of every module of pipeline/ against the fast tests (bench/mutation.py), each
# mutant against the tests that reach it: hours, never part of `make test` or CI.
# `make mutation MODULES="times feed.rules"` for some modules.
# The bundled show's feed as tests/scenarios/test_golden.py expects it, after a change to the feed that is
# meant: Whisper transcribes the trailer again, then the feed is rebuilt from that transcript.
golden: $(STAMP)
	$(VENV)/bin/python scripts/golden.py --transcribe

mutation: $(STAMP)
	$(VENV)/bin/python -m pip install --quiet -e '.[mutation]'
	$(VENV)/bin/python bench/mutation.py $(MODULES)

# The venv is stale when pyproject.toml or the way it is installed changed since.
$(STAMP): pyproject.toml Makefile
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found " + sys.version.split()[0] + "); set PYTHON=python3.x")'
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet '$(TORCH)'
	$(VENV)/bin/python -m pip install --quiet -e '.[test,speakers,cluster]' $(WHISPER_NEEDS)
	$(VENV)/bin/python -m pip install --quiet --no-deps '$(WHISPER)'
	@# A venv made before openai-whisper was installed this way drops the triton it got then.
	$(VENV)/bin/python -m pip uninstall --quiet --quiet --yes triton
	@touch $(STAMP)

clean:
	rm -rf .build public
