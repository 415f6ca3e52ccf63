"""The small, typed views of the Session that tasks and commands get instead of the Session.

Each facade holds only what plugins call today; the core builds them (`task_context`,
`CommandContext`), plugins use them through `creator_assistant.api`.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from creator_assistant.cache.facts import cached_facts

if TYPE_CHECKING:
    from creator_assistant.data.facts import Facts
    from creator_assistant.profiles import SamplingProfile
    from creator_assistant.registry import Command, Task, TaskContext


class StoredData:
    """The creator's imported data, read-only: each method computes one kind of facts (those
    from imports kept in the reply cache while a reply prepares: cache/facts.py)."""

    def __init__(self, db: Any, ideas: Any = None) -> None:
        self._db, self._ideas = db, ideas  # ideas: the session's IdeaStore

    def analytics(self, message: str = "", history: list[dict[str, str]] | None = None,
                  channel: str | None = None) -> Facts:
        """Channel numbers: figures typed in the conversation win, else the import."""
        from creator_assistant.data.facts import analytics_facts

        return cached_facts("analytics", lambda: analytics_facts(self._db, message, history,
                                                                 channel),
                            self._db, message, history, channel)

    def trends(self, message: str = "", only: list[str] | None = None) -> Facts:
        """Google Trends series: the terms the message names, else every imported term."""
        from creator_assistant.data.facts import trend_facts

        return cached_facts("trends", lambda: trend_facts(self._db, message, only), self._db,
                            message, only)

    def competitors(self, message: str = "") -> Facts:
        """The imported video lists of other channels."""
        from creator_assistant.data.facts import competitor_facts

        return cached_facts("competitors", lambda: competitor_facts(self._db, message),
                            self._db, message)

    def ideas(self) -> Facts:
        """The idea store's summary: pillars and how many ideas each holds."""
        from creator_assistant.data.facts import organize_facts

        return organize_facts(self._db, ideas=self._ideas)


class Ideas:
    """The creator's idea store: what tasks read from it, and the `/ideas` chat actions."""

    def __init__(self, session: Any) -> None:
        self._session = session

    def waiting(self, limit: int = 8) -> list[str]:
        """The oldest ideas without a pillar, at most `limit`."""
        rows = self._session.ideas.list(uncategorized=True)
        return [i["text"] for i in sorted(rows, key=lambda i: i["id"])[:limit]]

    def pillars(self) -> list[str]:
        """The creator's pillars (their own categories)."""
        return self._session.ideas.pillars()

    def nearest(self, ideas: list[str], categories: list[str]) -> list[str] | None:
        """For each idea, the category nearest it in meaning (its name and the stored ideas
        already in it); None when no embedding model can be used (words only)."""
        store = self._session.ideas
        if store.meaning is None or not ideas or not categories:
            return None
        return store.meaning.nearest_pillars([{"text": i} for i in ideas], categories,
                                             store.list())

    def run(self, argv: list[str]) -> str:
        """Run an `/ideas` action (`["add", "film", "it"]`) and return its Markdown; a usage
        mistake or a refused idea raises ValueError with the message to show."""
        from creator_assistant.data.idea_actions import chat

        return chat(argv, self._session)


class Examples:
    """Any collection's texts nearest a query (the creator's own best examples for a prompt):
    by meaning with the session's embedding model, by words without one (`Found.by` says)."""

    def __init__(self, session: Any) -> None:
        self._session = session
        self._thread = threading.get_ident()

    def nearest(self, texts: list[str], query: str, k: int = 5) -> Any:
        """`Found`: hits as (index into texts, score), best first; `by` and `why_not`."""
        from creator_assistant.nearest import nearest

        here = threading.get_ident() == self._thread
        return nearest(list(texts), query, k, getattr(self._session, "embeddings", None),
                       self._session.store.db if here else None)


