"""Token estimates with tiktoken, built from local data only.

Exact counts always come from the answering model's own tokenizer and chat template, in the worker
(`LocalBackend.count_tokens`). This module gives a fast estimate where no model is loaded yet (or a
remote server cannot count): a tiktoken BPE encoding built from a GGUF file's own vocabulary, so no
encoding is ever downloaded (tiktoken's named encodings fetch their data on first use).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import tiktoken

# GPT-2's pre-tokenizer: words keep their leading space, as SentencePiece pieces do with "▁".
PATTERN = (r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+""")
SPM_SPACE = "\u2581"


def _byte_decoder() -> dict[str, int]:
    """GPT-2's printable stand-ins for raw bytes, reversed (for `gpt2`-type vocabularies)."""
    keep = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1),
            *range(ord("®"), ord("ÿ") + 1)]
    chars, n = list(keep), 0
    for b in range(256):
        if b not in keep:
            keep.append(b)
            chars.append(256 + n)
            n += 1
    return {chr(c): b for b, c in zip(keep, chars)}


def ranks_from_vocab(tokens: list[str], model: str, types: list[int] | None = None
                     ) -> dict[bytes, int]:
    """Byte-level BPE ranks from a GGUF vocabulary: single bytes first, then pieces in vocab order."""
    ranks: dict[bytes, int] = {bytes([b]): b for b in range(256)}
    decoder = _byte_decoder() if model == "gpt2" else None
    for i, token in enumerate(tokens):
        if types is not None and types[i] in (2, 3, 5, 6):  # unknown, control, unused, byte
            continue
        if decoder is not None:
            try:
                piece = bytes(decoder[c] for c in token)
            except KeyError:
                continue
        else:
            piece = token.replace(SPM_SPACE, " ").encode("utf-8")
        if len(piece) > 1 and piece not in ranks:
            ranks[piece] = len(ranks)
    return ranks


@lru_cache(maxsize=8)
def encoding_for(gguf_path: str) -> tiktoken.Encoding:
    """An estimating encoding built from the vocabulary stored in a local GGUF file."""
    import gguf

    reader = gguf.GGUFReader(gguf_path)
    tokens = list(reader.fields["tokenizer.ggml.tokens"].contents())
    model = reader.fields["tokenizer.ggml.model"].contents()
    types_field = reader.fields.get("tokenizer.ggml.token_type")
    types = list(types_field.contents()) if types_field is not None else None
    ranks = ranks_from_vocab(tokens, model, types)
    return tiktoken.Encoding(name=f"gguf:{Path(gguf_path).name}", pat_str=PATTERN,
                             mergeable_ranks=ranks, special_tokens={})


def estimate(text: str, gguf_path: str | Path) -> int:
    """Estimated tokens for `text` under the model in `gguf_path` (no chat template)."""
    return len(encoding_for(str(gguf_path)).encode_ordinary(text))
