"""What this machine has (cores, memory, GPUs) and the hardware tier and settings that follow."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
from collections.abc import Collection
from dataclasses import asdict, dataclass, field
from typing import Any

GB = 1024**3


@dataclass(frozen=True)
class Tier:
    name: str
    label: str
    min_ram_gb: int
    model: str
    context: int


# From the product's hardware plan: Starter 4B (16 GB RAM), Professional 12B (32 GB),
# Enterprise 27B (64 GB). Below 16 GB the 1B model is the honest recommendation.
TIERS = (
    Tier("enterprise", "Enterprise (27B)", 64, "gemma-3-27b", 16384),
    Tier("professional", "Professional (12B)", 32, "gemma-3-12b", 16384),
    Tier("starter", "Starter (4B)", 16, "gemma-3-4b", 8192),
    Tier("minimal", "Below Starter (1B)", 0, "gemma-3-1b", 4096),
)
# Installed RAM is reported a little under the marketing figure (16 GB shows as ~15.5 GiB).
RAM_SLACK_GB = 1.0


@dataclass(frozen=True)
class GPU:
    name: str
    vram_gb: float
    kind: str  # cuda, metal


@dataclass(frozen=True)
class Hardware:
    logical_cores: int
    physical_cores: int
    ram_gb: float
    available_ram_gb: float
    gpus: list[GPU] = field(default_factory=list)
    gpu_offload: bool = False  # this llama.cpp build has a GPU backend
    system: str = ""
    usable_cores: int = 0  # the cores this process may run on (0: all of them)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _physical_cores(logical: int) -> int:
    try:
        text = open("/proc/cpuinfo", encoding="utf-8").read()
    except OSError:
        return logical
    pairs = set()
    phys = core = ""
    for line in text.splitlines() + [""]:
        key, _, value = line.partition(":")
        key = key.strip()
        if key == "physical id":
            phys = value.strip()
        elif key == "core id":
            core = value.strip()
        elif not line.strip() and core:
            pairs.add((phys, core))
            phys = core = ""
    return len(pairs) or logical


def _usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # macOS has no affinity call
        return os.cpu_count() or 1


def recommended_threads(hw: Hardware) -> int:
    """llama.cpp's threads for this machine: one per physical core (it generates fastest so),
    never more than the cores this process may use."""
    return max(1, min(hw.physical_cores, hw.usable_cores or hw.physical_cores))


def default_threads() -> int:
    """The `threads` default: what `creator doctor` recommends, without its slower probes."""
    logical = os.cpu_count() or 1
    return recommended_threads(Hardware(logical, _physical_cores(logical), 0.0, 0.0,
                                        usable_cores=_usable_cores()))


def _memory() -> tuple[float, float]:
    try:
        info = {}
        with open("/proc/meminfo", encoding="utf-8") as fh:
            for line in fh:
                key, _, value = line.partition(":")
                info[key] = int(value.split()[0]) * 1024
        return info["MemTotal"] / GB, info.get("MemAvailable", info["MemFree"]) / GB
    except (OSError, KeyError, ValueError):
        pass
    try:  # macOS and other POSIX systems
        total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        return total / GB, total / GB
    except (ValueError, OSError, AttributeError):
        return 0.0, 0.0


def _nvidia_gpus() -> list[GPU]:
    exe = shutil.which("nvidia-smi")
    if exe is None:
        return []
    try:
        query = [exe, "--query-gpu=name,memory.total", "--format=csv,noheader,nounits"]
        out = subprocess.run(query, capture_output=True, text=True, timeout=5, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    gpus = []
    for line in out.strip().splitlines():
        name, _, mib = line.rpartition(",")
        try:
            gpus.append(GPU(name.strip(), round(float(mib) / 1024, 1), "cuda"))
        except ValueError:
            continue
    return gpus


def _offload_supported() -> bool:
    try:
        import llama_cpp

        return bool(llama_cpp.llama_supports_gpu_offload())
    except Exception:  # a broken build must not break `creator doctor`
        return False


def detect() -> Hardware:
    """Probe this machine; never raises (unknown values are 0 or empty)."""
    logical = os.cpu_count() or 1
    ram, available = _memory()
    gpus = _nvidia_gpus()
    if platform.system() == "Darwin" and platform.machine() == "arm64":
        gpus.append(GPU("Apple silicon (unified memory)", round(ram, 1), "metal"))
    return Hardware(logical, _physical_cores(logical), round(ram, 1), round(available, 1), gpus,
                    _offload_supported(), f"{platform.system()} {platform.machine()}",
                    _usable_cores())


def recommend(hw: Hardware) -> tuple[Tier, str]:
    """The hardware tier for this machine and the reason, in one sentence."""
    for tier in TIERS:
        if hw.ram_gb + RAM_SLACK_GB >= tier.min_ram_gb:
            break
    reason = f"{hw.ram_gb:.0f} GB of RAM"
    if tier.min_ram_gb:
        reason += f" meets the {tier.label} tier's {tier.min_ram_gb} GB"
    else:
        reason += f" is under the Starter tier's {TIERS[2].min_ram_gb} GB"
    above = TIERS[max(0, TIERS.index(tier) - 1)]
    if above is not tier and tier.min_ram_gb:
        reason += f"; {above.label} needs {above.min_ram_gb} GB"
    return tier, reason + "."


def pick_model(tier: Tier, entries: dict[str, Any],
               installed: Collection[str] = ()) -> tuple[Any, Any | None]:
    """The model to get for `tier`, and the licence-gated one it stands in for (else None).

    The tier's own model, unless its publisher gates it behind a licence to accept and it is not
    downloaded yet; then the best ungated text model no larger than it (so it fits the same
    memory), one already downloaded first."""
    plan = entries[tier.model]
    if not plan.gated or plan.id in installed:
        return plan, None
    from creator_assistant.library import kinds

    fits = [e for e in entries.values() if e.category == "text-generation" and not e.gated
            and kinds.is_chat(e) is not False and e.id != kinds.STARTER_ID
            and (e.repo or e.id in installed) and 0 < e.size <= plan.size]
    if not fits:
        return plan, None
    return max(fits, key=lambda e: (e.id in installed, e.rank)), plan


def settings(hw: Hardware, tier: Tier, model_gb: float, models: Any = None) -> dict[str, Any]:
    """The runtime settings in force (config, else the defaults) and what this machine suggests."""
    vram = max((g.vram_gb for g in hw.gpus), default=0.0)
    if not hw.gpus:
        layers, why = 0, "no GPU found"
    elif not hw.gpu_offload:
        layers, why = 0, "this llama.cpp build has no GPU backend (rebuild with CMAKE_ARGS)"
    elif vram >= model_gb * 1.2:
        layers, why = -1, f"the model ({model_gb:.1f} GB) fits in {vram:.0f} GB of VRAM"
    else:
        layers, why = 0, f"the model ({model_gb:.1f} GB) does not fit {vram:.0f} GB of VRAM"
    threads_set = "threads" in getattr(models, "model_fields_set", ())
    budget = getattr(models, "memory_budget_gb", None)
    return {
        "threads": models.threads if threads_set else recommended_threads(hw),
        "threads_source": "config" if threads_set else "default: one per physical core",
        "threads_recommended": recommended_threads(hw),
        "gpu_layers": getattr(models, "gpu_layers", 0) or 0,
        "gpu_layers_recommended": layers, "gpu_layers_reason": why,
        "context": tier.context,
        "memory_budget_gb": budget or default_budget_gb(hw.ram_gb),
        "memory_budget_source": "config" if budget else "60% of RAM",
        "keep_alive_s": getattr(models, "keep_alive_s", 300.0),
        "preload": list(getattr(models, "preload", []) or []),
    }


def ram_gb() -> float:
    """Installed RAM in GiB (0 when unknown); cheap, no llama.cpp import."""
    return _memory()[0]


def default_budget_gb(ram: float) -> float:
    """Memory for resident models: 60% of RAM, leaving room for the OS and the user's apps."""
    return round(max(1.0, ram * 0.6), 1)
