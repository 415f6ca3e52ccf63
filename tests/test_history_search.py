"""History search by words and meaning (real MiniLM, real `creator` runs, real SQLite): a synonym
is found, `--exact` keeps words only, no model means words only and one line saying why, each
message is embedded once, and the chat's `/search` and sidebar through Textual's pilot."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from creator_assistant import search as history_search
from creator_assistant.retrieval import Embeddings, EmptyQuery
from creator_assistant.storage import embeddings as cache
from creator_assistant.storage.db import open_db
from creator_assistant.storage.store import Store
from tests.realmodels import install
from tests.test_ui import SIZE, app_for, open_core, type_text, until

GROCERIES = "how can I stop spending so much on groceries"
OTHERS = ["write a script about sourdough baking", "what is a good budget microphone",
          "best settings for streaming Elden Ring on Twitch"]


def creator(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "creator_assistant", *args],
                          capture_output=True, text=True, env=dict(os.environ), timeout=300)


def write_history(paths) -> dict[str, str]:
    """One conversation per message, written straight to the database: text -> its id."""
    store = Store(open_db(paths.database))
    ids = {}
    for text in [GROCERIES, *OTHERS]:
        cid = ids[text] = store.new_conversation()
        store.add_message(cid, "user", text)
        store.add_message(cid, "assistant", "Here are a few ideas.", model="demo")
    store.db.close()
    return ids


@pytest.fixture
def history(paths, minilm):
    install("minilm-l6-v2", paths)
    return write_history(paths)


def cached_rows(paths) -> int:
    db = open_db(paths.database)
    try:
        return cache.count(db)
    finally:
        db.close()


def test_budget_finds_the_groceries_message_by_meaning(history, paths):
    out = creator("history", "search", "budget", "--json")
    assert out.returncode == 0 and out.stderr == "", out.stderr
    hits = json.loads(out.stdout)
    by_cid = {h["conversation_id"]: h for h in hits}
    found = by_cid[history[GROCERIES]]
    assert found["matched"] == "meaning" and found["words_rank"] is None
    assert found["cosine"] >= history_search.MIN_COSINE and found["meaning_rank"] >= 1
    assert found["snippet"] == GROCERIES and found["score"] > 0
    both = by_cid[history["what is a good budget microphone"]]
    assert both["matched"] == "both" and both is hits[0]  # in both lists: ranked first
    assert history["best settings for streaming Elden Ring on Twitch"] not in by_cid
    shown = creator("history", "search", "budget")
    line = next(ln for ln in shown.stdout.splitlines() if ln.startswith(history[GROCERIES]))
    assert " meaning " in line and GROCERIES in line


def test_exact_misses_it_and_the_second_search_embeds_nothing(history, paths):
    exact = creator("history", "search", "--exact", "budget", "--json")
    assert exact.returncode == 0 and exact.stderr == ""
    hits = json.loads(exact.stdout)
    assert [h["conversation_id"] for h in hits] == [history["what is a good budget microphone"]]
    assert {h["matched"] for h in hits} == {"words"} and hits[0]["cosine"] is None
    assert cached_rows(paths) == 0  # --exact never loads the model
    assert creator("history", "search", "budget").returncode == 0
    first = cached_rows(paths)
    assert first == len({GROCERIES, *OTHERS, "Here are a few ideas.", "budget"})
    assert creator("history", "search", "budget").returncode == 0
    assert cached_rows(paths) == first


def test_without_an_embedding_model_it_is_words_only_and_says_why(paths):
    ids = write_history(paths)
    out = creator("history", "search", "budget", "--json")
    assert out.returncode == 0
    assert out.stderr.splitlines() == ["creator: no embedding model is installed: using words "
                                       "only; `creator models pull minilm-l6-v2`"]
    hits = json.loads(out.stdout)
    assert [h["conversation_id"] for h in hits] == [ids["what is a good budget microphone"]]
    assert hits[0]["matched"] == "words"


def test_an_embedding_model_that_does_not_load_means_words_only(paths, minilm):
    folder = paths.models_dir / "minilm-l6-v2"
    folder.mkdir(parents=True)
    with minilm.open("rb") as whole:
        (folder / minilm.name).write_bytes(whole.read(200_000))  # cut short
    write_history(paths)
    out = creator("history", "search", "budget")
    assert out.returncode == 0 and "Traceback" not in out.stderr
    [line] = out.stderr.splitlines()
    assert line.startswith("creator: ") and line.endswith("; meanwhile using words only")
    assert " words " in out.stdout


def test_an_empty_query_is_a_clear_error(paths):
    write_history(paths)
    out = creator("history", "search", "  ")
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr == ("creator: the search is empty: give the words (or the meaning) to "
                          "look for\n")


def test_unrelated_words_find_nothing(history):
    out = creator("history", "search", "quantum physics")
    assert out.returncode == 1 and out.stdout == ""
    assert out.stderr == "No saved message matches.\n"


def test_embeds_at_most_max_new_per_search_page_by_page(tmp_path, minilm, monkeypatch):
    monkeypatch.setattr(history_search, "MAX_NEW", 3)
    monkeypatch.setattr(history_search, "PAGE", 2)  # several pages
    store = Store(open_db(tmp_path / "creator.db"))
    cid = store.new_conversation()
    for text in [GROCERIES, *OTHERS, "plan three tiktok posts for a small coffee shop"]:
        store.add_message(cid, "user", text)
    with Embeddings(model_path=minilm, db=store.db, n_threads=2) as emb:
        with pytest.raises(EmptyQuery):
            history_search.search(store, " ", embeddings=emb)
        first = history_search.search(store, "budget", embeddings=emb)
        # The newest three are embedded; the groceries message (the oldest) waits.
        assert first.note == ("2 older messages not embedded yet: searched by words only "
                              "(each search embeds up to 3 more)")
        assert [h["matched"] for h in first] == ["both"]
        second = history_search.search(store, "budget", embeddings=emb)
        assert second.note is None
        assert {h["content"]: h["matched"] for h in second}[GROCERIES] == "meaning"
        calls = emb.calls
        third = history_search.search(store, "budget", embeddings=emb)
        assert emb.calls == calls and third == second  # all cached: nothing sent to the model
    store.db.close()


def test_one_embedding_worker_serves_every_thread_and_ends_with_the_session(history, paths):
    import threading

    from creator_assistant.session import Session

    session = Session.open(paths)
    try:
        seen = {}
        thread = threading.Thread(
            target=lambda: seen.update(ui=session.conversations.search("budget")))
        thread.start()
        thread.join()
        here = session.conversations.search("budget")
        assert [h["id"] for h in here] == [h["id"] for h in seen["ui"]]
        assert history[GROCERIES] in {h["conversation_id"] for h in here}
        pid = session.conversations._embeddings.backend.pid
        assert pid and os.path.exists(f"/proc/{pid}")
    finally:
        session.close()
    assert not os.path.exists(f"/proc/{pid}")


@pytest.fixture
def core(paths):
    yield from open_core(paths)


def last_command(screen) -> str:
    return screen.log_view.messages[-1].text


async def run_slash(pilot, text: str) -> str:
    screen = pilot.app.screen
    count = len(screen.log_view.messages)
    screen.prompt.text = text
    await pilot.press("enter")
    await until(pilot, lambda: len(screen.log_view.messages) >= count + 2)
    assert screen.log_view.messages[-1].role == "command"
    return last_command(screen)


class TestChat:
    """`/search` and the sidebar reach the search only through the conversations service."""

    @pytest.fixture
    def history(self, paths, minilm):
        install("minilm-l6-v2", paths)
        return write_history(paths)

    async def test_slash_search_by_meaning_and_exact(self, history, core):
        app = app_for(core)
        async with app.run_test(size=SIZE) as pilot:
            found = await run_slash(pilot, "/search budget")
            assert f"`{history[GROCERIES]}` #1 You · meaning: {GROCERIES}" in found
            assert f"`{history['what is a good budget microphone']}` #1 You · both" in found
            exact = await run_slash(pilot, "/search --exact budget")
            assert "(words only)" in exact and history[GROCERIES] not in exact
            assert "Nothing saved matches “quantum physics”." in await run_slash(
                pilot, "/search quantum physics")

    async def test_the_sidebar_finds_a_conversation_by_meaning(self, history, core):
        app = app_for(core)
        async with app.run_test(size=SIZE) as pilot:
            sidebar = app.screen.sidebar
            await pilot.press("ctrl+b", "slash")
            await type_text(pilot, "budget")
            ids = lambda: [sidebar.options.get_option_at_index(i).id  # noqa: E731
                           for i in range(sidebar.options.option_count)]
            await until(pilot, lambda: history[GROCERIES] in ids())
            assert ids()[0] == history["what is a good budget microphone"]
            assert not sidebar.query_one("#search-note").display

    async def test_without_a_model_the_chat_says_words_only(self, paths, core):
        ids = write_history(paths)
        app = app_for(core)
        async with app.run_test(size=SIZE) as pilot:
            found = await run_slash(pilot, "/search budget")
            assert ids[GROCERIES] not in found
            assert "no embedding model is installed: using words only" in found
            sidebar = app.screen.sidebar
            await pilot.press("ctrl+b", "slash")
            await type_text(pilot, "budget")
            note = sidebar.query_one("#search-note")
            await until(pilot, lambda: note.display)
            assert "using words only" in str(note.render())
