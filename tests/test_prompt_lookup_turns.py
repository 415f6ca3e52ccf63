"""Which turns ask for prompt lookup: follow-ups and edit-and-resends of tasks that declare it,
unless the config turns it off; and the reply's line says how much came from drafts."""

from __future__ import annotations

import pytest

from creator_assistant.session import Session
from creator_assistant.ui.info import ReplyInfo


def conversation(session: Session) -> str:
    """A conversation whose last exchange is a script request and its reply."""
    cid = session.store.new_conversation(task="script")
    session.store.add_message(cid, "user", "Write a 30 second script about ramen", task="script")
    session.store.add_message(cid, "assistant", "[0:00] Steam rises from the bowl ...",
                              task="script", status="ok")
    return cid


@pytest.fixture
def session(paths):
    s = Session.open(paths)
    yield s
    s.close()


def test_a_follow_up_of_a_content_task_uses_lookup(session):
    cid = conversation(session)
    assert session.ask("Make it shorter", task="script", conversation_id=cid).lookup
    first = session.ask("Write a 30 second script about coffee", task="script")
    assert not first.lookup  # nothing in the prompt to revise yet
    assert not session.ask("and now?", task="chat", conversation_id=cid).lookup  # not declared


def test_an_edit_and_resend_uses_lookup(session):
    cid = session.store.new_conversation(task="script")
    session.store.add_message(cid, "user", "Write a 30 second script about ramen", task="script")
    session.rewind(cid)  # what the chat's "edit last message" does before sending
    assert session.ask("Write a 30 second script about ramen noodles", task="script",
                       conversation_id=cid).lookup


def test_the_config_turns_it_off_per_task(paths):
    paths.config_file.write_text("[tasks.script]\nlookup = false\n[tasks.chat]\nlookup = true\n")
    session = Session.open(paths)
    try:
        cid = conversation(session)
        assert not session.ask("Make it shorter", task="script", conversation_id=cid).lookup
        assert session.ask("Make it shorter", task="chat", conversation_id=cid).lookup
    finally:
        session.close()


def test_the_reply_line_shows_the_share_from_drafts():
    info = ReplyInfo(task="script", model="m", tokens=80, tps=30.0, drafted=60)
    assert "75% from drafts" in info.line()
    assert "from drafts" not in ReplyInfo(task="script", tokens=80).line()
