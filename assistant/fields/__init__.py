"""Fields for prompt templates, read from a message and its conversation, and filled in safely.

A user's text is data: `fill` replaces only the template's own `{name}` fields, in one pass, so
braces, `{{`, `$` or `{topic}` typed by the user come out exactly as typed and are never expanded.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from creator_assistant.fields.extract import (
    EXTRACTORS,
    PLATFORMS,
    audience,
    duration,
    keywords,
    niche,
    platform,
    topic,
)

__all__ = ["PLATFORMS", "audience", "conversation_fields", "duration", "keywords", "niche",
           "platform", "task_fields", "task_values", "topic", "turn_values"]

Extractors = Mapping[str, Callable[[str], Any]]
_FIELD = re.compile(r"\{([a-z_]+)\}")
_COMMAND = re.compile(r"/(\S*)\s*(.*)", re.DOTALL)
# Instructions are at the start of a message; a long paste after them is data, not read for fields.
HEAD_CHARS = 4000


class TemplateError(KeyError):
    """A template names a field nobody supplies: a bug in the template, not in the user's text."""


def fill(template: str, values: Mapping[str, Any]) -> str:
    """`template` with each `{name}` replaced by `values[name]`, in one pass over the template."""
    missing = sorted(set(placeholders(template)) - set(values))
    if missing:
        raise TemplateError(f"template fields without values: {', '.join(missing)}")
    return _FIELD.sub(lambda m: str(values[m.group(1)]), template)


def placeholders(template: str) -> list[str]:
    """The `{name}` fields a template uses, in order of first use."""
    return list(dict.fromkeys(_FIELD.findall(template)))


def quote(text: str) -> str:
    """`text` in a fenced block longer than any backtick run inside it, so it cannot close early."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}\n{text.strip()}\n{fence}"


def split_command(message: str) -> tuple[str, str] | None:
    """`(name, arguments)` of a message that starts with `/name`, split at the first blank of any
    kind (space, tab, newline); None when it does not start with a slash."""
    match = _COMMAND.match(message.strip())
    return None if match is None else (match.group(1), match.group(2).strip())


def strip_command(message: str) -> str:
    """The message without a leading `/task` slash command."""
    return re.sub(r"^\s*/[A-Za-z][\w-]*\s*", "", message, count=1)


def read_fields(message: str, extractors: Extractors | None = None) -> dict[str, Any]:
    """Every field found in one message (absent fields are left out)."""
    head = strip_command(message)[:HEAD_CHARS]
    found = {name: read(head) for name, read in {**EXTRACTORS, **(extractors or {})}.items()}
    return {k: v for k, v in found.items() if v}


def conversation_fields(message: str, history: list[dict[str, str]],
                        questions: Mapping[str, str] | None = None,
                        extractors: Extractors | None = None,
                        answers: Extractors | None = None, *,
                        asked: str | None = None,
                        gathered: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Fields from the message, then those `gathered` by the task's earlier questions, then
    earlier user messages, newest first.

    The message answers a question when `asked` names the field (the conversation's state says
    so) or, failing that, when the previous reply was one of `questions` (field -> question
    text). `answers[field]` reads the answer first (it knows the answer's shape); else a field
    read from the message; else the whole message, when short, is the value.
    """
    fields = read_fields(message, extractors)
    asked = asked or _asked(history, questions or {})
    if asked:
        answer = strip_command(message).strip()
        reader = (answers or {}).get(asked)
        value = reader(answer) if reader is not None else None
        if value:
            fields[asked] = value
        elif asked not in fields and reader is None:
            value = _short_text(" ".join(answer.split()).strip(" .!?"))
            if value:
                fields[asked] = value
    for key, value in (gathered or {}).items():
        if value not in (None, "", []):
            fields.setdefault(key, value)
    for turn in reversed(history):
        if turn["role"] != "user":
            continue
        for key, value in read_fields(turn["content"], extractors).items():
            fields.setdefault(key, value)
    return fields


def task_fields(ctx: Any, questions: Mapping[str, str] | None = None,
                extractors: Extractors | None = None,
                answers: Extractors | None = None) -> dict[str, Any]:
    """`conversation_fields` for a task's turn (a TaskContext): with the field its question
    asked for and the fields gathered so far, as the conversation's state holds them."""
    return conversation_fields(ctx.message, ctx.history, questions, extractors, answers,
                               asked=ctx.asked, gathered=ctx.fields)


