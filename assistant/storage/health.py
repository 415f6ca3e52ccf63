"""Is the database whole? `PRAGMA quick_check` at open (small files) and in the background.

A database found damaged is remembered (in this process, and in a marker file beside it for
the next ones) until `creator doctor --repair` rebuilds it: no write goes into it meanwhile."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from creator_assistant.storage.errors import damaged_error

__all__ = ["damaged", "damaged_error", "mark_damaged", "clear", "quick_check", "Watch", "report"]

# At open, quick_check runs when the file is this small: it reads every page (about 1 ms per
# MB from the page cache here), so a larger file is checked by the background thread instead.
QUICK_CHECK_AT_OPEN_BYTES = 16 * 1024 * 1024
FIRST_CHECK_S = 5.0  # the background check runs this long after open, then every CHECK_EVERY_S
CHECK_EVERY_S = 300.0

_damaged: dict[str, str] = {}  # resolved path -> why it is damaged
_lock = threading.Lock()


def _key(path: Path | str) -> str:
    return str(Path(path).resolve())


def marker(path: Path | str) -> Path:
    """The file beside the database that says it was found damaged, and why."""
    return Path(f"{path}-damaged")


def damaged(path: Path | str) -> str | None:
    """Why the database at `path` is known to be damaged, or None."""
    with _lock:
        reason = _damaged.get(_key(path))
    if reason is None and marker(path).is_file():
        try:
            reason = marker(path).read_text(encoding="utf-8").strip() or "found damaged earlier"
        except OSError:
            reason = "found damaged earlier"
    return reason


def mark_damaged(path: Path | str, reason: str) -> None:
    with _lock:
        _damaged.setdefault(_key(path), reason)
    try:
        marker(path).write_text(reason + "\n", encoding="utf-8")
    except OSError:  # a full or read-only disk: this process still knows
        pass


def clear(path: Path | str) -> None:
    """Forget the damage (the database was rebuilt)."""
    with _lock:
        _damaged.pop(_key(path), None)
    marker(path).unlink(missing_ok=True)


def quick_check(path: Path | str) -> str | None:
    """Run `PRAGMA quick_check` on its own connection; what it found, or None when whole.
    (Never open the database file with plain `open()` here: closing that file would drop the
    POSIX locks this process's SQLite connections hold on it, and that corrupts databases.)"""
    try:
        # mode=rw: never create a database where there is none (a folder removed meanwhile)
        conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=rw", uri=True, timeout=30,
                               check_same_thread=False)
    except sqlite3.Error:
        return None  # cannot be opened (gone, or no permission): not a sign of damage
    try:
        conn.execute("PRAGMA query_only = 1")
        rows = [r[0] for r in conn.execute("PRAGMA quick_check(5)")]
    except sqlite3.DatabaseError as exc:
        if "locked" in str(exc):
            return None  # busy is not damage: the next check will see
        return str(exc)
    finally:
        conn.close()
    return None if rows == ["ok"] else problems(rows)


def problems(rows: list[str]) -> str:
    """quick_check's report in one line: its first finding."""
    lines = [ln.strip() for r in rows for ln in str(r).splitlines()
             if ln.strip() and not ln.startswith("***")]
    more = f" (and {len(lines) - 1} more problems)" if len(lines) > 1 else ""
    return f"SQLite's check failed: {lines[0] if lines else rows}{more}"


class Watch:
    """A daemon thread that runs `quick_check` on the database shortly after `start` and then
    every `every_s` seconds, marking it damaged when the check fails."""

    def __init__(self, path: Path | str, first_s: float | None = None,
                 every_s: float | None = None) -> None:
        self.path = Path(path)
        self.first_s = FIRST_CHECK_S if first_s is None else first_s
        self.every_s = CHECK_EVERY_S if every_s is None else every_s
        self.checks = 0
        self.checked = threading.Event()  # set after each check (tests wait on it)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="db-health", daemon=True)

    def start(self) -> Watch:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def check(self) -> str | None:
        """Check now; the reason it is damaged, or None."""
        if damaged(self.path) is None and self.path.exists():
            reason = quick_check(self.path)
            if reason is not None:
                mark_damaged(self.path, reason)
        self.checks += 1
        self.checked.set()
        return damaged(self.path)

    def _run(self) -> None:
        wait = self.first_s
        while not self._stop.wait(wait):
            try:
                self.check()
            except Exception:  # the check never takes the app down; the next one runs
                pass
            wait = self.every_s


def report(path: Path | str) -> dict[str, object]:
    """The database's health for `creator doctor`: checked now (a stale damage marker that the
    check no longer confirms is cleared; new damage is marked)."""
    path = Path(path)
    if not path.exists():
        return {"path": str(path), "size_bytes": 0, "status": "not created yet", "problem": None}
    problem = quick_check(path)
    if problem is None:
        clear(path)
    else:
        mark_damaged(path, problem)
    return {"path": str(path), "size_bytes": path.stat().st_size,
            "status": "damaged" if problem else "ok", "problem": problem}
