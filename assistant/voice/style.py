"""The style card: how the creator writes, counted from their own samples (nothing is generated).

`card(texts)` measures sentence and paragraph length, reading level, person, recurring openers and
sign-offs, emoji and hashtag habits, questions and exclamations, and the words they use far more
than general English does. `stylometric_distance` compares two sets of texts by function words.
"""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

from creator_assistant.voice import style_text as tx
from creator_assistant.voice.style_render import render_card, short_card
from creator_assistant.voice.style_words import FUNCTION_WORDS, PERSONS, is_content, log_ratio

MIN_COUNT = 3  # a favourite word comes at least this often in all the samples together
FAR = 10.0  # ... and at least this many times more often than in general English
TOP = 5
_END = re.compile(r"[.!?…]+(?=[^\w.!?…]*$)")

Counts = tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class StyleCard:
    samples: int
    words: int
    sentences: int
    sentence_words: float  # median words per sentence
    paragraph_sentences: float  # median sentences per paragraph
    grade: float  # Flesch-Kincaid grade level
    person: tuple[tuple[str, float], ...]  # shares of I, we and you among those pronouns
    openers: Counts  # recurring first words, with the number of samples that open so
    signoffs: Counts  # recurring last words or lines, likewise
    emoji_per_100_words: float
    top_emoji: Counts
    hashtags_per_sample: float
    top_hashtags: Counts
    questions_per_100_sentences: float
    exclamations_per_100_sentences: float
    favourite_words: tuple[tuple[str, int, float], ...]  # word, count, times its usual rate

    @property
    def empty(self) -> bool:
        return self.words == 0

    def render(self) -> str:
        """The whole card as plain text lines, for `creator voice show`."""
        return render_card(self)

    def short(self) -> str:
        """At most about 60 words of instructions for a content task's prompt ('' when empty)."""
        return short_card(self)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["empty"] = self.empty
        return data


def card(texts: list[str]) -> StyleCard:
    """The style card of the creator's samples; blank ones are left out, none gives an empty card."""
    samples = [t for t in texts if t and t.strip()]
    all_words: list[str] = []
    sentence_lengths: list[int] = []
    paragraph_lengths: list[int] = []
    questions = exclamations = syllables = 0
    emoji: Counter[str] = Counter()
    hashtags: Counter[str] = Counter()
    openers: list[list[tuple[str, ...]]] = []
    signoffs: list[list[tuple[str, ...]]] = []
    surface: dict[tuple[str, ...], str] = {}
    sample_words: list[set[str]] = []
    for text in samples:
        plain = tx.prose(text)
        words: list[str] = []
        for paragraph in tx.paragraphs(plain):
            found = tx.sentences(paragraph)
            paragraph_lengths.append(len(found))
            for sentence in found:
                in_sentence = tx.WORD.findall(sentence)
                words.extend(in_sentence)
                sentence_lengths.append(len(in_sentence))
                end = _END.search(sentence)
                questions += bool(end and "?" in end.group())
                exclamations += bool(end and "!" in end.group())
        all_words.extend(words)
        syllables += sum(tx.syllables(w.lower()) or 1 for w in words)
        emoji.update(tx.emoji(text))
        hashtags.update(tx.hashtags(text))
        openers.append(_ngrams(words, surface, head=True))
        signoffs.append(_ngrams(words, surface, head=False) + _last_line(plain, surface))
        sample_words.append({w.lower().replace("’", "'") for w in words})
    lower = [w.lower().replace("’", "'") for w in all_words]
    n_words, n_sentences = len(lower), len(sentence_lengths)
    grade = 0.0
    if n_words and n_sentences:
        grade = 0.39 * n_words / n_sentences + 11.8 * syllables / n_words - 15.59
    recurring_open = _recurring(openers, surface, len(samples), head=True)
    recurring_close = _recurring(signoffs, surface, len(samples), head=False)
    habits = {w.lower() for phrase, _ in recurring_open + recurring_close for w in phrase.split()}
    return StyleCard(
        samples=len(samples), words=n_words, sentences=n_sentences,
        sentence_words=_median(sentence_lengths), paragraph_sentences=_median(paragraph_lengths),
        grade=round(grade, 1), person=_person(lower),
        openers=recurring_open, signoffs=recurring_close,
        emoji_per_100_words=_per(sum(emoji.values()), n_words, 100),
        top_emoji=_top(emoji), hashtags_per_sample=_per(sum(hashtags.values()), len(samples), 1),
        top_hashtags=_top(hashtags),
        questions_per_100_sentences=_per(questions, n_sentences, 100),
        exclamations_per_100_sentences=_per(exclamations, n_sentences, 100),
        favourite_words=_favourites(lower, sample_words, habits),
    )


