# Two commands do all set-up on a fresh Linux machine with Python 3.11:
#   make quiz   — create .venv, install quizzer, start a quiz on the bundled bank
#   make test   — create .venv, install quizzer with its test tools, run the static checks and the whole test suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: quiz test lint install bench clean

quiz: $(STAMP)
	$(BIN)/quizzer quiz

test: lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Static checks first: they take seconds, the suite takes minutes.
lint: $(STAMP)
	$(BIN)/ruff check quizzer tests bench
	$(BIN)/ruff format --check quizzer tests bench
	$(BIN)/mypy

install: $(STAMP)

# torch first, pinned: it takes the local CPU wheel; an unpinned torch would pull a multi-GB CUDA build.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

bench: $(STAMP)
	$(BIN)/python bench/startup.py
	$(BIN)/python bench/generate.py

clean:
	rm -rf $(VENV) build dist *.egg-info
