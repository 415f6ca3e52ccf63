"""Which model answers, and the resident model workers."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from creator_assistant.library import kinds
from creator_assistant.library.catalogue import DEMO, Entry, entries, entry_path
from creator_assistant.paths import Paths
from creator_assistant.runtime import failures
from creator_assistant.runtime.demo import DEMO_ID, DEMO_NOTE, build_demo_model, ensure_demo_model


class ModelNotInstalled(LookupError):
    pass


@dataclass(frozen=True)
class Choice:
    """The model that answers, and a note when it is not the one the task asked for."""

    id: str
    path: Path
    context: int
    note: str = ""
    backend: str = "local"  # or the name of a [remotes.NAME] entry that answers instead
    lora: Path | None = None  # a LoRA adapter applied on loading: a different resident model
    lora_scale: float = 1.0
    lora_key: str = ""  # the config key that named the adapter, for messages

    @property
    def is_demo(self) -> bool:
        return self.id == DEMO_ID


def resolve(ref: str, paths: Paths) -> Choice:
    """A model by catalogue id, `demo`, or a GGUF path; raise ModelNotInstalled if absent. A
    file that failed to load last time is still tried, saying why it failed then."""
    choice = _resolve(ref, paths)
    why = failures.reason(paths.models_dir, choice.path) if choice.backend == "local" else None
    if why is None:
        return choice
    said = f"{choice.id} failed to load last time ({why}); trying it again as it was named"
    return replace(choice, note=f"{said}. {choice.note}" if choice.note else said)


def _resolve(ref: str, paths: Paths) -> Choice:
    if ref == DEMO_ID:
        return Choice(DEMO_ID, ensure_demo_model(paths.models_dir), DEMO.context, DEMO_NOTE)
    entry = entries(paths).get(ref)
    if entry is not None:
        path = entry_path(entry, paths.models_dir)
        if not path.is_file() and entry.source == "added":
            raise ModelNotInstalled(f"model {ref!r} was added from {path}, which is gone; "
                                    "`creator models add PATH` it again")
        if not path.is_file():
            raise ModelNotInstalled(
                f"model {ref!r} is not downloaded; run `creator models pull {ref}`"
            )
        about = _about(entry, kinds.is_chat(entry, path))
        return Choice(entry.id, path, entry.context, f"{entry.id} is {about}" if about else "")
    candidate = Path(ref).expanduser()
    if candidate.suffix == ".gguf" or "/" in ref:
        if not candidate.is_file():
            raise ModelNotInstalled(f"no model file at {candidate}")
        stat = candidate.stat()
        summary = _checked(str(candidate.resolve()), stat.st_size, stat.st_mtime_ns)
        note = "" if kinds.file_is_chat(candidate) else f"{candidate.name} is {BASE_ABOUT}"
        return Choice(str(candidate), candidate.resolve(), summary.context_length or 4096, note)
    raise ModelNotInstalled(
        f"unknown model {ref!r}; `creator models list` shows the ids, or give a .gguf path"
    )


@lru_cache(maxsize=16)
def _checked(path: str, size: int, mtime_ns: int) -> Any:
    """check_gguf once per file version: it reads the whole vocabulary (8 s for Gemma 3's
    262,144 tokens on 2 busy cores), and a model named by path is resolved on every turn."""
    from creator_assistant.runtime.gguf_check import check_gguf

    return check_gguf(Path(path))


def choose(wanted: str, paths: Paths) -> Choice:
    """The task's model when installed (a model named by the task or the user answers even when
    it is a base model), else the best installed chat model, else the demo, saying so. A base
    model is never picked by itself."""
    try:
        choice = _resolve(wanted, paths)
        why = failures.reason(paths.models_dir, choice.path)
        if why is None:
            return choice
        missing = _skipped(wanted, why)
    except ModelNotInstalled:
        missing = f"{wanted} is not installed"
    best: list[Entry] = []
    for entry in kinds.chat_models(paths):
        why = failures.reason(paths.models_dir, entry_path(entry, paths.models_dir))
        if why is None:
            best.append(entry)
        elif entry.id != wanted:
            missing += f"; {_skipped(entry.id, why)}"
    if best:
        choice = _resolve(best[0].id, paths)
        about = _about(best[0], True)
        return Choice(choice.id, choice.path, choice.context,
                      f"{missing}; using {choice.id}" + (f", {about}" if about else ""))
    demo = _resolve(DEMO_ID, paths)
    if failures.reason(paths.models_dir, demo.path) is not None:  # built here: build it again
        build_demo_model(demo.path)
        failures.clear(paths.models_dir, demo.path)
    return Choice(demo.id, demo.path, demo.context,
                  f"{missing}; {DEMO_NOTE} {starter_hint(paths)}")


def _skipped(model: str, why: str) -> str:
    return (f"{model} failed to load ({why}), so it is not chosen by itself until it loads "
            f"(`--model {model}` tries it)")


BASE_ABOUT = ("a base model (pre-trained, not tuned for chat): it continues text rather than "
              "following requests, so expect replies that wander. It answers because it was "
              "chosen by name, prompted with its family's chat turns; for replies that follow "
              "requests choose a chat model (`creator models list` marks them).")


def _about(entry: Entry, chat: bool | None) -> str:
    """What to say about the answering model: that it is a base model, or the starter."""
    if chat is False:
        return BASE_ABOUT
    if entry.id == kinds.STARTER_ID and entry.note:
        return f"the starter model: {entry.note}"
    return ""


def starter_hint(paths: Paths) -> str:
    """How to get the starter model (said where the demo answers for want of a chat model)."""
    starter = entries(paths).get(kinds.STARTER_ID)
    size = f"{starter.size / 1e6:.0f} MB, " if starter is not None and starter.size else ""
    hint = (f"Or start small now: `creator models pull {kinds.STARTER_ID}` ({size}the starter "
            "model), or `make chat`.")
    bases = [e.id for e in kinds.base_models(paths)]
    if bases:
        hint += (f" {', '.join(bases)} {'is a base model' if len(bases) == 1 else 'are base models'}"
                 " (not tuned for chat), never chosen by itself: name it with `--model` to use it.")
    return hint


# The model manager lives in manager.py; it is imported from here as it always was.
from creator_assistant.runtime.pool import ModelPool  # noqa: E402

__all__ = ["Choice", "ModelNotInstalled", "ModelPool", "choose", "resolve"]
