"""Meaning, not keywords: sentence embeddings of texts, cached in SQLite, and `nearest`.

`Embeddings` finds the installed embedding model (a GGUF whose architecture is BERT-like), runs it
in its own worker process (runtime/embedding.py) and caches each text's vector by the model
file's identity and the text's sha256 (storage/embeddings.py). When no embedding model is
installed, or the one installed does not load, `available()` is False and `why_not` says why in
one line: callers then keep their lexical behaviour.

An empty (or whitespace-only) text is never sent to the model: its row is all zeros, similar to
nothing, and `nearest` never returns it. An empty query is an EmptyQuery error.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from creator_assistant.runtime.protocol import ModelError

DEFAULT_ID = "minilm-l6-v2"  # the embedding model `make chat` pulls
PULL_HINT = f"`creator models pull {DEFAULT_ID}`"
BATCH = 256  # texts per round trip to the worker


class EmbeddingsUnavailable(ModelError):
    """No embedding model can be used; the message says why and what to do."""


class EmptyQuery(ValueError):
    """`nearest` was asked about an empty text."""


@dataclass(frozen=True)
class Found:
    """The embedding model to use: its catalogue id and file."""

    id: str
    path: Path


def embedding_model(paths: Any) -> Found | None:
    """The installed embedding model (the catalogue's MiniLM first), or None."""
    from creator_assistant.library import EMBEDDING_ARCHS
    from creator_assistant.library.catalogue import entry_path, installed
    from creator_assistant.library.kinds import read_metadata

    found = []
    for entry in installed(paths):
        path = entry_path(entry, paths.models_dir)
        try:
            arch = read_metadata(path, ("general.architecture",)).get("general.architecture")
        except (OSError, ValueError):
            arch = None  # a damaged header: loading it says what is wrong
        if arch in EMBEDDING_ARCHS or (arch is None and entry.category == "embedding"):
            found.append(Found(entry.id, path))
    found.sort(key=lambda f: f.id != DEFAULT_ID)
    return found[0] if found else None


def model_identity(path: Path) -> str:
    """The cache's name for a model file: its sha256 from source.json (written when it was
    pulled) while the file keeps the size recorded there, else its name, size and mtime."""
    path = Path(path)
    stat = path.stat()
    try:
        source = json.loads((path.parent / "source.json").read_text(encoding="utf-8"))
        if (source.get("file") == path.name and source.get("size") == stat.st_size
                and isinstance(source.get("sha256"), str) and len(source["sha256"]) == 64):
            return f"sha256:{source['sha256']}"
    except (OSError, ValueError, AttributeError):
        pass
    return f"file:{path.name}:{stat.st_size}:{stat.st_mtime_ns}"


def status(paths: Any) -> dict[str, Any]:
    """What `doctor` says about embeddings, without loading anything."""
    from creator_assistant.runtime import failures

    found = embedding_model(paths)
    if found is None:
        return {"model": None, "path": None, "failed": None,
                "line": f"none installed: routing, search and ideas use words only; {PULL_HINT}"}
    failed = failures.reason(paths.models_dir, found.path)
    line = (f"{failed.rstrip('.')}; routing, search and ideas use words only" if failed else
            f"{found.id}: installed (routing, history search and ideas use it)")
    return {"model": found.id, "path": str(found.path), "failed": failed, "line": line}


class Embeddings:
    """Normalised sentence vectors of texts, each text embedded once per model (the cache).

    `db` is a migrated database (`open_db`) used on this thread; None keeps no cache. With
    `model_path` that file is used, else the library's embedding model (`paths` needed)."""

    def __init__(self, paths: Any = None, db: Any = None, model_path: Path | None = None,
                 n_threads: int | None = None, log_path: Path | None = None) -> None:
        self.paths, self.db = paths, db
        self.n_threads, self.log_path = n_threads, log_path
        self.model_id = ""
        self.model_path: Path | None = Path(model_path) if model_path else None
        if self.model_path is None and paths is not None:
            found = embedding_model(paths)
            if found is not None:
                self.model_id, self.model_path = found.id, found.path
        self.why_not: str | None = None
        self.cache_problem: str | None = None  # the last cache write that failed, in words
        self.note: str | None = None  # what the last embed cut short, in words
        self.backend: Any = None
        self._checked = False
        self._start_lock = threading.Lock()
        self.identity = ""
        self.dim = 0

    def available(self) -> bool:
        """Whether texts can be embedded; loads the model the first time. When False,
        `why_not` says why (and what to do) in one line."""
        with self._start_lock:  # one load, whichever thread asks first
            if not self._checked:
                self._checked = True
                self.why_not = self._load()
        return self.why_not is None

    def _load(self) -> str | None:
        from creator_assistant.library.hardware import default_threads
        from creator_assistant.runtime import failures
        from creator_assistant.runtime.embedding import EmbeddingBackend

        path = self.model_path
        if path is None:
            return f"no embedding model is installed: using words only; {PULL_HINT}"
        if not path.is_file():
            return f"the embedding model {path} is missing: using words only; {PULL_HINT}"
        models_dir = self.paths.models_dir if self.paths is not None else None
        if models_dir is not None and (said := failures.reason(models_dir, path)):
            return _words_only(said)
        self.backend = EmbeddingBackend(path, self.n_threads or default_threads(), self.log_path)
        try:
            info = self.backend.load()
        except ModelError as exc:
            self.backend.close()
            self.backend = None
            if models_dir is not None and failures.held_against(exc):
                failures.record(models_dir, path, str(exc))
            return _words_only(str(exc))
        if models_dir is not None:
            failures.clear(models_dir, path)
        self.identity, self.dim = model_identity(path), info.dim
        return None

    def embed(self, texts: list[str], db: Any = None) -> np.ndarray:
        """One unit-length float32 row per text (zeros for an empty one), from the cache where
        it has them; the rest embedded in batches and cached. EmbeddingsUnavailable otherwise.
        `db`: the cache's connection for this call (a caller on another thread), else `self.db`."""
        from creator_assistant.storage import embeddings as cache

        if not self.available():
            raise EmbeddingsUnavailable(self.why_not)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        keys = [cache.digest(t) if t.strip() else "" for t in texts]
        wanted = [k for k in dict.fromkeys(keys) if k]
        db = self.db if db is None else db
        have = self._cached(wanted, db)
        first = {k: i for i, k in reversed(list(enumerate(keys)))}
        misses = [k for k in wanted if k not in have]
        cut_before, self.note = self.truncated, None
        for start in range(0, len(misses), BATCH):
            part = misses[start : start + BATCH]
            rows = unit_rows(self._model([texts[first[k]] for k in part]))
            fresh = dict(zip(part, rows, strict=True))
            have.update(fresh)
            self._save(fresh, db)
        for i, key in enumerate(keys):
            if key:
                out[i] = have[key]
        if cut := self.truncated - cut_before:
            limit = self.backend.embed_info.max_tokens
            self.note = (f"{cut} text{'s' * (cut > 1)} longer than {limit} tokens: embedded "
                         f"from {'their' if cut > 1 else 'its'} first {limit} tokens")
        return out

    def token_means(self, texts: list[str]) -> np.ndarray | None:
        """Unit rows of each text's mean input token vector (the model's table, no layer run:
        thousands a second, coarser than `embed`, not cached); None when the model's table
        cannot be read. EmbeddingsUnavailable when no model can be used."""
        if not self.available():
            raise EmbeddingsUnavailable(self.why_not)
        try:
            return unit_rows(self.backend.token_means(texts))
        except ModelError:
            return None

    def _model(self, texts: list[str]) -> np.ndarray:
        try:
            return np.asarray(self.backend.embed(texts))
        except ModelError as exc:
            # A crash on these texts would come back on every retry: words only from now on.
            self.why_not = _words_only(str(exc))
            raise EmbeddingsUnavailable(self.why_not) from None

    def _cached(self, digests: list[str], db: Any) -> dict[str, np.ndarray]:
        """The cache's vectors of these digests; a cache that cannot be read has none."""
        from creator_assistant.storage import embeddings as cache
        from creator_assistant.storage.errors import StorageError, storage_errors
        from creator_assistant.storage.writes import database_file

        if db is None or not digests:
            return {}
        try:
            with storage_errors(database_file(db) or ":memory:"):
                return cache.get_many(db, self.identity, digests, self.dim)
        except StorageError as exc:
            self.cache_problem = str(exc)
            return {}

    def _save(self, vectors: dict[str, np.ndarray], db: Any) -> None:
        """Cache vectors; a cache that cannot be written (a full disk) costs only speed."""
        from creator_assistant.storage import embeddings as cache
        from creator_assistant.storage.errors import StorageError

        if db is None:
            return
        try:
            cache.put_many(db, self.identity, vectors)
        except StorageError as exc:
            self.cache_problem = str(exc)

    def nearest(self, texts: list[str], query: str, k: int = 5,
                db: Any = None) -> list[tuple[int, float]]:
        """The `k` texts nearest in meaning to `query`: (index into texts, cosine), best first.
        Empty texts are never returned; an empty query raises EmptyQuery. `db` as in `embed`."""
        if not query.strip():
            raise EmptyQuery("the query is empty: there is nothing to compare the texts with")
        rows = self.embed([query, *texts], db=db)
        return top_k(rows[1:], rows[0], k, skip=[not t.strip() for t in texts])

    @property
    def calls(self) -> int:
        """Requests sent to the model so far (cached texts send none)."""
        return self.backend.calls if self.backend is not None else 0

    @property
    def truncated(self) -> int:
        """Texts cut to the model's context (512 tokens for MiniLM) before they were embedded."""
        return self.backend.truncated if self.backend is not None else 0

    def close(self) -> None:
        if self.backend is not None:
            self.backend.close()

    def __enter__(self) -> Embeddings:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def top_k(rows: np.ndarray, query: np.ndarray, k: int,
          skip: list[bool] | None = None) -> list[tuple[int, float]]:
    """(index, cosine) of the `k` rows nearest `query`, best first (rows and query unit length);
    rows marked in `skip` are left out. Ties go to the lower index."""
    if k <= 0 or len(rows) == 0:
        return []
    scores = rows @ query
    order = np.lexsort((np.arange(len(scores)), -scores))
    keep = [int(i) for i in order if not (skip and skip[i])]
    return [(i, float(scores[i])) for i in keep[:k]]


def _words_only(said: str) -> str:
    return f"{said.rstrip().rstrip('.')}; meanwhile using words only"


def unit_rows(rows: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (L2): MiniLM's pooled vectors are not; zero rows stay zero."""
    rows = np.asarray(rows, dtype=np.float32)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return np.divide(rows, norms, out=np.zeros_like(rows), where=norms > 0)
