"""What plugins registered, and which plugin registered it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import InitVar, dataclass, field
from typing import TYPE_CHECKING, Any

from creator_assistant.profiles import SamplingProfile

if TYPE_CHECKING:
    from creator_assistant.plugin_context import (
        Conversations,
        Examples,
        Ideas,
        Imports,
        RegistryView,
        StoredData,
    )


@dataclass(frozen=True)
class TaskContext:
    """What a task sees when it prepares a reply to one message.

    `data`, `ideas` and `settings` are None where no session is behind the context (a plugin's
    own unit test); the core always fills them (`plugin_context.task_context`).
    """

    message: str
    history: list[dict[str, str]]
    conversation_id: str
    data: StoredData | None = None  # the creator's imported data, read-only, as facts
    ideas: Ideas | None = None  # the creator's idea store
    settings: SamplingProfile | None = None  # the task's profile with the config's overrides
    # While the task is waiting for an answer to its question: the field it asked for, the
    # fields gathered so far and the request's earlier messages, from the conversation's state.
    asked: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    request: str = ""
    # `examples.nearest(texts, query, k)`: the texts nearest a query, by meaning when the
    # embedding model is installed, else by words (plugin_context.Examples).
    examples: Examples | None = None


@dataclass(frozen=True)
class Prepared:
    """What a task sends the model for one message, or the one short question it asks instead."""

    user: str = ""
    system: str | None = None  # None: the task's system prompt
    grammar: str | None = None  # GBNF that constrains the reply's shape
    question: str | None = None  # set when a required field is missing: no model call
    asked: str | None = None  # the field the question asks for (its answer fills it)
    fields: dict[str, Any] = field(default_factory=dict)
    facts: str = ""  # computed tables and charts shown before the model's reply
    # What the reply works on, for the creator's usage figures (`creator stats`): items it
    # sorts (ideas), and items the creator pasted that it reads as sources (research).
    items: int = 0
    pasted: int = 0


@dataclass(frozen=True)
class Task:
    """A task a message can be routed to: its model, sampling profile, prompts and format.

    `prepare(ctx) -> Prepared` fills the task's templates from the message; `check(text,
    prepared) -> list[str]` returns what is wrong with a reply's format (empty when it passes).
    """

    name: str
    description: str
    system_prompt: str
    model: str = "gemma-3-12b"
    profile: SamplingProfile = field(default_factory=SamplingProfile)
    examples: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    prompts: dict[str, str] = field(default_factory=dict)
    output_format: str = "free text"
    preload: bool = False  # load its model right after start-up (unless config [models] preload)
    voice: bool = False  # put the creator's nearest samples into its prompt ([voice] examples)
    # Its follow-ups and edit-and-resends revise text in the prompt: prompt-lookup decoding
    # drafts from it ([tasks.NAME] lookup = false turns it off; docs/prompt-lookup.md).
    lookup: bool = False
    # The reply cache category its replies are kept under ("content", "research", "analytics";
    # docs/cache.md); None: never cached.
    cache: str | None = None
    prepare: Callable[[TaskContext], Prepared] | None = None
    check: Callable[[str, Prepared], list[str]] | None = None


@dataclass(frozen=True)
class Score:
    """How well one task fits a message, from 0 (not at all) to 1, and why, in a few words."""

    task: str
    score: float
    reason: str = ""


@dataclass
class CommandContext:
    """What a slash command sees; it may switch the conversation by setting `conversation_id`.

    The core makes it with `CommandContext(session, conversation_id)`; a command sees only the
    facades built from the session, never the session itself.
    """

    session: InitVar[Any]
    conversation_id: str | None
    conversations: Conversations = field(init=False)  # saved conversations: list, search, pin
    registry: RegistryView = field(init=False)  # registered tasks and commands, read-only
    imports: Imports = field(init=False)  # import a data file with the registered importers
    ideas: Ideas = field(init=False)  # the idea store and its `/ideas` actions

    def __post_init__(self, session: Any) -> None:
        from creator_assistant.plugin_context import Conversations, Ideas, Imports, RegistryView

        self.conversations, self.registry = Conversations(session), RegistryView(session)
        self.imports, self.ideas = Imports(session), Ideas(session)


@dataclass(frozen=True)
class Command:
    """A slash command: `/name args` calls `run(args, ctx)`, which returns Markdown to show."""

    name: str
    description: str
    run: Callable[[str, CommandContext], str]
    usage: str = ""  # the arguments, e.g. "add|list ..." (a leading "/name" is tolerated)

    @property
    def arguments(self) -> str:
        """The usage without the command's own name (`/ideas add|list` -> `add|list`)."""
        text = self.usage.strip()
        for prefix in (f"/{self.name}", self.name):
            if text == prefix or text.startswith(prefix + " "):
                return text[len(prefix):].strip()
        return text


class RegistrationError(ValueError):
    pass


@dataclass
class Registry:
    tasks: dict[str, Task] = field(default_factory=dict)
    commands: dict[str, Command] = field(default_factory=dict)
    backends: dict[str, Callable[..., Any]] = field(default_factory=dict)
    importers: dict[str, Any] = field(default_factory=dict)
    owner: dict[tuple[str, str], str] = field(default_factory=dict)

    def add(self, kind: str, name: str, item: Any, plugin: str) -> None:
        table: dict[str, Any] = getattr(self, kind)
        if not name or not name.replace("-", "").replace("_", "").isalnum():
            raise RegistrationError(f"{kind[:-1]} name {name!r} must be letters, digits, - or _")
        if name in table:
            first = self.owner[(kind, name)]
            raise RegistrationError(
                f"{kind[:-1]} {name!r} from plugin {plugin!r} is already registered by {first!r}"
            )
        if kind == "tasks" and getattr(item, "cache", None) is not None:
            from creator_assistant.cache.settings import CATEGORIES

            if item.cache not in CATEGORIES:
                raise RegistrationError(f"task {name!r} from plugin {plugin!r} has cache="
                                        f"{item.cache!r}; use one of {', '.join(CATEGORIES)} "
                                        "or None")
        table[name] = item
        self.owner[(kind, name)] = plugin

    def registered_by(self, plugin: str) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for (kind, name), owner in self.owner.items():
            if owner == plugin:
                out.setdefault(kind, []).append(name)
        return out
