"""Probes of the unlucky user: the app killed mid-reply, many processes writing at once, a disk
that fills up. Each returns a dict of counts (what was tried, what went wrong)."""

from __future__ import annotations

import os
import re
import select
import signal
import subprocess
import time
from pathlib import Path

from benches.faults_home import Home, scratch, traceback_in

LONG_REPLY = "[tasks.chat]\nmax_tokens = 4000\n"


def _read_until(proc: subprocess.Popen, want: int, timeout: float, after: bytes = b"",
                until: bytes = b"", got: bytes = b"") -> bytes:
    """Read stdout until `want` bytes came after the line holding `after`, or (with `until`)
    until `until` follows that line; or the time is up."""
    end = time.monotonic() + timeout
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    while time.monotonic() < end:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            got += chunk
        at = got.find(after) if after else 0
        at = got.find(b"\n", at) if after and at >= 0 else at  # the end of that line
        if at >= 0 and (got.find(until, at) >= 0 if until else len(got) - at >= want):
            break
    return got


def kills(model: Path, tries: int) -> dict:
    """kill -9 of `creator ask` / `creator chat --plain` once its reply is streaming; then the
    database must pass integrity_check, hold every message it held before, and the killed
    turn's user message; and the next command must work."""
    home = Home(scratch("kills"), model, LONG_REPLY)
    survived, problems = 0, []
    for n in range(tries):
        before = {r[0]: r for r in home.rows()}
        text = f"message {n} that is killed mid-reply"
        if n % 2 == 0:
            where = ["--conversation", _latest(home) or ""] if before else []
            proc = home.popen("ask", "--task", "chat", *where, text)
            got = _read_until(proc, 300, 90)
        else:
            proc = home.popen("chat", "--plain", "--continue", "--task", "chat", stdin=True)
            assert proc.stdin is not None
            proc.stdin.write(text.encode() + b"\n")
            proc.stdin.flush()
            got = _read_until(proc, 300, 90, after=b"[chat")
        streamed = len(got) >= 300
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        after = {r[0]: r for r in home.rows()}
        ok = home.integrity() == "ok"
        lost = [i for i, r in before.items() if after.get(i, (None,) * 5)[4] != r[4]]
        mine = any(r[3] == "user" and r[4] == text for r in after.values())
        rc, out = home.run("history", "list")
        if ok and not lost and mine and rc == 0 and not traceback_in(out):
            survived += 1
        else:
            problems.append(f"try {n}: integrity {home.integrity()!r}, {len(lost)} messages "
                            f"lost, user message {'kept' if mine else 'lost'}, next command "
                            f"rc {rc}" + (", traceback" if traceback_in(out) else ""))
        if not streamed:
            problems.append(f"try {n}: the reply had not streamed 300 bytes when killed")
    return {"tried": tries, "survived": survived, "problems": problems[:5]}


def _latest(home: Home) -> str | None:
    rows = home.rows()
    return rows[-1][1] if rows else None


def concurrent(model: Path, procs: int, rounds: int) -> dict:
    """`procs` `creator ask` at once, `rounds` times, half into one shared conversation, with a
    `chat --plain` open on it sending a message each round: every user message and a reply
    to each must be in the database, in order, with no error."""
    home = Home(scratch("concurrent"), model)
    rc, out = home.run("ask", "--task", "chat", "the shared conversation starts")
    shared = _latest(home)
    chat = home.popen("chat", "--plain", "--conversation", shared or "", "--task", "chat",
                      stdin=True)
    assert chat.stdin is not None
    sent: list[str] = []
    failed, tracebacks = 0, 0
    for r in range(rounds):
        running = []
        for p in range(procs):
            text = f"round {r} process {p} says hello"
            args = ["ask", "--task", "chat", text]
            if p % 2 == 0 and shared:
                args[1:1] = ["--conversation", shared]
            running.append(home.popen(*args))
            sent.append(text)
        line = f"round {r} from the open chat"
        chat.stdin.write(line.encode() + b"\n")
        chat.stdin.flush()
        sent.append(line)
        for proc in running:
            out, err = proc.communicate(timeout=300)
            failed += proc.returncode != 0
            tracebacks += traceback_in(out.decode(errors="replace") + err.decode(errors="replace"))
    out, err = chat.communicate(b"/quit\n", timeout=300)
    chat_text = out.decode(errors="replace") + err.decode(errors="replace")
    tracebacks += traceback_in(chat_text)
    rows = home.rows()
    users = {r[4] for r in rows if r[3] == "user"}
    lost = sum(text not in users for text in sent)
    by_conv: dict[str, list[tuple]] = {}
    for row in rows:
        by_conv.setdefault(row[1], []).append(row)
    unanswered = misordered = 0
    for conv in by_conv.values():
        seqs = [r[2] for r in conv]
        misordered += seqs != sorted(seqs) or len(set(seqs)) != len(seqs)
        users_n = sum(r[3] == "user" for r in conv)
        replies = sum(r[3] == "assistant" and r[5] != "error" for r in conv)
        unanswered += max(users_n - replies, 0)
    return {"tried": len(sent), "lost": lost, "unanswered": unanswered, "failed": failed,
            "misordered_conversations": misordered, "tracebacks": tracebacks,
            "integrity": home.integrity()}


