"""The inference worker: a separate process that owns llama.cpp.

llama.cpp aborts its whole process on some malformed files; living here, such an abort ends only this
worker, and the conversation process reports it and starts a new one.
"""

from __future__ import annotations

import codecs
import os
import random
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from creator_assistant.runtime import lookup
from creator_assistant.runtime.kv_resume import Resumer
from creator_assistant.runtime.llama_env import LLAMA_ENV, amx_usable, check_grammar, model_params
from creator_assistant.runtime.lora import AdapterFailed, open_with_adapter
from creator_assistant.runtime.templates import Renderer, Stopped, TemplateError, chat_template

_model_params = model_params  # the name benches/overhead.py looks for

# How a worker treats the KV cache between requests: "safe" keeps the longest cached prefix that
# is still valid (see Engine.keep), "naive" trusts any matching prefix (llama-cpp-python's own
# behaviour, wrong for sliding-window models), "never" re-evaluates every prompt (a baseline).
KV_REUSE = ("safe", "naive", "never")
# "safe" evaluates at least this many tokens: smaller batches round differently (see keep).
MIN_SUFFIX = 8



class Engine:
    """One loaded model with its chat formatter; lives only inside the worker process."""

    def __init__(self, path: str, n_ctx: int, n_threads: int | None, n_gpu_layers: int,
                 swa_full: bool | None = None, kv_reuse: str = "safe",
                 limits: tuple[float, int] | None = None, lora: str | None = None,
                 lora_scale: float = 1.0, kv_dir: str | None = None, kv_budget: int = 0) -> None:
        import llama_cpp
        from llama_cpp import Llama

        start = time.perf_counter()
        kwargs: dict[str, Any] = dict(
            model_path=path, n_ctx=n_ctx, n_gpu_layers=n_gpu_layers, verbose=False,
            n_batch=512,
        )
        if n_threads:
            kwargs["n_threads"] = n_threads
        if lora:  # llama-cpp-python turns memory mapping off with an adapter: the model is read
            kwargs.update(lora_path=lora, lora_scale=lora_scale)
        # A window-sized cache for sliding-window layers (a fraction of the memory of a full one);
        # `keep` makes prefix reuse safe with it.
        self.swa_full = bool(swa_full)
        kwargs["swa_full"] = self.swa_full
        if kv_reuse not in KV_REUSE:
            raise ValueError(f"kv_reuse must be one of {KV_REUSE}, not {kv_reuse!r}")
        self.kv_reuse = kv_reuse
        self.prefilled = 0  # tokens of the cache that a prompt evaluated (see keep)
        self.conversation = ""  # who asked last (GenerateRequest.conversation)
        with model_params(extra_buffers=amx_usable()):
            self.llm = open_with_adapter(Llama, kwargs) if lora else Llama(**kwargs)
        self.n_swa = int(llama_cpp.llama_model_n_swa(self.llm.model))
        self.load_ms = (time.perf_counter() - start) * 1000
        meta = self.llm.metadata
        template, self.template_source = chat_template(meta)
        self.has_template = self.template_source == "file"
        bos = self.llm.detokenize([self.llm.token_bos()], special=True).decode("utf-8", "replace")
        eos = self.llm.detokenize([self.llm.token_eos()], special=True).decode("utf-8", "replace")
        self.renderer = Renderer(template, bos, eos, Path(path).name, *(limits or ()))
        self.renderer.try_once()
        self.arch = meta.get("general.architecture", "")
        self.sliding_window = int(meta.get(f"{self.arch}.attention.sliding_window", 0) or 0)
        self.n_ctx_train = int(meta.get(f"{self.arch}.context_length", 0) or 0)
        self.path = path
        # Warm resume (kv_resume.py): saved states of sequence 0, with "safe" reuse only.
        self.resume = Resumer(self.llm, kv_dir, kv_budget, self.n_swa, self.swa_full, dict(
            n_ctx=n_ctx, n_batch=512, n_gpu_layers=n_gpu_layers, lora=lora,
            lora_scale=lora_scale if lora else None), MIN_SUFFIX) if (
                kv_dir and kv_budget > 0 and kv_reuse == "safe") else None

    def info(self) -> dict[str, Any]:
        return dict(
            path=self.path, n_ctx=self.llm.n_ctx(), n_ctx_train=self.n_ctx_train,
            n_vocab=self.llm.n_vocab(), load_ms=self.load_ms, has_chat_template=self.has_template,
            sliding_window=self.sliding_window, architecture=self.arch,
        )

    def prompt_text(self, messages: list[dict[str, str]]) -> str:
        """A chat turn's prompt as text: the messages through the chat template."""
        return self.renderer.render(messages)

    def prompt_tokens(self, messages: list[dict[str, str]]) -> list[int]:
        """The exact tokens a chat turn feeds the model: chat template, then the model's tokenizer."""
        prompt = self.prompt_text(messages)
        return self.llm.tokenize(prompt.encode("utf-8"), add_bos=False, special=True)

    def keep(self, tokens: list[int], conversation: str = "") -> int:
        """How many cached tokens the next prompt may reuse; resets the cache when it is none.

        llama-cpp-python keeps the longest matching prefix (less one token when the whole prompt
        matches). A sliding-window layer's cache holds only recent positions, so a prefix is valid
        only if the cache still holds the window before its end: the rule llama.cpp's server uses.

        "safe" also gives the replies a fresh context gives inside the window, bit for bit: it
        reuses only what a prompt evaluated, and evaluates at least MIN_SUFFIX new tokens (or
        just the last one). The previous reply's tokens were evaluated one at a time, and
        batches of 2 to 7 tokens round differently from larger ones: on Gemma 3 270M reusing
        them moved logits by up to 1.1 and changed greedy replies; prefixes evaluated in larger
        batches gave identical logits.
        Past a sliding window the reused cells are laid out otherwise than a fresh context's and
        attention sums round differently (logits moved by up to 1.5 on Gemma 3 270M), so there
        a near-tie may still pick another token (tests/test_real_kv_reuse.py).
        """
        import llama_cpp

        llm = self.llm
        cached = llm.input_ids[: llm.n_tokens].tolist()
        if self.kv_reuse == "safe":
            cached = cached[: self.prefilled]
        match = _common_prefix(cached, tokens)
        keep = match - 1 if match == len(tokens) else match
        if self.kv_reuse == "safe" and 1 < len(tokens) - keep < MIN_SUFFIX:
            keep = max(0, len(tokens) - MIN_SUFFIX)
        if keep > 0 and self.kv_reuse == "safe" and self.n_swa and not self.swa_full:
            oldest = llama_cpp.llama_memory_seq_pos_min(llama_cpp.llama_get_memory(llm.ctx), 0)
            if oldest > max(0, keep - self.n_swa):
                keep = 0
        if self.resume is not None:  # save what is about to be dropped; restore a longer state
            # Not when the same conversation evicts its own head: that prefix never comes back.
            other = not conversation or conversation != self.conversation
            if other and min(self.prefilled, llm.n_tokens) - keep > MIN_SUFFIX:
                self.resume.save(self.prefilled)
            self.conversation = conversation
            keep = self.resume.restore(tokens, keep)
        if self.kv_reuse == "never" or keep <= 0:
            llm.reset()  # generate() then evaluates the whole prompt from position 0
            return 0
        if keep < llm.n_tokens:  # forget the rest, so generate() reuses exactly `keep`
            llm._ctx.kv_cache_seq_rm(-1, keep, -1)
            llm.n_tokens = keep
        return keep

    def generate(self, req: dict[str, Any], cancel: Any, send: Any) -> None:
        import llama_cpp

        llm = self.llm
        start = time.perf_counter()
        try:
            tokens = self.prompt_tokens(req["messages"])
        except TemplateError as exc:
            if exc.kind != "cancelled":
                raise
            send(("done", dict(finish_reason="cancelled", total_ms=(time.perf_counter() - start)
                               * 1000)))
            return
        send(("rendered",))  # the parent's time limit on rendering ends here
        max_tokens = req["max_tokens"]
        if len(tokens) + 1 > llm.n_ctx():
            send(("error", "overflow",
                  f"prompt is {len(tokens)} tokens, the context window is {llm.n_ctx()}"))
            return
        max_tokens = min(max_tokens, llm.n_ctx() - len(tokens))
        cached = self.keep(tokens, req.get("conversation") or "")
        self.prefilled = len(tokens)  # evaluated as one prompt from `cached` on
        seed = req["seed"] if req["seed"] is not None else random.randrange(2**31)
        llm.set_seed(seed)
        grammar = None
        if req.get("grammar"):
            from llama_cpp import LlamaGrammar

            grammar = LlamaGrammar.from_string(req["grammar"], verbose=False)
            check_grammar(llm, req["grammar"])
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        stops = [s for s in req.get("stop") or [] if s]
        text = ""
        sent = 0
        n_out = 0
        first = 0.0
        finish = "length"
        vocab = llm._model.vocab
        sampling = dict(top_k=req["top_k"], top_p=req["top_p"], min_p=req["min_p"],
                        temp=req["temperature"], repeat_penalty=req["repeat_penalty"],
                        grammar=grammar)
        counts = lookup.Counts()
        if req.get("lookup"):  # drafts from the prompt, checked in batches (runtime/lookup.py)
            stream = lookup.generate(llm, tokens, llm._init_sampler(**sampling),
                                     lookup.Drafter(tokens), max_tokens, counts)
        else:
            stream = llm.generate(tokens, **sampling)
        for token in stream:
            if not first:
                first = time.perf_counter()
            if llama_cpp.llama_vocab_is_eog(vocab, token):
                finish = "stop"
                break
            n_out += 1
            text += decoder.decode(llm.detokenize([token]))
            if stops:
                hit = min((i for i in (text.find(s) for s in stops) if i >= 0), default=-1)
                if hit >= 0:
                    text = text[:hit]
                    finish = "stop"
                    break
                safe = len(text) - max(len(s) for s in stops) + 1
            else:
                safe = len(text)
            if safe > sent:
                send(("token", text[sent:safe]))
                sent = safe
            if cancel.is_set():
                finish = "cancelled"
                break
            if n_out >= max_tokens:
                break
        text += decoder.decode(b"", final=True)
        if len(text) > sent:
            send(("token", text[sent:]))
        end = time.perf_counter()
        gen_s = end - first if first else 0.0
        send(("done", dict(
            prompt_tokens=len(tokens), completion_tokens=n_out, cached_tokens=cached,
            ttft_ms=((first or end) - start) * 1000,
            tokens_per_s=(n_out - 1) / gen_s if n_out > 1 and gen_s > 0 else 0.0,
            total_ms=(end - start) * 1000, finish_reason=finish,
            draft_tokens=counts.drafted, accepted_tokens=counts.accepted,
        )))


