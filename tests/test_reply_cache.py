"""The reply cache end to end: a second identical deterministic request answered from the cache
(real SmolLM2, a real `creator ask` process), the bypasses, sampled replies, and invalidation
when the data a reply was built on is imported again."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from creator_assistant.ui.info import ReplyInfo

ASK = "Give me one tip for filming a cooking video at home."
SMOL = ('[models]\nthreads = 2\n\n[tasks.chat]\nmodel = "smollm2-135m"\nmax_tokens = 24\n'
        "temperature = 0\n")


def open_session(paths, config: str):
    from creator_assistant.session import Session

    paths.config_file.write_text(config)
    return Session.open(paths)


def reply(session, text: str = ASK, **kw):
    turn = session.ask(text, task=kw.pop("task", "chat"), **kw)
    said = "".join(turn)
    assert turn.result.status == "ok", turn.result.error
    return turn, said


def row_of(session, message_id: int) -> dict:
    return session.store.db["messages"].get(message_id)


def entries(session) -> list[dict]:
    return list(session.store.db.query("select key, category, kind, hits from reply_cache"))


@pytest.fixture
def smol_session(paths):
    from tests.realmodels import install

    install("smollm2-135m", paths)
    session = open_session(paths, SMOL)
    yield session
    session.close()


class TestHit:
    """The same request again is answered from the cache, at once, and says so."""

    def test_second_identical_request_is_served_from_the_cache(self, smol_session):
        smol_session.cache.clock = lambda: 1_800_000_000.0  # a stopped clock: age 0 s
        first, said = reply(smol_session)
        assert first.result.cache is None and first.result.model == "smollm2-135m"
        assert first.result.usage.completion_tokens > 0
        generated = first.backend.last_usage
        second, again = reply(smol_session)  # a new conversation: the same fitted messages
        result = second.result
        assert again == said and result.text == said
        assert result.cache is not None and result.cache["category"] == "content"
        assert result.cache["age_s"] == 0 and len(result.cache["key"]) == 64
        assert second.backend.last_usage is generated  # no model call for the hit
        assert result.usage.completion_tokens == first.result.usage.completion_tokens
        assert result.usage.tokens_per_s == 0 and result.usage.ttft_ms > 0
        line = ReplyInfo.from_result(result).line()
        assert "from the cache, 0 s old — Ctrl+R for a fresh one" in line
        saved = row_of(smol_session, result.message_id)
        assert saved["cache_hit"] == result.cache["age_s"] and saved["content"] == said
        assert "from the cache" in ReplyInfo.from_row(saved).line()  # a reloaded chat too
        assert row_of(smol_session, first.result.message_id)["cache_hit"] is None
        assert json.loads(saved["sources"]) == []
        assert [e["hits"] for e in entries(smol_session)] == [1]

    def test_a_different_setting_or_prompt_is_a_different_entry(self, paths, smol_session):
        reply(smol_session)
        other, _ = reply(smol_session, "Give me one tip for lighting a cooking video.")
        assert other.result.cache is None
        smol_session.close()
        session = open_session(paths, SMOL.replace("max_tokens = 24", "max_tokens = 20"))
        try:
            changed, _ = reply(session)
            assert changed.result.cache is None  # max_tokens is part of the key
            assert len(entries(session)) == 3
        finally:
            session.close()

    def test_fresh_never_reads_the_cache_but_stores(self, smol_session):
        _, said = reply(smol_session)
        fresh, again = reply(smol_session, fresh=True)
        assert fresh.result.cache is None and again == said
        assert fresh.result.usage.tokens_per_s > 0  # generated
        assert [e["hits"] for e in entries(smol_session)] == [0]  # stored again, not read
        assert reply(smol_session)[0].result.cache is not None

    def test_a_rewound_conversation_regenerates(self, smol_session):
        first, _ = reply(smol_session)
        cid = first.result.conversation_id
        assert smol_session.rewind(cid) == ASK
        regenerated, _ = reply(smol_session, conversation_id=cid)
        assert regenerated.result.cache is None
        assert reply(smol_session)[0].result.cache is not None  # other turns still read it


def creator(home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "creator_assistant", *args],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "CREATOR_HOME": str(home)})


def test_creator_ask_shows_the_hit_and_no_cache_bypasses(home, paths):
    from tests.realmodels import install

    install("smollm2-135m", paths)
    paths.config_file.write_text(SMOL)
    runs = [creator(home, "ask", "--task", "chat", "--json", ASK) for _ in range(2)]
    runs.append(creator(home, "ask", "--task", "chat", "--json", "--no-cache", ASK))
    assert [r.returncode for r in runs] == [0, 0, 0], runs[0].stderr
    details = [json.loads(r.stdout.strip().splitlines()[-1]) for r in runs]
    assert [d["cache"] is None for d in details] == [True, False, True]
    assert details[1]["cache"]["category"] == "content"
    assert "cache: from the cache, " in runs[1].stderr
    assert "run again with --no-cache for a fresh one" in runs[1].stderr
    assert "from the cache" not in runs[0].stderr + runs[2].stderr
    texts = [r.stdout.rsplit("\n", 2)[0] for r in runs]
    assert texts[0] == texts[1] == texts[2]
    stats = creator(home, "cache", "stats", "--json")
    content = json.loads(stats.stdout)["categories"][0]
    assert content["category"] == "content" and content["entries"] == 1
    assert content["hits"] == 0  # --no-cache stored the reply again, afresh
    shown = creator(home, "cache", "stats").stdout
    assert "content" in shown and "2.0 GB" in shown and "7 d" in shown
    cleared = creator(home, "cache", "clear", "content")
    assert cleared.returncode == 0 and "Deleted 1 entry" in cleared.stdout
    assert json.loads(creator(home, "cache", "stats", "--json").stdout)[
        "categories"][0]["entries"] == 0
    bad = creator(home, "cache", "clear", "recipes")
    assert bad.returncode == 2 and "choose from content, research, analytics" in bad.stderr


class TestSampled:
    """A sampled reply (temperature > 0, no seed) is served only with `[cache] sampled`."""

    SAMPLED = "[tasks.chat]\ntemperature = 0.8\nmax_tokens = 12\n"

    def test_not_served_by_default(self, paths):
        session = open_session(paths, self.SAMPLED)
        try:
            reply(session)
            assert reply(session)[0].result.cache is None
            assert len(entries(session)) == 1  # kept, in case the creator turns it on
        finally:
            session.close()

    def test_served_when_turned_on(self, paths):
        session = open_session(paths, self.SAMPLED + "\n[cache]\nsampled = true\n")
        try:
            _, said = reply(session)
            second, again = reply(session)
            assert second.result.cache is not None and again == said
        finally:
            session.close()

    def test_a_seed_makes_it_deterministic_and_served(self, paths):
        session = open_session(paths, self.SAMPLED + "seed = 3\n")
        try:
            reply(session)
            assert reply(session)[0].result.cache is not None
        finally:
            session.close()


VIDEOS = ("title,views,likes,published\nBanana bread in 10 minutes,12000,800,2026-01-05\n"
          "Sourdough for beginners,4000,200,2026-01-12\nFive pasta sauces,30000,2100,2026-01-19\n"
          "Knife skills,2500,90,2026-01-26\n")
ANALYTICS = "[tasks.analytics]\nseed = 1\nmax_tokens = 12\n"
ASK_DATA = "analyse my imported data: which video did best?"


class TestReimport:
    """Replies and computed facts built on an import are deleted when it is imported again."""

    def test_reimport_deletes_replies_and_facts_built_on_it(self, paths, tmp_path):
        from creator_assistant.data.importing import import_path

        csv = tmp_path / "videos.csv"
        csv.write_text(VIDEOS)
        session = open_session(paths, ANALYTICS)
        try:
            first = import_path(session.store.db, csv)
            turn, _ = reply(session, ASK_DATA, task="analytics")
            assert turn.result.sources == [first.id] and "Five pasta sauces" in turn.result.facts
            assert json.loads(row_of(session, turn.result.message_id)["sources"]) == [first.id]
            assert sorted(e["kind"] for e in entries(session)) == ["facts", "reply"]
            hit, _ = reply(session, ASK_DATA, task="analytics")
            assert hit.result.cache is not None and hit.result.sources == [first.id]
            assert hit.result.facts == turn.result.facts
            facts = [e for e in entries(session) if e["kind"] == "facts"]
            assert facts[0]["hits"] == 1 and facts[0]["category"] == "analytics"
            csv.write_text(VIDEOS.replace("Knife skills,2500", "Knife skills,99000"))
            again = import_path(session.store.db, csv)
            assert again.replaced is not None
            assert entries(session) == []  # both built on the replaced data
            fresh, _ = reply(session, ASK_DATA, task="analytics")
            assert fresh.result.cache is None and "99,000" in fresh.result.facts
            # A new file of the same kind: the tasks now read it, so what was built goes.
            other = tmp_path / "more.csv"
            other.write_text(VIDEOS.replace("Banana", "Lemon"))
            import_path(session.store.db, other)
            assert entries(session) == []
        finally:
            session.close()

    def test_facts_outside_a_reply_are_not_cached(self, paths, tmp_path):
        from creator_assistant.data.facts import analytics_facts
        from creator_assistant.data.importing import import_path

        csv = tmp_path / "videos.csv"
        csv.write_text(VIDEOS)
        session = open_session(paths, ANALYTICS)
        try:
            import_path(session.store.db, csv)
            assert analytics_facts(session.store.db, ASK_DATA).available
            assert entries(session) == []  # `creator analytics report` computes afresh
        finally:
            session.close()
