"""The `organize` task: every idea assigned to exactly one of the creator's own categories, fast.
Each idea is listed with the category nearest it in meaning (when an embedding model is
installed) as a hint; the organize grammar still allows only the creator's categories."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from creator_assistant.api import (
    Facts,
    Prepared,
    SamplingProfile,
    Task,
    TaskContext,
    check_reply,
    hookimpl,
    label,
    prepared,
    read_examples,
    read_prompt,
    task_fields,
    task_values,
    with_facts,
)

PROFILE = SamplingProfile(temperature=0.1, top_p=0.5, max_tokens=256, context=2048,
                          repeat_penalty=1.0)
QUESTIONS = {
    "ideas": "Which ideas should I organize? Paste them one per line.",
    "categories": ("Which categories should I sort them into? "
                   "For example: Tutorials, Vlogs, Reviews."),
}
_GROUP = (r"(?:categories|category|buckets?|groups?|pillars?|themes?|folders?|tags?|labels?|"
          r"types?|platforms?|formats?|levels?)")
# Most explicit first: "buckets (A, B)", then "categories: A, B", then "into A, B or C".
_LISTED = (
    re.compile(_GROUP + r"\s*(?:for me\s*)?\(([^)\n]+)\)", re.IGNORECASE),
    re.compile(_GROUP + r"\s*(?:are|is|:|=|-|\u2013)\s*([^\n.?]+)", re.IGNORECASE),
    re.compile(r"\b(?:into|under|between|by|as|among|in)\s+(?:either\s+)?([^\n.?;]+)",
               re.IGNORECASE),
)
_LEAD = re.compile(r"\W*(?:(?:please|pls|can you|could you|help me)\s+)?(?:organi[sz]e|sort|"
                   r"categori[sz]e|group|classify|bucket|tag|label|arrange|triage)\s+(?:these|this|"
                   r"my|the|all)\b", re.IGNORECASE)
_THING_WORDS = ("idea", "ideas", "topic", "post", "video", "episode", "list", "these", "them",
                "backlog", "notes")
_SEP = re.compile(r"\s*(?:,|/|;|\bor\b|\band\b|\|)\s*", re.IGNORECASE)
_ITEM = re.compile(r"^\s*(?:[-*\u2022]|\d+[.)]|\[ \])\s+(.+?)\s*$", re.MULTILINE)
# "1. foo 2. bar 3. baz" on one line: numbers that count up from 1, each after a space.
_NUMBER = re.compile(r"(?:^|(?<=\s))(\d{1,2})[.)]\s+")

EXAMPLES = read_examples("creator_assistant.plugins", "examples/organize.txt")
MORE_EXAMPLES = read_examples("creator_assistant.plugins", "examples/meaning/organize.txt")
KEYWORDS = (
    "organize", "organise", "categorize", "categorise", "categories", "category", "sort",
    "group", "bucket", "buckets", "classify", "tag these", "tag each", "label each",
    "label these", "assign each", "assign these", "pillars", "these ideas", "my ideas",
    "list of ideas", "idea list", "backlog", "brainstorm", "brainstormed", "file these",
    "put these in", "split these", "arrange", "triage",
)


def categories(text: str) -> list[str] | None:
    """The creator's categories: "into A, B or C", "categories: A, B", "buckets (A, B)"."""
    first = re.split(r"\n\s*(?:[-*\u2022]|\d+[.)])\s|(?:^|\s)1[.)]\s", text, maxsplit=1)[0]
    for pattern in _LISTED:
        for match in pattern.finditer(first):
            names = _clause(match.group(1))
            if names:
                return names
    return None


def _clause(clause: str) -> list[str] | None:
    for part in clause.split(":"):
        names = _names(re.sub(r"^(?:these|my|the|our)?\s*(?:\w+\s+){0,2}?" + _GROUP
                              + r"\s*", "", part.strip(), flags=re.IGNORECASE))
        if names:
            return names
    return None


def ideas(text: str) -> list[str] | None:
    """The ideas: list items ("- a" lines, or "1. a 2. b" inline), else the lines after the
    first, else a `:`-introduced list split on semicolons or commas."""
    items = _items(text)
    if items:
        return items
    lines = [ln.strip() for ln in text.strip().splitlines()[1:] if ln.strip()]
    if len(lines) >= 2:
        return lines
    tail = (re.search(r"\b(?:ideas?|topics?|list)\s*:\s*([^\n]+)$", text, re.IGNORECASE)
            or re.search(r":\s*([^\n:]+)$", text))
    if tail:
        body = tail.group(1)
        parts = [p.strip(" .") for p in re.split(r";" if ";" in body else r",", body)]
        parts = [p for p in parts if p]
        if len(parts) >= 2 and set(parts) != set(categories(text) or ()):
            return parts
    return None


def _items(text: str) -> list[str] | None:
    """List items: one per line after a bullet or number, or numbered inline from 1."""
    items = [m.group(1) for m in _ITEM.finditer(text)]
    if len(items) >= 2:
        return items
    run: list[re.Match[str]] = []
    for mark in _NUMBER.finditer(text):
        if int(mark.group(1)) == len(run) + 1:
            run.append(mark)
    if len(run) < 2:
        return None
    ends = [m.start() for m in run[1:]] + [len(text)]
    items = [text[m.end():end] for m, end in zip(run, ends)]
    # The last item ends its line or sentence ("3. baz. Put them into A or B").
    items[-1] = re.split(r"\n|\.\s+(?=[A-Z])", items[-1], maxsplit=1)[0]
    items = [i.strip(" ,;.") for i in items]
    return items if all(items) else None


