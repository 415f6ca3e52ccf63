"""The `competitor` task: what another creator does, and what to learn, adapt and do differently."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from creator_assistant.api import (
    RESEARCH,
    Facts,
    Prepared,
    Task,
    TaskContext,
    check_reply,
    data_block,
    data_part,
    hookimpl,
    latest,
    prepared,
    read_examples,
    read_prompt,
    shown,
    task_fields,
    task_values,
    with_facts,
)

QUESTION = "Which competitor should I look at? A channel name or @handle is enough."
IMPORT_HINT = "Or import a CSV list of their videos: `/import PATH`."
_NAME = r"[A-Z0-9][\w&-]*(?:'[A-Za-z]+)?(?:\s+(?:[A-Z0-9][\w&-]*|of|the|and|&))*"
_COMPETITOR = re.compile(
    r"(?P<handle>@[A-Za-z0-9_.]{2,40})"
    r"|['\"\u201c](?P<quoted>[^'\"\u201d]{2,50})['\"\u201d]"
    r"|(?i:\b(?:competitor|competitive|rival|channel|creator|account|newsletter|podcast|blog)"
    r"(?:'s)?(?: analysis| research| breakdown)?(?: is| called| named| of| on| for|:)?)\s+"
    r"(?P<after>" + _NAME + r")"
    r"|(?P<own>" + _NAME + r")(?:'s|\u2019s|s')\s+(?:\w+\s+){0,2}?(?i:channel|content|videos?|"
    r"strategy|thumbnails?|titles?|vlogs?|shorts|reels|account|instagram|tiktok|growth|style|"
    r"newsletter|podcast|reviews?|success)"
    r"|(?i:\b(?:analy[sz]e|study|research|break down|look at|compare (?:\w+ ){0,3}?(?:to|with|"
    r"against)(?: what)?|benchmark (?:me |my \w+ )?against|differentiate (?:\w+ ){0,3}from|"
    r"learn from)\s+(?:[a-z]+\s+){0,2}?)(?P<verb>" + _NAME + r")"
    r"|(?i:\b(?:what is|how does|how is|why is|what makes)\s+)(?P<ask>" + _NAME + r")"
    r"|(?P<doer>" + _NAME + r")\s+(?i:does|is doing|did|do so)\b")
# Capitalised words that start a sentence or name a platform, not a creator.
_NOT_NAMES = frozenset(
    "i my me the a an youtube tiktok instagram what how why is this that their they it shorts "
    "reels "
    "can do does now ai seo google analyze analyse study research break look compare check review "
    "tell help please give write make show find so and but ok okay hey hi also then who which "
    "could would should here there today everyone let who's here's".split())

EXAMPLES = read_examples("creator_assistant.plugins", "examples/competitor.txt")
MORE_EXAMPLES = read_examples("creator_assistant.plugins", "examples/meaning/competitor.txt")
KEYWORDS = (
    "competitor", "competitors", "competition", "competitive", "competitive analysis", "rival",
    "rivals", "competing", "other channels", "other creators", "other youtubers",
    "similar channels", "similar creators", "top channels", "biggest channels",
    "bigger channels", "top accounts", "compare my channel", "compare my newsletter", "swot",
    "outranking", "outperforming", "beating me", "beating mine", "growing faster than me",
    "doing better than me", "more views than me", "doing differently", "stand out",
    "set myself apart", "differentiate", "unique angle", "benchmark", "their strategy",
    "their content", "what they do", "they do well", "their formula", "their intros",
    "their thumbnails", "their titles", "learn from", "steal", "borrow", "copy from",
    "reverse engineer", "audit", "pull apart", "pick apart", "breakdown of", "secret sauce",
    "playbook", "be different", "doing that i'm not", "content strategy of", "gap in the market",
    "main players", "their angle", "players in", "who's winning",
)


def names(text: str) -> list[tuple[str, bool]]:
    """Creators named in a message, each with whether it is surely a creator (a handle,
    "X's channel", "analyze X") rather than maybe one (a quoted phrase, "what is X")."""
    if not _MAYBE_NAME.search(text):  # no handle, quote or capital after the first letter
        return []
    found = []
    for match in _COMPETITOR.finditer(text):
        raw = next(g for g in match.groups() if g).strip(" .,'")
        parts = re.sub(r"(?:'s|\u2019s)$", "", raw).split()
        while parts and parts[0].lower() in _NOT_NAMES:
            parts.pop(0)
        while parts and parts[-1].lower() in {"of", "the", "and", "&"}:
            parts.pop()
        name = " ".join(parts)
        if len(name) > 1 and not name.isdigit():
            maybe = match.group("quoted") or match.group("ask") or match.group("doer")
            found.append((name[:60], not maybe))
    return found


def competitor(text: str) -> str | None:
    """The first creator named in a message, or None."""
    found = names(text)
    return found[0][0] if found else None


def build(ctx: TaskContext, data: str | None = None, facts: str = "") -> Prepared:
    """The competitor prompt; `data` and `facts` computed elsewhere replace the message's."""
    fields = task_fields(ctx, {"competitor": QUESTION}, extractors={"competitor": competitor})
    if not fields.get("competitor"):
        if facts:  # an imported video list: its channels are the ones to study
            fields["competitor"] = "the channels in the creator's imported video list"
        elif re.search(r"\b(?:top|biggest|best|other|similar|leading)\b", ctx.message, re.I):
            fields["competitor"] = "the leading creators in the creator's niche (as described)"
        else:
            return Prepared(question=QUESTION, asked="competitor", fields=fields)
    pasted = data if data is not None else latest(ctx.message, ctx.history, data_part) or ""
    values = {
        "competitor": fields["competitor"], "niche": shown(fields.get("niche")),
        "data": data_block(pasted, facts),
        **task_values(ctx, {"competitor": QUESTION}),
    }
    made = prepared("competitor_research.md", values, "competitor_research", fields, facts)
    return replace(made, pasted=int(bool(pasted.strip())))  # one pasted source read, or none


