"""The embeddings cache: one float32 vector per (model, text digest), in the `embeddings` table.

A row whose blob does not hold `dim` float32 values of the size asked for (a model file replaced
by another of a different width, a damaged row) is not returned: the caller embeds the text again
and `put_many` replaces the row.
"""

from __future__ import annotations

import hashlib

import numpy as np
import sqlite_utils

from creator_assistant.storage.writes import write

CHUNK = 500  # digests per query: under SQLite's limit on bound parameters


def digest(text: str) -> str:
    """The cache key of a text: the sha256 of its UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def get_many(db: sqlite_utils.Database, model: str, digests: list[str],
             dim: int) -> dict[str, np.ndarray]:
    """The cached vectors of `digests` that are whole and `dim` wide, by digest."""
    found: dict[str, np.ndarray] = {}
    wanted = list(dict.fromkeys(digests))
    for i in range(0, len(wanted), CHUNK):
        part = wanted[i : i + CHUNK]
        sql = (f"select digest, dim, vector from embeddings where model = ? and digest in"
               f" ({', '.join('?' * len(part))})")
        for key, width, blob in db.execute(sql, [model, *part]).fetchall():
            if width == dim and isinstance(blob, bytes) and len(blob) == 4 * dim:
                found[key] = np.frombuffer(blob, dtype=np.float32)
    return found


def put_many(db: sqlite_utils.Database, model: str, vectors: dict[str, np.ndarray]) -> None:
    """Save (or replace) vectors by digest, in one write."""
    if not vectors:
        return
    rows = []
    for key, vec in vectors.items():
        flat = np.ascontiguousarray(vec, dtype=np.float32).reshape(-1)
        rows.append((model, key, int(flat.size), flat.tobytes()))
    with write(db):
        db.conn.executemany(
            "insert or replace into embeddings (model, digest, dim, vector) values (?, ?, ?, ?)",
            rows)


def count(db: sqlite_utils.Database, model: str | None = None) -> int:
    """Cached vectors, of one model or of all."""
    if model is None:
        return int(db.execute("select count(*) from embeddings").fetchone()[0])
    return int(db.execute("select count(*) from embeddings where model = ?",
                          [model]).fetchone()[0])
