"""``cookietool genkey``: strong secret keys, printed, written into a .env file or rotated."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from cookietool.cli.base import Command, ExitCode
from cookietool.cli.options import json_option
from cookietool.defaults import ENV_VAR as DEFAULT_ENV_VAR
from cookietool.defaults import KEY_BYTES as DEFAULT_KEY_BYTES

if TYPE_CHECKING:
    from cookietool.keys import Rotation


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
@click.option(
    "--rotate",
    is_flag=True,
    help="With --dotenv: replace the key and keep the old one, newest last, in the JSON list "
    "VAR_FALLBACKS (Flask's SECRET_KEY_FALLBACKS), so the cookies it signed stay valid.",
)
@click.option(
    "--keep",
    type=click.IntRange(min=0),
    metavar="N",
    help="With --rotate: old keys to keep in VAR_FALLBACKS, oldest dropped first; 0 drops "
    "them all (default 3).",
)
@json_option
def command(
    nbytes: int,
    fmt: str,
    count: int,
    var: str,
    dotenv_path: str | None,
    force: bool,
    rotate: bool,
    keep: int | None,
    as_json: bool,
) -> ExitCode:
    """Make strong random secret keys with Python's secrets module."""
    from pathlib import Path

    from cookietool import keys, render
    from cookietool.escape import for_humans

    if rotate and dotenv_path is None:
        raise click.UsageError("--rotate changes a .env file; add --dotenv FILE")
    if keep is not None and not rotate:
        raise click.UsageError("--keep says how many old keys --rotate keeps; add --rotate")
    if rotate and force:
        # Rotation never loses a key, so there is nothing to force; refusing the pair keeps
        # anyone from reading it as "rotate, and throw the old key away".
        raise click.UsageError("--rotate keeps the old key, so --force has no use; drop it")
    if dotenv_path is not None:
        if count != 1:
            raise click.UsageError("--dotenv writes one key; drop --count")
        if rotate:
            rotation = keys.rotate_dotenv(
                Path(dotenv_path),
                var,
                keys.generate(nbytes, "hex"),
                keys.KEEP_FALLBACKS if keep is None else keep,
            )
            if as_json:
                doc = render.document(
                    "genkey",
                    dotenv=dotenv_path,
                    var=var,
                    fallbacks_var=rotation.fallbacks_var,
                    rotated=rotation.rotated,
                    fallbacks=rotation.fallbacks,
                    dropped=rotation.dropped,
                )
                click.echo(render.dump_json(doc))
            else:
                click.echo(_rotation_line(rotation, for_humans(dotenv_path), nbytes), err=True)
            return ExitCode.OK
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


def _rotation_line(rotation: Rotation, where: str, nbytes: int) -> str:
    """What --rotate did, in words; it names variables and counts, never a key."""
    var, fallbacks_var = rotation.var, rotation.fallbacks_var
    if not rotation.rotated:
        return (
            f"wrote {var} in {where} ({nbytes} random bytes, hex): it had no key to rotate, "
            f"so {fallbacks_var} is unchanged"
        )
    head = f"rotated {var} in {where}"
    dropped = f" ({rotation.dropped} dropped)" if rotation.dropped else ""
    if rotation.fallbacks == 0:
        return (
            f"{head}: {fallbacks_var} is now empty "
            f"({rotation.dropped} dropped, the old key included)"
        )
    if rotation.fallbacks == 1:
        return f"{head}: the old key is now the only one in {fallbacks_var}{dropped}"
    return (
        f"{head}: the old key is now the newest of {rotation.fallbacks} in {fallbacks_var}{dropped}"
    )
