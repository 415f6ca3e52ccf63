"""The optional tie-break: a small model, constrained by a grammar to the task names, settles a
close call. Off by default, and skipped when only the demo model is installed."""

from __future__ import annotations

import os
from typing import Any

TIEBREAK_ENV = "CREATOR_ROUTER_TIEBREAK"  # off by default; "1" = gemma-3-4b, or a model id
TIEBREAK_MODEL = "gemma-3-4b"


def maybe_tie_break(session: Any, text: str, decision: Any) -> Any:
    """Let a small model settle a close call between the top tasks, when enabled and a real model
    is installed; otherwise (and for follow-ups) keep the decision as it is."""
    setting = os.environ.get(TIEBREAK_ENV, "").strip()
    if setting.lower() in ("", "0", "off", "false", "no") or decision.reason.startswith("follow"):
        return decision
    from creator_assistant.router import router_for

    candidates = router_for(session.host).close_call(decision)
    if len(candidates) < 2:
        return decision
    from creator_assistant.runtime.pool import choose

    wanted = TIEBREAK_MODEL if setting.lower() in ("1", "on", "true", "yes") else setting
    choice = choose(wanted, session.paths)
    if choice.is_demo and wanted != "demo":  # random weights would only add noise
        return decision
    picked = ask_model(session, choice, text, candidates)
    if picked in candidates:
        decision.tiebreak = f"{choice.id} chose {picked} among {', '.join(candidates)}"
        if picked != decision.task:
            decision.task, decision.score = picked, decision.scores.get(picked, 0.0)
            decision.reason = f"close call settled by {choice.id}; {decision.why.get(picked, '')}"
    return decision


def ask_model(session: Any, choice: Any, text: str, candidates: list[str]) -> str:
    """The task the model names for `text`, constrained by a grammar to `candidates`."""
    from creator_assistant.formats.gbnf import alternatives
    from creator_assistant.runtime.protocol import GenerateRequest

    tasks = session.tasks
    listing = "\n".join(f"- {name}: {tasks[name].description}" for name in candidates)
    prompt = (f"Which task should handle this message? Answer with one task name.\n\n"
              f"Tasks:\n{listing}\n\nMessage:\n{text[:1500]}")
    request = GenerateRequest(messages=[{"role": "user", "content": prompt}], temperature=0.0,
                              top_k=1, top_p=1.0, min_p=0.0, repeat_penalty=1.0, max_tokens=16,
                              seed=0, grammar=f"root ::= {alternatives(candidates)}\n")
    backend = session.pool.backend(choice, min(2048, choice.context))
    return "".join(backend.stream(request)).strip()
