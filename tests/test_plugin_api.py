"""The plugin API is the one surface plugins use: built-ins import nothing else, and every name
it promises exists."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import creator_assistant.api as api

ROOT = Path(__file__).resolve().parent.parent
PLUGINS = sorted((ROOT / "plugins").glob("*.py"))
SCAFFOLD = ROOT / "assistant" / "scaffold" / "plugin.py.tmpl"


def core_imports(source: str) -> list[str]:
    """The `creator_assistant` modules a file imports, other than the API."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names
                                     if node.module == "creator_assistant"]
        else:
            continue
        found += [n for n in names if n.split(".")[0] == "creator_assistant"
                  and n != "creator_assistant.api" and n != "creator_assistant"]
    return found


class TestBuiltinsUseOnlyTheApi:
    """Every built-in plugin imports nothing from `creator_assistant` but `creator_assistant.api`."""

    @pytest.mark.parametrize("path", PLUGINS, ids=lambda p: p.name)
    def test_plugin_imports_only_the_api(self, path):
        assert core_imports(path.read_text(encoding="utf-8")) == [], path.name

    def test_the_scaffold_imports_only_the_api(self):
        assert core_imports(SCAFFOLD.read_text(encoding="utf-8")) == []

    def test_the_check_catches_a_core_import(self):
        source = ("from creator_assistant.registry import Task\nimport creator_assistant.fields\n"
                  "from creator_assistant import session\nfrom creator_assistant.api import Task\n")
        assert core_imports(source) == ["creator_assistant.registry", "creator_assistant.fields",
                                        "creator_assistant.session"]


class TestApiNames:
    """`api.__all__` is explicit, and every name in it exists."""

    def test_every_name_in_all_exists(self):
        assert [n for n in api.__all__ if not hasattr(api, n)] == []

    def test_all_has_no_duplicates(self):
        assert len(api.__all__) == len(set(api.__all__))

    def test_everything_the_builtins_import_is_in_all(self):
        used = set()
        for path in PLUGINS:
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.module == "creator_assistant.api":
                    used |= {a.name for a in node.names}
        assert used - set(api.__all__) == set()

    def test_contexts_hold_no_session(self):
        from dataclasses import fields

        for cls in (api.TaskContext, api.CommandContext):
            assert "session" not in {f.name for f in fields(cls)}, cls.__name__


def test_preloaded_tasks_are_declared_by_their_plugins(creator_session):
    """The core names no task: the tasks to preload say so themselves."""
    preloaded = {name for name, task in creator_session.tasks.items() if task.preload}
    assert preloaded == {"script", "organize"}


THIRD_PARTY = '''
from creator_assistant.api import Prepared, Task, hookimpl, with_facts


def build(ctx, facts=""):
    return Prepared(user=f"facts: {facts or 'none'}")


def facts(ctx):
    return ctx.data.trends(ctx.message) if ctx.data is not None else None


@hookimpl
def register_tasks(register):
    register(Task(name="trendy", description="x", system_prompt="x", preload=True,
                  prepare=lambda ctx: with_facts(ctx, build, facts, "Import some trends.")))
'''


def test_a_third_party_task_gets_facts_and_preload_like_a_builtin(creator_home):
    """What the built-ins get through the API, any plugin gets: facts from the imports, preload."""
    from creator_assistant.data.importing import import_path
    from creator_assistant.paths import get_paths
    from creator_assistant.plugin_context import task_context
    from creator_assistant.session import Session
    from tests.conftest import SAMPLES

    folder = get_paths().user_plugins_dir
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "trendy.py").write_text(THIRD_PARTY, encoding="utf-8")
    session = Session.open()
    try:
        task = session.tasks["trendy"]
        assert task.preload
        before = task.prepare(task_context(session, task, "is gym still growing?", [], "c1"))
        assert before.user == "facts: none" and before.facts == ""
        import_path(session.store.db, SAMPLES / "google-trends-multiTimeline.csv")
        after = task.prepare(task_context(session, task, "is gym still growing?", [], "c1"))
        assert after.facts.startswith("From `google-trends-multiTimeline.csv`")
        assert "gym" in after.user
    finally:
        session.close()
