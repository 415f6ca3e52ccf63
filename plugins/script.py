"""The `script` task: long-form video scripts, short-form scripts and captions, each in a checked
format whose timestamps add up to the length the creator asked for."""

from __future__ import annotations

import re
from typing import Any

from creator_assistant.api import (
    CREATIVE,
    Prepared,
    Task,
    TaskContext,
    check_reply,
    clock,
    duration,
    hookimpl,
    long_plan,
    prepared,
    read_examples,
    read_prompt,
    say_duration,
    short_plan,
    shown,
    strip_command,
    task_fields,
    task_values,
)

QUESTIONS = {
    "topic": "What should it be about?",
    "duration_s": ("How long should the video be? "
                   "For example: 8 minutes, or 45 seconds for a Short."),
}
SHORT_FORM = {"TikTok", "Instagram Reels", "YouTube Shorts", "Instagram"}
LONGEST_SHORT = 90  # seconds: up to this, a short-form script; beyond, a long-form one
_CAPTION = re.compile(r"\b(?:captions?|tweets?|threads?|(?:linkedin|instagram|facebook|ig) posts?"
                      r"|post copy|carousel)\b", re.IGNORECASE)
_VIDEO = re.compile(r"\b(?:video|vid|script|reel|short|shorts|tiktok|vlog|voice-?over|skit|"
                    r"episode|youtube)\b", re.IGNORECASE)
_MAKERS = ("write", "make", "create", "draft", "need", "give", "generate", "prepare", "come")
_THINGS = ("tiktok", "reel", "short", "youtube", "video", "vlog", "clip", "promo", "trailer",
           "commercial", "ad")
_LENGTH = re.compile(r"\d|minute|second|hour|\bmin", re.IGNORECASE)
_POINTS = re.compile(r"\b(?:key points?|talking points|points to cover|make sure to (?:cover|"
                     r"mention)|include|mention)\s*(?::|-)?\s*([^.\n]{3,300})", re.IGNORECASE)

EXAMPLES = read_examples("creator_assistant.plugins", "examples/script.txt")
MORE_EXAMPLES = read_examples("creator_assistant.plugins", "examples/meaning/script.txt")
KEYWORDS = (
    "script", "scripts", "scripting", "video script", "youtube script", "tiktok script",
    "reel script", "shorts script", "screenplay", "dialogue", "voiceover", "voice over",
    "narration", "narrate", "monologue", "teleprompter text", "caption", "captions", "hook",
    "hooks", "cold open", "intro and outro", "outro", "opening lines", "opening for", "opener",
    "intro for", "b-roll", "talking points", "what i should say", "what to say", "what do i say",
    "what i say", "my lines", "lines for", "words for", "skit", "sketch", "parody", "tweet",
    "thread", "threads post", "linkedin post", "instagram post", "facebook post",
    "community post", "instagram story", "story sequence", "pin description",
    "video description", "sponsor read", "ad read", "sponsor spot", "sponsored segment",
    "integration", "storyboard", "shot list", "explainer video", "promo", "promo clip",
    "trailer", "carousel", "commercial", "end screen",
    "first line", "opening line",
)
# Platforms hint at a script only with a verb that makes something ("now one for TikTok" alone
# is a follow-up to whatever the conversation is doing).
_MAKE = re.compile(r"\b(?:write|make|create|draft|need|give me|generate|prepare|come up with)\b"
                   r".{0,40}\b(?:tiktok|reels?|shorts?|youtube|video|vlog|clip|promo|trailer|"
                   r"commercial|ad)\b", re.IGNORECASE)


def kind_of(message: str, history: list[dict[str, str]]) -> str:
    """"caption" for a post's text, else "video"; a follow-up keeps the conversation's kind."""
    for text in [message] + [t["content"] for t in reversed(history) if t["role"] == "user"]:
        text = strip_command(text)[:2000]
        if _CAPTION.search(text) and not re.search(r"\bscript\b", text, re.IGNORECASE):
            return "caption"
        if _VIDEO.search(text):
            return "video"
    return "video"


