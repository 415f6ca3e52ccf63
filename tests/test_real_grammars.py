"""Every task's format with real weights: SmolLM2-135M-Instruct answers each request through the
Session under the grammar its task prepared, and the format's structural check passes.

Whether the words say anything is `formats.degenerate`'s question, not this file's: its verdict
on each reply is printed (run with -s to see it), not asserted."""

from __future__ import annotations

import pytest

from creator_assistant import formats
from creator_assistant.session import Session
from tests.realmodels import install

# A request per format, as a creator would write it; kept short so each reply is quick.
REQUESTS = [
    ("video_script", "script", "Write a 2-minute YouTube script about budget travel in Japan"),
    ("short_script", "script", "Write a 30 second TikTok script about folding fitted sheets"),
    ("caption", "script", "Write an Instagram caption about my sunrise hike"),
    ("blog_outline", "blog", "Outline a blog post about composting in small apartments"),
    ("newsletter", "blog", "Write this week's newsletter about my spring pottery sale"),
    ("trend_analysis", "trend",
     "Is the sourdough trend over? Google Trends: Jan 80, Feb 60, Mar 40"),
    ("competitor_research", "competitor", "Analyze MrBeast's content strategy"),
    ("performance_analysis", "analytics",
     "Analyze my stats: 52k views, CTR 5.2%, 410 new subscribers in March"),
    ("growth_strategy", "analytics",
     "Give me a 90-day plan to grow from 3k to 10k subscribers"),
    ("organize", "organize", "Sort these ideas into Tutorials, Vlogs or Reviews:\n- GoPro review\n"
     "- morning routine\n- color grading in Resolve\n- a week in Tokyo"),
]
TASKS = sorted({task for _, task, _ in REQUESTS})


def test_every_format_has_a_request():
    assert sorted(fmt for fmt, _, _ in REQUESTS) == sorted(formats.NAMES)


@pytest.fixture
def session(paths, smollm2):
    install("smollm2-135m", paths)
    overrides = "".join(f'[tasks.{task}]\nmodel = "smollm2-135m"\nseed = 11\n\n' for task in TASKS)
    paths.config_file.write_text("[models]\nthreads = 2\n\n" + overrides)
    s = Session.open(paths)
    yield s
    s.close()


def degenerate(text: str) -> list[str]:
    try:
        from creator_assistant.formats.degenerate import degenerate_problems
    except ImportError:  # the degenerate check is not in this checkout
        return []
    return degenerate_problems(text)


@pytest.mark.parametrize("fmt,task,text", REQUESTS, ids=[r[0] for r in REQUESTS])
def test_real_weights_keep_the_format(session, fmt, task, text):
    turn = session.ask(text, task=task)
    reply = "".join(turn)
    result = turn.result
    assert result.status == "ok" and result.model == "smollm2-135m", result.error
    prepared = turn.prepare()
    assert prepared.grammar and prepared.fields["format"] == fmt
    assert result.usage.finish_reason == "stop", reply  # the grammar ended it, not the limit
    structural = formats.get(fmt).check(reply, prepared.fields)
    assert structural == [], reply
    # What the product reported is the structural check plus (possibly) degenerate text.
    flagged = degenerate(reply)
    assert result.format_problems is not None
    assert set(result.format_problems) <= set(flagged)
    print(f"\n[{fmt}] {result.usage.completion_tokens} tokens; degenerate: {flagged or 'no'}")
