"""Reading a whole input file, or standard input, within a cap."""

from __future__ import annotations

import sys

from cookietool.errors import CapError, InputError


def read_limited(
    path: str, limit: int, label: str, cap: str, *, secret_path: bool = False
) -> bytes:
    """The bytes of ``path`` ('-': standard input), refused past ``limit`` bytes.

    No more than ``limit + 1`` bytes are ever read, so a file that never ends
    (``/dev/zero``) costs nothing. ``label`` names the input in messages; with
    ``secret_path`` a missing file's path is not repeated, in case a key was typed where
    its path belongs.
    """
    try:
        if path == "-":
            data = sys.stdin.buffer.read(limit + 1)
        else:
            with open(path, "rb") as handle:
                data = handle.read(limit + 1)
    except FileNotFoundError as e:
        if secret_path:
            raise InputError(
                f"cannot read {label.split(' ', 1)[0]}: no such file (the path is not "
                "repeated, in case a key was given where a path belongs)"
            ) from e
        raise InputError(f"cannot read {label}: no such file") from e
    except OSError as e:
        raise InputError(f"cannot read {label}: {e.strerror or e}") from e
    if len(data) > limit:
        raise CapError(f"{label} is over {limit} bytes; refused", cap)
    return data
