"""The one TOML config file, validated on load: a bad key or value is named with what was expected."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from creator_assistant.cache.settings import CacheConfig
from creator_assistant.config_file import read_toml
from creator_assistant.data.importers.limits import (
    MAX_CELL_CHARS,
    MAX_DECOMPRESSED_MB,
    MAX_ROWS,
    Limits,
)
from creator_assistant.library.hardware import default_threads
from creator_assistant.profiles import ProfileError, describe_validation_error


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ModelsConfig(_Strict):
    default: str | None = None
    # llama.cpp threads; the default is what `creator doctor` recommends for this machine.
    threads: int = Field(default_factory=default_threads, ge=1, le=512)
    gpu_layers: int = Field(0, ge=-1)
    memory_budget_gb: float | None = Field(None, gt=0)
    keep_alive_s: float = Field(300.0, ge=0)
    preload: list[str] = Field(default_factory=list)
    # Disk for saved KV states, so conversations resume warm (docs/warm-resume.md); 0: off.
    kv_states_mb: float = Field(1024.0, ge=0)


class TaskOverride(_Strict):
    model: str | None = None
    backend: str | None = None
    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    min_p: float | None = None
    repeat_penalty: float | None = None
    max_tokens: int | None = None
    context: int | None = None
    seed: int | None = None
    # A LoRA adapter GGUF applied to this task's model when it loads (docs/fine-tuning.md);
    # `lora_scale` multiplies it (0: the base model's output).
    lora: str | None = None
    lora_scale: float = Field(1.0, ge=-100.0, le=100.0)
    # Prompt-lookup decoding on the task's revision turns (None: the task's own `lookup`).
    lookup: bool | None = None

    def profile_overrides(self) -> dict[str, object]:
        skip = {"model", "backend", "lora", "lora_scale", "lookup"}
        return {k: v for k, v in self.model_dump().items() if v is not None and k not in skip}


class RemoteConfig(_Strict):
    base_url: str
    api_key: str | None = None
    model: str | None = None
    timeout_s: float = Field(600.0, gt=0)
    context: int = Field(8192, ge=256)  # the server's context window, for prompt fitting
    kind: str = "openai"  # a backend registered by a plugin; `openai` speaks /v1/chat/completions


class ImportsConfig(_Strict):
    """Caps on one `creator import`: a file over one is refused and nothing is stored."""

    max_decompressed_mb: float = Field(MAX_DECOMPRESSED_MB, gt=0)
    max_rows: int = Field(MAX_ROWS, ge=1)
    max_cell_chars: int = Field(MAX_CELL_CHARS, ge=1)

    def as_limits(self) -> Limits:
        return Limits(self.max_decompressed_mb, self.max_rows, self.max_cell_chars)


class VoiceConfig(_Strict):
    """[voice]: the creator's own samples in the prompts of tasks that ask for them."""

    examples: bool = True  # false: no task puts samples into its prompt
    count: int = Field(default=3, ge=0, le=10)  # samples per prompt, at most


class ReportConfig(_Strict):
    """[report]: the inputs of `creator report` (docs/usage-report.md). Each default is an
    assumption, not a measurement: the report shows which ones are still defaults."""

    hourly_value: float = Field(25.0, ge=0)  # what an hour of your time is worth
    currency: str = Field("$", max_length=8)
    hardware_cost: float = Field(0.0, ge=0)  # what the computer cost; 0: not entered
    hardware_lifetime_months: float = Field(36.0, gt=0)
    # Minutes a piece would take you by hand, per task; a task not listed is estimated from
    # what its reply produced, at the three rates below.
    minutes_by_hand: dict[str, Annotated[float, Field(ge=0)]] = Field(default_factory=dict)
    words_per_minute_by_hand: float = Field(20.0, gt=0)  # drafting speed
    minutes_per_source: float = Field(10.0, ge=0)  # reading one source (a file, a paste)
    minutes_per_item: float = Field(0.5, ge=0)  # sorting one idea


class Config(_Strict):
    models: ModelsConfig = Field(default_factory=ModelsConfig)
    voice: VoiceConfig = Field(default_factory=VoiceConfig)
    tasks: dict[str, TaskOverride] = Field(default_factory=dict)
    remotes: dict[str, RemoteConfig] = Field(default_factory=dict)
    keys: dict[str, str] = Field(default_factory=dict)
    imports: ImportsConfig = Field(default_factory=ImportsConfig)
    report: ReportConfig = Field(default_factory=ReportConfig)
    cache: CacheConfig = Field(default_factory=CacheConfig)  # [cache]: docs/cache.md


class ConfigError(ProfileError):
    pass


def load_config(path: Path) -> Config:
    """Read and validate the config file; a missing file means all defaults. Whatever is wrong
    with the file (a folder, unreadable, not UTF-8, not TOML, a bad value) is a ConfigError."""
    data = read_toml(path, ConfigError)
    if data is None:
        return Config()
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{path}: {describe_validation_error(exc, 'config')}") from None
    except (ValueError, TypeError, RecursionError) as exc:  # pydantic's own limits
        raise ConfigError(f"{path}: a value cannot be read ({exc}). Fix it or remove the file.") \
            from None
