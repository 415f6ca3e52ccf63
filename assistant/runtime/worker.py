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
from typing import Any

FALLBACK_TEMPLATE = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n{{ message['content'] }}"
    "<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


class Engine:
    """One loaded model with its chat formatter; lives only inside the worker process."""

    def __init__(self, path: str, n_ctx: int, n_threads: int | None, n_gpu_layers: int,
                 swa_full: bool | None = None) -> None:
        from llama_cpp import Llama
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        start = time.perf_counter()
        kwargs: dict[str, Any] = dict(
            model_path=path, n_ctx=n_ctx, n_gpu_layers=n_gpu_layers, verbose=False,
            n_batch=512,
        )
        if n_threads:
            kwargs["n_threads"] = n_threads
        if swa_full is not None:
            kwargs["swa_full"] = swa_full
        self.llm = Llama(**kwargs)
        self.load_ms = (time.perf_counter() - start) * 1000
        meta = self.llm.metadata
        template = meta.get("tokenizer.chat_template")
        self.has_template = template is not None
        bos = self.llm.detokenize([self.llm.token_bos()], special=True).decode("utf-8", "replace")
        eos = self.llm.detokenize([self.llm.token_eos()], special=True).decode("utf-8", "replace")
        self.formatter = Jinja2ChatFormatter(template or FALLBACK_TEMPLATE, eos, bos)
        self.arch = meta.get("general.architecture", "")
        self.sliding_window = int(meta.get(f"{self.arch}.attention.sliding_window", 0) or 0)
        self.n_ctx_train = int(meta.get(f"{self.arch}.context_length", 0) or 0)
        self.path = path

    def info(self) -> dict[str, Any]:
        return dict(
            path=self.path, n_ctx=self.llm.n_ctx(), n_ctx_train=self.n_ctx_train,
            n_vocab=self.llm.n_vocab(), load_ms=self.load_ms, has_chat_template=self.has_template,
            sliding_window=self.sliding_window, architecture=self.arch,
        )

    def prompt_tokens(self, messages: list[dict[str, str]]) -> list[int]:
        """The exact tokens a chat turn feeds the model: chat template, then the model's tokenizer."""
        prompt = self.formatter(messages=messages).prompt
        return self.llm.tokenize(prompt.encode("utf-8"), add_bos=False, special=True)

    def generate(self, req: dict[str, Any], cancel: Any, send: Any) -> None:
        import llama_cpp

        llm = self.llm
        start = time.perf_counter()
        tokens = self.prompt_tokens(req["messages"])
        max_tokens = req["max_tokens"]
        if len(tokens) + 1 > llm.n_ctx():
            send(("error", "overflow",
                  f"prompt is {len(tokens)} tokens, the context window is {llm.n_ctx()}"))
            return
        max_tokens = min(max_tokens, llm.n_ctx() - len(tokens))
        cached = _common_prefix(llm.input_ids[: llm.n_tokens].tolist(), tokens)
        seed = req["seed"] if req["seed"] is not None else random.randrange(2**31)
        llm.set_seed(seed)
        grammar = None
        if req.get("grammar"):
            from llama_cpp import LlamaGrammar

            grammar = LlamaGrammar.from_string(req["grammar"], verbose=False)
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        stops = [s for s in req.get("stop") or [] if s]
        text = ""
        sent = 0
        n_out = 0
        first = 0.0
        finish = "length"
        vocab = llm._model.vocab
        for token in llm.generate(
            tokens, top_k=req["top_k"], top_p=req["top_p"], min_p=req["min_p"],
            temp=req["temperature"], repeat_penalty=req["repeat_penalty"], grammar=grammar,
        ):
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
        )))


def _common_prefix(a: list[int], b: list[int]) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def main(conn: Any, cancel: Any) -> None:
    """Serve requests from the conversation process until told to stop or the pipe closes."""
    # llama.cpp's own logging goes to stderr; keep the user's terminal clean.
    os.environ.setdefault("LLAMA_LOG_LEVEL", "error")
    engine: Engine | None = None
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        op = msg[0]
        try:
            if op == "load":
                _, path, n_ctx, n_threads, n_gpu_layers, swa_full = msg
                if engine is not None:
                    engine.llm.close()
                    engine = None
                engine = Engine(path, n_ctx, n_threads, n_gpu_layers, swa_full)
                conn.send(("loaded", engine.info()))
            elif op == "close":
                conn.send(("closed",))
                return
            elif engine is None:
                conn.send(("error", "state", "no model is loaded"))
            elif op == "count":
                conn.send(("count", len(engine.prompt_tokens(msg[1]))))
            elif op == "tokenize":
                ids = engine.llm.tokenize(msg[1].encode("utf-8"), add_bos=False, special=False)
                conn.send(("tokens", ids))
            elif op == "generate":
                engine.generate(msg[1], cancel, conn.send)
            else:
                conn.send(("error", "state", f"unknown request {op!r}"))
        except KeyboardInterrupt:
            return
        except Exception as exc:
            traceback.print_exc(file=sys.stderr) if os.environ.get("CREATOR_DEBUG") else None
            conn.send(("error", type(exc).__name__, str(exc)))