class Imports:
    """Importing the creator's data files with every registered importer."""

    def __init__(self, session: Any) -> None:
        self._session = session

    def run(self, path: str, *, wanted: str | None = None,
            options: dict[str, str] | None = None) -> str:
        """Import the file, folder or zip at `path` and describe it as Markdown; `wanted`: the
        format to use. Raises DataFileError saying precisely why not."""
        from creator_assistant.data.importing import describe, import_path

        result = import_path(self._session.store.db, path, self._session.host.registry.importers,
                             wanted=wanted, options=options or {},
                             caps=self._session.config.imports.as_limits())
        return describe(result)


class Conversations:
    """The saved conversations: list, open, search, pin and export them."""

    def __init__(self, session: Any) -> None:
        self._store, self._exports = session.store, session.paths.exports_dir
        self._service = session.conversations  # the search by meaning lives there

    def get(self, cid: str) -> dict[str, Any]:
        """One conversation (`id`, `title`, `task`, ...) by its id, as `/history ID` takes it."""
        return self._store.conversation(cid)

    def messages(self, cid: str) -> list[dict[str, Any]]:
        return self._store.messages(cid)

    def recent(self, limit: int | None = None) -> list[dict[str, Any]]:
        return self._store.conversations(limit=limit)

    def search(self, text: str, limit: int = 20, exact: bool = False) -> list[dict[str, Any]]:
        """Messages matching by words and meaning (`exact`: words only), best first; each hit
        says what `matched`; the list's `note` says what was left out. EmptyQuery if empty."""
        return self._service.search(text, limit=limit, exact=exact)

    def pin(self, message_id: int, pinned: bool = True) -> None:
        self._store.pin(message_id, pinned)

    def rate(self, message_id: int, rating: int | str) -> dict[str, Any]:
        """Rate a reply 1-5; 4-5 makes it a voice sample, lower takes that away. Returns
        `message_id`, `rating`, `sample_id`, `added`, `removed` and `said` (the result in
        words); ValueError (its message says why) for a rating or message that cannot be."""
        from dataclasses import asdict

        from creator_assistant.voice.rating import rate_message, said

        done = rate_message(self._store.db, message_id, rating)
        return {**asdict(done), "said": said(done)}

    def export(self, cid: str, path: Path | None = None) -> Path:
        """Save the conversation as Markdown (default: the exports folder); returns the file."""
        from creator_assistant.storage.export import export_markdown

        return export_markdown(self._store, cid, self._exports, path)


@dataclass(frozen=True)
class TaskSettings:
    """A task's settings as resolved from its defaults and the config: model and profile."""

    model: str
    note: str
    profile: dict[str, Any]


class RegistryView:
    """What plugins registered, read-only: for `/help` and listings."""

    def __init__(self, session: Any) -> None:
        self._session, registry = session, session.host.registry
        self.tasks: Mapping[str, Task] = MappingProxyType(registry.tasks)
        self.commands: Mapping[str, Command] = MappingProxyType(registry.commands)

    def owner(self, kind: str, name: str) -> str:
        """The plugin that registered `name` (`kind`: "tasks" or "commands"), or "?"."""
        return self._session.host.registry.owner.get((kind, name), "?")

    def settings(self, task: str) -> TaskSettings:
        resolved = self._session.resolve_task(self._session.tasks[task])
        return TaskSettings(resolved.choice.id, resolved.choice.note,
                            resolved.profile.model_dump())


def task_context(session: Any, task: Task, message: str, history: list[dict[str, str]],
                 conversation_id: str, *, profile: Mapping[str, Any] | SamplingProfile | None = None,
                 asked: str | None = None, fields: dict[str, Any] | None = None,
                 request: str = "") -> TaskContext:
    """The TaskContext for one message to `task`, its facades built from the session;
    `profile`: the turn's resolved sampling settings (default: resolved here)."""
    from creator_assistant.profiles import SamplingProfile
    from creator_assistant.registry import TaskContext

    if profile is None:
        profile = session.resolve_task(task).profile
    settings = (profile if isinstance(profile, SamplingProfile)
                else SamplingProfile.model_validate(dict(profile)))
    data = StoredData(session.store.db, session.ideas)
    return TaskContext(message, history, conversation_id, data=data, ideas=Ideas(session),
                       settings=settings, asked=asked, fields=dict(fields or {}),
                       request=request, examples=Examples(session))