def request_text(message: str, history: list[dict[str, str]],
                 questions: Mapping[str, str] | None = None, earlier: str = "") -> str:
    """The request as the creator made it: after a question, the messages that were asked about
    come first (`earlier`, from the conversation's state; else the message before the
    question), then the answer."""
    text = strip_command(message)
    if earlier.strip():
        return f"{earlier.strip()}\n{text}"
    if _asked(history, questions or {}):
        before = [t["content"] for t in history[:-1] if t["role"] == "user"]
        if before:
            return f"{strip_command(before[-1])}\n{text}"
    return text


def turn_values(message: str, history: list[dict[str, str]],
                questions: Mapping[str, str], earlier: str = "") -> dict[str, str]:
    """The `revision` and `request` values every task template takes: the revision note when the
    message revises the previous reply, and the request itself, quoted as data."""
    from creator_assistant.resources import read_prompt

    revises = bool(history) and not earlier and is_revision(message)
    return {"revision": read_prompt("revision.md") if revises else "",
            "request": quote(request_text(message, history, questions, earlier))}


def task_values(ctx: Any, questions: Mapping[str, str] | None = None) -> dict[str, str]:
    """`turn_values` for a task's turn (a TaskContext), with the request's earlier messages."""
    return turn_values(ctx.message, ctx.history, questions or {}, ctx.request)


def _short_text(answer: str) -> str | None:
    return answer if 0 < len(answer) <= 200 else None


def _asked(history: list[dict[str, str]], questions: Mapping[str, str]) -> str | None:
    if not history or history[-1]["role"] != "assistant":
        return None
    last = history[-1]["content"].strip()
    # A plugin may add a hint after its question ("Or import ..."): the question leads.
    return next((field for field, q in questions.items() if last.startswith(q.strip())), None)


def is_revision(message: str) -> bool:
    """Whether a message asks to change the previous reply ("make it shorter", "another one")."""
    return bool(_REVISION.search(strip_command(message)[:300]))


_REVISION = re.compile(
    r"^\s*(?:now|ok(?:ay)?|great|nice|cool|thanks?|and|but|also|please|pls|hmm+|can you|could you)?"
    r"[\s,!.]*(?:make|rewrite|redo|shorten|lengthen|change|tweak|adjust|trim|cut|expand|"
    r"try again|again|another|one more|same|do (?:one|it|that|the same)|turn (?:it|this|that)|"
    r"more|less|shorter|longer|punchier|simpler|funnier|add|remove|drop|swap|use|give me another|"
    r"what about|how about|instead|version)\b"
    r"|\b(?:make|keep) (?:it|this|that|them)\b|\b(?:it|this|that) (?:shorter|longer|punchier)\b"
    r"|^\s*(?:now|also)\s+(?:one|a version|the same|do|for)\b",
    re.IGNORECASE,
)


def has_figures(text: str, least: int = 2) -> bool:
    """Whether `text` holds at least `least` numbers: figures to analyse, not just a year."""
    return len(re.findall(r"\d[\d,.]*\s*[%kKmM]?", text)) >= least


def data_part(message: str) -> str:
    """The data pasted in a message: lines that look like a table or carry figures."""
    lines = strip_command(message).splitlines()
    table = [ln for ln in lines if ln.count(",") >= 2 or "\t" in ln or ln.count("|") >= 2
             or (has_figures(ln, 1) and len(ln) < 300 and ln.strip()[:1] in "-*•0123456789")]
    if len(table) >= 2:
        return "\n".join(table)
    return message.strip() if has_figures(message, 1) else ""




def shown(value: Any, missing: str = "not given") -> str:
    """A field as written into a prompt: lists joined, absent values named as absent."""
    if value is None or value == "" or value == []:
        return missing
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def latest(message: str, history: list[dict[str, str]], read: Callable[[str], Any]) -> Any:
    """`read` applied to the message, else to earlier user messages, newest first."""
    for text in [message] + [t["content"] for t in reversed(history) if t["role"] == "user"]:
        found = read(text)
        if found:
            return found
    return None


def say_duration(seconds: int) -> str:
    """A length in words: "45 seconds", "10 minutes", "1 hour 30 minutes"."""
    h, rest = divmod(int(seconds), 3600)
    m, s = divmod(rest, 60)
    parts = [f"{h} hour{'s' * (h != 1)}" if h else "", f"{m} minute{'s' * (m != 1)}" if m else "",
             f"{s} second{'s' * (s != 1)}" if s else ""]
    return " ".join(p for p in parts if p)


def data_block(data: str, facts: str = "") -> str:
    """The `{data}` of a prompt: facts computed elsewhere, then data pasted in the message."""
    parts = []
    if facts.strip():
        parts.append("Computed from the creator's imported data:\n" + facts.strip())
    if data.strip():
        parts.append("Pasted by the creator:\n" + quote(data))
    return "\n\n".join(parts) or "none given"
