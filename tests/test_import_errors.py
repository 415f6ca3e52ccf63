"""Files the importer cannot read: a precise error (file, line, column, what was expected), and
nothing stored."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from creator_assistant.data.importers import DataFileError
from creator_assistant.data.importing import import_path
from creator_assistant.storage.db import open_db
from tests.conftest import SAMPLES

DATA = Path(__file__).parent / "data"
EXPORT = DATA / "Content 2024-01-01_2024-12-31 Maker Bench"


@pytest.fixture
def db(tmp_path):
    return open_db(tmp_path / "creator.db")


def stored(db) -> tuple[int, int]:
    return (db.execute("select count(*) from data_imports").fetchone()[0],
            db.execute("select count(*) from data_rows").fetchone()[0])


def broken_copy(tmp_path: Path, line: int, old: str, new: str) -> Path:
    """The geography table with one cell changed on `line` (1-based)."""
    lines = (SAMPLES / "youtube-studio-geography-Table data.csv").read_text().splitlines()
    assert old in lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    path = tmp_path / "Table data.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def refuse(db, path, *parts: str, **kw) -> str:
    with pytest.raises(DataFileError) as exc:
        import_path(db, path, **kw)
    message = str(exc.value)
    for part in parts:
        assert part in message, message
    assert stored(db) == (0, 0)
    return message


def test_a_bad_number_names_the_line_column_and_what_was_expected(db, tmp_path):
    # Line 150 of 203: the rows before it parse fine, and none of them is stored.
    path = broken_copy(tmp_path, 150, ",", ",12,4O5,")
    refuse(db, path, "Table data.csv", "line 150")
    path = broken_copy(tmp_path, 150, "0:0", "soon:0")
    refuse(db, path, "line 150", "column 'Average view duration'",
           "expected a duration like 0:04:34", "'soon:0")


def test_a_row_with_too_few_fields_says_the_file_may_be_cut_short(db, tmp_path):
    text = (SAMPLES / "youtube-studio-geography-Totals.csv").read_text()
    path = tmp_path / "Totals.csv"
    path.write_text(text + "2021-12-31\n")
    refuse(db, path, "line 367", "expected 2 fields like the header, found 1", "cut short")


def test_localized_headers_are_not_a_file_it_can_read(db, tmp_path):
    refuse(db, DATA / "Tabellendaten.csv", "not a file I can read", "Inhalt,Videotitel",
           "switch Studio to English")
    studio = tmp_path / "Table data.csv"  # Studio's own file name, in German
    studio.write_bytes((DATA / "Tabellendaten.csv").read_bytes())
    refuse(db, studio, "not a file I can read", "YouTube Studio", "English")
    refuse(db, DATA / "Tabellendaten.csv", "not a file I can read", wanted="youtube-studio")


def test_invalid_utf8_names_the_line_and_how_to_convert(db, tmp_path):
    raw = (SAMPLES / "youtube-trending-US-videos.csv").read_bytes().split(b"\n")
    raw[41] = raw[41].replace(b"a", b"\xe9", 1)  # Latin-1 bytes in a UTF-8 file
    path = tmp_path / "videos.csv"
    path.write_bytes(b"\n".join(raw))
    refuse(db, path, "videos.csv", "line 42", "byte 0xe9", "not valid utf-8", "iconv")


def test_a_binary_file_and_an_empty_file(db, tmp_path):
    blob = tmp_path / "thumbnail.csv"
    blob.write_bytes(bytes(range(256)) * 8)
    refuse(db, blob, "not a text (CSV) file")
    empty = tmp_path / "empty.csv"
    empty.write_text("\n\n")
    refuse(db, empty, "not a file I can read")
    header = tmp_path / "Table data.csv"
    header.write_text("Geography,Views,Average view duration\nTotal,12,0:01:00\n")
    refuse(db, header, "no data rows under the header")


def test_containers_without_csv_files(db, tmp_path):
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "notes.md").write_text("hi")
    refuse(db, tmp_path / "folder", "holds no .csv files")
    xlsx = tmp_path / "report.xlsx"
    with zipfile.ZipFile(xlsx, "w") as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
    refuse(db, xlsx, "holds no .csv files", "export as CSV")
    refuse(db, tmp_path / "missing.csv", "no such file")


def test_a_bad_file_inside_a_folder_stores_nothing_from_the_good_ones(db, tmp_path):
    folder = tmp_path / "Content 2024-01-01_2024-12-31 Maker Bench"
    folder.mkdir()
    for f in EXPORT.iterdir():
        (folder / f.name).write_bytes(f.read_bytes())
    totals = (folder / "Totals.csv").read_text().splitlines()
    totals[200] = "2024-07-18,many,81.0,3"
    (folder / "Totals.csv").write_text("\n".join(totals) + "\n")
    refuse(db, folder, "Totals.csv", "line 201", "column 'Views'", "expected a number")


def test_wrong_options_are_named(db, tmp_path):
    refuse(db, SAMPLES / "google-trends-geoMap.csv", "unknown format 'excel'", wanted="excel")
    path = tmp_path / "posts.csv"
    path.write_text("Post,Plays\nhello,3\n")
    refuse(db, path, "no column 'Name'", "the columns are Post, Plays", wanted="generic",
           options={"map": "title=Name"})
    refuse(db, path, "unknown field 'headline'", wanted="generic",
           options={"map": "headline=Post"})


def test_the_command_exits_1_with_the_error_and_stores_nothing(home, tmp_path):
    path = broken_copy(tmp_path, 13, "PL,", "PL,lots")
    proc = subprocess.run([sys.executable, "-m", "creator_assistant", "import", str(path)],
                          capture_output=True, text=True,
                          env={**os.environ, "CREATOR_HOME": str(home)})
    assert proc.returncode == 1
    assert "line 13, column 'Views': expected a number, found 'lots285693'" in proc.stderr
    assert "nothing was imported" in proc.stderr
    db = open_db(home / "data" / "creator.db")
    assert stored(db) == (0, 0)
