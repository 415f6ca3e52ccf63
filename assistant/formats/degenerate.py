"""Degenerate text: a reply whose structure is right but whose words say nothing.

A grammar keeps every heading in place even when a weak model has nothing to say, so a reply
can pass its format's check while every section holds `(0:40-60)` or `15th 15th 15th`. This
module reads the words under the headings and names what looks like a loop or filler:

- a line repeated many times (a long sentence: three times);
- a word or short phrase repeated many times in a row, or making up most of a section;
- a section that holds no words of its own: only its own heading (or words from the reply's
  headings), timestamps, numbers or punctuation;
- very low word variety over a long stretch.

The limits were set against real replies: SmolLM2-135M-Instruct under the formats' grammars
(its readable replies pass; those where it wrote one section four times, echoed its prompt into
three sections or listed the headings as the content do not), the pre-trained Gemma 3 270M under
the script grammar (every timed section only timestamps), and the random-weight demo model,
which at low temperature loops (`was focus was focus ...`). Some are kept in tests/data/replies/.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

# A line seen this often (outside headings) is a loop, not a list; a sentence of LONG_LINE words
# or more, said word for word LONG_REPEATS times, is filler (a 135M model echoing its prompt).
LINE_REPEATS = 4
LONG_LINE, LONG_REPEATS = 10, 3
# A word or a phrase of up to PHRASE_MOST words said this many times in a row.
RUN_REPEATS = 4
PHRASE_MOST = 6
# A section of at least DOMINANT_MIN words of which one word or phrase covers this share.
DOMINANT_MIN = 16
DOMINANT_SHARE = 0.5
# Over any WINDOW running words, fewer than VARIETY_MIN different ones.
WINDOW = 60
VARIETY_MIN = 0.3

_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
# What starts a line before the model's own words: list marks and a tag like `[High]`, then
# maybe a label of one or two words like `Visuals:`, `Text overlays:` or `H2:` (the grammar
# writes most of these). Lines are compared without labels; a section's words include them
# (`CTR: 5.2%` says something).
_LIST_MARK = re.compile(r"^\s*(?:(?:[-*+\u2022]|\d+[.)])\s+)*(?:\[[^\]]{1,20}\]\s+)?")
_LABEL = re.compile(r"^[A-Z][\w/-]*(?: [\w/-]+)?:\s+")
_STAMP = re.compile(r"^\d+(?::\d+)+(?:\s*[-\u2013\u2014]\s*\d+(?::\d+)*)?$|^\d+[-\u2013\u2014]\d+$")
_NUMBER = re.compile(r"^[+-]?\d[\d.,/%]*(?:st|nd|rd|th|s|k|m|x|%)?$", re.IGNORECASE)
_EDGE = re.compile(r"^[^\w]+|[^\w]+$")
_TIME_IN_HEADING = re.compile(r"\(\s*\d+(?::\d\d){1,2}\s*[-\u2013\u2014]\s*\d+(?::\d\d){1,2}\s*\)")


@dataclass(frozen=True)
class Part:
    """One section of a reply: its heading as the reader would name it, and its body lines."""

    name: str
    heading: str
    lines: tuple[str, ...]

    @property
    def tokens(self) -> list[str]:
        return [t for line in self.lines for t in tokens(line)]

    @property
    def words(self) -> list[str]:
        """Every word of the body, labels included."""
        return [t for line in self.lines for t in tokens(line, labels=True)]


def degenerate_problems(text: str) -> list[str]:
    """What looks degenerate in `text`, each named in plain words with where it is; an empty
    list for an ordinary reply."""
    parts = split_parts(text)
    problems = repeated_lines(parts)
    headings = {w for part in parts for w in tokens(part.heading)}
    empty: dict[str, list[str]] = {}  # what a wordless section holds -> the sections
    looped: dict[str, tuple[int, list[str]]] = {}  # a phrase -> most repeats, the sections
    for part in parts:
        kind = no_words(part, headings)
        if kind:
            empty.setdefault(kind, []).append(part.name)
            continue
        run = runs(part)
        if run:
            phrase, repeats = run
            most, names = looped.get(phrase, (0, []))
            looped[phrase] = (max(most, repeats), [*names, part.name])
            continue
        found = dominant(part)
        if found:
            problems.append(found)
    for phrase, (repeats, names) in looped.items():
        what = "word" if " " not in phrase else "phrase"
        times = f"{repeats} times" if len(names) == 1 else f"up to {repeats} times"
        problems.append(f"the {what} '{_quote(phrase)}' repeats {times} in a row in "
                        f"{_sections(names)}")
    for kind, names in empty.items():
        problems.append(f"{_sections(names)} {'holds' if len(names) == 1 else 'hold'} "
                        f"only {kind}")
    if not problems:
        problems += low_variety(parts)
    return problems


def split_parts(text: str) -> list[Part]:
    """The reply cut at its Markdown headings; text before the first heading is a part too."""
    parts: list[Part] = []
    name, heading = "the start of the reply", ""
    lines: list[str] = []
    for line in text.splitlines():
        match = _HEADING.match(line)
        if match:
            if any(x.strip() for x in lines):
                parts.append(Part(name, heading, tuple(lines)))
            heading, lines = match.group(1), []
            name = section_name(heading)
        else:
            lines.append(line)
    if any(x.strip() for x in lines):
        parts.append(Part(name, heading, tuple(lines)))
    return parts


def last_section(text: str) -> str:
    """The name of the last section a reply reached, or '' when it has no heading."""
    headings = [m.group(1) for m in map(_HEADING.match, text.splitlines()) if m]
    return section_name(headings[-1]) if headings else ""


def section_name(heading: str) -> str:
    """A heading as a reader names it: `[PART 2] (2:45-5:00) Sleeping cheap` is 'PART 2'."""
    label = re.match(r"^\W*\[([^\]]+)\]", heading)
    if label:
        return label.group(1).strip()
    plain = " ".join(_TIME_IN_HEADING.sub(" ", heading).split())
    return plain if len(plain) <= 40 else plain[:39].rstrip() + "\u2026"


def tokens(line: str, labels: bool = False) -> list[str]:
    """The words of a line, lower-cased, without surrounding punctuation; bare punctuation,
    list marks and (unless `labels`) a leading label are dropped."""
    out = []
    rest = _LIST_MARK.sub("", line, count=1)
    for raw in (rest if labels else _LABEL.sub("", rest, count=1)).split():
        word = _EDGE.sub("", raw.lower())
        if word:
            out.append(word)
    return out


def is_word(token: str) -> bool:
    return bool(re.search(r"[^\W\d_]", token)) and not _NUMBER.match(token)


def repeated_lines(parts: list[Part]) -> list[str]:
    """A body line (list marks and case aside) that comes back LINE_REPEATS times or more (a long
    one LONG_REPEATS times): the most repeated one, and how many others do the same (a repeated
    block repeats them all)."""
    seen: Counter[str] = Counter()
    where: dict[str, list[str]] = {}
    shown: dict[str, str] = {}  # as first written
    for part in parts:
        for line in part.lines:
            key = " ".join(tokens(line))
            if key:
                seen[key] += 1
                shown.setdefault(key, _LABEL.sub("", _LIST_MARK.sub("", line.strip(), count=1)))
                names = where.setdefault(key, [])
                if part.name not in names:
                    names.append(part.name)
    looping = [(key, n) for key, n in seen.most_common()
               if n >= (LONG_REPEATS if len(key.split()) >= LONG_LINE else LINE_REPEATS)]
    if not looping:
        return []
    key, count = looping[0]
    said = f"the line '{_quote(shown[key])}' appears {count} times (in {_sections(where[key])})"
    if len(looping) > 1:
        others = len(looping) - 1
        lines = "1 other line also comes" if others == 1 else f"{others} other lines also come"
        said += f"; {lines} back {LONG_REPEATS} times or more"
    return [said]


def no_words(part: Part, headings: set[str]) -> str:
    """What a section holds when it holds no words of its own, or '' when it has some:
    `headings` are the words of every heading in the reply."""
    body = part.words
    if not body and any(line.strip() for line in part.lines):
        return "punctuation"
    words = [t for t in body if is_word(t)]
    if not words:
        stamps = sum(1 for t in body if _STAMP.match(t))
        if stamps == len(body):
            return "timestamps"
        return "timestamps and numbers" if stamps else "numbers"
    own = set(tokens(part.heading))
    if own and all(w in own for w in words):
        return "its own heading"
    if all(w in headings for w in words):
        return "words from the reply's headings"
    return ""


def runs(part: Part) -> tuple[str, int] | None:
    """The word or short phrase that repeats most often in a row in a section, and how often,
    when that is RUN_REPEATS times or more."""
    toks = part.tokens
    best: tuple[int, int, int] = (0, 0, 0)  # repeats, n, start
    for n in range(1, PHRASE_MOST + 1):
        i = 0
        while i + n < len(toks):
            j = i
            while j + n < len(toks) and toks[j] == toks[j + n]:
                j += 1
            repeats = 1 + (j - i) // n
            if repeats > best[0] and not _shorter_period(toks[i:i + n]):
                best = (repeats, n, i)
            i = max(j, i + 1)
    repeats, n, start = best
    if repeats < RUN_REPEATS:
        return None
    return " ".join(toks[start:start + n]), repeats


def _shorter_period(phrase: list[str]) -> bool:
    """Whether `phrase` is itself a shorter phrase repeated (found already at that length)."""
    n = len(phrase)
    return any(n % p == 0 and phrase == phrase[:p] * (n // p) for p in range(1, n))


def dominant(part: Part) -> str:
    """One word or phrase that makes up DOMINANT_SHARE of a section's words or more."""
    toks = part.tokens
    if len(toks) < DOMINANT_MIN:
        return ""
    for n in (3, 2, 1):
        grams = Counter(tuple(toks[i:i + n]) for i in range(len(toks) - n + 1))
        gram, count = grams.most_common(1)[0]
        if count >= RUN_REPEATS and count * n / len(toks) >= DOMINANT_SHARE:
            what = "word" if n == 1 else "phrase"
            return (f"the {what} '{_quote(' '.join(gram))}' makes up {count * n} of the "
                    f"{len(toks)} words in section '{part.name}'")
    return ""


def low_variety(parts: list[Part]) -> list[str]:
    """Over WINDOW running words anywhere in the reply, fewer than VARIETY_MIN different."""
    stream = [(t, part.name) for part in parts for t in part.tokens]
    if len(stream) < WINDOW:
        return []
    worst, at = WINDOW + 1, 0
    for i in range(0, len(stream) - WINDOW + 1, 5):
        distinct = len({t for t, _ in stream[i:i + WINDOW]})
        if distinct < worst:
            worst, at = distinct, i
    if worst >= VARIETY_MIN * WINDOW:
        return []
    names = list(dict.fromkeys(name for _, name in stream[at:at + WINDOW]))
    return [f"very little variety: {worst} different words in {WINDOW} running words "
            f"(in {_sections(names)})"]


def _sections(names: list[str]) -> str:
    quoted = [f"'{n}'" for n in names]
    if len(quoted) == 1:
        return f"section {quoted[0]}"
    if len(quoted) > 4:
        quoted = quoted[:3] + [f"{len(names) - 3} more"]
    return "sections " + ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _quote(text: str, most: int = 40) -> str:
    return text if len(text) <= most else text[:most - 1].rstrip() + "\u2026"
