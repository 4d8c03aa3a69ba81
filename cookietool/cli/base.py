"""What every command shares: the exit codes, the errors they map, the Command class."""

from __future__ import annotations

import errno
import os
import sys
from enum import IntEnum
from typing import Any

import click


class ExitCode(IntEnum):
    """Exit codes of every command (documented in the README)."""

    OK = 0
    CHECK_FAILED = 1
    USAGE = 2
    INTERNAL = 70  # EX_SOFTWARE in BSD's sysexits.h
    OUTPUT_FAILED = 74  # EX_IOERR: output could not be written (disk full, stdout closed)
    INTERRUPTED = 130  # 128 + SIGINT, what a shell reports for Ctrl-C
    BROKEN_PIPE = 141  # 128 + SIGPIPE: the reader closed the pipe


#: Set to 1 to see the traceback of an internal error.
DEBUG_ENV = "COOKIETOOL_DEBUG"


class InputProblem(click.ClickException):
    """A core error shown as one ``Error:`` line on stderr."""

    exit_code = ExitCode.USAGE


def _error_line(message: str) -> None:
    """The one line every refusal prints: untrusted text in it is escaped."""
    from cookietool.escape import for_humans

    click.echo(f"Error: {for_humans(message)}", err=True)


def _quiet_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


class Command(click.Command):
    """A command that remembers the order of its options and reads standard input once.

    Click gathers each repeated option into its own tuple, so ``--key A --key-env B``
    would lose which came first; its parser does record every occurrence in order,
    which this keeps in ``ctx.meta`` for the key options. And '-' (standard input) may
    be given to one parameter only, whichever command it is.
    """

    def make_parser(self, ctx: click.Context) -> Any:
        parser = super().make_parser(ctx)
        parse = parser.parse_args

        def parse_args(args: list[str]) -> Any:
            opts, largs, order = parse(args=args)
            ctx.meta[ORDER_META] = [param.name for param in order]
            return opts, largs, order

        setattr(parser, "parse_args", parse_args)  # noqa: B010 (mypy forbids assigning a method)
        return parser

    def invoke(self, ctx: click.Context) -> Any:
        readers = []
        total = 0
        for param in self.params:
            value = ctx.params.get(param.name or "")
            if param.name not in STDIN_PARAMS or value is None:
                continue
            count = value.count("-") if isinstance(value, tuple) else int(value == "-")
            if count:
                total += count
                if isinstance(param, click.Option):
                    shown = param.opts[0]
                else:  # an argument, by its metavar's first word (INPUT for [INPUT]...)
                    shown = (param.metavar or param.name or "").split()[0].strip("[].").upper()
                readers.append(shown if count == 1 else f"{shown} ({count} times)")
        if total > 1:
            raise click.UsageError(
                f"standard input can be read only once; '-' is given for {', '.join(readers)}"
            )
        return super().invoke(ctx)


#: Parameters whose value '-' means standard input.
STDIN_PARAMS = frozenset(
    {
        "cookie",
        "cookies",
        "payload",
        "inputs",
        "har_file",
        "key_files",
        "key_file",
        "key_texts",
        "wordlist_paths",
        "targets",
    }
)
ORDER_META = "cookietool.option_order"


class PipeClosed(Exception):
    """Standard output's reader went away; Click would turn this into exit code 1."""


class OutputFailed(Exception):
    """Writing the output failed (a full disk, a closed stream)."""


#: What failing to write standard output looks like: a full disk or quota, a file too
#: large, an I/O error, a closed descriptor.
_OUTPUT_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EBADF})
