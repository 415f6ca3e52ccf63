"""Reading the creator's writing into samples: text and Markdown files (one sample each), caption
files, folders of them, and the titles and descriptions of an already-imported export. A file
that cannot be read (binary, too big, not UTF-8) gets one line; the rest are still read."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from creator_assistant.data.importers import limits
from creator_assistant.voice import captions
from creator_assistant.voice.imported import NotSamples, import_at, import_drafts
from creator_assistant.voice.samples import KINDS, Draft

TEXT_SUFFIXES = (".txt", ".md", ".markdown")
SUFFIXES = TEXT_SUFFIXES + captions.SUFFIXES
MAX_FILE_MB = 2.0  # one sample: a long script is ~50 KB; a bigger file is not one piece
_FRONT = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)


class Unreadable(ValueError):
    """One file that is not a sample; its message says why and what to do."""


@dataclass
class Found:
    """What reading some paths gave: the drafts, one line per file not read, files skipped."""

    drafts: list[Draft] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    skipped: int = 0  # files in a folder that are not text or captions


def decode(raw: bytes, name: str) -> str:
    """UTF-8 (a BOM allowed) or UTF-16 with its BOM; Unreadable for binary or other text."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise Unreadable(f"{name}: damaged UTF-16 text; save it as UTF-8") from None
    if b"\x00" in raw[:8192]:
        raise Unreadable(f"{name}: a binary file, not text; skipped")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Unreadable(f"{name}: not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset "
                         f"{exc.start}); save it as UTF-8 and add it again") from None


def read_bytes(path: Path) -> bytes:
    cap = int(MAX_FILE_MB * 2**20)
    try:
        with path.open("rb") as f:
            raw = f.read(cap + 1)
    except OSError as exc:
        raise Unreadable(f"{path}: cannot read it ({exc.strerror or exc})") from None
    if len(raw) > cap:
        raise Unreadable(f"{path}: over {MAX_FILE_MB:g} MB, too big for one sample; split it "
                         "into its pieces (one script or post a file)")
    return raw


def front_matter(text: str) -> tuple[dict[str, str], str]:
    """A Markdown file's `key: value` front matter, and the text after it."""
    m = _FRONT.match(text.replace("\r\n", "\n"))
    if not m:
        return {}, text
    meta = {}
    for line in m.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() and not key.startswith((" ", "\t")):
            meta[key.strip().lower()] = value.strip().strip("'\"")
    return meta, text.replace("\r\n", "\n")[m.end():]


def read_file(path: Path, kind: str | None = None) -> Draft:
    """One file as one sample; Unreadable says why not."""
    text = decode(read_bytes(path), str(path))
    suffix = path.suffix.lower()
    meta: dict[str, str] = {}
    if suffix in captions.SUFFIXES:
        text, default = captions.prose(text), "caption"
    else:
        meta, text = front_matter(text)
        text, default = text.strip(), "script"
        if meta.get("kind") in KINDS:
            default = meta["kind"]
    if not text.strip():
        raise Unreadable(f"{path}: no text in it; skipped")
    date = meta.get("date") or None
    if date and re.match(r"\d{4}-\d{2}-\d{2}", date):
        date = date[:10]
    return Draft(text, kind or default, str(path.resolve()), title=meta.get("title") or None,
                 date=date)


def _folder_files(folder: Path) -> tuple[list[Path], int]:
    wanted, skipped = [], 0
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).parts
        if any(part.startswith(".") for part in rel) or not p.is_file():
            continue
        if p.suffix.lower() in SUFFIXES:
            wanted.append(p)
        else:
            skipped += 1
    return wanted, skipped


def read_paths(db: sqlite_utils.Database, paths: list[str], kind: str | None = None) -> Found:
    """Every sample in `paths`; a path an export was imported from gives that import's titles
    and descriptions. Stops reading a folder past the import cap on total bytes."""
    found = Found()
    budget = limits.current().max_bytes
    for given in paths:
        path = Path(given).expanduser()
        if not path.exists():
            found.problems.append(f"{given}: no such file or folder")
            continue
        if (import_id := import_at(db, str(path.resolve()))) is not None:
            add_import(db, import_id, found)
            continue
        if path.is_dir():
            try:
                files, skipped = _folder_files(path)
            except OSError as exc:
                found.problems.append(f"{given}: cannot read the folder ({exc.strerror or exc})")
                continue
            found.skipped += skipped
        elif not path.is_file():
            found.problems.append(f"{given}: not a regular file; skipped")
            continue
        elif path.suffix.lower() in SUFFIXES:
            files = [path]
        else:
            found.problems.append(f"{given}: not a text, Markdown or caption file "
                                  f"({', '.join(SUFFIXES)}); skipped")
            continue
        for f in files:
            if budget <= 0:
                found.problems.append(f"{f}: not read, over {limits.current().max_decompressed_mb:g}"
                                      " MB in one go ([imports] max_decompressed_mb); add the "
                                      "rest in another `creator voice add`")
                continue
            try:
                draft = read_file(f, kind)
            except Unreadable as exc:
                found.problems.append(str(exc))
                continue
            budget -= len(draft.text.encode())
            found.drafts.append(draft)
    return found


def add_import(db: sqlite_utils.Database, import_id: int, found: Found) -> None:
    try:
        found.drafts.extend(import_drafts(db, import_id))
    except NotSamples as exc:
        found.problems.append(str(exc))
