"""Warm resume: `python -m benches resume [--n-ctx N] [--repeats N]`.

A conversation filling at least 75% of the window; its next turn's time to first token (the
worker's own clock, restore included) in three ways, side by side: warm (the same worker that
answered the turn before), restored (a new worker that restores the state the previous one
saved when it closed) and cold (a new worker, no state). On the starter model (SmolLM2) and the
real Gemma 3 270M, which restores only while prompt and reply fit 1,024 cells
(docs/warm-resume.md): at the window asked for and at a 1,100-token one. From the test models'
cache (`make test-models`), on 2 threads. Prints one JSON line; the starter's figures are the
top-level ones; `met` is the starter's.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

TARGET = 1.5
TOPICS = ["sourdough", "film cameras", "hiking", "espresso", "gardens", "bicycles", "chess",
          "watercolor", "jazz piano", "sailing", "pottery", "astronomy"]


def conversation(backend: Any, fill: int) -> list[dict[str, str]]:
    """A conversation's messages, ending with a question, of at least `fill` tokens."""
    messages = [{"role": "system", "content": "You help a video creator plan their channel."}]
    turn = 0
    while True:
        topic = TOPICS[turn % len(TOPICS)]
        messages.append({"role": "user", "content": " ".join(
            f"Video {turn}.{i} about {topic} got {(turn + 3) * (i + 7) * 31} views in week {i}."
            for i in range(4)) + f" What should video {turn + 1} be about?"})
        if backend.count_tokens(messages) >= fill:
            break
        messages.append({"role": "assistant", "content": f"Make video {turn + 1} about {topic} "
                         f"again: it is what your viewers watch most."})
        turn += 1
    return messages


def greedy(messages: list[dict[str, str]]) -> Any:
    from creator_assistant.runtime.protocol import GenerateRequest

    return GenerateRequest(messages=messages, temperature=0.0, top_k=1, top_p=1.0, min_p=0.0,
                           repeat_penalty=1.0, max_tokens=16, seed=1)


def one(model: Path, n_ctx: int, swa_full: bool, kv_dir: Path | None,
        turns: list[list[dict[str, str]]]) -> Any:
    """Answer `turns` in one new worker (closed after: closing saves); the last turn's usage."""
    from creator_assistant.runtime.local import LocalBackend

    backend = LocalBackend(model, n_ctx=n_ctx, n_threads=2, swa_full=swa_full, kv_dir=kv_dir,
                           kv_states_mb=4096 if kv_dir else 0)
    try:
        backend.load()
        for messages in turns:
            "".join(backend.stream(greedy(messages)))
        return backend.last_usage
    finally:
        backend.close()


def measure(model: Path, n_ctx: int, swa_full: bool, repeats: int) -> dict[str, Any]:
    from creator_assistant.runtime.local import LocalBackend

    probe = LocalBackend(model, n_ctx=n_ctx, n_threads=2, swa_full=swa_full)
    try:
        before = conversation(probe, int(0.75 * n_ctx))
        reply = "".join(probe.stream(greedy(before)))
    finally:
        probe.close()
    after = [*before, {"role": "assistant", "content": reply},
             {"role": "user", "content": "Give me three titles for it."}]
    with tempfile.TemporaryDirectory() as tmp:
        saved = Path(tmp) / "saved"
        one(model, n_ctx, swa_full, saved, [before])  # closing saves the state of `before`
        state = next(saved.glob("*.kvs"), None)  # none: too long for this model to restore
        warm, restored, cold = [], [], []
        for i in range(repeats):
            fresh_dir = Path(tmp) / f"run{i}"  # a copy: each restore starts from the same state
            fresh_dir.mkdir()
            if state is not None:
                shutil.copy(state, fresh_dir / state.name)
            warm.append(one(model, n_ctx, swa_full, None, [before, after]))
            restored.append(one(model, n_ctx, swa_full, fresh_dir, [after]))
            cold.append(one(model, n_ctx, swa_full, None, [after]))
        size = state.stat().st_size if state is not None else 0
    ms = {k: statistics.median(u.ttft_ms for u in runs)
          for k, runs in (("warm", warm), ("restored", restored), ("cold", cold))}
    out = {
        "n_ctx": n_ctx, "swa_full": swa_full, "prompt_tokens": restored[0].prompt_tokens,
        "fill": round(restored[0].prompt_tokens / n_ctx, 3),
        "restored_tokens": restored[0].restored_tokens, "warm_cached": warm[0].cached_tokens,
        "state_mb": round(size / 2**20, 1),
        "warm_ms": round(ms["warm"], 1), "restored_ms": round(ms["restored"], 1),
        "cold_ms": round(ms["cold"], 1),
        "restored_over_warm": round(ms["restored"] / ms["warm"], 2),
        "cold_over_warm": round(ms["cold"] / ms["warm"], 2),
    }
    print(json.dumps({model.name: out}), file=sys.stderr, flush=True)  # progress
    return out


def main(argv: list[str]) -> int:
    from tests.realmodels import cached

    parser = argparse.ArgumentParser(prog="python -m benches resume")
    parser.add_argument("--n-ctx", type=int, default=8192, help="the window (default 8192)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    gemma = cached("gemma-3-270m")
    models = {"smollm2-135m": measure(cached("smollm2-135m"), args.n_ctx, False, args.repeats),
              "gemma-3-270m": measure(gemma, args.n_ctx, False, args.repeats),
              # Where a sliding-window model restores: prompt and reply within 1,024 cells.
              "gemma-3-270m@1100": measure(gemma, 1100, False, args.repeats)}
    starter = models["smollm2-135m"]
    print(json.dumps({
        "bench": "resume", "target": TARGET,
        "restored_over_warm": starter["restored_over_warm"],
        "cold_over_warm": starter["cold_over_warm"],
        "met": starter["restored_over_warm"] <= TARGET,
        "models": models,
    }))
    return 0
