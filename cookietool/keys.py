"""Secret keys: where they come from, how they are named without being shown, and new ones."""

from __future__ import annotations

import base64
import os
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cookietool import defaults
from cookietool.errors import CapError, InputError, KeyInputError

if TYPE_CHECKING:
    from pathlib import Path

#: Fewer random bytes than this are refused: 128 bits is the least a session key should have.
MIN_KEY_BYTES = 16
#: More random bytes than this buy nothing (HMAC hashes longer keys down to one block).
MAX_KEY_BYTES = 1024
DEFAULT_KEY_BYTES = defaults.KEY_BYTES
KEY_FORMATS = ("hex", "urlsafe", "base64", "env")
#: The variable Flask's ``app.config.from_prefixed_env()`` reads SECRET_KEY from.
DEFAULT_ENV_VAR = defaults.ENV_VAR


@dataclass(frozen=True)
class SecretKey:
    """A secret key and a label that says where it came from; the key is never in its repr."""

    value: bytes = field(repr=False)
    label: str


#: A key file larger than this is refused: no list of keys comes near it.
MAX_KEY_FILE_BYTES = 1 << 20
_VARIABLE_NAME = re.compile(r"[A-Z_][A-Z0-9_]{0,127}")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def text_key(text: str, label: str) -> SecretKey:
    """A key given as text; Flask and itsdangerous encode str keys as UTF-8.

    Bytes that were not UTF-8 on the command line come back as they were given.
    """
    if not text:
        raise KeyInputError(f"{label} is empty; Flask refuses to sign with an empty key")
    return SecretKey(text.encode("utf-8", "surrogateescape"), label)


def hex_key(text: str, label: str) -> SecretKey:
    """A key given as hex digits (for binary keys such as ``os.urandom`` output)."""
    try:
        value = bytes.fromhex(text.strip())
    except ValueError as e:
        # The value is a secret: say what is wrong with it, never what it is.
        raise KeyInputError(f"{label} is not valid hex") from e
    if not value:
        raise KeyInputError(f"{label} is empty; Flask refuses to sign with an empty key")
    return SecretKey(value, label)


def read_capped(
    path: str, what: str, limit: int = MAX_KEY_FILE_BYTES, cap: str = "key-file-bytes"
) -> bytes:
    """The bytes of a key file ('-' for standard input), refused past ``limit`` bytes."""
    from cookietool.readfile import read_limited

    label = what if path == "-" else f"{what} {path}"
    try:
        return read_limited(path, limit, label, cap, secret_path=True)
    except CapError:
        raise
    except InputError as e:
        raise KeyInputError(str(e)) from e


def strip_newline(data: bytes) -> bytes:
    """A key read whole from a file or pipe, without the line ending that is not part of it."""
    if data.endswith(b"\r\n"):
        return data[:-2]
    return data[:-1] if data.endswith(b"\n") else data


def file_keys(
    path: str, data: bytes | None = None, limit: int = MAX_KEY_FILE_BYTES
) -> list[SecretKey]:
    """Keys one per line (oldest first) as raw bytes, blank lines skipped, endings removed."""
    if data is None:
        data = read_capped(path, "--key-file", limit)
    keys = []
    for number, line in enumerate(data.split(b"\n"), start=1):
        line = line.rstrip(b"\r")
        if line:
            keys.append(SecretKey(line, f"--key-file {path} line {number}"))
    if not keys:
        raise KeyInputError(f"--key-file {path} holds no key")
    return keys


def env_key(name: str, option: str = "--key-env") -> SecretKey:
    """The key held by environment variable ``name``.

    A name that does not look like one (a value given by mistake, perhaps the key) is
    never repeated in the message.
    """
    shown = name if _VARIABLE_NAME.fullmatch(name) else None
    text = os.environ.get(name) if name and "\0" not in name and "=" not in name else None
    if not text:
        if shown is None:
            raise KeyInputError(
                f"{option} takes the name of an environment variable, and no variable has "
                "the name given (it is not repeated here, in case it is a key)"
            )
        raise KeyInputError(f"environment variable {shown} is not set or empty")
    label = f"${shown}" if shown else f"{option} variable"
    return SecretKey(text.encode("utf-8", "surrogateescape"), label)


def generate(nbytes: int = DEFAULT_KEY_BYTES, fmt: str = "hex", var: str = DEFAULT_ENV_VAR) -> str:
    """A new random key from the ``secrets`` module, written in format ``fmt``."""
    if nbytes < MIN_KEY_BYTES:
        raise InputError(
            f"{nbytes} bytes is too short: a secret key needs at least {MIN_KEY_BYTES} random "
            f"bytes ({MIN_KEY_BYTES * 8} bits) so that it cannot be guessed"
        )
    if nbytes > MAX_KEY_BYTES:
        raise InputError(f"at most {MAX_KEY_BYTES} random bytes a key; {nbytes} is too many")
    if fmt not in KEY_FORMATS:
        raise InputError(f"unknown key format {fmt!r}; choose one of {', '.join(KEY_FORMATS)}")
    import secrets

    if fmt == "urlsafe":
        return secrets.token_urlsafe(nbytes)
    if fmt == "base64":
        return base64.b64encode(secrets.token_bytes(nbytes)).decode("ascii")
    if fmt == "hex":
        return secrets.token_hex(nbytes)
    if not _ENV_NAME.fullmatch(var):
        raise InputError(
            "--var must be a variable name: letters, digits and '_', not a digit first"
        )
    return f"{var}={secrets.token_hex(nbytes)}"


def write_dotenv(path: Path, var: str, value: str, force: bool = False) -> bool:
    """Set ``var`` in the .env file at ``path``; True if it replaced an existing value.

    An existing value is kept unless ``force``: a lost secret key logs every user out.
    Every other byte of the file is kept (line endings, ``export``, quotes, comments); a
    symlink's target is written, atomically, with its mode; a new file is owner-only.
    """
    from cookietool import dotenv_edit

    if not path.parent.is_dir():
        raise InputError(f"cannot write {path}: folder {path.parent} does not exist")
    replaced = False
    if path.exists():
        if not path.is_file():
            raise InputError(f"{path} is not a file")
        replaced = dotenv_edit.get(dotenv_edit.read_env(path), var) is not None
        if replaced and not force:
            raise InputError(f"{path} already sets {var}; add --force to replace it")
    dotenv_edit.set_values(path, {var: value})
    return replaced
