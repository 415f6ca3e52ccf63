"""Saved KV states: sequence 0 of a worker's cache on disk, so a conversation resumes warm.

A state file holds the tokens a prompt evaluated and llama.cpp's sequence state for them, keyed
by the model's identity (its file's path, size and mtime, and the settings that change the
state's layout) and a digest of those tokens. A file is used only when its tokens are a prefix
of the new prompt and its identity is this model's; a damaged one is deleted with a notice. The
folder keeps to a budget, least recently used states going first. docs/warm-resume.md.

File: MAGIC, a 4-byte header length, the JSON header, the tokens (int32), the state's bytes.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import struct
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MAGIC = b"CREATOR-KV-STATE-1\n"
EXT = ".kvs"
DEFAULT_BUDGET_MB = 1024.0
MAX_HEADER = 1 << 16
MB = 1024 * 1024


def identity(path: str, **layout: Any) -> dict[str, Any]:
    """What a state depends on: the model file (path, size, mtime) and the layout settings."""
    stat = os.stat(path)
    return {"path": os.path.realpath(path), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns,
            **layout}


def key_of(ident: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(ident, sort_keys=True).encode()).hexdigest()[:16]


def _token_bytes(tokens: list[int]) -> bytes:
    return struct.pack(f"<{len(tokens)}i", *tokens)


def digest(tokens: list[int]) -> str:
    return hashlib.sha256(_token_bytes(tokens)).hexdigest()[:20]


def _checksum(*parts: Any) -> int:
    value = 1
    for part in parts:
        value = zlib.adler32(part, value)
    return value


class Damaged(ValueError):
    """A state file that cannot be used: truncated, altered, or not one of ours."""


@dataclass
class Header:
    path: Path
    identity: dict[str, Any]
    tokens: list[int]
    oldest: int  # the lowest position the sequence held when saved (sliding-window checks)
    state_bytes: int
    checksum: int
    offset: int  # where the state's bytes begin

    @property
    def n_tokens(self) -> int:
        return len(self.tokens)


def read_header(path: Path) -> Header:
    """The header and tokens of a state file; Damaged when they cannot be read."""
    with open(path, "rb") as f:
        if f.read(len(MAGIC)) != MAGIC:
            raise Damaged("not a saved state (wrong header)")
        raw = f.read(4)
        if len(raw) != 4 or not 0 < (size := struct.unpack("<I", raw)[0]) <= MAX_HEADER:
            raise Damaged("a damaged header")
        try:
            head = json.loads(f.read(size))
            n, oldest = int(head["n_tokens"]), int(head["oldest"])
            state_bytes, checksum = int(head["state_bytes"]), int(head["checksum"])
            ident = dict(head["identity"])
        except (ValueError, KeyError, TypeError) as exc:
            raise Damaged(f"a damaged header ({exc})") from None
        offset = f.tell() + 4 * n
        if n <= 0 or state_bytes <= 0 or os.path.getsize(path) != offset + state_bytes:
            raise Damaged("truncated")
        raw = f.read(4 * n)
        if len(raw) != 4 * n:
            raise Damaged("truncated")
    tokens = list(struct.unpack(f"<{n}i", raw))
    return Header(path, ident, tokens, oldest, state_bytes, checksum, offset)


class StateStore:
    """One model's saved states in `folder`, within `budget_bytes` for the whole folder."""

    def __init__(self, folder: Path, ident: dict[str, Any], budget_bytes: int,
                 notice: Callable[[str], None]) -> None:
        self.folder, self.identity, self.budget = Path(folder), ident, budget_bytes
        self.key = key_of(ident)
        self.notice = notice

    def _drop(self, path: Path, why: str) -> None:
        self.notice(f"A saved conversation state was ignored and deleted ({path.name}: {why}); "
                    "the prompt was evaluated in full.")
        try:
            path.unlink(missing_ok=True)
        except OSError:
            pass

    def candidates(self, tokens: list[int]) -> list[Header]:
        """This model's states whose tokens are a prefix of `tokens`, longest first."""
        found = []
        for path in sorted(self.folder.glob(f"{self.key}-*{EXT}")):
            try:
                head = read_header(path)
            except Damaged as exc:
                self._drop(path, str(exc))
                continue
            except OSError:
                continue  # gone meanwhile, or unreadable: not ours to judge
            if head.identity != self.identity:
                self._drop(path, "saved for another model file or layout")
                continue
            if head.n_tokens <= len(tokens) and tokens[: head.n_tokens] == head.tokens:
                found.append(head)
        return sorted(found, key=lambda h: -h.n_tokens)

    def read(self, head: Header) -> Any | None:
        """The state's bytes as a ctypes buffer, checked; None (deleted, with a notice) when
        they are not what was saved."""
        buf = (ctypes.c_uint8 * max(1, head.state_bytes))()
        try:
            with open(head.path, "rb") as f:
                f.seek(head.offset)
                got = f.readinto(memoryview(buf).cast("B")[: head.state_bytes])
        except OSError as exc:
            self.notice(f"A saved conversation state could not be read ({exc}); "
                        "the prompt was evaluated in full.")
            return None
        if got != head.state_bytes:
            self._drop(head.path, "truncated")
            return None
        if _checksum(_token_bytes(head.tokens), buf) != head.checksum:
            self._drop(head.path, "its bytes changed since it was saved")
            return None
        try:
            os.utime(head.path)  # recently used: the budget keeps it longest
        except OSError:
            pass
        return buf

    def failed(self, head: Header) -> None:
        """llama.cpp refused a checked state (another layout after all): never try it again."""
        self._drop(head.path, "llama.cpp could not restore it")

    def save(self, tokens: list[int], oldest: int, data: memoryview) -> Path | None:
        """Write a state (atomically), drop this model's states it extends, keep the budget."""
        size = len(data)
        if size > self.budget:
            return None
        raw = _token_bytes(tokens)
        head = json.dumps({"identity": self.identity, "n_tokens": len(tokens), "oldest": oldest,
                           "state_bytes": size, "checksum": _checksum(raw, data),
                           "saved": time.time()}).encode()
        final = self.folder / f"{self.key}-{digest(tokens)}{EXT}"
        temp = self.folder / f".{final.name}.{os.getpid()}.tmp"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with open(temp, "wb") as f:
                f.write(MAGIC + struct.pack("<I", len(head)) + head + raw)
                f.write(data)
            os.replace(temp, final)
        except OSError as exc:
            temp.unlink(missing_ok=True)
            self.notice(f"The conversation state was not saved ({exc}).")
            return None
        for path in self.folder.glob(f"{self.key}-*{EXT}"):  # states this one extends
            if path != final:
                try:
                    other = read_header(path)
                except (Damaged, OSError):
                    continue
                if other.n_tokens < len(tokens) and tokens[: other.n_tokens] == other.tokens:
                    path.unlink(missing_ok=True)
        prune(self.folder, self.budget, keep=final)
        return final