def _median(values: list[int]) -> float:
    return round(float(statistics.median(values)), 1) if values else 0.0


def _per(count: int, total: int, scale: int) -> float:
    return round(scale * count / total, 2) if total else 0.0


def _top(counter: Counter[str]) -> Counts:
    return tuple(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP])


def _person(lower: list[str]) -> tuple[tuple[str, float], ...]:
    counts = {name: sum(1 for w in lower if w in forms) for name, forms in PERSONS.items()}
    total = sum(counts.values())
    return tuple((name, round(c / total, 3) if total else 0.0) for name, c in counts.items())


def _key(words: list[str]) -> tuple[str, ...]:
    return tuple(w.lower().replace("’", "'") for w in words)


def _ngrams(words: list[str], surface: dict[tuple[str, ...], str], head: bool) -> list[tuple[str, ...]]:
    out = []
    for n in (2, 3, 4):
        if len(words) >= n:
            piece = words[:n] if head else words[-n:]
            surface.setdefault(_key(piece), " ".join(piece))
            out.append(_key(piece))
    return out


def _last_line(plain: str, surface: dict[tuple[str, ...], str]) -> list[tuple[str, ...]]:
    lines = [found for line in plain.split("\n") if (found := tx.WORD.findall(line))]
    words = lines[-1] if lines else []
    if not 1 <= len(words) <= 8:
        return []
    surface.setdefault(_key(words), " ".join(words))
    return [_key(words)]


def _recurring(per_sample: list[list[tuple[str, ...]]], surface: dict[tuple[str, ...], str],
               samples: int, head: bool) -> Counts:
    """Phrases in at least 2 samples and 10% of them; a phrase inside a longer one as common is dropped."""
    counts: Counter[tuple[str, ...]] = Counter()
    for keys in per_sample:
        counts.update(set(keys))
    need = max(2, math.ceil(0.1 * samples))
    kept = {k: c for k, c in counts.items() if c >= need}

    def inside(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
        return len(long) > len(short) and (long[:len(short)] if head else long[-len(short):]) == short

    best = [k for k, c in kept.items() if not any(inside(k, o) and kept[o] == c for o in kept)]
    best.sort(key=lambda k: (-kept[k], -len(k), k))
    return tuple((surface[k], kept[k]) for k in best[:3])


def _favourites(lower: list[str], samples: list[set[str]],
                skip: set[str]) -> tuple[tuple[str, int, float], ...]:
    """Content words at least FAR times their general rate, scored by count * ln(ratio).

    Words of the recurring openers and sign-offs are left out: the card shows those habits already.
    """
    counts = Counter(w for w in lower if is_content(w) and w not in skip)
    spread: Counter[str] = Counter()
    if len(samples) > 1:
        for seen in samples:
            spread.update(seen & counts.keys())
    scored = []
    for word, count in counts.items():
        if count < MIN_COUNT or (len(samples) > 1 and spread[word] < 2):
            continue
        ratio = log_ratio(count, len(lower), word)
        if ratio >= math.log(FAR):
            scored.append((count * ratio, word, count, math.exp(ratio)))
    scored.sort(key=lambda s: (-s[0], s[1]))
    return tuple((word, count, round(times, 1)) for _, word, count, times in scored[:8])


def stylometric_distance(a_texts: list[str], b_texts: list[str]) -> float:
    """How far apart two sets of texts are in their use of English function words: 0 same, 1 disjoint.

    Each side is the distribution of its function words; the distance is the Hellinger distance
    between the two, sqrt(1 - sum(sqrt(p * q))). The square root is the variance-stabilising transform
    of counts, so common words such as "the" do not drown the rest (the job of Burrows' Delta's
    z-scores), yet the scale is fixed rather than taken from the texts compared: distances from
    different calls can be compared with one another, as a benchmark across conditions needs.
    """
    p, q = _profile(a_texts, "first"), _profile(b_texts, "second")
    overlap = sum(math.sqrt(p[w] * q[w]) for w in p.keys() & q.keys())
    return round(math.sqrt(max(0.0, 1.0 - overlap)), 6)


_FUNCTION = frozenset(FUNCTION_WORDS)


def _profile(texts: list[str], side: str) -> dict[str, float]:
    counts = Counter(w for t in texts for w in (x.lower().replace("’", "'") for x in tx.words(t))
                     if w in _FUNCTION)
    total = sum(counts.values())
    if not total:
        raise ValueError(f"the {side} set of texts has no English function words to compare; "
                         "give it some English prose")
    return {w: c / total for w, c in counts.items()}
