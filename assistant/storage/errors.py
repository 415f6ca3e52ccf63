"""What can go wrong with the database, in words a person can act on.

SQLite reports a full disk, a lock held too long or a damaged file as `sqlite3` exceptions
with codes; `storage_error` turns one into a `StorageError` whose message names the file and
says what to do. Every front end prints these as one line (never a traceback)."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# SQLite's primary result codes (the low byte of an extended code).
SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY = 5, 6, 8
SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_NOTADB = 10, 11, 13, 14, 26


class StorageError(Exception):
    """The database could not be read or written; the message says why and what to do."""

    def __init__(self, message: str, path: Path | str | None = None) -> None:
        super().__init__(message)
        self.path = Path(path) if path is not None else None


class DiskFull(StorageError):
    """The disk holding the database (or its journal) has no room for the write."""


class DatabaseBusy(StorageError):
    """Another process held the write lock for longer than we waited, retries included."""


class DatabaseDamaged(StorageError):
    """The file is not a database, or its pages fail SQLite's checks."""


def free_mb(path: Path | str) -> float:
    """Free space, in MB, on the disk holding `path` (its nearest existing folder)."""
    folder = Path(path)
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return shutil.disk_usage(folder).free / 1e6


def _code(exc: sqlite3.Error) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return int(code) & 0xFF
    text = str(exc).lower()  # an error raised without a code (sqlite-utils re-raises some)
    for words, value in (("database or disk is full", SQLITE_FULL),
                         ("disk i/o error", SQLITE_IOERR), ("database is locked", SQLITE_BUSY),
                         ("malformed", SQLITE_CORRUPT), ("not a database", SQLITE_NOTADB)):
        if words in text:
            return value
    return None


def storage_error(exc: BaseException, path: Path | str) -> StorageError | None:
    """The `StorageError` that `exc` means for the database at `path`, or None when `exc` is not
    a storage fault (a bug, a constraint): those are left to propagate as they are."""
    if isinstance(exc, StorageError):
        return exc
    if isinstance(exc, OSError) and exc.errno == 28:  # ENOSPC from a file of ours
        return DiskFull(_full_message(path), path)
    if not isinstance(exc, sqlite3.Error):
        return None
    code = _code(exc)
    if code == SQLITE_FULL or (code == SQLITE_IOERR and free_mb(path) < 1):
        return DiskFull(_full_message(path), path)
    if code in (SQLITE_BUSY, SQLITE_LOCKED):
        return DatabaseBusy(
            f"the database {path} stayed locked by another process longer than we waited; "
            "nothing was lost: try again in a moment (is a long import running?)", path)
    if code in (SQLITE_CORRUPT, SQLITE_NOTADB):
        return damaged_error(path, str(exc))
    if code == SQLITE_IOERR:
        return StorageError(f"the disk holding {path} failed a read or write ({exc}); check "
                            "the disk, then try again", path)
    if code == SQLITE_READONLY:
        return StorageError(f"the database {path} is read-only here; check its permissions",
                            path)
    if code == SQLITE_CANTOPEN:
        return StorageError(f"the database {path} cannot be opened; check that its folder "
                            "exists and is writable", path)
    return None


def damaged_error(path: Path | str, reason: str) -> DatabaseDamaged:
    """The error for a database found damaged, saying what to do."""
    return DatabaseDamaged(
        f"the database {path} is damaged ({reason}); nothing will be written to it: close "
        "the other creator windows, then run `creator doctor --repair` (it backs the file up "
        "and rebuilds what can be read)", path)


def _full_message(path: Path | str) -> str:
    return (f"the disk holding {Path(path).parent} is full ({free_mb(path):.1f} MB free): "
            "free some space and try again")


@contextmanager
def storage_errors(path: Path | str) -> Iterator[None]:
    """Raise storage faults inside the block as `StorageError`s for the database at `path`."""
    try:
        yield
    except Exception as exc:
        error = storage_error(exc, path)
        if error is None or error is exc:
            raise
        raise error from exc
