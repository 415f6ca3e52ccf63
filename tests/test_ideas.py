"""The idea store: pillars, priorities, full-text search, near duplicates, and categorizing 100
ideas in one batch with grammar-constrained labels on the demo model (real llama.cpp)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from creator_assistant.data.categorize import categorize, gbnf_choice
from creator_assistant.data.facts import organize_facts
from creator_assistant.data.ideas import DuplicateIdea, IdeaError, IdeaStore, similarity
from creator_assistant.registry import CommandContext
from creator_assistant.storage.db import open_db

PILLARS = ["Tutorials", "Tool reviews", "Builds", "Shop life"]
THINGS = ["desk", "bookcase", "cutting board", "workbench", "stool", "bench", "toy truck",
          "mallet", "nightstand", "coffee table"]
ANGLES = ["for beginners", "on a budget", "from scrap wood", "with hand tools only",
          "in a weekend", "with my kids", "from one sheet of plywood", "that lasts a lifetime",
          "without a table saw", "in a tiny apartment"]


@pytest.fixture
def store(tmp_path):
    return IdeaStore(open_db(tmp_path / "creator.db"))


def test_add_list_search_remove(store):
    store.set_pillars(PILLARS)
    a = store.add("Review the three cheapest track saws", "tool reviews", "high")
    b = store.add("Build a walnut desk with hidden cable trays", "Builds")
    c = store.add("Shop tour after the winter clean-up")
    assert [i["id"] for i in store.list()] == [a, c, b]  # high priority first, then newest
    assert store.get(a)["category"] == "Tool reviews"
    assert [i["id"] for i in store.list(uncategorized=True)] == [c]
    assert [i["id"] for i in store.search("reviews")] == [a]  # stemmed
    assert [i["id"] for i in store.search("cabl")] == [b]  # prefix
    assert "**desk**" in store.search("desk")[0]["snippet"]
    store.remove(b)
    assert store.search("desk") == []
    with pytest.raises(IdeaError, match="no pillar 'Vlogs'; pillars: Tutorials"):
        store.add("A day in the life", "Vlogs")
    with pytest.raises(IdeaError, match="priority 'urgent'"):
        store.add("Something else entirely", prio="urgent")


def test_near_duplicates_are_caught(store):
    first = store.add("10 budget microphones reviewed for YouTube beginners")
    for again in ("10 Budget Microphones, reviewed for YouTube beginners!",
                  "YouTube beginners: 10 budget microphones reviewed",
                  "10 budget microphone reviewed for youtube beginner"):
        with pytest.raises(DuplicateIdea) as exc:
            store.add(again)
        assert exc.value.matches[0]["id"] == first
    assert similarity("Build a desk", "Film the studio tour") < 0.3
    store.add("10 budget microphones reviewed for YouTube beginners", force=True)
    assert len(store.duplicate_pairs()) == 1


def test_pillars_must_be_safe_grammar_literals(store):
    with pytest.raises(IdeaError, match="no quotes"):
        store.set_pillars(['The "best" stuff'])
    assert gbnf_choice(["A b", "C"]) == 'root ::= "A b" | "C"\n'


def test_categorize_100_ideas_in_one_batch_on_the_demo_model(paths):
    from creator_assistant.session import Session

    session = Session.open(paths)
    try:
        store = IdeaStore(session.store.db)
        store.set_pillars(PILLARS)
        for thing in THINGS:
            for angle in ANGLES:
                store.add(f"Build a {thing} {angle}", force=True)
        seen = []
        done = categorize(session, progress=lambda n, total, idea, label: seen.append(
            (n, total, label)))
        assert done.model == "demo" and len(done.done) == 100
        assert [n for n, _, _ in seen] == list(range(1, 101)) and seen[-1][1] == 100
        rows = store.list()
        assert all(r["category"] in PILLARS and r["categorized_by"] == "demo" for r in rows)
        assert done.completion_tokens > 0 and done.per_second > 0
        assert categorize(session).done == []  # nothing left uncategorized
    finally:
        session.close()


def test_ideas_command_line(home):
    env = {**os.environ, "CREATOR_HOME": str(home)}

    def creator(*args, input=None):
        return subprocess.run([sys.executable, "-m", "creator_assistant", "ideas", *args],
                              input=input, capture_output=True, text=True, env=env)

    assert creator("pillars", "Tutorials", "Builds").stdout.strip() == "Pillars: Tutorials, Builds"
    added = creator("add", "Sharpen", "a", "chisel", "--pillar", "tutorials")
    assert "Added idea #1" in added.stdout
    bulk = creator("add", "-", input="Build a bench\nbuild a bench!\nFilm a shop tour\n")
    assert "Added ideas #2, #3." in bulk.stdout and "skipped (like #2)" in bulk.stdout
    dup = creator("add", "Sharpen a chisel")
    assert dup.returncode == 1 and "this looks like idea #1" in dup.stderr
    listed = json.loads(creator("list", "--json").stdout)
    assert [i["text"] for i in listed] == ["Film a shop tour", "Build a bench", "Sharpen a chisel"]
    found = json.loads(creator("search", "bench", "--json").stdout)
    assert [i["id"] for i in found] == [2]
    cat = creator("categorize", "--json")
    assert cat.returncode == 0, cat.stderr
    assert json.loads(cat.stdout)["categorized"] == 2
    assert "categorizing 2/2" in cat.stderr
    assert creator("rm", "3").stdout.strip() == "Removed #3."


def test_ideas_in_the_chat_and_as_facts(paths):
    from creator_assistant.session import Session

    session = Session.open(paths)
    ctx = CommandContext(session, None)
    try:
        assert "No pillars yet" in session.run_command("/ideas pillars", ctx)
        session.run_command('/ideas pillars Tutorials "Shop life"', ctx)
        assert session.run_command("/ideas add Film the lathe restoration --priority high",
                                   ctx) == "Added idea #1."
        assert "| 1 | Film the **lathe** restoration | – | high |" in session.run_command(
            "/ideas search lathe", ctx)
        assert "invalid choice" in session.run_command("/ideas frobnicate", ctx)
        facts = organize_facts(session.store.db)
        assert "**1 ideas**; pillars: Tutorials, Shop life" in facts.markdown
        assert "Film the lathe restoration" in facts.prompt
    finally:
        session.close()
