"""Convert a BERT sentence embedder (model.safetensors, tokenizer.json, config.json) to a GGUF that
llama.cpp's `bert` architecture loads in embedding mode: F32 weights read from a memory map of the
safetensors file (no torch, no `safetensors` package); the same inputs always give the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import struct
import tempfile
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np

MAX_MEMBER_BYTES = 2 * 1000**3  # the largest single file accepted from an archive
MAX_HEADER_BYTES = 100 * 1000**2  # a safetensors JSON header larger than this is not a model
CHUNK = 1 << 20
REQUIRED = ("model.safetensors", "tokenizer.json", "config.json")
POOLING = "1_Pooling/config.json"
SPECIAL_NAMES = {"[CLS]": "cls", "[SEP]": "sep", "[UNK]": "unk", "[PAD]": "pad", "[MASK]": "mask"}
POOLING_MODES = {"pooling_mode_mean_tokens": "MEAN", "pooling_mode_cls_token": "CLS"}
DTYPES: dict[str, np.dtype] = {"F32": np.dtype("<f4"), "F16": np.dtype("<f2"), "I64": np.dtype("<i8")}
UNUSED_TENSORS = {"embeddings.position_ids", "pooler.dense.weight", "pooler.dense.bias"}


class ConversionError(ValueError):
    """The inputs are not a BERT model this converter understands; the message says why."""


def convert_zip(zip_path: Path, out_path: Path, expected: dict[str, str]) -> None:
    """Verify `expected` (archive name -> sha256) while extracting them, then convert to `out_path`.
    ChecksumMismatch on a hash mismatch, LibraryError on an unsafe or unusable archive or model;
    on failure nothing is left at `out_path` or beside it."""
    from creator_assistant.library import ChecksumMismatch, LibraryError

    zip_path, out_path = Path(zip_path), Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        archive = zipfile.ZipFile(zip_path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise LibraryError(f"{zip_path.name} is not a readable zip archive ({exc}); "
                           "pull the model again") from None
    with archive, tempfile.TemporaryDirectory(dir=out_path.parent, prefix=".convert-") as tmp:
        members = {info.filename: info for info in archive.infolist()}
        for info in members.values():
            problem = _unsafe(info)
            if problem:
                raise LibraryError(f"{zip_path.name} holds {info.filename!r}, which {problem}; "
                                   "the archive was refused and nothing was installed")
        unknown = sorted(set(REQUIRED) - set(expected))
        if unknown:
            raise LibraryError(f"no sha256 is known for {', '.join(unknown)}; refusing to "
                               "convert unverified files (the catalogue entry needs them)")
        wanted = dict(expected)
        if POOLING in members:
            wanted.setdefault(POOLING, "")  # optional: read only to choose mean or CLS pooling
        try:
            for name, sha in sorted(wanted.items()):
                member = members.get(name)
                if member is None:
                    raise LibraryError(f"{zip_path.name} has no {name}; pull the model again")
                digest = _extract(archive, member, Path(tmp) / name)
                if sha and digest != sha.lower():
                    raise ChecksumMismatch(
                        f"{name} in {zip_path.name} has sha256 {digest}, expected {sha}; "
                        "nothing was installed, pull the model again")
            convert_dir(Path(tmp), out_path)
        except (ConversionError, zipfile.BadZipFile) as exc:
            raise LibraryError(f"cannot convert {zip_path.name}: {exc}") from None


def _unsafe(info: zipfile.ZipInfo) -> str:
    name = info.filename
    path = PurePosixPath(name)
    if not name or name.startswith(("/", "\\")) or "\\" in name or ":" in path.parts[0]:
        return "has an absolute or non-portable path"
    if any(part == ".." for part in path.parts):
        return "would escape the target folder"
    if stat.S_ISLNK(info.external_attr >> 16):
        return "is a symbolic link"
    if info.file_size > MAX_MEMBER_BYTES:
        return f"is too large ({info.file_size} bytes, the limit is {MAX_MEMBER_BYTES})"
    return ""


def _extract(archive: zipfile.ZipFile, info: zipfile.ZipInfo, dest: Path) -> str:
    """Stream one member to `dest`, never past its declared size; return its sha256."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    digest, written = hashlib.sha256(), 0
    with archive.open(info) as src, dest.open("wb") as out:
        while chunk := src.read(CHUNK):
            written += len(chunk)
            if written > min(info.file_size, MAX_MEMBER_BYTES):
                raise ConversionError(f"{info.filename} is larger than the archive declares")
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()


