"""Judging a secret key without a cookie, and finding hard-coded keys in config files.

A key is never shown: it is named by a short fingerprint, the first 8 hex digits of its
SHA-256. The verdict combines what is certain (the key is publicly known, too short)
with estimates (entropy from the characters used, placeholder and dictionary-word shapes).
"""

from __future__ import annotations

import ast
import hashlib
import math
import re
import sys
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cookietool.errors import InputError
from cookietool.wordlists import KnownKey, known_keys

#: Below this estimate a key is weak: 128 bits is what 16 random bytes give.
MIN_BITS = 128
MIN_BYTES = 16
#: Words that make a key a placeholder when they are most of it.
PLACEHOLDER_WORDS = frozenset(
    [
        "change",
        "changeme",
        "replace",
        "your",
        "my",
        "our",
        "secret",
        "secrets",
        "key",
        "keys",
        "dev",
        "devel",
        "development",
        "test",
        "testing",
        "example",
        "sample",
        "default",
        "demo",
        "dummy",
        "placeholder",
        "insecure",
        "unsafe",
        "temp",
        "temporary",
        "todo",
        "fixme",
        "super",
        "password",
        "passwd",
        "pass",
        "admin",
        "flask",
        "app",
        "token",
        "session",
        "cookie",
        "here",
        "this",
        "please",
        "me",
        "now",
        "not",
        "real",
        "prod",
        "production",
        "local",
        "foo",
        "bar",
        "baz",
        "qwerty",
        "letmein",
        "hello",
        "world",
        "guess",
        "hard",
        "string",
        "never",
    ]
)
# Letter runs split at case changes, so CamelCase words count one by one.
_WORD = re.compile(rb"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")
_VOWEL = re.compile(rb"[aeiouyAEIOUY]")
_NAME = re.compile(r"(?i)^(?:.*_)?secret_key(?:_fallbacks)?$")


@dataclass(frozen=True)
class KeyVerdict:
    """What check-key says about one key; the key itself is not kept."""

    fingerprint: str
    length: int
    entropy_bits: int
    known: KnownKey | None
    placeholder: bool
    dictionary: bool
    reasons: tuple[str, ...]

    @property
    def weak(self) -> bool:
        """True when any reason speaks against the key."""
        return bool(self.reasons)


def fingerprint(key: bytes) -> str:
    """A short name for a key that does not reveal it: ``sha256:`` and 8 hex digits."""
    return "sha256:" + hashlib.sha256(key).hexdigest()[:8]


def entropy_bits(key: bytes) -> int:
    """An upper estimate of a key's entropy from the kinds of characters it uses."""
    if not key:
        return 0
    classes = sum(bool(re.search(p, key)) for p in (rb"[a-z]", rb"[A-Z]", rb"[0-9]"))
    if re.fullmatch(rb"[0-9a-f]+|[0-9A-F]+", key):
        pool = 16
    elif classes >= 2 and re.fullmatch(rb"[A-Za-z0-9_-]+|[A-Za-z0-9+/]+=*", key):
        pool = 64  # base64 or base64url text, such as genkey's: 6 bits a character
    else:
        pool = 0
        for pattern, size in (
            (rb"[a-z]", 26),
            (rb"[A-Z]", 26),
            (rb"[0-9]", 10),
            (rb"[\x20-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]", 33),
            (rb"[^\x20-\x7e]", 161),
        ):
            if re.search(pattern, key):
                pool += size
    # Few distinct characters (aaaa…, abab…) give little whatever the length.
    distinct = len(set(key))
    if distinct < min(len(key), 8):
        return int(distinct * math.log2(pool))
    return int(len(key) * math.log2(pool))


def word_coverage(key: bytes, words: frozenset[str]) -> float:
    """The share of the key made of letter runs that are in ``words``."""
    covered = sum(
        len(m.group()) for m in _WORD.finditer(key) if m.group().lower().decode() in words
    )
    return covered / len(key) if key else 0.0


def looks_like_words(key: bytes) -> bool:
    """True for a few words and digits (``sunshine2024``, ``BlueHorse-Staple7``).

    Random text splits into many short letter runs at its case changes; a few runs of
    three or more letters, each with a vowel, covering most of the key, read as words.
    """
    runs = _WORD.findall(key)
    letters = sum(len(run) for run in runs)
    return (
        0 < len(runs) <= 4
        and all(len(run) >= 3 and _VOWEL.search(run) for run in runs)
        and letters >= 0.6 * len(key)
        and len(key) < 40
    )


def judge(key: bytes, extra_known: Collection[bytes] = ()) -> KeyVerdict:
    """The verdict on a secret key as bytes (text keys are UTF-8, as in Flask)."""
    known = next((k for k in known_keys() if k.value == key), None)
    if known is None and key in extra_known:
        known = KnownKey(key, "Flask-Unsign wordlist", "flask-unsign-wordlist all.txt")
    bits = entropy_bits(key)
    placeholder = word_coverage(key, PLACEHOLDER_WORDS) >= 0.5
    dictionary = not placeholder and looks_like_words(key)
    reasons = []
    if known is not None:
        reasons.append(f"publicly known: {known.origin}")
    if len(key) < MIN_BYTES:
        reasons.append(f"{len(key)} bytes long; use at least {MIN_BYTES} random bytes")
    if placeholder:
        reasons.append("looks like a placeholder (made of words such as secret, change, dev)")
    if dictionary:
        reasons.append("looks like dictionary words, which wordlist attacks try first")
    if bits < MIN_BITS:
        reasons.append(f"about {bits} bits of entropy at most; a key needs {MIN_BITS}")
    return KeyVerdict(
        fingerprint(key), len(key), bits, known, placeholder, dictionary, tuple(reasons)
    )


