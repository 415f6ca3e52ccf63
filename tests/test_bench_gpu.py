"""`python -m benches gpu`: the no-GPU path, the bandwidth bound's arithmetic, and the Gemma-shaped
random-weight models it builds (a small one here, run in the product's worker on the CPU)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from benches.gpu import decode, gpu_offload, known_bandwidth
from benches.gpu_models import (
    SHAPES,
    GemmaShape,
    bound_tps,
    build,
    bytes_per_token,
    kv_bytes,
    tensor_shapes,
    weight_bytes,
)

ROOT = Path(__file__).resolve().parent.parent
# Gemma 3's layout at a size the CPU runs in a moment: 6 layers (5 sliding, 1 global).
TINY = GemmaShape("tiny", n_embd=256, n_layer=6, n_head=4, n_head_kv=2, head_dim=64, n_ff=512,
                  n_vocab=4096, context=4096, sliding_window=128)


def test_without_a_gpu_build_it_says_so_in_one_json_line_and_exits_0(tmp_path):
    if gpu_offload():
        pytest.skip("this llama-cpp-python offloads to a GPU: the bench runs instead")
    done = subprocess.run([sys.executable, "-m", "benches", "gpu", "--cache", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1, done.stdout
    report = json.loads(lines[0])
    assert report["gpu"] is False and "docs/gpu.md" in report["reason"]
    assert list(tmp_path.iterdir()) == []  # it built nothing


def test_an_unknown_model_is_a_usage_error():
    done = subprocess.run([sys.executable, "-m", "benches", "gpu", "--models", "4b,70b"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "unknown model '70b'" in done.stderr


def test_the_bound_is_bandwidth_over_bytes_read_per_token():
    assert bound_tps(2e9, 1000) == pytest.approx(500.0)  # 2 GB a token at 1 TB/s
    assert bound_tps(17.2e9, 3350) == pytest.approx(194.8, abs=0.1)
    # A bigger model or a slower device: proportionally slower.
    assert bound_tps(4e9, 1000) == pytest.approx(bound_tps(2e9, 1000) / 2)


def test_the_kv_cache_read_counts_windows_on_sliding_layers_only():
    per_position = 2 * TINY.n_head_kv * TINY.head_dim * 2  # K and V, F16
    assert kv_bytes(TINY, 100) == 6 * per_position * 100  # inside the window: every layer
    assert kv_bytes(TINY, 1000) == per_position * (1 * 1000 + 5 * 128)
    # The mean over a reply: from the prompt's end to the reply's last token.
    mean = sum(kv_bytes(TINY, 10 + i) for i in range(4)) / 4
    assert bytes_per_token(TINY, "Q4_0", 10, 4) == weight_bytes(TINY, "Q4_0") + mean


@pytest.mark.parametrize(("size", "low", "high"), [("4b", 3.8e9, 4.4e9),
                                                    ("12b", 11.5e9, 12.5e9),
                                                    ("27b", 26e9, 28e9)])
def test_the_shapes_have_gemma_3s_parameter_counts(size, low, high):
    params = sum(math.prod(dims) for _, dims in tensor_shapes(SHAPES[size]))
    assert low < params < high
    # Q4_0 keeps 18 bytes a block of 32: 4.5 bits a weight.
    assert weight_bytes(SHAPES[size], "Q4_0") == pytest.approx(params * 4.5 / 8, rel=0.01)


@pytest.mark.parametrize("quant", ["Q4_0", "Q8_0"])
def test_a_built_model_holds_exactly_the_bytes_counted(tmp_path, quant):
    from gguf import GGUFReader

    path = build(tmp_path / "tiny.gguf", TINY, quant)
    reader = GGUFReader(str(path))
    assert sum(int(t.n_bytes) for t in reader.tensors) == weight_bytes(TINY, quant)
    assert len(reader.tensors) == len(tensor_shapes(TINY))
    arch = reader.fields["general.architecture"]
    assert bytes(arch.parts[arch.data[0]]).decode() == "gemma3"


def test_a_built_model_decodes_in_the_products_worker(tmp_path):
    path = build(tmp_path / "tiny.gguf", TINY, "Q4_0")
    run = decode(path, tokens=24, rounds=1, gpu_layers=0, n_ctx=512)
    assert run["generated"] > 1 and run["decode_tps"] > 0
    assert run["prompt_tokens"] > 5


@pytest.mark.parametrize(("name", "gbs"), [
    ("NVIDIA H100 80GB HBM3", 3350), ("NVIDIA H100 PCIe", 2000), ("NVIDIA H200", 4800),
    ("NVIDIA A100-SXM4-80GB", 2039), ("NVIDIA A100-SXM4-40GB", 1555), ("NVIDIA L40S", 864),
    ("NVIDIA L4", 300), ("NVIDIA GeForce RTX 4090", 1008), ("NVIDIA A10G", 600),
    ("Tesla T4", 320)])
def test_known_gpus_have_their_spec_sheet_bandwidth(name, gbs):
    assert known_bandwidth(name) == gbs


def test_an_unknown_gpu_has_no_bandwidth_to_guess():
    assert known_bandwidth("Some Future Accelerator") is None
