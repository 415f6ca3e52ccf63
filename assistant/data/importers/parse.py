"""Cell parsers for the values real exports hold: `<1`, `74%`, `1.2K`, `H:MM:SS`, `Sep 27, 2024`."""

from __future__ import annotations

import datetime as dt
import math
import re

from creator_assistant.data.importers.base import CellError

LARGEST = 1e15  # beyond any view count; keeps every integer inside SQLite's range
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_SUFFIX = {"k": 1e3, "m": 1e6, "b": 1e9}
_HMS = re.compile(r"^(?:(\d{1,9}):)?(\d{1,2}):(\d{2})(?:\.\d+)?$")
_ISO_DURATION = re.compile(r"^P(?:(\d{1,9})D)?T?(?:(\d{1,9})H)?(?:(\d{1,9})M)?(?:(\d{1,9})S)?$")
_DATE_FORMATS = ("%b %d, %Y", "%B %d, %Y", "%d %b %Y", "%d %B %Y", "%m/%d/%Y", "%m/%d/%y",
                 "%Y/%m/%d", "%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S", "%Y-%m-%d %H:%M")


def number(text: str) -> float | None:
    """A number from an export cell; None for a blank cell; CellError when it is not one."""
    s = text.strip().replace("\u2212", "-").replace("\u00a0", "").replace(" ", "")
    if s in ("", "-", "\u2014", "\u2013", "N/A", "n/a"):
        return None
    if s.startswith("<"):  # Google Trends: "<1" means above zero but under one
        value = number(s[1:])
        return None if value is None else value / 2
    if s.endswith("%"):
        s = s[:-1]
    if _THOUSANDS.match(s):
        s = s.replace(",", "")
    scale = 1.0
    if s and s[-1].lower() in _SUFFIX and len(s) > 1:  # TikTok: "1.2K"
        scale, s = _SUFFIX[s[-1].lower()], s[:-1]
    try:
        value = float(s) * scale
    except ValueError:
        raise CellError("a number", text) from None
    if not math.isfinite(value) or abs(value) > LARGEST:  # `inf`, `nan`, `1e309`
        raise CellError("a number", text)
    return value


def integer(text: str) -> int | None:
    value = number(text)
    return None if value is None else int(round(value))


def seconds(text: str) -> int | None:
    """A duration as seconds: `H:MM:SS`, `M:SS`, ISO 8601 `PT4M13S`, or plain seconds."""
    s = text.strip()
    if not s:
        return None
    m = _HMS.match(s)
    if m:
        total = int(m.group(1) or 0) * 3600 + int(m.group(2)) * 60 + int(m.group(3))
    elif (m := _ISO_DURATION.match(s)) and s != "P" and s != "PT":
        d, h, mi, se = (int(g or 0) for g in m.groups())
        total = d * 86400 + h * 3600 + mi * 60 + se
    else:
        try:
            value = float(s)
        except ValueError:
            value = math.inf
        total = int(round(value)) if abs(value) <= LARGEST else int(LARGEST) + 1
    if abs(total) > LARGEST:
        raise CellError("a duration like 0:04:34 or a number of seconds", text)
    return total


def date(text: str) -> str | None:
    """An ISO date (`2024-09-27`), or date and time when the cell has one; None when blank."""
    s = text.strip()
    if not s:
        return None
    iso = s.replace("Z", "+00:00")
    try:
        if len(s) == 7 and s[4] == "-":  # a month, as Google Trends writes it
            dt.date(int(s[:4]), int(s[5:]), 1)
            return s
        if "T" in s or " " in s and ":" in s:
            stamp = dt.datetime.fromisoformat(iso)
            if stamp.tzinfo is not None:
                stamp = stamp.astimezone(dt.UTC).replace(tzinfo=None)
            return stamp.isoformat(timespec="seconds")
        return dt.date.fromisoformat(s).isoformat()
    except ValueError:
        pass
    for fmt in _DATE_FORMATS:
        try:
            stamp = dt.datetime.strptime(s, fmt)
            return stamp.isoformat(timespec="seconds") if "%H" in fmt else stamp.date().isoformat()
        except ValueError:
            continue
    raise CellError("a date like 2024-09-27 or Sep 27, 2024", text)


def text(value: str) -> str:
    # YouTube Studio prefixes ids starting with "-" with a space so spreadsheets keep them text.
    return value.strip()


PARSERS = {"text": text, "int": integer, "float": number, "pct": number, "seconds": seconds,
           "date": date}


def guess_kind(values: list[str]) -> str:
    """The parser that reads every non-blank value in a column, for columns no map names."""
    filled = [v for v in values if v.strip()]
    if not filled:
        return "text"
    for kind in ("float", "seconds", "date"):
        try:
            for value in filled:
                PARSERS[kind](value)
            return kind
        except CellError:
            continue
    return "text"