def disk_full(model: Path, levels_kb: list[int], mid_stream: int) -> dict:
    """The home on a small tmpfs: filled to each of `levels_kb` free before `creator ask`, and
    `mid_stream` times filled to the last byte while a reply streams. A reply that streamed
    must end up saved (at once, or when space is back and the next message is sent) or in a
    file of the home; nothing saved before may be lost."""
    root = scratch("diskfull")
    mount = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(root)],
                           capture_output=True, text=True)
    if mount.returncode != 0:
        return {"skipped": f"could not mount a tmpfs ({mount.stderr.strip() or 'not root?'})"}
    try:
        home = Home(root / "home", model, link_model=False)
        model_arg = ["--model", str(model)]  # the model stays off the small disk
        home.run("ask", "--task", "chat", *model_arg, "the first message, with room to spare")
        filler = root / "filler"
        counts = {"tried": 0, "replies_streamed": 0, "replies_lost": 0,
                  "earlier_messages_lost": 0, "tracebacks": 0}
        problems: list[str] = []
        tries = [(kb, False) for kb in levels_kb] + [(0, True)] * mid_stream
        for n, (kb, during) in enumerate(tries):
            before = {r[0]: r[4] for r in home.rows()}
            home.config_file.write_text(LONG_REPLY if during else home.config)
            if not during:
                _fill(root, filler, kb)
            text = f"message {n}, sent with {'a disk filling up' if during else f'{kb} KB free'}"
            if during:  # in an open chat, the disk fills up once the reply is streaming
                body, said, nxt = _chat_filling(home, root, filler, model_arg, text)
            else:
                proc = home.popen("ask", "--json", "--task", "chat", *model_arg, text)
                out, err = proc.communicate(timeout=300)
                body = _reply_text(out.decode(errors="replace"))
                said = err.decode(errors="replace")
                filler.unlink(missing_ok=True)
                rc, nxt = home.run("ask", "--task", "chat", *model_arg, f"space is back, {n}")
            home.config_file.write_text(home.config)
            counts["tried"] += 1
            counts["tracebacks"] += traceback_in(body + said) + traceback_in(nxt)
            if body:
                counts["replies_streamed"] += 1
                # Its longest line: a notice printed among the reply's lines is not the reply.
                if not home.holds(max(body.splitlines(), key=len)):
                    counts["replies_lost"] += 1
                    last = (said.strip().splitlines() or [""])[-1][:160]
                    problems.append(f"try {n}: a {len(body)}-character reply streamed and was "
                                    f"lost ({last})")
            now = {r[0]: r[4] for r in home.rows()}
            counts["earlier_messages_lost"] += sum(now.get(i) != c for i, c in before.items())
        return {**counts, "integrity": home.integrity(), "problems": problems[:5]}
    finally:
        subprocess.run(["umount", "-l", str(root)], capture_output=True)


def _chat_filling(home: Home, root: Path, filler: Path, model_arg: list[str],
                  text: str) -> tuple[str, str, str]:
    """`chat --plain`: a message, the disk filled mid-reply, the reply's end awaited, space
    freed, one more message in the same chat (where a reply kept in memory is saved), quit.
    Returns the first reply's text, stderr, and what the chat printed after it."""
    proc = home.popen("chat", "--plain", "--continue", "--task", "chat", *model_arg, stdin=True)
    assert proc.stdin is not None
    proc.stdin.write(text.encode() + b"\n")
    proc.stdin.flush()
    got = _read_until(proc, 200, 90, after=b"[chat")
    _fill(root, filler, 0)
    got = _read_until(proc, 0, 300, after=b"[chat", until=b"you> ", got=got)
    filler.unlink(missing_ok=True)
    out, err = proc.communicate(b"space is back\n/quit\n", timeout=300)
    first = got.decode(errors="replace")
    start = first.find("\n", first.find("[chat")) + 1
    lines = first[start:].split("\n")
    body = [line for line in lines if not re.match(OUTCOME, line)]
    return ("\n".join(body).strip(), err.decode(errors="replace"),
            out.decode(errors="replace"))


# The lines `chat --plain` prints around a reply: its outcome, and the next prompt.
OUTCOME = r"^\s+\d[\d,]* tokens? ·|^\[stopped|^error:|^you> |^\s*\(question"


def _fill(root: Path, filler: Path, free_kb: int) -> None:
    stat = os.statvfs(root)
    free = stat.f_bavail * stat.f_frsize
    size = max(free - free_kb * 1024, 0)
    with open(filler, "wb") as f:
        chunk = b"\0" * (1 << 20)
        while size > 0:
            try:
                f.write(chunk[: min(size, len(chunk))])
            except OSError:
                break
            size -= len(chunk)


def _reply_text(stdout: str) -> str:
    """The reply `creator ask --json` streamed: its output before the JSON line."""
    lines = stdout.split("\n")
    ends = [i for i, line in enumerate(lines) if line.startswith('{"conversation_id"')]
    return "\n".join(lines[: ends[-1]] if ends else lines).strip()
