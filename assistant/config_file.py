"""Reading config.toml as a file, and checking it against what plugins registered: every way
the file can be wrong is one line saying what to do."""

from __future__ import annotations

import stat
import sys
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

MAX_BYTES = 1_000_000  # a config is a few KB; more is not a config (and is not read whole)
_warned: set[str] = set()  # warnings already printed by this process


def read_toml(path: Path, error: type[Exception]) -> dict[str, Any] | None:
    """The file's TOML as a dict; None when there is no file. Raises `error` otherwise."""
    try:
        info = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            raise error(f"{path} is a link to a file that does not exist. Point it at the "
                        "config file, or remove it to use the defaults.") from None
        return None
    except OSError as exc:
        raise error(f"{path}: cannot be read ({exc.strerror or exc}). Check the folder's "
                    "permissions, or set CREATOR_HOME to another folder.") from None
    if stat.S_ISDIR(info.st_mode):
        raise error(f"{path} is a folder, not a file. The config is one TOML file: move the "
                    "folder away (or remove it) and `creator config path` shows where it goes.")
    if not stat.S_ISREG(info.st_mode):
        raise error(f"{path} is not a regular file. Replace it with a TOML file, or remove it.")
    if info.st_size > MAX_BYTES:
        raise error(f"{path} is {info.st_size / 1e6:.1f} MB; a config file is a few KB. Check "
                    "that it is the right file, or remove it.")
    try:
        raw = path.read_bytes()
    except PermissionError:
        raise error(f"{path}: not allowed to read it. Make it readable (`chmod u+r {path}`) "
                    "or remove it.") from None
    except OSError as exc:
        raise error(f"{path}: cannot be read ({exc.strerror or exc}). Fix or remove it.") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise error(f"{path}: not UTF-8 text (byte 0x{raw[exc.start]:02x} on line {line}). "
                    "Save it as UTF-8, or remove it.") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{path}: not valid TOML ({exc}). Fix the file or remove it.") from None
    except RecursionError:  # arrays or tables nested thousands deep
        raise error(f"{path}: nested too deeply to read. Fix the file or remove it.") from None


def unknown_tasks(sections: Iterable[str], tasks: Iterable[str], path: Path) -> str | None:
    """A warning naming the `[tasks.NAME]` sections no plugin registers a task for, with the
    tasks there are; None when every section names a task."""
    known = sorted(tasks)
    unknown = sorted(set(sections) - set(known))
    if not unknown:
        return None
    names = ", ".join(f"[tasks.{name}]" for name in unknown)
    return (f"warning: {path}: {names} names no task, so it does nothing (a typo, or its plugin "
            f"is not installed). Tasks: {', '.join(known) or 'none'}.")


def warn_once(message: str | None) -> None:
    """Print a warning on stderr, once per process."""
    if message and message not in _warned:
        _warned.add(message)
        print(message, file=sys.stderr)