def _files(folder: Path) -> list[tuple[float, int, Path]]:
    out = []
    for path in folder.glob(f"*{EXT}"):
        try:
            stat = path.stat()
        except OSError:
            continue
        out.append((stat.st_mtime, stat.st_size, path))
    return sorted(out)


def _stale_temps(folder: Path) -> None:
    """Temporary files of workers that died while saving."""
    for path in folder.glob(f".*{EXT}.*.tmp"):
        try:
            os.kill(int(path.suffixes[-2].lstrip(".")), 0)
        except (ValueError, IndexError, ProcessLookupError):
            path.unlink(missing_ok=True)
        except PermissionError:
            pass


def prune(folder: Path, budget_bytes: int, keep: Path | None = None) -> int:
    """Delete the least recently used states until the folder fits the budget; how many went."""
    if not folder.is_dir():
        return 0
    _stale_temps(folder)
    files = _files(folder)
    total = sum(size for _, size, _ in files)
    gone = 0
    for _, size, path in files:
        if total <= budget_bytes:
            break
        if path == keep:
            continue
        path.unlink(missing_ok=True)
        total -= size
        gone += 1
    return gone


def summary(folder: Path, budget_mb: float = DEFAULT_BUDGET_MB) -> dict[str, Any]:
    """What `creator cache stats` shows: files, bytes, the budget, the oldest state's age."""
    files = _files(folder) if Path(folder).is_dir() else []
    return {"folder": str(folder), "files": len(files), "bytes": sum(s for _, s, _ in files),
            "budget": int(budget_mb * MB),
            "oldest": (time.strftime("%Y-%m-%d %H:%M", time.localtime(files[0][0]))
                       if files else None)}


def cache_section(paths: Any, store: Any) -> tuple[str, dict[str, Any], list[str]]:
    """`creator cache stats`'s section: the saved conversation states and their budget."""
    from creator_assistant.config import ConfigError, load_config

    try:
        budget = load_config(paths.config_file).models.kv_states_mb
    except ConfigError:
        budget = DEFAULT_BUDGET_MB
    info = summary(paths.kv_states_dir, budget)
    mb = info["bytes"] / MB
    line = (f"Saved conversation states (warm resume): {info['files']:,} "
            f"file{'' if info['files'] == 1 else 's'}, {mb:,.1f} MB of {budget:,.0f} MB"
            + (f", oldest used {info['oldest']}" if info["oldest"] else "")
            + ("" if budget else " ([models] kv_states_mb = 0: off)"))
    return "kv_states", info, [line, f"  in {info['folder']}"]
