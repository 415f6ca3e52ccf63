"""Each hook, exercised through a test plugin; and meta-tests that keep the contract honest."""

from __future__ import annotations

import inspect
import re
import textwrap
from pathlib import Path

import pytest

from creator_assistant import hookspecs
from creator_assistant.plugin_manager import load_host

ROOT = Path(__file__).resolve().parents[1]


def hook_names() -> list[str]:
    return [name for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
            if hasattr(fn, "creator_spec")]


@pytest.fixture
def plugin_dir(tmp_path):
    """Write a single-file test plugin; the host loads it like a user's."""

    def write(source: str):
        (tmp_path / "probe.py").write_text(textwrap.dedent(source))
        return load_host(tmp_path)

    return write


def test_register_tasks(plugin_dir):
    host = plugin_dir("""
        from creator_assistant.hookspecs import hookimpl
        from creator_assistant.registry import Task

        @hookimpl
        def register_tasks(register):
            register(Task(name="probe", description="d", system_prompt="s"))
    """)
    assert host.registry.tasks["probe"].description == "d"
    assert host.registry.registered_by("probe") == {"tasks": ["probe"]}


def test_register_commands(plugin_dir):
    host = plugin_dir("""
        from creator_assistant.hookspecs import hookimpl
        from creator_assistant.registry import Command

        @hookimpl
        def register_commands(register):
            register(Command("probe", "Say hi", lambda args, ctx: "hi " + args))
    """)
    assert host.registry.commands["probe"].run("you", None) == "hi you"


def test_register_importers(plugin_dir):
    host = plugin_dir("""
        from creator_assistant.hookspecs import hookimpl

        class Importer:
            name = "probe-csv"

        @hookimpl
        def register_importers(register):
            register(Importer())
    """)
    assert host.registry.owner[("importers", "probe-csv")] == "probe"


def test_register_backends(plugin_dir):
    host = plugin_dir("""
        from creator_assistant.hookspecs import hookimpl

        @hookimpl
        def register_backends(register):
            register("probe-backend", lambda **kw: kw)
    """)
    assert host.registry.backends["probe-backend"](x=1) == {"x": 1}


def test_a_wrong_registration_is_reported_not_raised(plugin_dir):
    host = plugin_dir("""
        from creator_assistant.hookspecs import hookimpl

        @hookimpl
        def register_tasks(register):
            register("not a task")
    """)
    assert "expected a Task" in host.plugins["probe"].error


class TestContract:
    """Every hookspec is tested and documented."""

    def test_every_hookspec_has_a_docstring(self):
        for name in hook_names():
            assert getattr(hookspecs, name).__doc__, name

    def test_every_hookspec_has_a_test_named_after_it(self):
        tests = "\n".join(p.read_text() for p in (ROOT / "tests").glob("test_*.py"))
        missing = [n for n in hook_names() if not re.search(rf"def test_{n}\b", tests)]
        assert missing == []

    def test_every_hookspec_is_documented(self):
        docs = (ROOT / "docs" / "writing-plugins.md").read_text()
        missing = [n for n in hook_names() if f"### {n}" not in docs]
        assert missing == []
