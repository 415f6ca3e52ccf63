"""Open the one SQLite database (WAL mode), check it is whole and bring its schema up to date."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import sqlite_utils

from creator_assistant.storage import health
from creator_assistant.storage.errors import (
    SQLITE_BUSY,
    SQLITE_LOCKED,
    DatabaseDamaged,
    _code,
    storage_errors,
)
from creator_assistant.storage.migrations import migrate
from creator_assistant.storage.writes import BUSY_TIMEOUT_MS, write

__all__ = ["open_db", "write"]

T = TypeVar("T")


def open_db(path: Path | str) -> sqlite_utils.Database:
    """Open (creating if needed) the database at `path`, in WAL mode, checked and migrated.
    Raises DatabaseDamaged (with what to do) when the file is not a whole database."""
    memory = str(path) == ":memory:"
    if not memory:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        if (reason := health.damaged(path)) is not None:
            raise health.damaged_error(path, reason)
    try:
        with storage_errors(path):
            db = sqlite_utils.Database(str(path))
            try:
                _setup(db, memory)
                if not memory:
                    _check(db, Path(path))
                migrate(db)
            except BaseException:
                db.close()
                raise
    except DatabaseDamaged as exc:
        if exc.__cause__ is not None and not memory:  # SQLite's own words: remember them
            health.mark_damaged(path, str(exc.__cause__))
        raise
    return db


def _setup(db: sqlite_utils.Database, memory: bool) -> None:
    # No implicit transactions: every write is one explicit `write(db)` (BEGIN IMMEDIATE).
    db.conn.isolation_level = None
    db.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    if not memory:
        _retry(db.enable_wal)  # switching a new file to WAL takes the lock once
        # Keep the WAL file from staying large after a burst of writes is checkpointed.
        db.conn.execute("PRAGMA journal_size_limit = 67108864")
    db.conn.execute("PRAGMA foreign_keys = ON")


def _check(db: sqlite_utils.Database, path: Path) -> None:
    """Reading the schema finds a file that is not a database or a garbled first page;
    quick_check, when the file is small enough for it to be quick, finds the rest (a bad page,
    a file cut short; a larger file is left to the background check)."""
    db.conn.execute("select count(*) from sqlite_master").fetchone()
    if path.stat().st_size <= health.QUICK_CHECK_AT_OPEN_BYTES:
        rows = [r[0] for r in db.conn.execute("PRAGMA quick_check(5)")]
        if rows != ["ok"]:
            reason = health.problems(rows)
            health.mark_damaged(path, reason)
            raise health.damaged_error(path, reason)


def _retry(fn: Callable[[], T], tries: int = 3) -> T:
    for attempt in range(tries):
        try:
            return fn()
        except sqlite3.OperationalError as exc:
            if _code(exc) not in (SQLITE_BUSY, SQLITE_LOCKED) or attempt == tries - 1:
                raise
            time.sleep(0.1 * (attempt + 1))
    raise AssertionError("unreachable")
