"""The hybrid router (real MiniLM, real `creator route` runs, real SQLite): meaning settles what
words leave in doubt, `--json` shows each signal's part, a batch is embedded in one request, the
examples are embedded once, plugins contribute examples, and without a usable embedding model
routing is by words and says why."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from creator_assistant.plugin_manager import load_host
from creator_assistant.retrieval import Embeddings
from creator_assistant.router import Meaning, Router
from creator_assistant.storage.db import open_db
from tests.realmodels import install

COLD_BREW = "draft the on-camera part for a tutorial on making cold brew"  # no task word
PLAN = "plan a video"


def creator(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "creator_assistant", *args], input=stdin,
                          capture_output=True, text=True, env=dict(os.environ), timeout=300)


@pytest.fixture(scope="module")
def shared(minilm, tmp_path_factory):
    """One router with meaning for the tests that only read: its worker, its cache."""
    host = load_host()
    db_path = tmp_path_factory.mktemp("meaning") / "creator.db"
    embeddings = Embeddings(model_path=minilm, n_threads=2)
    meaning = Meaning(host.route_examples, lambda: embeddings, lambda: open_db(db_path))
    router = Router(host, meaning=meaning)
    assert meaning.available(), meaning.why_not
    yield router
    meaning.close()


def test_meaning_settles_what_the_words_send_to_chat(shared):
    words = Router(load_host())
    for text, task in ((COLD_BREW, "script"), (PLAN, "script")):
        assert words.route(text).task == "chat"  # words alone: no keyword, nothing like it
        decision = shared.route(text)
        assert decision.task == task, decision.reason
        assert decision.by_meaning == "not chosen by a keyword or signal"
        assert decision.reason.startswith("by meaning")


def test_a_clear_keyword_request_is_not_sent_to_the_model(shared):
    before = shared.meaning.embedded
    decision = shared.route("write a blog post outline about composting at home")
    assert decision.task == "blog" and decision.by_meaning is None
    assert shared.meaning.embedded == before


def test_follow_ups_keep_their_rules(shared):
    before = shared.meaning.embedded
    decision = shared.route("what about their shorts?", "competitor")
    assert decision.task == "competitor" and decision.reason.startswith("follow-up")
    assert shared.meaning.embedded == before


def test_a_batch_in_doubt_is_embedded_in_one_request(shared):
    texts = [f"{COLD_BREW} number {n}" for n in range(40)]
    calls = shared.meaning._embeddings.calls
    decisions = shared.route_many(texts)
    assert [d.task for d in decisions] == ["script"] * 40
    assert shared.meaning._embeddings.calls == calls + 1


def test_examples_are_embedded_once_across_processes(minilm, tmp_path):
    host = load_host()
    db_path = tmp_path / "creator.db"

    def fresh_meaning():
        embeddings = Embeddings(model_path=minilm, n_threads=2)
        return Meaning(host.route_examples, lambda: embeddings, lambda: open_db(db_path)), embeddings

    first, emb1 = fresh_meaning()
    assert first.available()
    assert emb1.calls >= 1  # the examples, embedded and cached
    first.close()
    second, emb2 = fresh_meaning()
    assert second.available()
    assert emb2.calls == 0  # every example came from the cache
    second.close()


def test_route_json_shows_each_signals_part(paths, minilm):
    install("minilm-l6-v2", paths)
    out = creator("route", "--json", COLD_BREW)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["task"] == "script" and data["meaning"] == "not chosen by a keyword or signal"
    parts = data["signals"]["script"]
    assert set(parts) >= {"keywords", "examples", "plugin", "words", "quick", "meaning", "total"}
    assert parts["meaning"] > data["signals"]["analytics"]["meaning"]
    assert data["scores"]["script"] == parts["total"]
    words = json.loads(creator("route", "--json", "--words", COLD_BREW).stdout)
    assert words["task"] == "chat" and words["meaning"] is None
    assert "meaning" not in words["signals"]["script"]


def test_route_jsonl_routes_a_stream_in_order(paths, minilm):
    install("minilm-l6-v2", paths)
    lines = [COLD_BREW, "thanks!", "write a blog post about sourdough", "", PLAN]
    out = creator("route", "--jsonl", stdin="\n".join(lines) + "\n")
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["line"] for r in rows] == [1, 2, 3, 4, 5]
    assert [r["task"] for r in rows] == ["script", "chat", "blog", "chat", "script"]


def test_without_an_embedding_model_routing_is_by_words_and_says_why(paths):
    out = creator("route", "--json", COLD_BREW)
    assert out.returncode == 0 and out.stderr == "", out.stderr
    data = json.loads(out.stdout)
    assert data["task"] == "chat"
    assert data["meaning"].startswith("could not ask: no embedding model is installed")
    assert "creator models pull minilm-l6-v2" in data["meaning"]
    doctor = creator("doctor")
    assert "routing, search and ideas use words only" in doctor.stdout


def test_an_embedding_model_that_fails_to_load_means_words_and_one_line(paths, minilm):
    path = install("minilm-l6-v2", paths)
    path.unlink()
    path.write_bytes(minilm.read_bytes()[: 1 << 20])  # cut short: a damaged download
    out = creator("route", "--json", COLD_BREW)
    assert out.returncode == 0 and "Traceback" not in out.stderr, out.stderr
    data = json.loads(out.stdout)
    assert data["task"] == "chat" and data["meaning"].startswith("could not ask:")
    assert "words only" in data["meaning"]
    again = creator("route", "--json", PLAN)  # remembered: not loaded again, still said
    assert json.loads(again.stdout)["meaning"].startswith("could not ask:")


def test_a_plugin_contributes_examples_for_its_own_task_only(paths, minilm):
    install("minilm-l6-v2", paths)
    paths.user_plugins_dir.mkdir(parents=True, exist_ok=True)
    (paths.user_plugins_dir / "gardening.py").write_text(textwrap.dedent('''
        from creator_assistant.api import Task, hookimpl

        @hookimpl
        def register_tasks(register):
            register(Task(name="garden", description="Planting calendars.",
                          system_prompt="You plan gardens."))

        @hookimpl
        def route_examples():
            return {"garden": ["when should I plant tomatoes in zone 6",
                               "what can I sow in late autumn",
                               "make me a planting calendar for a small balcony",
                               "which vegetables grow well in partial shade"],
                    "blog": ["when should I plant tomatoes in zone 6"]}
    '''), encoding="utf-8")
    out = creator("route", "--json", "when is the right time to sow carrots outdoors")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["task"] == "garden", data["reason"]
    host = load_host(paths.user_plugins_dir)
    examples = host.route_examples()
    assert "when should I plant tomatoes in zone 6" not in examples["blog"]
    assert len(examples["garden"]) == 4


def test_a_message_does_not_wait_for_the_first_load(minilm, tmp_path):
    import threading

    host = load_host()
    gate = threading.Event()
    embeddings = Embeddings(model_path=minilm, n_threads=2)

    def slow_start():
        gate.wait(timeout=60)  # the load is still going while the message is routed
        return embeddings

    meaning = Meaning(host.route_examples, slow_start, lambda: open_db(tmp_path / "c.db"))
    router = Router(host, meaning=meaning)
    meaning.warm()
    early = router.route(COLD_BREW)
    assert early.task == "chat"
    assert early.by_meaning == "could not ask: the embedding model is still loading"
    gate.set()
    meaning._warming.join(timeout=120)
    assert router.route(COLD_BREW).task == "script"
    meaning.close()