def convert_dir(folder: Path, out_path: Path, *, name: str | None = None) -> None:
    """Write `out_path` (F32 GGUF, arch `bert`) from the model files in `folder`; `name`
    (general.name) defaults to the output file's name up to its first dot."""
    import gguf

    folder, out_path = Path(folder), Path(out_path)
    hp = _hparams(_read_json(folder / "config.json"))
    pooling = _pooling(folder / POOLING)
    tokens, types, special = _vocab(_read_json(folder / "tokenizer.json"), hp["vocab"])
    tensors = _tensors(folder / "model.safetensors", hp)

    out_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=out_path.parent, prefix=f".{out_path.name}.", suffix=".part")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        writer = gguf.GGUFWriter(str(tmp), "bert")
        writer.add_name(name or out_path.name.split(".")[0])
        writer.add_file_type(gguf.LlamaFileType.ALL_F32)
        settings: list[tuple[Any, Any]] = [
            (writer.add_context_length, hp["positions"]), (writer.add_embedding_length, hp["width"]),
            (writer.add_feed_forward_length, hp["ff"]), (writer.add_block_count, hp["layers"]),
            (writer.add_head_count, hp["heads"]), (writer.add_layer_norm_eps, hp["eps"]),
            (writer.add_causal_attention, False), (writer.add_pooling_type, pooling),
            (writer.add_tokenizer_model, "bert"), (writer.add_token_list, tokens),
            (writer.add_token_types, types), (writer.add_token_type_count, hp["type_vocab"]),
            # llama.cpp's WordPiece vocabulary prepends BOS as [CLS] and appends [SEP]
            (writer.add_bos_token_id, special["cls"]), (writer.add_sep_token_id, special["sep"]),
            (writer.add_unk_token_id, special["unk"]), (writer.add_pad_token_id, special["pad"]),
            (writer.add_mask_token_id, special["mask"]), (writer.add_add_bos_token, True),
            (writer.add_add_sep_token, True), (writer.add_add_eos_token, False)]
        for add, value in settings:
            add(value)
        for gguf_name, array in tensors:
            writer.add_tensor(gguf_name, array)
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_tensors_to_file()
        writer.close()
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a model file is as readable as any
        os.replace(tmp, out_path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConversionError(f"{path.name} is missing from the model files") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConversionError(f"{path.name} is not valid JSON ({exc})") from None


def _hparams(config: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(config, dict) or config.get("model_type") != "bert":
        raise ConversionError("config.json does not describe a BERT model (model_type 'bert')")
    for key, only in (("hidden_act", "gelu"), ("position_embedding_type", "absolute")):
        if config.get(key, only) != only:
            raise ConversionError(f"config.json: {key} {config[key]!r} is not supported ({only} only)")
    try:
        hp = {"width": int(config["hidden_size"]), "layers": int(config["num_hidden_layers"]),
              "heads": int(config["num_attention_heads"]), "ff": int(config["intermediate_size"]),
              "positions": int(config["max_position_embeddings"]),
              "vocab": int(config["vocab_size"]), "type_vocab": int(config.get("type_vocab_size", 2)),
              "eps": float(config.get("layer_norm_eps", 1e-12))}
    except (KeyError, TypeError, ValueError) as exc:
        raise ConversionError(f"config.json lacks a usable {exc} value") from None
    if min(hp[k] for k in ("width", "layers", "heads", "ff", "positions", "vocab")) <= 0:
        raise ConversionError("config.json has a size that is not positive")
    if hp["width"] % hp["heads"]:
        raise ConversionError("hidden_size is not a multiple of num_attention_heads")
    return hp


def _pooling(path: Path) -> int:
    import gguf

    if not path.is_file():
        return gguf.PoolingType.MEAN
    modes = [mode for key, mode in POOLING_MODES.items() if _read_json(path).get(key)]
    if len(modes) != 1:
        raise ConversionError("1_Pooling/config.json must choose exactly one of mean or CLS pooling")
    return gguf.PoolingType[modes[0]]


def _vocab(tok: dict[str, Any], n_vocab: int) -> tuple[list[str], list[int], dict[str, int]]:
    """Tokens in id order, in llama.cpp's WPM form: a word start carries a leading U+2581 and a
    continuation piece loses its "##"; special tokens stay as they are."""
    import gguf

    model = tok.get("model") if isinstance(tok, dict) else None
    if not isinstance(model, dict) or model.get("type") != "WordPiece":
        raise ConversionError("tokenizer.json is not a WordPiece tokenizer")
    if model.get("continuing_subword_prefix", "##") != "##":
        raise ConversionError("tokenizer.json uses a continuation prefix other than '##'")
    normalizer = tok.get("normalizer") or {}
    if not normalizer.get("lowercase", False):
        raise ConversionError("the tokenizer is cased; llama.cpp's WordPiece always lowercases")
    vocab = model.get("vocab")
    if not isinstance(vocab, dict) or sorted(vocab.values()) != list(range(len(vocab))):
        raise ConversionError("tokenizer.json's vocabulary ids are not 0..n-1")
    if len(vocab) != n_vocab:
        raise ConversionError(f"tokenizer.json has {len(vocab)} tokens, config.json says {n_vocab}")
    by_id = sorted(vocab, key=vocab.__getitem__)
    specials = {a["content"]: a["id"] for a in tok.get("added_tokens", []) if a.get("special")}
    found = {role: specials.get(text, vocab.get(text)) for text, role in SPECIAL_NAMES.items()}
    missing = [text for text, role in SPECIAL_NAMES.items() if found[role] is None]
    if missing:
        raise ConversionError(f"tokenizer.json lacks the special tokens {', '.join(missing)}")
    special = {role: int(i) for role, i in found.items() if i is not None}
    control = set(specials.values()) | set(special.values())
    tokens = [text if i in control else text[2:] if text.startswith("##") and len(text) > 2
              else "\u2581" + text for i, text in enumerate(by_id)]
    types = [int(gguf.TokenType.CONTROL if i in control else gguf.TokenType.NORMAL)
             for i in range(len(by_id))]
    if len(set(tokens)) != len(tokens):
        raise ConversionError("the vocabulary has tokens that collide in llama.cpp's form")
    return tokens, types, special


def _plan(hp: dict[str, Any]) -> list[tuple[str, str, tuple[int, ...]]]:
    """(Hugging Face name, llama.cpp name, shape) of every weight, in the order written."""
    w, ff = hp["width"], hp["ff"]
    plan = [("embeddings.word_embeddings.weight", "token_embd.weight", (hp["vocab"], w)),
            ("embeddings.token_type_embeddings.weight", "token_types.weight", (hp["type_vocab"], w)),
            ("embeddings.position_embeddings.weight", "position_embd.weight", (hp["positions"], w)),
            ("embeddings.LayerNorm.weight", "token_embd_norm.weight", (w,)),
            ("embeddings.LayerNorm.bias", "token_embd_norm.bias", (w,))]
    block = {"attention.self.query": ("attn_q", (w, w)), "attention.self.key": ("attn_k", (w, w)),
             "attention.self.value": ("attn_v", (w, w)), "attention.output.dense": ("attn_output", (w, w)),
             "attention.output.LayerNorm": ("attn_output_norm", (w,)),
             "intermediate.dense": ("ffn_up", (ff, w)), "output.dense": ("ffn_down", (w, ff)),
             "output.LayerNorm": ("layer_output_norm", (w,))}
    for n in range(hp["layers"]):
        for hf, (short, shape) in block.items():
            plan.append((f"encoder.layer.{n}.{hf}.weight", f"blk.{n}.{short}.weight", shape))
            plan.append((f"encoder.layer.{n}.{hf}.bias", f"blk.{n}.{short}.bias", shape[:1]))
    return plan


def _tensors(path: Path, hp: dict[str, Any]) -> list[tuple[str, np.ndarray]]:
    """The llama.cpp name and F32 array (a view of a memory map) of every weight."""
    arrays = {k.removeprefix("bert."): v for k, v in _read_safetensors(path).items()}
    out = []
    for hf_name, gguf_name, shape in _plan(hp):
        array = arrays.pop(hf_name, None)
        if array is None:
            raise ConversionError(f"model.safetensors lacks the tensor {hf_name}")
        if array.shape != shape:
            raise ConversionError(f"{hf_name} has shape {list(array.shape)}, expected {list(shape)}")
        if array.dtype != np.float32:
            raise ConversionError(f"{hf_name} is {array.dtype}, only F32 weights are supported")
        out.append((gguf_name, array))
    extra = sorted(set(arrays) - UNUSED_TENSORS)
    if extra:
        raise ConversionError("model.safetensors has tensors this converter does not know: "
                              + ", ".join(extra[:5]))
    return out


def _read_safetensors(path: Path) -> dict[str, np.ndarray]:
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(8)
            (n,) = struct.unpack("<Q", head) if len(head) == 8 else (-1,)
            if not 2 <= n <= min(MAX_HEADER_BYTES, size - 8):
                raise ConversionError(f"{path.name} is not a safetensors file (bad header length)")
            header = json.loads(fh.read(n))
    except FileNotFoundError:
        raise ConversionError(f"{path.name} is missing from the model files") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConversionError(f"{path.name} has an unreadable header ({exc})") from None
    if not isinstance(header, dict):
        raise ConversionError(f"{path.name} has a malformed header")
    start, arrays = 8 + n, dict[str, np.ndarray]()
    data = np.memmap(path, dtype=np.uint8, mode="r", shape=(size,))
    for key, meta in header.items():
        if key == "__metadata__":
            continue
        try:
            dtype = DTYPES[meta["dtype"]]
            shape = tuple(int(d) for d in meta["shape"])
            begin, end = (int(x) for x in meta["data_offsets"])
        except (KeyError, TypeError, ValueError):
            raise ConversionError(f"{path.name}: tensor {key} has an unsupported or bad entry") from None
        count = int(np.prod(shape, dtype=np.int64))
        if begin < 0 or end != begin + count * dtype.itemsize or start + end > size:
            raise ConversionError(f"{path.name}: tensor {key} lies outside the file or has the "
                                  "wrong size; the file is corrupt or truncated")
        raw = data[start + begin:start + end]
        arrays[key] = raw.view(dtype).reshape(shape)
    return arrays
