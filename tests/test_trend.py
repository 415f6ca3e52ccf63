"""Trend scoring from the series itself: the shared Google Trends samples and made-up series
whose answer is known."""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from creator_assistant.data.facts import trend_facts
from creator_assistant.data.importing import import_path
from creator_assistant.data.trends import analyse_term, report
from creator_assistant.storage.db import open_db
from tests.conftest import SAMPLES

DATA = Path(__file__).parent / "data"


@pytest.fixture
def db(tmp_path):
    db = open_db(tmp_path / "creator.db")
    import_path(db, SAMPLES / "google-trends-multiTimeline.csv")
    return db


def busiest_month(term: str) -> int:
    """The calendar month with the highest mean share of its year, read straight from the CSV."""
    lines = (SAMPLES / "google-trends-multiTimeline.csv").read_text().splitlines()[2:]
    rows = list(csv.DictReader(lines))
    column = next(c for c in rows[0] if c.startswith(term + ":"))
    years: dict[str, dict[int, float]] = {}
    for r in rows:
        years.setdefault(r["Month"][:4], {})[int(r["Month"][5:])] = float(r[column])
    share = {m: sum(y[m] / (sum(y.values()) / 12) for y in years.values()) for m in range(1, 13)}
    return max(share, key=share.get)


def test_new_year_terms_peak_in_january(db):
    terms = {t["term"]: t for t in report(db)["terms"]}
    assert list(terms) == ["diet", "gym", "finance"]
    for name in ("diet", "gym"):
        t = terms[name]
        assert t["peak_months"] == [busiest_month(name)] == [1]
        assert t["seasonality"]["seasonal"] and t["seasonality"]["consistency"] >= 0.9
        assert "Publish in late December" in t["timing"]
        assert any("yearly peak (January) is 1 month away" in r for r in t["reasons"])
    finance = terms["finance"]
    assert not finance["seasonality"]["seasonal"]  # no month stands out year after year
    assert finance["peak_months"][0] == busiest_month("finance")
    assert "No reliable yearly peak" in finance["timing"]


def test_scores_and_reasons_are_computed_from_the_series(db):
    terms = {t["term"]: t for t in report(db)["terms"]}
    diet = terms["diet"]
    assert diet["peak"] == {"date": "2004-01-01", "value": 100.0}
    assert diet["latest"] == 39.0 and diet["latest_vs_peak_pct"] == 39.0
    # Oct-Dec 2017 against Oct-Dec 2016: (44+41+39) / (40+39+36) - 1
    assert diet["momentum_pct"] == round((44 + 41 + 39) / (40 + 39 + 36) * 100 - 100, 1)
    for t in terms.values():
        assert 1 <= t["score"] <= 10 and len(t["reasons"]) >= 3
        assert len(t["series"]) == 168


def monthly(values: list[float], start: int = 2015) -> tuple[list[dt.date], list[float]]:
    dates = [dt.date(start + i // 12, i % 12 + 1, 1) for i in range(len(values))]
    return dates, values


def test_a_july_spike_in_weekly_data_means_publish_in_late_june():
    start = dt.date(2019, 1, 6)
    dates = [start + dt.timedelta(weeks=i) for i in range(52 * 4)]
    values = [30 + (45 if d.month == 7 else 0) + (i % 3) for i, d in enumerate(dates)]
    t = analyse_term("pool party", dates, values, "week")
    assert t["peak_months"] == [7] and t["seasonality"]["seasonal"]
    assert "Publish in late June" in t["timing"] and "fades by August" in t["timing"]


def test_a_rising_series_outscores_a_falling_one():
    rising = analyse_term("up", *monthly([20 + i * 0.8 for i in range(48)]), "month")
    falling = analyse_term("down", *monthly([60 - i * 0.8 for i in range(48)]), "month")
    assert rising["slope_pct_per_year"] > 0 > falling["slope_pct_per_year"]
    assert rising["momentum_pct"] > 0 > falling["momentum_pct"]
    assert rising["score"] >= 7 and falling["score"] <= 3
    assert "No reliable yearly peak" in rising["timing"]


def test_a_short_series_has_no_season_to_time():
    t = analyse_term("new", *monthly([10, 12, 15, 30, 44, 50, 47, 40]), "month")
    assert t["seasonality"] is None and t["peak_months"] == [6]
    assert "Too short to see a yearly pattern" in t["timing"]


def test_regions_and_related_queries(db):
    import_path(db, SAMPLES / "google-trends-geoMap.csv")
    import_path(db, DATA / "relatedQueries.csv")
    r = report(db)
    assert r["regions"]["diet"][0] == {"region": "South Africa", "value": 63.0}
    assert r["regions"]["finance"][0] == {"region": "Slovenia", "value": 100.0}
    rising = {x["query"]: x for x in r["related"]["rising"]}
    assert rising["carnivore diet"]["breakout"]
    assert rising["intermittent fasting diet"]["value"] == 4250
    facts = trend_facts(db, "should I make a gym video?")
    assert facts.data["terms"][0]["term"] == "gym"  # the term the message names comes first
    assert "carnivore diet (Breakout)" in facts.markdown and "South Africa 63" in facts.prompt
    assert "◆ seasonal peak (January): 2017-01" in facts.markdown  # gym's interest chart
    assert "chart {" not in facts.prompt


def test_the_report_command_json(home):
    env = {**os.environ, "CREATOR_HOME": str(home)}
    cmd = [sys.executable, "-m", "creator_assistant"]
    subprocess.run([*cmd, "import", str(SAMPLES / "google-trends-multiTimeline.csv")], env=env,
                   check=True, capture_output=True)
    out = subprocess.run([*cmd, "trend", "report", "--json"], env=env, check=True,
                         capture_output=True, text=True)
    terms = json.loads(out.stdout)["terms"]
    assert [(t["term"], t["peak_months"]) for t in terms][:2] == [("diet", [1]), ("gym", [1])]
    assert all(isinstance(t["score"], int) and 1 <= t["score"] <= 10 for t in terms)
    only = subprocess.run([*cmd, "trend", "report", "gym", "--json"], env=env, check=True,
                          capture_output=True, text=True)
    assert [t["term"] for t in json.loads(only.stdout)["terms"]] == ["gym"]
    bad = subprocess.run([*cmd, "trend", "report", "keto"], env=env, capture_output=True,
                         text=True)
    assert bad.returncode == 1 and "no term 'keto'" in bad.stderr and "diet, gym" in bad.stderr
    assert not math.isnan(terms[0]["score"])
