"""The one way text from input reaches a person: every control made visible.

Cookies, HAR files, wordlists, scanned files and the names in them come from people who
may be attackers. Printed raw, an escape sequence in them can clear the screen, set the
window title, write the clipboard (OSC 52) or move the cursor back over a verdict; a
bidi override can reorder what a line seems to say. Every renderer passes such text
through :func:`for_humans`; JSON, GitHub annotations and JUnit XML keep their own exact
escaping instead.
"""

from __future__ import annotations

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape_char(char: str) -> str:
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def for_humans(text: str) -> str:
    """``text`` with every character Python calls unprintable written as an escape.

    That covers C0 and C1 controls (ESC, CSI U+009B), DEL, bidi and other format
    characters (U+202E, U+2066), line and paragraph separators, lone surrogates and
    unassigned code points; the space is the only white space kept as it is.
    """
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else _escape_char(char) for char in text)
