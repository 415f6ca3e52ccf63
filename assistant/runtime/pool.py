"""The model manager: several models resident at once, each in its own worker process.

Models stay loaded within a memory budget; the least recently used goes first when a new one
needs room, and an idle one is unloaded after the keep-alive. Essential models are preloaded in
the background, the next likely model's file is read into the page cache, and every switch is
timed. All model requests pass one priority gate (`scheduler`): interactive before background.
"""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from creator_assistant.paths import Paths
from creator_assistant.runtime import failures
from creator_assistant.runtime.backend import Backend
from creator_assistant.runtime.local import LocalBackend
from creator_assistant.runtime.memory_estimate import estimate_bytes, warm_file
from creator_assistant.runtime.pool_records import Slot, Stats, Switch
from creator_assistant.runtime.protocol import ModelError
from creator_assistant.runtime.scheduler import Scheduler

if TYPE_CHECKING:  # pool.py imports this module at its end
    from creator_assistant.runtime.resolver import Choice

GB = 1024**3


def _kv_states_mb(paths: Paths) -> float:
    """Config's [models] kv_states_mb (a config that cannot be read: the default)."""
    from creator_assistant.config import ConfigError, ModelsConfig, load_config

    try:
        return load_config(paths.config_file).models.kv_states_mb
    except ConfigError:
        return ModelsConfig.model_fields["kv_states_mb"].default


