"""The plugin API: everything a plugin may import from Creator Assistant, and nothing else.

Built-in plugins in `plugins/` import only this module; a third-party plugin should too. Names
here keep working across releases; anything else in `creator_assistant` may move.
"""

from __future__ import annotations

from creator_assistant.data.facts import Facts, with_facts
from creator_assistant.data.importers import CellError, DataFileError, Dataset, Importer, Source
from creator_assistant.data.importing import builtin_importers
from creator_assistant.fields import (
    data_block,
    data_part,
    duration,
    latest,
    quote,
    say_duration,
    shown,
    strip_command,
    task_fields,
    task_values,
    topic,
)
from creator_assistant.formats import check_reply, prepared
from creator_assistant.formats.degenerate import degenerate_problems
from creator_assistant.formats.organize import label
from creator_assistant.formats.timing import clock, long_plan, short_plan
from creator_assistant.hookspecs import hookimpl
from creator_assistant.plugin_context import (
    Conversations,
    Ideas,
    Imports,
    RegistryView,
    StoredData,
    TaskSettings,
)
from creator_assistant.profiles import CREATIVE, RESEARCH, SamplingProfile
from creator_assistant.registry import Command, CommandContext, Prepared, Score, Task, TaskContext
from creator_assistant.resources import read_prompt
from creator_assistant.router.index import read_examples
from creator_assistant.runtime.local import LocalBackend
from creator_assistant.runtime.remote import from_config as remote_backend

__all__ = [
    # hooks and what they register
    "hookimpl", "Task", "Command", "Importer", "Score",
    # what a task's prepare and check see and return
    "TaskContext", "Prepared", "SamplingProfile", "CREATIVE", "RESEARCH",
    "StoredData", "Ideas", "Facts", "with_facts",
    # what a command sees
    "CommandContext", "Conversations", "RegistryView", "TaskSettings", "Imports",
    # importers
    "Dataset", "Source", "DataFileError", "CellError", "builtin_importers",
    # backends
    "LocalBackend", "remote_backend",
    # prompts, examples and output formats
    "read_prompt", "read_examples", "prepared", "check_reply",
    "degenerate_problems", "label", "clock", "long_plan",
    "short_plan",
    # fields read from the conversation, and how they are written into prompts
    "task_fields", "task_values", "shown", "quote", "strip_command", "duration", "say_duration",
    "data_part", "data_block", "latest", "topic",
]