def facts(ctx: TaskContext) -> Facts | None:
    """The imported video lists of other channels."""
    return ctx.data.competitors(ctx.message) if ctx.data is not None else None


def prepare(ctx: TaskContext) -> Prepared:
    return with_facts(ctx, build, facts, IMPORT_HINT)


@hookimpl
def register_tasks(register: Any) -> None:
    register(Task(
        name="competitor",
        description="Competitor research: patterns, engagement, gaps to fill, what to adapt.",
        system_prompt=read_prompt("competitor_system.md"),
        model="gemma-3-12b",
        profile=RESEARCH,
        examples=EXAMPLES, keywords=KEYWORDS,
        prompts={"competitor_research": "competitor_research.md"},
        output_format="competitor_research (see creator_assistant.formats)",
        cache="research",  # the reply cache's category (docs/cache.md)
        prepare=prepare, check=check_reply,
    ))


# Cheap test first: a handle, a quote, or a capital past the first letter that is not "I".
_OTHER_WORDS = ("other", "big", "bigger", "biggest", "top", "similar", "leading", "successful",
                "popular")
_MAYBE_NAME = re.compile(r"[@'\"\u201c]|\s(?!I\b|I'|YouTube|TikTok|Instagram)[A-Z]")
_OTHERS = re.compile(r"\b(?:other|big|bigger|biggest|top|similar|leading|successful|popular)\s+"
                     r"(?:[\w-]+\s+){0,3}?(?:channels|creators|youtubers|accounts|podcasts|"
                     r"newsletters|bloggers|streamers|tiktokers|influencers|vloggers|podcasters|"
                     r"instagrammers|shows|pages)\b", re.IGNORECASE)


@hookimpl
def score_message(message: str, context: Any) -> list[Any] | None:
    if context is None:
        return None
    if context.has(*_OTHER_WORDS) and _OTHERS.search(message):
        return [context.score("competitor", 0.2, "asks about other creators")]
    found = names(message)
    if not found:
        return [context.score("competitor")]
    sure = next((name for name, certain in found if certain), None)
    if sure and not re.search(r"\b(?:script|blog|outline|caption|organi[sz]e)\b", message, re.I):
        return [context.score("competitor", 0.3, f"names another creator ({sure})")]
    if re.search(r"\b(?:vs\.?|versus|doing|does|do so|their|they|his|her|successful|so good|"
                 r"works? so well|makes?|shareable|engaging)\b", message,
                 re.IGNORECASE) and not re.search(r"\b(?:my|our) (?:views|stats)", message):
        return [context.score("competitor", 0.25, f"asks what {found[0][0]} does")]
    return [context.score("competitor")]


@hookimpl
def route_examples() -> dict[str, tuple[str, ...]]:
    """More requests like this task's, for the router's meaning signal."""
    return {"competitor": MORE_EXAMPLES}
