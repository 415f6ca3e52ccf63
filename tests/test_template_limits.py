"""Hostile chat templates: real GGUFs (the demo model with a template of our own) that loop or
grow without end are stopped at the time and size limits, by Esc and by one Ctrl+C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from creator_assistant.runtime import local
from creator_assistant.runtime.demo import DemoShape, build_demo_model
from creator_assistant.runtime.local import LocalBackend
from creator_assistant.runtime.protocol import GenerateRequest
from creator_assistant.runtime.scheduler import Cancelled
from creator_assistant.runtime.templates import TemplateError

NESTED = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
GROWS = "{% for i in range(100000) %}{{ 'all work and no play ' * 4 }}{% endfor %}"
# Renders one short turn (the check at load) but loops when the last message says "loop".
LATER = ("{% for m in messages %}{% if loop.last and m['content'] == 'loop' %}" + NESTED
         + "{% endif %}<start_of_turn>{{ m['role'] }}\n{{ m['content'] }}<end_of_turn>\n"
         "{% endfor %}<start_of_turn>model\n")
LOOP = [{"role": "user", "content": "loop"}]
OK = [{"role": "user", "content": "hello"}]


def model(folder: Path, name: str, template: str) -> Path:
    return build_demo_model(folder / f"{name}.gguf", DemoShape(chat_template=template))


def backend(path: Path, time_s: float) -> LocalBackend:
    made = LocalBackend(path, n_ctx=512, log_path=path.with_suffix(".log"))
    made.render_time_s = time_s
    return made


def busy(pid: int) -> bool:
    """The process is running (rendering), not waiting for a request."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    return stat[stat.rindex(")") + 2] == "R"


def wait_busy(pid: int) -> None:
    for _ in range(6000):
        if busy(pid):
            return
        time.sleep(0.01)  # polling the worker's state, not waiting for time to pass
    raise AssertionError("the worker never started rendering")


@pytest.mark.parametrize("template,said", [(NESTED, "took longer than 1 s to render"),
                                           (GROWS, "made more than 1,000,000 characters")])
def test_a_hostile_template_is_refused_when_the_model_loads(tmp_path, template, said):
    worker = backend(model(tmp_path, "hostile", template), time_s=1.0)
    try:
        with pytest.raises(TemplateError, match=said) as caught:
            worker.load()
        assert "hostile.gguf" in str(caught.value) and "creator models rm" in str(caught.value)
    finally:
        worker.close()


def test_a_render_that_loops_stops_at_the_limit_and_the_worker_answers_the_next(tmp_path):
    worker = backend(model(tmp_path, "later", LATER), time_s=1.0)
    try:
        worker.load()
        pid = worker.pid
        with pytest.raises(TemplateError, match="took longer than 1 s"):
            worker.count_tokens(LOOP)
        with pytest.raises(TemplateError, match="took longer than 1 s"):
            list(worker.stream(GenerateRequest(messages=LOOP, max_tokens=4)))
        assert worker.count_tokens(OK) > 3
        assert worker.pid == pid and worker.restarts == 0  # stopped by the worker itself
    finally:
        worker.close()


def test_a_worker_stuck_past_its_own_limit_is_killed_and_replaced(tmp_path, monkeypatch):
    monkeypatch.setattr(local, "RENDER_GRACE_S", 0.5)
    worker = backend(model(tmp_path, "later", LATER), time_s=0.5)
    try:
        worker.load()
        os.kill(worker.pid, signal.SIGSTOP)  # as stuck as a render inside one C call
        with pytest.raises(TemplateError, match="took longer than 0.5 s"):
            worker.count_tokens(OK)
        assert worker.restarts == 1
        assert worker.count_tokens(OK) > 3  # a new worker, the model loaded again
    finally:
        worker.close()


def test_cancel_stops_a_render_at_once(tmp_path):
    worker = backend(model(tmp_path, "later", LATER), time_s=60.0)
    try:
        worker.load()
        outcome: list[BaseException | int] = []

        def count() -> None:
            try:
                outcome.append(worker.count_tokens(LOOP))
            except BaseException as exc:  # noqa: BLE001 - handed to the test thread
                outcome.append(exc)

        stop_while_busy(worker, threading.Thread(target=count))
        assert isinstance(outcome[0], Cancelled)
        stream = worker.stream(GenerateRequest(messages=LOOP, max_tokens=4))
        stop_while_busy(worker, threading.Thread(target=lambda: outcome.append(list(stream))))
        assert outcome[1] == [] and worker.last_usage.finish_reason == "cancelled"
        assert worker.count_tokens(OK) > 3 and worker.restarts == 0
    finally:
        worker.close()


def stop_while_busy(worker: LocalBackend, thread: threading.Thread) -> None:
    """Start `thread`'s request and cancel it, once, while the worker renders."""
    while busy(worker.pid):  # still finishing the last request
        time.sleep(0.01)
    thread.start()
    wait_busy(worker.pid)
    worker.cancel()
    thread.join(30)
    assert not thread.is_alive(), "cancel did not stop the render"


