"""Property-based fuzzing of every importer: mutated real exports, random bytes, random columns,
zips and folders of them. Whatever the input, an import succeeds or raises DataFileError (one
clear line); never another exception."""

from __future__ import annotations

import codecs
import csv
import io
import os
import tempfile
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from creator_assistant.data.importers import DataFileError, generic_csv, youtube_studio
from creator_assistant.data.importers.limits import Limits
from creator_assistant.data.importing import builtin_importers, import_path
from creator_assistant.storage.db import open_db
from tests.conftest import SAMPLES

DATA = Path(__file__).parent / "data"
EXPORT = DATA / "Content 2024-01-01_2024-12-31 Maker Bench"
# Small caps, so that the caps themselves are reached now and then.
CAPS = Limits(max_decompressed_mb=0.5, max_rows=300, max_cell_chars=3000)
FORMATS = (None, *builtin_importers())
# CI runs a fixed, small set; FUZZ_N=2000 runs a longer random hunt by hand.
FUZZ = settings(max_examples=int(os.environ.get("FUZZ_N", 50)), deadline=None,
                derandomize="FUZZ_N" not in os.environ,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _head(path: Path, lines: int = 25) -> bytes:
    """The first lines of a real export (whole rows: a quoted cell may span lines)."""
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))
    out = io.StringIO()
    csv.writer(out).writerows(rows[:lines])
    return out.getvalue().encode()


SEEDS = {p.name: _head(p) for p in [*sorted(SAMPLES.glob("*.csv")), *sorted(EXPORT.glob("*.csv")),
                                    DATA / "relatedQueries.csv", DATA / "Tabellendaten.csv"]}
NAMES = ("Table data.csv", "Chart data.csv", "Totals.csv", "multiTimeline.csv", "geoMap.csv",
         "relatedQueries.csv", "posts.csv", "videos.tsv", "notes.txt")
HEADERS = sorted({*youtube_studio.SPEC, *(n for _, names in generic_csv.FIELDS.values()
                                          for n in names),
                  "week", "month", "day", "country", "region", "diet: (Worldwide)",
                  "gym: (1/1/04 - 12/15/17)", "geography", "traffic source", "trending_date"})
CELLS = st.one_of(
    st.sampled_from(["", "Total", "total", "<1", "74%", "1.2K", "3M", "-", "N/A", "0:04:34",
                     "99:99:99", "PT4M13S", "P", "Sep 27, 2024", "2024-02-30", "2024-01",
                     "2024-13", "1e309", "-1e309", "nan", "inf", "1,234", "1.234,5", "+300%",
                     "Breakout", "TOP", "RISING", "Category: All", "\ufeff", " -aJlN7J8lSF",
                     "18.32.99", "10", "0", "-5", "12345678901234567890"]),
    st.text(max_size=12))


def attempt(path: Path) -> None:
    """Import `path` with detection and as every format, into a real (in-memory) database."""
    db = open_db(":memory:")
    try:
        for wanted in FORMATS:
            try:
                import_path(db, path, wanted=wanted, caps=CAPS)  # an ImportResult: passed
            except DataFileError as exc:
                message = str(exc)
                assert message.strip() and "\n" not in message and len(message) < 1500, message
    finally:
        db.close()


def mutate(data: bytes, edits: list[tuple[int, int, float, bytes]]) -> bytes:
    """Apply edits (kind, span, where in the file, bytes): cut, insert, duplicate, overwrite."""
    out = bytearray(data)
    for kind, span, where, payload in edits:
        at = int(where * len(out))
        if kind == 0:
            del out[at:at + span]
        elif kind == 1:
            out[at:at] = payload
        elif kind == 2:
            out[at:at] = out[at:at + span] * 3
        elif kind == 3:
            out[at:at + len(payload)] = payload
        elif kind == 4:
            out = out.replace(b",", payload[:1] or b";")
        else:
            out = bytearray(out[:at])
    return bytes(out)


EDITS = st.lists(st.tuples(st.integers(0, 5), st.integers(0, 400), st.floats(0, 1),
                           st.sampled_from([b"", b'"', b"\n", b"\r", b"\0", b",", b";", b"\t",
                                            b"\xff\xfe", b"\xef\xbb\xbf", b'""', b"Total,",
                                            b"\xe9", b"\n\n\n", b"," * 40]) | st.binary(max_size=8)),
                 max_size=4)


def encode(data: bytes, how: str) -> bytes:
    if how == "utf-8":
        return data
    text = data.decode("utf-8", "replace")
    return codecs.BOM_UTF16_LE + text.encode("utf-16-le") if how == "utf-16" else \
        text.encode("utf-16-le")


