"""The ``cookietool`` command line: parse options, call the core, render the result."""

from __future__ import annotations

import errno
import functools
import os
import sys
from collections.abc import Callable
from enum import IntEnum
from typing import TYPE_CHECKING, Any, TypeVar, cast

import click

from cookietool import __version__
from cookietool.caps import DESCRIPTIONS as CAP_DESCRIPTIONS
from cookietool.errors import CapError, CookietoolError

if TYPE_CHECKING:
    from cookietool.caps import Caps
    from cookietool.signing import CookieSettings

F = TypeVar("F", bound=Callable[..., Any])


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


class KeyOrderCommand(click.Command):
    """A command that remembers the order of its options on the command line.

    Click gathers each repeated option into its own tuple, so ``--key A --key-env B``
    would lose which came first; its parser does record every occurrence in order,
    which this keeps in ``ctx.meta`` for :func:`collect_keys`.
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


ORDER_META = "cookietool.option_order"


class PipeClosed(Exception):
    """Standard output's reader went away; Click would turn this into exit code 1."""


class OutputFailed(Exception):
    """Writing the output failed (a full disk, a closed stream)."""


#: What failing to write standard output looks like: a full disk or quota, a file too
#: large, an I/O error, a closed descriptor.
_OUTPUT_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EBADF})


class CookietoolGroup(click.Group):
    """The one place where results and errors become exit codes."""

    command_class = KeyOrderCommand

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

    ctx.obj = {"color": color, "caps": caps.parse(cap_specs)}


def current_caps() -> Caps:
    """The caps of this run (--cap), for the commands to pass to the core."""
    from cookietool import caps

    root = click.get_current_context().find_root()
    found: Caps = (root.obj or {}).get("caps", caps.DEFAULT)
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


def stdin_once(**readers: int) -> None:
    """Refuse a command line where standard input ('-') would be read more than once.

    Each keyword counts how often one option or argument reads it.
    """
    if sum(readers.values()) > 1:
        using = [
            name if count == 1 else f"{name} ({count} times)"
            for name, count in readers.items()
            if count
        ]
        raise click.UsageError(
            f"standard input can be read only once; '-' is given for {', '.join(using)}"
        )


def stdin_key_file(key_files: tuple[str, ...]) -> int:
    """How many of the --key-file options are '-'."""
    return key_files.count("-")


def scheme_options(f: F) -> F:
    """--salt, --digest and --key-derivation, for apps that customise their session interface."""
    from cookietool.flaskcookie import DEFAULT_SALT, DIGESTS, KEY_DERIVATIONS

    f = click.option(
        "--key-derivation",
        type=click.Choice(KEY_DERIVATIONS),
        default="hmac",
        show_default=True,
        help="itsdangerous key derivation of the app's session interface.",
    )(f)
    f = click.option(
        "--digest",
        type=click.Choice(DIGESTS),
        default="sha1",
        show_default=True,
        help="HMAC digest of the app's session interface.",
    )(f)
    f = click.option(
        "--salt", default=DEFAULT_SALT, show_default=True, help="Salt of the session interface."
    )(f)
    return f


def key_options(f: F) -> F:
    """The secret-key sources, taken in command-line order: the last one is the current key."""
    f = click.option(
        "--key",
        "key_texts",
        multiple=True,
        metavar="KEY",
        help="A secret key as text. All key options repeat and mix, and are taken in the "
        "order given, oldest first: the last is SECRET_KEY, the others SECRET_KEY_FALLBACKS. "
        "Visible in shell history: prefer --key-env or --key-file.",
    )(f)
    f = click.option(
        "--key-hex",
        "key_hexes",
        multiple=True,
        metavar="HEX",
        help="A binary secret key in hex. Repeatable.",
    )(f)
    f = click.option(
        "--key-env",
        "key_envs",
        multiple=True,
        metavar="VAR",
        help="Read a key from environment variable VAR. Repeatable.",
    )(f)
    f = click.option(
        "--key-file",
        "key_files",
        multiple=True,
        metavar="FILE",
        help="Read keys from FILE, one per line as raw bytes, oldest first ('-' for stdin). "
        "Repeatable.",
    )(f)
    return f


