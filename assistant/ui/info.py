"""What the UI says about a reply: task and why, model, speed, status; from a live turn or a
saved message alike."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

DEMO_ID = "demo"


@dataclass
class ReplyInfo:
    task: str = ""
    reason: str = ""
    model: str = ""
    note: str = ""
    status: str = "ok"
    tokens: int = 0
    tps: float = 0.0
    ttft_ms: float = 0.0
    context_used: int = 0
    context_window: int = 0
    error: str = ""
    notices: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    tag: str = ""  # what kind of model answered: "starter model", "base model", "demo model"
    voice: str = ""  # the creator's samples in the prompt: "#3, #7"
    restored: int = 0  # prompt tokens restored from a saved state (warm resume)
    cache_age: float | None = None  # served from the reply cache: the entry's age in seconds
    drafted: int = 0  # tokens of the reply that prompt lookup drafted (runtime/lookup.py)

    @classmethod
    def from_result(cls, result: Any, n_ctx: int = 0, tag: str = "") -> ReplyInfo:
        u = result.usage
        return cls(result.task, result.route.reason, result.model, result.model_note,
                   result.status, u.completion_tokens, u.tokens_per_s, u.ttft_ms,
                   u.prompt_tokens + u.completion_tokens, n_ctx, result.error or "",
                   list(result.notices) + _unsaved(result) + _state_notice(u),
                   list(result.format_problems or []),
                   tag, ", ".join(f"#{s['id']}" for s in getattr(result, "voice", None) or []),
                   getattr(u, "restored_tokens", 0),
                   cache_age=(getattr(result, "cache", None) or {}).get("age_s"),
                   drafted=getattr(u, "accepted_tokens", 0))

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> ReplyInfo:
        tokens = row.get("completion_tokens") or 0
        return cls(row.get("task") or "", row.get("route_reason") or "", row.get("model") or "",
                   "", row.get("status") or "ok", tokens, row.get("tokens_per_s") or 0.0,
                   row.get("ttft_ms") or 0.0, (row.get("prompt_tokens") or 0) + tokens,
                   problems=json.loads(row.get("format_problems") or "[]"),
                   cache_age=row.get("cache_hit"))

    @property
    def is_demo(self) -> bool:
        return self.model == DEMO_ID

    @property
    def model_label(self) -> str:
        """The model's id with what kind it is: `demo (demo model)`, `smollm2-135m (starter
        model)`, `gemma-3-270m (base model)`; a saved reply's model is looked up in the shipped
        catalogue."""
        from creator_assistant.library.kinds import shipped_tag

        tag = self.tag or (shipped_tag(self.model) if self.model else "")
        return f"{self.model} ({tag})" if tag else self.model

    def line(self) -> str:
        """One line under a reply: task and why, model, size and speed, status."""
        parts = [self.task or "?"]
        if self.reason:
            parts[0] += f" ({self.reason})"
        if self.model:
            parts.append(self.model_label)
        if self.voice:
            parts.append(f"your samples {self.voice}")
        if self.tokens:
            parts.append(f"{self.tokens:,} token" + ("" if self.tokens == 1 else "s"))
        if self.tps:
            parts.append(f"{self.tps:,.1f} tok/s")
        if self.drafted and self.tokens:
            parts.append(f"{self.drafted / self.tokens:.0%} from drafts")
        if self.restored:
            parts.append(f"{self.restored:,} prompt tokens resumed from disk")
        if self.cache_age is not None:
            from creator_assistant.cache.words import served

            parts.append(served(self.cache_age))
        if self.status == "stopped":
            parts.append("stopped")
        elif self.status == "question":
            parts.append("asks a question")
        elif self.status == "error":
            parts.append("error")
        return " · ".join(parts)


def _state_notice(usage: Any) -> list[str]:
    """A saved conversation state that was damaged and ignored (warm resume)."""
    notice = getattr(usage, "state_notice", "")
    return [notice] if notice else []


def _unsaved(result: Any) -> list[str]:
    """A reply the disk had no room for: where it is kept until it can be saved."""
    unsaved = getattr(result, "unsaved", None)
    return [f"Not saved: {unsaved}"] if unsaved else []
