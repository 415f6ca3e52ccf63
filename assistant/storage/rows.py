"""Copy every row that can be read from a damaged database into a new one (for repair.py)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

import sqlite_utils

from creator_assistant.storage.writes import write

# Parents before the tables that point at them; any other table comes after, by name.
ORDER = ("conversations", "messages", "conversation_memory", "token_counts", "data_imports",
         "data_rows", "ideas", "pillars")
SKIP = ("_migrations",)  # the new database records its own
BATCH = 500
FIRST_ROWID = -(2**63)
LAST_ROWID = 2**63 - 1


def tables(db: sqlite_utils.Database) -> list[str]:
    """The new database's own tables, in copy order (full-text indexes fill themselves)."""
    names = [t for t in db.table_names() if t not in SKIP and "_fts" not in t]
    return sorted(names, key=lambda t: (ORDER.index(t) if t in ORDER else len(ORDER), t))


def copy_tables(src: sqlite3.Connection, db: sqlite_utils.Database,
                counts: dict[str, int]) -> tuple[dict[str, int], dict[str, int | None]]:
    """Copy what can be read of each table; (rows saved, rows lost) per table, lost being
    None where the damaged file could not say how many it had."""
    saved: dict[str, int] = {}
    lost: dict[str, int | None] = {}
    with write(db):
        for table in tables(db):
            cols = _common_columns(src, db, table)
            n = 0
            if cols:
                for row in readable_rows(src, table, cols):
                    n += _insert(db, table, cols, row)
            saved[table] = n
            had = counts.get(table)
            lost[table] = None if had is None else max(0, had - n)
    return saved, lost


def _common_columns(src: sqlite3.Connection, db: sqlite_utils.Database, table: str) -> list[str]:
    try:
        have = [r[1] for r in src.execute(f'PRAGMA table_info("{table}")')]
    except sqlite3.DatabaseError:
        return []
    return [c for c in db[table].columns_dict if c in have]


def _names(cols: list[str]) -> str:
    return ", ".join(f'"{c}"' for c in cols)


def _insert(db: sqlite_utils.Database, table: str, cols: list[str], row: tuple) -> int:
    """Insert one row; 1 if it went in. A message whose conversation was lost gets a stand-in
    conversation, so it can still be read."""
    sql = (f'insert or ignore into "{table}" ({_names(cols)}) '
           f'values ({", ".join("?" * len(cols))})')
    try:
        return db.conn.execute(sql, row).rowcount
    except sqlite3.IntegrityError:
        if table != "messages" or "conversation_id" not in cols:
            return 0
        values: dict[str, Any] = dict(zip(cols, row, strict=True))
        db.conn.execute("insert or ignore into conversations (id, title, task, created, updated)"
                        " values (?, '(recovered messages)', '', ?, ?)",
                        [values["conversation_id"], values.get("created"), values.get("created")])
        try:
            return db.conn.execute(sql, row).rowcount
        except sqlite3.IntegrityError:
            return 0


def readable_rows(conn: sqlite3.Connection, table: str, cols: list[str]) -> Iterator[tuple]:
    """The rows of `table` in rowid order, stepping over the ones that cannot be read."""
    sql = (f'select rowid, {_names(cols)} from "{table}" where rowid > ? order by rowid '
           "limit ?")
    last = FIRST_ROWID
    while True:
        rows: list[tuple] | None
        try:
            rows = conn.execute(sql, [last, BATCH]).fetchall()
        except sqlite3.DatabaseError:
            rows = _one_by_one(conn, sql, last)
        if not rows:
            return
        for row in rows:
            yield tuple(row[1:])
        last = rows[-1][0]


def _one_by_one(conn: sqlite3.Connection, sql: str, last: int) -> list[tuple] | None:
    """The next readable row after `last` (a list of one), or None when none can be read."""
    try:
        return conn.execute(sql, [last, 1]).fetchall()
    except sqlite3.DatabaseError:
        pass
    # Unreadable just after `last`: find the smallest start that reads (doubling the step,
    # then halving back), giving up the rows in between.
    step, bad, good = 1, last, None
    while good is None:
        probe = min(last + step, LAST_ROWID)
        if _reads(conn, sql, probe):
            good = probe
        elif probe == LAST_ROWID:
            return None
        else:
            bad, step = probe, step * 2
    while good - bad > 1:
        mid = (good + bad) // 2
        if _reads(conn, sql, mid):
            good = mid
        else:
            bad = mid
    return conn.execute(sql, [good, 1]).fetchall()


def _reads(conn: sqlite3.Connection, sql: str, start: int) -> bool:
    try:
        conn.execute(sql, [start, 1]).fetchall()
        return True
    except sqlite3.DatabaseError:
        return False
