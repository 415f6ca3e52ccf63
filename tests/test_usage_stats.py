"""The creator metrics from real use: a conversation on the real SmolLM2 through Session.ask and
real `creator ask` / `creator ideas categorize` processes, then `creator stats`, whose every
figure must follow from the usage rows and the messages stored."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from creator_assistant.paths import Paths

MODEL = "smollm2-135m"
CONFIG = f"""[models]
threads = 2

[tasks.chat]
model = "{MODEL}"
max_tokens = 40
temperature = 0.2
seed = 7

[tasks.trend]
model = "{MODEL}"
max_tokens = 40
seed = 3

[tasks.organize]
model = "{MODEL}"
"""
TREND = ("Is sourdough baking still trending? Here are my Google Trends numbers:\n"
         "Week,sourdough\n2026-01-04,40\n2026-01-11,55\n2026-01-18,61\n2026-01-25,58\n")
ORGANIZE = ("Sort these ideas into Tutorials or Reviews:\n- camera lens review\n"
            "- how to edit a vlog\n- microphone review\n")
IDEAS = ("budget tripod review", "lighting a kitchen for video")
_BUILT: dict[str, dict] = {}  # one real conversation per test run, shared by the usage tests


def paths_at(root: Path) -> Paths:
    return Paths(root / "config", root / "data", root / "cache").ensure()


def creator(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CREATOR_HOME": str(root)}
    out = subprocess.run([sys.executable, "-m", "creator_assistant", *args], env=env,
                         capture_output=True, text=True, timeout=300)
    if check:
        assert out.returncode == 0, out.stderr
    return out


def build(root: Path) -> dict:
    """A real conversation: kept replies, one regenerated, one stopped, one rated 2; then a
    `creator ask` process, a trend with pasted numbers (twice: the second from the reply
    cache), an organize reply and a categorize run."""
    from creator_assistant.session import Session
    from creator_assistant.voice.rating import rate_message
    from tests.realmodels import install

    paths = paths_at(root)
    install(MODEL, paths)
    paths.config_file.write_text(CONFIG, encoding="utf-8")
    session = Session.open(paths)
    ids: dict[str, int] = {}
    try:
        def ask(text: str, cid: str | None, stop_after: int | None = None) -> Any:
            turn = session.ask(text, task="chat", conversation_id=cid)
            stream = iter(turn)
            for n, _ in enumerate(stream, 1):
                if stop_after is not None and n >= stop_after:
                    stream.close()  # as Esc does: the reply so far is kept, as stopped
                    break
            return turn.result

        first = ask("I run a small baking channel. What should my first video be?", None)
        cid = first.conversation_id
        ask("How long should it be?", cid)
        session.rewind(cid)  # regenerate: that reply is thrown away
        ids["regenerated"] = ask("How long should it be?", cid).message_id
        ids["stopped"] = ask("Write a long intro for it.", cid, stop_after=3).message_id
        ids["rated"] = ask("Give me a title.", cid).message_id
        rate_message(session.store.db, ids["rated"], 2)
    finally:
        session.close()
    creator(root, "ask", "--task", "chat", "--conversation", cid, "And a thumbnail idea?")
    creator(root, "ask", "--task", "trend", TREND)
    creator(root, "ask", "--task", "trend", TREND)  # the same again: from the reply cache
    creator(root, "ask", "--task", "organize", ORGANIZE)
    creator(root, "ideas", "pillars", "Tutorials", "Reviews")
    for idea in IDEAS:
        creator(root, "ideas", "add", idea)
    creator(root, "ideas", "categorize")
    return {"root": root, "cid": cid, "ids": ids, "in_process": 5, "processes": 4}


@pytest.fixture
def used(tmp_path_factory) -> dict:
    """The home holding the real conversation (built once per run)."""
    if "home" not in _BUILT:
        _BUILT["home"] = build(tmp_path_factory.mktemp("usage-home"))
    return _BUILT["home"]


def rows(root: Path) -> list[dict]:
    from creator_assistant.storage.db import open_db

    db = open_db(paths_at(root).database)
    try:
        return [dict(r) for r in db.query(
            "select u.*, m.content, m.status as saved_status, m.rating from usage u"
            " left join messages m on m.id = u.message_id and m.conversation_id ="
            " u.conversation_id order by u.id")]
    finally:
        db.close()


def test_every_reply_is_recorded_with_what_it_produced(used):
    from creator_assistant.usage.record import count_words

    recorded = rows(used["root"])
    replies = [r for r in recorded if r["kind"] == "reply"]
    assert len(replies) == used["in_process"] + used["processes"]
    assert {r["model"] for r in recorded} == {MODEL}
    for row in replies:
        if row["discarded"]:  # its message is gone; what it produced stays counted
            assert row["content"] is None and row["words"] > 0
            continue
        assert row["words"] == count_words(row["content"]), row
        assert row["status"] == row["saved_status"]
        assert row["gen_ms"] > 0 and row["wall_ms"] >= row["gen_ms"]
    assert [r["discarded"] for r in replies].count("rewound") == 1
    assert [r["status"] for r in replies].count("stopped") == 1
    trends = [r for r in replies if r["task"] == "trend"]
    assert [(r["pasted"], r["items"], r["cached"]) for r in trends] == [(1, 0, 0), (1, 0, 1)]
    organize = next(r for r in replies if r["task"] == "organize")
    assert (organize["items"], organize["pasted"]) == (3, 0)
    run = next(r for r in recorded if r["kind"] == "categorize")
    assert run["task"] == "organize" and run["items"] == len(IDEAS) and run["gen_ms"] > 0


def test_stats_follow_from_the_stored_rows(used):
    stats = json.loads(creator(used["root"], "stats", "--since", "all", "--json").stdout)
    recorded = rows(used["root"])
    spoke = [r for r in recorded if r["kind"] == "reply" and r["status"] in ("ok", "stopped")]
    chat = [r for r in spoke if r["task"] == "chat"]
    assert not any(r["cached"] for r in chat)
    writing = {(g["task"], g["model"]): g for g in stats["writing"]}
    got = writing[("chat", MODEL)]
    words, seconds = sum(r["words"] for r in chat), sum(r["gen_ms"] for r in chat) / 1000
    assert (got["replies"], got["words"]) == (len(chat), words)
    assert got["words_per_s"] == round(words / seconds, 2)
    trend = next(r for r in spoke if r["task"] == "trend")  # the first: the second is a hit
    assert stats["cached"] == 1  # counted, not timed: it took no generation
    research = {g["task"]: g for g in stats["research"]}["trend"]
    assert (research["sources"], research["pasted"], research["imports"]) == (1, 1, 0)
    assert research["sources_per_min"] == round(1 / (trend["gen_ms"] / 60000), 2)
    organizing = {(g["kind"], g["task"]): g for g in stats["organizing"]}
    run = next(r for r in recorded if r["kind"] == "categorize")
    batch = organizing[("categorize", "organize")]
    assert batch["items"] == len(IDEAS)
    assert batch["items_per_s"] == round(len(IDEAS) / (run["gen_ms"] / 1000), 2)
    assert organizing[("reply", "organize")]["items"] == 3
    switches = {(g["model"], g["switch_kind"]): g["count"] for g in stats["switches"]}
    # One cold load per process (the session's first turn, each `creator ask`), warm after.
    assert switches == {(MODEL, "cold"): 1 + used["processes"],
                        (MODEL, "warm"): used["in_process"] - 1}
    mem = stats["memory"]
    assert mem["snapshots"] == len(recorded)
    assert mem["latest"]["models"][MODEL] > 20 * 2**20  # the worker holds the weights
    assert mem["latest"]["total"] >= mem["latest"]["models"][MODEL] + mem["latest"]["app"]
    assert mem["peak"][MODEL] >= mem["latest"]["models"][MODEL]


def test_stats_print_each_figure_with_its_model_and_count(used):
    out = creator(used["root"], "stats", "--since", "all", "--no-chart").stdout
    assert f"| chat | {MODEL} |" in out and f"| trend | {MODEL} |" in out
    assert "## Research: sources per minute" in out and "## Organizing: items per second" in out
    assert f"| {MODEL} | cold | {1 + used['processes']} |" in out
    assert f"{MODEL} (model worker)" in out and "```" not in out  # --no-chart: no chart


def test_stats_draw_their_charts_as_text(used):
    out = creator(used["root"], "stats", "--since", "all").stdout
    assert "Writing speed per day" in out and "Words written per day" in out


def test_a_bad_span_is_one_line_saying_what_to_give(used):
    out = creator(used["root"], "stats", "--since", "3x", check=False)
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.strip() == ("creator: --since '3x' is not a span: give one like 30d, 2w, "
                                  "12h, or all")


def test_the_span_leaves_out_older_usage(used):
    import datetime as dt

    from creator_assistant.storage.db import open_db
    from creator_assistant.usage.figures import stats

    db = open_db(paths_at(used["root"]).database)
    try:
        later = dt.datetime.now(dt.UTC) + dt.timedelta(days=3)
        assert stats(db, "2d", now=later)["rows"] == 0
        assert stats(db, "5d", now=later)["rows"] == len(rows(used["root"]))
    finally:
        db.close()


def test_research_and_organize_tasks_say_what_they_read():
    from creator_assistant.plugins import competitor, organize, trend
    from creator_assistant.registry import TaskContext

    def prepared(module, text):
        return module.prepare(TaskContext(message=text, history=[], conversation_id="c"))

    assert prepared(trend, TREND).pasted == 1
    assert prepared(trend, "Is sourdough still trending?").pasted == 0
    assert prepared(competitor, "Analyze @breadcrafts: views 10,200, 8,400, 12,900").pasted == 1
    sorted_ = prepared(organize, ORGANIZE)
    assert (sorted_.items, sorted_.question) == (3, None)


def test_counting_words():
    from creator_assistant.usage.record import count_words

    assert count_words("Don't film in low light: a well-lit set, 3 lamps.") == 10
    assert count_words("") == 0
