"""The embedding backend: an embedding GGUF in its own worker process (runtime/embed_worker.py).

It reuses LocalBackend's process plumbing (start, the crash report, close) and speaks the
embed worker's two requests: load and embed. Vectors come back as they are pooled (MiniLM's are
not unit length); `retrieval.Embeddings` normalises them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from creator_assistant.runtime.crash import load_problem
from creator_assistant.runtime.local import LocalBackend
from creator_assistant.runtime.protocol import ModelError, WorkerCrashed


@dataclass(frozen=True)
class EmbedInfo:
    path: str
    architecture: str
    dim: int
    n_ctx_train: int
    max_tokens: int  # longer texts are cut to this many tokens
    pooling: str
    load_ms: float
    token_means: bool = False  # whether `token_means` can be asked


class EmbeddingBackend(LocalBackend):
    """One embedding model in one worker process; requests are served one at a time."""

    kind = "embedding"
    worker_module = "creator_assistant.runtime.embed_worker"

    def __init__(self, path: Path, n_threads: int | None = None,
                 log_path: Path | None = None) -> None:
        super().__init__(path, n_ctx=0, n_threads=n_threads, log_path=log_path)
        self.embed_info: EmbedInfo | None = None
        self.calls = 0  # embed requests sent to the model (the cache tests count them)
        self.truncated = 0  # texts cut to the model's context, over this backend's life

    def load(self) -> EmbedInfo:  # type: ignore[override]
        """Load the model in the worker (starting it if needed); idempotent. A file that does
        not load raises ModelError (WorkerCrashed when llama.cpp aborted), in one line."""
        with self._lock:
            if self.embed_info is not None and self._alive():
                return self.embed_info
            reply = self._start_loading(("load", str(self.path), self.n_threads),
                                        f"the embedding model {self.path.name}")
            if reply[0] == "error":
                self._kill()
                raise ModelError(f"could not load the embedding model {self.path.name}: "
                                 f"{load_problem(self.path, reply[2])}")
            self.embed_info = EmbedInfo(**reply[1])
            return self.embed_info

    def embed(self, texts: list[str]) -> np.ndarray:
        """Pooled float32 vectors of `texts`, one row each, in one round trip."""
        return self._rows("embed", texts)

    def token_means(self, texts: list[str]) -> np.ndarray:
        """The mean input token vector of each text (no layer run: fast and coarse); ModelError
        when the model's table cannot be read (EmbedInfo.token_means says beforehand)."""
        if not self.load().token_means:
            raise ModelError(f"the embedding model {self.path.name} has no readable token table")
        return self._rows("token_means", texts)

    def _rows(self, op: str, texts: list[str]) -> np.ndarray:
        with self._lock:
            info = self.load()
            if not texts:
                return np.zeros((0, info.dim), dtype=np.float32)
            self._conn.send((op, list(texts)))
            self.calls += op == "embed"
            try:
                reply = self._recv(during="embedding")
            except KeyboardInterrupt:
                self._kill()  # its answer would arrive out of step: start over next time
                raise
            except WorkerCrashed:
                self.embed_info = None
                raise
            if reply[0] == "error":
                raise ModelError(f"the embedding model {self.path.name} failed: {reply[2]}")
            rows = np.frombuffer(reply[1], dtype=np.float32).reshape(len(texts), info.dim)
            self.truncated += len(reply[2])
            return rows.copy()

    def _recv(self, during: str, limit: float | None = None) -> tuple[Any, ...]:
        try:
            return super()._recv(during, limit)
        except WorkerCrashed as exc:
            self.embed_info = None
            crash = WorkerCrashed(str(exc).replace("inference worker", "embedding worker"))
            crash.exit_code = exc.exit_code
            raise crash from None

    def close(self) -> None:
        super().close()
        self.embed_info = None
