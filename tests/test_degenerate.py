"""Degenerate text: real replies that say something pass, real loops and filler are named, every
format reports them, a reply cut by the token limit says so, and the chat shows it under the reply.
The samples in tests/data/replies/ are real replies; each one's header says which model and request
produced it and whether it should pass (`expect: ok`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.app import App

from creator_assistant import formats
from creator_assistant.formats import check_reply, cut_off
from creator_assistant.formats.degenerate import degenerate_problems
from creator_assistant.registry import Prepared
from creator_assistant.session import Session
from creator_assistant.ui.info import ReplyInfo
from creator_assistant.ui.widgets.message_view import MessageView
from tests.realmodels import install
from tests.terminal import screen_text
from tests.test_formats import VIDEO
from tests.test_ui import SIZE, app_for, open_core, replied, type_text, until

REPLIES = Path(__file__).parent / "data" / "replies"


def sample(path: Path) -> tuple[dict[str, str], str]:
    """A sample's header (`key: value` lines down to `---`) and the reply under it."""
    head, text = path.read_text(encoding="utf-8").split("\n---\n", 1)
    meta = dict(line.split(": ", 1) for line in head.splitlines())
    return meta, text


def of(expect: str) -> list[Path]:
    return [p for p in sorted(REPLIES.glob("*.md")) if sample(p)[0]["expect"] == expect]


def prepared(meta: dict[str, str]) -> Prepared:
    """What the task prepared for the sample's reply (all `check_reply` reads of it)."""
    return Prepared(user="", fields={**json.loads(meta["fields"]), "format": meta["format"]})


def ask_once(paths, config: str, message: str):
    """One turn through a Session with `config`; the turn, its reply read to the end."""
    paths.config_file.write_text(config)
    session = Session.open(paths)
    try:
        "".join(turn := session.ask(message))
    finally:
        session.close()
    return turn


class TestRealReplies:
    @pytest.mark.parametrize("path", of("ok"), ids=lambda p: p.stem)
    def test_a_real_reply_that_says_something_passes(self, path):
        meta, text = sample(path)
        assert degenerate_problems(text) == []
        own = formats.get(meta["format"]).check(text, prepared(meta).fields)
        assert check_reply(text, prepared(meta)) == own

    @pytest.mark.parametrize("path", of("degenerate"), ids=lambda p: p.stem)
    def test_a_real_degenerate_reply_is_named(self, path):
        meta, text = sample(path)
        found = degenerate_problems(text)
        assert found, text
        assert all("section '" in p or "sections '" in p for p in found)  # says where
        structural = formats.get(meta["format"]).check(text, prepared(meta).fields)
        assert check_reply(text, prepared(meta)) == structural + found

    def test_the_samples_cover_every_format_good_and_bad_from_real_models(self):
        good = {sample(p)[0]["format"] for p in of("ok")
                if sample(p)[0]["model"].startswith("SmolLM2-135M-Instruct")}
        assert good == set(formats.NAMES)
        bad = {sample(p)[0]["model"].split()[0] for p in of("degenerate")}
        assert {"Gemma", "SmolLM2-135M-Instruct"} <= bad
        keys = {"model", "request", "task", "format", "fields", "sampling", "how", "expect"}
        assert all(keys <= set(sample(p)[0]) for p in REPLIES.glob("*.md"))

    def test_the_base_gemma_script_passes_its_structure_but_not_this_check(self):
        meta, text = sample(REPLIES / "gemma-270m-video_script.md")
        assert formats.get("video_script").check(text, {"duration_s": 180}) == []
        assert check_reply(text, prepared(meta)) == [
            "sections 'HOOK', 'INTRO', 'PART 1' and 'CTA' hold only timestamps"]

    @pytest.mark.parametrize("name,first", [
        ("smollm2-newsletter",  # one section written four times
         "the line 'The email is for curious beginners, I n\u2026' appears 5 times (in sections "
         "'Sender's' and 'Call to action'); 2 other lines also come back 3 times or more"),
        ("smollm2-trend_analysis",  # its prompt's instruction echoed as three sections
         "the line 'The creator's request, quoted as data (\u2026' appears 3 times (in sections "
         "'Trend significance: 10/10', 'Timing recommendations' and 'Risk/reward')"),
        ("smollm2-competitor_research",  # the headings listed as the content
         "the line 'Differentiation strategies to adapt:' appears 7 times (in sections 'Audience "
         "engagement strategies', 'Unique value propositions', 'Strategies to adapt' and "
         "'Differentiation opportunities')"),
    ])
    def test_what_the_starter_model_looped_on_is_named(self, name, first):
        found = degenerate_problems(sample(REPLIES / f"{name}.md")[1])
        assert found[0] == first
        if name == "smollm2-competitor_research":
            assert found[1] == ("sections 'Content patterns and themes', 'Audience engagement "
                                "strategies', 'Unique value propositions' and 3 more hold only "
                                "words from the reply's headings")

    def test_the_demo_loop_is_named_with_its_count_and_section(self):
        _, text = sample(REPLIES / "demo-greedy-caption.md")
        found = degenerate_problems(text)
        assert found == ["the phrase 'was focus' repeats up to 19 times in a row in sections "
                         "'Caption' and 'Call to action'"]


