"""Chat templates: which one a model uses, and rendering it within a time and size limit.

A GGUF's template is code from whoever made the file. Jinja's sandbox stops it reaching Python;
the limits here stop it taking the machine: a render that runs past RENDER_TIME_S (an alarm, or a
deadline checked in the sandbox's hooks off the main thread) or makes more than RENDER_MAX_CHARS
of text (checked as it is written, and before repeating or joining strings) ends in a
TemplateError naming the model and what to do. The parent process also kills a worker whose
render outlives the limit (see local.py), for what no check inside the process can stop.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from creator_assistant.runtime.protocol import ModelError
from creator_assistant.runtime.template_sandbox import Stopped, sandbox

RENDER_TIME_S = float(os.environ.get("CREATOR_TEMPLATE_TIME_S") or 5.0)
RENDER_MAX_CHARS = int(os.environ.get("CREATOR_TEMPLATE_MAX_CHARS") or 1_000_000)

FALLBACK_TEMPLATE = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n{{ message['content'] }}"
    "<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
# Gemma's turns, for a Gemma file without a template of its own (the pre-trained base models):
# Gemma has no system role, so system text opens the first user turn. (llama-cpp-python's own
# "gemma" chat format drops system messages instead.)
GEMMA_TEMPLATE = (
    "{{ bos_token }}{% set ns = namespace(system='') %}{% for message in messages %}"
    "{% if message['role'] == 'system' %}"
    "{% set ns.system = ns.system + (message['content'] | trim) + '\n\n' %}"
    "{% else %}<start_of_turn>{{ 'model' if message['role'] == 'assistant' else 'user' }}\n"
    "{% if message['role'] != 'assistant' %}{{ ns.system }}{% set ns.system = '' %}{% endif %}"
    "{{ message['content'] | trim }}<end_of_turn>\n{% endif %}{% endfor %}"
    "{% if ns.system %}<start_of_turn>user\n{{ ns.system | trim }}<end_of_turn>\n{% endif %}"
    "{% if add_generation_prompt %}<start_of_turn>model\n{% endif %}"
)
FAMILY_TEMPLATES = {"gemma": GEMMA_TEMPLATE, "gemma2": GEMMA_TEMPLATE, "gemma3": GEMMA_TEMPLATE,
                    "gemma3n": GEMMA_TEMPLATE}


def chat_template(meta: dict[str, str]) -> tuple[str, str]:
    """The template a model's prompts are built with, and where it came from: the file's own,
    else its family's (by architecture), else ChatML."""
    own = meta.get("tokenizer.chat_template")
    if own is not None:
        return own, "file"
    arch = meta.get("general.architecture", "")
    if arch in FAMILY_TEMPLATES:
        return FAMILY_TEMPLATES[arch], f"{arch} family"
    return FALLBACK_TEMPLATE, "chatml fallback"


ADVICE = ("answer with another model (`--model ID`), or take this one out of the library "
          "(`creator models rm ID`)")


def too_slow(model: str, time_s: float) -> str:
    return (f"the chat template of {model} took longer than {time_s:g} s to render (a hostile "
            f"or broken template); {ADVICE}")


class TemplateError(ModelError):
    """A chat template could not render a conversation; the message says why and what to do.
    `kind`: "time" or "size" (a limit), "cancelled", "syntax", "refused" or "failed"."""

    def __init__(self, message: str, kind: str = "failed") -> None:
        super().__init__(message)
        self.kind = kind


