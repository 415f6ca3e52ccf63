"""The training process: llama.cpp's optimizer on an F32 model, one optimizer step at a time.

Run as `python -m creator_assistant.voice.train_worker`: reads one JSON job from stdin, writes
JSON lines (ready, eval, step, checkpoint, done) to stdout; a line "stop" on stdin ends it after
the current step, keeping the weights of the last finished step. It ignores SIGINT (the parent
decides); llama.cpp's own log goes to stderr, which the parent sends to a file.
"""

from __future__ import annotations

import ctypes
import json
import math
import os
import select
import signal
import sys
import time
from pathlib import Path
from typing import Any


def emit(event: str, **fields: Any) -> None:
    sys.stdout.write(json.dumps({"event": event, **fields}) + "\n")
    sys.stdout.flush()


def stop_asked() -> bool:
    ready, _, _ = select.select([sys.stdin], [], [], 0)
    return bool(ready) and sys.stdin.readline().strip() in ("stop", "")


def chat_text(llama_cpp: Any, model: Any, messages: list[dict[str, str]]) -> bytes:
    """The pair rendered with the model's own chat template (llama.cpp's built-in renderer)."""
    tmpl = llama_cpp.llama_model_chat_template(model, None)
    arr = (llama_cpp.llama_chat_message * len(messages))(
        *[llama_cpp.llama_chat_message(m["role"].encode(), m["content"].encode())
          for m in messages])
    size = sum(len(m["content"]) for m in messages) * 2 + 1024
    buf = ctypes.create_string_buffer(size)
    n = llama_cpp.llama_chat_apply_template(tmpl, arr, len(messages), False, buf, size)
    if n < 0 or not tmpl:
        return "\n\n".join(m["content"] for m in messages).encode()
    if n > size:
        buf = ctypes.create_string_buffer(n + 1)
        n = llama_cpp.llama_chat_apply_template(tmpl, arr, len(messages), False, buf, n + 1)
    return buf.raw[:n]


def tokens_of(llama_cpp: Any, vocab: Any, text: bytes) -> list[int]:
    cap = len(text) + 16
    buf = (llama_cpp.llama_token * cap)()
    n = llama_cpp.llama_tokenize(vocab, text, len(text), buf, cap, True, True)
    return list(buf[:n])


