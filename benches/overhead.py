"""Tokens/s through `creator ask`'s whole path against raw llama-cpp-python, interleaved, on each
model of `--models` (default: the demo model, a random-weight 1.1B llama, and every real model
found: SmolLM2 135M, Gemma 3 270M).

The raw side gets the very prompt tokens the pipeline's worker fed the model (its chat template,
or its family's) and streams them through llama-cpp-python's own `create_completion`, greedy,
with the same threads, batch size and OpenMP environment as the worker (`--raw-default-env`:
llama.cpp's defaults, which spin between tokens: much faster on an idle machine with 2 threads,
much slower on a busy one). Prints one JSON line: per model pipeline_tps, raw_tps and
ratio (the median of the per-round ratios; target >= 0.97), then help_startup_s.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benches.models import REAL, link_model, pick_models, real_model
from benches.synth import ONE_B, cached_model

PROMPT = "Write a short video script about morning routines for busy creators."
TOKENS = 128
ROUNDS = 9
SYNTHETIC = ("demo", "llama-1b")
LABELS = {
    "demo": "the demo model (random weights, 0.5 MB)",
    "llama-1b": "random-weight llama, 1.1B parameters (TinyLlama dims), Q8_0",
    "smollm2-135m": "SmolLM2 135M instruct, Q4_1 (real weights)",
    "gemma-3-270m": "Gemma 3 270M base, Q4_K_M (real weights, sliding window 512)",
}


def model_file(name: str, home: Path) -> Path:
    if name == "demo":
        from creator_assistant.runtime.demo import ensure_demo_model

        return ensure_demo_model(home / "data" / "models")
    if name == "llama-1b":
        return cached_model("llama-1b-q8", ONE_B)
    path = real_model(name)
    assert path is not None  # pick_models has checked
    return path


def pipeline_tps(session: Any, model: str) -> tuple[float, Any]:
    """Generation speed seen by a consumer of Session.ask, the path `creator ask` takes; and
    the turn (its worker and the messages it sent)."""
    turn = session.ask(PROMPT, task="chat", model=model)
    first = last = 0.0
    for _ in turn:
        last = time.perf_counter()
        first = first or last
    n = turn.result.usage.completion_tokens
    return (n - 1) / (last - first), turn


def raw_tps(llm: Any, tokens: list[int]) -> float:
    """The same prompt tokens straight through llama-cpp-python's streaming completion."""
    first = last = 0.0
    n = 0
    for chunk in llm.create_completion(
        tokens, stream=True, max_tokens=TOKENS, temperature=0.0, top_k=1, top_p=1.0, min_p=0.0,
        repeat_penalty=1.0, seed=1,
    ):
        if chunk["choices"][0]["text"]:
            last = time.perf_counter()
            first = first or last
            n += 1
    return (n - 1) / (last - first)


def mirror_worker_env() -> dict[str, str]:
    """Set in this process what the worker sets in its own before llama.cpp loads (its OpenMP
    threads' short spin), so the ratio measures the pipeline, not a thread policy; call before
    llama_cpp is imported."""
    from creator_assistant.runtime import worker

    env = dict(worker.LLAMA_ENV)
    for key, value in env.items():
        os.environ.setdefault(key, value)
    return {k: os.environ[k] for k in env}


def open_raw(model: Path, n_ctx: int, threads: int) -> Any:
    """llama-cpp-python's Llama as the worker opens it: same threads, batch, window-sized cache
    for sliding-window layers and (on CPUs whose AMX tiles fault in virtual machines, where the
    default buffers crash llama.cpp) the same plain weight buffers."""
    from contextlib import nullcontext

    from llama_cpp import Llama

    from creator_assistant.runtime import worker

    params = getattr(worker, "_model_params", None)
    usable = getattr(worker, "amx_usable", lambda: True)
    with nullcontext() if params is None else params(usable()):
        return Llama(str(model), n_ctx=n_ctx, verbose=False, n_batch=512, n_threads=threads,
                     swa_full=False)


def compare(model: Path, n_ctx: int, threads: int, model_id: str | None) -> dict[str, Any]:
    """Median pipeline and raw tokens/s, and the median of the per-round ratios."""
    from creator_assistant.paths import get_paths
    from creator_assistant.session import Session

    paths = get_paths().ensure()
    ref = link_model(model_id, model, paths) if model_id else str(model)
    paths.config_file.write_text(
        f"[models]\nthreads = {threads}\n[tasks.chat]\nmax_tokens = {TOKENS}\ntemperature = 0.0\n"
        f"top_k = 1\ntop_p = 1.0\nmin_p = 0.0\nrepeat_penalty = 1.0\nseed = 1\ncontext = {n_ctx}\n"
    )
    session = Session.open(paths)
    llm = open_raw(model, n_ctx, threads)  # the same threads on both sides
    ours, raw = [], []
    try:
        _, turn = pipeline_tps(session, ref)  # warm both: load, page cache
        text, template = turn.backend.format_prompt(turn.fitted.messages)
        tokens = llm.tokenize(text.encode("utf-8"), add_bos=False, special=True)
        raw_tps(llm, tokens)
        for i in range(ROUNDS):
            if i % 2:
                raw.append(raw_tps(llm, tokens))
                ours.append(pipeline_tps(session, ref)[0])
            else:
                ours.append(pipeline_tps(session, ref)[0])
                raw.append(raw_tps(llm, tokens))
        generated = turn.result.usage.completion_tokens
    finally:
        session.close()
        llm.close()
    ratios = [o / r for o, r in zip(ours, raw, strict=True)]
    return {"pipeline_tps": round(statistics.median(ours), 2),
            "raw_tps": round(statistics.median(raw), 2),
            "ratio": round(statistics.median(ratios), 3),
            "ratio_min": round(min(ratios), 3), "prompt_tokens": len(tokens),
            "generated_tokens": generated, "template": template}


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


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benches overhead", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", help="comma-separated: demo, llama-1b, smollm2-135m, "
                        "gemma-3-270m (default: the first two and the real ones found)")
    parser.add_argument("--threads", type=int, default=0, metavar="N", help="llama.cpp threads "
                        "(default: what `creator doctor` recommends); 1 is steadier on a machine "
                        "others keep busy")
    parser.add_argument("--raw-default-env", action="store_true", help="leave the raw side "
                        "llama.cpp's default OpenMP settings instead of the worker's")
    parser.add_argument("--no-startup", action="store_true", help="skip `creator --help` timing")
    args = parser.parse_args(argv)
    from creator_assistant.library.hardware import default_threads

    models = pick_models(args.models, SYNTHETIC)
    threads = args.threads or default_threads()
    out: dict[str, Any] = {"tokens": TOKENS, "rounds": ROUNDS, "threads": threads,
                           "raw_env": {} if args.raw_default_env else mirror_worker_env(),
                           "target_ratio": 0.97, "models": {}}
    before = os.environ.get("CREATOR_HOME")
    try:
        with tempfile.TemporaryDirectory() as home:
            files = {m: model_file(m, Path(home)) for m in models}  # before CREATOR_HOME moves
            os.environ["CREATOR_HOME"] = home
            for m in models:
                got = compare(files[m], 2048, threads, m if m in REAL else None)
                out["models"][m] = {"model": LABELS[m], **got}
    finally:
        os.environ.pop("CREATOR_HOME", None)
        if before is not None:
            os.environ["CREATOR_HOME"] = before
    if not args.no_startup:
        out["help_startup_s"] = round(help_startup_s(), 3)
    print(json.dumps(out))
    return 0
