"""Fault injection against the real product on the demo model: `creator` killed with SIGKILL
mid-reply, many `creator ask` processes writing at once, a disk that fills up (a tmpfs; skipped
with the reason when it cannot be mounted), damaged databases, hostile files (CSVs, zips, config
files, plugins, chat templates, model files), and a long conversation in one process.

Prints one JSON line: kills survived / tried, concurrent writes lost, disk-full replies lost,
corrupt databases detected / tried, bad inputs tried / tracebacks, soak memory growth per 100
turns; each probe's details (and up to a few problems, in words) follow under "probes".
The target is 0 lost, 0 tracebacks, every damage detected. `--quick` runs a smaller version.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from benches import faults_crash, faults_inputs
from benches.faults_home import demo_model, remove_scratch, scratch

FULL = {"kills": 10, "procs": 8, "rounds": 10, "levels_kb": [16, 64, 256, 1024, 3072, 4600,
        6144], "mid_stream": 2, "db_messages": 80, "soak_turns": 500, "quick": False}
QUICK = {"kills": 4, "procs": 4, "rounds": 3, "levels_kb": [64, 1024, 4600], "mid_stream": 1,
         "db_messages": 40, "soak_turns": 250, "quick": True}


PROBES = ("kills", "concurrent", "disk_full", "corrupt", "bad_inputs", "soak")


def soak(turns: int, model: Path) -> dict:
    """In a process of its own, so its memory is the app's alone."""
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(root), *filter(None, [os.environ.get("PYTHONPATH")])])}
    proc = subprocess.run([sys.executable, "-m", "benches.faults_soak", str(turns), str(model)],
                          capture_output=True, text=True, env=env, cwd=root, timeout=900)
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        return {"error": (proc.stderr.strip().splitlines() or ["no output"])[-1]}
    return json.loads(lines[-1])


def run(sizes: dict, only: set[str] | None) -> dict:
    model = demo_model(scratch("model"))
    probes: dict[str, dict] = {}
    plan = {
        "kills": lambda: faults_crash.kills(model, sizes["kills"]),
        "concurrent": lambda: faults_crash.concurrent(model, sizes["procs"], sizes["rounds"]),
        "disk_full": lambda: faults_crash.disk_full(model, sizes["levels_kb"],
                                                    sizes["mid_stream"]),
        "corrupt": lambda: faults_inputs.corrupt(model, sizes["db_messages"]),
        "bad_inputs": lambda: faults_inputs.bad_inputs(model, sizes["quick"]),
        "soak": lambda: soak(sizes["soak_turns"], model),
    }
    for name, probe in plan.items():
        if only and name not in only:
            continue
        start = time.perf_counter()
        try:
            probes[name] = probe()
        except Exception as exc:  # a probe that breaks is reported, the others still run
            probes[name] = {"error": f"{type(exc).__name__}: {exc}"}
        probes[name]["seconds"] = round(time.perf_counter() - start, 1)
        print(f"{name}: {json.dumps(probes[name])}", file=sys.stderr, flush=True)
    return probes


def headline(probes: dict) -> dict:
    def get(probe: str, key: str) -> object:
        p = probes.get(probe)
        if p is None:
            return None
        return p.get("skipped") or p.get(key, p.get("error"))

    c = probes.get("concurrent", {})
    return {
        "kills_survived": get("kills", "survived"), "kills_tried": get("kills", "tried"),
        "concurrent_writes_tried": get("concurrent", "tried"),
        "concurrent_writes_lost": (c.get("lost", 0) + c.get("unanswered", 0)
                                   if "tried" in c else get("concurrent", "lost")),
        "concurrent_tracebacks": get("concurrent", "tracebacks"),
        "disk_full_tried": get("disk_full", "tried"),
        "disk_full_replies_lost": get("disk_full", "replies_lost"),
        "disk_full_tracebacks": get("disk_full", "tracebacks"),
        "corrupt_detected": get("corrupt", "detected"), "corrupt_tried": get("corrupt", "tried"),
        "bad_inputs_tried": get("bad_inputs", "tried"),
        "bad_inputs_tracebacks": get("bad_inputs", "tracebacks"),
        "bad_inputs_hung": get("bad_inputs", "hung"),
        "soak_heap_kb_per_100_turns": get("soak", "heap_kb_per_100_turns"),
        "soak_rss_mb_per_100_turns": get("soak", "rss_mb_per_100_turns"),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benches faults", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer tries of each probe")
    parser.add_argument("--only", help="comma-separated probes: kills, concurrent, disk_full, "
                        "corrupt, bad_inputs, soak")
    args = parser.parse_args(argv)
    only = set(args.only.split(",")) if args.only else None
    unknown = sorted((only or set()) - set(PROBES))
    if unknown:
        parser.error(f"unknown probe {', '.join(unknown)}; probes: {', '.join(PROBES)}")
    sizes = QUICK if args.quick else FULL
    start = time.perf_counter()
    try:
        probes = run(sizes, only)
    finally:
        remove_scratch()
    out = {**headline(probes), "quick": args.quick,
           "seconds": round(time.perf_counter() - start, 1), "probes": probes}
    print(json.dumps(out))
    return 0
