"""Words, and an index of every task's keywords and declared examples, to score a message fast."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from functools import lru_cache
from importlib.resources import files

from creator_assistant.registry import Score, Task

COMMON_SHARE = 0.08  # a feature in more than this share of all examples gets no postings
KEYWORDS_SAID = "keywords: "  # how a reason names keyword hits: they make a request explicit

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[@#][a-z0-9_]+|\d+/\d+(?:/\d+)?")
_SAME = {"organise": "organize", "categorise": "categorize", "analyse": "analyze",
         "optimise": "optimize", "vid": "video", "vids": "video", "yt": "youtube",
         "ig": "instagram", "insta": "instagram", "subs": "subscriber", "u": "you", "ur": "your",
         "pls": "please", "plz": "please", "thx": "thanks", "ty": "thanks", "colour": "color",
         "tik": "tiktok"}
STOPWORDS = frozenset(
    "a an the to of for and or in on at is are be been am i me my mine you your we our us it its "
    "this that these those with can could would will should please some about do does did so just "
    "as by from into than then there here very really also any all im i'm i've it's that's "
    "want need like get got give let make".split())


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light stemmer: plurals, -ing, -ed, -ise/-ize and a final e, so forms of a word meet."""
    word = _SAME.get(word, word)
    if word[0] in "@#" or word[0].isdigit() or len(word) <= 3:
        return word
    if word.endswith("'s"):
        word = word[:-2]
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ization", "isation", "ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
                word = word[:-1]
            break
    if word.endswith(("ize", "ise")) and len(word) > 5:
        word = word[:-3] + "iz"
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    return word


def words(text: str) -> list[str]:
    """The message's words, lower-cased and stemmed."""
    return [stem(w) for w in _WORD.findall(text.lower())]


def features(tokens: list[str]) -> dict[str, float]:
    """Content words and word pairs, with sublinear counts."""
    counts: dict[str, int] = {}
    get = counts.get
    prev, prev_stop = "", True
    for tok in tokens:
        stop = tok in STOPWORDS
        if not stop:
            counts[tok] = get(tok, 0) + 1
        if prev and not (stop and prev_stop):
            pair = prev + " " + tok
            counts[pair] = get(pair, 0) + 1
        prev, prev_stop = tok, stop
    return {f: 1.0 if n == 1 else 1.0 + math.log(n) for f, n in counts.items()}


