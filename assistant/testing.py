"""Pytest fixtures for plugin authors (loaded automatically through the `pytest11` entry point).

`creator_home` gives a private CREATOR_HOME holding the demo model; `creator_session` a Session
on it with every installed plugin loaded; `ask(session, text, ...)` runs one turn to the end.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(scope="session")
def creator_demo_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo GGUF, built once per test run."""
    from creator_assistant.runtime.demo import ensure_demo_model

    return ensure_demo_model(tmp_path_factory.mktemp("creator-demo"))


@pytest.fixture
def creator_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                 creator_demo_model: Path) -> Path:
    """A fresh CREATOR_HOME for one test, with the demo model in place."""
    from creator_assistant.paths import get_paths

    root = tmp_path / "creator-home"
    monkeypatch.setenv("CREATOR_HOME", str(root))
    paths = get_paths().ensure()
    shutil.copy(creator_demo_model, paths.models_dir / creator_demo_model.name)
    return root


@pytest.fixture
def creator_session(creator_home: Path) -> Any:
    """A Session on `creator_home`; its model workers are closed after the test."""
    from creator_assistant.session import Session

    session = Session.open()
    yield session
    session.close()


def ask(session: Any, text: str, **kwargs: Any) -> Any:
    """Send one message, consume the whole streamed reply, and return the TurnResult."""
    turn = session.ask(text, **kwargs)
    for _ in turn:
        pass
    return turn.result