class Renderer:
    """One model's chat template, compiled once, rendered within the limits."""

    def __init__(self, template: str, bos: str, eos: str, model: str,
                 time_s: float = RENDER_TIME_S, max_chars: int = RENDER_MAX_CHARS) -> None:
        self.model, self.time_s, self.max_chars = model, time_s, max_chars
        self.rendering = False  # a cancel signal ends a render only while one runs
        self.timing = False  # the alarm and the deadline apply only while this is set
        self.env = sandbox(self)
        self.bos, self.eos = bos, eos
        self._deadline = 0.0
        with self._limits(cancellable=False):
            try:
                self.template = self.env.from_string(template)
            except Stopped as stop:
                raise self._stopped(stop) from None
            except Exception as exc:
                raise TemplateError(f"the chat template of {model} does not parse ({_say(exc)}); "
                                    f"{self.advice}", "syntax") from None

    @property
    def advice(self) -> str:
        return ADVICE

    def render(self, messages: list[dict[str, str]], add_generation_prompt: bool = True) -> str:
        """The prompt text; a TemplateError when the template fails or passes a limit."""
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        def raise_exception(message: str) -> None:
            raise ValueError(message)

        # The variables llama-cpp-python's Jinja2ChatFormatter (and Transformers) give templates.
        context = dict(messages=messages, eos_token=self.eos, bos_token=self.bos,
                       raise_exception=raise_exception,
                       add_generation_prompt=add_generation_prompt, functions=None,
                       function_call=None, tools=None, tool_choice=None,
                       strftime_now=Jinja2ChatFormatter.strftime_now)
        parts: list[str] = []
        size = 0
        with self._limits(cancellable=True):
            try:
                for piece in self.template.generate(**context):
                    size += len(piece)
                    if size > self.max_chars:
                        raise Stopped("size")
                    parts.append(piece)
            except Stopped as stop:
                raise self._stopped(stop) from None
            except ValueError as exc:
                if "raise_exception" not in _frames(exc):
                    raise TemplateError(self._failed(exc)) from None
                raise TemplateError(f"the chat template of {self.model} refused this "
                                    f"conversation ({one_line(str(exc))}); {self.advice}",
                                    "refused") from None
            except Exception as exc:
                raise TemplateError(self._failed(exc)) from None
        return "".join(parts)

    def try_once(self) -> None:
        """Render one short turn: a template that passes a limit on that is refused at load."""
        try:
            self.render([{"role": "user", "content": "Hello."}])
        except TemplateError as exc:
            if exc.kind in ("time", "size"):
                raise

    def cancel(self) -> None:
        """End the render in progress (from a signal handler, in the rendering thread)."""
        if self.rendering:
            self.rendering = False
            raise Stopped("cancelled")

    def tick(self) -> None:
        """The deadline, checked from the sandbox's hooks (the alarm covers the main thread)."""
        if self.timing and time.monotonic() > self._deadline:
            raise Stopped("time")

    def check_size(self, value: Any) -> Any:
        if isinstance(value, (str, list, tuple)):
            self.limit(len(value))
        return value

    def limit(self, n: int) -> None:
        """Refuse a string or list of `n` items, when that is over the size limit."""
        if n > self.max_chars:
            raise Stopped("size")

    def _failed(self, exc: BaseException) -> str:
        return (f"the chat template of {self.model} failed to render this conversation "
                f"({_say(exc)}); {self.advice}")

    def _stopped(self, stop: Stopped) -> TemplateError:
        if stop.why == "cancelled":
            return TemplateError("cancelled while the chat template was rendering", "cancelled")
        if stop.why == "size":
            return TemplateError(
                f"the chat template of {self.model} made more than {self.max_chars:,} characters "
                f"(a hostile or broken template); {self.advice}", "size")
        return TemplateError(too_slow(self.model, self.time_s), "time")

    @contextmanager
    def _limits(self, cancellable: bool) -> Iterator[None]:
        self._deadline = time.monotonic() + self.time_s
        alarm = threading.current_thread() is threading.main_thread()
        if alarm:
            previous = signal.signal(signal.SIGALRM, self._alarm)
            signal.setitimer(signal.ITIMER_REAL, self.time_s)
        self.timing, self.rendering = True, cancellable
        try:
            yield
        finally:
            self.timing = self.rendering = False
            if alarm:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, previous)

    def _alarm(self, *_: Any) -> None:
        if self.timing:
            self.timing = self.rendering = False
            raise Stopped("time")


def _say(exc: BaseException) -> str:
    text = one_line(str(exc))
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def one_line(text: str, limit: int = 200) -> str:
    """A template's words in a message: one line, no control characters, not too long."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())[:limit]


def _frames(exc: BaseException) -> list[str]:
    names, tb = [], exc.__traceback__
    while tb is not None:
        names.append(tb.tb_frame.f_code.co_name)
        tb = tb.tb_next
    return names
