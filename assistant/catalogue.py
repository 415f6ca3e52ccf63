"""The model catalogue (models/catalogue.toml) and what is installed in the user's models folder."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from creator_assistant.resources import models_file
from creator_assistant.runtime.demo import DEMO_ID, DEMO_NOTE, demo_model_path


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


DEMO = Entry(
    id=DEMO_ID, name="Creator demo model (random weights)", repo="", file="", size=0,
    context=8192, category="text-generation", tier="demo", rank=0, note=DEMO_NOTE,
)


@lru_cache(maxsize=1)
def catalogue() -> dict[str, Entry]:
    data = tomllib.loads(models_file("catalogue.toml").read_text(encoding="utf-8"))
    return {m["id"]: Entry(**m) for m in data["model"]}


def entry_path(entry: Entry, models_dir: Path) -> Path:
    if entry.id == DEMO_ID:
        return demo_model_path(models_dir)
    return models_dir / entry.id / entry.file


def installed(models_dir: Path) -> list[Entry]:
    """Catalogue models whose file is in the models folder, best first."""
    found = [e for e in catalogue().values() if entry_path(e, models_dir).is_file()]
    return sorted(found, key=lambda e: -e.rank)
