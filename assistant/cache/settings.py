"""`[cache]` in config.toml: on or off, whether sampled replies are served, and each category's
time to live and size limit (the design's: content 24 h / 2 GB, research 7 d / 1 GB,
analytics 6 h / 500 MB)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

CATEGORIES = ("content", "research", "analytics")
MB = 1_000_000  # `max_mb` counts decimal megabytes of stored text


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CategoryConfig(_Strict):
    """One category's limits: entries older than `ttl_hours` are not served; over `max_mb`,
    the least recently used go first."""

    ttl_hours: float = Field(gt=0)
    max_mb: float = Field(gt=0)


class CacheConfig(_Strict):
    enabled: bool = True
    # A sampled reply (temperature > 0, no seed) is served again only when this is on: the
    # creator asked for variety, and a cache would hide it.
    sampled: bool = False
    content: CategoryConfig = CategoryConfig(ttl_hours=24, max_mb=2000)
    research: CategoryConfig = CategoryConfig(ttl_hours=24 * 7, max_mb=1000)
    analytics: CategoryConfig = CategoryConfig(ttl_hours=6, max_mb=500)

    def category(self, name: str) -> CategoryConfig:
        limits: CategoryConfig = getattr(self, name)
        return limits
