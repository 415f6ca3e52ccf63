"""Prompt lookup on revision turns: `python -m benches revise [--tokens N] [--repeats N]`.

"Fix the typos", "make it shorter", "rewrite this in my voice" on a pasted paragraph, and an
edit-and-resend of a reply: each greedy, through the product's worker, with prompt lookup and
without, side by side (alternating, on 2 threads), on the starter model (SmolLM2) and the real
Gemma 3 270M from the test models' cache (`make test-models`). Tokens/s is the worker's own
generation clock (first token to last). Prints one JSON line: per model `speedup` (lookup's
tokens/s over plain's, all prompts together; target >= 1.5), `identical` (every reply the same
text with and without), `accepted_share` (reply tokens that came from drafts); the starter's
figures are the top-level ones.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

TARGET = 1.5
PARAGRAPH = (
    "Last weekend I finaly tried the new ramen place downtown. The broth was rich and smoky, "
    "the noodles were chewy, and the staff were incredibly frendly. The only downside was the "
    "wait: we stood in line for almost fourty minutes before we got a table. Still, I would "
    "definately go back, especially on a weekday when it is quieter. Next time I want to try "
    "the spicy miso bowl and the gyoza, which everyone around us seemed to be ordering.")
REVISIONS = {
    "fix the typos": [{"role": "user", "content": f"Fix the typos in this paragraph:\n\n"
                       f"{PARAGRAPH}"}],
    "make it shorter": [{"role": "user", "content": f"Make it shorter:\n\n{PARAGRAPH}"}],
    "in my voice": [{"role": "user", "content": "Rewrite this in my voice, casual and upbeat:"
                     f"\n\n{PARAGRAPH}"}],
    "edit and resend": [
        {"role": "user", "content": "Write a short paragraph about my ramen night."},
        {"role": "assistant", "content": PARAGRAPH},
        {"role": "user", "content": "Good. Now give it back with the typos fixed, nothing else."}],
}


def one(backend: Any, messages: list[dict[str, str]], tokens: int, on: bool) -> tuple[str, Any]:
    from creator_assistant.runtime.protocol import GenerateRequest

    request = GenerateRequest(messages=messages, temperature=0.0, top_k=1, top_p=1.0, min_p=0.0,
                              repeat_penalty=1.0, max_tokens=tokens, seed=1, lookup=on)
    text = "".join(backend.stream(request))
    return text, backend.last_usage


def measure(path: Any, tokens: int, repeats: int) -> dict[str, Any]:
    from creator_assistant.runtime.local import LocalBackend

    backend = LocalBackend(path, n_ctx=2048, n_threads=2)
    backend.load()
    seconds = {False: 0.0, True: 0.0}
    made = {False: 0, True: 0}
    accepted = drafted = 0
    same: dict[str, bool] = {}
    try:
        for name, messages in REVISIONS.items():
            for _ in range(repeats):
                texts = {}
                for on in (False, True):
                    text, usage = one(backend, messages, tokens, on)
                    texts[on] = text
                    if usage.tokens_per_s > 0:
                        seconds[on] += (usage.completion_tokens - 1) / usage.tokens_per_s
                        made[on] += usage.completion_tokens - 1
                    if on:
                        accepted += usage.accepted_tokens
                        drafted += usage.draft_tokens
                same[name] = same.get(name, True) and texts[False] == texts[True]
    finally:
        backend.close()
    tps = {on: made[on] / seconds[on] if seconds[on] else 0.0 for on in seconds}
    return {
        "speedup": round(tps[True] / tps[False], 2) if tps[False] else None,
        "identical": all(same.values()),
        "identical_per_prompt": same,
        "tokens_per_s_lookup": round(tps[True], 1), "tokens_per_s_plain": round(tps[False], 1),
        "accepted_share": round(accepted / made[True], 2) if made[True] else 0.0,
        "draft_acceptance": round(accepted / drafted, 2) if drafted else 0.0,
    }


def rounding(path: Any, sizes: tuple[int, ...] = (1, 2, 4, 7, 8, 16)) -> dict[str, Any]:
    """How logits depend on the batch a token is evaluated in: the same 40 tokens after the same
    prompt, fed in batches of each size, against batches of 8; max |logit difference|."""
    import llama_cpp
    import numpy as np

    from creator_assistant.runtime.worker import Engine

    engine = Engine(str(path), 2048, 2, 0)
    llm = engine.llm
    prompt = engine.prompt_tokens(REVISIONS["fix the typos"])
    reply = llm.tokenize(PARAGRAPH.encode("utf-8"), add_bos=False)[:40]

    def logits(size: int) -> Any:
        llm.reset()
        llm.eval(prompt)
        rows = []
        for i in range(0, len(reply), size):
            step = reply[i:i + size]
            llm._batch.set_batch(step, llm.n_tokens, True)
            llm._ctx.decode(llm._batch)
            llm.n_tokens += len(step)
            rows += [np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(llm.ctx, j),
                                           shape=(llm.n_vocab(),)).copy() for j in range(len(step))]
        return np.array(rows)

    try:
        runs = {size: logits(size) for size in sizes}
    finally:
        llm.close()
    return {f"batch_{size}_vs_8": round(float(np.abs(runs[size] - runs[8]).max()), 3)
            for size in sizes if size != 8}


def main(argv: list[str]) -> int:
    from benches.models import REAL, real_model
    from creator_assistant.runtime.lookup import DRAFT, NGRAM

    parser = argparse.ArgumentParser(prog="python -m benches revise", description=__doc__)
    parser.add_argument("--tokens", type=int, default=120, help="reply tokens at most")
    parser.add_argument("--repeats", type=int, default=1, help="runs of each prompt, each way")
    parser.add_argument("--rounding", action="store_true",
                        help="also: how far logits move with the batch size (in this process)")
    args = parser.parse_args(argv)
    out: dict[str, Any] = {"bench": "revise", "target_speedup": TARGET, "ngram": NGRAM,
                           "draft": DRAFT, "tokens": args.tokens, "models": {}}
    for model in REAL:
        path = real_model(model)
        if path is None:
            out["models"][model] = {"skipped": "not on this machine (make test-models)"}
            continue
        out["models"][model] = measure(path, args.tokens, args.repeats)
        if args.rounding:
            out["models"][model]["max_logit_change"] = rounding(path)
    starter = out["models"].get(REAL[0], {})
    out.update({k: starter.get(k) for k in ("speedup", "identical", "accepted_share")})
    print(json.dumps(out))
    return 0
