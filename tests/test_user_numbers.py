"""The user's numbers win: figures typed in a message are the data for that turn, the import is
used when the message refers to it or gives none, the facts say where their numbers came from,
channels are never mixed, and notices count only what the user wrote."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from creator_assistant.data.analytics import report
from creator_assistant.data.importing import import_path
from creator_assistant.storage.db import open_db
from tests.conftest import SAMPLES

EXPORT = Path(__file__).parent / "data" / "Content 2024-01-01_2024-12-31 Maker Bench"
TYPED = "My last 5 videos got 1200, 800, 950, 400 and 2100 views. What should I change?"
VIEWS = [1200, 800, 950, 400, 2100]
TODAY = dt.datetime.now(dt.UTC).date().isoformat()
MAKER_BENCH = (f"From `{EXPORT.name}` (import #1, youtube-studio, channel Maker Bench, "
               f"2024-01-01 to 2024-12-31, imported {TODAY[:4]}")


@pytest.fixture
def session(paths):
    from creator_assistant.session import Session

    # Short replies (the demo's text is meaningless) in a window the 50-video facts overflow.
    paths.config_file.write_text("[tasks.analytics]\nmax_tokens = 32\ncontext = 2048\n")
    s = Session.open(paths)
    yield s
    s.close()


def ask(session, text: str, cid: str | None = None):
    turn = session.ask(text, task="analytics", conversation_id=cid)
    "".join(turn)
    assert turn.result.status == "ok", turn.result.error
    return turn


def sent(turn) -> str:
    """The user message the model was given: the task's prompt, facts included."""
    return turn.fitted.messages[-1]["content"]


