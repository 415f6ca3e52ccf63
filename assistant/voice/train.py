"""Fine-tuning a small model on the creator's samples, on this machine (the parent side).

Builds the chat-formatted pairs (the same as `creator voice export`), holds out a tenth, checks
the model fits this machine, dequantizes it to F32, runs `train_worker` in its own process (an
abort inside llama.cpp ends only that process), streams its steps, and saves the result as a
new library model with its training record. The worker's protocol is in train_worker.py.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from creator_assistant.voice.export import HYPERPARAMETERS, ExportError, Sample, pairs, split

# The design notes' values where they fit a CPU. llama.cpp steps once per window of `context`
# tokens (several short pairs packed together: the batch), accumulating over context / ubatch
# chunks of it; the notes' 4 x 8 sequences a step would be 32 windows, far too slow on 2 cores.
DEFAULTS: dict[str, Any] = {
    "learning_rate": HYPERPARAMETERS["learning_rate"], "epochs": HYPERPARAMETERS["epochs"],
    "warmup_steps": HYPERPARAMETERS["warmup_steps"],
    "weight_decay": HYPERPARAMETERS["weight_decay"], "context": 256, "ubatch": 256, "seed": 0,
}
TOKENS_PER_S_135M = 40.0  # measured 39-60: SmolLM2-135M, 2 threads, 256-token windows
MAX_HOURS = 12.0
ABORT = re.compile(r"([\w.-]+\.(?:c|cpp|h):\d+: .+)$")


class TrainError(Exception):
    """Training could not start or did not finish; the message says what happened and what to do."""


@dataclass
class Outcome:
    model_id: str
    path: Path
    record: dict[str, Any]
    stopped: bool = False
    losses: list[float] = field(default_factory=list)


def build_pairs(samples: list[Sample], seed: int = 0) -> tuple[list[dict], list[dict], str]:
    """Training and held-out pairs, and the digest of the data (the pairs, in order)."""
    try:
        train, held = split(samples, seed)
    except ExportError as exc:
        raise TrainError(str(exc).replace("an export needs", "training needs")) from None
    tp = [p for s in train for p in pairs(s)]
    hp = [p for s in held for p in pairs(s)]
    digest = hashlib.sha256(json.dumps([tp, hp], sort_keys=True).encode()).hexdigest()
    return tp, hp, digest


def estimate(n_params: int, tokens: int, epochs: int, threads: int) -> tuple[float, float]:
    """Bytes of memory and seconds of training: F32 weights, gradients and AdamW's two moments
    (16 bytes a parameter) plus the graph; time scaled from SmolLM2-135M's measured rate."""
    memory = n_params * 16 + 1200 * 1000**2  # SmolLM2-135M: 3.3 GB at most, measured
    rate = TOKENS_PER_S_135M * (135e6 / max(n_params, 1)) * max(threads, 1) / 2
    return memory, tokens * epochs / rate


def available_memory() -> int:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES")


def check_fits(model_id: str, n_params: int, tokens: int, epochs: int, threads: int) -> None:
    memory, seconds = estimate(n_params, tokens, epochs, threads)
    have = available_memory()
    gb = 1000**3
    if memory > have * 0.8 or seconds > MAX_HOURS * 3600:
        raise TrainError(
            f"{model_id} is too big to train here: about {memory / gb:.1f} GB of memory "
            f"({have / gb:.1f} GB available) and about {seconds / 3600:.1f} h for {epochs} "
            f"epoch(s) of {tokens:,} tokens on {threads} thread(s). Train the starter model "
            "(smollm2-135m), or `creator voice export` and train it elsewhere.")


def parameters(path: Path) -> int:
    import gguf

    total = 0
    for t in gguf.GGUFReader(path).tensors:
        n = 1
        for d in t.shape:
            n *= int(d)
        total += n
    return total


def new_id(base_id: str, models_dir: Path, taken: set[str]) -> str:
    stem = f"{base_id}-voice-{dt.date.today():%Y%m%d}"
    out, k = stem, 2
    while out in taken or (models_dir / out).exists():
        out, k = f"{stem}-{k}", k + 1
    return out


