"""Conversation memory through the real Session and worker: fitting, the background summary, a
smaller model's window, a 2 MB paste."""

from __future__ import annotations

import pytest

from creator_assistant.context.fitting import SUMMARY_TITLE
from creator_assistant.runtime.scheduler import INTERACTIVE
from creator_assistant.session import Session

LONG = "a video about sourdough starters, hydration and the long cold proof " * 12


@pytest.fixture
def session(paths):
    paths.config_file.write_text("[tasks.chat]\nmax_tokens = 16\ncontext = 512\n")
    session = Session.open(paths)
    yield session
    session.close()


def talk(session, text: str, cid: str | None = None, **kw):
    turn = session.ask(text, task="chat", conversation_id=cid, **kw)
    "".join(turn)
    assert turn.result.status == "ok", turn.result.error
    return turn


def test_every_turn_fits_exactly_as_the_worker_counts_it(session):
    cid = None
    for i in range(8):
        turn = talk(session, f"turn {i}: {LONG}", cid)
        cid = turn.result.conversation_id
        usage = turn.result.usage
        assert usage.prompt_tokens == turn.fitted.prompt_tokens  # the worker agrees
        assert usage.prompt_tokens + turn.fitted.max_tokens <= 512
    assert session.store.memory_state(cid)["kept_from"] > 1  # older turns left the prompt
    assert len(session.store.messages(cid)) == 16  # and stayed in the database


def test_evicted_turns_are_summarized_in_the_background_then_prompted(paths):
    paths.config_file.write_text("[tasks.chat]\nmax_tokens = 16\ncontext = 1024\n")
    session = Session.open(paths)
    try:
        summarized(session)
    finally:
        session.close()


def summarized(session):
    session.summaries.enabled = False  # start it by hand below, to hold it in the queue
    cid = None
    for i in range(8):
        cid = talk(session, f"turn {i}: {LONG}", cid).result.conversation_id
    state = session.store.memory_state(cid)
    assert state["kept_from"] > 1 and state["summary"] == ""
    session.summaries.enabled = True
    gate = session.pool.scheduler.gate
    # While an interactive request holds the gate, the summary waits; a new turn cancels it.
    with gate.hold(gate.ticket(INTERACTIVE, "a turn")):
        job = session.summaries.request(cid)
        assert gate.wait_for_waiters(1, 60)
        session.summaries.interrupt()
        assert job.wait(60) and job.state == "cancelled"
    assert session.store.memory_state(cid)["summary"] == ""  # nothing half-written
    job = session.summaries.request(cid)
    assert job.wait(120) and job.state == "done", job.error
    state = session.store.memory_state(cid)
    assert state["summary"] and state["summary_upto"] == state["kept_from"] - 1
    # The next prompt carries it, at the top, where it stays until the next eviction.
    turn = talk(session, "what did we plan?", cid)
    assert f"{SUMMARY_TITLE}\n{state['summary']}" in turn.fitted.messages[0]["content"]


def test_a_smaller_model_window_trims_the_prompt_to_it(session, paths, tmp_path):
    from creator_assistant.runtime.demo import DemoShape, build_demo_model

    small = build_demo_model(tmp_path / "small-window.gguf", DemoShape(context=256))
    paths.config_file.write_text("[tasks.chat]\nmax_tokens = 16\ncontext = 4096\n")
    big = Session.open(paths)
    try:
        cid = None
        for i in range(4):
            cid = talk(big, f"turn {i}: {LONG}", cid).result.conversation_id
        assert big.store.memory_state(cid)["kept_from"] == 0  # all of it fits 4096
        turn = talk(big, "now on the small model", cid, model=str(small))
        assert turn.n_ctx == 256
        assert turn.result.usage.prompt_tokens + turn.fitted.max_tokens <= 256
        assert big.store.memory_state(cid)["kept_from"] > 0
    finally:
        big.close()


def test_a_2mb_paste_is_shortened_visibly_and_saved_whole(session):
    big = ("video script idea " * 120_000)[:2_000_000]
    turn = talk(session, big)
    cid = turn.result.conversation_id
    assert any("characters" in n for n in turn.result.notices)
    assert turn.result.usage.prompt_tokens + turn.fitted.max_tokens <= 512
    assert session.store.messages(cid)[0]["content"] == big
    nxt = talk(session, "and a shorter one", cid)  # the paste is history now: evicted
    assert nxt.fitted.messages[-1]["content"] == "and a shorter one"
