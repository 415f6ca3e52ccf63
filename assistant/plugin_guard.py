"""The one guard around every call into a plugin's code: whatever the plugin raises (even
`sys.exit()` or its own `KeyboardInterrupt`) or returns of the wrong type becomes a
`PluginFailed` naming the plugin and what to do; a real Ctrl+C still stops the app."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from typing import Any

# SIGINTs seen since start-up, counted by the handler `watch_ctrl_c` installs: a
# KeyboardInterrupt during a plugin call is the user's Ctrl+C only if this count moved.
_ctrl_c = 0


class PluginFailed(Exception):
    """A plugin raised or returned the wrong type; the message says which and what to do."""

    def __init__(self, plugin: str, what: str, detail: str, fix: str = "") -> None:
        self.plugin, self.what, self.detail, self.fix = plugin, what, detail, fix
        self.happened = f"plugin {plugin!r} failed {what}: {detail}"  # without the advice
        said = f"{self.happened}. {fix[:1].upper()}{fix[1:]}" if fix else self.happened
        super().__init__(said)


def _count_ctrl_c(signum: int, frame: Any) -> None:
    global _ctrl_c
    _ctrl_c += 1
    signal.default_int_handler(signum, frame)  # raises KeyboardInterrupt, as Python's own does


def watch_ctrl_c() -> None:
    """Count SIGINTs (then raise KeyboardInterrupt as usual), so a plugin's own
    KeyboardInterrupt can be told from the user's Ctrl+C. Only replaces Python's default
    handler, and only from the main thread (signal handlers can be set nowhere else)."""
    if threading.current_thread() is not threading.main_thread():
        return
    try:
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            signal.signal(signal.SIGINT, _count_ctrl_c)
    except (ValueError, OSError):  # no signals here (an embedded interpreter)
        pass


def _users_ctrl_c(seen: int) -> bool:
    """Whether a KeyboardInterrupt that reached the guard came from a Ctrl+C."""
    if threading.current_thread() is not threading.main_thread():
        return False  # signals are delivered to the main thread only: it is the plugin's
    if signal.getsignal(signal.SIGINT) is not _count_ctrl_c:
        return True  # not counted here: assume the user's, so Ctrl+C always stops things
    return _ctrl_c != seen


def describe(exc: BaseException) -> str:
    if isinstance(exc, SystemExit):
        return f"called sys.exit({exc.code!r})" if exc.code is not None else "called sys.exit()"
    if isinstance(exc, KeyboardInterrupt):
        return "raised KeyboardInterrupt"
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def call_plugin(plugin: str, what: str, fn: Callable[..., Any], *args: Any,
                returns: tuple[type, ...] | Callable[[Any], bool] | None = None,
                expected: str = "", fix: str = "",
                passes: tuple[type[BaseException], ...] = (),
                **kwargs: Any) -> Any:
    """`fn(*args, **kwargs)`, the code of `plugin`, doing `what` ("in register_tasks", "the
    podcast task's prepare"). Raises PluginFailed when it raises anything but the user's
    Ctrl+C, GeneratorExit or one of `passes` (the core's own errors passing through), or when
    `returns` (types, or a test) refuses what it returned (`expected` says what was)."""
    seen = _ctrl_c
    try:
        result = fn(*args, **kwargs)
    except GeneratorExit:
        raise
    except KeyboardInterrupt as exc:
        if _users_ctrl_c(seen):
            raise
        raise PluginFailed(plugin, what, describe(exc), fix) from exc
    except passes:
        raise
    except (Exception, SystemExit) as exc:  # any bug of a plugin must not end the app
        raise PluginFailed(plugin, what, describe(exc), fix) from exc
    if returns is not None:
        ok = isinstance(result, returns) if isinstance(returns, tuple) else returns(result)
        if not ok:
            got = f"returned {type(result).__name__} {_short(result)}"
            wanted = f" instead of {expected}" if expected else ""
            raise PluginFailed(plugin, what, got + wanted, fix)
    return result


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."



def is_str_list(value: Any) -> bool:
    """A list (or tuple) of str: what a task's `check` returns."""
    return isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value)
