"""How the worker sets llama.cpp up before a model loads: its environment and buffer types."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

# Set in the worker's environment before llama.cpp loads (see worker.main).
LLAMA_ENV = {"GOMP_SPINCOUNT": "1000"}


def amx_usable() -> bool:
    """Whether llama.cpp may put weights in its extra CPU buffers (AMX, repacked layouts).

    On CPUs that advertise AMX, llama.cpp puts quantized weights in AMX tiles, and in some virtual
    machines the tile instructions fault (a general-protection fault in ggml_backend_amx_mul_mat
    on the first decode: every quantized model crashes the worker). Such CPUs get the plain
    buffers unless CREATOR_LLAMA_AMX=1 says AMX works here; other CPUs keep every buffer type.
    """
    if os.environ.get("CREATOR_LLAMA_AMX") == "1":
        return True
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as info:
            return not any(line.startswith("flags") and " amx_tile" in line for line in info)
    except OSError:
        return True


@contextmanager
def model_params(extra_buffers: bool) -> Iterator[None]:
    """While active, llama-cpp-python's default model parameters use (or not) the extra buffer
    types: `Llama` takes no argument for `use_extra_bufts`."""
    import llama_cpp.llama_cpp as lib

    original = lib.llama_model_default_params

    def params() -> Any:
        value = original()
        value.use_extra_bufts = extra_buffers
        return value

    lib.llama_model_default_params = params
    try:
        yield
    finally:
        lib.llama_model_default_params = original


def check_grammar(llm: Any, text: str) -> None:
    """Parse a GBNF grammar once before sampling with it: llama.cpp hands back no sampler for a
    grammar it cannot parse, and sampling on without one would crash the worker."""
    import llama_cpp

    sampler = llama_cpp.llama_sampler_init_grammar(llm._model.vocab, text.encode("utf-8"),
                                                   b"root")
    if not sampler:
        raise ValueError("the reply's grammar does not parse (a bug in the task's format)")
    llama_cpp.llama_sampler_free(sampler)
