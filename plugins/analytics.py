"""The `analytics` task: a performance analysis of the creator's numbers, or a growth strategy
with a 30/60/90-day roadmap, each in a checked format."""

from __future__ import annotations

import re
from typing import Any

from creator_assistant.api import (
    Facts,
    Prepared,
    SamplingProfile,
    Task,
    TaskContext,
    check_reply,
    data_part,
    hookimpl,
    latest,
    prepared,
    quote,
    read_examples,
    read_prompt,
    shown,
    strip_command,
    task_fields,
    task_values,
    with_facts,
)

DATA_QUESTION = ("Which numbers should I look at? Paste them here: views, watch time, CTR, "
                 "subscribers, per video or per week.")
IMPORT_HINT = "Or import your YouTube Studio export: `/import PATH` (a folder, zip or CSV)."
GOAL_QUESTION = ("What is your goal, and where are you now? For example: 2,000 subscribers now, "
                 "10,000 by December.")
_GROWTH = re.compile(
    r"\b(?:growth (?:strategy|plan|roadmap)|grow (?:my|the|our)\b|roadmap|30/60/90|\d+[- ]day "
    r"(?:plan|roadmap)|(?:plan|strategy) to (?:grow|reach|get|hit|double)|(?:get|go|grow) (?:from "
    r"\S+ )?to \d|(?:to|want to|goal is to|how (?:do|can) i) (?:reach|hit) \d|double my|"
    r"monetization (?:plan|strategy)|how (?:do|can|should) i grow|get more (?:subscribers|"
    r"followers|views))", re.IGNORECASE)
_GOAL = re.compile(
    r"\b(?:to|reach|hit|get to|grow to|goal(?: is|:)?)\s+(\d[\d,.]*\s*[kKmM]?\s*(?:\w+\s)?"
    r"(?:subscribers|subs|followers|views|readers|members|patrons|listeners|downloads)[^,.;\n]*)"
    r"|\bgoal(?: is|:)\s*([^.\n]{3,120})|\b(double (?:my|our) [^,.;\n?]+)", re.IGNORECASE)
_WHEN = re.compile(
    r"\b(?:(?:in|within|over|by|for|during) (?:the )?(?:next |last |past |end of (?:the )?)?"
    r"(?:\d+ )?(?:days?|weeks?|months?|years?|quarters?|year|quarter|month|january|february|march|"
    r"april|may|june|july|august|september|october|november|december|summer|winter|spring|"
    r"fall|q[1-4])|(?:last|past|this) (?:\d+ )?(?:days?|weeks?|months?|quarters?|years?))\b",
    re.IGNORECASE)
# "my subscribers" as a count, not as readers ("a newsletter for my subscribers").
_MINE = re.compile(r"(?<!for )(?<!to )\bmy (?:\w+ ){0,2}?(?:views|ctr|retention|"
                   r"watch (?:time|hours)|subs|subscribers|followers|impressions|engagement|"
                   r"reach|traffic|revenue|rpm|"
                   r"earnings|downloads|analytics|stats|numbers|metrics|audience|open rate|"
                   r"(?:reels|shorts|videos|posts|uploads|episodes) (?:doing|performing))\b",
                   re.IGNORECASE)
_DIGIT = re.compile(r"\d")
# "300 subscribers", "5k views", "2% CTR": a figure that names what it counts.
# "per 1000 views" is a unit, not a count.
_COUNTED = re.compile(r"(?<!per )(?<!per\s)\b\d[\d,.]*\s*[kKmM%]?\s+(?:new\s+|more\s+|fewer\s+)?"
                      r"(?:views|subscribers|subs|followers|impressions|downloads|listens|clicks|"
                      r"opens|watch hours|ctr|retention|engagement|likes|comments|shares|saves)\b"
                      r"|\d\s*%\s+(?:from|of|via)\s+(?:search|suggested|browse|external|shorts|"
                      r"subscribers|returning|new)", re.IGNORECASE)
_GROWTH_WORDS = ("growth", "grow", "roadmap", "30/60/90", "day", "plan", "strategy", "get", "go",
                 "reach", "hit", "double", "monetization", "more")
_ROW = re.compile(r"^[^\n]*\d[^\n]*[,\t|;][^\n]*\d[^\n]*$", re.MULTILINE)
_METRIC = re.compile(r"\b(?:views|ctr|click-through|retention|watch time|subs|subscribers|"
                     r"followers|impressions|engagement|reach|revenue|rpm|cpm|likes|average view|"
                     r"rate|viewers?|swipe|downloads|opens?|clicks|traffic|suggested|browse|"
                     r"sponsorships?|\$)", re.IGNORECASE)

EXAMPLES = read_examples("creator_assistant.plugins", "examples/analytics.txt")
MORE_EXAMPLES = read_examples("creator_assistant.plugins", "examples/meaning/analytics.txt")
KEYWORDS = (
    "analytics", "stats", "statistics", "metrics", "kpis", "my numbers", "dashboard", "ctr",
    "click-through", "click through rate", "retention", "watch time", "watch hours",
    "view duration", "avg view", "average percentage viewed", "impressions", "engagement rate",
    "my views", "view count", "views down", "views dropped", "subscriber count", "sub count",
    "subscribers gained", "subscribers lost", "my followers", "follower count",
    "follower growth", "accounts reached", "profile visits", "link clicks", "traffic source",
    "traffic sources", "browse features", "suggested videos", "external traffic",
    "search traffic", "demographics", "revenue", "rpm", "cpm", "adsense", "earnings",
    "profitable", "income", "conversion rate", "open rate", "click rate", "unsubscribes",
    "performance", "performing", "performed", "underperforming", "best performing",
    "growth strategy", "growth plan", "grow my", "roadmap", "30/60/90", "90-day plan",
    "90 day plan", "monetization", "monetize", "downloads", "listens", "average viewers",
    "insights", "youtube studio", "creator studio", "report", "plateau", "stagnant",
    "declining", "tanked", "views drop", "audience retention", "average view duration",
    "stop watching", "drop off", "click away", "swipe away", "returning viewers",
    "returning viewer", "new viewers", "unique viewers", "doing compared to",
)


