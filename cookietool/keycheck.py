"""Judging a secret key without a cookie, and finding hard-coded keys in config files.

A key is never shown: it is named by a short fingerprint, the first 8 hex digits of its
SHA-256. The verdict combines what is certain (the key is publicly known, too short)
with estimates (entropy from the characters used, placeholder and dictionary-word shapes).
"""

from __future__ import annotations

import ast
import binascii
import functools
import hashlib
import math
import os
import re
import stat
import sys
import warnings
from collections import deque
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from cookietool import dotenv_grammar
from cookietool.errors import CookietoolError, InputError
from cookietool.wordlists import KnownKey, known_keys

if TYPE_CHECKING:
    import configparser

#: Below this estimate a key is weak: 128 bits is what 16 random bytes give.
MIN_BITS = 128
MIN_BYTES = 16
#: Largest file a scan reads: configuration files are a few KiB; this bounds time and memory.
MAX_SCAN_BYTES = 1 << 20
# O_NONBLOCK: opening a FIFO planted in a repository must not wait for a writer. O_BINARY:
# no newline translation on Windows.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
# Its name among the caps of --cap (cookietool.caps), for a message that says how to raise it.
_SIZE_CAP = "scan-file-bytes"
#: Deepest nesting of YAML and TOML collections a scan reads; real configuration stays near 10.
MAX_NESTING = 100
#: Most nodes a YAML document may stand for once its aliases are expanded ("billion laughs").
MAX_YAML_NODES = 1_000_000
#: Most dotted parts of one TOML key: tomllib's time and memory grow with the square of it.
MAX_TOML_KEY_PARTS = 32
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
_VOWELS = re.compile(rb"[aeiouyAEIOUY]")
#: Words are joined by case changes or separators; digits and symbols stand at the ends
#: (``2024Summer``, ``BlueHorse-Staple7!``), never between the words as in random text.
_WORDS_SHAPE = re.compile(rb"[^A-Za-z]*[A-Za-z][A-Za-z_. -]*[A-Za-z][^A-Za-z]*")
#: Four consonants in a row are rare inside words ("strengths" is the famous exception).
_CONSONANTS = re.compile(rb"[b-df-hj-np-tv-xzB-DF-HJ-NP-TV-XZ]{4}")
# A name, not any text: a prefix of word characters, and \Z rather than $ (no newline).
_NAME = re.compile(r"(?i)(?:[\w.-]{0,64}_)?secret_key(?:_fallbacks)?\Z")


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
    three or more letters covering most of the key read as words when each is written
    as a word is (lower case or capitalised: random capitals are no word) and
    is nearly as rich in vowels as words are (30% of all letters and a quarter of each
    run at least, where random letters have 23%, 6 in 26), with no four consonants in a
    row, and digits or symbols only at the ends. Without the vowel and case tests, one
    genkey base64 key in 18,000 read as words; without the last, about one in 1,800,000
    still did; with all, none of 3,600,000 (test_random_keys_never_read_as_words).
    """
    runs = _WORD.findall(key)
    letters = sum(len(run) for run in runs)
    vowels = sum(len(_VOWELS.findall(run)) for run in runs)
    return (
        _WORDS_SHAPE.fullmatch(key) is not None
        and 0 < len(runs) <= 4
        and letters >= 0.6 * len(key)
        and len(key) < 40
        and vowels >= 0.3 * letters
        and all(_word_like(run) for run in runs)
    )


def _word_like(run: bytes) -> bool:
    if len(run) < 3 or run[1:].isupper():
        return False
    vowels = len(_VOWELS.findall(run))
    return vowels >= 0.25 * len(run) and not _CONSONANTS.search(run)


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
    #: The line of the assignment itself: the name being set, not a comment that mentions it.
    line: int
    name: str
    # Left out of repr, so that a traceback or a failed assertion never shows a key.
    value: bytes = field(repr=False)
    fallback: bool


class Finding(NamedTuple):
    """A key found by a scan, with its verdict."""

    assignment: Assignment
    verdict: KeyVerdict


class Skipped(NamedTuple):
    """A file a scan could not read, and why (in words, never with the file's content)."""

    path: str
    reason: str


@dataclass(frozen=True)
class ScanReport:
    """What a scan found: every key with its verdict, and the files it skipped."""

    found: tuple[Finding, ...]
    skipped: tuple[Skipped, ...]
    #: How many paths were given.
    files: int

    @property
    def scanned(self) -> int:
        """How many files were read."""
        return self.files - len(self.skipped)

    @property
    def weak(self) -> int:
        """How many of the keys found are weak."""
        return sum(1 for finding in self.found if finding.verdict.weak)


class ScanError(InputError):
    """A file a scan cannot read. The message names the problem and a line, never text."""

    def __init__(
        self, path: str, problem: str, line: int | None = None, cap: str | None = None
    ) -> None:
        where = f" (line {line})" if line is not None else ""
        super().__init__(f"{path} {problem}{where}")
        self.path = path
        self.problem = problem
        self.line = line
        #: The cap the file went over (``scan-file-bytes``), when that is the problem.
        self.cap = cap


class _Refused(Exception):
    """A limit reached inside a parser; scan_file turns it into a ScanError with the path."""

    def __init__(self, problem: str, line: int | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.line = line


def is_key_name(name: str) -> bool:
    """True for SECRET_KEY, *_SECRET_KEY (FLASK_SECRET_KEY…) and SECRET_KEY_FALLBACKS."""
    return bool(_NAME.match(name))


def scan_paths(
    paths: Iterable[str | os.PathLike[str]],
    extra_known: Collection[bytes] = (),
    *,
    max_bytes: int = MAX_SCAN_BYTES,
) -> ScanReport:
    """Scan each file and judge each key found; a file that cannot be read is skipped."""
    found: list[Finding] = []
    skipped: list[Skipped] = []
    files = 0
    for given in expand_paths(paths):
        files += 1
        try:
            assignments = scan_file(given, max_bytes=max_bytes)
        except CookietoolError as e:
            skipped.append(Skipped(os.fspath(given), str(e)))
            continue
        found.extend(Finding(a, judge(a.value, extra_known)) for a in assignments)
    return ScanReport(tuple(found), tuple(skipped), files)


#: Folders never worth scanning: version control, caches, installed packages.
SKIPPED_FOLDERS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "__pycache__",
        "node_modules",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        "site-packages",
        ".venv",
        "venv",
    }
)
#: How many files a folder may give before the scan refuses to go on.
MAX_FOLDER_FILES = 100_000