def waiting(thread: threading.Thread) -> bool:
    """`thread` waits on the worker's pipe (its request sent, the answer not yet come)."""
    frame = sys._current_frames().get(thread.ident)
    while frame is not None:
        code = frame.f_code
        if code.co_name == "poll" and code.co_filename.endswith("connection.py"):
            return True
        frame = frame.f_back
    return False


@pytest.mark.parametrize("request_kind", ["count", "stream"])
def test_a_cancel_that_lands_before_the_worker_takes_the_request_still_stops_it(
        tmp_path, request_kind):
    """The worker clears its cancel flag as it takes up a request, and a render hears a cancel
    only once it has begun: a signal that lands before (on a busy machine, easily) is lost.
    The worker is paused so the signal is waiting for it when it takes the request up."""
    worker = backend(model(tmp_path, "later", LATER), time_s=60.0)
    try:
        worker.load()
        outcome: list[Any] = []

        def ask() -> None:
            try:
                outcome.append(worker.count_tokens(LOOP) if request_kind == "count" else
                               list(worker.stream(GenerateRequest(messages=LOOP, max_tokens=4))))
            except BaseException as exc:  # noqa: BLE001 - handed to the test thread
                outcome.append(exc)

        os.kill(worker.pid, signal.SIGSTOP)
        thread = threading.Thread(target=ask)
        try:
            thread.start()
            while not waiting(thread):
                time.sleep(0.01)  # polling the thread's state, not waiting for time to pass
            worker.cancel()  # reaches the paused worker before it reads the request
        finally:
            os.kill(worker.pid, signal.SIGCONT)
        thread.join(30)
        assert not thread.is_alive(), "the render went on after the cancel"
        if request_kind == "count":
            assert isinstance(outcome[0], Cancelled)
        else:
            assert outcome[0] == [] and worker.last_usage.finish_reason == "cancelled"
        assert worker.count_tokens(OK) > 3 and worker.restarts == 0
    finally:
        worker.close()


def creator(*args: str, timeout: float = 120, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "creator_assistant", *args], text=True,
                          capture_output=True, timeout=timeout, env={**os.environ, **env})


def test_ask_with_a_hostile_template_fails_once_then_answers_with_another_model(home, tmp_path):
    path = model(tmp_path, "hostile", NESTED)
    assert creator("models", "add", str(path)).returncode == 0
    (home / "config").mkdir(parents=True, exist_ok=True)
    (home / "config" / "config.toml").write_text('[tasks.chat]\nmodel = "hostile"\n')
    first = creator("ask", "--task", "chat", "hello", CREATOR_TEMPLATE_TIME_S="1")
    assert first.returncode == 1 and "Traceback" not in first.stderr
    assert "the chat template of hostile.gguf took longer than 1 s to render" in first.stderr
    listed = creator("models", "list").stdout
    assert "failed to load: the chat template of hostile.gguf took longer" in listed
    second = creator("ask", "--task", "chat", "hello", CREATOR_TEMPLATE_TIME_S="1")
    assert second.returncode == 0, second.stderr
    assert "hostile failed to load" in second.stderr and "demo model" in second.stderr


def test_one_ctrl_c_stops_plain_chat_while_a_template_renders(home, tmp_path):
    path = model(tmp_path, "later", LATER)
    assert creator("models", "add", str(path)).returncode == 0
    chat = subprocess.Popen(
        [sys.executable, "-m", "creator_assistant", "chat", "--plain", "--model", "later"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "CREATOR_TEMPLATE_TIME_S": "60"})
    try:
        chat.stdin.write("hello\n")  # the model loads and answers
        chat.stdin.flush()
        while "tok/s" not in chat.stdout.readline():
            pass
        chat.stdin.write("loop\n")
        chat.stdin.flush()
        while "[chat" not in chat.stdout.readline():  # the reply's label: rendering begins
            pass
        wait_busy(worker_of(chat.pid))
        chat.send_signal(signal.SIGINT)
        chat.stdin.write("hello\n/quit\n")
        chat.stdin.flush()
        out, err = chat.communicate(timeout=120)
    finally:
        chat.kill()
    assert chat.returncode == 0, err
    assert "[stopped" in out and "Traceback" not in err
    assert "tok/s" in out.split("[stopped")[1]  # the next message was answered


def worker_of(parent: int) -> int:
    """The inference worker the chat process started."""
    for _ in range(6000):
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                cmd = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if int(stat[stat.rindex(")") + 2:].split()[1]) == parent and b"worker" in cmd:
                return int(entry.name)
        time.sleep(0.01)  # polling for the process, not waiting for time to pass
    raise AssertionError("no inference worker started")
