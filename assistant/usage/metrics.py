"""The creator metrics, from the usage rows: words per second, sources per minute, items per
second, model-switch latency and resident memory, each with the model it was measured on and
the count behind it."""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable, Iterable
from typing import Any

Row = dict[str, Any]
SPOKE = ("ok", "stopped")  # statuses of replies the model wrote (a question or an error: none)


def metrics(rows: list[Row]) -> dict[str, Any]:
    """Every figure `creator stats` shows (see the module docstring). Replies answered from
    the cache are counted but not timed: they took no generation."""
    written = [r for r in rows if r["kind"] == "reply" and r["status"] in SPOKE
               and not r["cached"] and (r["gen_ms"] or 0) > 0]
    return {
        "rows": len(rows),
        "replies": sum(r["kind"] == "reply" for r in rows),
        "cached": sum(bool(r["cached"]) for r in rows),
        "writing": _groups(written, ("task", "model"), _writing),
        "research": _groups([r for r in written if _sources(r)], ("task", "model"), _research),
        "organizing": _groups([r for r in rows if (r["items"] or 0) > 0 and r["status"] in SPOKE
                               and (r["gen_ms"] or 0) > 0 and not r["cached"]],
                              ("kind", "task", "model"), _organizing),
        "switches": _groups([r for r in rows if r["switch_kind"]], ("model", "switch_kind"),
                            _switches),
        "memory": memory(rows),
    }


def _sources(row: Row) -> int:
    return int(row["imports"] or 0) + int(row["pasted"] or 0)


def _groups(rows: Iterable[Row], keys: tuple[str, ...],
            figure: Callable[[list[Row]], dict[str, Any]]) -> list[dict[str, Any]]:
    found: dict[tuple[Any, ...], list[Row]] = {}
    for row in rows:
        found.setdefault(tuple(row[k] for k in keys), []).append(row)
    return [{**dict(zip(keys, key, strict=True)), **figure(group)}
            for key, group in sorted(found.items(), key=lambda kv: tuple(map(str, kv[0])))]


def _writing(rows: list[Row]) -> dict[str, Any]:
    words, seconds = sum(r["words"] or 0 for r in rows), sum(r["gen_ms"] for r in rows) / 1000
    rates = [r["completion_tokens"] / (r["gen_ms"] / 1000) for r in rows if r["completion_tokens"]]
    return {"replies": len(rows), "words": words, "seconds": round(seconds, 3),
            "words_per_s": round(words / seconds, 2) if seconds else None,
            "tokens_per_s": round(statistics.median(rates), 2) if rates else None,
            "ttft_ms": round(statistics.median(r["ttft_ms"] or 0 for r in rows), 1)}


def _research(rows: list[Row]) -> dict[str, Any]:
    minutes = sum(r["gen_ms"] for r in rows) / 60000
    sources = sum(_sources(r) for r in rows)
    return {"replies": len(rows), "sources": sources,
            "imports": sum(r["imports"] or 0 for r in rows),
            "pasted": sum(r["pasted"] or 0 for r in rows), "minutes": round(minutes, 4),
            "sources_per_min": round(sources / minutes, 2) if minutes else None}


def _organizing(rows: list[Row]) -> dict[str, Any]:
    seconds, items = sum(r["gen_ms"] for r in rows) / 1000, sum(r["items"] for r in rows)
    return {"runs": len(rows), "items": items, "seconds": round(seconds, 3),
            "items_per_s": round(items / seconds, 2) if seconds else None}


def _switches(rows: list[Row]) -> dict[str, Any]:
    ms = [r["switch_ms"] or 0.0 for r in rows]
    return {"count": len(ms), "median_ms": round(statistics.median(ms), 1),
            "max_ms": round(max(ms), 1)}


def memory(rows: list[Row]) -> dict[str, Any]:
    """The latest snapshot of resident memory, and each model's peak, in bytes."""
    snaps = [(r["created"], json.loads(r["memory"])) for r in rows if r.get("memory")]
    peak: dict[str, int] = {}
    for _, snap in snaps:
        for model, rss in snap.get("models", {}).items():
            peak[model] = max(peak.get(model, 0), int(rss))
    latest = {"at": snaps[-1][0], **snaps[-1][1]} if snaps else None
    return {"snapshots": len(snaps), "latest": latest, "peak": peak,
            "peak_total": max((int(s.get("total") or 0) for _, s in snaps), default=0)}
