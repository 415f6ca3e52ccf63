"""The Session on one thread of its own: SQLite connections belong to the thread that opened
them, and the model pool is driven from one place, so every call that touches the session's
store or its models runs there, in order. What happens there reaches the screens as the
Textual messages below."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

from textual.message import Message

from creator_assistant.paths import Paths

if TYPE_CHECKING:  # the session imports the whole core: the chat paints before that
    from creator_assistant.session import Session

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
        """The task worked out the facts its reply is built on (shown above the reply): Markdown,
        its charts as `creator_assistant.plots` chart blocks (the facts view draws them)."""

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

    def __init__(self, paths: Paths | None = None, start: bool = True) -> None:
        """`start`: begin building the Session now; the chat passes False and starts it once
        its first frame is painted (building it imports and opens the whole core)."""
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="creator-core")
        self._paths = paths
        self._opening: Future[Session] | None = None
        self._lock = threading.Lock()
        if start:
            self.start()

    def start(self) -> Future[Session]:
        """Build the Session on the core thread (once); everything submitted after it runs
        after it."""
        with self._lock:
            if self._opening is None:
                self._opening = self._executor.submit(_open_session, self._paths)
            return self._opening

    @property
    def started(self) -> bool:
        """`start` was called: the Session is built, or being built."""
        return self._opening is not None

    @property
    def ready(self) -> bool:
        """The Session is built (or failed to be)."""
        return self._opening is not None and self._opening.done()

    @property
    def session(self) -> Session:
        """The Session, waiting for it to be built if need be."""
        return self.start().result()

    @property
    def paths(self) -> Paths:
        return self.session.paths

    async def opened(self) -> Session:
        """Wait (without blocking the UI's loop) until the Session is built."""
        return await asyncio.wrap_future(self.start())

    def submit(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> Future[T]:
        self.start()  # first: what is submitted may use the session
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
        name = ""
        try:
            models = self.session.models  # a Session that failed to open says why here
            name = models.choice(task, model)[0].id
            post(target, self.ModelLoading(name))
            post(target, self.ModelLoaded(name, models.load(task, model)))
            return True
        except Exception as exc:  # reported on screen; the first message reports it again
            post(target, self.ModelFailed(name, str(exc) or type(exc).__name__))
            return False

    def close(self) -> None:
        try:
            if self._opening is not None:  # a Session still being built is closed once built
                self._executor.submit(_close_session, self._opening).result(timeout=60)
        finally:
            self._executor.shutdown(wait=False, cancel_futures=True)


def _open_session(paths: Paths | None) -> Session:
    from creator_assistant.session import Session

    return Session.open(paths)


def _close_session(opening: Future[Session]) -> None:
    if opening.exception() is None:  # one that failed to open has nothing to close
        opening.result().close()


class Later:
    """One of the session's services (`conversations`, `models`), reached when first used:
    the chat composes its widgets before the Session is built."""

    def __init__(self, core: Core, name: str) -> None:
        self._core, self._name = core, name

    def __getattr__(self, attr: str) -> Any:
        return getattr(getattr(self._core.session, self._name), attr)
