"""Timestamps for scripts: the section plan for a length, and reading `(m:ss-m:ss)` back."""

from __future__ import annotations

import math
import re

MARKER = re.compile(
    r"^[#*\s]*\[(?P<label>[A-Z][A-Z ]*?(?:\s*\d+)?)\]\**\s*"
    r"\((?P<start>\d+(?::\d\d){1,2})\s*[-\u2013\u2014]\s*(?P<end>\d+(?::\d\d){1,2})\)"
    r"(?P<rest>.*)$",
    re.MULTILINE,
)


def clock(seconds: int) -> str:
    """`seconds` as m:ss, or h:mm:ss from an hour on."""
    h, rest = divmod(int(seconds), 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def seconds(stamp: str) -> int:
    """`m:ss` or `h:mm:ss` as seconds."""
    total = 0
    for part in stamp.split(":"):
        total = total * 60 + int(part)
    return total


def long_plan(duration: int) -> list[tuple[str, int, int]]:
    """HOOK 0-5 s, INTRO 5-30 s, main parts of about 2.5 minutes each, then the CTA at the end."""
    cta = 30 if duration >= 180 else 15
    start, end = 30, duration - cta
    n = max(1, min(6, math.ceil((end - start) / 150)))
    marks = [start + round((end - start) * i / n / 5) * 5 for i in range(n)] + [end]
    plan = [("HOOK", 0, 5), ("INTRO", 5, 30)]
    plan += [(f"PART {i + 1}", marks[i], marks[i + 1]) for i in range(n)]
    return plan + [("CTA", end, duration)]


def short_plan(duration: int) -> list[tuple[str, int, int]]:
    """A short: a 3-5 s hook, one beat per 20 s or so, and a call to action in the last seconds."""
    hook = 3 if duration <= 30 else 5
    cta = 3 if duration <= 30 else 5
    start, end = hook, duration - cta
    n = max(1, min(3, round((end - start) / 20)))
    marks = [start + round((end - start) * i / n) for i in range(n)] + [end]
    plan = [("HOOK", 0, hook)]
    plan += [(f"BEAT {i + 1}", marks[i], marks[i + 1]) for i in range(n)]
    return plan + [("CTA", end, duration)]


def read_markers(text: str) -> list[tuple[str, int, int, str]]:
    """Every `[LABEL] (start-end)` line: label, start and end in seconds, and the text under it."""
    found = list(MARKER.finditer(text))
    out = []
    for i, m in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else len(text)
        body = text[m.end():end].split("\n## ")[0]  # a later `## Notes` section is not the body
        out.append((m.group("label").strip(), seconds(m.group("start")),
                    seconds(m.group("end")), body))
    return out


def check_timeline(text: str, duration: int, first: list[tuple[str, int, int]],
                   part: str) -> list[str]:
    """Check the fixed opening blocks, contiguous parts, and a CTA that ends at `duration`."""
    found = read_markers(text)
    problems: list[str] = []
    labels = [f[0] for f in found]
    for label, start, end in first:
        if label not in labels:
            problems.append(f"missing [{label}] ({clock(start)}-{clock(end)})")
            continue
        _, s, e, _ = found[labels.index(label)]
        if (s, e) != (start, end):
            problems.append(f"[{label}] should be {clock(start)}-{clock(end)}, "
                            f"not {clock(s)}-{clock(e)}")
    parts = [f for f in found if f[0].startswith(part)]
    if not parts:
        problems.append(f"no [{part} 1] section with timestamps")
    if "CTA" not in labels:
        return problems + ["missing [CTA]"]
    timeline = [f for f in found if f[0] not in {label for label, _, _ in first}]
    at = first[-1][2] if first else 0
    for label, s, e, _ in timeline:
        if s != at:
            problems.append(f"[{label}] starts at {clock(s)}; the part before ends at "
                            f"{clock(at)}")
        if e <= s:
            problems.append(f"[{label}] ends before it starts")
        at = e
    if timeline and timeline[-1][0] != "CTA":
        problems.append("[CTA] is not the last section")
    if at != duration:
        problems.append(f"the sections add up to {clock(at)}, not the requested {clock(duration)}")
    for label, _, _, body in found:
        if not _words(body):
            problems.append(f"[{label}] has no text")
    return problems


def _words(text: str) -> bool:
    return bool(re.search(r"[A-Za-z0-9\u00C0-\u024F]", text))
