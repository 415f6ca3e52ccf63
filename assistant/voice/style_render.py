"""The style card in words: the full card for `creator voice show` and its short prompt form."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from creator_assistant.voice.style import StyleCard

EMPTY = "No samples yet: add your own writing with `creator voice add PATH`."
SHORT_LIMIT = 60
_PERSON_WORDS = {"I": "first person (I)", "we": "first person plural (we)", "you": "second person (you)"}


def _num(value: float) -> str:
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}"


def _pairs(pairs: tuple[tuple[str, int], ...], unit: str = "") -> str:
    return ", ".join(f"{text} {count}{unit}" for text, count in pairs)


def _phrases(pairs: tuple[tuple[str, int], ...]) -> str:
    if not pairs:
        return "none recur"
    return ", ".join(f'"{text}" ({count} samples)' for text, count in pairs)


def render_card(c: StyleCard) -> str:
    if c.empty:
        return EMPTY if not c.samples else f"{c.samples} samples but no words in them yet. {EMPTY}"
    person = " · ".join(f"{name} {share:.0%}" for name, share in c.person) if any(
        share for _, share in c.person) else "none (no I, we or you)"
    emoji = (f"{_num(c.emoji_per_100_words)} per 100 words; most used {_pairs(c.top_emoji)}"
             if c.top_emoji else "none")
    tags = (f"{_num(c.hashtags_per_sample)} per sample; most used {_pairs(c.top_hashtags)}"
            if c.top_hashtags else "none")
    favourites = ", ".join(f"{w} ({n}, {times:.0f}x)" for w, n, times in c.favourite_words) or "none yet"
    lines = [
        f"Style card from {c.samples} samples ({c.words:,} words, {c.sentences:,} sentences)",
        f"Sentences: about {_num(c.sentence_words)} words (median); "
        f"paragraphs: about {_num(c.paragraph_sentences)} sentences",
        f"Reading level: grade {c.grade:.1f} (Flesch-Kincaid)",
        f"Person: {person}",
        f"Openers: {_phrases(c.openers)}",
        f"Sign-offs: {_phrases(c.signoffs)}",
        f"Emoji: {emoji}",
        f"Hashtags: {tags}",
        f"Questions: {_num(c.questions_per_100_sentences)} per 100 sentences; "
        f"exclamations: {_num(c.exclamations_per_100_sentences)} per 100 sentences",
        f"Words they use far more than usual: {favourites}",
    ]
    return "\n".join(lines)


def _length(words: float) -> str:
    kind = "short" if words <= 12 else "medium-length" if words <= 20 else "long"
    return f"{kind} sentences (about {_num(words)} words)"


def short_card(c: StyleCard) -> str:
    """Most telling first; the least telling parts go until it fits in SHORT_LIMIT words."""
    if c.empty:
        return ""
    parts = [_length(c.sentence_words)]
    top = max(c.person, key=lambda p: p[1])
    if top[1] >= 0.5:
        parts.append(_PERSON_WORDS[top[0]])
    if c.openers:
        parts.append(f"opens with '{c.openers[0][0]}'")
    if c.signoffs:
        parts.append(f"signs off '{c.signoffs[0][0]}'")
    if not c.top_emoji:
        parts.append("no emoji")
    else:
        parts.append(f"about {_num(c.emoji_per_100_words)} emoji per 100 words "
                     f"({' '.join(e for e, _ in c.top_emoji[:3])})")
    if c.top_hashtags and c.hashtags_per_sample >= 0.5:
        parts.append(f"hashtags like {' '.join(t for t, _ in c.top_hashtags[:3])}")
    if c.questions_per_100_sentences >= 10:
        parts.append("asks questions often")
    if c.exclamations_per_100_sentences >= 10:
        parts.append("uses exclamation marks often")
    parts.append(f"reading level about grade {max(1, round(c.grade))}")
    if c.favourite_words:
        parts.append("favourite words: " + ", ".join(w for w, _, _ in c.favourite_words[:5]))
    text = _join(parts)
    while len(text.split()) > SHORT_LIMIT and len(parts) > 1:
        parts.pop(_drop_index(parts))
        text = _join(parts)
    return text


def _join(parts: list[str]) -> str:
    return "Write like this creator: " + ", ".join(parts) + "."


def _drop_index(parts: list[str]) -> int:
    """Which part to give up first: reading level, then punctuation habits, hashtags, then the last."""
    for prefix in ("reading level", "uses exclamation", "asks questions", "hashtags", "about ", "no emoji"):
        for i, part in enumerate(parts):
            if part.startswith(prefix):
                return i
    return len(parts) - 1
