"""The reply cache over a realistic creator session, measured: `python -m benches cache
[--max-tokens N]`.

The real SmolLM2 135M (the test models' cache) answers every task; each task has a fixed seed
(`[tasks.NAME] seed = 1`, what makes a reply a function of its prompt and so cacheable without
`[cache] sampled`). The session imports the creator's data (a YouTube Studio geography table, a
Google Trends timeline, a competitor video list: the real samples in tests/data/samples), then,
each request in a new conversation as on different days: scripts, a blog outline, trend,
competitor and analytics questions, several of them repeated; one regenerate (rewind and ask
again: never read from the cache); a re-import of a changed Trends file (what was built on the
old one is deleted) and the trend question again, twice. Prints one JSON line: the median time
to first token of hits and misses (`usage.ttft_ms`: from the request to the first text) and
their ratio, the same from the caller's side (`Session.ask` to the first piece: routing,
prepare and fitting included), the hit rate over the replies that could be served, the
session's description, and each kind of computed facts (analytics, trends, competitors) timed
computed and from the cache (`facts_ms`, medians of 5).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

SAMPLES = Path(__file__).resolve().parents[1] / "tests" / "data" / "samples"
TASKS = ("script", "blog", "trend", "competitor", "analytics", "chat")
SESSION = [  # (task, message); "regenerate" and "reimport" are actions
    ("script", "Write a 60 second video script about baking banana bread for beginners"),
    ("blog", "Write a blog post outline about budget home gym equipment for beginners"),
    ("trend", "Analyse the trend for gym in my imported Google Trends data"),
    ("script", "Write a 60 second video script about baking banana bread for beginners"),
    ("analytics", "Analyse my imported data: which country watched most?"),
    ("competitor", "Research my competitors in the imported video list: what works for them?"),
    ("analytics", "Analyse my imported data: which country watched most?"),
    ("chat", "How often should a small cooking channel upload?"),
    ("regenerate", ""),
    ("trend", "Analyse the trend for gym in my imported Google Trends data"),
    ("blog", "Write a blog post outline about budget home gym equipment for beginners"),
    ("competitor", "Research my competitors in the imported video list: what works for them?"),
    ("reimport", ""),
    ("trend", "Analyse the trend for gym in my imported Google Trends data"),
    ("trend", "Analyse the trend for gym in my imported Google Trends data"),
    ("chat", "How often should a small cooking channel upload?"),
]


def ask(session: Any, task: str, text: str, cid: str | None = None) -> dict[str, Any]:
    started = time.perf_counter()
    turn = session.ask(text, task=task, conversation_id=cid)
    first = None
    for _ in turn:
        if first is None:
            first = (time.perf_counter() - started) * 1000
    r = turn.result
    return {"task": task, "status": str(r.status), "hit": r.cache is not None,
            "ttft_ms": r.usage.ttft_ms, "first_piece_ms": first, "cid": r.conversation_id,
            "error": r.error}


def facts_times(session: Any, runs: int = 5) -> dict[str, dict[str, float]]:
    """Each kind of computed facts a task reads: median ms computed and from the cache."""
    from creator_assistant.cache.reads import reading
    from creator_assistant.plugin_context import StoredData

    data = StoredData(session.store.db, session.ideas)
    kinds = {"analytics": lambda: data.analytics("analyse my imported data"),
             "trends": lambda: data.trends("how is gym trending?"),
             "competitors": lambda: data.competitors("what works for them?")}
    out = {}
    for name, compute in kinds.items():
        times: dict[str, list[float]] = {"computed": [], "cached": []}
        for _ in range(runs):
            session.cache.entries.clear("analytics")
            for kind in ("computed", "cached"):  # the first computes and keeps, the second reads
                with reading(session.cache):
                    started = time.perf_counter()
                    compute()
                    times[kind].append((time.perf_counter() - started) * 1000)
        computed, cached = (statistics.median(times[k]) for k in ("computed", "cached"))
        out[name] = {"computed": round(computed, 2), "cached": round(cached, 2),
                     "cached_over_computed": round(cached / computed, 3)}
    session.cache.entries.clear("analytics")
    return out


def main(argv: list[str]) -> int:
    from creator_assistant.data.importing import import_path
    from creator_assistant.paths import Paths
    from creator_assistant.session import Session
    from tests.realmodels import install

    parser = argparse.ArgumentParser(prog="python -m benches cache")
    parser.add_argument("--max-tokens", type=int, default=48, help="per reply (default 48)")
    args = parser.parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="bench-cache-"))
    try:
        paths = Paths(root / "config", root / "data", root / "cache").ensure()
        install("smollm2-135m", paths)
        paths.config_file.write_text(
            '[models]\ndefault = "smollm2-135m"\nthreads = 2\n\n' + "".join(
                f"[tasks.{t}]\nseed = 1\nmax_tokens = {args.max_tokens}\ncontext = 2048\n\n"
                for t in TASKS))
        trends = root / "multiTimeline.csv"
        shutil.copy(SAMPLES / "google-trends-multiTimeline.csv", trends)
        session = Session.open(paths)
        session.summaries.enabled = False
        turns: list[dict[str, Any]] = []
        try:
            for name in ("youtube-studio-geography-Table data.csv",
                         "youtube-trending-US-videos.csv"):
                import_path(session.store.db, SAMPLES / name)
            import_path(session.store.db, trends)
            facts = facts_times(session)
            for task, text in SESSION:
                if task == "regenerate":  # the creator presses Ctrl+R on the last reply
                    last = turns[-1]
                    session.rewind(last["cid"])
                    turns.append({**ask(session, last["task"], SESSION_TEXT[last["task"]],
                                        last["cid"]), "regenerate": True})
                elif task == "reimport":  # a newer export of the same Trends file
                    lines = trends.read_text().splitlines()
                    trends.write_text("\n".join(lines[:-1]) + "\n")
                    import_path(session.store.db, trends)
                else:
                    turns.append(ask(session, task, text))
        finally:
            session.close()
    finally:
        shutil.rmtree(root, ignore_errors=True)
    replies = [t for t in turns if t["status"] == "ok"]
    hits = [t for t in replies if t["hit"]]
    misses = [t for t in replies if not t["hit"]]

    def median(rows: list[dict[str, Any]], key: str) -> float | None:
        return round(statistics.median(r[key] for r in rows), 2) if rows else None

    hit_ttft, miss_ttft = median(hits, "ttft_ms"), median(misses, "ttft_ms")
    hit_first, miss_first = median(hits, "first_piece_ms"), median(misses, "first_piece_ms")
    print(json.dumps({
        "bench": "cache", "model": "smollm2-135m", "max_tokens": args.max_tokens,
        "hit_ttft_ms": hit_ttft, "miss_ttft_ms": miss_ttft,
        "hit_over_miss": round(hit_ttft / miss_ttft, 4) if hit_ttft and miss_ttft else None,
        "hit_first_piece_ms": hit_first, "miss_first_piece_ms": miss_first,
        "hit_first_piece_over_miss": (round(hit_first / miss_first, 4)
                                      if hit_first and miss_first else None),
        "hit_rate": round(len(hits) / len(replies), 3) if replies else None,
        "replies": len(replies), "hits": len(hits),
        "not_replies": [(t["task"], t["status"], t["error"]) for t in turns
                        if t["status"] != "ok"],
        "session": describe(len(turns)),
        "facts_ms": facts,
        "per_turn": [(t["task"], "hit" if t["hit"] else "miss", round(t["ttft_ms"], 1))
                     for t in replies],
    }))
    return 0


SESSION_TEXT = {task: text for task, text in SESSION}


def describe(requests: int) -> str:
    asked = [(t, m) for t, m in SESSION if m]
    repeats = len(asked) - len(set(asked))
    return (f"3 imports (YouTube Studio geography, Trends timeline, trending videos); "
            f"{requests} requests to {len({t for t, _ in asked})} tasks, each in a new "
            f"conversation: {repeats} repeats, 1 regenerate (Ctrl+R), 1 re-import of a changed "
            "Trends file; every task seeded (seed = 1)")
