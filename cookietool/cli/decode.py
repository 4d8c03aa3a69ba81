"""``cookietool decode``: what is inside a session cookie, and whether it verifies."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from cookietool.cli.base import Command, ExitCode
from cookietool.cli.options import (
    app_options,
    current_caps,
    fetch_url,
    json_option,
    plain_console,
    read_stdin,
    url_options,
)

if TYPE_CHECKING:
    from cookietool.appsettings import AppSettings


@click.command("decode", cls=Command)
@click.argument("cookie", required=False)
@app_options()
@url_options
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
    cookie: str | None,
    app: AppSettings,
    url: str | None,
    headers: tuple[str, ...],
    data: str | None,
    timeout: float,
    max_age: int | None,
    epoch: str,
    inflate_limit: int | None,
    as_json: bool,
) -> ExitCode:
    """Show what is inside a session cookie, when it was signed, and whether it is valid.

    COOKIE is the value, name=value, a Set-Cookie line, a Cookie header (see --name),
    or '-' to read it from standard input; or --url fetches it from a running server.
    Without a key the signature is not checked.
    """
    from cookietool import cookieinput, render
    from cookietool.session import choose_format, inspect_cookie

    if (cookie is None) == (url is None):
        raise click.UsageError("give a COOKIE or --url URL (one of them)")
    if url is not None:
        text = _cookie_from_url(fetch_url(url, headers, data, timeout), app.cookie.name, url)
    else:
        text = read_stdin("COOKIE") if cookie == "-" else cookie or ""
    found = cookieinput.extract(text, app.cookie.name)
    fmt, scheme, reason = choose_format(
        found.value, app.format, app.keys, app.scheme if app.scheme_given else None
    )
    result = inspect_cookie(
        found.value,
        app.keys,
        name=found.name,
        scheme=scheme,
        fmt=fmt,
        format_reason=reason,
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
        render.render_decode(plain_console(ctx), result)
    return ExitCode.OK if result.ok else ExitCode.CHECK_FAILED


def _cookie_from_url(result: Any, name: str, url: str) -> str:
    """The last ``name`` cookie the server set along the redirect chain, as name=value."""
    from cookietool.errors import InputError
    from cookietool.escape import for_humans

    for line in reversed(result.set_cookie):
        if line.partition("=")[0].strip() == name:
            return str(line)
    names = sorted({line.partition("=")[0].strip() for line in result.set_cookie})
    raise InputError(
        f"{for_humans(url)} set no cookie named {name!r} (set: {', '.join(names) or 'none'}); "
        "pass --name to take another"
    )
