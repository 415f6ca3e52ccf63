"""`creator import` and `/import` share this: load, detect, read, store in one transaction."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import sqlite_utils

from creator_assistant.data.importers import limits
from creator_assistant.data.importers.base import DataFileError, Dataset, Importer
from creator_assistant.data.importers.detect import choose_importer
from creator_assistant.data.importers.limits import LimitExceeded, Limits
from creator_assistant.data.importers.source import load_source
from creator_assistant.data.store import DataStore, ImportResult
from creator_assistant.plugin_guard import PluginFailed, call_plugin


def builtin_importers() -> dict[str, Importer]:
    """The importers this package ships, by name (the plugin registers the same ones)."""
    from creator_assistant.data.importers import (
        generic_csv,
        google_trends,
        video_list,
        youtube_studio,
    )

    return {m.IMPORTER.name: m.IMPORTER
            for m in (youtube_studio, google_trends, video_list, generic_csv)}


def import_path(db: sqlite_utils.Database, path: str | Path,
                importers: Mapping[str, Importer] | None = None, *, wanted: str | None = None,
                options: dict[str, str] | None = None,
                caps: Limits | None = None) -> ImportResult:
    """Import the file, folder or zip at `path` under `caps` (the defaults when None);
    DataFileError (LimitExceeded for a cap) says precisely why not, and nothing is stored."""
    with limits.applied(caps or limits.DEFAULT):
        return _import(db, path, importers or builtin_importers(), wanted, dict(options or {}))


def _import(db: sqlite_utils.Database, path: str | Path, importers: Mapping[str, Importer],
            wanted: str | None, options: dict[str, str]) -> ImportResult:
    store = DataStore(db)
    try:
        source = load_source(path)
    except OSError as exc:  # unreadable: permissions, a device, a file that vanished
        raise DataFileError(f"cannot read {path}: {exc.strerror or exc}") from None
    source.path = str(Path(path).expanduser().resolve())
    # The same bytes again are already imported, whatever detection would say of them: a
    # generic CSV imported with --as is recognised without it.
    found = store.find(source.sha256, wanted)
    if found is not None:
        return store.result(found["id"], already=True)
    earlier = None
    try:
        importer = choose_importer(source, importers, wanted)
    except LimitExceeded:
        raise
    except DataFileError:
        earlier = None if wanted else store.at_path(source.path)
        if earlier is None or earlier["format"] not in importers:
            raise
        # A changed version of a file imported with --as: read it the way it was read then.
        importer = importers[earlier["format"]]
        if earlier["meta"].get("map") and "map" not in options:
            options["map"] = earlier["meta"]["map"]
    try:  # an importer is a plugin's code: whatever it raises or returns is said plainly
        dataset = call_plugin(f"{importer.name} importer", f"reading {Path(path).name}",
                              importer.read, source, options, returns=(Dataset,),
                              expected="a Dataset", passes=(DataFileError,))
    except PluginFailed as exc:
        raise DataFileError(f"{exc}; import it with another format (`--as FORMAT`), or fix "
                            "or remove the plugin that registers that importer") from exc
    if earlier is not None:
        how = f" --map {options['map']}" if options.get("map") else ""
        dataset.notes.append(f"read as {importer.name}{how}, like the earlier import of this file")
    if dataset.rows == 0:
        raise DataFileError(f"{Path(path).name}: no data rows under the header (only a header or "
                            "a Total row); export a report that has data")
    if dataset.rows > limits.current().max_rows:  # all parts together, any importer
        raise limits.too_many_rows(Path(path).name)
    dataset.format = importer.name  # the name it is registered under is the format
    return store.save(source, dataset)


def describe(result: ImportResult) -> str:
    """What an import read, as Markdown for the terminal and the chat."""
    if result.already_imported:
        how = f", --map {result.meta['map']}" if result.meta.get("map") else ""
        when = result.imported_at.replace("T", " ")[:16]
        head = (f"Already imported as #{result.id} on {when} UTC ({result.format}{how}, "
                f"{result.rows:,} rows): nothing changed.")
    else:
        head = f"Imported #{result.id}: **{result.format}**, {result.rows:,} rows"
        if result.replaced:
            old = "" if result.replaced == result.id else f"#{result.replaced}, "
            head += f" (replaces {old}an earlier version of this file)"
        head += "."
    parts = ", ".join(f"{name} {n:,}" for name, n in result.parts.items())
    lines = [head, f"- from `{result.source}` (sha256 {result.sha256[:12]}…)"]
    if len(result.parts) > 1 or parts and not result.already_imported:
        lines.append(f"- parts: {parts}")
    meta = result.meta
    for label, key in (("report", "report"), ("dimension", "dimension"), ("channel", "channel"),
                       ("terms", "terms"), ("granularity", "granularity")):
        if meta.get(key):
            value = meta[key]
            lines.append(f"- {label}: {', '.join(value) if isinstance(value, list) else value}")
    if meta.get("start"):
        lines.append(f"- dates: {meta['start']} to {meta.get('end', '?')}")
    if meta.get("total"):
        total = ", ".join(f"{k} {v:,}" if isinstance(v, (int, float)) else f"{k} {v}"
                          for k, v in list(meta["total"].items())[:6])
        lines.append(f"- Total row (kept aside, not counted): {total}")
    lines += [f"- note: {n}" for n in result.notes]
    return "\n".join(lines)
