"""Decode speed on a GPU against the memory-bandwidth bound, on random-weight models with Gemma 3
4B, 12B and 27B dimensions (benches/gpu_models.py).

Builds nothing by itself: `--build` writes the missing models into `--cache` (about 2.2, 6.6 and
15.5 GB at Q4_0). Each model runs in the product's own worker (LocalBackend) with every layer
offloaded (`--gpu-layers`, -1: all), greedy, `--tokens` tokens after a short prompt, `--rounds`
times after one warm-up; `decode_tps` is the median of the worker's tokens/s after the first
token. `bound_tps` = bandwidth / bytes read per decoded token (every weight once, and the KV
cache it attends to); `share_of_bound` = decode_tps / bound_tps. The bandwidth is
`--bandwidth-gbs`, else the spec-sheet figure for the GPU's name (BANDWIDTH_GBS). Without a GPU
build of llama-cpp-python (`llama_supports_gpu_offload()`), it prints one JSON line saying so and
exits 0. docs/gpu.md says how to build one. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
from pathlib import Path

from benches.gpu_models import SHAPES, bound_tps, build, bytes_per_token, model_path, weight_bytes

CACHE = Path(__file__).resolve().parent.parent / ".bench-cache" / "gpu"
PROMPT = "Write a long story about a baker who films her mornings."
# Memory bandwidth in GB/s (10^9 bytes) from the makers' spec sheets, by a piece of the name
# nvidia-smi reports; the first piece found in the name wins, so the longer ones come first.
BANDWIDTH_GBS = [
    ("gh200", 4000), ("h200", 4800), ("h100 nvl", 3900), ("h100 pcie", 2000), ("h100", 3350),
    ("a100-sxm4-80gb", 2039), ("a100 80gb pcie", 1935), ("a100", 1555), ("l40s", 864),
    ("l40", 864), ("l4", 300), ("a10g", 600), ("a10", 600), ("t4", 320), ("v100", 900),
    ("rtx 6000 ada", 960), ("rtx a6000", 768), ("rtx 4090", 1008), ("rtx 4080 super", 736),
    ("rtx 4080", 717), ("rtx 4070", 504), ("rtx 3090 ti", 1008), ("rtx 3090", 936),
    ("rtx 5090", 1792), ("rtx 5080", 960),
]


def known_bandwidth(device: str) -> float | None:
    """The spec-sheet bandwidth of a GPU by its name, or None when the table lacks it."""
    name = device.lower()
    return next((float(gbs) for piece, gbs in BANDWIDTH_GBS if piece in name), None)


def gpu_offload() -> bool:
    try:
        import llama_cpp
    except ImportError:
        return False
    return bool(llama_cpp.llama_supports_gpu_offload())


def device_name() -> str:
    """The first GPU's name as nvidia-smi reports it ("" when there is none to ask)."""
    exe = shutil.which("nvidia-smi")
    if exe is None:
        return ""
    try:
        out = subprocess.run([exe, "--query-gpu=name", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=10, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.strip().splitlines()[0].strip() if out.strip() else ""


def decode(path: Path, tokens: int, rounds: int, gpu_layers: int, n_ctx: int) -> dict:
    """Load `path` in a worker and time greedy replies of `tokens` tokens."""
    from creator_assistant.runtime.local import LocalBackend
    from creator_assistant.runtime.protocol import GenerateRequest

    backend = LocalBackend(path, n_ctx=n_ctx, n_gpu_layers=gpu_layers)
    try:
        info = backend.load()
        request = GenerateRequest([{"role": "user", "content": PROMPT}], temperature=0.0,
                                  top_k=1, top_p=1.0, min_p=0.0, repeat_penalty=1.0,
                                  max_tokens=tokens, seed=1)
        runs = []
        for _ in range(rounds + 1):  # the first warms the GPU's kernels and caches
            for _ in backend.stream(request):
                pass
            assert backend.last_usage is not None
            runs.append(backend.last_usage)
        usage = runs[1:]
        return {"load_s": round(info.load_ms / 1000, 2),
                "prompt_tokens": usage[0].prompt_tokens,
                "generated": statistics.median(u.completion_tokens for u in usage),
                "decode_tps": round(statistics.median(u.tokens_per_s for u in usage), 1)}
    finally:
        backend.close()


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benches gpu", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cache", type=Path, default=CACHE, help="where the models are built")
    parser.add_argument("--build", action="store_true", help="build the missing models first")
    parser.add_argument("--models", default="4b,12b,27b", help=f"of {', '.join(SHAPES)}")
    parser.add_argument("--quant", default="Q4_0", choices=["Q4_0", "Q8_0"])
    parser.add_argument("--tokens", type=int, default=256, help="tokens per reply")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--ctx", type=int, default=4096, help="the context window")
    parser.add_argument("--gpu-layers", type=int, default=-1, help="layers offloaded (-1: all)")
    parser.add_argument("--bandwidth-gbs", type=float, help="the GPU's memory bandwidth, GB/s")
    args = parser.parse_args(argv)
    unknown = [m for m in args.models.split(",") if m not in SHAPES]
    if unknown:
        parser.error(f"unknown model {unknown[0]!r}; known: {', '.join(SHAPES)}")
    return args


def main(argv: list[str]) -> int:
    args = parse(argv)
    if not gpu_offload():
        print(json.dumps({"gpu": False, "reason": "this llama-cpp-python has no GPU offload "
                          "(llama_supports_gpu_offload() is False): nothing to measure; "
                          "docs/gpu.md says how to build it with CUDA"}))
        return 0
    device = device_name() or "unknown"
    bandwidth = args.bandwidth_gbs or known_bandwidth(device)
    shapes = [SHAPES[m] for m in args.models.split(",")]
    paths = {s.name: model_path(args.cache, s, args.quant) for s in shapes}
    missing = [s for s in shapes if not paths[s.name].is_file()]
    if missing and not args.build:
        size = sum(weight_bytes(s, args.quant) for s in missing) / 1e9
        print(json.dumps({"gpu": True, "device": device, "error": "models not built: "
                          f"{', '.join(s.name for s in missing)} (about {size:.1f} GB); run "
                          f"`python -m benches gpu --build --cache {args.cache}`"}))
        return 1
    for shape in missing:
        build(paths[shape.name], shape, args.quant)
    results = []
    for shape in shapes:
        run = decode(paths[shape.name], args.tokens, args.rounds, args.gpu_layers, args.ctx)
        each = bytes_per_token(shape, args.quant, run["prompt_tokens"], int(run["generated"]))
        bound = bound_tps(each, bandwidth) if bandwidth else None
        results.append({"model": shape.name, "quant": args.quant, **run,
                        "gb_per_token": round(each / 1e9, 3),
                        "bound_tps": round(bound, 1) if bound else None,
                        "share_of_bound": round(run["decode_tps"] / bound, 3) if bound else None})
    print(json.dumps({"gpu": True, "device": device, "bandwidth_gbs": bandwidth,
                      "bandwidth_from": "--bandwidth-gbs" if args.bandwidth_gbs else
                      ("spec sheet" if bandwidth else "unknown: pass --bandwidth-gbs"),
                      "gpu_layers": args.gpu_layers, "models": results}))
    return 0
