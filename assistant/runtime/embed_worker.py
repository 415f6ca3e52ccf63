"""The embedding worker: a separate process that owns one llama.cpp embedding model.

Like runtime/worker.py for generation: an abort inside llama.cpp (a malformed file) ends only this
process, and runtime/embedding.py reports it. Vectors go back raw (pooled, not normalised) as
float32 bytes; the parent normalises them.
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from typing import Any

from creator_assistant.runtime.llama_env import LLAMA_ENV, amx_usable, model_params

# Tokens per decode. A BERT attends within a sequence, but llama.cpp's batch of many sequences
# costs more per token as it grows (MiniLM on 2 threads, 256 short messages: about 270/s with
# 32-token batches, 115/s with 512 without flash attention; 340-390/s at 128-256 with it).
BATCH_TOKENS = 256
# The longest text (in tokens) a decode may hold: the model's context, capped here.
MAX_TOKENS = 512
# Pooling types by name, as llama.cpp numbers them (enum llama_pooling_type).
POOLING = {0: "none", 1: "mean", 2: "cls", 3: "last", 4: "rank"}


class Embedder:
    """One loaded embedding model; lives only inside the worker process."""

    def __init__(self, path: str, n_threads: int | None) -> None:
        from llama_cpp import Llama

        from creator_assistant.library import EMBEDDING_ARCHS
        from creator_assistant.library.kinds import read_metadata

        start = time.perf_counter()
        meta = _header(read_metadata, path)
        arch = str(meta.get("general.architecture", ""))
        n_train = int(meta.get(f"{arch}.context_length", 0) or MAX_TOKENS)
        # The file's own pooling; sentence-transformers models without one pool by the mean.
        pooling = int(meta.get(f"{arch}.pooling_type", 1) or 1)
        if arch and arch not in EMBEDDING_ARCHS:
            raise ValueError(f"{os.path.basename(path)} is a {arch} model, not an embedding model")
        if pooling not in (1, 2, 3):
            raise ValueError(f"{os.path.basename(path)} pools its tokens as "
                             f"{POOLING.get(pooling, pooling)!r}, not into one sentence vector")
        self.limit = min(n_train, MAX_TOKENS)
        kwargs: dict[str, Any] = dict(
            model_path=path, embedding=True, n_ctx=self.limit, n_batch=self.limit,
            n_ubatch=self.limit, pooling_type=pooling, flash_attn=True, verbose=False)
        if n_threads:
            kwargs["n_threads"] = kwargs["n_threads_batch"] = n_threads
        with model_params(extra_buffers=amx_usable()):
            self.llm = Llama(**kwargs)
        self.dim = int(self.llm.n_embd())
        self.table = _token_table(path, self.dim)
        self.info = dict(path=path, architecture=arch, dim=self.dim, n_ctx_train=n_train,
                         max_tokens=self.limit, pooling=POOLING[pooling],
                         load_ms=(time.perf_counter() - start) * 1000,
                         token_means=self.table is not None)

    def token_means(self, texts: list[str]) -> bytes:
        """The mean of each text's input token vectors (the model's embedding table, no layer
        run): a coarse, very fast sentence vector. Zeros for a text with no tokens."""
        import numpy as np

        assert self.table is not None
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        special = {self.llm.token_bos(), self.llm.token_eos(), self.llm._model.token_sep()}
        for i, text in enumerate(texts):
            ids = [t for t in self.llm.tokenize(text.encode("utf-8"), add_bos=False, special=False)
                   if t not in special][: self.limit]
            if ids:
                out[i] = self.table[ids].mean(axis=0)
        return out.tobytes()

    def embed(self, texts: list[str]) -> tuple[bytes, list[int]]:
        """Pooled vectors of `texts` (float32, row after row) and the indexes of texts cut to the
        model's context (their first tokens and the end token)."""
        import llama_cpp
        import numpy as np

        llm, limit = self.llm, self.limit
        tokens, cut = [], []
        for i, text in enumerate(texts):
            ids = llm.tokenize(text.encode("utf-8"), add_bos=True, special=False)
            if len(ids) > limit:
                ids = ids[: limit - 1] + ids[-1:]  # keep the end token ([SEP])
                cut.append(i)
            tokens.append(ids)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        group: list[int] = []
        used = 0

        def decode() -> None:
            llm._ctx.kv_cache_clear()
            llm._ctx.decode(llm._batch)
            for seq, index in enumerate(group):
                ptr = llama_cpp.llama_get_embeddings_seq(llm._ctx.ctx, seq)
                out[index] = np.ctypeslib.as_array(ptr, shape=(self.dim,))
            llm._batch.reset()

        llm._batch.reset()
        seq_max = llm.context_params.n_seq_max
        # Shortest first: similar lengths pack into fuller batches.
        for index in sorted(range(len(texts)), key=lambda i: len(tokens[i])):
            ids = tokens[index]
            if group and (used + len(ids) > min(BATCH_TOKENS, limit) or len(group) >= seq_max):
                decode()
                group, used = [], 0
            llm._batch.add_sequence(ids, len(group), True)
            group.append(index)
            used += len(ids)
        if group:
            decode()
        llm._ctx.kv_cache_clear()
        return out.tobytes(), cut


