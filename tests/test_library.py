"""The model library: the catalogue, `models add/rm/info/list`, and statuses."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import pytest

from creator_assistant import library
from creator_assistant.library.catalogue import CatalogueError, catalogue
from creator_assistant.runtime.resolver import resolve


def creator(*args):
    return subprocess.run([sys.executable, "-m", "creator_assistant", *args],
                          capture_output=True, text=True, timeout=120)


def test_the_catalogue_has_the_gemma_tiers_alternatives_and_embeddings():
    entries = catalogue()
    for size, tier in (("1b", "starter"), ("4b", "starter"), ("12b", "professional"),
                       ("27b", "enterprise")):
        gemma = entries[f"gemma-3-{size}"]
        assert gemma.repo == f"google/gemma-3-{size}-it-qat-q4_0-gguf" and gemma.gated
        assert gemma.tier == tier and gemma.file.endswith("q4_0.gguf")
    for tier in ("starter", "professional", "enterprise"):
        others = [e for e in entries.values() if e.tier == tier and not e.id.startswith("gemma")]
        assert others, f"no alternative in the {tier} tier"
    assert sum(e.category == "embedding" for e in entries.values()) >= 2
    for entry in entries.values():
        assert entry.sha256 == "" or re.fullmatch(r"[0-9a-f]{64}", entry.sha256), entry.id
        assert entry.size > 0 and entry.context >= 512 and "/" in entry.repo


def test_a_bad_user_catalogue_names_the_key(paths):
    paths.config_dir.joinpath("catalogue.toml").write_text(
        '[[model]]\nid = "x"\nname = "x"\nrepo = "a/b"\nfile = "x.gguf"\nsize = 1\n'
        'context = 512\ncategory = "text-generation"\ntier = "starter"\nsize_gb = 3\n')
    with pytest.raises(CatalogueError, match="size_gb"):
        library.rows(paths)
    proc = creator("models", "list")
    assert proc.returncode == 1 and "size_gb" in proc.stderr and "Traceback" not in proc.stderr


def test_add_registers_a_valid_gguf_in_place(paths, demo_model, tmp_path):
    mine = shutil.copy(demo_model, tmp_path / "My Model.gguf")
    entry = library.add(mine, paths)
    assert entry.id == "my-model" and entry.path == str(mine) and entry.source == "added"
    row = {r["id"]: r for r in library.rows(paths)}["my-model"]
    assert row["status"] == "added" and row["category"] == "text-generation"
    assert resolve("my-model", paths).path == mine
    assert library.info("my-model", paths)["gguf"]["architecture"] == "llama"
    message = library.remove("my-model", paths)
    assert "left where it is" in message and mine.exists()
    assert "my-model" not in {r["id"] for r in library.rows(paths)}


@pytest.mark.parametrize("damage, message", [
    (lambda data: data[: len(data) // 2], "truncated"),
    (lambda data: b"PK\x03\x04" + data[4:], "not a GGUF file"),
    (lambda data: data[:40], "corrupt or truncated"),
])
def test_add_refuses_a_broken_file_before_llama_cpp_sees_it(paths, demo_model, tmp_path,
                                                           damage, message):
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(damage(demo_model.read_bytes()))
    with pytest.raises(library.LibraryError, match=message):
        library.add(bad, paths)
    assert "bad" not in {r["id"] for r in library.rows(paths)}
    proc = creator("models", "add", str(bad))
    assert proc.returncode == 1 and message in proc.stderr and "Traceback" not in proc.stderr


def test_add_will_not_shadow_a_catalogue_id(paths, demo_model):
    with pytest.raises(library.LibraryError, match="taken"):
        library.add(demo_model, paths, "gemma-3-4b")


def test_loaded_status_and_remove_unloads(paths, demo_model, tmp_path):
    from creator_assistant.runtime.pool import ModelPool

    mine = shutil.copy(demo_model, tmp_path / "mine.gguf")
    library.add(mine, paths, "mine")
    pool = ModelPool(paths, budget_gb=1, reaper=False)
    try:
        backend = pool.backend(resolve("mine", paths), 1024)
        pool.ready(backend)
        statuses = {r["id"]: r["status"] for r in library.rows(paths, pool)}
        assert statuses["mine"] == "loaded" and statuses["demo"] == "built in"
        library.remove("mine", paths, pool)
        assert not pool.is_resident(mine) and backend.pid is None
    finally:
        pool.close()


def test_rm_refuses_the_demo_and_models_not_downloaded(paths):
    with pytest.raises(library.LibraryError, match="built in"):
        library.remove("demo", paths)
    with pytest.raises(library.LibraryError, match="not downloaded"):
        library.remove("gemma-3-27b", paths)


def test_the_cli_adds_lists_and_explains(home, demo_model, tmp_path):
    mine = shutil.copy(demo_model, tmp_path / "draft-model.gguf")
    added = creator("models", "add", str(mine), "--id", "draft")
    assert added.returncode == 0 and "added draft" in added.stdout
    rows = {r["id"]: r for r in json.loads(creator("models", "list", "--json").stdout)}
    assert {"id", "size", "tier", "status"} <= set(rows["draft"])
    assert rows["draft"]["status"] == "added" and rows["demo"]["demo"]
    assert rows["gemma-3-12b"]["status"] == "available" and rows["gemma-3-12b"]["gated"]
    info = creator("models", "info", "draft")
    assert "gguf architecture:" in info.stdout and "llama" in info.stdout
    unknown = creator("models", "info", "gemma-3-13b")
    assert unknown.returncode == 1 and "did you mean" in unknown.stderr
