"""Styled, wrapped text for a terminal, for the reports that must start fast.

rich costs decode about 40 ms of start-up, more than everything else cookietool does for
one cookie. decode's report needs little of it: styled spans, word wrapping with a
hanging indent and the terminal's width. This module is that much, with the same
interface as the part of ``rich.text.Text`` and ``rich.console.Console`` the decode
report uses, so the report code reads the same; rich stays for the tables of the
commands that run long anyway.

Text reaches it already escaped (``escape.for_humans``): it never interprets markup, and
styles come from the report's code, never from a cookie.
"""

from __future__ import annotations

import os
import sys
import unicodedata
from collections.abc import Iterable
from typing import IO

#: SGR parameters of the style words the reports use.
_SGR = {
    "bold": "1",
    "dim": "2",
    "red": "31",
    "green": "32",
    "yellow": "33",
    "magenta": "35",
    "cyan": "36",
}


def _sgr(style: str) -> str:
    codes = [_SGR[word] for word in style.split() if word in _SGR]
    return f"\x1b[{';'.join(codes)}m" if codes else ""


def char_width(char: str) -> int:
    """Terminal cells one character takes: 2 for East Asian wide, 0 for combining marks."""
    if char < "\u0300":  # Latin, the common case: one cell
        return 1
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def cell_len(text: str) -> int:
    """Terminal cells ``text`` takes."""
    if text.isascii():
        return len(text)
    return sum(char_width(char) for char in text)


class Text:
    """A string with styled spans, the subset of ``rich.text.Text`` the reports use."""

    def __init__(self, text: str = "", style: str = "") -> None:
        self._parts: list[tuple[str, str]] = [(text, style)] if text else []

    @property
    def plain(self) -> str:
        """The text without styles."""
        return "".join(part for part, _ in self._parts)

    @property
    def cell_len(self) -> int:
        """Terminal cells the text takes."""
        return cell_len(self.plain)

    def append(self, text: str | Text, style: str = "") -> Text:
        """Add ``text`` (styled with ``style``, or a Text with its own styles)."""
        if isinstance(text, Text):
            self._parts += text._parts
        elif text:
            self._parts.append((text, style))
        return self

    def append_text(self, text: Text) -> Text:
        """Add another Text with its styles."""
        return self.append(text)

    @classmethod
    def assemble(cls, *pieces: str | Text) -> Text:
        """One Text of several, each keeping its styles."""
        joined = cls()
        for piece in pieces:
            joined.append(piece)
        return joined

    def rstrip(self) -> None:
        """Remove trailing spaces, in place."""
        while self._parts:
            text, style = self._parts[-1]
            stripped = text.rstrip(" ")
            if stripped:
                self._parts[-1] = (stripped, style)
                return
            self._parts.pop()

    def _chars(self) -> list[tuple[str, str]]:
        return [(char, style) for text, style in self._parts for char in text]

    @classmethod
    def _of_chars(cls, chars: Iterable[tuple[str, str]]) -> Text:
        made = cls()
        for char, style in chars:
            if made._parts and made._parts[-1][1] == style:
                made._parts[-1] = (made._parts[-1][0] + char, style)
            else:
                made._parts.append((char, style))
        return made

    def wrap(self, console: object, width: int) -> list[Text]:
        """Lines of at most ``width`` cells: broken at spaces, a longer word folded.

        Newlines in the text end lines. Spaces where a line breaks are dropped.
        """
        width = max(width, 1)
        lines: list[Text] = []
        chars = self._chars()
        start = 0
        for end in [i for i, (c, _) in enumerate(chars) if c == "\n"] + [len(chars)]:
            lines += self._wrap_line(chars[start:end], width)
            start = end + 1
        return lines

    def _wrap_line(self, chars: list[tuple[str, str]], width: int) -> list[Text]:
        lines: list[Text] = []
        line: list[tuple[str, str]] = []
        used = 0
        # Words with the spaces before them: a break drops those spaces.
        for word in _words(chars):
            gap = [c for c in word if c[0] == " "]
            body = word[len(gap) :]
            body_len = sum(char_width(c) for c, _ in body)
            gap_len = len(gap)
            if used + gap_len + body_len <= width:
                line += word
                used += gap_len + body_len
                continue
            if line:
                lines.append(self._of_chars(line))
                line, used = [], 0
            elif used == 0 and not body:
                continue
            # The word starts a line; one wider than a line is folded.
            for char in body:
                cells = char_width(char[0])
                if used + cells > width and line:
                    lines.append(self._of_chars(line))
                    line, used = [], 0
                line.append(char)
                used += cells
        lines.append(self._of_chars(line))
        return lines

    def render(self, color: bool) -> str:
        """The text, with ANSI styles when ``color``."""
        if not color:
            return self.plain
        out = []
        for text, style in self._parts:
            code = _sgr(style)
            out.append(f"{code}{text}\x1b[0m" if code else text)
        return "".join(out)

    def __str__(self) -> str:
        return self.plain


def _words(chars: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    """Runs of leading spaces and then non-spaces."""
    words: list[list[tuple[str, str]]] = []
    current: list[tuple[str, str]] = []
    in_body = False
    for item in chars:
        if item[0] == " " and in_body:
            words.append(current)
            current, in_body = [], False
        elif item[0] != " ":
            in_body = True
        current.append(item)
    if current:
        words.append(current)
    return words


def wants_color(file: IO[str], forced: bool | None) -> bool:
    """Colour as rich decides it: forced by --color/--no-color, else a terminal without
    NO_COLOR (https://no-color.org) and not TERM=dumb; FORCE_COLOR forces it on."""
    if forced is not None:
        return forced
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(file, "isatty", None)
    return bool(isatty and isatty())


def terminal_width(file: IO[str]) -> int:
    """Columns to wrap at: $COLUMNS, else the terminal's, else 80."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    try:
        return os.get_terminal_size(file.fileno()).columns
    except (AttributeError, OSError, ValueError):
        return 80


class Console:
    """Where a plain report goes: the subset of ``rich.console.Console`` it uses."""

    def __init__(self, file: IO[str] | None = None, color: bool | None = None) -> None:
        self.file = file if file is not None else sys.stdout
        self.color = wants_color(self.file, color)
        self.width = terminal_width(self.file)

    def print(self, *texts: str | Text) -> None:
        """Write the texts joined, wrapped at the width as rich wraps; a str is taken as it
        is, never as markup."""
        joined = Text.assemble(*texts)
        lines = joined.wrap(self, self.width)
        self.file.write("\n".join(line.render(self.color) for line in lines) + "\n")