#: The key options, by parameter name, and how each occurrence becomes keys.
KEY_PARAMS = ("key_texts", "key_hexes", "key_envs", "key_files")


def collect_keys(ctx: click.Context) -> list[Any]:
    """Every key given, in the order the options stand on the command line (oldest first)."""
    from cookietool import keys

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
            found.append(keys.text_key(value, f"--key #{number}"))
        elif name == "key_hexes":
            found.append(keys.hex_key(value, f"--key-hex #{number}"))
        elif name == "key_envs":
            found.append(keys.env_key(value))
        else:
            found.extend(keys.file_keys(value, limit=current_caps().key_file_bytes))
    return found


def json_option(f: F) -> F:
    """--json: one versioned JSON document on stdout instead of the human report."""
    return click.option(
        "--json", "as_json", is_flag=True, help="Print one JSON document (schema in the README)."
    )(f)


def cookie_settings_options(f: F) -> F:
    """Flask's SESSION_COOKIE_* settings, for the Set-Cookie line of a signed session."""
    options = [
        click.option("--name", default="session", show_default=True, help="SESSION_COOKIE_NAME."),
        click.option("--domain", help="SESSION_COOKIE_DOMAIN."),
        click.option("--path", default="/", show_default=True, help="SESSION_COOKIE_PATH."),
        click.option("--secure", is_flag=True, help="SESSION_COOKIE_SECURE."),
        click.option(
            "--samesite",
            type=click.Choice(["Strict", "Lax", "None"]),
            help="SESSION_COOKIE_SAMESITE.",
        ),
        click.option("--partitioned", is_flag=True, help="SESSION_COOKIE_PARTITIONED."),
        click.option(
            "--permanent",
            is_flag=True,
            help="Make the session permanent (session.permanent = True): adds _permanent and "
            "Expires.",
        ),
        click.option(
            "--lifetime",
            type=click.IntRange(min=0),
            default=31 * 24 * 3600,
            show_default=True,
            metavar="SECONDS",
            help="PERMANENT_SESSION_LIFETIME, for Expires of a permanent session.",
        ),
    ]

    @functools.wraps(f)
    def with_settings(*args: Any, **kwargs: Any) -> Any:
        from cookietool.signing import CookieSettings

        fields = ("name", "domain", "path", "secure", "samesite", "partitioned", "lifetime")
        kwargs["settings"] = CookieSettings(**{key: kwargs.pop(key) for key in fields})
        return f(*args, **kwargs)

    command: Any = with_settings
    for option in reversed(options):
        command = option(command)
    return cast(F, command)


def stdout_console(ctx: click.Context) -> Any:
    """The rich console for data on stdout, honouring --color/--no-color."""
    from cookietool.render import make_console

    return make_console(color=ctx.find_root().obj["color"])


@cli.command()
@click.argument("cookie")
@key_options
@scheme_options
@click.option(
    "--name",
    default="session",
    show_default=True,
    help="Which cookie to take from a Cookie header (SESSION_COOKIE_NAME).",
)
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
def decode(
    ctx: click.Context,
    cookie: str,
    key_files: tuple[str, ...],
    key_envs: tuple[str, ...],
    key_hexes: tuple[str, ...],
    key_texts: tuple[str, ...],
    salt: str,
    digest: str,
    key_derivation: str,
    name: str,
    max_age: int | None,
    epoch: str,
    inflate_limit: int | None,
    as_json: bool,
) -> ExitCode:
    """Show what is inside a session cookie, when it was signed, and whether it is valid.

    COOKIE is the value, name=value, a Set-Cookie line, a Cookie header (see --name),
    or '-' to read it from standard input. Without a key the signature is not checked.
    """
    from cookietool import cookieinput, render
    from cookietool.flaskcookie import Scheme
    from cookietool.session import inspect_cookie

    stdin_once(COOKIE=cookie == "-", key_file=stdin_key_file(key_files))
    text = read_stdin("COOKIE") if cookie == "-" else cookie
    found = cookieinput.extract(text, name)
    result = inspect_cookie(
        found.value,
        collect_keys(click.get_current_context()),
        name=found.name,
        scheme=Scheme(salt, digest, key_derivation),
        max_age=max_age,
        epoch=epoch,
        inflate_limit=inflate_limit,
        caps=current_caps(),
    )
    if as_json:
        click.echo(render.dump_json(render.decode_document(result)))
    else:
        render.render_decode(stdout_console(ctx), result)
    return ExitCode.OK if result.ok else ExitCode.CHECK_FAILED