def section(title: str, body: str) -> str:
    return f"## {title}\n{body}\n"


class TestRules:
    """Each sign on its own, and the same text just short of it passing."""

    def test_a_word_repeated_in_a_row(self):
        text = section("Hook", "Best trip ever: " + "15th " * 23)
        assert degenerate_problems(text) == [
            "the word '15th' repeats 23 times in a row in section 'Hook'"]
        assert degenerate_problems(section("Hook", "It was very very very good.")) == []

    def test_a_phrase_repeated_in_a_row(self):
        text = section("Intro", "so " + "see you there " * 5 + "tomorrow")
        assert degenerate_problems(text) == [
            "the phrase 'see you there' repeats 5 times in a row in section 'Intro'"]

    def test_a_section_of_timestamps_numbers_or_punctuation(self):
        text = ("### [HOOK] (0:00-0:05)\n(0:40-60)\n\n### [INTRO] (0:05-0:30)\n(0:40-60) "
                "(1:10-20)\n\n### [PART 1] (0:30-2:30) Plan\n15th 16th 2024\n\n"
                "### [CTA] (2:30-3:00)\n... !!! --\n")
        assert degenerate_problems(text) == [
            "sections 'HOOK' and 'INTRO' hold only timestamps",
            "section 'PART 1' holds only numbers", "section 'CTA' holds only punctuation"]

    def test_a_label_counts_as_words_but_not_when_lines_are_compared(self):
        assert degenerate_problems(section("Top performing content", "CTR: 5.2%")) == []
        notes = "".join(f"- {label}: 15th\n" for label in ("Visuals", "B-roll", "Text overlays",
                                                           "Thumbnail"))
        assert degenerate_problems(section("Production notes", notes)) == [
            "the line '15th' appears 4 times (in section 'Production notes')",
            "the word '15th' repeats 4 times in a row in section 'Production notes'"]

    def test_a_section_that_repeats_its_own_heading(self):
        text = section("Call to action", "Call to action!") + section("Sign-off", "Maya")
        assert degenerate_problems(text) == ["section 'Call to action' holds only its own heading"]

    def test_a_line_repeated_many_times(self):
        line = "- Post a short every day"  # one line in five places
        text = section("Content strategy", "\n".join([line] * 3)) + section(
            "Days 1-30", f"{line}\n- Reply to comments") + section("Days 31-60", line)
        assert degenerate_problems(text)[0] == (
            "the line 'Post a short every day' appears 5 times (in sections 'Content strategy', "
            "'Days 1-30' and 'Days 31-60')")
        assert degenerate_problems(section("Content strategy", "\n".join([line] * 3))) == []

    def test_a_long_sentence_said_three_times_is_filler(self):
        said = "Share this with a friend who would love a sunrise hike too"
        text = "".join(section(t, said) for t in ("Caption", "Hook", "Call to action"))
        assert degenerate_problems(text) == [
            f"the line '{said[:39]}\u2026' appears 3 times (in sections 'Caption', 'Hook' and "
            "'Call to action')"]
        assert degenerate_problems("".join(section(t, said) for t in ("Caption", "Hook"))) == []

    def test_a_phrase_that_makes_up_most_of_a_section(self):
        body = " ".join(["great content", "for", "great content", "and", "great content"] * 4)
        found = degenerate_problems(section("Opening", body))
        assert found == ["the phrase 'great content' makes up 24 of the 32 words in section "
                         "'Opening'"]

    def test_very_little_variety_over_a_long_stretch(self):
        words = "the best plan is the plan that is the best plan for the best day".split()
        body = " ".join(words[i % 7] + " " + words[(i * 3) % 11] for i in range(40))
        found = degenerate_problems(section("Growth hypothesis", body))
        assert len(found) == 1 and found[0].startswith("very little variety: ")
        assert found[0].endswith("different words in 60 running words (in section "
                                 "'Growth hypothesis')")

    def test_one_sign_in_many_sections_is_one_problem(self):
        text = "".join(section(f"Part {i}", "Plan: " + "next " * (4 + i)) for i in range(1, 4))
        assert degenerate_problems(text) == [
            "the word 'next' repeats up to 7 times in a row in sections 'Part 1', 'Part 2' "
            "and 'Part 3'"]
        text = "".join(section(f"Part {i}", f"{i} {i * 7}%") for i in range(1, 8))
        assert degenerate_problems(text) == [
            "sections 'Part 1', 'Part 2', 'Part 3' and 4 more hold only numbers"]


