"""Ideas by meaning, on the real MiniLM: near-duplicates in other words, hard negatives left
alone, each idea embedded once, the nearest pillar as categorize's hint, and the words-only
fallback with its one-line reason."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from creator_assistant.data.categorize import HINT, categorize, gbnf_choice, user_message
from creator_assistant.data.idea_meaning import Meaning
from creator_assistant.data.ideas import DUPLICATE, DuplicateIdea, IdeaStore, similarity
from creator_assistant.retrieval import Embeddings
from creator_assistant.storage.db import open_db
from tests.realmodels import install

GUIDE, AT_HOME = "cold brew guide", "how to make cold brew at home"


@pytest.fixture
def db(tmp_path):
    return open_db(tmp_path / "creator.db")


@pytest.fixture
def by_meaning(db, minilm):
    with Embeddings(model_path=minilm, db=db, n_threads=2) as emb:
        yield IdeaStore(db, Meaning(embeddings=emb))


def test_the_same_idea_in_other_words_is_caught_by_meaning_not_by_words(by_meaning, db):
    first = by_meaning.add(GUIDE)
    assert similarity(GUIDE, AT_HOME) < DUPLICATE and IdeaStore(db).near_duplicates(AT_HOME) == []
    with pytest.raises(DuplicateIdea) as caught:
        by_meaning.add(AT_HOME)
    match = caught.value.matches[0]
    assert match["id"] == first and match["by"] == "meaning" and match["similarity"] >= 0.57
    assert f"this looks like idea #{first}" in str(caught.value) and "in meaning" in str(caught.value)
    second = by_meaning.add(AT_HOME, force=True)
    assert by_meaning.duplicate_pairs() == [(first, second, match["similarity"])]
    assert by_meaning.why_not is None


def test_same_topic_but_a_different_idea_is_not_flagged(by_meaning):
    for a, b in (("Cold brew coffee recipe", "Cold brew tea recipe"),  # one word swapped
                 ("Sourdough starter from scratch", "Five things to bake with sourdough discard"),
                 ("Best cameras for beginners", "Best microphones for beginners")):
        by_meaning.add(a)
        by_meaning.add(b)  # no DuplicateIdea
    assert by_meaning.duplicate_pairs() == []
    assert by_meaning.near_duplicates("The best beginner cameras")[0]["text"] == (
        "Best cameras for beginners")  # the same words reordered still are


def test_a_second_run_embeds_nothing_new(paths, tmp_path):
    install("minilm-l6-v2", paths)
    ideas = [GUIDE, "Review of the Sony ZV-E10", "Desk setup tour", AT_HOME]
    db = open_db(tmp_path / "creator.db")
    store = IdeaStore(db, Meaning(paths, db))  # as the session builds it
    for text in ideas:
        store.add(text, force=True)
    pairs = store.duplicate_pairs()
    calls = store.meaning.calls
    assert calls == len(ideas)  # each idea once, when it was added
    assert store.duplicate_pairs() == pairs and store.meaning.calls == calls
    store.close()
    db.close()
    again = open_db(tmp_path / "creator.db")  # a later command: a new worker, the same file
    store = IdeaStore(again, Meaning(paths, again))
    try:
        assert store.duplicate_pairs() == pairs and len(pairs) == 1
        assert store.near_duplicates(GUIDE)[0]["text"] == GUIDE
        assert store.meaning.calls == 0
    finally:
        store.close()


def test_no_model_or_a_failed_load_means_words_and_one_line_why(paths, db, tmp_path, minilm):
    store = IdeaStore(db, Meaning(paths, db))  # the test home has no embedding model
    assert store.why_not == ("no embedding model is installed: using words only; "
                             "`creator models pull minilm-l6-v2`")
    first = store.add("10 budget microphones reviewed for YouTube beginners")
    assert store.add(GUIDE) and store.add(AT_HOME)  # not caught by words
    with pytest.raises(DuplicateIdea) as caught:
        store.add("YouTube beginners: 10 budget microphones reviewed")
    assert caught.value.matches[0]["id"] == first and caught.value.matches[0]["by"] == "words"
    assert "in meaning" not in str(caught.value)

    broken = tmp_path / minilm.name
    broken.write_bytes(minilm.read_bytes()[: minilm.stat().st_size // 2])  # cut short
    with Embeddings(model_path=broken, db=db, n_threads=2) as emb:
        failed = IdeaStore(db, Meaning(embeddings=emb))
        assert failed.duplicate_pairs() == store.duplicate_pairs() == []
        why = failed.why_not
        assert why and "\n" not in why and why.endswith("; meanwhile using words only")


def test_the_command_line_says_how_it_compared(home, paths):
    env = {**os.environ, "CREATOR_HOME": str(home)}

    def creator(*args):
        return subprocess.run([sys.executable, "-m", "creator_assistant", "ideas", *args],
                              capture_output=True, text=True, env=env)

    assert creator("add", GUIDE).returncode == 0
    words = creator("add", AT_HOME)
    assert words.returncode == 0 and words.stderr.splitlines() == [
        "note: no embedding model is installed: using words only; "
        "`creator models pull minilm-l6-v2`"]
    listed = json.loads(creator("duplicates", "--json").stdout)
    assert listed["by"] == "words" and listed["pairs"] == []
    install("minilm-l6-v2", paths)
    meaning = json.loads(creator("duplicates", "--json").stdout)
    assert meaning["by"] == "meaning" and meaning["why_not"] is None
    assert [(p["a"], p["b"]) for p in meaning["pairs"]] == [(1, 2)]
    refused = creator("add", "Making cold brew at home")
    assert refused.returncode == 1 and "in meaning" in refused.stderr
    assert "note:" not in refused.stderr
    assert "| 1 | cold brew guide | 2 |" in creator("duplicates").stdout


def test_categorize_offers_the_nearest_pillar_and_the_grammar_still_decides(paths):
    from creator_assistant.session import Session

    install("minilm-l6-v2", paths)
    session = Session.open(paths)
    try:
        store = session.ideas
        pillars = ["Coffee brewing", "Camera gear", "Woodworking"]
        store.set_pillars(pillars)
        ids = [store.add(t) for t in (AT_HOME, "Review of the Sony ZV-E10",
                                      "Build a walnut desk with hidden cable trays")]
        done = categorize(session)
        assert done.priors == dict(zip(ids, pillars, strict=True)) and done.why_not is None
        assert len(done.done) == 3 and all(label in pillars for _, label in done.done)
        assert all(r["category"] in pillars for r in store.list())
    finally:
        session.close()
    assert user_message(AT_HOME, "Coffee brewing").endswith(HINT.format(prior="Coffee brewing"))
    assert user_message(AT_HOME, None) == f"Idea: {AT_HOME}"
    assert gbnf_choice(pillars) == 'root ::= "Coffee brewing" | "Camera gear" | "Woodworking"\n'


def test_a_pillars_members_pull_ideas_towards_it(by_meaning):
    pillars = ["Alpha", "Beta"]  # names that say (next to) nothing of their topics
    for text, pillar in (("Cold brew coffee at home", "Beta"), ("Pour-over coffee basics", "Beta"),
                         ("Build a walnut desk", "Alpha"), ("Sharpening chisels by hand", "Alpha")):
        by_meaning.update(by_meaning.add(text), category=pillar)
    waiting = [{"id": 0, "text": "Iced latte recipe"}, {"id": 0, "text": "Making a cutting board"}]
    members = by_meaning.list()
    assert by_meaning.meaning.nearest_pillars(waiting, pillars) == ["Alpha", "Beta"]  # names only
    assert by_meaning.meaning.nearest_pillars(waiting, pillars, members) == ["Beta", "Alpha"]
    # an idea already in a pillar is not its own evidence
    alone = [{"id": members[0]["id"], "text": members[0]["text"], "category": "Alpha"}]
    assert by_meaning.meaning.nearest_pillars(alone, pillars, members[:1]) == (
        by_meaning.meaning.nearest_pillars(alone, pillars))


def test_the_organize_task_lists_each_ideas_nearest_category_under_its_grammar(paths):
    from creator_assistant import formats
    from creator_assistant.plugin_context import task_context
    from creator_assistant.session import Session

    message = ("Sort these into Coffee, Cameras or Woodworking:\n- how to make cold brew at home"
               "\n- Review of the Sony ZV-E10\n- Build a walnut desk with hidden cable trays")
    install("minilm-l6-v2", paths)
    session = Session.open(paths)
    try:
        session.ideas.add(GUIDE)
        session.ideas.add(AT_HOME, force=True)  # stored: the facts list them as duplicates
        task = session.tasks["organize"]
        p = task.prepare(task_context(session, task, message, [], "c1"))
    finally:
        session.close()
    assert p.question is None and "**Likely duplicates**\n\n- #1 and #2 (" in p.facts
    for n, idea, hint in ((1, AT_HOME, "Coffee"), (2, "Review of the Sony ZV-E10", "Cameras"),
                          (3, "Build a walnut desk with hidden cable trays", "Woodworking")):
        assert f"{n}. {idea}  (nearest in meaning: {hint})" in p.user
    grammar = p.grammar or formats.get("organize").grammar(p.fields)
    assert 'category ::= ("Coffee" | "Cameras" | "Woodworking")\n' in grammar  # these only
    assert "nearest" not in grammar and f'"1. {AT_HOME} \\u2192 " category' in grammar


def test_the_thresholds_are_the_ones_the_bench_chose_on_its_tune_half(minilm, capsys):
    from benches.ideas import main

    assert main(["--model", str(minilm)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["pairs"] >= 150 and out["model"] == "minilm-l6-v2"
    assert out["chosen"] == out["product"]  # data/idea_meaning.py holds what the sweep chose
    assert out["meaning"]["f1"] > out["cosine_only"]["f1"] > out["lexical"]["f1"]
