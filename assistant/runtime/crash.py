"""What a dead inference worker left behind: how it ended, and its last engine message."""

from __future__ import annotations

import signal
from pathlib import Path


def describe_exit(code: int | None) -> str:
    if code is None:
        return "no exit code"
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


def last_log_line(log_path: Path | None) -> str:
    if log_path is None or not log_path.exists():
        return ""
    lines = [ln for ln in log_path.read_text(errors="replace").splitlines() if ln.strip()]
    return f"; last engine message: {lines[-1].strip()[:200]}" if lines else ""


def load_problem(path: Path, said: str) -> str:
    """What is wrong with a file llama.cpp would not load: the GGUF check's finding when it has
    one (truncated, a damaged tensor table), else what llama.cpp said."""
    from creator_assistant.runtime.gguf_check import InvalidModelFile, check_gguf

    try:
        check_gguf(path)
    except InvalidModelFile as exc:
        return str(exc)
    except Exception:  # the check itself failed on this file: llama.cpp's words will do
        pass
    return said