def expand_paths(paths: Iterable[str | os.PathLike[str]]) -> list[str | os.PathLike[str]]:
    """Files as given, and the files of the kinds scanned under each folder given.

    In a git work tree, git itself says which files there are (tracked, and untracked but
    not ignored: ``.gitignore`` as git reads it); elsewhere the folder is walked. Either
    way virtual environments (a ``pyvenv.cfg``) and the folders in ``SKIPPED_FOLDERS`` are
    left out, and links are not followed.
    """
    expanded: list[str | os.PathLike[str]] = []
    for given in paths:
        if not os.path.isdir(given):
            expanded.append(given)
            continue
        listed = _git_files(os.fspath(given))
        candidates = listed if listed is not None else _walk(os.fspath(given))
        for path in candidates:
            if _scanner_for(Path(path)) is not None and not _in_skipped_folder(path, given):
                expanded.append(path)
                if len(expanded) > MAX_FOLDER_FILES:
                    raise ScanError(os.fspath(given), f"holds more than {MAX_FOLDER_FILES} files")
    return expanded


def _in_skipped_folder(path: str, root: str | os.PathLike[str]) -> bool:
    parts = Path(os.path.relpath(path, root)).parts[:-1]
    folder = Path(root)
    for part in parts:
        folder = folder / part
        if part in SKIPPED_FOLDERS or (folder / "pyvenv.cfg").is_file():
            return True
    return False


