"""`creator doctor`: hardware detection, the recommended tier and the settings in force."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from creator_assistant.hardware import GPU, TIERS, Hardware, recommend, settings


def machine(ram: float, gpus=(), offload=False, cores=8) -> Hardware:
    return Hardware(cores, cores // 2, ram, ram * 0.8, list(gpus), offload, "Linux x86_64")


@pytest.mark.parametrize("ram, tier, model", [
    (8, "minimal", "gemma-3-1b"), (15.5, "starter", "gemma-3-4b"), (16, "starter", "gemma-3-4b"),
    (31.3, "professional", "gemma-3-12b"), (64, "enterprise", "gemma-3-27b"),
    (128, "enterprise", "gemma-3-27b"),
])
def test_the_tier_follows_installed_ram(ram, tier, model):
    chosen, reason = recommend(machine(ram))
    assert (chosen.name, chosen.model) == (tier, model)
    assert f"{ram:.0f} GB" in reason


def test_gpu_layers_are_suggested_only_when_the_build_can_offload_and_the_model_fits():
    tier = TIERS[2]
    card = GPU("RTX 4060", 8.0, "cuda")
    assert settings(machine(16, [card], offload=True), tier, 3.2)["gpu_layers_recommended"] == -1
    too_big = settings(machine(16, [card], offload=True), tier, 8.1)
    assert too_big["gpu_layers_recommended"] == 0
    assert "does not fit" in too_big["gpu_layers_reason"]
    cpu_build = settings(machine(16, [card], offload=False), tier, 3.2)
    assert cpu_build["gpu_layers_recommended"] == 0
    assert "no GPU backend" in cpu_build["gpu_layers_reason"]


def test_doctor_json_reports_this_machine(home):
    import llama_cpp

    (home / "config" / "config.toml").write_text("[models]\nthreads = 3\nmemory_budget_gb = 6\n")
    proc = subprocess.run([sys.executable, "-m", "creator_assistant", "doctor", "--json"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["tier"] in {t.name for t in TIERS}
    assert data["hardware"]["logical_cores"] == os.cpu_count()
    assert data["hardware"]["gpu_offload"] == bool(llama_cpp.llama_supports_gpu_offload())
    assert data["settings"]["threads"] == 3 and data["settings"]["threads_source"] == "config"
    assert data["settings"]["memory_budget_gb"] == 6
    assert data["recommended_model_status"] == "available"


def test_doctor_text_says_what_to_do(home):
    proc = subprocess.run([sys.executable, "-m", "creator_assistant", "doctor"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "Tier" in proc.stdout
    assert "creator models pull gemma-3-" in proc.stdout and "GPU layers" in proc.stdout
