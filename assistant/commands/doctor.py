"""`creator doctor`: this machine's hardware, its tier, and the settings the assistant uses."""

from __future__ import annotations

import argparse
import json


def add_parser(sub: argparse._SubParsersAction) -> None:
    doctor = sub.add_parser("doctor", help="check this machine: cores, memory, GPU, tier",
                            description="Check this machine (cores, memory, GPU, whether this "
                            "llama.cpp build can offload), say which hardware tier it is and "
                            "which model to get, and show the settings in force.")
    doctor.add_argument("--json", action="store_true", help="one JSON object (has `tier`)")
    doctor.add_argument("--repair", action="store_true",
                        help="back up a damaged database and rebuild what can be read")


def report() -> dict:
    """Everything `creator doctor` says, as data."""
    from creator_assistant import library, retrieval
    from creator_assistant.config import load_config
    from creator_assistant.library import catalogue, hardware
    from creator_assistant.paths import get_paths
    from creator_assistant.storage import health

    paths = get_paths().ensure()
    database = health.report(paths.database)
    config = load_config(paths.config_file)
    hw = hardware.detect()
    tier, reason = hardware.recommend(hw)
    installed = {e.id for e in catalogue.installed(paths)}
    model, gated = hardware.pick_model(tier, for_real_work(paths, installed), installed)
    status = library.row(model, paths)["status"]
    return {
        **answering(paths),
        "tier": tier.name, "tier_label": tier.label, "reason": reason,
        "recommended_model": model.id, "recommended_model_status": status,
        "recommended_model_size": model.size,
        # The licence-gated model the recommendation stands in for: the tier's own.
        "gated_alternative": None if gated is None else {
            "id": gated.id, "size": gated.size, "licence": gated.licence},
        "hardware": hw.as_dict(),
        "settings": hardware.settings(hw, tier, model.size / 1e9, config.models),
        "models_dir": str(paths.models_dir),
        "database": database,
        # The sentence-embedding model (None: routing and search use words only).
        "embeddings": retrieval.status(paths),
        "adapters": adapters(config, paths),
    }


def adapters(config, paths) -> list[dict]:
    """The LoRA adapters config.toml applies to tasks' models, each checked as a turn checks it."""
    from creator_assistant.runtime.lora import AdapterError, check_adapter

    out = []
    for name, task in sorted(config.tasks.items()):
        if not task.lora:
            continue
        key = f"[tasks.{name}] lora"
        try:
            found, problem = str(check_adapter(paths.config_file.parent / task.lora, key)), None
        except AdapterError as exc:
            found, problem = task.lora, str(exc)
        out.append({"task": name, "lora": found, "lora_scale": task.lora_scale,
                    "problem": problem})
    return out


def for_real_work(paths, installed: set[str]) -> dict:
    """The entries a recommendation may name: not base models (never chosen by themselves) and
    not the starter model (for trying the product, not for real work)."""
    from creator_assistant.library import catalogue, kinds

    def fit(entry) -> bool:
        path = catalogue.entry_path(entry, paths.models_dir) if entry.id in installed else None
        return entry.id != kinds.STARTER_ID and kinds.is_chat(entry, path) is not False

    return {k: e for k, e in catalogue.entries(paths).items() if fit(e)}


def answering(paths) -> dict:
    """The model that answers when a task's own model is not installed, with its label: the
    best installed chat model, else the demo (and how to get the starter model)."""
    from creator_assistant.library import catalogue, kinds

    best = kinds.chat_models(paths)
    entry = best[0] if best else catalogue.DEMO
    tag = kinds.tag(entry, True)
    starter = catalogue.entries(paths).get(kinds.STARTER_ID)
    return {"answering_model": entry.id, "answering_model_tag": tag,
            "answering_model_note": entry.note if tag else "",
            "starter_model": None if best or starter is None else {
                "id": starter.id, "size": starter.size}}


