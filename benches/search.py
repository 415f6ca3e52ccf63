"""History search by meaning: `python -m benches search [--messages N]`.

Two parts, real MiniLM (the test models' cache, `make test-models`) on 2 threads, one JSON line:
- `threshold`: precision and recall of the meaning hits (cosine >= MIN_COSINE) on the labelled
  queries below, and the same at other thresholds (MIN_COSINE is the best F1 of this sweep);
- `timing`: searches over a history of N messages (default 2,000: the routing examples, each
  made distinct): the first (embeds the newest MAX_NEW), the second (the next MAX_NEW) and one
  with every message cached; `*_note` is what a search said it left out.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1] / "tests"

MESSAGES = [
    "how can I stop spending so much on groceries", "Rent is eating half my income, tips for "
    "cutting costs?", "I want to put aside some savings each month from sponsorships",
    "what microphone should I buy for podcasting", "my voiceover sounds echoey in my bedroom, "
    "how do I fix the sound", "Write a script for a 60 second video about cold brew coffee",
    "plan three tiktok posts for a small coffee shop", "My views dropped 30% last month, why?",
    "watch time is down on my last four uploads", "Here are five ideas for your travel vlog in "
    "Japan: Tokyo street food, Kyoto temples", "what should I pack for a two week backpacking "
    "trip through Europe", "thanks!", "ok", "can you make it shorter",
    "a sourdough baking video, part one", "Hook: the crackle of the crust as the loaf comes out"
    " of the oven.", "gaming highlights for shorts", "best settings for streaming Elden Ring on"
    " Twitch", "now the thumbnail, bright colours and a big face", "which cover image gets more"
    " clicks, the red one or the blue one", "my dog keeps barking during recordings",
    "how do I teach my puppy to sit quietly on camera", "I feel burned out and can't keep "
    "posting every day", "how do I stay motivated when nobody watches my videos",
    "write a caption for my new lipstick review", "skincare routine video outline for dry "
    "skin in winter", "should I sign with a talent agency or stay independent", "a brand "
    "offered me $500 for a sponsored post, is that fair", "How do I edit faster in Premiere Pro",
    "what are good keyboard shortcuts in DaVinci Resolve", "ideas for a home workout series "
    "for beginners", "meal prep for the week on a tight budget",
]
# Each query and the messages (indexes above) it means; an empty set: nothing is related.
QUERIES = {
    "budget": {0, 1, 2, 31}, "saving money": {0, 1, 2, 31}, "audio gear": {3, 4},
    "sound quality": {3, 4}, "coffee": {5, 6}, "analytics drop": {7, 8}, "fewer views": {7, 8},
    "japan trip": {9, 10}, "travel": {9, 10}, "bread": {14, 15}, "video games": {16, 17},
    "thumbnail design": {18, 19}, "pets": {20, 21}, "motivation": {22, 23},
    "makeup": {24, 25}, "sponsorship deal": {2, 27}, "video editing software": {28, 29},
    "exercise": {30}, "xylophone": set(), "quantum physics": set(), "tax return": set(),
    "gardening tomatoes": set(),
}


def threshold(emb) -> dict:
    from creator_assistant.search import MIN_COSINE

    rows, queries = emb.embed(MESSAGES), list(QUERIES)
    scores = emb.embed(queries) @ rows.T

    def measure(t: float) -> dict:
        tp = fp = fn = 0
        for i, query in enumerate(queries):
            got = {j for j, s in enumerate(scores[i]) if s >= t}
            tp, fp = tp + len(got & QUERIES[query]), fp + len(got - QUERIES[query])
            fn += len(QUERIES[query] - got)
        p, r = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
        return {"precision": round(p, 2), "recall": round(r, 2),
                "f1": round(2 * p * r / max(p + r, 1e-9), 2)}

    sweep = {f"{t / 100:.2f}": measure(t / 100) for t in range(20, 42, 2)}
    best = max(sweep, key=lambda t: sweep[t]["f1"])
    return {"min_cosine": MIN_COSINE, **measure(MIN_COSINE), "pairs": len(queries) * len(MESSAGES),
            "best_f1_at": best, "sweep": sweep}


def history(count: int) -> list[str]:
    lines = [*(TESTS / "routing_examples.jsonl").read_text(encoding="utf-8").splitlines(),
             *(TESTS / "routing_examples_heldout.jsonl").read_text(encoding="utf-8").splitlines()]
    texts = [json.loads(line)["text"] for line in lines if line]
    return [texts[i % len(texts)] + (f" (take {i // len(texts) + 1})" if i >= len(texts) else "")
            for i in range(count)]


def timing(model: Path, count: int) -> dict:
    from creator_assistant import search
    from creator_assistant.retrieval import Embeddings
    from creator_assistant.storage.db import open_db
    from creator_assistant.storage.store import Store

    with tempfile.TemporaryDirectory() as home:
        store = Store(open_db(Path(home) / "creator.db"))
        cid = store.new_conversation()
        for text in history(count):
            store.add_message(cid, "user", text)
        with Embeddings(model_path=model, db=store.db, n_threads=2) as emb:
            start = time.perf_counter()
            emb.available()
            load = time.perf_counter() - start
            out = {"messages": count, "max_new": search.MAX_NEW, "load_s": round(load, 2)}
            for name, query in (("first_s", "budget"), ("second_s", "budget"),
                                ("cached_s", "saving money")):
                start = time.perf_counter()
                hits = search.search(store, query, embeddings=emb)
                out[name] = round(time.perf_counter() - start, 3)
                if hits.note:
                    out[f"{name[:-2]}_note"] = hits.note
            start = time.perf_counter()
            search.search(store, "budget", exact=True)
            out["exact_s"] = round(time.perf_counter() - start, 4)
        store.db.close()
    return out


def main(argv: list[str]) -> int:
    from creator_assistant.retrieval import Embeddings
    from tests.realmodels import cached

    parser = argparse.ArgumentParser(prog="python -m benches search", description=__doc__)
    parser.add_argument("--messages", type=int, default=2000, help="history size (2,000)")
    parser.add_argument("--max-new", type=int, help="messages embedded per search (MAX_NEW)")
    args = parser.parse_args(argv)
    if args.max_new:
        from creator_assistant import search

        search.MAX_NEW = args.max_new
    model = cached("minilm-l6-v2")
    with Embeddings(model_path=model, n_threads=2) as emb:
        found = threshold(emb)
    print(json.dumps({"threshold": found, "timing": timing(model, args.messages)}))
    return 0
