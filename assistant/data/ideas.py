"""The idea store: ideas with the creator's own pillars and priorities, full-text search and
near-duplicate detection: by meaning (data/idea_meaning.py) when an embedding model can be
used, else by words (`similarity`), and `why_not` says why in one line."""

from __future__ import annotations

import builtins
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sqlite_utils

from creator_assistant.storage.writes import write

PRIORITIES = {"high": 1, "medium": 2, "low": 3}
NAMES = {v: k for k, v in PRIORITIES.items()}
DUPLICATE = 0.7  # word similarity at which two ideas are the same idea (the words-only check)
WORDS_ONLY = "no embedding model is given to this idea store: near-duplicates compared by words"
MAX_CHARS = 2000


class IdeaError(ValueError):
    """A mistake in what was asked of the idea store; the message says what to do."""


class DuplicateIdea(IdeaError):
    def __init__(self, matches: list[dict[str, Any]]) -> None:
        best = matches[0]
        how = " in meaning" if best.get("by") == "meaning" else ""
        super().__init__(f"this looks like idea #{best['id']} ({best['similarity']:.0%} alike"
                         f"{how}: {best['text'][:80]!r}); add it anyway with --force")
        self.matches = matches


def priority(value: str | int | None) -> int:
    if value is None:
        return 2
    if isinstance(value, int) or str(value).isdigit():
        if int(value) in NAMES:
            return int(value)
    elif str(value).lower() in PRIORITIES:
        return PRIORITIES[str(value).lower()]
    raise IdeaError(f"priority {value!r}: use high, medium or low (or 1, 2, 3)")


def _tokens(text: str) -> set[str]:
    # A crude stem (trailing s) so "review" and "reviews" count as the same word.
    return {w[:-1] if len(w) > 3 and w.endswith("s") else w
            for w in re.findall(r"[a-z0-9]+", text.lower())}


def _grams(text: str) -> set[str]:
    s = " ".join(re.findall(r"[a-z0-9]+", text.lower()))
    return {s[i:i + 3] for i in range(max(1, len(s) - 2))}


def similarity(a: str, b: str) -> float:
    """0-1: the larger of word overlap (order-free) and character-trigram overlap."""
    def jaccard(x: set[str], y: set[str]) -> float:
        return len(x & y) / len(x | y) if x | y else 0.0
    return max(jaccard(_tokens(a), _tokens(b)), jaccard(_grams(a), _grams(b)))


