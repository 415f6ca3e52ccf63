"""Typed, bounded sampling profiles: a task's model settings as a small frozen record."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class SamplingProfile(BaseModel):
    """How a task samples: validated, frozen, and no unknown keys."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    temperature: float = Field(0.7, ge=0.0, le=2.0)
    top_p: float = Field(0.9, gt=0.0, le=1.0)
    top_k: int = Field(40, ge=0, le=1000)
    min_p: float = Field(0.05, ge=0.0, le=1.0)
    repeat_penalty: float = Field(1.1, ge=0.5, le=2.0)
    max_tokens: int = Field(1024, ge=1, le=32768)
    context: int = Field(8192, ge=256, le=262144)
    seed: int | None = Field(None, ge=0)

    def with_overrides(self, overrides: dict[str, Any], where: str = "profile") -> SamplingProfile:
        """A copy with `overrides` applied; a bad key or value raises ProfileError naming it."""
        try:
            return SamplingProfile.model_validate({**self.model_dump(), **overrides})
        except ValidationError as exc:
            raise ProfileError(describe_validation_error(exc, where)) from None


# Shared by several built-in tasks: writing runs warm and long, research cold and focused.
CREATIVE = SamplingProfile(temperature=0.7, top_p=0.9, max_tokens=2048, context=8192,
                           repeat_penalty=1.1)
RESEARCH = SamplingProfile(temperature=0.2, top_p=0.7, max_tokens=1024, context=16384,
                           repeat_penalty=1.05)


class ProfileError(ValueError):
    """A profile or config value is wrong; the message names the key and what was expected."""


def describe_validation_error(exc: ValidationError, where: str) -> str:
    lines = []
    for err in exc.errors():
        key = ".".join(str(part) for part in err["loc"])
        if err["type"] == "extra_forbidden":
            lines.append(f"{where}.{key}: unknown key (not a setting)")
        else:
            got = err.get("input")
            lines.append(f"{where}.{key}: {err['msg'].lower()} (got {got!r})")
    return "; ".join(lines)
