"""The inference queue: interactive requests before background work; queued work cancellable."""

from __future__ import annotations

import threading

import pytest

from creator_assistant.runtime.scheduler import BACKGROUND, INTERACTIVE, Cancelled, Gate, Scheduler


def run_in_order(gate: Gate, tickets, order: list[str]) -> list[threading.Thread]:
    def take(ticket):
        try:
            with gate.hold(ticket):
                order.append(ticket.name)
        except Cancelled:
            order.append(f"cancelled:{ticket.name}")

    threads = [threading.Thread(target=take, args=(t,)) for t in tickets]
    for thread in threads:
        thread.start()
    return threads


def test_interactive_requests_overtake_queued_background_work():
    gate = Gate(slots=1)
    busy = gate.ticket(BACKGROUND, "running summary")
    order: list[str] = []
    with gate.hold(busy):
        tickets = [gate.ticket(BACKGROUND, "summary 1"), gate.ticket(BACKGROUND, "summary 2"),
                   gate.ticket(INTERACTIVE, "chat")]
        threads = run_in_order(gate, tickets, order)
        assert gate.wait_for_waiters(3, timeout=30)
        assert gate.waiting()[0] == ("chat", INTERACTIVE)
    for thread in threads:
        thread.join(30)
    assert order == ["chat", "summary 1", "summary 2"]


def test_a_queued_request_can_be_cancelled_and_never_runs():
    gate = Gate(slots=1)
    order: list[str] = []
    with gate.hold(gate.ticket(INTERACTIVE, "running")):
        doomed, kept = gate.ticket(BACKGROUND, "doomed"), gate.ticket(BACKGROUND, "kept")
        threads = run_in_order(gate, [doomed, kept], order)
        assert gate.wait_for_waiters(2, timeout=30)
        doomed.cancel()
        threads[0].join(30)
        assert order == ["cancelled:doomed"] and [n for n, _ in gate.waiting()] == ["kept"]
    threads[1].join(30)
    assert order == ["cancelled:doomed", "kept"]


def test_cancelling_a_running_request_calls_its_stop_hook():
    gate = Gate()
    ticket = gate.ticket(INTERACTIVE, "reply")
    stopped = []
    ticket.on_cancel(lambda: stopped.append(True))
    with gate.hold(ticket):
        ticket.cancel()
    assert stopped == [True]


def test_background_jobs_run_by_priority_and_cancel_while_queued():
    scheduler = Scheduler()
    release, ran = threading.Event(), []
    first = scheduler.submit(lambda job: release.wait(30) and ran.append("first"), name="first")
    low = scheduler.submit(lambda job: ran.append("low"), priority=BACKGROUND + 5, name="low")
    doomed = scheduler.submit(lambda job: ran.append("doomed"), name="doomed")
    high = scheduler.submit(lambda job: ran.append("high"), priority=BACKGROUND, name="high")
    doomed.cancel()
    assert doomed.state == "cancelled" and doomed.wait(0)
    release.set()
    for job in (first, low, high):
        assert job.wait(30)
    assert ran == ["first", "high", "low"] and "doomed" not in ran
    scheduler.close()


def test_a_failing_job_is_reported_on_the_job_and_the_worker_goes_on():
    scheduler = Scheduler()
    bad = scheduler.submit(lambda job: 1 / 0, name="bad")
    good = scheduler.submit(lambda job: "fine", name="good")
    assert bad.wait(30) and good.wait(30)
    assert bad.state == "failed" and isinstance(bad.error, ZeroDivisionError)
    assert good.state == "done" and good.result == "fine"
    scheduler.close()


@pytest.fixture
def session(paths):
    from creator_assistant.session import Session

    paths.config_file.write_text("[tasks.chat]\nmax_tokens = 16\ntemperature = 0.0\nseed = 1\n")
    session = Session.open(paths)
    yield session
    session.close()


def on_its_own_thread(session):
    """SQLite connections belong to their thread: a second Session sharing the models."""
    from creator_assistant.session import Session
    from creator_assistant.storage.db import open_db
    from creator_assistant.storage.store import Store

    return Session(session.paths, session.config, Store(open_db(session.paths.database)),
                   session.host, session.pool)


def test_a_chat_turn_goes_before_a_queued_background_turn(session):
    gate = session.pool.scheduler.gate
    first_words: list[str] = []
    results = {}

    def consume(name, priority):
        turn = on_its_own_thread(session).ask(name, task="chat", priority=priority)
        for _ in turn:
            if name not in first_words:
                first_words.append(name)
        results[name] = turn.result

    with gate.hold(gate.ticket(BACKGROUND, "a summary already running")):
        threads = [threading.Thread(target=consume, args=a)
                   for a in (("background", BACKGROUND), ("chat", INTERACTIVE))]
        threads[0].start()
        assert gate.wait_for_waiters(1, timeout=30)
        threads[1].start()
        assert gate.wait_for_waiters(2, timeout=30)
    for thread in threads:
        thread.join(60)
    assert first_words == ["chat", "background"]
    assert results["chat"].status == results["background"].status == "ok"
    assert results["chat"].switch["kind"] == "cold"
    assert results["background"].switch["kind"] == "warm"  # same model, still resident


def test_cancelling_a_queued_background_job_stops_its_turn(session):
    gate = session.pool.scheduler.gate
    started = threading.Event()

    def summary(job):
        turn = on_its_own_thread(session).ask("summarise", task="chat", priority=BACKGROUND,
                                              job=job)
        started.set()
        return "".join(turn), turn.result

    with gate.hold(gate.ticket(INTERACTIVE, "a chat reply in progress")):
        job = session.pool.scheduler.submit(summary, name="weekly summary")
        assert started.wait(30) and gate.wait_for_waiters(1, timeout=30)
        job.cancel()
        assert job.wait(30)
    text, result = job.result
    assert text == "" and result.status == "stopped"
    saved = session.store.messages(result.conversation_id)
    assert [m["status"] for m in saved] == ["ok", "stopped"]
