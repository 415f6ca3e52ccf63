"""`creator import`: every shared sample as it is, folders and zips, idempotence, provenance."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from creator_assistant.data.importing import import_path
from creator_assistant.data.store import DataStore
from creator_assistant.storage.db import open_db
from tests.conftest import SAMPLES

DATA = Path(__file__).parent / "data"
EXPORT = DATA / "Content 2024-01-01_2024-12-31 Maker Bench"

# What each shared sample is, and how many data rows it holds (no header, no preamble, no Total).
EXPECTED = {
    "google-trends-geoMap.csv": ("google-trends", {"geo": 70}),
    "google-trends-multiTimeline.csv": ("google-trends", {"timeline": 168}),
    "youtube-studio-geography-Table data.csv": ("youtube-studio", {"table": 201}),
    "youtube-studio-geography-Totals.csv": ("youtube-studio", {"totals": 365}),
    "youtube-trending-US-videos.csv": ("video-list", {"videos": 200}),
}


@pytest.fixture
def db(tmp_path):
    return open_db(tmp_path / "creator.db")


def counts(db) -> tuple[int, int]:
    return (db.execute("select count(*) from data_imports").fetchone()[0],
            db.execute("select count(*) from data_rows").fetchone()[0])


def test_every_shared_sample_is_expected():
    assert sorted(p.name for p in SAMPLES.glob("*.csv")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_shared_sample_imports_as_it_is(db, name):
    fmt, parts = EXPECTED[name]
    path = SAMPLES / name
    result = import_path(db, path)
    assert (result.format, result.parts, result.rows) == (fmt, parts, sum(parts.values()))
    assert result.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert result.source == str(path.resolve())
    assert counts(db) == (1, result.rows)


def test_the_total_row_is_kept_aside_and_not_counted(db):
    result = import_path(db, SAMPLES / "youtube-studio-geography-Table data.csv")
    assert result.meta["dimension"] == "Geography"
    assert result.meta["total"] == {"views": 15503810, "avg_view_s": 4 * 60 + 34,
                                    "watch_hours": 1183689.3666}
    rows = DataStore(db).rows(result.id, "table")
    assert rows[0] == {"key": "US", "views": 2638475, "avg_view_s": 342,
                       "watch_hours": 250689.3897}
    assert all(r["key"] != "Total" for r in rows)


def test_reimporting_the_same_file_stores_nothing_new(db):
    first = import_path(db, SAMPLES / "google-trends-multiTimeline.csv")
    again = import_path(db, SAMPLES / "google-trends-multiTimeline.csv")
    assert again.already_imported and again.id == first.id and again.rows == 168
    assert counts(db) == (1, 168)


def test_a_changed_file_at_the_same_path_replaces_its_earlier_import(db, tmp_path):
    path = tmp_path / "multiTimeline.csv"
    lines = (SAMPLES / "google-trends-multiTimeline.csv").read_text().splitlines()
    path.write_text("\n".join(lines[:-12]) + "\n")
    old = import_path(db, path)
    path.write_text("\n".join(lines) + "\n")
    new = import_path(db, path)
    assert (old.rows, new.rows, new.replaced) == (156, 168, old.id)
    assert counts(db) == (1, 168)


def test_a_studio_export_folder_reads_every_quirk(db):
    result = import_path(db, EXPORT)
    assert result.parts == {"chart": 272, "table": 50, "totals": 366}
    assert result.meta["channel"] == "Maker Bench" and result.meta["start"] == "2024-01-01"
    assert result.meta["files"][0] == ["Chart data.csv", "utf-8"]
    assert ["Table data.csv", "utf-8-sig"] in result.meta["files"]  # the BOM is not in a header
    rows = {r["title"]: r for r in DataStore(db).rows(result.id, "table")}
    with open(EXPORT / "Table data.csv", encoding="utf-8-sig", newline="") as f:
        raw = {r["Video title"]: r for r in csv.DictReader(f)}
    spaced = [t for t, r in raw.items() if r["Content"].startswith(" -")]
    assert spaced and all(rows[t]["key"] == raw[t]["Content"].strip() for t in spaced)
    assert rows["Why I Stopped Using Pocket Holes"]["published"] == "2024-01-31"  # "Jan 31, 2024"
    assert rows["Router Table Build"]["published"] == "2024-03-20"  # ISO in the file
    assert rows["Shop Vlog #13: winter"]["published"] is None  # blank: unlisted
    desk = next(r for t, r in rows.items() if t.startswith("I Built a Desk"))
    assert desk["title"] == 'I Built a Desk From ONE Sheet of Plywood ("impossible" they said)'
    h, m, s = map(int, raw[desk["title"]]["Average view duration"].split(":"))
    assert desk["avg_view_s"] == h * 3600 + m * 60 + s
    assert desk["impressions"] == int(raw[desk["title"]]["Thumbnail impressions"])
    assert desk["ctr"] == float(raw[desk["title"]]["Thumbnail click-through rate (%)"])
    assert min(r["subscribers"] for r in rows.values()) < 0  # net can be negative


def test_the_same_export_as_a_zip_is_the_same_import(db, tmp_path):
    archive = tmp_path / f"{EXPORT.name}.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for f in EXPORT.iterdir():
            zf.write(f, f"{EXPORT.name}/{f.name}")
    zipped = import_path(db, archive)
    assert zipped.parts == {"chart": 272, "table": 50, "totals": 366}
    assert zipped.meta["channel"] == "Maker Bench"
    assert import_path(db, EXPORT).already_imported
    assert counts(db) == (1, 688)


def test_a_utf16_export_reads_like_the_utf8_one(db, tmp_path):
    text = (SAMPLES / "youtube-studio-geography-Table data.csv").read_text()
    path = tmp_path / "Table data.csv"
    path.write_bytes(text.encode("utf-16"))
    result = import_path(db, path)
    assert result.rows == 201 and result.meta["files"] == [["Table data.csv", "utf-16"]]


def test_a_generic_csv_with_a_column_map(db, tmp_path):
    path = tmp_path / "posts.csv"
    path.write_text("Post,When,Plays,Hearts\nMorning routine,2024-02-01,1.2K,90\n"
                    "Desk tour,2024-02-08,3400,310\n")
    result = import_path(db, path, wanted="generic",
                         options={"map": "title=Post,published=When,views=Plays,likes=Hearts"})
    rows = DataStore(db).rows(result.id, "content")
    assert [(r["title"], r["views"], r["likes"]) for r in rows] == [
        ("Morning routine", 1200, 90), ("Desk tour", 3400, 310)]


def test_the_import_command_reports_json_and_what_it_read(home):
    env = {**os.environ, "CREATOR_HOME": str(home)}
    cmd = [sys.executable, "-m", "creator_assistant", "import"]
    out = subprocess.run([*cmd, str(SAMPLES / "youtube-studio-geography-Table data.csv"),
                          "--json"], capture_output=True, text=True, env=env, check=True)
    data = json.loads(out.stdout)
    assert (data["format"], data["rows"]) == ("youtube-studio", 201)
    again = subprocess.run([*cmd, str(SAMPLES / "youtube-studio-geography-Table data.csv")],
                           capture_output=True, text=True, env=env, check=True)
    assert "Already imported as #1" in again.stdout
    listing = subprocess.run([*cmd, "--list"], capture_output=True, text=True, env=env, check=True)
    assert "youtube-studio" in listing.stdout and "201 rows" in listing.stdout


def test_import_in_the_chat(paths):
    from creator_assistant.registry import CommandContext
    from creator_assistant.session import Session

    shutil.copytree(EXPORT, paths.data_dir / "export")
    session = Session.open(paths)
    try:
        reply = session.run_command(f"/import {paths.data_dir / 'export'}",
                                    CommandContext(session, None))
        assert "Imported #1: **youtube-studio**, 688 rows" in reply
        bad = session.run_command(f"/import {DATA / 'Tabellendaten.csv'}",
                                  CommandContext(session, None))
        assert "not a file I can read" in bad and "Nothing was imported" in bad
        assert counts(session.store.db) == (1, 688)
    finally:
        session.close()


def test_a_plugin_importer_is_offered_by_import(paths, tmp_path):
    from creator_assistant.registry import CommandContext
    from creator_assistant.session import Session

    paths.user_plugins_dir.mkdir(parents=True, exist_ok=True)
    (paths.user_plugins_dir / "pipes.py").write_text(
        "from creator_assistant.data.importers import Dataset, Importer\n"
        "from creator_assistant.hookspecs import hookimpl\n\n"
        "def sniff(source):\n"
        "    return 1.0 if source.files[0].text.startswith('#pipes') else 0.0\n\n"
        "def read(source, options):\n"
        "    lines = source.files[0].text.splitlines()[1:]\n"
        "    rows = [{'title': a, 'views': int(b)} for a, b in (ln.split('|') for ln in lines)]\n"
        "    return Dataset('pipes', 'content', parts={'content': rows})\n\n"
        "@hookimpl\n"
        "def register_importers(register):\n"
        "    register(Importer('pipes', 'title|views lines', sniff, read))\n")
    path = tmp_path / "mine.txt"
    path.write_text("#pipes\nDesk build|1200\nShop tour|800\n")
    session = Session.open(paths)
    try:
        reply = session.run_command(f"/import {path}", CommandContext(session, None))
        assert "Imported #1: **pipes**, 2 rows" in reply
        assert session.host.registry.owner[("importers", "pipes")] == "pipes"
    finally:
        session.close()


def test_a_generic_file_imported_with_as_is_recognised_without_it(home, tmp_path):
    """The same bytes are already imported, whatever detection would say: no "not a file I can
    read" for a generic CSV imported with --as; a changed version is read the same way."""
    import datetime as dt

    env = {**os.environ, "CREATOR_HOME": str(home)}
    cmd = [sys.executable, "-m", "creator_assistant", "import"]
    posts = tmp_path / "posts.csv"
    posts.write_text("Caption,Plays\nMorning routine,1200\nDesk tour,3400\nShop cleanup,800\n")
    subprocess.run([*cmd, str(posts), "--as", "generic", "--map", "title=Caption,views=Plays"],
                   env=env, check=True, capture_output=True)
    again = subprocess.run([*cmd, str(posts)], env=env, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    today = dt.datetime.now(dt.UTC).date().isoformat()
    assert f"Already imported as #1 on {today[:4]}" in again.stdout
    assert ("UTC (generic, --map title=Caption,views=Plays, 3 rows): nothing changed."
            in again.stdout)
    listing = json.loads(subprocess.run([*cmd, str(posts), "--json"], env=env, check=True,
                                        capture_output=True, text=True).stdout)
    assert listing["already_imported"] and listing["format"] == "generic"
    with posts.open("a") as f:
        f.write("Tiny jig,40\n")
    changed = subprocess.run([*cmd, str(posts)], env=env, capture_output=True, text=True)
    assert changed.returncode == 0, changed.stderr
    assert "**generic**, 4 rows (replaces" in changed.stdout
    assert "read as generic --map title=Caption,views=Plays" in changed.stdout
    rows = subprocess.run([*cmd, "--list"], env=env, check=True, capture_output=True, text=True)
    (line,) = rows.stdout.splitlines()  # one import, replaced in place
    assert line.startswith("#1  generic") and "4 rows" in line
