"""Model files are validated before llama.cpp sees them."""

from __future__ import annotations

import pytest

from creator_assistant.runtime.gguf_check import InvalidModelFile, check_gguf
from tests.makers import write_duplicate_vocab_model, write_truncated_copy


def test_not_a_gguf(tmp_path):
    path = tmp_path / "x.gguf"
    path.write_bytes(b"<html>404 not found</html>")
    with pytest.raises(InvalidModelFile, match="not a GGUF file"):
        check_gguf(path)


def test_truncated(tmp_path, demo_model):
    path = write_truncated_copy(demo_model, tmp_path / "cut.gguf")
    with pytest.raises(InvalidModelFile, match="truncated|corrupt"):
        check_gguf(path)


def test_duplicate_tokens_are_caught_before_llama_cpp(tmp_path):
    path = write_duplicate_vocab_model(tmp_path / "dup.gguf")
    with pytest.raises(InvalidModelFile, match="duplicate tokens"):
        check_gguf(path)
