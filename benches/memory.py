"""Time to first token as a conversation fills the window: our KV-cache reuse against rebuilding
the prompt every turn, side by side, on each model of `--models` (default: a random-weight model
of about 350M parameters, and every real model found: SmolLM2 135M, Gemma 3 270M, whose
sliding-window layers see only 512 positions, so 40 turns run well past the window).

Prints one JSON line, per model: ttft_turn2_ms and ttft_turn40_ms ({"reuse", "naive"}: medians of
three conversations each), ttft_ratio_reuse (turn 40 / turn 2 with reuse; target <= 1.5),
ttft_ratio_naive, and how full the window is at each.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import Any

from benches.models import REAL, link_model, pick_models, real_model
from benches.synth import cached_model
from creator_assistant.runtime.demo import DemoShape

# About 350M parameters: 20 llama layers of width 1024, a 32k vocabulary, quantized to Q8_0.
SHAPE = DemoShape(n_embd=1024, n_layer=20, n_head=16, n_head_kv=4, n_ff=4096, context=4096,
                  n_vocab=32000, quant="Q8_0", seed=2)
N_CTX, REPLY, MEASURED, SAMPLES = 2048, 4, (2, 40), 3
SYNTHETIC = ("llama-350m",)
LABELS = {
    "llama-350m": "random-weight llama, ~350M parameters (1024 x 20 layers), Q8_0",
    "smollm2-135m": "SmolLM2 135M instruct, Q4_1 (real weights)",
    "gemma-3-270m": "Gemma 3 270M base, Q4_K_M (real weights, sliding window 512)",
}
TOPICS = ["sourdough", "lighting", "thumbnails", "hooks", "b-roll", "pacing", "captions"]


def user_message(turn: int) -> str:
    """A dozen tokens: with the reply and the template, 40 turns fill about 80% of the window
    without an eviction (which would start the prompt afresh)."""
    return f"Turn {turn}: more on {TOPICS[turn % len(TOPICS)]}"


def ttft(start_stream: Callable[[], Iterable[str]]) -> tuple[float, Any]:
    """Milliseconds from the request to its first piece of text (the rest is drained), and the
    stream."""
    start = time.perf_counter()
    stream = start_stream()
    first = 0.0
    for _ in stream:
        first = first or time.perf_counter() - start
    return round(first * 1000, 1), stream


def run(model: Path, threads: int, model_id: str | None = None) -> dict:
    """SAMPLES long conversations are grown to turn 39 and SAMPLES new ones started; then turn 40
    of each long one, turn 2 of each new one and the baseline on both prompts are measured one
    after another, so all of them see the same load (the machine may be shared). Medians."""
    from creator_assistant.paths import get_paths
    from creator_assistant.runtime.local import LocalBackend
    from creator_assistant.runtime.protocol import GenerateRequest
    from creator_assistant.session import Session

    paths = get_paths().ensure()
    ref = link_model(model_id, model, paths) if model_id else str(model)
    paths.config_file.write_text(
        f"[models]\nthreads = {threads}\n[tasks.chat]\nmax_tokens = {REPLY}\n"
        f"context = {N_CTX}\ntemperature = 0.0\ntop_k = 1\nrepeat_penalty = 1.0\nseed = 1\n")
    a, b = MEASURED
    # One session (so one worker, one KV cache) per conversation.
    long = [Session.open(paths) for _ in range(SAMPLES)]
    short = [Session.open(paths) for _ in range(SAMPLES)]
    cids: dict[Session, str | None] = {s: None for s in long + short}
    # The baseline's own worker, which re-evaluates every prompt from its first token.
    naive = LocalBackend(model, n_ctx=N_CTX, n_threads=threads, kv_reuse="never")

    def ask(session: Session, n: int) -> tuple[float, Any]:
        # The product's whole path: save, fit and count, prefill, first token.
        took, turn = ttft(partial(session.ask, user_message(n), task="chat",
                                  model=ref, conversation_id=cids[session]))
        cids[session] = turn.result.conversation_id
        return took, turn

    out: dict = {key: {n: [] for n in MEASURED} for key in ("reuse", "naive", "fill", "new")}
    try:
        list(naive.stream(GenerateRequest(messages=[{"role": "user", "content": "hi"}],
                                          max_tokens=1)))
        for session in long + short:
            session.summaries.enabled = False
        for n in range(1, b):
            for session in long:
                ask(session, n)
        for session in short:
            ask(session, a - 1)
        for pair in zip(long, short, strict=True):
            for session, n in zip(pair, (b, a), strict=True):
                took, turn = ask(session, n)
                usage = turn.result.usage
                assert turn.fitted.kept_from == 0, "an eviction: the window is too small"
                out["reuse"][n].append(took)
                out["fill"][n].append(usage.prompt_tokens / N_CTX)
                out["new"][n].append(usage.prompt_tokens - usage.cached_tokens)
                same = GenerateRequest(messages=turn.fitted.messages, temperature=0.0,
                                       top_k=1, repeat_penalty=1.0, max_tokens=REPLY, seed=1)
                out["naive"][n].append(ttft(partial(naive.stream, same))[0])
    finally:
        naive.close()
        for session in long + short:
            session.close()
    return {key: {n: statistics.median(v) for n, v in per.items()} for key, per in out.items()}


def figures(got: dict) -> dict:
    a, b = MEASURED
    reuse, naive = got["reuse"], got["naive"]
    return {
        "history_fill": {f"turn{n}": round(got["fill"][n], 3) for n in MEASURED},
        "prefilled_tokens_reuse": {f"turn{n}": got["new"][n] for n in MEASURED},
        "ttft_turn2_ms": {"reuse": reuse[a], "naive": naive[a]},
        "ttft_turn40_ms": {"reuse": reuse[b], "naive": naive[b]},
        "ttft_ratio_reuse": round(reuse[b] / reuse[a], 3),
        "ttft_ratio_naive": round(naive[b] / naive[a], 3),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benches memory", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", help="comma-separated: llama-350m, smollm2-135m, "
                        "gemma-3-270m (default: the first and the real ones found)")
    parser.add_argument("--threads", type=int, default=0, metavar="N", help="llama.cpp threads "
                        "(default: every core); 1 is steadier on a machine others keep busy")
    args = parser.parse_args(argv)
    models = pick_models(args.models, SYNTHETIC)
    threads = args.threads or os.cpu_count() or 1
    files = {m: cached_model("llama-350m-q8", SHAPE) if m in SYNTHETIC else real_model(m)
             for m in models}
    out: dict = {"n_ctx": N_CTX, "reply_tokens": REPLY, "threads": threads,
                 "samples": SAMPLES, "target_ratio_reuse": 1.5, "models": {}}
    before = os.environ.get("CREATOR_HOME")
    try:
        for m in models:
            with tempfile.TemporaryDirectory() as home:
                os.environ["CREATOR_HOME"] = home
                path = files[m]
                assert path is not None  # pick_models has checked
                got = run(path, threads, m if m in REAL else None)
                out["models"][m] = {"model": LABELS[m], **figures(got)}
    finally:
        os.environ.pop("CREATOR_HOME", None)
        if before is not None:
            os.environ["CREATOR_HOME"] = before
    print(json.dumps(out))
    return 0
