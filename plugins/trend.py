"""The `trend` task: is a trend worth a creator's time? A 1-10 score and the seed's seven parts."""

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
    topic,
    with_facts,
)

QUESTION = "Which trend or topic should I look at? Paste Google Trends numbers if you have them."
IMPORT_HINT = "Or import a Google Trends export: `/import PATH/multiTimeline.csv`."
_TREND = re.compile(
    r"\bis (?:the |this |that )?['\"\u201c]?(?P<a>[^?,.!\n]{2,60}?)['\"\u201d]? (?:still |really "
    r"|actually )?(?:trending|a trend|a fad|a thing|dying|dead|over|blowing up|growing|popular|"
    r"worth|hot|too late|going viral)"
    r"|(?:the |this |that )['\"\u201c]?(?P<b>[\w' -]{2,40}?)['\"\u201d]? (?:trend|craze|hype|"
    r"challenge|aesthetic|wave|fad)\b"
    r"|\b(?:trend(?:s|ing)?|trend analysis|trend report|trend potential) (?:in|around|for|on|"
    r"about|of) (?P<c>[^?,.!\n]{2,60})"
    r"|\b(?:search interest|demand|interest|searches) (?:for|in) ['\"\u201c]?(?P<d>[^?,.!\n'\""
    r"\u201d]{2,60})", re.IGNORECASE)
_DOWN = re.compile(r"\btrending (?:down|up|downward|upward|lower)\b", re.IGNORECASE)

EXAMPLES = read_examples("creator_assistant.plugins", "examples/trend.txt")
MORE_EXAMPLES = read_examples("creator_assistant.plugins", "examples/meaning/trend.txt")
KEYWORDS = (
    "trend", "trending", "trends", "trendy", "google trends", "interest over time", "fad",
    "craze", "hype", "buzz", "gimmick", "going viral", "viral right now", "rising", "on the rise",
    "surge", "resurgence", "revival", "comeback", "peaked", "peaking", "past its peak",
    "search interest", "search volume", "interest in", "demand for", "popular right now",
    "popularity", "how popular", "still popular", "still relevant", "mainstream", "blowing up",
    "a thing", "too late", "jump on", "ride the wave", "bandwagon", "what's hot", "hot right now",
    "hot topic", "hot topics", "dying", "dying down", "dead", "played out", "overdone",
    "saturated", "oversaturated", "flash in the pan", "next big thing", "emerging", "movement",
    "here to stay", "moved on", "getting into", "more people", "outlook", "forecast",
    "catching on", "having a moment", "wave", "worth covering", "people are talking",
    "people talking about", "people care about", "zeitgeist", "momentum behind", "as a topic",
    "still into", "fading", "faded", "capitalize on", "too crowded", "crowded",
)


def trend_topic(text: str) -> str | None:
    match = _TREND.search(text)
    if match:
        found = next(g for g in match.groups() if g)
        return found.strip(" '\"\u201c\u201d") or None
    return None


def build(ctx: TaskContext, data: str | None = None, facts: str = "") -> Prepared:
    """The trend prompt; `data` and `facts` computed elsewhere replace what the message holds."""
    fields = task_fields(ctx, {"topic": QUESTION},
                         extractors={"topic": lambda t: trend_topic(t) or topic(t)})
    pasted = data if data is not None else latest(ctx.message, ctx.history, data_part) or ""
    if not (fields.get("topic") or fields.get("niche") or pasted or facts):
        return Prepared(question=QUESTION, asked="topic", fields=fields)
    values = {
        "topic": shown(fields.get("topic"), "the trend in the data below"),
        "niche": shown(fields.get("niche")), "audience": shown(fields.get("audience")),
        "data": data_block(pasted, facts),
        **task_values(ctx, {"topic": QUESTION}),
    }
    made = prepared("trend_analysis.md", values, "trend_analysis", fields, facts)
    return replace(made, pasted=int(bool(pasted.strip())))  # one pasted source read, or none


def facts(ctx: TaskContext) -> Facts | None:
    """The imported Google Trends series the message asks about."""
    return ctx.data.trends(ctx.message) if ctx.data is not None else None


def prepare(ctx: TaskContext) -> Prepared:
    return with_facts(ctx, build, facts, IMPORT_HINT)


@hookimpl
def register_tasks(register: Any) -> None:
    register(Task(
        name="trend",
        description="Trend analysis: a 1-10 significance score, angles, timing, risks, actions.",
        system_prompt=read_prompt("trend_system.md"),
        model="gemma-3-12b",
        profile=RESEARCH,
        examples=EXAMPLES, keywords=KEYWORDS,
        prompts={"trend_analysis": "trend_analysis.md"},
        output_format="trend_analysis (see creator_assistant.formats)",
        cache="research",  # the reply cache's category (docs/cache.md)
        prepare=prepare, check=check_reply,
    ))


# "Should I still make X videos?", "is it worth covering X?": timing a topic is a trend question.
_TIMING = re.compile(
    r"\b(?:still (?:be )?(?:making|worth|relevant|popular|a thing|growing)|worth (?:covering|"
    r"making|jumping|getting into)|(?:wave|moment|hype|craze) (?:has )?(?:passed|is over|gone|"
    r"died)|"
    r"make (?:content|videos) (?:on|about) (?:it|this|that)|(?:a |having a )comeback|die down|"
    r"peak(?:ed|ing)|on the way (?:up|out)|(?:good|right|bad|best) time to (?:start|make|post|"
    r"jump|cover|get into))", re.IGNORECASE)


@hookimpl
def score_message(message: str, context: Any) -> list[Any] | None:
    if context is None:
        return None
    if _TIMING.search(message):
        return [context.score("trend", 0.25, "asks whether a topic's time has come or gone")]
    if _DOWN.search(message):  # "my views are trending down" is about the creator's own numbers
        return [context.score("trend", -0.3, "'trending down/up' describes the creator's numbers")]
    if re.search(r"^(?:Week|Month|Day|Time),.+: \(", message, re.MULTILINE):
        return [context.score("trend", 0.3, "holds a Google Trends export")]
    return [context.score("trend")]


@hookimpl
def route_examples() -> dict[str, tuple[str, ...]]:
    """More requests like this task's, for the router's meaning signal."""
    return {"trend": MORE_EXAMPLES}
