"""Pick the importer for a source: the one most sure it reads it, or a clear refusal."""

from __future__ import annotations

from collections.abc import Mapping

from creator_assistant.data.importers.base import DataFileError, Importer, Source


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
            score = float(importer.sniff(source))
        except Exception:  # a third-party importer that breaks must not block the others
            score = 0.0
        if score > 0:
            scored.append((score, importer.name, importer))
    if not scored:
        first = source.files[0]
        header = next((ln for ln in first.text.splitlines() if ln.strip()), "")[:120]
        raise DataFileError(
            f"not a file I can read: {source.path}: its first line `{header}` matches none of "
            f"the formats I know ({', '.join(sorted(importers))}). A YouTube Studio export in "
            "another language: switch Studio to English and export again. Any other CSV of "
            "content: `creator import FILE --as generic --map title=COLUMN,views=COLUMN`.")
    return max(scored, key=lambda s: s[0])[2]
