"""One turn of the conversation, end to end: save, route, pick a model, fit, stream, save."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from creator_assistant.cache.replies import ReplyCache
from creator_assistant.config import Config, load_config
from creator_assistant.config_file import unknown_tasks, warn_once
from creator_assistant.context.conversation import prompt_rows
from creator_assistant.context.fitting import history_of
from creator_assistant.context.summary import Summaries
from creator_assistant.data.idea_meaning import Meaning
from creator_assistant.data.ideas import IdeaStore
from creator_assistant.fields import split_command
from creator_assistant.paths import Paths, get_paths
from creator_assistant.plugin_guard import PluginFailed
from creator_assistant.plugin_manager import Host, load_host
from creator_assistant.registry import CommandContext, Task
from creator_assistant.retrieval import Embeddings
from creator_assistant.router import Decision, ModelAccess, Router
from creator_assistant.router.meaning import meaning_for
from creator_assistant.runtime.backend import Backend, lacks
from creator_assistant.runtime.lora import AdapterError, check_adapter
from creator_assistant.runtime.resolver import Choice, ModelNotInstalled, ModelPool, choose, resolve
from creator_assistant.runtime.scheduler import INTERACTIVE
from creator_assistant.services import Conversations, Models, Usage
from creator_assistant.storage.errors import StorageError, storage_errors
from creator_assistant.storage.store import Store, open_store
from creator_assistant.turn import ResolvedTask, TaskState, Turn
from creator_assistant.unsaved import MessageNotSaved, Pending

MAX_MESSAGE_CHARS = 4_000_000


class UserInputError(ValueError):
    """Something the user gave cannot be used; the message says what to do instead."""
class Session:
    """The product's core, shared by the CLI and the UI; storage and plugins are passed in."""

    def __init__(self, paths: Paths, config: Config, store: Store, host: Host,
                 pool: ModelPool) -> None:
        self.paths, self.config, self.store, self.host, self.pool = paths, config, store, host, pool
        pool.remote_factory = self.remote_backend
        # The router's tie-break asks a model through the pool, holding its gate; its meaning
        # signal asks the embedding model, when one is installed.
        # One embedding worker (started on first use) serves routing, search and ideas.
        self.embeddings = Embeddings(paths=paths)
        self.router = Router(host, ModelAccess(paths, pool, host),
                             meaning_for(paths, host.route_examples, self.embeddings))
        self.summaries = Summaries(self)  # running summaries of evicted turns, in the background
        # The one door for front ends (the UI reaches data and models only through these).
        self.conversations = Conversations(store, lambda: open_store(paths.database), paths,
                                           self.embeddings)
        self.models = Models(self)
        self.usage = Usage(self)  # the creator's usage figures: stats, report, charts
        self.ideas = IdeaStore(store.db, Meaning(paths, store.db, self.embeddings))
        self.unsaved = Pending(paths)  # replies the database could not take, saved at the next message
        self.cache = ReplyCache(store.db, config.cache)  # replies kept for reuse (docs/cache.md)
        self.rewound: set[str] = set()  # conversations whose next turn regenerates: no cache

    @classmethod
    def open(cls, paths: Paths | None = None) -> Session:
        paths = (paths or get_paths()).ensure()
        config = load_config(paths.config_file)
        store = open_store(paths.database)
        host = load_host(paths.user_plugins_dir)
        # A warning, not an error: an uninstalled plugin's section must not stop every command.
        warn_once(unknown_tasks(config.tasks, host.registry.tasks, paths.config_file))
        pool = ModelPool(paths, threads=config.models.threads,
                         gpu_layers=config.models.gpu_layers,
                         budget_gb=config.models.memory_budget_gb,
                         keep_alive_s=config.models.keep_alive_s)
        store.start_health_checks()  # quick_check in the background; store.damaged says
        return cls(paths, config, store, host, pool)

    def preload(self) -> Any:
        """Load the essential models in the background (config [models] preload, else the
        models of the tasks registered with `preload=True`, else chat's); returns the thread.
        Call it once after start-up."""
        wanted: list[tuple[str, int | None]] = [(r, 8192) for r in self.config.models.preload]
        if not wanted:
            wanted = [(t.name, None) for t in self.tasks.values() if t.preload] or [("chat", None)]
        picks, seen = [], set()
        for ref, n_ctx in wanted:
            if ref in self.tasks:
                try:
                    resolved = self.resolve_task(self.tasks[ref])
                except UserInputError:  # a bad key in its section: its turns say so
                    continue
                choice, n_ctx = resolved.choice, resolved.n_ctx
            else:
                try:
                    choice = resolve(ref, self.paths)
                except ModelNotInstalled:  # not downloaded yet: nothing to preload
                    continue
                n_ctx = min(n_ctx or 8192, choice.context)
            if choice.backend == "local" and (choice.path, n_ctx, choice.lora) not in seen:
                seen.add((choice.path, n_ctx, choice.lora))
                picks.append((choice, n_ctx))
        if self.router.meaning is not None:  # the embedding model, and the examples embedded
            self.router.meaning.warm()
        return self.pool.preload(picks)

    def remote_backend(self, name: str) -> Backend:
        """A backend for the `[remotes.NAME]` config entry, from the plugin that registers its
        kind (the pool calls this for tasks whose `backend` names a remote)."""
        config = self.config.remotes[name]
        factory = self.host.registry.backends.get(config.kind)
        if factory is None:
            known = ", ".join(self.host.registry.backends)
            raise UserInputError(f"remotes.{name}.kind is {config.kind!r}, which no plugin "
                                 f"registers; known: {known}")
        owner = self.host.registry.owner.get(("backends", config.kind), "?")
        try:  # a plugin's code: whatever it raises (sys.exit too) is said, naming the plugin
            backend = self.host.guarded(owner, f"making the {config.kind!r} backend", factory,
                                        name, config)
        except PluginFailed as exc:
            raise UserInputError(str(exc)) from exc
        missing = lacks(backend)  # a plugin's backend: checked once, here, not probed later
        if missing:
            raise UserInputError(f"the {config.kind!r} backend (plugin {owner}) lacks "
                                 f"{', '.join(missing)}; see docs/writing-plugins.md")
        return backend

    def close(self) -> None:
        self.conversations.close()  # the history search's thread and embedding worker
        self.ideas.close()
        if self.router.meaning is not None:
            self.router.meaning.close()
        self.embeddings.close()
        self.store.stop_health_checks()
        self.summaries.close()
        self.pool.close()

    # -- decisions --------------------------------------------------------------------------

    @property
    def tasks(self) -> dict[str, Task]:
        return self.host.registry.tasks

    def route(self, text: str, conversation_task: str | None = None,
              waiting: str | None = None, priority: int = INTERACTIVE) -> tuple[Decision, str]:
        """Pick the task for a message; returns the route and the message without a slash command.
        `waiting`: the task whose question the message may answer (it goes there unless it
        clearly starts something else)."""
        parts = split_command(text)  # `/name` ends at any blank: a space, a tab, a newline
        if parts is not None and parts[0] in self.tasks:
            return Decision(parts[0], 1.0, f"slash command /{parts[0]}"), parts[1]
        return self.router.decide(text, conversation_task, waiting, priority), text

    def resolve_task(self, task: Task, model: str | None = None) -> ResolvedTask:
        """The model, profile and window `task` answers with (`model`: the user's pick)."""
        override = self.config.tasks.get(task.name)
        profile = task.profile
        if override is not None:
            profile = profile.with_overrides(override.profile_overrides(), f"tasks.{task.name}")
        remote = override.backend if override and override.backend else None
        if remote and remote != "local" and not model:
            settings = self.config.remotes.get(remote)
            if settings is None:
                raise UserInputError(f"tasks.{task.name}.backend is {remote!r}, but config.toml "
                                     f"has no [remotes.{remote}] section")
            choice = Choice(f"{remote}/{settings.model or 'default'}", Path(settings.base_url),
                            settings.context, backend=remote)
            return ResolvedTask(task, choice, profile)
        wanted = model or (override.model if override and override.model else None)
        wanted = wanted or self.config.models.default or task.model
        choice = resolve(model, self.paths) if model else choose(wanted, self.paths)
        if override is not None and override.lora and not model:  # not on another model
            key = f"[tasks.{task.name}] lora"
            try:
                where = Path(override.lora).expanduser()  # relative: to config.toml's folder
                lora = check_adapter(self.paths.config_file.parent / where, key)
            except AdapterError as exc:  # refused, not skipped: a reply without it misleads
                raise UserInputError(str(exc)) from None
            choice = replace(choice, lora=lora, lora_scale=override.lora_scale, lora_key=key)
        return ResolvedTask(task, choice, profile)

    def run_command(self, text: str, ctx: CommandContext) -> str | None:
        """Run `/name args` if `name` is a registered slash command (task names are not: they
        route a message); None when it is not a command. A failing command is reported, not raised."""
        parts = split_command(text)
        if parts is None:
            return None
        name, args = parts
        command = self.host.registry.commands.get(name)
        if command is None:
            if name in self.tasks:
                return None
            return f"Unknown command `/{name}`. Type `/help` for the list."
        owner = self.host.registry.owner.get(("commands", name), "?")
        try:  # a plugin's command must not take the chat down, whatever it raises or returns
            return self.host.guarded(owner, f"in /{name}", command.run, args, ctx,
                                     returns=(str,), expected="a str (Markdown)")
        except PluginFailed as exc:
            if isinstance(exc.__cause__, StorageError):  # the database, not the plugin
                return f"`/{name}` failed: {exc.__cause__}"
            return f"`/{name}` failed: {exc}"

    def rewind(self, conversation_id: str) -> str | None:
        """Delete the conversation's last user message and the replies after it (regenerate,
        edit and resend); return that message's text, or None when there is none. The
        conversation's next turn is fresh: it never reads the reply cache."""
        self.rewound.add(conversation_id)
        return self.store.drop_last_exchange(conversation_id)

    # -- a turn -----------------------------------------------------------------------------

    def ask(self, text: str, *, task: str | None = None, model: str | None = None,
            conversation_id: str | None = None, priority: int = INTERACTIVE,
            job: Any = None, voice: bool = True, fresh: bool = False) -> Turn:
        """Start a turn. Background work passes `priority=BACKGROUND` (and the scheduler's
        `job`, so cancelling the job stops this turn): interactive turns go first. `voice`:
        False keeps the creator's samples out of this turn's prompt (`--no-voice`). `fresh`: never
        answer from the reply cache (`--no-cache`; after `rewind` too); the reply is still kept."""
        if not text.strip():
            raise UserInputError("the message is empty; type something to send")
        if len(text) > MAX_MESSAGE_CHARS:
            raise UserInputError(
                f"the message is {len(text):,} characters; the limit is {MAX_MESSAGE_CHARS:,}. "
                "Send a shorter excerpt, or import the file with `creator import PATH`."
            )
        if task is not None and task not in self.tasks:
            raise UserInputError(f"unknown task {task!r}; tasks: {', '.join(sorted(self.tasks))}")
        if conversation_id is None:  # created once the turn is known to start, not before
            cid, conv_task = None, None
            rows: list[dict[str, Any]] = []
        else:
            conv = self.store.conversation(conversation_id)
            cid, conv_task = conv["id"], conv["task"] or None
            rows = prompt_rows(self.store, cid)  # not the whole of a long conversation
        state = TaskState.of(rows)
        if state is not None and state.task not in self.tasks:
            state = None
        if priority == INTERACTIVE:  # before routing: a tie-break waits for the gate too
            self.summaries.interrupt()  # a summary in progress must not hold this turn up
        if task is not None:
            route, body = Decision(task, 1.0, f"--task {task}"), text
        else:
            route, body = self.route(text, conv_task, state.task if state and state.waiting
                                     else None, priority)
        if state is not None and state.task != route.task:
            state = None  # the user moved on: what that task gathered is left behind
        resolved = self.resolve_task(self.tasks[route.task], model)
        memory = history_of(rows)
        history = memory.messages
        # The user's words are committed before anything can go wrong in generation, after
        # the replies a full disk kept back (in order; those that still fail stay kept).
        self.unsaved.flush(self.store)
        cid = self._save_message(cid, text, route.task)
        body = body or text
        if history and history[-1]["role"] == "user":  # the previous turn got no reply
            body = history.pop()["content"] + "\n\n" + body
        turn = Turn(self, cid, resolved, route, history, body, priority, state)
        turn.voice = voice and self.config.voice.examples and resolved.task.voice
        turn.fresh = fresh or (conversation_id is not None and cid in self.rewound)
        self.rewound.discard(cid)
        # Its seqs keep the popped message's: the prompt may start there (see fit_conversation).
        turn.memory = memory
        if job is not None:
            job.tickets.append(turn.ticket)
        return turn

    def _save_message(self, cid: str | None, text: str, task: str) -> str:
        """Save the user's message (and a new conversation for it); MessageNotSaved if not."""
        try:
            with storage_errors(self.paths.database):
                cid = cid or self.store.new_conversation()
                self.store.add_message(cid, "user", text, task=task)
        except StorageError as exc:
            raise MessageNotSaved(exc, text) from exc
        try:
            with storage_errors(self.paths.database):
                self.store.set_task(cid, task)
        except StorageError:  # the message is saved; the reply's room check says the rest
            pass
        return cid
