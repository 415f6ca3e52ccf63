"""What the creator's voice gives, measured: `python -m benches voice [--texts DIR] [--steps N]`.

One author's public-domain writing stands in for the creator: by default the King James
Version's Proverbs and Ecclesiastes, read with Debian's `bible` program (`apt-get install
bible-kjv`), one chapter a passage; `--texts DIR` takes any author's .txt files instead. A
quarter of the passages is held out; the rest are the samples. For each held-out passage the
real SmolLM2 135M (the test models' cache) writes a reply to "Write a short passage about: <its
first words>" under five conditions: no voice, the samples as examples (context/examples.py,
three nearest by meaning), the style card only (voice/style.py), both, and the model fine-tuned
on the samples (voice/train.py, --steps steps) with no examples. Each condition is scored
against the held-out passages: MiniLM cosine of each reply with its passage (higher is closer)
and the stylometric distance of all replies to all held-out passages (function words, Hellinger:
lower is closer). Prints one JSON line with the training record's perplexity and tokens/s.
Greedy decoding (temperature 0), so a rerun gives the same text.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

BOOKS = (("Proverbs", 31), ("Ecclesiastes", 12))
MAX_TOKENS = 160


def kjv() -> list[str]:
    """The chapters of BOOKS as passages, verse numbers removed."""
    if shutil.which("bible") is None:
        raise SystemExit("this benchmark reads the KJV with Debian's `bible` (apt-get install "
                         "bible-kjv), or give --texts DIR with one author's .txt files")
    out = []
    for book, chapters in BOOKS:
        for n in range(1, chapters + 1):
            text = subprocess.run(["bible", f"{book}{n}:1-{n}:99"], capture_output=True,
                                  text=True, check=True).stdout
            lines = [re.sub(r"^\s*\d+\s+", "", ln) for ln in text.splitlines()[2:]]
            out.append(" ".join(" ".join(lines).split()))
    return [t for t in out if len(t.split()) > 40]


def prompt_for(passage: str) -> str:
    return "Write a short passage about: " + " ".join(passage.split()[:12])


def generate(backend: Any, system: str, user: str) -> str:
    from creator_assistant.runtime.protocol import GenerateRequest

    request = GenerateRequest(messages=[{"role": "system", "content": system},
                                        {"role": "user", "content": user}],
                              temperature=0.0, max_tokens=MAX_TOKENS, seed=1)
    return "".join(backend.stream(request)).strip()


def main(argv: list[str]) -> int:
    from creator_assistant.context.examples import with_examples
    from creator_assistant.paths import Paths
    from creator_assistant.retrieval import Embeddings
    from creator_assistant.runtime.local import LocalBackend
    from creator_assistant.voice.export import Sample
    from creator_assistant.voice.style import card, stylometric_distance
    from creator_assistant.voice.train import train
    from tests.realmodels import cached, install

    parser = argparse.ArgumentParser(prog="python -m benches voice")
    parser.add_argument("--texts", type=Path, help="a folder of one author's .txt files")
    parser.add_argument("--steps", type=int, default=24, help="training steps (default 24)")
    args = parser.parse_args(argv)
    passages = ([p.read_text(encoding="utf-8") for p in sorted(args.texts.glob("*.txt"))]
                if args.texts else kjv())
    held, samples = passages[::4], [p for i, p in enumerate(passages) if i % 4]
    base = cached("smollm2-135m")
    system = "You are a writing assistant."
    note = card(samples).short()
    with tempfile.TemporaryDirectory() as home, \
            Embeddings(model_path=cached("minilm-l6-v2"), n_threads=2) as emb:
        paths = Paths(Path(home) / "config", Path(home) / "data", Path(home) / "cache").ensure()
        install("smollm2-135m", paths)
        outcome = train([Sample(s) for s in samples], "smollm2-135m", paths,
                        max_steps=args.steps, threads=2)
        tuned = outcome.path
        replies: dict[str, list[str]] = {k: [] for k in
                                         ("none", "examples", "card", "both", "fine_tuned")}
        for model, conditions in ((base, ("none", "examples", "card", "both")),
                                  (tuned, ("fine_tuned",))):
            backend = LocalBackend(model, n_ctx=2048, n_threads=2)
            try:
                backend.load()
                for passage in held:
                    user = prompt_for(passage)
                    near = [samples[i] for i, _ in emb.nearest(samples, user, 3)]
                    short = [" ".join(t.split()[:120]) for t in near]
                    for name in conditions:
                        sys_text = f"{system}\n\n{note}" if name in ("card", "both") else system
                        text = with_examples(user, short) if name in ("examples", "both") else user
                        replies[name].append(generate(backend, sys_text, text))
            finally:
                backend.close()
        target = emb.embed(held)
        scores: dict[str, Any] = {}
        for name, texts in replies.items():
            rows = emb.embed(texts)
            scores[name] = {"cosine": round(float(np.mean(np.sum(rows * target, axis=1))), 4),
                            "stylometric": round(stylometric_distance(texts, held), 4)}
    record = outcome.record
    print(json.dumps({"model": "smollm2-135m", "passages": len(passages), "held_out": len(held),
                      "samples": len(samples), "source": str(args.texts or "KJV Proverbs, "
                                                             "Ecclesiastes"),
                      "conditions": scores, "training": {
                          "steps": len(outcome.losses),
                          "perplexity_before": _round((record.get("heldout_before") or {}).get(
                              "perplexity")),
                          "perplexity_after": _round((record.get("heldout_after") or {}).get(
                              "perplexity")),
                          "tokens_per_s": _round(record.get("tokens_per_s"))}}))
    return 0


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)
