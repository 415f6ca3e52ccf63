"""Route a message to a task without a model call: every plugin scores it through `score_message`.

Each task's default score blends keyword hits with similarity to its declared examples; plugins add
their own signals through the hook. Follow-ups stay on the conversation's task unless the message
clearly asks for another; general messages go to chat; close calls may ask the small model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

from creator_assistant.plugin_manager import Host
from creator_assistant.registry import Score, Task
from creator_assistant.router import tiebreak
from creator_assistant.router.index import KEYWORDS_SAID, Index, read_examples, stem, words
from creator_assistant.router.tiebreak import TIEBREAK_ENV, ModelAccess, Models
from creator_assistant.runtime.scheduler import INTERACTIVE

__all__ = ["Decision", "Index", "ModelAccess", "Models", "RouteContext", "Router", "TIEBREAK_ENV",
           "close_call", "maybe_tie_break", "read_examples", "router_for", "stem", "words"]

FALLBACK = "chat"
CHAT_FLOOR = 0.12  # a task needs at least this to win over plain chat...
LIKENESS_MARGIN = 0.06  # ...and this lead over chat, when only its examples' likeness speaks
CLEAR = 0.25  # ...and this, with a keyword, to pull a follow-up away from its task
CLOSE = 0.05  # top two within this: a close call the optional tie-break may settle
HEAD = 1500  # characters routed: instructions come first; a long paste after them is data
# After a task's question, the next message is its answer unless it clearly starts something
# else: another task's keyword or signal with at least STARTS, phrased as a request (below), or
# at least SURELY however it is phrased. (Answers such as "why the sourdough trend is over"
# score up to about 0.6 for another task; a greeting scores 0.9.)
STARTS = 0.45
SURELY = 0.8
_LEADS = (r"^\W*(?:(?:actually|no|nah|wait|ok(?:ay)?|now|never ?mind|forget (?:it|that)|instead|"
          r"hmm+|so|and|but|also|please|pls|hey|sorry)\b[\s,.!:;-]*)*")
_REQUEST = re.compile(
    _LEADS + r"(?:(?:write|make|create|draft|give|generate|plan|outline|analy[sz]e|sort|"
    r"organi[sz]e|categori[sz]e|classify|group|compare|research|study|look at|help|show|tell|"
    r"find|explain|turn|rewrite|summari[sz]e|can you|could you|would you|will you|let'?s|"
    r"i (?:want|need|would like|'d like))\b"
    r"|(?:(?:what|how|why|when|where|which|who)\s+)?(?:is|are|was|were|do|does|did|can|could|"
    r"should|would|will|am|has|have)\b.*\w)|\?\s*$", re.IGNORECASE)
# "what about their shorts?", "and how about TikTok?": a question about the same work.
_QUOTED = re.compile(r"(?:^|(?<=[\s(:]))['\"\u201c\u2018]([^'\"\u201d\u2019\n]{2,80})"
                     r"['\"\u201d\u2019](?=[\s.,!?:;)]|$)")
_ABOUT = re.compile(r"\W*(?:(?:and|but|so|ok(?:ay)?|now)\W+)?(?:what|how) about\b", re.IGNORECASE)



@lru_cache(maxsize=1024)
def _stems(words_: tuple[str, ...]) -> frozenset[str]:
    return frozenset(stem(w.lower()) for w in words_)


@dataclass
class RouteContext:
    """What `score_message` implementations see: the message, its words, the conversation's task
    and the default score of every task (from keywords and declared examples)."""

    message: str
    words: list[str]
    conversation_task: str | None
    base: dict[str, Score]
    vocab: frozenset[str] = frozenset()

    def has(self, *any_of: str) -> bool:
        """Whether the message holds any of these words, in any form ("write" finds "writing"):
        a cheap test before a costlier pattern."""
        return not self.vocab.isdisjoint(_stems(any_of))

    def score(self, task: str, bonus: float = 0.0, why: str = "") -> Score:
        """The default score of `task`, raised or lowered by `bonus` (clamped to 0..1)."""
        base = self.base.get(task, Score(task, 0.0, "no signal"))
        if not bonus:
            return base
        value = min(1.0, max(0.0, base.score + bonus))
        reason = f"{base.reason}; {why}" if why else base.reason
        return Score(task, value, reason)


@dataclass
class Decision:
    """A routing decision and everything needed to explain it: the one route type (a turn's
    `result.route`, `creator route`, `ask --json`)."""

    task: str
    score: float
    reason: str
    runner_up: str | None = None
    runner_up_score: float = 0.0
    scores: dict[str, float] = field(default_factory=dict)
    why: dict[str, str] = field(default_factory=dict)
    tiebreak: str | None = None
    explicit: bool = False  # the winner's keyword or its plugin's signal chose it, not likeness

    def as_dict(self) -> dict[str, Any]:
        return {"task": self.task, "score": self.score, "reason": self.reason,
                "runner_up": self.runner_up, "runner_up_score": self.runner_up_score,
                "scores": self.scores, "tiebreak": self.tiebreak}

    def brief(self) -> dict[str, Any]:
        """The route as a turn's record (`ask --json` "route") shows it."""
        return {"task": self.task, "score": self.score, "reason": self.reason,
                "runner_up": self.runner_up}


