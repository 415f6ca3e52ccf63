"""Validate a GGUF file with the `gguf` reader before llama.cpp ever sees it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from creator_assistant.runtime.gguf_scan import scan_header

GGUF_MAGIC = b"GGUF"


class InvalidModelFile(ValueError):
    """The file is not a usable GGUF model; the message says why and what to do."""


@dataclass(frozen=True)
class GGUFSummary:
    path: str
    architecture: str
    name: str
    context_length: int
    n_vocab: int
    n_tensors: int
    parameters: int
    size_bytes: int
    has_chat_template: bool
    sliding_window: int


def check_gguf(path: Path) -> GGUFSummary:
    """Read the header, metadata and tensor table; raise InvalidModelFile on anything wrong."""
    path = Path(path)
    hint = "Download it again or pick another file."
    if not path.is_file():
        raise InvalidModelFile(f"{path}: no such file")
    size = path.stat().st_size
    with path.open("rb") as fh:
        magic = fh.read(4)
        if magic != GGUF_MAGIC:
            raise InvalidModelFile(f"{path.name} is not a GGUF file (it starts with {magic!r}). "
                                   f"{hint}")
        # Every count and length in the header fits the file before the reader trusts them: a
        # damaged count would have it build lists of billions of items.
        problem = scan_header(fh, size)
    if problem:
        raise InvalidModelFile(f"{path.name} is corrupt or truncated ({problem}). {hint}")
    try:
        return _summary(path, size, hint)
    except InvalidModelFile:
        raise
    except Exception as exc:  # the reader met something the scan let through
        raise InvalidModelFile(f"{path.name} is corrupt or truncated ({exc}). {hint}") from None


def _summary(path: Path, size: int, hint: str) -> GGUFSummary:
    import gguf

    reader = gguf.GGUFReader(str(path))

    def field(key: str, default=None):
        f = reader.fields.get(key)
        if f is None:
            return default
        return f.contents()

    arch = field("general.architecture")
    if not arch:
        raise InvalidModelFile(f"{path.name} has no general.architecture key. {hint}")
    n_params = 0
    end = 0
    for tensor in reader.tensors:
        n_params += int(tensor.n_elements)
        end = max(end, int(tensor.data_offset) + int(tensor.n_bytes))
    if end > size:
        raise InvalidModelFile(
            f"{path.name} is truncated: its tensors need {end} bytes but the file has {size}. {hint}"
        )
    if not reader.tensors:
        raise InvalidModelFile(f"{path.name} holds no tensors. {hint}")
    tokens = field("tokenizer.ggml.tokens") or []
    if len(set(tokens)) != len(tokens):
        raise InvalidModelFile(
            f"{path.name} has duplicate tokens in its vocabulary, which llama.cpp cannot load. {hint}"
        )
    return GGUFSummary(
        path=str(path),
        architecture=str(arch),
        name=str(field("general.name", path.stem)),
        context_length=int(field(f"{arch}.context_length", 0) or 0),
        n_vocab=len(tokens),
        n_tensors=len(reader.tensors),
        parameters=n_params,
        size_bytes=size,
        has_chat_template=field("tokenizer.chat_template") is not None,
        sliding_window=int(field(f"{arch}.attention.sliding_window", 0) or 0),
    )
