"""Open the one SQLite database (WAL mode) and bring its schema up to date."""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

from creator_assistant.storage.migrations import migrate


def open_db(path: Path | str) -> sqlite_utils.Database:
    """Open (creating if needed) the database at `path`, in WAL mode, migrated."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(str(path))
    db.execute("PRAGMA busy_timeout = 5000")
    if str(path) != ":memory:":
        db.enable_wal()
    db.execute("PRAGMA foreign_keys = ON")
    migrate(db)
    return db