class TestEveryFormat:
    """A format author gets the degenerate check for free: `check_reply` adds it to every
    format whose words the model writes."""

    @pytest.mark.parametrize("name", [n for n in formats.NAMES if formats.get(n).free_text])
    def test_check_reply_adds_degenerate_problems(self, name):
        # A whole video script whose hook says nothing but a timestamp.
        text = VIDEO.replace("You can see Japan for less than you think.", "(0:40-60)")
        fields = {"duration_s": 600}
        own = formats.get(name).check(text, fields)
        found = check_reply(text, Prepared(fields={**fields, "format": name}))
        assert found == own + ["section 'HOOK' holds only timestamps"]

    def test_the_grammar_spelled_organize_is_left_to_its_own_check(self):
        fields = {"ideas": ["a", "b", "c", "d", "e"], "categories": ["X"]}
        text = "".join(f"{i}. {c} \u2192 X\n" for i, c in enumerate("abcde", 1))
        assert not formats.get("organize").free_text
        assert check_reply(text, Prepared(fields={**fields, "format": "organize"})) == []


class TestCutOff:
    """A reply the token limit ended in the middle of a required section says so."""

    def test_a_reply_cut_in_a_section_says_where_and_what_to_do(self):
        _, text = sample(REPLIES / "smollm2-blog_outline.md")
        cut = text[:text.index("## Outline") + 40]
        found = cut_off(cut, formats.get("blog_outline").problems(cut, {}), 512, "blog")
        assert found[0] == ("the reply was cut off by the token limit (512 tokens) in the middle "
                            "of section 'Outline'; 3 required parts never came: raise max_tokens "
                            "under [tasks.blog] in config.toml, or ask for less")
        assert not any(p.startswith("missing ") for p in found)

    def test_a_whole_reply_at_the_limit_is_left_alone(self):
        _, text = sample(REPLIES / "smollm2-caption.md")
        assert cut_off(text, [], 99, "script") == []
        assert cut_off(text.rstrip("\n"), [], 99, "script")[0].startswith(
            "the reply was cut off by the token limit (99 tokens) in the middle of section "
            "'Call to action'")

    def test_a_turn_ended_by_the_token_limit_reports_it(self, paths):
        result = ask_once(paths, "[tasks.blog]\nmax_tokens = 40\n",
                          "Outline a blog post about composting in small apartments").result
        assert result.usage.finish_reason == "length" and result.status == "ok"
        assert result.format_problems[0].startswith(
            "the reply was cut off by the token limit (40 tokens) in the middle of section "
            "'Headline options'; 6 required parts never came")
        assert result.as_dict()["format_ok"] is False


