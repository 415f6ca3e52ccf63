"""`creator models pull`: the real download code (huggingface_hub) against a local fake hub."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import threading

import pytest

from creator_assistant import library
from tests.hubserver import FakeHub

REPO, FILE = "creator/demo-GGUF", "creator-demo.gguf"
CHUNK = 65536


@pytest.fixture
def hub(monkeypatch, tmp_path):
    server = FakeHub()
    monkeypatch.setenv("HF_ENDPOINT", server.start())
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))  # no token, no shared cache
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("HF_TOKEN", raising=False)
    # Small chunks so a transfer can stop part-way through the 1 MB demo model.
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "DOWNLOAD_CHUNK_SIZE", CHUNK)
    yield server
    server.stop()


@pytest.fixture
def model_bytes(demo_model) -> bytes:
    return demo_model.read_bytes()


def user_entry(paths, data: bytes, sha256: str | None = None, size: int | None = None,
               model_id: str = "demo-hub") -> None:
    paths.config_dir.mkdir(parents=True, exist_ok=True)
    paths.config_file.with_name("catalogue.toml").write_text(
        f'[[model]]\nid = "{model_id}"\nname = "demo served by the fake hub"\nrepo = "{REPO}"\n'
        f'file = "{FILE}"\nsize = {size or len(data)}\ncontext = 8192\n'
        f'category = "text-generation"\ntier = "starter"\n'
        f'sha256 = "{sha256 if sha256 is not None else hashlib.sha256(data).hexdigest()}"\n'
    )


def creator(*args):
    return subprocess.run([sys.executable, "-m", "creator_assistant", *args],
                          capture_output=True, text=True, timeout=120)


def test_pull_downloads_verifies_installs_and_rm_removes(hub, paths, model_bytes):
    hub.add(REPO, FILE, model_bytes)
    user_entry(paths, model_bytes)
    proc = creator("models", "pull", "demo-hub")
    assert proc.returncode == 0, proc.stderr
    assert "verified by catalogue sha256" in proc.stdout
    installed = paths.models_dir / "demo-hub" / FILE
    assert installed.read_bytes() == model_bytes
    rows = {r["id"]: r for r in json.loads(creator("models", "list", "--json").stdout)}
    assert rows["demo-hub"]["status"] == "downloaded"
    info = json.loads(creator("models", "info", "demo-hub", "--json").stdout)
    assert info["provenance"]["sha256"] == hashlib.sha256(model_bytes).hexdigest()
    assert info["gguf"]["architecture"] == "llama"
    again = creator("models", "pull", "demo-hub")
    assert "already downloaded" in again.stdout and len(hub.gets(FILE)) == 1
    assert creator("models", "rm", "demo-hub").returncode == 0
    assert not installed.exists()
    rows = {r["id"]: r for r in json.loads(creator("models", "list", "--json").stdout)}
    assert rows["demo-hub"]["status"] == "available"


def test_a_cancelled_pull_resumes_where_it_stopped(hub, paths, model_bytes):
    hub.add(REPO, FILE, model_bytes)
    user_entry(paths, model_bytes)
    cancel = threading.Event()
    seen: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> None:
        seen.append((done, total))
        if done >= len(model_bytes) // 3:
            cancel.set()

    with pytest.raises(library.PullCancelled):
        library.pull("demo-hub", paths, progress=progress, cancel=cancel)
    kept = library.row(library.get("demo-hub", paths), paths)["partial_bytes"]
    assert 0 < kept < len(model_bytes) and seen[-1][1] == len(model_bytes)
    first_sent = hub.gets(FILE)[0].sent

    done = library.pull("demo-hub", paths)
    second = hub.gets(FILE)[1]
    assert second.range == f"bytes={kept}-" and second.status == 206
    assert second.sent == len(model_bytes) - kept  # only the rest crossed the wire again
    assert done.resumed_from == kept and done.downloaded == len(model_bytes) - kept
    assert first_sent >= kept
    assert done.path.read_bytes() == model_bytes


def test_a_dropped_connection_is_resumed_by_the_same_pull(hub, paths, model_bytes):
    hub.add(REPO, FILE, model_bytes)
    user_entry(paths, model_bytes)
    cut = 5 * CHUNK
    hub.drop_after[(REPO, FILE)] = cut
    done = library.pull("demo-hub", paths)
    first, second = hub.gets(FILE)
    assert first.sent == cut and first.range is None
    assert second.range == f"bytes={cut}-" and second.sent == len(model_bytes) - cut
    assert done.path.read_bytes() == model_bytes


def test_corrupted_bytes_are_deleted_not_installed(hub, paths, model_bytes):
    corrupt = bytearray(model_bytes)
    corrupt[len(corrupt) // 2] ^= 0xFF
    hub.add(REPO, FILE, bytes(corrupt))
    # The hub claims the right checksum but sends damaged bytes: only hashing them catches it.
    hub.etags[(REPO, FILE)] = hashlib.sha256(model_bytes).hexdigest()
    user_entry(paths, model_bytes)
    proc = creator("models", "pull", "demo-hub")
    assert proc.returncode == 1 and "arrived corrupted" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (paths.models_dir / "demo-hub").exists()
    assert not list((paths.models_dir / ".partial").glob("demo-hub.part"))
    with pytest.raises(library.ChecksumMismatch):
        library.pull("demo-hub", paths)


def test_a_shipped_entry_whose_hub_file_changed_is_refused_before_downloading(hub, paths,
                                                                               model_bytes):
    entry = library.get("nomic-embed-text-v1.5", paths)  # pins a published sha256
    hub.add(entry.repo, entry.file, model_bytes)
    with pytest.raises(library.ChecksumMismatch, match="changed upstream"):
        library.pull(entry.id, paths)
    assert hub.gets(entry.file) == []
    assert "/resolve/0188c9bf" in hub.log[0].path  # the pinned revision is what is asked for


def test_a_shipped_entry_without_a_pinned_sha_is_verified_against_the_hubs(hub, paths,
                                                                            model_bytes):
    entry = library.get("gemma-3-1b", paths)
    hub.add(entry.repo, entry.file, model_bytes)
    done = library.pull(entry.id, paths)
    assert done.verified_by == "hub sha256 (LFS ETag)"
    row = library.row(entry, paths)
    assert row["status"] == "downloaded" and row["size"] == len(model_bytes)


def test_offline_fails_fast_with_a_clear_message(hub, paths, model_bytes, monkeypatch):
    hub.add(REPO, FILE, model_bytes)
    user_entry(paths, model_bytes)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    proc = creator("models", "pull", "demo-hub")
    assert proc.returncode == 1 and "offline" in proc.stderr and "models add" in proc.stderr
    assert "Traceback" not in proc.stderr and hub.log == []


def test_an_unreachable_hub_is_a_clear_error(paths, model_bytes, monkeypatch, tmp_path):
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    user_entry(paths, model_bytes)
    proc = creator("models", "pull", "demo-hub")
    assert proc.returncode == 1 and "cannot reach" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_gated_model_says_how_to_get_access(hub, paths, model_bytes):
    entry = library.get("gemma-3-4b", paths)
    hub.add(entry.repo, entry.file, model_bytes)
    hub.gated.add(entry.repo)
    with pytest.raises(library.LibraryError, match="licence-gated.*hf auth login"):
        library.pull(entry.id, paths)
    assert hub.gets(entry.file) == []


def test_not_enough_disk_is_refused_before_any_request(hub, paths, model_bytes):
    hub.add(REPO, FILE, model_bytes)
    user_entry(paths, model_bytes, size=10**18)
    with pytest.raises(library.LibraryError, match="not enough disk space"):
        library.pull("demo-hub", paths)
    assert hub.log == []


def test_hf_endpoint_is_respected_in_a_subprocess(hub, paths, model_bytes):
    assert os.environ["HF_ENDPOINT"].startswith("http://127.0.0.1:")
    hub.add(REPO, FILE, model_bytes)
    user_entry(paths, model_bytes)
    assert creator("models", "pull", "demo-hub").returncode == 0
    assert [s.method for s in hub.log] == ["HEAD", "GET"], hub.log
