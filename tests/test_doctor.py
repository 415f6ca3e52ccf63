"""`creator doctor`: hardware detection, the recommended tier and the settings in force."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from creator_assistant.library.catalogue import catalogue
from creator_assistant.library.hardware import (
    GPU,
    TIERS,
    Hardware,
    pick_model,
    recommend,
    recommended_threads,
    settings,
)


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


def doctor_json() -> dict:
    proc = subprocess.run([sys.executable, "-m", "creator_assistant", "doctor", "--json"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_threads_are_one_per_physical_core_that_this_process_may_use():
    assert recommended_threads(Hardware(8, 4, 16, 12)) == 4
    assert recommended_threads(Hardware(64, 32, 16, 12, usable_cores=2)) == 2
    shown = settings(machine(16, cores=8), TIERS[2], 3.2)
    assert shown["threads"] == shown["threads_recommended"] == 4
    assert shown["threads_source"] != "config"


def test_the_threads_default_is_what_doctor_recommends(home):
    from creator_assistant.config import Config

    st = doctor_json()["settings"]
    assert st["threads"] == st["threads_recommended"] and st["threads_source"] != "config"
    assert Config().models.threads == st["threads_recommended"]  # what sessions run with


@pytest.mark.parametrize("tier", TIERS, ids=lambda t: t.name)
def test_each_tier_gets_an_ungated_model_that_fits_with_the_gated_one_as_alternative(tier):
    entries = catalogue()
    pick, gated = pick_model(tier, entries)
    assert not pick.gated and pick.category == "text-generation" and pick.repo
    assert pick.size <= entries[tier.model].size
    assert gated is entries[tier.model] and gated.gated


def test_a_downloaded_model_that_fits_is_recommended_first():
    entries, starter = catalogue(), TIERS[2]
    assert pick_model(starter, entries, {"gemma-3-4b"}) == (entries["gemma-3-4b"], None)
    assert pick_model(starter, entries, {"qwen3-4b"})[0].id == "qwen3-4b"
    assert pick_model(starter, entries, {"qwen3-8b"})[0].id != "qwen3-8b"  # too big for it


def test_doctor_recommends_an_ungated_model_and_says_what_the_gated_one_needs(home):
    data = doctor_json()
    tier = next(t for t in TIERS if t.name == data["tier"])
    assert not catalogue()[data["recommended_model"]].gated
    assert data["gated_alternative"]["id"] == tier.model
    text = subprocess.run([sys.executable, "-m", "creator_assistant", "doctor"],
                          capture_output=True, text=True, timeout=120).stdout
    assert f"creator models pull {data['recommended_model']}`" in text
    assert f"licence-gated {tier.model}" in text and "accept its licence" in text
