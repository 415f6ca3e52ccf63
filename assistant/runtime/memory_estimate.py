"""How much memory a resident model takes, and reading a model file into the page cache."""

from __future__ import annotations

import os
import threading
from functools import lru_cache
from pathlib import Path

# llama.cpp's compute buffers and the worker process itself, beyond weights and KV cache.
OVERHEAD = 96 * 1024**2


@lru_cache(maxsize=64)
def _shape(path: str, mtime: float) -> tuple[int, int]:
    """(layers, bytes per token of K+V cache per layer at f16), from the GGUF header."""
    import gguf

    reader = gguf.GGUFReader(path)

    def value(key: str, default: int = 0) -> int:
        found = reader.fields.get(key)
        if found is None:
            return default
        content = found.contents()
        return int(content[0] if isinstance(content, list) else content)

    arch = reader.fields["general.architecture"].contents()
    layers = value(f"{arch}.block_count")
    heads = value(f"{arch}.attention.head_count", 1) or 1
    kv_heads = value(f"{arch}.attention.head_count_kv", heads) or heads
    head_dim = value(f"{arch}.embedding_length") // heads
    k = value(f"{arch}.attention.key_length", head_dim)
    v = value(f"{arch}.attention.value_length", head_dim)
    return layers, (k + v) * kv_heads * 2


def estimate_bytes(path: Path, n_ctx: int) -> int:
    """Weights (the file, memory-mapped) + the KV cache for n_ctx tokens + overhead."""
    size = path.stat().st_size
    try:
        layers, per_token = _shape(str(path), path.stat().st_mtime)
    except Exception:  # an unreadable header: assume a tenth more than the file
        return int(size * 1.1) + OVERHEAD
    return size + layers * per_token * n_ctx + OVERHEAD


def warm_file(path: Path, stop: threading.Event | None = None) -> int:
    """Ask the kernel to read the file ahead, then read it through; returns bytes read."""
    done = 0
    buffer = bytearray(8 * 1024 * 1024)
    try:
        with path.open("rb", buffering=0) as fh:
            if hasattr(os, "posix_fadvise"):
                os.posix_fadvise(fh.fileno(), 0, 0, os.POSIX_FADV_WILLNEED)
            while not (stop is not None and stop.is_set()):
                n = fh.readinto(buffer)
                if not n:
                    break
                done += n
    except OSError:
        pass
    return done
