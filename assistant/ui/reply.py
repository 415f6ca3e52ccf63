"""One reply in flight: the core thread runs the turn, feeds its text to the UI and tells the
screen how it goes with Core's messages (ReplyStarted, FactsReady, ReplyDone)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from creator_assistant.ui.core import Core, post
from creator_assistant.ui.feed import TokenFeed


@dataclass
class Current:
    """The conversation the chat shows; the core thread reads it when a turn starts and sets it
    when a turn creates one, so messages sent in quick succession land in the same one."""

    cid: str | None = None


@dataclass
class Request:
    text: str
    current: Current
    task: str | None = None
    model: str | None = None
    rewind: bool = False  # replace the last exchange (regenerate, edit and resend)


@dataclass
class Outcome:
    result: Any = None  # TurnResult
    n_ctx: int = 0
    error: str = ""  # the turn could not start (bad input, missing model, ...)


@dataclass
class Reply:
    """What the UI holds while a reply streams; `stop` may be called from the UI at any time.
    `target` (the screen) gets the core's messages about it; `view` is where it is drawn."""

    feed: TokenFeed
    target: Any = None
    view: Any = None
    stopped: threading.Event = field(default_factory=threading.Event)
    turn: Any = None
    writing: bool = False  # its first text is on screen
    drawn: bool = False  # all of its text is on screen
    outcome: Outcome | None = None  # set when ReplyDone arrives

    def stop(self) -> None:
        self.stopped.set()
        if self.turn is not None:
            self.turn.cancel()


def produce(session: Any, reply: Reply, req: Request) -> Outcome:
    """Run one turn on the core thread, putting its text on the feed; never raises."""
    outcome = _run(session, reply, req)
    post(reply.target, Core.ReplyDone(reply, outcome))
    return outcome


def _run(session: Any, reply: Reply, req: Request) -> Outcome:
    feed = reply.feed
    new = req.current.cid is None
    try:
        if req.rewind and req.current.cid:
            session.rewind(req.current.cid)
        turn = session.ask(req.text, task=req.task, model=req.model,
                           conversation_id=req.current.cid)
        req.current.cid = turn.result.conversation_id
        reply.turn = turn
        post(reply.target, Core.ReplyStarted(reply, turn.result, turn.n_ctx,
                                             turn.backend.info is not None))
        facts_sent = False
        for piece in turn:
            if reply.stopped.is_set():
                turn.cancel()  # a stop that came before the stream began
            if not facts_sent and turn.result.facts:
                facts_sent = True
                post(reply.target, Core.FactsReady(reply, turn.result.facts))
            feed.put(piece)
        if not facts_sent and turn.result.facts:
            post(reply.target, Core.FactsReady(reply, turn.result.facts))
        return Outcome(turn.result, turn.n_ctx)
    except Exception as exc:  # shown in the chat; the UI must outlive any failure
        if new and req.current.cid is None:
            forget_empty(session)
        return Outcome(error=str(exc) or type(exc).__name__)
    finally:
        feed.close()


def forget_empty(session: Any) -> None:
    """A turn that failed to start may have made its conversation already (Session.ask creates
    it first); the sidebar must not keep it."""
    try:
        session.conversations.forget_empty_latest()
    except Exception:  # tidying up must not hide the turn's own error
        pass
