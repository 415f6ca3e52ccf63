"""What drawing one streamed batch costs the UI thread early and late in a long Markdown reply.

No model: a 60,000-character reply shaped like a creator's script (headings, lists, a table, code)
is written into the chat screen in 400-character batches, one per frame (1/30 s), with folding on
(the product) and off. Prints one JSON line: the UI thread's mean milliseconds per batch over the
first and the last fifth of the reply for each, and late/early. The chat keeps a frame's cost flat
when late/early stays near 1.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import tempfile
import time

BATCH = 400
FRAME_S = 1 / 30
SECTION = """## Scene {n}: the hook

**Goal:** keep viewers past the first {n}0 seconds with a question they want answered.

- Open on the result, then rewind: *how did we get here?*
- Say the promise in one line and show the proof on screen.
- Cut every 3-5 seconds; keep `b-roll` ready for each claim.

| Beat | Time | Shot |
|------|------|------|
| Hook | 0:00 | close-up |
| Proof | 0:08 | screen capture |
| Turn | 0:20 | wide |

```text
VO: Most creators film first and plan later. Here is what happens when you swap them.
```

1. Film the payoff before the setup.
2. Trim anything that repeats the title.
3. End the scene on an open loop that the next one closes.

"""


def reply_text(chars: int = 60_000) -> str:
    parts, n = [], 1
    while sum(map(len, parts)) < chars:
        parts.append(SECTION.format(n=n))
        n += 1
    return "".join(parts)[:chars]


async def stream(fold: bool, text: str) -> tuple[float, float]:
    from creator_assistant.ui.app import CreatorApp
    from creator_assistant.ui.core import Core
    from creator_assistant.ui.widgets.message_view import MessageView

    core = Core()
    try:
        app = CreatorApp(core, task="chat", preload=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            log = app.screen.log_view
            view = MessageView("assistant")
            await log.add(MessageView("user", "Write the script."), view)
            await pilot.pause()
            costs = []
            for start in range(0, len(text), BATCH):
                began = time.thread_time()
                await view.body.write(text[start:start + BATCH])
                if fold:
                    log.fold_above()
                await asyncio.sleep(FRAME_S)  # the next frame: the screen draws meanwhile
                costs.append(time.thread_time() - began)
            await view.body.finish()
            assert view.text == text
    finally:
        core.close()
    fifth = len(costs) // 5
    return statistics.mean(costs[:fifth]), statistics.mean(costs[-fifth:])


def main() -> int:
    text = reply_text()
    result = {"chars": len(text), "batch": BATCH}
    with tempfile.TemporaryDirectory() as home:
        os.environ["CREATOR_HOME"] = home
        for name, fold in (("folded", True), ("unfolded", False)):
            early, late = asyncio.run(stream(fold, text))
            result[name] = {"early_ms": round(1000 * early, 1), "late_ms": round(1000 * late, 1),
                            "late_over_early": round(late / early, 2)}
    print(json.dumps(result))
    return 0