def _names(clause: str) -> list[str] | None:
    parts = [p.strip(" '\"()*.").strip() for p in _SEP.split(clause)]
    parts = [re.sub(r"^(?:either|the|a)\s+", "", p, flags=re.IGNORECASE) for p in parts if p]
    if 2 <= len(parts) <= 12 and all(0 < len(p) <= 40 and len(p.split()) <= 4 for p in parts):
        return list(dict.fromkeys(parts))
    return None


def _answer_ideas(answer: str) -> list[str] | None:
    """The ideas in an answer to "Paste them one per line": list items, every line (after a
    "here they are:" lead-in), a `;` or `,` list, or one idea."""
    items = _items(answer)
    if items:
        return items
    lines = [ln.strip() for ln in answer.splitlines() if ln.strip()]
    if len(lines) >= 2 and lines[0].endswith(":"):
        lines = lines[1:]
    if len(lines) >= 2:
        return lines
    one = lines[0] if lines else ""
    parts = [p.strip(" .") for p in re.split(r";" if ";" in one else r",", one)]
    parts = [p for p in parts if p]
    if len(parts) >= 2:
        return parts
    return _names(one) or ([one] if 0 < len(one) <= 200 else None)


def _answer_categories(answer: str) -> list[str] | None:
    """The categories in an answer: "into A or B", or names one per line or comma-separated."""
    return categories(answer) or _names(", ".join(answer.split("\n")))


def build(ctx: TaskContext, facts: str = "") -> Prepared:
    """The organize prompt, or the one question (ideas, categories, or too many ideas) first."""
    fields = task_fields(ctx, QUESTIONS, extractors={"categories": categories, "ideas": ideas},
                         answers={"categories": _answer_categories, "ideas": _answer_ideas})
    if ctx.ideas is not None:  # nothing listed: the idea store's waiting ideas and pillars
        stored, pillars = ctx.ideas.waiting(), ctx.ideas.pillars()
        if not fields.get("ideas") and stored:
            fields["ideas"] = stored
        if not fields.get("categories") and len(pillars) >= 2:
            fields["categories"] = pillars
    for need in ("ideas", "categories"):
        if not fields.get(need):
            return Prepared(question=QUESTIONS[need], asked=need, fields=fields)
    budget = _max_tokens(ctx)
    cost = sum(len(label(i)) // 3 + len(max(fields["categories"], key=len)) // 3 + 6
               for i in fields["ideas"])
    if cost > budget:
        fit = max(1, len(fields["ideas"]) * budget // cost)
        return Prepared(question=(
            f"That is {len(fields['ideas'])} ideas; with max_tokens = {budget} I can sort about "
            f"{fit} at a time. Send them in batches, or raise `max_tokens` under [tasks.organize] "
            "in the config file."), fields=fields)
    hints = (ctx.ideas.nearest(fields["ideas"], fields["categories"]) if ctx.ideas is not None
             else None) or [None] * len(fields["ideas"])
    values = {
        "categories": ", ".join(fields["categories"]),
        "ideas": "\n".join(f"{n}. {i}" + (f"  (nearest in meaning: {h})" if h else "")
                           for n, (i, h) in enumerate(zip(fields["ideas"], hints, strict=True), 1)),
        **task_values(ctx, QUESTIONS),
    }
    made = prepared("organize.md", values, "organize", fields, facts)
    return replace(made, items=len(fields["ideas"]))  # the ideas this reply sorts


def _max_tokens(ctx: TaskContext) -> int:
    return (ctx.settings or PROFILE).max_tokens


def facts(ctx: TaskContext) -> Facts | None:
    """The idea store's summary: pillars and what waits to be sorted."""
    return ctx.data.ideas() if ctx.data is not None else None


def prepare(ctx: TaskContext) -> Prepared:
    return with_facts(ctx, build, facts)


@hookimpl
def register_tasks(register: Any) -> None:
    register(Task(
        name="organize",
        description="Sort your ideas into your own categories, each idea in exactly one.",
        system_prompt=read_prompt("organize_system.md"),
        model="gemma-3-4b", profile=PROFILE, examples=EXAMPLES, keywords=KEYWORDS,
        prompts={"organize": "organize.md"},
        output_format="organize (see creator_assistant.formats)",
        preload=True,  # the fast model that sorts ideas: loaded at start-up
        cache="research",  # sorting ideas: the design groups it with research
        prepare=prepare, check=check_reply,
    ))


@hookimpl
def score_message(message: str, context: Any) -> list[Any] | None:
    if context is None:
        return None
    listed = (context.has(*_THING_WORDS) or ("\n" in message and _ITEM.search(message))
              or _items(message))
    if listed and categories(message):
        return [context.score("organize", 0.2, "gives ideas and categories to sort them into")]
    if _LEAD.match(message):  # "categorize these blog post ideas": the verb is the task
        return [context.score("organize", 0.2, "starts by asking to sort things")]
    return [context.score("organize")]


@hookimpl
def route_examples() -> dict[str, tuple[str, ...]]:
    """More requests like this task's, for the router's meaning signal."""
    return {"organize": MORE_EXAMPLES}
