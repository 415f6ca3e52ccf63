"""Analytics computed from imported exports, checked against the files read independently."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

import pytest

from creator_assistant.data.analytics import report
from creator_assistant.data.facts import analytics_facts
from creator_assistant.data.importing import import_path
from creator_assistant.plots import Chart, split
from creator_assistant.storage.db import open_db
from tests.conftest import SAMPLES

EXPORT = Path(__file__).parent / "data" / "Content 2024-01-01_2024-12-31 Maker Bench"


def read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return [r for r in csv.DictReader(f) if r[next(iter(r))] != "Total"]


@pytest.fixture
def content_db(tmp_path):
    db = open_db(tmp_path / "creator.db")
    import_path(db, EXPORT)
    return db


def test_top_and_bottom_by_views_match_the_file(content_db):
    rows = read(EXPORT / "Table data.csv")
    by_views = sorted(rows, key=lambda r: -int(r["Views"]))
    r = report(content_db)
    assert r["pieces"] == 50
    assert [(p["id"], p["title"], p["views"]) for p in r["top_by_views"]] == [
        (x["Content"].strip(), x["Video title"], int(x["Views"])) for x in by_views[:10]]
    assert [p["views"] for p in r["bottom_by_views"][:3]] == [int(x["Views"])
                                                             for x in by_views[::-1][:3]]
    assert r["medians"]["views"] == statistics.median(int(x["Views"]) for x in rows)


def test_rates_engagement_and_the_planted_effects(content_db):
    rows = read(EXPORT / "Table data.csv")
    r = report(content_db)
    best_ctr = max(rows, key=lambda x: float(x["Thumbnail click-through rate (%)"]))
    assert r["top_by_ctr"][0]["ctr"] == float(best_ctr["Thumbnail click-through rate (%)"])
    most_subs = max(rows, key=lambda x: int(x["Subscribers gained"]))
    assert r["top_by_subscribers"][0]["title"] == most_subs["Video title"]
    def rate(x):
        return (int(x["Likes"]) + int(x["Comments added"]) + int(x["Shares"])) / int(x["Views"])
    top = r["top_by_engagement"][0]
    best = max(rows, key=rate)
    assert (top["id"], top["engagement"]) == (best["Content"].strip(), round(rate(best) * 100, 2))
    # Planted by tests/data/make_studio_export.py: Saturday uploads get twice the views,
    # 8-15 minute videos are watched furthest (after Shorts), the desk video is a 10x outlier.
    assert max(r["publish_day"], key=lambda d: d["median_views"])["day"] == "Saturday"
    longform = [b for b in r["length"]["buckets"] if not b["length"].startswith("Shorts")]
    assert max(longform, key=lambda b: b["median_retention"])["length"] == "8-15 min"
    above = [o for o in r["outliers"] if o["direction"] == "above"]
    assert above[0]["title"].startswith("I Built a Desk") and above[0]["x_median"] > 9
    assert any(o["direction"] == "below" and o["title"].startswith("Q&A") for o in r["outliers"])


def test_growth_and_momentum_from_the_daily_totals(content_db):
    days = read(EXPORT / "Totals.csv")
    views = [int(d["Views"]) for d in days]
    g = report(content_db)["growth"]
    assert (g["days"], g["first_date"], g["last_date"]) == (366, "2024-01-01", "2024-12-31")
    assert g["total"] == sum(views)
    assert g["last_28_vs_previous_28_pct"] == round(
        (sum(views[-28:]) - sum(views[-56:-28])) / sum(views[-56:-28]) * 100, 1)
    assert g["trend_pct_per_30_days"] > 0  # the file grows 4.5 views a day, every day
    assert g["peak"]["value"] == max(views)
    assert g["net_subscribers"] == sum(int(d["Subscribers"]) for d in days)
    weekly = [w["total"] for w in g["weekly"]]
    assert weekly[-1] == sum(views[-7:]) and len(weekly) == 52


def test_a_geography_report_is_analysed_as_countries(tmp_path):
    db = open_db(tmp_path / "creator.db")
    import_path(db, SAMPLES / "youtube-studio-geography-Table data.csv")
    import_path(db, SAMPLES / "youtube-studio-geography-Totals.csv")
    r = report(db)
    assert r["dimension"] == "Geography" and r["pieces"] == 201
    assert [(p["id"], p["views"]) for p in r["top_by_views"][:2]] == [("US", 2638475),
                                                                      ("IN", 2110882)]
    assert r["top_by_views"][0]["share_pct"] == round(2638475 / 15503810 * 100, 2)
    assert r["longest_watched"][0] == {"id": "SE", "avg_view_s": 5 * 60 + 55, "views": 183884}
    assert r["growth"]["total"] == 15503810  # the daily series adds up to the Total row
    assert "outliers" not in r  # countries against a median country mean nothing
    facts = analytics_facts(db)
    assert "| 1 | US | 2,638,475 | 17.02 |" in facts.markdown
    charts = {c.title: c for c in split(facts.markdown) if isinstance(c, Chart)}
    assert list(charts) == ["Views by geography, top 10", "Views by week"]  # plotext charts
    assert charts["Views by geography, top 10"].series["views"][:2] == [2638475, 2110882]
    assert "US" in facts.prompt and "chart {" not in facts.prompt and "█" not in facts.prompt


def test_nothing_imported_says_how_to_import(tmp_path):
    facts = analytics_facts(open_db(tmp_path / "creator.db"))
    assert not facts.available and "creator import PATH" in facts.markdown
    assert "Do not invent" in facts.prompt


def test_the_report_command_json(home, content_db):
    env = {**os.environ, "CREATOR_HOME": str(home)}
    cmd = [sys.executable, "-m", "creator_assistant"]
    subprocess.run([*cmd, "import", str(EXPORT)], env=env, check=True, capture_output=True)
    out = subprocess.run([*cmd, "analytics", "report", "--json"], env=env, check=True,
                         capture_output=True, text=True)
    top = json.loads(out.stdout)["top_by_views"]
    assert len(top) == 10 and {"id", "title", "views"} <= set(top[0])
    assert [t["views"] for t in top] == sorted((t["views"] for t in top), reverse=True)
    text = subprocess.run([*cmd, "analytics", "report"], env=env, check=True,
                          capture_output=True, text=True).stdout
    assert "**Top 5 by views**" in text and "Saturday" in text


def test_fifty_pieces_are_dated_and_timed(content_db):
    r = report(content_db)
    dated = sum(d["pieces"] for d in r["publish_day"])
    assert dated == 49  # one unlisted video has no publish time
    assert sum(b["pieces"] for b in r["length"]["buckets"]) == 50
    assert dt.date.fromisoformat(r["growth"]["weekly"][0]["week_of"]).year == 2024


POSTS = ("Caption,Posted,Plays,Likes\nMorning routine,2024-02-01,1200,90\n"
         "Desk tour,2024-02-08,3400,310\nShop cleanup,2024-02-15,800,40\n")


def test_the_readmes_generic_import_then_the_report(home, tmp_path):
    """README: `creator import posts.csv --as generic --map title=Caption,views=Plays`, then the
    report works on the columns the file has (it raised AttributeError on the missing Total row)."""
    env = {**os.environ, "CREATOR_HOME": str(home)}
    cmd = [sys.executable, "-m", "creator_assistant"]
    posts = tmp_path / "posts.csv"
    posts.write_text(POSTS)
    subprocess.run([*cmd, "import", str(posts), "--as", "generic", "--map",
                    "title=Caption,views=Plays"], env=env, check=True, capture_output=True)
    out = subprocess.run([*cmd, "analytics", "report"], env=env, capture_output=True, text=True)
    assert out.returncode == 0 and "Traceback" not in out.stderr, out.stderr
    assert ("From `posts.csv` (import #1, generic, channel not named in the file, 2024-02-01 to "
            "2024-02-15, imported ") in out.stdout
    assert "| 1 | Desk tour | 3,400 | 2.83× |" in out.stdout and "Thursday" in out.stdout
    data = json.loads(subprocess.run([*cmd, "analytics", "report", "--json"], env=env,
                                     check=True, capture_output=True, text=True).stdout)
    assert [p["title"] for p in data["top_by_views"]] == ["Desk tour", "Morning routine",
                                                          "Shop cleanup"]
    assert "total_row" not in data and data["medians"]["views"] == 1200


@pytest.mark.parametrize(("text", "mapping", "shown"), [
    ("Caption,Notes\nMorning routine,early\nDesk tour,walnut\n", "title=Caption",
     "has no metric column"),
    ("Name,Likes\nMorning routine,90\nDesk tour,310\n", "", "| 1 | Desk tour | 310 |"),
    ("Post ID,Plays\np1,100\np2,300\n", "", "| 1 | p2 | 300 |"),
    ("Title,Plays,Length\nA,100,0:45\nB,300,9:30\nC,50,12:00\nD,80,1:00\nE,90,20:00\n", "",
     "Rank correlation of length with views"),
])
def test_the_report_works_on_whatever_columns_a_generic_csv_has(tmp_path, text, mapping, shown):
    path = tmp_path / "mine.csv"
    path.write_text(text)
    db = open_db(tmp_path / "creator.db")
    import_path(db, path, wanted="generic", options={"map": mapping} if mapping else {})
    facts = analytics_facts(db)
    assert facts.available and shown in facts.markdown
    assert facts.markdown.startswith("From `mine.csv` (import #1, generic")


def test_an_analytics_question_after_a_generic_import(paths, tmp_path):
    from creator_assistant.session import Session

    posts = tmp_path / "posts.csv"
    posts.write_text(POSTS)
    paths.config_file.write_text("[tasks.analytics]\nmax_tokens = 32\n")
    session = Session.open(paths)
    try:
        import_path(session.store.db, posts, wanted="generic",
                    options={"map": "title=Caption,views=Plays"})
        turn = session.ask("which of my posts did best?", task="analytics")
        "".join(turn)
        assert turn.result.status == "ok", turn.result.error
        assert "| 1 | Desk tour | 3,400 | 2.83× |" in turn.result.facts
    finally:
        session.close()
