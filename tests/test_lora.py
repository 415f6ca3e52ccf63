"""LoRA adapters on a task's model: built for the demo model with the real `gguf` writer, loaded by
the real worker through the product's own path (config, Session, `creator ask`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace

import pytest

from creator_assistant.config import ConfigError, load_config
from creator_assistant.session import Session
from tests.lora_maker import write_lora, write_mismatched_lora

GREEDY = "temperature = 0\nseed = 1\nmax_tokens = 24\n"


def _demo(paths):
    return next(paths.models_dir.glob("creator-demo-*.gguf"))


def _reply(paths, section: str) -> tuple[str, dict]:
    paths.config_file.write_text(f"[tasks.chat]\n{GREEDY}{section}")
    session = Session.open(paths)
    try:
        turn = session.ask("plan a video about winter cooking", task="chat")
        text = "".join(turn)
        assert turn.result.status == "ok", turn.result.error
        return text, turn.result.as_dict()
    finally:
        session.close()


def _creator(*args):
    return subprocess.run([sys.executable, "-m", "creator_assistant", *args],
                          capture_output=True, text=True, env=dict(os.environ), timeout=120)


def test_scale_zero_is_the_base_model_and_scale_one_changes_it(paths, tmp_path):
    adapter = write_lora(_demo(paths), tmp_path / "voice.gguf")
    base, plain = _reply(paths, "")
    zero, at_zero = _reply(paths, f'lora = "{adapter}"\nlora_scale = 0.0\n')
    one, at_one = _reply(paths, f'lora = "{adapter}"\n')
    assert base and zero == base  # applied at scale 0: the base model's greedy reply
    assert one != base  # at scale 1 the adapter's weights change it
    assert plain["lora"] is None
    assert at_zero["lora"] == f"{adapter} (scale 0)" and at_one["lora"] == f"{adapter} (scale 1)"


def test_a_relative_path_is_read_from_the_config_folder(paths):
    write_lora(_demo(paths), paths.config_file.parent / "voice.gguf")
    _, details = _reply(paths, 'lora = "voice.gguf"\n')
    assert details["lora"].startswith(str((paths.config_file.parent / "voice.gguf").resolve()))


def test_an_adapter_makes_another_resident_model(paths, tmp_path):
    a = write_lora(_demo(paths), tmp_path / "a.gguf", seed=1)
    b = write_lora(_demo(paths), tmp_path / "b.gguf", seed=2)
    paths.config_file.write_text(f'[tasks.chat]\nlora = "{a}"\n')
    session = Session.open(paths)
    try:
        choice = session.resolve_task(session.tasks["chat"]).choice
        assert choice.lora == a.resolve() and choice.lora_key == "[tasks.chat] lora"
        pool = session.pool
        with_a = pool.backend(choice, 512)
        assert pool.backend(choice, 512) is with_a  # the same adapter: the same worker
        others = [pool.backend(replace(choice, lora=None), 512),
                  pool.backend(replace(choice, lora=b.resolve()), 512),
                  pool.backend(replace(choice, lora_scale=0.5), 512)]
        assert len({id(x) for x in [with_a, *others]}) == 4
        switch = pool.ready(others[1])  # switching adapters is a load, timed like one
        assert switch.kind == "cold" and switch.load_ms > 0
        shown = {(m["lora"], m["lora_scale"]) for m in pool.status()["models"]}
        assert (str(b.resolve()), 1.0) in shown and (None, 1.0) in shown
    finally:
        session.close()


def test_a_missing_adapter_is_one_line_naming_the_key(home, paths):
    paths.config_file.write_text('[tasks.chat]\nlora = "gone/voice.gguf"\n')
    proc = _creator("ask", "--task", "chat", "hello")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    line = next(ln for ln in proc.stderr.splitlines() if "lora" in ln)
    assert "[tasks.chat] lora" in line and "no such file" in line
    # Other tasks are not held up by the chat task's setting.
    assert _creator("ask", "--task", "script", "a video about bread").returncode == 0


def test_a_model_file_is_not_an_adapter(home, paths):
    paths.config_file.write_text(f'[tasks.chat]\nlora = "{_demo(paths)}"\n')
    proc = _creator("ask", "--task", "chat", "hello")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "[tasks.chat] lora" in proc.stderr and "a model, not an adapter" in proc.stderr


@pytest.mark.parametrize("damage", ["mismatched", "truncated"])
def test_an_adapter_llama_cpp_refuses_is_one_line_and_the_model_is_not_blamed(
        home, paths, tmp_path, damage):
    adapter = tmp_path / "voice.gguf"
    if damage == "mismatched":  # a well-formed adapter made for another model's shapes
        write_mismatched_lora(_demo(paths), adapter)
        said = "incorrect shape"
    else:  # the tensor table is whole, the data is cut short
        write_lora(_demo(paths), tmp_path / "whole.gguf")
        whole = (tmp_path / "whole.gguf").read_bytes()
        adapter.write_bytes(whole[: len(whole) - 4000])
        said = "not a readable GGUF file"  # the header check finds it before llama.cpp
    paths.config_file.write_text(f'[tasks.chat]\nlora = "{adapter}"\n')
    proc = _creator("ask", "--task", "chat", "--json", "hello")
    assert "Traceback" not in proc.stderr
    assert proc.returncode == 1, proc.stderr
    line = next(ln for ln in proc.stderr.splitlines() if "[tasks.chat] lora" in ln)
    assert said in line
    failed = paths.models_dir / "failed-loads.json"
    assert not failed.exists() or str(_demo(paths).resolve()) not in json.loads(failed.read_text())
    paths.config_file.write_text("[tasks.chat]\n")  # the key removed: the model answers again
    assert _creator("ask", "--task", "chat", "hello").returncode == 0


def test_lora_scale_must_be_a_number(paths):
    paths.config_file.write_text('[tasks.chat]\nlora = "v.gguf"\nlora_scale = "high"\n')
    with pytest.raises(ConfigError, match="lora_scale"):
        load_config(paths.config_file)


def test_the_worker_refuses_a_damaged_adapter_instead_of_crashing_later(demo_model, tmp_path):
    """llama-cpp-python 0.3.36 takes llama.cpp's NULL adapter for a loaded one (its first reply
    then segfaults): the worker checks, and the load fails with llama.cpp's reason."""
    from creator_assistant.runtime.local import LocalBackend
    from creator_assistant.runtime.protocol import GenerateRequest, ModelError

    whole = write_lora(demo_model, tmp_path / "whole.gguf").read_bytes()
    cut = tmp_path / "cut.gguf"
    cut.write_bytes(whole[: len(whole) - 4000])
    backend = LocalBackend(demo_model, n_ctx=512, lora=cut, lora_key="[tasks.x] lora")
    try:
        with pytest.raises(ModelError, match=r"\[tasks.x\] lora.*not within the file bounds"):
            backend.load()
        assert backend.restarts == 0 and backend.pid is not None  # the worker lives on
        backend.lora = None  # the same worker then loads the model alone and answers
        req = GenerateRequest([{"role": "user", "content": "hi"}], temperature=0, max_tokens=4)
        assert "".join(backend.stream(req))
    finally:
        backend.close()


def test_doctor_shows_each_task_adapter_and_what_is_wrong(home, paths, tmp_path):
    adapter = write_lora(_demo(paths), tmp_path / "voice.gguf")
    paths.config_file.write_text(f'[tasks.chat]\nlora = "{adapter}"\nlora_scale = 0.5\n'
                                 '[tasks.script]\nlora = "gone.gguf"\n')
    proc = _creator("doctor", "--json")
    assert proc.returncode == 0, proc.stderr
    shown = {a["task"]: a for a in json.loads(proc.stdout)["adapters"]}
    assert shown["chat"]["lora"] == str(adapter.resolve()) and shown["chat"]["problem"] is None
    assert shown["chat"]["lora_scale"] == 0.5
    assert "no such file" in shown["script"]["problem"]
