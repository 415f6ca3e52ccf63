"""The span a figure covers (`--since 30d`) and the usage rows recorded in it."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import sqlite_utils

_SPAN = re.compile(r"(\d{1,5})\s*([hdw])")
_UNIT = {"h": dt.timedelta(hours=1), "d": dt.timedelta(days=1), "w": dt.timedelta(weeks=1)}


class UsageError(ValueError):
    """A bad `--since`: the message says what to give instead."""


@dataclass(frozen=True)
class Period:
    text: str  # as given: "30d", "2w", "all"
    start: dt.datetime | None  # None: everything recorded
    end: dt.datetime

    def as_dict(self) -> dict[str, Any]:
        return {"since": self.text, "from": self.start.isoformat() if self.start else None,
                "to": self.end.isoformat()}


def parse_since(text: str, now: dt.datetime | None = None) -> Period:
    """`30d`, `2w`, `12h` or `all` as a Period ending now; UsageError otherwise."""
    end = now or dt.datetime.now(dt.UTC)
    given = text.strip().lower()
    if given == "all":
        return Period("all", None, end)
    match = _SPAN.fullmatch(given)
    if match is None or int(match.group(1)) == 0:
        raise UsageError(f"--since {text!r} is not a span: give one like 30d, 2w, 12h, or all")
    return Period(given, end - int(match.group(1)) * _UNIT[match.group(2)], end)


def usage_rows(db: sqlite_utils.Database, period: Period) -> list[dict[str, Any]]:
    """The usage rows recorded in the period, oldest first, each with its reply's rating (None:
    unrated, or the reply is gone)."""
    # The conversation too: SQLite may give a deleted message's id to a later message.
    sql = ("select u.*, m.rating as rating from usage u left join messages m on m.id ="
           " u.message_id and m.conversation_id = u.conversation_id where u.created >= ? and"
           " u.created <= ? order by u.created, u.id")
    start = period.start.isoformat(timespec="milliseconds") if period.start else ""
    end = period.end.isoformat(timespec="milliseconds")
    return [dict(r) for r in db.query(sql, [start, end])]


def days_covered(rows: list[dict[str, Any]], period: Period) -> float:
    """Days the figures cover: the period, or less when usage began later in it (at least one)."""
    if not rows:
        return max(1.0, _days(period.end - period.start)) if period.start else 1.0
    first = dt.datetime.fromisoformat(rows[0]["created"])
    start = max(first, period.start) if period.start else first
    return max(1.0, _days(period.end - start))


def _days(span: dt.timedelta) -> float:
    return span.total_seconds() / 86400
