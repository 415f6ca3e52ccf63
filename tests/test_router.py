"""The router: accuracy on labelled creator requests, follow-ups, explanations, the score_message
hook, the optional model tie-break, and `creator route`."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from creator_assistant.plugin_manager import load_host
from creator_assistant.router import Router, router_for

HERE = Path(__file__).parent
TUNE = HERE / "routing_examples.jsonl"
HELD_OUT = HERE / "routing_examples_heldout.jsonl"  # never used to tune keywords or examples


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


@pytest.fixture(scope="module")
def router() -> Router:
    return Router(load_host())


def accuracy(router: Router, rows: list[dict]) -> tuple[float, list[str]]:
    misses = []
    for row in rows:
        got = router.route(row["text"], row.get("after")).task
        if got != row["task"]:
            misses.append(f"{row['text'][:60]!r}: want {row['task']}, got {got}")
    return 1 - len(misses) / len(rows), misses


class TestAccuracy:
    """At least 95% of realistic creator requests go to the right task."""

    def test_the_labelled_sets_are_big_varied_and_cover_every_task(self):
        rows = load(TUNE) + load(HELD_OUT)
        assert len(rows) >= 150
        assert len({(r["text"], r.get("after")) for r in rows}) == len(rows)  # no duplicates
        tasks = {r["task"] for r in rows}
        assert tasks == {"script", "blog", "trend", "competitor", "analytics", "organize", "chat"}
        assert sum(1 for r in rows if r.get("after")) >= 40  # follow-ups in a conversation

    @pytest.mark.parametrize("path", [TUNE, HELD_OUT], ids=["tune", "held-out"])
    def test_accuracy_is_at_least_95_percent(self, router, path):
        score, misses = accuracy(router, load(path))
        assert score >= 0.95, "\n".join(misses)

    def test_no_plugin_example_is_a_held_out_request(self):
        rows = {r["text"].lower() for r in load(HELD_OUT)}
        host = load_host()
        copied = [ex for t in host.registry.tasks.values() for ex in t.examples
                  if ex.lower() in rows]
        assert copied == []


class TestDecisions:
    """Follow-ups, general chat, and an explanation for every decision."""

    @pytest.mark.parametrize("text,after,want", [
        ("make it shorter", "script", "script"),
        ("now one for Instagram", "script", "script"),
        ("now one for Instagram", "blog", "blog"),
        ("what about TikTok?", "trend", "trend"),
        ("10 minutes", "script", "script"),
        ("now write a blog post outline based on this", "script", "blog"),
        ("thanks!", "script", "chat"),
        ("make it shorter", None, "chat"),
        ("what's the weather like in Lisbon?", None, "chat"),
        ("", None, "chat"),
    ])
    def test_follow_ups_and_general_messages(self, router, text, after, want):
        assert router.route(text, after).task == want

    def test_every_decision_names_its_score_runner_up_and_reason(self, router):
        d = router.route("Write a 10-minute YouTube script about budget travel in Japan")
        assert d.task == "script" and 0 < d.score <= 1
        assert d.runner_up and d.runner_up != "script" and d.runner_up_score < d.score
        assert "keywords: " in d.reason and "script" in d.reason
        assert set(d.scores) == set(router.tasks) and set(d.why) == set(router.tasks)
        record = d.as_dict()
        assert {"task", "score", "reason", "runner_up", "runner_up_score", "scores"} <= set(record)

    def test_typing_slips_in_keywords_still_route(self, router):
        assert router.route("draft a scirpt for a video on guitar chords").task == "script"
        assert router.route("categroize these ideas into A or B: x, y").task == "organize"

    def test_a_two_megabyte_paste_routes_on_its_head(self, router):
        text = "Analyze my channel stats:\nvideo,views\n" + "clip,1200\n" * 200_000
        assert router.route(text).task == "analytics"

    def test_one_router_per_host(self):
        host = load_host()
        assert router_for(host) is router_for(host)
        assert router_for(load_host()) is not router_for(host)


PLUGIN = textwrap.dedent("""
    from creator_assistant.hookspecs import hookimpl
    from creator_assistant.registry import Score, Task

    @hookimpl
    def register_tasks(register):
        register(Task(name="podcast", description="Podcast show notes.", system_prompt="x",
                      examples=("write show notes for my episode",), keywords=("show notes",)))
        register(Task(name="alpha", description="First of two equals.", system_prompt="x"))
        register(Task(name="beta", description="Second of two equals.", system_prompt="x"))

    @hookimpl
    def score_message(message, context):
        if context is None:
            return None
        out = []
        if "guest" in message:
            out.append(context.score("podcast", 0.4, "mentions a guest"))
        if "tie me" in message:
            out += [Score("alpha", 0.6, "equal"), Score("beta", 0.6, "equal")]
        out.append(Score("script", 1.0, "trying to take another plugin's task"))
        return out
