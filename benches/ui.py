"""A 10,000-token reply streamed into the chat UI against the same reply generated without it.

Both runs go through Session.ask on the same worker, with greedy sampling, so they produce the
same tokens; each is timed from the message to its last token shown (UI) or read (raw). Rounds
alternate which goes first. Prints one JSON line: tokens, ui_tps and raw_tps (medians), ratio
(the median of the rounds' ui/raw ratios) and each round's ratio; `ui_added_s`, the seconds the
UI run took beyond the worker's own time for the same reply in that run (immune to the drift in
machine speed that makes single rounds swing); the share of a core the UI thread used while
streaming, and its time per batch drawn early and late in the reply (equal when the cost of a
frame does not grow with the reply); and the load average (other processes slow generation too).
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from benches.synth import cached_model
from creator_assistant.runtime.demo import DemoShape

TOKENS = 10_000
ROUNDS = 7
PROMPT = "Write a very long story about a creator's year of videos."
# The demo model's weights with a window long enough for the whole reply (a reply may use at
# most half the window).
DEMO_32K = DemoShape(context=32768)


def raw_run(core, model: Path) -> tuple[int, float]:
    """Tokens and seconds for a reply read straight off the turn, on the core thread."""

    def run() -> tuple[int, float]:
        start = time.perf_counter()
        turn = core.session.ask(PROMPT, task="chat", model=str(model))
        for _ in turn:
            pass
        return turn.result.usage.completion_tokens, time.perf_counter() - start

    return core.run(run)


async def ui_run(core, model: Path) -> tuple[int, float, float, float, tuple[float, float]]:
    """Tokens and seconds for the same reply sent from the chat screen, until it is drawn, and
    the share of one core the UI thread used meanwhile, the worker's own seconds, and the UI
    thread's mean time per batch drawn in the first and the last fifth of the reply."""
    from creator_assistant.ui.app import CreatorApp
    from creator_assistant.ui.widgets.reply_body import ReplyBody

    app = CreatorApp(core, task="chat", model=str(model), preload=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        done = asyncio.Event()
        ended: dict[str, object] = {}
        finished = screen.finished

        def record(view, outcome) -> None:
            finished(view, outcome)
            ended["at"], ended["outcome"] = time.perf_counter(), outcome
            done.set()

        screen.finished = record
        # The UI thread's time between batches: the cost of drawing each one.
        stamps: list[float] = []
        write = ReplyBody.write

        async def timed(body, text: str) -> None:
            stamps.append(time.thread_time())
            await write(body, text)

        ReplyBody.write = timed
        start, cpu = time.perf_counter(), time.thread_time()
        await screen.send(PROMPT)
        await done.wait()
        cpu = time.thread_time() - cpu
        ReplyBody.write = write
        costs = [b - a for a, b in zip(stamps, stamps[1:])]
        fifth = max(len(costs) // 5, 1)
        frames = (statistics.mean(costs[:fifth]), statistics.mean(costs[-fifth:]))
        outcome = ended["outcome"]
        assert outcome.result is not None and outcome.result.status == "ok", outcome
        shown = screen.log_view.messages[-1].text
        assert shown == outcome.result.text, "the UI lost text"
        took = ended["at"] - start
        usage = outcome.result.usage
        return usage.completion_tokens, took, cpu / took, usage.total_ms / 1000, frames


def main() -> int:
    with tempfile.TemporaryDirectory() as home:
        os.environ["CREATOR_HOME"] = home
        from creator_assistant.paths import get_paths
        from creator_assistant.ui.core import Core

        model = cached_model("demo-32k", DEMO_32K)
        paths = get_paths().ensure()
        paths.config_file.write_text(
            f"[tasks.chat]\nmax_tokens = {TOKENS}\ncontext = 32768\ntemperature = 0.0\n"
            "top_k = 1\ntop_p = 1.0\nmin_p = 0.0\nrepeat_penalty = 1.0\nseed = 1\n"
        )
        core = Core(paths)
        try:
            raw_run(core, model)  # warm: load the model, fill the page cache
            ui, raw, shares, added, early, late = [], [], [], [], [], []
            for i in range(ROUNDS):
                # Side by side, alternating which goes first, so drifting load hits both alike.
                if i % 2:
                    n_ui, s_ui, share, worker_s, frames = asyncio.run(ui_run(core, model))
                    n_raw, s_raw = raw_run(core, model)
                else:
                    n_raw, s_raw = raw_run(core, model)
                    n_ui, s_ui, share, worker_s, frames = asyncio.run(ui_run(core, model))
                shares.append(share)
                added.append(s_ui - worker_s)
                early.append(frames[0])
                late.append(frames[1])
                assert n_raw == n_ui, (n_raw, n_ui)
                raw.append(n_raw / s_raw)
                ui.append(n_ui / s_ui)
        finally:
            core.close()
    ui_tps, raw_tps = statistics.median(ui), statistics.median(raw)
    ratio = statistics.median(u / r for u, r in zip(ui, raw, strict=True))
    print(json.dumps({
        "model": "demo model weights, 32K window", "tokens": n_ui, "rounds": ROUNDS,
        "ui_tps": round(ui_tps, 1), "raw_tps": round(raw_tps, 1),
        "ratio": round(ratio, 3),
        "round_ratios": [round(u / r, 3) for u, r in zip(ui, raw, strict=True)],
        "ui_added_s": round(statistics.median(added), 3),
        "batch_ms_first_fifth": round(1000 * statistics.median(early), 1),
        "batch_ms_last_fifth": round(1000 * statistics.median(late), 1),
        "ui_thread_cpu": round(statistics.median(shares), 3),
        "load_average": round(os.getloadavg()[0], 2),
    }))
    return 0
