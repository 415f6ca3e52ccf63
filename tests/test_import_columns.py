"""Importers that know their columns: a Studio table without a column naming its rows is refused,
a Total row is recognised by its values, and `;` (with decimal commas) and tab files are read.
Every file here is a real export changed by the test."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest

from creator_assistant.data import analytics
from creator_assistant.data.importers import DataFileError
from creator_assistant.data.importing import import_path
from creator_assistant.data.store import DataStore
from creator_assistant.storage.db import open_db
from tests.conftest import SAMPLES

EXPORT = Path(__file__).parent / "data" / "Content 2024-01-01_2024-12-31 Maker Bench"
GEOGRAPHY = SAMPLES / "youtube-studio-geography-Table data.csv"


@pytest.fixture
def db(tmp_path):
    return open_db(tmp_path / "creator.db")


def rows_of(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:  # keep a cell's own \r as it is
        return list(csv.reader(f))


def write(path: Path, rows: list[list[str]], delimiter: str = ",") -> Path:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(out.getvalue().encode())
    return path


def without(rows: list[list[str]], *names: str) -> list[list[str]]:
    drop = {rows[0].index(n) for n in names}
    return [[c for i, c in enumerate(r) if i not in drop] for r in rows]


def stored_rows(db, result) -> list[dict]:
    return DataStore(db).rows(result.id, next(iter(result.parts)))


def test_a_content_table_without_its_content_column_keeps_the_total_row_aside(db, tmp_path):
    path = write(tmp_path / "Table data.csv", without(rows_of(EXPORT / "Table data.csv"),
                                                      "Content"))
    result = import_path(db, path)
    rows = stored_rows(db, result)
    assert result.parts == {"table": 50}  # 50 videos; the Total row (blank title) is not one
    assert all(r["key"] and r["title"] for r in rows)
    assert result.meta["total"]["views"] == 700778 == sum(r["views"] for r in rows)
    assert result.meta["dimension"] == "Content"
    report = analytics.report(db)
    assert report["pieces"] == 50
    assert "Total" not in {p["title"] for p in report["top_by_views"]}


def test_a_studio_table_with_no_column_naming_its_rows_is_refused(db, tmp_path):
    path = write(tmp_path / "Table data.csv", without(rows_of(EXPORT / "Table data.csv"),
                                                      "Content", "Video title"))
    with pytest.raises(DataFileError) as exc:
        import_path(db, path)
    message = str(exc.value)
    assert "Expected `Content` (video ids), `Video title`" in message, message
    assert "found Video publish time, Duration, Views" in message
    assert db.execute("select count(*) from data_rows").fetchone()[0] == 0
    path = write(tmp_path / "geo" / "Table data.csv", without(rows_of(GEOGRAPHY), "Geography"))
    with pytest.raises(DataFileError, match="found Views, Average view duration"):
        import_path(db, path)


def test_a_total_row_without_its_label_is_recognised_by_its_values(db, tmp_path):
    rows = rows_of(GEOGRAPHY)
    assert rows[1][0] == "Total"
    rows[1][0] = ""  # the sample's Total covers every country; the table lists the top 201
    result = import_path(db, write(tmp_path / "Table data.csv", rows))
    assert result.parts == {"table": 201}
    assert result.meta["total"]["views"] == 15503810
    assert all(r["key"] for r in stored_rows(db, result))


def test_a_total_row_at_the_end_is_kept_aside(db, tmp_path):
    rows = rows_of(GEOGRAPHY)
    rows.append(rows.pop(1))
    result = import_path(db, write(tmp_path / "Table data.csv", rows))
    assert result.parts == {"table": 201} and result.meta["total"]["views"] == 15503810


def test_a_generic_csv_with_a_total_line_does_not_count_it(db, tmp_path):
    rows = rows_of(SAMPLES / "youtube-trending-US-videos.csv")
    views = rows[0].index("view_count")
    total = [""] * len(rows[0])
    total[rows[0].index("title")] = "Total"
    total[views] = str(sum(int(r[views]) for r in rows[1:]))
    result = import_path(db, write(tmp_path / "posts.csv", rows + [total]), wanted="generic")
    assert result.parts == {"content": 200}
    assert result.meta["total"]["views"] == int(total[views])


def semicolon_copy(src: Path, dst: Path) -> Path:
    """`src` as a European spreadsheet saves it: `;` between cells, decimal commas."""
    rows = rows_of(src)
    for row in rows[1:]:
        row[:] = [c.replace(".", ",") if c.replace(".", "", 1).isdigit() else c for c in row]
    return write(dst, rows, ";")


@pytest.mark.parametrize("name", ["youtube-studio-geography-Table data.csv",
                                  "youtube-trending-US-videos.csv",
                                  "google-trends-multiTimeline.csv",
                                  "youtube-studio-geography-Totals.csv"])
def test_a_semicolon_export_reads_like_the_comma_one(db, tmp_path, name):
    original = import_path(db, SAMPLES / name)
    path = semicolon_copy(SAMPLES / name, tmp_path / name)
    assert ";" in path.read_text().splitlines()[-1]
    result = import_path(db, path)
    assert (result.format, result.parts) == (original.format, original.parts)
    assert stored_rows(db, result) == stored_rows(db, original)


def test_a_tab_separated_studio_export_reads_like_the_comma_one(db, tmp_path):
    folder = tmp_path / EXPORT.name
    for f in EXPORT.glob("*.csv"):
        write(folder / f.name, rows_of(f), "\t")
    original, result = import_path(db, EXPORT), import_path(db, folder)
    assert result.format == "youtube-studio" and result.parts == original.parts
    store = DataStore(db)
    for part in original.parts:
        assert store.rows(result.id, part) == store.rows(original.id, part)


def test_an_unknown_plain_csv_gets_no_hint_about_languages(db, tmp_path):
    path = tmp_path / "plan.csv"
    shutil.copy(SAMPLES / "google-trends-geoMap.csv", path)
    rows = rows_of(path)[2:]
    rows[0] = ["Place", "a", "b", "c"]
    with pytest.raises(DataFileError) as exc:
        import_path(db, write(path, rows, ";"))
    assert "not a file I can read" in str(exc.value)
    assert "English" not in str(exc.value)
