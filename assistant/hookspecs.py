"""The whole plugin contract: every hook a plugin can implement, and nothing else.

Built-in tasks in `plugins/` use exactly these hooks, the same as a third-party package. Every
call into a plugin (these hooks, a task's prepare and check, a command) goes through one guard
(`plugin_guard.py`): what it raises, `sys.exit()` included, or a wrong return type is reported
naming the plugin, and the app goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pluggy

PROJECT = "creator"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


# --- What a plugin adds -------------------------------------------------------------------


@hookspec
def register_tasks(register: Callable[..., None]) -> None:
    """Called once at start-up; call `register(Task(...))` for each task this plugin adds."""


@hookspec
def register_commands(register: Callable[..., None]) -> None:
    """Called once at start-up; call `register(Command(...))` for each slash command."""


@hookspec
def register_backends(register: Callable[..., None]) -> None:
    """Called once at start-up; call `register(name, factory)` for each model backend."""


@hookspec
def register_importers(register: Callable[..., None]) -> None:
    """Called once at start-up; call `register(Importer(...))` for each data importer."""


# --- What a plugin decides ----------------------------------------------------------------


@hookspec
def route_examples() -> dict[str, Sequence[str]] | None:
    """More example requests for this plugin's tasks, for the meaning signal only: the router
    embeds them (with each Task's `examples`) and a message in doubt goes where the examples it is
    most like belong. Return {task name: [requests]}; another plugin's tasks are ignored."""


@hookspec
def score_message(message: str, context: Any) -> list[Any] | None:
    """Called for every routed message; return `Score` records for the tasks this plugin knows.

    `context` is a `router.RouteContext`: the message's words, the conversation's task and each
    task's default score; `context.score(task, bonus, why)` adjusts one. Scores for another
    plugin's tasks are ignored; a task with no returned score keeps its default.
    """
