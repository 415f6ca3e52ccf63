"""A task's question and its answer, as a creator has the conversation: through Session.ask,
`creator ask --conversation` and `creator chat --plain`, on the demo model (real llama.cpp).

While a task waits for a field it asked for, the next message is that answer unless it clearly
starts something else, and the fields gathered so far are kept in the conversation's state."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from creator_assistant.formats.degenerate import degenerate_problems
from creator_assistant.session import Session
from creator_assistant.turn import Status

SCRIPT_QUESTIONS = ("What should it be about?", "How long should the video be?")


# Replies kept short where only the flow is checked, not a whole reply's format.
SHORT = "".join(f"[tasks.{t}]\nmax_tokens = 24\n" for t in
                ("script", "blog", "trend", "competitor", "analytics", "chat"))


@pytest.fixture
def session(paths):
    s = Session.open(paths)
    yield s
    s.close()


@pytest.fixture
def quick(paths):
    paths.config_file.write_text(SHORT)
    s = Session.open(paths)
    yield s
    s.close()


def talk(session, *messages, cid=None):
    """Send each message in one conversation; return the turns (each read to its end)."""
    turns = []
    for text in messages:
        turn = session.ask(text, conversation_id=cid)
        turn.reply = "".join(turn)
        cid = turn.result.conversation_id
        turns.append(turn)
    return turns


def creator(*args, input=None):
    return subprocess.run([sys.executable, "-m", "creator_assistant", *args], input=input,
                          capture_output=True, timeout=300, env=os.environ.copy())


class TestAnswers:
    """The next message answers the question, and what earlier answers gave is kept."""

    def test_the_script_questions_end_in_a_script(self, session):
        asked_topic, asked_length, script = talk(
            session, "write me a youtube script", "restoring an old hand plane", "8 minutes")
        assert asked_topic.reply == SCRIPT_QUESTIONS[0]
        assert asked_length.reply.startswith(SCRIPT_QUESTIONS[1])
        assert [t.result.status for t in (asked_topic, asked_length, script)] == [
            Status.QUESTION, Status.QUESTION, Status.OK]
        assert {t.result.task for t in (asked_topic, asked_length, script)} == {"script"}
        fields = script.prepare().fields
        assert fields["topic"] == "restoring an old hand plane" and fields["duration_s"] == 480
        loops = degenerate_problems(script.reply)  # random weights may loop: flagged, not a fault
        assert [p for p in script.result.format_problems if p not in loops] == []
        assert "[CTA] (7:30-8:00)" in script.fitted.messages[-1]["content"]
        saved = session.store.messages(script.result.conversation_id)
        assert [m["status"] for m in saved if m["role"] == "assistant"] == [
            "question", "question", "ok"]

    def test_an_answer_that_sounds_like_another_task_still_answers(self, quick):
        # On its own "how to grow on youtube" is general advice (chat): here it is the topic.
        _, answered, script = talk(quick, "write me a youtube script",
                                   "how to grow on youtube", "8 minutes")
        assert answered.result.task == "script" and answered.result.route.reason.startswith(
            "answers the script task's question")
        assert script.result.status == Status.OK
        assert script.prepare().fields["topic"] == "how to grow on youtube"

    @pytest.mark.parametrize("messages, fmt", [
        (["write me a blog post", "how to grow on youtube"], "blog_outline"),
        (["write this week's newsletter", "how to grow on youtube"], "newsletter"),
        (["/trend", "stanley cups"], "trend_analysis"),
        (["/competitor what should I look at?", "MrBeast"], "competitor_research"),
        (["make me a growth plan", "hit ten thousand subscribers by december"],
         "growth_strategy"),
        (["/analytics why are my views down?", "52k views, CTR 5.2%, 410 new subscribers"],
         "performance_analysis"),
        (["/analytics why are my views down?", "about fifty thousand views and five percent CTR"],
         "performance_analysis"),
    ], ids=["blog", "newsletter", "trend", "competitor", "analytics-goal", "analytics-numbers",
            "analytics-numbers-in-words"])
    def test_every_task_that_asks_is_completed_by_the_answer(self, quick, messages, fmt):
        question, answer = talk(quick, *messages)
        assert question.result.status == Status.QUESTION
        assert answer.result.task == question.result.task, answer.result.route
        assert answer.result.status == Status.OK, answer.reply
        assert answer.prepare().fields["format"] == fmt and answer.result.usage.completion_tokens

    def test_regenerating_the_reply_after_the_questions_keeps_their_answers(self, quick):
        *_, script = talk(quick, "write me a youtube script", "restoring an old hand plane",
                          "8 minutes")
        cid = script.result.conversation_id
        assert quick.rewind(cid) == "8 minutes"  # Ctrl+R: the last exchange is replaced
        (again,) = talk(quick, "8 minutes", cid=cid)
        assert again.result.status == Status.OK
        assert again.prepare().fields["topic"] == "restoring an old hand plane"

    def test_after_a_stopped_reply_try_again_has_the_answers(self, quick):
        first, _ = talk(quick, "write me a youtube script", "restoring an old hand plane")
        cid = first.result.conversation_id
        turn = quick.ask("8 minutes", conversation_id=cid)
        for n, _piece in enumerate(turn):
            if n == 2:
                turn.cancel()
        assert turn.result.status == Status.STOPPED
        (retry,) = talk(quick, "try again", cid=cid)
        assert retry.result.task == "script" and retry.result.status == Status.OK
        fields = retry.prepare().fields
        assert fields["topic"] == "restoring an old hand plane" and fields["duration_s"] == 480


class TestMovingOn:
    """A slash command or a clear new request is not taken for the answer."""

    @pytest.mark.parametrize("text, task", [
        ("/chat tell me a joke", "chat"),
        ("Analyze MrBeast's content strategy", "competitor"),
        ("actually, write me a newsletter about my pottery sale instead", "blog"),
        ("never mind, is the sourdough trend dying?", "trend"),
    ])
    def test_a_new_request_goes_to_its_task(self, quick, text, task):
        asked, moved = talk(quick, "write me a youtube script", text)
        assert moved.result.task == task, moved.result.route
        # The question is left behind: the script's state no longer claims the next message.
        (after,) = talk(quick, "8 minutes", cid=asked.result.conversation_id)
        assert after.result.route.reason != "answers the script task's question"
        # ...while, without moving on, "8 minutes" would have answered it.
        first, answered = talk(quick, "write me a youtube script", "restoring an old plane")
        assert answered.result.route.reason == "answers the script task's question"


class TestOrganize:
    """Organize takes the ideas it asked for, one per line or numbered inline."""

    def test_ideas_pasted_one_per_line_after_the_question_are_the_ideas(self, session):
        # Each line alone reads as general advice (chat); after the question they are ideas.
        ideas = ["how to light a small room", "best mic under $100", "my studio tour"]
        asked, listed, done = talk(session, "organize my ideas", "\n".join(ideas),
                                   "Tutorials, Vlogs")
        assert asked.reply.startswith("Which ideas should I organize?")
        assert listed.result.task == "organize"
        assert listed.reply.startswith("Which categories should I sort them into?")
        assert done.result.status == Status.OK and done.result.format_problems == []
        fields = done.prepare().fields
        assert fields["ideas"] == ideas and fields["categories"] == ["Tutorials", "Vlogs"]

    def test_an_inline_numbered_list_is_the_ideas(self, session):
        (done,) = talk(session, "Sort these into Tutorials or Vlogs: 1. GoPro review "
                                "2. morning routine 3. a week in Tokyo")
        assert done.result.task == "organize" and done.result.status == Status.OK
        assert done.prepare().fields["ideas"] == ["GoPro review", "morning routine",
                                                  "a week in Tokyo"]
        _, listed, sorted_ = talk(session, "organize my ideas",
                                  "1. GoPro review 2. morning routine 3. a week in Tokyo",
                                  "Tutorials, Vlogs")
        assert listed.reply.startswith("Which categories")
        assert sorted_.result.status == Status.OK and sorted_.result.format_problems == []
        assert len(sorted_.prepare().fields["ideas"]) == 3

    @pytest.mark.parametrize("text, ideas", [
        ("1. foo 2. bar 3. baz", ["foo", "bar", "baz"]),
        ("ideas: 1) tripod review, 2) desk tour. Put them into A or B",
         ["tripod review", "desk tour"]),
        ("top 10 mics, 1. then 2. now", ["then", "now"]),
        ("my 2 cents on 3. nothing", None),
    ])
    def test_reading_inline_numbers(self, text, ideas):
        from creator_assistant.plugins.organize import ideas as read_ideas

        assert read_ideas(text) == ideas


class TestEverySurface:
    """`creator ask --conversation` and `creator chat --plain` have the same conversation."""

    def test_creator_ask_conversation(self, paths):
        paths.config_file.write_text(SHORT)

        def ask(*args):
            proc = creator("ask", "--json", *args)
            assert proc.returncode == 0, proc.stderr.decode()
            return json.loads(proc.stdout.decode().splitlines()[-1])

        first = ask("write me a youtube script")
        cid = first["conversation_id"]
        second = ask("--conversation", cid, "restoring an old hand plane")
        third = ask("--conversation", cid, "8 minutes")
        assert [first["status"], second["status"], third["status"]] == [
            "question", "question", "ok"]
        assert third["task"] == "script" and third["usage"]["completion_tokens"] > 0
        assert third["route"]["reason"] == "answers the script task's question"

    async def test_the_chat_screen(self, paths):
        from creator_assistant.ui.core import Core
        from tests.test_ui import SIZE, app_for, replied, until

        paths.config_file.write_text(SHORT)
        core = Core(paths)
        try:
            app = app_for(core)
            async with app.run_test(size=SIZE) as pilot:
                screen = app.screen
                for n, text in enumerate(["write me a youtube script",
                                          "restoring an old hand plane", "8 minutes"], 1):
                    await screen.send(text)
                    await until(pilot, replied(screen, n))
                replies = [v for v in screen.log_view.messages if v.role == "assistant"]
                assert replies[0].text == SCRIPT_QUESTIONS[0]
                assert replies[1].text.startswith(SCRIPT_QUESTIONS[1])
                assert not replies[2].text.startswith(SCRIPT_QUESTIONS)
                rows = core.run(core.session.store.messages, screen.cid)
                assert [(r["task"], r["status"]) for r in rows if r["role"] == "assistant"] == [
                    ("script", "question"), ("script", "question"), ("script", "ok")]
        finally:
            core.close()

    def test_chat_plain(self, paths):
        paths.config_file.write_text(SHORT)
        lines = b"write me a youtube script\nrestoring an old hand plane\n8 minutes\n/quit\n"
        proc = creator("chat", "--plain", input=lines)
        out = proc.stdout.decode()
        assert proc.returncode == 0, proc.stderr.decode()
        assert out.count(SCRIPT_QUESTIONS[0]) == 1 and out.count(SCRIPT_QUESTIONS[1]) == 1
        assert out.count("(question: your next message answers it)") == 2
        assert out.count("[script \u00b7 demo]") == 3
        assert re.search(r"\n  [1-9][\d,]* tokens? \u00b7 ", out.split(SCRIPT_QUESTIONS[1])[-1])
