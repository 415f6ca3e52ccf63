"""Fuzzing the chat-template renderer: generated templates and conversations give a prompt or
a TemplateError (one clear line), within the time and size limits, never another exception."""

from __future__ import annotations

import time

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from creator_assistant.runtime.templates import Renderer, TemplateError

FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LIMIT_S, MAX_CHARS = 0.5, 20_000

names = st.sampled_from(["messages", "message", "m", "ns", "x", "loop", "bos_token", "eos_token",
                         "add_generation_prompt", "tools", "raise_exception", "strftime_now",
                         "range", "namespace", "undefined_thing"])
numbers = st.sampled_from(["0", "1", "-1", "3", "99999", "100000", "10**9", "2**4096", "1.5"])
strings = st.sampled_from(["''", "'x'", "'ab' * 50", "\"{:>9}\"", "'\\n'", "'%s'"])
filters = st.sampled_from(["trim", "length", "upper", "tojson", "join", "list", "first", "last",
                           "center(100)", "center(10**9)", "indent(4)", "replace('a', 'bb')",
                           "replace('', 'x' * 1000)", "default('d')", "string", "int", "reverse",
                           "wordwrap(10)", "format(1)", "sum", "unique", "sort", "safe", "e"])
methods = st.sampled_from(["strip()", "upper()", "split()", "startswith('a')", "items()",
                           "get('role')", "center(10**9)", "ljust(99999999)", "format(1)",
                           "__class__", "mro()", "append(1)", "replace('a', 'b' * 99)"])


def expressions(depth: int = 2) -> st.SearchStrategy[str]:
    leaf = st.one_of(names, numbers, strings, st.just("messages[0]['content']"),
                     st.just("messages[-1].role"))
    if depth == 0:
        return leaf
    inner = expressions(depth - 1)
    return st.one_of(
        leaf,
        st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "//", "%", "**", "~", "and", "or",
                                          "==", "in", "<"]), inner).map(" ".join),
        st.tuples(inner, filters).map(lambda t: f"({t[0]})|{t[1]}"),
        st.tuples(inner, methods).map(lambda t: f"({t[0]}).{t[1]}"),
        st.tuples(inner, inner).map(lambda t: f"({t[0]})[{t[1]}]"),
        inner.map(lambda e: f"range({e})"),
        inner.map(lambda e: f"raise_exception({e})"),
    )


def blocks(depth: int = 2) -> st.SearchStrategy[str]:
    expr = expressions()
    leaf = st.one_of(expr.map(lambda e: "{{ " + e + " }}"), st.sampled_from(
        ["text", "<start_of_turn>", "\n", "{{ bos_token }}", "{% set ns = namespace(s='xx') %}",
         "{% set ns.s = ns.s ~ ns.s %}", "{% break %}", "{% continue %}", "{% endfor %}",
         "{%", "{{", "{# note #}", "{% generation %}x{% endgeneration %}"]))
    if depth == 0:
        return leaf
    body = st.lists(blocks(depth - 1), max_size=3).map("".join)
    return st.one_of(
        leaf,
        st.tuples(expr, body).map(lambda t: "{% for x in " + t[0] + " %}" + t[1] + "{% endfor %}"),
        st.tuples(expr, body).map(lambda t: "{% if " + t[0] + " %}" + t[1] + "{% endif %}"),
        body.map(lambda b: "{% for m in messages %}" + b + "{% endfor %}"),
        body.map(lambda b: "{% macro f(n) %}" + b + "{{ f(n) }}{% endmacro %}{{ f(1) }}"),
    )


roles = st.sampled_from(["system", "user", "assistant", "tool", "", "{{ 1 }}"])
messages = st.lists(st.fixed_dictionaries({"role": roles, "content": st.text(max_size=40)}),
                    min_size=1, max_size=4)


def rendered(template: str, conversation: list[dict[str, str]]) -> None:
    start = time.monotonic()
    try:
        renderer = Renderer(template, "<s>", "</s>", "fuzz.gguf", LIMIT_S, MAX_CHARS)
        out = renderer.render(conversation)
    except TemplateError as exc:
        text = str(exc)
        assert "\n" not in text and ("fuzz.gguf" in text or text.startswith("cancelled")), text
    else:
        assert isinstance(out, str) and len(out) <= MAX_CHARS
    # Not a measure of speed: a render the limit did not stop would run for minutes or forever.
    assert time.monotonic() - start < 60


NESTED = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"


@FUZZ
@given(template=st.lists(blocks(), min_size=1, max_size=4).map("".join), conversation=messages)
@example(template=NESTED, conversation=[{"role": "user", "content": "hi"}])  # the report's
@example(template="{{ raise_exception(messages[0]['content']) }}",  # found: a two-line error
         conversation=[{"role": "user", "content": "no\nsystem role"}])
def test_generated_templates_render_or_fail_clearly(template, conversation):
    rendered(template, conversation)


@FUZZ
@given(template=st.text(alphabet=st.sampled_from(list("{}%#()[]|.~+*'\"-_ xformsgeti")),
                        max_size=80), conversation=messages)
def test_template_shaped_noise_renders_or_fails_clearly(template, conversation):
    rendered(template, conversation)


@settings(max_examples=30, deadline=None)
@given(conversation=messages)
def test_real_templates_render_any_conversation(conversation):
    from creator_assistant.runtime.demo import CHAT_TEMPLATE
    from creator_assistant.runtime.templates import FALLBACK_TEMPLATE, GEMMA_TEMPLATE

    for template in (CHAT_TEMPLATE, FALLBACK_TEMPLATE, GEMMA_TEMPLATE):
        out = Renderer(template, "<s>", "</s>", "fuzz.gguf").render(conversation)
        assert all(m["content"].strip() in out for m in conversation if m["role"] != "system")