def _common_prefix(a: list[int], b: list[int]) -> int:
    return next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))


class CancelFlag:
    """A cancel flag safe to set from a signal handler: a plain attribute, no lock."""

    def __init__(self) -> None:
        self.value = False

    def set(self) -> None:
        self.value = True

    def clear(self) -> None:
        self.value = False

    def is_set(self) -> bool:
        return self.value


def main(conn: Any) -> None:
    """Serve requests from the conversation process until told to stop or the pipe closes."""
    import signal

    # llama.cpp's OpenMP threads spin between tokens for a long while by default; on a busy
    # machine a spinning thread takes the core the sampling thread needs (0.4-1 tokens/s instead
    # of 15 with 2 threads on 2 loaded cores), while sleeping at once (OMP_WAIT_POLICY=PASSIVE)
    # cost 3x on a quiet one (SmolLM2: 28 tokens/s against 95). A short spin keeps both.
    # Read once, when llama.cpp is first loaded, below; the user's own setting wins.
    if "OMP_WAIT_POLICY" not in os.environ:
        for key, value in LLAMA_ENV.items():
            os.environ.setdefault(key, value)
    # Cancel arrives as SIGUSR1: the handler runs between two tokens of the generation loop.
    # It only sets a flag: a threading.Event takes a lock, and a second signal arriving while
    # the first handler (or `clear`) holds it deadlocks this process.
    cancel = CancelFlag()
    engine: Engine | None = None

    def on_cancel(*_: Any) -> None:
        cancel.set()
        if engine is not None:
            engine.renderer.cancel()  # raises here, ending a render in progress

    signal.signal(signal.SIGUSR1, on_cancel)
    # Ctrl-C in the terminal is for the conversation process (it cancels); not for this one.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        op = msg[0]
        try:
            if op == "load":
                _, path, n_ctx, n_threads, n_gpu_layers, swa_full, kv_reuse, *rest = msg
                limits, (lora, lora_scale) = rest[:2], (rest[2:4] or [None, 1.0])
                kv_dir, kv_budget = rest[4:6] or [None, 0]  # warm resume's folder and budget
                if engine is not None:
                    if engine.resume is not None:
                        engine.resume.save_before_close(engine.prefilled)
                    engine.llm.close()
                    engine = None
                engine = Engine(path, n_ctx, n_threads, n_gpu_layers, swa_full, kv_reuse,
                                tuple(limits) if limits else None, lora, lora_scale,
                                kv_dir, kv_budget)
                conn.send(("loaded", engine.info()))
            elif op == "close":
                if engine is not None and engine.resume is not None:
                    engine.resume.save_before_close(engine.prefilled)
                conn.send(("closed",))
                return
            elif engine is None:
                conn.send(("error", "state", "no model is loaded"))
            elif op == "format":
                conn.send(("format", engine.prompt_text(msg[1]), engine.template_source))
            elif op == "count":
                conn.send(("count", len(engine.prompt_tokens(msg[1]))))
            elif op == "sizes":
                conn.send(("sizes", [len(engine.llm.tokenize(t.encode("utf-8"), add_bos=False,
                                                              special=False)) for t in msg[1]]))
            elif op == "generate":
                cancel.clear()
                engine.generate(msg[1], cancel, engine.resume.reporting(
                    conn.send, msg[1]["max_tokens"]) if engine.resume is not None else conn.send)
            else:
                conn.send(("error", "state", f"unknown request {op!r}"))
        except (BrokenPipeError, ConnectionResetError):
            return  # the conversation process is gone
        except TemplateError as exc:
            conn.send(("error", "cancelled" if exc.kind == "cancelled" else "template", str(exc)))
        except AdapterFailed as exc:
            conn.send(("error", "lora", str(exc)))
        except Stopped:  # a cancel that landed just as a render began or ended
            conn.send(("error", "cancelled", "cancelled while the chat template was rendering"))
        except Exception as exc:
            if os.environ.get("CREATOR_DEBUG"):
                traceback.print_exc(file=sys.stderr)
            conn.send(("error", type(exc).__name__, str(exc)))


if __name__ == "__main__":
    # Started by LocalBackend as `python -m creator_assistant.runtime.worker FD`: FD is this
    # process's end of a socket pair.
    from multiprocessing.connection import Connection

    main(Connection(int(sys.argv[1])))
