"""The `blog` task: blog post outlines and newsletter issues, each in a checked format."""

from __future__ import annotations

import re
from typing import Any

from creator_assistant.api import (
    CREATIVE,
    Prepared,
    Task,
    TaskContext,
    check_reply,
    hookimpl,
    prepared,
    read_examples,
    read_prompt,
    shown,
    strip_command,
    task_fields,
    task_values,
)

QUESTIONS = {"topic": "What is the post about?"}
NEWSLETTER_QUESTIONS = {"topic": "What should this issue of the newsletter cover?"}
_NEWSLETTER = re.compile(r"\b(?:newsletters?|e-?mail|mailing list|substack|issue|subscribers? "
                         r"update|patreon update)\b", re.IGNORECASE)
_BLOG = re.compile(r"\b(?:blog|article|outline|post|listicle|seo|headlines?)\b", re.IGNORECASE)

EXAMPLES = read_examples("creator_assistant.plugins", "examples/blog.txt")
MORE_EXAMPLES = read_examples("creator_assistant.plugins", "examples/meaning/blog.txt")
KEYWORDS = (
    "blog", "blog post", "blogpost", "article", "write-up", "essay", "newsletter", "issue of",
    "edition", "outline", "listicle", "roundup post", "review post", "case study", "faq article",
    "op-ed", "buying guide", "how-to guide", "ultimate guide", "pillar post", "pillar page",
    "seo", "meta description", "headline options", "headlines", "h2", "h2s", "h3", "headings",
    "subheadings", "sections should", "substack", "medium article", "linkedin article",
    "mailing list", "email newsletter", "weekly email", "monthly email", "welcome email",
    "email to my subscribers", "email to subscribers", "email to my list", "email blast",
    "guest post", "recipe post", "my website", "keyword", "content brief",
)


def build(ctx: TaskContext, facts: str = "") -> Prepared:
    """The outline or newsletter prompt for a message, or the question that must come first."""
    newsletter = _is_newsletter(ctx.message, ctx.history)
    questions = NEWSLETTER_QUESTIONS if newsletter else QUESTIONS
    fields = task_fields(ctx, questions)
    if not fields.get("topic"):
        return Prepared(question=questions["topic"], asked="topic", fields=fields)
    values = {
        "topic": fields["topic"],
        "keywords": shown(fields.get("keywords"), "not given; choose natural search phrases"),
        "audience": shown(fields.get("audience"), "not given; write for curious beginners"),
        **task_values(ctx, questions),
    }
    if newsletter:
        return prepared("newsletter.md", values, "newsletter", fields, facts)
    return prepared("blog_outline.md", values, "blog_outline", fields, facts)


def _is_newsletter(message: str, history: list[dict[str, str]]) -> bool:
    for text in [message] + [t["content"] for t in reversed(history) if t["role"] == "user"]:
        head = strip_command(text)[:2000]
        if _NEWSLETTER.search(head):
            return True
        if _BLOG.search(head):
            return False
    return False


@hookimpl
def register_tasks(register: Any) -> None:
    register(Task(
        name="blog",
        description="Blog post outlines (headlines, meta, H2/H3) and newsletter issues.",
        system_prompt=read_prompt("blog_system.md"),
        model="gemma-3-12b",
        profile=CREATIVE,
        examples=EXAMPLES, keywords=KEYWORDS,
        prompts={"blog_outline": "blog_outline.md", "newsletter": "newsletter.md"},
        output_format="blog_outline or newsletter (see creator_assistant.formats)",
        voice=True,  # the creator's nearest samples go into its prompt
        lookup=True,  # "make it shorter", "fix the typos": revisions copy the last reply
        prepare=build, check=check_reply,
        cache="content",  # the reply cache's category (docs/cache.md)
    ))


_WRITE = re.compile(r"\b(?:write|draft|outline|structure|create|need|turn \w+ (?:\w+ )?into)\b"
                    r".{0,40}\b(?:article|blog|post for my (?:blog|website|site)|guide|newsletter|"
                    r"essay|write-up|listicle|roundup|issue)\b", re.IGNORECASE)
# "5k newsletter subscribers by December" is about growing the list, not writing to it.
_LIST_GOAL = re.compile(r"\d[\d,.]*\s*[kK]?\s+(?:newsletter |email |blog )?(?:subscribers|subs|"
                        r"readers|signups)\b", re.IGNORECASE)


@hookimpl
def score_message(message: str, context: Any) -> list[Any] | None:
    if context is None:
        return None
    if _LIST_GOAL.search(message) and not re.search(r"\b(?:write|draft|outline)\b", message,
                                                    re.IGNORECASE):
        return [context.score("blog", -0.2, "about growing a list, not writing for it")]
    if _WRITE.search(message):
        return [context.score("blog", 0.15, "asks for a written piece")]
    return [context.score("blog")]


@hookimpl
def route_examples() -> dict[str, tuple[str, ...]]:
    """More requests like this task's, for the router's meaning signal."""
    return {"blog": MORE_EXAMPLES}