def run(args: argparse.Namespace) -> int:
    from creator_assistant.library import human_size

    if args.repair:
        return run_repair(args)
    data = report()
    if args.json:
        print(json.dumps(data, indent=2))
        return 0
    hw, st = data["hardware"], data["settings"]
    gpus = ", ".join(f"{g['name']} ({g['vram_gb']:.0f} GB)" for g in hw["gpus"]) or "none found"
    offload = "yes" if hw["gpu_offload"] else "no (CPU-only build)"
    print(f"CPU        {hw['physical_cores']} physical / {hw['logical_cores']} logical cores "
          f"({hw['system']})")
    print(f"Memory     {hw['ram_gb']:.1f} GB, {hw['available_ram_gb']:.1f} GB available")
    print(f"GPU        {gpus}; this llama.cpp build can offload: {offload}")
    print(f"\nTier       {data['tier_label']}: {data['reason']}")
    print(f"Model      {data['recommended_model']} ({human_size(data['recommended_model_size'])}), "
          f"{data['recommended_model_status']}")
    if data["recommended_model_status"] == "available":
        print(f"           get it with `creator models pull {data['recommended_model']}`")
    if (gated := data["gated_alternative"]) is not None:
        print(f"           or the licence-gated {gated['id']} ({human_size(gated['size'])}): "
              "accept its licence on the hub page,\n           then `hf auth login` (or set "
              "HF_TOKEN) and pull it")
    tag, note = data["answering_model_tag"], data["answering_model_note"]
    label = f" ({tag})" if tag else ""
    if note and not note.startswith(tag):
        label += f": {note}"
    elif note:
        label = f": {note}"
    print(f"Answering  {data['answering_model']}{label}")
    if (starter := data["starter_model"]) is not None:
        print(f"           get the starter model with `creator models pull {starter['id']}` "
              f"({human_size(starter['size'])}), or `make chat`")
    print(f"Embeddings {data['embeddings']['line']}")
    for ad in data["adapters"]:
        print(f"Adapter    [tasks.{ad['task']}] {ad['lora']} (scale {ad['lora_scale']:g}): "
              f"{ad['problem'] or 'a LoRA adapter, applied when the task loads its model'}")
    threads = f"\nThreads    {st['threads']} ({st['threads_source']})"
    if st["threads_source"] == "config":
        threads += f"; this machine suggests {st['threads_recommended']} (one per physical core)"
    print(threads)
    print(f"GPU layers {st['gpu_layers']}; suggested {st['gpu_layers_recommended']}: "
          f"{st['gpu_layers_reason']}")
    print(f"Context    {st['context']:,} tokens for this tier (each task caps its own)")
    print(f"Memory for resident models {st['memory_budget_gb']} GB ({st['memory_budget_source']}); "
          f"keep-alive {st['keep_alive_s']:.0f} s")
    print("\nChange these in config.toml under [models] (`creator config path` shows where).")
    db = data["database"]
    size = f" ({human_size(db['size_bytes'])})" if db["size_bytes"] else ""
    print(f"\nDatabase   {db['path']}{size}: {db['status']}")
    if db["problem"]:
        print(f"           {db['problem']}\n           repair it with `creator doctor --repair` "
              "(close the chat first)")
    return 0


def run_repair(args: argparse.Namespace) -> int:
    """`creator doctor --repair`: rebuild a damaged database (a whole one is left alone)."""
    from creator_assistant.paths import get_paths
    from creator_assistant.storage import health
    from creator_assistant.storage.repair import repair

    path = get_paths().ensure().database
    state = health.report(path)
    if state["status"] != "damaged":
        print(json.dumps({"repaired": False, "database": state}) if args.json else
              f"The database {path} is {state['status']}: nothing to repair.")
        return 0
    done = repair(path)
    if args.json:
        print(json.dumps({"repaired": True, **done.as_dict()}))
        return 0
    saved = ", ".join(f"{t} {n}" for t, n in done.saved.items() if n) or "nothing"
    lost = ", ".join(f"{t} {'?' if n is None else n}" for t, n in done.lost.items()
                     if n is None or n > 0)
    print(f"Backed up the damaged database to {done.backup} (with its -wal/-shm files)")
    print(f"Rebuilt {path} ({done.method}): saved {saved}")
    if not any(done.saved.values()) and all(n is None for n in done.lost.values()):
        print("Nothing could be read from the old file; the backup keeps it as it was")
    elif lost or done.unplaced:
        extra = f"; {done.unplaced} fragments not tied to a table" if done.unplaced else ""
        unknown = " (? = could not be counted)" if "?" in lost else ""
        print(f"Could not read: {lost or 'no whole rows'}{extra}{unknown}; the backup keeps "
              "the old file as it was")
    else:
        print("Nothing was lost.")
    print("The assistant now works on the rebuilt database.")
    return 0
