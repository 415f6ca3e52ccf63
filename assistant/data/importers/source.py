"""Turn what the user pointed at (a CSV file, a folder, a zip) into decoded text, or say why not."""

from __future__ import annotations

import codecs
import hashlib
import zipfile
import zlib
from collections.abc import Sequence
from pathlib import Path

from creator_assistant.data.importers import limits
from creator_assistant.data.importers.base import DataFileError, Source, TextFile, shown

TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
CHUNK = 1 << 20


def load_source(path: str | Path) -> Source:
    """Read a file, or every CSV file in a folder or zip, decoding each one's text."""
    p = Path(path).expanduser()
    if not p.exists():
        raise DataFileError(f"no such file or folder: {p}")
    if p.is_dir():
        members = sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in
                         TEXT_SUFFIXES and not f.name.startswith("."))
        if not members:
            raise DataFileError(f"the folder {p} holds no .csv files; point at an export folder "
                                "(holding `Table data.csv`) or at one CSV file")
        _check_size(sum(f.stat().st_size for f in members), str(p))
        budget = _Budget(str(p))
        raw = []
        for f in members:
            with f.open("rb") as fh:
                raw.append((f.relative_to(p).as_posix(), budget.read(fh)))
        return _source(str(p), raw, "folder")
    if not p.is_file():  # a device or a pipe never ends: reading it would fill the memory
        raise DataFileError(f"{p} is not a regular file; point at a CSV file, an export folder "
                            "or a zip")
    if zipfile.is_zipfile(p):
        return _load_zip(p)
    _check_size(p.stat().st_size, str(p))
    with p.open("rb") as fh:  # the size can change under us: count what is read
        data = _Budget(str(p)).read(fh)
    return _source(str(p), [(p.name, data)], "file")


def _load_zip(p: Path) -> Source:
    try:
        with zipfile.ZipFile(p) as zf:
            infos = [i for i in zf.infolist() if not i.is_dir() and
                     i.filename.lower().endswith(TEXT_SUFFIXES) and "__MACOSX" not in i.filename]
            if not infos:
                raise DataFileError(
                    f"the zip {p.name} holds no .csv files (an Excel .xlsx file is a zip too: "
                    "export as CSV instead)")
            # The declared sizes refuse an honest big zip early; a lying one is caught by
            # counting what decompression actually yields.
            _check_size(sum(i.file_size for i in infos), str(p))
            budget = _Budget(str(p))
            raw = []
            for info in sorted(infos, key=lambda i: i.filename):
                with zf.open(info) as fh:
                    raw.append((info.filename, budget.read(fh)))
    except RuntimeError:  # zipfile says so of a member that needs a password
        raise DataFileError(f"{p.name} is an encrypted zip; unzip it and import the folder, "
                            "or export again without a password") from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError,
            zlib.error) as exc:
        raise DataFileError(
            f"{p.name} is a damaged zip ({shown(str(exc))}); download the export again") from None
    return _source(str(p), raw, "zip")


def _check_size(size: int, where: str) -> None:
    if size > limits.current().max_bytes:
        raise limits.too_big(where, size)


class _Budget:
    """Reads files in chunks, counting every byte against the cap for the whole import."""

    def __init__(self, where: str) -> None:
        self.where, self.left = where, limits.current().max_bytes

    def read(self, fh) -> bytearray:
        data = bytearray()  # grows in place: no second copy of the whole file
        while chunk := fh.read(min(CHUNK, self.left + 1)):
            self.left -= len(chunk)
            if self.left < 0:
                raise limits.too_big(self.where)
            data += chunk
        return data


def _source(path: str, raw: Sequence[tuple[str, bytes | bytearray]], container: str) -> Source:
    files = [decode(name, data) for name, data in raw]
    if len(raw) == 1:
        digest = hashlib.sha256(raw[0][1]).hexdigest()
    else:  # the same export as a folder or as a zip is the same data
        h = hashlib.sha256()
        for name, data in sorted(raw, key=lambda r: Path(r[0]).name):
            h.update(Path(name).name.encode() + b"\0" + hashlib.sha256(data).digest())
        digest = h.hexdigest()
    return Source(path, files, digest, container)


def decode(name: str, data: bytes | bytearray) -> TextFile:
    """Decode UTF-8 (with or without BOM) or UTF-16; say where a file stops being text."""
    if data.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif len(data) >= 4 and data[1:40:2].count(0) > 15:
        encoding = "utf-16-le"  # UTF-16 without a BOM: every other byte of ASCII text is zero
    elif len(data) >= 4 and data[0:40:2].count(0) > 15:
        encoding = "utf-16-be"
    else:
        encoding = "utf-8"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        if b"\0" in data[:4096] and encoding == "utf-8":
            raise DataFileError("this is not a text (CSV) file; export the data as CSV",
                                file=name) from None
        raise DataFileError(
            f"byte 0x{data[exc.start]:02x} at character {column} is not valid {encoding}. "
            "Export the file again as CSV (UTF-8), or convert it, for example with "
            "`iconv -f WINDOWS-1252 -t UTF-8 IN.csv > OUT.csv`", file=name, line=line) from None
    if "\0" in text:
        line = text[: text.index("\0")].count("\n") + 1
        raise DataFileError("a NUL character: this is not a text (CSV) file", file=name, line=line)
    return TextFile(name, text, encoding)
