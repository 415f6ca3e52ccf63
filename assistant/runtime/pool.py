"""Which model answers, and the resident model workers."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from creator_assistant.catalogue import DEMO, Entry, catalogue, entry_path, installed
from creator_assistant.paths import Paths
from creator_assistant.runtime.demo import DEMO_ID, DEMO_NOTE, ensure_demo_model
from creator_assistant.runtime.local import LocalBackend


class ModelNotInstalled(LookupError):
    pass


@dataclass(frozen=True)
class Choice:
    """The model that answers, and a note when it is not the one the task asked for."""

    id: str
    path: Path
    context: int
    note: str = ""

    @property
    def is_demo(self) -> bool:
        return self.id == DEMO_ID


def resolve(ref: str, paths: Paths) -> Choice:
    """A model by catalogue id, `demo`, or a GGUF path; raise ModelNotInstalled if absent."""
    if ref == DEMO_ID:
        return Choice(DEMO_ID, ensure_demo_model(paths.models_dir), DEMO.context, DEMO_NOTE)
    entry = catalogue().get(ref)
    if entry is not None:
        path = entry_path(entry, paths.models_dir)
        if not path.is_file():
            raise ModelNotInstalled(
                f"model {ref!r} is not downloaded; run `creator models pull {ref}`"
            )
        return Choice(entry.id, path, entry.context)
    candidate = Path(ref).expanduser()
    if candidate.suffix == ".gguf" or "/" in ref:
        if not candidate.is_file():
            raise ModelNotInstalled(f"no model file at {candidate}")
        from creator_assistant.runtime.gguf_check import check_gguf

        summary = check_gguf(candidate)
        return Choice(str(candidate), candidate.resolve(), summary.context_length or 4096)
    raise ModelNotInstalled(
        f"unknown model {ref!r}; `creator models list` shows the ids, or give a .gguf path"
    )


def choose(wanted: str, paths: Paths) -> Choice:
    """The task's model when installed, else the best installed one, else the demo, saying so."""
    try:
        return resolve(wanted, paths)
    except ModelNotInstalled:
        pass
    best: list[Entry] = [e for e in installed(paths.models_dir)
                         if e.category == "text-generation"]
    if best:
        choice = resolve(best[0].id, paths)
        return Choice(choice.id, choice.path, choice.context,
                      f"{wanted} is not installed; using {choice.id}")
    demo = resolve(DEMO_ID, paths)
    return Choice(demo.id, demo.path, demo.context, f"{wanted} is not installed; {DEMO_NOTE}")


class ModelPool:
    """Resident model workers keyed by (model, context); least recently used goes first."""

    def __init__(self, paths: Paths, capacity: int = 2, threads: int | None = None,
                 gpu_layers: int = 0) -> None:
        self.paths = paths
        self.capacity = capacity
        self.threads = threads
        self.gpu_layers = gpu_layers
        self._workers: OrderedDict[tuple[str, int], LocalBackend] = OrderedDict()
        self._lock = threading.Lock()

    def backend(self, choice: Choice, n_ctx: int) -> LocalBackend:
        key = (str(choice.path), n_ctx)
        with self._lock:
            backend = self._workers.get(key)
            if backend is not None:
                self._workers.move_to_end(key)
                return backend
            while len(self._workers) >= self.capacity:
                _, old = self._workers.popitem(last=False)
                old.close()
            log = self.paths.cache_dir / f"worker-{choice.path.stem[:40]}.log"
            self.paths.cache_dir.mkdir(parents=True, exist_ok=True)
            backend = LocalBackend(choice.path, n_ctx=n_ctx, n_threads=self.threads,
                                   n_gpu_layers=self.gpu_layers, log_path=log)
            backend.start()
            self._workers[key] = backend
            return backend

    def resident(self) -> list[LocalBackend]:
        return list(self._workers.values())

    def close(self) -> None:
        with self._lock:
            workers = list(self._workers.values())
            self._workers.clear()
        for backend in workers:
            backend.close()
