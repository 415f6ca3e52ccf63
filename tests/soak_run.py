"""The soak's thousand turns, run in a process of their own (tests/test_soak.py starts it), so
the heap measured is this chat's alone: no thread or object another test left behind in the
pytest process is counted. Prints one JSON line: the idle heap at FROM and TURNS, the peak of a
turn after FROM, and, when the heap grew past `bound_kb`, where (tracemalloc's sites).

    python -m tests.soak_run CREATOR_HOME TURNS FROM BOUND_KB
"""

from __future__ import annotations

import gc
import json
import sys
import tracemalloc
from pathlib import Path

from creator_assistant.paths import Paths
from creator_assistant.session import Session


def idle_heap(session: Session) -> int:
    """The traced heap when the chat is idle: every background job (the summary in flight)
    finished, garbage collected."""
    for job in list(session.summaries.jobs.values()):
        assert job.wait(120), "a summary job did not finish"
    for job in session.pool.scheduler.queued():
        assert job.wait(120), f"{job.name} did not finish"
    gc.collect()
    return tracemalloc.get_traced_memory()[0]


def grown_at(before: tracemalloc.Snapshot, after: tracemalloc.Snapshot) -> str:
    """Where the heap grew between two snapshots."""
    ours = [tracemalloc.Filter(False, tracemalloc.__file__)]
    diff = after.filter_traces(ours).compare_to(before.filter_traces(ours), "traceback")
    return "\n\n".join(f"{d.size_diff / 1024:+.0f} KB in {d.count_diff:+} blocks at\n"
                       + "\n".join(d.traceback.format(limit=6)) for d in diff[:4])


def soak(root: Path, turns: int, start: int, bound_kb: float) -> dict:
    paths = Paths(root / "config", root / "data", root / "cache")
    session = Session.open(paths)
    session.summaries.max_tokens = 8  # written every few turns, quickly
    tracemalloc.start(6)  # six frames a block: where it grew, when it does
    try:
        cid, marks, summaries, snap, peak = None, {}, {}, None, 0
        for n in range(1, turns + 1):
            turn = session.ask(f"turn {n}: sourdough hydration and the cold proof", task="chat",
                               conversation_id=cid)
            "".join(turn)
            if turn.result.status != "ok":
                return {"failed": f"turn {n}: {turn.result.error}"}
            cid = turn.result.conversation_id
            del turn
            if n == turns:
                peak = tracemalloc.get_traced_memory()[1]
            if n in (start, turns):
                if n == start:  # taken first: the snapshot is in both marks, not in the growth
                    idle_heap(session)
                    snap = tracemalloc.take_snapshot()
                marks[n] = idle_heap(session)
                tracemalloc.reset_peak()  # from here: the most one turn needed at once
                state = session.store.memory_state(cid)
                summaries[n] = {"summary_upto": state["summary_upto"],
                                "kept_from": state["kept_from"]}
        out = {"from_kb": marks[start] / 1024, "turns_kb": marks[turns] / 1024,
               "peak_kb": peak / 1024, "summaries": summaries}
        if (marks[turns] - marks[start]) / 1024 >= bound_kb:
            out["where"] = grown_at(snap, tracemalloc.take_snapshot())
            out["jobs"] = [(j.name, j.state, repr(j.error))
                           for j in session.summaries.jobs.values()]
        return out
    finally:
        tracemalloc.stop()
        session.close()


if __name__ == "__main__":
    home, turns, start, bound = sys.argv[1:5]
    print(json.dumps(soak(Path(home), int(turns), int(start), float(bound))))
