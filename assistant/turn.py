"""A turn of the conversation once it has started: its route, resolved model and profile, the
task's preparation, the stream, and what is saved when it ends, however it ends."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Generator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from creator_assistant.cache.reads import reading
from creator_assistant.context.conversation import fit_conversation
from creator_assistant.context.fitting import Fitted, History
from creator_assistant.fields import strip_command
from creator_assistant.formats import cut_off
from creator_assistant.plugin_context import task_context
from creator_assistant.plugin_guard import PluginFailed, describe, is_str_list
from creator_assistant.profiles import SamplingProfile
from creator_assistant.registry import Prepared, Task
from creator_assistant.router import Decision
from creator_assistant.runtime.protocol import GenerateRequest, ModelError, Usage
from creator_assistant.runtime.resolver import Choice
from creator_assistant.runtime.scheduler import INTERACTIVE, Cancelled
from creator_assistant.saving import ReplyRow
from creator_assistant.storage.errors import StorageError, storage_error
from creator_assistant.usage.record import record_reply

if TYPE_CHECKING:
    from creator_assistant.session import Session


class Status(StrEnum):
    """How a turn ended: the one vocabulary of the CLI (`ask --json`), the chats and the
    database's `messages.status`."""

    OK = "ok"  # the reply is complete
    STOPPED = "stopped"  # cut short (Esc, Ctrl+C, a cancelled job): its text and tokens are kept
    ERROR = "error"  # it failed; `error` says why and what to do
    QUESTION = "question"  # the task asked for a missing field instead of calling the model


@dataclass(frozen=True)
class TaskState:
    """What a task gathered for a request it has not answered yet, saved with its last reply
    (`messages.task_state`): the field its question asked for, the fields so far, the request's
    earlier messages. `waiting`: that reply was the question, so the next message answers it."""

    task: str
    asked: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    request: str = ""
    waiting: bool = False

    @classmethod
    def of(cls, rows: list[dict[str, Any]]) -> TaskState | None:
        """The state the conversation's last reply left, if any."""
        last = next((r for r in reversed(rows) if r["role"] == "assistant"), None)
        if last is None or not last.get("task_state"):
            return None
        saved = json.loads(last["task_state"])
        return cls(last["task"], saved.get("asked"), saved.get("fields") or {},
                   saved.get("request") or "", last["status"] == Status.QUESTION)

    def dumps(self) -> str:
        return json.dumps({"asked": self.asked, "fields": self.fields, "request": self.request},
                          default=str)


@dataclass(frozen=True)
class ResolvedTask:
    """A task resolved for a turn: the model that answers, its sampling profile (the config's
    overrides applied) and its window, the profile's context but no more than the model's."""

    task: Task
    choice: Choice
    profile: SamplingProfile

    @property
    def n_ctx(self) -> int:
        return min(self.profile.context, self.choice.context)


@dataclass
class TurnResult:
    conversation_id: str
    task: str
    model: str
    model_note: str
    route: Decision
    profile: dict[str, Any]
    text: str = ""
    status: Status = Status.OK
    usage: Usage = field(default_factory=Usage)
    notices: list[str] = field(default_factory=list)
    error: str | None = None
    message_id: int | None = None
    facts: str = ""
    format_problems: list[str] | None = None  # None: the task declares no format check
    switch: dict[str, Any] | None = None  # the model switch before this reply, and its cost
    unsaved: str | None = None  # the reply could not be saved: why, and where its copy is
    lora: str | None = None  # the LoRA adapter applied to the model, and its scale
    voice: list[dict[str, Any]] | None = None  # the creator's samples in the prompt (None: off)
    cache: dict[str, Any] | None = None  # served from the reply cache: age_s, category, key
    sources: list[int] = field(default_factory=list)  # the imports the task read to prepare

    def as_dict(self) -> dict[str, Any]:
        return {
            "conversation_id": self.conversation_id, "task": self.task, "model": self.model,
            "model_note": self.model_note, "route": self.route.brief(), "profile": self.profile,
            "status": self.status, "usage": self.usage.as_dict(), "notices": self.notices,
            "error": self.error, "message_id": self.message_id,
            "format_ok": None if self.format_problems is None else not self.format_problems,
            "format_problems": self.format_problems, "switch": self.switch,
            "facts": self.facts, "unsaved": self.unsaved, "lora": self.lora,
            "voice": self.voice, "cache": self.cache, "sources": self.sources,
        }


