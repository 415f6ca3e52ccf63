"""Word lists for the style card: English function words, the persons, and the general reference."""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path

# English function words (pronouns, determiners, prepositions, conjunctions, auxiliaries and the
# commonest adverbs), after the lists used in stylometry since Mosteller and Wallace: topic-free, so
# their rates mark a writer's habits rather than what a text is about.
FUNCTION_WORDS: tuple[str, ...] = tuple(sorted(set("""
a about above after again against all almost along already also although always am among an and
another any anybody anyone anything are around as at be because been before behind being below
beside besides between beyond both but by can cannot could did do does doing done down during each
either else enough even ever every everybody everyone everything few for from further had has have
having he her here hers herself him himself his how however i if in indeed inside instead into is it
its itself just least less like many may me might mine more most much must my myself near neither
never nevertheless no nobody none nor not nothing now of off often on once one only onto or other
others otherwise our ours ourselves out outside over own perhaps quite rather really same shall she
should since so some somebody someone something sometimes soon still such than that the their
theirs them themselves then there therefore these they this those though through thus till to too
toward towards under unless until up upon us usually very was we well were what whatever when
whenever where whereas wherever whether which while who whoever whole whom whose why will with
within without would yet you your yours yourself yourselves
""".split())))

PERSONS: dict[str, frozenset[str]] = {
    "I": frozenset("i me my mine myself i'm i've i'll i'd".split()),
    "we": frozenset("we us our ours ourselves we're we've we'll we'd let's".split()),
    "you": frozenset("you your yours yourself yourselves you're you've you'll you'd y'all ya".split()),
}

# Not content words although not in the list above: contractions' pieces, fillers, numbers' names.
_NOT_CONTENT = frozenset("""
also just like get got gets make made let lets going gonna wanna yeah yes okay ok oh hey hi
hello two three four five six seven eight nine ten first second new way thing things lot lots
put take say said see seen know think want come came go goes went one ones don didn doesn isn
wasn aren won can't don't it's that's there's here's what's i'm you're we're they're
""".split())

REFERENCE_FILE = Path(__file__).with_name("reference_words.txt")
ZIPF = 0.1  # rate of the rank-1 word; Zipf's law: the word of rank r has a rate of about 0.1 / r


@cache
def reference_ranks() -> dict[str, int]:
    """Word -> rank (1 = commonest) in the general English reference shipped next to this file."""
    ranks: dict[str, int] = {}
    for line in REFERENCE_FILE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            ranks.setdefault(line, len(ranks) + 1)
    return ranks


def reference_rate(word: str) -> float:
    """The word's rate in general English, from its rank; a word not listed is rarer than all."""
    ranks = reference_ranks()
    rank = ranks.get(word)
    if rank is None:
        for suffix, pad in (("s", 0), ("es", 0), ("ed", 0), ("ing", 0), ("ing", 1), ("ly", 0)):
            base = word[: -len(suffix)] if word.endswith(suffix) else ""
            base = base + "e" if pad else base
            if len(base) >= 3 and base in ranks:
                rank = ranks[base] * 4  # an inflection of a listed word: rarer than its base
                break
    if rank is None:
        rank = 2 * len(ranks)
    return ZIPF / min(rank, 2 * len(ranks))


def is_content(word: str) -> bool:
    """A lower-case word that says what the text is about (not a function word, filler or number)."""
    return (len(word) >= 3 and word.isalpha() and word not in _FUNCTION_SET
            and word not in _NOT_CONTENT)


def log_ratio(count: int, total: int, word: str) -> float:
    """ln of how many times more often the word comes in the samples than in general English."""
    return math.log((count / total) / reference_rate(word))


_FUNCTION_SET = frozenset(FUNCTION_WORDS)
