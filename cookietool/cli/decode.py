"""``cookietool decode``: what is inside a session cookie, and whether it verifies."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from cookietool.cli.base import Command, ExitCode
from cookietool.cli.options import (
    app_options,
    current_caps,
    json_option,
    read_stdin,
    stdout_console,
)

if TYPE_CHECKING:
    from cookietool.appsettings import AppSettings


@click.command("decode", cls=Command)
@click.argument("cookie")
@app_options()
@click.option(
    "--max-age",
    type=click.IntRange(min=0),
    metavar="SECONDS",
    help="Check expiry as Flask does with PERMANENT_SESSION_LIFETIME (31 days: 2678400).",
)
@click.option(
    "--epoch",
    type=click.Choice(["auto", "unix", "legacy"]),
    default="auto",
    show_default=True,
    help="Timestamp epoch: 'legacy' is itsdangerous < 1.0's 2011-01-01; 'auto' detects it.",
)
@click.option(
    "--inflate-limit",
    type=click.IntRange(1, 1 << 30),
    metavar="BYTES",
    help="Refuse compressed payloads that inflate past BYTES (default: the inflate-bytes "
    "cap, 1 MiB; at most 1 GiB).",
)
@json_option
@click.pass_context
def command(
    ctx: click.Context,
    cookie: str,
    app: AppSettings,
    max_age: int | None,
    epoch: str,
    inflate_limit: int | None,
    as_json: bool,
) -> ExitCode:
    """Show what is inside a session cookie, when it was signed, and whether it is valid.

    COOKIE is the value, name=value, a Set-Cookie line, a Cookie header (see --name),
    or '-' to read it from standard input. Without a key the signature is not checked.
    """
    from cookietool import cookieinput, formats, render
    from cookietool.session import inspect_cookie

    text = read_stdin("COOKIE") if cookie == "-" else cookie
    found = cookieinput.extract(text, app.cookie.name)
    result = inspect_cookie(
        found.value,
        app.keys,
        name=found.name,
        scheme=app.scheme,
        fmt=formats.get(app.format),
        # Flask checks PERMANENT_SESSION_LIFETIME on every request: with an app, so do we.
        max_age=app.lifetime if max_age is None else max_age,
        epoch=epoch,
        inflate_limit=inflate_limit,
        caps=current_caps(),
        key_source=app.key_source,
    )
    if as_json:
        click.echo(render.dump_json(render.decode_document(result)))
    else:
        render.render_decode(stdout_console(ctx), result)
    return ExitCode.OK if result.ok else ExitCode.CHECK_FAILED