def structure(fmt: str, seconds: int) -> str:
    if fmt == "caption":
        return "## Caption\n## Hashtags (3 to 8)\n## Call to action"
    plan = long_plan(seconds) if fmt == "video_script" else short_plan(seconds)
    lines = [f"[{label}] ({clock(a)}-{clock(b)})" for label, a, b in plan]
    if fmt == "short_script":
        lines += ["## Caption", "## Hashtags (3 to 8)", "## Notes: on-screen text, visuals"]
    return "\n".join(lines)


def build(ctx: TaskContext, facts: str = "") -> Prepared:
    """The script prompt for a message, or the one question that must be answered first."""
    fields = task_fields(ctx, QUESTIONS, answers={"duration_s": duration})
    kind = kind_of(ctx.message, ctx.history)
    if not fields.get("topic"):
        return Prepared(question=QUESTIONS["topic"], asked="topic", fields=fields)
    seconds = fields.get("duration_s")
    said_here = duration(strip_command(ctx.message))
    if fields.get("platform") in SHORT_FORM and not said_here and (seconds or 0) > LONGEST_SHORT:
        seconds = None  # "now one for TikTok" does not inherit a 10-minute length
    if kind == "video" and not seconds:
        return Prepared(question=QUESTIONS["duration_s"], asked="duration_s", fields=fields)
    fmt = "caption" if kind == "caption" else (
        "short_script" if seconds <= LONGEST_SHORT else "video_script")
    points = _POINTS.search(strip_command(ctx.message))
    values = {
        "topic": fields["topic"], "audience": shown(fields.get("audience"),
                                                    "not given; keep it broad"),
        "duration": say_duration(seconds) if seconds else "not a video",
        "platform": shown(fields.get("platform"), "YouTube" if fmt == "video_script" else
                          "not given"),
        "kind": {"caption": "caption for a post", "short_script": "short-form video script"}.get(
            fmt, "video script"),
        "key_points": points.group(1).strip() if points else "those in the request, if any",
        **task_values(ctx, QUESTIONS),
        "structure": structure(fmt, seconds or 0),
    }
    template = "video_script.md" if fmt == "video_script" else "short_form.md"
    return prepared(template, values, fmt, {**fields, "duration_s": seconds}, facts)


@hookimpl
def register_tasks(register: Any) -> None:
    register(Task(
        name="script",
        description="Video scripts (long and short form) and social captions, with timestamps.",
        system_prompt=read_prompt("script_system.md"),
        model="gemma-3-12b",
        profile=CREATIVE,
        examples=EXAMPLES, keywords=KEYWORDS,
        prompts={"video_script": "video_script.md", "short_form": "short_form.md"},
        output_format="video_script, short_script or caption (see creator_assistant.formats)",
        preload=True,  # the content model: loaded at start-up
        voice=True,  # the creator's nearest samples go into its prompt
        lookup=True,  # "make it shorter", "fix the typos": revisions copy the last reply
        prepare=build, check=check_reply,
        cache="content",  # the reply cache's category (docs/cache.md)
    ))


@hookimpl
def score_message(message: str, context: Any) -> list[Any] | None:
    if context is None:
        return None
    made = context.has(*_MAKERS) and context.has(*_THINGS)
    if _VIDEO.search(message) or (made and _MAKE.search(message)):
        if _LENGTH.search(message) and duration(message):
            return [context.score("script", 0.15, "asks for a video of a given length")]
        if made and _MAKE.search(message):
            return [context.score("script", 0.1, "asks to make a video")]
    return [context.score("script")]


@hookimpl
def route_examples() -> dict[str, tuple[str, ...]]:
    """More requests like this task's, for the router's meaning signal."""
    return {"script": MORE_EXAMPLES}
