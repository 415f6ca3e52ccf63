"""Warm resume on models the project builds: a new worker restores the saved KV state of a
conversation and replies exactly as a fresh context does; a state that does not match (another
prompt, model file or layout) is never used; damaged files are survived, noticed and deleted;
the folder keeps to its budget, least recently used first."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from creator_assistant.runtime import kv_states
from creator_assistant.runtime.demo import DemoShape, build_demo_model
from creator_assistant.runtime.local import LocalBackend
from tests.test_kv_reuse import SWA_CELLS, WINDOW, greedy, words  # the same gemma3 demo

N_CTX = 2048


@pytest.fixture(scope="module")
def swa_model(tmp_path_factory):
    shape = DemoShape(arch="gemma3", sliding_window=WINDOW, n_layer=6, context=4096)
    return build_demo_model(tmp_path_factory.mktemp("gemma3") / "gemma3-swa.gguf", shape)


def conversation(seed: int = 0, sizes=(300, 40, 200, 250)) -> list[list[dict[str, str]]]:
    """Prompts of a conversation, each turn adding a message and a saved reply; it grows past the
    window and past the sliding-window cache's cells."""
    history = [{"role": "system", "content": "Be brief."}]
    out = []
    for turn, size in enumerate(sizes):
        history.append({"role": "user", "content": words(size, seed + turn)})
        out.append(list(history))
        history.append({"role": "assistant", "content": words(20, seed + 40 + turn)})
    return out


def backend(model, kv_dir, mb: float = 64.0, **kw) -> LocalBackend:
    return LocalBackend(model, n_ctx=N_CTX, kv_dir=kv_dir, kv_states_mb=mb, **kw)


def turn(b: LocalBackend, messages) -> tuple[str, int, int, str]:
    """(reply, prompt tokens, restored tokens, notice)."""
    text = "".join(b.stream(greedy(messages)))
    u = b.last_usage
    return text, u.prompt_tokens, u.restored_tokens, u.state_notice


def fresh_replies(model, prompts, swa_full: bool = False) -> list[str]:
    never = LocalBackend(model, n_ctx=N_CTX, kv_reuse="never", swa_full=swa_full)
    try:
        return [turn(never, p)[0] for p in prompts]
    finally:
        never.close()


def one_turn(model, kv_dir, messages, **kw) -> tuple[str, int, int, str]:
    """One turn in a new worker process, closed after (closing saves the state)."""
    b = backend(model, kv_dir, **kw)
    try:
        return turn(b, messages)
    finally:
        b.close()


def states(kv_dir) -> list:
    return sorted(kv_dir.glob("*.kvs"))


@pytest.mark.parametrize("swa_full", [False, True])
def test_each_restart_resumes_and_replies_as_a_fresh_context(swa_model, tmp_path, swa_full):
    prompts = conversation()
    expected = fresh_replies(swa_model, prompts, swa_full=swa_full)
    got = [one_turn(swa_model, tmp_path, p, swa_full=swa_full) for p in prompts]
    sizes = [size for _, size, _, _ in got]
    assert WINDOW < sizes[0] < sizes[2] + 12 <= SWA_CELLS < sizes[3]
    assert [text for text, *_ in got] == expected
    restored = [r for _, _, r, _ in got]
    assert restored[0] == 0
    assert all(restored[t] >= sizes[t - 1] for t in range(1, 3)), restored
    # Past a window-sized cache's cells, sliding-window models do not restore (either kind).
    assert restored[3] == 0, restored
    assert not any(notice for *_, notice in got)
    assert len(states(tmp_path)) == 1  # each state replaced the one it extends


def test_an_edited_message_never_uses_the_state(swa_model, tmp_path):
    prompts = conversation()
    one_turn(swa_model, tmp_path, prompts[1])
    edited = [dict(m) for m in prompts[2]]
    edited[1]["content"] = "edited " + edited[1]["content"]  # the first message, edited
    text, _, restored, _ = one_turn(swa_model, tmp_path, edited)
    assert restored == 0
    assert text == fresh_replies(swa_model, [edited])[0]


def test_another_model_file_or_layout_never_uses_the_state(swa_model, tmp_path):
    prompts = conversation()
    one_turn(swa_model, tmp_path / "kv", prompts[0])
    copy = tmp_path / "copy.gguf"  # the same bytes, another file: its own states
    shutil.copy(swa_model, copy)
    assert one_turn(copy, tmp_path / "kv", prompts[1])[2] == 0
    assert one_turn(swa_model, tmp_path / "kv", prompts[1], swa_full=True)[2] == 0
    # The original file touched (replaced in place): its old states no longer match it.
    os.utime(copy, ns=(1, 1))
    assert one_turn(copy, tmp_path / "kv", prompts[1])[2] == 0
    assert one_turn(swa_model, tmp_path / "kv", prompts[1])[2] > 0  # still its own


def test_switching_conversations_saves_the_one_dropped(swa_model, tmp_path):
    first, second = conversation(0), conversation(5)
    b = backend(swa_model, tmp_path)
    try:
        turn(b, first[0])
        turn(b, second[0])  # drops the first conversation's cache: saved first
        text, _, restored, _ = turn(b, first[1])  # back to it: restored in the same worker
        assert restored > 0
        assert text == fresh_replies(swa_model, [first[1]])[0]
    finally:
        b.close()


