"""Routing speed and accuracy: every labelled request in tests/, routed the way Session.route does
it (keywords, example similarity, every plugin's `score_message` hook), with no model call.

Prints one JSON line: messages_per_s (wall clock), messages_per_cpu_s (this process's CPU time,
which other work on a busy machine does not inflate), p50_ms, p99_ms, and the accuracy on the
tuning set and on the held-out set (requests never used to tune keywords or examples).
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

ROUNDS = 20
TESTS = Path(__file__).resolve().parents[1] / "tests"


def load(name: str) -> list[dict]:
    text = (TESTS / name).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line]


def main() -> int:
    from creator_assistant.plugin_manager import load_host
    from creator_assistant.router import Router

    router = Router(load_host())
    tune, held = load("routing_examples.jsonl"), load("routing_examples_heldout.jsonl")
    rows = tune + held
    for row in rows:  # warm: caches, first-use compilation of patterns
        router.route(row["text"], row.get("after"))
    times = []
    cpu = time.process_time()
    start = time.perf_counter()
    for _ in range(ROUNDS):
        for row in rows:
            t0 = time.perf_counter_ns()
            router.route(row["text"], row.get("after"))
            times.append(time.perf_counter_ns() - t0)
    total = time.perf_counter() - start
    cpu = time.process_time() - cpu
    times.sort()

    def accuracy(subset: list[dict]) -> float:
        right = sum(router.route(r["text"], r.get("after")).task == r["task"] for r in subset)
        return round(right / len(subset), 4)

    print(json.dumps({
        "messages": len(rows), "rounds": ROUNDS,
        "messages_per_s": round(len(times) / total),
        "messages_per_cpu_s": round(len(times) / cpu),
        "p50_ms": round(statistics.median(times) / 1e6, 3),
        "p99_ms": round(times[int(len(times) * 0.99)] / 1e6, 3),
        "accuracy_tune": accuracy(tune), "tune_messages": len(tune),
        "accuracy_heldout": accuracy(held), "heldout_messages": len(held),
    }))
    return 0
