"""Plugins cannot take the app down: real plugin files in the user's folder, real `creator` runs.

Whatever a plugin's code raises (`sys.exit()` and its own KeyboardInterrupt included) or returns
of the wrong type is one line naming the plugin and what to do; the reply is saved as an error;
`plugins list` shows every failure; the user's Ctrl+C still stops the app.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

FAULTY = """
    import sys
    from creator_assistant.api import Prepared, Task, hookimpl

    def fault(kind):
        def run(*args):
            if kind == "raise":
                raise ValueError("a bug in the plugin")
            if kind == "exit":
                sys.exit(2)
            if kind == "interrupt":
                raise KeyboardInterrupt
            return {"prepare": "a string", "check": "not a list", "checklist": [1, 2]}[kind]
        return run

    def fine(ctx):
        return Prepared(user=ctx.message)

    @hookimpl
    def register_tasks(register):
        for kind in ("raise", "exit", "interrupt", "prepare"):
            register(Task(name=f"prep-{kind}", description="x", system_prompt="x",
                          prepare=fault(kind)))
        for kind in ("raise", "exit", "interrupt", "check", "checklist"):
            register(Task(name=f"check-{kind}", description="x", system_prompt="x",
                          prepare=fine, check=fault(kind)))
"""


def write_plugin(home: Path, name: str, source: str) -> Path:
    folder = home / "config" / "plugins"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.py"
    path.write_text(textwrap.dedent(source))
    return path


def creator(home: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "CREATOR_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "creator_assistant", *args], input=stdin,
                          capture_output=True, text=True, env=env, timeout=120)


def last_reply(home: Path) -> dict:
    db = sqlite3.connect(home / "data" / "creator.db")
    db.row_factory = sqlite3.Row
    try:
        row = db.execute("SELECT * FROM messages WHERE role = 'assistant' "
                         "ORDER BY id DESC LIMIT 1").fetchone()
        return dict(row)
    finally:
        db.close()


class TestTaskCode:
    """A task's prepare or check that fails in any way is an error reply naming the plugin."""

    @pytest.mark.parametrize("task, said", [
        ("prep-raise", "ValueError: a bug in the plugin"),
        ("prep-exit", "called sys.exit(2)"),
        ("prep-interrupt", "raised KeyboardInterrupt"),
        ("prep-prepare", "returned str 'a string' instead of a Prepared"),
        ("check-raise", "ValueError: a bug in the plugin"),
        ("check-exit", "called sys.exit(2)"),
        ("check-interrupt", "raised KeyboardInterrupt"),
        ("check-check", "returned str 'not a list' instead of a list of str"),
        ("check-checklist", "returned list [1, 2] instead of a list of str"),
    ])
    def test_a_failing_task_is_an_error_reply_naming_the_plugin(self, home, task, said):
        path = write_plugin(home, "faulty", FAULTY)
        out = creator(home, "ask", "--task", task, "hello there")
        assert out.returncode == 1, out.stderr
        assert "Traceback" not in out.stderr
        errors = [line for line in out.stderr.splitlines() if line.startswith("creator: ")]
        assert len(errors) == 1, out.stderr
        when = "before replying" if task.startswith("prep") else "checking its reply"
        assert errors[0].startswith(f"creator: the {task} task (plugin 'faulty') failed {when}")
        assert said in errors[0] and f"fix or remove {path}" in errors[0]
        reply = last_reply(home)
        assert reply["status"] == "error" and reply["task"] == task
        if task == "prep-exit":  # the process went on: the next message is answered as usual
            again = creator(home, "ask", "--task", "chat", "hello again")
            assert again.returncode == 0, again.stderr

    def test_the_users_ctrl_c_in_a_slow_prepare_still_stops_the_app(self, home):
        write_plugin(home, "slow", """
            import sys, threading
            from creator_assistant.api import Prepared, Task, hookimpl

            def slow(ctx):
                print("preparing", file=sys.stderr, flush=True)
                threading.Event().wait(120)  # until the user's Ctrl+C
                return Prepared(user=ctx.message)

            @hookimpl
            def register_tasks(register):
                register(Task(name="slow", description="x", system_prompt="x", prepare=slow))
        """)
        env = {**os.environ, "CREATOR_HOME": str(home)}
        proc = subprocess.Popen([sys.executable, "-m", "creator_assistant", "ask", "--task",
                                 "slow", "hello"], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=env)
        try:
            seen = []
            for line in proc.stderr:  # the plugin says when it is inside prepare
                seen.append(line)
                if line.strip() == "preparing":
                    break
            proc.send_signal(signal.SIGINT)
            rest = proc.stderr.read()
            assert proc.wait(timeout=60) == 130, "".join(seen) + rest
        finally:
            proc.kill()
            proc.wait()
        assert "interrupted" in rest and "Traceback" not in rest
        assert "KeyboardInterrupt" not in rest  # not reported as the plugin's failure
        assert last_reply(home)["status"] == "stopped"


