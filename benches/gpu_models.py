"""Random-weight models with Gemma 3's dimensions (4B, 12B, 27B) for the GPU benchmark, and the
bytes a decoded token reads from them, which with the device's memory bandwidth bounds its speed.

Built like the synthetic benchmark models (`runtime/demo.py`: the demo's vocabulary, padded to
Gemma's 262,144 pieces, and chat template; gemma3 architecture with its query/key norms and 5:1
sliding-window layers), but written one tensor at a time as random quantized blocks, so building
27B needs the memory of one tensor, not of the model. The text is meaningless; speed is real.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

KV_BYTES = 2  # llama.cpp's default KV cache type is F16
GLOBAL_EVERY = 6  # Gemma 3: every sixth layer attends to the whole context, the rest to a window


@dataclass(frozen=True)
class GemmaShape:
    name: str
    n_embd: int
    n_layer: int
    n_head: int
    n_head_kv: int
    head_dim: int
    n_ff: int
    n_vocab: int = 262_144
    context: int = 131_072
    sliding_window: int = 1024


# From the models' published configurations (hidden size, layers, heads, KV heads, head size,
# feed-forward size); the embeddings are tied, as in Gemma.
SHAPES = {
    "4b": GemmaShape("gemma3-4b", 2560, 34, 8, 4, 256, 10_240),
    "12b": GemmaShape("gemma3-12b", 3840, 48, 16, 8, 256, 15_360),
    "27b": GemmaShape("gemma3-27b", 5376, 62, 32, 16, 128, 21_504),
}


def tensor_shapes(shape: GemmaShape) -> list[tuple[str, tuple[int, ...]]]:
    """Every tensor's name and (rows, columns) in file order; 1-D ones are the F32 norms."""
    q, kv, d = shape.n_head * shape.head_dim, shape.n_head_kv * shape.head_dim, shape.n_embd
    out: list[tuple[str, tuple[int, ...]]] = [("token_embd.weight", (shape.n_vocab, d)),
                                              ("output_norm.weight", (d,))]
    for layer in range(shape.n_layer):
        p = f"blk.{layer}"
        out += [(f"{p}.attn_norm.weight", (d,)), (f"{p}.attn_q.weight", (q, d)),
                (f"{p}.attn_k.weight", (kv, d)), (f"{p}.attn_v.weight", (kv, d)),
                (f"{p}.attn_output.weight", (d, q)),
                (f"{p}.attn_q_norm.weight", (shape.head_dim,)),
                (f"{p}.attn_k_norm.weight", (shape.head_dim,)),
                (f"{p}.post_attention_norm.weight", (d,)), (f"{p}.ffn_norm.weight", (d,)),
                (f"{p}.ffn_gate.weight", (shape.n_ff, d)), (f"{p}.ffn_up.weight", (shape.n_ff, d)),
                (f"{p}.ffn_down.weight", (d, shape.n_ff)), (f"{p}.post_ffw_norm.weight", (d,))]
    return out