def _git_files(folder: str) -> list[str] | None:
    """The files git lists under ``folder``, or None outside a work tree or without git."""
    import subprocess

    try:
        result = subprocess.run(
            ["git", "-C", folder, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            capture_output=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if result.returncode != 0:
        return None
    names = result.stdout.decode("utf-8", "surrogateescape").split("\0")
    return [
        os.path.join(folder, name)
        for name in names
        if name and not os.path.islink(os.path.join(folder, name))
    ]


def _walk(folder: str) -> list[str]:
    found = []
    for root, folders, files in os.walk(folder):
        folders[:] = sorted(
            f
            for f in folders
            if f not in SKIPPED_FOLDERS and not os.path.isfile(os.path.join(root, f, "pyvenv.cfg"))
        )
        found += [os.path.join(root, name) for name in sorted(files)]
    return found


def scan_file(path: str | os.PathLike[str], *, max_bytes: int = MAX_SCAN_BYTES) -> list[Assignment]:
    """Secret keys written into a Python, .env, TOML, YAML or INI file, in line order.

    The file is parsed, never executed, within limits of size, nesting and YAML alias
    expansion. Any problem raises a ScanError naming the file and a line, never its text.
    """
    path = Path(path)
    shown = str(path)
    scanner = _scanner_for(path)
    if scanner is None:
        raise ScanError(shown, "is not a .py, .env, .toml, .yaml/.yml or .ini/.cfg file")
    text = _read_text(path, shown, max_bytes)
    try:
        found = scanner(shown, text)
    except _Refused as e:
        raise ScanError(shown, e.problem, e.line) from None
    except (RecursionError, MemoryError):
        # Each reader has its own limits; this is the last guard, so no input crashes a scan.
        raise ScanError(shown, "is nested too deeply to read") from None
    # dict.fromkeys: `"a" if x else "a"` and the like name the same key once.
    return sorted(dict.fromkeys(found), key=lambda a: a.line)


def _scanner_for(path: Path) -> Callable[[str, str], list[Assignment]] | None:
    name = path.name.lower()
    suffix = path.suffix.lower()
    if suffix == ".py":
        return _scan_python
    if name == ".env" or name.startswith(".env.") or suffix == ".env":
        return _scan_dotenv
    if suffix == ".toml":
        return _scan_toml
    if suffix in (".yaml", ".yml"):
        return _scan_yaml
    if suffix in (".ini", ".cfg", ".conf"):
        return _scan_ini
    return None


def _read_text(path: Path, shown: str, max_bytes: int) -> str:
    """The file as text with "\\n" line ends; refused past ``max_bytes`` or if not UTF-8."""
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as e:
        raise ScanError(shown, f"cannot be read: {e.strerror or type(e).__name__}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ScanError(shown, "is not a regular file")
        with open(fd, "rb", closefd=False) as handle:
            data = handle.read(max_bytes + 1)
    except OSError as e:
        raise ScanError(shown, f"cannot be read: {e.strerror or type(e).__name__}") from None
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise ScanError(shown, f"is larger than {max_bytes} bytes; not scanned", None, _SIZE_CAP)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ScanError(shown, "is not UTF-8 text", data.count(b"\n", 0, e.start) + 1) from None
    # Universal newlines, as Path.read_text gives them: every reader counts lines alike.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _key_bytes(text: str) -> bytes:
    # surrogatepass: a literal such as "\ud800" is judged as it is written, not a crash.
    return text.encode("utf-8", "surrogatepass")


def _line_in(message: str) -> int | None:
    match = re.search(r"\bline (\d{1,9})\b", message)
    return int(match.group(1)) if match else None


# Python -------------------------------------------------------------------------------------


def _scan_python(path: str, text: str) -> list[Assignment]:
    try:
        with warnings.catch_warnings():
            # A warning (an invalid escape sequence…) would print the offending source line.
            warnings.simplefilter("ignore")
            tree = ast.parse(text, filename=path)
    except SyntaxError as e:
        raise ScanError(path, "is not valid Python", e.lineno) from None
    except (ValueError, OverflowError):
        raise ScanError(path, "is not valid Python") from None
    except (RecursionError, MemoryError):
        raise ScanError(path, "has expressions nested too deeply for Python's parser") from None
    found = []
    for node in ast.walk(tree):
        # (name, line of the name, value): the line is the assignment's, not the value's.
        pairs: list[tuple[str | None, int, ast.expr]] = []
        if isinstance(node, ast.Assign):
            pairs = [(_target_name(t), t.lineno, node.value) for t in node.targets]
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            pairs = [(_target_name(node.target), node.target.lineno, node.value)]
        elif isinstance(node, ast.Call):
            pairs = [(kw.arg, kw.lineno, kw.value) for kw in node.keywords]
        elif isinstance(node, ast.Dict):
            pairs = [
                (k.value, k.lineno, v)
                for k, v in zip(node.keys, node.values, strict=True)
                if isinstance(k, ast.Constant) and isinstance(k.value, str)
            ]
        for key_name, line, value in pairs:
            if key_name and is_key_name(key_name):
                for literal, fallback in _literals(value):
                    found.append(Assignment(path, line, key_name, literal, fallback))
    return found


def _target_name(target: ast.expr) -> str | None:
    if isinstance(target, ast.Name):
        return target.id
    if isinstance(target, ast.Attribute):
        return target.attr
    if isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant):
        value = target.slice.value
        return value if isinstance(value, str) else None
    return None


def _literals(value: ast.expr) -> Iterator[tuple[bytes, bool]]:
    """String literals a key expression can evaluate to, never evaluating anything."""
    # A stack, not recursion: `"a" if x else "b" if y else …` can nest thousands deep.
    stack: list[tuple[ast.expr, bool]] = [(value, False)]
    while stack:
        node, fallback = stack.pop()
        children: list[tuple[ast.expr, bool]] = []
        if isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
            raw = node.value
            yield (_key_bytes(raw) if isinstance(raw, str) else raw), fallback
        elif isinstance(node, (ast.List, ast.Tuple)):
            children = [(item, fallback) for item in node.elts]
        elif isinstance(node, ast.BoolOp):
            # os.environ.get("SECRET_KEY") or "dev": the literal is the fallback.
            children = [(item, True) for item in node.values]
        elif isinstance(node, ast.IfExp):
            children = [(node.body, True), (node.orelse, True)]
        elif isinstance(node, ast.Call) and _is_env_lookup(node.func):
            defaults = node.args[1:2] + [kw.value for kw in node.keywords if kw.arg == "default"]
            children = [(default, True) for default in defaults]
        stack.extend(reversed(children))


def _is_env_lookup(func: ast.expr) -> bool:
    return (isinstance(func, ast.Attribute) and func.attr in ("get", "getenv")) or (
        isinstance(func, ast.Name) and func.id in ("getenv", "env")
    )


# .env ---------------------------------------------------------------------------------------

# The statement grammar is python-dotenv's (cookietool.dotenv_grammar); values are what
# dotenv_values(..., interpolate=False) reads: nothing is taken from the environment.
_ENV_COMMENT = re.compile(r"(?:[^\S\r\n]*#[^\r\n]*)?")
_ENV_END = re.compile(r"[^\S\r\n]*(?:\r\n|\n|\r|$)")
_ENV_REST = re.compile(r"[^\r\n]*(?:\r|\n|\r\n)?")
_ENV_SINGLE_ESCAPES = re.compile(r"\\[\\']")
_ENV_DOUBLE_ESCAPES = re.compile(r"\\[\\'\"abfnrtv]")
_ENV_UNESCAPE = dict(zip("\\'\"abfnrtv", "\\'\"\a\b\f\n\r\t\v", strict=True))
#: ${NAME} and ${NAME:-default}, which python-dotenv fills in from the environment.
_ENV_REFERENCE = re.compile(r"\$\{[^}:]*(?::-(?P<default>[^}]*))?\}")


class _EnvSyntax(Exception):
    def __init__(self, pos: int) -> None:
        super().__init__(pos)
        self.pos = pos


def _env_match(pattern: re.Pattern[str], text: str, pos: int) -> re.Match[str]:
    match = pattern.match(text, pos)
    if match is None:
        raise _EnvSyntax(pos)
    return match


def _dotenv_bindings(text: str) -> Iterator[tuple[str, str | None, int]]:
    """(name, value, line) of each variable python-dotenv reads, skipping what it skips."""
    pos, line, counted = 0, 1, 0
    while pos < len(text):
        pos = _env_match(dotenv_grammar.LEADING, text, pos).end()
        if pos == len(text):
            return
        line += text.count("\n", counted, pos)
        counted = pos
        try:
            name, value, pos = _dotenv_binding(text, pos)
        except _EnvSyntax as e:
            # As python-dotenv does: the rest of the line where it failed is dropped.
            pos = _env_match(_ENV_REST, text, e.pos).end()
            continue
        if name is not None:
            yield name, value, line


def _dotenv_binding(text: str, pos: int) -> tuple[str | None, str | None, int]:
    pos = _env_match(dotenv_grammar.EXPORT, text, pos).end()
    name = None
    if not text.startswith("#", pos):
        quoted = text.startswith("'", pos)
        key = _env_match(dotenv_grammar.QUOTED_KEY if quoted else dotenv_grammar.KEY, text, pos)
        name = key.group(1) if quoted else key.group()
        pos = key.end()
    pos = _env_match(dotenv_grammar.SPACE, text, pos).end()
    value = None
    if text.startswith("=", pos):
        equal = _env_match(dotenv_grammar.EQUAL, text, pos)
        pos = equal.end()
        if len(equal.group()) > 1 and text.startswith("#", pos):
            value = ""  # `NAME= # comment`
        else:
            value, pos = _dotenv_value(text, pos)
    pos = _env_match(_ENV_COMMENT, text, pos).end()
    pos = _env_match(_ENV_END, text, pos).end()
    return name, value, pos


def _dotenv_value(text: str, pos: int) -> tuple[str, int]:
    first = text[pos : pos + 1]
    if first in ("'", '"'):
        single = first == "'"
        quoted = _env_match(
            dotenv_grammar.SINGLE_QUOTED if single else dotenv_grammar.DOUBLE_QUOTED, text, pos
        )
        escapes = _ENV_SINGLE_ESCAPES if single else _ENV_DOUBLE_ESCAPES
        value = escapes.sub(lambda m: _ENV_UNESCAPE[m.group()[1]], quoted.group(1))
        return value, quoted.end()
    if first in ("", "\n", "\r"):
        return "", pos
    part = _env_match(dotenv_grammar.REST_OF_LINE, text, pos)
    comment = dotenv_grammar.INLINE_COMMENT.search(part.group())
    value = part.group()[: comment.start()] if comment else part.group()
    return value.rstrip(), part.end()


def _json_keys(value: str) -> list[str]:
    """The keys of a JSON list of strings, or the value itself when it is not one."""
    import json

    try:
        loaded = json.loads(value)
    except (ValueError, RecursionError):
        return [value]
    if isinstance(loaded, list) and all(isinstance(key, str) for key in loaded):
        return [key for key in loaded if key]
    return [value]


def _scan_dotenv(path: str, text: str) -> list[Assignment]:
    found = []
    for name, value, line in _dotenv_bindings(text):
        if not value or not is_key_name(name):
            continue
        reference = _ENV_REFERENCE.fullmatch(value)
        if reference is None and name.upper().endswith("_FALLBACKS"):
            # Flask's from_prefixed_env reads a JSON list here (as genkey --rotate writes
            # it): each key of it is judged, as check-key --dotenv judges them.
            found += [
                Assignment(path, line, name, _key_bytes(key), True) for key in _json_keys(value)
            ]
        elif reference is None:
            found.append(Assignment(path, line, name, _key_bytes(value), False))
        elif reference.group("default"):
            # ${SECRET_KEY:-dev}: the default is used whenever the variable is unset.
            found.append(Assignment(path, line, name, _key_bytes(reference["default"]), True))
    return found


# TOML ---------------------------------------------------------------------------------------

# Enough of TOML's lexical structure to check limits before tomllib runs (it recurses per
# level of nesting, and its time and memory grow with the square of a dotted key's length),
# and to find the line of each `name =`, which tomllib does not report.
_TOML_TOKEN = re.compile(
    r"""(?P<quote>\"\"\"|'''|"|')|(?P<comment>\#[^\n]*)|(?P<open>[\[{])|(?P<close>[\]}])"""
    r"""|(?P<bare>[A-Za-z0-9_-]+(?:[ \t]*\.[ \t]*[A-Za-z0-9_-]+)*)"""
    r"""|(?P<dot>\.)|(?P<equal>=)|(?P<space>\s+)|(?P<plain>[^"'\#\[\]{}.=\s]+)"""
)
_TOML_STRING_END = {
    '"""': re.compile(r'(?:[^"\\]|\\.|"(?!""))*"""', re.DOTALL),
    "'''": re.compile(r"(?:[^']|'(?!''))*'''"),
    '"': re.compile(r'(?:[^"\\\n]|\\.)*"'),
    "'": re.compile(r"[^'\n]*'"),
}


def _toml_key_lines(text: str) -> list[tuple[str, int, str | None]]:
    """(name, line, first string after `=`) of each `name =` where name is a key name.

    Raises _Refused past MAX_NESTING brackets or MAX_TOML_KEY_PARTS dotted parts.
    """
    found: list[tuple[str, int, str | None]] = []
    pos = depth = parts = counted = 0
    line = 1
    last_key: str | None = None  # the key part just read, if any
    waiting: int | None = None  # index in found of a `name =` whose value is not read yet

    def line_at(at: int) -> int:
        nonlocal line, counted
        line += text.count("\n", counted, at)
        counted = at
        return line

    while pos < len(text):
        token = _TOML_TOKEN.match(text, pos)
        if token is None:  # cannot happen: the groups cover every character
            break
        kind, pos = token.lastgroup, token.end()
        if kind == "quote":
            quote = token.group()
            close = _TOML_STRING_END[quote].match(text, pos)
            if close is None:
                break  # an unterminated string: tomllib reports it
            body = text[pos : close.end() - len(quote)]
            pos = close.end()
            plain = len(quote) == 1 and (quote == "'" or "\\" not in body)
            last_key = body if plain else None
            if waiting is not None:
                name, at, _ = found[waiting]
                found[waiting] = (name, at, last_key)
                waiting = None
        elif kind in ("bare", "dot"):
            # A dotted key, a float (1.5), or a dot before a quoted part: a."b".
            word = token.group()
            parts += word.count(".")
            if parts >= MAX_TOML_KEY_PARTS:
                raise _Refused(
                    f"has a TOML key of more than {MAX_TOML_KEY_PARTS} dotted parts",
                    line_at(token.start()),
                )
            last_key = word.rsplit(".", 1)[-1].strip() or None
            waiting = None
        elif kind == "equal":
            if last_key is not None and is_key_name(last_key):
                found.append((last_key, line_at(token.start()), None))
                waiting = len(found) - 1
            last_key, parts = None, 0
        elif kind == "open":
            depth += 1
            if depth > MAX_NESTING:
                raise _Refused(
                    f"nests TOML arrays and tables deeper than {MAX_NESTING} levels",
                    line_at(token.start()),
                )
            last_key, parts = None, 0
        elif kind == "close":
            depth = max(depth - 1, 0)
            last_key, parts, waiting = None, 0, None
        elif kind == "plain":
            last_key, parts, waiting = None, 0, None
        elif kind == "space" and "\n" in token.group():
            parts = 0
    return found


def _scan_toml(path: str, text: str) -> list[Assignment]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib

    lines = _toml_key_lines(text)
    try:
        data = tomllib.loads(text)
    except ValueError as e:
        # TOMLDecodeError, or an integer past Python's digit limit. Its text is not shown:
        # some messages quote a character of the file.
        raise ScanError(path, "is not valid TOML", _line_in(str(e))) from None
    except (RecursionError, MemoryError):
        raise ScanError(path, "nests TOML too deeply to read") from None
    lines_of = _LineFinder(lines)
    found = []
    stack: list[Any] = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if is_key_name(key):
                    values = value if isinstance(value, list) else [value]
                    strings = [v for v in values if isinstance(v, str) and v]
                    if strings:
                        line = lines_of.take(key, strings[0])
                        found += [
                            Assignment(path, line, key, _key_bytes(s), False) for s in strings
                        ]
            children = list(item.values())
        elif isinstance(item, list):
            children = item
        else:
            continue
        stack.extend(reversed([c for c in children if isinstance(c, (dict, list))]))
    return found


class _LineFinder:
    """Matches keys read by a parser to the `name =` lines found in the text, in linear time.

    The first free line whose first string is the value read wins, else the first free line.
    """

    def __init__(self, lines: list[tuple[str, int, str | None]]) -> None:
        self.lines = lines
        self.taken: set[int] = set()
        self.first: dict[str, int] = {}
        self.by_value: dict[tuple[str, str], deque[int]] = {}
        self.by_name: dict[str, deque[int]] = {}
        for index, (name, line, value) in enumerate(lines):
            self.first.setdefault(name, line)
            self.by_name.setdefault(name, deque()).append(index)
            if value is not None:
                self.by_value.setdefault((name, value), deque()).append(index)

    def take(self, name: str, value: str) -> int:
        """The line of ``name``'s assignment to ``value``; 1 when no line names it."""
        for queue in (self.by_value.get((name, value)), self.by_name.get(name)):
            while queue:
                index = queue.popleft()
                if index not in self.taken:
                    self.taken.add(index)
                    return self.lines[index][1]
        return self.first.get(name, 1)


# YAML ---------------------------------------------------------------------------------------

_YAML_STR = "tag:yaml.org,2002:str"
_YAML_BINARY = "tag:yaml.org,2002:binary"


class _NodeReader(Protocol):
    def check_node(self) -> bool: ...
    def get_node(self) -> Any: ...
    def dispose(self) -> None: ...


@functools.cache
def _yaml_reader() -> Callable[[str], _NodeReader]:
    """A SafeLoader (libyaml's when installed) that builds nodes only, within limits.

    Nodes, not Python objects: no timestamp, integer or other value is constructed, and an
    alias stays one shared node instead of a copy. Refused: an alias inside the node it names,
    aliases that would expand a document past MAX_YAML_NODES, nesting past MAX_NESTING.
    """
    import yaml
    from yaml.composer import Composer
    from yaml.events import AliasEvent, Event
    from yaml.nodes import MappingNode, Node, SequenceNode

    class Limited(Composer):
        # From the parser each loader below mixes in: yaml's Parser or libyaml's CParser.
        peek_event: Callable[[], Event]
        depth: int
        #: id of each node composed in this document -> nodes it stands for, aliases expanded.
        sizes: dict[int, int]

        def compose_document(self) -> Node | None:
            # libyaml's loader never runs Composer.__init__; every document starts afresh.
            self.anchors = {}
            self.depth = 0
            self.sizes = {}
            return super().compose_document()

        def compose_node(self, parent: Node | None, index: int) -> Node | None:
            event = self.peek_event()
            line = event.start_mark.line + 1 if event.start_mark is not None else None
            if isinstance(event, AliasEvent):
                target = self.anchors.get(event.anchor)
                if target is not None and id(target) not in self.sizes:
                    raise _Refused("has a YAML alias inside the node it names", line)
                return super().compose_node(parent, index)
            if self.depth >= MAX_NESTING:
                raise _Refused(f"nests YAML deeper than {MAX_NESTING} levels", line)
            self.depth += 1
            try:
                node = super().compose_node(parent, index)
            finally:
                self.depth -= 1
            size = 1
            if isinstance(node, SequenceNode):
                size += sum(self.sizes[id(item)] for item in node.value)
            elif isinstance(node, MappingNode):
                size += sum(self.sizes[id(k)] + self.sizes[id(v)] for k, v in node.value)
            if size > MAX_YAML_NODES:
                raise _Refused(
                    f"has YAML aliases that expand to more than {MAX_YAML_NODES} nodes", line
                )
            self.sizes[id(node)] = size
            return node

    class PythonLoader(Limited, yaml.SafeLoader):
        pass

    if not yaml.__with_libyaml__:
        return PythonLoader

    class LibyamlLoader(Limited, yaml.CSafeLoader):
        def __init__(self, stream: str) -> None:
            # Composer, before CParser in this class's bases, has an __init__ without a stream.
            yaml.CSafeLoader.__init__(self, stream)

    return LibyamlLoader


def _scan_yaml(path: str, text: str) -> list[Assignment]:
    import yaml
    from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

    documents: list[Node] = []
    reader = None
    try:
        # PyYAML's own reader checks every character as it is made: inside the try.
        reader = _yaml_reader()(text)
        while reader.check_node():
            documents.append(reader.get_node())
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        raise ScanError(path, "is not valid YAML", mark.line + 1 if mark else None) from None
    except yaml.YAMLError:
        # ReaderError (a character YAML does not allow) has an offset, in bytes for libyaml.
        raise ScanError(path, "is not valid YAML") from None
    finally:
        if reader is not None:
            reader.dispose()
    found = []
    seen: set[int] = set()
    stack = documents[::-1]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue  # an alias: the node it names is read once, where it is written
        seen.add(id(node))
        if isinstance(node, MappingNode):
            for key, value in node.value:
                if isinstance(key, ScalarNode) and key.tag == _YAML_STR and is_key_name(key.value):
                    items = value.value if isinstance(value, SequenceNode) else [value]
                    for item in items:
                        raw = _yaml_bytes(item)
                        if raw:
                            line = key.start_mark.line + 1
                            found.append(Assignment(path, line, key.value, raw, False))
            children = [n for pair in node.value for n in pair]
        elif isinstance(node, SequenceNode):
            children = node.value
        else:
            continue
        stack.extend(reversed([c for c in children if not isinstance(c, ScalarNode)]))
    return found


def _yaml_bytes(node: Any) -> bytes | None:
    """A string or !!binary scalar as bytes; None for anything else (numbers, dates…)."""
    from yaml.nodes import ScalarNode

    if not isinstance(node, ScalarNode):
        return None
    if node.tag == _YAML_STR:
        return _key_bytes(node.value)
    if node.tag == _YAML_BINARY:
        try:
            return binascii.a2b_base64(node.value.encode("ascii"))
        except (UnicodeEncodeError, binascii.Error):
            return None
    return None


# INI ----------------------------------------------------------------------------------------

# configparser's option pattern, `(?P<option>.*?)\s*(?P<vi>=|:)\s*(?P<value>.*)$`, takes
# quadratic time on a long run of spaces; this one reads the same lines in linear time.
_INI_OPTION = re.compile(r"(?P<option>[^=:\s]*(?:\s+[^=:\s]+)*)\s*(?P<vi>[=:])\s*(?P<value>.*)$")


def _scan_ini(path: str, text: str) -> list[Assignment]:
    import configparser

    class Parser(configparser.ConfigParser):
        OPTCRE = _INI_OPTION

    parser = Parser(interpolation=None)
    try:
        parser.read_string(text, source=path)
    except configparser.Error as e:
        # MissingSectionHeaderError has a lineno and, before Python 3.12, no errors list.
        errors = getattr(e, "errors", None)
        line = errors[0][0] if errors else getattr(e, "lineno", None)
        raise ScanError(path, "is not a valid INI file", line) from None
    lines = _ini_option_lines(text, parser)
    defaults = parser.defaults()
    found = []
    for section in [parser.default_section, *parser.sections()]:
        if section == parser.default_section:
            items = list(defaults.items())
        else:
            # items() repeats every DEFAULT option in every section: those are read once above.
            items = [
                (option, value)
                for option, value in parser.items(section, raw=True)
                if defaults.get(option) != value
            ]
        for option, value in items:
            if value and is_key_name(option):
                line = lines.get((section, option), 1)
                found.append(Assignment(path, line, option, _key_bytes(value), False))
    return found


def _ini_option_lines(text: str, parser: configparser.ConfigParser) -> dict[tuple[str, str], int]:
    """The line of each (section, option), following configparser's reading of lines."""
    lines: dict[tuple[str, str], int] = {}
    section: str | None = None
    option: str | None = None
    indent_level = 0
    for number, raw in enumerate(text.split("\n"), start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith(("#", ";")):
            continue
        indent = len(raw) - len(raw.lstrip())
        if section is not None and option is not None and indent > indent_level:
            continue  # a continuation line of a value
        indent_level = indent
        header = parser.SECTCRE.match(stripped)
        if header is not None:
            section, option = header.group("header"), None
            continue
        match = _INI_OPTION.match(stripped)
        if section is not None and match is not None:
            option = parser.optionxform(match.group("option").rstrip())
            lines.setdefault((section, option), number)
    return lines
