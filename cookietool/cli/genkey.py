"""``cookietool genkey``: strong secret keys, printed or written into a .env file."""

from __future__ import annotations

import click

from cookietool.cli.base import Command, ExitCode
from cookietool.cli.options import json_option
from cookietool.defaults import ENV_VAR as DEFAULT_ENV_VAR
from cookietool.defaults import KEY_BYTES as DEFAULT_KEY_BYTES


@click.command("genkey", cls=Command)
@click.option(
    "--bytes",
    "nbytes",
    type=int,
    default=DEFAULT_KEY_BYTES,
    show_default=True,
    help="Random bytes per key (at least 16).",
)
@click.option(
    "--encoding",
    "--format",
    "fmt",
    type=click.Choice(["hex", "urlsafe", "base64", "env"]),
    default="hex",
    show_default=True,
    help="hex, base64url, base64, or an env line VAR=hex (--format is the older spelling).",
)
@click.option(
    "--count",
    type=click.IntRange(1, 100_000),
    default=1,
    show_default=True,
    help="How many keys (at most 100000).",
)
@click.option(
    "--var",
    default=DEFAULT_ENV_VAR,
    show_default=True,
    help="Variable name for --format env and --dotenv (Flask's from_prefixed_env reads "
    "FLASK_SECRET_KEY).",
)
@click.option(
    "--dotenv",
    "dotenv_path",
    type=click.Path(dir_okay=False, writable=True),
    help="Write the key into this .env file instead of printing it.",
)
@click.option("--force", is_flag=True, help="With --dotenv: replace a key the file already has.")
@json_option
def command(
    nbytes: int,
    fmt: str,
    count: int,
    var: str,
    dotenv_path: str | None,
    force: bool,
    as_json: bool,
) -> ExitCode:
    """Make strong random secret keys with Python's secrets module."""
    from pathlib import Path

    from cookietool import keys, render
    from cookietool.escape import for_humans

    if dotenv_path is not None:
        if count != 1:
            raise click.UsageError("--dotenv writes one key; drop --count")
        replaced = keys.write_dotenv(Path(dotenv_path), var, keys.generate(nbytes, "hex"), force)
        verb = "replaced" if replaced else "wrote"
        if as_json:
            doc = render.document("genkey", dotenv=dotenv_path, var=var, replaced=replaced)
            click.echo(render.dump_json(doc))
        else:
            where = for_humans(dotenv_path)
            click.echo(f"{verb} {var} in {where} ({nbytes} random bytes, hex)", err=True)
        return ExitCode.OK
    made = [keys.generate(nbytes, fmt, var) for _ in range(count)]
    if as_json:
        click.echo(render.dump_json(render.document("genkey", format=fmt, bytes=nbytes, keys=made)))
    else:
        for key in made:  # one write a key: a reader that stops early ends the run (141)
            click.echo(key)
    return ExitCode.OK
