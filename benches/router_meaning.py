"""The router with meaning (the real MiniLM from the test models' cache, 2 threads): accuracy on
every labelled set, the share of messages it embedded, and throughput as `creator route --jsonl`
routes (batches of 512, embeddings uncached: a fresh cache). router_tune.py chooses the settings."""

from __future__ import annotations

import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from creator_assistant.router import Meaning

BATCH = 512
THREADS = 2


def meaning_router(home: Path) -> Any:
    from creator_assistant.plugin_manager import load_host
    from creator_assistant.retrieval import Embeddings
    from creator_assistant.router import Router
    from creator_assistant.storage.db import open_db
    from tests.realmodels import cached

    host = load_host()
    model = cached("minilm-l6-v2")
    meaning = Meaning(host.route_examples,
                      lambda: Embeddings(model_path=model, n_threads=THREADS),
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
        start = time.perf_counter()
        for i in range(0, len(texts), BATCH):
            router.route_many(texts[i:i + BATCH])
        one_by_one = time.perf_counter() - start
        embedded = router.meaning.embedded
        router.meaning.close()
        router = meaning_router(Path(home) / "again")  # a fresh cache: no message embedded
        router.meaning.available()
        start = time.perf_counter()
        pipelined(router, texts)
        wall = time.perf_counter() - start
        result.update(distinct_messages=len(texts), embedded=embedded,
                      embedded_share=round(embedded / len(texts), 3),
                      messages_per_s=round(len(texts) / wall),
                      messages_per_s_unpipelined=round(len(texts) / one_by_one))
        for name, rows in sets.items():
            got = routed(router, rows)
            result[f"accuracy_{name}"] = round(
                sum(g == r["task"] for g, r in zip(got, rows, strict=True)) / len(rows), 4)
            if name == "fresh":
                wrong: dict[str, list[str]] = {}
                for g, r in zip(got, rows, strict=True):
                    if g != r["task"]:
                        wrong.setdefault(f"{r['task']}->{g}", []).append(r["text"])
                result["fresh_mistakes"] = dict(sorted(wrong.items(),
                                                       key=lambda kv: (-len(kv[1]), kv[0])))
        router.meaning.close()
        return result


def pipelined(router: Any, texts: list[str]) -> list[Any]:
    """As `creator route --jsonl` routes a stream: each batch's words scored while the
    embedding model works on the previous batch, on a thread of its own."""
    out: list[Any] = []
    with ThreadPoolExecutor(1) as meaning:
        pending = None
        for i in range(0, len(texts), BATCH):
            batch = texts[i:i + BATCH]
            job = meaning.submit(router.finish, batch, router.by_words(batch))
            if pending is not None:
                out.extend(pending.result())
            pending = job
        if pending is not None:
            out.extend(pending.result())
    return out
