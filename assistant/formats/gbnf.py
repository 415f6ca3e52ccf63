"""Small helpers for writing GBNF grammars: safe literals and bounded runs of free text.

Free text is a bounded run of words, so even a random-weight model must reach the next heading
within its token budget; headings and the user's own items are literals the model cannot change.
"""

from __future__ import annotations

# A word starts with a letter, digit, quote, bracket or emphasis mark and runs to 24 characters.
# Latin letters with accents and typographic quotes and dashes are allowed; `#`, `[` and `]` are
# not, so free text can never open a heading or a section marker of its own.
_FIRST = r"""[A-Za-z0-9"'(*\u00C0-\u024F\u2018\u201C]"""
_REST = (r"""[A-Za-z0-9'"\u2018\u2019\u201C\u201D.,!?%$&:;()/+*=@_~\u00C0-\u024F"""
         r"""\u2013\u2014\u2026-]""")

WORD_RULES = f"word ::= {_FIRST} {_REST}{{0,23}}\n"


def literal(text: str) -> str:
    """`text` as a GBNF string literal; every character outside printable ASCII is escaped."""
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif 32 <= code < 127:
            out.append(ch)
        elif code <= 0xFF:
            out.append(f"\\x{code:02X}")
        elif code <= 0xFFFF:
            out.append(f"\\u{code:04X}")
        else:
            out.append(f"\\U{code:08X}")
    out.append('"')
    return "".join(out)


def text_rule(name: str, max_words: int) -> str:
    """A rule for one run of 1..max_words words separated by single spaces."""
    return f'{name} ::= word (" " word){{0,{max_words - 1}}}\n'


_LINE_CHARS = r"""[A-Za-z0-9 '"\u2019.,!?%&:;()/+-]"""


def chars_rule(name: str, least: int, most: int) -> str:
    """A one-line text of `least` to `most` characters starting with a capital (a meta
    description, a preview text): limits counted in characters, not words."""
    return f"{name} ::= [A-Z] {_LINE_CHARS}{{{least - 1},{most - 1}}}\n"


def lines_rule(name: str, text: str, most: int, prefix: str = "") -> str:
    """A rule for 1..most lines, each `prefix` + `text` + newline (prefix "- " makes bullets)."""
    one = f'{literal(prefix)} {text} "\\n"' if prefix else f'{text} "\\n"'
    return f"{name} ::= ({one}){{1,{most}}}\n"


def alternatives(options: list[str]) -> str:
    """A group matching exactly one of `options`, as literals."""
    return "(" + " | ".join(literal(o) for o in options) + ")"


def grammar(root: str, *rules: str) -> str:
    """A whole grammar: `root ::= ...`, the rules given, and the shared word rule."""
    return f"root ::= {root}\n" + "".join(rules) + WORD_RULES
