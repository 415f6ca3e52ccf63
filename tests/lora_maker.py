"""Tiny LoRA adapter GGUFs for the demo model, written with the real `gguf` writer in the layout
llama.cpp's convert_lora_to_gguf.py writes (and llama-adapter.cpp checks)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

# The demo's linear layers an adapter changes: attention and feed-forward, every block.
TARGETS = ("attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down")


def write_lora(base: Path, path: Path, rank: int = 4, alpha: float = 4.0, seed: int = 1,
               strength: float = 1.0, arch: str | None = None) -> Path:
    """A random LoRA adapter for the model at `base`: for each target tensor W (ne [in, out]),
    lora_a with ne [in, rank] and lora_b with ne [rank, out]; gguf-py writes a numpy array's
    last axis as ne[0], so the arrays are (rank, in) and (out, rank), PEFT's own layout. The
    effective scale is alpha / rank times the runtime `lora_scale`."""
    import gguf

    reader = gguf.GGUFReader(str(base))
    field = reader.get_field("general.architecture")
    base_arch = field.contents() if field is not None else "llama"
    rng = np.random.default_rng(seed)
    writer = gguf.GGUFWriter(str(path), arch or str(base_arch))
    writer.add_type(gguf.GGUFType.ADAPTER)
    writer.add_string(gguf.Keys.Adapter.TYPE, "lora")
    writer.add_float32(gguf.Keys.Adapter.LORA_ALPHA, float(alpha))
    for tensor in reader.tensors:
        name = tensor.name
        if not (name.startswith("blk.") and name.split(".")[2] in TARGETS):
            continue
        n_in, n_out = int(tensor.shape[0]), int(tensor.shape[1])  # ne order
        a = rng.standard_normal((rank, n_in), dtype=np.float32) / np.float32(np.sqrt(n_in))
        b = rng.standard_normal((n_out, rank), dtype=np.float32) * np.float32(strength)
        writer.add_tensor(f"{name}.lora_a", a)
        writer.add_tensor(f"{name}.lora_b", b)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def write_mismatched_lora(base: Path, path: Path) -> Path:
    """An adapter whose lora_b has the wrong width for the base model: it parses as a GGUF
    adapter, and llama.cpp refuses it when it loads (a wrong base model)."""
    import gguf

    reader = gguf.GGUFReader(str(base))
    tensor = next(t for t in reader.tensors if t.name.endswith("attn_q.weight"))
    n_in, n_out = int(tensor.shape[0]), int(tensor.shape[1])
    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_type(gguf.GGUFType.ADAPTER)
    writer.add_string(gguf.Keys.Adapter.TYPE, "lora")
    writer.add_float32(gguf.Keys.Adapter.LORA_ALPHA, 4.0)
    writer.add_tensor(f"{tensor.name}.lora_a", np.zeros((4, n_in), np.float32))
    writer.add_tensor(f"{tensor.name}.lora_b", np.zeros((n_out + 3, 4), np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path
