"""The local backend: llama.cpp in a worker process, driven over a pipe."""

from __future__ import annotations

import multiprocessing as mp
import signal
import threading
from collections.abc import Iterator
from dataclasses import asdict
from multiprocessing.connection import wait
from pathlib import Path
from typing import Any

from creator_assistant.runtime.protocol import (
    ContextOverflow,
    GenerateRequest,
    LoadInfo,
    ModelError,
    Usage,
    WorkerCrashed,
)


def _spawn_target(conn: Any, cancel: Any, log_path: str | None) -> None:
    import os

    if log_path:
        # llama.cpp writes asserts and logs to fd 2; keep them out of the user's terminal.
        fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(fd, 2)
    from creator_assistant.runtime.worker import main

    main(conn, cancel)


class LocalBackend:
    """One model in one worker process. Thread-safe: requests are served one at a time."""

    kind = "local"

    def __init__(self, path: Path, n_ctx: int = 8192, n_threads: int | None = None,
                 n_gpu_layers: int = 0, log_path: Path | None = None,
                 swa_full: bool | None = None) -> None:
        self.path = Path(path)
        self.n_ctx = n_ctx
        self.n_threads = n_threads
        self.n_gpu_layers = n_gpu_layers
        self.swa_full = swa_full
        self.log_path = log_path
        self.info: LoadInfo | None = None
        self.last_usage: Usage | None = None
        self.restarts = 0
        self._ctx = mp.get_context("spawn")
        self._cancel = self._ctx.Event()
        self._proc: Any = None
        self._conn: Any = None
        self._lock = threading.RLock()

    # -- worker lifecycle -------------------------------------------------------------------

    def start(self) -> None:
        """Start the worker process without waiting for it (cheap to call again)."""
        with self._lock:
            if self._proc is not None and self._proc.is_alive():
                return
            parent, child = self._ctx.Pipe()
            log = str(self.log_path) if self.log_path else None
            proc = self._ctx.Process(target=_spawn_target, args=(child, self._cancel, log),
                                     daemon=True, name=f"creator-worker:{self.path.name}")
            proc.start()
            child.close()
            self._proc, self._conn = proc, parent
            self.info = None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def load(self) -> LoadInfo:
        """Load the model in the worker (starting it if needed); idempotent."""
        with self._lock:
            if self.info is not None and self._proc is not None and self._proc.is_alive():
                return self.info
            self.start()
            self._conn.send(("load", str(self.path), self.n_ctx, self.n_threads,
                             self.n_gpu_layers, self.swa_full))
            try:
                reply = self._recv(during="loading")
            except WorkerCrashed as exc:
                raise WorkerCrashed(
                    f"llama.cpp aborted while loading {self.path.name}: the file is corrupt or not "
                    f"a model this build can run ({exc.args[0]}). Remove it or download it again."
                ) from None
            if reply[0] == "error":
                raise ModelError(f"could not load {self.path.name}: {reply[2]}")
            self.info = LoadInfo(**reply[1])
            return self.info

    def close(self) -> None:
        with self._lock:
            proc, conn = self._proc, self._conn
            self._proc = self._conn = None
            self.info = None
        if proc is None:
            return
        try:
            conn.send(("close",))
            proc.join(timeout=5)
        except (OSError, EOFError, BrokenPipeError):
            pass
        if proc.is_alive():
            proc.kill()
            proc.join(timeout=5)
        conn.close()

    def cancel(self) -> None:
        """Ask the running generation to stop; it stops within a token or two."""
        self._cancel.set()

    # -- requests ---------------------------------------------------------------------------

    def count_tokens(self, messages: list[dict[str, str]]) -> int:
        """Exact prompt tokens for these messages: the model's chat template and tokenizer."""
        with self._lock:
            self.load()
            self._conn.send(("count", messages))
            reply = self._recv(during="counting tokens")
            if reply[0] == "error":
                raise ModelError(reply[2])
            return int(reply[1])

    def tokenize(self, text: str) -> list[int]:
        with self._lock:
            self.load()
            self._conn.send(("tokenize", text))
            reply = self._recv(during="tokenizing")
            if reply[0] == "error":
                raise ModelError(reply[2])
            return list(reply[1])

    def stream(self, request: GenerateRequest) -> Iterator[str]:
        """Yield the reply's text as it is generated; `last_usage` holds usage once it ends."""
        with self._lock:
            self.load()
            self._cancel.clear()
            self.last_usage = None
            self._conn.send(("generate", asdict(request)))
            finished = False
            try:
                while True:
                    reply = self._recv(during="generating")
                    kind = reply[0]
                    if kind == "token":
                        # After cancel nothing more reaches the caller, even tokens in flight.
                        if not self._cancel.is_set():
                            yield reply[1]
                    elif kind == "done":
                        finished = True
                        self.last_usage = Usage(**reply[1])
                        return
                    else:
                        finished = True
                        if reply[1] == "overflow":
                            raise ContextOverflow(reply[2])
                        raise ModelError(reply[2])
            finally:
                if not finished and self._conn is not None:
                    # The caller stopped reading: cancel and drain so the pipe stays in step.
                    self._cancel.set()
                    try:
                        while self._recv(during="cancelling")[0] == "token":
                            pass
                    except ModelError:
                        pass

    # -- plumbing ---------------------------------------------------------------------------

    def _recv(self, during: str) -> tuple[Any, ...]:
        conn, proc = self._conn, self._proc
        ready = wait([conn, proc.sentinel])
        if conn in ready:
            try:
                return conn.recv()
            except (EOFError, OSError):
                pass
        proc.join(timeout=5)
        code = proc.exitcode
        self._proc = self._conn = None
        self.info = None
        self.restarts += 1
        raise WorkerCrashed(f"the inference worker died while {during} ({_describe_exit(code)})"
                            + _last_log_line(self.log_path))


def _describe_exit(code: int | None) -> str:
    if code is None:
        return "no exit code"
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


def _last_log_line(log_path: Path | None) -> str:
    if log_path is None or not log_path.exists():
        return ""
    lines = [ln for ln in log_path.read_text(errors="replace").splitlines() if ln.strip()]
    return f"; last engine message: {lines[-1].strip()[:200]}" if lines else ""
