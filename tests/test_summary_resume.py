"""The running summary is written in a long conversation although every turn interrupts it:
what was folded in is kept, and the summary is asked for again when the turn ends."""

from __future__ import annotations

from tests import test_memory_session as memory

LONG = memory.LONG
session = memory.session  # the same fixture: a chat with a small window


def talk(session, text: str, cid: str | None = None) -> str:
    turn = session.ask(text, task="chat", conversation_id=cid)
    "".join(turn)
    assert turn.result.status == "ok", turn.result.error
    return turn.result.conversation_id


def join(session) -> None:
    for job in list(session.summaries.jobs.values()):
        assert job.wait(120), "a summary job did not finish"


def test_batches_folded_before_an_interruption_are_kept_and_the_rest_follows(session):
    session.summaries.enabled = False  # a backlog of evicted turns: several batches to fold
    cid = None
    for i in range(24):
        cid = talk(session, f"turn {i}: {LONG}", cid)
    assert session.store.memory_state(cid)["kept_from"] > 30
    session.summaries.enabled = True
    # A turn arrives right after the first batch is saved (on the job's own thread: no race).
    seen: list[int] = []

    def first_batch(conv: str, upto: int) -> None:
        seen.append(upto)
        if len(seen) == 1:
            session.summaries.interrupt()

    session.summaries.on_fold.append(first_batch)
    job = session.summaries.request(cid)
    assert job.wait(120) and job.state == "cancelled", job.error
    state = session.store.memory_state(cid)
    assert 0 < state["summary_upto"] == seen[0] < state["kept_from"] - 1  # kept, not discarded
    assert state["summary"]
    assert cid in session.summaries.pending
    # The next turn ends: the interrupted summary goes on from where it stopped.
    talk(session, "and one more thing", cid)
    join(session)
    state = session.store.memory_state(cid)
    assert state["summary_upto"] == state["kept_from"] - 1
    assert seen[1] > seen[0]  # it resumed after the saved batch, not from the start


def test_messages_sent_back_to_back_still_get_the_summary_written(session):
    cid = None
    for i in range(20):  # no idle time: each turn interrupts the summary the last one asked for
        cid = talk(session, f"turn {i}: {LONG}", cid)
    session.summaries.interrupt()  # and so would the next one
    join(session)
    state = session.store.memory_state(cid)
    assert state["kept_from"] > 20
    assert state["summary_upto"] > 0 and state["summary"]
