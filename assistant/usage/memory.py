"""Resident memory (RSS) of a process, read portably: /proc on Linux, psutil where installed."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def rss_bytes(pid: int | None) -> int | None:
    """The resident set size of process `pid` in bytes; None when it cannot be read (gone, or
    a system without /proc and without psutil)."""
    if pid is None:
        return None
    status = Path(f"/proc/{pid}/status")
    try:
        for line in status.read_text(encoding="ascii", errors="replace").splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024  # reported in kB
        return None  # a zombie has no VmRSS line
    except FileNotFoundError:
        if Path("/proc/self/status").exists():
            return None  # Linux, and the process is gone
    except (OSError, ValueError, IndexError):
        return None
    try:
        import psutil  # type: ignore[import-untyped]
    except ImportError:
        return None
    try:
        return int(psutil.Process(pid).memory_info().rss)
    except Exception:  # gone, or not ours to read
        return None


def snapshot(status: dict[str, Any], others: dict[str, int | None] | None = None
             ) -> dict[str, Any]:
    """The RSS of every resident model's worker (from the pool's `status()`), of `others`
    (name -> pid: the embedding worker) and of this process: {"models": {model: bytes},
    "app": bytes | None, "total": bytes}."""
    models: dict[str, int] = {}
    for row in status.get("models", []):
        rss = rss_bytes(row.get("pid"))
        if rss is not None:
            name = row["model"] if row["model"] not in models else f"{row['model']}@{row['n_ctx']}"
            models[name] = rss
    for name, pid in (others or {}).items():
        rss = rss_bytes(pid)
        if rss is not None:
            models[name] = rss
    app = rss_bytes(os.getpid())
    return {"models": models, "app": app, "total": sum(models.values()) + (app or 0)}


def session_memory(session: Any) -> dict[str, Any]:
    """The snapshot of a session: its pool's workers, its embedding worker, this process."""
    backend = getattr(getattr(session, "embeddings", None), "backend", None)
    others: dict[str, int | None] = {}
    if backend is not None and getattr(backend, "pid", None) is not None:
        others[f"embeddings ({Path(backend.path).stem[:40]})"] = backend.pid
    return snapshot(session.pool.status(), others)
