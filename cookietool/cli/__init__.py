"""The ``cookietool`` command line: parse options, call the core, render the result.

One module a command (``decode``, ``sign``, ``size_check``, ``audit``, ``check_key``,
``genkey``), sharing option bundles (``options``), the exit codes and their one place of
mapping (``base`` and :class:`CookietoolGroup` here), and the renderers of the core.
"""

from __future__ import annotations

import os
import sys
from typing import Any, ClassVar

import click

from cookietool import __version__
from cookietool.caps import DESCRIPTIONS as CAP_DESCRIPTIONS
from cookietool.cli.base import (
    _OUTPUT_ERRNOS,
    DEBUG_ENV,
    Command,
    ExitCode,
    InputProblem,
    OutputFailed,
    PipeClosed,
    _error_line,
    _quiet_stdout,
)
from cookietool.errors import CookietoolError

__all__ = ["DEBUG_ENV", "CookietoolGroup", "ExitCode", "cli", "main"]


class CommandsGroup(click.Group):
    """cookietool's commands, loaded lazily, and the one mapping of results and errors.

    Both ``cookietool`` and ``flask cookie`` are such groups.
    """

    command_class = Command
    #: Each command is a module of its own, imported only when it runs or help lists it
    #: (Click's documented pattern for lazily loaded subcommands), so decode starts fast.
    lazy_commands: ClassVar[dict[str, str]] = {
        "decode": "cookietool.cli.decode",
        "sign": "cookietool.cli.sign",
        "size-check": "cookietool.cli.size_check",
        "audit": "cookietool.cli.audit",
        "check-key": "cookietool.cli.check_key",
        "genkey": "cookietool.cli.genkey",
    }

    #: What ``--help`` lists for each command at Click's widest help (78 columns: a limit
    #: of 62 characters), so that listing them imports none of them; tests/test_cli.py
    #: holds each equal to the command's own short help. Other widths import them.
    lazy_summaries: ClassVar[dict[str, str]] = {
        "audit": "Find a session cookie's secret key among known and listed...",
        "check-key": "Judge a secret key without a cookie: length, entropy, known...",
        "decode": "Show what is inside a session cookie, when it was signed,...",
        "genkey": "Make strong random secret keys with Python's secrets module.",
        "sign": "Sign a session as Flask would: a cookie a real Flask app...",
        "size-check": "Check cookie sizes against browser, Werkzeug and server...",
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The commands and their summaries, the lazy ones without importing them."""
        names = self.list_commands(ctx)
        # Click's own limit: the width less the longest name and the spacing.
        limit = formatter.width - 6 - max((len(name) for name in names), default=0)
        rows = []
        for name in names:
            if name in self.lazy_summaries and name not in self.commands and limit == 62:
                rows.append((name, self.lazy_summaries[name]))
                continue
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy_commands and cmd_name not in self.commands:
            import importlib

            module = importlib.import_module(self.lazy_commands[cmd_name])
            self.add_command(module.command, cmd_name)
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            code = super().invoke(ctx)
        except CookietoolError as e:
            hint = f" (raise the cap with --cap {e.cap}=N)" if e.cap else ""
            raise InputProblem(f"{e}{hint}") from e
        except BrokenPipeError as e:
            raise PipeClosed() from e
        except OSError as e:
            # The core turns errors reading input into input errors; what reaches here
            # from writing the output is reported as such (Click would exit 1 on some).
            if e.errno in _OUTPUT_ERRNOS:
                raise OutputFailed(e.strerror or type(e).__name__) from e
            raise
        if isinstance(code, ExitCode) and code != ExitCode.OK:
            ctx.exit(code)
        return code


class CookietoolGroup(CommandsGroup):
    """The ``cookietool`` command: its one exit path makes every outcome a documented code."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """Run a command and exit with the code of the contract, whatever happened."""
        kwargs["standalone_mode"] = False
        if sys.stdin is None:
            # Started with standard input closed (<&-): it reads as empty, and every
            # command that needed it says so as bad input.
            sys.stdin = open(os.devnull)  # noqa: SIM115 (lives as long as the process)
        if sys.stdout is None:
            _error_line("standard output is closed")
            sys.exit(ExitCode.OUTPUT_FAILED)
        try:
            code = super().main(*args, **kwargs)
            sys.stdout.flush()
        except click.UsageError as e:
            hint = ""
            if e.ctx is not None:
                hint = f" (see '{e.ctx.command_path} --help')"
            _error_line(f"{e.format_message()}{hint}")
            code = ExitCode.USAGE
        except click.ClickException as e:
            _error_line(e.format_message())
            code = e.exit_code
        except (click.Abort, KeyboardInterrupt):
            _error_line("interrupted")
            code = ExitCode.INTERRUPTED
        except (BrokenPipeError, PipeClosed):
            _quiet_stdout()
            code = ExitCode.BROKEN_PIPE
        except OutputFailed as e:
            _quiet_stdout()
            _error_line(f"cannot write the output: {e}")
            code = ExitCode.OUTPUT_FAILED
        except Exception as e:
            if os.environ.get(DEBUG_ENV) == "1":
                import traceback

                traceback.print_exc()
            _error_line(
                f"internal error ({type(e).__name__}): this is a bug in cookietool; "
                f"set {DEBUG_ENV}=1 to see the traceback"
            )
            code = ExitCode.INTERNAL
        sys.exit(int(code) if isinstance(code, int) else ExitCode.OK)


@click.group(cls=CookietoolGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cookietool")
@click.option(
    "--color/--no-color",
    default=None,
    help="Force colours on or off (default: on a terminal, unless NO_COLOR is set).",
)
@click.option(
    "--cap",
    "cap_specs",
    multiple=True,
    metavar="NAME=N",
    help="Raise or lower a cap on untrusted input (repeatable). NAME is one of "
    + ", ".join(CAP_DESCRIPTIONS)
    + "; the README gives their defaults and what each bounds.",
)
@click.pass_context
def cli(ctx: click.Context, color: bool | None, cap_specs: tuple[str, ...]) -> None:
    """Decode, verify and sign Flask session cookies; check cookie sizes; make keys.

    Exit codes: 0 success, 1 a check failed (bad signature, expired, a size limit, a
    weak key), 2 usage error or unreadable input, 70 internal error, 74 output not
    written, 130 interrupted, 141 output pipe closed.
    """
    from cookietool import caps
    from cookietool.cli.options import CAPS_META, COLOR_META

    ctx.meta[COLOR_META] = color
    ctx.meta[CAPS_META] = caps.parse(cap_specs)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="cookietool")
