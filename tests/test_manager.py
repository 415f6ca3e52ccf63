"""The model manager: resident models within a budget, LRU, keep-alive, preload, warming."""

from __future__ import annotations

import threading

import pytest

from creator_assistant.runtime.memory_estimate import estimate_bytes
from creator_assistant.runtime.pool import GB, ModelPool
from creator_assistant.runtime.protocol import GenerateRequest
from creator_assistant.runtime.resolver import Choice

N_CTX = 1024
HI = [{"role": "user", "content": "hi"}]


@pytest.fixture(scope="module")
def models(tmp_path_factory, demo_model):
    """Three distinct small models (different seeds: different files, same shape)."""
    from creator_assistant.runtime.demo import DemoShape, build_demo_model

    folder = tmp_path_factory.mktemp("models")
    b = build_demo_model(folder / "b.gguf", DemoShape(seed=2))
    c = build_demo_model(folder / "c.gguf", DemoShape(seed=3))
    return [Choice(name, path, 8192) for name, path in (("a", demo_model), ("b", b), ("c", c))]


def budget_for(n: int, choice: Choice) -> float:
    """A budget that holds `n` of these models and not one more."""
    return (estimate_bytes(choice.path, N_CTX) * (n + 0.5)) / GB


@pytest.fixture
def make_pool(paths):
    pools = []

    def make(n_fit: int, models, **kw) -> ModelPool:
        pool = ModelPool(paths, budget_gb=budget_for(n_fit, models[0]), reaper=False, **kw)
        pools.append(pool)
        return pool

    yield make
    for pool in pools:
        pool.close()


def use(pool: ModelPool, choice: Choice):
    backend = pool.backend(choice, N_CTX)
    switch = pool.ready(backend)
    assert backend.count_tokens(HI) > 0  # the worker answers
    return backend, switch


def test_two_models_that_fit_alternate_without_reloading(make_pool, models):
    pool = make_pool(2, models)
    a, b = models[:2]
    first_a, s1 = use(pool, a)
    first_b, s2 = use(pool, b)
    assert (s1.kind, s2.kind) == ("cold", "cold") and s1.load_ms > 0
    pids = {first_a.pid, first_b.pid}
    kinds = []
    for _ in range(3):
        for choice in (a, b):
            backend, switch = use(pool, choice)
            kinds.append(switch.kind)
            assert backend.pid in pids
    assert kinds == ["warm"] * 6
    assert pool.stats.loads == 2 and pool.stats.evictions == 0
    assert {m["model"] for m in pool.status()["models"]} == {"a", "b"}


def test_a_budget_for_one_evicts_the_least_recently_used(make_pool, models):
    pool = make_pool(1, models)
    a, b = models[:2]
    backend_a, _ = use(pool, a)
    pid_a = backend_a.pid
    _, switch = use(pool, b)
    assert switch.kind == "cold" and not pool.is_resident(a.path)
    assert backend_a.pid is None and pool.stats.evictions == 1
    _, again = use(pool, a)
    assert again.kind == "reload" and pool.resident()[0].pid != pid_a


def test_lru_keeps_the_model_used_most_recently(make_pool, models):
    pool = make_pool(2, models)
    a, b, c = models
    use(pool, a)
    use(pool, b)
    use(pool, a)  # a is now the most recently used
    use(pool, c)
    assert pool.is_resident(a.path) and pool.is_resident(c.path)
    assert not pool.is_resident(b.path)


def test_a_busy_model_is_not_evicted_mid_reply(make_pool, models):
    pool = make_pool(1, models)
    a, b = models[:2]
    backend_a, _ = use(pool, a)
    started, proceed = threading.Event(), threading.Event()
    request = GenerateRequest(messages=HI, max_tokens=100000, temperature=0.0, seed=1)

    def reply():  # a reader paused mid-reply: the stream (and its worker) is still in use
        for _ in backend_a.stream(request):
            if not started.is_set():
                started.set()
                proceed.wait(60)

    thread = threading.Thread(target=reply)
    thread.start()
    assert started.wait(30)
    assert backend_a.busy
    use(pool, b)  # over budget, but a is answering: it stays
    assert pool.is_resident(a.path) and pool.is_resident(b.path)
    backend_a.cancel()
    proceed.set()
    thread.join(30)
    assert not thread.is_alive() and backend_a.last_usage.finish_reason == "cancelled"


def test_keep_alive_unloads_idle_models(paths, models):
    now = [1000.0]
    pool = ModelPool(paths, budget_gb=1, keep_alive_s=60, clock=lambda: now[0], reaper=False)
    try:
        backend, _ = use(pool, models[0])
        now[0] += 59
        assert pool.reap() == [] and pool.is_resident(models[0].path)
        now[0] += 2
        assert pool.reap() == ["a"] and pool.resident() == []
        assert backend.pid is None and pool.stats.expired == 1
    finally:
        pool.close()


def test_preload_loads_essentials_in_the_background_and_pins_them(paths, models):
    pool = ModelPool(paths, budget_gb=1, keep_alive_s=60, reaper=False)
    try:
        thread = pool.preload([(models[0], N_CTX), (models[1], N_CTX)])
        thread.join(120)
        assert not thread.is_alive()
        assert all(b.info is not None for b in pool.resident()) and len(pool.resident()) == 2
        assert pool.reap(now=pool.clock() + 10_000) == []  # essential: exempt from keep-alive
    finally:
        pool.close()


def test_preload_warms_what_does_not_fit(make_pool, models):
    pool = make_pool(1, models)
    pool.preload([(models[0], N_CTX), (models[1], N_CTX)]).join(120)
    assert pool.is_resident(models[0].path) and not pool.is_resident(models[1].path)
    assert pool.warmed[str(models[1].path)] == models[1].path.stat().st_size


def test_the_likely_next_model_is_warmed(make_pool, models):
    pool = make_pool(1, models)
    a, b = models[:2]
    for choice in (a, b, a):
        use(pool, choice)
    assert pool.likely_next() == str(b.path)  # after a came b last time
    warming = [t for t in threading.enumerate() if t.name == "creator-warm"]
    for t in warming:
        t.join(30)
    assert pool.warmed.get(str(b.path)) == b.path.stat().st_size


def test_unload_closes_every_worker_of_a_file(make_pool, models):
    pool = make_pool(3, models)
    backend, _ = use(pool, models[0])
    assert pool.unload(models[0].path) == 1 and backend.pid is None
    assert not pool.is_resident(models[0].path)


def test_session_preload_loads_the_configured_essentials(paths, models):
    from creator_assistant.runtime.demo import demo_model_path
    from creator_assistant.session import Session

    paths.config_file.write_text(
        f'[models]\npreload = ["demo", "{models[1].path}", "gemma-3-27b"]\nkeep_alive_s = 5\n')
    session = Session.open(paths)
    try:
        session.preload().join(120)
        status = session.pool.status()
        loaded = {m["path"]: m for m in status["models"]}
        demo = demo_model_path(session.paths.models_dir)
        assert set(loaded) == {str(demo), str(models[1].path)}  # gemma-3-27b: not downloaded
        assert all(m["pinned"] and m["load_ms"] for m in loaded.values())
    finally:
        session.close()
