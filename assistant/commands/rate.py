"""`creator rate MESSAGE_ID N`: rate a reply 1-5, as `/rate N` does in the chat."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("rate", help="rate a reply 1-5; 4 or 5 makes it a voice sample",
                       description="Rate an assistant reply from 1 to 5. A reply rated 4 or 5 "
                       "becomes one of your voice samples (`creator voice list`); rating it "
                       "lower again takes it away. `creator history show ID --json` gives each "
                       "message's id; `/rate N` in the chat rates the latest reply.")
    p.add_argument("message_id", metavar="MESSAGE_ID", type=int, help="the reply's message id")
    p.add_argument("rating", metavar="N", help="1 to 5")


def run(args: argparse.Namespace) -> int:
    from creator_assistant.commands import CommandError
    from creator_assistant.paths import get_paths
    from creator_assistant.storage.db import open_db
    from creator_assistant.voice.rating import RatingError, rate_message, said

    db = open_db(get_paths().ensure().database)
    try:
        print(said(rate_message(db, args.message_id, args.rating)))
    except RatingError as exc:
        raise CommandError(str(exc)) from None
    finally:
        db.close()
    return 0
