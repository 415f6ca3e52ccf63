"""What the fault probes share: a private CREATOR_HOME with the demo model, `creator` run as a
real process in it, and reading its database the way a checker would (read-only)."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

# What a user should see for a damaged database instead of a traceback or nothing at all.
DAMAGE_WORDS = re.compile(r"damaged|corrupt|malformed|not a database|integrity|repair", re.I)


def demo_model(cache: Path) -> Path:
    """The demo GGUF, built once per bench run (as the tests' fixture does)."""
    from creator_assistant.runtime.demo import ensure_demo_model

    cache.mkdir(parents=True, exist_ok=True)
    return ensure_demo_model(cache)


@dataclass
class Home:
    """One CREATOR_HOME; `run` starts `creator` in it and returns (exit code, all output)."""

    root: Path
    model: Path
    config: str = "[tasks.chat]\nmax_tokens = 8\n"
    link_model: bool = True
    env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for sub in ("config", "data/models", "cache"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        self.config_file.write_text(self.config)
        target = self.root / "data" / "models" / self.model.name
        if self.link_model and not target.exists():
            try:
                os.link(self.model, target)
            except OSError:
                shutil.copy(self.model, target)
        self.env = {**os.environ, "CREATOR_HOME": str(self.root), "PYTHONUNBUFFERED": "1",
                    "NO_COLOR": "1", **self.env}

    @property
    def config_file(self) -> Path:
        return self.root / "config" / "config.toml"

    @property
    def database(self) -> Path:
        return self.root / "data" / "creator.db"

    @property
    def plugins_dir(self) -> Path:
        return self.root / "config" / "plugins"

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "creator_assistant", *args]

    def run(self, *args: str, stdin: str = "", timeout: float = 120) -> tuple[int | None, str]:
        """Exit code (None: killed after `timeout`) and stdout + stderr."""
        try:
            proc = subprocess.run(self.command(*args), input=stdin, capture_output=True,
                                  text=True, env=self.env, timeout=timeout, errors="replace")
        except subprocess.TimeoutExpired as exc:
            out = (exc.stdout or b"") + (exc.stderr or b"")
            return None, out.decode("utf-8", "replace") if isinstance(out, bytes) else out
        return proc.returncode, proc.stdout + proc.stderr

    def popen(self, *args: str, stdin: bool = False) -> subprocess.Popen:
        return subprocess.Popen(self.command(*args), env=self.env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE,
                                stdin=subprocess.PIPE if stdin else subprocess.DEVNULL)

    # -- the database, as a checker reads it ------------------------------------------------

    def rows(self) -> list[tuple]:
        """(id, conversation, seq, role, content, status) of every message; [] without one."""
        if not self.database.exists():
            return []
        with _ro(self.database) as db:
            return db.execute("select id, conversation_id, seq, role, content, status "
                              "from messages order by id").fetchall()

    def integrity(self) -> str:
        if not self.database.exists():
            return "ok"
        try:
            with _ro(self.database) as db:
                return "; ".join(r[0] for r in db.execute("pragma integrity_check").fetchall())
        except sqlite3.DatabaseError as exc:
            return f"error: {exc}"

    def holds(self, text: str) -> bool:
        """`text` is in a message or in any file of the home (the exports folder, a saved
        reply): a reply kept somewhere the user can get it back from."""
        if any(text in (r[4] or "") for r in self.rows()):
            return True
        for path in self.root.rglob("*"):
            if path.is_file() and path.suffix not in (".gguf", ".db", ".db-wal", ".db-shm"):
                try:
                    if text in path.read_text(errors="replace"):
                        return True
                except OSError:
                    continue
        return False


class _ro:
    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)

    def __enter__(self) -> sqlite3.Connection:
        return self.db

    def __exit__(self, *exc: object) -> None:
        self.db.close()


def traceback_in(out: str) -> bool:
    return "Traceback (most recent call last)" in out


MADE: list[Path] = []  # every scratch folder, removed when the bench ends


def scratch(prefix: str) -> Path:
    path = Path(tempfile.mkdtemp(prefix=f"faults-{prefix}-"))
    MADE.append(path)
    return path


def remove_scratch() -> None:
    while MADE:
        shutil.rmtree(MADE.pop(), ignore_errors=True)
