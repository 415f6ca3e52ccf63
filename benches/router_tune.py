"""Choosing the router's meaning settings (DOUBT, WEIGHT, QUICK, TRUST_AGREEMENT in router/)
by 5-fold cross-validation, never on the fresh set: `python -m benches router --tune`.

The folds are made of the requests written for the meaning signal (the lines of
plugins/examples/meaning/ that are not from tests/routing_examples.jsonl, which the keywords were
tuned on) and benches/router_dev.jsonl. For each fold, the classifiers learn from every example
but that fold's (dev requests are never examples), and each setting routes the fold's requests
through Router.route_many itself (the model's answers looked up from one run per fold). Of the
settings within SLACK of the best mean accuracy, the one that embeds the fewest messages wins.
"""

from __future__ import annotations

import itertools
import json
import tempfile
from pathlib import Path
from typing import Any

from benches.router_meaning import routed

DOUBTS = (0.0, 0.1, 0.3)
WEIGHTS = (0.25, 0.5, 1.0, 2.0, 5.0)
QUICKS = (0.0, 0.5, 1.0, 2.0)
FOLDS = 5
SLACK = 0.003
TESTS = Path(__file__).resolve().parents[1] / "tests"


def folds(dev: list[dict], examples: dict[str, list[str]]) -> list[list[dict]]:
    """The requests to validate on, in FOLDS folds (by position: deterministic)."""
    tuned = {json.loads(line)["text"] for line in
             (TESTS / "routing_examples.jsonl").read_text(encoding="utf-8").splitlines() if line}
    written = [{"text": t, "task": task, "example": True}
               for task, texts in examples.items() for t in texts if t not in tuned]
    rows = written + [{**r, "example": False} for r in dev]
    return [rows[i::FOLDS] for i in range(FOLDS)]


def tune(dev: list[dict]) -> dict[str, Any]:
    from creator_assistant.plugin_manager import load_host
    from creator_assistant.retrieval import Embeddings
    from creator_assistant.router import Meaning, Router
    from creator_assistant.storage.db import open_db
    from tests.realmodels import cached

    host = load_host()
    everything = host.route_examples()
    parts = folds(dev, everything)
    grid: dict[tuple, list[tuple[int, int]]] = {}
    with tempfile.TemporaryDirectory() as home, \
            Embeddings(model_path=cached("minilm-l6-v2"), n_threads=2) as embeddings:
        db = open_db(Path(home) / "creator.db")
        for part in parts:
            held = {r["text"] for r in part if r["example"]}
            examples = {t: [x for x in texts if x not in held] for t, texts in everything.items()}
            meaning = Meaning(lambda ex=examples: ex, lambda: embeddings, lambda: db, owns=False)
            texts = [r["text"] for r in part]
            quick = dict(zip(texts, meaning.quick(texts) or [], strict=True))
            likeness = dict(zip(texts, meaning.likeness(texts) or [], strict=True))
            counted: list[int] = []
            meaning.quick = lambda asked, seen=quick: [seen[t] for t in asked]
            meaning.likeness = lambda asked, seen=likeness, n=counted: n.append(len(asked)) or [
                seen[t] for t in asked]
            router = Router(host, meaning=meaning)
            for setting in itertools.product(DOUBTS, WEIGHTS, QUICKS, (False, True)):
                router.doubt, router.weight, router.quick_weight, router.trust_agreement = setting
                counted.clear()
                got = routed(router, part)
                right = sum(g == r["task"] for g, r in zip(got, part, strict=True))
                grid.setdefault(setting, []).append((right, sum(counted)))
        db.close()
    total = sum(len(p) for p in parts)
    scores = {k: (sum(r for r, _ in v) / total, sum(e for _, e in v) / total)
              for k, v in grid.items()}
    top = max(a for a, _ in scores.values())
    best = min((k for k in scores if scores[k][0] >= top - SLACK),
               key=lambda k: (scores[k][1], -scores[k][0], k[1]))
    return {"validated": total, "folds": FOLDS, "doubt": best[0], "weight": best[1],
            "quick": best[2], "trust_agreement": best[3],
            "cv_accuracy": round(scores[best][0], 4), "cv_embedded_share": round(scores[best][1], 3),
            "best_cv_accuracy": round(top, 4),
            "grid": {"/".join(map(str, k)): [round(a, 4), round(e, 3)]
                     for k, (a, e) in scores.items()}}