def damage(kind: str, path, other) -> None:
    data = bytearray(path.read_bytes())
    if kind == "truncated":
        del data[len(data) // 2:]
    elif kind == "flipped state":
        data[-100] ^= 0xFF
    elif kind == "flipped header":
        data[len(kv_states.MAGIC) + 10] ^= 0x5A
    elif kind == "wrong magic":
        data[:4] = b"GGUF"
    elif kind == "another layout":  # a state saved with another context size, renamed as ours
        data = bytearray(other.read_bytes())
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("kind", ["truncated", "flipped state", "flipped header", "wrong magic",
                                  "another layout"])
def test_a_damaged_state_is_ignored_with_a_notice_and_deleted(swa_model, tmp_path, kind):
    prompts = conversation()
    one_turn(swa_model, tmp_path / "kv", prompts[0])
    [saved] = states(tmp_path / "kv")
    other = LocalBackend(swa_model, n_ctx=N_CTX * 2, kv_dir=tmp_path / "other", kv_states_mb=64)
    try:
        turn(other, prompts[0])
    finally:
        other.close()
    damage(kind, saved, states(tmp_path / "other")[0])
    text, _, restored, notice = one_turn(swa_model, tmp_path / "kv", prompts[1])
    assert restored == 0
    assert "ignored and deleted" in notice and saved.name in notice
    assert text == fresh_replies(swa_model, [prompts[1]])[0]
    left = states(tmp_path / "kv")  # deleted; this turn's own state saved
    assert saved not in left and len(left) == 1


def test_the_budget_drops_the_least_recently_used(swa_model, tmp_path):
    a, b, c = conversation(0), conversation(3), conversation(6)
    one_turn(swa_model, tmp_path, a[0])
    size = states(tmp_path)[0].stat().st_size
    mb = 2.5 * size / kv_states.MB  # room for two states
    one_turn(swa_model, tmp_path, b[0], mb=mb)
    os.utime(states(tmp_path)[0], ns=(10**9, 10**9))  # order them without waiting on the clock
    os.utime(states(tmp_path)[1], ns=(2 * 10**9, 2 * 10**9))
    # Resuming `a` marks its state used; saving `c` then drops `b`'s, the least recently used.
    assert one_turn(swa_model, tmp_path, a[1], mb=mb)[2] > 0
    one_turn(swa_model, tmp_path, c[0], mb=mb)
    left = states(tmp_path)
    assert len(left) == 2
    assert sum(p.stat().st_size for p in left) <= mb * kv_states.MB
    assert one_turn(swa_model, tmp_path, b[1], mb=mb)[2] == 0


def test_summary_counts_the_states(swa_model, tmp_path):
    assert kv_states.summary(tmp_path / "none")["files"] == 0
    one_turn(swa_model, tmp_path, conversation()[0])
    info = kv_states.summary(tmp_path, budget_mb=2)
    assert info["files"] == 1 and info["bytes"] == states(tmp_path)[0].stat().st_size
    assert info["budget"] == 2 * kv_states.MB and info["oldest"]


def test_short_prompts_and_reuse_off_save_nothing(swa_model, tmp_path):
    one_turn(swa_model, tmp_path, [{"role": "user", "content": words(20, 1)}])
    one_turn(swa_model, tmp_path, conversation()[0], kv_reuse="never")
    one_turn(swa_model, tmp_path, conversation()[0], mb=0)
    assert states(tmp_path) == []


@pytest.mark.parametrize("mb", [1024, 0])
def test_a_conversation_resumes_after_the_app_closes(paths, mb):
    """The product's path: the session's pool saves on close; the next session's first turn
    restores it, and the reply's details say so; `[models] kv_states_mb = 0` turns it off."""
    from creator_assistant.session import Session
    from creator_assistant.ui.info import ReplyInfo

    paths.config_file.write_text(f"[models]\nkv_states_mb = {mb}\n\n"
                                 "[tasks.chat]\nmax_tokens = 16\ncontext = 2048\n")
    session = Session.open(paths)
    try:
        first = session.ask(words(300, 2), task="chat")
        "".join(first)
        cid = first.result.conversation_id
    finally:
        session.close()
    assert len(states(paths.kv_states_dir)) == (1 if mb else 0)
    shown = subprocess.run([sys.executable, "-m", "creator_assistant", "cache", "stats", "--json"],
                           capture_output=True, text=True, check=True)
    info = json.loads(shown.stdout)["kv_states"]
    assert info["files"] == (1 if mb else 0) and info["budget"] == mb * kv_states.MB
    session = Session.open(paths)
    try:
        second = session.ask("and one about cheese", task="chat", conversation_id=cid)
        "".join(second)
    finally:
        session.close()
    usage = second.result.usage
    line = ReplyInfo.from_result(second.result).line()
    if mb:
        assert usage.restored_tokens >= first.result.usage.prompt_tokens
        assert f"{usage.restored_tokens:,} prompt tokens resumed from disk" in line
    else:
        assert usage.restored_tokens == 0 and "resumed" not in line


def test_a_folder_it_cannot_write_costs_only_the_state(swa_model, tmp_path):
    (tmp_path / "file").write_text("not a folder")
    kv_dir = tmp_path / "file" / "kv"
    prompts = conversation()
    b = backend(swa_model, kv_dir)
    try:
        turn(b, prompts[0])
        text, _, restored, notice = turn(b, conversation(5)[0])  # drops the first: a save
        assert restored == 0 and "was not saved" in notice
        assert text == fresh_replies(swa_model, [conversation(5)[0]])[0]
    finally:
        b.close()
    assert not kv_dir.exists()
