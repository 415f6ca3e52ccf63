"""The six task plugins and chat, end to end through Session.ask on the demo model: routing, the
one question asked for a missing field, the checked format, and the settings shown in --json."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from creator_assistant.formats.degenerate import degenerate_problems
from creator_assistant.session import Session

REQUESTS = [
    ("Write a 3-minute YouTube script about budget travel in Japan for beginners", "script",
     "video_script"),
    ("Write a 30 second TikTok script about folding fitted sheets", "script", "short_script"),
    ("Write an Instagram caption about my sunrise hike", "script", "caption"),
    ("Outline a blog post about composting in small apartments, keywords: compost, apartment",
     "blog", "blog_outline"),
    ("Write this week's newsletter about my spring pottery sale", "blog", "newsletter"),
    ("Is the sourdough trend over? Google Trends: Jan 80, Feb 60, Mar 40", "trend",
     "trend_analysis"),
    ("Analyze MrBeast's content strategy", "competitor", "competitor_research"),
    ("Analyze my stats: 52k views, CTR 5.2%, 410 new subscribers in March", "analytics",
     "performance_analysis"),
    ("Give me a 90-day plan to grow from 3k to 10k subscribers", "analytics", "growth_strategy"),
    ("Sort these ideas into Tutorials, Vlogs or Reviews:\n- GoPro review\n- morning routine\n"
     "- color grading in Resolve\n- a week in Tokyo", "organize", "organize"),
]
PROFILES = {  # from the seed: temperature, top_p, max_tokens, context, repeat penalty
    "script": (0.7, 0.9, 2048, 8192, 1.1), "blog": (0.7, 0.9, 2048, 8192, 1.1),
    "trend": (0.2, 0.7, 1024, 16384, 1.05), "competitor": (0.2, 0.7, 1024, 16384, 1.05),
    "analytics": (0.1, 0.6, 1024, 4096, 1.0), "organize": (0.1, 0.5, 256, 2048, 1.0),
}


def structural(result) -> list[str]:
    """A demo reply's format problems other than degenerate text: the grammar keeps the format
    whole, but random weights often loop (`was focus was focus ...`), which is flagged too."""
    loops = degenerate_problems(result.text)
    return [p for p in result.format_problems if p not in loops]


@pytest.fixture
def session(paths):
    s = Session.open(paths)
    yield s
    s.close()


@pytest.mark.parametrize("text,task,fmt", REQUESTS, ids=[r[2] for r in REQUESTS])
def test_each_task_answers_in_its_checked_format(session, text, task, fmt):
    turn = session.ask(text)
    reply = "".join(turn)
    result = turn.result
    assert result.task == task, result.route
    assert result.status == "ok" and result.model == "demo"
    assert turn.prepare().fields["format"] == fmt
    assert structural(result) == [], reply
    assert result.as_dict()["format_ok"] is (result.format_problems == [])


def test_chat_is_the_fallback_and_declares_no_format(session):
    turn = session.ask("hello there")
    assert "".join(turn) and turn.result.task == "chat"
    assert turn.result.format_problems is None


@pytest.mark.parametrize("task", sorted(PROFILES))
def test_default_models_and_profiles_follow_the_seed(session, task):
    t = session.tasks[task]
    p = t.profile
    assert (p.temperature, p.top_p, p.max_tokens, p.context, p.repeat_penalty) == PROFILES[task]
    assert t.model == ("gemma-3-4b" if task == "organize" else "gemma-3-12b")
    assert session.host.registry.owner[("tasks", task)] == task  # registered by its own plugin


def test_a_missing_field_gets_one_question_then_the_answer_completes_it(session):
    turn = session.ask("Write a YouTube script about {topic} cats ${x} {{audience}}")
    question = "".join(turn)
    assert turn.result.status == "question" and question.startswith("How long should the video")
    assert turn.result.usage.completion_tokens == 0  # asked, not generated
    cid = turn.result.conversation_id
    answer = session.ask("8 minutes", conversation_id=cid)
    "".join(answer)
    prepared = answer.prepare()
    assert answer.result.task == "script" and answer.result.status == "ok"
    assert prepared.fields["duration_s"] == 480 and structural(answer.result) == []
    # The user's braces and dollars are data: they reach the prompt exactly as typed.
    assert "Topic: {topic} cats ${x} {{audience}}" in prepared.user
    assert "[CTA] (7:30-8:00)" in prepared.user


@pytest.mark.parametrize("text,starts", [
    ("/competitor what should I look at?", "Which competitor"),
    ("/analytics why are my views down?", "Which numbers"),
    ("/organize help me organize my content ideas", "Which ideas"),
    ("/trend", "Which trend"),
    ("/blog write me something", "What is the post about"),
])
def test_each_task_asks_instead_of_inventing(session, text, starts):
    turn = session.ask(text)
    assert "".join(turn).startswith(starts) and turn.result.status == "question"


def test_organize_asks_to_batch_when_the_ideas_cannot_fit_its_budget(session):
    ideas = "\n".join(f"- idea number {i} about something quite specific" for i in range(60))
    turn = session.ask(f"Sort these ideas into Tutorials or Vlogs:\n{ideas}")
    text = "".join(turn)
    assert turn.result.task == "organize" and turn.result.status == "question"
    assert "That is 60 ideas" in text and "[tasks.organize]" in text


@pytest.mark.parametrize("command", ["script", "blog", "trend", "competitor", "analytics",
                                     "organize", "chat"])
def test_a_slash_command_always_wins(session, command):
    route, body = session.route(f"/{command} hello, thanks!", conversation_task="analytics")
    assert route.task == command and body == "hello, thanks!"


def test_follow_up_stays_on_the_conversation_task(session):
    first = session.ask("Give me a 90-day plan to grow from 3k to 10k subscribers")
    "".join(first)
    cid = first.result.conversation_id
    follow = session.ask("make the first month more detailed", conversation_id=cid)
    "".join(follow)
    assert follow.result.task == "analytics" and follow.result.route.reason.startswith("follow")
    assert structural(follow.result) == []
    other = session.ask("now write a blog post outline about this plan", conversation_id=cid)
    "".join(other)
    assert other.result.task == "blog"


def test_help_lists_every_task_and_command(session):
    from creator_assistant.registry import CommandContext

    text = session.run_command("/help", CommandContext(session, None))
    for name in session.tasks:
        assert f"`/{name}`" in text and session.tasks[name].description in text
    for name, cmd in session.host.registry.commands.items():
        assert f"`/{name}" in text and cmd.description in text
    one = session.run_command("/help organize", CommandContext(session, None))
    assert "temperature 0.1" in one and "max_tokens 256" in one
    assert "gemma-3-4b is not installed" in one  # says which model really answers
    assert "No command or task called `/nope`" in session.run_command(
        "/help nope", CommandContext(session, None))


def test_config_overrides_a_task_profile_and_model(paths):
    paths.config_file.write_text('[tasks.organize]\nmax_tokens = 512\ntemperature = 0.3\n'
                                 'model = "demo"\n')
    s = Session.open(paths)
    try:
        turn = s.ask("Sort these ideas into A or B:\n- one\n- two", task="organize")
        "".join(turn)
        assert turn.result.profile["max_tokens"] == 512
        assert turn.result.profile["temperature"] == 0.3 and turn.result.profile["top_p"] == 0.5
        assert structural(turn.result) == []
    finally:
        s.close()


def test_ask_json_shows_task_model_profile_and_the_model_note(home):
    out = subprocess.run(
        [sys.executable, "-m", "creator_assistant", "ask", "--json",
         "Analyze MrBeast's content strategy"], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    record = json.loads(out.stdout.strip().splitlines()[-1])
    assert record["task"] == "competitor" and record["model"] == "demo"
    assert record["profile"]["temperature"] == 0.2 and record["profile"]["context"] == 16384
    assert "gemma-3-12b is not installed" in record["model_note"]
    assert record["format_ok"] is not None and record["route"]["runner_up"]
    reply = out.stdout.strip().rsplit("\n", 1)[0]
    loops = degenerate_problems(reply)
    assert [p for p in record["format_problems"] if p not in loops] == []
