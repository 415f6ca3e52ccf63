"""`creator voice train`: fine-tune the starter model on your samples, on this machine."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

NAME = "train"


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(NAME, help="fine-tune a small model on your samples, on this machine",
                       description="Fine-tune a small text model on your samples with "
                       "llama.cpp's optimizer, in its own process: chat-formatted pairs built "
                       "from them, a held-out tenth to measure perplexity before and after. "
                       "The loss is printed each step; Ctrl+C stops after the current step and "
                       "keeps what was learnt. The result is a new model in your library "
                       "(ID-voice-DATE) with its training record.")
    p.add_argument("--model", default="smollm2-135m", metavar="ID",
                   help="the model to train (default smollm2-135m)")
    p.add_argument("--epochs", type=int, metavar="N", help="passes over the data (default 3)")
    p.add_argument("--max-steps", type=int, metavar="N", help="stop after N optimizer steps")
    p.add_argument("--context", type=int, metavar="TOKENS",
                   help="tokens per step, a multiple of 256 (default 256)")
    p.add_argument("--threads", type=int, metavar="N",
                   help="CPU threads (default: 2, or the cores there are if fewer)")
    p.add_argument("--texts", metavar="PATH", type=Path, nargs="+",
                   help="text or Markdown files, one sample each (default: your samples)")
    p.add_argument("--json", action="store_true", help="print the training record as JSON")


def run(args: argparse.Namespace) -> int:
    from creator_assistant.paths import get_paths
    from creator_assistant.voice.export import ExportError
    from creator_assistant.voice.train import TrainError, train

    for name in ("epochs", "max_steps", "threads"):
        value = getattr(args, name)
        if value is not None and value < 1:
            return _fail(f"--{name.replace('_', '-')} must be 1 or more")
    if args.context is not None and (args.context < 256 or args.context % 256):
        return _fail("--context must be a multiple of 256 (llama.cpp pads contexts to 256)")
    threads = args.threads or min(2, os.cpu_count() or 1)
    paths = get_paths().ensure()
    try:
        samples = _samples(args.texts)
        out = train(samples, args.model, paths, epochs=args.epochs, max_steps=args.max_steps,
                    threads=threads, context=args.context,
                    on_event=_quiet if args.json else _progress)
    except (TrainError, ExportError) as exc:
        return _fail(str(exc))
    if args.json:
        print(json.dumps(out.record))
        return 0
    before, after = out.record["heldout_before"], out.record["heldout_after"]
    how = "stopped early" if out.stopped else "done"
    print(f"{how}: {out.record['steps_done']} step(s); held-out perplexity "
          f"{before['perplexity']:.2f} → {after['perplexity']:.2f}")
    print(f"saved {out.model_id} ({out.path}); its record: {out.path.parent / 'training.json'}")
    print(f"use it for a task: [tasks.NAME] model = \"{out.model_id}\" in config.toml")
    return 0


def _fail(message: str) -> int:
    print(f"creator: {message}", file=sys.stderr)
    return 1


def _samples(texts: list[Path] | None) -> list:
    from creator_assistant.commands.voice_export import _from_files, _from_store

    return _from_files(texts) if texts else _from_store()


def _clock(seconds: float) -> str:
    minutes = round(seconds / 60)
    return f"{minutes // 60}h{minutes % 60:02d}m" if minutes >= 60 else f"{minutes}m"


def _quiet(event: dict[str, Any]) -> None:
    pass


def _progress(event: dict[str, Any]) -> None:
    kind = event["event"]
    if kind == "ready":
        print(f"training on {event['train_tokens']:,} tokens: {event['total_steps']} step(s) of "
              f"{event['n_ctx']} tokens, {event['heldout_windows']} held-out window(s)",
              flush=True)
    elif kind == "eval":
        print(f"held-out perplexity {event['when']}: {event['perplexity']:.2f}", flush=True)
    elif kind == "step":
        width = 20
        filled = width * event["step"] // max(event["total"], 1)
        bar = "#" * filled + "-" * (width - filled)
        rate = event["tokens_per_s"]
        left = (event["total"] - event["step"]) * event.get("tokens", 256) / rate if rate else 0
        print(f"[{bar}] step {event['step']}/{event['total']}  epoch {event['epoch']}  "
              f"loss {event['loss']:.4f}  lr {event['lr']:.1e}  {rate:.0f} tok/s  "
              f"{_clock(left)} left", flush=True)
    elif kind == "checkpoint":
        print("checkpoint saved", flush=True)


if __name__ == "__main__":  # `python -m creator_assistant.commands.voice_train ...`
    parser = argparse.ArgumentParser(prog="creator voice")
    add_parser(parser.add_subparsers(dest="voice_command", required=True))
    raise SystemExit(run(parser.parse_args(["train", *sys.argv[1:]])))