@pytest.fixture
def greedy_core(paths):
    """A Core whose script task samples the demo model greedily: it loops at once."""
    paths.config_file.write_text("[tasks.script]\ntemperature = 0.0\nrepeat_penalty = 1.0\n")
    yield from open_core(paths)


async def test_the_chat_shows_a_degenerate_reply_s_problem_under_it(greedy_core):
    app = app_for(greedy_core)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await type_text(pilot, "Write an Instagram caption about my sunrise hike")
        await pilot.press("enter")
        await until(pilot, replied(screen))
        reply = screen.log_view.messages[-1]
        shown = reply.problems_shown
        assert reply.info.problems and shown.startswith("The format check found")
        assert "the phrase 'was focus' repeats " in shown and "'Caption'" in shown
        # The chat follows the end of the reply, so the problem under it is on the screen.
        await until(pilot, lambda: "was focus' repeats" in screen_text(app))


async def test_a_reply_shown_from_its_saved_info_shows_its_problems_too():
    _, text = sample(REPLIES / "gemma-270m-video_script.md")
    problems = degenerate_problems(text)

    class One(App):
        CSS_PATH = "../assistant/ui/app.tcss"

        def compose(self):
            yield MessageView("assistant", text, info=ReplyInfo("script", model="gemma-3-270m",
                                                                problems=problems))
            yield MessageView("assistant", "Fine.", info=ReplyInfo("chat", model="demo"))

    app = One()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        flagged, fine = app.query(MessageView)
        assert flagged.problems_shown == ("The format check found a problem:\n- sections "
                                          "'HOOK', 'INTRO', 'PART 1' and 'CTA' hold only "
                                          "timestamps")
        assert fine.problems_shown == ""


def test_the_real_base_gemma_under_the_script_grammar_is_flagged(paths, gemma270m):
    """The issue's case, live: the pre-trained Gemma 3 270M chosen by hand for a script (its
    timed sections come first; 90 tokens reach them, so the reply is also cut off)."""
    install("gemma-3-270m", paths)
    flagged = []
    for seed in range(1, 7):  # which seeds degenerate depends on the CPU's rounding: 1 on one
        turn = ask_once(     # machine, 3 on an AVX-512 one
            paths, f'[tasks.script]\nmodel = "gemma-3-270m"\nseed = {seed}\nmax_tokens = 90\n',
            "Write a 3-minute YouTube script about budget travel in Japan for beginners")
        result, text = turn.result, turn.result.text
        assert result.model == "gemma-3-270m" and result.usage.finish_reason == "length"
        assert result.format_problems[0].startswith("the reply was cut off by the token limit "
                                                    "(90 tokens) in the middle of section")
        found = degenerate_problems(text)
        assert set(found) <= set(result.format_problems), text  # every one is reported
        if found:
            flagged.append(seed)
            break
    assert flagged, "no seed of 1-6 gave a reply the degenerate check flags"


async def test_after_a_restart_the_saved_reply_shows_the_same_problems(paths):
    """The problems are saved with the reply: a new app on the same database shows them."""
    from creator_assistant.ui.core import Core

    greedy = "[tasks.script]\ntemperature = 0.0\nrepeat_penalty = 1.0\n"
    first = ask_once(paths, greedy, "Write an Instagram caption about my sunrise hike").result
    assert first.format_problems and any("repeats" in p for p in first.format_problems)
    core = Core(paths)
    try:
        row = core.run(core.session.store.messages, first.conversation_id)[-1]
        assert json.loads(row["format_problems"]) == first.format_problems
        app = app_for(core, conversation_id=first.conversation_id)
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: len(app.screen.log_view.messages) >= 2)
            reply = app.screen.log_view.messages[-1]
            assert reply.info.problems == first.format_problems
            assert reply.problems_shown.startswith("The format check found")
    finally:
        core.close()
