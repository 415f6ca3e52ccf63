"""The optional tie-break: a small model, constrained by a grammar to the task names, settles a
close call. Off by default, and skipped when only the demo model is installed. Its request waits
for the scheduler's gate like every other model request, so it never runs beside a reply."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from creator_assistant.formats.gbnf import alternatives
from creator_assistant.paths import Paths
from creator_assistant.plugin_manager import Host
from creator_assistant.registry import Task
from creator_assistant.runtime.protocol import GenerateRequest
from creator_assistant.runtime.resolver import Choice, ModelPool, choose
from creator_assistant.runtime.scheduler import INTERACTIVE

if TYPE_CHECKING:
    from creator_assistant.router import Decision

TIEBREAK_ENV = "CREATOR_ROUTER_TIEBREAK"  # off by default; "1" = gemma-3-4b, or a model id
TIEBREAK_MODEL = "gemma-3-4b"
OFF = ("", "0", "off", "false", "no")


class Models(Protocol):
    """What the tie-break needs to ask a model: where models live, the pool (and its gate) that
    runs them, and the tasks' descriptions. A Session has all three."""

    @property
    def paths(self) -> Paths: ...

    @property
    def pool(self) -> ModelPool: ...

    @property
    def tasks(self) -> Mapping[str, Task]: ...


@dataclass(frozen=True)
class ModelAccess:
    """What `Models` names, handed to a Router by whoever owns the pool."""

    paths: Paths
    pool: ModelPool
    host: Host

    @property
    def tasks(self) -> Mapping[str, Task]:
        return self.host.registry.tasks


def enabled() -> bool:
    return os.environ.get(TIEBREAK_ENV, "").strip().lower() not in OFF


def settle(models: Models, text: str, decision: Decision, candidates: list[str],
           priority: int = INTERACTIVE) -> Decision:
    """Let a small model pick among `candidates` (the close call's tasks, winner first), when
    enabled and a real model is installed; otherwise keep the decision as it is."""
    setting = os.environ.get(TIEBREAK_ENV, "").strip()
    if setting.lower() in OFF or decision.reason.startswith("follow") or len(candidates) < 2:
        return decision
    wanted = TIEBREAK_MODEL if setting.lower() in ("1", "on", "true", "yes") else setting
    choice = choose(wanted, models.paths)
    if choice.is_demo and wanted != "demo":  # random weights would only add noise
        return decision
    picked = ask_model(models, choice, text, candidates, priority)
    if picked in candidates:
        decision.tiebreak = f"{choice.id} chose {picked} among {', '.join(candidates)}"
        if picked != decision.task:
            decision.task, decision.score = picked, decision.scores.get(picked, 0.0)
            decision.reason = f"close call settled by {choice.id}; {decision.why.get(picked, '')}"
    return decision


def ask_model(models: Models, choice: Choice, text: str, candidates: list[str],
              priority: int = INTERACTIVE) -> str:
    """The task the model names for `text`, constrained by a grammar to `candidates`."""
    tasks = models.tasks
    listing = "\n".join(f"- {name}: {tasks[name].description}" for name in candidates)
    prompt = (f"Which task should handle this message? Answer with one task name.\n\n"
              f"Tasks:\n{listing}\n\nMessage:\n{text[:1500]}")
    request = GenerateRequest(messages=[{"role": "user", "content": prompt}], temperature=0.0,
                              top_k=1, top_p=1.0, min_p=0.0, repeat_penalty=1.0, max_tokens=16,
                              seed=0, grammar=f"root ::= {alternatives(candidates)}\n")
    pool = models.pool
    backend = pool.backend(choice, min(2048, choice.context))
    gate = pool.scheduler.gate
    ticket = gate.ticket(priority, "tie-break")
    ticket.on_cancel(backend.cancel)
    with gate.hold(ticket):  # one model request at a time, as for every reply
        pool.ready(backend)
        return "".join(backend.stream(request)).strip()
