"""Memory of a long chat in one process: `python -m benches chat_soak [TURNS]`.

Sends TURNS (default 400) short messages through the real chat UI (Textual's pilot) on the
demo model, and prints one JSON line: the Python heap (tracemalloc, after a collection) and the
resident size at turns 50, 100, 200, ... and the growth per 100 turns over the second half; the
message views alive against those mounted (views that leave the screen must leave memory)."""

from __future__ import annotations

import asyncio
import gc
import json
import os
import sys
import tempfile
import tracemalloc
from pathlib import Path


def rss_mb() -> float:
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


async def soak(turns: int) -> dict:
    from creator_assistant.paths import get_paths
    from creator_assistant.ui.app import CreatorApp
    from creator_assistant.ui.core import Core
    from creator_assistant.ui.widgets.message_view import MessageView

    paths = get_paths().ensure()
    paths.config_file.write_text("[tasks.chat]\nmax_tokens = 6\n")
    core = Core(paths)
    marks: dict[int, dict] = {}
    try:
        app = CreatorApp(core, preload=False)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = app.screen
            log = screen.log_view
            tracemalloc.start()
            for i in range(1, turns + 1):
                screen.prompt.text = f"tell me about video idea number {i} for my cooking channel"
                await pilot.press("enter")
                while not (screen.reply is None and len(log.messages) >= 2
                           and log.messages[-1].info is not None
                           and log.messages[-2].text.startswith(f"tell me about video idea number {i} ")):
                    await pilot.pause(0.01)
                if i in (50, 100) or i % 100 == 0:
                    gc.collect()
                    alive = sum(isinstance(o, MessageView) for o in gc.get_objects())
                    marks[i] = {"heap_mb": round(tracemalloc.get_traced_memory()[0] / 1e6, 2),
                                "rss_mb": round(rss_mb(), 1), "views_alive": alive,
                                "views_mounted": len(log.messages)}
    finally:
        core.close()
    half = [t for t in marks if t >= turns // 2]
    first, last = min(half), max(half)
    per100 = 100 / max(last - first, 1)
    return {"turns": turns, "marks": marks,
            "heap_mb_per_100_turns": round((marks[last]["heap_mb"] - marks[first]["heap_mb"])
                                           * per100, 2),
            "rss_mb_per_100_turns": round((marks[last]["rss_mb"] - marks[first]["rss_mb"])
                                          * per100, 2)}


def main(argv: list[str]) -> int:
    if argv and not argv[0].isdigit():
        print(__doc__, file=sys.stderr)
        return 2
    turns = int(argv[0]) if argv else 400
    with tempfile.TemporaryDirectory(dir="/dev/shm" if os.path.isdir("/dev/shm") else None) as home:
        os.environ["CREATOR_HOME"] = home
        print(json.dumps(asyncio.run(soak(turns))))
    return 0
