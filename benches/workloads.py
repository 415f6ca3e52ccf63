"""The seed's four creator workloads, end to end through the product: a 1000-word blog post,
synthesizing 10 sources, categorizing 100 ideas, analysing 50 pieces.

Runs on the model each task would get (the demo model unless a real one is installed; the JSON
names it); `WORKLOADS_MODEL=PATH.gguf` runs every workload on that file instead, and
`WORKLOADS_ONLY=name,...` runs some of them. Prints one JSON line: per workload seconds, tokens,
tokens/s, words, words/s, and the seed's target time.
"""

from __future__ import annotations

import json
import os
import random
import tempfile
import time
from pathlib import Path
from typing import Any

EXPORT = (Path(__file__).resolve().parents[1] / "tests" / "data"
          / "Content 2024-01-01_2024-12-31 Maker Bench")
TARGETS = {"blog_post_1000_words": 60, "synthesize_10_sources": 30, "categorize_100_ideas": 10,
           "analyse_50_pieces": 45}
TOPICS = ["short-form video", "newsletters", "sponsorships", "thumbnails", "community posts",
          "live streams", "podcast clips", "memberships", "search traffic", "collaborations"]


def sources(n: int = 10, words: int = 220) -> str:
    """Ten made-up research notes of about 220 words each, seeded so every run reads the same."""
    rng = random.Random(7)
    verbs = ["grew", "fell", "doubled", "held steady", "rose", "slipped"]
    out = []
    for i in range(n):
        topic = TOPICS[i % len(TOPICS)]
        sentences = []
        while sum(len(s.split()) for s in sentences) < words:
            sentences.append(
                f"In a survey of {rng.randint(200, 5000)} creators, income from {topic} "
                f"{rng.choice(verbs)} by {rng.randint(2, 60)}% over {rng.randint(2, 24)} months, "
                f"and {rng.randint(10, 90)}% said {rng.choice(TOPICS)} mattered more than before.")
        out.append(f"Source {i + 1}: {topic}\n" + " ".join(sentences))
    return "\n\n".join(out)


def measure(session: Any, text: str, task: str, stop_words: int = 0) -> dict[str, Any]:
    """One turn: seconds from the message to the last token, tokens, words (cut at stop_words)."""
    start = time.perf_counter()
    turn = session.ask(text, task=task)
    got = ""
    for piece in turn:
        got += piece
        if stop_words and len(got.split()) >= stop_words:
            turn.cancel()
    seconds = time.perf_counter() - start
    usage = turn.result.usage
    words = len(got.split())
    return {"task": task, "model": turn.result.model, "status": turn.result.status,
            "seconds": round(seconds, 2), "prompt_tokens": usage.prompt_tokens,
            "tokens": usage.completion_tokens, "tokens_per_s": round(usage.tokens_per_s, 1),
            "words": words, "words_per_s": round(words / seconds, 1) if seconds else 0.0,
            "facts_shown": bool(turn.result.facts)}


def pick(session: Any, *names: str) -> str:
    return next(n for n in names if n in session.tasks)


def blog_post(session: Any) -> dict[str, Any]:
    # The blog task writes outlines and newsletters in a checked format; a whole post is free
    # text, so it goes to chat, stopped at 1000 words.
    return measure(session, "Write a 1000-word blog post about morning routines for busy "
                   "creators, for beginners, with the keywords morning routine and "
                   "productivity.", "chat", stop_words=1000)


def synthesize(session: Any) -> dict[str, Any]:
    return measure(session, "Synthesize these 10 sources into key findings, statistics and "
                   "opportunities for a creator:\n\n" + sources(),
                   pick(session, "research", "chat"), stop_words=750)


def categorize_ideas(session: Any) -> dict[str, Any]:
    from creator_assistant.data.categorize import categorize
    from creator_assistant.data.ideas import IdeaStore

    store = IdeaStore(session.store.db)
    store.set_pillars(["Tutorials", "Reviews", "Builds", "Behind the scenes", "Q&A"])
    for i in range(100):
        store.add(f"{random.Random(i).choice(['Film', 'Plan', 'Try'])} a video about "
                  f"{TOPICS[i % 10]} idea {i}", force=True)
    done = categorize(session)
    labels = sum(len(label.split()) for _, label in done.done)
    return {"model": done.model, "ideas": len(done.done), "seconds": round(done.seconds, 2),
            "ideas_per_s": round(done.per_second, 1), "prompt_tokens": done.prompt_tokens,
            "tokens": done.completion_tokens,
            "tokens_per_s": round(done.completion_tokens / done.seconds, 1),
            "words": labels, "words_per_s": round(labels / done.seconds, 1)}


def analyse(session: Any) -> dict[str, Any]:
    """Import the 50-video export, compute the facts, and have the analytics task reply."""
    from creator_assistant.data.facts import analytics_facts
    from creator_assistant.data.importing import import_path

    start = time.perf_counter()
    imported = import_path(session.store.db, EXPORT)
    import_s = time.perf_counter() - start
    facts = analytics_facts(session.store.db)
    compute_s = time.perf_counter() - start - import_s
    reply = measure(session, "Analyze the performance of my videos: what works, what doesn't, "
                    "and what should I change?", pick(session, "analytics", "chat"))
    reply.update(pieces=facts.data.get("pieces"), rows_imported=imported.rows,
                 import_s=round(import_s, 3), compute_s=round(compute_s, 3),
                 seconds=round(time.perf_counter() - start, 2))
    return reply


WORKLOADS = {"blog_post_1000_words": blog_post, "synthesize_10_sources": synthesize,
             "categorize_100_ideas": categorize_ideas, "analyse_50_pieces": analyse}


def run_all(session: Any, only: list[str]) -> dict[str, Any]:
    out = {}
    for name, workload in WORKLOADS.items():
        if not only or name in only:
            out[name] = {**workload(session), "target_s": TARGETS[name]}
    return out


def main() -> int:
    from creator_assistant.paths import get_paths

    real_models = get_paths().models_dir
    with tempfile.TemporaryDirectory() as home:
        os.environ["CREATOR_HOME"] = home
        from creator_assistant.session import Session

        paths = get_paths().ensure()
        if real_models.is_dir():  # use the models installed here, in a throwaway database
            for item in real_models.iterdir():
                (paths.models_dir / item.name).symlink_to(item)
        # Enough room for a 1000-word post; everything else is each task's own profile.
        forced = os.environ.get("WORKLOADS_MODEL")
        paths.config_file.write_text(
            (f"[models]\ndefault = {json.dumps(str(Path(forced).resolve()))}\n" if forced else "")
            + "[tasks.chat]\nmax_tokens = 3000\n")
        session = Session.open(paths)
        try:
            only = [w for w in os.environ.get("WORKLOADS_ONLY", "").split(",") if w]
            results = run_all(session, only)
        finally:
            session.close()
    models = sorted({r["model"] for r in results.values()})
    print(json.dumps({"bench": "workloads", "models": models,
                      "demo": models == ["demo"], "workloads": results}))
    return 0
