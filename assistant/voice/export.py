"""The creator's samples as a training set for bigger models, trained elsewhere (unsloth, mlx-lm):
chat-formatted pairs, one JSON object per line, a held-out tenth, and a config carrying the
design notes' fine-tuning hyperparameters (docs/fine-tuning.md has the command lines)."""

from __future__ import annotations

import hashlib
import json
import math
import os
import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FORMATS = ("chatml-jsonl",)
MARK = "creator voice export"  # in config.json: a folder holding it may be written over
SYSTEM = ("You are the creator's writing assistant. Write in their own voice: their words, "
          "their rhythm, their habits.")
# The design notes' fine-tuning pipeline (learning rate 1e-4, batch 4, 3 epochs, 100 warm-up
# steps, weight decay 0.01, gradient accumulation 8: an effective batch of 32).
HYPERPARAMETERS = {"learning_rate": 1e-4, "batch_size": 4, "epochs": 3, "warmup_steps": 100,
                   "weight_decay": 0.01, "gradient_accumulation_steps": 8}
# Ours, not the notes': a common LoRA shape, and the longest pair trainers are asked to take.
LORA = {"rank": 16, "alpha": 32, "dropout": 0.0}
MAX_SEQ_LENGTH = 2048
MAX_CHARS = 6000  # about 1,500 tokens of English: a longer sample is split at paragraphs
MIN_CHARS = 20  # shorter than this is not a sample of anyone's voice


class ExportError(ValueError):
    """The export cannot be written; the message says what to do."""


@dataclass(frozen=True)
class Sample:
    text: str
    title: str = ""
    source: str = ""


def topic_and_body(sample: Sample) -> tuple[str, str]:
    """What the request asks for, and the text that answers it: the title (given, or a short
    first line such as a Markdown heading) and the rest; else the first words and all of it."""
    text = sample.text.strip()
    if sample.title.strip():
        return " ".join(sample.title.split()), text
    first, _, rest = text.partition("\n")
    heading = first.strip().lstrip("#").strip()
    if rest.strip() and heading and len(heading) <= 100 and not heading.endswith((".", "!", "?")):
        return heading, rest.strip()
    words = re.split(r"(?<=[.!?])\s", " ".join(text.split()), maxsplit=1)[0].split()
    return " ".join(words[:12]) + ("…" if len(words) > 12 else ""), text


def chunks(body: str, limit: int = MAX_CHARS) -> list[str]:
    """The body in parts of at most `limit` characters, split between paragraphs where it can."""
    parts: list[str] = []
    current = ""
    for para in re.split(r"\n\s*\n", body):
        para = para.strip()
        while len(para) > limit:  # one paragraph longer than a part: split at a space
            cut = para.rfind(" ", 0, limit)
            cut = cut if cut > 0 else limit
            if current:
                parts.append(current)
                current = ""
            parts.append(para[:cut].strip())
            para = para[cut:].strip()
        if current and len(current) + 2 + len(para) > limit:
            parts.append(current)
            current = ""
        current = f"{current}\n\n{para}" if current else para
    if current:
        parts.append(current)
    return [p for p in parts if p]


def pairs(sample: Sample, limit: int = MAX_CHARS) -> list[dict[str, Any]]:
    """The sample as chat-formatted pairs: system, a request for it, the creator's own text."""
    topic, body = topic_and_body(sample)
    out = []
    for i, part in enumerate(chunks(body, limit)):
        ask = (f"Write a piece about: {topic}" if i == 0 else
               f"Continue the piece about: {topic} (part {i + 1})")
        out.append({"messages": [{"role": "system", "content": SYSTEM},
                                 {"role": "user", "content": ask},
                                 {"role": "assistant", "content": part}]})
    return out