def read_examples(package: str, path: str) -> tuple[str, ...]:
    """Example requests from a data file in `package`: one per line, `#` starts a comment."""
    text = (files(package) / path).read_text(encoding="utf-8")
    return tuple(ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#"))


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


def _swaps(word: str) -> set[str]:
    return {word[:i] + word[i + 1] + word[i] + word[i + 2:] for i in range(len(word) - 1)} - {word}


class Index:
    """Keywords and TF-IDF vectors of every task's declared examples, for scoring with no model."""

    def __init__(self, tasks: dict[str, Task]) -> None:
        self.tasks = list(tasks)
        examples = [(name, ex) for name, task in tasks.items() for ex in task.examples]
        vectors = [features(words(ex)) for _, ex in examples]
        df: dict[str, int] = defaultdict(int)
        for vec in vectors:
            for f in vec:
                df[f] += 1
        n = len(vectors) + 1
        self.idf = {f: math.log(n / d) + 1.0 for f, d in df.items()}
        self.postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        # Words in many examples ("what", "write", "video") tell tasks apart least and cost the
        # most to add up: they count in each vector's length but get no postings.
        common = max(8, int(COMMON_SHARE * n))
        for i, vec in enumerate(vectors):
            weighted = {f: v * self.idf[f] for f, v in vec.items()}
            norm = math.sqrt(sum(v * v for v in weighted.values())) or 1.0
            for f, v in weighted.items():
                if df[f] <= common:
                    self.postings[f].append((i, v / norm))
        self.example_task = [name for name, _ in examples]
        self.example_text = [ex for _, ex in examples]
        self.keywords: dict[str, list[tuple[tuple[str, ...], str, str]]] = defaultdict(list)
        for name, task in tasks.items():
            seen: set[tuple[str, ...]] = set()
            for phrase in task.keywords:
                key = tuple(words(phrase))
                if key and key not in seen:  # "script" and "scripts" are one keyword
                    seen.add(key)
                    self.keywords[key[0]].append((key, name, phrase))
        # Typing slips in keyword words find the word meant: a letter dropped ("sript"), doubled
        # or added ("scriptt"), or two letters swapped ("scirpt"). A different letter is not
        # taken for a slip: "repost" is a word of its own, not a typo of "report".
        self.known = set(df) | {w for key in self.keywords.values() for k, _, _ in key for w in k}
        self.slips: dict[str, str | None] = {}
        for word in {w for key in self.keywords.values() for k, _, _ in key for w in k}:
            if len(word) >= 6 and word.isalpha():
                for variant in (*_deletes(word), *_swaps(word)):
                    prior = self.slips.get(variant, word)
                    self.slips[variant] = word if prior == word else None  # ambiguous: no fix
        self._fixed: dict[str, str] = {}

    def fix(self, token: str) -> str:
        """The keyword word a typing slip stands for, or the token itself."""
        fixed = self._fixed.get(token)
        if fixed is None:
            fixed = token
            if token not in self.known and len(token) >= 5 and token.isalpha():
                fixed = self.slips.get(token) or next(
                    (d for d in _deletes(token) if d in self.known and len(d) >= 6), token)
            if len(self._fixed) < 100_000:
                self._fixed[token] = fixed
        return fixed

    def hits(self, tokens: list[str]) -> dict[str, list[str]]:
        """Each task's keywords found in the message, as declared."""
        found: dict[str, list[str]] = {}
        keywords = self.keywords
        for i, tok in enumerate(tokens):
            for key, task, phrase in keywords.get(tok, ()):
                if len(key) == 1 or tuple(tokens[i : i + len(key)]) == key:
                    have = found.setdefault(task, [])
                    if phrase not in have:
                        have.append(phrase)
        return found

    def nearest(self, tokens: list[str]) -> dict[str, tuple[float, float, int]]:
        """Each task's best and second-best cosine with its examples, and the best example."""
        idf = self.idf
        query = {f: v * idf[f] for f, v in features(tokens).items() if f in idf}
        norm = math.sqrt(sum(v * v for v in query.values())) or 1.0
        acc: dict[int, float] = {}
        get = acc.get
        postings = self.postings
        for f, v in query.items():
            q = v / norm
            for i, w in postings[f]:
                acc[i] = get(i, 0.0) + q * w
        best: dict[str, tuple[float, float, int]] = {}
        owner = self.example_task
        for i, sim in acc.items():
            task = owner[i]
            top = best.get(task)
            if top is None:
                best[task] = (sim, 0.0, i)
            elif sim > top[0]:
                best[task] = (sim, top[0], i)
            elif sim > top[1]:
                best[task] = (top[0], sim, top[2])
        return best

    def score(self, tokens: list[str],
              parts: dict[str, tuple[float, float]] | None = None) -> dict[str, Score]:
        """Every task's default score: keyword hits blended with similarity to its examples
        (each task's two parts of it go into `parts`, when given)."""
        fixed = self._fixed
        tokens = [fixed.get(t) or self.fix(t) for t in tokens]
        hits, near = self.hits(tokens), self.nearest(tokens)
        out = {}
        for task in self.tasks:
            found = hits.get(task)
            top = near.get(task)
            kw = sim = 0.0
            why = ""
            if found:
                weight = sum(1.0 if " " in k else 0.7 for k in found)
                kw = 1.0 - math.exp(-1.2 * weight)
                why = KEYWORDS_SAID + ", ".join(found[:4])
            if top:
                sim = 0.7 * top[0] + 0.3 * top[1]
                if top[0] > 0.2:
                    like = f"like {self.example_text[top[2]]!r} ({top[0]:.2f})"
                    why = f"{why}; {like}" if why else like
            out[task] = Score(task, 0.55 * kw + 0.45 * sim, why or "no keyword or similar example")
            if parts is not None:
                parts[task] = (0.55 * kw, 0.45 * sim)
        return out
