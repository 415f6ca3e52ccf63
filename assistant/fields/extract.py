"""Reading a message's fields: topic, audience, length, keywords, platform and niche."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

PLATFORMS = {
    "youtube shorts": "YouTube Shorts", "shorts": "YouTube Shorts",
    "youtube short": "YouTube Shorts",
    "tiktok": "TikTok", "tik tok": "TikTok", "instagram reels": "Instagram Reels",
    "reels": "Instagram Reels", "reel": "Instagram Reels", "instagram": "Instagram",
    "insta": "Instagram", "ig": "Instagram", "youtube": "YouTube", "linkedin": "LinkedIn",
    "twitter": "X (Twitter)", "threads": "Threads", "facebook": "Facebook",
    "pinterest": "Pinterest", "twitch": "Twitch", "podcast": "podcast", "substack": "Substack",
}
_PLATFORM = re.compile(r"\b(" + "|".join(sorted(map(re.escape, PLATFORMS), key=len, reverse=True))
                       + r")\b", re.IGNORECASE)
_UNITS = {"h": 3600, "hour": 3600, "hr": 3600, "min": 60, "minute": 60, "sec": 1, "second": 1}
_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
            "seven": 7, "eight": 8, "nine": 9, "ten": 10, "twelve": 12, "fifteen": 15,
            "twenty": 20, "thirty": 30, "forty": 40, "forty-five": 45, "sixty": 60, "ninety": 90}
_DURATION = re.compile(
    r"\b(?:(\d+(?:\.\d+)?)|(" + "|".join(sorted(_NUMBERS, key=len, reverse=True)) + r"))"
    r"(?:\s*(?:-|to|\u2013|or)\s*(\d+(?:\.\d+)?))?[\s-]*"
    r"(hours?|hrs?|h(?=\b)|minutes?|mins?|seconds?|secs?)\b",
    re.IGNORECASE,
)
_STOP = (r"\s+(?:for|aimed at|targeting|targeted at|geared (?:to|toward|towards)|that|which|"
         r"with (?:a|an|the|some|keywords?|tips|examples|\d)|using|including|so that|because|in "
         r"(?:under |about |around |less than )?\d|in (?:a|one|two|three|five|ten) \w+|and "
         r"(?:make|keep|include|add|use|give|end)|(?:make|keep) it|please|instead|this time)\b"
         r"|\s*[,;:.?!()\n]|\s+-\s")
_TOPIC_LEADS = (
    re.compile(r"\b(?:about|on the (?:topic|subject) of|topic(?: is|:)|covering|regarding|"
               r"explaining|explain|titled|called|focused on|focusing on|re:)\s+"
               r"|^[^:\n]{0,40}\b(?:script|video|post|outline|newsletter|caption|topic|title)\s*:\s*",
               re.IGNORECASE),
    re.compile(r"\b(?:on|around)\s+", re.IGNORECASE),
)
_THING = (r"(?:youtube |yt |tiktok |instagram |ig )?(?:video|vid|script|blog post|blog|post|"
          r"article|outline|newsletter|caption|reel|short|tiktok|thread|episode|vlog|tutorial)s?")
_BEFORE_THING = re.compile(r"\b(?:a|an|my|the|our|new|next)\s+((?:[\w'&-]+\s+){0,5}?[\w'&-]+)\s+"
                           + _THING + r"\b", re.IGNORECASE)
_GENERIC = re.compile(r"\b(?:\d+[\w-]*|short|long|quick|new|next|good|great|fun|engaging|viral|"
                      r"youtube|yt|tiktok|instagram|ig|video|script|blog|post|full|simple|"
                      r"one|few|minutes?|seconds?|minute-long|second|weekly|monthly|"
                      r"daily|catchy|punchy|brief|detailed|seo|friendly|optimized|form)\b",
                      re.IGNORECASE)
_NOT_TOPIC = re.compile(r"^(?:my|our|the|a|an)?\s*(?:channel|blog|page|account|feed|profile|"
                        r"it|this|that|them|these|"
                        r"those|me|you|here|there|time|a budget|average|top|air|track|point|"
                        r"(?:a |the )?(?:daily|weekly|monthly|regular) basis)\b", re.IGNORECASE)
_PEOPLE = re.compile(
    r"\b(?:beginners?|newbies?|novices?|people|parents|moms|mums|dads|students|teens|teenagers|"
    r"kids|children|developers|programmers|owners|founders|entrepreneurs|creators|youtubers|"
    r"professionals|women|men|gamers|fans|readers|viewers|seniors|retirees|millennials|gen z|"
    r"freelancers|designers|artists|musicians|photographers|writers|marketers|teachers|nurses|"
    r"coaches|runners|athletes|trav[e]?l+ers|cooks|homeowners|investors|couples|families|"
    r"learners|employees|managers|workers|folks|hobbyists|enthusiasts|lovers|newcomers|"
    r"experts|pros|anyone|everyone|audience|\w{3,}ers)\b", re.IGNORECASE)
_AUDIENCE_LEAD = re.compile(
    r"\b(?:for|aimed at|targeted at|targeting|geared (?:to|toward|towards)|audiences? (?:is|are|:)|"
    r"my (?:audience|viewers|readers|followers) (?:is|are)|audience:)\s+", re.IGNORECASE)
_KEYWORDS = re.compile(r"\b(?:target |seo |focus |main )?key ?(?:words?|phrases?)\s*(?:is|are|:|="
                       r"|like|such as|-|should be|to target|to rank for)?\s*([^\n.?!]+)",
                       re.IGNORECASE)
_NICHE = re.compile(
    r"\bmy niche is ([^,.;!?\n]+)|\bin the ([\w' &-]+?) niche\b|\bmy channel is about ([^,.;!?\n]+)"
    r"|\b(?:i|we) (?:make|create|run|do|post|film|upload|have) (?:a )?([\w' &-]+?) "
    r"(?:videos|content|channel|shorts|reels|vlogs|tutorials|posts|blog|podcast)\b"
    r"|\bmy ([\w' &-]+?) (?:channel|blog|podcast|newsletter)\b", re.IGNORECASE)


def _cut(text: str, stop: str = _STOP) -> str:
    text = re.split(stop, text, maxsplit=1, flags=re.IGNORECASE)[0]
    return text.strip(" \"'\u201c\u201d\u2018\u2019*_-").strip()


def topic(text: str) -> str | None:
    """What the piece is about: "about X", "on X", "titled X", or "a X video"."""
    for leads in _TOPIC_LEADS:
        for lead in leads.finditer(text):
            rest = text[lead.end():]
            found = _cut(rest)
            platform_only = _PLATFORM.match(rest) and len(found.split()) < 2
            if _NOT_TOPIC.match(rest) or platform_only or _DURATION.match(rest):
                continue
            if found and len(found) > 1:
                return found[:160]
    how = re.search(r"\b(?:how to|why|what|ways to|tips (?:for|on)) [^,.;:!?\n]{3,}", text,
                    re.IGNORECASE)
    if how and not re.match(r"(?:what|how to|why) (?:do|does|can|should|would|is|are)\b",
                            how.group(0), re.IGNORECASE):
        found = re.sub(r"\s+" + _THING + r"\s*$", "", how.group(0).strip(), flags=re.IGNORECASE)
        return found[:160]
    for match in _BEFORE_THING.finditer(text):
        words = _GENERIC.sub(" ", _PLATFORM.sub(" ", match.group(1)))
        found = " ".join(words.split()).strip(" -")
        if found and not _NOT_TOPIC.fullmatch(found) and found.lower() not in {"a", "an", "the"}:
            return found[:160]
    return None


def audience(text: str) -> str | None:
    """Who it is for: "for beginners", "aimed at busy parents", "my audience is ..."."""
    for lead in _AUDIENCE_LEAD.finditer(text):
        rest = text[lead.end():]
        if _PLATFORM.match(rest) or _DURATION.match(rest) or rest[:1].isdigit():
            continue
        found = _cut(rest, _STOP + r"|\s+(?:about|on|covering|regarding|explaining)\b")
        is_for = lead.group(0).lower().startswith("for")
        if found and (not is_for or _PEOPLE.search(found)) and not _NOT_TOPIC.match(found):
            return found[:120]
    return None


def duration(text: str) -> int | None:
    """The requested length in seconds: "10-minute", "90 seconds", "8-10 min", "half an hour"."""
    if re.search(r"\bhalf[ -]an?[ -]hour\b|\bhalf-hour\b", text, re.IGNORECASE):
        return 1800
    if re.search(r"\b(?:an|one)[ -]hour\b|\bhour[ -]long\b", text, re.IGNORECASE):
        return 3600
    for match in _DURATION.finditer(text):
        low = float(match.group(1)) if match.group(1) else _NUMBERS[match.group(2).lower()]
        value = float(match.group(3)) if match.group(3) else low
        unit = match.group(4).lower().rstrip("s") or "s"
        unit = {"hr": "hour", "mins": "min", "secs": "sec"}.get(unit, unit)
        seconds = int(round(value * _UNITS.get(unit, _UNITS.get(unit[:3], 1))))
        if 5 <= seconds <= 4 * 3600:
            return seconds
    return None


def keywords(text: str) -> list[str] | None:
    """Target keywords: "keywords: a, b and c"."""
    match = _KEYWORDS.search(text)
    if not match:
        return None
    parts = re.split(r",|;|\band\b|\bor\b|/", match.group(1))
    found = [p.strip(" \"'\u201c\u201d") for p in parts if p.strip(" \"'\u201c\u201d")]
    return found[:12] or None


def platform(text: str) -> str | None:
    """The first platform named: YouTube, Shorts, TikTok, Reels, Instagram, LinkedIn, ..."""
    match = _PLATFORM.search(text)
    return PLATFORMS[match.group(1).lower()] if match else None


def niche(text: str) -> str | None:
    """The creator's niche: "my niche is X", "in the X niche", "I make X videos"."""
    for match in _NICHE.finditer(text):
        found = next(g for g in match.groups() if g)
        found = _GENERIC.sub(" ", _PLATFORM.sub(" ", found))
        found = " ".join(found.split())
        if found and len(found.split()) <= 5 and not _NOT_TOPIC.fullmatch(found):
            return found
    return None


EXTRACTORS: dict[str, Callable[[str], Any]] = {
    "topic": topic, "audience": audience, "duration_s": duration, "keywords": keywords,
    "platform": platform, "niche": niche,
}
