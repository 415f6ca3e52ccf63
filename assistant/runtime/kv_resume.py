"""Warm resume inside the worker: save sequence 0's prompt-evaluated cache before it is dropped,
restore the longest saved state a new prompt starts with (kv_states.py keeps the files)."""

from __future__ import annotations

import ctypes
import sys
from pathlib import Path
from typing import Any

from creator_assistant.runtime.kv_states import StateStore, identity

# States shorter than this are not worth a file (router and title prompts, short chats).
MIN_SAVE = 256


class Resumer:
    """One engine's saved states: what it restored for the current request, what it noticed."""

    def __init__(self, llm: Any, folder: str, budget_bytes: int, n_swa: int, swa_full: bool,
                 layout: dict[str, Any], min_suffix: int) -> None:
        import llama_cpp

        self.llm, self.n_swa, self.swa_full, self.min_suffix = llm, n_swa, swa_full, min_suffix
        ident = identity(llm.model_path, llama_cpp=llama_cpp.__version__, n_swa=n_swa,
                         swa_full=swa_full, **layout)
        self.store = StateStore(Path(folder), ident, budget_bytes, self.notice)
        self.saved_upto = 0  # this many of the cache's tokens are on disk as one state
        self.restored = 0  # tokens the current request took from a saved state
        self.notices: list[str] = []
        self.max_tokens = 0  # the current request's reply may reach this far past its prompt
        # Sliding-window models restore only while prompt and reply fit a window-sized cache's
        # cells (window + batch, padded to 256: 1,024 on Gemma 3 270M). Past them, on Gemma 3
        # 270M, a chain of restores changed one greedy reply of 11 (with either cache kind),
        # where reuse in one process kept it; within them, restores were exact.
        # docs/warm-resume.md.
        self.swa_cells = -(-(n_swa + 512) // 256) * 256

    def notice(self, text: str) -> None:
        self.notices.append(text)
        print(f"creator worker: {text}", file=sys.stderr, flush=True)  # the worker's log

    def take_notices(self) -> str:
        out, self.notices = " ".join(self.notices), []
        return out

    def _oldest(self) -> int:
        import llama_cpp

        return int(llama_cpp.llama_memory_seq_pos_min(llama_cpp.llama_get_memory(self.llm.ctx), 0))

    def fits(self, reach: int) -> bool:
        """Whether a restore is exact for a sequence that reaches this far (see swa_cells)."""
        return not (self.n_swa and reach > self.swa_cells)

    def valid(self, keep: int, oldest: int) -> bool:
        """A prefix of `keep` tokens is usable when the sliding-window layers still hold the
        window before its end (the rule Engine.keep uses)."""
        return not (keep > 0 and self.n_swa and not self.swa_full
                    and oldest > max(0, keep - self.n_swa))

    def save(self, prefilled: int) -> None:
        """Save the cache's prompt-evaluated tokens, cut to them, unless too few or on disk;
        a failure (a full disk, a folder it may not write) is a notice, never the turn's."""
        try:
            self._save(prefilled)
        except Exception as exc:  # a state is an optimisation: losing it costs one slow turn
            self.notice(f"The conversation state was not saved ({type(exc).__name__}: {exc}).")

    def _save(self, prefilled: int) -> None:
        import llama_cpp

        llm = self.llm
        n = min(prefilled, llm.n_tokens)
        if n < MIN_SAVE or n <= self.saved_upto or not self.fits(n):
            return
        if n < llm.n_tokens:  # the reply's one-at-a-time tokens: never reused, never saved
            llm._ctx.kv_cache_seq_rm(-1, n, -1)
            llm.n_tokens = n
        oldest = self._oldest()
        if not self.valid(n, oldest):
            return
        ctx = llm._ctx.ctx
        size = llama_cpp.llama_state_seq_get_size(ctx, 0)
        buf = (ctypes.c_uint8 * size)()
        got = llama_cpp.llama_state_seq_get_data(ctx, buf, size, 0)
        if not got:
            return
        if self.store.save(llm.input_ids[:n].tolist(), oldest, memoryview(buf).cast("B")[:got]):
            self.saved_upto = n

    def restore(self, tokens: list[int], keep: int) -> int:
        """Restore the longest saved state `tokens` starts with, when it reuses more than
        `keep`; returns the tokens now reused (0 after a failed restore: the cache is empty)."""
        try:
            return self._restore(tokens, keep)
        except Exception as exc:  # whatever went wrong, a fresh evaluation is always right
            self.notice(f"A saved conversation state was not used ({type(exc).__name__}: "
                        f"{exc}); the prompt was evaluated in full.")
            self.restored = 0
            self.llm.reset()
            self.llm._ctx.kv_cache_clear()
            return 0

    def _restore(self, tokens: list[int], keep: int) -> int:
        import llama_cpp

        self.restored = 0
        llm = self.llm
        if not self.fits(len(tokens) + self.max_tokens):
            return keep
        for head in self.store.candidates(tokens):
            n = head.n_tokens
            new = n - 1 if n == len(tokens) else n
            if 1 < len(tokens) - new < self.min_suffix:
                new = max(0, len(tokens) - self.min_suffix)
            if new <= keep:
                break  # longest first: no other state reuses more
            if not self.valid(new, head.oldest):
                continue
            buf = self.store.read(head)
            if buf is None:
                continue
            llm.reset()
            llm._ctx.kv_cache_clear()
            keep = 0
            if not llama_cpp.llama_state_seq_set_data(llm._ctx.ctx, buf, head.state_bytes, 0):
                self.store.failed(head)
                llm._ctx.kv_cache_clear()
                continue
            if not self.valid(new, self._oldest()):
                llm._ctx.kv_cache_clear()
                continue
            llm.input_ids[:n] = head.tokens
            llm.n_tokens = n
            if new < n:
                llm._ctx.kv_cache_seq_rm(-1, new, -1)
                llm.n_tokens = new
            self.saved_upto, self.restored = n, new
            return new
        self.saved_upto = min(self.saved_upto, keep)
        return keep

    def save_before_close(self, prefilled: int) -> None:
        """Save on unload, eviction or close (a failure is logged, never stops the close)."""
        self.save(prefilled)

    def reporting(self, send: Any, max_tokens: int) -> Any:
        """`send` that adds what this request restored, and any notice, to its usage."""
        self.max_tokens = max_tokens

        def wrapped(msg: tuple[Any, ...]) -> None:
            if msg[0] == "done":
                msg = ("done", {**msg[1], "restored_tokens": self.restored,
                                "state_notice": self.take_notices()})
                self.restored = 0
            send(msg)

        return wrapped
