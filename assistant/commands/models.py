"""`creator models ...`: browse the catalogue, pull and verify, add your own GGUF, remove."""

from __future__ import annotations

import argparse
import json
import sys

from creator_assistant.commands import CommandError

ACTIONS = ("list", "pull", "add", "rm", "info")


def add_parser(sub: argparse._SubParsersAction) -> None:
    models = sub.add_parser("models", help="browse, download and manage models",
                            description="Browse the model catalogue, download models, add your "
                            "own GGUF files. Without ACTION: the same as `list`.")
    msub = models.add_subparsers(dest="models_command", metavar="ACTION")
    mlist = msub.add_parser("list", help="the catalogue and your models, with their status",
                            description="The catalogue and your models by category: id, size, "
                            "tier, status (downloaded, built in, added, available, partial), gated or not.")
    mlist.add_argument("--json", action="store_true", help="a JSON list of objects")
    pull = msub.add_parser("pull", help="download a catalogue model (resumable, verified)",
                           description="Download a catalogue model from the Hugging Face hub: "
                           "free disk space is checked first, an interrupted pull resumes, and "
                           "the file is verified by sha256 before it is installed. A gated model "
                           "needs its licence accepted on the hub and `hf auth login` (or "
                           "HF_TOKEN).")
    pull.add_argument("id", metavar="ID", help="a catalogue id (see `creator models list`)")
    add = msub.add_parser("add", help="register your own .gguf file (validated first)",
                          description="Register a GGUF file you already have; it is checked "
                          "before llama.cpp sees it and used where it is (not copied).")
    add.add_argument("path", metavar="PATH", help="the .gguf file")
    add.add_argument("--id", dest="model_id", help="the id to use (default: from the file name)")
    rm = msub.add_parser("rm", help="delete a downloaded model, or unregister an added one",
                         description="Delete a downloaded model's file; a model registered with "
                         "`models add` is only unregistered (its file stays).")
    rm.add_argument("id", metavar="ID", help="a model id (see `creator models list`)")
    info = msub.add_parser("info", help="everything known about one model",
                           description="Everything known about one model: catalogue entry, the "
                           "file's own GGUF metadata and where a download came from.")
    info.add_argument("id", metavar="ID", help="a model id (see `creator models list`)")
    info.add_argument("--json", action="store_true", help="one JSON object")


def run(args: argparse.Namespace) -> int:
    from creator_assistant import library
    from creator_assistant.library.catalogue import CatalogueError
    from creator_assistant.paths import get_paths

    paths = get_paths().ensure()
    action = args.models_command or "list"
    try:
        return globals()[f"_{action}"](args, paths, library)
    except (library.LibraryError, CatalogueError) as exc:
        raise CommandError(str(exc)) from None


def _list(args: argparse.Namespace, paths, library) -> int:
    listing = library.rows(paths)
    if getattr(args, "json", False):
        print(json.dumps(listing, indent=2))
        return 0
    for category in ("text-generation", "embedding"):
        print(f"# {category}")
        for row in (r for r in listing if r["category"] == category):
            size = library.human_size(row["size"]) if row["size"] else "built here"
            flags = " (gated)" if row["gated"] else ""
            if row["partial_bytes"]:
                flags += f" (partial: {library.human_size(row['partial_bytes'])}, pull resumes)"
            print(f"{row['id']:<24} {size:>10}  {row['tier']:<13} {row['status']}{flags}")
            if row["demo"]:
                print(f"{'':<24} {row['note']}")
    return 0


def _pull(args: argparse.Namespace, paths, library) -> int:
    entry = library.get(args.id, paths)
    if entry.repo and library.row(entry, paths)["status"] == "available":
        if entry.gated:
            print(f"note: {entry.id} is licence-gated ({entry.licence})", file=sys.stderr)
        print(f"pulling {entry.id} from {entry.repo} ({entry.file}, "
              f"about {library.human_size(entry.size)})", file=sys.stderr)
    try:
        done = library.pull(args.id, paths, show_bar=sys.stderr.isatty())
    except KeyboardInterrupt:
        print(f"\nstopped; what arrived is kept: `creator models pull {entry.id}` resumes",
              file=sys.stderr)
        raise
    if done.verified_by == "already downloaded":
        print(f"{entry.id} is already downloaded: {done.path}")
        return 0
    resumed = (f", resumed after {library.human_size(done.resumed_from)}"
               if done.resumed_from else "")
    print(f"{entry.id}: {library.human_size(done.downloaded)} downloaded{resumed}; "
          f"verified by {done.verified_by}; saved to {done.path}")
    return 0


def _add(args: argparse.Namespace, paths, library) -> int:
    entry = library.add(args.path, paths, args.model_id)
    print(f"added {entry.id}: {entry.name}, {library.human_size(entry.size)}, context "
          f"{entry.context:,}, {entry.category}. Use it with `--model {entry.id}` or in "
          f"config.toml: [tasks.NAME] model = \"{entry.id}\"")
    return 0


def _rm(args: argparse.Namespace, paths, library) -> int:
    print(library.remove(args.id, paths))
    return 0


def _info(args: argparse.Namespace, paths, library) -> int:
    data = library.info(args.id, paths)
    if args.json:
        print(json.dumps(data, indent=2))
        return 0
    keys = ("id", "name", "status", "category", "tier", "context", "repo", "file", "licence",
            "sha256", "path", "note")
    for key in keys:
        if data.get(key) not in (None, "", False):
            print(f"{key + ':':<12} {data[key]}")
    print(f"{'size:':<12} {library.human_size(data['size'])}")
    for key, value in (data.get("gguf") or {}).items():
        print(f"{'gguf ' + key + ':':<26} {value}")
    for key, value in (data.get("provenance") or {}).items():
        print(f"{'pulled ' + key + ':':<26} {value}")
    if data.get("gguf_error"):
        print(f"problem: {data['gguf_error']}")
    return 0
