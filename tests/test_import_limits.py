"""Caps on hostile imports: decompressed size (counted while streaming, whatever the zip declares),
rows and cell size; each refusal names the cap and its config key, and nothing is stored."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from creator_assistant.config import Config
from creator_assistant.data.importers import DataFileError
from creator_assistant.data.importers.limits import LimitExceeded, Limits
from creator_assistant.data.importing import import_path
from creator_assistant.storage.db import open_db
from tests import test_import_errors as errors
from tests.conftest import SAMPLES

db = errors.db  # the same fixture: a fresh database
stored = errors.stored
TRENDING = SAMPLES / "youtube-trending-US-videos.csv"
GEO = SAMPLES / "google-trends-geoMap.csv"


def refuse(db, path, key: str, caps: Limits) -> str:
    before = stored(db)
    with pytest.raises(LimitExceeded) as exc:
        import_path(db, path, caps=caps)
    message = str(exc.value)
    assert f"[imports] {key} = " in message and "\n" not in message, message
    assert stored(db) == before  # nothing of the refused import, everything of the earlier ones
    return message


def bomb(path: Path, megabytes: int) -> Path:
    """The real trending sample's rows repeated until the member expands to `megabytes` MB."""
    header, _, body = TRENDING.read_bytes().partition(b"\n")
    body = b"".join(body.splitlines(keepends=True)[:10]) * 50  # lines repeat within deflate's window
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf, \
            zf.open("Trending/videos.csv", "w") as out:
        out.write(header + b"\n")
        written = 0
        while written < megabytes * 2**20:
            out.write(body)
            written += len(body)
    return path


def peak_mb(call) -> float:
    """The most memory Python held while `call` ran, in MB."""
    tracemalloc.start()
    try:
        call()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak / 2**20


def lie_about_size(path: Path, size: int) -> None:
    """Rewrite the uncompressed size the zip declares for its member (local and central)."""
    data = bytearray(path.read_bytes())
    struct.pack_into("<I", data, data.find(b"PK\x03\x04") + 22, size)
    struct.pack_into("<I", data, data.find(b"PK\x01\x02") + 24, size)
    path.write_bytes(bytes(data))


def test_a_zip_expanding_past_the_cap_is_refused_before_it_expands(db, tmp_path):
    import_path(db, GEO)  # an earlier import, which the refusal leaves as it is
    path = bomb(tmp_path / "export.zip", 48)
    assert path.stat().st_size < 2**20
    messages = []
    peak = peak_mb(lambda: messages.append(
        refuse(db, path, "max_decompressed_mb", Limits(max_decompressed_mb=2))))
    assert "export.zip is 48.0 MB of data" in messages[0], messages
    assert peak < 8, f"{peak:.0f} MB held: the zip was expanded"


def test_a_zip_that_understates_its_size_is_never_expanded_past_the_cap(db, tmp_path):
    import_path(db, GEO)
    path = bomb(tmp_path / "liar.zip", 48)
    lie_about_size(path, 2**20)  # declares 1 MB, under the 2 MB cap; holds 48 MB

    def run() -> None:
        with pytest.raises(DataFileError) as exc:
            import_path(db, path, caps=Limits(max_decompressed_mb=2))
        assert "liar.zip" in str(exc.value) and "\n" not in str(exc.value)

    assert peak_mb(run) < 12
    assert stored(db) == (1, 70)


def test_a_plain_file_over_the_size_cap(db, tmp_path):
    path = tmp_path / "videos.csv"
    path.write_bytes(TRENDING.read_bytes())  # 337 KB
    message = refuse(db, path, "max_decompressed_mb", Limits(max_decompressed_mb=0.25))
    assert "videos.csv is 0.3 MB" in message and "max_decompressed_mb = 0.25" in message


def test_more_rows_than_the_cap(db):
    import_path(db, GEO)
    message = refuse(db, TRENDING, "max_rows", Limits(max_rows=150))
    assert "more than 150 rows" in message and "youtube-trending-US-videos.csv" in message
    assert import_path(db, TRENDING, caps=Limits(max_rows=200)).rows == 200  # at the cap: fine


def test_the_row_cap_counts_related_queries_too(db, tmp_path):
    path = tmp_path / "relatedQueries.csv"
    path.write_bytes((Path(__file__).parent / "data" / "relatedQueries.csv").read_bytes())
    refuse(db, path, "max_rows", Limits(max_rows=2))


def test_a_cell_longer_than_the_cap(db):
    message = refuse(db, TRENDING, "max_cell_chars", Limits(max_cell_chars=1000))
    assert "line 2: a cell of 1,022 characters" in message, message  # a long description


def test_the_caps_come_from_config_toml(home, tmp_path):
    assert Config().imports.as_limits() == Limits(100, 500_000, 100_000)  # the README's defaults
    (home / "config" / "config.toml").write_text("[imports]\nmax_rows = 150\n")
    env = {**os.environ, "CREATOR_HOME": str(home)}
    proc = subprocess.run([sys.executable, "-m", "creator_assistant", "import", str(TRENDING)],
                          capture_output=True, text=True, env=env)
    assert proc.returncode == 1, proc.stdout
    assert "more than 150 rows" in proc.stderr and "[imports] max_rows = 150" in proc.stderr
    assert "Traceback" not in proc.stderr
    (home / "config" / "config.toml").write_text("[imports]\nmax_rows = 0\n")
    proc = subprocess.run([sys.executable, "-m", "creator_assistant", "import", str(TRENDING)],
                          capture_output=True, text=True, env=env)
    assert proc.returncode != 0 and "max_rows" in proc.stderr and "Traceback" not in proc.stderr
    db = open_db(home / "data" / "creator.db")
    assert stored(db) == (0, 0)


def test_a_device_that_never_ends_is_refused(db):
    with pytest.raises(DataFileError, match="/dev/zero is not a regular file"):
        import_path(db, "/dev/zero")
