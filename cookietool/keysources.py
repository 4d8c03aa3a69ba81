"""Where keys come from when no key option gives them: a .env file or the environment.

Read exactly as a Flask app reads them with ``app.config.from_prefixed_env()``: every
``FLASK_*`` value is parsed as JSON when it parses, and kept as text when it does not
(Flask 3.1 ``config.py``). So ``FLASK_SECRET_KEY_FALLBACKS`` must be a JSON list: given
as plain text, Flask would extend its list of keys with each character of it
(``sessions.py``: ``keys.extend(fallbacks)``), which is never what was meant.
``COOKIETOOL_SECRET_KEY``, one key as text, comes first when it is set.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from typing import NamedTuple

from cookietool.errors import KeyInputError
from cookietool.keys import SecretKey, text_key

OWN_VAR = "COOKIETOOL_SECRET_KEY"
FLASK_VAR = "FLASK_SECRET_KEY"
FLASK_FALLBACKS_VAR = "FLASK_SECRET_KEY_FALLBACKS"


class KeySource(NamedTuple):
    """Keys (oldest first, the last is SECRET_KEY) and where they came from, in words."""

    keys: tuple[SecretKey, ...]
    origin: str


def flask_value(text: str) -> object:
    """A FLASK_* value as from_prefixed_env reads it: JSON when it parses, else text."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def from_mapping(values: Mapping[str, str | None], where: str) -> KeySource | None:
    """The keys a set of variables holds (a .env file's, or the environment), or None.

    ``where`` names the set in labels and messages: ``$`` for the environment, or a path.
    """

    def label(name: str) -> str:
        return f"${name}" if where == "$" else f"{where}: {name}"

    own = values.get(OWN_VAR)
    if own:
        return KeySource((text_key(own, label(OWN_VAR)),), label(OWN_VAR))
    secret = values.get(FLASK_VAR)
    fallbacks = values.get(FLASK_FALLBACKS_VAR)
    if not secret:
        if fallbacks:
            raise KeyInputError(
                f"{label(FLASK_FALLBACKS_VAR)} is set but {FLASK_VAR} is not: Flask has no "
                "current key to sign with"
            )
        return None
    current = flask_value(secret)
    if not isinstance(current, str):
        raise KeyInputError(
            f"{label(FLASK_VAR)} reads as JSON {type(current).__name__}, so Flask would set "
            "SECRET_KEY to that, not to a string; quote it or use a key that is not JSON"
        )
    found: list[SecretKey] = []
    origin = label(FLASK_VAR)
    if fallbacks:
        older = flask_value(fallbacks)
        if not (isinstance(older, list) and all(isinstance(k, str) and k for k in older)):
            raise KeyInputError(
                f"{label(FLASK_FALLBACKS_VAR)} is not a JSON list of keys: Flask would take "
                'each character of it as a key. Write it as a JSON list, ["old-key"]'
            )
        found += [
            text_key(key, f"{label(FLASK_FALLBACKS_VAR)}[{n}]") for n, key in enumerate(older)
        ]
        origin += f" and {label(FLASK_FALLBACKS_VAR).rsplit(' ', 1)[-1]} ({len(older)})"
    found.append(text_key(current, label(FLASK_VAR)))
    return KeySource(tuple(found), origin)


def from_dotenv(path: str) -> KeySource | None:
    """The keys a .env file holds, read with python-dotenv, the process environment untouched."""
    from dotenv import dotenv_values

    from cookietool.readfile import read_limited

    # Read within a cap first: python-dotenv itself would read any size.
    data = read_limited(path, 1 << 20, f"--dotenv {path}", "key-file-bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise KeyInputError(f"--dotenv {path} is not UTF-8 text") from e
    values = dotenv_values(stream=io.StringIO(text), interpolate=False)
    found = from_mapping(values, path)
    if found is None:
        raise KeyInputError(
            f"--dotenv {path} sets neither {OWN_VAR} nor {FLASK_VAR}, so it holds no key"
        )
    return found


def from_environment(environ: Mapping[str, str]) -> KeySource | None:
    """The keys the environment holds, or None when it holds none."""
    return from_mapping(environ, "$")
