"""The Session on one thread of its own: SQLite connections belong to the thread that opened
them, and the model pool is driven from one place, so every call that touches the session's
store or its models runs there, in order. What happens there reaches the screens as the
Textual messages below."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from textual.message import Message

from creator_assistant.paths import Paths

T = TypeVar("T")


def post(target: Any, message: Message) -> None:
    """Post from the core thread; a screen (or app) that has gone just misses it."""
    try:
        target.post_message(message)
    except RuntimeError:  # the UI's event loop is closed
        pass


class Core:
    """Owns the Session; `call` runs a function with it on the core thread and awaits the result."""

    class ReplyStarted(Message):
        """A turn began: its task, route and model are known; `loaded`: the model is ready."""

        def __init__(self, reply: Any, result: Any, n_ctx: int, loaded: bool) -> None:
            super().__init__()
            self.reply, self.result, self.n_ctx, self.loaded = reply, result, n_ctx, loaded

    class FactsReady(Message):
        """The task worked out the facts its reply is built on (shown above the reply)."""

        def __init__(self, reply: Any, facts: str) -> None:
            super().__init__()
            self.reply, self.facts = reply, facts

    class ReplyDone(Message):
        """The turn is over and saved; `outcome` holds its result, or why it did not start."""

        def __init__(self, reply: Any, outcome: Any) -> None:
            super().__init__()
            self.reply, self.outcome = reply, outcome

    class ModelLoading(Message):
        """The core thread started loading `model`."""

        def __init__(self, model: str) -> None:
            super().__init__()
            self.model = model

    class ModelLoaded(Message):
        """`model` is loaded; `report` says how long it took and with what window."""

        def __init__(self, model: str, report: str) -> None:
            super().__init__()
            self.model, self.report = model, report

    class ModelFailed(Message):
        """Loading `model` failed (`model` is "" when even choosing it failed)."""

        def __init__(self, model: str, error: str) -> None:
            super().__init__()
            self.model, self.error = model, error

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

    def load_model(self, target: Any, task: str | None = None,
                   model: str | None = None) -> Future[bool]:
        """Load the model `task` answers with (or `model`) on the core thread, telling `target`
        with ModelLoading, then ModelLoaded or ModelFailed; the future says whether it loaded."""
        return self.submit(self._load, target, task, model)

    def _load(self, target: Any, task: str | None, model: str | None) -> bool:
        models, name = self.session.models, ""
        try:
            name = models.choice(task, model)[0].id
            post(target, self.ModelLoading(name))
            post(target, self.ModelLoaded(name, models.load(task, model)))
            return True
        except Exception as exc:  # reported on screen; the first message reports it again
            post(target, self.ModelFailed(name, str(exc) or type(exc).__name__))
            return False

    def close(self) -> None:
        try:
            self.submit(self.session.close).result(timeout=30)
        finally:
            self._executor.shutdown(wait=False, cancel_futures=True)
