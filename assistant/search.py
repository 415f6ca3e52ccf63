"""History search by words and meaning: FTS5 hits (words) and embedding neighbours (meaning),
fused by reciprocal rank; `exact` keeps the words only.

The meaning side scans the saved messages newest first, a page at a time (never all of them in
memory), embedding each text once (the embeddings cache keeps it): at most MAX_NEW messages not
embedded yet per search, so the first search over a long history stays short; the rest are
searched by words until later searches embed them, and the result's `note` says so.
Without an embedding model (none installed, it failed to load) the search is words only and
`note` is the one line `Embeddings.why_not` gives.
"""

from __future__ import annotations

import heapq
from typing import Any

from creator_assistant.retrieval import EmbeddingsUnavailable, EmptyQuery

RRF_K = 60  # Cormack et al.'s constant: a hit in both lists outranks the top of either alone
# The least cosine a meaning hit needs (MiniLM; short queries score low): the best F1 on the
# labelled queries in benches/search.py (0.26: precision 0.72, recall 0.87); unrelated
# queries ("quantum physics", "tax return") stay below it.
MIN_COSINE = 0.26
PAGE = 512  # messages read and embedded per round
MAX_NEW = 1000  # messages embedded for the first time per search: about 5 s on 2 cores
SNIPPET = 90  # characters of a meaning hit's snippet


class Results(list):
    """The hits, best first (dicts), and `note`: one line on what the search left out, or None."""

    note: str | None = None


def search(store: Any, query: str, limit: int = 20, embeddings: Any = None,
           exact: bool = False) -> Results:
    """Saved messages matching `query` by words and meaning, best first: each hit has id,
    conversation_id, seq, role, content, snippet, matched ("words", "meaning" or "both"),
    score (the fused rank), words_rank, meaning_rank and cosine (None where not known).
    EmptyQuery when the query is empty."""
    query = query.strip()
    if not query:
        raise EmptyQuery("the search is empty: give the words (or the meaning) to look for")
    if limit < 1:
        return Results()
    depth = max(limit * 3, 50)  # deeper lists than shown: fusion needs the ranks below
    words = store.search(query, limit=depth)
    out, left = Results(), 0
    meaning: list[tuple[int, float]] = []
    if not exact and embeddings is not None:  # None: the caller wants words only
        if not embeddings.available():
            out.note = embeddings.why_not
        else:
            try:
                meaning, left = nearest_messages(store, embeddings, query, depth)
            except EmbeddingsUnavailable as exc:  # it failed on these texts: words only
                out.note = str(exc)
    known = {w["id"] for w in words}
    rows = store.messages_by_id([i for i, _ in meaning if i not in known])
    out.extend(fuse(words, meaning, rows, limit))
    if left:
        out.note = (f"{left:,} older message{'s' * (left != 1)} not embedded yet: searched by "
                    f"words only (each search embeds up to {MAX_NEW:,} more)")
    return out


def nearest_messages(store: Any, embeddings: Any, query: str,
                     k: int) -> tuple[list[tuple[int, float]], int]:
    """The `k` messages nearest `query` with a cosine of at least MIN_COSINE, as (id, cosine)
    best first, and how many messages were left out because MAX_NEW were embedded already."""
    from creator_assistant.storage.embeddings import digest

    target = embeddings.embed([query], db=store.db)[0]
    best: list[tuple[float, int]] = []  # a min-heap of the k best so far
    budget, left, before = MAX_NEW, 0, None
    while page := store.said_before(before, PAGE):
        before = page[-1][0]
        keys = [digest(text) for _, text in page]
        have = cached_digests(store.db, embeddings.identity, embeddings.dim, keys)
        chosen: list[tuple[int, str]] = []
        for (mid, text), key in zip(page, keys, strict=True):
            if key in have or not text.strip():
                chosen.append((mid, text))
            elif budget > 0:
                budget -= 1
                have.add(key)  # a repeat of this text further on costs nothing
                chosen.append((mid, text))
            else:
                left += 1
        if not chosen:
            continue
        scores = embeddings.embed([text for _, text in chosen], db=store.db) @ target
        for (mid, _), score in zip(chosen, scores, strict=True):
            if score >= MIN_COSINE:
                item = (float(score), -mid)  # ties: the newer message first
                if len(best) < k:
                    heapq.heappush(best, item)
                else:
                    heapq.heappushpop(best, item)
    return [(-neg, score) for score, neg in sorted(best, reverse=True)], left


def cached_digests(db: Any, model: str, dim: int, digests: list[str]) -> set[str]:
    """Which of these texts the embeddings cache holds for `model` (keys only, no vectors)."""
    found: set[str] = set()
    for i in range(0, len(digests), 500):
        part = digests[i : i + 500]
        sql = (f"select digest from embeddings where model = ? and dim = ? and digest in"
               f" ({', '.join('?' * len(part))})")
        found.update(d for (d,) in db.execute(sql, [model, dim, *part]).fetchall())
    return found


def fuse(words: list[dict[str, Any]], meaning: list[tuple[int, float]],
         rows: dict[int, dict[str, Any]], limit: int) -> list[dict[str, Any]]:
    """Reciprocal rank fusion: each hit scores 1/(RRF_K + rank) in each list it is in. `rows`
    holds the meaning hits that are not word hits."""
    hits: dict[int, dict[str, Any]] = {}
    for rank, hit in enumerate(words, 1):
        hits[hit["id"]] = {**hit, "matched": "words", "score": 1 / (RRF_K + rank),
                           "words_rank": rank, "meaning_rank": None, "cosine": None}
    for rank, (mid, cosine) in enumerate(meaning, 1):
        if mid in hits:
            hit = hits[mid]
            hit["matched"] = "both"
        elif mid in rows:  # else deleted since the scan
            row = rows[mid]
            hit = hits[mid] = {**row, "snippet": snippet(row["content"]), "matched": "meaning",
                               "score": 0.0, "words_rank": None}
        else:
            continue
        hit["score"] += 1 / (RRF_K + rank)
        hit["meaning_rank"], hit["cosine"] = rank, round(cosine, 4)
    ranked = sorted(hits.values(), key=lambda h: (-h["score"], -h["id"]))[:limit]
    for hit in ranked:
        hit["score"] = round(hit["score"], 6)
    return ranked


def snippet(text: str) -> str:
    """The start of a message on one line, cut at a word near SNIPPET characters."""
    flat = " ".join(text.split())
    if len(flat) <= SNIPPET:
        return flat
    cut = flat[:SNIPPET].rsplit(" ", 1)[0] or flat[:SNIPPET]
    return cut + "…"
