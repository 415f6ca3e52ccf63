"""A model file damaged after `models add` fails once, then is skipped with a notice until it
loads again: real damaged copies of the demo model, real `creator` processes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.makers import write_duplicate_vocab_model, write_truncated_copy


def creator(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "creator_assistant", *args], text=True,
                          capture_output=True, timeout=180, env=dict(os.environ))


def truncate(path: Path, demo: Path) -> None:
    write_truncated_copy(demo, path, keep=0.6)


def garble_tensor_table(path: Path, demo: Path) -> None:
    data = bytearray(demo.read_bytes())
    at = data.find(b"token_embd.weight") + len("token_embd.weight")
    data[at:at + 24] = b"\xff" * 24  # the first tensor's dimensions and type
    path.write_bytes(bytes(data))


def duplicate_vocabulary(path: Path, demo: Path) -> None:
    write_duplicate_vocab_model(path)  # llama.cpp aborts its whole process on this one


@pytest.mark.parametrize("damage", [truncate, garble_tensor_table, duplicate_vocabulary])
def test_a_model_damaged_after_add_fails_once_then_is_skipped(home, demo_model, tmp_path, damage):
    mine = tmp_path / "mine.gguf"
    shutil.copy(demo_model, mine)
    assert creator("models", "add", str(mine)).returncode == 0
    damage(mine, demo_model)  # after `models add` checked it
    # Every task's own model is missing, so the added model is the fallback chosen for them.
    first = creator("ask", "hello")
    assert first.returncode == 1 and "Traceback" not in first.stderr
    assert "mine.gguf" in first.stderr
    for _ in range(2):  # skipped on every ask from now on, not just the next
        again = creator("ask", "hello")
        assert again.returncode == 0, again.stderr
        assert "mine failed to load (" in again.stderr and "demo model" in again.stderr
    listed = creator("models", "list")
    line = next(ln for ln in listed.stdout.splitlines() if "failed to load:" in ln)
    assert "mine.gguf" in line
    row = next(r for r in json.loads(creator("models", "list", "--json").stdout)
               if r["id"] == "mine")
    assert row["failed"] and "mine.gguf" in row["failed"]


def test_named_with_model_it_is_tried_again_saying_why_it_failed(home, demo_model, tmp_path):
    mine = tmp_path / "mine.gguf"
    shutil.copy(demo_model, mine)
    assert creator("models", "add", str(mine)).returncode == 0
    truncate(mine, demo_model)
    assert creator("ask", "hello").returncode == 1
    named = creator("ask", "--model", "mine", "hello")
    assert named.returncode == 1 and "Traceback" not in named.stderr
    assert "mine failed to load last time (" in named.stderr  # said before it is tried


def test_a_replaced_file_that_loads_is_chosen_again(home, demo_model, tmp_path):
    mine = tmp_path / "mine.gguf"
    shutil.copy(demo_model, mine)
    assert creator("models", "add", str(mine)).returncode == 0
    truncate(mine, demo_model)
    assert creator("ask", "hello").returncode == 1
    skipped = creator("ask", "--json", "hello")
    assert json.loads(skipped.stdout.splitlines()[-1])["model"] == "demo"
    shutil.copy(demo_model, mine)  # downloaded again: a new mtime
    ok = creator("ask", "--json", "hello")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout.splitlines()[-1])["model"] == "mine"
    assert "failed to load" not in creator("models", "list").stdout


def test_a_worker_killed_from_outside_is_not_held_against_the_model():
    from creator_assistant.runtime import failures
    from creator_assistant.runtime.protocol import ModelError, WorkerCrashed

    killed, aborted = WorkerCrashed("killed"), WorkerCrashed("aborted")
    killed.exit_code, aborted.exit_code = -9, -6
    assert not failures.held_against(killed) and failures.held_against(aborted)
    assert failures.held_against(ModelError("could not load x.gguf: truncated"))
    assert not failures.held_against(WorkerCrashed("the inference worker was closed"))