def run_worker(job: dict[str, Any], log: Path, on_event: Callable[[dict[str, Any]], None],
               stop: Callable[[], bool]) -> list[dict[str, Any]]:
    """Run the worker on `job`; every event goes to `on_event`; `stop()` true asks it to stop
    after its current step. Returns the events; a crash raises TrainError in one line."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with open(log, "wb") as err:
        proc = subprocess.Popen([sys.executable, "-m", "creator_assistant.voice.train_worker"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err,
                                env=env, text=True, bufsize=1,
                                start_new_session=True)  # the terminal's Ctrl+C is ours
        assert proc.stdin and proc.stdout
        proc.stdin.write(json.dumps(job) + "\n")
        proc.stdin.flush()

        def ask_stop(*_: Any) -> None:  # Ctrl+C: the worker stops after its current step
            try:
                proc.stdin.write("stop\n")  # type: ignore[union-attr]
                proc.stdin.flush()  # type: ignore[union-attr]
            except (OSError, ValueError):
                pass

        previous = _on_sigint(ask_stop)
        try:
            events = _read(proc, on_event, stop, ask_stop)
        finally:
            _on_sigint(previous)
        code = proc.wait()
    if code != 0 or not events or events[-1]["event"] != "done":
        raise TrainError(crash_line(code, log, events))
    return events


def _on_sigint(handler: Any) -> Any:
    import signal
    import threading

    if handler is None or threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGINT, handler)


def _read(proc: Any, on_event: Callable[[dict[str, Any]], None], stop: Callable[[], bool],
          ask_stop: Callable[[], None]) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    asked = False
    for line in proc.stdout:
        try:
            event = json.loads(line)
        except ValueError:
            continue
        events.append(event)
        on_event(event)
        if not asked and stop():
            asked = True
            ask_stop()
    return events


def crash_line(code: int, log: Path, events: list[dict[str, Any]]) -> str:
    import signal

    errors = [e["message"] for e in events if e["event"] == "error"]
    why = errors[-1] if errors else ""
    if not why:
        try:
            lines = log.read_text(errors="replace").splitlines()
        except OSError:
            lines = []
        # ggml's aborts: "/path/ggml.c:7227: unsupported glu op for backward pass: GEGLU"
        found = [m.group(1) for ln in lines if (m := ABORT.search(ln))]
        why = found[-1].strip() if found else ""
    sig = f"signal {signal.Signals(-code).name}" if code < 0 else f"exit code {code}"
    steps = [e["step"] for e in events if e["event"] == "step"]
    done = f" after {steps[-1]} step(s)" if steps else " before the first step"
    return (f"the training process stopped ({sig}){done}" + (f": {why}" if why else "")
            + f"; nothing was added to your library. llama.cpp's log: {log}")


def train(samples: list[Sample], model_ref: str, paths: Any, *, epochs: int | None = None,
          max_steps: int | None = None, threads: int = 2, context: int | None = None,
          overrides: dict[str, Any] | None = None,
          on_event: Callable[[dict[str, Any]], None] = lambda e: None,
          stop: Callable[[], bool] = lambda: False) -> Outcome:
    """Fine-tune `model_ref` on `samples`; the result is a new model in the library."""
    from creator_assistant import library
    from creator_assistant.library.catalogue import entries, entry_path
    from creator_assistant.voice import convert
    from creator_assistant.voice.graph_room import room_adapter

    hp = {**DEFAULTS, **(overrides or {})}
    if epochs is not None:
        hp["epochs"] = epochs
    if context is not None:
        hp["context"] = hp["ubatch"] = context
    train_pairs, held_pairs, digest = build_pairs(samples, hp["seed"])
    try:
        entry = library.get(model_ref, paths)
    except library.LibraryError as exc:
        raise TrainError(str(exc)) from None
    base = entry_path(entry, paths.models_dir)
    if not base.is_file():
        raise TrainError(f"{entry.id} is not downloaded; run `creator models pull {entry.id}`")
    n_params = parameters(base)
    chars = sum(len(m["content"]) for p in train_pairs for m in p["messages"])
    check_fits(entry.id, n_params, chars // 4 + 1, hp["epochs"], threads)
    model_id = new_id(entry.id, paths.models_dir, set(entries(paths)))
    work = paths.models_dir / ".training" / model_id
    work.mkdir(parents=True, exist_ok=True)
    f32 = base if convert.is_f32(base) else convert.dequantize_to_f32(base, work / "base.f32.gguf")
    room, _ = room_adapter(f32, work / "graph-room.gguf")
    job: dict[str, Any] = {
        "model": str(f32), "room": str(room), "checkpoint": str(work / "checkpoint.f32.gguf"),
        "threads": threads, "max_steps": max_steps, "hyperparameters": hp,
        "train": train_pairs, "heldout": held_pairs}
    folder = paths.models_dir / model_id
    job["quantized"] = str(work / f"{model_id}.Q8_0.gguf")
    started = dt.datetime.now(dt.UTC)
    try:
        events = run_worker(job, work / "llama.log", on_event, stop)
    except TrainError as exc:
        for scratch in (work / "base.f32.gguf", room, Path(job["quantized"])):
            scratch.unlink(missing_ok=True)
        kept = work / "checkpoint.f32.gguf"
        raise TrainError(str(exc) + (f"; the last checkpoint (F32) is kept at {kept}"
                                     if kept.is_file() else "")) from None
    folder.mkdir(parents=True, exist_ok=True)
    dest = folder / f"{model_id}.Q8_0.gguf"
    os.replace(job["quantized"], dest)
    return _save(events, entry, base, dest, work, model_id, hp, digest, started, threads,
                 len(train_pairs), len(held_pairs), paths, library)


def _save(events: list[dict[str, Any]], entry: Any, base: Path, dest: Path, work: Path,
          model_id: str, hp: dict[str, Any], digest: str, started: dt.datetime, threads: int,
          n_train: int, n_held: int, paths: Any, library: Any) -> Outcome:
    import shutil

    ready = next(e for e in events if e["event"] == "ready")
    steps = [e for e in events if e["event"] == "step"]
    evals = {e["when"]: {"loss": e["loss"], "perplexity": e["perplexity"]}
             for e in events if e["event"] == "eval"}
    done = events[-1]
    folder = dest.parent
    record = {
        "model": model_id, "base_model": entry.id, "base_file": base.name,
        "data": {"sha256": digest, "train_pairs": n_train, "heldout_pairs": n_held,
                 "train_tokens": ready["train_tokens"], "train_windows": ready["train_windows"],
                 "heldout_windows": ready["heldout_windows"]},
        "hyperparameters": {**hp, "warmup_steps_used": ready["warmup_steps"],
                            "total_steps": ready["total_steps"], "optimizer": "adamw",
                            "tokens_per_step": ready["n_ctx"],
                            "gradient_accumulation": ready["n_ctx"] // hp["ubatch"],
                            "threads": threads},
        "steps_done": done["steps"], "stopped_early": done["stopped"],
        "loss_per_step": [round(e["loss"], 5) for e in steps],
        "heldout_before": evals.get("before"), "heldout_after": evals.get("after"),
        "tokens_per_s": steps[-1]["tokens_per_s"] if steps else None,
        "quantized": "q8_0", "trained_by": "llama.cpp optimizer (llama_opt_epoch), this machine",
        "started": started.isoformat(timespec="seconds"),
        "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    (folder / "training.json").write_text(json.dumps(record, indent=2), encoding="utf-8")
    (folder / "source.json").write_text(json.dumps({
        "source": "trained on this machine", "base_model": entry.id, "file": dest.name,
        "sha256": _sha256(dest), "training_record": "training.json",
        "trained_at": record["finished"]}, indent=2), encoding="utf-8")
    try:
        library.add(dest, paths, model_id=model_id)
    except library.LibraryError as exc:
        raise TrainError(f"the trained model is at {dest} but could not be registered: {exc}") \
            from None
    shutil.rmtree(work, ignore_errors=True)
    with contextlib.suppress(OSError):
        work.parent.rmdir()  # .training, when no other run is under way
    return Outcome(model_id, dest, record, bool(done["stopped"]), record["loss_per_step"])


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
