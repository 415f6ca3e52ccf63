"""A long conversation in one process, as a chat left open all day: the Python heap
(tracemalloc, after a collection) and the resident memory measured after turn `warm` and at the
end. Run by the faults bench in a process of its own: `python -m benches.faults_soak TURNS`."""

from __future__ import annotations

import gc
import json
import os
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

CONFIG = "[tasks.chat]\nmax_tokens = 4\ncontext = 512\n"  # a small window: turns are evicted


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20


def heap_kb(session) -> float:
    """At an idle moment: the summary in flight finished, garbage collected."""
    for job in list(session.summaries.jobs.values()):
        job.wait(120)
    gc.collect()
    return tracemalloc.get_traced_memory()[0] / 1024


def soak(turns: int, warm: int, model: Path | None = None) -> dict:
    from creator_assistant.paths import Paths
    from creator_assistant.runtime.demo import ensure_demo_model
    from creator_assistant.session import Session

    shm = Path("/dev/shm")  # commits need not wait for the disk: memory is what is measured
    root = Path(tempfile.mkdtemp(prefix="faults-soak-",
                                 dir=shm if shm.is_dir() and os.access(shm, os.W_OK) else None))
    paths = Paths(root / "config", root / "data", root / "cache").ensure()
    if model is not None:
        (paths.models_dir / model.name).symlink_to(model)
    ensure_demo_model(paths.models_dir)
    paths.config_file.write_text(CONFIG)
    session = Session.open(paths)
    session.summaries.max_tokens = 16  # the summary is written (every turn evicts) but quickly
    tracemalloc.start()
    marks: dict[int, tuple[float, float]] = {}
    cid = None
    start = time.perf_counter()
    try:
        for n in range(1, turns + 1):
            turn = session.ask(f"turn {n}: more about sourdough hydration and the cold proof",
                               task="chat", conversation_id=cid)
            "".join(turn)
            cid = turn.result.conversation_id
            del turn
            if n == turns:
                peak = tracemalloc.get_traced_memory()[1] / 1024
            if n in (warm, turns):
                marks[n] = (heap_kb(session), rss_mb())
                tracemalloc.reset_peak()
        state = session.store.memory_state(cid)
    finally:
        session.close()
        shutil.rmtree(root, ignore_errors=True)
    per = 100 / (turns - warm)
    return {"turns": turns, "measured_from": warm,
            "heap_kb_per_100_turns": round((marks[turns][0] - marks[warm][0]) * per, 1),
            "rss_mb_per_100_turns": round((marks[turns][1] - marks[warm][1]) * per, 2),
            "heap_kb": [round(marks[warm][0]), round(marks[turns][0])],
            "turn_peak_kb_above_idle": round(peak - marks[warm][0]),
            "rss_mb": [round(marks[warm][1], 1), round(marks[turns][1], 1)],
            "summary_upto": state["summary_upto"], "kept_from": state["kept_from"],
            "seconds": round(time.perf_counter() - start, 1)}


if __name__ == "__main__":
    turns = int(sys.argv[1]) if len(sys.argv) > 1 else 600
    model = Path(sys.argv[2]) if len(sys.argv) > 2 else None
    print(json.dumps(soak(turns, min(200, turns // 2), model)))
