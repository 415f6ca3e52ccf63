"""Model manager latencies on two 1.1B-parameter Q8_0 models (1.17 GB each), side by side.

Prints one JSON line: cold_load_ms (a fresh worker, file evicted from the page cache),
cold_load_page_cached_ms (same, file in the page cache), warm_switch_ms (switching between two
resident models), evicted_switch_ms (switching when the budget holds only one), and the first
token after a warm switch next to the first token without one. A switch is measured from asking
the manager for the model to the worker answering a token count, medians over ROUNDS.
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from benches.synth import ONE_B, cached_model

REAL = ("smollm2-135m", "gemma-3-270m")  # the real-weight models the benches look for


def real_model_places(model_id: str) -> list[Path]:
    """Where a pulled `model_id` may be: the machine's test-model cache (`make test-models`,
    CREATOR_TEST_MODELS), then the user's own models folder (`creator models pull`)."""
    from creator_assistant.library.catalogue import catalogue
    from creator_assistant.paths import get_paths

    name = catalogue()[model_id].file
    cache = Path(os.environ.get("CREATOR_TEST_MODELS")
                 or Path.home() / ".cache" / "creator-assistant" / "test-models")
    return [cache / "data" / "models" / model_id / name,
            get_paths().models_dir / model_id / name]


def real_model(model_id: str) -> Path | None:
    """The file of a real model if it is on this machine (call before CREATOR_HOME is moved)."""
    return next((p for p in real_model_places(model_id) if p.is_file()), None)


def missing_model(model_id: str) -> str:
    places = " or ".join(str(p.parent) for p in real_model_places(model_id))
    return (f"{model_id} is not on this machine (looked in {places}); run "
            f"`creator models pull {model_id}` (or `make test-models`) and run the bench again")


def link_model(model_id: str, source: Path, paths) -> str:
    """Put a real model into a (temporary) home's models folder, as `creator models pull` lays
    it out; returns the id to ask for. By id, not by path: a path is checked (its GGUF metadata
    read) on every ask, seconds for a 262k-token vocabulary."""
    folder = paths.models_dir / model_id
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / source.name).exists():
        (folder / source.name).symlink_to(source)
    return model_id


def pick_models(spec: str | None, synthetic: tuple[str, ...]) -> list[str]:
    """The models a bench runs: `spec` (comma-separated) or, by default, the synthetic ones and
    every real one found. An unknown name or a real model that is absent exits with what to do."""
    known = (*synthetic, *REAL)
    if spec is None:
        return [*synthetic, *(m for m in REAL if real_model(m) is not None)]
    wanted = [m.strip() for m in spec.split(",") if m.strip()]
    for m in wanted:
        if m not in known:
            raise SystemExit(f"unknown model {m!r}; choose from {', '.join(known)}")
        if m in REAL and real_model(m) is None:
            raise SystemExit(missing_model(m))
    return wanted

ROUNDS = 7
N_CTX = 2048
HI = [{"role": "user", "content": "Plan a short video about morning routines."}]


def evict_from_page_cache(path: Path) -> None:
    with path.open("rb") as fh:
        os.fsync(fh.fileno())
        os.posix_fadvise(fh.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)


def switch_ms(pool, choice) -> float:
    start = time.perf_counter()
    backend = pool.backend(choice, N_CTX)
    pool.ready(backend)
    backend.count_tokens(HI)
    return (time.perf_counter() - start) * 1000


TOPICS = ("cooking", "travel", "fitness", "gardening", "coding", "painting", "music")


def first_token_ms(pool, choice, i: int) -> float:
    """A new question each time (same length), so the prompt is really evaluated."""
    from creator_assistant.runtime.protocol import GenerateRequest

    question = [{"role": "user", "content": f"Plan a short video about {TOPICS[i % 7]} {i:03d}."}]
    start = time.perf_counter()
    backend = pool.backend(choice, N_CTX)
    pool.ready(backend)
    request = GenerateRequest(messages=question, temperature=0.0, top_k=1, max_tokens=1, seed=1)
    for _ in backend.stream(request):
        break
    return (time.perf_counter() - start) * 1000


def main() -> int:
    from creator_assistant.paths import get_paths
    from creator_assistant.runtime.memory_estimate import estimate_bytes, warm_file
    from creator_assistant.runtime.pool import GB, ModelPool
    from creator_assistant.runtime.resolver import Choice

    a_path = cached_model("llama-1b-q8", ONE_B)
    b_path = cached_model("llama-1b-q8-b", ONE_B.__class__(**{**vars(ONE_B), "seed": 2}))
    a, b = Choice("model-a", a_path, 4096), Choice("model-b", b_path, 4096)
    one = estimate_bytes(a_path, N_CTX) / GB
    with tempfile.TemporaryDirectory() as home:
        os.environ["CREATOR_HOME"] = home
        paths = get_paths().ensure()

        def pool(budget_gb: float) -> ModelPool:
            return ModelPool(paths, budget_gb=budget_gb, keep_alive_s=0, reaper=False)

        cold, cached = [], []
        for _ in range(3):
            evict_from_page_cache(a_path)
            p = pool(one * 2.5)
            cold.append(switch_ms(p, a))
            p.close()
            warm_file(a_path)
            p = pool(one * 2.5)
            cached.append(switch_ms(p, a))
            p.close()

        both = pool(one * 2.5)  # room for two: alternating never reloads
        switch_ms(both, a), switch_ms(both, b)
        warm = [switch_ms(both, m) for _ in range(ROUNDS) for m in (a, b)]
        after_switch = [first_token_ms(both, m, 2 * i + j) for i in range(ROUNDS)
                        for j, m in enumerate((a, b))]
        same_model = [first_token_ms(both, a, 100 + i) for i in range(2 * ROUNDS)]
        reloads = both.stats.loads
        both.close()

        single = pool(one * 1.5)  # room for one: every switch evicts and reloads
        switch_ms(single, a)
        evicted = [switch_ms(single, m) for _ in range(ROUNDS) for m in (b, a)]
        single.close()
    print(json.dumps({
        "model": "2 x random-weight llama, 1.1B parameters (TinyLlama dims), Q8_0, 1.17 GB",
        "n_ctx": N_CTX, "rounds": ROUNDS,
        "cold_load_ms": round(statistics.median(cold), 1),
        "cold_load_page_cached_ms": round(statistics.median(cached), 1),
        "warm_switch_ms": round(statistics.median(warm), 2),
        "warm_switch_max_ms": round(max(warm), 2),
        "evicted_switch_ms": round(statistics.median(evicted), 1),
        "first_token_after_switch_ms": round(statistics.median(after_switch), 1),
        "first_token_same_model_ms": round(statistics.median(same_model), 1),
        "loads_while_alternating_resident": reloads,
    }))
    return 0
