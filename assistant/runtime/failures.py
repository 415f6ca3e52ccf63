"""Model files that failed to load, remembered so that they are not chosen by themselves again.

One small JSON file in the models folder maps a file's absolute path to its size, mtime and the
reason it failed. A record holds only while the file is unchanged (replacing it, or pulling it
again, gives it a new mtime), and a load that works clears it.
"""

from __future__ import annotations

import json
import os
import signal
import tempfile
from pathlib import Path
from typing import Any

from creator_assistant.runtime.protocol import ModelError, WorkerCrashed

FILE = "failed-loads.json"
# A worker ended by these was most likely stopped from outside (the user, the OOM killer, a
# shutdown), not by the file: such a crash is not held against the model.
OUTSIDE = {-signal.SIGKILL, -signal.SIGTERM, -signal.SIGINT, -signal.SIGHUP}


def _file(models_dir: Path) -> Path:
    return Path(models_dir) / FILE


def _load(models_dir: Path) -> dict[str, Any]:
    try:
        data = json.loads(_file(models_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _save(models_dir: Path, data: dict[str, Any]) -> None:
    folder = Path(models_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".failed-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=1)
        os.replace(tmp, _file(folder))
    except OSError:
        pass  # a read-only or full disk: the model is tried again next time, nothing worse


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        stat = Path(path).stat()
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns


def reason(models_dir: Path, path: Path) -> str | None:
    """Why this file failed to load, if it did and has not changed since; else None."""
    record = _load(models_dir).get(str(Path(path).resolve()))
    if not isinstance(record, dict):
        return None
    if _stamp(path) != (record.get("size"), record.get("mtime_ns")):
        return None
    return str(record.get("reason") or "unknown")


def held_against(exc: BaseException) -> bool:
    """Whether a load failure says something about the file (not a worker stopped from outside
    or a cancelled load)."""
    if isinstance(exc, WorkerCrashed):
        return exc.exit_code is not None and exc.exit_code not in OUTSIDE
    return isinstance(exc, ModelError) and not str(exc).startswith("cancelled")


def record(models_dir: Path, path: Path, why: str) -> None:
    stamp = _stamp(path)
    if stamp is None:
        return
    data = _load(models_dir)
    data[str(Path(path).resolve())] = {"size": stamp[0], "mtime_ns": stamp[1],
                                       "reason": why.strip()[:500]}
    _save(models_dir, data)


def clear(models_dir: Path, path: Path) -> None:
    """Forget a failure: the file loaded."""
    if not _file(models_dir).exists():
        return
    data = _load(models_dir)
    if data.pop(str(Path(path).resolve()), None) is not None:
        _save(models_dir, data)