def write_file(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


@FUZZ
@given(st.sampled_from(sorted(SEEDS)), EDITS, st.sampled_from(["utf-8", "utf-16", "utf-16-le"]),
       st.sampled_from(NAMES))
def test_mutated_real_exports(seed, edits, how, name):
    with tempfile.TemporaryDirectory() as tmp:
        attempt(write_file(Path(tmp), name, encode(mutate(SEEDS[seed], edits), how)))


@FUZZ
@given(st.binary(max_size=3000), st.sampled_from(NAMES))
def test_random_bytes(data, name):
    with tempfile.TemporaryDirectory() as tmp:
        attempt(write_file(Path(tmp), name, data))


def table(header: list[str], rows: list[list[str]], delimiter: str, preamble: list[str]) -> bytes:
    out = io.StringIO()
    for line in preamble:
        out.write(line + "\n")
    csv.writer(out, delimiter=delimiter).writerows([header, *rows])
    return out.getvalue().encode("utf-8", "surrogatepass")


def _columns(header: list[str]) -> st.SearchStrategy[bytes]:
    width = len(header)
    row = st.lists(CELLS, min_size=width, max_size=width) | st.lists(CELLS, max_size=width + 2)
    return st.builds(table, st.just(header), st.lists(row, max_size=12),
                     st.sampled_from([",", ";", "\t"]),
                     st.lists(st.sampled_from(["Category: All categories", "", "TOP", "RISING"]),
                              max_size=3))


REAL_HEADERS = sorted({tuple(next(r for r in csv.reader(io.StringIO(d.decode("utf-8-sig")))
                              if len(r) > 1)) for d in SEEDS.values()})
# A real export's columns (some of them, in any order) with others mixed in; rows mostly as
# wide as the header.
HEADER = st.one_of(
    st.sampled_from(REAL_HEADERS).flatmap(
        lambda h: st.lists(st.sampled_from(h), min_size=1, max_size=len(h), unique=True)),
    st.lists(st.sampled_from(HEADERS) | st.text(max_size=10), min_size=1, max_size=8))
COLUMNS = st.tuples(HEADER, st.lists(st.sampled_from(HEADERS), max_size=2)).map(
    lambda hs: hs[0] + hs[1]).flatmap(_columns)


@FUZZ
@given(COLUMNS, st.sampled_from(NAMES))
def test_random_columns(data, name):
    with tempfile.TemporaryDirectory() as tmp:
        attempt(write_file(Path(tmp), name, data))


MEMBERS = st.lists(st.tuples(st.sampled_from([*NAMES, "sub/Table data.csv", "__MACOSX/x.csv",
                                              "readme.md"]),
                             COLUMNS | st.builds(lambda seed, edits: mutate(SEEDS[seed], edits),
                                                 st.sampled_from(sorted(SEEDS)), EDITS)),
                   min_size=1, max_size=4, unique_by=lambda m: m[0])


@FUZZ
@given(MEMBERS, st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]), EDITS)
def test_zips_and_folders(members, method, damage):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", method) as zf:
            for name, data in members:
                zf.writestr(name, data)
        attempt(write_file(root, "Report 2024-01-01_2024-12-31 Chan.zip", buf.getvalue()))
        attempt(write_file(root, "damaged.zip", mutate(buf.getvalue(), damage)))
        folder = root / "Report 2024-01-01_2024-12-31 Chan"
        for name, data in members:
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(data)
        attempt(folder)


def test_what_the_fuzzing_found_is_a_clear_error(tmp_path):
    """Cells that once raised OverflowError or ValueError: `1e309`, `nan`, a 5,000-digit hour."""
    db = open_db(tmp_path / "creator.db")
    videos = (SAMPLES / "youtube-trending-US-videos.csv").read_bytes()
    table = (EXPORT / "Table data.csv").read_bytes()
    cases = [(videos.replace(b'"673533"', cell, 1), "videos.csv", "line 2, column 'view_count'")
             for cell in (b"1e309", b"nan", b"-inf")]
    cases.append((table.replace(b",0:05:06,", b"," + b"9" * 5000 + b":00:00,", 1),
                  "Table data.csv", "line 2, column 'Average view duration'"))
    for data, name, where in cases:
        try:
            import_path(db, write_file(tmp_path, name, data))
        except DataFileError as exc:
            assert where in str(exc) and len(str(exc)) < 400, str(exc)
        else:
            raise AssertionError(f"{name} was imported")
