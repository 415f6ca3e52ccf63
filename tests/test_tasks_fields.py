"""Template fields: safe filling (user text is data, never template code) and reading fields from a
message and its conversation."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from creator_assistant import fields
from creator_assistant.fields import (
    TemplateError,
    conversation_fields,
    duration,
    fill,
    is_revision,
    placeholders,
    quote,
    read_fields,
)
from creator_assistant.plugin_manager import load_host
from creator_assistant.resources import prompt_file


class TestFill:
    """`fill` replaces the template's own fields once; nothing the user typed is ever expanded."""

    @pytest.mark.parametrize("hostile", [
        "{topic}", "{{topic}}", "{audience} {0} {__class__}", "$topic ${topic} $$", "%(topic)s",
        "{{ config.secret }}", "{% for x in y %}", "\\{topic\\}", "{", "}", "{request}",
    ])
    def test_user_text_with_template_syntax_comes_out_as_typed(self, hostile):
        out = fill("Topic: {topic}\nFor: {audience}\nEnd.", {"topic": hostile, "audience": "x"})
        assert out == f"Topic: {hostile}\nFor: x\nEnd."

    @given(st.text(max_size=200), st.text(max_size=200))
    def test_any_text_is_inserted_verbatim(self, a, b):
        assert fill("[{topic}|{audience}]", {"topic": a, "audience": b}) == f"[{a}|{b}]"

    def test_a_template_field_without_a_value_is_a_bug_reported_by_name(self):
        with pytest.raises(TemplateError, match="keywords"):
            fill("{topic} {keywords}", {"topic": "x"})

    def test_braces_that_are_not_field_names_stay(self):
        assert fill('JSON {"a": 1} {topic}', {"topic": "t"}) == 'JSON {"a": 1} t'

    def test_quote_cannot_be_closed_from_inside(self):
        text = "before ``` inside ```` more"
        block = quote(text)
        fence = block.splitlines()[0]
        assert set(fence) == {"`"} and len(fence) == 5
        assert block.count(fence) == 2 and text in block

    def test_every_task_prompt_file_is_filled_with_known_fields_only(self):
        host = load_host()
        used = {name for t in host.registry.tasks.values() for name in t.prompts.values()}
        assert len(used) == 9  # the nine templates: one file each
        for name in used:
            assert set(placeholders(prompt_file(name).read_text())) <= {
                "topic", "audience", "duration", "platform", "key_points", "revision", "request",
                "structure", "kind", "keywords", "niche", "data", "competitor", "goal",
                "timeline", "categories", "ideas"}


class TestReading:
    """Fields read from messages written the way people write them."""

    @pytest.mark.parametrize("text,want", [
        ("Write a 10-minute YouTube script about budget travel in Japan for beginners",
         {"topic": "budget travel in Japan", "audience": "beginners", "duration_s": 600,
          "platform": "YouTube"}),
        ("script for a tiktok on how to fold fitted sheets? 30 seconds",
         {"topic": "how to fold fitted sheets", "duration_s": 30, "platform": "TikTok"}),
        ("video script on home espresso, about 8-10 min, aimed at coffee nerds",
         {"topic": "home espresso", "audience": "coffee nerds", "duration_s": 600}),
        ("write a morning routine video script", {"topic": "morning routine"}),
        ("blog post outline about sustainable living, keywords: zero waste, eco swaps and "
         "composting", {"topic": "sustainable living",
                        "keywords": ["zero waste", "eco swaps", "composting"]}),
        ("a half-hour video about the history of jazz",
         {"topic": "the history of jazz", "duration_s": 1800}),
        ("Write a script: why I quit my job", {"topic": "why I quit my job"}),
        ("write a blog post for small business owners about bookkeeping",
         {"topic": "bookkeeping", "audience": "small business owners"}),
        ("I make cooking videos and want a script", {"niche": "cooking"}),
        ("hello there", {}),
    ])
    def test_fields_from_one_message(self, text, want):
        got = read_fields(text)
        assert {k: got.get(k) for k in want} == want

    @pytest.mark.parametrize("text,seconds", [
        ("a ten minute video", 600), ("90 seconds", 90), ("1 hour", 3600), ("an hour-long", 3600),
        ("5 min", 300), ("2 hrs", 7200), ("10M views", None), ("in 2026", None), ("3 videos", None),
    ])
    def test_durations(self, text, seconds):
        assert duration(text) == seconds

    def test_a_two_megabyte_paste_reads_only_its_head(self):
        big = "Write a 5 minute script about tea. " + "data " * 400_000
        assert read_fields(big)["duration_s"] == 300

    def test_an_answer_to_a_question_fills_the_field_asked_for(self):
        history = [{"role": "user", "content": "write a script"},
                   {"role": "assistant", "content": "What should it be about?"}]
        got = conversation_fields("urban gardening", history, {"topic": "What should it be about?"})
        assert got["topic"] == "urban gardening"
        # Without the question, a bare phrase is not taken for a topic.
        assert "topic" not in conversation_fields("urban gardening", history[:1])

    def test_later_messages_win_and_earlier_ones_fill_gaps(self):
        history = [{"role": "user", "content": "a 10 minute script about tea for students"},
                   {"role": "assistant", "content": "..."}]
        got = conversation_fields("make it about coffee instead", history)
        assert got["topic"] == "coffee"
        assert got["duration_s"] == 600 and got["audience"] == "students"

    @pytest.mark.parametrize("text,revision", [
        ("make it shorter", True), ("now one for Instagram", True), ("can you make it punchier",
                                                                     True),
        ("try again", True), ("Write a script about tea", False), ("hello", False),
    ])
    def test_revisions(self, text, revision):
        assert is_revision(text) is revision

    def test_data_part_keeps_table_rows(self):
        msg = "here are my numbers\nVideo,Views,CTR\nDesk tour,10200,5.1\nVlog,3400,3.2\nthanks"
        assert fields.data_part(msg) == "Video,Views,CTR\nDesk tour,10200,5.1\nVlog,3400,3.2"
        assert fields.data_part("why are my views down?") == ""
