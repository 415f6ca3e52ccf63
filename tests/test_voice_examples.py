"""The creator's samples in a content task's prompt: as many as the room allows (counted exactly
by the real model's tokenizer), never evicting history or cutting the message; nearest in
meaning, better-performing first; shown in the reply's details; `--no-voice` and `[voice]
examples = false` keep them out."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from creator_assistant.context.conversation import BackendCounter
from creator_assistant.context.examples import TITLE, fit_examples, with_examples
from creator_assistant.context.fitting import fit
from creator_assistant.storage.db import open_db
from creator_assistant.voice import samples
from tests.realmodels import install

COFFEE = "Cold brew is just patience in a jar. Twelve hours, coarse grounds, cold water. Done."
GARDEN = "My tomatoes died again, so this week we're talking soil, sun and stubbornness."
BUDGET = "Groceries ate my paycheck, so I tried a ten dollar week. Here's what I bought."


def creator(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "creator_assistant", *args],
                          capture_output=True, text=True, env=dict(os.environ), timeout=300)


def talk(n: int) -> list[dict[str, str]]:
    out = []
    for i in range(n):
        out.append({"role": "user", "content": f"question {i}: " + "tell me more " * 20})
        out.append({"role": "assistant", "content": f"answer {i}: " + "here is more " * 20})
    return out


def test_examples_fill_the_room_and_give_way_first(demo_backend):
    counter = BackendCounter(demo_backend)
    examples = [COFFEE * 4, GARDEN * 4, BUDGET * 4]
    history, user = talk(2), "write a script about cold brew"
    base = fit("You write scripts.", history, user, counter, 4096, 512)
    roomy = fit_examples(base, examples, "You write scripts.", history, user, counter, 4096, 512,
                         start=0, pinned=(), summary="")
    assert roomy.examples == 3 and roomy.kept_from == base.kept_from
    assert roomy.messages[-1]["content"] == with_examples(user, examples)
    assert roomy.prompt_tokens == counter.count(roomy.messages) <= 4096 - 512
    # A long conversation in a small window: examples go before any history does.
    history = talk(6)
    base = fit("You write scripts.", history, user, counter, 1024, 256)
    tight = fit_examples(base, examples, "You write scripts.", history, user, counter, 1024, 256,
                         start=0, pinned=(), summary="")
    assert tight.kept_from == base.kept_from and tight.notices == base.notices
    assert tight.examples < 3
    assert tight.prompt_tokens <= 1024 - 256
    assert tight.messages[-1]["content"].endswith(user)


def add_samples(paths) -> dict[str, int]:
    db = open_db(paths.database)
    ids = samples.add(db, [
        samples.Draft(COFFEE, "script", "coffee.md", views=900),
        samples.Draft("Iced coffee at home, the lazy way: brew strong, pour over ice, done.",
                      "script", "iced.md", views=12000),
        samples.Draft(GARDEN, "post", "garden.md", views=50000),
        samples.Draft(BUDGET, "post", "budget.md")])
    db.close()
    return dict(zip(["coffee", "iced", "garden", "budget"], [i for i, _ in ids], strict=True))


def test_a_script_gets_the_nearest_samples_better_performing_first(paths, minilm):
    install("minilm-l6-v2", paths)
    ids = add_samples(paths)
    out = creator("ask", "--json", "--task", "script", "a 30 second video about making cold brew")
    assert out.returncode == 0, out.stderr
    voice = json.loads(out.stdout.splitlines()[-1])["voice"]
    used = [s["id"] for s in voice]
    assert used[:2] == [ids["iced"], ids["coffee"]]  # both coffee; more views first
    assert all(s["by"] == "meaning" for s in voice)
    assert f"your samples #{ids['iced']}" in out.stderr
    off = creator("ask", "--json", "--no-voice", "--task", "script",
                  "a 30 second video about cold brew")
    assert json.loads(off.stdout.splitlines()[-1])["voice"] is None
    chat = creator("ask", "--json", "--task", "chat", "tell me about cold brew")
    assert json.loads(chat.stdout.splitlines()[-1])["voice"] is None  # chat does not ask


def test_the_config_switch_turns_it_off(paths):
    add_samples(paths)
    paths.config_file.write_text("[voice]\nexamples = false\n", encoding="utf-8")
    out = creator("ask", "--json", "--task", "script", "a 30 second video about cold brew")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.splitlines()[-1])["voice"] is None


def test_without_the_embedding_model_samples_are_found_by_words(paths):
    ids = add_samples(paths)
    out = creator("ask", "--json", "--task", "blog", "a post about my tomatoes and the soil")
    voice = json.loads(out.stdout.splitlines()[-1])["voice"]
    assert voice and voice[0]["id"] == ids["garden"] and voice[0]["by"] == "words"


def test_no_samples_means_an_empty_list(paths):
    out = creator("ask", "--json", "--task", "script", "a 30 second video about cold brew")
    assert json.loads(out.stdout.splitlines()[-1])["voice"] == []
    assert TITLE  # the block's heading is what the prompt shows


def test_the_style_card_joins_a_content_tasks_instructions(paths):
    from creator_assistant.session import Session
    from creator_assistant.testing import ask
    from creator_assistant.voice.style import card

    add_samples(paths)
    session = Session.open(paths)
    try:
        turn = session.ask("a 30 second video about cold brew", task="script")
        for _ in turn:
            pass
        db = open_db(paths.database)
        texts = [r["text"] for r in db.query("select text from voice_samples order by id desc")]
        db.close()
        note = card(texts).short()
        assert note and note in turn.fitted.messages[0]["content"]
        chat = session.ask("hello there", task="chat")
        for _ in chat:
            pass
        assert note not in chat.fitted.messages[0]["content"]
        assert ask(session, "a 30 second video about gardens", task="script", voice=False) \
            .voice is None
    finally:
        session.close()


def test_voice_show_prints_the_style_card(paths, tmp_path):
    posts = tmp_path / "posts"
    posts.mkdir()
    for n in range(3):
        (posts / f"p{n}.md").write_text(f"Hey friends! Cold brew, take {n}. You will love it.\n\n"
                                        "See you next week!\n", encoding="utf-8")
    assert creator("voice", "add", str(posts)).returncode == 0
    out = creator("voice", "show")
    assert out.returncode == 0, out.stderr
    assert "Style card from 3 samples" in out.stdout
    assert 'Sign-offs: "See you next week" (3 samples)' in out.stdout
    data = json.loads(creator("voice", "show", "--json").stdout)
    assert data["samples"] == 3 and data["style"]["samples"] == 3


def test_a_long_sample_is_quoted_from_its_start():
    from creator_assistant.voice.for_prompt import excerpt

    text = " ".join(f"Sentence number {n} is here." for n in range(200))
    cut = excerpt(text, 50)
    assert len(cut.split()) <= 51 and cut.endswith("here. …") and text.startswith(cut[:-2])
    assert excerpt("short and sweet") == "short and sweet"
