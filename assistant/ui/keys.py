"""Every remappable key binding: its id, default keys and what it does, in one table.

Users remap a binding in config.toml under `[keys]` (`sidebar = "ctrl+t"`); the help screen and
the README are written from this table, so they always show the keys in force.
"""

from __future__ import annotations

from textual.binding import Binding

# id: (default keys, action, footer label, description, shown in the footer)
KEYS: dict[str, tuple[str, str, str, str, bool]] = {
    "send": ("enter", "", "Send", "Send the message", False),
    "newline": ("shift+enter,ctrl+j", "", "New line", "New line in the message", False),
    "cancel": ("escape", "cancel", "Stop",
               "Stop the reply (the partial reply is kept); back to the prompt", True),
    # Ctrl+C stops a reply like Esc; with none streaming it falls through to Textual's own
    # Ctrl+C (copy the selected text, else the hint that Ctrl+Q quits).
    "interrupt": ("ctrl+c", "interrupt", "Stop",
                  "Stop the reply like Esc; otherwise copy the selected text", False),
    "help": ("f1,question_mark", "app.help", "Help",
             "Keys and commands (? only in an empty prompt)", True),
    "sidebar": ("ctrl+b", "sidebar", "Chats", "Show or hide the conversations", True),
    "new": ("ctrl+n", "new", "New", "New conversation", True),
    "regenerate": ("ctrl+r", "regenerate", "Retry", "Regenerate the last reply", True),
    "edit_last": ("ctrl+l", "edit_last", "Edit", "Edit and resend your last message", True),
    "copy": ("ctrl+o", "copy", "Copy", "Copy the selected message, else the last reply", True),
    "rename": ("f2", "rename", "Rename", "Rename the conversation", False),
    "rate": ("f4", "rate", "Rate", "Rate the last reply: type 1-5 and Enter (4-5: a voice sample)",
             False),
    "models": ("f3", "app.models", "Models", "Model library", True),
    "stats": ("f5", "stats", "Stats", "Your usage: time saved, speed figures and charts", False),
    "starter": ("ctrl+g", "pull_starter", "Starter model",
                "Pull the starter model (offered when no chat model is installed)", False),
    "quit": ("ctrl+q", "app.quit", "Quit", "Quit", True),
}

# Keys that are not remappable bindings, listed on the help screen.
FIXED: tuple[tuple[str, str], ...] = (
    ("ctrl+p", "Command palette: every action and slash command"),
    ("/", "Slash commands; Up/Down choose, Tab completes"),
    ("up", "In an empty prompt: edit your last message"),
    ("shift+tab, tab", "Select the last message, leave the messages (back to the prompt)"),
    ("up, down", "On a selected message: the one before or after it (Down at the last: the prompt)"),
    ("typing", "On a selected message: goes on in the prompt (Ctrl+O copies the message)"),
)


def binding(binding_id: str, *, priority: bool = False, action: str | None = None) -> Binding:
    """The Binding for one entry of KEYS, carrying its id so a keymap can remap it."""
    keys, default_action, label, description, show = KEYS[binding_id]
    return Binding(keys, action or default_action, label, show=show, priority=priority,
                   id=binding_id, tooltip=description)


def prompt_keys() -> dict[str, str]:
    """Keys the prompt (a TextArea) keeps for editing, with what they do there."""
    from textual.widgets import TextArea

    return {key.strip(): b.description for b in TextArea.BINDINGS if isinstance(b, Binding)
            for key in b.key.split(",")}


def check_keymap(keymap: dict[str, str]) -> list[str]:
    """Problems with a `[keys]` table: unknown ids, empty keys, keys the prompt keeps."""
    return [problem for _, problem in _problems(keymap)]


def usable_keymap(keymap: dict[str, str]) -> dict[str, str]:
    """The remaps without a problem; a rejected one leaves its binding's default keys in force."""
    rejected = {binding_id for binding_id, _ in _problems(keymap)}
    return {bid: str(keys) for bid, keys in keymap.items() if bid not in rejected}


def _problems(keymap: dict[str, str]) -> list[tuple[str, str]]:
    problems = []
    taken = prompt_keys()
    for binding_id, keys in keymap.items():
        if binding_id not in KEYS:
            problems.append((binding_id, f"[keys] {binding_id!r} is not a binding id; "
                                         f"ids: {', '.join(KEYS)}"))
            continue
        default = KEYS[binding_id][0]
        if not str(keys).strip():
            problems.append((binding_id, f"[keys] {binding_id!r} has no key; give one such as "
                                         f"\"ctrl+t\" ({key_label(default)} stays)"))
        for key in str(keys).split(","):
            if key.strip() in taken and key.strip() not in default.split(","):
                problems.append((binding_id, f"[keys] {binding_id} = {key.strip()!r}: the prompt "
                                             f"uses that key ({taken[key.strip()].lower()}) while "
                                             f"you type; choose another ({key_label(default)} stays)"))
    return problems


def keys_in_force(keymap: dict[str, str]) -> dict[str, str]:
    """Binding id -> the keys that trigger it now, with the user's remapping applied."""
    return {bid: keymap.get(bid, spec[0]) for bid, spec in KEYS.items()}


def key_label(keys: str) -> str:
    """`ctrl+b,question_mark` as `Ctrl+B, ?`."""
    names = {"question_mark": "?", "slash": "/", "escape": "Esc", "enter": "Enter"}

    def one(key: str) -> str:
        if key in names:
            return names[key]
        return "+".join(p.upper() if len(p) == 1 else p.capitalize() for p in key.split("+"))

    return ", ".join(one(k.strip()) for k in keys.split(","))
