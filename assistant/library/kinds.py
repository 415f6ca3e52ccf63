"""Chat models and base models: the one rule that tells them apart, and the labels the product
shows next to a model's id (demo model, starter model, base model).

A model is instruction-tuned for chat (True), a base model that only continues text (False), or
not known (None; embedding models are neither). The catalogue says so with `chat = true/false`;
otherwise a file on disk says it: a chat template in the GGUF, or an instruct marker in its
`general.name`, `general.basename` or `general.finetune` (a file with neither is a base model);
otherwise the entry's names do (`-it`, `instruct`, `chat` ... versus `base`, `pt`).
"""

from __future__ import annotations

import os
import re
import struct
from pathlib import Path
from typing import Any, BinaryIO

from creator_assistant.library.catalogue import (
    DEMO,
    Entry,
    catalogue,
    entries,
    entry_path,
    installed,
)
from creator_assistant.runtime.demo import DEMO_ID

STARTER_ID = "smollm2-135m"  # the small real model `make chat` pulls when none is installed
CHAT_WORDS = frozenset({"it", "instruct", "instruction", "chat", "sft", "dpo", "rlhf"})
BASE_WORDS = frozenset({"base", "pt", "pretrained"})
# Families whose every release without a "base" marker is tuned for chat.
CHAT_FAMILIES = frozenset({"qwen3"})
NAME_KEYS = ("general.name", "general.basename", "general.finetune")
TEMPLATE_KEY = "tokenizer.chat_template"


def from_names(*names: str) -> bool | None:
    """What names (repo, model name, file) say: a base marker, an instruct marker, or nothing."""
    words = set()
    for name in names:
        words |= set(re.split(r"[^a-z0-9]+", name.lower().replace("pre-trained", "pretrained")))
    if words & BASE_WORDS:
        return False
    if words & (CHAT_WORDS | CHAT_FAMILIES):
        return True
    return None


def file_is_chat(path: Path) -> bool:
    """Whether a GGUF file is a chat model: its chat template, else the names it carries."""
    meta = read_metadata(Path(path), (*NAME_KEYS, TEMPLATE_KEY))
    if meta.get(TEMPLATE_KEY):
        return True
    said = from_names(*(str(meta.get(k, "")) for k in NAME_KEYS))
    return bool(said)  # no template and no sign of instruction tuning: a base model


def is_chat(entry: Entry, path: Path | None = None) -> bool | None:
    """True for a chat model, False for a base model, None when unknown or not a text model.

    The catalogue's `chat` wins; then the file at `path` when it exists; then the entry's names."""
    if entry.category != "text-generation":
        return None
    if entry.chat is not None:
        return entry.chat
    if path is not None and Path(path).is_file():
        try:
            return file_is_chat(Path(path))
        except (OSError, ValueError):
            pass  # unreadable: the names decide, and loading it will say what is wrong
    return from_names(entry.repo, entry.name, entry.file, entry.id)


def kind(entry: Entry, path: Path | None = None) -> str:
    """"chat", "base", "embedding", or "" when not known: what `models list` shows."""
    return _kind(entry, is_chat(entry, path))


def _kind(entry: Entry, chat: bool | None) -> str:
    if entry.category == "embedding":
        return "embedding"
    return "" if chat is None else "chat" if chat else "base"


def tag(entry: Entry | None, chat: bool | None = None) -> str:
    """The label shown after a model's id: demo model, starter model, base model, or ""."""
    if entry is None:
        return "base model" if chat is False else ""
    if entry.id == DEMO_ID:
        return "demo model"
    if entry.id == STARTER_ID:
        return "starter model"
    said = is_chat(entry) if chat is None else chat
    return "base model" if said is False else ""


def shipped_tag(model_id: str) -> str:
    """The label of a model known to the shipped catalogue (no user files read)."""
    known = DEMO if model_id == DEMO_ID else catalogue().get(model_id)
    return tag(known)


