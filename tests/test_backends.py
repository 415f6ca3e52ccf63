"""Behaviour every backend must show, run on the local backend and on the remote (OpenAI-compatible)
backend against llama-cpp-python's own server on 127.0.0.1."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
import urllib.request

import pytest

from creator_assistant.runtime.protocol import ContextOverflow, GenerateRequest, ModelError
from creator_assistant.runtime.remote import RemoteBackend

HELLO = [{"role": "user", "content": "hello, write me a video idea"}]
N_CTX = 4096  # the same window as the shared local `demo_backend`


def greedy(max_tokens=24, **kw) -> GenerateRequest:
    return GenerateRequest(messages=kw.pop("messages", HELLO), temperature=0.0, top_k=1,
                           max_tokens=max_tokens, seed=1, repeat_penalty=1.0, **kw)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def llama_server(demo_model, tmp_path_factory):
    """`python -m llama_cpp.server` with the demo model, ready when /v1/models answers."""
    port = free_port()
    log_path = tmp_path_factory.mktemp("server") / "server.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(demo_model),
             "--host", "127.0.0.1", "--port", str(port), "--n_ctx", str(N_CTX)],
            stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:  # a bounded readiness poll: the server imports FastAPI and loads the model
        if proc.poll() is not None:
            pytest.fail(f"llama_cpp.server exited: {log_path.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url + "/v1/models", timeout=2):
                break
        except OSError:
            if time.monotonic() > deadline:
                proc.kill()
                pytest.fail("llama_cpp.server did not answer within 120 s")
            time.sleep(0.1)
    yield url
    proc.terminate()
    proc.wait(30)


@pytest.fixture(scope="session")
def remote_backend(llama_server):
    backend = RemoteBackend(llama_server + "/v1", context=N_CTX, name="llama-server")
    backend.load()
    yield backend
    backend.close()


@pytest.fixture(params=["local", "remote"])
def backend(request):
    return request.getfixturevalue("demo_backend" if request.param == "local"
                                   else "remote_backend")


def test_streams_text_in_pieces_with_usage(backend):
    pieces = list(backend.stream(greedy(32)))
    usage = backend.last_usage
    assert len(pieces) > 5 and "".join(pieces).strip()
    assert usage.finish_reason == "length"
    assert usage.prompt_tokens == backend.count_tokens(HELLO)
    assert usage.ttft_ms > 0 and usage.tokens_per_s > 0
    if "estimate" in usage.counted_by:  # said so, and never more than were asked for
        assert 0 < usage.completion_tokens <= 32
    else:
        assert usage.completion_tokens == 32


def test_token_counting_says_where_the_numbers_come_from(backend):
    list(backend.stream(greedy(8)))
    counted_by = backend.last_usage.counted_by
    if backend.kind == "local":
        assert counted_by == "model tokenizer"
    else:  # llama-cpp-python's server reports no usage while streaming
        assert "server tokenizer" in counted_by and "streamed chunks (an estimate)" in counted_by


def test_greedy_is_deterministic(backend):
    assert "".join(backend.stream(greedy())) == "".join(backend.stream(greedy()))


def test_a_grammar_constrains_the_reply_and_it_ends_on_the_stop_token(backend):
    pieces = list(backend.stream(greedy(50, grammar='root ::= "ok"')))
    assert "".join(pieces) == "ok"
    assert backend.last_usage.finish_reason == "stop"


def test_stop_strings_are_honoured(backend):
    text = "".join(backend.stream(greedy(60)))
    word = text.split()[3]
    cut = "".join(backend.stream(greedy(60, stop=[word])))
    assert word not in cut and text.startswith(cut)


def test_cancel_stops_within_a_couple_of_tokens(backend):
    seen = []
    for piece in backend.stream(greedy(4000)):
        seen.append(piece)
        if len(seen) == 10:
            backend.cancel()
    usage = backend.last_usage
    assert usage.finish_reason == "cancelled"
    assert len(seen) == 10  # nothing after the cancel reaches the caller
    assert usage.completion_tokens < 400


def test_cancel_from_another_thread(backend):
    first = threading.Event()

    def consume():
        for _ in backend.stream(greedy(100000)):
            first.set()

    thread = threading.Thread(target=consume)
    thread.start()
    assert first.wait(30)
    backend.cancel()
    thread.join(30)
    assert not thread.is_alive() and backend.last_usage.finish_reason == "cancelled"


def test_an_abandoned_stream_leaves_the_backend_usable(backend):
    stream = backend.stream(greedy(5000))
    next(stream)
    stream.close()
    assert "".join(backend.stream(greedy(8)))


def test_a_prompt_over_the_window_is_an_error_not_a_crash(backend):
    with pytest.raises(ContextOverflow, match="context window"):
        list(backend.stream(greedy(8, messages=[{"role": "user", "content": "word " * 5000}])))
    assert "".join(backend.stream(greedy(4)))


def test_an_unreachable_server_is_a_clear_error():
    backend = RemoteBackend(f"http://127.0.0.1:{free_port()}/v1", name="nowhere")
    with pytest.raises(ModelError, match="cannot reach the remote backend 'nowhere'"):
        backend.load()


def test_a_model_the_server_does_not_serve_is_named(llama_server):
    backend = RemoteBackend(llama_server, model="gpt-nonexistent", name="srv")
    with pytest.raises(ModelError, match="does not serve 'gpt-nonexistent'"):
        backend.load()


def test_a_task_can_be_answered_by_a_remote_server(paths, llama_server):
    from creator_assistant.session import Session

    paths.config_file.write_text(
        f'[remotes.gpu-box]\nbase_url = "{llama_server}/v1"\ncontext = {N_CTX}\n\n'
        '[tasks.chat]\nbackend = "gpu-box"\nmax_tokens = 12\ntemperature = 0.0\nseed = 1\n')
    session = Session.open(paths)
    try:
        turn = session.ask("hello", task="chat")
        text = "".join(turn)
        result = turn.result
        assert text and result.status == "ok" and result.model == "gpu-box/default"
        assert result.switch["kind"] == "remote" and "estimate" in result.usage.counted_by
        assert session.pool.resident() == []  # no local model was loaded for it
        saved = session.store.messages(result.conversation_id)[-1]
        assert saved["content"] == text and saved["model"] == "gpu-box/default"
    finally:
        session.close()


def test_a_task_naming_an_unknown_remote_is_a_clear_error(paths):
    from creator_assistant.session import Session, UserInputError

    paths.config_file.write_text('[tasks.chat]\nbackend = "gpu-box"\n')
    session = Session.open(paths)
    try:
        with pytest.raises(UserInputError, match=r"no \[remotes.gpu-box\] section"):
            session.ask("hello", task="chat")
    finally:
        session.close()


def test_both_backends_implement_the_backend_protocol(backend):
    from creator_assistant.runtime.backend import lacks

    assert lacks(backend) == []


def test_a_plugin_backend_lacking_members_is_refused_by_name(paths):
    from creator_assistant.session import Session, UserInputError

    paths.user_plugins_dir.mkdir(parents=True, exist_ok=True)
    (paths.user_plugins_dir / "half.py").write_text(
        "from creator_assistant.hookspecs import hookimpl\n\n"
        "class Half:\n"
        "    def load(self): ...\n"
        "    def stream(self, request):\n"
        "        yield 'x'\n\n"
        "@hookimpl\n"
        "def register_backends(register):\n"
        "    register('half', lambda name, config: Half())\n")
    paths.config_file.write_text('[remotes.box]\nbase_url = "http://127.0.0.1:9"\nkind = "half"\n\n'
                                 '[tasks.chat]\nbackend = "box"\n')
    session = Session.open(paths)
    try:
        with pytest.raises(UserInputError, match=r"lacks .*count_tokens.*token_sizes"):
            session.ask("hello", task="chat")
    finally:
        session.close()


EXITING = '''
import sys
from creator_assistant.hookspecs import hookimpl
from creator_assistant.runtime.protocol import LoadInfo


class Exiting:
    kind, n_ctx, info, last_usage = "remote", 2048, None, None

    model_id = sizes_key = "exiting"
    busy = False
    def load(self):
        self.info = LoadInfo("exiting", 2048, 2048, 100, 0.0, True)
        return self.info
    def stream(self, request):
        yield "half a "
        sys.exit(5)
    def count_tokens(self, messages): return sum(len(m["content"]) // 4 + 4 for m in messages)
    def token_sizes(self, texts): return [len(t) // 4 + 1 for t in texts]
    def cancel(self): pass
    def close(self): pass


@hookimpl
def register_backends(register):
    register("exiting", lambda name, config: Exiting())
'''


def test_a_plugin_backend_calling_sys_exit_mid_reply_is_an_error_not_an_exit(paths):
    from creator_assistant.session import Session

    paths.user_plugins_dir.mkdir(parents=True, exist_ok=True)
    (paths.user_plugins_dir / "exiting.py").write_text(EXITING)
    paths.config_file.write_text('[remotes.box]\nbase_url = "http://127.0.0.1:9"\n'
                                 'kind = "exiting"\n\n[tasks.chat]\nbackend = "box"\n')
    session = Session.open(paths)
    try:
        turn = session.ask("hello", task="chat")
        assert "".join(turn) == "half a "
        assert turn.result.status == "error" and "sys.exit(5)" in turn.result.error
        saved = session.store.messages(turn.result.conversation_id)[-1]
        assert (saved["status"], saved["content"]) == ("error", "half a ")
    finally:
        session.close()
