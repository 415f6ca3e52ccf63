"""Turn what the user pointed at (a CSV file, a folder, a zip) into decoded text, or say why not."""

from __future__ import annotations

import codecs
import hashlib
import zipfile
from pathlib import Path

from creator_assistant.data.importers.base import DataFileError, Source, TextFile

MAX_BYTES = 256 * 1024 * 1024  # one export is a few MB; more is a mistake or a zip bomb
TEXT_SUFFIXES = (".csv", ".tsv", ".txt")


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
        total = sum(f.stat().st_size for f in members)
        _check_size(total, str(p))
        raw = [(f.relative_to(p).as_posix(), f.read_bytes()) for f in members]
        return _source(str(p), raw, "folder")
    if zipfile.is_zipfile(p):
        return _load_zip(p)
    _check_size(p.stat().st_size, str(p))
    return _source(str(p), [(p.name, p.read_bytes())], "file")


def _load_zip(p: Path) -> Source:
    try:
        with zipfile.ZipFile(p) as zf:
            infos = [i for i in zf.infolist() if not i.is_dir() and
                     i.filename.lower().endswith(TEXT_SUFFIXES) and "__MACOSX" not in i.filename]
            if not infos:
                raise DataFileError(
                    f"the zip {p.name} holds no .csv files (an Excel .xlsx file is a zip too: "
                    "export as CSV instead)")
            _check_size(sum(i.file_size for i in infos), str(p))
            raw = [(i.filename, zf.read(i)) for i in sorted(infos, key=lambda i: i.filename)]
    except zipfile.BadZipFile as exc:
        raise DataFileError(
            f"{p.name} is a damaged zip ({exc}); download the export again") from None
    return _source(str(p), raw, "zip")


def _check_size(size: int, where: str) -> None:
    if size > MAX_BYTES:
        raise DataFileError(f"{where} is {size / 2**20:.0f} MB; the limit is "
                            f"{MAX_BYTES // 2**20} MB. Export a shorter date range.")


def _source(path: str, raw: list[tuple[str, bytes]], container: str) -> Source:
    files = [decode(name, data) for name, data in raw]
    if len(raw) == 1:
        digest = hashlib.sha256(raw[0][1]).hexdigest()
    else:  # the same export as a folder or as a zip is the same data
        h = hashlib.sha256()
        for name, data in sorted(raw, key=lambda r: Path(r[0]).name):
            h.update(Path(name).name.encode() + b"\0" + hashlib.sha256(data).digest())
        digest = h.hexdigest()
    return Source(path, files, digest, container)


def decode(name: str, data: bytes) -> TextFile:
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
