"""The `/help` command: every slash command and task, with its description."""

from __future__ import annotations

from typing import Any

from creator_assistant.api import Command, CommandContext, RegistryView, hookimpl


def help_text(args: str, ctx: CommandContext) -> str:
    """All commands and tasks as Markdown, or one task's details for `/help NAME`."""
    registry = ctx.registry
    name = args.strip().lstrip("/")
    if name in registry.tasks:
        return task_help(registry, name)
    if name in registry.commands:
        return command_line(registry.commands[name]).removeprefix("- ")
    lines = ["**Tasks** — `/name message` sends the message straight to that task:", ""]
    for task in sorted(registry.tasks.values(), key=lambda t: t.name):
        lines.append(f"- `/{task.name}` — {task.description}")
    by_owner: dict[str, list[Command]] = {}
    for cmd in registry.commands.values():
        by_owner.setdefault(registry.owner("commands", cmd.name), []).append(cmd)
    mine = registry.owner("commands", "help")
    for owner in sorted(by_owner, key=lambda o: (o == mine, o)):  # help itself comes last
        lines += ["", f"**From the {owner} plugin**:", ""]
        lines += [command_line(c) for c in sorted(by_owner[owner], key=lambda c: c.name)]
    lines += ["", "Without a slash, each message is routed to the task that fits it; "
              "`/help TASK` shows a task's model, settings and example requests."]
    if name:
        lines.insert(0, f"No command or task called `/{name}`.\n")
    return "\n".join(lines)


def command_line(cmd: Command) -> str:
    """`- /name usage — description`, the usage without the name a plugin may have put in it."""
    usage = cmd.arguments
    return f"- `/{cmd.name}{' ' + usage if usage else ''}` — {cmd.description}"


def task_help(registry: RegistryView, name: str) -> str:
    task, resolved = registry.tasks[name], registry.settings(name)
    settings = ", ".join(f"{k} {v}" for k, v in resolved.profile.items() if v is not None)
    lines = [f"**/{task.name}** — {task.description}", "",
             f"- model: {resolved.model}" + (f" ({resolved.note})" if resolved.note else ""),
             f"- settings: {settings}", f"- output: {task.output_format}"]
    if task.examples:
        lines += ["- for example:"] + [f"  - {ex}" for ex in task.examples[:3]]
    return "\n".join(lines)


@hookimpl
def register_commands(register: Any) -> None:
    register(Command(name="help", description="List every command and task; /help NAME for one.",
                     run=help_text, usage="[NAME]"))
