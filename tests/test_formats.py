"""Output formats: each grammar compiles in llama.cpp, each check accepts a well-formed reply and
names what is wrong with a broken one, and the demo model's grammar-shaped output passes."""

from __future__ import annotations

import ctypes

import pytest

from creator_assistant import formats
from creator_assistant.formats.gbnf import literal
from creator_assistant.formats.timing import clock, long_plan, short_plan
from creator_assistant.runtime.protocol import GenerateRequest

IDEAS = ["Morning routine vlog", 'A "quoted" idea with {braces} and \\ a backslash',
         "Camera review: caf\u00e9 \u00e9dition \U0001F4F7", "How I edit fast", "Q&A"]
FIELDS = {"duration_s": 600, "ideas": IDEAS, "categories": ["Vlogs", "Reviews", "Tutorials"]}
# Each format's token budget is its task's max_tokens.
BUDGET = {"organize": 256, "trend_analysis": 1024, "competitor_research": 1024,
          "performance_analysis": 1024, "growth_strategy": 1024}


def fields_for(name: str, duration: int = 600) -> dict:
    if name == "short_script":
        duration = min(duration, 60)
    return {**FIELDS, "duration_s": duration}


@pytest.fixture(scope="module")
def vocab(demo_model):
    from llama_cpp import Llama

    llm = Llama(str(demo_model), vocab_only=True, verbose=False)
    yield llm
    llm.close()


def compiles(llm, gbnf: str) -> bool:
    """Whether llama.cpp's own parser accepts the grammar (it returns NULL when it does not)."""
    import llama_cpp

    sampler = llama_cpp.llama_sampler_init_grammar(llm._model.vocab, gbnf.encode(), b"root")
    if not sampler:
        return False
    llama_cpp.llama_sampler_free(ctypes.c_void_p(sampler) if isinstance(sampler, int) else sampler)
    return True


class TestGrammars:
    """Every format's grammar is accepted by llama.cpp, including one built from hostile text."""

    @pytest.mark.parametrize("name", formats.NAMES)
    def test_each_grammar_compiles(self, vocab, name):
        assert compiles(vocab, formats.get(name).grammar(fields_for(name)))

    def test_a_broken_grammar_is_caught_by_the_same_check(self, vocab):
        assert not compiles(vocab, 'root ::= "a" missing-rule\n')

    @pytest.mark.parametrize("seconds", [95, 120, 179, 180, 600, 1800, 3600, 4 * 3600])
    def test_long_plans_compile_and_add_up(self, vocab, seconds):
        plan = long_plan(seconds)
        assert plan[0] == ("HOOK", 0, 5) and plan[1] == ("INTRO", 5, 30)
        assert all(a[2] == b[1] for a, b in zip(plan, plan[1:], strict=False))
        assert plan[-1][0] == "CTA" and plan[-1][2] == seconds
        assert compiles(vocab, formats.get("video_script").grammar({"duration_s": seconds}))

    @pytest.mark.parametrize("seconds", [10, 15, 30, 45, 60, 90])
    def test_short_plans_add_up(self, seconds):
        plan = short_plan(seconds)
        assert plan[0][1] == 0 and plan[-1][2] == seconds
        assert all(a[2] == b[1] and a[1] < a[2] for a, b in zip(plan, plan[1:], strict=False))

    def test_literal_escapes_everything_that_could_end_or_bend_it(self):
        text = 'say "hi" \\ then\nnext \u00e9 \U0001F600'
        assert literal(text) == '"say \\"hi\\" \\\\ then\\nnext \\xE9 \\U0001F600"'


VIDEO = """# Budget travel in Japan

### [HOOK] (0:00-0:05)
You can see Japan for less than you think.

### [INTRO] (0:05-0:30)
I spent two weeks there on a tight budget.

### [PART 1] (0:30-2:45) Getting there
Fly midweek and book early.

### [PART 2] (2:45-5:00) Sleeping cheap
Capsule hotels and hostels.

### [PART 3] (5:00-7:15) Eating well
Convenience stores are great.

### [PART 4] (7:15-9:30) Getting around
The rail pass maths.

### [CTA] (9:30-10:00)
Subscribe for part two.

## Production notes
- Visuals: street scenes
- B-roll: trains
- Text overlays: prices
- Thumbnail: me with a bento
"""


