"""Fuzzing the GGUF checks on the demo model's real bytes, damaged: check_gguf and the quick
metadata reader give a result or InvalidModelFile / ValueError, never another exception."""

from __future__ import annotations

import struct
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from creator_assistant.library.kinds import NAME_KEYS, TEMPLATE_KEY, read_metadata
from creator_assistant.runtime.demo import build_demo_model
from creator_assistant.runtime.gguf_check import GGUFSummary, InvalidModelFile, check_gguf

FUZZ = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Values that make parsers misbehave when they land on a length, a count or a type.
NASTY = [0, 1, 7, 8, 9, 12, 13, 255, 2**31 - 1, 2**31, 2**32 - 1, 2**32, 2**63 - 1, 2**64 - 1]


class Model(bytes):
    def __repr__(self) -> str:  # a failing case names its mutation, not a megabyte of bytes
        return f"<demo model, {len(self)} bytes>"


@pytest.fixture(scope="module")
def demo_bytes(tmp_path_factory) -> bytes:
    return Model(build_demo_model(tmp_path_factory.mktemp("fuzz") / "demo.gguf").read_bytes())


def header_end(data: bytes) -> int:
    """Where the tensor data begins: mutations there only change weights."""
    return data.find(b"blk.1.ffn_down.weight") + 64


@st.composite
def damaged(draw, data: bytes) -> bytes:
    end = header_end(data)
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, end))
        how = draw(st.sampled_from(["bytes", "u32", "u64", "cut"]))
        if how == "bytes":
            out[at:at + 4] = draw(st.binary(min_size=1, max_size=4))
        elif how == "u32":
            out[at:at + 4] = struct.pack("<I", draw(st.sampled_from(NASTY)) & 0xFFFFFFFF)
        elif how == "u64":
            out[at:at + 8] = struct.pack("<Q", draw(st.sampled_from(NASTY)))
        else:
            del out[at:]
            break
    return bytes(out)


def checked(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.gguf"
        path.write_bytes(data)
        try:
            assert isinstance(check_gguf(path), GGUFSummary)
        except InvalidModelFile as exc:
            assert "model.gguf" in str(exc)
        try:
            read_metadata(path, (*NAME_KEYS, TEMPLATE_KEY))
        except ValueError:
            pass


@FUZZ
@given(data=st.data())
def test_a_damaged_header_is_a_clear_refusal(demo_bytes, data):
    checked(data.draw(damaged(demo_bytes)))


@FUZZ
@given(blob=st.one_of(st.binary(max_size=256), st.binary(max_size=64).map(lambda b: b"GGUF" + b)))
def test_random_bytes_are_a_clear_refusal(blob):
    checked(blob)


@pytest.mark.parametrize("version", [0, 1, 2, 3, 4, 2**32 - 1])
def test_every_version_number_is_read_or_refused(demo_bytes, version):
    checked(demo_bytes[:4] + struct.pack("<I", version) + demo_bytes[8:])
