"""Rating a reply 1-5 (`/rate N`, `creator rate ID N`): the rating is kept on the message, a reply
rated 4 or 5 becomes a sample (kind "reply"), and rating it lower again takes that sample away."""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from creator_assistant.storage.writes import write
from creator_assistant.voice.samples import TABLE, Draft, add

GOOD = 4  # a rating from which a reply is worth learning from


class RatingError(ValueError):
    """A rating that cannot be given: out of range, no such reply."""


@dataclass
class Rated:
    message_id: int
    rating: int
    sample_id: int | None = None  # the sample the reply is (4-5)
    added: bool = False  # it became a sample now
    removed: bool = False  # its sample was taken away now


def check(rating: object) -> int:
    text = str(rating).strip()
    if not text.isdigit() or not 1 <= int(text) <= 5:
        raise RatingError(f"a rating is a whole number from 1 to 5, not {text!r}")
    return int(text)


def rate_message(db: sqlite_utils.Database, message_id: int, rating: object) -> Rated:
    """Rate assistant reply `message_id`; RatingError when it is not one or `rating` is not 1-5."""
    value = check(rating)
    source = f"reply {message_id}"
    with write(db):
        row = db.execute("select role, content, created from messages where id = ?",
                         [message_id]).fetchone()
        if row is None:
            raise RatingError(f"no message {message_id}; `creator history show ID --json` "
                              "gives each message's id")
        role, content, created = row
        if role != "assistant":
            raise RatingError(f"message {message_id} is yours, not a reply; rate the "
                              "assistant's replies")
        if not (content or "").strip():
            raise RatingError(f"reply {message_id} is empty; there is nothing to rate")
        db.execute("update messages set rating = ? where id = ?", [value, message_id])
        done = Rated(message_id, value)
        if value >= GOOD:
            [(done.sample_id, done.added)] = add(db, [Draft(content, "reply", source,
                                                            date=(created or "")[:10] or None)])
        else:
            done.removed = db.execute(f"delete from {TABLE} where source = ?",
                                      [source]).rowcount > 0
    return done


def latest_reply(db: sqlite_utils.Database, conversation_id: str) -> int | None:
    """The id of the conversation's latest assistant reply with text, if any."""
    row = db.execute("select id from messages where conversation_id = ? and role = 'assistant' "
                     "and trim(coalesce(content, '')) != '' order by seq desc limit 1",
                     [conversation_id]).fetchone()
    return int(row[0]) if row else None


def said(done: Rated) -> str:
    """The rating in words, for the chat and the CLI."""
    text = f"Rated reply {done.message_id}: {done.rating}/5."
    if done.added:
        return text + f" It is now voice sample #{done.sample_id} (`creator voice list`)."
    if done.sample_id is not None:
        return text + f" It is voice sample #{done.sample_id}."
    if done.removed:
        return text + " It is no longer a voice sample."
    return text