class ModelPool:
    """Resident model workers within a memory budget (see the module docstring)."""

    def __init__(self, paths: Paths, capacity: int = 4, threads: int | None = None,
                 gpu_layers: int = 0, budget_gb: float | None = None,
                 keep_alive_s: float = 300.0, slots: int = 1,
                 clock: Callable[[], float] = time.monotonic, reaper: bool = True,
                 kv_states_mb: float | None = None) -> None:
        from creator_assistant.library import hardware

        self.paths, self.capacity = paths, capacity
        self.threads, self.gpu_layers = threads, gpu_layers
        self.budget = int((budget_gb or hardware.default_budget_gb(hardware.ram_gb())) * GB)
        self.keep_alive_s, self.clock, self._use_reaper = keep_alive_s, clock, reaper
        # Disk for saved KV states (warm resume); by default config's [models] kv_states_mb.
        self.kv_states_mb = _kv_states_mb(paths) if kv_states_mb is None else kv_states_mb
        self.scheduler = Scheduler(slots)
        self.stats = Stats()
        self.warmed: dict[str, int] = {}
        self._slots: collections.OrderedDict[tuple[str, int, str, float], Slot] = \
            collections.OrderedDict()
        self._evicted: set[str] = set()
        self._after: dict[str, collections.Counter[str]] = {}  # model -> models that came next
        self._previous: str | None = None
        self._remotes: dict[str, Backend] = {}
        self.remote_factory: Callable[[str], Backend] | None = None  # set by the Session
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._reaper: threading.Thread | None = None

    # -- getting a model ----------------------------------------------------------------------

    def backend(self, choice: Choice, n_ctx: int) -> Backend:
        """The worker for this model (started, loading lazily), making room if needed; for a
        choice answered by a remote server, that server's backend."""
        if choice.backend != "local":
            factory, name = self.remote_factory, choice.backend
            if factory is None:
                raise ModelError(f"{choice.id} is answered by a remote server, and none is set up")
            return self.remote(name, lambda: factory(name))
        now = self.clock()
        with self._lock:
            slot = self._find(choice, n_ctx)
            if slot is None:
                slot = self._admit(choice, n_ctx, now)
            else:
                self._slots.move_to_end(slot.key)
            slot.last_used = now
            self._start_reaper()
            return slot.backend

    def _find(self, choice: Choice, n_ctx: int) -> Slot | None:
        # The same file with another adapter (or none) is another model: switching is a load.
        fits = [s for s in self._slots.values() if s.path == Path(choice.path)
                and s.n_ctx >= n_ctx and s.lora == choice.lora
                and s.lora_scale == choice.lora_scale]
        return min(fits, key=lambda s: s.n_ctx) if fits else None

    def _admit(self, choice: Choice, n_ctx: int, now: float) -> Slot:
        need = estimate_bytes(Path(choice.path), n_ctx)
        if choice.lora is not None:  # the adapter's tensors are held too (it is not mapped)
            need += choice.lora.stat().st_size if choice.lora.is_file() else 0
        for victim in self._victims(need):
            self._drop(victim)
            self.stats.evictions += 1
        lora = f"-{choice.lora.stem[:20]}" if choice.lora is not None else ""
        log = self.paths.cache_dir / f"worker-{Path(choice.path).stem[:40]}{lora}-{n_ctx}.log"
        self.paths.cache_dir.mkdir(parents=True, exist_ok=True)
        backend = LocalBackend(Path(choice.path), n_ctx=n_ctx, n_threads=self.threads,
                               n_gpu_layers=self.gpu_layers, log_path=log, lora=choice.lora,
                               lora_scale=choice.lora_scale, lora_key=choice.lora_key,
                               kv_dir=self.paths.kv_states_dir, kv_states_mb=self.kv_states_mb)
        backend.start()
        kind = "reload" if str(choice.path) in self._evicted else "cold"
        slot = Slot(choice.id, Path(choice.path), n_ctx, backend, need, now, kind=kind,
                    lora=choice.lora, lora_scale=choice.lora_scale)
        self._slots[slot.key] = slot
        self.stats.loads += 1
        return slot

    def _victims(self, need: int) -> list[Slot]:
        """Least recently used first, until `need` fits the budget (busy workers are kept)."""
        used = sum(s.bytes for s in self._slots.values())
        count = len(self._slots)
        out = []
        for slot in list(self._slots.values()):
            if used + need <= self.budget and count < self.capacity:
                break
            if slot.backend.busy:
                continue
            out.append(slot)
            used -= slot.bytes
            count -= 1
        return out

    def ready(self, backend: Backend) -> Switch:
        """Wait until `backend` can answer (loading it if needed); record what that cost."""
        start = time.perf_counter()
        if not isinstance(backend, LocalBackend):  # a server: nothing of ours to load
            backend.load()
            switch = Switch(backend.model_id, "remote", (time.perf_counter() - start) * 1000)
            self.stats.switches.append(switch)
            return switch
        with self._lock:
            slot = next((s for s in self._slots.values() if s.backend is backend), None)
        loaded = backend.info is not None and backend.pid is not None
        try:
            info = backend.load()
        except ModelError as exc:  # remembered: never chosen by itself again until it loads
            # With an adapter the fault may be the adapter's: the model file is not blamed.
            if failures.held_against(exc) and backend.lora is None:
                failures.record(self.paths.models_dir, backend.path, str(exc))
            raise
        if not loaded:
            failures.clear(self.paths.models_dir, backend.path)
        ms = (time.perf_counter() - start) * 1000
        kind = "warm" if loaded else (slot.kind if slot is not None else "cold")
        switch = Switch(slot.model if slot else backend.path.name, kind, ms,
                        0.0 if loaded else info.load_ms)
        with self._lock:
            if slot is not None:
                slot.kind = "reload"  # from now on, loading it again means its worker was lost
                slot.last_used = self.clock()
                self._learn(str(slot.path))
            self.stats.switches.append(switch)
        return switch

    # -- what is resident ---------------------------------------------------------------------

    def resident(self) -> list[LocalBackend]:
        with self._lock:
            return [s.backend for s in self._slots.values()]

    def is_resident(self, path: Path) -> bool:
        with self._lock:
            return any(s.path == Path(path) for s in self._slots.values())

    def status(self) -> dict[str, Any]:
        """Resident models, memory use, queue and recent switches, for status displays."""
        now = self.clock()
        with self._lock:
            models = [{
                "model": s.model, "path": str(s.path), "n_ctx": s.n_ctx, "bytes": s.bytes,
                "idle_s": round(now - s.last_used, 1), "pinned": s.pinned,
                "busy": s.backend.busy, "pid": s.backend.pid,
                "load_ms": s.backend.info.load_ms if s.backend.info else None,
                "lora": str(s.lora) if s.lora else None, "lora_scale": s.lora_scale,
            } for s in self._slots.values()]
        return {
            "budget_bytes": self.budget, "used_bytes": sum(m["bytes"] for m in models),
            "keep_alive_s": self.keep_alive_s, "models": models,
            "queued": self.scheduler.gate.waiting(),
            "switches": [vars(s) for s in self.stats.switches],
        }

    def unload(self, path: Path) -> int:
        """Close every worker holding this file; returns how many."""
        with self._lock:
            slots = [s for s in self._slots.values() if s.path == Path(path)]
            for slot in slots:
                self._drop(slot)
        return len(slots)

    def _drop(self, slot: Slot) -> None:
        self._slots.pop(slot.key, None)
        self._evicted.add(str(slot.path))
        slot.backend.close()

    # -- keep-alive ---------------------------------------------------------------------------

    def reap(self, now: float | None = None) -> list[str]:
        """Unload models idle longer than the keep-alive (pinned and busy ones stay)."""
        if not self.keep_alive_s:
            return []
        now = self.clock() if now is None else now
        with self._lock:
            idle = [s for s in self._slots.values() if not s.pinned and not s.backend.busy
                    and now - s.last_used >= self.keep_alive_s]
            for slot in idle:
                self._drop(slot)
                self.stats.expired += 1
        return [s.model for s in idle]

    def _start_reaper(self) -> None:
        if self._reaper is not None or not self.keep_alive_s or not self._use_reaper:
            return

        def loop() -> None:
            while not self._stop.wait(max(1.0, self.keep_alive_s / 4)):
                self.reap()

        self._reaper = threading.Thread(target=loop, name="creator-keepalive", daemon=True)
        self._reaper.start()

    # -- preload and page-cache warming -------------------------------------------------------

    def preload(self, wanted: list[tuple[Choice, int]]) -> threading.Thread:
        """In the background: load essential models that fit the budget, warm the rest's files."""

        def run() -> None:
            for choice, n_ctx in wanted:
                if self._stop.is_set():
                    return
                with self._lock:
                    used = sum(s.bytes for s in self._slots.values())
                    fits = used + estimate_bytes(Path(choice.path), n_ctx) <= self.budget
                if not fits:
                    self.warm(Path(choice.path)).join()
                    continue
                backend = self.backend(choice, n_ctx)
                try:
                    self.ready(backend)
                except Exception:  # a broken model must not stop the others; its turn reports it
                    continue
                with self._lock:
                    for slot in self._slots.values():
                        if slot.backend is backend:
                            slot.pinned = True

        thread = threading.Thread(target=run, name="creator-preload", daemon=True)
        thread.start()
        return thread

    def warm(self, path: Path) -> threading.Thread:
        """Read a model file into the page cache in the background, so its load is fast."""

        def run() -> None:
            self.warmed[str(path)] = warm_file(Path(path), self._stop)

        thread = threading.Thread(target=run, name="creator-warm", daemon=True)
        thread.start()
        return thread

    def _learn(self, current: str) -> None:
        """Count which model follows which; warm the likeliest next one if it is not resident."""
        if self._previous is not None and self._previous != current:
            self._after.setdefault(self._previous, collections.Counter())[current] += 1
        self._previous = current
        following = self._after.get(current)
        if following:
            nxt = following.most_common(1)[0][0]
            if not self.is_resident(Path(nxt)) and nxt not in self.warmed:
                self.warm(Path(nxt))

    def likely_next(self) -> str | None:
        following = self._after.get(self._previous or "")
        return following.most_common(1)[0][0] if following else None

    # -- remote backends ----------------------------------------------------------------------

    def remote(self, name: str, factory: Callable[[], Backend]) -> Backend:
        """The remote backend called `name`, created once."""
        with self._lock:
            if name not in self._remotes:
                self._remotes[name] = factory()
            return self._remotes[name]

    def close(self) -> None:
        self._stop.set()
        self.scheduler.close()
        with self._lock:
            slots = list(self._slots.values())
            self._slots.clear()
            remotes = list(self._remotes.values())
            self._remotes.clear()
        for slot in slots:
            slot.backend.close()
        for remote in remotes:
            remote.close()
