"""Every write goes through `write(db)`: the write lock is taken up front, waited for, retried.

A transaction that reads first and writes later (SQLite's default, DEFERRED) must upgrade its
read lock; when another process wrote in between, SQLite fails it at once with "database is
locked", skipping the busy timeout. `BEGIN IMMEDIATE` takes the write lock before anything is
read, so the busy timeout is honoured and what the transaction reads stays true until COMMIT."""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from creator_assistant.storage import health
from creator_assistant.storage.errors import (
    SQLITE_BUSY,
    SQLITE_LOCKED,
    DatabaseBusy,
    DatabaseDamaged,
    _code,
    storage_errors,
)

BUSY_TIMEOUT_MS = 5000  # how long SQLite waits for the write lock on each try
RETRY_PAUSES_S = (0.1, 0.5)  # then pauses (with jitter) before the next tries


def database_file(db: sqlite_utils.Database) -> str:
    """The file `db` is open on ("" for an in-memory database)."""
    row = db.conn.execute("PRAGMA database_list").fetchone()
    return str(row[2] or "") if row else ""


@contextmanager
def write(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """One write transaction: BEGIN IMMEDIATE (waiting, then retrying, for the lock), COMMIT at
    the end of the block, ROLLBACK if it raises. Inside another write it joins that one.
    Raises DatabaseDamaged when the database is known to be damaged, DatabaseBusy when the lock
    stays taken, and the other StorageErrors for a full disk and the like."""
    conn = db.conn
    if conn.in_transaction:
        yield db
        return
    path = database_file(db)
    shown = path or ":memory:"
    if path and (reason := health.damaged(path)) is not None:
        raise health.damaged_error(path, reason)
    try:
        with storage_errors(shown):
            _begin(conn, shown)
            try:
                yield db
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
    except DatabaseDamaged as exc:
        if path:
            health.mark_damaged(path, str(exc.__cause__ or exc))
        raise


def _begin(conn: sqlite3.Connection, path: str) -> None:
    waited = 0.0
    for pause in (*RETRY_PAUSES_S, None):
        try:
            conn.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            if _code(exc) not in (SQLITE_BUSY, SQLITE_LOCKED):
                raise
            waited += BUSY_TIMEOUT_MS / 1000
            if pause is None:
                raise DatabaseBusy(
                    f"the database {path} stayed locked by another process for about "
                    f"{waited:.0f} s, retries included; what was saved before is kept: try "
                    "again in a moment (is a long import running?)", Path(path)) from exc
            pause *= 1 + random.random()  # jitter: writers that collided do not collide again
            waited += pause
            time.sleep(pause)
