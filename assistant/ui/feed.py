"""Text handed from the thread that reads the model to the UI loop, in batches."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator


class TokenFeed:
    """The producer thread never waits on the UI: `put` queues text and wakes the loop at most
    once per batch; the UI drains everything queued since its last look."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._queue: deque[str] = deque()
        self._ready = asyncio.Event()
        self._armed = False
        self.closed = False

    def put(self, text: str) -> None:
        """Queue a piece of text (from any thread)."""
        self._queue.append(text)
        self._wake()

    def close(self) -> None:
        """No more text is coming (from any thread)."""
        self.closed = True
        self._wake()

    def _wake(self) -> None:
        if not self._armed:
            self._armed = True
            try:
                self._loop.call_soon_threadsafe(self._ready.set)
            except RuntimeError:  # the UI has closed its loop: nobody is reading any more
                pass

    async def batches(self, interval: float = 0.0) -> AsyncIterator[str]:
        """Yield the queued text as it arrives, at most one batch per `interval` seconds."""
        queue = self._queue
        while True:
            await self._ready.wait()
            self._ready.clear()
            self._armed = False
            closed = self.closed  # read before draining: all text put before close is queued
            parts = []
            while queue:
                parts.append(queue.popleft())
            if parts:
                yield "".join(parts)
            if closed:
                return
            if interval:
                # Pacing: the UI redraws a few dozen times a second however fast tokens come.
                await asyncio.sleep(interval)
