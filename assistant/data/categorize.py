"""Sort ideas into the creator's pillars with a model whose output a grammar limits to exactly
one pillar name, one idea per request (the shared instructions stay in llama.cpp's cache).
When an embedding model can be used, each request names the pillar nearest the idea in meaning
as a hint; the grammar still allows only the pillar names."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from creator_assistant.data.ideas import IdeaError

MODEL = "gemma-3-4b"  # the fast model the organize task asks for
N_CTX = 2048
SYSTEM = ("You sort a content creator's ideas into their content pillars. Reply with exactly one "
          "pillar name from this list and nothing else.\nPillars: {pillars}")

HINT = "Nearest pillar in meaning (a hint; choose what fits best): {prior}"

Progress = Callable[[int, int, dict[str, Any], str], None]


def user_message(idea: str, prior: str | None = None) -> str:
    """One idea's request: the idea, and the pillar nearest it in meaning when known."""
    text = f"Idea: {idea[:1000]}"
    return text + "\n" + HINT.format(prior=prior) if prior else text


def gbnf_choice(names: list[str]) -> str:
    """A GBNF grammar whose only sentences are the given names."""
    def literal(s: str) -> str:
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return "root ::= " + " | ".join(literal(n) for n in names) + "\n"


@dataclass
class Categorized:
    model: str
    done: list[tuple[int, str]] = field(default_factory=list)
    seconds: float = 0.0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    note: str = ""
    priors: dict[int, str] = field(default_factory=dict)  # idea id -> nearest pillar in meaning
    why_not: str | None = None  # why no priors were given (words only), in one line

    @property
    def per_second(self) -> float:
        return len(self.done) / self.seconds if self.seconds else 0.0


def categorize(session: Any, ids: list[int] | None = None, *, redo: bool = False,
               progress: Progress | None = None) -> Categorized:
    """Label the given ideas (default: those without a pillar) and save each label as it comes."""
    from creator_assistant.runtime.protocol import GenerateRequest
    from creator_assistant.runtime.resolver import choose

    store = session.ideas
    pillars = store.pillars()
    if not pillars:
        raise IdeaError('set your pillars first: creator ideas pillars "Tutorials" "Reviews" ...')
    if ids:
        ideas = [store.get(i) for i in ids]
    else:
        ideas = store.list() if redo else store.list(uncategorized=True)
        ideas.sort(key=lambda r: r["id"])
    task = session.tasks.get("organize")
    choice = session.resolve_task(task).choice if task else choose(MODEL, session.paths)
    backend = session.pool.backend(choice, N_CTX)
    result = Categorized(choice.id, note=choice.note)
    start = time.perf_counter()  # the hints' embeddings count in the time taken
    meaning = getattr(store, "meaning", None)
    nearest = meaning.nearest_pillars(ideas, pillars, store.list()) if meaning else None
    if nearest is None:
        result.why_not = store.why_not
    else:
        result.priors = {i["id"]: p for i, p in zip(ideas, nearest, strict=True)}
    grammar = gbnf_choice(pillars)
    system = SYSTEM.format(pillars=", ".join(pillars))
    longest = max(len(p.encode()) for p in pillars)
    for n, idea in enumerate(ideas, start=1):
        request = GenerateRequest(
            messages=[{"role": "system", "content": system},
                      {"role": "user",
                       "content": user_message(idea["text"], result.priors.get(idea["id"]))}],
            temperature=0.0, top_k=1, top_p=1.0, min_p=0.0, repeat_penalty=1.0,
            max_tokens=longest + 2, seed=1, grammar=grammar,
        )
        label = "".join(backend.stream(request)).strip()
        usage = backend.last_usage
        if usage is not None:
            result.prompt_tokens += usage.prompt_tokens
            result.completion_tokens += usage.completion_tokens
        if label in pillars:  # the grammar allows nothing else; a cancelled reply is skipped
            store.update(idea["id"], category=label, categorized_by=choice.id)
            result.done.append((idea["id"], label))
        if progress is not None:
            progress(n, len(ideas), idea, label)
    result.seconds = time.perf_counter() - start
    _record(session, task.name if task else "categorize", result)
    return result


def _record(session: Any, task: str, result: Categorized) -> None:
    """The run's usage row (`creator stats`: items per second); never fails the run."""
    from creator_assistant.usage.memory import session_memory
    from creator_assistant.usage.record import record_run

    try:
        record_run(session.store.db, task, result.model, len(result.done), result.seconds,
                   result.prompt_tokens, result.completion_tokens, session_memory(session))
    except Exception:  # the labels are saved; a figure that could not be written is not an error
        pass