def wordlist_keys() -> frozenset[bytes]:
    """Flask-Unsign's wordlist as a set, when ``cookietool[wordlist]`` is installed."""
    from cookietool.wordlists import flask_unsign_source, lines_of

    source = flask_unsign_source()
    if source is None:
        return frozenset()
    return frozenset(key for block in source.blocks() for key in lines_of(block))


@dataclass(frozen=True)
class Assignment:
    """A secret key found in a file: where, under which name, and how it is used."""

    path: str
    line: int
    name: str
    value: bytes
    fallback: bool


def is_key_name(name: str) -> bool:
    """True for SECRET_KEY, *_SECRET_KEY (FLASK_SECRET_KEY…) and SECRET_KEY_FALLBACKS."""
    return bool(_NAME.match(name))


def scan_file(path: Path) -> list[Assignment]:
    """Secret keys written into a Python, .env, TOML, YAML or INI file."""
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"cannot read {path}: {e}") from e
    name = path.name.lower()
    suffix = path.suffix.lower()
    if suffix == ".py":
        return list(_scan_python(str(path), text))
    if name == ".env" or name.startswith(".env.") or suffix == ".env":
        return _scan_dotenv(str(path), text)
    if suffix == ".toml":
        return _scan_mapping(str(path), text, _load_toml(str(path), text))
    if suffix in (".yaml", ".yml"):
        return _scan_mapping(str(path), text, _load_yaml(str(path), text))
    if suffix in (".ini", ".cfg", ".conf"):
        return _scan_ini(str(path), text)
    raise InputError(f"{path}: not a .py, .env, .toml, .yaml/.yml or .ini/.cfg file")


def _scan_python(path: str, text: str) -> Iterator[Assignment]:
    try:
        tree = ast.parse(text, filename=path)
    except SyntaxError as e:
        raise InputError(f"{path} is not valid Python (line {e.lineno})") from e
    for node in ast.walk(tree):
        pairs: list[tuple[str | None, ast.expr]] = []
        if isinstance(node, ast.Assign):
            pairs = [(_target_name(t), node.value) for t in node.targets]
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            pairs = [(_target_name(node.target), node.value)]
        elif isinstance(node, ast.Call):
            pairs = [(kw.arg, kw.value) for kw in node.keywords]
        elif isinstance(node, ast.Dict):
            pairs = [
                (k.value if isinstance(k, ast.Constant) and isinstance(k.value, str) else None, v)
                for k, v in zip(node.keys, node.values, strict=True)
            ]
        for key_name, value in pairs:
            if key_name and is_key_name(key_name):
                for literal, fallback in _literals(value, fallback=False):
                    yield Assignment(path, value.lineno, key_name, literal, fallback)


def _target_name(target: ast.expr) -> str | None:
    if isinstance(target, ast.Name):
        return target.id
    if isinstance(target, ast.Attribute):
        return target.attr
    if isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant):
        value = target.slice.value
        return value if isinstance(value, str) else None
    return None


def _literals(value: ast.expr, fallback: bool) -> Iterator[tuple[bytes, bool]]:
    """String literals a key expression can evaluate to, never evaluating anything."""
    if isinstance(value, ast.Constant) and isinstance(value.value, (str, bytes)):
        raw = value.value
        yield (raw.encode("utf-8") if isinstance(raw, str) else raw), fallback
    elif isinstance(value, (ast.List, ast.Tuple)):
        for item in value.elts:
            yield from _literals(item, fallback)
    elif isinstance(value, ast.BoolOp):
        # os.environ.get("SECRET_KEY") or "dev": the literal is the fallback.
        for item in value.values:
            yield from _literals(item, True)
    elif isinstance(value, ast.IfExp):
        yield from _literals(value.body, True)
        yield from _literals(value.orelse, True)
    elif isinstance(value, ast.Call) and _is_env_lookup(value.func):
        defaults = value.args[1:2] + [kw.value for kw in value.keywords if kw.arg == "default"]
        for default in defaults:
            yield from _literals(default, True)


def _is_env_lookup(func: ast.expr) -> bool:
    return (isinstance(func, ast.Attribute) and func.attr in ("get", "getenv")) or (
        isinstance(func, ast.Name) and func.id in ("getenv", "env")
    )


def _line_of(text: str, name: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if name.lower() in line.lower():
            return number
    return 1


def _scan_dotenv(path: str, text: str) -> list[Assignment]:
    import io

    from dotenv import dotenv_values

    values = dotenv_values(stream=io.StringIO(text))
    return [
        Assignment(path, _line_of(text, name), name, value.encode("utf-8"), False)
        for name, value in values.items()
        if value and is_key_name(name)
    ]


def _load_toml(path: str, text: str) -> Any:
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise InputError(f"{path} is not valid TOML ({e})") from e


def _load_yaml(path: str, text: str) -> Any:
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise InputError(f"{path} is not valid YAML") from e


def _scan_mapping(path: str, text: str, data: Any) -> list[Assignment]:
    found = []
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if isinstance(key, str) and is_key_name(key):
                    values = value if isinstance(value, list) else [value]
                    for one in values:
                        if isinstance(one, (str, bytes)) and one:
                            raw = one.encode("utf-8") if isinstance(one, str) else one
                            found.append(Assignment(path, _line_of(text, key), key, raw, False))
                else:
                    stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)
    return found


def _scan_ini(path: str, text: str) -> list[Assignment]:
    import configparser

    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text, source=path)
    except configparser.Error as e:
        raise InputError(f"{path} is not a valid INI file ({e.message})") from e
    return [
        Assignment(path, _line_of(text, option), option, value.encode("utf-8"), False)
        for section in parser.sections()
        for option, value in parser.items(section)
        if value and is_key_name(option)
    ]
