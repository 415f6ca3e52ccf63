"""The router's meaning signal: how likely each task is for a message, judged from its sentence
embedding by a classifier learnt from every task's example requests (or, as "nearest", the mean
cosine of each task's TOP nearest examples), with the nearest example to show why.

The examples are embedded once (and cached in SQLite by the embedding service); a message is
embedded only when the words leave its route in doubt (see Router.route). With no embedding model,
or one that fails, `available()` is False, `why_not` says why and routing uses words only.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from creator_assistant.router import classifier


TOP = 3  # "nearest": a task's likeness is the mean cosine of its TOP nearest examples
METHOD = "logistic"  # a task's likeness is its probability (classifier.py), learnt from examples


class Meaning:
    """Each task's likeness to a message, from `examples()`: each task's example requests (read
    when first used; a Host's `route_examples`).

    `open_embeddings` returns an `Embeddings` (retrieval.py), or None when there is none to use;
    `open_db` returns a database connection for this thread (the embeddings' cache), or None."""

    def __init__(self, examples: Callable[[], Mapping[str, Sequence[str]]],
                 open_embeddings: Callable[[], Any],
                 open_db: Callable[[], Any] | None = None, owns: bool = True) -> None:
        self._examples, self._open_embeddings, self._open_db = examples, open_embeddings, open_db
        self._owns = owns  # whether close() closes the embeddings (False: shared, not ours)
        self._lock = threading.RLock()
        self._local = threading.local()
        self._embeddings: Any = None
        self._checked = False
        self.why_not: str | None = None
        self.names: list[str] = []
        self._bank: np.ndarray | None = None  # one unit row per example
        self._columns: list[np.ndarray] = []  # each task's rows in the bank
        self._texts: list[str] = []
        self.embedded = 0  # messages sent to the model so far (the bench's count)
        self.top = TOP
        self.method = METHOD  # "logistic": a task's probability; "nearest": TOP examples' mean
        self._weights = np.zeros((0, 0))
        self._quick: np.ndarray | None = None  # the token-mean classifier, when the table reads

    def available(self) -> bool:
        """Whether messages can be compared by meaning; loads the model and embeds the examples
        the first time (cached after that). When False, `why_not` says why in one line."""
        with self._lock:
            if not self._checked:
                self._checked = True
                self.why_not = self._start()
            return self.why_not is None

    def _start(self) -> str | None:
        from creator_assistant.retrieval import EmbeddingsUnavailable

        embeddings = self._open_embeddings()
        if embeddings is None:
            return "no embedding model: routing uses words only"
        self._embeddings = embeddings
        if not embeddings.available():
            return embeddings.why_not
        examples = self._examples()
        pairs = [(i, ex) for i, texts in enumerate(examples.values()) for ex in texts
                 if ex.strip()]
        if not pairs:
            return "no task declares examples: routing uses words only"
        self.names = list(examples)
        self._texts = [ex for _, ex in pairs]
        try:
            self._bank = embeddings.embed(self._texts, db=self._db())
        except EmbeddingsUnavailable as exc:
            return str(exc)
        owner = np.array([i for i, _ in pairs])
        self._columns = [np.flatnonzero(owner == i) for i in range(len(self.names))]
        self._weights = classifier.fit(self._bank, owner, len(self.names))
        quick = embeddings.token_means(self._texts)
        if quick is not None:
            self._quick = classifier.fit(quick, owner, len(self.names))
        return None

    def quick(self, texts: list[str]) -> list[dict[str, float]] | None:
        """Each task's probability for each text from its mean token vector alone (thousands a
        second): a cheap second opinion that says when the words may be wrong. None when
        unavailable."""
        from creator_assistant.retrieval import EmbeddingsUnavailable

        if not texts or not self.available() or self._quick is None:
            return None
        with self._lock:
            try:
                rows = self._embeddings.token_means(texts)
            except EmbeddingsUnavailable as exc:
                self.why_not = str(exc)
                return None
        if rows is None:
            return None
        probs = classifier.predict(self._quick, rows)
        return [dict(zip(self.names, map(float, row), strict=True)) for row in probs]

    def _db(self) -> Any:
        if self._open_db is None:
            return None
        db = getattr(self._local, "db", None)
        if db is None:
            try:
                db = self._local.db = self._open_db()
            except Exception:  # noqa: BLE001 - a cache that cannot open costs only speed
                db = None
        return db

    def likeness(self, texts: list[str]) -> list[dict[str, tuple[float, str]]] | None:
        """For each text, every task's likeness and its nearest example; None when meaning is
        unavailable (then `why_not` says why)."""
        from creator_assistant.retrieval import EmbeddingsUnavailable

        if not texts or not self.available():
            return None
        with self._lock:
            try:
                rows = self._embeddings.embed(texts, db=self._db())
            except EmbeddingsUnavailable as exc:
                self.why_not = str(exc)
                return None
            self.embedded += len(texts)
        return self._judge(rows)

    def _judge(self, rows: np.ndarray) -> list[dict[str, tuple[float, str]]]:
        assert self._bank is not None
        sims = rows @ self._bank.T
        probs = classifier.predict(self._weights, rows) if self.method == "logistic" else None
        out: list[dict[str, tuple[float, str]]] = [{} for _ in rows]
        for j, (name, cols) in enumerate(zip(self.names, self._columns, strict=True)):
            if not len(cols):
                continue
            part = sims[:, cols]
            top = np.argsort(-part, axis=1, kind="stable")[:, :self.top]
            means = np.take_along_axis(part, top, axis=1).mean(axis=1)
            for i, mine in enumerate(out):
                value = float(probs[i, j]) if probs is not None else float(means[i])
                mine[name] = (value, self._texts[cols[top[i, 0]]])
        return out

    def close(self) -> None:
        with self._lock:
            if self._embeddings is not None and self._owns:
                self._embeddings.close()
            db = getattr(self._local, "db", None)
            if db is not None:
                db.close()
                self._local.db = None


def meaning_for(paths: Any, examples: Callable[[], Mapping[str, Sequence[str]]],
                embeddings: Any = None) -> Meaning:
    """The meaning signal for a creator home: its library's embedding model (`embeddings`, when
    shared: then its owner closes it), its database as the cache (a connection per thread)."""
    from creator_assistant.retrieval import Embeddings
    from creator_assistant.storage.db import open_db

    if embeddings is not None:
        return Meaning(examples, lambda: embeddings, lambda: open_db(paths.database), owns=False)
    return Meaning(examples, lambda: Embeddings(paths=paths), lambda: open_db(paths.database))
