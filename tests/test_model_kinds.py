"""Chat models vs base models: the rule (library/kinds.py), the resolver never picking a base
model by itself, a base model chosen by name answering with Gemma's turns and a notice, and the
starter model labelled in `models list`, `models info` and `doctor`. Real files throughout: the
real SmolLM2-135M-Instruct and the real pre-trained Gemma 3 270M, installed side by side."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace

import pytest

from creator_assistant.library import kinds
from creator_assistant.library.catalogue import DEMO, catalogue
from creator_assistant.runtime.resolver import choose, resolve
from tests.realmodels import install

SCRIPT = "write a 1 minute youtube script about baking sourdough bread"


def creator(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "creator_assistant", *args],
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def both(paths, smollm2, gemma270m):
    """A CREATOR_HOME with the real starter (chat) and the real Gemma 3 270M (base) installed."""
    install("smollm2-135m", paths)
    install("gemma-3-270m", paths)
    paths.config_file.write_text("[models]\nthreads = 2\n"
                                 "[tasks.script]\nmax_tokens = 4\ntemperature = 0.0\n"
                                 "[tasks.chat]\nmax_tokens = 4\ntemperature = 0.0\n")
    return paths


# -- the rule --------------------------------------------------------------------------------


@pytest.mark.parametrize("names, said", [
    (("google/gemma-3-4b-it-qat-q4_0-gguf",), True),
    (("Meta-Llama-3.1-8B-Instruct.Q4_K_M.gguf",), True),
    (("unsloth/Qwen3-4B-GGUF",), True),  # a family whose releases are tuned unless "Base"
    (("Qwen/Qwen3-4B-Base",), False),
    (("Gemma 3 270M pre-trained (base, not instruct)",), False),  # base wins over "instruct"
    (("google/gemma-3-270m-pt",), False),
    (("Gemma 3 270m", "gemma-3"), None),  # nothing said either way
])
def test_names_say_chat_or_base(names, said):
    assert kinds.from_names(*names) is said


def test_the_catalogue_records_chat_and_base_models():
    shipped = catalogue()
    assert kinds.is_chat(shipped["smollm2-135m"]) is True
    assert kinds.is_chat(shipped["gemma-3-270m"]) is False
    assert kinds.is_chat(shipped["minilm-l6-v2"]) is None  # an embedding model is neither
    text = [e for e in shipped.values() if e.category == "text-generation"]
    assert {e.id for e in text if kinds.is_chat(e) is not True} == {"gemma-3-270m"}
    assert kinds.is_chat(DEMO) is True  # random weights, but built with a chat template
    assert [kinds.tag(shipped[i]) for i in ("smollm2-135m", "gemma-3-270m", "gemma-3-4b")] == [
        "starter model", "base model", ""]


def test_a_file_decides_by_its_chat_template_then_its_names(smollm2, gemma270m, tmp_path):
    import gguf
    import numpy as np

    assert kinds.file_is_chat(smollm2) is True  # ChatML template in the file
    assert kinds.file_is_chat(gemma270m) is False  # no template, general.name "Gemma 3 270m"
    meta = kinds.read_metadata(gemma270m, ("general.name", "general.architecture",
                                           "tokenizer.chat_template"))
    assert meta == {"general.name": "Gemma 3 270m", "general.architecture": "gemma3"}
    # An instruct model whose file lacks a template still says so in its finetune name.
    path = tmp_path / "tuned.gguf"
    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_name("Tiny")
    writer.add_string("general.finetune", "Instruct")
    writer.add_token_list(["a", "b", "c"])
    writer.add_tensor("t", np.zeros(4, dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    assert kinds.file_is_chat(path) is True
    # An added entry (no `chat` recorded) is judged by its file.
    added = replace(catalogue()["gemma-3-270m"], id="mine", chat=None, source="added",
                    name="Gemma 3 270m", path=str(gemma270m))
    assert kinds.is_chat(added, gemma270m) is False
    text = tmp_path / "notes.gguf"
    text.write_text("not a model")
    with pytest.raises(ValueError, match="not a GGUF file"):
        kinds.read_metadata(text, ())


# -- choosing ---------------------------------------------------------------------------------


def test_a_base_model_is_never_chosen_by_itself(both):
    picked = choose("gemma-3-12b", both)  # the task's own model is missing
    assert picked.id == "smollm2-135m"  # although gemma-3-270m ranks higher
    assert "gemma-3-12b is not installed; using smollm2-135m, the starter model" in picked.note
    assert catalogue()["smollm2-135m"].note in picked.note  # shown, not repeated in code
    named = resolve("gemma-3-270m", both)  # chosen by name: it answers, with a notice
    assert named.id == "gemma-3-270m" and "is a base model" in named.note


def test_with_only_a_base_model_the_demo_answers_and_says_how_to_get_the_starter(paths,
                                                                                 gemma270m):
    install("gemma-3-270m", paths)
    picked = choose("gemma-3-12b", paths)
    assert picked.is_demo and "random weights" in picked.note
    assert "`creator models pull smollm2-135m`" in picked.note and "make chat" in picked.note
    assert "gemma-3-270m is a base model" in picked.note and "--model" in picked.note


def test_a_script_request_answers_with_the_chat_model(both):
    from creator_assistant.session import Session

    session = Session.open(both)
    try:
        turn = session.ask(SCRIPT)
        "".join(turn)
        result = turn.result
        assert result.task == "script" and result.status == "ok", result.error
        assert result.model == "smollm2-135m" and "starter model" in result.model_note
        # SmolLM2's own template (ChatML) built the prompt.
        text, source = turn.backend.format_prompt(turn.fitted.messages)
        assert source == "file" and text.startswith("<|im_start|>system\n")
    finally:
        session.close()


def test_a_base_model_named_in_config_answers_with_gemma_turns_and_a_notice(both):
    from creator_assistant.session import Session

    with both.config_file.open("a") as fh:
        fh.write('model = "gemma-3-270m"\n')  # under [tasks.chat]
    session = Session.open(both)
    try:
        turn = session.ask("say hello to my viewers", task="chat")
        "".join(turn)
        result = turn.result
        assert result.status == "ok", result.error
        assert result.model == "gemma-3-270m" and "is a base model" in result.model_note
        messages = turn.fitted.messages
        assert messages[0]["role"] == "system"
        text, source = turn.backend.format_prompt(messages)
        assert source == "gemma3 family"
        # Gemma has no system role: the system text opens the first user turn.
        system = messages[0]["content"].strip()
        assert text.startswith(f"<bos><start_of_turn>user\n{system}\n\n")
        assert "say hello to my viewers<end_of_turn>\n" in text
        assert text.endswith("<start_of_turn>model\n") and "<|im_start|>" not in text
        # The worker fed exactly this prompt, its turn markers read as Gemma's special tokens
        # (as plain text each would take several).
        assert result.usage.prompt_tokens == turn.backend.count_tokens(messages)
        assert turn.backend.token_sizes([text])[0] > result.usage.prompt_tokens + 10
    finally:
        session.close()


def test_the_model_a_user_picks_is_honoured(both):
    from creator_assistant.session import Session

    session = Session.open(both)
    try:
        picked = session.resolve_task(session.tasks["script"], model="gemma-3-270m").choice
        assert picked.id == "gemma-3-270m" and "is a base model" in picked.note
        auto = session.resolve_task(session.tasks["script"]).choice
        assert auto.id == "smollm2-135m"
    finally:
        session.close()


# -- labels in the CLI -------------------------------------------------------------------------


def test_models_list_and_info_say_chat_or_base_and_label_the_starter(both):
    text = creator("models", "list")
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    row = {ln.split()[0]: ln for ln in lines if ln and not ln.startswith((" ", "#"))}
    assert " chat " in row["smollm2-135m"] and " base " in row["gemma-3-270m"]
    starter = lines[lines.index(row["smollm2-135m"]) + 1]
    assert starter.strip() == f"starter model: {catalogue()['smollm2-135m'].note}"
    rows = {r["id"]: r for r in json.loads(creator("models", "list", "--json").stdout)}
    assert (rows["smollm2-135m"]["kind"], rows["gemma-3-270m"]["kind"]) == ("chat", "base")
    assert rows["minilm-l6-v2"]["kind"] == "embedding"
    info = creator("models", "info", "smollm2-135m")
    assert "kind:        chat" in info.stdout and "tag:         starter model" in info.stdout


def test_doctor_labels_the_answering_model_and_never_recommends_a_base_or_starter(both):
    data = json.loads(creator("doctor", "--json").stdout)
    assert data["answering_model"] == "smollm2-135m"
    assert data["answering_model_note"] == catalogue()["smollm2-135m"].note
    assert data["recommended_model"] not in ("gemma-3-270m", "smollm2-135m")
    text = creator("doctor").stdout
    assert "Answering  smollm2-135m (starter model): a real but very small model" in text


def test_doctor_with_no_chat_model_says_how_to_get_the_starter(home):
    data = json.loads(creator("doctor", "--json").stdout)
    assert data["answering_model"] == "demo" and data["starter_model"]["id"] == "smollm2-135m"
    assert "`creator models pull smollm2-135m`" in creator("doctor").stdout
