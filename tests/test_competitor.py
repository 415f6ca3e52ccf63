"""Competitor research from the trending-videos sample, checked against the file read directly."""

from __future__ import annotations

import csv
import json
import os
import statistics
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from creator_assistant.data.competitor import report, words
from creator_assistant.data.facts import competitor_facts
from creator_assistant.data.importing import import_path
from creator_assistant.storage.db import open_db
from tests.conftest import SAMPLES

TRENDING = SAMPLES / "youtube-trending-US-videos.csv"
EXPORT = Path(__file__).parent / "data" / "Content 2024-01-01_2024-12-31 Maker Bench"


@pytest.fixture
def db(tmp_path):
    db = open_db(tmp_path / "creator.db")
    import_path(db, TRENDING)
    return db


def rows() -> list[dict[str, str]]:
    with open(TRENDING, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_topics_tags_and_cadence_match_the_file(db):
    r = report(db)
    raw = rows()
    assert (r["videos"], r["channels"]) == (200, len({x["channelTitle"] for x in raw}))
    music = [x for x in raw if x["categoryId"] == "10"]
    assert r["topics"]["categories"][0] == {
        "category": "Music", "videos": len(music),
        "median_views": round(statistics.median(int(x["view_count"]) for x in music))}
    tags = Counter(t.lower() for x in raw for t in set(x["tags"].split("|")) if t != "[none]")
    top_tag = r["topics"]["tags"][0]
    assert (top_tag["tag"], top_tag["videos"]) == tags.most_common(1)[0]
    weekdays = dict(r["cadence"]["weekdays"])
    assert sum(weekdays.values()) == 200
    assert r["cadence"]["median_days_between_uploads"] is None  # one video per channel here


def test_title_patterns_split_the_views(db):
    r = report(db)
    raw = rows()
    brackets = [x for x in raw if "(" in x["title"] or "[" in x["title"]]
    row = next(p for p in r["patterns"] if p["pattern"].startswith("(brackets)"))
    assert row["share_pct"] == round(len(brackets) / 200 * 100, 1)
    assert all(p["lift"] is None or p["lift"] > 0 for p in r["patterns"])
    assert r["title_length"]["median_words"] > 3


def test_gaps_against_your_own_titles(db):
    before = competitor_facts(db)
    assert before.data["gaps"] == [] and "Import your own per-video report" in before.markdown
    import_path(db, EXPORT)
    r = report(db)
    assert r["own_pieces"] == 50 and r["gaps"]
    with open(EXPORT / "Table data.csv", encoding="utf-8-sig", newline="") as f:
        mine = {w for x in csv.DictReader(f) for w in words(x["Video title"])}
    assert not {g["topic"] for g in r["gaps"]} & mine
    assert all(g["videos"] >= 3 for g in r["gaps"])
    facts = competitor_facts(db)
    assert "topics in their titles and tags that none of your 50 titles mention" in facts.markdown
    assert r["gaps"][0]["topic"] in facts.prompt


def test_the_competitors_command_json(home):
    env = {**os.environ, "CREATOR_HOME": str(home)}
    cmd = [sys.executable, "-m", "creator_assistant"]
    subprocess.run([*cmd, "import", str(TRENDING)], env=env, check=True, capture_output=True)
    out = subprocess.run([*cmd, "analytics", "competitors", "--json"], env=env, check=True,
                         capture_output=True, text=True)
    data = json.loads(out.stdout)
    assert data["videos"] == 200 and data["top_videos"][0]["views"] == max(
        int(x["view_count"]) for x in rows())


def test_the_report_is_the_same_in_every_process(db, tmp_path):
    """Ties keep the data's order: the prompt a reply is written from does not change with the
    process's hash seed (a set's order does)."""
    script = ("import json, sys; from creator_assistant.storage.db import open_db; "
              "from creator_assistant.data.competitor import report; "
              "print(json.dumps(report(open_db(sys.argv[1])), sort_keys=True))")
    path = tmp_path / "creator.db"
    outs = {subprocess.run([sys.executable, "-c", script, str(path)], check=True, text=True,
                           capture_output=True, env={**os.environ, "PYTHONHASHSEED": seed}).stdout
            for seed in ("1", "2", "3", "4")}
    assert len(outs) == 1
