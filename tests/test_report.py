"""`creator report` from the real conversation of tests/test_usage_stats.py: time saved per task
follows from the stored rows and the creator's own estimates; discarded replies save nothing;
every assumption is printed with whether it is still the default."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from creator_assistant.config import ReportConfig
from tests.test_usage_stats import creator, paths_at, rows, used  # noqa: F401

MONTH = 30.44


def home_with(used: dict, tmp_path: Path, config: str) -> Path:  # noqa: F811
    """A home holding a copy of the conversation's database and this config.toml."""
    root = tmp_path / "home"
    paths = paths_at(root)
    source = sqlite3.connect(paths_at(used["root"]).database)
    target = sqlite3.connect(paths.database)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    paths.config_file.write_text(config, encoding="utf-8")
    return root


def report(root: Path) -> dict:
    return json.loads(creator(root, "report", "--since", "all", "--json").stdout)


def kept(recorded: list[dict], task: str) -> list[dict]:
    return [r for r in recorded if r["task"] == task and r["kind"] == "reply"
            and r["status"] == "ok" and not r["discarded"] and not r["cached"]
            and (r["rating"] or 5) > 2]


def took(row: dict) -> float:
    return row["wall_ms"] / 60000


def test_discarded_replies_save_nothing_and_are_counted(used, tmp_path):  # noqa: F811
    root = home_with(used, tmp_path, "")
    got, recorded = report(root), rows(root)
    assert got["discarded"] == {"rewound": 1, "stopped": 1, "rated_low": 1, "repeat": 1}
    trend = {t["task"]: t for t in got["tasks"]}["trend"]
    assert (trend["pieces"], trend["repeat"]) == (1, 1)  # the cache's repeat is not a new piece
    chat = {t["task"]: t for t in got["tasks"]}["chat"]
    pieces = kept(recorded, "chat")
    assert len(pieces) == 3  # the first, the regenerated one, the `creator ask` one
    assert (chat["pieces"], chat["rewound"], chat["stopped"], chat["rated_low"]) == (3, 1, 1, 1)
    assert chat["words"] == sum(r["words"] for r in pieces)
    # By hand, by default: words at 20 a minute; saved: that less the product's time.
    rate = ReportConfig().words_per_minute_by_hand
    expected = sum(max(0.0, r["words"] / rate - took(r)) for r in pieces)
    assert abs(chat["saved_min"] - expected) < 1e-3
    thrown = [r for r in recorded if r["task"] == "chat" and r not in pieces]
    assert sum(r["words"] for r in thrown) > 0  # they wrote words, and those saved nothing
    assert got["monthly"]["payback_months"] is None  # no hardware cost entered


def test_your_estimates_and_costs_change_the_result(used, tmp_path):  # noqa: F811
    config = ("[report]\nhourly_value = 40\nhardware_cost = 1200\nhardware_lifetime_months = 24\n"
              "minutes_per_source = 15\nwords_per_minute_by_hand = 10\ncurrency = \"€\"\n\n"
              "[report.minutes_by_hand]\nchat = 30\n")
    root = home_with(used, tmp_path, config)
    got, recorded = report(root), rows(root)
    tasks = {t["task"]: t for t in got["tasks"]}
    chat = kept(recorded, "chat")
    assert abs(tasks["chat"]["saved_min"] - sum(30 - took(r) for r in chat)) < 1e-3
    assert tasks["chat"]["estimate"] == "yours: 30 min a piece"
    assert tasks["trend"]["estimate"] == "default rates"
    trend = kept(recorded, "trend")[0]  # one pasted source, at 15 minutes, plus its words
    assert abs(tasks["trend"]["by_hand_min"] - (trend["words"] / 10 + 15)) < 1e-3
    saved_h = sum(t["saved_min"] for t in got["tasks"]) / 60
    assert abs(got["saved_hours"] - saved_h) < 1e-3
    monthly_value = saved_h * MONTH / got["days"] * 40
    m = got["monthly"]
    assert abs(m["value"] - monthly_value) < 0.05 and m["hardware_cost"] == 50.0
    assert abs(m["payback_months"] - 1200 / monthly_value) < 0.1
    assert abs(m["roi_percent"] - (monthly_value - 50) / 50 * 100) < 0.5
    default = report(home_with(used, tmp_path / "default", ""))
    assert default["saved_hours"] != got["saved_hours"]


def test_every_assumption_is_printed_with_where_it_came_from(used, tmp_path):  # noqa: F811
    root = home_with(used, tmp_path, "[report]\nhourly_value = 40\n\n"
                     "[report.minutes_by_hand]\nchat = 30\n")
    out = creator(root, "report", "--since", "all", "--no-chart").stdout
    lines = out.splitlines()
    for name in ReportConfig.model_fields:
        if name == "minutes_by_hand":
            continue
        row = next(line for line in lines if line.startswith(f"| [report] {name} |"))
        assert ("| config.toml |" in row) == (name == "hourly_value"), row
    assert "| [report.minutes_by_hand] chat | 30.0 | config.toml |" in out
    assert "| [report.minutes_by_hand] trend | not set | default |" in out
    assert ("Thrown away, counted as no time saved: 1 regenerated or edited and resent, "
            "1 stopped, 1 rated 1-2, 1 answered again from the cache") in out
    assert "creator config path" in out and "[report.minutes_by_hand]" in out
    assert "Payback: needs the hardware cost ([report] hardware_cost)" in out
    assert "```" in out  # the example of how to change them, and no chart (--no-chart)
    assert "Time saved per week" not in out


def test_the_report_draws_time_saved_per_week(used, tmp_path):  # noqa: F811
    out = creator(home_with(used, tmp_path, ""), "report", "--since", "all").stdout
    assert "Time saved per week" in out and "Words written per day" in out


def test_a_bad_setting_is_one_line_naming_it(used, tmp_path):  # noqa: F811
    root = home_with(used, tmp_path, "[report]\nhourly_value = -5\n")
    out = creator(root, "report", check=False)
    assert out.returncode == 1 and out.stdout == ""
    assert len(out.stderr.strip().splitlines()) == 1 and "report.hourly_value" in out.stderr


def test_an_empty_history_reports_nothing_invented(tmp_path):
    root = tmp_path / "empty"
    paths_at(root)
    got = report(root)
    assert (got["tasks"], got["pieces"], got["saved_hours"]) == ([], 0, 0.0)
    out = creator(root, "report").stdout
    assert "Nothing recorded yet" in out and "[report] hourly_value" in out
