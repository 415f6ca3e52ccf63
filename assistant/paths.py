"""Every path the product writes, in one place; CREATOR_HOME overrides them all."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Paths:
    config_dir: Path
    data_dir: Path
    cache_dir: Path

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"

    @property
    def database(self) -> Path:
        return self.data_dir / "creator.db"

    @property
    def kv_states_dir(self) -> Path:
        """Saved KV states of conversations, for warm resume (runtime/kv_states.py)."""
        return self.cache_dir / "kv"

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"

    @property
    def user_plugins_dir(self) -> Path:
        return self.config_dir / "plugins"

    @property
    def exports_dir(self) -> Path:
        return self.data_dir / "exports"

    def ensure(self) -> Paths:
        for folder in (self.config_dir, self.data_dir, self.cache_dir, self.models_dir):
            folder.mkdir(parents=True, exist_ok=True)
        return self


def get_paths() -> Paths:
    """Paths from CREATOR_HOME when set, else the platform's user folders."""
    home = os.environ.get("CREATOR_HOME")
    if home:
        root = Path(home).expanduser().resolve()
        return Paths(root / "config", root / "data", root / "cache")
    import platformdirs

    return Paths(
        Path(platformdirs.user_config_dir("creator-assistant")),
        Path(platformdirs.user_data_dir("creator-assistant")),
        Path(platformdirs.user_cache_dir("creator-assistant")),
    )
