"""The Session on one thread of its own: SQLite connections belong to the thread that opened
them, so every call that touches the session's store runs there, in order."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from creator_assistant.paths import Paths

T = TypeVar("T")


class Core:
    """Owns the Session; `call` runs a function with it on the core thread and awaits the result."""

    def __init__(self, paths: Paths | None = None) -> None:
        from creator_assistant.session import Session

        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="creator-core")
        self.session: Session = self._executor.submit(Session.open, paths).result()
        self.paths: Paths = self.session.paths

    def submit(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> Future[T]:
        return self._executor.submit(fn, *args, **kwargs)

    def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run on the core thread and wait (for set-up before the UI starts)."""
        return self.submit(fn, *args, **kwargs).result()

    async def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return await asyncio.wrap_future(self.submit(fn, *args, **kwargs))

    def close(self) -> None:
        try:
            self.submit(self.session.close).result(timeout=30)
        finally:
            self._executor.shutdown(wait=False, cancel_futures=True)
