"""What a turn's prompt keeps of its conversation: counting through the model's worker, each
message's tokens counted once per model, and the prompt's start saved as it moves."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from creator_assistant.context.examples import fit_examples
from creator_assistant.context.fitting import Counter, Fitted, History, Message, fit, history_of
from creator_assistant.fields import strip_command
from creator_assistant.runtime.backend import Backend
from creator_assistant.storage.store import SAID, Store


def digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


class BackendCounter:
    """Counts with a backend's worker (one round trip per call); raw texts' counts are kept in
    memory and, given a store, in the database, so each text is tokenized once per model."""

    def __init__(self, backend: Backend, store: Store | None = None) -> None:
        self.backend = backend
        self.model = backend.sizes_key  # "": counts not worth keeping in the database
        self.store = store if self.model else None
        self.known: dict[str, int] = {}

    def count(self, messages: list[Message]) -> int:
        return int(self.backend.count_tokens(messages))

    def sizes(self, texts: list[str]) -> list[int]:
        keys = [digest(t) for t in texts]
        missing = list(dict.fromkeys(k for k in keys if k not in self.known))
        if missing and self.store is not None:
            self.known.update(self.store.token_sizes(self.model, missing))
        new = {k: t for k, t in zip(keys, texts, strict=True) if k not in self.known}
        if new:
            sizes = self.backend.token_sizes(list(new.values()))
            counted = dict(zip(new, sizes, strict=True))
            self.known.update(counted)
            if self.store is not None:
                self.store.save_token_sizes(self.model, counted)
        return [self.known[k] for k in keys]


_SAID = f"conversation_id = ? and {SAID}"


def prompt_rows(store: Store, cid: str) -> list[dict[str, Any]]:
    """The rows of `cid` whose history (`history_of`) a turn's prompt can hold: from the item
    where the last prompt started, and the items of pinned messages before it, with a
    placeholder between (never sent) where rows are left out. The prompt, the pins and the
    task state come out as from every row, without reading a long conversation whole."""
    db = store.db

    def one(sql: str, args: list[Any]) -> Any:
        return db.execute(sql, [cid, *args]).fetchone()

    def item_start(seq: int, role: str) -> int:  # history_of merges same-role neighbours
        row = one(f"select max(seq) from messages where {_SAID} and seq < ? and role != ?",
                  [seq, role])
        return -1 if row[0] is None else row[0] + 1

    def item_end(seq: int, role: str) -> int | None:
        row = one(f"select min(seq) from messages where {_SAID} and seq > ? and role != ?",
                  [seq, role])
        return None if row[0] is None else row[0] - 1

    kept = store.memory_state(cid)["kept_from"]
    first = (one(f"select seq, role from messages where {_SAID} and seq >= ? order by seq "
                 "limit 1", [kept])
             or one(f"select seq, role from messages where {_SAID} order by seq desc limit 1",
                    []))
    if first is None:  # nothing said yet: the rows are all there is
        return store.messages(cid)
    start = item_start(*first)
    reply = one("select max(seq) from messages where conversation_id = ? and role = "
                "'assistant'", [])[0]  # the task state is read from the last reply
    if reply is not None and reply < start:
        start = item_start(reply, "assistant")
    spans = [(item_start(seq, role), item_end(seq, role)) for seq, role in db.execute(
        f"select seq, role from messages where {_SAID} and pinned and seq < ? order by seq",
        [cid, start])]
    spans.append((start, None))
    rows: list[dict[str, Any]] = []
    end = one("select min(seq) from messages where conversation_id = ?", [])[0] - 1
    for lo, hi in spans:
        if hi is not None and hi <= end:
            continue  # inside the last span
        lo = max(lo, end + 1)
        if one(f"select 1 from messages where {_SAID} and seq > ? and seq < ? limit 1",
               [end, lo]):  # messages left out: a placeholder keeps their neighbours apart
            rows.append({"seq": lo - 1, "role": "left out", "content": "…", "status": "ok",
                         "pinned": 0})
        where, args = ("seq >= ?", [lo]) if hi is None else ("seq between ? and ?", [lo, hi])
        rows += db["messages"].rows_where(f"conversation_id = ? and {where}", [cid, *args],
                                          order_by="seq")
        end = hi if hi is not None else 1 << 62
    return rows


FACTS_CUT = "\n[… part of the computed facts was removed to fit the model's window …]\n"


def fit_conversation(store: Store, backend: Backend, cid: str, system: str, history: History,
                     user: str, n_ctx: int, max_tokens: int, *,
                     said: str | None = None, examples: Sequence[str] = ()) -> Fitted:
    """Fit a turn of conversation `cid` into `n_ctx`, starting where its last prompt started,
    and save the new start when older turns had to go. `user` is the task's prompt for the
    turn; `said` is what the creator wrote (default: their unanswered saved messages), the
    only text a notice about the message measures. `examples` (the creator's own writing, best
    first) go before `user` as far as the room left allows (context/examples.py)."""
    state = store.memory_state(cid)
    start = next((i for i, seq in enumerate(history.seqs) if seq >= state["kept_from"]),
                 len(history.seqs))
    counter = BackendCounter(backend, store)
    fitted = fit(system, history.messages, user, counter, n_ctx,
                 max_tokens, start=start, pinned=history.pinned, summary=state["summary"])
    if fitted.messages and fitted.messages[-1]["content"] != user:
        if said is None:  # the turn's text as Session.ask builds it: its unanswered messages
            last = history_of(store.messages(cid)).messages[-1:]
            said = last[0]["content"] if last and last[0]["role"] == "user" else user
        fitted = own_words_first(fitted, user, said, counter, n_ctx)
    elif examples:
        fitted = fit_examples(fitted, examples, system, history.messages, user, counter, n_ctx,
                              max_tokens, start=start, pinned=history.pinned,
                              summary=state["summary"])
    if fitted.kept_from > start:
        seqs = history.seqs
        # Past the last history item: the prompt starts at the new message.
        seq = seqs[fitted.kept_from] if fitted.kept_from < len(seqs) else (
            seqs[-1] + 1 if seqs else 0)
        store.keep_from(cid, seq)
    return fitted


def own_words_first(fitted: Fitted, prompt: str, said: str, counter: Counter, n_ctx: int) -> Fitted:
    """A task's prompt that had to be cut: cut the part before the creator's own words (the
    computed facts) and keep those words whole, with a notice that counts only them."""
    notices = [n for n in fitted.notices if not n.startswith("Your message was")]
    core = strip_command(said).strip()
    at = prompt.rfind(core) if core else -1
    if core == prompt.strip() or at < 0:  # the prompt is the message: memory's cut stands
        return replace(fitted, notices=notices + [_too_long(said, n_ctx)])
    before, rest = prompt[:at], prompt[at:]
    head = fitted.messages[:-1]
    budget = n_ctx - fitted.max_tokens

    def sent(n: int) -> str:
        return before[: n * 2 // 3] + FACTS_CUT + before[len(before) - n // 3:] + rest

    def fits(n: int) -> bool:
        return counter.count(head + [{"role": "user", "content": sent(n)}]) <= budget

    if not fits(0):  # the creator's words alone overflow the window: memory's cut stands
        return replace(fitted, notices=notices + [_too_long(said, n_ctx)])
    low, high = 0, len(before)
    while low < high:  # the longest cut of the facts that fits
        mid = (low + high + 1) // 2
        low, high = (mid, high) if fits(mid) else (low, mid - 1)
    messages = head + [{"role": "user", "content": sent(low)}]
    notices.append(f"The facts computed for this task were too long for this model's "
                   f"{n_ctx:,}-token window with your message: {low:,} of their {len(before):,} "
                   f"characters were sent (the middle was cut). Your message itself "
                   f"({len(said):,} characters) was sent whole.")
    return replace(fitted, messages=messages, prompt_tokens=counter.count(messages),
                   notices=notices)


def _too_long(said: str, n_ctx: int) -> str:
    return (f"Your message was {len(said):,} characters, more than this model's {n_ctx:,}-token "
            "window holds with the task's instructions; only its first and last parts were sent.")
