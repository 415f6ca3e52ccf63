"""Data files shipped beside the code: prompt templates and the model catalogue."""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable


def prompt_file(name: str) -> Traversable:
    return files("creator_assistant.prompts") / name


def read_prompt(name: str) -> str:
    return prompt_file(name).read_text(encoding="utf-8")


def models_file(name: str) -> Traversable:
    return files("creator_assistant.models") / name
