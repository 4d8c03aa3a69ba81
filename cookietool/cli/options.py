"""Option bundles the commands share, and the one place they become AppSettings.

A command that needs keys, a signing scheme or the session cookie's settings decorates
itself with :func:`app_options` and receives one ``app: AppSettings`` argument instead
of a dozen options; every command spells each option the same way.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

import click

from cookietool.errors import CapError

if TYPE_CHECKING:
    from rich.console import Console

    from cookietool.appsettings import AppSettings
    from cookietool.caps import Caps
    from cookietool.flaskapp import AppFacts
    from cookietool.keys import SecretKey
    from cookietool.plaintext import Console as PlainConsole

F = TypeVar("F", bound=Callable[..., Any])

#: The key options, by parameter name; taken in command-line order.
KEY_PARAMS = ("key_texts", "key_hexes", "key_envs", "key_files")
SCHEME_PARAMS = ("salt", "digest", "key_derivation")
COOKIE_PARAMS = ("name", "domain", "path", "secure", "samesite", "partitioned", "lifetime")


#: Where the run's global options are kept: in ctx.meta, which every context of a run
#: shares, so that commands also work under `flask cookie`, whose root object is Flask's.
CAPS_META = "cookietool.caps"
COLOR_META = "cookietool.color"


def current_caps() -> Caps:
    """The caps of this run (--cap), for the commands to pass to the core."""
    from cookietool import caps

    found: Caps = click.get_current_context().meta.get(CAPS_META, caps.DEFAULT)
    return found


def read_stdin(what: str) -> str:
    """Standard input as text, refused over the input-bytes cap."""
    limit = current_caps().input_bytes
    data = sys.stdin.buffer.read(limit + 1)
    if len(data) > limit:
        raise CapError(f"standard input ({what}) is over {limit} bytes", "input-bytes")
    try:
        return str(data.decode("utf-8"))
    except UnicodeDecodeError as e:
        raise click.BadParameter("standard input is not UTF-8 text", param_hint=what) from e


def stdout_console(ctx: click.Context) -> Console:
    """The rich console for data on stdout, honouring --color/--no-color."""
    from cookietool.render import make_console

    return make_console(color=ctx.meta.get(COLOR_META))


def plain_console(ctx: click.Context) -> PlainConsole:
    """The plain console (no rich) for the reports that must start fast, with --color."""
    from cookietool.plaintext import Console as PlainConsole

    return PlainConsole(color=ctx.meta.get(COLOR_META))


def json_option(f: F) -> F:
    """--json: one versioned JSON document on stdout instead of the human report."""
    return click.option(
        "--json", "as_json", is_flag=True, help="Print one JSON document (schema in the README)."
    )(f)


def _key_options() -> list[Callable[[F], F]]:
    return [
        click.option(
            "--key",
            "key_texts",
            multiple=True,
            metavar="KEY",
            help="A secret key as text ('-': asked for, hidden, on a terminal; else read from "
            "stdin). All key options repeat and mix, and are taken in the order given, oldest "
            "first: the last is SECRET_KEY, the others SECRET_KEY_FALLBACKS. Without any, keys "
            "come from --dotenv, else from $COOKIETOOL_SECRET_KEY or $FLASK_SECRET_KEY (and "
            "$FLASK_SECRET_KEY_FALLBACKS).",
        ),
        click.option(
            "--key-hex",
            "key_hexes",
            multiple=True,
            metavar="HEX",
            help="A binary secret key in hex. Repeatable.",
        ),
        click.option(
            "--key-env",
            "key_envs",
            multiple=True,
            metavar="VAR",
            help="Read a key from environment variable VAR. Repeatable.",
        ),
        click.option(
            "--key-file",
            "key_files",
            multiple=True,
            metavar="FILE",
            help="Read keys from FILE, one per line as raw bytes, oldest first ('-' for stdin). "
            "Repeatable.",
        ),
        click.option(
            "--dotenv",
            "dotenv_path",
            metavar="PATH",
            help="Read the keys from this .env file as Flask's from_prefixed_env() would: "
            "FLASK_SECRET_KEY and FLASK_SECRET_KEY_FALLBACKS (a JSON list), or "
            "COOKIETOOL_SECRET_KEY. The environment is not changed.",
        ),
    ]


def _scheme_options() -> list[Callable[[F], F]]:
    from cookietool.flaskcookie import SCHEME
    from cookietool.signer import DIGESTS, KEY_DERIVATIONS

    return [
        click.option(
            "--salt", default=SCHEME.salt, show_default=True, help="Salt of the session interface."
        ),
        click.option(
            "--digest",
            type=click.Choice(DIGESTS),
            default=SCHEME.digest,
            show_default=True,
            help="HMAC digest of the app's session interface.",
        ),
        click.option(
            "--key-derivation",
            type=click.Choice(KEY_DERIVATIONS),
            default=SCHEME.key_derivation,
            show_default=True,
            help="itsdangerous key derivation of the app's session interface.",
        ),
    ]


def _cookie_options(all_settings: bool) -> list[Callable[[F], F]]:
    from cookietool.appsettings import DEFAULT_LIFETIME, SAMESITE_VALUES

    name = click.option(
        "--name",
        default="session",
        show_default=True,
        help="SESSION_COOKIE_NAME: the cookie to take from a Cookie header, and to set.",
    )
    if not all_settings:
        return [name]
    return [
        name,
        click.option("--domain", help="SESSION_COOKIE_DOMAIN."),
        click.option("--path", default="/", show_default=True, help="SESSION_COOKIE_PATH."),
        click.option("--secure", is_flag=True, help="SESSION_COOKIE_SECURE."),
        click.option(
            "--samesite", type=click.Choice(SAMESITE_VALUES), help="SESSION_COOKIE_SAMESITE."
        ),
        click.option("--partitioned", is_flag=True, help="SESSION_COOKIE_PARTITIONED."),
        click.option(
            "--lifetime",
            type=click.IntRange(min=0),
            default=DEFAULT_LIFETIME,
            show_default=True,
            metavar="SECONDS",
            help="PERMANENT_SESSION_LIFETIME, for Expires of a permanent session.",
        ),
    ]


def _app_option() -> Callable[[F], F]:
    return click.option(
        "--app",
        "app_import",
        metavar="IMPORT",
        envvar="FLASK_APP",
        help="Take keys, signing scheme and cookie settings from this Flask app, found as "
        "'flask --app' finds it (module, module:app, module:create_app()); also $FLASK_APP. "
        "Options given explicitly still win.",
    )


#: Where an app found by Flask's CLI is kept while a `flask cookie` command runs.
FLASK_APP_META = "cookietool.flask_app"


def _format_option() -> Callable[[F], F]:
    from cookietool.formats import FORMATS

    return click.option(
        "--format",
        "cookie_format",
        type=click.Choice(["auto", *FORMATS]),
        default="auto",
        show_default=True,
        help="The cookie's format: told from its shape with 'auto' (when several fit and keys "
        "are given, the one whose signature verifies).",
    )


def app_options(
    *, keys: bool = True, cookie: str = "name", format_option: bool = True
) -> Callable[[F], F]:
    """Add the key, scheme and cookie options, and pass one ``app: AppSettings`` instead.

    ``cookie`` is ``"name"`` for commands that only pick a cookie by name, ``"all"`` for
    those that set one (the SESSION_COOKIE_* settings).
    """

    def decorate(f: F) -> F:
        @functools.wraps(f)
        def with_app(*args: Any, **kwargs: Any) -> Any:
            kwargs["app"] = resolve_app(click.get_current_context(), kwargs)
            return f(*args, **kwargs)

        options = [_app_option(), *(_key_options() if keys else []), *_scheme_options()]
        options += [_format_option()] if format_option else []
        options += _cookie_options(cookie == "all")
        command: Any = with_app
        for option in reversed(options):
            command = option(command)
        return cast(F, command)

    return decorate


def resolve_app(ctx: click.Context, kwargs: dict[str, Any]) -> AppSettings:
    """The one place options, the app, .env files and the environment become AppSettings.

    Keys: the key options, else the app's (--app, $FLASK_APP, or the app of `flask
    cookie`), else --dotenv, else the environment. Scheme and cookie settings: an option
    given on the command line, else the app's, else Flask's defaults. The option values
    are taken out of ``kwargs``, so the command sees only ``app``.
    """
    from cookietool.appsettings import AppSettings, CookieSettings
    from cookietool.signer import Scheme

    facts = _app_facts(ctx, kwargs.pop("app_import", None))
    wants_keys = "key_texts" in kwargs
    found_keys = tuple(collect_keys(ctx)) if wants_keys else ()
    dotenv_path = kwargs.pop("dotenv_path", None)
    for name in KEY_PARAMS:
        kwargs.pop(name, None)
    origin = "the key options" if found_keys else ""
    if found_keys and dotenv_path is not None:
        raise click.UsageError("--dotenv is a source of keys: give it instead of key options")
    if wants_keys and not found_keys:
        if facts is not None and facts.keys:
            found_keys, origin = facts.keys, f"the app {facts.name!r}"
        else:
            import os

            from cookietool import keysources

            source = (
                keysources.from_dotenv(dotenv_path)
                if dotenv_path is not None
                else keysources.from_environment(os.environ)
            )
            if source is not None:
                found_keys, origin = source

    def given(name: str) -> bool:
        return ctx.get_parameter_source(name) not in (
            click.core.ParameterSource.DEFAULT,
            click.core.ParameterSource.DEFAULT_MAP,
            None,
        )

    cookie_format = kwargs.pop("cookie_format", "flask")
    scheme_given = facts is not None or any(given(name) for name in SCHEME_PARAMS)
    scheme_values = {name: kwargs.pop(name) for name in SCHEME_PARAMS}
    cookie_values = {name: kwargs.pop(name) for name in COOKIE_PARAMS if name in kwargs}
    if facts is not None:
        for name in SCHEME_PARAMS:
            if not given(name):
                scheme_values[name] = getattr(facts.scheme, name)
        for name in COOKIE_PARAMS:
            if name in cookie_values and not given(name):
                cookie_values[name] = getattr(facts.cookie, name)
    cookie = CookieSettings(**cookie_values)
    if facts is not None:
        # Settings without an option of their own (HttpOnly) always come from the app.

        cookie = cookie._replace(httponly=facts.cookie.httponly)
    return AppSettings(
        keys=found_keys,
        scheme=Scheme(**scheme_values),
        cookie=cookie,
        key_source=origin,
        lifetime=None if facts is None else facts.lifetime,
        app_name=None if facts is None else facts.name,
        max_cookie_size=None if facts is None else facts.max_cookie_size,
        # An app is a Flask app: its cookies are Flask's, whatever the value looks like.
        format="flask" if facts is not None and cookie_format == "auto" else cookie_format,
        scheme_given=scheme_given,
    )


def _app_facts(ctx: click.Context, import_path: str | None) -> AppFacts | None:
    """The app's settings: --app or $FLASK_APP, or the app `flask cookie` runs in."""
    app = ctx.meta.get(FLASK_APP_META)
    if app is None and not import_path:
        return None  # no app: flaskapp (and Flask) stay unloaded, as decode's speed needs
    from cookietool import flaskapp

    if app is None:
        app = flaskapp.load_app(import_path or "")
        ctx.meta[FLASK_APP_META] = app  # for commands that drive the app itself
    return flaskapp.facts(app)


def collect_keys(ctx: click.Context) -> list[SecretKey]:
    """Every key given, in the order the options stand on the command line (oldest first)."""
    from cookietool import keys
    from cookietool.cli.base import ORDER_META

    params = ctx.params
    if not any(params.get(name) for name in KEY_PARAMS):
        return []
    order = [name for name in ctx.meta.get(ORDER_META, []) if name in KEY_PARAMS]
    seen = dict.fromkeys(KEY_PARAMS, 0)
    found = []
    for name in order:
        value = params[name][seen[name]]
        seen[name] += 1
        number = seen[name]
        if name == "key_texts":
            text = _ask_for_key() if value == "-" else value
            found.append(keys.text_key(text, f"--key #{number}"))
        elif name == "key_hexes":
            found.append(keys.hex_key(value, f"--key-hex #{number}"))
        elif name == "key_envs":
            found.append(keys.env_key(value))
        else:
            found.extend(keys.file_keys(value, limit=current_caps().key_file_bytes))
    return found


def _ask_for_key() -> str:
    """``--key -``: a hidden prompt on a terminal, else one line of standard input."""
    if sys.stdin.isatty():
        text: str = click.prompt("Secret key", hide_input=True, err=True)
        return text
    lines = read_stdin("--key -").splitlines()
    return lines[0] if lines else ""


def url_options(f: F) -> F:
    """--url and what a request to it needs: headers, form data, a timeout."""
    options = [
        click.option(
            "--url",
            metavar="URL",
            help="Fetch this URL from a running server (http or https) and use the cookies it "
            "sets; redirects are followed with cookies carried, as a browser does.",
        ),
        click.option(
            "--header",
            "headers",
            multiple=True,
            metavar="'NAME: VALUE'",
            help="A request header for --url, such as 'Cookie: session=...'. Repeatable.",
        ),
        click.option(
            "--data",
            metavar="DATA",
            help="Form data to POST to --url (user=ann&password=x), for a login; JSON when it "
            "starts with { or [.",
        ),
        click.option(
            "--timeout",
            type=click.FloatRange(0.1, 600),
            default=10.0,
            show_default=True,
            metavar="SECONDS",
            help="Give up on --url after this long.",
        ),
    ]
    command: Any = f
    for option in reversed(options):
        command = option(command)
    return cast(F, command)


def fetch_url(url: str, headers: tuple[str, ...], data: str | None, timeout: float) -> Any:
    """The cookies a running server sets at ``url`` (cookietool.fetch), within the caps."""
    import json

    from cookietool import fetch
    from cookietool.errors import InputError

    json_body: Any = None
    form: str | None = data
    if data is not None and data.lstrip().startswith(("{", "[")):
        try:
            json_body, form = json.loads(data), None
        except ValueError as e:
            raise InputError(f"--data starts like JSON but is not JSON ({e})") from e
    return fetch.fetch_cookies(
        url,
        headers=headers,
        data=form,
        json_body=json_body,
        timeout=timeout,
        max_response_bytes=current_caps().response_bytes,
    )
