"""The creator's samples for one turn's prompt: the ones nearest the message in meaning (words
without the embedding model), the better-performing first among them."""

from __future__ import annotations

from typing import Any

from creator_assistant.nearest import nearest

NEAREST = 8  # samples considered: the nearest in meaning...
MIN_SCORE = {"meaning": 0.2, "words": 0.05}  # ...that are at least this close (cosine; by
# words, the TF-IDF cosine, which is lower for the same likeness)
MAX_TEXTS = 5000  # the most recent samples searched
EXCERPT_WORDS = 250  # a longer sample is quoted from its start, to the end of a sentence


def samples_for(session: Any, message: str, count: int) -> list[dict[str, Any]]:
    """Up to `count` samples for `message`, best first: of the NEAREST by meaning, those with
    more views first (then those rated 4-5, then the rest), each as near as it is. Each dict
    has id, text, title, source, views, score and `by` ("meaning" or "words")."""
    db = session.store.db
    if "voice_samples" not in db.table_names() or count <= 0 or not message.strip():
        return []
    rows = list(db.query(
        "select id, text, title, source, kind, views from voice_samples "
        "order by id desc limit ?", [MAX_TEXTS]))
    if not rows:
        return []
    found = nearest([r["text"] for r in rows], message, NEAREST,
                    getattr(session, "embeddings", None), db)
    near = [{**rows[i], "text": excerpt(rows[i]["text"]), "score": round(score, 3), "by": found.by}
            for i, score in found.hits if score >= MIN_SCORE[found.by]]
    near.sort(key=lambda r: (r["views"] is None, -(r["views"] or 0), r["kind"] != "reply",
                             -r["score"]))
    return near[:count]


def excerpt(text: str, words: int = EXCERPT_WORDS) -> str:
    """The start of `text`, at most `words` words, ending at a sentence where one ends."""
    parts = text.split()
    if len(parts) <= words:
        return text.strip()
    head = " ".join(parts[:words])
    end = max(head.rfind(". "), head.rfind("! "), head.rfind("? "))
    return (head[: end + 1] if end > len(head) // 2 else head) + " …"


def style_note(session: Any) -> str:
    """The short form of the creator's style card, for a content task's instructions; computed
    from the samples once per change of them (kept on the session), "" without samples."""
    from creator_assistant.voice.style import card

    db = session.store.db
    if "voice_samples" not in db.table_names():
        return ""
    key = tuple(db.execute("select count(*), max(id), total(length(text)) from voice_samples")
                .fetchone())
    kept = getattr(session, "_style_note", None)
    if kept is None or kept[0] != key:
        rows = db.execute("select text from voice_samples order by id desc limit ?",
                          [MAX_TEXTS]).fetchall()
        kept = (key, card([text for (text,) in rows]).short() if rows else "")
        session._style_note = kept
    return kept[1]
