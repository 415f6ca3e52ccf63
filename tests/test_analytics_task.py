"""The tasks compute before they write: after an import, the analytics, trend, competitor and
organize tasks put the computed facts in the prompt and show them (tables, charts) first."""

from __future__ import annotations

from pathlib import Path

import pytest

from creator_assistant.data.ideas import IdeaStore
from creator_assistant.data.importing import import_path
from creator_assistant.plugin_context import task_context
from tests.conftest import SAMPLES

EXPORT = Path(__file__).parent / "data" / "Content 2024-01-01_2024-12-31 Maker Bench"


@pytest.fixture
def session(paths):
    from creator_assistant.session import Session

    s = Session.open(paths)
    yield s
    s.close()


def prepare(session, task: str, message: str):
    chosen = session.tasks[task]
    return chosen.prepare(task_context(session, chosen, message, [], "c1"))


def test_without_imports_the_tasks_ask_and_point_at_import(session):
    p = prepare(session, "analytics", "which of my videos did best?")
    assert p.question and "/import PATH" in p.question and not p.facts


def test_analytics_facts_reach_the_prompt_and_the_screen(session):
    import_path(session.store.db, EXPORT)
    p = prepare(session, "analytics", "which of my videos did best?")
    assert p.question is None
    assert "**Top 5 by views**" in p.facts and "chart {" in p.facts  # tables and charts shown
    assert "I Built a Desk From ONE Sheet of Plywood" in p.user and "101,312" in p.user
    assert "Quote only these numbers" in p.user and "chart {" not in p.user


def test_geography_sample_through_the_analytics_task(session):
    import_path(session.store.db, SAMPLES / "youtube-studio-geography-Table data.csv")
    import_path(session.store.db, SAMPLES / "youtube-studio-geography-Totals.csv")
    turn = session.ask("how are my views doing?", task="analytics")
    reply = "".join(turn)
    assert turn.result.status == "ok" and reply
    assert "| 1 | US | 2,638,475 | 17.02 |" in turn.result.facts
    assert "◆ best week: 2021-08-20" in turn.result.facts  # the chart of the daily totals


def test_trend_and_competitor_tasks_use_their_imports(session):
    import_path(session.store.db, SAMPLES / "google-trends-multiTimeline.csv")
    import_path(session.store.db, SAMPLES / "youtube-trending-US-videos.csv")
    trend = prepare(session, "trend", "is gym content worth making this winter?")
    assert "Publish in late December" in trend.user and "gym: score" in trend.user
    assert "diet: score" not in trend.user  # the message names gym: only gym
    assert "◆ seasonal peak (January): 2017-01" in trend.facts
    comp = prepare(session, "competitor", "what can I learn from these videos?")
    assert comp.question is None  # the imported list's channels are the competitors
    assert "Title patterns" in comp.user and "Music" in comp.facts


def test_organize_uses_the_idea_store(session):
    store = IdeaStore(session.store.db)
    store.set_pillars(["Tutorials", "Shop life"])
    store.add("Sharpen a chisel in five minutes")
    store.add("A day of sawdust and coffee")
    p = prepare(session, "organize", "organize my ideas")
    assert p.question is None
    assert "Sharpen a chisel in five minutes" in p.user and "Tutorials, Shop life" in p.user
    assert "**2 ideas**" in p.facts