@cli.command()
@click.argument("payload")
@key_options
@scheme_options
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
@cookie_settings_options
@json_option
def sign(
    payload: str,
    key_files: tuple[str, ...],
    key_envs: tuple[str, ...],
    key_hexes: tuple[str, ...],
    key_texts: tuple[str, ...],
    salt: str,
    digest: str,
    key_derivation: str,
    timestamp: int | None,
    legacy: bool,
    set_cookie: bool,
    settings: CookieSettings,
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
    from cookietool.flaskcookie import Scheme
    from cookietool.signing import parse_payload, sign_session

    stdin_once(PAYLOAD=payload == "-", key_file=stdin_key_file(key_files))
    session = parse_payload(read_stdin("PAYLOAD") if payload == "-" else payload, current_caps())
    signed = sign_session(
        session,
        collect_keys(click.get_current_context()),
        scheme=Scheme(salt, digest, key_derivation),
        timestamp=timestamp,
        legacy=legacy,
        settings=settings,
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


@cli.command("size-check")
@click.argument("inputs", nargs=-1, metavar="[INPUT]...")
@click.option(
    "--har",
    "har_file",
    metavar="FILE",
    help="Check every Set-Cookie and Cookie header of a browser HAR export, by host.",
)
@click.option(
    "--payload",
    metavar="JSON",
    help="Check the cookie Flask would set for this session ('-' for stdin); needs a key.",
)
@key_options
@scheme_options
@cookie_settings_options
@click.option(
    "--server",
    "server_spec",
    metavar="NAME[,NAME]",
    help="Also check the Cookie request header against these servers' limits, or 'all'.",
)
@click.option("--list-limits", is_flag=True, help="Print the limits with their sources, and exit.")
@click.option(
    "--warn-at",
    type=click.IntRange(1, 100),
    default=90,
    show_default=True,
    metavar="PERCENT",
    help="Warn when a size reaches this share of a limit.",
)
@click.option(
    "--budget",
    type=click.IntRange(min=1),
    metavar="BYTES",
    help="Your own limit on a cookie's name + value bytes; going over it is an error.",
)
@click.option(
    "--head-bytes",
    type=click.IntRange(min=0),
    default=600,
    show_default=True,
    metavar="BYTES",
    help="Request head bytes besides the Cookie line, for whole-request server limits.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning"]),
    default="error",
    show_default=True,
    help="Exit 1 on errors only, or on warnings too.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github", "junit"]),
    default="text",
    show_default=True,
    help="text (a table), json, github (workflow annotations) or junit (XML).",
)
@click.pass_context
def size_check(
    ctx: click.Context,
    inputs: tuple[str, ...],
    har_file: str | None,
    payload: str | None,
    key_files: tuple[str, ...],
    key_envs: tuple[str, ...],
    key_hexes: tuple[str, ...],
    key_texts: tuple[str, ...],
    salt: str,
    digest: str,
    key_derivation: str,
    settings: CookieSettings,
    permanent: bool,
    server_spec: str | None,
    list_limits: bool,
    warn_at: int,
    budget: int | None,
    head_bytes: int,
    fail_on: str,
    fmt: str,
) -> ExitCode:
    """Check cookie sizes against browser, Werkzeug and server limits, for CI.

    Each INPUT is a cookie in any form 'decode' takes, or '-' for standard input: a curl
    header dump (curl -D - or -i: its Set-Cookie lines), a Netscape cookie jar (curl -c,
    wget), or one cookie per line. A bare value must be a session cookie, and is named
    after --name; other input is refused. Exit codes: 0 within limits
    (warnings are printed), 1 a browser would drop a cookie, a selected server would
    refuse the request, a budget is exceeded, or a warning under --fail-on warning.
    """
    from cookietool import render, render_sizes, sizes

    limits = sizes.load_limits()
    if list_limits:
        if fmt == "json":
            click.echo(render.dump_json(render_sizes.limits_document(limits)))
        else:
            render_sizes.render_limits_text(stdout_console(ctx), limits)
        return ExitCode.OK
    if not (inputs or har_file or payload):
        raise click.UsageError("give cookies to check, --har FILE or --payload JSON")
    stdin_once(
        INPUT=inputs.count("-"),
        har=har_file == "-",
        payload=payload == "-",
        key_file=stdin_key_file(key_files),
    )
    specs: list[sizes.CookieSpec] = []
    observed: list[tuple[str | None, str]] = []
    for number, text in enumerate(inputs, start=1):
        if text == "-":
            caps = current_caps()
            found, headers = sizes.specs_from_document(
                read_stdin("INPUT"),
                "standard input",
                settings.name,
                max_cookies=caps.cookies,
                max_line=caps.line_bytes,
            )
        else:
            found, headers = sizes.specs_from_text(text, f"argument {number}", settings.name)
        specs += found
        observed += headers
    if har_file is not None:
        from cookietool.har import read_har_file

        har = read_har_file(har_file, max_bytes=current_caps().har_bytes)
        found, headers = sizes.specs_from_har(har)
        specs += found
        observed += headers
    if payload is not None:
        from cookietool.cookieinput import parse_set_cookie
        from cookietool.flaskcookie import Scheme
        from cookietool.signing import parse_payload, sign_session

        signed = sign_session(
            parse_payload(read_stdin("--payload") if payload == "-" else payload, current_caps()),
            collect_keys(click.get_current_context()),
            scheme=Scheme(salt, digest, key_derivation),
            settings=settings,
            set_cookie=True,
            permanent=permanent,
        )
        assert signed.set_cookie is not None
        cookie = parse_set_cookie(signed.set_cookie)
        specs.append(sizes.CookieSpec("--payload", cookie.name, cookie.value, set_cookie=cookie))
    report = sizes.check(
        specs,
        observed_headers=observed,
        servers=sizes.select_servers(server_spec, limits) if server_spec else (),
        warn_at=warn_at,
        budget=budget,
        head_bytes=head_bytes,
        limits=limits,
    )
    if fmt == "json":
        click.echo(render.dump_json(render_sizes.size_document(report, fail_on)))
    elif fmt == "github":
        click.echo(render_sizes.github_annotations(report, fail_on))
    elif fmt == "junit":
        click.echo(render_sizes.junit_xml(report, fail_on))
    else:
        render_sizes.render_size_text(stdout_console(ctx), report, fail_on)
    return ExitCode.CHECK_FAILED if report.failed(fail_on) else ExitCode.OK