class Router:
    """Scores messages against the tasks a plugin host registered; given `models` (what a
    model call needs), it may let a small model settle close calls (see tiebreak.py)."""

    def __init__(self, host: Host, models: Models | None = None) -> None:
        self.host = host
        self.models = models

    @property
    def tasks(self) -> dict[str, Task]:
        return self.host.registry.tasks

    @cached_property
    def index(self) -> Index:  # built on first use: plugins load lazily
        return Index(self.tasks)

    def decide(self, text: str, conversation_task: str | None = None,
               waiting: str | None = None, priority: int = INTERACTIVE) -> Decision:
        """The decision for a message in a conversation whose task is `conversation_task`;
        `waiting`: the task whose question it may answer (see `answer_or_new`). A close call
        may go to the tie-break, whose model request waits its turn at `priority`."""
        if waiting:
            return self.answer_or_new(text, waiting)
        decision = self.route(text, conversation_task)
        if self.models is None or not tiebreak.enabled():
            return decision
        return tiebreak.settle(self.models, text, decision, self.close_call(decision), priority)

    def _scores(self, text: str, conv: str | None) -> tuple[dict[str, Score], dict[str, Score]]:
        head = text[:HEAD]
        # A quoted title's words ("how I organize my week") say what a piece is about, not
        # which task is asked for: they are left out of the keyword and example scoring.
        tokens = words(_QUOTED.sub(" ", head))
        base = self.index.score(tokens)
        ctx = RouteContext(head, tokens, conv, base, frozenset(tokens))
        final = dict(base)
        owner = self.host.registry.owner
        for plugin, returned in self.host.call("score_message", message=head, context=ctx):
            for item in returned if isinstance(returned, (list, tuple)) else [returned]:
                # A plugin scores only its own tasks: one plugin cannot bury another's.
                if isinstance(item, Score) and owner.get(("tasks", item.task)) == plugin:
                    if not 0.0 <= item.score <= 1.0:
                        item = Score(item.task, min(1.0, max(0.0, item.score)), item.reason)
                    final[item.task] = item
        return base, final

    def route(self, text: str, conversation_task: str | None = None) -> Decision:
        if not text.strip():
            return Decision(FALLBACK, 0.0, "empty message; general chat")
        base, scores = self._scores(text, conversation_task)
        ranked = sorted(scores.values(), key=lambda s: (-s.score, s.task != FALLBACK, s.task))
        best = ranked[0] if ranked else Score(FALLBACK, 0.0, "")
        second = ranked[1] if len(ranked) > 1 else None
        # Explicit: a keyword of the task, or a signal its plugin recognised, not mere likeness.
        was = base.get(best.task)
        raised = was is not None and best.score > was.score
        # Chat's keywords are everyday words ("joke", "story"); only its plugin's own signal
        # (small talk, a general question) makes chat an explicit choice.
        explicit = raised or (KEYWORDS_SAID in best.reason and best.task != FALLBACK)
        decision = self._decide(text, best, explicit, scores, conversation_task)
        decision.explicit = explicit and decision.task == best.task
        runner = next((s for s in ranked if s.task != decision.task), second)
        decision.runner_up = runner.task if runner else None
        decision.runner_up_score = round(runner.score, 3) if runner else 0.0
        decision.scores = {s.task: round(s.score, 3) for s in ranked}
        decision.why = {s.task: s.reason for s in ranked}
        return decision

    def _decide(self, text: str, best: Score, explicit: bool, scores: dict[str, Score],
                conv: str | None) -> Decision:
        if conv and conv in self.tasks and conv != FALLBACK:
            # In a task's conversation, a message is a follow-up unless it clearly asks for
            # another task (its keyword or signal, a clear lead) or is plain chat ("thanks!").
            mine = scores.get(conv, Score(conv, 0.0, ""))
            if (best.task != conv and explicit and best.score >= CLEAR and not _ABOUT.match(text)
                    and best.score - mine.score >= 0.1):
                return Decision(best.task, round(best.score, 3),
                                f"asks for {best.task} instead of {conv}: {best.reason}")
            return Decision(conv, round(mine.score, 3),
                            f"follow-up: stays with {conv} (the conversation's task)")
        chat = scores.get(FALLBACK, Score(FALLBACK, 0.0, ""))
        clear = best.score >= CHAT_FLOOR if explicit else best.score >= max(
            CHAT_FLOOR, chat.score + LIKENESS_MARGIN)
        if best.task != FALLBACK and not clear:
            return Decision(FALLBACK, round(chat.score, 3), "no task fits clearly; general chat")
        return Decision(best.task, round(best.score, 3), best.reason)

    def answer_or_new(self, text: str, task: str) -> Decision:
        """The decision for a message sent while `task` waits for the answer to its question:
        that task, unless the message clearly starts something else."""
        new = self.route(text)
        if new.task != task and new.explicit:
            first = text.strip().split("\n", 1)[0][:HEAD]
            if new.score >= SURELY or (new.score >= STARTS and _REQUEST.search(first)):
                new.reason = f"starts something else instead of answering {task}: {new.reason}"
                return new
        other = new.task if new.task != task else new.runner_up
        return Decision(task, new.scores.get(task, 0.0), f"answers the {task} task's question", other,
                        new.scores.get(other, 0.0) if other else 0.0, new.scores, new.why)

    def close_call(self, decision: Decision) -> list[str]:
        """The tasks within CLOSE of the winner, winner first; one task means no close call."""
        return close_call(decision)


def close_call(decision: Decision) -> list[str]:
    """The tasks within CLOSE of the winner, winner first; one task means no close call."""
    top = decision.scores.get(decision.task, 0.0)
    return [t for t, s in decision.scores.items() if top - s <= CLOSE and s >= CHAT_FLOOR]


def maybe_tie_break(models: Models, text: str, decision: Decision) -> Decision:
    """Let a small model settle a close call between the top tasks, when enabled and a real model
    is installed; otherwise (and for follow-ups) keep the decision as it is."""
    return tiebreak.settle(models, text, decision, close_call(decision))


def router_for(host: Host) -> Router:
    """The Router of a plugin host (built on first use and kept on the host), for callers that
    have a host and no Session; it has no tie-break."""
    router = host.__dict__.get("_router")
    if not isinstance(router, Router):
        router = host.__dict__["_router"] = Router(host)
    return router