class TestChecks:
    """Each check passes a well-formed reply and says exactly what a broken one lacks."""

    def test_a_good_video_script_passes(self):
        assert formats.get("video_script").check(VIDEO, {"duration_s": 600}) == []

    def test_timestamps_must_add_up_to_the_requested_length(self):
        problems = formats.get("video_script").check(VIDEO, {"duration_s": 480})
        assert any("add up to 10:00, not the requested 8:00" in p for p in problems)

    def test_a_gap_between_parts_is_named(self):
        broken = VIDEO.replace("[PART 3] (5:00-7:15)", "[PART 3] (5:10-7:15)")
        problems = formats.get("video_script").check(broken, {"duration_s": 600})
        assert any("[PART 3] starts at 5:10" in p for p in problems)

    def test_a_missing_hook_and_missing_notes_are_named(self):
        broken = VIDEO.replace("### [HOOK] (0:00-0:05)\n", "").replace("- Thumbnail: me with a "
                                                                       "bento\n", "")
        problems = formats.get("video_script").check(broken, {"duration_s": 600})
        assert "missing [HOOK] (0:00-0:05)" in problems
        assert any("thumbnail" in p for p in problems)

    def test_blog_outline_meta_limit_and_headline_count(self):
        good = ("## Headline options\n1. a\n2. b\n3. c\n4. d\n5. e\n\n## Meta description\n"
                "Short and sweet.\n\n## Introduction hook\nHook.\n\n## Outline\n- H2: One\n"
                "  - H3: x\n- H2: Two\n  - H3: y\n\n## Conclusion and CTA\nGo.\n\n"
                "## Internal link topics\n- a\n- b\n- c\n\n## Social media teasers\n- t\n- u\n")
        check = formats.get("blog_outline").check
        assert check(good, {}) == []
        long_meta = good.replace("Short and sweet.", "x" * 151)
        assert any("151 characters" in p for p in check(long_meta, {}))
        four = good.replace("5. e\n", "")
        assert "4 headline options; give exactly 5" in check(four, {})
        bare = good.replace("  - H3: y\n", "")
        assert "H2 number 2 has no H3 points under it" in check(bare, {})

    def test_trend_score_must_be_one_to_ten(self):
        check = formats.get("trend_analysis").check
        sections = ["Trend significance: 11/10", "Opportunity assessment", "Content angles",
                    "Timing recommendations", "Competition level: High", "Risk/reward",
                    "Action items"]
        text = "\n\n".join(f"## {s}\n- point one\n- point two" for s in sections)
        assert "the trend significance needs a score from 1 to 10, written as N/10" in check(
            text, {})
        assert check(text.replace("11/10", "7/10"), {}) == []
        missing = text.replace("## Risk/reward\n- point one\n- point two", "")
        assert "missing section 'Risk/reward'" in check(missing, {})

    def test_organize_every_idea_exactly_once_in_a_given_category(self):
        fields = {"ideas": ["a", "b", "c"], "categories": ["X", "Y"]}
        check = formats.get("organize").check
        assert check("1. a \u2192 X\n2. b \u2192 Y\n3. c \u2192 X\n", fields) == []
        problems = check("1. a \u2192 X\n1. a \u2192 Y\n3. c \u2192 Z\n", fields)
        assert "idea 1 is assigned twice" in problems
        assert any("'Z', which is not one of your categories" in p for p in problems)
        assert "ideas not assigned: 2" in problems

    def test_performance_actions_need_priorities(self):
        fmt = formats.get("performance_analysis")
        from creator_assistant.formats.performance_analysis import SECTIONS

        text = "\n\n".join(f"## {s.title}\n- [High] do it\n- [Low] later" for s in SECTIONS)
        assert fmt.check(text, {}) == []
        assert "every action item needs a priority: [High], [Medium] or [Low]" in fmt.check(
            text.replace("- [Low] later", "- later", 1 + len(SECTIONS)), {})


class TestDemoModel:
    """Random weights, real llama.cpp: the grammar alone keeps every format intact."""

    @pytest.mark.parametrize("name", formats.NAMES)
    @pytest.mark.parametrize("seed", [1, 2])
    def test_demo_output_passes_its_check(self, demo_backend, name, seed):
        fields = fields_for(name, duration=[600, 1800][seed - 1])
        fmt = formats.get(name)
        request = GenerateRequest(
            messages=[{"role": "user", "content": f"write the {name}"}], temperature=0.7,
            top_p=0.9, max_tokens=BUDGET.get(name, 2048), seed=seed,
            grammar=fmt.grammar(fields))
        text = "".join(demo_backend.stream(request))
        assert demo_backend.last_usage.finish_reason == "stop"  # the grammar ended it
        assert fmt.check(text, fields) == [], text

    def test_organize_spells_out_every_idea_verbatim(self, demo_backend):
        fields = fields_for("organize")
        fmt = formats.get("organize")
        request = GenerateRequest(messages=[{"role": "user", "content": "sort"}], seed=3,
                                  max_tokens=256, grammar=fmt.grammar(fields))
        text = "".join(demo_backend.stream(request))
        from creator_assistant.formats.organize import assignments, label

        assert set(assignments(text)) == set(range(1, len(IDEAS) + 1))
        for idea in IDEAS:
            assert label(idea) in text
        assert set(assignments(text).values()) <= set(FIELDS["categories"])


def test_clock_formats_minutes_and_hours():
    assert [clock(s) for s in (5, 65, 600, 3725)] == ["0:05", "1:05", "10:00", "1:02:05"]
