"""`creator voice export`: the samples as a training set for a bigger model trained elsewhere."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

NAME = "export"


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(NAME, help="write your samples as a training set for unsloth or mlx-lm",
                       description="Write your samples as chat-formatted pairs (one JSON object "
                       "a line: system, user, assistant) into a folder: train.jsonl, a "
                       "held-out tenth in valid.jsonl, config.json with the fine-tuning "
                       "hyperparameters, and mlx-lora.yaml. docs/fine-tuning.md has the "
                       "unsloth and mlx-lm command lines.")
    p.add_argument("--format", choices=("chatml-jsonl",), default="chatml-jsonl",
                   help="the training set's format (default chatml-jsonl)")
    p.add_argument("-o", "--output", metavar="PATH", type=Path, default=Path("voice-export"),
                   help="the folder to write (default ./voice-export); an earlier export there "
                   "is replaced, any other file is never overwritten")
    p.add_argument("--texts", metavar="PATH", type=Path, nargs="+",
                   help="text or Markdown files, one sample each (default: your samples, "
                   "`creator voice list`)")
    p.add_argument("--seed", type=int, default=0, help="which tenth is held out (default 0)")
    p.add_argument("--json", action="store_true", help="print the config as one JSON object")


def run(args: argparse.Namespace) -> int:
    import json

    from creator_assistant.voice.export import ExportError, write_export

    try:
        samples = _from_files(args.texts) if args.texts else _from_store()
        config = write_export(samples, args.output, args.format, args.seed)
    except ExportError as exc:
        print(f"creator: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(config))
        return 0
    print(f"wrote {config['train_pairs']} training and {config['valid_pairs']} held-out pairs "
          f"to {args.output}/ ({config['minibatches']} minibatches, "
          f"{config['optimizer_steps']} optimizer step(s)); see docs/fine-tuning.md")
    if config.get("note"):
        print(f"note: {config['note']}")
    return 0


def _from_files(paths: list[Path]) -> list:
    from creator_assistant.voice.export import ExportError, Sample

    samples = []
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            why = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
            raise ExportError(f"cannot read {path} ({why}); give text or Markdown files") \
                from None
        samples.append(Sample(text, source=str(path)))
    return samples


def _from_store() -> list:
    from creator_assistant.paths import get_paths
    from creator_assistant.storage.errors import StorageError, storage_errors
    from creator_assistant.storage.store import open_store
    from creator_assistant.voice.export import ExportError, Sample
    from creator_assistant.voice.samples import list_samples

    paths = get_paths().ensure()
    try:
        with storage_errors(paths.database):
            store = open_store(paths.database)
            try:
                rows = list_samples(store.db)
            finally:
                store.db.close()
    except StorageError as exc:
        raise ExportError(str(exc)) from None
    return [Sample(r["text"], r.get("title") or "", r.get("source") or "") for r in rows]

if __name__ == "__main__":  # `python -m creator_assistant.commands.voice_export ...`
    parser = argparse.ArgumentParser(prog="creator voice")
    add_parser(parser.add_subparsers(dest="voice_command", required=True))
    raise SystemExit(run(parser.parse_args(["export", *sys.argv[1:]])))
