"""The cache's keys: a sha256 of everything that decides a reply, so a different model file,
prompt, setting, adapter or data can never be answered with another's reply."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from creator_assistant.runtime.protocol import GenerateRequest

VERSION = 1  # bumped when what a key covers changes, so older entries simply miss


def digest(value: Any) -> str:
    """sha256 of `value` as canonical JSON."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def file_identity(path: Path | None) -> list[Any] | None:
    """A model or adapter file's identity: name, size and modification time (ns). Hashing a
    multi-GB GGUF on every turn would cost seconds; a file downloaded, converted or trained
    again gets a new size or mtime, which is what changes its replies."""
    if path is None:
        return None
    try:
        st = Path(path).stat()
    except OSError:
        return [Path(path).name, None, None]
    return [Path(path).name, st.st_size, st.st_mtime_ns]


def reply_key(*, model: dict[str, Any], task: str, request: GenerateRequest, n_ctx: int,
              data: list[tuple[int, str]]) -> str:
    """The key of one reply: the model (file identity, backend, adapter and scale), the task,
    the exact request (the fitted messages, every sampling parameter, the seed, max_tokens,
    the grammar, stops), the window, and the imports the task's facts came from (id, sha256)."""
    asked = {k: v for k, v in asdict(request).items() if k != "conversation"}  # not a cause
    return digest({"v": VERSION, "kind": "reply", "model": model, "task": task,
                   "request": asked, "n_ctx": n_ctx, "data": sorted(data)})


def sampled(request: GenerateRequest) -> bool:
    """Whether the reply is a draw (temperature above 0 and no fixed seed), not a function of
    its prompt."""
    return request.temperature > 0 and request.seed is None
