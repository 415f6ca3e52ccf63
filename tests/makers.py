"""Broken model files for tests, written with the real `gguf` writer."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def write_duplicate_vocab_model(path: Path) -> Path:
    """A small llama GGUF whose vocabulary repeats a token: llama.cpp aborts on loading it."""
    import gguf

    n_embd, n_vocab = 16, 260
    tokens = ["<unk>", "<s>", "</s>"] + [f"<0x{b:02X}>" for b in range(256)] + ["<s>"]
    w = gguf.GGUFWriter(str(path), "llama")
    w.add_context_length(256)
    w.add_embedding_length(n_embd)
    w.add_block_count(1)
    w.add_feed_forward_length(32)
    w.add_head_count(2)
    w.add_head_count_kv(2)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_tokenizer_model("llama")
    w.add_token_list(tokens)
    w.add_token_scores([0.0] * n_vocab)
    w.add_token_types([3, 3, 3] + [6] * 256 + [3])
    rng = np.random.default_rng(0)

    def t(*shape):
        return rng.standard_normal(shape).astype(np.float32) * 0.02

    w.add_tensor("token_embd.weight", t(n_vocab, n_embd))
    w.add_tensor("output_norm.weight", np.ones(n_embd, dtype=np.float32))
    for name, shape in [("attn_norm", (n_embd,)), ("attn_q", (n_embd, n_embd)),
                        ("attn_k", (n_embd, n_embd)), ("attn_v", (n_embd, n_embd)),
                        ("attn_output", (n_embd, n_embd)), ("ffn_norm", (n_embd,)),
                        ("ffn_gate", (32, n_embd)), ("ffn_up", (32, n_embd)),
                        ("ffn_down", (n_embd, 32))]:
        w.add_tensor(f"blk.0.{name}.weight", t(*shape) if len(shape) > 1 else
                     np.ones(shape, dtype=np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return path


def write_truncated_copy(src: Path, dst: Path, keep: float = 0.6) -> Path:
    data = src.read_bytes()
    dst.write_bytes(data[: int(len(data) * keep)])
    return dst


# The demo's vocabulary and chat template with more and wider layers: its replies stream slowly
# enough (tens to a few hundred tokens a second) that a key pressed mid-reply lands mid-reply.
SLOW_SHAPE = dict(n_embd=384, n_layer=6, n_head=8, n_head_kv=4, n_ff=1536)


def write_slow_model(path: Path) -> Path:
    """A random-weight model like the demo (about 57 MB), several times slower to generate."""
    from creator_assistant.runtime.demo import DemoShape, build_demo_model

    return build_demo_model(path, DemoShape(**SLOW_SHAPE))
