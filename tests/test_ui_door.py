"""One door from the UI: the chat reaches conversations, models and data only through the
session's services (`session.conversations`, `session.models`, `session.ideas`), never the
store, the database, the model pool or the CLI's command modules."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UI = ROOT / "assistant" / "ui"
FORBIDDEN_MODULES = ("creator_assistant.storage.store", "creator_assistant.storage.db",
                     "creator_assistant.commands")
FORBIDDEN_ATTRIBUTES = ("pool", "store")


def imported(tree: ast.AST) -> list[tuple[int, str]]:
    """Every module an import names, `from creator_assistant.storage import store` as `...storage.store`."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.lineno, node.module))
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def forbidden(module: str, names: tuple[str, ...]) -> bool:
    return any(module == name or module.startswith(name + ".") for name in names)


def problems(files: list[Path], modules: tuple[str, ...],
             attributes: tuple[str, ...] = ()) -> list[str]:
    out = []
    for file in files:
        tree = ast.parse(file.read_text(encoding="utf-8"), str(file))
        where = file.relative_to(ROOT) if ROOT in file.parents else file.name
        out += [f"{where}:{line} imports {name}" for line, name in imported(tree)
                if forbidden(name, modules)]
        out += [f"{where}:{node.lineno} uses .{node.attr}" for node in ast.walk(tree)
                if isinstance(node, ast.Attribute) and node.attr in attributes]
    return out


def test_the_ui_reaches_data_and_models_only_through_the_services():
    files = sorted(UI.rglob("*.py"))
    assert files, "no UI sources found"
    assert problems(files, FORBIDDEN_MODULES, FORBIDDEN_ATTRIBUTES) == []


def test_only_the_cli_imports_the_command_modules():
    """Logic the UI and plugins need lives in the library and data layers, not in `commands/`."""
    commands = ROOT / "assistant" / "commands"
    files = [f for f in sorted((ROOT / "assistant").rglob("*.py"))
             if commands not in f.parents and f.name != "cli.py"]
    files += sorted((ROOT / "plugins").rglob("*.py"))
    assert problems(files, ("creator_assistant.commands",)) == []


def test_the_checks_see_what_they_forbid(tmp_path):
    """The AST checks catch each kind of way in (a check that finds nothing proves nothing)."""
    sample = tmp_path / "sample.py"
    sample.write_text("from creator_assistant.storage.store import Store\n"
                      "from creator_assistant.storage import db\n"
                      "import creator_assistant.commands.models\n"
                      "x = session.pool\n"
                      "y = app.store\n", encoding="utf-8")
    found = problems([sample], FORBIDDEN_MODULES, FORBIDDEN_ATTRIBUTES)
    assert [p.split(" ", 1)[1] for p in found] == [
        "imports creator_assistant.storage.store", "imports creator_assistant.storage.store.Store",
        "imports creator_assistant.storage.db", "imports creator_assistant.commands.models",
        "uses .pool", "uses .store"]


def test_conversations_are_kept_from_any_thread(paths):
    """The sidebar's thread lists, renames and deletes while the session's own thread saves."""
    import threading

    from creator_assistant.session import Session

    session = Session.open(paths)
    try:
        cid = session.store.new_conversation(title="first")
        session.store.add_message(cid, "user", "a sourdough video", task="chat")
        seen: dict = {}

        def elsewhere() -> None:
            conversations = session.conversations
            seen["listed"] = [c["id"] for c in conversations.recent()]
            seen["found"] = [h["conversation_id"] for h in conversations.search("sourdough")]
            conversations.rename(cid, "renamed")

        thread = threading.Thread(target=elsewhere)
        thread.start()
        thread.join()
        assert seen == {"listed": [cid], "found": [cid]}
        assert session.conversations.get(cid)["title"] == "renamed"
        empty = session.store.new_conversation()
        session.conversations.forget_empty_latest()
        assert [c["id"] for c in session.conversations.recent()] == [cid] and empty != cid
    finally:
        session.close()


def test_the_models_service_lists_the_library_in_order(paths):
    from creator_assistant.session import Session

    session = Session.open(paths)
    try:
        rows = session.models.rows()
        assert rows[0]["id"] == "demo" and rows[0]["category"] == "text-generation"
        assert session.models.window("no-such-task", None) == 0
        assert session.models.unload("demo") == ""  # nothing was loaded
    finally:
        session.close()
