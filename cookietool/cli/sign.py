"""``cookietool sign``: a session cookie a real Flask app accepts, byte for byte Flask's."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from cookietool.cli.base import Command, ExitCode
from cookietool.cli.options import app_options, current_caps, json_option, read_stdin

if TYPE_CHECKING:
    from cookietool.appsettings import AppSettings


def permanent_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """--permanent: what ``session.permanent = True`` does in a view."""
    return click.option(
        "--permanent",
        is_flag=True,
        help="Make the session permanent (session.permanent = True): adds _permanent and Expires.",
    )(f)


@click.command("sign", cls=Command)
@click.argument("payload")
@app_options(cookie="all")
@click.option(
    "--timestamp",
    type=click.IntRange(min=0),
    metavar="UNIX",
    help="Sign as if at this Unix time (default: now).",
)
@click.option(
    "--legacy", is_flag=True, help="Count the timestamp from 2011-01-01 as itsdangerous < 1.0."
)
@click.option(
    "--set-cookie",
    "set_cookie",
    is_flag=True,
    help="Print the whole Set-Cookie line Flask sends, with its attributes.",
)
@permanent_option
@json_option
def command(
    payload: str,
    app: AppSettings,
    timestamp: int | None,
    legacy: bool,
    set_cookie: bool,
    permanent: bool,
    as_json: bool,
) -> ExitCode:
    """Sign a session as Flask would: a cookie a real Flask app accepts.

    PAYLOAD is a JSON object ('-' for standard input); Flask's tags such as {" t": [1, 2]}
    are read, so the payload printed by 'decode --json' signs back to the same cookie.
    The last key given signs.
    """
    from cookietool import render
    from cookietool.escape import for_humans
    from cookietool.signing import parse_payload, sign_session

    session = parse_payload(read_stdin("PAYLOAD") if payload == "-" else payload, current_caps())
    signed = sign_session(
        session,
        app.keys,
        scheme=app.scheme,
        timestamp=timestamp,
        legacy=legacy,
        settings=app.cookie,
        set_cookie=set_cookie,
        permanent=permanent,
    )
    if as_json:
        click.echo(render.dump_json(render.sign_document(signed)))
        return ExitCode.OK
    for warning in signed.warnings:
        click.echo(f"warning: {for_humans(warning)}", err=True)
    click.echo(f"Set-Cookie: {signed.set_cookie}" if set_cookie else signed.value)
    return ExitCode.OK
