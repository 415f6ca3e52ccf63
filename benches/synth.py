"""Random-weight models with realistic costs per token, built by the benchmarks and cached."""

from __future__ import annotations

import time
from pathlib import Path

from creator_assistant.runtime.demo import DemoShape, build_demo_model

CACHE = Path(__file__).resolve().parent.parent / ".bench-cache"

# The dimensions of a ~1.1B-parameter llama model (TinyLlama's), quantized to Q8_0.
ONE_B = DemoShape(n_embd=2048, n_layer=22, n_head=32, n_head_kv=4, n_ff=5632, context=4096,
                  n_vocab=32000, quant="Q8_0", seed=1)


def cached_model(name: str, shape: DemoShape) -> Path:
    path = CACHE / f"{name}.gguf"
    if not path.exists():
        start = time.perf_counter()
        build_demo_model(path, shape)
        print(f"built {path.name} in {time.perf_counter() - start:.1f} s", flush=True,
              file=__import__("sys").stderr)
    return path