class TestRegistration:
    """Failures at start-up never stop a command, and `plugins list` shows every one."""

    def test_sys_exit_in_a_registration_hook_stops_nothing(self, home):
        write_plugin(home, "quitter", """
            import sys
            from creator_assistant.api import Task, hookimpl

            @hookimpl
            def register_tasks(register):
                register(Task(name="quit-task", description="x", system_prompt="x"))
                sys.exit(0)

            @hookimpl
            def register_commands(register):
                raise KeyboardInterrupt
        """)
        write_plugin(home, "exitsonload", "import sys\nsys.exit('bye')\n")
        listing = creator(home, "plugins", "list")
        assert listing.returncode == 0, listing.stderr
        lines = listing.stdout.splitlines()
        quitter = lines.index(next(ln for ln in lines if ln.startswith("quitter file")))
        assert "tasks: quit-task; FAILED in a hook" in lines[quitter]
        assert "error: plugin 'quitter' failed in register_tasks: called sys.exit(0)" in \
            lines[quitter + 1]
        assert "error: plugin 'quitter' failed in register_commands: raised KeyboardInterrupt" \
            in lines[quitter + 2]
        assert "to fix: fix or remove" in lines[quitter + 3]
        assert any("exitsonload file" in ln and "FAILED to load" in ln for ln in lines)
        assert "failed to load (line 2): called sys.exit('bye')" in listing.stdout
        assert "chat 0.1.0 (creator-assistant) — tasks: chat" in listing.stdout
        answered = creator(home, "ask", "--task", "chat", "hello")
        assert answered.returncode == 0 and answered.stdout.strip(), answered.stderr

    def test_every_registration_failure_is_listed_and_the_good_ones_register(self, home):
        write_plugin(home, "messy", """
            from creator_assistant.api import Command, Task, hookimpl

            @hookimpl
            def register_tasks(register):
                register("not a task")
                register(Task(name="chat", description="x", system_prompt="x"))
                register(Task(name="messy-task", description="x", system_prompt="x"))

            @hookimpl
            def register_commands(register):
                register(Command("bad name!", "x", lambda args, ctx: ""))
                register(Command("messy", "x", lambda args, ctx: "fine"))
        """)
        listing = creator(home, "plugins", "list", "--json")
        row = next(r for r in json.loads(listing.stdout) if r["name"] == "messy")
        assert row["registered"] == {"tasks": ["messy-task"], "commands": ["messy"]}
        assert [e.split(": ", 1)[1] for e in row["errors"]] == [
            "expected a Task, got str",
            "task 'chat' from plugin 'messy' is already registered by 'chat'",
            "command name 'bad name!' must be letters, digits, - or _",
        ]
        assert "change the name in" in row["fix"]

    def test_a_failing_or_wrong_score_message_is_listed_and_routing_goes_on(self, home):
        write_plugin(home, "scorers", """
            from creator_assistant.api import hookimpl

            @hookimpl
            def score_message(message, context):
                raise SystemExit(1)
        """)
        write_plugin(home, "wrongscore", """
            from creator_assistant.api import hookimpl

            @hookimpl
            def score_message(message, context):
                return {"chat": 1.0}
        """)
        listing = creator(home, "plugins", "list")
        assert "error: plugin 'scorers' failed in score_message: called sys.exit(1)" \
            in listing.stdout
        assert ("error: plugin 'wrongscore' failed in score_message: returned dict "
                "{'chat': 1.0} instead of a list of Score") in listing.stdout
        answered = creator(home, "ask", "hello, how are you?")
        assert answered.returncode == 0, answered.stderr
        warnings = [ln for ln in answered.stderr.splitlines() if ln.startswith("warning: ")]
        assert len(warnings) == 2 and all("score_message" in w for w in warnings)


