"""Competitor research from a list of videos: title patterns, lengths, cadence, top topics and
tags, and the topics they cover that the creator's own imported content does not."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import sqlite_utils

from creator_assistant.data.analytics import WEEKDAYS
from creator_assistant.data.stats import median, rnd
from creator_assistant.data.store import DataStore

STOPWORDS = set("""a an and are as at be by for from has have how i i'm in is it its it's me my
new no not of on or our out so that the this to up vs was we what when why will with you your
official video videos ft feat ft. full hd 4k 2018 2019 2020 2021 2022 2023 2024 2025 episode ep
part de la el en y - | & x""".split())
WORD = re.compile(r"[a-z0-9][a-z0-9'+#]*", re.I)
EMOJI = re.compile("[\U0001F300-\U0001FAFF\u2600-\u27BF]")
PATTERNS = {
    "a number": re.compile(r"\d"),
    "a question": re.compile(r"\?"),
    "(brackets) or [brackets]": re.compile(r"[\[(]"),
    "a separator ( | or - )": re.compile(r" [|\-–—] "),
    "an ALL-CAPS word": re.compile(r"\b[A-Z]{3,}\b"),
    "an emoji": EMOJI,
    "first person (I, my, we)": re.compile(r"\b(I|I'm|my|My|we|We|our|Our)\b"),
    "how to / tutorial": re.compile(r"\bhow to\b|tutorial|guide", re.I),
}


def words(text: str) -> list[str]:
    return [w.lower().strip("'") for w in WORD.findall(text or "")
            if w.lower() not in STOPWORDS and len(w) > 2 and not w.isdigit()]


def title_patterns(videos: list[dict]) -> list[dict[str, Any]]:
    """Share of titles with each pattern, and their median views against those without."""
    out = []
    for name, rx in PATTERNS.items():
        hit = [v["views"] for v in videos if rx.search(v.get("title") or "")]
        miss = [v["views"] for v in videos if not rx.search(v.get("title") or "")]
        if not hit:
            continue
        with_, without = median(hit), median(miss)
        out.append({"pattern": name, "share_pct": rnd(len(hit) / len(videos) * 100, 1),
                    "median_views_with": rnd(with_, 0), "median_views_without": rnd(without, 0),
                    "lift": rnd(with_ / without, 2) if without else None})
    return sorted(out, key=lambda p: -p["share_pct"])


def cadence(videos: list[dict]) -> dict[str, Any]:
    stamps = [(v.get("channel") or "?", v["published"]) for v in videos if v.get("published")]
    days = Counter(WEEKDAYS[_date(p).weekday()] for _, p in stamps)
    hours = Counter(int(p[11:13]) for _, p in stamps if len(p) >= 13)
    gaps = []
    by_channel: dict[str, list[str]] = {}
    for ch, p in stamps:
        by_channel.setdefault(ch, []).append(p[:10])
    for dates in by_channel.values():
        ds = sorted({_date(d) for d in dates})
        gaps += [(b - a).days for a, b in zip(ds, ds[1:], strict=False)]
    return {"dated": len(stamps), "weekdays": days.most_common(),
            "hours_utc": hours.most_common(5),
            "channels_with_several": sum(len(set(d)) > 1 for d in by_channel.values()),
            "median_days_between_uploads": rnd(median(gaps), 1) if gaps else None}


def _date(stamp: str):
    import datetime as dt

    return dt.date.fromisoformat(stamp[:10])


def topics(videos: list[dict], n: int = 15) -> dict[str, Any]:
    # dict.fromkeys, not set: ties keep the data's order, so the same export gives the same
    # report (a set's order changes with each process's hash seed).
    tags = Counter(t.lower() for v in videos for t in dict.fromkeys(v.get("tags") or []))
    tag_views: Counter = Counter()
    for v in videos:
        for t in dict.fromkeys(t.lower() for t in v.get("tags") or []):
            tag_views[t] += v["views"] or 0
    title_words = Counter(w for v in videos for w in dict.fromkeys(words(v.get("title", ""))))
    cats = Counter(v.get("category") for v in videos if v.get("category"))
    cat_views = {c: median([v["views"] for v in videos if v.get("category") == c]) for c in cats}
    return {
        "categories": [{"category": c, "videos": k, "median_views": rnd(cat_views[c], 0)}
                       for c, k in cats.most_common(8)],
        "tags": [{"tag": t, "videos": k, "views": tag_views[t]} for t, k in tags.most_common(n)
                 if k > 1],
        "title_words": [{"word": w, "videos": k} for w, k in title_words.most_common(n) if k > 1],
    }


def gaps(videos: list[dict], own_titles: list[str], n: int = 12) -> list[dict[str, Any]]:
    """Words in many of their titles and tags that no title of yours uses, broadest first."""
    mine = {w for t in own_titles for w in words(t)}
    weight: Counter = Counter()
    count: Counter = Counter()
    for v in videos:
        vocab = dict.fromkeys([*words(v.get("title", "")),
                               *(w for t in v.get("tags") or [] for w in words(t))])
        for w in (w for w in vocab if w not in mine):
            weight[w] += v["views"] or 0
            count[w] += 1
    ranked = sorted((w for w in count if count[w] >= 3), key=lambda w: (-count[w], -weight[w], w))
    return [{"topic": w, "videos": count[w], "views": weight[w]} for w in ranked[:n]]


def report(db: sqlite_utils.Database) -> dict[str, Any]:
    """The newest video list, analysed, with gaps against the creator's newest content titles."""
    store = DataStore(db)
    imp = store.latest("videos", "videos")
    if imp is None:
        return {"available": False}
    videos = [v for v in store.rows(imp["id"], "videos") if v.get("views") is not None]
    titles = [len(v.get("title") or "") for v in videos]
    out: dict[str, Any] = {
        "available": True, "source": {"import": imp["id"], "source": imp["source"],
                                       "imported_at": imp["imported_at"]},
        "videos": len(videos), "channels": len({v.get("channel") for v in videos}),
        "median_views": rnd(median([v["views"] for v in videos]), 0),
        "median_like_rate_pct": rnd(median([v["likes"] / v["views"] * 100 for v in videos
                                            if v.get("likes") is not None and v["views"]]), 2),
        "median_comment_rate_pct": rnd(median([
            v["comments"] / v["views"] * 100 for v in videos
            if v.get("comments") is not None and v["views"]]), 3),
        "title_length": {"median_chars": rnd(median(titles), 0),
                         "median_words": rnd(median([len((v.get("title") or "").split())
                                                     for v in videos]), 0)},
        "patterns": title_patterns(videos), "cadence": cadence(videos), "topics": topics(videos),
        "top_videos": [{"title": v["title"], "channel": v.get("channel"), "views": v["views"]}
                       for v in sorted(videos, key=lambda v: -v["views"])[:8]],
    }
    durations = [v["duration_s"] for v in videos if v.get("duration_s")]
    out["length"] = ({"median_s": rnd(median(durations), 0), "with_duration": len(durations)}
                     if durations else None)
    own = _own_titles(store)
    out["own_pieces"] = len(own)
    out["gaps"] = gaps(videos, own) if own else []
    return out


def _own_titles(store: DataStore) -> list[str]:
    for row in store.imports():
        parts = row["meta"].get("parts", {})
        if row["kind"] == "content" or (row["kind"] == "channel-report" and "table" in parts and
                                        row["meta"].get("dimension", "").lower() == "content"):
            part = "content" if row["kind"] == "content" else "table"
            return [r.get("title") or "" for r in store.rows(row["id"], part) if r.get("title")]
    return []