def _token_table(path: str, dim: int) -> Any:
    """The model's input token vectors (token_embd.weight) as float32 rows, when stored as F32
    or F16; None otherwise (quantized tables are not read)."""
    import gguf
    import numpy as np

    try:
        reader = gguf.GGUFReader(path)
        tensor = next(t for t in reader.tensors if t.name == "token_embd.weight")
        if tensor.tensor_type not in (gguf.GGMLQuantizationType.F32, gguf.GGMLQuantizationType.F16):
            return None
        table = np.asarray(tensor.data, dtype=np.float32)
        return table if table.ndim == 2 and table.shape[1] == dim else None
    except (OSError, ValueError, StopIteration):
        return None


def _header(read: Any, path: str) -> dict[str, Any]:
    """The header values the embedder needs; an unreadable header is llama.cpp's to report."""
    try:
        arch = str(read(path, ("general.architecture",)).get("general.architecture", ""))
        return read(path, ("general.architecture", f"{arch}.context_length",
                           f"{arch}.pooling_type"))
    except (OSError, ValueError):
        return {}


def main(conn: Any) -> None:
    """Serve requests until told to stop or the pipe closes."""
    import signal

    if "OMP_WAIT_POLICY" not in os.environ:
        for key, value in LLAMA_ENV.items():
            os.environ.setdefault(key, value)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the conversation process
    embedder: Embedder | None = None
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        op = msg[0]
        try:
            if op == "load":
                if embedder is not None:
                    embedder.llm.close()
                    embedder = None
                embedder = Embedder(msg[1], msg[2])
                conn.send(("loaded", embedder.info))
            elif op == "close":
                conn.send(("closed",))
                return
            elif embedder is None:
                conn.send(("error", "state", "no embedding model is loaded"))
            elif op == "embed":
                data, cut = embedder.embed(list(msg[1]))
                conn.send(("embedded", data, cut))
            elif op == "token_means" and embedder.table is not None:
                conn.send(("embedded", embedder.token_means(list(msg[1])), []))
            else:
                conn.send(("error", "state", f"unknown request {op!r}"))
        except (BrokenPipeError, ConnectionResetError):
            return
        except Exception as exc:
            if os.environ.get("CREATOR_DEBUG"):
                traceback.print_exc(file=sys.stderr)
            conn.send(("error", type(exc).__name__, str(exc)))


if __name__ == "__main__":
    # Started by EmbeddingBackend as `python -m creator_assistant.runtime.embed_worker FD`.
    from multiprocessing.connection import Connection

    main(Connection(int(sys.argv[1])))
