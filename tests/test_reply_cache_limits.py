"""The reply cache's limits on the real demo model and a real SQLite file: each category's time
to live (an injected clock, no sleeps), its size with the least recently used going first, the
config that sets them, and a damaged or missing cache that never breaks a reply."""

from __future__ import annotations

import pytest

from creator_assistant.cache.entries import Entries, Entry
from creator_assistant.cache.settings import CacheConfig
from creator_assistant.ui.info import ReplyInfo
from tests.test_reply_cache import entries, open_session, reply

DEMO = "[tasks.chat]\ntemperature = 0\nmax_tokens = 12\n"
HOUR = 3600.0


class Clock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def session(paths):
    s = open_session(paths, DEMO)
    s.cache.clock = Clock()
    yield s
    s.close()


class TestTimeToLive:
    """An entry older than its category's TTL is not served, and is deleted."""

    def test_content_lives_24_hours(self, session):
        clock = session.cache.clock
        _, said = reply(session)
        clock.now += 23 * HOUR
        hit, again = reply(session)
        assert hit.result.cache["age_s"] == 23 * HOUR and again == said
        assert "from the cache, 23 h old" in ReplyInfo.from_result(hit.result).line()
        clock.now += 1.01 * HOUR  # created 24.01 h ago
        expired, _ = reply(session)
        assert expired.result.cache is None
        assert [e["hits"] for e in entries(session)] == [0]  # the new reply, kept afresh
        clock.now += 1
        assert reply(session)[0].result.cache["age_s"] == 1

    def test_the_config_sets_a_category_ttl(self, paths):
        s = open_session(paths, DEMO + "\n[cache.content]\nttl_hours = 0.5\nmax_mb = 10\n")
        s.cache.clock = clock = Clock()
        try:
            reply(s)
            clock.now += 0.4 * HOUR
            assert reply(s)[0].result.cache is not None
            clock.now += 0.2 * HOUR
            assert reply(s)[0].result.cache is None
        finally:
            s.close()

    def test_each_category_has_the_designs_limits(self):
        config = CacheConfig()
        assert [(c.ttl_hours, c.max_mb) for c in (config.content, config.research,
                                                  config.analytics)] == [
            (24, 2000), (168, 1000), (6, 500)]


def put(cache: Entries, key: str, size: int, now: float, category: str = "content") -> None:
    cache.put(Entry(key, category, "reply", "x" * size, {}, now), now)


class TestSizeLimit:
    """Over its size, a category drops its least recently used entries first; others stay."""

    def test_least_recently_used_goes_first(self, session):
        config = CacheConfig.model_validate({"content": {"ttl_hours": 24, "max_mb": 0.003}})
        cache, now = Entries(session.store.db, config), 1_800_000_000.0
        put(cache, "a", 900, now)
        put(cache, "b", 900, now + 1)
        put(cache, "r", 5000, now + 1, category="research")  # another category's limit
        assert cache.get("a", now + 2) is not None  # a is used: b is now the oldest use
        put(cache, "c", 900, now + 3)  # 3 x ~910 bytes: still under 3,000
        assert {k for (k,) in session.store.db.execute("select key from reply_cache")} == {
            "a", "b", "c", "r"}
        put(cache, "d", 900, now + 4)
        keys = [k for (k,) in session.store.db.execute(
            "select key from reply_cache where category = 'content' order by key")]
        assert keys == ["a", "c", "d"]  # b went: least recently used
        assert cache.get("b", now + 5) is None and cache.get("r", now + 5) is not None
        sizes = session.store.db.execute(
            "select sum(bytes) from reply_cache where category = 'content'").fetchone()[0]
        assert sizes <= 3000

    def test_a_full_category_keeps_serving_through_the_session(self, session):
        s = session
        reply(s, "first question")
        size = s.store.db.execute("select bytes from reply_cache").fetchone()[0]
        # Room for one such entry and a half: the second reply pushes the first out.
        config = CacheConfig.model_validate(
            {"content": {"ttl_hours": 24, "max_mb": size * 1.5 / 1e6}})
        s.cache.config = s.cache.entries.config = config
        reply(s, "second question")
        assert reply(s, "second question")[0].result.cache is not None
        assert reply(s, "first question")[0].result.cache is None

    @pytest.mark.parametrize("bad", ["[cache]\nenabled = 3\n", "[cache.content]\nmax_mb = 0\n",
                                     "[cache]\nsize = 1\n", "[cache.recipes]\nttl_hours = 1\n"])
    def test_bad_config_is_named(self, paths, bad):
        from creator_assistant.config import ConfigError, load_config

        paths.config_file.write_text(bad)
        with pytest.raises(ConfigError, match="cache"):
            load_config(paths.config_file)


class TestNeverBreaksAReply:
    """A cache that is off, missing or damaged makes every turn generate, and nothing fails."""

    def test_disabled_stores_nothing(self, paths):
        s = open_session(paths, DEMO + "\n[cache]\nenabled = false\n")
        try:
            reply(s)
            assert reply(s)[0].result.cache is None and entries(s) == []
        finally:
            s.close()

    def test_a_missing_table(self, session):
        _, said = reply(session)
        session.store.db.execute("drop table reply_cache")
        turn, again = reply(session)
        assert turn.result.cache is None and again == said
        assert session.store.db["messages"].get(turn.result.message_id)["content"] == said

    def test_a_damaged_entry(self, session):
        _, said = reply(session)
        with session.store.db.conn:
            session.store.db.execute("update reply_cache set meta = '{not json', "
                                     "category = 'nonsense'")
        turn, again = reply(session)
        assert turn.result.status == "ok" and turn.result.cache is None and again == said

    def test_an_import_without_the_cache_tables(self, session, tmp_path):
        from creator_assistant.data.importing import import_path
        from tests.test_reply_cache import VIDEOS

        session.store.db.execute("drop table reply_cache_sources")
        csv = tmp_path / "videos.csv"
        csv.write_text(VIDEOS)
        import_path(session.store.db, csv)
        csv.write_text(VIDEOS.replace("2500", "2600"))
        assert import_path(session.store.db, csv).replaced is not None


def test_a_task_declares_a_known_category():
    from creator_assistant.registry import RegistrationError, Registry, Task

    registry = Registry()
    registry.add("tasks", "recipes", Task("recipes", "d", "s", cache="research"), "mine")
    with pytest.raises(RegistrationError, match="cache='recipe'; use one of content, research"):
        registry.add("tasks", "menus", Task("menus", "d", "s", cache="recipe"), "mine")


def test_the_built_in_tasks_categories(paths):
    from creator_assistant.plugin_manager import load_host

    tasks = load_host(paths.user_plugins_dir).registry.tasks
    assert {name: t.cache for name, t in tasks.items()} == {
        "script": "content", "blog": "content", "chat": "content", "trend": "research",
        "competitor": "research", "organize": "research", "analytics": "analytics"}
