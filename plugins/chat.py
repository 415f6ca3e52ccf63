"""The `chat` task: general conversation, and where every message goes when no task fits."""

from __future__ import annotations

import re
from typing import Any

from creator_assistant.api import CREATIVE, Task, hookimpl, read_examples, read_prompt

EXAMPLES = read_examples("creator_assistant.plugins", "examples/chat.txt")
MORE_EXAMPLES = read_examples("creator_assistant.plugins", "examples/meaning/chat.txt")
KEYWORDS = (
    "hello", "hi", "hey", "thanks", "thank you", "bye", "good morning", "good night",
    "what can you do", "what you can do", "how are you", "your name", "who are you",
    "real person", "recommend", "advice", "explain", "difference between", "translate", "poem",
    "haiku", "limerick", "lyrics", "riddle", "short story", "proofread", "icebreaker",
    "icebreakers", "rough week", "rough day", "stressed", "overwhelmed", "anxious", "sad",
    "mean", "worth buying", "should i buy", "which camera",
    "which mic", "encouragement", "milestone", "celebrate", "burnout", "burned out",
    "motivated", "nervous", "tired", "copyright", "copyrighted", "taxes", "insurance", "license",
    "legal", "brand deals", "sponsors", "frame rate", "interview questions",
)


@hookimpl
def register_tasks(register: Any) -> None:
    register(
        Task(
            name="chat",
            description="General conversation about anything creative; the fallback task.",
            system_prompt=read_prompt("chat.md"),
            model="gemma-3-12b",
            profile=CREATIVE.with_overrides({"max_tokens": 1024}),
            examples=EXAMPLES, keywords=KEYWORDS,
            cache="content",  # creative replies, like script and blog (docs/cache.md)
        )
    )


# Questions asking for general advice, not for a piece of content or an analysis.
_ADVICE = re.compile(
    r"^\s*(?:how (?:many|much|long|often|do i|can i|should i|do you|to)\b|what(?:'s| is| are) "
    r"(?:a |the |some )?(?:good|best|right|ideal|easiest) (?:way|time|number|length|amount|"
    r"tools?|apps?|sites?|gear)|is it (?:worth|better|ok|okay|bad|normal)|should i\b|do i "
    r"(?:need|have to)|where (?:can|do|should) i|when should i|any (?:tips|advice))",
    re.IGNORECASE)


_SMALL_TALK = re.compile(
    r"^\W*(?:hi|hey|hello|yo|hiya|good (?:morning|evening|night)|thanks?|thank you|thx|ty|cheers|"
    r"bye|goodbye|see you|ok(?:ay)?|cool|nice|great|perfect|awesome|lol|haha|nope|yes|no|sure|"
    r"sorry|appreciate it|sounds good|got it|makes sense|morning|evening)\b[\w\s,!.:)(']{0,24}$"
    r"|^\W*(?:\w+\W+){0,4}(?:thanks|thank you|cheers)\W*$"
    r"|^(?=.{0,60}$)(?!.*\b(?:write|make|draft|create|analy[sz]e|sort|script|outline|plan)\b)"
    r".*\b(?:thanks|thank you|thx|cheers|bye|goodbye|that's all|good night)\b", re.IGNORECASE)


_POINTING = re.compile(r"\b(?:that|this|it|them|those|these|they)\b", re.IGNORECASE)


@hookimpl
def score_message(message: str, context: Any) -> list[Any] | None:
    if context is None:
        return None
    if _SMALL_TALK.search(message):
        return [context.score("chat", 0.35, "small talk")]
    # "How do I fix that?" inside a task's conversation asks about that task's reply.
    follow_up = context.conversation_task and _POINTING.search(message)
    if _ADVICE.search(message) and not follow_up:
        return [context.score("chat", 0.25, "asks for general advice")]
    return [context.score("chat")]


@hookimpl
def route_examples() -> dict[str, tuple[str, ...]]:
    """More requests like this task's, for the router's meaning signal."""
    return {"chat": MORE_EXAMPLES}
