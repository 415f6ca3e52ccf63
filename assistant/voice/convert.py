"""GGUF conversions for training: dequantize every tensor to F32 (llama.cpp trains only F32
weights), and quantize a trained F32 file back for use with llama.cpp's own quantizer."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

# llama.cpp's file types (enum llama_ftype) for the quantized result.
FTYPES = {"f32": 0, "f16": 1, "q8_0": 7, "q4_1": 3, "q4_k_m": 15}


class ConvertError(Exception):
    """A conversion failed; the message says what to do."""


def tensor_types(path: Path) -> dict[str, int]:
    """How many tensors of each type the file holds, e.g. {'Q4_1': 210, 'F32': 61}."""
    import gguf

    counts: dict[str, int] = {}
    for t in gguf.GGUFReader(path).tensors:
        counts[t.tensor_type.name] = counts.get(t.tensor_type.name, 0) + 1
    return counts


def is_f32(path: Path) -> bool:
    return set(tensor_types(path)) <= {"F32"}


def dequantize_to_f32(src: Path, dest: Path) -> Path:
    """Write `src` with every tensor as F32 to `dest` (metadata copied, file type ALL_F32)."""
    import gguf

    try:
        reader = gguf.GGUFReader(src)
    except (ValueError, OSError) as exc:
        raise ConvertError(f"{src} could not be read as GGUF ({exc}); pick another model") from None
    arch = reader.fields["general.architecture"].contents()
    part = dest.with_name(dest.name + ".part")
    writer = gguf.GGUFWriter(part, arch)
    _copy_fields(reader, writer, int(gguf.LlamaFileType.ALL_F32))
    for t in reader.tensors:
        data = gguf.quants.dequantize(t.data, t.tensor_type).astype(np.float32, copy=False)
        shape = [int(n) for n in reversed(t.shape)]  # numpy order: slowest dimension first
        writer.add_tensor(t.name, data.reshape(shape))
    _finish(writer, part, dest)
    return dest


def with_weights(meta: Path, weights: Path, dest: Path) -> Path:
    """For F32 files: `meta`'s metadata (chat template, context length, names) with the tensors of `weights`
    (llama.cpp's own saver rewrites the metadata: it drops the chat template and keeps the
    training context as the model's context length)."""
    import gguf

    base, trained = gguf.GGUFReader(meta), gguf.GGUFReader(weights)
    new = {t.name: t for t in trained.tensors}
    part = dest.with_name(dest.name + ".part")
    writer = gguf.GGUFWriter(part, base.fields["general.architecture"].contents())
    _copy_fields(base, writer, None)
    for t in base.tensors:
        src = new.get(t.name, t)
        if [int(n) for n in src.shape] != [int(n) for n in t.shape]:
            raise ConvertError(f"{weights.name}: {t.name} has another shape than in {meta.name}")
        shape = [int(n) for n in reversed(t.shape)]
        writer.add_tensor(t.name, np.asarray(src.data, dtype=np.float32).reshape(shape))
    _finish(writer, part, dest)
    return dest


def _copy_fields(reader: object, writer: object, file_type: int | None) -> None:
    import gguf

    assert isinstance(reader, gguf.GGUFReader) and isinstance(writer, gguf.GGUFWriter)
    for name, field in reader.fields.items():
        if name.startswith("GGUF.") or name == "general.architecture":
            continue
        value = field.contents()
        if name == "general.file_type" and file_type is not None:
            value = file_type
        main = field.types[0]
        sub = field.types[-1] if main == gguf.GGUFValueType.ARRAY else None
        writer.add_key_value(name, value, main, sub)


def _finish(writer: object, part: Path, dest: Path) -> None:
    import gguf

    assert isinstance(writer, gguf.GGUFWriter)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    os.replace(part, dest)


def quantize(src: Path, dest: Path, ftype: str = "q8_0", threads: int = 2) -> Path:
    """Quantize an F32 GGUF with llama.cpp (`llama_model_quantize`)."""
    import llama_cpp

    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = FTYPES[ftype]
    params.nthread = threads
    part = dest.with_name(dest.name + ".part")
    rc = llama_cpp.llama_model_quantize(str(src).encode(), str(part).encode(), params)
    if rc != 0 or not part.is_file():
        part.unlink(missing_ok=True)
        raise ConvertError(f"llama.cpp could not quantize {src.name} to {ftype} (code {rc})")
    os.replace(part, dest)
    return dest
