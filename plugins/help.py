"""The `/help` command: every slash command and task, with its description."""

from __future__ import annotations

from typing import Any

from creator_assistant.hookspecs import hookimpl
from creator_assistant.registry import Command, CommandContext


def help_text(args: str, ctx: CommandContext) -> str:
    """All commands and tasks as Markdown, or one task's details for `/help NAME`."""
    registry = ctx.session.host.registry
    name = args.strip().lstrip("/")
    if name in registry.tasks:
        return task_help(ctx.session, name)
    if name in registry.commands:
        cmd = registry.commands[name]
        return f"`/{cmd.name}{' ' + cmd.usage if cmd.usage else ''}` — {cmd.description}"
    lines = ["**Tasks** — `/name message` sends the message straight to that task:", ""]
    for task in sorted(registry.tasks.values(), key=lambda t: t.name):
        lines.append(f"- `/{task.name}` — {task.description}")
    lines += ["", "**Commands**:", ""]
    for cmd in sorted(registry.commands.values(), key=lambda c: c.name):
        usage = f" {cmd.usage}" if cmd.usage else ""
        lines.append(f"- `/{cmd.name}{usage}` — {cmd.description}")
    lines += ["", "Without a slash, each message is routed to the task that fits it; "
              "`/help TASK` shows a task's model, settings and example requests."]
    if name:
        lines.insert(0, f"No command or task called `/{name}`.\n")
    return "\n".join(lines)


def task_help(session: Any, name: str) -> str:
    task = session.tasks[name]
    choice, profile = session.task_settings(task)
    settings = ", ".join(f"{k} {v}" for k, v in profile.items() if v is not None)
    lines = [f"**/{task.name}** — {task.description}", "",
             f"- model: {choice.id}" + (f" ({choice.note})" if choice.note else ""),
             f"- settings: {settings}", f"- output: {task.output_format}"]
    if task.examples:
        lines += ["- for example:"] + [f"  - {ex}" for ex in task.examples[:3]]
    return "\n".join(lines)


@hookimpl
def register_commands(register: Any) -> None:
    register(Command(name="help", description="List every command and task; /help NAME for one.",
                     run=help_text, usage="[NAME]"))
