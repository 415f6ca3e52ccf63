"""What the model library screen does to models, through the library and the model pool.

The library (`creator_assistant.library`) and the pool's manager methods are optional here:
each call checks they exist, so the screen works with whatever this build has."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any


class Unavailable(RuntimeError):
    """This build cannot do that yet; the message says how to do it instead."""


def _library() -> Any:
    try:
        from creator_assistant import library
    except ImportError:
        return None
    return library


def _loaded(pool: Any, path: Path) -> bool:
    if hasattr(pool, "is_resident"):
        return bool(pool.is_resident(path))
    return any(b.path == path and b.info is not None for b in pool.resident())


def rows(paths: Any, pool: Any) -> list[dict[str, Any]]:
    """Every model with its category, size, tier and status: loaded, downloaded, built in
    (the demo), added (the user's own file) or available (to download)."""
    library = _library()
    if library is not None and hasattr(library, "rows"):
        listing = library.rows(paths)
    else:
        from creator_assistant.commands.models import rows as command_rows

        listing = command_rows(paths)
    for row in listing:
        if row.get("path") and _loaded(pool, Path(row["path"])):
            row["status"] = "loaded"
    order = {"text-generation": 0, "embedding": 1}
    return sorted(listing, key=lambda r: (order.get(r["category"], 9), r["category"],
                                          not r.get("demo"), r["size"] or 0))


def pull(model_id: str, paths: Any, progress: Callable[[int, int], None],
         cancel: threading.Event) -> str:
    library = _library()
    if library is None or not hasattr(library, "pull"):
        raise Unavailable(f"downloads are not in this build; run `creator models pull {model_id}`")
    done = library.pull(model_id, paths, progress=progress, cancel=cancel)
    return f"{model_id}: saved to {done.path} ({done.verified_by})"


def remove(model_id: str, row: dict[str, Any], paths: Any, pool: Any) -> str:
    library = _library()
    if library is None or not hasattr(library, "remove"):
        raise Unavailable(f"removing is not in this build; run `creator models rm {model_id}`")
    if row.get("path"):
        unload(Path(row["path"]), pool)
    return library.remove(model_id, paths)


def load(model_id: str, session: Any) -> str:
    """Load a model the way the chat task would use it, so the next reply starts at once."""
    task = session.tasks.get("chat") or next(iter(session.tasks.values()))
    choice, profile = session.task_settings(task, model_id)
    info = session.pool.backend(choice, min(profile["context"], choice.context)).load()
    return f"{model_id} loaded in {info.load_ms:,.0f} ms (context {info.n_ctx:,})"


def unload(path: Path, pool: Any) -> bool:
    """Stop the workers running this model file; True when one was running."""
    if hasattr(pool, "unload"):
        return bool(pool.unload(path))
    found = False
    for backend in pool.resident():
        if Path(backend.path) == Path(path) and backend.info is not None:
            backend.close()  # the pool restarts it if a reply needs it again
            found = True
    return found
