"""The router's meaning signal: each task's probability for a message, from classifiers learnt
from every task's example requests (classifier.py), with the nearest example to show why.

Two opinions, both from the embedding model. `quick`: from the mean of the message's input token
vectors (no layer run: thousands a second), a second opinion on every message. `likeness`: from
the sentence embedding joined to that mean (a few hundred a second on 2 cores), asked only for
the messages the words leave in doubt (Router.route_many). The examples are embedded once (the
embedding service caches them in SQLite) and the learnt classifiers are kept in the cache folder.
With no embedding model, or one that fails, `available()` is False, `why_not` says why and
routing uses words only.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from creator_assistant.router import classifier


class Meaning:
    """Each task's probability for a message, from `examples()`: each task's example requests
    (read when first used; a Host's `route_examples`).

    `open_embeddings` returns an `Embeddings` (retrieval.py), or None when there is none to use;
    `open_db` returns a database connection for this thread (the embeddings' cache), or None;
    `owns`: whether close() closes the embeddings; `cache_dir`: where the classifiers are kept."""

    def __init__(self, examples: Callable[[], Mapping[str, Sequence[str]]],
                 open_embeddings: Callable[[], Any],
                 open_db: Callable[[], Any] | None = None, owns: bool = True,
                 cache_dir: Path | None = None) -> None:
        self._examples, self._open_embeddings, self._open_db = examples, open_embeddings, open_db
        self._owns, self._cache_dir = owns, cache_dir
        self._lock = threading.RLock()
        self._local = threading.local()
        self._embeddings: Any = None
        self._checked = False
        self.why_not: str | None = None
        self.names: list[str] = []
        self._bank = np.zeros((0, 0), dtype=np.float32)  # one unit row per example
        self._texts: list[str] = []
        self._owner = np.zeros(0, dtype=int)  # each example's task, as an index into names
        self._full = np.zeros((0, 0))  # the classifier of likeness
        self._quick: np.ndarray | None = None  # the token-mean one, when the table reads
        self.embedded = 0  # messages sent to the model so far (the bench's count)
        self._warming: threading.Thread | None = None

    def available(self) -> bool:
        """Whether messages can be judged by meaning; loads the model and embeds the examples
        the first time (cached after that). When False, `why_not` says why in one line."""
        with self._lock:
            if not self._checked:
                self._checked = True
                self.why_not = self._start()
            return self.why_not is None

    def warm(self) -> None:
        """Load in the background (`available` on a thread of its own); until it is done,
        `loading()` is True and the router routes by words rather than wait."""
        with self._lock:
            if self._checked or self._warming is not None:
                return
            self._warming = threading.Thread(target=self.available, name="meaning", daemon=True)
            self._warming.start()

    def loading(self) -> bool:
        """Whether the background load `warm` started is still going."""
        warming = self._warming
        return warming is not None and warming.is_alive() and warming is not threading.current_thread()

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
        self._owner = np.array([i for i, _ in pairs])
        try:
            self._bank = embeddings.embed(self._texts, db=self._db())
            self._fit(embeddings, pairs)
        except EmbeddingsUnavailable as exc:
            return str(exc)
        return None

    def _fit(self, embeddings: Any, pairs: list[tuple[int, str]]) -> None:
        """Both classifiers, learnt from the examples, or read back from where an earlier run
        with the same model and examples saved them (a damaged file is learnt again)."""
        key = hashlib.sha256(json.dumps(
            [embeddings.identity, classifier.VERSION, self.names, pairs]).encode()).hexdigest()
        saved = self._cache_dir / f"{key[:32]}.npz" if self._cache_dir else None
        if saved is not None and saved.is_file():
            try:
                with np.load(saved) as data:
                    self._full, quick = data["full"], data["quick"]
                self._quick = quick if quick.size else None
                return
            except (OSError, ValueError, KeyError):
                pass
        means = embeddings.token_means(self._texts)
        classes = len(self.names)
        if means is None:
            self._full = classifier.fit(self._bank, self._owner, classes)
        else:
            self._full = classifier.fit(np.hstack([self._bank, means]), self._owner, classes)
            self._quick = classifier.fit(means, self._owner, classes)
        if saved is not None:
            _save(saved, self._full, self._quick if self._quick is not None else np.zeros(0))

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

    def quick(self, texts: list[str]) -> list[dict[str, float]] | None:
        """Each task's probability for each text from its mean token vector alone: a cheap
        second opinion that says when the words may be wrong. None when unavailable."""
        if not texts or not self.available() or self._quick is None:
            return None
        means = self._means(texts)
        if means is None:
            return None
        probs = classifier.predict(self._quick, means)
        return [dict(zip(self.names, map(float, row), strict=True)) for row in probs]

    def likeness(self, texts: list[str]) -> list[dict[str, tuple[float, str]]] | None:
        """For each text, every task's probability and its example nearest the text; None when
        meaning is unavailable (then `why_not` says why)."""
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
        features = rows
        if self._quick is not None:
            means = self._means(texts)
            if means is None:
                return None
            features = np.hstack([rows, means])
        probs = classifier.predict(self._full, features)
        sims = rows @ self._bank.T
        out: list[dict[str, tuple[float, str]]] = [{} for _ in texts]
        for j, name in enumerate(self.names):
            cols = np.flatnonzero(self._owner == j)
            if not len(cols):
                continue
            nearest = cols[np.argmax(sims[:, cols], axis=1)]
            for i, mine in enumerate(out):
                mine[name] = (float(probs[i, j]), self._texts[nearest[i]])
        return out

    def _means(self, texts: list[str]) -> np.ndarray | None:
        from creator_assistant.retrieval import EmbeddingsUnavailable

        with self._lock:
            try:
                return self._embeddings.token_means(texts)
            except EmbeddingsUnavailable as exc:
                self.why_not = str(exc)
                return None

    def close(self) -> None:
        with self._lock:
            if self._embeddings is not None and self._owns:
                self._embeddings.close()
            db = getattr(self._local, "db", None)
            if db is not None:
                db.close()
                self._local.db = None


def _save(path: Path, full: np.ndarray, quick: np.ndarray) -> None:
    """The classifiers to `path`, whole or not at all; a full disk costs only the next start's
    fitting."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        part = path.with_suffix(".part.npz")
        np.savez(part, full=full, quick=quick)
        part.replace(path)
    except OSError:
        pass


def meaning_for(paths: Any, examples: Callable[[], Mapping[str, Sequence[str]]],
                embeddings: Any = None) -> Meaning:
    """The meaning signal for a creator home: its library's embedding model (`embeddings`, when
    shared: then its owner closes it), its database as the cache (a connection per thread), the
    classifiers kept in its cache folder."""
    from creator_assistant.retrieval import Embeddings
    from creator_assistant.storage.db import open_db

    kept = paths.cache_dir / "router"
    if embeddings is not None:
        return Meaning(examples, lambda: embeddings, lambda: open_db(paths.database), owns=False,
                       cache_dir=kept)
    return Meaning(examples, lambda: Embeddings(paths=paths), lambda: open_db(paths.database),
                   cache_dir=kept)
