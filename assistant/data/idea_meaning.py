"""Ideas by meaning: near-duplicates and each idea's nearest pillar from sentence embeddings.

Two ideas are the same idea in other words when the cosine of their MiniLM vectors is at least
SAME_IDEA; when their titles differ by exactly one swapped word ("best cameras for beginners" /
"best microphones for beginners") the shared words dominate the vectors, so the pair needs
SWAPPED instead. Both thresholds were chosen on half of tests/data/idea_pairs.jsonl and measured
on the other half: `python -m benches ideas`. Vectors are cached in SQLite (retrieval.Embeddings)
and kept in memory per store, so each idea is embedded once.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from creator_assistant.retrieval import unit_rows

MODEL = "minilm-l6-v2"
SAME_IDEA = 0.57  # cosine at which two ideas are the same idea (benches/ideas.py chose it)
SWAPPED = 0.87  # the cosine needed when the two titles differ by one swapped word
STOP = frozenset(
    "a an the my your our i me to of for in on at with and or how what why is it this that from "
    "by as be are do does you we new best top".split())


def _words(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9']+", text.lower()) if w not in STOP]


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") else word


def one_word_swapped(a: str, b: str) -> bool:
    """Whether the titles differ by exactly one content word each ("coffee" for "tea")."""
    wa, wb = _words(a), _words(b)
    sa, sb = {_stem(w) for w in wa}, {_stem(w) for w in wb}
    return len(sa - sb) == 1 and len(sb - sa) == 1


def same_idea(a: str, b: str, cosine: float, threshold: float | None = None,
              swapped: float = SWAPPED) -> bool:
    """The rule: `cosine` of a and b at least SAME_IDEA (`swapped` for a one-word swap);
    `threshold` replaces SAME_IDEA (the sweep in benches/ideas.py)."""
    if cosine < (SAME_IDEA if threshold is None else threshold):
        return False
    return cosine >= swapped or not one_word_swapped(a, b)


class Meaning:
    """The idea store's embeddings: made from `paths` on first use (one worker per store),
    or given as an `Embeddings`; `close()` stops the worker it made."""

    def __init__(self, paths: Any = None, db: Any = None, embeddings: Any = None) -> None:
        self.paths, self.db = paths, db
        self._embeddings, self._owned = embeddings, embeddings is None
        self._memo: dict[str, np.ndarray] = {}
        self.failed: str | None = None  # an embed that failed mid-way, in words

    @property
    def embeddings(self) -> Any:
        if self._embeddings is None:
            from creator_assistant.retrieval import Embeddings

            self._embeddings = Embeddings(paths=self.paths, db=self.db)
        return self._embeddings

    def available(self) -> bool:
        return self.failed is None and self.embeddings.available()

    @property
    def why_not(self) -> str | None:
        """One line: why ideas are compared by words, or None when meaning is used."""
        if self.failed is not None:
            return self.failed
        return None if self.available() else self.embeddings.why_not

    @property
    def calls(self) -> int:
        """Requests sent to the model so far (cached ideas send none)."""
        return self._embeddings.calls if self._embeddings is not None else 0

    def vectors(self, texts: list[str]) -> np.ndarray | None:
        """One unit row per text, or None when the model cannot be used (why_not says why)."""
        from creator_assistant.retrieval import EmbeddingsUnavailable

        if not self.available():
            return None
        missing = [t for t in dict.fromkeys(texts) if t not in self._memo]
        if missing:
            try:
                rows = self.embeddings.embed(missing, db=self.db)
            except EmbeddingsUnavailable as exc:
                self.failed = str(exc)
                return None
            self._memo.update(zip(missing, rows, strict=True))
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([self._memo[t] for t in texts])

    def nearest_pillars(self, ideas: list[dict[str, Any]], pillars: list[str],
                        members: list[dict[str, Any]] | None = None) -> list[str] | None:
        """For each idea, the pillar nearest in meaning: the pillar's name joined by its
        `members` (ideas already in it; the idea itself left out). None without the model."""
        members = [m for m in members or [] if m.get("category") in pillars]
        rows = self.vectors([i["text"] for i in ideas] + [m["text"] for m in members] + pillars)
        if rows is None or not pillars:
            return None
        vecs, names = rows[: len(ideas)], rows[len(rows) - len(pillars):]
        sums, counts = np.zeros_like(names), np.zeros(len(pillars))
        where: dict[Any, tuple[int, np.ndarray]] = {}
        for vec, member in zip(rows[len(ideas): len(rows) - len(pillars)], members, strict=True):
            slot = pillars.index(member["category"])
            sums[slot] += vec
            counts[slot] += 1
            where[member.get("id")] = (slot, vec)
        out = []
        for vec, idea in zip(vecs, ideas, strict=True):
            s, n = sums.copy(), counts.copy()
            if idea.get("id") in where:  # leave the idea out of its own pillar
                slot, own = where[idea["id"]]
                s[slot] -= own
                n[slot] -= 1
            mean = np.divide(s, n[:, None], out=np.zeros_like(s), where=n[:, None] > 0)
            out.append(pillars[int(np.argmax(unit_rows(names + mean) @ vec))])
        return out

    def close(self) -> None:
        if self._owned and self._embeddings is not None:
            self._embeddings.close()
