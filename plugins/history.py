"""Conversation memory in the chat: /history, /new, /search, /export, /pin and /unpin."""

from __future__ import annotations

from typing import Any

from creator_assistant.api import Command, CommandContext, hookimpl


def _one_line(text: str, width: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def history(args: str, ctx: CommandContext) -> str:
    """Recent conversations; `/history ID` switches to one and shows its last messages."""
    store = ctx.conversations
    if args:
        conv = store.get(args.split()[0])
        ctx.conversation_id = conv["id"]
        rows = store.messages(conv["id"])
        lines = [f"Switched to **{conv['title'] or 'untitled'}** (`{conv['id']}`, "
                 f"{len(rows)} messages). The last ones:", ""]
        for row in rows[-6:]:
            who = "You" if row["role"] == "user" else "Assistant"
            lines.append(f"- **{row['seq']}. {who}:** {_one_line(row['content'])}")
        return "\n".join(lines)
    convs = store.recent(limit=15)
    if not convs:
        return "No saved conversations yet."
    lines = ["| | ID | Updated | Messages | Title |", "|---|---|---|---|---|"]
    for c in convs:
        mark = "▶" if c["id"] == ctx.conversation_id else ""
        lines.append(f"| {mark} | `{c['id']}` | {c['updated'][:16].replace('T', ' ')} | "
                     f"{c['messages']} | {_one_line(c['title'] or 'untitled', 50)} |")
    lines += ["", "`/history ID` switches to one; `creator history list` shows them all."]
    return "\n".join(lines)


def new(args: str, ctx: CommandContext) -> str:
    ctx.conversation_id = None  # the next message starts a new conversation
    return "Started a new conversation. The previous one is saved: `/history` lists it."


def search(args: str, ctx: CommandContext) -> str:
    """Saved messages by words and meaning; `/search --exact TEXT`: by words only."""
    words = args.split()
    exact = "--exact" in words
    text = " ".join(w for w in words if w != "--exact")
    if not text:
        return ("Usage: `/search TEXT` — searches every saved message by words and meaning; "
                "`/search --exact TEXT` by words only.")
    hits = ctx.conversations.search(text, limit=10, exact=exact)
    note = getattr(hits, "note", None)
    tail = [f"_{note}_"] if note else []
    if not hits:
        return "\n\n".join([f"Nothing saved matches “{text}”.", *tail])
    lines = [f"**{len(hits)} match{'es' if len(hits) != 1 else ''}** for “{text}”"
             + (" (words only):" if exact else ":"), ""]
    for hit in hits:
        who = "You" if hit["role"] == "user" else "Assistant"
        how = f" · {hit['matched']}" if not exact and hit.get("matched") else ""
        lines.append(f"- `{hit['conversation_id']}` #{hit['seq']} {who}{how}: "
                     f"{_one_line(hit['snippet'], 90)}")
    return "\n".join(lines + ["", "`/history ID` opens a conversation.", *tail])


def export(args: str, ctx: CommandContext) -> str:
    from pathlib import Path

    if ctx.conversation_id is None:
        return "Nothing to export yet: this conversation has no messages."
    path = ctx.conversations.export(ctx.conversation_id,
                                    Path(args).expanduser() if args else None)
    return f"Saved this conversation as Markdown: `{path}`"


def _target(args: str, ctx: CommandContext) -> dict[str, Any] | str:
    """The message `/pin N` means (N as numbered by /history ID), or the latest one."""
    if ctx.conversation_id is None:
        return "Nothing to pin yet: send a message first."
    rows = ctx.conversations.messages(ctx.conversation_id)
    if not args:
        return rows[-1] if rows else "Nothing to pin yet: send a message first."
    if not args.isdigit():
        return "Usage: `/pin [N]` — N is a message number, as `/history ID` shows."
    row = next((r for r in rows if r["seq"] == int(args)), None)
    return row if row is not None else f"This conversation has no message {args}."


def pin(args: str, ctx: CommandContext) -> str:
    row = _target(args, ctx)
    if isinstance(row, str):
        return row
    ctx.conversations.pin(row["id"])
    return (f"Pinned message {row['seq']}: the model keeps it in mind even after it leaves "
            f"the conversation window. “{_one_line(row['content'], 60)}”")


def unpin(args: str, ctx: CommandContext) -> str:
    row = _target(args, ctx)
    if isinstance(row, str):
        return row
    ctx.conversations.pin(row["id"], False)
    return f"Unpinned message {row['seq']}."


@hookimpl
def register_commands(register: Any) -> None:
    register(Command("history", "List recent conversations; /history ID switches to one.",
                     history, usage="[ID]"))
    register(Command("new", "Start a new conversation (this one stays saved).", new))
    register(Command("search", "Search every conversation by words and meaning.", search,
                     usage="[--exact] TEXT"))
    register(Command("export", "Save this conversation as a Markdown file.", export,
                     usage="[PATH]"))
    register(Command("pin", "Keep a message in the model's memory (default: the latest).",
                     pin, usage="[N]"))
    register(Command("unpin", "Stop keeping a pinned message in the model's memory.", unpin,
                     usage="[N]"))
