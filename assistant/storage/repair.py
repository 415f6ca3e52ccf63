"""`creator doctor --repair`: back a damaged database up, rebuild what can be read, swap it in.

The rows are read either from what the `sqlite3` program's `.recover` salvaged (when that
program is installed: it reads damaged pages cell by cell) or straight from the damaged file,
row by row, stepping over rows that cannot be read. They go into a new, migrated database that
replaces the old one in one rename; the old file stays beside it as `NAME.damaged-TIMESTAMP`."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from creator_assistant.storage import health
from creator_assistant.storage.db import open_db
from creator_assistant.storage.errors import StorageError
from creator_assistant.storage.rows import copy_tables

SIDE_FILES = ("-wal", "-shm")


@dataclass
class Repaired:
    backup: Path
    method: str  # "sqlite3 .recover" or "row by row"
    saved: dict[str, int] = field(default_factory=dict)
    lost: dict[str, int | None] = field(default_factory=dict)  # None: could not be counted
    unplaced: int = 0  # fragments .recover found but could not tie to a table

    def as_dict(self) -> dict[str, Any]:
        return {"backup": str(self.backup), "method": self.method, "saved": self.saved,
                "lost": self.lost, "unplaced": self.unplaced}


def repair(path: Path | str, use_cli: bool | None = None) -> Repaired:
    """Rebuild the database at `path`; `use_cli`: use `sqlite3 .recover` (None: if installed)."""
    path = Path(path)
    if not path.is_file():
        raise StorageError(f"there is no database at {path} to repair", path)
    in_use(path)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    backup = path.with_name(f"{path.name}.damaged-{stamp}")
    n = 1
    while backup.exists():  # a second repair within the same second
        n += 1
        backup = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
    work = Path(tempfile.mkdtemp(prefix=".repair-", dir=path.parent))
    try:
        for suffix in ("", *SIDE_FILES):  # the backup, and a copy to read (reading changes it)
            if Path(f"{path}{suffix}").exists():
                shutil.copy2(f"{path}{suffix}", f"{backup}{suffix}")
                shutil.copy2(f"{path}{suffix}", work / f"source.db{suffix}")
        cli = shutil.which("sqlite3") if use_cli is not False else None
        source, method = work / "source.db", "row by row"
        if cli is not None:
            if _recover(cli, source, work / "recovered.db"):
                source, method = work / "recovered.db", "sqlite3 .recover"
            else:
                method = "row by row; sqlite3 .recover failed"
        result = Repaired(backup, method)
        fresh = work / "new.db"
        db = open_db(fresh)
        try:
            with _reading(source) as src:
                result.saved, result.lost = copy_tables(src, db, _counts(work / "source.db"))
                result.unplaced = _unplaced(src)
        finally:
            db.close()  # the last connection: its WAL is checkpointed and removed
        check = health.quick_check(fresh)
        if check is not None:
            raise StorageError(f"the rebuilt database failed its check ({check}); the old "
                               f"file is unchanged and backed up at {backup}", path)
        for suffix in SIDE_FILES:  # a stale WAL must never be replayed onto the new file
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.replace(fresh, path)
        health.clear(path)
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


def in_use(path: Path) -> None:
    """Raise when another process has the database open (it would go on writing into the old
    file): SQLite's connections hold a shared lock on these bytes (its unix lock layout). Only
    with no connection open in this process: closing this file drops that process's locks."""
    try:
        import fcntl
    except ImportError:  # Windows: the file cannot be replaced while open anyway
        return
    shared_first, shared_size = 0x40000000 + 2, 510
    with path.open("r+b") as f:
        try:
            fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB, shared_size, shared_first)
        except OSError:
            raise StorageError(f"the database {path} is in use by another creator process "
                               "(a chat, an ask): close it, then run `creator doctor --repair` "
                               "again", path) from None
        fcntl.lockf(f, fcntl.LOCK_UN, shared_size, shared_first)


def _recover(cli: str, source: Path, out: Path) -> bool:
    """Salvage with `sqlite3 SOURCE .recover | sqlite3 OUT`; True when it gave a database."""
    sql = out.with_suffix(".sql")
    try:
        with sql.open("wb") as f:
            subprocess.run([cli, str(source), ".recover"], stdout=f, stderr=subprocess.DEVNULL,
                           check=True, timeout=3600)
        with sql.open("rb") as f:
            subprocess.run([cli, str(out)], stdin=f, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, check=False, timeout=3600)
        with _reading(out) as conn:
            return bool(conn.execute("select count(*) from sqlite_master").fetchone()[0])
    except (OSError, subprocess.SubprocessError, sqlite3.Error):
        return False


class _reading:
    """A plain connection to read a database that may be damaged."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(str(path), isolation_level=None)
        # Lets SQLite read a file shorter than its header says (it refuses one otherwise) and
        # a schema it finds odd; nothing is written through this connection.
        self.conn.execute("PRAGMA writable_schema = ON")
        self.conn.execute("PRAGMA query_only = ON")

    def __enter__(self) -> sqlite3.Connection:
        return self.conn

    def __exit__(self, *exc: object) -> None:
        self.conn.close()


def _counts(path: Path) -> dict[str, int]:
    """How many rows each table of the damaged file says it has, where it can say."""
    out: dict[str, int] = {}
    with _reading(path) as conn:
        try:
            names = [r[0] for r in conn.execute("select name from sqlite_master where type = "
                                                "'table'")]
        except sqlite3.DatabaseError:
            return out
        for name in names:
            try:
                out[name] = conn.execute(f'select count(*) from "{name}"').fetchone()[0]
            except sqlite3.DatabaseError:
                pass
    return out


def _unplaced(src: sqlite3.Connection) -> int:
    try:
        return int(src.execute("select count(*) from lost_and_found").fetchone()[0])
    except sqlite3.Error:
        return 0