def describe(model_id: str, paths: Any) -> dict[str, Any]:
    """A model's label and the note that explains it, for status lines: {"tag", "note"}."""
    entry = entries(paths).get(model_id)
    if entry is None:
        return {"tag": "", "note": ""}
    chat = is_chat(entry, entry_path(entry, paths.models_dir))
    label = tag(entry, chat)
    return {"tag": label, "note": entry.note if label else ""}


def chat_models(paths: Any) -> list[Entry]:
    """Installed text models tuned for chat, best first (the demo aside)."""
    return [e for e in installed(paths) if e.category == "text-generation"
            and is_chat(e, entry_path(e, paths.models_dir))]


def base_models(paths: Any) -> list[Entry]:
    """Installed text models that are base models, best first."""
    return [e for e in installed(paths) if e.category == "text-generation"
            and is_chat(e, entry_path(e, paths.models_dir)) is False]


# -- reading a GGUF's metadata without its tensors or vocabulary ---------------------------------

_SCALARS = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?", 10: "Q", 11: "q",
            12: "d"}
_STRING, _ARRAY = 8, 9


def read_metadata(path: Path, keys: tuple[str, ...]) -> dict[str, Any]:
    """The values of `keys` (scalars and strings) from a GGUF header. Arrays, such as a
    262,144-token vocabulary, are skipped over rather than parsed, so this stays fast."""
    wanted, found = set(keys), {}
    with Path(path).open("rb") as fh:
        if fh.read(4) != b"GGUF":
            raise ValueError(f"{Path(path).name} is not a GGUF file")
        try:
            (version,) = struct.unpack("<I", fh.read(4))
            if version < 2:
                raise ValueError(f"{Path(path).name} is GGUF version {version}, too old to read")
            _, n_kv = struct.unpack("<QQ", fh.read(16))
            for _ in range(n_kv):
                key = _string(fh)
                (kind_id,) = struct.unpack("<I", fh.read(4))
                if key in wanted and kind_id != _ARRAY:
                    found[key] = _value(fh, kind_id)
                else:
                    _skip(fh, kind_id)
        except (struct.error, KeyError, OverflowError, RecursionError, OSError) as exc:
            raise ValueError(f"{Path(path).name} has a damaged header ({exc})") from None
    return found


def _string(fh: BinaryIO) -> str:
    (n,) = struct.unpack("<Q", fh.read(8))
    if fh.tell() + n > os.fstat(fh.fileno()).st_size:
        raise ValueError("a string runs past the end of the file")
    return fh.read(n).decode("utf-8", "replace")


def _value(fh: BinaryIO, kind_id: int) -> Any:
    if kind_id == _STRING:
        return _string(fh)
    fmt = "<" + _SCALARS[kind_id]
    return struct.unpack(fmt, fh.read(struct.calcsize(fmt)))[0]


def _skip(fh: BinaryIO, kind_id: int) -> None:
    if kind_id == _STRING:
        (n,) = struct.unpack("<Q", fh.read(8))
        fh.seek(n, 1)
    elif kind_id == _ARRAY:
        item, count = struct.unpack("<IQ", fh.read(12))
        if item == _STRING:
            for _ in range(count):
                (n,) = struct.unpack("<Q", fh.read(8))
                fh.seek(n, 1)
        elif item == _ARRAY:
            for _ in range(count):
                _skip(fh, _ARRAY)
        else:
            fh.seek(count * struct.calcsize("<" + _SCALARS[item]), 1)
    elif kind_id in _SCALARS:
        fh.seek(struct.calcsize("<" + _SCALARS[kind_id]), 1)
    else:
        raise ValueError(f"unknown GGUF value type {kind_id}")


def with_kinds(rows: list[dict[str, Any]], paths: Any) -> list[dict[str, Any]]:
    """Library rows (`library.rows`/`info`) with each model's "kind" (chat, base, embedding) and
    "tag" (demo model, starter model, base model) added."""
    known = entries(paths)
    for row in rows:
        entry = known.get(row["id"])
        if entry is None:
            continue
        path = Path(row["path"]) if row.get("path") else None
        chat = is_chat(entry, path)
        row["kind"] = _kind(entry, chat)
        row["tag"] = tag(entry, chat)
    return rows
