"""Fuzzing the config loader: whatever config.toml holds (generated TOML near the real schema,
mutated real configs, arbitrary bytes), `load_config` returns a Config or raises ConfigError."""

from __future__ import annotations

import math
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from creator_assistant.config import Config, ConfigError, load_config

FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

# The schema's own names, so generated files reach the validation of every section and field.
SECTIONS = ["models", "tasks", "remotes", "keys", "imports"]
FIELDS = ["default", "threads", "gpu_layers", "memory_budget_gb", "keep_alive_s", "preload",
          "model", "backend", "temperature", "top_p", "top_k", "min_p", "repeat_penalty",
          "max_tokens", "context", "seed", "base_url", "api_key", "timeout_s", "kind",
          "max_decompressed_mb", "max_rows", "max_cell_chars"]
TASKS = ["chat", "script", "nosuchtask", "", "a b", "ünï", "1"]
REAL = """[models]
threads = 4
gpu_layers = -1
preload = ["chat"]

[tasks.chat]
temperature = 0.7
max_tokens = 512

[remotes.lab]
base_url = "http://127.0.0.1:8080"
context = 4096

[keys]
send = "enter"
"""



class _Raw(str):
    """A TOML literal written as is (dates, inf, hex, an out-of-range float)."""


names = st.one_of(st.sampled_from(FIELDS + SECTIONS + TASKS), st.text(max_size=8))
scalars = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70), st.floats(allow_nan=True),
    st.booleans(), st.text(max_size=20),
    st.sampled_from(["1979-05-27T07:32:00Z", "1979-05-27", "07:32:00", "inf", "-inf", "nan",
                     "0x10", "1e400", "-0.0"]).map(_Raw),
)
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(names, inner, max_size=4)), max_leaves=12)


def key(name: str) -> str:
    return '"' + _escape(name) + '"'


def _escape(text: str) -> str:
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        elif 0xD800 <= ord(ch) <= 0xDFFF:
            out.append("?")
        else:
            out.append(ch)
    return "".join(out)


def value(v: object) -> str:
    """`v` as a TOML value (inline tables and arrays for nesting)."""
    if isinstance(v, _Raw):
        return str(v)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf") if math.isinf(v) \
            else repr(v)
    if isinstance(v, str):
        return key(v)
    if isinstance(v, list):
        return "[" + ", ".join(value(x) for x in v) + "]"
    assert isinstance(v, dict)
    return "{" + ", ".join(f"{key(k)} = {value(x)}" for k, x in v.items()) + "}"


@st.composite
def documents(draw: st.DrawFn) -> str:
    """A TOML document: tables named like the config's (dotted for tasks and remotes), keys
    named like its fields, values of every TOML type."""
    lines = []
    tables = st.tuples(st.sampled_from(SECTIONS + ["other"]), st.sampled_from(TASKS))
    for section, sub in draw(st.lists(tables, max_size=4, unique_by=lambda t: (
            t[0], t[1] if t[0] in ("tasks", "remotes") else ""))):
        dotted = f".{key(sub)}" if section in ("tasks", "remotes") else ""
        lines.append(f"[{section}{dotted}]")
        for name, v in draw(st.dictionaries(names, values, max_size=5)).items():
            lines.append(f"{key(name)} = {value(v)}")
    return "\n".join(lines) + "\n"


def loads(path: Path, data: bytes) -> None:
    path.write_bytes(data)
    try:
        assert isinstance(load_config(path), Config)
    except ConfigError as exc:
        assert str(exc).startswith(str(path)), exc  # names the file, says what to do


@FUZZ
@given(doc=documents())
def test_generated_toml(tmp_path, doc):
    loads(tmp_path / "config.toml", doc.encode("utf-8"))


@FUZZ
@given(cut=st.integers(0, len(REAL)), junk=st.binary(max_size=12), drop=st.integers(0, 40))
def test_a_real_config_damaged(tmp_path, cut, junk, drop):
    data = REAL.encode()
    loads(tmp_path / "config.toml", data[:cut] + junk + data[cut + drop:])


@FUZZ
@given(data=st.binary(max_size=300))
def test_arbitrary_bytes(tmp_path, data):
    loads(tmp_path / "config.toml", data)


def test_the_generator_reaches_valid_configs(tmp_path):
    """The fuzzing is not all refusals: the real example and some generated ones load."""
    path = tmp_path / "config.toml"
    path.write_text(REAL)
    assert load_config(path).tasks["chat"].max_tokens == 512
