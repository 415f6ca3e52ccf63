"""The creator's samples: files, folders and captions read as YouTube writes them, an imported
Studio export's titles with their performance, `creator voice`, and rated replies."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from creator_assistant.voice.captions import prose

EXPORT = Path(__file__).parent / "data" / "Content 2024-01-01_2024-12-31 Maker Bench"

# As YouTube writes them: an uploaded track as .srt and .sbv, automatic captions as .vtt
# (a roll-up cue with word timings, then a 10 ms cue repeating the line, the next line below).
SRT = """1
00:00:00,000 --> 00:00:02,400
Hey everyone, welcome back

2
00:00:02,400 --> 00:00:05,100
to the shop. Today we&#39;re building
<i>a desk</i> from one sheet.

3
00:00:05,100 --> 00:00:06,000
[Music]

"""
SBV = """0:00:00.000,0:00:02.400
Hey everyone, welcome back

0:00:02.400,0:00:05.100
to the shop. Today we're building
a desk from one sheet.
"""
VTT = """WEBVTT
Kind: captions
Language: en

00:00:00.000 --> 00:00:02.510 align:start position:0%
 
hey<00:00:00.240><c> everyone</c><00:00:00.539><c> welcome</c><00:00:00.840><c> back</c>

00:00:02.510 --> 00:00:02.520 align:start position:0%
hey everyone welcome back
 

00:00:02.520 --> 00:00:05.269 align:start position:0%
hey everyone welcome back
to<00:00:02.879><c> the</c><00:00:03.120><c> shop</c><00:00:03.360><c> today</c>

00:00:05.269 --> 00:00:05.279 align:start position:0%
to the shop today
 

00:00:05.279 --> 00:00:07.000 align:start position:0%
to the shop today
we're<00:00:05.600><c> building</c><00:00:05.900><c> a</c><c> desk</c>

NOTE this block is not spoken

00:00:07.000 --> 00:00:08.000 align:start position:0%
we're building a desk
 
