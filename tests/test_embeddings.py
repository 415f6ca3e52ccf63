"""Embeddings in the runtime (real MiniLM in its own worker), their SQLite cache, `nearest`, and
what goes wrong: a model that does not load, a wrong-width cache row, an empty text."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from creator_assistant import retrieval
from creator_assistant.retrieval import Embeddings, EmbeddingsUnavailable, EmptyQuery
from creator_assistant.storage import embeddings as cache
from creator_assistant.storage.db import open_db
from tests.realmodels import install

GROCERIES = "how to save money on groceries"
FOOD = "budget tips for food shopping"
CAMERA = "best camera for vlogging"


@pytest.fixture(scope="module")
def shared(minilm):
    """One worker for the tests that need no cache."""
    with Embeddings(model_path=minilm, n_threads=2) as emb:
        assert emb.available(), emb.why_not
        yield emb


@pytest.fixture
def db(tmp_path):
    database = open_db(tmp_path / "creator.db")
    yield database
    database.close()


def cos(a, b) -> float:
    return float(a @ b)


def test_similar_sentences_score_higher_than_unrelated_ones(shared):
    groceries, food, camera = shared.embed([GROCERIES, FOOD, CAMERA])
    assert cos(groceries, food) > cos(groceries, camera) + 0.2
    assert cos(groceries, food) > cos(food, camera) + 0.2


def test_rows_are_unit_length_and_match_llama_cpp_mean_pooling(shared, minilm):
    import llama_cpp

    texts = [GROCERIES, FOOD, CAMERA, "a", "plan three tiktok posts for a small coffee shop!"]
    ours = shared.embed(texts)
    assert ours.dtype == np.float32 and ours.shape == (5, 384)
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    llm = llama_cpp.Llama(model_path=str(minilm), embedding=True, n_threads=2, verbose=False)
    try:
        assert llm.metadata["bert.pooling_type"] == "1"  # mean, written by convert_bert
        theirs = np.array(llm.embed(texts, normalize=True), dtype=np.float32)
    finally:
        llm.close()
    assert (np.sum(ours * theirs, axis=1) > 0.9999).all()


def test_nearest_finds_a_synonym(shared):
    texts = ["best lighting for a home studio", "saving money on my weekly shop",
             "how to edit shorts faster", "ideas for a travel vlog in japan"]
    found = shared.nearest(texts, "budget", k=2)
    assert found[0][0] == 1 and len(found) == 2
    assert found[0][1] > found[1][1]
    assert shared.nearest(texts, "budget", k=0) == []
    assert len(shared.nearest(texts, "budget", k=10)) == 4


def test_the_second_embed_is_read_from_the_cache(db, minilm):
    texts = [GROCERIES, FOOD, CAMERA, GROCERIES]
    with Embeddings(model_path=minilm, db=db, n_threads=2) as first:
        rows = first.embed(texts)
        assert first.calls == 1
        assert np.array_equal(rows[0], rows[3])
        assert cache.count(db) == 3  # the repeated text is embedded and stored once
        again = first.embed(texts)
        assert first.calls == 1
    with Embeddings(model_path=minilm, db=db, n_threads=2) as second:
        later = second.embed(list(reversed(texts)))
        assert second.calls == 0  # a new process: nothing sent to the model
    assert np.array_equal(rows, again) and np.array_equal(rows, later[::-1])


def test_only_the_misses_go_to_the_model(db, minilm):
    with Embeddings(model_path=minilm, db=db, n_threads=2) as emb:
        emb.embed([GROCERIES])
        emb.embed([GROCERIES, FOOD])
        assert emb.calls == 2 and cache.count(db, emb.identity) == 2


@pytest.mark.parametrize("dim, blob", [(3, np.ones(3, np.float32).tobytes()),
                                       (384, b"\x00" * 100), (384, "not a vector")])
def test_a_wrong_dimension_cache_row_is_ignored_and_replaced(db, minilm, dim, blob):
    with Embeddings(model_path=minilm, db=db, n_threads=2) as emb:
        assert emb.available()
        key = cache.digest(GROCERIES)
        db.execute("insert into embeddings (model, digest, dim, vector) values (?, ?, ?, ?)",
                   [emb.identity, key, dim, blob])
        row = emb.embed([GROCERIES])[0]
        assert emb.calls == 1 and row.shape == (384,)
        assert abs(np.linalg.norm(row) - 1) < 1e-5
        width, stored = db.execute("select dim, vector from embeddings where digest = ?",
                                   [key]).fetchone()
        assert width == 384 and np.array_equal(np.frombuffer(stored, np.float32), row)


def test_empty_texts_get_zero_rows_and_are_never_nearest(shared):
    before = shared.calls
    rows = shared.embed(["", "   \n", CAMERA])
    assert shared.calls == before + 1
    assert not rows[0].any() and not rows[1].any()
    assert abs(np.linalg.norm(rows[2]) - 1) < 1e-5
    assert shared.embed(["", ""]).shape == (2, 384) and shared.calls == before + 1
    assert shared.nearest(["", FOOD, " "], GROCERIES, k=3) == [
        (1, pytest.approx(cos(*shared.embed([FOOD, GROCERIES])), abs=1e-5))]
    with pytest.raises(EmptyQuery, match="the query is empty"):
        shared.nearest([FOOD], "  ")
    assert shared.embed([]).shape == (0, 384)


def test_a_worker_that_died_is_started_again(minilm):
    import signal

    with Embeddings(model_path=minilm, n_threads=2) as emb:
        first = emb.embed([CAMERA])
        proc = emb.backend._proc
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        again = emb.embed([CAMERA])
        assert emb.available() and emb.calls == 2
        assert cos(first[0], again[0]) > 0.99999


def test_a_text_over_the_context_is_cut_with_a_note(shared):
    long = "my channel is about cooking and travel. " * 200  # about 1,600 tokens
    before = shared.truncated
    row = shared.embed([long, FOOD])[0]
    assert shared.truncated == before + 1
    assert shared.note == "1 text longer than 512 tokens: embedded from its first 512 tokens"
    assert abs(np.linalg.norm(row) - 1) < 1e-5
    shared.embed([CAMERA])
    assert shared.note is None


def test_a_model_that_fails_to_load_is_one_line_and_words_only(paths, minilm):
    folder = paths.models_dir / "minilm-l6-v2"
    folder.mkdir(parents=True)
    broken = folder / minilm.name
    with minilm.open("rb") as src, broken.open("wb") as dst:
        dst.write(src.read(minilm.stat().st_size // 2))  # a download cut short
    emb = Embeddings(paths, n_threads=2)
    assert emb.model_id == "minilm-l6-v2" and emb.model_path == broken
    assert emb.available() is False
    why = emb.why_not
    assert "\n" not in why and minilm.name in why and why.endswith("; meanwhile using words only")
    with pytest.raises(EmbeddingsUnavailable) as caught:
        emb.embed([GROCERIES])
    assert str(caught.value) == why
    emb.close()
    # remembered: the next process does not start a worker for it, and doctor says why
    again = Embeddings(paths, n_threads=2)
    assert again.available() is False and again.backend is None
    state = retrieval.status(paths)
    assert state["line"].startswith("could not load the embedding model")
    assert state["line"].endswith("; routing, search and ideas use words only")
    # a good file in its place works again
    shutil.copy(minilm, broken)
    with Embeddings(paths, n_threads=2) as fixed:
        assert fixed.available(), fixed.why_not
    assert retrieval.status(paths)["failed"] is None


def test_no_embedding_model_means_words_only_and_says_how_to_get_one(paths):
    emb = Embeddings(paths)
    assert emb.available() is False and emb.backend is None
    assert emb.why_not == ("no embedding model is installed: using words only; "
                           "`creator models pull minilm-l6-v2`")
    assert retrieval.status(paths) == {
        "model": None, "path": None, "failed": None,
        "line": "none installed: routing, search and ideas use words only; "
                "`creator models pull minilm-l6-v2`"}


def test_the_library_model_is_found_with_its_pulled_sha_as_cache_identity(paths, minilm):
    path = install("minilm-l6-v2", paths)
    found = retrieval.embedding_model(paths)
    assert found == retrieval.Found("minilm-l6-v2", path)
    assert retrieval.model_identity(path).startswith("file:all-MiniLM-L6-v2.f32.gguf:")
    shutil.copy(minilm.parent / "source.json", path.parent / "source.json")
    sha = json.loads((path.parent / "source.json").read_text())["sha256"]
    assert retrieval.model_identity(path) == f"sha256:{sha}"
    assert retrieval.status(paths)["line"] == ("minilm-l6-v2: installed (routing, history "
                                               "search and ideas use it)")
    install("smollm2-135m", paths)  # a chat model is not an embedding model
    assert retrieval.embedding_model(paths) == found


def test_a_cache_that_cannot_be_written_costs_only_speed(db, tmp_path, minilm):
    from creator_assistant.storage import health

    health.mark_damaged(tmp_path / "creator.db", "a bad page (marked by the test)")
    with Embeddings(model_path=minilm, db=db, n_threads=2) as emb:
        rows = emb.embed([GROCERIES])
        assert rows.shape == (1, 384) and abs(np.linalg.norm(rows[0]) - 1) < 1e-5
        assert "damaged" in emb.cache_problem and "\n" not in emb.cache_problem
    assert cache.count(db) == 0


def test_doctor_names_the_embedding_model_or_says_words_only(paths, capsys):
    import argparse

    from creator_assistant.commands import doctor

    args = argparse.Namespace(json=False, repair=False)
    doctor.run(args)
    assert ("Embeddings none installed: routing, search and ideas use words only; "
            "`creator models pull minilm-l6-v2`") in capsys.readouterr().out
    install("minilm-l6-v2", paths)
    assert doctor.report()["embeddings"]["model"] == "minilm-l6-v2"
    doctor.run(args)
    assert "Embeddings minilm-l6-v2: installed (routing, history search and ideas use it)" in (
        capsys.readouterr().out)
