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


def test_register_importers(plugin_dir, tmp_path):
    host = plugin_dir("""
        from creator_assistant.data.importers import Dataset, DataFileError, Importer
        from creator_assistant.hookspecs import hookimpl

        def sniff(source):
            return 0.9 if source.find("episodes.csv") else 0.0

        def read(source, options):
            text = source.find("episodes.csv").text
            rows = [{"title": line} for line in text.splitlines()[1:] if line.strip()]
            if not rows:
                raise DataFileError("no episodes found", file="episodes.csv", line=2)
            return Dataset(format="podcast-episodes", kind="content", parts={"table": rows})

        @hookimpl
        def register_importers(register):
            register(Importer("podcast-episodes", "A podcast host's episode list", sniff, read))
    """)
    assert host.registry.owner[("importers", "podcast-episodes")] == "probe"
    from creator_assistant.data.importing import import_path
    from creator_assistant.storage.db import open_db

    data = tmp_path / "episodes.csv"
    data.write_text("title\nEpisode one\nEpisode two\n")
    db = open_db(tmp_path / "c.db")
    result = import_path(db, data, host.registry.importers)
    assert (result.format, result.rows) == ("podcast-episodes", 2)


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


def test_route_examples(plugin_dir):
    host = plugin_dir("""
        from creator_assistant.hookspecs import hookimpl
        from creator_assistant.registry import Task

        @hookimpl
        def register_tasks(register):
            register(Task(name="probe_task", description="d", system_prompt="s",
                          examples=("declared one",)))

        @hookimpl
        def route_examples():
            return {"probe_task": ["added one", "added two"], "script": ["not mine to add"]}
    """)
    examples = host.route_examples()
    assert examples["probe_task"] == ["declared one", "added one", "added two"]
    assert "not mine to add" not in examples["script"]  # another plugin's task: ignored
    assert len(examples["script"]) > 100  # the built-in plugin's own are there


def test_route_examples_of_the_wrong_shape_are_reported_and_skipped(plugin_dir):
    host = plugin_dir("""
        from creator_assistant.hookspecs import hookimpl

        @hookimpl
        def route_examples():
            return ["a list, not a dict"]
    """)
    examples = host.route_examples()
    assert "chat" in examples and host.hook_errors
    assert any("route_examples" in e and "a dict of task name" in e for e in host.hook_errors)


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
