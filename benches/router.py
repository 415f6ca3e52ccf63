"""Routing speed and accuracy: every labelled request in tests/, routed the way Session.route does
it (keywords, example similarity, every plugin's `score_message` hook), with no model call.

Prints one JSON line: messages_per_s (wall clock), messages_per_cpu_s (this process's CPU time,
which other work on a busy machine does not inflate), p50_ms, p99_ms, and the accuracy on the
tuning set, on the held-out set (requests never used to tune keywords or examples), and on the
fresh set (benches/router_fresh.jsonl: 301 requests written for issue 16 before the router changed,
never to be tuned on), with `fresh_by_task` (each task's share of its requests routed right) and
`fresh_mistakes` (how many fresh requests went where, as "expected->got"). `--mistakes` also
prints each misrouted fresh request, grouped, after the lines (words only, then with meaning).

That line is the router by words only; a second line, "meaning", is the router as installed with
the embedding model (router_meaning.py): accuracies, the share embedded and messages/s.
`--tune` instead prints the choice of the meaning settings (router_tune.py).
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

ROUNDS = 20
TESTS = Path(__file__).resolve().parents[1] / "tests"
FRESH = Path(__file__).resolve().parent / "router_fresh.jsonl"
DEV = Path(__file__).resolve().parent / "router_dev.jsonl"


def load(path: Path) -> list[dict]:
    text = path.read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line]


def misrouted(router, rows: list[dict]) -> dict[str, list[str]]:
    """The rows routed to the wrong task, grouped by "expected->got", largest group first."""
    groups: dict[str, list[str]] = {}
    for row in rows:
        got = router.route(row["text"], row.get("after")).task
        if got != row["task"]:
            groups.setdefault(f"{row['task']}->{got}", []).append(row["text"])
    return dict(sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])))


def by_task(rows: list[dict], wrong: dict[str, list[str]]) -> dict[str, float]:
    """Each expected task's accuracy on rows, given misrouted()'s groups."""
    totals: dict[str, int] = {}
    for row in rows:
        totals[row["task"]] = totals.get(row["task"], 0) + 1
    missed = {task: 0 for task in totals}
    for pair, texts in wrong.items():
        missed[pair.split("->")[0]] += len(texts)
    return {task: round(1 - missed[task] / n, 4) for task, n in totals.items()}


def main(argv: list[str]) -> int:
    if argv not in ([], ["--mistakes"], ["--tune"]):
        print("usage: python -m benches router [--mistakes | --tune]  (--mistakes: list each "
              "misrouted fresh request; --tune: choose DOUBT and WEIGHT on the dev set)",
              file=sys.stderr)
        return 2
    from benches import router_meaning, router_tune
    from creator_assistant.plugin_manager import load_host
    from creator_assistant.router import Router

    if argv == ["--tune"]:
        print(json.dumps(router_tune.tune(load(DEV))))
        return 0
    router = Router(load_host())
    tune, held = load(TESTS / "routing_examples.jsonl"), load(TESTS / "routing_examples_heldout.jsonl")
    fresh = load(FRESH)
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

    wrong = misrouted(router, fresh)
    print(json.dumps({
        "messages": len(rows), "rounds": ROUNDS,
        "messages_per_s": round(len(times) / total),
        "messages_per_cpu_s": round(len(times) / cpu),
        "p50_ms": round(statistics.median(times) / 1e6, 3),
        "p99_ms": round(times[int(len(times) * 0.99)] / 1e6, 3),
        "accuracy_tune": accuracy(tune), "tune_messages": len(tune),
        "accuracy_heldout": accuracy(held), "heldout_messages": len(held),
        "accuracy_fresh": accuracy(fresh), "fresh_messages": len(fresh),
        "fresh_by_task": by_task(fresh, wrong),
        "fresh_mistakes": {pair: len(texts) for pair, texts in wrong.items()},
    }))
    sets = {"tune": tune, "heldout": held, "dev": load(DEV), "fresh": fresh}
    meaning = router_meaning.measure(sets)
    mistakes = meaning.pop("fresh_mistakes")
    meaning["fresh_mistakes"] = {pair: len(texts) for pair, texts in mistakes.items()}
    print(json.dumps({"meaning": meaning}))
    if argv:
        for title, groups in (("by words", wrong), ("with meaning", mistakes)):
            print(f"\n# fresh requests misrouted {title}")
            for pair, texts in groups.items():
                print(f"\n{pair} ({len(texts)})")
                for text in texts:
                    print("  " + json.dumps(text, ensure_ascii=False))
    return 0
