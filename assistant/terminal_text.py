"""Stored text made safe to print for a person: control and escape sequences are shown, not obeyed.

A title, message or reply may hold bytes a terminal acts on: OSC 52 writes the clipboard, CSI 2J
clears the screen, a bell rings, C1 controls act as ESC, a bidi override reverses what follows.
`safe` shows each such character as a visible escape (`\\x1b`, `\\u202e`), so the rest of the
sequence is harmless text. Tab and newline stay; JSON output and exports keep the text as is.
"""

from __future__ import annotations

import re

# C0 controls but tab and newline; a carriage return not ending a line (it can overwrite what
# was printed); DEL; C1 controls; the two bidi overrides, which reorder letters of any
# direction (the embeddings and isolates that right-to-left text uses are left alone).
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202d\u202e]|\r(?!\n)")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe(text: str) -> str:
    """`text` with every character a terminal would act on shown as a visible escape."""
    return _UNSAFE.sub(_visible, text)
