"""Room in llama.cpp's compute graph for the backward pass.

llama.cpp sizes every graph for inference (`graph_max_nodes`: 8 nodes per model tensor, plus 6
per tensor of each LoRA adapter loaded for the model); training adds the gradient and optimizer
nodes to the same graph and, for a small model such as SmolLM2-135M, overflows it
(`GGML_ASSERT(cgraph->n_nodes < cgraph->size)` in ggml_build_backward_expand, an abort). Loading
an adapter that is never applied to a context raises that limit and changes nothing else: this
module writes such an adapter (rank 1, zeros) with the gguf package.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

MATRICES = ("attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down")


def room_adapter(model: Path, dest: Path) -> tuple[Path, int]:
    """Write the never-applied adapter for `model`; returns its path and the nodes it adds."""
    import gguf

    reader = gguf.GGUFReader(model)
    arch = reader.fields["general.architecture"].contents()
    part = dest.with_name(dest.name + ".part")
    writer = gguf.GGUFWriter(part, arch)
    writer.add_string("general.type", "adapter")
    writer.add_string("adapter.type", "lora")
    writer.add_float32("adapter.lora.alpha", 1.0)
    n = 0
    for t in reader.tensors:
        parts = t.name.split(".")
        if len(parts) != 4 or parts[2] not in MATRICES or len(t.shape) != 2:
            continue
        n_in, n_out = int(t.shape[0]), int(t.shape[1])
        writer.add_tensor(t.name + ".lora_a", np.zeros((1, n_in), dtype=np.float32))
        writer.add_tensor(t.name + ".lora_b", np.zeros((n_out, 1), dtype=np.float32))
        n += 1
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    os.replace(part, dest)
    return dest, 6 * n
