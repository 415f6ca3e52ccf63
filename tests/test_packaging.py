"""A wheel, not only an editable install, carries the plugins, prompts and catalogue."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(out), str(ROOT)], check=True, capture_output=True)
    return next(out.glob("creator_assistant-*.whl"))


def test_wheel_holds_data_and_plugins_under_one_package(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names if not n.endswith(".dist-info/" + n.split("/")[-1])}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"creator_assistant"}
    for needed in ("creator_assistant/plugins/chat.py", "creator_assistant/prompts/chat.md",
                   "creator_assistant/models/catalogue.toml",
                   "creator_assistant/models/demo_words.txt"):
        assert needed in names
    eps = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(eps).decode()
    assert "[creator]" in text and "creator = creator_assistant.cli:main" in text


def test_every_source_module_is_in_the_wheel(wheel):
    """A new folder under assistant/ must reach the wheel (pyproject's package list)."""
    names = set(zipfile.ZipFile(wheel).namelist())
    sources = [p.relative_to(ROOT / "assistant") for p in (ROOT / "assistant").rglob("*.py")
               if "__pycache__" not in p.parts]
    missing = [str(p) for p in sources if f"creator_assistant/{p.as_posix()}" not in names]
    assert not missing, f"not in the wheel (add the package to pyproject.toml): {missing}"


def test_unpacked_wheel_finds_its_data(wheel, tmp_path):
    zipfile.ZipFile(wheel).extractall(tmp_path)
    code = ("import creator_assistant, creator_assistant.library.catalogue as c, "
            "creator_assistant.resources as r\n"
            "print(creator_assistant.__file__)\n"
            "print(len(c.catalogue()), len(r.read_prompt('chat.md')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=tmp_path, env={"PYTHONPATH": str(tmp_path)}, check=True)
    file, counts = out.stdout.splitlines()
    assert file.startswith(str(tmp_path))
    assert int(counts.split()[0]) >= 4 and int(counts.split()[1]) > 50
