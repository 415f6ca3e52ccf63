"""Route a message to a task without a model call: every plugin scores it through `score_message`.

Each task's default score blends keyword hits with similarity to its declared examples; plugins add
their own signals through the hook. When the words leave a new message in doubt (no keyword or
signal chose it, the top two are close, or a quick second opinion disagrees) and an embedding
model is installed, each task's probability in meaning joins the score (meaning.py). Follow-ups stay on
the conversation's task unless the message clearly asks for another; general messages go to chat;
close calls may ask the small model.
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import Any

from creator_assistant.plugin_manager import Host
from creator_assistant.registry import Score, Task
from creator_assistant.router import tiebreak
from creator_assistant.router.decision import Decision, RouteContext
from creator_assistant.router.index import KEYWORDS_SAID, Index, read_examples, stem, words
from creator_assistant.router.meaning import Meaning
from creator_assistant.router.tiebreak import TIEBREAK_ENV, ModelAccess, Models
from creator_assistant.runtime.scheduler import INTERACTIVE

__all__ = ["Decision", "Index", "Meaning", "ModelAccess", "Models", "RouteContext", "Router",
           "TIEBREAK_ENV",
           "close_call", "maybe_tie_break", "read_examples", "router_for", "stem", "words"]

FALLBACK = "chat"
EMPTY = "empty message; general chat"
CHAT_FLOOR = 0.12  # a task needs at least this to win over plain chat...
LIKENESS_MARGIN = 0.06  # ...and this lead over chat, when only its examples' likeness speaks
CLEAR = 0.25  # ...and this, with a keyword, to pull a follow-up away from its task
CLOSE = 0.05  # top two within this: a close call the optional tie-break may settle
HEAD = 1500  # characters routed: instructions come first; a long paste after them is data
# Meaning (meaning.py: each task's probability from the embedding model, learnt from the tasks'
# examples) is asked for a new message when no keyword or plugin signal chose its task, when the
# top two are within DOUBT, or when the token-mean opinion (QUICK x its probabilities added to the
# words' scores) picks another task; then each task's total is (words + WEIGHT x probability) /
# (1 + WEIGHT). Chosen by 5-fold cross-validation (`python -m benches router --tune`,
# benches/router_tune.py), never on the fresh set.
DOUBT = 0.3
WEIGHT = 0.5
QUICK = 0.5
TRUST_AGREEMENT = False  # whether the words' unsure choice stands when the token means agree
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



class Router:
    """Scores messages against the tasks a plugin host registered; given `models` (what a
    model call needs), it may let a small model settle close calls (see tiebreak.py)."""

    def __init__(self, host: Host, models: Models | None = None,
                 meaning: Meaning | None = None) -> None:
        self.host = host
        self.models = models
        self.meaning = meaning
        self.doubt, self.weight = DOUBT, WEIGHT
        self.quick_weight = QUICK
        self.trust_agreement = TRUST_AGREEMENT

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

    def _scores(self, text: str, conv: str | None,
                parts: dict[str, tuple[float, float]]) -> tuple[dict[str, Score], dict[str, Score]]:
        head = text[:HEAD]
        # A quoted title's words ("how I organize my week") say what a piece is about, not
        # which task is asked for: they are left out of the keyword and example scoring.
        tokens = words(_QUOTED.sub(" ", head))
        base = self.index.score(tokens, parts)
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
        """The decision for one message: by words, and by meaning when they leave it in doubt."""
        return self.route_many([text], conversation_task)[0]

    def route_many(self, texts: list[str], conversation_task: str | None = None) -> list[Decision]:
        """Decisions for many messages (all in a conversation on `conversation_task`): the
        messages in doubt are embedded together, in one batch."""
        return self.finish(texts, self.by_words(texts, conversation_task), conversation_task)

    def by_words(self, texts: list[str], conversation_task: str | None = None) -> list[Decision]:
        """route_many's first half: every message by words and plugin signals only."""
        return [self._by_words(text, conversation_task) for text in texts]

    def finish(self, texts: list[str], decisions: list[Decision],
               conversation_task: str | None = None) -> list[Decision]:
        """route_many's second half: meaning for the decisions `by_words` left in doubt (the
        embedding model's work: another thread may run it while this one scores the next
        batch by words)."""
        if self.meaning is None:
            return decisions
        if self.meaning.loading():  # a message never waits for the model's first load
            for decision in decisions:
                if self._in_doubt(decision, conversation_task):
                    decision.by_meaning = "could not ask: the embedding model is still loading"
            return decisions
        open_ = [i for i, d in enumerate(decisions)
                 if d.reason != EMPTY and not self._follow_up(conversation_task)]
        opinions: list[Any] = [None] * len(texts)
        if open_ and self.quick_weight:  # a second opinion, from the words' token vectors
            for i, quick in zip(open_, self.meaning.quick([texts[i][:HEAD] for i in open_]) or [],
                                strict=False):
                opinions[i] = quick
        doubtful = []
        for i in open_:
            unsure = self._in_doubt(decisions[i], conversation_task)
            quick = opinions[i]
            if quick is not None:
                differs = self._quick_disagrees(decisions[i], quick)
                if not unsure and differs:
                    decisions[i].by_meaning = "the words' token vectors disagree"
                # Agreement settles a task the words chose by likeness, never a fall to chat
                # (the weakest decision there is: no task fitted).
                trusted = self.trust_agreement and decisions[i].task != FALLBACK
                unsure = differs or (unsure and not trusted)
            if unsure:
                doubtful.append(i)
        if not doubtful:
            return decisions
        likeness = self.meaning.likeness([texts[i][:HEAD] for i in doubtful])
        for n, i in enumerate(doubtful):
            if likeness is None:
                decisions[i].by_meaning = f"could not ask: {self.meaning.why_not}"
            else:
                decisions[i] = self._weigh(decisions[i], likeness[n])
        return decisions

    def _follow_up(self, conv: str | None) -> bool:
        return bool(conv and conv in self.tasks and conv != FALLBACK)

    def _quick_disagrees(self, decision: Decision, quick: dict[str, float]) -> bool:
        """Whether the words' scores plus QUICK x the token-mean opinion pick another task."""
        totals = {t: parts["words"] + self.quick_weight * quick.get(t, 0.0)
                  for t, parts in decision.signals.items()}
        for task, parts in decision.signals.items():
            parts["quick"] = round(self.quick_weight * quick.get(task, 0.0), 3)
        return bool(totals) and max(totals, key=lambda t: (totals[t], t == decision.task)) != \
            decision.task

    def _in_doubt(self, decision: Decision, conv: str | None) -> bool:
        if decision.reason == EMPTY or self._follow_up(conv):
            return False  # a follow-up's rules are about the conversation, not about likeness
        gap = decision.scores.get(decision.task, 0.0) - decision.runner_up_score
        return not decision.explicit or gap < self.doubt

    def _weigh(self, decision: Decision, likeness: dict[str, tuple[float, str]]) -> Decision:
        """The decision again, with each task's likeness in meaning in its score."""
        totals, signals = {}, {task: dict(parts) for task, parts in decision.signals.items()}
        for task, parts in signals.items():
            like, _ = likeness.get(task, (0.0, ""))
            parts["meaning"] = round(self.weight * like, 3)
            totals[task] = (parts["words"] + self.weight * like) / (1 + self.weight)
            parts["total"] = round(totals[task], 3)
        ranked = sorted(totals, key=lambda t: (-totals[t], t != FALLBACK, t))
        best, runner = ranked[0], (ranked[1] if len(ranked) > 1 else None)
        near = likeness.get(best, (0.0, ""))
        said = f"by meaning ({near[0]:.2f}): like {near[1]!r}"
        reason = decision.reason if best == decision.task else f"{said}; words: {decision.why[best]}"
        if best == decision.task and said not in reason:
            reason = f"{reason}; {said}"
        out = Decision(best, round(totals[best], 3), reason, runner,
                       round(totals[runner], 3) if runner else 0.0,
                       {t: round(totals[t], 3) for t in ranked}, decision.why, decision.tiebreak,
                       decision.explicit and best == decision.task, signals)
        out.by_meaning = decision.by_meaning or (
            "not chosen by a keyword or signal" if not decision.explicit else
            f"top two within {self.doubt}")
        return out

    def _by_words(self, text: str, conversation_task: str | None) -> Decision:
        if not text.strip():
            return Decision(FALLBACK, 0.0, EMPTY)
        parts: dict[str, tuple[float, float]] = {}
        base, scores = self._scores(text, conversation_task, parts)
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
        for s in ranked:
            kw, like = parts.get(s.task, (0.0, 0.0))
            was_score = base[s.task].score if s.task in base else 0.0
            decision.signals[s.task] = {"keywords": round(kw, 3), "examples": round(like, 3),
                                        "plugin": round(s.score - was_score, 3),
                                        "words": round(s.score, 3)}
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
