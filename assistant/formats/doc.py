"""A reply made of `## Title` sections in a fixed order: grammar and check from one spec."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from creator_assistant.formats.gbnf import grammar, literal, text_rule

BODIES = ("para", "bullets", "numbered")


@dataclass(frozen=True)
class Section:
    """One `## title` section: a paragraph of 1..most lines, or a list of least..most items."""

    title: str
    body: str = "para"
    most: int = 3
    least: int = 1
    words: int = 30  # the most words on one line or item
    after_title: str = ""  # GBNF for the rest of the heading line, e.g. a score
    item_head: str = ""  # GBNF that starts every bullet, e.g. a priority tag


def section_rules(sections: tuple[Section, ...], prefix: str = "s") -> tuple[str, list[str]]:
    """The root sequence and the rules for `sections`, named `<prefix>0`, `<prefix>1`, ..."""
    parts, rules, texts = [], [], set()
    for i, sec in enumerate(sections):
        name = f"{prefix}{i}"
        text = f"text{sec.words}"
        if text not in texts:
            texts.add(text)
            rules.append(text_rule(text, sec.words))
        head = (f"{literal(f'## {sec.title} ')} {sec.after_title}" if sec.after_title
                else literal(f"## {sec.title}"))
        if sec.body == "numbered":
            body = numbered(text, sec.least, sec.most)
        else:
            bullet = f'"- " {sec.item_head} ' if sec.item_head else '"- " '
            item = f'{bullet}{text} "\\n"' if sec.body == "bullets" else f'{text} "\\n"'
            body = f"({item}){{{sec.least},{sec.most}}}"
        rules.append(f'{name} ::= {head} "\\n" {body}\n')
        parts.append(name)
    # A blank line between sections keeps the Markdown readable.
    return ' "\\n" '.join(parts), rules


def numbered(text: str, least: int, most: int) -> str:
    """GBNF for a list numbered 1., 2., ... with least..most items of rule `text`."""
    body = " ".join(f'"{i}. " {text} "\\n"' for i in range(1, least + 1))
    tail = ""
    for i in range(most, least, -1):
        tail = f'("{i}. " {text} "\\n" {tail})?'
    return f"{body} {tail}".strip()


def doc_grammar(sections: tuple[Section, ...], intro: str = "") -> str:
    """A grammar for the whole document: an optional literal first line, then every section."""
    root, rules = section_rules(sections)
    if intro:
        root = f'{literal(intro)} "\\n\\n" {root}'
    return grammar(root, *rules)


_HEADING = re.compile(r"^##\s+(.+?)\s*$", re.MULTILINE)
_ITEM = re.compile(r"^\s*(?:[-*\u2022]|\d+[.)])\s+\S")


def split_sections(text: str) -> list[tuple[str, str]]:
    """Every `## heading` in order, with the text under it up to the next one."""
    found = list(_HEADING.finditer(text))
    out = []
    for i, m in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else len(text)
        out.append((m.group(1), text[m.end():end].strip()))
    return out


def items(body: str) -> list[str]:
    """The list items (`- x`, `* x`, `1. x`) in a section body."""
    return [line.strip() for line in body.splitlines() if _ITEM.match(line)]


def check_sections(text: str, sections: tuple[Section, ...]) -> list[str]:
    """What is missing, out of order or empty among `sections`; an empty list when all is well."""
    found = split_sections(text)
    titles = [_plain(h) for h, _ in found]
    problems: list[str] = []
    last = -1
    for sec in sections:
        want = _plain(sec.title)
        index = next((i for i, t in enumerate(titles) if t.startswith(want)), None)
        if index is None:
            problems.append(f"missing section '{sec.title}'")
            continue
        if index < last:
            problems.append(f"section '{sec.title}' is out of order")
        last = max(last, index)
        body = found[index][1]
        if not body:
            problems.append(f"section '{sec.title}' is empty")
        elif sec.body != "para":
            n = len(items(body))
            if n < sec.least:
                problems.append(f"section '{sec.title}' has {n} items; it needs {sec.least}")
    return problems


def section_body(text: str, title: str) -> str | None:
    """The body under the first heading that starts with `title`, or None."""
    want = _plain(title)
    for heading, body in split_sections(text):
        if _plain(heading).startswith(want):
            return body
    return None


def _plain(heading: str) -> str:
    return re.sub(r"[^a-z0-9/]+", " ", heading.lower()).strip()


def sections_format(name: str, description: str, sections: tuple[Section, ...],
                    more_checks: Callable[[str], list[str]] | None = None):
    """A Format whose grammar and check both come from `sections`; `more_checks(text)` lists
    what else is wrong in a reply, for rules the sections alone cannot say."""
    from creator_assistant.formats import Format

    def check(text: str, fields) -> list[str]:
        problems = check_sections(text, sections)
        return problems + more_checks(text) if more_checks else problems

    return Format(name, description, lambda fields: doc_grammar(sections), check)