def tensor_bytes(dims: tuple[int, ...], quant: str) -> int:
    """Bytes of one tensor in the file: matrices quantized (`quant`), norms F32."""
    import gguf

    if len(dims) == 1:
        return dims[0] * 4
    block, size = gguf.GGML_QUANT_SIZES[getattr(gguf.GGMLQuantizationType, quant)]
    rows, cols = dims
    assert cols % block == 0, (dims, quant)
    return rows * (cols // block) * size


def weight_bytes(shape: GemmaShape, quant: str) -> int:
    """Bytes of every weight: what one decoded token reads (the tied embedding matrix is read
    whole as the output projection; its input row is one row more)."""
    return sum(tensor_bytes(dims, quant) for _, dims in tensor_shapes(shape))


def kv_bytes(shape: GemmaShape, positions: int) -> int:
    """Bytes of the KV cache one token attends to at `positions` tokens of context: global
    layers read all of them, sliding-window layers at most their window."""
    per_position = 2 * shape.n_head_kv * shape.head_dim * KV_BYTES  # K and V
    globals_ = shape.n_layer // GLOBAL_EVERY
    local = shape.n_layer - globals_
    return per_position * (globals_ * positions
                           + local * min(positions, shape.sliding_window))


def bytes_per_token(shape: GemmaShape, quant: str, prompt: int, generated: int) -> float:
    """Mean bytes read per decoded token over a reply of `generated` tokens after `prompt`."""
    kv = sum(kv_bytes(shape, prompt + i) for i in range(generated)) / max(generated, 1)
    return weight_bytes(shape, quant) + kv


def bound_tps(bytes_each: float, bandwidth_gbs: float) -> float:
    """The memory-bandwidth bound on decode speed: tokens/s if every byte is read once per
    token at the device's full bandwidth (GB/s, 10^9 bytes)."""
    return bandwidth_gbs * 1e9 / bytes_each


def vocab(n_vocab: int) -> tuple[list[str], list[float], list[int]]:
    """The demo's vocabulary padded to exactly `n_vocab` pieces (its padding comes last)."""
    from creator_assistant.runtime.demo import demo_vocab

    want = n_vocab
    while True:
        tokens, scores, types, _ = demo_vocab(want)
        if len(tokens) >= n_vocab:
            return tokens[:n_vocab], scores[:n_vocab], types[:n_vocab]
        want += n_vocab - len(tokens)


def model_path(cache: Path, shape: GemmaShape, quant: str) -> Path:
    return cache / f"{shape.name}-random-{quant.lower()}.gguf"


def build(path: Path, shape: GemmaShape, quant: str = "Q4_0", seed: int = 1) -> Path:
    """Write the random-weight model to `path` (atomically, one tensor in memory at a time)."""
    import os

    import gguf

    from creator_assistant.runtime.demo import add_tokenizer

    tokens, scores, types = vocab(shape.n_vocab)
    qtype = getattr(gguf.GGMLQuantizationType, quant)
    block, size = gguf.GGML_QUANT_SIZES[qtype]
    rng = np.random.default_rng(seed)
    tmp = path.with_suffix(".partial")
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = gguf.GGUFWriter(str(tmp), "gemma3")
    writer.add_name(f"{shape.name} shape, random weights (benchmark only)")
    writer.add_context_length(shape.context)
    writer.add_embedding_length(shape.n_embd)
    writer.add_block_count(shape.n_layer)
    writer.add_feed_forward_length(shape.n_ff)
    writer.add_head_count(shape.n_head)
    writer.add_head_count_kv(shape.n_head_kv)
    writer.add_key_length(shape.head_dim)
    writer.add_value_length(shape.head_dim)
    writer.add_rope_dimension_count(shape.head_dim)
    writer.add_rope_freq_base(1_000_000.0)
    writer.add_layer_norm_rms_eps(1e-6)
    writer.add_sliding_window(shape.sliding_window)
    writer.add_file_type(getattr(gguf.LlamaFileType, f"MOSTLY_{quant}"))
    add_tokenizer(writer, tokens, scores, types)
    layout = tensor_shapes(shape)
    for name, dims in layout:
        if len(dims) == 1:
            writer.add_tensor_info(name, dims, np.dtype(np.float32), dims[0] * 4)
        else:
            rows, cols = dims
            writer.add_tensor_info(name, (rows, cols // block * size), np.dtype(np.uint8),
                                   rows * (cols // block) * size, raw_dtype=qtype)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_ti_data_to_file()
    for name, dims in layout:
        if len(dims) == 1:
            writer.write_tensor_data(np.ones(dims, dtype=np.float32))
            continue
        rows, cols = dims
        data = rng.integers(0, 256, size=(rows, cols // block, size), dtype=np.uint8)
        # Each block starts with its F16 scale: one that keeps activations in range (random
        # bytes there could be NaN or huge), ~N(0, 0.3/sqrt(cols)) weights like the demo's.
        spread = 74.0 if quant == "Q8_0" else 4.6  # the std of a block's random integers
        scale = (1.0 if name == "token_embd.weight" else 0.3) / math.sqrt(cols) / spread
        data[:, :, :2] = np.frombuffer(np.float16(scale).tobytes(), dtype=np.uint8)
        writer.write_tensor_data(data.reshape(rows, -1))
    writer.close()
    os.replace(tmp, path)
    return path
