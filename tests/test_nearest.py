"""`nearest` over any collection, and `context.examples` for tasks: by meaning with the real
MiniLM (cached, so each text is embedded once), by words without it, saying which."""

from __future__ import annotations

import pytest

from creator_assistant.nearest import nearest
from creator_assistant.plugin_context import task_context
from creator_assistant.retrieval import Embeddings, EmptyQuery
from creator_assistant.session import Session
from creator_assistant.storage.db import open_db
from tests.realmodels import install

POSTS = ["ten ways to save money on your weekly food shop", "my favourite hiking boots, reviewed",
         "", "what I learned editing 100 videos"]


def test_by_meaning_finds_a_text_that_shares_no_word(minilm, tmp_path):
    db = open_db(tmp_path / "creator.db")
    with Embeddings(model_path=minilm, n_threads=2) as emb:
        found = nearest(POSTS, "cutting grocery costs", 2, emb, db)
        assert found.by == "meaning" and found.why_not is None
        assert found.hits[0][0] == 0 and found.hits[0][1] > found.hits[1][1]
        assert 2 not in [i for i, _ in nearest(POSTS, "anything", 4, emb, db).hits]
        calls = emb.calls
        nearest(POSTS, "cutting grocery costs", 2, emb, db)
        assert emb.calls == calls  # query and texts came from the cache
    db.close()


def test_by_words_without_a_model_and_says_so():
    found = nearest(POSTS, "hiking boots for beginners", 3)
    assert found.by == "words" and "no embedding model" in found.why_not
    assert found.hits and found.hits[0][0] == 1
    assert nearest(POSTS, "cutting grocery costs", 3).hits == []  # no shared word: nothing


def test_an_empty_query_is_a_clear_error():
    with pytest.raises(EmptyQuery, match="the query is empty"):
        nearest(POSTS, "  ")


def test_a_task_reaches_it_through_its_context(paths, minilm):
    install("minilm-l6-v2", paths)
    session = Session.open(paths)
    try:
        task = session.tasks["chat"]
        context = task_context(session, task, "hi", [], "c1", profile={})
        found = context.examples.nearest(POSTS, "cutting grocery costs", 1)
        assert found.by == "meaning" and found.hits[0][0] == 0
    finally:
        session.close()


def test_without_the_model_a_task_gets_words_and_the_reason(paths):
    session = Session.open(paths)
    try:
        context = task_context(session, session.tasks["chat"], "hi", [], "c1", profile={})
        found = context.examples.nearest(POSTS, "hiking boots", 1)
        assert found.by == "words" and found.hits[0][0] == 1
        assert found.why_not.startswith("no embedding model is installed")
    finally:
        session.close()
