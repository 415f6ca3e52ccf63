"""LoRA adapter files: checked before a task's model loads with one, and what to say when not."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any


class AdapterError(ValueError):
    """The adapter a config key names cannot be used; the message says which key and why."""


class AdapterFailed(RuntimeError):
    """llama.cpp would not apply the LoRA adapter (answered as an error of kind "lora")."""


def lora_problem(key: str, lora: Path | None, base: Path, said: str) -> str:
    """One line for an adapter llama.cpp would not apply to `base`."""
    name = lora.name if lora is not None else "?"
    return (f"the LoRA adapter {name} ({key}) could not be applied to {base.name}: "
            f"{said.rstrip('.')}. Check that it was made for this model, or remove `{key}`.")


def check_adapter(path: Path, key: str) -> Path:
    """The adapter's resolved path if it is a readable LoRA adapter GGUF; else AdapterError.
    Reads the header and tensor table only, once per version of the file (an adapter made for
    another model, with the wrong shapes, is found by llama.cpp when it loads, and said the
    same way)."""
    path = Path(path).expanduser()
    try:
        stat = path.stat()
    except OSError:
        stat = None
    if stat is None or not path.is_file():
        raise AdapterError(f"{key} = {str(path)!r}: no such file. Fix `{key}` in config.toml "
                           "or remove it.")
    problem = _problem(str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if problem:
        raise AdapterError(f"{key} = {str(path)!r} {problem}. Fix `{key}` in config.toml or "
                           "remove it.")
    return path.resolve()


@lru_cache(maxsize=32)
def _problem(path: str, size: int, mtime_ns: int) -> str | None:
    """What is wrong with the adapter file at `path` (None: nothing the header shows)."""
    import gguf

    try:
        reader = gguf.GGUFReader(path)
    except Exception as exc:  # not GGUF, truncated, a damaged table: all one answer
        return f"is not a readable GGUF file ({exc})"

    def value(name: str) -> object:
        field = reader.get_field(name)
        return field.contents() if field is not None else None

    kind, adapter = value("general.type"), value("adapter.type")
    if kind != "adapter" or adapter != "lora":
        what = "a model, not an adapter" if kind in (None, "model") else f"a {kind!r} file"
        return (f"is {what} (general.type {kind!r}, adapter.type {adapter!r}; a LoRA adapter "
                "has 'adapter' and 'lora')")
    names = {t.name for t in reader.tensors}
    if not any(n.endswith(".lora_a") and n[:-1] + "b" in names for n in names):
        return "holds no lora_a/lora_b tensor pairs"
    return None


def open_with_adapter(llama: Any, kwargs: dict[str, Any]) -> Any:
    """A model with its LoRA adapter, or AdapterFailed saying why llama.cpp refused it.
    llama-cpp-python 0.3.36 misses llama.cpp's NULL for an adapter it would not load (and the
    first reply then crashes), and says why only in its verbose log: read here, then quiet."""
    import contextlib
    import io

    from llama_cpp._logger import set_verbose

    said = io.StringIO()
    try:
        with contextlib.redirect_stderr(said):
            llm = llama(**{**kwargs, "verbose": True})
    except (RuntimeError, ValueError) as exc:
        if "LoRA" in str(exc):
            raise AdapterFailed(f"{exc}{_why(said.getvalue())}") from None
        raise
    finally:
        set_verbose(False)
    llm.verbose = False
    if not llm._lora_adapter:
        llm.close()
        raise AdapterFailed(f"llama.cpp would not load it{_why(said.getvalue())}")
    return llm


def _why(log: str) -> str:
    mark = "failed to apply lora adapter:"
    lines = [ln.split(mark, 1)[1].strip() for ln in log.splitlines() if mark in ln]
    return f" ({lines[-1]})" if lines else ""
