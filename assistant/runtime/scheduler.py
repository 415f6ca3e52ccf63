"""The inference queue: one gate in front of the models, interactive requests first.

Every generation holds the gate for its duration; waiting requests are served by priority, then
in arrival order, so a chat message overtakes queued background work (summaries, batch organize)
and waits at most for the one request already running. Background jobs run on one worker thread
and can be cancelled while queued (never started) or while running (their model call stops).
"""

from __future__ import annotations

import heapq
import itertools
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

INTERACTIVE = 0
BACKGROUND = 10


class Cancelled(Exception):
    """The request was cancelled before or while it ran."""


class Ticket:
    """One request's place in the gate's queue."""

    def __init__(self, gate: Gate, priority: int, seq: int, name: str) -> None:
        self.gate, self.priority, self.seq, self.name = gate, priority, seq, name
        self.state = "new"  # new, waiting, running, done, cancelled
        self.cancelled = False
        self._on_cancel: list[Callable[[], None]] = []

    def on_cancel(self, callback: Callable[[], None]) -> None:
        self._on_cancel.append(callback)

    def cancel(self) -> None:
        self.gate.cancel(self)


class Gate:
    """A priority semaphore with `slots` concurrent holders."""

    def __init__(self, slots: int = 1) -> None:
        self.slots = slots
        self._cond = threading.Condition()
        self._waiting: list[tuple[int, int, Ticket]] = []
        self._active = 0
        self._seq = itertools.count()

    def ticket(self, priority: int = INTERACTIVE, name: str = "") -> Ticket:
        return Ticket(self, priority, next(self._seq), name)

    @contextmanager
    def hold(self, ticket: Ticket) -> Iterator[Ticket]:
        """Wait for the ticket's turn, hold a slot, release it on exit; re-entrant per ticket."""
        if ticket.state == "running":
            yield ticket
            return
        self._acquire(ticket)
        try:
            yield ticket
        finally:
            with self._cond:
                self._active -= 1
                if ticket.state == "running":
                    ticket.state = "done"
                self._cond.notify_all()

    def _acquire(self, ticket: Ticket) -> None:
        with self._cond:
            if ticket.cancelled:
                raise Cancelled(f"{ticket.name or 'request'} was cancelled")
            heapq.heappush(self._waiting, (ticket.priority, ticket.seq, ticket))
            ticket.state = "waiting"
            self._cond.notify_all()
            while True:
                if ticket.cancelled:
                    self._waiting.remove((ticket.priority, ticket.seq, ticket))
                    heapq.heapify(self._waiting)
                    self._cond.notify_all()
                    raise Cancelled(f"{ticket.name or 'request'} was cancelled while queued")
                if self._active < self.slots and self._waiting[0][2] is ticket:
                    heapq.heappop(self._waiting)
                    self._active += 1
                    ticket.state = "running"
                    return
                self._cond.wait()

    def cancel(self, ticket: Ticket) -> None:
        with self._cond:
            ticket.cancelled = True
            running = ticket.state == "running"
            if ticket.state in ("new", "waiting"):
                ticket.state = "cancelled"
            self._cond.notify_all()
        if running:
            for callback in ticket._on_cancel:
                callback()

    def waiting(self) -> list[tuple[str, int]]:
        """Queued requests as (name, priority), next first."""
        with self._cond:
            return [(t.name, p) for p, _, t in sorted(self._waiting)]

    def wait_for_waiters(self, n: int, timeout: float) -> bool:
        """Block until at least `n` requests are queued (for callers that stage work)."""
        with self._cond:
            return self._cond.wait_for(lambda: len(self._waiting) >= n, timeout)


class Job:
    """Background work submitted to the queue; `cancel()` works queued or running."""

    def __init__(self, fn: Callable[[Job], Any], priority: int, seq: int, name: str,
                 lock: threading.Condition) -> None:
        self.fn, self.priority, self.seq, self.name = fn, priority, seq, name
        self._lock = lock
        self.state = "queued"  # queued, running, done, failed, cancelled
        self.result: Any = None
        self.error: BaseException | None = None
        self.cancelled = threading.Event()
        self.finished = threading.Event()
        self.tickets: list[Ticket] = []  # model requests made on the job's behalf

    def cancel(self) -> None:
        self.cancelled.set()
        with self._lock:
            if self.state == "queued":  # never started: it never will
                self.state = "cancelled"
                self.finished.set()
        for ticket in list(self.tickets):
            ticket.cancel()

    def wait(self, timeout: float | None = None) -> bool:
        return self.finished.wait(timeout)


class Scheduler:
    """The gate plus a background worker that runs submitted jobs by priority."""

    def __init__(self, slots: int = 1) -> None:
        self.gate = Gate(slots)
        self._jobs: list[tuple[int, int, Job]] = []
        self._cond = threading.Condition()
        self._seq = itertools.count()
        self._worker: threading.Thread | None = None
        self._closed = False

    def submit(self, fn: Callable[[Job], Any], priority: int = BACKGROUND, name: str = "") -> Job:
        """Queue `fn(job)`; its model calls should pass `job=job` so cancel reaches them."""
        job = Job(fn, priority, next(self._seq), name, self._cond)
        with self._cond:
            heapq.heappush(self._jobs, (priority, job.seq, job))
            if self._worker is None:
                self._worker = threading.Thread(target=self._run, name="creator-jobs", daemon=True)
                self._worker.start()
            self._cond.notify_all()
        return job

    def queued(self) -> list[Job]:
        with self._cond:
            return [j for _, _, j in sorted(self._jobs) if j.state == "queued"]

    def close(self) -> None:
        with self._cond:
            self._closed = True
            for _, _, job in self._jobs:
                job.cancel()
            self._cond.notify_all()

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._jobs or self._closed)
                if self._closed and not self._jobs:
                    return
                _, _, job = heapq.heappop(self._jobs)
                if job.state == "cancelled":
                    continue
                job.state = "running"
            try:
                job.result = job.fn(job)
                job.state = "cancelled" if job.cancelled.is_set() else "done"
            except Cancelled:
                job.state = "cancelled"
            except BaseException as exc:  # reported on the job, never kills the worker
                # The error stays on the job, the work it held does not: its frames' locals (a
                # batch of messages, say) would otherwise live as long as the job is kept.
                traceback.clear_frames(exc.__traceback__)
                job.error, job.state = exc, "failed"
            job.finished.set()