@cli.command()
@click.argument("cookies", nargs=-1, metavar="COOKIE...")
@click.option(
    "--wordlist",
    "wordlist_paths",
    multiple=True,
    metavar="FILE",
    help="Candidate keys, one per line as raw bytes; .gz read directly; '-' streams stdin.",
)
@click.option(
    "--quoted",
    is_flag=True,
    help="Wordlist lines are Flask-Unsign's quoted Python literals ('key', b'key').",
)
@click.option(
    "--no-builtin",
    is_flag=True,
    help="Skip the built-in known keys and Flask-Unsign's wordlist.",
)
@click.option(
    "--jobs",
    type=click.IntRange(1, 256),
    help="Worker processes (default: one per CPU; at most 256).",
)
@scheme_options
@click.option(
    "--name", default="session", show_default=True, help="Which cookie of a Cookie header."
)
@click.option(
    "--hashcat",
    "for_hashcat",
    is_flag=True,
    help="Print the line for hashcat's mode 29100 instead of searching, or why it cannot.",
)
@json_option
def audit(
    cookies: tuple[str, ...],
    wordlist_paths: tuple[str, ...],
    quoted: bool,
    no_builtin: bool,
    jobs: int | None,
    salt: str,
    digest: str,
    key_derivation: str,
    name: str,
    for_hashcat: bool,
    as_json: bool,
) -> ExitCode:
    """Find a session cookie's secret key among known and listed keys.

    Tries every candidate against every COOKIE (any form 'decode' takes) and stops at the
    first match. Candidates: the built-in list of framework defaults and documentation
    keys, Flask-Unsign's wordlist when cookietool[wordlist] is installed, and --wordlist
    files. Exit codes: 1 a key was found (the key is weak), 0 none was, 2 bad input.
    """
    from cookietool import audit as engine
    from cookietool import cookieinput, render, render_keys, wordlists
    from cookietool.flaskcookie import Scheme

    if not cookies:
        raise click.UsageError("give at least one COOKIE")
    stdin_once(COOKIE=cookies.count("-"), wordlist=wordlist_paths.count("-"))
    scheme = Scheme(salt, digest, key_derivation)
    values = [
        cookieinput.extract(read_stdin("COOKIE") if c == "-" else c, name).value for c in cookies
    ]
    if for_hashcat:
        from cookietool import hashcat

        exports = [hashcat.export(value, scheme) for value in values]
        command = hashcat.command()
        if as_json:
            click.echo(render.dump_json(render_keys.hashcat_document(exports, command)))
        else:
            for number, export in enumerate(exports, start=1):
                if export.ok:
                    click.echo(export.line)
                else:
                    reasons = "; ".join(export.reasons)
                    click.echo(
                        f"cookie {number} is outside hashcat mode 29100: {reasons}", err=True
                    )
            if any(e.ok for e in exports):
                click.echo(f"save the lines above to cookie.hash, then: {command}", err=True)
        return ExitCode.OK if all(e.ok for e in exports) else ExitCode.CHECK_FAILED
    targets = [engine.Target(value, scheme) for value in values]
    engine.groups_for(targets)  # bad cookies are refused before any work starts
    sources = []
    if not no_builtin:
        sources.append(wordlists.builtin_source())
        bundled = wordlists.flask_unsign_source()
        if bundled is not None:
            sources.append(bundled)
    max_line = current_caps().wordlist_line_bytes
    sources += [
        wordlists.file_source(path, quoted=quoted, max_line=max_line) for path in wordlist_paths
    ]
    if not sources:
        raise click.UsageError("nothing to try: --no-builtin and no --wordlist")
    result = _run_audit(targets, sources, jobs, show_progress=not as_json)
    origin = None
    if result.key is not None:
        origin = next((k for k in wordlists.known_keys() if k.value == result.key), None)
    if as_json:
        click.echo(render.dump_json(render_keys.audit_document(result, origin, len(targets))))
    else:
        click.echo(render_keys.audit_text(result, origin, len(targets)))
    return ExitCode.CHECK_FAILED if result.key is not None else ExitCode.OK


