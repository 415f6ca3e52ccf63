"""The one interface every model backend offers: the local worker, a remote server, a plugin's."""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Protocol

from creator_assistant.runtime.protocol import GenerateRequest, LoadInfo, Usage


class Backend(Protocol):
    """A model that answers: loaded lazily, streamed, counted, cancelled; thread-safe, serving
    one request at a time. `runtime/local.py` and `runtime/remote.py` implement it."""

    kind: str  # "local" (a worker the model manager owns) or "remote"
    n_ctx: int  # the context window prompts are fitted to
    info: LoadInfo | None  # set once loaded
    last_usage: Usage | None  # the last reply's usage, once it ended

    @property
    def model_id(self) -> str:
        """What the model is called in switch records and status displays."""
        ...

    @property
    def sizes_key(self) -> str:
        """A stable key under which raw texts' token sizes may be cached; "" for no caching."""
        ...

    @property
    def busy(self) -> bool:
        """True while another thread is using it (the model manager keeps it)."""
        ...

    def load(self) -> LoadInfo:
        """Make it ready to answer (idempotent)."""
        ...

    def stream(self, request: GenerateRequest) -> Generator[str, None, None]:
        """Yield the reply's text as it is generated; `last_usage` holds usage once it ends."""
        ...

    def count_tokens(self, messages: list[dict[str, str]]) -> int:
        """Prompt tokens for these chat messages, as the model will see them."""
        ...

    def token_sizes(self, texts: list[str]) -> list[int]:
        """Token counts of raw texts (an estimate where the model has no cheap tokenizer)."""
        ...

    def cancel(self) -> None:
        """Stop the running reply soon; a no-op when none runs."""
        ...

    def close(self) -> None:
        """Release what it holds (a worker process, a connection)."""
        ...


def lacks(obj: object) -> list[str]:
    """The members of `Backend` that `obj` lacks (for a plugin's backend: say so plainly)."""
    names = set(Backend.__annotations__) | {
        name for name, value in vars(Backend).items()
        if not name.startswith("_") and (callable(value) or isinstance(value, property))}
    return sorted(name for name in names if not hasattr(obj, name))


if TYPE_CHECKING:  # mypy checks that both built-in backends implement the protocol
    from creator_assistant.runtime.local import LocalBackend
    from creator_assistant.runtime.remote import RemoteBackend

    def _both(local: LocalBackend, remote: RemoteBackend) -> list[Backend]:
        return [local, remote]
