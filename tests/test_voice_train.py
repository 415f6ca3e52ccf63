"""`creator voice train`: a real, short fine-tuning of SmolLM2-135M with llama.cpp's optimizer
in its own process, stopped by a real SIGINT; a real abort inside llama.cpp; the refusal."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

POST = ("# Morning routine {i}\n\nHey friends, it's me again! Today I want to talk about how I "
        "start my day: coffee, a notebook and ten quiet minutes before the phone. {body} "
        "Honestly, it changed everything for me. Tell me in the comments what you do, and catch "
        "you next time!")
BODIES = ["I tried it for a week.", "It took me a month to stick with it.",
          "My notebook is a cheap one from the corner shop.", "Coffee first, always.",
          "The quiet part is the hardest.", "I write three lines, never more.",
          "Some days I skip it and I can tell.", "My cat sits on the notebook most days."]


def _texts(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i, body in enumerate(BODIES):
        path = folder / f"post{i}.md"
        path.write_text(POST.format(i=i, body=(body + " ") * 6), encoding="utf-8")
        out.append(path)
    return out


def _home(root: Path, smollm2: Path) -> Path:
    folder = root / "data" / "models" / "smollm2-135m"
    folder.mkdir(parents=True)
    try:
        os.link(smollm2, folder / smollm2.name)
    except OSError:
        import shutil

        shutil.copy(smollm2, folder / smollm2.name)
    return root


@pytest.fixture(scope="module")
def interrupted(tmp_path_factory, smollm2):
    """One CLI run of at most 3 steps, sent SIGINT once its first step is printed."""
    root = tmp_path_factory.mktemp("train")
    home = _home(root / "home", smollm2)
    texts = _texts(root / "texts")
    env = {**os.environ, "CREATOR_HOME": str(home)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "creator_assistant.commands.voice_train", "--texts",
         *map(str, texts), "--max-steps", "3"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if " step 1/3 " in line:
            proc.send_signal(signal.SIGINT)
            break
    out, err = proc.communicate(timeout=300)
    lines.append(out)
    folders = [p for p in (home / "data" / "models").iterdir() if "-voice-" in p.name]
    return {"code": proc.returncode, "out": "".join(lines), "err": err, "home": home,
            "folders": folders}


def test_ctrl_c_stops_after_the_step_and_keeps_the_model(interrupted):
    assert interrupted["code"] == 0, interrupted["err"][-2000:]
    assert "Traceback" not in interrupted["err"]
    assert "stopped early" in interrupted["out"]
    (folder,) = interrupted["folders"]
    record = json.loads((folder / "training.json").read_text())
    assert record["stopped_early"] is True
    assert 1 <= record["steps_done"] < 3
    assert (folder / f"{folder.name}.Q8_0.gguf").is_file()
    assert not (interrupted["home"] / "data" / "models" / ".training").exists()


def test_loss_is_printed_and_recorded_per_step(interrupted):
    (folder,) = interrupted["folders"]
    record = json.loads((folder / "training.json").read_text())
    losses = record["loss_per_step"]
    assert len(losses) == record["steps_done"]
    assert all(math.isfinite(x) and x > 0 for x in losses)
    assert f"loss {losses[0]:.4f}" in interrupted["out"]
    assert "[" in interrupted["out"] and "tok/s" in interrupted["out"]


def test_record_is_complete_with_heldout_perplexity(interrupted):
    (folder,) = interrupted["folders"]
    record = json.loads((folder / "training.json").read_text())
    assert len(record["data"]["sha256"]) == 64
    assert record["data"]["train_pairs"] == 7 and record["data"]["heldout_pairs"] == 1
    hp = record["hyperparameters"]
    assert (hp["learning_rate"], hp["weight_decay"], hp["epochs"]) == (1e-4, 0.01, 3)
    assert hp["warmup_steps"] == 100 and hp["tokens_per_step"] == 256
    before, after = record["heldout_before"]["perplexity"], record["heldout_after"]["perplexity"]
    assert 1 < after < before < 1000  # it learnt the creator's habits
    assert record["tokens_per_s"] > 0 and record["base_model"] == "smollm2-135m"
    source = json.loads((folder / "source.json").read_text())
    assert source["training_record"] == "training.json" and len(source["sha256"]) == 64


def test_the_result_is_in_the_library_and_generates(interrupted, smollm2, monkeypatch):
    import gguf

    from creator_assistant.runtime.local import LocalBackend
    from creator_assistant.runtime.protocol import GenerateRequest

    monkeypatch.setenv("CREATOR_HOME", str(interrupted["home"]))
    from creator_assistant.library.catalogue import entries, entry_path
    from creator_assistant.paths import get_paths

    (folder,) = interrupted["folders"]
    paths = get_paths()
    model = entry_path(entries(paths)[folder.name], paths.models_dir)
    fields = gguf.GGUFReader(model).fields  # the base's metadata, not the training context's
    assert "<|im_start|>" in fields["tokenizer.chat_template"].contents()
    assert fields["llama.context_length"].contents() == 8192
    ask = GenerateRequest(messages=[{"role": "user", "content": "Write a piece about: mornings"}],
                          temperature=0.0, top_k=1, top_p=1.0, min_p=0.0, repeat_penalty=1.0,
                          max_tokens=24, seed=1)
    replies = []
    for path in (model, smollm2):
        backend = LocalBackend(path, n_ctx=512, n_threads=2)
        backend.load()
        try:
            replies.append("".join(backend.stream(ask)))
        finally:
            backend.close()
    assert replies[0].strip() and replies[0] != replies[1]  # trained weights, not the base's


def test_an_abort_inside_llama_cpp_is_one_line(tmp_path, smollm2, monkeypatch):
    monkeypatch.setenv("CREATOR_HOME", str(_home(tmp_path / "home", smollm2)))
    from creator_assistant.library.catalogue import entries
    from creator_assistant.paths import get_paths
    from creator_assistant.voice.export import Sample
    from creator_assistant.voice.train import TrainError, train

    samples = [Sample(p.read_text()) for p in _texts(tmp_path / "texts")]
    # 256 tokens a step in chunks of 96: llama.cpp's GGML_ASSERT(n_batch % n_ubatch == 0) aborts
    with pytest.raises(TrainError) as caught:
        train(samples, "smollm2-135m", get_paths(), max_steps=1, overrides={"ubatch": 96})
    message = str(caught.value)
    assert "\n" not in message
    assert "SIGABRT" in message and "GGML_ASSERT" in message and "before the first step" in message
    assert not any("-voice-" in k for k in entries(get_paths()))
    assert not list(get_paths().models_dir.glob(".training/*/base.f32.gguf"))  # 540 MB freed
    assert list(get_paths().models_dir.glob(".training/*/llama.log"))  # the log it points to


def test_a_model_too_big_is_refused_with_an_estimate():
    from creator_assistant.voice.train import TrainError, check_fits

    with pytest.raises(TrainError) as caught:
        check_fits("big-70b", 70_000_000_000, 100_000, 3, 2)
    message = str(caught.value)
    assert "too big to train here" in message and "GB of memory" in message
    assert " h for 3 epoch(s)" in message and "creator voice export" in message
    check_fits("smollm2-135m", 135_000_000, 10_000, 3, 2)  # the starter fits


def test_windows_hold_inputs_and_next_token_labels():
    from creator_assistant.voice.train_worker import learning_rate, windows

    w = windows(list(range(10)), 4)
    assert [len(x) for x in w] == [5, 5, 5] and w[0] == [0, 1, 2, 3, 4] and w[1][0] == 4
    assert learning_rate(0, 100, 1e-4, 10) == pytest.approx(1e-5)
    assert learning_rate(10, 100, 1e-4, 10) == pytest.approx(1e-4)


def test_no_samples_is_one_line_before_any_model_loads(tmp_path):
    env = {**os.environ, "CREATOR_HOME": str(tmp_path / "home")}
    run = subprocess.run([sys.executable, "-m", "creator_assistant", "voice", "train"],
                         capture_output=True, text=True, env=env, timeout=60)
    assert run.returncode == 1
    assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr
    assert "0 usable sample(s)" in run.stderr and "creator voice add" in run.stderr
