"""LoRA adapters as model switches, on random-weight demo-vocabulary models (no download).

For each model shape (`demo`: the demo model, 1 MB; `wide`: 6 layers of 384, 57 MB) prints one JSON
line: load_ms and load_with_adapter_ms (a fresh worker each time, through the model manager:
from asking for the model to the worker answering; llama.cpp's own load time beside it), and
adapter_switch_ms: switching between two adapters on the same model, which is a model switch:
`evicted` when the budget holds one model (each switch loads again), `warm` when both stay
resident (each in its own worker). Medians over ROUNDS. With an adapter llama-cpp-python reads
the model instead of mapping it, which is what the load difference shows on the wider model.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROUNDS = 5
SHAPES = {"demo": {}, "wide": dict(n_embd=384, n_layer=6, n_head=8, n_head_kv=4, n_ff=1536)}


def _timed(pool, choice, n_ctx: int) -> tuple[float, float]:
    start = time.perf_counter()
    switch = pool.ready(pool.backend(choice, n_ctx))
    return (time.perf_counter() - start) * 1000, switch.load_ms


def _median(pairs: list[tuple[float, float]]) -> dict[str, float]:
    return {"ms": round(statistics.median(p[0] for p in pairs), 2),
            "llama_load_ms": round(statistics.median(p[1] for p in pairs), 1)}


def measure(shape_name: str, rounds: int, folder: Path) -> dict[str, object]:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from creator_assistant.paths import get_paths
    from creator_assistant.runtime.demo import DemoShape, build_demo_model
    from creator_assistant.runtime.pool import ModelPool
    from creator_assistant.runtime.resolver import Choice
    from tests.lora_maker import write_lora

    paths = get_paths().ensure()
    model = build_demo_model(folder / f"{shape_name}.gguf", DemoShape(**SHAPES[shape_name]))
    a = write_lora(model, folder / f"{shape_name}-a.gguf", seed=1).resolve()
    b = write_lora(model, folder / f"{shape_name}-b.gguf", seed=2).resolve()
    base = Choice(shape_name, model, 512)
    n_ctx = 512
    out: dict[str, object] = {"model": shape_name, "model_mb": round(model.stat().st_size / 1e6, 1),
                              "adapter_mb": round(a.stat().st_size / 1e6, 2), "rounds": rounds}
    for label, choice in (("load", base), ("load_with_adapter", replace(base, lora=a))):
        pool = ModelPool(paths, reaper=False, keep_alive_s=0)
        try:
            _timed(pool, choice, n_ctx)  # the file into the page cache
            pool.unload(model)
            runs = []
            for _ in range(rounds):
                runs.append(_timed(pool, choice, n_ctx))
                pool.unload(model)
            out[label] = _median(runs)
        finally:
            pool.close()
    for label, capacity in (("adapter_switch_evicted", 1), ("adapter_switch_warm", 4)):
        pool = ModelPool(paths, capacity=capacity, reaper=False, keep_alive_s=0)
        try:
            ca, cb = replace(base, lora=a), replace(base, lora=b)
            _timed(pool, ca, n_ctx)
            _timed(pool, cb, n_ctx)
            runs = []
            for _ in range(rounds):
                runs.append(_timed(pool, ca, n_ctx))
                runs.append(_timed(pool, cb, n_ctx))
            out[label] = _median(runs)
        finally:
            pool.close()
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benches lora", description=__doc__)
    parser.add_argument("--shapes", default="demo,wide", help="comma-separated: demo, wide")
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    args = parser.parse_args(argv)
    shapes = [s for s in args.shapes.split(",") if s]
    unknown = [s for s in shapes if s not in SHAPES]
    if unknown:
        print(f"unknown shape {unknown[0]!r}; shapes: {', '.join(SHAPES)}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="creator-bench-lora-") as home:
        os.environ["CREATOR_HOME"] = home
        for shape in shapes:
            print(json.dumps(measure(shape, max(1, args.rounds), Path(home))), flush=True)
    return 0
