"""Embeddings per second: `python -m benches embed`. The first 256 tuning requests, embedded by
the real MiniLM (the test models' cache, `make test-models`) on 2 threads, uncached then cached.
Prints one JSON line."""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1] / "tests"


def main() -> int:
    from creator_assistant.retrieval import Embeddings
    from creator_assistant.storage.db import open_db
    from tests.realmodels import cached

    lines = (TESTS / "routing_examples.jsonl").read_text(encoding="utf-8").splitlines()
    texts = [json.loads(line)["text"] for line in lines if line][:256]
    with tempfile.TemporaryDirectory() as home:
        db = open_db(Path(home) / "creator.db")
        with Embeddings(model_path=cached("minilm-l6-v2"), db=db, n_threads=2) as service:
            service.embed(["warm up"])
            start = time.perf_counter()
            service.embed(texts)
            uncached = time.perf_counter() - start
            start = time.perf_counter()
            service.embed(texts)
            hits = time.perf_counter() - start
    print(json.dumps({"texts": len(texts), "uncached_per_s": round(len(texts) / uncached),
                      "cached_per_s": round(len(texts) / hits)}))
    return 0
