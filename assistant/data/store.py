"""Imported data in SQLite: each import with its provenance, its rows, all or nothing."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from creator_assistant.cache.entries import forget_imports
from creator_assistant.cache.reads import note
from creator_assistant.data.importers.base import Dataset, Source
from creator_assistant.storage.writes import write


@dataclass
class ImportResult:
    """What an import stored (or found already stored), for the user and for `--json`."""

    id: int
    format: str
    kind: str
    source: str
    sha256: str
    rows: int
    parts: dict[str, int]
    meta: dict[str, Any]
    notes: list[str]
    already_imported: bool = False
    replaced: int | None = None  # the import of the same path this one replaced
    imported_at: str = ""

    def as_dict(self) -> dict[str, Any]:
        return dict(vars(self))


class DataStore:
    """Reads and writes `data_imports` and `data_rows`; the database is passed in."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def save(self, source: Source, ds: Dataset) -> ImportResult:
        """Store a dataset in one transaction; the same content again changes nothing, and a
        changed file at the same path replaces its earlier import."""
        meta = {**ds.meta, "parts": {p: len(r) for p, r in ds.parts.items()},
                "notes": ds.notes, "files": [[f.name, f.encoding] for f in source.files]}
        replaced = None
        with write(self.db):  # checked under the lock: two imports of one file store it once
            found = self.db.execute("select id from data_imports where sha256 = ? and "
                                    "format = ?", [source.sha256, ds.format]).fetchone()
            if found:
                return self.result(found[0], already=True)
            old = self.db.execute("select id from data_imports where source = ? and format = ?",
                                  [source.path, ds.format]).fetchone()
            if old:
                replaced = old[0]
                self._delete(old[0])
            # Replies and facts built on the data this import replaces (the same file, or the
            # same kind, whose newest import the tasks read) go in the same transaction.
            forget_imports(self.db, [i for (i,) in self.db.execute(
                "select id from data_imports where kind = ?", [ds.kind])] + [replaced or 0])
            import_id = self.db.table("data_imports").insert({
                "format": ds.format, "kind": ds.kind, "source": source.path,
                "container": source.container, "sha256": source.sha256,
                "imported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "rows": ds.rows, "meta": json.dumps(meta, default=str),
            }).last_pk
            assert import_id is not None  # an insert always has one
            self.db.table("data_rows").insert_all(
                ({"import_id": import_id, "part": part, "seq": seq, "line": rec.get("_line"),
                  "data": json.dumps({k: v for k, v in rec.items() if k != "_line"})}
                 for part, rows in ds.parts.items() for seq, rec in enumerate(rows)),
                batch_size=500,
            )
        result = self.result(int(import_id))
        result.replaced = replaced
        return result

    def result(self, import_id: int, already: bool = False) -> ImportResult:
        row = self.get(import_id)
        meta = row["meta"]
        return ImportResult(row["id"], row["format"], row["kind"], row["source"], row["sha256"],
                            row["rows"], meta.get("parts", {}), meta, meta.get("notes", []),
                            already_imported=already, imported_at=row["imported_at"])

    def find(self, sha256: str, fmt: str | None = None) -> dict[str, Any] | None:
        """The newest import of exactly these bytes (in format `fmt`, when given), if any."""
        found = self.db.execute(
            "select id from data_imports where sha256 = ? and (? is null or format = ?) "
            "order by id desc limit 1", [sha256, fmt, fmt]).fetchone()
        return self.get(found[0]) if found else None

    def at_path(self, path: str) -> dict[str, Any] | None:
        """The newest import of the file at `path`, if any."""
        found = self.db.execute("select id from data_imports where source = ? order by id desc "
                                "limit 1", [path]).fetchone()
        return self.get(found[0]) if found else None

    def get(self, import_id: int) -> dict[str, Any]:
        row = self.db.execute("select * from data_imports where id = ?", [import_id]).fetchone()
        if row is None:
            raise LookupError(f"no import #{import_id}")
        cols = [d[0] for d in self.db.execute("select * from data_imports limit 0").description]
        out = dict(zip(cols, row, strict=True))
        out["meta"] = json.loads(out["meta"] or "{}")
        return out

    def imports(self, kind: str | None = None) -> list[dict[str, Any]]:
        """Every import, newest first (optionally of one kind)."""
        where = "where kind = ?" if kind else ""
        ids = self.db.execute(f"select id from data_imports {where} order by id desc",
                              [kind] if kind else []).fetchall()
        return [self.get(i) for (i,) in ids]

    def rows(self, import_id: int, part: str) -> list[dict[str, Any]]:
        note(import_id)  # a reply built on this import is forgotten when it is replaced
        cur = self.db.execute("select data from data_rows where import_id = ? and part = ? "
                              "order by seq", [import_id, part])
        return [json.loads(d) for (d,) in cur]

    def latest(self, kind: str, part: str, **meta: Any) -> dict[str, Any] | None:
        """The newest import of `kind` that has `part` (and the given meta values), if any."""
        for row in self.imports(kind):
            if part in row["meta"].get("parts", {}) and all(
                    row["meta"].get(k) == v for k, v in meta.items()):
                return row
        return None

    def remove(self, import_id: int) -> None:
        self.get(import_id)
        with write(self.db):
            self._delete(import_id)
            forget_imports(self.db, [import_id])

    def _delete(self, import_id: int) -> None:
        self.db.execute("delete from data_rows where import_id = ?", [import_id])
        self.db.execute("delete from data_imports where id = ?", [import_id])
