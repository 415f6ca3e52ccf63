"""The plugin host: entry points, restriction by environment, failing plugins."""

from __future__ import annotations

import textwrap

from creator_assistant.plugin_manager import load_host


def test_builtins_load_through_the_entry_point_group():
    host = load_host()
    assert "chat" in host.plugins
    assert host.plugins["chat"].source == "creator-assistant"
    assert host.registry.owner[("tasks", "chat")] == "chat"


def test_load_plugins_env_restricts(monkeypatch):
    monkeypatch.setenv("CREATOR_LOAD_PLUGINS", "")
    assert load_host().plugins == {}


def test_a_plugin_that_fails_to_import_is_reported_and_skipped(tmp_path):
    (tmp_path / "broken.py").write_text("raise ImportError('missing dependency foo')\n")
    host = load_host(tmp_path)
    assert "missing dependency foo" in host.plugins["broken"].error
    assert "chat" in host.registry.tasks


def test_a_load_failure_names_the_line_and_the_exception(tmp_path):
    (tmp_path / "late.py").write_text("x = 1\n\nimport no_such_module_here\n")
    (tmp_path / "typo.py").write_text("def f(:\n")
    host = load_host(tmp_path)
    assert host.plugins["late"].error.startswith("failed to load (line 3): ModuleNotFoundError")
    assert host.plugins["typo"].error.startswith("failed to load (line 1): SyntaxError")


def test_a_plugin_file_named_like_a_loaded_plugin_keeps_both_listed(tmp_path):
    (tmp_path / "chat.py").write_text("")
    host = load_host(tmp_path)
    assert host.plugins["chat"].source == "creator-assistant" and host.plugins["chat"].error is None
    assert "already loaded" in host.plugins["chat.py"].error


def test_a_plugin_that_raises_in_a_hook_is_reported_and_the_rest_work(tmp_path):
    (tmp_path / "raiser.py").write_text(textwrap.dedent("""
        from creator_assistant.hookspecs import hookimpl

        @hookimpl
        def register_tasks(register):
            raise RuntimeError("bad plugin")

        @hookimpl
        def score_message(message, context):
            raise RuntimeError("bad scorer")
    """))
    host = load_host(tmp_path)
    assert "chat" in host.registry.tasks
    assert "bad plugin" in host.plugins["raiser"].error
    assert host.call("score_message", message="hi", context=None) is not None
    assert any("bad scorer" in e for e in host.hook_errors)


def test_duplicate_registration_is_rejected_with_both_names(tmp_path):
    (tmp_path / "dupe.py").write_text(textwrap.dedent("""
        from creator_assistant.hookspecs import hookimpl
        from creator_assistant.registry import Task

        @hookimpl
        def register_tasks(register):
            register(Task(name="chat", description="x", system_prompt="x"))
    """))
    host = load_host(tmp_path)
    assert "already registered by 'chat'" in host.plugins["dupe"].error
    assert host.registry.owner[("tasks", "chat")] == "chat"


def test_trace_prints_each_hook_call(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CREATOR_TRACE_PLUGINS", "1")
    assert load_host().registry.tasks
    assert "[hook] chat.register_tasks" in capsys.readouterr().err
