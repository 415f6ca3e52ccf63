"""Text pieces the style card counts: words, sentences, paragraphs, syllables, emoji and hashtags."""

from __future__ import annotations

import re
from functools import lru_cache

URL = re.compile(r"https?://\S+|www\.\S+")
MENTION = re.compile(r"(?<![\w@])@\w+")
HASHTAG = re.compile(r"(?<![\w#&/])#([^\W\d_][\w]*|\d+[^\W\d_][\w]*)")
WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")
_MARKUP = re.compile(r"^\s*(?:#{1,6}\s+|>\s*|[-*+•]\s+|\d+[.)]\s+)")
_TERMINAL = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+")
_ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "vs", "e.g", "i.e", "approx", "no",
                  "fig", "mt", "ft", "ca"}

# Emoji without a dependency: pictographs, dingbats and symbols, with their variation selector, skin
# tones and zero-width-joiner sequences counted as one; a pair of regional indicators is one flag.
_BASE = ("\U0001F000-\U0001F1E5\U0001F200-\U0001F3FA\U0001F400-\U0001FAFF\u2600-\u27BF\u231A\u231B"
         "\u23E9-\u23FA\u2B05-\u2B07\u2B1B\u2B1C\u2B50\u2B55\u2934\u2935\u3030\u303D\u3297\u3299")
_TEXT_SYMBOL = ("\u00A9\u00AE\u203C\u2049\u2122\u2139\u2194-\u2199\u21A9\u21AA\u24C2\u25AA\u25AB"
                "\u25B6\u25C0\u25FB-\u25FE")
_TAIL = "[\uFE0F\U0001F3FB-\U0001F3FF]*"
_ONE = f"(?:[{_BASE}]|[{_TEXT_SYMBOL}]\uFE0F){_TAIL}"
EMOJI = re.compile(f"[\U0001F1E6-\U0001F1FF]{{2}}|[0-9#*]\uFE0F?\u20E3|{_ONE}(?:\u200D{_ONE})*")


_HAS_WORD = re.compile(r"[^\W_]")


def clean(text: str) -> str:
    """The text without links and @mentions (neither is the creator's wording)."""
    return MENTION.sub(" ", URL.sub(" ", text))


def prose(text: str) -> str:
    """The text without links, mentions or hashtags, with plain line breaks."""
    return HASHTAG.sub(" ", clean(text.replace("\r\n", "\n").replace("\r", "\n")))


def words(text: str) -> list[str]:
    """The words of `text`, as written, without hashtags, links or mentions."""
    return WORD.findall(prose(text))


def paragraphs(text: str) -> list[str]:
    """Blocks separated by a blank line, each with at least one word (`text` as `prose` gives it)."""
    return [b.strip() for b in re.split(r"\n\s*\n", text) if _HAS_WORD.search(b)]


def sentences(paragraph: str) -> list[str]:
    """The sentences of one paragraph, each with at least one word.

    A sentence ends at . ! ? or … followed by a space, or at a line break unless the next line starts
    in lower case (hard-wrapped prose goes on); a list item or heading line is a sentence of its own.
    """
    units: list[str] = []
    for line in paragraph.split("\n"):
        line = line.strip()
        if not line:
            continue
        starts_item = bool(_MARKUP.match(line))
        line = _MARKUP.sub("", line)
        if units and not starts_item and line[:1].islower():
            units[-1] += " " + line
        else:
            units.append(line)
    out: list[str] = []
    for unit in units:
        pieces = _TERMINAL.split(unit)
        merged: list[str] = []
        for piece in pieces:
            if merged and _ends_with_abbreviation(merged[-1]):
                merged[-1] += " " + piece
            else:
                merged.append(piece)
        out.extend(p.strip() for p in merged if _HAS_WORD.search(p))
    return out


def _ends_with_abbreviation(piece: str) -> bool:
    if not piece.endswith("."):
        return False
    last = piece.rsplit(None, 1)[-1].rstrip(".").lower()
    return last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha())


def emoji(text: str) -> list[str]:
    return EMOJI.findall(text)


def hashtags(text: str) -> list[str]:
    return ["#" + tag.lower() for tag in HASHTAG.findall(clean(text))]


_VOWELS = re.compile(r"[aeiouy]+")
_SPLIT_PAIRS = re.compile(r"(?:ia|io|eo|oe(?!s?$)|ua|uo|ii|iu|ea(?=s?$|te)|ie(?=r|t|nc|nt)|[aeiouy]i(?=ng))")
_SILENT_ED = re.compile(r"[^aeioudt]ed$")
_SILENT_ES = re.compile(r"[^aeiouy]es$")
_SOUNDED_ES = ("ses", "ces", "xes", "zes", "ches", "shes", "ges")
_ONE_SYLLABLE_IO = re.compile(r"(?:[cgst]io|[cst]ia|geo)")
_EXCEPTIONS = {"every": 2, "everything": 3, "everyone": 3, "everybody": 4, "everywhere": 3,
               "something": 2, "someone": 2, "sometimes": 2, "somewhere": 2, "somehow": 2,
               "business": 2, "recipe": 3, "people": 2, "maybe": 2, "before": 2, "whatever": 3,
               "anyone": 3, "lifestyle": 2, "awesome": 2, "evening": 2, "interest": 2, "interesting": 3}


@lru_cache(maxsize=1 << 16)
def syllables(word: str) -> int:
    """An estimate of the syllables in one English word (vowel groups with the common corrections)."""
    w = re.sub(r"[^a-z]", "", word.lower())
    if not w:
        return 0
    if len(w) <= 3:
        return 1
    if w in _EXCEPTIONS:
        return _EXCEPTIONS[w]
    count = len(_VOWELS.findall(w))
    if w.endswith("e") and not w.endswith(("le", "ee", "ye", "oe")) and count > 1:
        count -= 1  # a silent final e: make, compute
    elif w.endswith("le") and len(w) > 2 and w[-3] in "aeiouy" and count > 1:
        count -= 1  # a final le after a vowel is silent: whale, mile
    elif _SILENT_ED.search(w) and count > 1:
        count -= 1  # jumped, played; but wanted, needed
    elif _SILENT_ES.search(w) and not w.endswith(_SOUNDED_ES) and count > 1:
        count -= 1  # makes, hopes; but boxes, wishes, pages
    for m in _SPLIT_PAIRS.finditer(w):
        if not _ONE_SYLLABLE_IO.match(w, max(0, m.start() - 1)):
            count += 1  # two vowels heard apart: video, piano, create; not nation, special
    return max(1, count)
