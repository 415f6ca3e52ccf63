"""The local backend: llama.cpp in a worker process, driven over a pipe."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Generator
from dataclasses import asdict
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from creator_assistant.runtime import templates
from creator_assistant.runtime.crash import describe_exit, last_log_line, load_problem
from creator_assistant.runtime.lora import lora_problem
from creator_assistant.runtime.protocol import (
    ContextOverflow,
    GenerateRequest,
    LoadInfo,
    ModelError,
    Usage,
    WorkerCrashed,
    held_elsewhere,
)
from creator_assistant.runtime.scheduler import Cancelled
from creator_assistant.runtime.templates import TemplateError

# How long past the worker's own render limit the parent waits before it kills the worker: the
# worker stops a render itself at the limit; this is for a render stuck where no check reaches.
RENDER_GRACE_S = 5.0
RESIGNAL_S = 0.1  # a cancel's signal, sent again while the worker has not answered
ABANDON_WAIT_S = 2.0  # after Ctrl+C, how long a prompt count may take to stop
# How long closing waits for the worker, which first saves its conversation's KV state to disk.
CLOSE_WAIT_S = 30.0


class LocalBackend:
    """One model in one worker process. Thread-safe: requests are served one at a time."""

    kind = "local"
    worker_module = "creator_assistant.runtime.worker"  # the process's code (see embedding.py)

    def __init__(self, path: Path, n_ctx: int = 8192, n_threads: int | None = None,
                 n_gpu_layers: int = 0, log_path: Path | None = None,
                 swa_full: bool | None = None, kv_reuse: str = "safe",
                 lora: Path | None = None, lora_scale: float = 1.0, lora_key: str = "",
                 kv_dir: Path | None = None, kv_states_mb: float = 0.0) -> None:
        self.path, self.n_ctx, self.n_threads = Path(path), n_ctx, n_threads
        # Warm resume: the folder of saved KV states and its budget (0: none saved or used).
        self.kv_dir, self.kv_budget = kv_dir, int(kv_states_mb * 1024 * 1024)
        # A LoRA adapter applied on loading (llama-cpp-python then reads the model, not maps it);
        # `lora_key` names the config key that chose it, for the messages.
        self.lora, self.lora_scale = (Path(lora) if lora else None), lora_scale
        self.lora_key = lora_key or "lora"
        self.n_gpu_layers, self.swa_full = n_gpu_layers, swa_full
        self.kv_reuse = kv_reuse  # see worker.KV_REUSE; "never" is the benchmarks' baseline
        self.log_path = log_path
        self.render_time_s, self.render_max_chars = templates.RENDER_TIME_S, templates.RENDER_MAX_CHARS
        self.info: LoadInfo | None = None
        self.last_usage: Usage | None = None
        self.restarts = 0
        self._cancel = threading.Event()
        self._signalled = False
        self._proc: subprocess.Popen[bytes] | None = None
        self._conn: Any = None
        self._lock = threading.RLock()

    # -- worker lifecycle -------------------------------------------------------------------

    def start(self) -> None:
        """Start the worker process without waiting for it (cheap to call again)."""
        with self._lock:
            if self._alive():
                return
            ours, theirs = socket.socketpair()
            # llama.cpp writes asserts and logs to fd 2: into a log file, not the user's terminal.
            log = open(self.log_path, "wb") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
            try:
                # A new session: Ctrl-C in the terminal reaches the app (which cancels), not this.
                self._proc = subprocess.Popen(
                    [sys.executable, "-m", self.worker_module, str(theirs.fileno())],
                    pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL, stderr=log, start_new_session=True,
                )
            finally:
                theirs.close()
                if not isinstance(log, int):  # a file we opened, not DEVNULL
                    log.close()
            self._conn = Connection(ours.detach())
            self.info = None

    def _alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def busy(self) -> bool:
        """True while another thread is using the worker (the model manager won't evict it)."""
        return held_elsewhere(self._lock)

    @property
    def model_id(self) -> str:
        return self.path.name

    @property
    def sizes_key(self) -> str:
        """File name and size: the same model file anywhere shares its cached token sizes."""
        return f"{self.path.name}:{self.path.stat().st_size}" if self.path.is_file() else ""

    def load(self) -> LoadInfo:
        """Load the model in the worker (starting it if needed); idempotent."""
        with self._lock:
            if self.info is not None and self._alive():
                return self.info
            reply = self._start_loading(
                ("load", str(self.path), self.n_ctx, self.n_threads, self.n_gpu_layers,
                 self.swa_full, self.kv_reuse, self.render_time_s, self.render_max_chars,
                 str(self.lora) if self.lora else None, self.lora_scale,
                 str(self.kv_dir) if self.kv_dir else None, self.kv_budget),
                f"{self.path.name}, a corrupt file or not a model this build can run")
            if reply[0] == "error" and reply[1] == "lora":
                raise ModelError(lora_problem(self.lora_key, self.lora, self.path, reply[2]))
            if reply[0] == "error":
                raise (TemplateError(reply[2]) if reply[1] == "template" else
                       ModelError(f"could not load {self.path.name}: "
                                  f"{load_problem(self.path, reply[2])}"))
            self.info = LoadInfo(**reply[1])
            return self.info

    def _start_loading(self, request: tuple[Any, ...], what: str) -> tuple[Any, ...]:
        """Start the worker if needed, send the load `request` and return its reply; llama.cpp
        aborting on the file is a WorkerCrashed saying what the checker finds in it (`what`:
        the file, as the message names it)."""
        self.start()
        self._conn.send(request)
        try:
            return self._recv(during="loading")
        except KeyboardInterrupt:  # the load's answer would come later, out of step: start over
            self._kill()
            raise
        except WorkerCrashed as exc:
            if self.lora is not None:  # the adapter's file, or the model's
                said = load_problem(self.lora, exc.args[0])
                crash = WorkerCrashed(lora_problem(self.lora_key, self.lora, self.path,
                                                   f"llama.cpp aborted ({said})"))
                crash.exit_code = exc.exit_code
                raise crash from None
            found = load_problem(self.path, f"{exc.args[0]}. Remove it or download it again.")
            crash = WorkerCrashed(f"llama.cpp aborted while loading {what}: {found}")
            crash.exit_code = exc.exit_code
            raise crash from None

    def close(self) -> None:
        with self._lock:
            proc, conn = self._proc, self._conn
            self._proc = self._conn = None
            self.info = None
        if proc is None:
            return
        try:
            conn.send(("close",))
            proc.wait(timeout=CLOSE_WAIT_S)
        except (OSError, EOFError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait(timeout=5)
        conn.close()

    def cancel(self) -> None:
        """Ask the running generation to stop; it stops within a token or two."""
        self._cancel.set()
        self._signal()

    def _signal(self) -> None:
        proc = self._proc
        if proc is not None and proc.poll() is None:
            try:
                os.kill(proc.pid, signal.SIGUSR1)
            except ProcessLookupError:
                pass

    # -- requests ---------------------------------------------------------------------------

    def count_tokens(self, messages: list[dict[str, str]]) -> int:
        """Exact prompt tokens for these messages: the model's chat template and tokenizer."""
        return int(self._ask(("count", messages), "counting tokens")[1])

    def format_prompt(self, messages: list[dict[str, str]]) -> tuple[str, str]:
        """The prompt text these messages make with the model's chat template, and where that
        template came from ("file", "gemma3 family", "chatml fallback")."""
        reply = self._ask(("format", messages), "formatting a prompt")
        return str(reply[1]), str(reply[2])

    def token_sizes(self, texts: list[str]) -> list[int]:
        """Token counts of raw texts (no chat template), all in one round trip."""
        return list(self._ask(("sizes", list(texts)), "counting tokens")[1])

    def _ask(self, request: tuple[Any, ...], during: str) -> tuple[Any, ...]:
        """A request that renders the chat template: time-limited, stopped at once by Ctrl+C."""
        with self._lock:
            self.load()
            self._cancel.clear()  # from here on, cancel() is for this request
            sent = False
            try:
                self._conn.send(request)
                sent = True
                reply = self._await(during, self._render_wait)
            except KeyboardInterrupt:
                # Ctrl+C may land a moment after the request went, before this waits for it:
                # its answer is still to come. Before it went whole: the pipe is out of step.
                self._abandon() if sent else self._kill()
                raise
            return self._checked(reply)

    @property
    def _render_wait(self) -> float:
        return self.render_time_s + RENDER_GRACE_S

    def _checked(self, reply: tuple[Any, ...]) -> tuple[Any, ...]:
        if reply[0] != "error":
            return reply
        if reply[1] == "cancelled":
            raise Cancelled("stopped while the prompt was being built")
        if reply[1] == "overflow":
            raise ContextOverflow(reply[2])
        raise TemplateError(reply[2]) if reply[1] == "template" else ModelError(reply[2])

    def _abandon(self) -> None:
        """After Ctrl+C: stop the worker's request and read its answer (the pipe stays in step)."""
        self._signal()
        try:
            self._await("cancelling", ABANDON_WAIT_S, again=True)
        except KeyboardInterrupt:
            self._kill()
        except ModelError:
            pass

    def stream(self, request: GenerateRequest) -> Generator[str, None, None]:
        """Yield the reply's text as it is generated; `last_usage` holds usage once it ends."""
        with self._lock:
            self.load()
            self._cancel.clear()
            self._signalled = False
            self.last_usage = None
            finished = rendered = sent = False
            try:
                self._conn.send(("generate", asdict(request)))
                sent = True
                while True:
                    # Tokens flowing: read them as they come (a cancel that the worker missed
                    # is said again at the next token, below); until then, wait as _await does.
                    reply = (self._recv("generating") if rendered else
                             self._await("generating", self._render_wait))
                    kind = reply[0]
                    if kind == "rendered":
                        rendered = True
                    elif kind == "token":
                        # After cancel nothing more reaches the caller, even tokens in flight.
                        if not self._cancel.is_set():
                            yield reply[1]
                        elif not self._signalled:
                            # A cancel that reached the worker before it began this request was
                            # cleared there; say it again now that generation has started.
                            self._signalled = True
                            self._signal()
                    elif kind == "done":
                        finished = True
                        self.last_usage = Usage(**reply[1])
                        return
                    else:
                        finished = True
                        self._checked(reply)
            finally:
                if not sent and self._conn is not None:  # cut off while it was being sent
                    self._kill()
                elif not finished and self._conn is not None:
                    # The caller stopped reading: cancel and drain so the pipe stays in step,
                    # keeping the usage of what was generated until then.
                    self.cancel()
                    try:
                        while (reply := self._await(
                                "cancelling", None if rendered else self._render_wait,
                                again=True))[0] in (
                                    "token", "rendered"):
                            rendered = rendered or reply[0] == "rendered"
                        if reply[0] == "done":
                            self.last_usage = Usage(**reply[1])
                    except ModelError:
                        pass

    # -- plumbing ---------------------------------------------------------------------------

    def _await(self, during: str, limit: float | None, again: bool = False) -> tuple[Any, ...]:
        """The worker's next message, as _recv, sending a cancel's signal again each RESIGNAL_S
        the worker is silent (when `again`, or while this request is cancelled): a signal that
        lands just before the worker takes up the request, or before its render begins, sets
        a flag that request never reads."""
        conn, waited = self._conn, 0.0
        if conn is not None:
            try:
                while not conn.poll(RESIGNAL_S):
                    waited += RESIGNAL_S
                    if limit is not None and waited >= limit:
                        return self._recv(during, limit=0)  # killed, as _recv does
                    if again or self._cancel.is_set():
                        self._signal()
            except (EOFError, OSError):
                pass  # the worker died: _recv says how
        return self._recv(during)

    def _recv(self, during: str, limit: float | None = None) -> tuple[Any, ...]:
        """The worker's next message; with `limit`, a worker silent that long (a chat template
        stuck where the worker's own limit cannot reach) is killed and restarted later."""
        conn, proc = self._conn, self._proc
        if conn is None or proc is None:  # closed meanwhile (another thread called close)
            raise WorkerCrashed(f"the inference worker was closed while {during}")
        try:
            if limit is not None and not conn.poll(limit):
                self._kill()
                raise TemplateError(templates.too_slow(self.path.name, self.render_time_s), "time")
            return conn.recv()
        except (EOFError, OSError):
            pass  # the worker's end of the socket closed: it died
        try:
            code = proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = proc.wait()
        conn.close()
        self._proc = self._conn = None
        self.info = None
        self.restarts += 1
        crash = WorkerCrashed(f"the inference worker died while {during} ({describe_exit(code)})"
                              + last_log_line(self.log_path))
        crash.exit_code = code
        raise crash

    def _kill(self) -> None:
        """Stop the worker now; the next request starts a new one."""
        proc, conn = self._proc, self._conn
        self._proc = self._conn = None
        self.info = None
        if proc is not None:
            proc.kill()
            proc.wait()
            self.restarts += 1
        if conn is not None:
            conn.close()

