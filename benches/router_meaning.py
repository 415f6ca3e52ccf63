"""The router with meaning (the real MiniLM from the test models' cache, 2 threads): accuracy on
every labelled set, the share of messages it embedded, and throughput as `creator route --jsonl`
routes (batches of 512, embeddings uncached: a fresh cache). `tune()` chooses DOUBT and WEIGHT on
benches/router_dev.jsonl alone (a grid; the fresh set is never looked at)."""

from __future__ import annotations

import itertools
import tempfile
import time
from pathlib import Path
from typing import Any

from creator_assistant.router import Meaning

DOUBTS = (0.0, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0)
WEIGHTS = (0.25, 0.5, 1.0, 2.0, 5.0)
QUICKS = (0.0, 0.5, 1.0, 2.0)
BATCH = 512
SLACK = 0.005  # half a point of dev accuracy


def meaning_router(home: Path) -> Any:
    from creator_assistant.plugin_manager import load_host
    from creator_assistant.retrieval import Embeddings
    from creator_assistant.router import Router
    from creator_assistant.storage.db import open_db
    from tests.realmodels import cached

    host = load_host()
    model = cached("minilm-l6-v2")
    meaning = Meaning(host.route_examples,
                      lambda: Embeddings(model_path=model, n_threads=2),
                      lambda: open_db(home / "creator.db"))
    return Router(host, meaning=meaning)


def routed(router: Any, rows: list[dict]) -> list[str]:
    """Each row's task as route_many decides it (rows grouped by their conversation's task)."""
    got: dict[int, str] = {}
    for after in dict.fromkeys(r.get("after") for r in rows):
        part = [i for i, r in enumerate(rows) if r.get("after") == after]
        decisions = router.route_many([rows[i]["text"] for i in part], after)
        got.update((i, d.task) for i, d in zip(part, decisions, strict=True))
    return [got[i] for i in range(len(rows))]


def measure(sets: dict[str, list[dict]]) -> dict[str, Any]:
    """Accuracy per set, the share embedded, and messages/s over every distinct message."""
    with tempfile.TemporaryDirectory() as home:
        router = meaning_router(Path(home))
        assert router.meaning.available(), router.meaning.why_not
        result: dict[str, Any] = {"model": "minilm-l6-v2"}
        texts = list(dict.fromkeys(r["text"] for rows in sets.values() for r in rows))
        start_cpu, start = time.process_time(), time.perf_counter()
        for i in range(0, len(texts), BATCH):
            router.route_many(texts[i:i + BATCH])
        wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
        result.update(distinct_messages=len(texts), embedded=router.meaning.embedded,
                      embedded_share=round(router.meaning.embedded / len(texts), 3),
                      messages_per_s=round(len(texts) / wall))
        del cpu  # the worker's CPU time is not this process's: wall clock is the figure
        for name, rows in sets.items():
            got = routed(router, rows)
            result[f"accuracy_{name}"] = round(
                sum(g == r["task"] for g, r in zip(got, rows, strict=True)) / len(rows), 4)
        router.meaning.close()
        return result


def tune(dev: list[dict]) -> dict[str, Any]:
    """The settings with (nearly) the best accuracy on the dev set: the method (a classifier,
    or the TOP nearest examples averaged), whether a message chat's own signal chose is in doubt,
    DOUBT, WEIGHT and QUICK; within SLACK of the best, the one that embeds the fewest messages.
    Each setting is run through Router.route_many itself, the model's answers looked up from one
    run. The fresh set is never looked at."""
    with tempfile.TemporaryDirectory() as home:
        router = meaning_router(Path(home))
        meaning = router.meaning
        texts = [r["text"] for r in dev]
        quick = dict(zip(texts, meaning.quick(texts) or [], strict=True))
        meaning.quick = lambda asked: [quick[t] for t in asked]
        grid = {}
        for method, top in [("logistic", 1), ("nearest", 5)]:
            meaning.method, meaning.top = method, top
            likeness = dict(zip(texts, Meaning.likeness(meaning, texts) or [], strict=True))
            counted = []
            meaning.likeness = lambda asked, seen=likeness, n=counted: (
                n.append(len(asked)) or [seen[t] for t in asked])
            for chat, doubt, weight, quick_weight in itertools.product(
                    (False, True), DOUBTS, WEIGHTS, QUICKS):
                router.doubt, router.weight, router.doubt_chat = doubt, weight, chat
                router.quick_weight = quick_weight
                counted.clear()
                got = routed(router, dev)
                right = sum(g == r["task"] for g, r in zip(got, dev, strict=True))
                grid[(method, top, chat, doubt, weight, quick_weight)] = (
                    right / len(dev), sum(counted) / len(dev))
        Meaning.close(meaning)
    # The best accuracy costs embedding most messages; within SLACK of it, the setting that
    # embeds the fewest (then the smaller WEIGHT) is taken.
    top_accuracy = max(a for a, _ in grid.values())
    near = [k for k in grid if grid[k][0] >= top_accuracy - SLACK]
    best = min(near, key=lambda k: (grid[k][1], -grid[k][0], k[4]))
    return {"dev_messages": len(dev), "method": best[0], "top": best[1], "doubt_chat": best[2],
            "doubt": best[3], "weight": best[4], "quick": best[5],
            "dev_accuracy": round(grid[best][0], 4),
            "dev_embedded_share": round(grid[best][1], 3),
            "grid": {"/".join(map(str, k)): [round(a, 4), round(e, 3)]
                     for k, (a, e) in grid.items()}}
