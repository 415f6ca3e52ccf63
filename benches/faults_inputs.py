"""Probes of the hostile user: damaged databases, and files made to break the app (CSVs, zips,
config files, plugins, chat templates, model files). Each returns a dict of counts."""

from __future__ import annotations

import hashlib
import random
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from benches.faults_bad import CONFIGS, CSVS, PLUGINS, TEMPLATES, ZIPS
from benches.faults_home import DAMAGE_WORDS, Home, scratch, traceback_in


def pristine_database(model: Path, messages: int) -> Path:
    """A database the app wrote, with enough pages that one in the middle holds messages."""
    from creator_assistant.storage.store import open_store

    home = Home(scratch("pristine"), model)
    store = open_store(home.database)
    cid = store.new_conversation()
    for n in range(messages):
        store.add_message(cid, "user" if n % 2 == 0 else "assistant",
                          f"message {n}: " + "a plan for a sourdough video, scene by scene. " * 60)
    store.db.close()
    with sqlite3.connect(home.database) as db:
        db.execute("pragma wal_checkpoint(truncate)")  # all in the file, as the app leaves it
    return home.database


def _garble(data: bytes, start: int, length: int, rng: random.Random) -> bytes:
    return data[:start] + rng.randbytes(length) + data[start + length:]


def damages(data: bytes) -> dict[str, bytes]:
    rng = random.Random(15)
    page = int.from_bytes(data[16:18], "big") or 65536
    pages = len(data) // page
    middle = (pages // 2) * page
    return {
        "garbled_middle_page": _garble(data, middle, page, rng),
        "zeroed_middle_page": data[:middle] + bytes(page) + data[middle + page:],
        "garbled_last_pages": _garble(data, (pages - 3) * page, 3 * page, rng),
        "garbled_header": _garble(data, 0, 100, rng),
        "truncated_to_half": data[: (pages // 2) * page],
        "not_a_database": b"these are my notes, not a database\n" * 400,
    }


def _pages(data: bytes) -> str:
    """The file's digest but for the header fields opening it may rewrite (journal mode,
    change counter, version): a write into it is a change to its pages."""
    masked = bytearray(data)
    for start, end in ((18, 20), (24, 28), (92, 100)):
        masked[start:end] = bytes(len(masked[start:end]))
    return hashlib.sha256(masked).hexdigest()


COMMANDS = (("history", "list"), ("ask", "--task", "chat", "hello after the damage"),
            ("ideas", "list"))


def corrupt(model: Path, messages: int) -> dict:
    """Each damage to a copy of a real database, then commands on it: detected when every
    command says so clearly (no traceback, no silent success) and none writes into it."""
    data = pristine_database(model, messages).read_bytes()
    detected, wrote, tracebacks, problems = 0, 0, 0, []
    kinds = damages(data)
    for name, damaged in kinds.items():
        home = Home(scratch(f"corrupt-{name}"), model)
        home.database.write_bytes(damaged)
        digest = _pages(damaged)
        clear = True
        for args in COMMANDS:
            rc, out = home.run(*args, timeout=120)
            tb = traceback_in(out)
            tracebacks += tb
            if tb or rc is None or not DAMAGE_WORDS.search(out):
                clear = False
                what = "a traceback" if tb else "a hang" if rc is None else f"exit {rc}, no word"
                problems.append(f"{name}: `creator {' '.join(args[:2])}` gave {what}")
        wal = home.database.with_name(home.database.name + "-wal")
        changed = (_pages(home.database.read_bytes()) != digest if home.database.exists()
                   else True) or (wal.exists() and wal.stat().st_size)
        wrote += bool(changed)
        detected += clear and not changed
        if changed:
            problems.append(f"{name}: the damaged file was written to")
    return {"tried": len(kinds), "detected": detected, "written_to": wrote,
            "tracebacks": tracebacks, "problems": problems[:6]}


def bad_inputs(model: Path, quick: bool = False) -> dict:
    """Every hostile file through the commands that read it (`quick`: every other one), two at
    a time, each in a home of its own; counts the outputs that hold a Python traceback, and
    the runs that hung past their time limit."""
    root = scratch("inputs")
    files = root / "files"
    files.mkdir(parents=True, exist_ok=True)
    runs: list[tuple[str, Home, tuple[str, ...]]] = []

    def home(name: str) -> Home:
        return Home(root / name.replace(" ", "-"), model)

    for name, content in {**CSVS, **ZIPS}.items():
        path = files / name
        path.write_bytes(content() if callable(content) else content)
        runs.append((f"file {name}", home(name), ("import", str(path))))
    for name, write in CONFIGS.items():
        h = home(f"config-{name}")
        write(h.config_file)
        runs.append((f"config {name}", h, ("ask", "--task", "chat", "hi")))
    for name, source in PLUGINS.items():
        h = home(f"plugin-{name}")
        h.plugins_dir.mkdir(parents=True, exist_ok=True)
        (h.plugins_dir / f"{name}.py").write_text(source)
        runs += [(f"plugin {name}", h, ("plugins", "list")),
                 (f"plugin {name}", h, ("ask", "--task", "hostile", "hi"))]
    models = {**_template_models(files), **_model_files(model, files)}
    for name, path in models.items():
        runs.append((f"model {name}", home(f"model-{name}"), ("ask", "--model", str(path), "hi")))
    if quick:
        runs = runs[::2]
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda r: r[1].run(*r[2], timeout=90), runs))
    tracebacks, hung, problems = 0, 0, []
    for (label, _, args), (rc, out) in zip(runs, results, strict=True):
        if traceback_in(out):
            tracebacks += 1
            last = [line for line in out.splitlines() if line.strip()][-1:] or [""]
            problems.append(f"{label}: `creator {' '.join(args[:2])}`: {last[0][:140]}")
        if rc is None:
            hung += 1
            problems.append(f"{label}: `creator {' '.join(args[:2])}` ran past 90 s")
    return {"tried": len(runs), "tracebacks": tracebacks, "hung": hung,
            "problems": problems[:12]}


def _template_models(folder: Path) -> dict[str, Path]:
    from creator_assistant.runtime.demo import DemoShape, build_demo_model

    return {name: build_demo_model(folder / f"template-{name}.gguf",
                                   DemoShape(chat_template=template))
            for name, template in TEMPLATES.items()}


def _model_files(model: Path, folder: Path) -> dict[str, Path]:
    data = model.read_bytes()
    out = {"truncated.gguf": data[: len(data) // 3], "random.gguf": random.Random(1).randbytes(4096),
           "header_only.gguf": data[:64], "empty.gguf": b""}
    for name, content in out.items():
        (folder / name).write_bytes(content)
    return {name: folder / name for name in out}
