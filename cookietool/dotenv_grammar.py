"""python-dotenv's grammar for a .env statement, as patterns that run in linear time.

python-dotenv (``dotenv/parser.py``) keeps its patterns private, and two of them backtrack:
``\\s+#`` for a comment after an unquoted value is quadratic in a run of spaces, and releases
before 1.2.3 backtrack exponentially on ``"\'\'\'…``. ``check-key --scan`` reads .env files
with these, and ``genkey --dotenv`` finds the value to change with them; the tests hold both
equal to python-dotenv itself.
"""

from __future__ import annotations

import re

LEADING = re.compile(r"\s*")
EXPORT = re.compile(r"(?:export[^\S\r\n]+)?")
QUOTED_KEY = re.compile(r"'([^']+)'")
KEY = re.compile(r"[^=\#\s]+")
SPACE = re.compile(r"[^\S\r\n]*")
EQUAL = re.compile(r"=[^\S\r\n]*")
SINGLE_QUOTED = re.compile(r"'((?:\\.|[^'\\])*)'", re.DOTALL)
DOUBLE_QUOTED = re.compile(r'"((?:\\.|[^"\\])*)"', re.DOTALL)
REST_OF_LINE = re.compile(r"[^\r\n]*")
#: Where an inline comment starts: one white space before '#' (the rest is stripped).
INLINE_COMMENT = re.compile(r"\s#")
