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
@click.argument("payload", required=False)
@click.option(
    "--from",
    "original",
    metavar="COOKIE",
    help="Start from this cookie's session (any form decode takes) and keep its timestamp "
    "unless --timestamp is given.",
)
@click.option(
    "--set",
    "sets",
    multiple=True,
    metavar="PATH=JSON",
    help="Set a session key (user.id=7; text as JSON: name='\"ann\"'). Repeatable.",
)
@click.option("--unset", "unsets", multiple=True, metavar="PATH", help="Remove a session key.")
@click.option(
    "--python",
    "python_literal",
    is_flag=True,
    help="PAYLOAD is a Python literal such as {'logged_in': True} (read, never evaluated).",
)
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
    payload: str | None,
    original: str | None,
    sets: tuple[str, ...],
    unsets: tuple[str, ...],
    python_literal: bool,
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
    Or edit an existing cookie: --from COOKIE with --set and --unset. The last key signs.
    """
    from cookietool import render
    from cookietool.escape import for_humans
    from cookietool.signing import edit_session, parse_payload, parse_python_payload

    caps = current_caps()
    if (payload is None) == (original is None):
        raise click.UsageError("give a PAYLOAD or --from COOKIE (one of them)")
    notes: list[str] = []
    if original is not None:
        session, stamp, was_legacy, notes = _session_of(original, app)
        timestamp = stamp if timestamp is None else timestamp
        legacy = legacy or (was_legacy and timestamp == stamp)
    else:
        text = read_stdin("PAYLOAD") if payload == "-" else payload or ""
        if app.format in ("starlette", "django", "jwt") and not python_literal:
            session = _plain_json_session(text, caps)  # no Flask tags in these formats
        else:
            session = (parse_python_payload if python_literal else parse_payload)(text, caps)
    session = edit_session(session, [_split_set(s) for s in sets], unsets, caps)
    if app.format in ("starlette", "django", "jwt"):
        return _sign_other(app, session, timestamp, set_cookie or permanent or legacy, as_json)
    from cookietool.signing import sign_session

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
    for warning in [*notes, *signed.warnings]:
        click.echo(f"warning: {for_humans(warning)}", err=True)
    click.echo(f"Set-Cookie: {signed.set_cookie}" if set_cookie else signed.value)
    return ExitCode.OK


def _split_set(spec: str) -> tuple[str, str]:
    path, sep, value = spec.partition("=")
    if not sep:
        raise click.UsageError(f"--set takes PATH=JSON, such as user.id=7 (got {spec!r})")
    return path.strip(), value


def _session_of(original: str, app: AppSettings) -> tuple[dict[str, Any], int, bool, list[str]]:
    """The session, timestamp and epoch of the cookie --from names, and what to say of it."""
    from cookietool import cookieinput
    from cookietool.errors import PayloadError
    from cookietool.session import choose_format, inspect_cookie

    found = cookieinput.extract(
        read_stdin("--from") if original == "-" else original, app.cookie.name
    )
    fmt, scheme, _ = choose_format(
        found.value, app.format, app.keys, app.scheme if app.scheme_given else None
    )
    result = inspect_cookie(found.value, app.keys, scheme=scheme, fmt=fmt, caps=current_caps())
    if not result.is_session or result.timestamp is None:
        problem = "; ".join(p.message for p in result.problems) or "it cannot be read"
        raise PayloadError(f"--from: the cookie is not a session to edit: {problem}")
    notes = []
    if result.signature.status == "invalid":
        notes.append("the --from cookie does not verify with these keys; its data is signed anew")
    return dict(result.session), result.timestamp, result.legacy_epoch, notes


def _sign_other(
    app: AppSettings,
    session: dict[str, Any],
    timestamp: int | None,
    flask_only: bool,
    as_json: bool,
) -> ExitCode:
    """A Starlette or Django session value, byte for byte what the framework sets."""
    import importlib
    import time

    from cookietool import render
    from cookietool.errors import PayloadError

    if flask_only:
        raise click.UsageError(
            "--set-cookie, --permanent and --legacy are Flask's (--format flask)"
        )
    if not app.keys:
        raise PayloadError("signing needs a key: see --key, --app, --dotenv and the environment")
    module = importlib.import_module(f"cookietool.{app.format}cookie")
    stamp = int(time.time()) if timestamp is None else timestamp
    if app.format == "jwt":
        value: str = module.sign(session, app.keys)  # a JWT's time is its iat claim, if any
    else:
        value = module.sign(session, app.keys, stamp)
    if as_json:
        document = render.document(
            "sign",
            value=value,
            set_cookie=None,
            timestamp=stamp,
            legacy_epoch=False,
            compressed=value.startswith("."),
            warnings=[],
            format=app.format,
        )
        click.echo(render.dump_json(document))
    else:
        click.echo(value)
    return ExitCode.OK


def _plain_json_session(text: str, caps: Any) -> dict[str, Any]:
    """A session as plain JSON, for the formats that have no Flask tags."""
    from cookietool.errors import CookieFormatError, PayloadError
    from cookietool.jsontext import load_json

    try:
        value = load_json(text, caps.json_depth, caps.int_digits)
    except CookieFormatError as e:
        raise PayloadError(str(e).replace("the payload", "the payload", 1)) from e
    if not isinstance(value, dict):
        raise PayloadError("the payload must be a JSON object (a session is a dict)")
    return value
