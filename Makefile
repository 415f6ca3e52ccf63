# The README's commands. `make chat` and `make test` do all set-up on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check

.PHONY: chat test bench lint clean

$(PY):
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PIP) install -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PIP) install -e ".[test]"
	@touch $@ $(VENV)/.installed

chat: $(VENV)/.installed
	$(VENV)/bin/creator chat

test: $(VENV)/.installed-test
	$(PY) -m pytest -q

bench: $(VENV)/.installed-test
	$(PY) -m benches overhead

lint: $(VENV)/.installed-test
	$(PY) -m ruff check assistant plugins tests benches
	@mkdir -p build/mypy && ln -sfn ../../assistant build/mypy/creator_assistant
	$(PY) -m mypy -p creator_assistant

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
