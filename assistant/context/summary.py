"""The running summary of turns evicted from the prompt, written by the small model in the
background: queued behind interactive turns, and stopped when the user sends a message. Each
batch folded in is saved at once, and a stopped summary is asked for again when the next turn
ends, so a long one gets written across interruptions."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from creator_assistant.context.conversation import BackendCounter
from creator_assistant.context.fitting import CUT, Message, fit
from creator_assistant.resources import read_prompt
from creator_assistant.runtime.backend import Backend
from creator_assistant.runtime.protocol import GenerateRequest
from creator_assistant.runtime.scheduler import BACKGROUND, Cancelled
from creator_assistant.storage.store import open_store

SMALL_MODEL = "gemma-3-1b"
SUMMARY_CONTEXT = 2048  # the summarizer's window: a pass folds in what fits, then the next
SUMMARY_TOKENS = 200


def summarize(backend: Backend, previous: str, messages: list[Message],
              max_tokens: int = SUMMARY_TOKENS, stop: threading.Event | None = None,
              on_fold: Callable[[str, int], None] | None = None) -> str:
    """`previous` updated with `messages`, written by the backend's model in as many passes as
    its window needs; `on_fold(summary, n)` after each pass (n: messages folded in so far).
    Raises Cancelled when `stop` is set or the backend is cancelled."""
    counter = BackendCounter(backend)
    # Room for the turns in one pass: the window less instructions, summary so far and reply.
    room = max(backend.n_ctx - 3 * max_tokens - 160, 64)
    summary, done = previous, 0
    for batch in _batches(messages, counter.sizes([m["content"] for m in messages]), room):
        if stop is not None and stop.is_set():
            raise Cancelled("the summary was cancelled")
        summary = _fold(backend, counter, summary, batch, max_tokens)
        done += len(batch)
        if on_fold is not None:
            on_fold(summary, done)
    return summary


def _batches(messages: list[Message], sizes: list[int], room: int) -> list[list[Message]]:
    batches: list[list[Message]] = [[]]
    used = 0
    for message, size in zip(messages, sizes, strict=True):
        if size > room:  # one long message: its beginning and end, in proportion
            keep = len(message["content"]) * room // size
            text = message["content"]
            message = {**message, "content": text[: keep * 2 // 3] + CUT + text[-(keep // 3):]}
            size = room
        if used + size > room and batches[-1]:
            batches.append([])
            used = 0
        batches[-1].append(message)
        used += size
    return [b for b in batches if b]


def _fold(backend: Backend, counter: BackendCounter, summary: str, turns: list[Message],
          max_tokens: int) -> str:
    transcript = "\n\n".join(
        f"{'Assistant' if m['role'] == 'assistant' else 'Creator'}: {m['content']}" for m in turns)
    user = f"Summary so far:\n{summary or '(nothing yet)'}\n\nNew turns:\n{transcript}"
    fitted = fit(read_prompt("summary.md"), [], user, counter, backend.n_ctx, max_tokens)
    request = GenerateRequest(messages=fitted.messages, temperature=0.3, top_p=0.9, top_k=40,
                              min_p=0.05, repeat_penalty=1.1, max_tokens=fitted.max_tokens,
                              seed=0, conversation="summary")  # one-off prompts: saved as
    text = "".join(backend.stream(request)).strip()  # one conversation, not each (warm resume)
    usage = backend.last_usage
    if usage is not None and usage.finish_reason == "cancelled":
        raise Cancelled("the summary was cancelled")
    return text or summary


def summary_choice(paths: Any) -> Any:
    """The small model: Gemma 3 1B when installed, else the smallest installed, else the demo."""
    from creator_assistant.library import kinds
    from creator_assistant.runtime.resolver import ModelNotInstalled, resolve

    try:
        return resolve(SMALL_MODEL, paths)
    except ModelNotInstalled:
        pass
    models = kinds.chat_models(paths)  # a base model is never chosen by itself
    return resolve(min(models, key=lambda e: e.size).id if models else "demo", paths)


class Summaries:
    """Keeps each conversation's running summary up to date, one background job at a time.

    A turn interrupts the summary in progress; what it had folded in is saved, and the
    conversation is asked for again when that turn ends. After `patience` interruptions in a
    row that left no batch folded (messages sent back to back), the next turn lets the batch
    in progress finish first, so the summary never falls behind for good."""

    patience = 3

    def __init__(self, session: Any) -> None:
        self.session = session
        self.enabled = True  # `creator ask` turns it off: it exits as soon as the answer ends
        self.max_tokens = SUMMARY_TOKENS  # the longest summary a pass writes
        self.jobs: dict[str, Any] = {}
        self.pending: set[str] = set()  # interrupted: asked for again when a turn ends
        self.misses: dict[str, int] = {}  # interruptions in a row with no batch folded
        self.on_fold: list[Callable[[str, int], None]] = []  # (cid, upto) after each batch
        self._finish: dict[str, threading.Event] = {}  # per job: stop after this batch
        self._lock = threading.Lock()

    def request(self, cid: str) -> Any:
        """Queue an update of `cid`'s summary if turns left its prompt since the last one, and
        of every conversation whose summary was interrupted; returns `cid`'s job (None when
        there is nothing to do)."""
        with self._lock:
            others = sorted(self.pending - {cid})
            self.pending.clear()
        for other in others:
            self._request(other)
        return self._request(cid)

    def _request(self, cid: str) -> Any:
        state = self.session.store.memory_state(cid)
        if not self.enabled or state["summary_upto"] >= state["kept_from"] - 1:
            return None
        with self._lock:
            job = self.jobs.get(cid)
            if job is None or job.finished.is_set() or job.cancelled.is_set():
                finish = threading.Event()
                job = self.session.pool.scheduler.submit(
                    lambda j: self._run(j, cid, finish), BACKGROUND, f"summary {cid}")
                self.jobs[cid], self._finish[cid] = job, finish
            else:  # the turn it gave way to is over: it may go on past its batch
                self._finish[cid].clear()
            return job

    def interrupt(self, hard: bool = False) -> None:
        """Stop every summary in progress (a turn is starting); each is asked for again when
        the turn ends. One that gave way `patience` times in a row with nothing folded
        finishes its batch first (unless `hard`)."""
        with self._lock:
            running = [(c, j) for c, j in self.jobs.items() if not j.finished.is_set()]
            self.pending.update(c for c, _ in running)
            stop = []
            for cid, job in running:
                if not hard and self.misses.get(cid, 0) >= self.patience:
                    self._finish[cid].set()
                else:
                    self.misses[cid] = self.misses.get(cid, 0) + 1
                    stop.append(job)
        for job in stop:
            job.cancel()

    def close(self) -> None:
        self.interrupt(hard=True)
        for job in list(self.jobs.values()):
            job.wait(10)

    def _run(self, job: Any, cid: str, finish: threading.Event) -> str:
        # Its own connection: this runs on the scheduler's thread.
        store = open_store(self.session.paths.database)
        try:
            state = store.memory_state(cid)
            upto = state["kept_from"] - 1
            # Only the turns to fold in: a long conversation is not read whole every turn.
            rows = store.said(cid, state["summary_upto"], upto)
            messages = [{"role": r["role"], "content": r["content"]} for r in rows]
            text, model = state["summary"], ""
            if messages:
                pool = self.session.pool
                choice = summary_choice(self.session.paths)
                backend = pool.backend(choice, min(SUMMARY_CONTEXT, choice.context))
                ticket = pool.scheduler.gate.ticket(BACKGROUND, "summary")
                ticket.on_cancel(backend.cancel)
                job.tickets.append(ticket)
                if job.cancelled.is_set():
                    raise Cancelled("the summary was cancelled")

                def folded(summary: str, n: int) -> None:
                    # Saved at once: an interruption after this keeps it.
                    done = upto if n == len(rows) else rows[n - 1]["seq"]
                    store.set_summary(cid, summary, done, choice.id)
                    with self._lock:
                        self.misses.pop(cid, None)
                    for hook in list(self.on_fold):
                        hook(cid, done)
                    if finish.is_set() and n < len(rows):
                        raise Cancelled("the summary gave way to a turn")

                with pool.scheduler.gate.hold(ticket):
                    pool.ready(backend)
                    summarize(backend, text, messages, self.max_tokens, job.cancelled,
                              folded)
                return store.memory_state(cid)["summary"]
            if job.cancelled.is_set():
                raise Cancelled("the summary was cancelled")
            store.set_summary(cid, text, upto, model)
            return text
        finally:
            store.db.close()
