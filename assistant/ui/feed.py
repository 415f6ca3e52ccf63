"""Text handed from the thread that reads the model to the UI loop, in batches."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator


class TokenFeed:
    """The producer thread never waits on the UI: `put` queues text and wakes the loop at most
    once per batch; the UI drains everything queued since its last look."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._queue: deque[str] = deque()
        self._ready = asyncio.Event()
        self._ended = asyncio.Event()  # set with close: a paced wait ends at once
        self._armed = False
        self.closed = False

    def put(self, text: str) -> None:
        """Queue a piece of text (from any thread)."""
        self._queue.append(text)
        self._wake()

    def close(self) -> None:
        """No more text is coming (from any thread)."""
        self.closed = True
        self._armed = False
        self._wake()
        self._call(self._ended.set)

    def _wake(self) -> None:
        if not self._armed:
            self._armed = True
            self._call(self._ready.set)

    def _call(self, fn) -> None:
        try:
            self._loop.call_soon_threadsafe(fn)
        except RuntimeError:  # the UI has closed its loop: nobody is reading any more
            pass

    async def batches(self, interval: float = 0.0, cpu_share: float = 1.0,
                      longest: float = 0.5) -> AsyncIterator[str]:
        """Yield the queued text as it arrives: at most one batch per `interval` seconds, less
        often when drawing takes more than `cpu_share` of this thread's time, but at least one
        per `longest` seconds while text is coming."""
        queue = self._queue
        mark = time.thread_time()
        while True:
            await self._ready.wait()
            self._ready.clear()
            self._armed = False
            closed = self.closed  # read before draining: all text put before close is queued
            began = time.perf_counter()
            parts = []
            while queue:
                parts.append(queue.popleft())
            if parts:
                yield "".join(parts)
            if closed:
                return
            # Pacing: redrawing a scrolling chat costs about the same for one token as for a
            # hundred, so when redraws are expensive, batch more. The drawing runs on this
            # thread between batches; `used` is all of this thread's work since the last one.
            now = time.thread_time()
            used, mark = now - mark, now
            wait = min(max(interval, used / cpu_share), longest) - (time.perf_counter() - began)
            if wait > 0 and not self._ended.is_set():
                try:
                    await asyncio.wait_for(self._ended.wait(), wait)
                except TimeoutError:
                    pass
