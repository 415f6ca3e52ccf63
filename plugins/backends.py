"""The built-in model backends: `local` (llama.cpp in a worker process) and `openai` (any
OpenAI-compatible HTTP server). Registered through the same hook a third-party plugin uses."""

from __future__ import annotations

from creator_assistant.api import LocalBackend, hookimpl, remote_backend


def local(**settings):
    """A LocalBackend: `path`, `n_ctx`, `n_threads`, `n_gpu_layers` as keyword arguments."""
    return LocalBackend(**settings)


def openai(name: str, config):
    """A RemoteBackend for a `[remotes.NAME]` config entry."""
    return remote_backend(name, config)


@hookimpl
def register_backends(register):
    register("local", local)
    register("openai", openai)
