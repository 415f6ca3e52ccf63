"""Tokens/s through `creator ask`'s whole path against raw llama-cpp-python, interleaved.

Prints one JSON line: pipeline_tps, raw_tps, ratio, demo_ratio, help_startup_s.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benches.synth import ONE_B, cached_model

PROMPT = "Write a short video script about morning routines for busy creators."
TOKENS = 128
ROUNDS = 9


def pipeline_tps(session, model: Path) -> float:
    """Generation speed seen by a consumer of Session.ask, the path `creator ask` takes."""
    turn = session.ask(PROMPT, task="chat", model=str(model))
    first = last = 0.0
    for _ in turn:
        last = time.perf_counter()
        first = first or last
    n = turn.result.usage.completion_tokens
    return (n - 1) / (last - first)


def raw_tps(llm) -> float:
    """The same messages the chat task sends, straight through llama-cpp-python's chat API."""
    from creator_assistant.resources import read_prompt

    first = last = 0.0
    n = 0
    for chunk in llm.create_chat_completion(
        [{"role": "system", "content": read_prompt("chat.md")},
         {"role": "user", "content": PROMPT}],
        stream=True, max_tokens=TOKENS, temperature=0.0, top_k=1, top_p=1.0, min_p=0.0,
        repeat_penalty=1.0, seed=1,
    ):
        if chunk["choices"][0]["delta"].get("content"):
            last = time.perf_counter()
            first = first or last
            n += 1
    return (n - 1) / (last - first)


def compare(model: Path, n_ctx: int) -> tuple[float, float, float]:
    """Median pipeline and raw tokens/s, and the median of the per-round ratios."""
    from llama_cpp import Llama

    from creator_assistant.library.hardware import default_threads
    from creator_assistant.paths import get_paths
    from creator_assistant.session import Session

    paths = get_paths().ensure()
    paths.config_file.write_text(
        f"[tasks.chat]\nmax_tokens = {TOKENS}\ntemperature = 0.0\ntop_k = 1\ntop_p = 1.0\n"
        f"min_p = 0.0\nrepeat_penalty = 1.0\nseed = 1\ncontext = {n_ctx}\n"
    )
    session = Session.open(paths)
    # The same threads on both sides: the session's default is what `creator doctor` recommends.
    llm = Llama(str(model), n_ctx=n_ctx, verbose=False, n_batch=512, n_threads=default_threads())
    ours, raw = [], []
    try:
        pipeline_tps(session, model)  # warm both: load, page cache
        raw_tps(llm)
        for i in range(ROUNDS):
            if i % 2:
                raw.append(raw_tps(llm))
                ours.append(pipeline_tps(session, model))
            else:
                ours.append(pipeline_tps(session, model))
                raw.append(raw_tps(llm))
    finally:
        session.close()
        llm.close()
    ratios = [o / r for o, r in zip(ours, raw)]
    return statistics.median(ours), statistics.median(raw), statistics.median(ratios)


def help_startup_s() -> float:
    exe = Path(sys.executable).with_name("creator")
    cmd = [str(exe), "--help"] if exe.exists() else [sys.executable, "-m", "creator_assistant",
                                                    "--help"]
    times = []
    for _ in range(11):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    with tempfile.TemporaryDirectory() as home:
        os.environ["CREATOR_HOME"] = home
        from creator_assistant.runtime.demo import ensure_demo_model

        demo = ensure_demo_model(Path(home) / "data" / "models")
        big = cached_model("llama-1b-q8", ONE_B)
        demo_ours, demo_raw, demo_ratio = compare(demo, 2048)
        ours, raw, ratio = compare(big, 2048)
    print(json.dumps({
        "model": "random-weight llama, 1.1B parameters (TinyLlama dims), Q8_0",
        "tokens": TOKENS, "rounds": ROUNDS,
        "pipeline_tps": round(ours, 2), "raw_tps": round(raw, 2), "ratio": round(ratio, 3),
        "demo_pipeline_tps": round(demo_ours, 1), "demo_raw_tps": round(demo_raw, 1),
        "demo_ratio": round(demo_ratio, 3),
        "help_startup_s": round(help_startup_s(), 3),
    }))
    return 0
