"""`nearest(texts, query, k)`: the texts of any collection nearest a query, by meaning when an
embedding model can be used (its vectors cached in SQLite, so each text is embedded once) and by
words (TF-IDF cosine) otherwise, saying which. Tasks reach it as `context.examples.nearest` to put
the creator's own best examples into a prompt."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

from creator_assistant.retrieval import EmbeddingsUnavailable, EmptyQuery
from creator_assistant.router.index import features, words


@dataclass(frozen=True)
class Found:
    """What `nearest` found: (index into texts, score) best first, and how it compared them
    ("meaning" or "words"; `why_not` says why words, in one line)."""

    hits: list[tuple[int, float]]
    by: str
    why_not: str | None = None


def nearest(texts: list[str], query: str, k: int = 5, embeddings: Any = None,
            db: Any = None) -> Found:
    """The `k` texts nearest `query`; empty texts are never returned; EmptyQuery for an empty
    query. `embeddings`: an `Embeddings` (None: words only); `db`: its cache's connection."""
    if not query.strip():
        raise EmptyQuery("the query is empty: there is nothing to compare the texts with")
    why = "no embedding model was given: compared by words"
    if embeddings is not None:
        try:
            if embeddings.available():
                return Found(embeddings.nearest(texts, query, k, db), "meaning")
            why = embeddings.why_not
        except EmbeddingsUnavailable as exc:
            why = str(exc)
    return Found(by_words(texts, query, k), "words", why)


def by_words(texts: list[str], query: str, k: int) -> list[tuple[int, float]]:
    """TF-IDF cosine of each text with the query (content words and word pairs, stemmed)."""
    vectors = [features(words(t)) for t in texts]
    df = Counter(f for vec in vectors for f in vec)
    n = len(texts) + 1

    def weighted(vec: dict[str, float]) -> dict[str, float]:
        out = {f: v * (math.log(n / (df.get(f, 0) + 1)) + 1.0) for f, v in vec.items()}
        norm = math.sqrt(sum(v * v for v in out.values())) or 1.0
        return {f: v / norm for f, v in out.items()}

    q = weighted(features(words(query)))
    scores = []
    for i, vec in enumerate(vectors):
        w = weighted(vec)
        score = sum(v * w.get(f, 0.0) for f, v in q.items())
        if score > 0:
            scores.append((i, score))
    scores.sort(key=lambda s: (-s[1], s[0]))
    return scores[:k]
