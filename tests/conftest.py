"""Shared fixtures: a private CREATOR_HOME per test, one demo model built once, the network guard."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

GUARD_DIR = Path(__file__).parent / "netguard"
SAMPLES = Path(__file__).parent / "data" / "samples"  # real exports, with their licences

# Every process the suite starts (workers, CLI runs, servers) loads the guard first.
os.environ["PYTHONPATH"] = os.pathsep.join(
    [str(GUARD_DIR), *filter(None, [os.environ.get("PYTHONPATH")])]
)
sys.path.insert(0, str(GUARD_DIR))
import sitecustomize  # noqa: E402,F401  (this process too)


@pytest.fixture(scope="session")
def demo_model(tmp_path_factory) -> Path:
    """The demo GGUF, built once for the whole run."""
    from creator_assistant.runtime.demo import demo_model_path, ensure_demo_model

    folder = tmp_path_factory.mktemp("demo")
    path = ensure_demo_model(folder)
    assert path == demo_model_path(folder)
    return path


@pytest.fixture
def home(tmp_path, monkeypatch, demo_model) -> Path:
    """A fresh CREATOR_HOME holding a copy of the prebuilt demo model."""
    root = tmp_path / "home"
    monkeypatch.setenv("CREATOR_HOME", str(root))
    monkeypatch.setenv("CREATOR_NETGUARD_LOG", str(tmp_path / "netguard.log"))
    from creator_assistant.paths import get_paths

    paths = get_paths().ensure()
    os.link(demo_model, paths.models_dir / demo_model.name) if _same_fs(
        demo_model, paths.models_dir) else shutil.copy(demo_model, paths.models_dir)
    return root


def _same_fs(a: Path, b: Path) -> bool:
    return a.stat().st_dev == b.stat().st_dev


@pytest.fixture
def paths(home):
    from creator_assistant.paths import get_paths

    return get_paths()


@pytest.fixture(scope="session")
def demo_backend(demo_model):
    """One worker with the demo model loaded, shared by the runtime tests."""
    from creator_assistant.runtime.local import LocalBackend

    backend = LocalBackend(demo_model, n_ctx=4096)
    backend.load()
    yield backend
    backend.close()


@pytest.fixture
def long_core(paths):
    """A Core whose chat task writes up to 4,000 tokens: long enough to interrupt."""
    from creator_assistant.ui.core import Core

    paths.config_file.write_text("[tasks.chat]\nmax_tokens = 4000\n")
    core = Core(paths)
    yield core
    core.close()


@pytest.fixture(scope="session")
def smollm2() -> Path:
    """SmolLM2-135M-Instruct (real weights, Q4_1) from the per-machine test cache."""
    from tests.realmodels import cached

    return cached("smollm2-135m")


@pytest.fixture(scope="session")
def gemma270m() -> Path:
    """Google's pre-trained Gemma 3 270M (real weights, Q4_K_M) from the per-machine test cache."""
    from tests.realmodels import cached

    return cached("gemma-3-270m")


@pytest.fixture(scope="session")
def minilm() -> Path:
    """all-MiniLM-L6-v2 converted to GGUF by our own converter, from the per-machine test cache."""
    from tests.realmodels import cached

    return cached("minilm-l6-v2")
