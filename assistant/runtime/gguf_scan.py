"""A bounded walk over a GGUF header: every length and count must fit in the file.

The `gguf` reader (and llama.cpp) trust the header's counts; one damaged byte can ask for a list
of 2**60 items. This walk reads the key-value section and the tensor table with each size checked
against the bytes left, so its work and memory are bounded by the file's size.
"""

from __future__ import annotations

import struct
from typing import BinaryIO

SCALAR_SIZES = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}
STRING, ARRAY = 8, 9
VERSIONS = (2, 3)
MAX_DIMS = 8


class _Bad(Exception):
    pass


class _Reader:
    def __init__(self, fh: BinaryIO, size: int) -> None:
        self.fh, self.size = fh, size

    def need(self, n: int, what: str) -> None:
        if n < 0 or self.fh.tell() + n > self.size:
            raise _Bad(f"{what} runs past the end of the file")

    def uint(self, fmt: str, what: str) -> int:
        width = struct.calcsize(fmt)
        self.need(width, what)
        return int(struct.unpack(fmt, self.fh.read(width))[0])

    def skip(self, n: int, what: str) -> None:
        self.need(n, what)
        self.fh.seek(n, 1)

    def string(self, what: str) -> None:
        self.skip(self.uint("<Q", what), what)

    def value(self, kind: int, what: str, depth: int = 0) -> None:
        if kind in SCALAR_SIZES:
            self.skip(SCALAR_SIZES[kind], what)
        elif kind == STRING:
            self.string(what)
        elif kind == ARRAY and depth < 2:
            item, count = self.uint("<I", what), self.uint("<Q", what)
            if item in SCALAR_SIZES:
                self.skip(count * SCALAR_SIZES[item], what)
                return
            self.need(count * (8 if item == STRING else 12), what)  # the least each item takes
            for _ in range(count):
                self.value(item, what, depth + 1)
        else:
            raise _Bad(f"{what} has an unknown value type {kind}")


def scan_header(fh: BinaryIO, size: int) -> str:
    """"" when the header (after the magic, at fh's position) is sound, else what is wrong."""
    read = _Reader(fh, size)
    try:
        version = read.uint("<I", "the version")
        if version not in VERSIONS:
            return f"GGUF version {version}; this build reads versions 2 and 3"
        n_tensors, n_kv = read.uint("<Q", "the tensor count"), read.uint("<Q", "the key count")
        read.need(n_kv * 12, "the metadata")
        for i in range(n_kv):
            read.string(f"metadata key {i}")
            read.value(read.uint("<I", f"metadata key {i}"), f"metadata key {i}")
        read.need(n_tensors * 24, "the tensor table")
        for i in range(n_tensors):
            read.string(f"tensor {i}'s name")
            dims = read.uint("<I", f"tensor {i}")
            if dims > MAX_DIMS:
                return f"tensor {i} has {dims} dimensions"
            read.skip(dims * 8 + 12, f"tensor {i}")
    except _Bad as exc:
        return str(exc)
    return ""
