"""Secret keys: where they come from, how they are named without being shown, and new ones."""

from __future__ import annotations

import base64
import json
import os
import re
from typing import TYPE_CHECKING, NamedTuple

from cookietool import defaults
from cookietool.errors import CapError, InputError, KeyInputError

if TYPE_CHECKING:
    from pathlib import Path

    from cookietool.dotenv_edit import EnvFile

#: Fewer random bytes than this are refused: 128 bits is the least a session key should have.
MIN_KEY_BYTES = 16
#: More random bytes than this buy nothing (HMAC hashes longer keys down to one block).
MAX_KEY_BYTES = 1024
DEFAULT_KEY_BYTES = defaults.KEY_BYTES
KEY_FORMATS = ("hex", "urlsafe", "base64", "env")
#: The variable Flask's ``app.config.from_prefixed_env()`` reads SECRET_KEY from.
DEFAULT_ENV_VAR = defaults.ENV_VAR


class SecretKey(NamedTuple):
    """A secret key and a label that says where it came from; the key is never in its repr."""

    value: bytes
    label: str

    def __repr__(self) -> str:
        return f"SecretKey(label={self.label!r})"


#: A key file larger than this is refused: no list of keys comes near it.
MAX_KEY_FILE_BYTES = 1 << 20
_VARIABLE_NAME = re.compile(r"[A-Z_][A-Z0-9_]{0,127}")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ENV_LINE = re.compile(rb"(?:export\s+)?[A-Za-z_][A-Za-z0-9_]*\s*=")


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
    lines = [line.strip() for line in data.splitlines() if line.strip()]
    if lines and all(line.startswith(b"#") or _ENV_LINE.match(line) for line in lines):
        # Every line a NAME=value assignment or a comment: a .env file, whose whole lines
        # would never be the keys the app uses.
        raise KeyInputError(
            f"--key-file {path} looks like a .env file (NAME=value lines); read it with "
            "--dotenv, which takes FLASK_SECRET_KEY and its fallbacks as Flask does"
        )
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

    _check_dotenv_path(path)
    replaced = False

    def change(envfile: EnvFile) -> dict[str, str]:
        nonlocal replaced
        replaced = dotenv_edit.get(envfile, var) is not None
        if replaced and not force:
            raise InputError(
                f"{path} already sets {var}; add --force to replace it, or --rotate to keep "
                "the old key as a fallback so that no one is logged out"
            )
        return {var: value}

    dotenv_edit.update(path, change)
    return replaced


#: Old keys ``rotate_dotenv`` keeps in the fallbacks variable unless told otherwise.
KEEP_FALLBACKS = 3
#: Appended to the key's variable to name its fallbacks: from_prefixed_env() reads
#: FLASK_SECRET_KEY_FALLBACKS into SECRET_KEY_FALLBACKS.
FALLBACKS_SUFFIX = "_FALLBACKS"


class Rotation(NamedTuple):
    """What rotate_dotenv did to a .env file, in names and counts: it holds no key."""

    #: The file written: the target of a symbolic link, not the link.
    path: Path
    var: str
    fallbacks_var: str
    #: False when the file had no key yet: one was written and the fallbacks left alone.
    rotated: bool
    #: How many keys the fallbacks variable holds now.
    fallbacks: int
    #: How many keys left the fallbacks (the old key too, under keep=0), oldest first.
    dropped: int


def rotate_dotenv(path: Path, var: str, value: str, keep: int = KEEP_FALLBACKS) -> Rotation:
    """Make ``value`` the key ``var`` in a .env file, the old key its newest fallback."""
    from cookietool import dotenv_edit

    if keep < 0:
        raise InputError(f"cannot keep {keep} old keys; keep 0 or more")
    _check_dotenv_path(path)
    fallbacks_var = var + FALLBACKS_SUFFIX
    if _flask_reads(value) != value:
        # Unlikely for a random key (all digits, say), but Flask would read a number.
        raise InputError(f"the new value for {var} reads as JSON in Flask; generate another")
    counts = (False, 0, 0)

    def change(envfile: EnvFile) -> dict[str, str]:
        nonlocal counts
        fallbacks = _read_fallbacks(envfile, fallbacks_var)
        old = dotenv_edit.get(envfile, var)
        if not old:
            # Nothing to keep: an empty key never signed a Flask session.
            counts = (False, len(fallbacks), 0)
            return {var: value}
        # SECRET_KEY_FALLBACKS is oldest first: Flask appends SECRET_KEY after it, and
        # itsdangerous tries the keys from the last, so the newest fallback comes right after.
        used = _flask_reads(old)
        # A number or a list never signed a session; then the text is what was meant.
        kept = [*fallbacks, used if isinstance(used, str) else old]
        dropped = max(len(kept) - keep, 0)
        kept = kept[dropped:]
        counts = (True, len(kept), dropped)
        return {var: value, fallbacks_var: json.dumps(kept)}

    result = dotenv_edit.update(path, change)
    rotated, fallbacks, dropped = counts
    return Rotation(result.path, var, fallbacks_var, rotated, fallbacks, dropped)


def _check_dotenv_path(path: Path) -> None:
    if not path.parent.is_dir():
        raise InputError(f"cannot write {path}: folder {path.parent} does not exist")
    if path.exists() and not path.is_file():
        raise InputError(f"{path} is not a file")


def _flask_reads(text: str) -> object:
    """What Flask's from_prefixed_env() makes of ``text``: json.loads of it, else the text."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return text


def _read_fallbacks(envfile: EnvFile, name: str) -> list[str]:
    """The keys in ``name``, oldest first, read as python-dotenv and then Flask read them."""
    from cookietool import dotenv_edit

    text = dotenv_edit.get(envfile, name)
    if not text:
        # Unset or empty: Flask has no fallbacks either.
        return []
    # Messages never show the value: it holds keys.
    problem = f'{name} in {envfile.path} must be a JSON list of keys such as ["old-key"]'
    try:
        loaded = json.loads(text)
    except (ValueError, RecursionError) as e:
        raise InputError(f"{problem}, and is not JSON; fix it by hand") from e
    if not isinstance(loaded, list) or not all(isinstance(k, str) for k in loaded):
        raise InputError(f"{problem}; fix it by hand")
    return loaded
