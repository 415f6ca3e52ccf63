"""The `chat` task: general conversation, and where every message goes when no task fits."""

from __future__ import annotations

from creator_assistant.hookspecs import hookimpl
from creator_assistant.profiles import SamplingProfile
from creator_assistant.registry import Task
from creator_assistant.resources import read_prompt


@hookimpl
def register_tasks(register):
    register(
        Task(
            name="chat",
            description="General conversation about anything creative; the fallback task.",
            system_prompt=read_prompt("chat.md"),
            model="gemma-3-12b",
            profile=SamplingProfile(temperature=0.7, top_p=0.9, max_tokens=1024, context=8192,
                                    repeat_penalty=1.1),
            examples=("hello", "thanks, that helps", "what can you do?"),
        )
    )