def windows(stream: list[int], n_ctx: int) -> list[list[int]]:
    """Windows of n_ctx + 1 tokens (inputs and next-token labels), the stream cycled to fill."""
    if not stream:
        return []
    need = max(1, math.ceil((len(stream) - 1) / n_ctx)) * n_ctx + 1
    full = (stream * (need // len(stream) + 1))[:need]
    return [full[i:i + n_ctx + 1] for i in range(0, need - 1, n_ctx)]


def learning_rate(step: int, total: int, lr: float, warmup: int) -> float:
    """Linear warm-up, then linear decay to a tenth of the rate."""
    if warmup and step < warmup:
        return lr * (step + 1) / warmup
    rest = max(1, total - warmup)
    return lr * (1.0 - 0.9 * (step - warmup) / rest)


def main() -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    job = json.loads(sys.stdin.readline())
    import llama_cpp

    from creator_assistant.voice.opt_bindings import Opt, OptParams

    hp = job["hyperparameters"]
    llama_cpp.llama_backend_init()
    mp = llama_cpp.llama_model_default_params()
    mp.load_mode = 0  # no mmap: the optimizer writes the weights in place
    model = llama_cpp.llama_model_load_from_file(job["model"].encode(), mp)
    if not model:
        emit("error", message=f"llama.cpp could not load {job['model']}")
        return 1
    # An adapter never applied: it only makes room in the graph for the backward pass.
    room = llama_cpp.llama_adapter_lora_init(model, job["room"].encode())
    cp = llama_cpp.llama_context_default_params()
    cp.n_ctx = cp.n_batch = hp["context"]
    cp.n_ubatch = hp["ubatch"]
    cp.n_threads = cp.n_threads_batch = job["threads"]
    cp.type_k = cp.type_v = 0  # F32: no F16 backward for the cache
    cp.flash_attn_type = 0  # no backward pass for flash attention
    ctx = llama_cpp.llama_init_from_model(model, cp)
    if not ctx:
        emit("error", message="llama.cpp could not make a training context")
        return 1
    n_ctx = llama_cpp.llama_n_ctx(ctx)
    opt = Opt()
    pars = opt.ggml.ggml_opt_get_default_optimizer_params(None)
    pars.alpha, pars.wd = hp["learning_rate"], hp["weight_decay"]
    opt.llama.llama_opt_init(ctx, model, OptParams(0, opt.filter_all, None, opt.constant_pars,
                                                   ctypes.addressof(pars), 0))
    vocab = llama_cpp.llama_model_get_vocab(model)

    def stream(pairs: list[dict[str, Any]]) -> list[int]:
        out: list[int] = []
        for p in pairs:
            out += tokens_of(llama_cpp, vocab, chat_text(llama_cpp, model, p["messages"]))
        return out

    train_stream = stream(job["train"])
    train_w, held_w = windows(train_stream, n_ctx), windows(stream(job["heldout"]), n_ctx)
    per_epoch = len(train_w)
    total = per_epoch * hp["epochs"]
    if job.get("max_steps"):
        total = min(total, job["max_steps"])
    warmup = min(hp["warmup_steps"], total // 10)
    emit("ready", n_ctx=n_ctx, train_tokens=len(train_stream), train_windows=per_epoch,
         heldout_windows=len(held_w), total_steps=total, warmup_steps=warmup)
    result = opt.ggml.ggml_opt_result_init()
    held_ds = opt.dataset(held_w, n_ctx)

    def heldout(when: str) -> None:
        opt.ggml.ggml_opt_result_reset(result)
        opt.llama.llama_opt_epoch(ctx, held_ds, None, result, 0, None, None)
        loss = opt.loss(result)
        emit("eval", when=when, loss=loss, perplexity=math.exp(loss))

    def save(path: Path) -> None:
        part = path.with_name(path.name + ".part")
        opt.llama.llama_model_save_to_file(model, str(part).encode())
        os.replace(part, path)
        emit("checkpoint", path=str(path))

    heldout("before")
    step_ds = opt.dataset(train_w[:1], n_ctx)
    import random

    rng = random.Random(hp.get("seed", 0))
    checkpoint = Path(job["checkpoint"])
    step, stopped, t0 = 0, False, time.monotonic()
    for epoch in range(hp["epochs"]):
        order = list(range(per_epoch))
        rng.shuffle(order)
        for k in order:
            if step >= total:
                break
            if stop_asked():
                stopped = True
                break
            pars.alpha = learning_rate(step, total, hp["learning_rate"], warmup)
            opt.fill(step_ds, [train_w[k]], n_ctx)
            opt.ggml.ggml_opt_result_reset(result)
            opt.llama.llama_opt_epoch(ctx, step_ds, result, None, 1, None, None)
            step += 1
            elapsed = time.monotonic() - t0
            emit("step", step=step, total=total, epoch=epoch + 1, loss=opt.loss(result), tokens=n_ctx,
                 lr=pars.alpha, tokens_per_s=step * n_ctx / elapsed if elapsed else 0.0)
        if stopped or step >= total:
            break
        save(checkpoint)
    heldout("after")
    save(checkpoint)
    if job.get("quantized"):
        from creator_assistant.voice.convert import quantize, with_weights

        merged = checkpoint.with_name("trained.f32.gguf")  # the base's metadata, trained weights
        with_weights(Path(job["model"]), checkpoint, merged)
        quantize(merged, Path(job["quantized"]), "q8_0", job["threads"])
        merged.unlink()
        emit("quantized", path=job["quantized"], type="q8_0")
    emit("done", steps=step, stopped=stopped)
    if room:
        llama_cpp.llama_adapter_lora_free(room)
    return 0


if __name__ == "__main__":
    sys.exit(main())