@dataclass
class IdeaStore:
    """`meaning`: the embeddings that compare ideas by meaning (none: by words only)."""

    db: sqlite_utils.Database
    meaning: Any = field(default=None, repr=False)

    @property
    def why_not(self) -> str | None:
        """One line: why near-duplicates are compared by words; None when by meaning."""
        return WORDS_ONLY if self.meaning is None else self.meaning.why_not

    def _vectors(self, texts: builtins.list[str]) -> Any:
        return self.meaning.vectors(texts) if self.meaning is not None else None

    def close(self) -> None:
        if self.meaning is not None:
            self.meaning.close()

    def add(self, text: str, category: str | None = None, prio: str | int | None = None,
            force: bool = False) -> int:
        text = " ".join(text.split())
        if not text:
            raise IdeaError("the idea is empty")
        if len(text) > MAX_CHARS:
            raise IdeaError(f"an idea is at most {MAX_CHARS} characters; this one is {len(text)}")
        if category is not None:
            category = self.pillar(category)
        matches = self.near_duplicates(text)
        if matches and not force:
            raise DuplicateIdea(matches)
        stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with write(self.db):
            pk = self.db.table("ideas").insert({
                "text": text, "category": category, "priority": priority(prio),
                "created": stamp, "updated": stamp,
                "categorized_by": "you" if category else None}).last_pk
        assert pk is not None  # an insert always has one
        return int(pk)

    def near_duplicates(self, text: str, threshold: float | None = None
                        ) -> builtins.list[dict[str, Any]]:
        """Stored ideas that are `text` in other words, most alike first (`by`: how compared)."""
        from creator_assistant.data.idea_meaning import same_idea

        rows = builtins.list(self.db.query("select id, text from ideas"))
        vecs = self._vectors([text, *(r["text"] for r in rows)])
        out = []
        if vecs is not None:
            for row, score in zip(rows, (vecs[1:] @ vecs[0]).tolist(), strict=True):
                if same_idea(text, row["text"], score, threshold):
                    out.append({**row, "similarity": round(score, 2), "by": "meaning"})
        else:
            for row in rows:
                score = similarity(text, row["text"])
                if score >= (DUPLICATE if threshold is None else threshold):
                    out.append({**row, "similarity": round(score, 2), "by": "words"})
        return sorted(out, key=lambda r: -r["similarity"])

    def duplicate_pairs(self, threshold: float | None = None
                        ) -> builtins.list[tuple[int, int, float]]:
        """(id, id, how alike) of every two ideas that look like the same idea."""
        from creator_assistant.data.idea_meaning import SAME_IDEA, same_idea

        rows = builtins.list(self.db.query("select id, text from ideas order by id"))
        vecs = self._vectors([r["text"] for r in rows]) if rows else None
        if vecs is None:
            limit = DUPLICATE if threshold is None else threshold
            return [(a["id"], b["id"], round(s, 2)) for i, a in enumerate(rows)
                    for b in rows[i + 1:] if (s := similarity(a["text"], b["text"])) >= limit]
        scores = vecs @ vecs.T
        low = SAME_IDEA if threshold is None else threshold
        out = []
        for i, j in zip(*np.nonzero(np.triu(scores >= low, 1)), strict=True):
            score = float(scores[i, j])
            if same_idea(rows[i]["text"], rows[j]["text"], score, threshold):
                out.append((rows[i]["id"], rows[j]["id"], round(score, 2)))
        return out

    def get(self, idea_id: int) -> dict[str, Any]:
        rows = list(self.db.query("select * from ideas where id = ?", [idea_id]))
        if not rows:
            raise IdeaError(f"no idea #{idea_id}; `creator ideas list` shows them")
        return rows[0]

    def list(self, category: str | None = None, prio: str | int | None = None,
             uncategorized: bool = False, limit: int | None = None) -> list[dict[str, Any]]:
        where: builtins.list[str] = []
        args: builtins.list[Any] = []
        if category is not None:
            where.append("category = ?")
            args.append(self.pillar(category))
        if prio is not None:
            where.append("priority = ?")
            args.append(priority(prio))
        if uncategorized:
            where.append("(category is null or category = '')")
        sql = "select * from ideas" + (" where " + " and ".join(where) if where else "")
        sql += " order by priority, id desc" + (f" limit {int(limit)}" if limit else "")
        return list(self.db.query(sql, args))

    def search(self, query: str, limit: int = 20) -> builtins.list[dict[str, Any]]:
        """Full-text search, best match first; each word also matches as a prefix."""
        words = re.findall(r"\w+", query)
        if not words:
            return []
        match = " ".join(f'"{w}"*' for w in words)
        sql = """select ideas.*, snippet(ideas_fts, 0, '**', '**', '…', 10) as snippet
                 from ideas_fts join ideas on ideas.rowid = ideas_fts.rowid
                 where ideas_fts match ? order by rank limit ?"""
        return list(self.db.query(sql, [match, limit]))

    def remove(self, idea_id: int) -> dict[str, Any]:
        row = self.get(idea_id)
        with write(self.db):
            self.db.table("ideas").delete(idea_id)
        return row

    def update(self, idea_id: int, **fields: Any) -> None:
        self.get(idea_id)
        fields["updated"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with write(self.db):
            self.db.table("ideas").update(idea_id, fields)

    # -- pillars: the creator's own categories ---------------------------------------------

    def pillars(self) -> builtins.list[str]:
        return [r["name"] for r in self.db.query("select name from pillars order by position")]

    def set_pillars(self, names: builtins.list[str]) -> builtins.list[str]:
        clean = list(dict.fromkeys(" ".join(n.split()) for n in names if n.strip()))
        if not clean:
            raise IdeaError("give at least one pillar name")
        bad = [n for n in clean if len(n) > 40 or '"' in n or "\\" in n]
        if bad:
            raise IdeaError(f"pillar {bad[0]!r}: at most 40 characters, no quotes or backslashes")
        with write(self.db):
            self.db.execute("delete from pillars")
            self.db.table("pillars").insert_all({"name": n, "description": "", "position": i}
                                          for i, n in enumerate(clean))
        return clean

    def pillar(self, name: str) -> str:
        """The pillar `name` refers to (case-insensitive), or an error listing them."""
        for p in self.pillars():
            if p.lower() == name.strip().lower():
                return p
        have = self.pillars()
        raise IdeaError(f"no pillar {name!r}; " + (f"pillars: {', '.join(have)}" if have else
                        "set yours first: creator ideas pillars \"Tutorials\" \"Reviews\" ..."))

    def counts(self) -> builtins.list[tuple[str, int]]:
        rows = self.db.query("select coalesce(category, '') as c, count(*) as n from ideas "
                             "group by c order by n desc")
        return [(r["c"] or "(uncategorized)", r["n"]) for r in rows]
