"""Build the demo model: a tiny, seeded, random-weight llama GGUF that needs no network.

Its text is meaningless (random weights over a small word list), but it exercises everything real:
a byte-complete SentencePiece-style vocabulary, a chat template, stop tokens, long windows, grammars.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEMO_ID = "demo"
DEMO_VERSION = 1
DEMO_NOTE = (
    "demo model: random weights, its text is meaningless. "
    "Get a real model with `creator models pull gemma-3-4b-qat-open` on a connected machine "
    "(`creator doctor` says which fits)."
)

CHAT_TEMPLATE = (
    "{{ bos_token }}{% for message in messages %}"
    "<start_of_turn>{{ 'model' if message['role'] == 'assistant' else message['role'] }}\n"
    "{{ message['content'] | trim }}<end_of_turn>\n{% endfor %}"
    "{% if add_generation_prompt %}<start_of_turn>model\n{% endif %}"
)
SPECIALS = ["<unk>", "<s>", "</s>", "<start_of_turn>", "<end_of_turn>"]
PUNCTUATION = list(".,!?:;'\"-()[]{}#*/\\0123456789") + ["\n", "\n\n"]


@dataclass(frozen=True)
class DemoShape:
    n_embd: int = 64
    n_layer: int = 2
    n_head: int = 4
    n_head_kv: int = 2
    n_ff: int = 128
    context: int = 8192
    seed: int = 20261121
    n_vocab: int = 0  # 0: just the demo vocabulary; more pads it with synthetic pieces
    quant: str = "F32"  # or Q8_0 / Q4_0 for the benchmarks' larger models
    arch: str = "llama"  # or "gemma3": sliding-window attention on 5 of every 6 layers
    sliding_window: int = 0  # gemma3 only: how many positions a sliding-window layer sees
    chat_template: str = ""  # "": the demo's own (tests give hostile ones)


def demo_vocab(n_vocab: int = 0) -> tuple[list[str], list[float], list[int], int]:
    """Tokens, scores, types and the number of specials; every token is unique (llama.cpp aborts
    on duplicates). Whole words come after all their prefixes so SentencePiece merges reach them."""
    import gguf

    from creator_assistant.resources import models_file

    lines = models_file("demo_words.txt").read_text(encoding="utf-8").splitlines()
    words = [w.strip() for w in lines if w.strip() and not w.startswith("#")]
    tokens: list[str] = list(SPECIALS)
    types = [gguf.TokenType.UNKNOWN] + [gguf.TokenType.CONTROL] * (len(SPECIALS) - 1)
    tokens += [f"<0x{b:02X}>" for b in range(256)]
    types += [gguf.TokenType.BYTE] * 256
    seen = set(tokens)
    pieces: list[str] = ["\u2581"] + list("abcdefghijklmnopqrstuvwxyz") + PUNCTUATION
    for word in words:
        spm = "\u2581" + word
        pieces += [spm[:i] for i in range(2, len(spm) + 1)]
    pad = 0
    while len(pieces) + len(tokens) < n_vocab:
        pieces.append(f"\u2581w{pad}")
        pad += 1
    for piece in pieces:
        if piece not in seen:
            seen.add(piece)
            tokens.append(piece)
            types.append(gguf.TokenType.NORMAL)
    # Longer pieces score higher so the tokenizer prefers whole words.
    scores = [0.0] * (len(SPECIALS) + 256) + [
        -1000.0 + len(t) for t in tokens[len(SPECIALS) + 256 :]
    ]
    assert len(set(tokens)) == len(tokens)
    return tokens, scores, [int(t) for t in types], len(SPECIALS)


def build_demo_model(path: Path, shape: DemoShape | None = None) -> Path:
    """Write the demo GGUF to `path` atomically; the same seed always gives the same bytes."""
    import gguf
    import numpy as np

    shape = shape or DemoShape()
    tokens, scores, types, _ = demo_vocab(shape.n_vocab)
    # Whole words (not their prefixes) and padding pieces are what the demo "says".
    from creator_assistant.resources import models_file

    words = {"\u2581" + w.strip() for w in models_file("demo_words.txt").read_text().splitlines()
             if w.strip() and not w.startswith("#")}
    word_ids = {i for i, t in enumerate(tokens) if t in words or t[2:].isdigit()}
    word_ids |= {tokens.index(p) for p in (".", ",", "\n")}
    rng = np.random.default_rng(shape.seed)
    n_vocab = len(tokens)
    head_dim = shape.n_embd // shape.n_head

    qtype = getattr(gguf.GGMLQuantizationType, shape.quant)

    def weights(rows: int, cols: int, scale: float = 0.3) -> np.ndarray:
        return (rng.standard_normal((rows, cols), dtype=np.float32)
                * np.float32(scale / np.sqrt(cols)))

    def add(name: str, data: np.ndarray) -> None:
        if data.ndim == 2 and qtype != gguf.GGMLQuantizationType.F32:
            writer.add_tensor(name, gguf.quants.quantize(data, qtype), raw_dtype=qtype)
        else:
            writer.add_tensor(name, data)

    tmp = path.with_suffix(".partial")
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = gguf.GGUFWriter(str(tmp), shape.arch)
    writer.add_name("creator-demo (random weights, meaningless text)")
    writer.add_context_length(shape.context)
    writer.add_embedding_length(shape.n_embd)
    writer.add_block_count(shape.n_layer)
    writer.add_feed_forward_length(shape.n_ff)
    writer.add_head_count(shape.n_head)
    writer.add_head_count_kv(shape.n_head_kv)
    writer.add_rope_dimension_count(head_dim)
    writer.add_layer_norm_rms_eps(1e-5)
    if shape.arch == "gemma3":
        writer.add_key_length(head_dim)
        writer.add_value_length(head_dim)
        writer.add_sliding_window(shape.sliding_window)
    writer.add_file_type(gguf.LlamaFileType.ALL_F32 if shape.quant == "F32"
                         else getattr(gguf.LlamaFileType, f"MOSTLY_{shape.quant}"))
    add_tokenizer(writer, tokens, scores, types, shape.chat_template or CHAT_TEMPLATE)

    add("token_embd.weight", weights(n_vocab, shape.n_embd, 1.0))
    writer.add_tensor("output_norm.weight", np.ones(shape.n_embd, dtype=np.float32))
    output = weights(n_vocab, shape.n_embd, 0.05)
    # Whole words get strong output rows: the babble reads as words, not stray bytes.
    for i in word_ids:
        output[i] *= 80.0
    add("output.weight", output)
    for layer in range(shape.n_layer):
        prefix = f"blk.{layer}"
        kv = shape.n_head_kv * head_dim
        writer.add_tensor(f"{prefix}.attn_norm.weight", np.ones(shape.n_embd, dtype=np.float32))
        add(f"{prefix}.attn_q.weight", weights(shape.n_embd, shape.n_embd))
        add(f"{prefix}.attn_k.weight", weights(kv, shape.n_embd))
        add(f"{prefix}.attn_v.weight", weights(kv, shape.n_embd))
        add(f"{prefix}.attn_output.weight", weights(shape.n_embd, shape.n_embd))
        writer.add_tensor(f"{prefix}.ffn_norm.weight", np.ones(shape.n_embd, dtype=np.float32))
        add(f"{prefix}.ffn_gate.weight", weights(shape.n_ff, shape.n_embd))
        add(f"{prefix}.ffn_up.weight", weights(shape.n_ff, shape.n_embd))
        add(f"{prefix}.ffn_down.weight", weights(shape.n_embd, shape.n_ff))
        if shape.arch == "gemma3":
            # Gemma 3 normalises queries and keys per head, and attention and FFN outputs.
            for name, size in (("attn_q_norm", head_dim), ("attn_k_norm", head_dim),
                               ("post_attention_norm", shape.n_embd),
                               ("post_ffw_norm", shape.n_embd)):
                writer.add_tensor(f"{prefix}.{name}.weight", np.ones(size, dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    os.replace(tmp, path)
    return path


def demo_model_path(models_dir: Path) -> Path:
    return models_dir / f"creator-demo-v{DEMO_VERSION}.gguf"


def ensure_demo_model(models_dir: Path) -> Path:
    """The demo model's path, building it first if it is not there yet."""
    path = demo_model_path(models_dir)
    if not path.exists():
        build_demo_model(path)
    return path


def add_tokenizer(writer: Any, tokens: list[str], scores: Any, types: Any,
                  chat_template: str = CHAT_TEMPLATE) -> None:
    """The demo vocabulary's tokenizer keys, Gemma-style turns, on a GGUFWriter."""
    writer.add_tokenizer_model("llama")
    writer.add_token_list(tokens)
    writer.add_token_scores(scores)
    writer.add_token_types(types)
    writer.add_unk_token_id(0)
    writer.add_bos_token_id(1)
    writer.add_eos_token_id(tokens.index("<end_of_turn>"))
    writer.add_add_bos_token(True)
    writer.add_add_eos_token(False)
    writer.add_add_space_prefix(False)  # as Gemma: no dummy leading space
    writer.add_chat_template(chat_template)
