"""Caption files as YouTube exports them (`.srt`, `.vtt`, `.sbv`) turned into prose: cue
numbers, timestamps, cue settings and tags dropped, rolling-caption repeats said once."""

from __future__ import annotations

import html
import re

SUFFIXES = (".srt", ".vtt", ".sbv")

_ARROW = re.compile(r"^\s*(\d+:)?\d{1,2}:\d{2}[.,]\d{1,3}\s*-->\s*(\d+:)?\d{1,2}:\d{2}[.,]\d{1,3}")
_SBV_TIME = re.compile(r"^\s*\d+:\d{2}:\d{2}\.\d{1,3},\d+:\d{2}:\d{2}\.\d{1,3}\s*$")
_TAG = re.compile(r"<[^>]*>")  # <c>, </c>, <00:00:01.240>, <i>, <font ...>, <v Name>
_ASS = re.compile(r"\{\\[^}]*\}")  # {\an8} placement codes some .srt files carry
_INLINE_SOUND = re.compile(r"\[[A-Za-z ]{2,20}\]")  # [Music] inside a line
_SOUND = re.compile(r"^\s*[\[(♪][^\])]*[\])♪]?\s*$")  # [Music], [Applause], ♪ ... ♪


def _is_time(line: str) -> bool:
    return bool(_ARROW.match(line) or _SBV_TIME.match(line))


def cue_lines(text: str) -> list[str]:
    """The text lines of every cue, in order, cleaned of tags. A cue runs from its timestamp
    line to the next empty line, so the WEBVTT header, NOTE, STYLE and REGION blocks and cue
    ids are left out, while YouTube's whitespace-only first line stays inside its cue."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    out, in_cue = [], False
    for i, raw in enumerate(lines):
        if _is_time(raw):
            in_cue = True
            continue
        if not raw:
            in_cue = False
            continue
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if not in_cue or (raw.strip().isdigit() and _is_time(nxt)):
            continue  # outside a cue, or the next cue's number after a whitespace-only line
        line = html.unescape(_ASS.sub("", _TAG.sub("", raw)))
        line = " ".join(_INLINE_SOUND.sub("", line).replace("\u200b", "").split())
        if line and not _SOUND.match(line):
            out.append(line)
    return out


def unrolled(lines: list[str]) -> list[str]:
    """Rolling captions said once: a line repeating one of the last two kept is dropped, and a
    line that grows the previous one (word by word captions) replaces it."""
    kept: list[str] = []
    for line in lines:
        if line in kept[-2:]:
            continue
        if kept and line.startswith(kept[-1] + " "):
            kept[-1] = line
            continue
        kept.append(line)
    return kept


def prose(text: str) -> str:
    """A caption file's words as one paragraph of prose."""
    return " ".join(unrolled(cue_lines(text)))