def goal(text: str) -> str | None:
    match = _GOAL.search(text)
    return next((g.strip() for g in match.groups() if g), None) if match else None


def timeline(text: str) -> str | None:
    match = _WHEN.search(text)
    return match.group(0) if match else None


def data_text(pasted: str, facts: str = "") -> str:
    """The prompt's `{data}`: the computed facts, each part headed by where its numbers came from
    (the creator's message, or a named import), then what the creator typed, as typed."""
    parts = [facts.strip()] if facts.strip() else []
    if pasted.strip():
        parts.append("As the creator typed it:\n" + quote(pasted))
    return "\n\n".join(parts) or "none given"


def build(ctx: TaskContext, data: str | None = None, facts: str = "") -> Prepared:
    """The analysis or strategy prompt; `data` and `facts` computed elsewhere replace what the
    message holds."""
    growth = any(_GROWTH.search(strip_command(t)[:2000]) for t in
                 [ctx.message] + [h["content"] for h in ctx.history if h["role"] == "user"][-3:])
    questions = {"goal": GOAL_QUESTION} if growth else {"data": DATA_QUESTION}
    fields = task_fields(ctx, questions, extractors={"goal": goal, "timeline": timeline})
    pasted = data if data is not None else latest(ctx.message, ctx.history, data_part) or ""
    if not pasted and ctx.asked == "data":  # the answer to "which numbers?" is the data, as said
        pasted = strip_command(ctx.message).strip()
    if growth and not (fields.get("goal") or pasted or facts):
        return Prepared(question=GOAL_QUESTION, asked="goal", fields=fields)
    if not growth and not (pasted or facts):
        return Prepared(question=DATA_QUESTION, asked="data", fields=fields)
    values = {
        "data": data_text(pasted, facts), "goal": shown(fields.get("goal")),
        "audience": shown(fields.get("audience")), "platform": shown(fields.get("platform")),
        "timeline": shown(fields.get("timeline"), "90 days" if growth else "not given"),
        **task_values(ctx, questions),
    }
    if growth:
        return prepared("growth_strategy.md", values, "growth_strategy", fields, facts)
    return prepared("performance_analysis.md", values, "performance_analysis", fields, facts)


def facts(ctx: TaskContext) -> Facts | None:
    """The creator's numbers: figures typed in the conversation, or their imports."""
    return ctx.data.analytics(ctx.message, ctx.history) if ctx.data is not None else None


def prepare(ctx: TaskContext) -> Prepared:
    return with_facts(ctx, build, facts, IMPORT_HINT)


@hookimpl
def register_tasks(register: Any) -> None:
    register(Task(
        name="analytics",
        description="Performance analysis of your numbers, or a growth strategy (30/60/90 days).",
        system_prompt=read_prompt("analytics_system.md"),
        model="gemma-3-12b",
        profile=SamplingProfile(temperature=0.1, top_p=0.6, max_tokens=1024, context=4096,
                                repeat_penalty=1.0),
        examples=EXAMPLES, keywords=KEYWORDS,
        prompts={"performance_analysis": "performance_analysis.md",
                 "growth_strategy": "growth_strategy.md"},
        output_format="performance_analysis or growth_strategy (see creator_assistant.formats)",
        cache="analytics",  # the reply cache's category (docs/cache.md)
        prepare=prepare, check=check_reply,
    ))


@hookimpl
def score_message(message: str, context: Any) -> list[Any] | None:
    if context is None:
        return None
    signals: list[tuple[float, str]] = []
    if _DIGIT.search(message):
        if "\n" in message and len(_ROW.findall(message)) >= 2:
            signals.append((0.3, "pastes a table of figures"))
        elif _COUNTED.search(message) or _figures(message):
            signals.append((0.3, "gives the creator's own figures"))
    if context.has(*_GROWTH_WORDS) and _GROWTH.search(message):
        signals.append((0.3, "asks for a growth plan"))
    if context.has("my") and _MINE.search(message):
        signals.append((0.2, "asks about the creator's own numbers"))
    if re.search(r"\btrending (?:down|up|downward|upward|lower)\b", message, re.IGNORECASE):
        signals.append((0.2, "describes the creator's numbers moving"))
    if not signals:
        return [context.score("analytics")]
    # Independent signals add up, to a limit: one alone is a hint, two are a request.
    bonus = min(0.45, sum(b for b, _ in signals))
    return [context.score("analytics", bonus, "; ".join(why for _, why in signals))]


def _figures(message: str) -> bool:
    scaled = len(re.findall(r"\d\s*%|\d[kKmM]\b", message))
    figures = len(re.findall(r"\d[\d,.]*\s*[%kK]?", message))
    return scaled >= 3 or ((figures >= 2 or scaled > 0) and bool(_METRIC.search(message)))


@hookimpl
def route_examples() -> dict[str, tuple[str, ...]]:
    """More requests like this task's, for the router's meaning signal."""
    return {"analytics": MORE_EXAMPLES}