def other_channel(tmp_path: Path, factor: int = 3) -> Path:
    """A second channel's Studio export: the same shape, other titles, other totals."""
    folder = tmp_path / "Content 2024-01-01_2024-12-31 Other Channel"
    folder.mkdir()
    for name, change in (("Table data.csv", "Video title"), ("Totals.csv", "Views")):
        with open(EXPORT / name, encoding="utf-8-sig", newline="") as f:
            rows = list(csv.DictReader(f))
        for r in rows:
            if change == "Video title" and r["Content"] != "Total":
                r[change] = f"Other: {r[change]}"
            elif change == "Views":
                r[change] = str(int(r[change]) * factor)
        with open(folder / name, "w", encoding="utf-8", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
    return folder


def totals(folder: Path) -> int:
    with open(folder / "Totals.csv", encoding="utf-8-sig", newline="") as f:
        return sum(int(r["Views"]) for r in csv.DictReader(f))


class TestTypedFigures:
    """Figures typed in the message are read and computed in Python."""

    def test_the_summary_is_computed_from_the_typed_views(self):
        from creator_assistant.data.typed import read, summary

        (series,) = read(TYPED).series
        s = summary(series)
        assert (series.metric, series.values) == ("views", VIEWS)
        assert s["mean"] == statistics.mean(VIEWS) and s["median"] == statistics.median(VIEWS)
        assert s["total"] == sum(VIEWS)
        assert (s["best"]["value"], s["best"]["label"]) == (2100, "#5")
        assert (s["worst"]["value"], s["worst"]["label"]) == (400, "#4")
        assert s["first_to_last_pct"] == round((2100 - 1200) / 1200 * 100, 1)
        slope = np.polyfit(range(5), VIEWS, 1)[0]
        assert s["trend_pct_of_mean_per_item"] == round(slope / statistics.mean(VIEWS) * 100, 1)
        assert read(TYPED).items == (5, "videos")

    @pytest.mark.parametrize(("message", "expected"), [
        ("Title\tViews\tCTR\nDesk\t1200\t4.5%\nShop\t800\t3%\nJigs\t950\t5.2%",
         {"views": ([1200, 800, 950], ["Desk", "Shop", "Jigs"]),
          "ctr": ([4.5, 3.0, 5.2], ["Desk", "Shop", "Jigs"])}),
        ("- Desk build: 1,200 views, 4.5% CTR\n- Shop tour: 800 views, 3.1% CTR",
         {"views": ([1200, 800], ["Desk build", "Shop tour"]),
          "ctr": ([4.5, 3.1], ["Desk build", "Shop tour"])}),
        ("How are my last 5 videos doing? 1.2k, 3.4k, 800, 2.2k, 5.1k views",
         {"views": ([1200, 3400, 800, 2200, 5100], [])}),
        ("my watch hours went from 900 to 300 after I started posting shorts",
         {"watch_hours": ([900, 300], [])}),
        ("which videos did best? titles and views below\nMorning routine 2026, 18,400\n"
         "Desk tour, 9,100\nStudy with me 3h, 31,000",
         {"views": ([18400, 9100, 31000], ["Morning routine 2026", "Desk tour",
                                           "Study with me 3h"])}),
    ])
    def test_tables_lists_and_lines(self, message, expected):
        from creator_assistant.data.typed import read

        got = {s.metric: (s.values, s.labels) for s in read(message).series}
        assert got == expected

    def test_goals_dates_and_lengths_are_not_data(self):
        from creator_assistant.data.typed import read

        plan = read("plan a 90 day roadmap to reach 10k subscribers by 2025-06-01")
        assert not plan and [(g.metric, g.value) for g in plan.goals] == [("subscribers", 10000)]
        now = read("I have 2,000 subscribers and want to reach 10,000 by December")
        assert [(f.metric, f.value) for f in now.figures] == [("subscribers", 2000)]
        assert [(g.metric, g.value) for g in now.goals] == [("subscribers", 10000)]
        assert not read("which of my 8 minute videos from March 2024 did best?")


class TestTheChat:
    """Session.ask on the demo model: what the model is sent and what the user is shown."""

    def test_typed_figures_are_the_data_and_the_import_is_not_injected(self, session):
        import_path(session.store.db, EXPORT)  # 50 videos of another shape entirely
        turn = ask(session, TYPED)
        facts, prompt = turn.result.facts, sent(turn)
        assert facts.startswith("From your message: 5 videos (views).")
        for text in (facts, prompt):
            assert "| Mean | 1,090 |" in text and "| Median | 950 |" in text
            assert "| Best | 2,100 (#5) |" in text and "| Worst | 400 (#4) |" in text
            assert "| Total | 5,450 |" in text
            assert "Maker Bench" not in text and "101,312" not in text
            assert "I Built a Desk" not in text
        assert "typed in this conversation" in prompt and not turn.result.notices

    def test_a_follow_up_stays_with_the_typed_figures(self, session):
        import_path(session.store.db, EXPORT)
        cid = ask(session, TYPED).result.conversation_id
        turn = ask(session, "which one did best, and why?", cid)
        assert turn.result.facts.startswith("From your message: 5 videos (views).")
        assert "Maker Bench" not in sent(turn)

    def test_the_import_is_used_when_the_message_names_it(self, session):
        import_path(session.store.db, EXPORT)
        turn = ask(session, "Compare 1200, 800 and 950 views with my imported data")
        facts = turn.result.facts
        assert facts.startswith("From your message: 3 figures (views).")
        assert MAKER_BENCH in facts and MAKER_BENCH in sent(turn)
        assert facts.index("From your message") < facts.index(MAKER_BENCH)

    def test_without_figures_the_import_is_used_and_named(self, session):
        import_path(session.store.db, EXPORT)
        turn = ask(session, "which of my videos did best?")
        assert turn.result.facts.startswith(MAKER_BENCH)
        assert MAKER_BENCH in sent(turn) and "From your message" not in sent(turn)

    def test_the_window_notice_counts_only_the_users_words(self, session):
        import_path(session.store.db, EXPORT)  # facts larger than the demo's 4K window holds
        message = "how are my videos doing?"
        turn = ask(session, message)
        assert not any(n.startswith("Your message was") for n in turn.result.notices)
        (notice,) = [n for n in turn.result.notices if "facts computed" in n]
        assert f"Your message itself ({len(message)} characters) was sent whole" in notice
        assert "[… part of the computed facts was removed to fit the model's window …]" in \
            sent(turn) and f"```\n{message}\n```" in sent(turn)
        assert sent(turn).startswith("Analyze this creator's content performance.")
        assert turn.result.usage.prompt_tokens + turn.fitted.max_tokens <= turn.n_ctx


class TestChannels:
    """Imports from two channels are never merged; growth follows the per-video channel."""

    def test_the_most_recent_channel_is_used_and_the_other_named(self, tmp_path):
        db = open_db(tmp_path / "creator.db")
        other = other_channel(tmp_path)
        import_path(db, EXPORT)
        import_path(db, other)
        r = report(db)
        assert r["channel"] == "Other Channel" and r["other_channels"] == ["Maker Bench"]
        assert all(p["title"].startswith("Other: ") for p in r["top_by_views"])
        assert r["growth"]["total"] == totals(other) != totals(EXPORT)
        mine = report(db, message="how is Maker Bench doing this year?")
        assert mine["channel"] == "Maker Bench" and mine["growth"]["total"] == totals(EXPORT)
        assert not any(p["title"].startswith("Other: ") for p in mine["top_by_views"])
        assert report(db, channel="maker bench")["growth"]["total"] == totals(EXPORT)

    def test_growth_never_comes_from_another_channels_totals(self, tmp_path):
        db = open_db(tmp_path / "creator.db")
        import_path(db, EXPORT)
        import_path(db, SAMPLES / "youtube-studio-geography-Totals.csv")  # someone else's
        latest = report(db)
        assert latest["channel"] is None and "top_by_views" in latest
        assert latest["top_by_views"] == [] and latest["other_channels"] == ["Maker Bench"]
        bench = report(db, channel="Maker Bench")
        assert bench["growth"]["total"] == totals(EXPORT) and bench["pieces"] == 50
        assert {s["import"] for s in bench["sources"]} == {1}

    def test_the_report_command_says_which_channel(self, home, tmp_path):
        env = {**os.environ, "CREATOR_HOME": str(home)}

        def creator(*args):
            return subprocess.run([sys.executable, "-m", "creator_assistant", *args], env=env,
                                  capture_output=True, text=True, timeout=300)

        other = other_channel(tmp_path)
        assert creator("import", str(EXPORT)).returncode == 0
        assert creator("import", str(other)).returncode == 0
        out = creator("analytics", "report")
        assert out.returncode == 0, out.stderr
        assert f"From `{other.name}` (import #2, youtube-studio, channel Other Channel, " \
               "2024-01-01 to 2024-12-31" in out.stdout
        assert "Only channel Other Channel is analysed; also imported: Maker Bench" in out.stdout
        assert "I Built a Desk" not in out.stdout.replace("Other: I Built a Desk", "")
        picked = creator("analytics", "report", "--channel", "Maker Bench", "--json")
        data = json.loads(picked.stdout)
        assert data["channel"] == "Maker Bench" and data["other_channels"] == ["Other Channel"]
        assert data["growth"]["total"] == totals(EXPORT)
        bad = creator("analytics", "report", "--channel", "Nope")
        assert bad.returncode == 1 and "Traceback" not in bad.stderr
        assert "no imported channel named 'Nope'; imported channels: Other Channel, Maker " \
               "Bench" in bad.stderr


def test_a_trend_message_with_its_own_series_is_answered_from_it(session):
    from creator_assistant.plugin_context import task_context

    trend = session.tasks["trend"]
    import_path(session.store.db, SAMPLES / "google-trends-multiTimeline.csv")
    message = "Analyze the trend: searches for 'standing desk' went 30, 35, 60, 95, 80"
    p = trend.prepare(task_context(session, trend, message, [], "c1"))
    assert "gym: score" not in p.user and "30, 35, 60, 95, 80" in p.user and not p.facts
    named = trend.prepare(task_context(session, trend, "is gym still growing?", [], "c1"))
    assert named.facts.startswith("From `google-trends-multiTimeline.csv` (import #1, imported")


def test_a_copy_of_the_export_folder_is_one_channel(tmp_path):
    db = open_db(tmp_path / "creator.db")
    copy = tmp_path / EXPORT.name
    shutil.copytree(EXPORT, copy)
    import_path(db, EXPORT)
    assert import_path(db, copy).already_imported
    assert report(db)["other_channels"] == []