class Turn:
    """Iterate for the reply's text as it streams; `result` holds everything once it ends."""

    save_every_s = 2.0  # a streaming reply is saved (in its one row) this often, and at the end

    def __init__(self, session: Session, cid: str, resolved: ResolvedTask, route: Decision,
                 history: list[dict[str, str]], text: str, priority: int = INTERACTIVE,
                 state: TaskState | None = None) -> None:
        self.session, self.resolved, self.history, self.text = session, resolved, history, text
        self.task, self.choice, self.n_ctx = resolved.task, resolved.choice, resolved.n_ctx
        self.state = state  # what the task gathered so far for this request (None: nothing)
        self.backend = session.pool.backend(self.choice, self.n_ctx)
        self.ticket = session.pool.scheduler.gate.ticket(priority, self.task.name)
        self.ticket.on_cancel(self.backend.cancel)  # a job's cancel reaches a running reply
        self.result = TurnResult(cid, self.task.name, self.choice.id, self.choice.note, route,
                                 resolved.profile.model_dump())
        if self.choice.lora is not None:
            self.result.lora = f"{self.choice.lora} (scale {self.choice.lora_scale:g})"
        self.memory = History(history)  # with seqs and pins when Session.ask made the turn
        self.fitted: Fitted | None = None
        self.voice = False  # put the creator's nearest samples into the prompt (Session.ask)
        self.fresh = False  # never answer from the reply cache (regenerate, --no-cache)
        self.lookup = self._revises(history)  # prompt-lookup decoding (runtime/lookup.py)
        self.started = time.perf_counter()  # the product's time for this reply starts

    def cancel(self) -> None:
        """Stop the reply: dropped from the queue if waiting, cut short if generating."""
        self.ticket.cancel()
        if self.ticket.state != "cancelled":  # not queued: the reply may be starting
            self.backend.cancel()

    def prepare(self) -> Prepared:
        task, state = self.task, self.state
        if task.prepare is None:
            return Prepared(user=self.text)
        waiting = state if state is not None and state.waiting else None
        ctx = task_context(self.session, task, self.text, self.history,
                           self.result.conversation_id, profile=self.resolved.profile,
                           asked=waiting.asked if waiting else None,
                           fields=state.fields if state is not None else None,
                           request=waiting.request if waiting else "")
        # The core's own errors (the database, a model) pass through the task's code as they are.
        with reading(self.session.cache) as read:  # the imports it reads: the reply's sources
            try:
                return self.session.host.guarded(
                    self._owner(), f"in the {task.name} task's prepare", task.prepare, ctx,
                    returns=(Prepared,), expected="a Prepared",
                    passes=(StorageError, ModelError, Cancelled))
            finally:
                self.result.sources = sorted(read)

    def __iter__(self) -> Generator[str, None, None]:
        result, profile, store = self.result, self.resolved.profile, self.session.store
        parts: list[str] = []
        prepared: Prepared | None = None
        saves = ReplyRow(self.session, result, self.save_every_s)
        try:
            try:
                prepared = self.prepare()
            except PluginFailed as exc:  # a plugin's bug: said plainly, with what to do
                raise _TaskFailed(self._plugin_failed(exc, "before replying")) from exc
            result.facts = prepared.facts
            if prepared.question:  # a required field is missing: ask instead of inventing it
                result.status = Status.QUESTION
                parts.append(prepared.question)
                yield prepared.question
                return
            saves.check_room(profile.max_tokens)  # a full disk: say so before, not after
            system = self.task.system_prompt if prepared.system is None else prepared.system
            if self.voice:  # the creator's style card, computed from their samples
                system = self._with_style(system)
            # Interactive turns overtake queued background work here; the slot is held until
            # the reply ends, so one model request runs at a time.
            with self.session.pool.scheduler.gate.hold(self.ticket):
                result.switch = vars(self.session.pool.ready(self.backend))
                samples = self._samples()
                fitted = fit_conversation(
                    store, self.backend, result.conversation_id, system, self.memory,
                    prepared.user or self.text, self.n_ctx, profile.max_tokens,
                    said=self.text, examples=[s["text"] for s in samples])
                if self.voice:
                    result.voice = [{k: s[k] for k in ("id", "title", "source", "score", "by")}
                                    for s in samples[:fitted.examples]]
                self.fitted = fitted  # what the model was sent, for displays and tests
                result.notices += fitted.notices
                request = GenerateRequest(
                    messages=fitted.messages, temperature=profile.temperature,
                    top_p=profile.top_p, top_k=profile.top_k, min_p=profile.min_p,
                    repeat_penalty=profile.repeat_penalty, max_tokens=fitted.max_tokens,
                    seed=profile.seed, grammar=prepared.grammar, lookup=self.lookup,
                    conversation=result.conversation_id,
                )
                before = self.backend.last_usage
                cached = self.session.cache.lookup(self, request)  # a hit streams at once
                stream = cached.stream(result) if cached.hit else self.backend.stream(request)
                try:
                    for piece in stream:
                        parts.append(piece)
                        saves.partial(parts)
                        yield piece
                finally:
                    # Cut short (Ctrl+C, the caller stopped reading): closing the stream
                    # cancels the generation and collects the usage of what was generated.
                    stream.close()
                    if self.backend.last_usage is not before:
                        result.usage = self.backend.last_usage or Usage()
            result.status = (Status.STOPPED if result.usage.finish_reason == "cancelled"
                             else Status.OK)
            if self.task.check is not None and result.status == Status.OK:
                try:
                    result.format_problems = list(self.session.host.guarded(
                        self._owner(), f"in the {self.task.name} task's check", self.task.check,
                        "".join(parts), prepared, returns=is_str_list, expected="a list of str"))
                except PluginFailed as exc:
                    raise _TaskFailed(self._plugin_failed(exc, "checking its reply")) from exc
                if result.usage.finish_reason == "length":  # the token limit ended it
                    result.format_problems = cut_off(
                        "".join(parts), result.format_problems, result.usage.completion_tokens,
                        self.task.name)
            cached.keep(result, "".join(parts))  # a complete new reply, for the next time
        except _TaskFailed as exc:
            result.status, result.error = Status.ERROR, str(exc)
        except ModelError as exc:
            result.status, result.error = Status.ERROR, str(exc)
        except (StorageError, sqlite3.Error) as exc:  # no room for the reply, a failed write
            result.status = Status.ERROR
            result.error = str(storage_error(exc, self.session.paths.database) or exc)
        except Cancelled:  # cancelled while waiting in the queue: nothing was generated
            result.status = Status.STOPPED
        except (GeneratorExit, KeyboardInterrupt):  # the reader stopped, or Ctrl+C
            if result.status != Status.QUESTION:  # a question was whole once it was yielded
                result.status = Status.STOPPED
            raise
        except (Exception, SystemExit) as exc:  # a bug elsewhere (a plugin's backend calling
            result.status = Status.ERROR       # sys.exit too): saved, said, not raised
            result.error = (f"the reply failed ({describe(exc)}); this is a bug, please report "
                            "it. Your message is saved: send it again to retry.")
        finally:
            result.text = "".join(parts)
            u = result.usage
            state = self._state_after(prepared)
            saves.final(dict(
                content=result.text, task=result.task,
                model=result.model, status=str(result.status), prompt_tokens=u.prompt_tokens,
                completion_tokens=u.completion_tokens, ttft_ms=u.ttft_ms,
                tokens_per_s=u.tokens_per_s, route_reason=result.route.reason,
                task_state=state.dumps() if state is not None else None,
                format_problems=(None if result.format_problems is None
                                 else json.dumps(result.format_problems)),
                cache_hit=result.cache["age_s"] if result.cache else None,
                sources=json.dumps(result.sources),
            ))
            record_reply(self, prepared)  # what it produced and cost (usage/)
            self.session.summaries.request(result.conversation_id)

    def _revises(self, history: list[dict[str, str]]) -> bool:
        """Whether this turn revises text in its prompt, for a task that wants prompt lookup
        there (`Task.lookup`, or `[tasks.NAME] lookup`): a follow-up to one of its replies, or
        an edit-and-resend (Session.rewind marks the conversation until its next turn)."""
        override = self.session.config.tasks.get(self.task.name)
        wanted = override.lookup if override is not None else None
        if not (self.task.lookup if wanted is None else wanted):
            return False
        rewound = self.result.conversation_id in getattr(self.session, "rewound", ())
        return rewound or any(m.get("role") == "assistant" for m in history)

    def _with_style(self, system: str) -> str:
        from creator_assistant.voice.for_prompt import style_note

        note = style_note(self.session)
        return f"{system}\n\n{note}" if note else system

    def _samples(self) -> list[dict[str, Any]]:
        """The creator's samples nearest this message, when the turn uses them."""
        if not self.voice:
            return []
        from creator_assistant.voice.for_prompt import samples_for

        return samples_for(self.session, self.text, self.session.config.voice.count)

    def _state_after(self, prepared: Prepared | None) -> TaskState | None:
        """What this turn leaves for the next message: after a question, the field asked and
        everything gathered; after a reply cut short or failed in a request that questions
        built, the fields (so "try again" has them); after a complete reply, nothing."""
        status, state = self.result.status, self.state
        gathered = dict(prepared.fields) if prepared is not None else {}
        gathered.pop("format", None)  # the format chosen for that reply, not a field
        if status == Status.QUESTION:
            said = strip_command(self.text).strip()
            earlier = state.request if state is not None and state.waiting else ""
            return TaskState(self.task.name, prepared.asked if prepared else None, gathered,
                             f"{earlier}\n{said}".strip(), waiting=True)
        if status in (Status.STOPPED, Status.ERROR) and state is not None:
            return TaskState(self.task.name, None, gathered or dict(state.fields))
        return None

    def _owner(self) -> str:
        return self.session.host.registry.owner.get(("tasks", self.task.name), "?")

    def _plugin_failed(self, exc: PluginFailed, when: str) -> str:
        name, owner = self.task.name, self._owner()
        info = self.session.host.plugins.get(owner)
        what = exc.detail  # what it raised (`sys.exit()` included), or the wrong type it returned
        if info is not None and info.source == "creator-assistant":
            fix = "a bug in a built-in plugin; please report it"
        elif info is not None and info.version == "file":
            fix = f"a bug in that plugin: fix or remove {info.source}"
        else:
            source = f" (package {info.source})" if info is not None else ""
            fix = f"a bug in that plugin{source}: update or uninstall it"
        return (f"the {name} task (plugin {owner!r}) failed {when}: {what}. This is "
                f"{fix}. Meanwhile send the message to another task, for example `/chat ...`.")


class _TaskFailed(Exception):
    """A task's prepare raised: the message names the task, its plugin and what to do."""
