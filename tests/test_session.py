"""A turn end to end in process: what is saved, and what survives a crash."""

from __future__ import annotations

import os
import signal

from creator_assistant.session import Session


def test_user_message_is_saved_before_generation(paths):
    session = Session.open(paths)
    try:
        turn = session.ask("plan my week of videos")
        msgs = session.store.messages(turn.result.conversation_id)
        assert [m["role"] for m in msgs] == ["user"]  # nothing generated yet
        text = "".join(turn)
        msgs = session.store.messages(turn.result.conversation_id)
        assert [m["role"] for m in msgs] == ["user", "assistant"]
        assert msgs[1]["content"] == text and msgs[1]["model"] == "demo"
        assert msgs[1]["completion_tokens"] == turn.result.usage.completion_tokens > 0
    finally:
        session.close()


def test_worker_crash_mid_reply_keeps_the_conversation(paths):
    session = Session.open(paths)
    try:
        turn = session.ask("write a long story")
        it = iter(turn)
        got = [next(it) for _ in range(5)]
        os.kill(turn.backend.pid, signal.SIGKILL)
        for piece in it:
            got.append(piece)
        result = turn.result
        assert result.status == "error" and "died" in result.error
        cid = result.conversation_id
        msgs = session.store.messages(cid)
        assert msgs[0]["content"] == "write a long story"
        assert msgs[1]["status"] == "error" and msgs[1]["content"] == "".join(got)
        # The conversation goes on with a fresh worker.
        nxt = session.ask("try again", conversation_id=cid)
        assert "".join(nxt) and nxt.result.status == "ok"
        assert len(session.store.messages(cid)) == 4
    finally:
        session.close()


def test_cancel_keeps_the_partial_reply_marked_stopped(paths):
    session = Session.open(paths)
    try:
        turn = session.ask("a very long reply please")
        pieces = []
        for piece in turn:
            pieces.append(piece)
            if len(pieces) == 5:
                turn.cancel()
        assert turn.result.status == "stopped"
        saved = session.store.messages(turn.result.conversation_id)[-1]
        assert saved["status"] == "stopped" and saved["content"] == "".join(pieces)
    finally:
        session.close()


def test_a_2mb_paste_is_shortened_with_a_notice(paths):
    session = Session.open(paths)
    try:
        big = ("video script idea " * 120_000)[:2_000_000]
        turn = session.ask(big, task="chat")
        "".join(turn)
        assert turn.result.status == "ok"
        assert any("characters" in n for n in turn.result.notices)
        assert session.store.messages(turn.result.conversation_id)[0]["content"] == big
    finally:
        session.close()
