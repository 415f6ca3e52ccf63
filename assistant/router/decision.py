"""What routing decides and what plugins see while it does: `Decision` (the one route type) and
`RouteContext` (what `score_message` implementations get)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from creator_assistant.registry import Score
from creator_assistant.router.index import stem


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
    # Each task's parts of its score: keywords, examples (word likeness), plugin (its hook's
    # change), meaning (embedding likeness, when asked) and the total that ranked it.
    signals: dict[str, dict[str, float]] = field(default_factory=dict)
    by_meaning: str | None = None  # why meaning was asked (None: words decided), or why it could not be

    def as_dict(self) -> dict[str, Any]:
        return {"task": self.task, "score": self.score, "reason": self.reason,
                "runner_up": self.runner_up, "runner_up_score": self.runner_up_score,
                "scores": self.scores, "tiebreak": self.tiebreak}

    def explained(self) -> dict[str, Any]:
        """as_dict with each task's reason and each signal's part (`creator route --json`)."""
        return {**self.as_dict(), "why": self.why, "meaning": self.by_meaning,
                "signals": self.signals}

    def brief(self) -> dict[str, Any]:
        """The route as a turn's record (`ask --json` "route") shows it."""
        return {"task": self.task, "score": self.score, "reason": self.reason,
                "runner_up": self.runner_up}
