"""An independent BERT sentence embedder in numpy, for checking the GGUF conversion.

Reads the weights straight from model.safetensors (its own small reader, not the converter's),
tokenizes with its own WordPiece over tokenizer.json (lowercase ASCII text), runs the encoder in
float64 with the exact erf GELU, mean-pools over the tokens and L2-normalises.
"""

from __future__ import annotations

import json
import math
import string
import struct
from pathlib import Path

import numpy as np

_erf = np.frompyfunc(math.erf, 1, 1)


def load_weights(path: Path) -> dict[str, np.ndarray]:
    raw = Path(path).read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    kinds = {"F32": "<f4", "I64": "<i8"}
    out = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        begin, end = meta["data_offsets"]
        out[name] = np.frombuffer(raw[8 + n + begin:8 + n + end],
                                  dtype=kinds[meta["dtype"]]).reshape(meta["shape"])
    return out


class WordPiece:
    """HF BertTokenizer's behaviour for lowercase ASCII: split on spaces and punctuation, then
    greedy longest-match-first word pieces with "##" continuations."""

    def __init__(self, tokenizer_json: Path):
        data = json.loads(Path(tokenizer_json).read_text(encoding="utf-8"))
        self.vocab: dict[str, int] = data["model"]["vocab"]

    def words(self, text: str) -> list[str]:
        out: list[str] = []
        for chunk in text.lower().split():
            word = ""
            for ch in chunk:
                if ch in string.punctuation:
                    out += [word, ch] if word else [ch]
                    word = ""
                else:
                    word += ch
            if word:
                out.append(word)
        return out

    def pieces(self, word: str) -> list[int]:
        ids, start = [], 0
        while start < len(word):
            for end in range(len(word), start, -1):
                piece = ("##" if start else "") + word[start:end]
                if piece in self.vocab:
                    ids.append(self.vocab[piece])
                    start = end
                    break
            else:
                return [self.vocab["[UNK]"]]
        return ids

    def encode(self, text: str) -> list[int]:
        ids = [self.vocab["[CLS]"]]
        for word in self.words(text):
            ids += self.pieces(word)
        return ids + [self.vocab["[SEP]"]]


def _layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w + b


class Bert:
    def __init__(self, folder: Path):
        folder = Path(folder)
        self.cfg = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        self.w = {k: v.astype(np.float64) for k, v in
                  load_weights(folder / "model.safetensors").items() if v.dtype == np.float32}
        self.tokenizer = WordPiece(folder / "tokenizer.json")

    def _dense(self, x: np.ndarray, name: str) -> np.ndarray:
        return x @ self.w[f"{name}.weight"].T + self.w[f"{name}.bias"]

    def _norm(self, x: np.ndarray, name: str) -> np.ndarray:
        return _layer_norm(x, self.w[f"{name}.weight"], self.w[f"{name}.bias"],
                           self.cfg["layer_norm_eps"])

    def hidden(self, ids: list[int]) -> np.ndarray:
        w, n = self.w, len(ids)
        heads = self.cfg["num_attention_heads"]
        x = (w["embeddings.word_embeddings.weight"][ids]
             + w["embeddings.position_embeddings.weight"][:n]
             + w["embeddings.token_type_embeddings.weight"][0])
        x = self._norm(x, "embeddings.LayerNorm")
        d = x.shape[1] // heads
        for i in range(self.cfg["num_hidden_layers"]):
            p = f"encoder.layer.{i}."
            q, k, v = (self._dense(x, p + f"attention.self.{m}").reshape(n, heads, d)
                       .transpose(1, 0, 2) for m in ("query", "key", "value"))
            scores = q @ k.transpose(0, 2, 1) / math.sqrt(d)
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            attn = scores / scores.sum(-1, keepdims=True)
            ctx = (attn @ v).transpose(1, 0, 2).reshape(n, heads * d)
            x = self._norm(x + self._dense(ctx, p + "attention.output.dense"),
                           p + "attention.output.LayerNorm")
            h = self._dense(x, p + "intermediate.dense")
            h = 0.5 * h * (1.0 + _erf(h / math.sqrt(2.0)).astype(np.float64))
            x = self._norm(x + self._dense(h, p + "output.dense"), p + "output.LayerNorm")
        return x

    def embed(self, text: str) -> np.ndarray:
        """Mean over the attention mask (every token of one unpadded sentence), L2-normalised."""
        pooled = self.hidden(self.tokenizer.encode(text)).mean(axis=0)
        return pooled / np.linalg.norm(pooled)
