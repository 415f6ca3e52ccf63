"""Pick the importer for a source: the one most sure it reads it, or a clear refusal."""

from __future__ import annotations

import itertools
from collections.abc import Mapping

from creator_assistant.data.importers.base import DataFileError, Importer, Source, shown
from creator_assistant.data.importers.limits import LimitExceeded
from creator_assistant.data.importers.table import text_lines
from creator_assistant.plugin_guard import PluginFailed, call_plugin


def choose_importer(source: Source, importers: Mapping[str, Importer],
                    wanted: str | None = None) -> Importer:
    """`wanted` by name when given; else the importer whose sniff scores highest."""
    if wanted:
        importer = importers.get(wanted)
        if importer is None:
            raise DataFileError(f"unknown format {wanted!r}; formats: "
                                + ", ".join(sorted(importers)))
        if source.container not in getattr(importer, "containers", ("file",)):
            raise DataFileError(f"format {wanted} reads a single file, not a {source.container}")
        return importer
    scored = []
    for importer in importers.values():
        if source.container not in getattr(importer, "containers", ("file",)):
            continue
        try:
            score = float(call_plugin(f"{importer.name} importer", "sniffing a file",
                                      importer.sniff, source, passes=(LimitExceeded,)))
        except LimitExceeded:
            raise  # a file over a cap: say which, whoever noticed
        except (PluginFailed, TypeError, ValueError):  # a broken importer must not block others
            score = 0.0
        if score > 0:
            scored.append((score, importer.name, importer))
    if not scored:
        first = source.files[0]
        head = itertools.islice(text_lines(first.text), 30)
        header = shown(next((ln.strip() for ln in head if ln.strip()), ""), 120)
        studio = any(f.name.lower().endswith(("table data.csv", "chart data.csv", "totals.csv"))
                     for f in source.files)
        foreign = any(c.isalpha() and not c.isascii() for c in header)  # ö, é, í...
        hint = ("A YouTube Studio export in another language: switch Studio to English and "
                "export again. " if studio or foreign else "")
        raise DataFileError(
            f"not a file I can read: {source.path}: its first line `{header}` matches none of "
            f"the formats I know ({', '.join(sorted(importers))}). {hint}Any other CSV of "
            "content: `creator import FILE --as generic --map title=COLUMN,views=COLUMN`.")
    return max(scored, key=lambda s: s[0])[2]
