"""Which model answers, and the resident model workers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from creator_assistant.library.catalogue import DEMO, Entry, entries, entry_path, installed
from creator_assistant.paths import Paths
from creator_assistant.runtime.demo import DEMO_ID, DEMO_NOTE, ensure_demo_model


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

    @property
    def is_demo(self) -> bool:
        return self.id == DEMO_ID


def resolve(ref: str, paths: Paths) -> Choice:
    """A model by catalogue id, `demo`, or a GGUF path; raise ModelNotInstalled if absent."""
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
    best: list[Entry] = [e for e in installed(paths) if e.category == "text-generation"]
    if best:
        choice = resolve(best[0].id, paths)
        return Choice(choice.id, choice.path, choice.context,
                      f"{wanted} is not installed; using {choice.id}")
    demo = resolve(DEMO_ID, paths)
    return Choice(demo.id, demo.path, demo.context, f"{wanted} is not installed; {DEMO_NOTE}")


# The model manager lives in manager.py; it is imported from here as it always was.
from creator_assistant.runtime.pool import ModelPool  # noqa: E402

__all__ = ["Choice", "ModelNotInstalled", "ModelPool", "choose", "resolve"]