""")


@pytest.fixture
def plugin_dir(tmp_path):
    folder = tmp_path / "plugin_src"
    folder.mkdir()
    (folder / "podcast.py").write_text(PLUGIN)
    (folder / "raiser.py").write_text(textwrap.dedent("""
        from creator_assistant.hookspecs import hookimpl

        @hookimpl
        def score_message(message, context):
            raise RuntimeError("bad scorer")
    """))
    return folder


class TestScoreMessageHook:
    """Plugins score messages for their own tasks through `score_message`, and only those."""

    def test_score_message(self, plugin_dir):
        """A third-party task wins the messages its plugin recognises."""
        host = load_host(plugin_dir)
        router = Router(host)
        d = router.route("write show notes for my episode with a guest chef")
        assert d.task == "podcast" and "mentions a guest" in d.reason
        assert any("bad scorer" in e for e in host.hook_errors)  # reported, routing went on

    def test_score_message_cannot_score_another_plugins_task(self, plugin_dir):
        router = Router(load_host(plugin_dir))
        d = router.route("hello there")
        assert d.task == "chat" and d.scores["script"] < 0.5


class TestTieBreak:
    """The optional small-model tie-break: off by default, grammar-constrained to task names."""

    @pytest.fixture
    def session(self, paths, plugin_dir, monkeypatch):
        import shutil

        from creator_assistant.session import Session

        shutil.copytree(plugin_dir, paths.user_plugins_dir, dirs_exist_ok=True)
        s = Session.open(paths)
        yield s
        s.close()

    def test_off_by_default(self, session, monkeypatch):
        monkeypatch.delenv("CREATOR_ROUTER_TIEBREAK", raising=False)
        route, _ = session.route("tie me please")
        assert route.task in ("alpha", "beta") and "close call" not in route.reason

    def test_skipped_when_only_the_demo_model_is_installed(self, session, monkeypatch):
        monkeypatch.setenv("CREATOR_ROUTER_TIEBREAK", "1")
        route, _ = session.route("tie me please")
        assert session.pool.resident() == []  # no model was loaded for it

    def test_the_model_settles_a_close_call_among_the_top_tasks(self, session, monkeypatch):
        from creator_assistant.router import maybe_tie_break

        monkeypatch.setenv("CREATOR_ROUTER_TIEBREAK", "demo")  # force it, even on random weights
        decision = router_for(session.host).route("tie me please")
        assert router_for(session.host).close_call(decision) == ["alpha", "beta"]
        settled = maybe_tie_break(session, "tie me please", decision)
        assert settled.task in ("alpha", "beta")
        assert settled.tiebreak.startswith("demo chose ") and settled.tiebreak.endswith(
            "among alpha, beta")

    def test_the_tie_break_waits_for_a_reply_in_progress(self, session, monkeypatch):
        """The tie-break's model request holds the scheduler's gate: never beside a reply."""
        import threading
        import time

        from creator_assistant.runtime.local import LocalBackend

        monkeypatch.setenv("CREATOR_ROUTER_TIEBREAK", "demo")
        spans: list[list[float]] = []
        started = threading.Event()
        real = LocalBackend.stream

        def recorded(backend, request):
            span = [time.monotonic(), float("inf")]
            spans.append(span)
            started.set()
            if len(spans) == 1:  # the reply: stay in it until the tie-break queues or starts
                until = time.monotonic() + 30
                while (not session.pool.scheduler.gate.waiting() and len(spans) < 2
                       and time.monotonic() < until):
                    time.sleep(0.01)
            try:
                yield from real(backend, request)
            finally:
                span[1] = time.monotonic()

        monkeypatch.setattr(LocalBackend, "stream", recorded)
        routed = []

        def tie_break() -> None:  # routing needs no database: it may run on another thread
            if started.wait(60):
                routed.append(session.route("tie me please")[0])

        other = threading.Thread(target=tie_break)
        other.start()
        "".join(session.ask("hello there", task="chat"))
        other.join(60)
        assert routed and routed[0].tiebreak and len(spans) == 2
        (first_start, first_end), (second_start, _) = sorted(spans)
        assert first_end <= second_start, "two model requests ran at the same time"


def creator(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "creator_assistant", "route", *args],
                          input=stdin, capture_output=True, timeout=120)


class TestRouteCommand:
    """`creator route` explains one decision; `--jsonl` routes many, one line each, in order."""

    def test_text_output_explains(self, home):
        out = creator("Is the Stanley cup trend over?")
        text = out.stdout.decode()
        assert out.returncode == 0 and text.startswith("task: trend (score ")
        assert "runner-up: " in text and "why: keywords: " in text

    def test_json_output(self, home):
        out = creator("--json", "--after", "script", "make it shorter")
        record = json.loads(out.stdout)
        assert record["task"] == "script" and record["reason"].startswith("follow-up")
        assert "runner_up" in record and "why" in record

    def test_jsonl_keeps_order_and_reports_bad_lines(self, home):
        lines = [b"hello", b"sort these ideas into A, B: x, y", b"\xff\xfe not utf-8", b"",
                 b"Analyze MrBeast's content strategy"]
        out = creator("--jsonl", stdin=b"\n".join(lines) + b"\n")
        records = [json.loads(line) for line in out.stdout.decode().splitlines()]
        assert out.returncode == 0 and [r["line"] for r in records] == [1, 2, 3, 4, 5]
        assert [r["task"] for r in records] == ["chat", "organize", None, "chat", "competitor"]
        assert "not valid UTF-8" in records[2]["error"]
        assert all(isinstance(r["score"], float) for i, r in enumerate(records) if i != 2)

    def test_usage_mistakes(self, home):
        assert creator().returncode == 2
        assert creator("--after", "nope", "hi").returncode == 2
        assert b"unknown task 'nope'" in creator("--after", "nope", "hi").stderr
