"""`creator voice export`: the samples as a chat-formatted training set with its config, written
by a real subprocess into real folders."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from creator_assistant.voice.export import HYPERPARAMETERS, MAX_CHARS, Sample, pairs


def _export(*args):
    return subprocess.run([sys.executable, "-m", "creator_assistant.commands.voice_export",
                           *map(str, args)], capture_output=True, text=True,
                          env=dict(os.environ), timeout=120)


def _texts(folder, n):
    folder.mkdir(exist_ok=True)
    out = []
    for i in range(n):
        path = folder / f"post{i}.md"
        path.write_text(f"# Episode {i}: bread at home\n\nHey friends! Loaf number {i} today.\n\n"
                        "Flour, water, salt. That's it. See you next week.\n", encoding="utf-8")
        out.append(path)
    return out


def _lines(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_export_writes_chat_pairs_a_held_out_tenth_and_the_hyperparameters(home, tmp_path):
    files = _texts(tmp_path / "posts", 20)
    out = tmp_path / "export"
    proc = _export("--format", "chatml-jsonl", "--texts", *files, "-o", out)
    assert proc.returncode == 0, proc.stderr
    train, valid = _lines(out / "train.jsonl"), _lines(out / "valid.jsonl")
    assert (len(train), len(valid)) == (18, 2)
    for pair in train + valid:
        roles = [m["role"] for m in pair["messages"]]
        assert roles == ["system", "user", "assistant"]
        user, reply = pair["messages"][1]["content"], pair["messages"][2]["content"]
        assert user.startswith("Write a piece about: Episode ") and "Hey friends!" in reply
    said = {p["messages"][2]["content"] for p in train}
    assert not said & {p["messages"][2]["content"] for p in valid}  # held out means unseen
    config = json.loads((out / "config.json").read_text())
    assert config["hyperparameters"] == HYPERPARAMETERS == {
        "learning_rate": 1e-4, "batch_size": 4, "epochs": 3, "warmup_steps": 100,
        "weight_decay": 0.01, "gradient_accumulation_steps": 8}
    assert config["train_pairs"] == 18 and config["minibatches"] == 14  # ceil(3 * 18 / 4)
    assert "fewer than the 100 warm-up steps" in config["note"]
    yaml = (out / "mlx-lora.yaml").read_text()
    assert "grad_accumulation_steps: 8" in yaml and "weight_decay: 0.01" in yaml
    # Again into its own earlier export: replaced, the same bytes.
    before = (out / "train.jsonl").read_bytes()
    assert _export("--texts", *files, "-o", out).returncode == 0
    assert (out / "train.jsonl").read_bytes() == before


def test_a_long_sample_is_split_between_paragraphs():
    paragraphs = [f"Paragraph {i}. " + "word " * 300 for i in range(12)]
    got = pairs(Sample("\n\n".join(p.strip() for p in paragraphs), title="Long one"))
    parts = [p["messages"][2]["content"] for p in got]
    assert len(parts) > 1 and all(len(p) <= MAX_CHARS for p in parts)
    assert "\n\n".join(parts) == "\n\n".join(p.strip() for p in paragraphs)
    assert got[1]["messages"][1]["content"].startswith("Continue the piece about: Long one")


def test_a_folder_of_other_files_is_never_written_over(home, tmp_path):
    files = _texts(tmp_path / "posts", 3)
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "train.jsonl").write_text("my own data\n")
    proc = _export("--texts", *files, "-o", mine)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "already holds other files" in proc.stderr
    assert (mine / "train.jsonl").read_text() == "my own data\n"


def test_too_few_or_unreadable_samples_are_one_line(home, tmp_path):
    one = _texts(tmp_path / "posts", 1)
    proc = _export("--texts", *one, "-o", tmp_path / "x")
    assert proc.returncode == 1 and "at least 2" in proc.stderr and "Traceback" not in proc.stderr
    binary = tmp_path / "photo.md"
    binary.write_bytes(b"\xff\xd8\xff\xe0 not text")
    proc = _export("--texts", binary, *one, "-o", tmp_path / "x")
    assert proc.returncode == 1 and "not UTF-8 text" in proc.stderr
    assert not (tmp_path / "x").exists()


def test_without_texts_the_stored_samples_are_exported(home, paths, tmp_path):
    from creator_assistant.storage.store import open_store
    from creator_assistant.voice.kinds import KINDS
    from creator_assistant.voice.samples import Draft, add

    store = open_store(paths.database)
    add(store.db, [Draft(f"My take on lighting, part {i}: use one window and a white card.",
                         KINDS[0], f"notes{i}.md", title=f"Lighting {i}") for i in range(4)])
    store.db.close()
    out = tmp_path / "export"
    proc = _export("-o", out, "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["train_pairs"] + json.loads(proc.stdout)["valid_pairs"] == 4
    asks = {p["messages"][1]["content"] for p in _lines(out / "train.jsonl")}
    assert all(a.startswith("Write a piece about: Lighting ") for a in asks)