def split(samples: list[Sample], seed: int = 0) -> tuple[list[Sample], list[Sample]]:
    """Training and held-out samples: a tenth (at least one) held out, by sample, so no part of a
    held-out text is trained on; the same samples and seed give the same split."""
    usable = [s for s in samples if len(s.text.strip()) >= MIN_CHARS]
    if len(usable) < 2:
        raise ExportError(f"{len(usable)} usable sample(s) (of {len(samples)}); an export needs "
                          f"at least 2 of {MIN_CHARS} characters or more, one held out. Add "
                          "writing with `creator voice add PATH`.")
    order = sorted(usable, key=lambda s: hashlib.sha256(s.text.encode()).hexdigest())
    random.Random(seed).shuffle(order)
    held = max(1, len(order) // 10)
    return order[held:], order[:held]


def training_config(n_train: int, n_valid: int, digest: str, fmt: str) -> dict[str, Any]:
    """What to train with: the hyperparameters, and the steps they make for this set."""
    hp = HYPERPARAMETERS
    iters = math.ceil(hp["epochs"] * n_train / hp["batch_size"])  # minibatches, as mlx-lm counts
    steps = math.ceil(iters / hp["gradient_accumulation_steps"])  # optimizer updates
    config: dict[str, Any] = {
        "made_by": MARK, "format": fmt, "train_file": "train.jsonl", "valid_file": "valid.jsonl",
        "train_pairs": n_train, "valid_pairs": n_valid, "data_sha256": digest,
        "hyperparameters": dict(hp), "lora": dict(LORA), "max_seq_length": MAX_SEQ_LENGTH,
        "minibatches": iters, "optimizer_steps": steps,
    }
    if hp["warmup_steps"] >= steps:
        config["note"] = (f"this set makes {steps} optimizer step(s), fewer than the "
                          f"{hp['warmup_steps']} warm-up steps: the learning rate never reaches "
                          "its peak. Add samples, or lower warmup_steps for this run.")
    return config


def mlx_yaml(config: dict[str, Any]) -> str:
    """An `mlx_lm.lora --config` file with the same hyperparameters. Its schedule counts
    optimizer updates (one per `grad_accumulation_steps` minibatches), as warmup_steps does;
    the warm-up is cut short when the set makes fewer steps than it."""
    hp, lora = config["hyperparameters"], config["lora"]
    steps = config["optimizer_steps"]
    warmup = min(hp["warmup_steps"], max(0, steps - 1))
    return "\n".join([
        "# mlx_lm.lora -c mlx-lora.yaml --model MODEL  (written by `creator voice export`)",
        "train: true", "data: .", "fine_tune_type: lora", "optimizer: adamw",
        "optimizer_config:", "  adamw:", f"    weight_decay: {hp['weight_decay']}",
        f"batch_size: {hp['batch_size']}", f"iters: {config['minibatches']}",
        f"grad_accumulation_steps: {hp['gradient_accumulation_steps']}",
        f"learning_rate: {hp['learning_rate']}",
        "lr_schedule:", "  name: cosine_decay", f"  warmup: {warmup}",
        f"  arguments: [{hp['learning_rate']}, {max(1, steps - warmup)}, 0.0]",
        f"max_seq_length: {config['max_seq_length']}", "num_layers: -1", "mask_prompt: true",
        "lora_parameters:", f"  rank: {lora['rank']}",
        f"  scale: {lora['alpha'] / lora['rank']}", f"  dropout: {lora['dropout']}",
        "adapter_path: adapters", "",
    ])


def write_export(samples: list[Sample], out: Path, fmt: str = "chatml-jsonl",
                 seed: int = 0) -> dict[str, Any]:
    """Write train.jsonl, valid.jsonl, config.json and mlx-lora.yaml into the folder `out`;
    returns the config. A folder holding anything but an earlier export is refused."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; formats: {', '.join(FORMATS)}")
    _check_target(out)
    train, valid = split(samples, seed)
    lines = {name: [json.dumps(p, ensure_ascii=False) for s in group for p in pairs(s)]
             for name, group in (("train.jsonl", train), ("valid.jsonl", valid))}
    digest = hashlib.sha256("\n".join(lines["train.jsonl"] + lines["valid.jsonl"])
                            .encode()).hexdigest()
    config = training_config(len(lines["train.jsonl"]), len(lines["valid.jsonl"]), digest, fmt)
    files = {**{k: "\n".join(v) + "\n" for k, v in lines.items()},
             "config.json": json.dumps(config, indent=2) + "\n", "mlx-lora.yaml": mlx_yaml(config)}
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():  # each file whole or not at all
            tmp = out / f".{name}.partial"
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, out / name)
    except OSError as exc:
        raise ExportError(f"cannot write the export to {out}: {exc.strerror or exc}. Choose "
                          "another folder with -o, or free some space.") from None
    return config


def _check_target(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise ExportError(f"{out} is a file; -o names a folder for the export's files.")
    if out.is_dir() and any(out.iterdir()):
        try:
            ours = json.loads((out / "config.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            ours = None
        if not isinstance(ours, dict) or ours.get("made_by") != MARK:
            raise ExportError(f"{out} already holds other files; export into an empty or new "
                              "folder (-o PATH), so nothing there is overwritten.")