def _run_audit(
    targets: list[Any], sources: list[Any], jobs: int | None, show_progress: bool
) -> Any:
    """The search, with a progress bar on stderr when it is a terminal."""
    from cookietool import audit as engine
    from cookietool.__main__ import resume_gc

    resume_gc()  # a long run: let the collector work again
    if not (show_progress and sys.stderr.isatty()):
        return engine.audit(targets, sources, jobs=jobs)
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    sizes = [source.size for source in sources]
    total = None if None in sizes else sum(sizes)
    columns = (
        TextColumn("{task.fields[tried]:,} keys tried, {task.fields[rate]:,.0f}/s"),
        BarColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    import time

    started = time.perf_counter()
    console = Console(stderr=True, markup=False, highlight=False)
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("audit", total=total, tried=0, rate=0.0)

        def update(tried: int, done: int) -> None:
            rate = tried / max(time.perf_counter() - started, 1e-9)
            progress.update(task, completed=done, tried=tried, rate=rate)

        return engine.audit(targets, sources, jobs=jobs, on_progress=update)


@cli.command("check-key")
@click.argument("targets", nargs=-1, metavar="[KEY | - | FILE...]")
@click.option(
    "--key-file",
    metavar="FILE",
    help="Read the key from FILE (its content, one trailing newline removed; at most 1 MiB).",
)
@click.option("--env", "env_var", metavar="VAR", help="Read the key from environment variable VAR.")
@click.option(
    "--scan",
    is_flag=True,
    help="The arguments are files: judge every SECRET_KEY written in them (.py, .env, "
    ".toml, .yaml, .ini).",
)
@json_option
def check_key(
    targets: tuple[str, ...],
    key_file: str | None,
    env_var: str | None,
    scan: bool,
    as_json: bool,
) -> ExitCode:
    """Judge a secret key without a cookie: length, entropy, known lists, placeholders.

    The key is never printed: it is named by the first 8 hex digits of its SHA-256.
    Prefer '-', --key-file or --env over KEY, which stays in shell history. With --scan,
    the arguments are files to search for SECRET_KEY assignments (a pre-commit hook).
    Exit codes: 1 a key is weak, 0 all are strong, 2 bad input.
    """
    from cookietool import keycheck, keys, render, render_keys
    from cookietool.errors import InputError
    from cookietool.escape import for_humans

    if scan:
        if not targets:
            raise click.UsageError("--scan needs files to scan")
        report = keycheck.scan_paths(
            targets, keycheck.wordlist_keys(), max_bytes=current_caps().scan_file_bytes
        )
        for skipped in report.skipped:
            click.echo(f"warning: skipped: {for_humans(skipped.reason)}", err=True)
        if report.scanned == 0:
            raise InputError("no file could be scanned")
        if as_json:
            click.echo(render.dump_json(render_keys.scan_document(report.found, report.skipped)))
        else:
            for assignment, verdict in report.found:
                where = f"{assignment.path}:{assignment.line} {assignment.name}"
                if assignment.fallback:
                    where += " (fallback value)"
                click.echo(render_keys.verdict_text(verdict, where))
            click.echo(
                f"{len(report.found)} keys found in {report.scanned} files, {report.weak} weak"
            )
        return ExitCode.CHECK_FAILED if report.weak else ExitCode.OK
    given = sum(1 for source in (targets, key_file, env_var) if source)
    if given != 1 or len(targets) > 1:
        raise click.UsageError("give exactly one key: KEY, '-', --key-file or --env")
    extra = keycheck.wordlist_keys()
    if env_var:
        key = keys.env_key(env_var).value
    elif key_file is not None:
        caps = current_caps()
        key = _strip_newline(keys.read_capped(key_file, "--key-file", caps.key_file_bytes))
    elif targets[0] == "-":
        limit = current_caps().input_bytes
        key = _strip_newline(keys.read_capped("-", "standard input", limit, "input-bytes"))
    else:
        key = targets[0].encode("utf-8", "surrogateescape")
    verdict = keycheck.judge(key, extra)
    if as_json:
        click.echo(
            render.dump_json(
                render.document(
                    "check-key",
                    keys=[render_keys.verdict_fields(verdict)],
                    weak=int(verdict.weak),
                    skipped=[],
                )
            )
        )
    else:
        click.echo(render_keys.verdict_text(verdict))
    return ExitCode.CHECK_FAILED if verdict.weak else ExitCode.OK


def _strip_newline(data: bytes) -> bytes:
    """File and pipe contents end in a newline that is not part of the key."""
    if data.endswith(b"\r\n"):
        return data[:-2]
    return data[:-1] if data.endswith(b"\n") else data


@cli.command()
@click.option(
    "--bytes",
    "nbytes",
    type=int,
    default=32,
    show_default=True,
    help="Random bytes per key (at least 16).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["hex", "urlsafe", "base64", "env"]),
    default="hex",
    show_default=True,
    help="hex, base64url, base64, or an env line VAR=hex.",
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
    default="FLASK_SECRET_KEY",
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
def genkey(
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


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="cookietool")


if __name__ == "__main__":  # pragma: no cover
    main()