def test_a_backend_factory_that_exits_is_one_line(home):
    write_plugin(home, "exitbackend", """
        import sys
        from creator_assistant.api import hookimpl

        @hookimpl
        def register_backends(register):
            register("weird", lambda name, config: sys.exit(4))
    """)
    (home / "config" / "config.toml").write_text(
        '[remotes.lab]\nbase_url = "http://127.0.0.1:9"\nkind = "weird"\n'
        '[tasks.chat]\nbackend = "lab"\n')
    out = creator(home, "ask", "--task", "chat", "hello")
    assert out.returncode == 1 and "Traceback" not in out.stderr, out.stderr
    assert ("creator: plugin 'exitbackend' failed making the 'weird' backend: called "
            "sys.exit(4). Fix or remove") in out.stderr


class TestCommands:
    """A slash command that fails in any way is one line in the chat, which goes on."""

    def test_failing_commands_are_reported_and_the_chat_goes_on(self, home):
        write_plugin(home, "cmds", """
            import sys
            from creator_assistant.api import Command, hookimpl

            def bye(args, ctx):
                sys.exit(5)

            def interrupt(args, ctx):
                raise KeyboardInterrupt

            @hookimpl
            def register_commands(register):
                register(Command("bye", "x", bye))
                register(Command("interrupt", "x", interrupt))
                register(Command("nothing", "x", lambda args, ctx: None))
        """)
        out = creator(home, "chat", "--plain", stdin="/bye\n/interrupt\n/nothing\nhello\n")
        assert out.returncode == 0, out.stderr
        assert "Traceback" not in out.stderr + out.stdout
        assert "`/bye` failed: plugin 'cmds' failed in /bye: called sys.exit(5)." in out.stdout
        assert "failed in /interrupt: raised KeyboardInterrupt" in out.stdout
        assert "failed in /nothing: returned NoneType None instead of a str" in out.stdout
        assert last_reply(home)["status"] == "ok"  # "hello" was answered after them


IMPORTERS = """
    import sys
    from creator_assistant.api import Importer, hookimpl

    def sniff_exits(source):
        sys.exit(3)

    def read(kind):
        def run(source, options):
            if kind == "exit":
                sys.exit(4)
            if kind == "raise":
                raise RuntimeError("parser bug")
            return ["not", "a", "dataset"]
        return run

    @hookimpl
    def register_importers(register):
        for kind in ("exit", "raise", "wrongtype"):
            register(Importer(name=f"bad-{kind}", description="x", sniff=sniff_exits,
                              read=read(kind)))
"""


class TestImporterCode:
    """A plugin's importer that exits, raises or returns the wrong thing: one line, nothing
    stored, and detection still finds the built-in importer for a file it reads."""

    @pytest.mark.parametrize("kind", ["exit", "raise", "wrongtype"])
    def test_a_broken_importer_is_one_line(self, tmp_path, kind):
        home = tmp_path / "home"
        write_plugin(home, "badimport", IMPORTERS)
        data = tmp_path / "videos.csv"
        data.write_text("title,views\nCold brew at home,1200\nLatte art,900\n")
        out = creator(home, "import", str(data), "--as", f"bad-{kind}")
        assert out.returncode == 1, out.stderr
        assert "Traceback" not in out.stderr
        said = out.stderr.strip().splitlines()
        assert said[-1] == "nothing was imported"
        assert f"bad-{kind} importer" in said[0] and "--as" in said[0] and len(said) == 2
        # Its sys.exit while sniffing does not stop detection: the built-in reads the file.
        again = creator(home, "import", str(data))
        assert again.returncode == 0, again.stderr
        assert "Imported #1" in again.stdout