"""


def creator(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "creator_assistant", *args],
                          capture_output=True, text=True, env=dict(os.environ), timeout=120)


def listed() -> list[dict]:
    proc = creator("voice", "list", "--json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_captions_become_prose_as_youtube_writes_them():
    spoken = "Hey everyone, welcome back to the shop. Today we're building a desk from one sheet."
    assert prose(SRT) == spoken
    assert prose(SBV) == spoken
    assert prose(VTT) == "hey everyone welcome back to the shop today we're building a desk"
    assert prose(SRT.replace("\n", "\r\n")) == spoken
    # An .srt whose blank lines hold a space still loses its cue numbers and timestamps.
    assert prose(SRT.replace("\n\n", "\n \n")) == spoken


def test_add_a_folder_with_hostile_files(home, tmp_path):
    folder = tmp_path / "writing"
    (folder / "scripts" / "2024").mkdir(parents=True)
    (folder / ".git").mkdir()
    (folder / "post.md").write_text("---\ntitle: \"Why plywood\"\ndate: 2024-03-05\n---\n\n"
                                    "Plywood is **honest**. Here's why I use it.\n")
    (folder / "scripts" / "2024" / "desk.txt").write_text("Hey everyone. Today: a desk.\n")
    (folder / "scripts" / "desk.srt").write_text(SRT)
    (folder / "scripts" / "auto.en.vtt").write_text(VTT)
    (folder / "scripts" / "desk.sbv").write_text(SBV)  # the same words as desk.srt: once
    (folder / "notes.csv").write_text("a,b\n1,2\n")
    (folder / ".git" / "HEAD.txt").write_text("ref: refs/heads/main\n")
    (folder / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (folder / "latin.txt").write_bytes("Caf\xe9 au lait, tr\xe8s bien".encode("latin-1"))
    (folder / "huge.txt").write_bytes(b"word " * (2 * 2**20 // 5 + 10))
    (folder / "empty.md").write_text("---\ntitle: nothing\n---\n\n")
    proc = creator("voice", "add", str(folder))
    assert proc.returncode == 0, proc.stderr
    problems = proc.stderr.strip().splitlines()
    assert len(problems) == 4 and "Traceback" not in proc.stderr
    assert "photo.txt: a binary file, not text" in proc.stderr
    assert "latin.txt: not UTF-8 text (byte 0xe9 at offset 3); save it as UTF-8" in proc.stderr
    assert "huge.txt: over 2 MB, too big for one sample" in proc.stderr
    assert "empty.md: no text in it" in proc.stderr
    assert "added 4 samples; 1 already stored; 1 other file skipped" in proc.stdout
    rows = {Path(r["source"]).name: r for r in listed()}
    assert sorted(rows) == ["auto.en.vtt", "desk.sbv", "desk.txt", "post.md"]  # .sbv read first
    post = rows["post.md"]
    assert (post["kind"], post["title"], post["date"]) == ("script", "Why plywood", "2024-03-05")
    assert post["text"] == "Plywood is **honest**. Here's why I use it."
    assert post["source"] == str((folder / "post.md").resolve())
    assert rows["desk.sbv"]["kind"] == "caption" and rows["desk.sbv"]["text"].startswith("Hey")
    assert rows["auto.en.vtt"]["text"].count("welcome back") == 1
    # The same text again (even spaced differently) is not added twice; --kind sets the kind.
    (tmp_path / "again.txt").write_text("Hey   everyone.\nToday: a desk.")
    (tmp_path / "new.txt").write_text("A post about sanding.")
    proc = creator("voice", "add", str(tmp_path / "again.txt"), str(tmp_path / "new.txt"),
                   "--kind", "post")
    assert proc.returncode == 0 and "added 1 sample; 1 already stored" in proc.stdout
    assert [r["kind"] for r in listed()][-1] == "post" and len(listed()) == 5
    # Nothing readable at all: exit 1, one line each.
    proc = creator("voice", "add", str(folder / "photo.txt"), str(tmp_path / "missing.md"))
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 2 and "missing.md: no such file or folder" in proc.stderr


def test_titles_of_an_imported_studio_export_carry_their_performance(home, tmp_path):
    assert creator("import", str(EXPORT)).returncode == 0
    proc = creator("voice", "add", str(EXPORT))
    assert proc.returncode == 0, proc.stderr
    assert "added 50 samples" in proc.stdout
    rows = listed()
    assert {r["kind"] for r in rows} == {"title"} and {r["source"] for r in rows} == {
        "studio export #1"}
    desk = next(r for r in rows if r["text"].startswith("I Built a Desk"))
    # The export's first video: 101,312 views, CTR 6.82 %, 6,995.5773 hours, Feb 14, 2024.
    assert desk["text"] == 'I Built a Desk From ONE Sheet of Plywood ("impossible" they said)'
    assert (desk["views"], desk["ctr"], desk["watch_time_hours"], desk["date"]) == (
        101312, 6.82, 6995.5773, "2024-02-14")
    assert "101,312 views, CTR 6.82%" in proc.stdout
    # A CSV of posts with descriptions: each description too, with the post's views.
    posts = tmp_path / "posts.csv"
    posts.write_text("title,description,views\nShop tour,\"A walk round my shop, "
                     "every tool.\",1200\n")
    assert creator("import", str(posts), "--as", "generic").returncode == 0
    proc = creator("voice", "add", "--import", "2", "--json")
    assert json.loads(proc.stdout)["added"] == [51, 52]
    kinds = {r["kind"]: r for r in listed()[50:]}
    assert kinds["description"]["text"] == "A walk round my shop, every tool."
    assert kinds["description"]["title"] == "Shop tour" and kinds["description"]["views"] == 1200
    assert kinds["description"]["source"] == "export #2"
    # A report without titles is refused in one line; so is an import that is not there.
    geo = Path(__file__).parent / "data" / "samples" / "youtube-studio-geography-Table data.csv"
    assert creator("import", str(geo)).returncode == 0
    proc = creator("voice", "add", "--import", "3", "--import", "9")
    assert proc.returncode == 1
    assert "import #3 is a Studio Geography report, not the per-video" in proc.stderr
    assert "no import #9; `creator import --list` shows them" in proc.stderr
    summary = creator("voice", "show").stdout
    assert "52 samples" in summary and "52 with performance" in summary
    assert "by kind:   title 51, description 1" in summary
    assert "by source: studio export #1 50, export #2 2" in summary


def test_show_and_rm(home, tmp_path):
    assert "no voice samples yet" in creator("voice", "show").stdout
    (tmp_path / "a.md").write_text("First \x1b[31mred\x1b[0m post.")
    (tmp_path / "b.txt").write_text("Second post.")
    assert creator("voice", "add", str(tmp_path)).returncode == 0
    shown = creator("voice", "show", "1").stdout
    assert "First" in shown and "\x1b" not in shown  # stored text shown, not obeyed
    assert json.loads(creator("voice", "show", "2", "--json").stdout)["text"] == "Second post."
    proc = creator("voice", "rm", "1", "7")
    assert proc.returncode == 1 and proc.stderr.strip() == (
        "creator: no sample #7; `creator voice list` shows them; nothing was removed")
    assert len(listed()) == 2
    assert creator("voice", "rm", "1", "2").stdout.strip() == "removed 2 samples"
    assert listed() == []
    proc = creator("voice", "show", "1")
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1
    assert creator("voice", "add").returncode == 2


@pytest.fixture
def replies(paths):
    from creator_assistant.storage.db import open_db
    from creator_assistant.storage.store import Store

    store = Store(open_db(paths.database))
    cid = store.new_conversation()
    asked = store.add_message(cid, "user", "a hook for my desk video")
    reply = store.add_message(cid, "assistant", "One sheet. One desk. No excuses.")
    store.db.close()
    return asked, reply


def test_creator_rate_makes_a_sample_and_takes_it_back(replies, paths):
    asked, reply = replies
    proc = creator("rate", str(reply), "5")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == (f"Rated reply {reply}: 5/5. It is now voice sample #1 "
                                   "(`creator voice list`).")
    [row] = listed()
    assert (row["kind"], row["source"], row["text"]) == (
        "reply", f"reply {reply}", "One sheet. One desk. No excuses.")
    assert creator("rate", str(reply), "4").stdout.strip().endswith("It is voice sample #1.")
    proc = creator("rate", str(reply), "2")
    assert proc.stdout.strip() == f"Rated reply {reply}: 2/5. It is no longer a voice sample."
    assert listed() == []
    for args, said in (((str(asked), "5"), "is yours, not a reply"),
                       ((str(reply), "6"), "a whole number from 1 to 5, not '6'"),
                       (("999", "3"), "no message 999")):
        proc = creator("rate", *args)
        assert proc.returncode == 1 and said in proc.stderr and proc.stderr.count("\n") == 1
    from creator_assistant.storage.db import open_db

    db = open_db(paths.database)
    assert db.execute("select rating from messages where id = ?", [reply]).fetchone() == (2,)
    assert db.execute("select rating from messages where id = ?", [asked]).fetchone() == (None,)


def test_rate_in_a_session_rates_the_latest_reply(paths):
    from creator_assistant.registry import CommandContext
    from creator_assistant.session import Session
    from creator_assistant.voice.samples import list_samples

    paths.config_file.write_text("[tasks.chat]\nmax_tokens = 8\ncontext = 512\n")
    session = Session.open(paths)
    try:
        ctx = CommandContext(session, None)
        assert "Nothing to rate yet" in session.run_command("/rate 5", ctx)
        turn = session.ask("a hook for my desk video", task="chat")
        "".join(turn)
        ctx.conversation_id = turn.result.conversation_id
        mid = turn.result.message_id
        assert "voice sample #1" in session.run_command("/rate 5", ctx)
        [sample] = list_samples(session.store.db)
        reply = session.store.messages(ctx.conversation_id)[-1]
        assert (sample["source"], sample["text"], reply["rating"]) == (
            f"reply {mid}", reply["content"], 5)
        assert "Not rated: a rating is a whole number from 1 to 5" in session.run_command(
            "/rate 0", ctx)
        assert session.run_command("/rate", ctx).startswith("Usage: `/rate N`")
        assert "no longer a voice sample" in session.run_command("/rate 3", ctx)
        assert list_samples(session.store.db) == []
    finally:
        session.close()



@pytest.fixture
def core(paths):
    from tests.test_ui import open_core

    paths.config_file.write_text("[tasks.chat]\nmax_tokens = 8\ncontext = 512\n")
    yield from open_core(paths)


async def test_rate_in_the_chat_ui(core):
    from tests.test_ui import SIZE, app_for, replied, saved, type_text, until

    app = app_for(core)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await type_text(pilot, "a hook for my desk video")
        await pilot.press("enter")
        await until(pilot, replied(screen))
        await type_text(pilot, "/rate 5")
        await pilot.press("enter")
        await until(pilot, lambda: screen.log_view.messages[-1].role == "command")
        assert "It is now voice sample #1" in screen.log_view.messages[-1].text
        reply = saved(core, screen.cid)[-1]
        assert reply["rating"] == 5
    assert [r["source"] for r in listed()] == [f"reply {reply['id']}"]


async def test_the_rate_key_starts_the_command(core):
    from tests.test_ui import SIZE, app_for, replied, saved, type_text, until

    app = app_for(core)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await pilot.press("f4")
        await until(pilot, lambda: screen.prompt.text == "")  # nothing to rate yet: a notice
        await type_text(pilot, "a hook for my desk video")
        await pilot.press("enter")
        await until(pilot, replied(screen))
        await pilot.press("f4")
        await until(pilot, lambda: screen.prompt.text == "/rate ")
        await type_text(pilot, "4")
        await pilot.press("enter")
        await until(pilot, lambda: screen.log_view.messages[-1].role == "command")
        assert saved(core, screen.cid)[-1]["rating"] == 4
